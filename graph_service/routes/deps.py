"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph_service.store import GraphStore


def get_store(request: Request) -> GraphStore:
    """The store, or in public mode (a read without a key, ``GRAPH_PUBLIC_READS``) its
    public view: people without consent under pseudonyms (graph_service.privacy)."""
    store: GraphStore = request.app.state.store
    if getattr(request.state, "privacy", "full") == "public":
        view = getattr(request.app.state, "public_store", None)
        if view is None or view.store is not store:
            from graph_service.privacy import public_view

            fields = request.app.state.settings.public_person_fields
            view = public_view(store, tuple(f.strip() for f in fields.split(",") if f.strip()))
            request.app.state.public_store = view
        return view
    return store


Store = Annotated[GraphStore, Depends(get_store)]

"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from graph_service.store import GraphStore


def public_store_of(request: Request) -> GraphStore:
    """The app's public view of its store: people without consent under pseudonyms
    (graph_service.store.public). One per app, so its pseudonym maps are built once per graph
    version, not once per request."""
    store: GraphStore = request.app.state.store
    view = getattr(request.app.state, "public_store", None)
    if view is None or view.store is not store:
        from graph_service.store.public import public_fields, public_view

        fields = public_fields(request.app.state.settings.public_person_fields)
        view = request.app.state.public_store = public_view(store, fields)
    return view


def get_store(request: Request) -> GraphStore:
    """The store, or in public mode (a read without a key, ``GRAPH_PUBLIC_READS``) its
    public view."""
    if getattr(request.state, "privacy", "full") == "public":
        return public_store_of(request)
    store: GraphStore = request.app.state.store
    return store


Store = Annotated[GraphStore, Depends(get_store)]


def language_of(request: Request) -> str:
    """The reader's language, chosen by graph_service.i18n.LanguageMiddleware."""
    from graph_service.i18n import DEFAULT_LANGUAGE

    return str(getattr(request.state, "lang", DEFAULT_LANGUAGE))


Lang = Annotated[str, Depends(language_of)]

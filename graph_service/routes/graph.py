"""``/api/stats`` and ``/api/entities/{id}``: the shapes of ``stats --json`` and
``show --json`` (CONTRACT.md section 3)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from graph_service.routes.deps import Store
from graph_service.routes.entities import MAX_OFFSET, show_page
from graph_service.routes.models import Deleted, EntityDocument, StatsDocument, responses

router = APIRouter(prefix="/api")


@router.get(
    "/stats",
    summary="Counts by kind and relationship type, and the graph's version",
    responses=responses(StatsDocument, "the stats document"),
)
def get_stats(store: Store) -> dict[str, Any]:
    return store.stats().to_dict()


@router.get(
    "/entities/{ref:path}",
    summary="One entity, by id or by a unique name",
    description="Its relationships a page at a time (`rel_offset`, `rel_limit`; the first "
    "1000 by default): `relationships_total` counts them all and `relationships_next` links "
    "to the next page (null on the last).",
    responses=responses(EntityDocument, "the show document", 404, 422),
)
def get_entity(
    ref: str,
    store: Store,
    request: Request,
    rel_offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="relationships to skip")] = 0,
    rel_limit: Annotated[
        int | None,
        Query(description="relationships on the page: 1 to GRAPH_MAX_PAGE (default 1000)"),
    ] = None,
) -> dict[str, Any]:
    return show_page(request, store, ref, rel_offset, rel_limit)


@router.delete(
    "/graph",
    summary="Delete every entity and relationship (admin role)",
    responses=responses(Deleted, "what was deleted, and the version after it"),
)
def clear_graph(store: Store) -> dict[str, Any]:
    """Empties the store. The version moves on, so caches and clients notice."""
    before = store.stats()
    store.clear()
    return {
        "deleted": {
            "entities": sum(before.nodes.values()),
            "relationships": sum(before.relationships.values()),
        },
        "version": store.version(),
    }

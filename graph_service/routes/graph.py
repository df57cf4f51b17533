"""``/api/stats`` and ``/api/entities/{id}``: the shapes of ``stats --json`` and
``show --json`` (CONTRACT.md section 3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from graph_service.entities import describe_entity
from graph_service.routes.deps import Store
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
    responses=responses(EntityDocument, "the show document", 404),
)
def get_entity(ref: str, store: Store) -> dict[str, Any]:
    return describe_entity(store, ref)


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

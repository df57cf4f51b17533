"""``/api/stats`` and ``/api/entities/{id}``: the shapes of ``stats --json`` and
``show --json`` (CONTRACT.md section 3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from graph_service.entities import describe_entity
from graph_service.routes.deps import Store

router = APIRouter(prefix="/api")


@router.get("/stats", summary="Counts by kind and relationship type, and the graph's version")
def get_stats(store: Store) -> dict[str, Any]:
    return store.stats().to_dict()


@router.get("/entities/{ref}", summary="One entity, by id or by a unique name")
def get_entity(ref: str, store: Store) -> dict[str, Any]:
    return describe_entity(store, ref)

"""Reach: who and what an actor, or a group of actors, reaches within k steps.

DOMAIN.md section 6: k-step reach is the number of entities within k steps; distance-weighted
reach is Σ 1/d(i, j) over the reachable j (UCINET). Ties are read both ways (CONTRACT.md
section 3). ``types`` keeps only some relationship types (e.g. the knowledge flows PRODUCES,
USES, SHARES_KNOWLEDGE_WITH); ``kinds`` keeps only some kinds of entity on the way and in the
count (the start is always allowed).

The breadth-first search runs in the store (``GraphStore.distances``): on Neo4j it is one
Cypher step per level in one read transaction, so a single-actor reach never copies the
graph out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from graph_service.analysis.common import check_depth, check_kinds, check_types, clean_float
from graph_service.domain import KINDS, LEVELS, Node
from graph_service.entities import resolve_entity
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

DEFAULT_DEPTH = 2
#: the most members a group reach takes
MAX_GROUP = 1000


def reach(
    store: GraphStore,
    ref: str,
    depth: int = DEFAULT_DEPTH,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``reach`` document (CONTRACT.md section 3) of the entity ``ref`` (an id, or a
    unique name), extended with counts by INN level and by distance.

    ``reach`` counts the distinct entities within ``depth`` steps (not the start);
    ``weighted_reach`` is the sum of 1/distance over them.
    """
    depth = check_depth(depth)
    types, kinds = check_types(types), check_kinds(kinds)
    start = resolve_entity(store, ref)
    distance = store.distances(start.id, depth, types, kinds)
    distance.pop(start.id, None)
    nodes = store.get_nodes(sorted(distance))
    rows: list[dict[str, Any]] = sorted(
        (
            {"id": i, "kind": nodes[i].kind, "name": nodes[i].name, "distance": d}
            for i, d in distance.items()
            if i in nodes
        ),
        key=lambda r: (r["distance"], r["id"]),
    )
    return {
        "id": start.id,
        "name": start.name,
        "kind": start.kind,
        "depth": depth,
        "types": types,
        "kinds": kinds,
        "reach": len(rows),
        "weighted_reach": clean_float(sum(1.0 / r["distance"] for r in rows)),
        "by_kind": _ordered(Counter(r["kind"] for r in rows), KINDS),
        "by_level": _ordered(
            Counter(KINDS[r["kind"]] for r in rows if KINDS.get(r["kind"])), LEVELS
        ),
        "by_distance": {str(d): c for d, c in sorted(Counter(r["distance"] for r in rows).items())},
        "nodes": rows,
    }


def reach_group(
    store: GraphStore,
    refs: Sequence[str],
    depth: int = DEFAULT_DEPTH,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
) -> dict[str, Any]:
    """What a group of actors reaches together within ``depth`` steps, and what it cannot.

    "Which communities can these five change agents reach within two steps": ``targets``
    names the kinds that count as destinations (e.g. Area; None: every kind). Each reached
    target lists the members that reach it and its distance from the nearest one;
    ``not_reached`` lists the targets none of them reaches (the members excluded).
    """
    depth = check_depth(depth)
    types, kinds, targets = check_types(types), check_kinds(kinds), check_kinds(targets)
    if not refs:
        raise InvalidInput("give at least one id to reach from")
    if len(refs) > MAX_GROUP:
        raise InvalidInput(f"a group reach takes at most {MAX_GROUP} ids, not {len(refs)}")
    members: list[Node] = []
    for ref in dict.fromkeys(refs):
        node = resolve_entity(store, ref)
        if node.id not in {m.id for m in members}:
            members.append(node)
    member_ids = {m.id for m in members}
    best: dict[str, int] = {}
    by_whom: dict[str, list[str]] = {}
    member_rows = []
    for m in members:
        distance = store.distances(m.id, depth, types, kinds)
        distance.pop(m.id, None)
        member_rows.append({"id": m.id, "name": m.name, "kind": m.kind, "reach": len(distance)})
        for i, d in distance.items():
            if i in member_ids:
                continue
            best[i] = min(d, best.get(i, d))
            by_whom.setdefault(i, []).append(m.id)
    nodes = store.get_nodes(sorted(best))
    wanted = set(targets) if targets else None
    rows: list[dict[str, Any]] = sorted(
        (
            {
                "id": i,
                "kind": nodes[i].kind,
                "name": nodes[i].name,
                "distance": d,
                "reached_by": sorted(by_whom[i]),
            }
            for i, d in best.items()
            if i in nodes and (wanted is None or nodes[i].kind in wanted)
        ),
        key=lambda r: (r["distance"], r["id"]),
    )
    reached = {r["id"] for r in rows}
    not_reached = [i for i in store.ids_of(targets) if i not in reached and i not in member_ids]
    return {
        "ids": [m.id for m in members],
        "depth": depth,
        "types": types,
        "kinds": kinds,
        "targets": targets,
        "reach": len(rows),
        "weighted_reach": clean_float(sum(1.0 / r["distance"] for r in rows)),
        "by_kind": _ordered(Counter(r["kind"] for r in rows), KINDS),
        "members": member_rows,
        "nodes": rows,
        "not_reached": not_reached,
    }


def _ordered(counts: Counter[Any], order: Sequence[str] | dict[str, Any]) -> dict[str, int]:
    return {k: counts[k] for k in order if counts.get(k)}

"""Reach: who and what an actor, or a group of actors, reaches within k steps.

DOMAIN.md section 6: k-step reach is the number of entities within k steps; distance-weighted
reach is Σ 1/d(i, j) over the reachable j (UCINET). Ties are read both ways (CONTRACT.md
section 3). ``types`` keeps only some relationship types (e.g. the knowledge flows PRODUCES,
USES, SHARES_KNOWLEDGE_WITH); ``kinds`` keeps only some kinds of entity on the way and in the
count (the start is always allowed).

**Direction and containment** (issue 12, wrong answer 7). ``direction`` reads arcs
``out`` (source to target), ``in`` (target to source) or ``both`` (the default); the
symmetric types (PARTNERS_WITH, SHARES_KNOWLEDGE_WITH) count both ways in every direction, so
a money trace from a fund with ``out`` follows FUNDS to its recipients and never PROVIDES
back to its funder. Placement (LOCATED_IN, OPERATES_IN, PART_OF) says where something is:
a step along a placement arc from its source to its target goes *up* (an entity to the area
it is in, an area to the area containing it); the other way goes *down*. A walk that has
gone up once never goes down again. So the areas an actor reaches are the areas it, or
what it reaches, is in, and those containing them; never a sibling (a person in one
subdistrict does not reach the other subdistricts of its district through PART_OF up and
down, nor the people located in its subdistrict). A walk that starts at an area, or
reaches one through a tie (a fund FUNDS a province), may go down into it first: a
province-wide fund reaches the subdistricts of its province. Distances are the fewest steps
of such a walk, the start excluded.

The search reads little: the store's neighbourhood (``store.base.neighbourhood``; on Neo4j
one Cypher statement whose breadth-first search runs in the database) gives the entities
within ``depth`` steps of any walk, a superset of what a restricted walk reaches, and the
relationships among them, which are walked again in memory with the rules above. The
graph is never copied out: only the neighbourhood.

``where`` (a filter, :mod:`graph_service.analysis.filters`) keeps only the matching entities
in the count (the walk still passes through the others); ``breakdown`` counts what was
reached by one attribute (``kind``, ``level`` or a property; a list property counts each
of its values; entities without it under ``"null"``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from graph_service.analysis.common import check_depth, check_kinds, check_types, clean_float
from graph_service.analysis.filters import (
    PLACEMENT_TYPES,
    Filter,
    count_by,
    parse_filter,
    prepare,
)
from graph_service.domain import KINDS, LEVELS, SYMMETRIC_TYPES, Node
from graph_service.entities import resolve_entity
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore, neighbourhood

DEFAULT_DEPTH = 2
DIRECTIONS = ("both", "out", "in")
#: the most members a group reach takes
MAX_GROUP = 1000


def reach(
    store: GraphStore,
    ref: str,
    depth: int = DEFAULT_DEPTH,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    direction: str = "both",
    where: str | Sequence[str] | None = None,
    breakdown: str | None = None,
) -> dict[str, Any]:
    """The ``reach`` document (CONTRACT.md sections 3 and 2b) of the entity ``ref`` (an id,
    or a unique name), extended with counts by INN level and by distance.

    ``reach`` counts the distinct entities within ``depth`` steps (not the start) that
    ``where`` holds for (all without it); ``weighted_reach`` is the sum of 1/distance over
    them. ``direction`` and the containment rule: see the module's docstring. With
    ``breakdown``, ``"breakdown": {value: count}``.
    """
    depth = check_depth(depth)
    types, kinds = check_types(types), check_kinds(kinds)
    direction = check_direction(direction)
    flt = parse_filter(where)
    start = resolve_entity(store, ref)
    distance, nodes = walk_distances(store, start.id, depth, types, kinds, direction)
    distance.pop(start.id, None)
    if flt is not None:
        _prepare_filter(store, flt)
        nodes = {i: n for i, n in nodes.items() if flt.matches_node(n)}
    rows: list[dict[str, Any]] = sorted(
        (
            {"id": i, "kind": nodes[i].kind, "name": nodes[i].name, "distance": d}
            for i, d in distance.items()
            if i in nodes
        ),
        key=lambda r: (r["distance"], r["id"]),
    )
    doc: dict[str, Any] = {
        "id": start.id,
        "name": start.name,
        "kind": start.kind,
        "depth": depth,
        "types": types,
        "kinds": kinds,
        "direction": direction,
        "where": None if flt is None else flt.text,
        "reach": len(rows),
        "weighted_reach": clean_float(sum(1.0 / r["distance"] for r in rows)),
        "by_kind": _ordered(Counter(r["kind"] for r in rows), KINDS),
        "by_level": _ordered(
            Counter(KINDS[r["kind"]] for r in rows if KINDS.get(r["kind"])), LEVELS
        ),
        "by_distance": {str(d): c for d, c in sorted(Counter(r["distance"] for r in rows).items())},
        "nodes": rows,
    }
    if breakdown:
        doc["breakdown_by"] = breakdown
        doc["breakdown"] = count_by(nodes, [r["id"] for r in rows], breakdown)
    return doc


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise InvalidInput(
            f"direction must be out, in or both, not {direction!r}", {"direction": direction}
        )
    return direction


def _prepare_filter(store: GraphStore, flt: Filter) -> None:
    """Read what ``within=`` terms need (every entity and the placement relationships)."""
    if any(t.attribute == "within" for t in flt.terms):
        from graph_service.analysis.filters import placement_arrays

        arrays = placement_arrays(store)
        rows = arrays.pairs_of("PART_OF")
        placement = [(a, "PART_OF", b) for a, b in rows]
        for type_ in ("LOCATED_IN", "OPERATES_IN"):
            placement.extend((a, type_, b) for a, b in arrays.pairs_of(type_))
        prepare(flt, arrays.nodes, placement)
    if any(t.attribute == "member_of" for t in flt.terms):
        from graph_service.analysis.filters import prepare_members

        prepare_members(store, flt)


def walk_distances(
    store: GraphStore,
    start: str,
    depth: int,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    direction: str = "both",
) -> tuple[dict[str, int], dict[str, Node]]:
    """Fewest steps from ``start`` (0) to every entity within ``depth`` steps of a walk
    that follows ``direction`` and the containment rule (the module's docstring), and the
    entities of the neighbourhood it walked.

    The neighbourhood (every entity within ``depth`` steps of any walk, and the
    relationships among them) comes from the store in one go (``store.base.neighbourhood``:
    on Neo4j one statement, ``graph/neighbourhood``, whose breadth-first search runs in the
    database; on the embedded store its breadth-first search and one read of the
    relationships); ``kinds`` and the rules are applied to it here."""
    sub = neighbourhood(store, start, depth, types)
    if start not in sub.nodes:
        return {}, {}
    allowed = set(kinds) if kinds else None
    keep = {i for i, n in sub.nodes.items() if i == start or allowed is None or n.kind in allowed}
    rows = [
        (e.source, e.type, e.target) for e in sub.edges if e.source in keep and e.target in keep
    ]
    return contained_distances(start, depth, rows, direction), sub.nodes


def contained_distances(
    start: str, depth: int, rows: Sequence[tuple[str, str, str]], direction: str = "both"
) -> dict[str, int]:
    """Breadth-first distances over the relationships ``rows`` (source, type, target) with
    ``direction`` and the containment rule: the state of a walk is (entity, has gone up).

    >>> rows = [("p", "LOCATED_IN", "s1"), ("s1", "PART_OF", "d"), ("s2", "PART_OF", "d"),
    ...         ("q", "LOCATED_IN", "s1")]
    >>> contained_distances("p", 3, rows)
    {'p': 0, 's1': 1, 'd': 2}
    >>> contained_distances("d", 2, rows)
    {'d': 0, 's1': 1, 's2': 1, 'p': 2, 'q': 2}
    >>> contained_distances("f", 2, [("x", "PROVIDES", "f"), ("f", "FUNDS", "o")], "out")
    {'f': 0, 'o': 1}
    """
    # (next entity, kind of step): 0 a tie, 1 up, -1 down
    steps: dict[str, list[tuple[str, int]]] = {}
    placement = set(PLACEMENT_TYPES)
    for source, type_, target in rows:
        if source == target:
            continue
        both = type_ in SYMMETRIC_TYPES
        kind = 1 if type_ in placement else 0
        if direction != "in" or both:
            steps.setdefault(source, []).append((target, kind))
        if direction != "out" or both:
            steps.setdefault(target, []).append((source, -kind))
    distance = {start: 0}
    seen = {(start, False)}
    frontier = [(start, False)]
    for level in range(1, depth + 1):
        nxt = []
        for node, went_up in frontier:
            for other, kind in steps.get(node, ()):
                if kind < 0 and went_up:
                    continue
                state = (other, went_up or kind > 0)
                if state in seen:
                    continue
                seen.add(state)
                nxt.append(state)
                distance.setdefault(other, level)
        frontier = nxt
        if not frontier:
            break
    return distance


def reach_group(
    store: GraphStore,
    refs: Sequence[str],
    depth: int = DEFAULT_DEPTH,
    types: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    targets: Sequence[str] | None = None,
    direction: str = "both",
) -> dict[str, Any]:
    """What a group of actors reaches together within ``depth`` steps, and what it cannot
    (``direction`` and the containment rule as :func:`reach`).

    "Which communities can these five change agents reach within two steps": ``targets``
    names the kinds that count as destinations (e.g. Area; None: every kind). Each reached
    target lists the members that reach it and its distance from the nearest one;
    ``not_reached`` lists the targets none of them reaches (the members excluded).
    """
    depth = check_depth(depth)
    types, kinds, targets = check_types(types), check_kinds(kinds), check_kinds(targets)
    direction = check_direction(direction)
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
        distance, _ = walk_distances(store, m.id, depth, types, kinds, direction)
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
        "direction": direction,
        "reach": len(rows),
        "weighted_reach": clean_float(sum(1.0 / r["distance"] for r in rows)),
        "by_kind": _ordered(Counter(r["kind"] for r in rows), KINDS),
        "members": member_rows,
        "nodes": rows,
        "not_reached": not_reached,
    }


def _ordered(counts: Counter[Any], order: Sequence[str] | dict[str, Any]) -> dict[str, int]:
    return {k: counts[k] for k in order if counts.get(k)}

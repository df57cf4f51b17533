"""What changed between two days (CONTRACT.md 2c ``diff``; issue 14, questions of change
over time).

The two graphs are the store as of each day (``store.history.as_of``: what was recorded by
then and held then by its own dates). Entities are compared by id, relationships by key
(their identity, ``domain.edge_key``): a thing in the second graph only was *added*, in the
first only *removed*, in both with other values *changed* (each differing property with
``[old, new]``; an entity whose kind changed has ``kind`` among them).

Then the measures that matter are computed on each graph by the analyses themselves, so
each equals what the same question gives as of that day (``[old, new]``; null where a
graph has too few actors for it):

- ``entities``, ``relationships``, ``actors``, ``ties``: counts (``ties``: as ``gaps``
  counts them);
- ``ei_index`` and ``ei_index/GROUP`` per admin level (Krackhardt and Stern 1988, as
  ``gaps``), ``density/A→B`` for each pair of levels (a block of ``gaps``);
- ``horizontal_ties``, ``vertical_ties`` and ``horizontal_vertical_ratio`` (``gaps``'
  blocks by direction);
- ``brokerage_total`` (Gould–Fernandez, all roles) and ``top_brokers`` (the five actors
  with the most brokerage, by id), with ``brokerage/ID`` for each of them in either
  graph;
- ``reach/ID``: how many entities each of those brokers reaches within two steps;
- ``funded_areas``, ``unfunded_areas``, ``overlap_pairs`` and ``duplication_pairs``
  (``overlap`` by area);
- ``degree_centralisation`` (Freeman 1979, as ``structure``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from graph_service.domain import Edge, Node
from graph_service.errors import GraphServiceError, UsageError
from graph_service.store import GraphStore
from graph_service.store.history import as_of

#: brokers followed by name in the measures
TOP_BROKERS = 5
#: steps of the reach measure
REACH_DEPTH = 2


def _rel(edge: Edge) -> dict[str, Any]:
    """``{"source", "type", "target", "id"}``: ``id`` the relationship's own id when the
    data gave one (its key is ``["id", X]``), else null.

    >>> _rel(Edge("a", "FUNDS", "b", {}, '["id", "grant-2566"]'))["id"]
    'grant-2566'
    >>> _rel(Edge("a", "FUNDS", "b"))["id"] is None
    True
    """
    own = None
    if edge.key.startswith('["id"'):
        parts = json.loads(edge.key)
        own = str(parts[1]) if len(parts) == 2 else None
    return {"source": edge.source, "type": edge.type, "target": edge.target, "id": own}


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        k: [old.get(k), new.get(k)]
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    }


def _safe(compute: Callable[[], Any]) -> Any:
    """A measure, or None when the graph cannot give it (no actors, no funds)."""
    try:
        return compute()
    except GraphServiceError:
        return None


def measures(store: GraphStore, brokers: list[str] | None = None) -> dict[str, Any]:
    """The measures of the module's docstring on one graph; ``brokers``: whose brokerage
    and reach to report (default: this graph's top brokers)."""
    found = _measure_pass(store)
    return _with_brokers(store, found, found["top_brokers"] if brokers is None else brokers)


def _measure_pass(store: GraphStore) -> dict[str, Any]:
    """Every analysis once on one graph: the measures without the brokers' own, and each
    actor's brokerage total under ``"_totals"``."""
    from graph_service.analysis.brokerage import brokerage
    from graph_service.analysis.gaps import gaps
    from graph_service.analysis.overlap import overlap
    from graph_service.analysis.structure import structure

    stats = store.stats()
    out: dict[str, Any] = {
        "entities": sum(stats.nodes.values()),
        "relationships": sum(stats.relationships.values()),
    }
    g = _safe(lambda: gaps(store))
    out["actors"] = g["actors"] if g else 0
    out["ties"] = g["ties"] if g else 0
    out["ei_index"] = g["ei_index"] if g else None
    horizontal = vertical = 0
    if g:
        for row in g["groups"]:
            out[f"ei_index/{row['group']}"] = row["ei_index"]
        for block in g["blocks"]:
            out[f"density/{block['from']}→{block['to']}"] = block["density"]
            if block["direction"] == "horizontal":
                horizontal += block["ties"]
            elif block["direction"] == "vertical":
                vertical += block["ties"]
    out["horizontal_ties"] = horizontal
    out["vertical_ties"] = vertical
    out["horizontal_vertical_ratio"] = round(horizontal / vertical, 4) if vertical else None
    b = _safe(lambda: brokerage(store, with_betweenness=False))
    totals = {row["id"]: row["total"] for row in b["nodes"]} if b else {}
    out["brokerage_total"] = b["totals"]["total"]["observed"] if b else 0
    ranked = sorted(totals, key=lambda i: (-totals[i], i))
    out["top_brokers"] = [i for i in ranked[:TOP_BROKERS] if totals[i] > 0]
    o = _safe(lambda: overlap(store))
    out["funded_areas"] = len(o["coverage"]) if o else 0
    out["unfunded_areas"] = len(o["unfunded"]) if o else 0
    out["overlap_pairs"] = len(o["pairs"]) if o else 0
    out["duplication_pairs"] = sum(p["kind"] == "duplication" for p in o["pairs"]) if o else 0
    s = _safe(lambda: structure(store))
    out["degree_centralisation"] = s["degree_centralisation"] if s else None
    out["_totals"] = totals
    return out


def _with_brokers(store: GraphStore, found: dict[str, Any], brokers: list[str]) -> dict[str, Any]:
    """``found`` (one :func:`_measure_pass`) with ``brokerage/ID`` and ``reach/ID`` of each
    of ``brokers``."""
    out = {k: v for k, v in found.items() if k != "_totals"}
    for i in brokers:
        out[f"brokerage/{i}"] = found["_totals"].get(i)
        reached = store.distances(i, REACH_DEPTH)
        out[f"reach/{i}"] = len(reached) - 1 if reached else None
    return out


def compare_measures(old: GraphStore, new: GraphStore) -> dict[str, list[Any]]:
    """``{name: [old, new]}`` for every measure either graph has (each analysis run once
    per graph; the brokers followed are the top brokers of either)."""
    first, second = _measure_pass(old), _measure_pass(new)
    brokers = sorted(set(first["top_brokers"]) | set(second["top_brokers"]))
    first, second = _with_brokers(old, first, brokers), _with_brokers(new, second, brokers)
    return {k: [first.get(k), second.get(k)] for k in sorted(first.keys() | second.keys())}


def diff_graphs(old: GraphStore, new: GraphStore) -> dict[str, Any]:
    """The ``diff`` document between two graphs (stores or as-of views), without the
    days (``from`` and ``to`` are the caller's)."""
    old_nodes: dict[str, Node] = old.get_nodes(old.ids_of())
    new_nodes: dict[str, Node] = new.get_nodes(new.ids_of())
    old_edges = {e.key: e for e in old.find_edges()}
    new_edges = {e.key: e for e in new.find_edges()}
    changed_nodes = []
    for i in sorted(old_nodes.keys() & new_nodes.keys()):
        a, b = old_nodes[i], new_nodes[i]
        changes = _changes(a.props, b.props)
        if a.kind != b.kind:
            changes["kind"] = [a.kind, b.kind]
        if changes:
            changed_nodes.append({"id": i, "changes": changes})
    changed_edges = []
    for k in sorted(old_edges.keys() & new_edges.keys()):
        a_e, b_e = old_edges[k], new_edges[k]
        changes = _changes(a_e.props, b_e.props)
        for end in ("source", "type", "target"):
            if getattr(a_e, end) != getattr(b_e, end):
                changes[end] = [getattr(a_e, end), getattr(b_e, end)]
        if changes:
            changed_edges.append({**_rel(b_e), "changes": changes})
    return {
        "entities": {
            "added": sorted(new_nodes.keys() - old_nodes.keys()),
            "removed": sorted(old_nodes.keys() - new_nodes.keys()),
            "changed": changed_nodes,
        },
        "relationships": {
            "added": [_rel(new_edges[k]) for k in sorted(new_edges.keys() - old_edges.keys())],
            "removed": [_rel(old_edges[k]) for k in sorted(old_edges.keys() - new_edges.keys())],
            "changed": changed_edges,
        },
        "measures": compare_measures(old, new),
    }


def diff(store: GraphStore, day_from: dt.date, day_to: dt.date) -> dict[str, Any]:
    """The ``diff`` document (CONTRACT.md 2c) of ``store`` between two days."""
    check_order(day_from, day_to)
    return diff_between(as_of(store, day_from), as_of(store, day_to), day_from, day_to)


def check_order(day_from: dt.date, day_to: dt.date) -> None:
    """``UsageError`` when ``day_to`` comes before ``day_from``."""
    if day_to < day_from:
        raise UsageError(
            f"--to ({day_to.isoformat()}) มาก่อน --from ({day_from.isoformat()}) / --to "
            "comes before --from; give the earlier day first"
        )


def diff_between(
    old: GraphStore, new: GraphStore, day_from: dt.date, day_to: dt.date
) -> dict[str, Any]:
    """The ``diff`` document of two graphs of ``day_from`` and ``day_to`` (as-of views, or
    the public views of them: the document then names people by their pseudonyms), with
    ``names`` of those that joined or left and the ``directions`` of the ties added and
    ended."""
    check_order(day_from, day_to)
    doc = diff_graphs(old, new)
    ids = set(doc["entities"]["added"]) | set(doc["entities"]["removed"])
    names = {**old.get_nodes(ids), **new.get_nodes(ids)}
    return {
        "from": day_from.isoformat(),
        "to": day_to.isoformat(),
        **doc,
        "names": {i: names[i].name for i in sorted(ids) if i in names and names[i].name},
        "directions": _directions(doc, old, new),
    }


def _directions(doc: dict[str, Any], old: GraphStore, new: GraphStore) -> dict[str, int]:
    """How many relationships added and ended among actors run horizontally (two ends at
    one admin level) and vertically (two levels), for the sentence."""
    from graph_service.domain import ACTOR_KINDS

    out = {
        "added_horizontal": 0,
        "added_vertical": 0,
        "removed_horizontal": 0,
        "removed_vertical": 0,
    }
    for what, graph in (("added", new), ("removed", old)):
        rels = doc["relationships"][what]
        ends = graph.get_nodes({r[e] for r in rels for e in ("source", "target")})
        for r in rels:
            a, b = ends.get(r["source"]), ends.get(r["target"])
            if a is None or b is None or a.kind not in ACTOR_KINDS or b.kind not in ACTOR_KINDS:
                continue
            la, lb = a.props.get("admin_level"), b.props.get("admin_level")
            if la is None or lb is None:
                continue
            out[f"{what}_{'horizontal' if la == lb else 'vertical'}"] += 1
    return out


__all__ = ["check_order", "compare_measures", "diff", "diff_between", "diff_graphs", "measures"]

"""The dynamic GEXF export (issue 14, point 6; ``export --format gexf --dynamic``): every
entity and relationship the store ever held, with the days it held, so that Gephi's
timeline plays the network's history.

The file is GEXF 1.3 (``http://gexf.net/1.3``, as Gephi 0.9.3 and later read it) with
``<graph mode="dynamic" timeformat="date">``. Time is in days and every interval is
closed (1.3 has no open bounds: ``start`` and ``end`` are both included); a missing
``start`` is "since always" (recorded before the store kept history), a missing ``end``
"still holds".

When a thing holds (the rule of ``--as-of``, :func:`graph_service.store.history.as_of`):

- each version of it holds over its recorded interval ``[rec_from, rec_to)``, that is the
  days ``rec_from`` … ``rec_to - 1``, cut to its own valid interval when its data gives
  one (``start`` / ``end``, and a relationship's ``year``; an entity's ``year`` does not
  narrow it: :func:`graph_service.store.history.valid_interval`);
- a relationship holds only while both its ends hold (as-of views drop the others).

An entity or relationship is written once with ``<spells>`` (one ``<spell start end>``
per stretch of days it held, adjacent days joined; no ``<spells>`` when it held always).
Its attributes are those of the static GEXF export (:mod:`viz.formats`: ``kind``,
``level``, ``name_en``, every property, ``prop_<name>`` for a name GEXF keeps for itself;
on relationships ``rel_type``, ``direction`` and every property), the label is the last
name it had. An attribute whose value changed on any entity (or relationship), or
that some version lacks, is declared ``mode="dynamic"`` and each of its values carries the
days it held (``<attvalue for value start end/>``, one per value: the days from the first
to the last version holding it); the others are static. The relationship type is the edge
``label`` and its ``kind`` (GEXF 1.3's parallel edges), the edge id its key; its
``weight`` is written when every weight is a number and the relationship's never changed
(a changing one is the dynamic attribute ``prop_weight``). No measures: Gephi's
dynamic statistics compute them along the timeline.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from graph_service import budget
from graph_service.domain import Edge, Node, direction_of, level_of
from graph_service.errors import InvalidInput, UsageError
from graph_service.store.base import GraphStore
from graph_service.store.history import AsOfView, all_versions, valid_interval
from viz.formats import _EDGE_BASE, _GEXF_EDGE_RESERVED, _GEXF_NODE_RESERVED, _safe, _scalar

GEXF_NS = "http://gexf.net/1.3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{GEXF_NS} {GEXF_NS}/gexf.xsd"

#: "since always" and "still holds" inside this module (never written)
_FIRST = dt.date.min
_LAST = dt.date.max
_DAY = dt.timedelta(days=1)

_NODE_TAKEN = frozenset({"kind", "level", "name_en"}) | _GEXF_NODE_RESERVED | {"label"}
_EDGE_TAKEN = frozenset(_EDGE_BASE) | _GEXF_EDGE_RESERVED | {"rel_type", "kind", "networkx_key"}


@dataclass(frozen=True)
class Spell:
    """Days ``start`` … ``end``, both included (``_FIRST`` / ``_LAST``: open)."""

    start: dt.date
    end: dt.date

    def bounds(self) -> tuple[str | None, str | None]:
        """The spell as written: ISO days, None for an open end."""
        return (
            None if self.start == _FIRST else self.start.isoformat(),
            None if self.end == _LAST else self.end.isoformat(),
        )


def _after(day: dt.date) -> dt.date:
    return day if day == _LAST else day + _DAY


def _cut(spell: Spell, other: Spell) -> Spell | None:
    start, end = max(spell.start, other.start), min(spell.end, other.end)
    return Spell(start, end) if start <= end else None


def _held(
    props: Mapping[str, Any], rec_from: str | None, rec_to: str | None, use_year: bool
) -> Spell | None:
    """The days a version holds: its recorded interval cut to its own valid one
    (``use_year``: a relationship's ``year`` narrows it, an entity's does not, as in
    :func:`graph_service.store.history.as_of`)."""
    recorded = Spell(
        _FIRST if rec_from is None else dt.date.fromisoformat(rec_from),
        _LAST if rec_to is None else dt.date.fromisoformat(rec_to) - _DAY,
    )
    low, high = valid_interval(dict(props), use_year)
    return _cut(recorded, Spell(low or _FIRST, high or _LAST))


def joined(spells: Iterable[Spell]) -> list[Spell]:
    """The spells sorted, overlapping or adjacent ones joined.

    >>> d = dt.date
    >>> [s.bounds() for s in joined([Spell(d(2023, 1, 1), d(2023, 12, 31)),
    ...                             Spell(d(2022, 1, 1), d(2022, 12, 31)),
    ...                             Spell(d(2025, 1, 1), _LAST)])]
    [('2022-01-01', '2023-12-31'), ('2025-01-01', None)]
    """
    out: list[Spell] = []
    for s in sorted(spells, key=lambda s: (s.start, s.end)):
        if out and s.start <= _after(out[-1].end):
            if s.end > out[-1].end:
                out[-1] = Spell(out[-1].start, s.end)
        else:
            out.append(s)
    return out


# -- attribute values over time ---------------------------------------------------------------


def _node_attrs(node: Node) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "kind": node.kind,
        "level": level_of(node.kind) or "",
        "name_en": _scalar(node.props.get("name_en", "")),
    }
    for key, value in node.props.items():
        if key != "name_en":
            name = _safe(key)
            attrs[f"prop_{name}" if name in _NODE_TAKEN else name] = _scalar(value)
    return attrs


def _edge_attrs(edge: Edge, ends: Mapping[str, Node]) -> dict[str, Any]:
    direction = direction_of(edge, ends) or ""
    attrs: dict[str, Any] = {"rel_type": edge.type, "direction": direction}
    for key, value in edge.props.items():
        if key == "direction" and value == direction:
            continue
        name = _safe(key)
        attrs[f"prop_{name}" if name in _EDGE_TAKEN else name] = _scalar(value)
    return attrs


def _usable(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and not math.isfinite(value))


def value_runs(
    pieces: Sequence[tuple[dict[str, Any], Spell]],
) -> dict[str, list[tuple[Any, Spell]]]:
    """Per attribute, its values over the thing's pieces (in time order): consecutive
    pieces with the same value are one run, from the first piece's start to the last's
    end (a stretch when the thing was absent between them included: it shows nothing
    then). Pieces without the attribute end a run and start none."""
    runs: dict[str, list[tuple[Any, Spell]]] = defaultdict(list)
    last: dict[str, Any] = {}
    keys = {k for attrs, _ in pieces for k in attrs}
    for attrs, spell in pieces:
        for key in keys:
            value = attrs.get(key)
            if not _usable(value):
                last.pop(key, None)
                continue
            if key in last and _same(last[key], value):
                value0, run = runs[key][-1]
                runs[key][-1] = (value0, Spell(run.start, spell.end))
            else:
                runs[key].append((value, spell))
            last[key] = value
    return dict(runs)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _is_static(runs: list[tuple[Any, Spell]], pieces: Sequence[tuple[Any, Spell]]) -> bool:
    """One value over every piece of the thing."""
    return len(runs) == 1 and runs[0][1] == Spell(pieces[0][1].start, pieces[-1][1].end)


def _gexf_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "long"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _value_text(value: Any, gexf_type: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if gexf_type == "double":
        return repr(float(value))
    return _safe(str(value))


# -- the timeline of every thing --------------------------------------------------------------


@dataclass
class Timeline:
    """Every entity's and relationship's pieces: ``(values, spell)`` in time order, where
    ``values`` is the version (a :class:`Node`, or for a relationship the :class:`Edge`
    with the versions of its two ends) holding over the spell."""

    nodes: dict[str, list[tuple[Node, Spell]]]
    edges: dict[str, list[tuple[tuple[Edge, Node, Node], Spell]]]


def timeline(store: GraphStore) -> Timeline:
    """The history of ``store`` (:func:`graph_service.store.history.all_versions`) as
    pieces: each version held over its recorded days cut to its valid ones; each
    relationship's version split by the versions of its ends, and kept only while both
    hold."""
    node_versions, edge_versions = all_versions(store)
    nodes: dict[str, list[tuple[Node, Spell]]] = defaultdict(list)
    for nv in node_versions:
        spell = _held(nv.node.props, nv.rec_from, nv.rec_to, use_year=False)
        if spell is not None:
            nodes[nv.node.id].append((nv.node, spell))
    for pieces in nodes.values():
        pieces.sort(key=lambda p: p[1].start)
    edges: dict[str, list[tuple[tuple[Edge, Node, Node], Spell]]] = defaultdict(list)
    for count, ev in enumerate(edge_versions):
        if count % 10_000 == 0:
            budget.check()
        e = ev.edge
        spell = _held(e.props, ev.rec_from, ev.rec_to, use_year=True)
        if spell is None:
            continue
        for source, s_spell in nodes.get(e.source, ()):
            first = _cut(spell, s_spell)
            if first is None:
                continue
            for target, t_spell in nodes.get(e.target, ()):
                both = _cut(first, t_spell)
                if both is not None:
                    edges[e.key].append(((e, source, target), both))
    for pieces_e in edges.values():
        pieces_e.sort(key=lambda p: p[1].start)
    return Timeline(dict(nodes), dict(edges))


# -- the file ---------------------------------------------------------------------------------


def _declare(
    graph: ET.Element,
    cls: str,
    things: Mapping[str, list[tuple[dict[str, Any], Spell]]],
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """The ``<attributes>`` of one class: returns (title -> id, title -> type, dynamic
    titles)."""
    values: dict[str, list[Any]] = defaultdict(list)
    dynamic: set[str] = set()
    for pieces in things.values():
        for title, runs in value_runs(pieces).items():
            values[title].extend(v for v, _ in runs)
            if not _is_static(runs, pieces):
                dynamic.add(title)
    ids: dict[str, str] = {}
    types: dict[str, str] = {}
    prefix = "n" if cls == "node" else "e"
    for mode in ("static", "dynamic"):
        titles = [t for t in sorted(values) if (t in dynamic) == (mode == "dynamic")]
        if not titles:
            continue
        block = ET.SubElement(graph, "attributes", {"class": cls, "mode": mode})
        for title in titles:
            ids[title] = f"{prefix}{len(ids)}"
            types[title] = _gexf_type(values[title])
            ET.SubElement(
                block, "attribute", {"id": ids[title], "title": title, "type": types[title]}
            )
    return ids, types, dynamic


def _spells(parent: ET.Element, spells: list[Spell]) -> None:
    if len(spells) == 1 and spells[0] == Spell(_FIRST, _LAST):
        return  # held always
    block = ET.SubElement(parent, "spells")
    for s in spells:
        start, end = s.bounds()
        attrs = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
        ET.SubElement(block, "spell", attrs)


def _attvalues(
    parent: ET.Element,
    pieces: Sequence[tuple[dict[str, Any], Spell]],
    ids: Mapping[str, str],
    types: Mapping[str, str],
    dynamic: set[str],
) -> None:
    block = ET.SubElement(parent, "attvalues")
    for title, runs in sorted(value_runs(pieces).items()):
        for value, spell in runs:
            attrs = {"for": ids[title], "value": _value_text(value, types[title])}
            if title in dynamic:
                start, end = spell.bounds()
                if start is not None:
                    attrs["start"] = start
                if end is not None:
                    attrs["end"] = end
            ET.SubElement(block, "attvalue", attrs)


def dynamic_gexf(store: GraphStore) -> tuple[ET.ElementTree, int, int]:
    """The dynamic GEXF document of ``store``'s whole history (see the module docstring),
    with how many entities and relationships it holds."""
    if isinstance(store, AsOfView):
        raise UsageError(
            "--dynamic writes every day of the history and --as-of one day: use one of them",
            {"as_of": store.day.isoformat()},
        )
    if not hasattr(store, "rows_as_of"):
        raise UsageError(
            "a dynamic export holds every past version, which this view of the store "
            f"({store.engine}) does not give (the public view keeps no history); export "
            "without --dynamic",
            {"engine": store.engine},
        )
    line = timeline(store)
    node_pieces = {
        i: [(_node_attrs(n), s) for n, s in pieces] for i, pieces in sorted(line.nodes.items())
    }
    edge_pieces = {
        k: [(_edge_attrs(e, {e.source: a, e.target: b}), s) for (e, a, b), s in pieces]
        for k, pieces in sorted(line.edges.items())
    }
    root = ET.Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": SCHEMA_LOCATION,
            "version": "1.3",
        },
    )
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": dt.date.today().isoformat()})
    ET.SubElement(meta, "creator").text = "graph-service"
    ET.SubElement(
        meta, "description"
    ).text = "every entity and relationship with the days it held (graph-service export --dynamic)"
    graph = ET.SubElement(
        root,
        "graph",
        {"mode": "dynamic", "timeformat": "date", "defaultedgetype": "directed"},
    )
    n_ids, n_types, n_dynamic = _declare(graph, "node", node_pieces)
    e_ids, e_types, e_dynamic = _declare(graph, "edge", edge_pieces)
    nodes_el = ET.SubElement(graph, "nodes", {"count": str(len(node_pieces))})
    for id_, pieces in node_pieces.items():
        budget.check()
        last = line.nodes[id_][-1][0]
        el = ET.SubElement(nodes_el, "node", {"id": _safe(id_), "label": _safe(last.name)})
        _spells(el, joined(s for _, s in pieces))
        _attvalues(el, pieces, n_ids, n_types, n_dynamic)
    weights = [
        e.props["weight"]
        for ps in line.edges.values()
        for (e, _, _), _ in ps
        if "weight" in e.props
    ]
    numeric = all(
        isinstance(w, int | float) and not isinstance(w, bool) and math.isfinite(w) for w in weights
    )
    steady: dict[str, float] = {}  # relationships whose weight is one number all their life
    for k, ps in line.edges.items() if numeric else ():
        held = {repr(e.props.get("weight")) for (e, _, _), _ in ps}
        first = ps[0][0][0].props.get("weight")
        if len(held) == 1 and isinstance(first, int | float):
            steady[k] = float(first)
    edges_el = ET.SubElement(graph, "edges", {"count": str(len(edge_pieces))})
    for key, pieces in edge_pieces.items():
        budget.check()
        edge = line.edges[key][-1][0][0]
        attrs = {
            "id": _safe(key),
            "source": _safe(edge.source),
            "target": _safe(edge.target),
            "label": edge.type,
            "kind": edge.type,
        }
        if key in steady:
            attrs["weight"] = repr(steady[key])
        el = ET.SubElement(edges_el, "edge", attrs)
        _spells(el, joined(s for _, s in pieces))
        _attvalues(el, pieces, e_ids, e_types, e_dynamic)
    ET.indent(root, space=" ")
    return ET.ElementTree(root), len(node_pieces), len(edge_pieces)


def write_dynamic_gexf(store: GraphStore, path: Path) -> tuple[int, int]:
    """Write :func:`dynamic_gexf` to ``path`` (UTF-8); returns (entities, relationships)."""
    tree, nodes, edges = dynamic_gexf(store)
    try:
        tree.write(path, encoding="utf-8", xml_declaration=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write '{path}': {exc}", {"path": str(path)}) from exc
    return nodes, edges


__all__ = [
    "Spell",
    "Timeline",
    "dynamic_gexf",
    "joined",
    "timeline",
    "value_runs",
    "write_dynamic_gexf",
]

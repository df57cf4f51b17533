"""The file formats of ``export`` (CONTRACT.md section 2): the whole graph in another
tool's format. The pictures (``png``, ``svg``) are drawn by :mod:`viz.picture`;
:func:`viz.export.export` picks one or the other by format.

Formats (``FILE_FORMATS``):

``gexf`` (Gephi) and ``graphml`` (Gephi, yEd, Cytoscape, igraph)
    One node per entity with the attributes ``kind``, ``level`` (the INN level, or ``""``),
    ``label`` (its name), ``name_en`` (``""`` when absent), every property (lists joined
    with ``|``) and the measures ``degree`` (relationships in and out, always) and, with
    ``measures=True``, ``brokerage`` (the Gould–Fernandez total grouped by ``admin_level``),
    ``betweenness`` and ``constraint`` on the actors. One edge per relationship with
    ``type``, ``direction`` (``horizontal``, ``vertical`` or ``""``), ``key`` (its identity)
    and every property. No attribute holds None (the writers cannot); an attribute whose
    values mix types is written as text (ints mixed with floats as floats), so every
    attribute has one declared type. A property whose name the format or the other
    attributes already use is written as ``prop_<name>``. In GEXF the relationship type
    is the edge ``label`` and the attribute ``rel_type`` (GEXF's own edge ``type`` means
    directed or undirected), and the edge id is the relationship's key.
``cyjs`` (Cytoscape.js / Cytoscape desktop)
    ``{"elements": {"nodes": [{"data": {...}}], "edges": [{"data": {...}}]}}``: node data
    ``id``, ``label``, ``kind``, ``level``, the properties (lists stay lists) and measures;
    edge data ``id`` (the key), ``source``, ``target``, ``type``, ``direction`` and the
    properties. UTF-8, not ASCII-escaped.
``kumu`` (a Kumu JSON blueprint)
    ``{"elements": [...], "connections": [...]}``. Labels can repeat (two teams may both be
    called ``ทีมกลาง``), so, as Kumu's blueprint guide asks in that case, every element
    carries its entity id as ``id`` and connections name their ends by those ids in
    ``from``/``to``; Kumu then never merges two elements that share a label. A connection's
    ``id`` is the relationship's key (prefixed ``connection:`` in the unlikely case that it
    equals an entity id, since Kumu ids are unique across elements and connections).
    ``type`` is the kind (elements) or the relationship type (connections); Kumu's own
    ``direction`` says ``directed`` or ``mutual`` (PARTNERS_WITH, SHARES_KNOWLEDGE_WITH),
    so horizontal/vertical goes in ``link_direction``. Properties and measures are extra
    fields; ``tags`` stays a list.
``csv``
    A dataset folder in the import format (CONTRACT.md section 1) that imports back, into
    an empty store, to the same entities and relationships with the same keys and
    properties: one file per kind (``people.csv``, ...; every one is written, with only a
    header when the kind is empty, so that no stale file from an earlier export survives)
    with ``id``, ``name`` and every property as a column, and ``relationships.csv`` with
    ``source``, ``target``, ``type``, ``id`` (for relationships identified by their own id)
    and every relationship property. Shorthand columns are never written: those
    relationships are rows of ``relationships.csv``. UTF-8 with a byte-order mark, so
    Excel shows the Thai text. Lists are ``|``-joined, booleans ``true``/``false``, floats
    in plain decimal notation (never ``1e+20``), years as stored (Common Era, which the
    importer keeps as it is). A text cell a spreadsheet would run as a formula (starting
    with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is written with a leading
    ``'``, as OWASP advises against CSV injection, and so is a text starting with ``'``
    followed by one of those or another ``'`` (``dataset.escape_formula``); the importer
    drops exactly that mark, so the dataset still imports back to the same graph. Numbers
    are never marked: a negative amount stays a number.

    What cannot round-trip (each is listed in ``ExportResult.notes`` when the graph has
    it; a graph that came from an import never does): text with leading, trailing or
    repeated white space (the importer folds it); empty texts and empty lists (an empty
    cell is no value); a list outside ``tags`` (it reads back as one ``|``-joined text)
    and a tag holding ``|``; a number, boolean or year in a column the importer reads as
    text (it reads back as text) and text in a typed column (``amount_thb``, ``year``,
    ...) that does not parse back to itself; infinite or NaN floats; a property whose
    column the importer reads as a shorthand or keeps for itself (``area_id`` on any
    entity, ``organisation_id`` on people, ``name_key``, ...; not written); an entity
    without a name; a relationship keyed ``[s, type, t]`` whose properties hold an ``id``.
``xlsx``
    A workbook of the analysis tables for reports: ``entities``, ``relationships``,
    ``brokerage`` (grouped by ``admin_level``), ``overlap`` (pairs of funds by area) and
    ``gaps`` (missing links by ``admin_level`` and by ``sector``). An analysis that cannot
    run on this graph (no actors, one group) leaves a sheet with a one-line note. Header
    row bold and frozen, column widths fitted. Every text is written as text, never as a
    formula: ``=HYPERLINK(…)`` in a name is shown, not run (inline strings; a text starting
    with ``=``, ``+``, ``-`` or ``@`` also carries Excel's quote prefix, so editing the cell
    keeps it text).

Any stored text is written validly (issue 11, point 6): the control characters XML 1.0
forbids (``dataset.CONTROL_CHARACTERS``: NUL, ...) are dropped from ids, names, property
names and values in GEXF, GraphML and xlsx, and in the CSV dataset (listed in the notes);
JSON escapes them. The importer refuses them, so only text written another way holds them.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx

from graph_service.dataset import (
    CONTROL_CHARACTERS,
    EVENT_KIND_PROPERTY,
    FORMULA_STARTS,
    SHEETS_1B,
    escape_formula,
    parse_cell,
    reserved_columns,
    shorthand_applies,
    strip_controls,
)
from graph_service.domain import (
    ACTOR_KINDS,
    DATASET_FILES,
    FILE_KINDS,
    RECORD_KINDS,
    RELATIONSHIPS_FILE,
    SHEET_KINDS_1B,
    SYMMETRIC_TYPES,
    Edge,
    Node,
    Subgraph,
    clean_text,
    direction_of,
    edge_key,
    level_of,
)
from graph_service.errors import GraphServiceError, InvalidInput, UsageError
from graph_service.store.base import GraphStore
from viz.base import ExportResult, check_file_target, degrees, filter_subgraph

FILE_FORMATS = ("gexf", "graphml", "cyjs", "kumu", "csv", "xlsx")

#: measure names: node attribute -> what it is
MEASURES = {
    "degree": "relationships in and out",
    "brokerage": "Gould–Fernandez brokerage total, groups by admin_level",
    "betweenness": "normalised betweenness centrality among actors",
    "constraint": "Burt's constraint among actors",
}
#: an id -> value map per measure
Measures = dict[str, dict[str, float | int | None]]

_KIND_FILES = {kind: file for file, kind in FILE_KINDS.items()}
_NODE_BASE = ("kind", "level", "label", "name_en", *MEASURES)
_EDGE_BASE = ("type", "direction", "key")
#: attribute names write_gexf takes for itself
_GEXF_NODE_RESERVED = frozenset({"id", "pid", "start", "end", "viz", "parents", "slices", "spells"})
_GEXF_EDGE_RESERVED = frozenset(
    {"id", "label", "weight", "start", "end", "viz", "slices", "spells", "networkx_key"}
)


def write_format(
    store: GraphStore,
    fmt: str,
    path: Path,
    *,
    measures: bool = True,
    where: Sequence[str] = (),
) -> ExportResult:
    """Write the whole graph in ``store`` to ``path`` in file format ``fmt`` (one of
    ``FILE_FORMATS``; for ``csv`` ``path`` is a folder). ``measures``: add brokerage,
    betweenness and constraint to gexf, graphml, cyjs and kumu (degree is always there),
    computed on what is written. ``where`` (CONTRACT.md 2b filter terms): only the matching
    entities and the relationships among them (:func:`viz.base.filter_subgraph`).

    Raises ``UsageError`` for another format and ``InvalidInput`` when ``path`` cannot
    be written (for ``csv``: a folder holding anything but dataset files).
    """
    name = str(fmt).strip().lower()
    if name not in FILE_FORMATS:
        raise UsageError(
            f"unknown file format {fmt!r}: use one of {', '.join(FILE_FORMATS)}",
            {"format": fmt, "formats": list(FILE_FORMATS)},
        )
    path = Path(path)
    sub = store.subgraph()
    notes: list[str] = []
    if where:
        sub = filter_subgraph(store, sub, where, notes)
    result = ExportResult(name, path, len(sub.nodes), len(sub.edges), notes=notes)
    if name == "csv":
        result.files = write_csv(sub, path, result.notes)
        return result
    check_file_target(path)
    if name == "xlsx":
        write_xlsx(sub, path, result.notes)
    else:
        values = graph_measures(sub, brokerage_measures=measures, notes=result.notes)
        if name == "gexf":
            nx.write_gexf(for_gexf(to_networkx(sub, values)), path, encoding="utf-8")
        elif name == "graphml":
            nx.write_graphml(to_networkx(sub, values), path, encoding="utf-8")
        elif name == "cyjs":
            _write_json(to_cyjs(sub, values), path)
        else:
            _write_json(to_kumu(sub, values), path)
    result.files = [path]
    return result


def _write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- measures ---------------------------------------------------------------------------------


def graph_measures(
    sub: Subgraph,
    *,
    brokerage_measures: bool = True,
    notes: list[str] | None = None,
) -> Measures:
    """``degree`` always and, when asked, ``brokerage`` (total), ``betweenness`` and
    ``constraint`` from the brokerage analysis of ``sub`` grouped by ``admin_level``. A measure
    that cannot be computed here (no actors, all actors in one admin_level group,
    betweenness over the size limit) is left out and said in ``notes``."""
    notes = notes if notes is not None else []
    out: Measures = {"degree": dict(degrees(sub))}
    if not brokerage_measures:
        return out
    if not any(n.kind in ACTOR_KINDS for n in sub.nodes.values()):
        notes.append("brokerage, betweenness and constraint not computed: the graph has no actors")
        return out
    from graph_service.analysis.brokerage import brokerage_of

    try:
        doc = brokerage_of(sub, "admin_level", with_betweenness=None)
    except InvalidInput as exc:
        notes.append(f"brokerage, betweenness and constraint not computed: {exc.message}")
        return out
    rows = doc["nodes"]
    out["brokerage"] = {r["id"]: r["total"] for r in rows}
    out["constraint"] = {r["id"]: r["constraint"] for r in rows}
    if rows and all(r["betweenness"] is None for r in rows):
        notes.extend(n for n in doc.get("notes", []) if n.startswith("betweenness"))
    else:
        out["betweenness"] = {r["id"]: r["betweenness"] for r in rows}
    return out


# -- networkx (GEXF, GraphML) -----------------------------------------------------------------


def _safe(text: str) -> str:
    """``text`` without the control characters XML 1.0 and xlsx cannot hold (a fast path
    for the usual text, which is all printable)."""
    return text if text.isprintable() else strip_controls(text)


def _scalar(value: Any) -> Any:
    """A property value as one scalar: lists joined with ``|``; None stays None; texts
    without control characters (:func:`_safe`)."""
    if isinstance(value, (list, tuple)):
        return _safe("|".join(str(v) for v in value if v is not None))
    if isinstance(value, str):
        return _safe(value)
    return value


def _attr_name(key: str, taken: Iterable[str]) -> str:
    return f"prop_{key}" if key in taken else key


def to_networkx(sub: Subgraph, measures: Measures | None = None) -> nx.MultiDiGraph:
    """The subgraph as a networkx multigraph whose attributes GEXF and GraphML can write.

    Nodes are keyed by entity id, edges by relationship key; see the module docstring for
    the attributes. Pure: ``measures`` (name -> id -> value) come from the caller;
    ``degree`` is computed here when not given.

    >>> from graph_service.domain import Edge, Node
    >>> sub = Subgraph.of(
    ...     [Node("a", "Organisation", {"name": "ก", "admin_level": "district",
    ...                                 "tags": ["x", "y"]}),
    ...      Node("b", "Area", {"name": "B", "admin_level": "district", "code": None})],
    ...     [Edge("a", "LOCATED_IN", "b", {"year": 2008})])
    >>> g = to_networkx(sub)
    >>> sorted(g.nodes["a"].items())  # doctest: +NORMALIZE_WHITESPACE
    [('admin_level', 'district'), ('degree', 1), ('kind', 'Organisation'), ('label', 'ก'),
     ('level', 'node'), ('name', 'ก'), ('name_en', ''), ('tags', 'x|y')]
    >>> g.nodes["b"]["level"], "code" in g.nodes["b"]
    ('', False)
    >>> [(u, v, d["type"], d["direction"], d["year"]) for u, v, d in g.edges(data=True)]
    [('a', 'b', 'LOCATED_IN', '', 2008)]
    """
    measures = dict(measures or {})
    measures.setdefault("degree", dict(degrees(sub)))
    g = nx.MultiDiGraph()
    taken_n = set(_NODE_BASE) | set(measures)
    for id_ in sorted(sub.nodes):
        node = sub.nodes[id_]
        attrs: dict[str, Any] = {
            "kind": node.kind,
            "level": level_of(node.kind) or "",
            "label": _safe(node.name),
            "name_en": _scalar(node.props.get("name_en", "")),
        }
        for key, value in node.props.items():
            if key == "name_en":
                continue
            attrs[_attr_name(_safe(key), taken_n)] = _scalar(value)
        for name, values in measures.items():
            attrs[name] = values.get(id_)
        g.add_node(_safe(id_), **_no_none(attrs))
    for e in sub.edges:
        if e.source not in sub.nodes or e.target not in sub.nodes:
            continue
        attrs = _edge_attrs(e, sub.nodes, scalar=True)
        u, v, k = _safe(e.source), _safe(e.target), _safe(e.key)
        g.add_edge(u, v, key=k)
        g.edges[u, v, k].update(_no_none(attrs))
    _coerce_types(g.nodes.values())
    _coerce_types(d for _, _, d in g.edges(data=True))
    return g


def _edge_attrs(e: Edge, nodes: Mapping[str, Node], *, scalar: bool) -> dict[str, Any]:
    direction = direction_of(e, nodes) or ""
    attrs: dict[str, Any] = {"type": e.type, "direction": direction, "key": e.key}
    if scalar:
        attrs["key"] = _safe(e.key)
    for key, value in e.props.items():
        if key == "direction" and value == direction:
            continue
        if scalar:
            attrs[_attr_name(_safe(key), _EDGE_BASE)] = _scalar(value)
        else:
            attrs[_attr_name(key, _EDGE_BASE)] = value
    return attrs


def _no_none(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in attrs.items():
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            continue
        out[key] = value
    return out


def _coerce_types(records: Iterable[dict[str, Any]]) -> None:
    """Give every attribute one type across ``records``, in place: ints mixed with floats
    become floats, any other mix becomes text (``True`` -> ``"true"``)."""
    records = list(records)
    kinds: dict[str, set[type]] = {}
    for rec in records:
        for key, value in rec.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, types in kinds.items():
        if len(types) < 2:
            continue
        to: Callable[[Any], Any] = float if types <= {int, float} else _text
        for rec in records:
            if key in rec:
                rec[key] = to(rec[key])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    return str(value)


def for_gexf(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``to_networkx``'s graph that ``nx.write_gexf`` writes faithfully: the
    edge id is the relationship key, the relationship type the edge ``label`` and the
    attribute ``rel_type`` (GEXF's edge ``type`` means directed/undirected), and the names
    GEXF keeps for itself (``start``, ``end``, ``weight`` when not a number, ...) become
    ``prop_<name>``."""
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{_attr_name(k, _GEXF_NODE_RESERVED): v for k, v in d.items()})
    weights_numeric = all(
        isinstance(d["weight"], (int, float)) and not isinstance(d["weight"], bool)
        for _, _, d in g.edges(data=True)
        if "weight" in d
    )
    for u, v, k, d in g.edges(keys=True, data=True):
        attrs: dict[str, Any] = {"id": k, "label": d["type"], "rel_type": d["type"]}
        for key, value in d.items():
            if key == "type":
                continue
            if key == "weight" and weights_numeric:
                attrs["weight"] = value
                continue
            attrs[_attr_name(key, _GEXF_EDGE_RESERVED | {"rel_type"})] = value
        h.add_edge(u, v, key=k)
        h.edges[u, v, k].update(attrs)
    return h


# -- Cytoscape.js and Kumu --------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_cyjs(sub: Subgraph, measures: Measures | None = None) -> dict[str, Any]:
    """The Cytoscape.js JSON document (``elements`` of ``nodes`` and ``edges``)."""
    measures = dict(measures or {})
    measures.setdefault("degree", dict(degrees(sub)))
    taken = {"id", "parent", "label", "kind", "level", *measures}
    nodes = []
    for id_ in sorted(sub.nodes):
        node = sub.nodes[id_]
        data: dict[str, Any] = {
            "id": id_,
            "label": node.name,
            "kind": node.kind,
            "level": level_of(node.kind) or "",
        }
        for key, value in node.props.items():
            data[_attr_name(key, taken)] = _json_value(value)
        for name, values in measures.items():
            data[name] = _json_value(values.get(id_))
        nodes.append({"data": _no_none(data), "group": "nodes"})
    edges = []
    for e in sub.edges:
        direction = direction_of(e, sub.nodes) or ""
        data = {
            "id": e.key,
            "source": e.source,
            "target": e.target,
            "type": e.type,
            "direction": direction,
        }
        for key, value in e.props.items():
            if key == "direction" and value == direction:
                continue
            data[_attr_name(key, ("id", "source", "target", "type", "direction"))] = value
        edges.append({"data": _no_none(data), "group": "edges"})
    return {
        "format_version": "1.0",
        "generated_by": "graph-service",
        "target_cytoscapejs_version": "~3",
        "data": {"name": "graph-service export"},
        "elements": {"nodes": nodes, "edges": edges},
    }


def to_kumu(sub: Subgraph, measures: Measures | None = None) -> dict[str, Any]:
    """The Kumu JSON blueprint (``elements`` and ``connections``); see the module
    docstring for how repeated labels are handled."""
    measures = dict(measures or {})
    measures.setdefault("degree", dict(degrees(sub)))
    taken = {"id", "label", "type", "level", *measures}
    elements = []
    for id_ in sorted(sub.nodes):
        node = sub.nodes[id_]
        data: dict[str, Any] = {
            "id": id_,
            "label": node.name or id_,
            "type": node.kind,
            "level": level_of(node.kind) or "",
        }
        for key, value in node.props.items():
            if key == "name":
                continue
            data[_attr_name(key, taken)] = _json_value(value)
        for name, values in measures.items():
            data[name] = _json_value(values.get(id_))
        elements.append(_no_none(data))
    connections = []
    reserved = ("id", "from", "to", "type", "direction", "link_direction")
    for e in sub.edges:
        link = direction_of(e, sub.nodes) or ""
        data = {
            "id": f"connection:{e.key}" if e.key in sub.nodes else e.key,
            "from": e.source,
            "to": e.target,
            "type": e.type,
            "direction": "mutual" if e.type in SYMMETRIC_TYPES else "directed",
            "link_direction": link,
        }
        for key, value in e.props.items():
            if key == "direction" and value == link:
                continue
            data[_attr_name(key, reserved)] = value
        connections.append(_no_none(data))
    return {"elements": elements, "connections": connections}


# -- CSV dataset ------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    """A float in plain decimal notation that ``parse_number`` reads back exactly.

    >>> _number_text(1234.5), _number_text(3.0), _number_text(1e20), _number_text(-2.5e-7)
    ('1234.5', '3.0', '100000000000000000000.0', '-0.00000025')
    """
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
        if "." not in text:
            text += ".0"
    return text


def _cell(value: Any) -> str:
    """A stored value as the text of a dataset cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value) if math.isfinite(value) else ""
    if isinstance(value, (list, tuple)):
        return "|".join(_cell(v) for v in value)
    return str(value)


def _csv_text(text: str) -> str:
    """A text as a CSV cell: without control characters, marked when a spreadsheet would
    run it (``dataset.escape_formula``)."""
    return escape_formula(_safe(text))


def _csv_cell(value: Any) -> str:
    """A stored value as a CSV cell: texts (and lists, joined) through :func:`_csv_text`;
    numbers, booleans and dates as :func:`_cell` writes them, never marked."""
    if isinstance(value, (str, list, tuple)):
        return _csv_text(_cell(value))
    return _cell(value)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class _Lossy:
    """Collects the values that will not read back as they are, for the notes."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def add(self, what: str, where: str) -> None:
        self.items.setdefault(what, []).append(where)

    def check(self, file: str, column: str, value: Any, where: str) -> None:
        text = _cell(value)
        if CONTROL_CHARACTERS.search(text):
            self.add(f"control characters in '{column}' (dropped)", where)
            text = strip_controls(text)
            if isinstance(value, str):
                value = strip_controls(value)
        if not text.strip():
            self.add(f"empty value in '{column}' (not written)", where)
            return
        try:
            back = parse_cell(file, column, text)
        except ValueError:
            self.add(f"'{column}' does not read back (the importer rejects it)", where)
            return
        if isinstance(back, str):
            back = clean_text(back)
        if not _same(back, value):
            self.add(f"'{column}' reads back as {type(back).__name__} {back!r}", where)

    def notes(self) -> list[str]:
        out = []
        for what, where in self.items.items():
            more = f" and {len(where) - 3} more" if len(where) > 3 else ""
            out.append(f"csv: does not round-trip: {what}: {', '.join(where[:3])}{more}")
        return out


def _check_csv_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(
            f"'{folder}' is a file: csv export writes a folder of CSV files; give a folder",
            {"path": str(folder)},
        )
    if not folder.exists():
        return
    ours = {f"{name}.csv" for name in DATASET_FILES}
    others = sorted(
        p.name for p in folder.iterdir() if p.name not in ours and not p.name.startswith(".")
    )
    if others:
        shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise InvalidInput(
            f"the folder '{folder}' is not empty ({shown}): csv export writes a dataset "
            "folder and will only replace an earlier export; choose an empty or new folder",
            {"path": str(folder), "files": others},
        )


#: columns written first, in this order, when present
_FIRST_COLUMNS = ("name_en", "description", "tags", "role", "capacity", "sector", "admin_level")


def _ordered(keys: Iterable[str]) -> list[str]:
    """Property columns: the usual ones first, then the rest alphabetically."""
    found = set(keys) - {"id", "name"}
    first = [k for k in _FIRST_COLUMNS if k in found]
    return first + sorted(found - set(first))


def csv_tables(sub: Subgraph, notes: list[str] | None = None) -> dict[str, list[list[str]]]:
    """The dataset as tables (file name -> rows, header first), in the import format: the
    cells as written, texts marked against formulas (:func:`_csv_text`)."""
    notes = notes if notes is not None else []
    lossy = _Lossy()
    by_file: dict[str, list[Node]] = {file: [] for file in FILE_KINDS}
    tables_1b, folded = _tables_1b(sub, lossy)
    for id_ in sorted(sub.nodes):
        node = sub.nodes[id_]
        if node.kind in RECORD_KINDS:
            continue  # written by _tables_1b
        file = _KIND_FILES.get(node.kind)
        if file is None:
            lossy.add(f"kind {node.kind!r} has no dataset file (not written)", id_)
            continue
        by_file[file].append(node)
    tables: dict[str, list[list[str]]] = {}
    for file, nodes in by_file.items():
        columns = _ordered(key for node in nodes for key in node.props)
        skipped = {
            key for key in columns if shorthand_applies(key, file) or key in reserved_columns(file)
        }
        columns = [c for c in columns if c not in skipped]
        rows = [["id", "name", *(_csv_text(c) for c in columns)]]
        for node in nodes:
            where = f"{file}.csv:{node.id}"
            if CONTROL_CHARACTERS.search(node.id):
                lossy.add("control characters in an id (dropped)", where)
            for key in sorted(skipped & node.props.keys()):
                lossy.add(f"'{key}' is a shorthand or reserved column here (not written)", where)
            if not node.name.strip():
                lossy.add("an entity without a name (the importer rejects it)", where)
            else:
                lossy.check(file, "name", node.props["name"], where)
            for key in columns:
                if key in node.props:
                    lossy.check(file, key, node.props[key], where)
            rows.append(
                [
                    _csv_text(node.id),
                    _csv_text(node.name),
                    *(_csv_cell(node.props.get(k)) for k in columns),
                ]
            )
        tables[file] = rows

    edges = [
        e
        for e in sub.edges
        if e.source in sub.nodes and e.target in sub.nodes and e.key not in folded
    ]
    own_ids = {e.key: _own_id(e) for e in edges}
    ecols = _ordered(key for e in edges for key in e.props)
    for e in edges:
        if own_ids[e.key] is None and "id" in e.props:
            lossy.add("a relationship keyed by its ends has an 'id' property", e.key)
    bad = {c for c in ecols if c in ("source", "target", "type", "key")}
    ecols = [c for c in ecols if c not in bad]
    with_id = any(v is not None for v in own_ids.values())
    rows = [["source", "target", "type", *(["id"] if with_id else []), *map(_csv_text, ecols)]]
    for e in edges:
        where = f"relationships.csv:{e.key}"
        for key in sorted(bad & e.props.keys()):
            lossy.add(f"'{key}' is a name the importer keeps for itself (not written)", where)
        for key in ecols:
            if key in e.props:
                lossy.check(RELATIONSHIPS_FILE, key, e.props[key], where)
        own = own_ids[e.key]
        row = [_csv_text(e.source), _csv_text(e.target), e.type]
        row += [_csv_text(own or "")] if with_id else []
        rows.append(row + [_csv_cell(e.props.get(k)) for k in ecols])
    tables[RELATIONSHIPS_FILE] = rows
    tables.update(tables_1b)
    notes.extend(lossy.notes())
    return tables


def _sheet_of(node: Node) -> str | None:
    """The section 1b sheet an entity is written to (a journal entry by its ``journal``)."""
    if node.kind == "JournalEntry":
        sheet = f"{node.props.get('journal')}_journal"
        return sheet if sheet in SHEETS_1B else None
    for sheet, kind in SHEET_KINDS_1B.items():
        if kind == node.kind:
            return sheet
    return None


def _tables_1b(sub: Subgraph, lossy: _Lossy) -> tuple[dict[str, list[list[str]]], set[str]]:
    """The section 1b sheets (CONTRACT.md), so that a csv export imports back to the same
    graph: each entity of a 1b kind in its sheet, the relationships its reference columns
    make folded back into those columns (``|`` between several ids), and ATTENDED
    relationships as attendance rows. A relationship that carries properties, or its own
    id, stays in ``relationships.csv``. Returns the tables and the keys of the
    relationships they hold."""
    folded: set[str] = set()
    refs: dict[tuple[str, str], list[str]] = {}  # (entity, column) -> ids
    rows_by_sheet: dict[str, list[Node]] = {sheet: [] for sheet in SHEETS_1B}
    for id_ in sorted(sub.nodes):
        node = sub.nodes[id_]
        if node.kind not in RECORD_KINDS:
            continue
        sheet = _sheet_of(node)
        if sheet is None:
            lossy.add(f"a {node.kind} without a known journal (not written)", id_)
            continue
        rows_by_sheet[sheet].append(node)
    sheet_of = {n.id: s for s, nodes in rows_by_sheet.items() for n in nodes}
    attendance: list[Edge] = []
    for e in sub.edges:
        if e.source not in sub.nodes or e.target not in sub.nodes or _own_id(e) is not None:
            continue
        if e.type == "ATTENDED" and sub.nodes[e.target].kind == "Event" and "status" in e.props:
            attendance.append(e)
            folded.add(e.key)
            continue
        if e.props:
            continue
        for end, other in ((e.source, e.target), (e.target, e.source)):
            sheet = sheet_of.get(end)
            if sheet is None:
                continue
            for column, ref in SHEETS_1B[sheet].references.items():
                if ref.type == e.type and ref.row_is_source == (end == e.source):
                    refs.setdefault((end, column), []).append(other)
                    folded.add(e.key)
                    break
            else:
                continue
            break
    tables: dict[str, list[list[str]]] = {}
    for sheet, nodes in rows_by_sheet.items():
        if sheet == "attendance":
            continue
        spec = SHEETS_1B[sheet]
        props = _ordered(k for n in nodes for k in n.props)
        props = [k for k in props if k not in ("journal", "text", *spec.references)]
        head = ["id", "name", *(["text"] if "text" in spec.required else [])]
        columns = [*dict.fromkeys([*head, *spec.required, *spec.references, *props])]
        rows = [[("kind" if c == EVENT_KIND_PROPERTY else _csv_text(c)) for c in columns]]
        for node in nodes:
            where = f"{sheet}.csv:{node.id}"
            row = []
            for column in columns:
                if column in spec.references:
                    row.append(_csv_text(" | ".join(sorted(refs.get((node.id, column), [])))))
                    continue
                value = node.id if column == "id" else node.props.get(column)
                if value is not None and column not in ("id", "journal"):
                    lossy.check(
                        sheet, "kind" if column == EVENT_KIND_PROPERTY else column, value, where
                    )
                row.append(_csv_cell(value))
            rows.append(row)
        tables[sheet] = rows
    eprops = _ordered(k for e in attendance for k in e.props)
    rows = [["event_id", "actor_id", "status", *(c for c in eprops if c != "status")]]
    for e in sorted(attendance, key=lambda e: (e.target, e.source)):
        rest = [_csv_cell(e.props.get(c)) for c in eprops if c != "status"]
        rows.append([_csv_text(e.target), _csv_text(e.source), _csv_cell(e.props["status"]), *rest])
    tables["attendance"] = rows
    return tables, folded


def _own_id(e: Edge) -> str | None:
    """The relationship's own id when its key is ``["id", X]``."""
    try:
        parts = json.loads(e.key)
    except ValueError:
        return None
    if isinstance(parts, list) and len(parts) == 2 and parts[0] == "id":
        own = str(parts[1])
        return own if edge_key(e.source, e.type, e.target, own) == e.key else None
    return None


def write_csv(sub: Subgraph, folder: Path, notes: list[str] | None = None) -> list[Path]:
    """Write the dataset folder (every dataset file, UTF-8 with BOM); returns the files.

    Refuses (``InvalidInput``) a folder that holds anything but dataset files (hidden
    files such as ``.DS_Store`` aside): it never deletes or overwrites a user's files."""
    folder = Path(folder)
    _check_csv_folder(folder)
    tables = csv_tables(sub, notes)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder '{folder}': {exc}") from exc
    files = []
    for name in DATASET_FILES:
        target = folder / f"{name}.csv"
        if name in SHEETS_1B and len(tables[name]) == 1:
            # a section 1b sheet with no rows is not written (most networks have no
            # meetings or journals); one left by an earlier export would import again
            target.unlink(missing_ok=True)
            continue
        with target.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(tables[name])
        files.append(target)
    return files


# -- XLSX analysis tables ---------------------------------------------------------------------


def _join(values: Iterable[Any] | None, sep: str = ", ") -> str:
    return sep.join(str(v) for v in values or [] if v is not None)


def _note_sheet(message: str) -> list[dict[str, Any]]:
    return [{"note": message}]


def _entities_rows(sub: Subgraph) -> list[dict[str, Any]]:
    return [
        {
            "id": node.id,
            "kind": node.kind,
            "level": level_of(node.kind) or "",
            "name": node.name,
            "name_en": _scalar(node.props.get("name_en")),
            "sector": _scalar(node.props.get("sector")),
            "admin_level": _scalar(node.props.get("admin_level")),
        }
        for node in sorted(sub.nodes.values(), key=lambda n: (n.kind, n.id))
    ]


def _relationship_rows(sub: Subgraph) -> list[dict[str, Any]]:
    rows = []
    for e in sub.edges:
        a, b = sub.nodes.get(e.source), sub.nodes.get(e.target)
        row: dict[str, Any] = {
            "source": e.source,
            "source_name": a.name if a else "",
            "type": e.type,
            "target": e.target,
            "target_name": b.name if b else "",
            "direction": direction_of(e, sub.nodes) or "",
        }
        for key, value in e.props.items():
            if key != "direction":
                row[_attr_name(key, row)] = _scalar(value)
        rows.append(row)
    rows.sort(key=lambda r: (r["type"], r["source"], r["target"], str(r.get("id", ""))))
    return rows


def _brokerage_rows(sub: Subgraph) -> list[dict[str, Any]]:
    from graph_service.analysis.brokerage import ROLES, brokerage_of

    if not any(n.kind in ACTOR_KINDS for n in sub.nodes.values()):
        return _note_sheet("brokerage not computed: the graph has no actors")
    try:
        doc = brokerage_of(sub, "admin_level", with_betweenness=None)
    except GraphServiceError as exc:
        return _note_sheet(f"brokerage not computed: {exc.message}")
    rows = []
    for r in doc["nodes"]:
        rows.append(
            {
                "id": r["id"],
                "name": r["name"],
                "kind": r["kind"],
                "group": r["group"],
                "roles": ", ".join(f"{role} {r[role]}" for role in ROLES if r[role]),
                "total": r["total"],
                "z_total": (r.get("z") or {}).get("total"),
                "constraint": r["constraint"],
                "effective_size": r["effective_size"],
                "betweenness": r["betweenness"],
                **{role: r[role] for role in ROLES},
            }
        )
    return rows or _note_sheet("brokerage: no actors")


def _overlap_rows(sub: Subgraph) -> list[dict[str, Any]]:
    from graph_service.analysis.overlap import overlap_report

    try:
        doc = overlap_report(sub, "area")
    except GraphServiceError as exc:
        return _note_sheet(f"overlap not computed: {exc.message}")
    rows = [
        {
            "fund_a": p["fund_a"],
            "fund_b": p["fund_b"],
            "kind": p["kind"],
            "jaccard": p["jaccard"],
            "overlap": p["overlap"],
            "weighted_jaccard": p["weighted_jaccard"],
            "shared": _join(p["shared"]),
            "reason": p.get("reason", ""),
        }
        for p in doc["pairs"]
    ]
    if rows:
        return rows
    why = "; ".join(doc.get("notes") or []) or "no two funds reach the same area"
    return _note_sheet(f"overlap by area: no pairs of funds ({why})")


def _gaps_rows(sub: Subgraph) -> list[dict[str, Any]]:
    from graph_service.analysis.gaps import gaps_report

    rows: list[dict[str, Any]] = []
    for by in ("admin_level", "sector"):
        try:
            doc = gaps_report(sub, by)
        except GraphServiceError as exc:
            rows.append({"by": by, "note": f"gaps by {by} not computed: {exc.message}"})
            continue
        if not doc["missing"]:
            rows.append({"by": by, "note": f"gaps by {by}: no missing links"})
        for m in doc["missing"]:
            rows.append(
                {
                    "by": by,
                    "from": m["from"],
                    "to": m["to"],
                    "direction": m.get("direction"),
                    "level": m.get("level"),
                    "status": m.get("status"),
                    "ties": m.get("ties"),
                    "through": m.get("through"),
                    "brokers": _join(m.get("brokers")),
                }
            )
    return rows


def xlsx_sheets(sub: Subgraph) -> dict[str, list[dict[str, Any]]]:
    """The workbook's sheets as lists of row dicts, in sheet order: every analysis runs on
    ``sub``, the graph already loaded, so the store is read once."""
    return {
        "entities": _entities_rows(sub) or _note_sheet("the graph has no entities"),
        "relationships": _relationship_rows(sub) or _note_sheet("the graph has no relationships"),
        "brokerage": _brokerage_rows(sub),
        "overlap": _overlap_rows(sub),
        "gaps": _gaps_rows(sub),
    }


def write_xlsx(sub: Subgraph, path: Path, notes: list[str] | None = None) -> None:
    """Write the analysis workbook (see the module docstring): every text as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheets = xlsx_sheets(sub)
    if notes is not None:
        for name, rows in sheets.items():
            if len(rows) == 1 and set(rows[0]) == {"note"}:
                notes.append(f"xlsx: sheet {name!r}: {rows[0]['note']}")
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        for j, col in enumerate(columns, start=1):
            _xlsx_cell(ws, 1, j, col).font = bold
        for i, row in enumerate(rows, start=2):
            for j, col in enumerate(columns, start=1):
                value = row.get(col)
                if value is not None:
                    _xlsx_cell(ws, i, j, value)
        ws.freeze_panes = "A2"
        for j, col in enumerate(columns, start=1):
            longest = max([len(str(col))] + [len(_cell(r.get(col))) for r in rows[:2000]])
            ws.column_dimensions[get_column_letter(j)].width = max(8, min(60, longest + 2))
    wb.save(path)


def _xlsx_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Put ``value`` in a cell, a text always as text: an inline string (never a formula,
    whatever it starts with), without the control characters a workbook cannot hold, with
    Excel's quote prefix when it starts like a formula (so editing it keeps it text).
    Numbers and booleans stay what they are; a NaN or infinite float is left empty."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        cell.value = value
        return cell
    if isinstance(value, float):
        return cell
    text = _safe(value if isinstance(value, str) else _cell(value))
    cell.value = text
    cell.data_type = "s"
    if text[:1] in FORMULA_STARTS:
        cell.quotePrefix = True
    return cell


__all__ = [
    "FILE_FORMATS",
    "MEASURES",
    "csv_tables",
    "for_gexf",
    "graph_measures",
    "to_cyjs",
    "to_kumu",
    "to_networkx",
    "write_csv",
    "write_format",
    "write_xlsx",
    "xlsx_sheets",
]

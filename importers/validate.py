"""Validation: raw rows (importers.read) -> entities and relationships, with every problem.

CONTRACT.md section 1 is the rule book, and ``graph_service.dataset`` its one home: required
columns, unique ids across the dataset, shorthand columns that create relationships, typed
columns (numbers with Thai digits and thousands separators, Buddhist Era years),
relationships whose ends must exist in the dataset or the store. Each problem names its
file, row and column. A rejected entity takes the relationships that point at it with it
(and says so), so ``--skip-invalid`` never writes a dangling relationship.

Speed: a dataset repeats its values (ids in the relationships, years, sectors, types), so
each column is read by its distinct values, each normalised and parsed once, and a row whose
every cell read cleanly is built straight from those results. A row with any problem goes
through the row-by-row check (``_entity_row`` / ``_relationship_row``), which reports its
problems in the order and words a reader of the rejects file has always seen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph_service.dataset import (
    EDGE_FIELDS,
    FUNDER_TYPES,
    REQUIRED_COLUMNS,
    SHORTHANDS,
    normalise_type,
    normalise_word,
    parse_common,
    parse_edge_value,
    parse_entity_value,
    reserved_columns,
    shorthand_applies,
    shorthand_type,
)
from graph_service.domain import (
    FILE_KINDS,
    RELATIONSHIPS_FILE,
    SHEET_KINDS_1B,
    Edge,
    Node,
    Props,
    clean_text,
    edge_key,
    is_relationship_type,
    length_problem,
    normalise_id,
)
from importers import meetings_om
from importers.read import Origin, Problem, Row, Table

__all__ = [
    "FUNDER_TYPES",
    "SHORTHANDS",
    "Dataset",
    "KnownLookup",
    "Origin",
    "normalise_type",
    "normalise_word",
    "parse_common",
    "parse_edge_value",
    "validate",
]

#: ids -> {id: kind} for those that already exist in the store
KnownLookup = Callable[[list[str]], dict[str, str]]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class Dataset:
    """The validated dataset: what would be written, and what is wrong."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: (file, row) -> the raw cells of each row that has a problem (for the rejects report)
    rejected_rows: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    rows_read: int = 0


def by_distinct(values: list[K], read: Callable[[K], V]) -> list[V]:
    """``[read(v) for v in values]``, calling ``read`` once per distinct value.

    >>> by_distinct(["๑", "1", "๑"], lambda t: t + "!")
    ['๑!', '1!', '๑!']
    """
    known = {v: read(v) for v in dict.fromkeys(values)}
    return list(map(known.__getitem__, values))


#: a cell's reading: (value, None) or (None, the reason it cannot be read)
Reading = tuple[Any, str | None]


def _reader(parse: Callable[[str, str], Any], column: str) -> Callable[[str], Reading | None]:
    """A cell's text -> None for a blank cell (no property), else its :data:`Reading`."""

    def read(raw: str) -> Reading | None:
        if not raw.strip():
            return None
        try:
            return parse(column, raw), None
        except ValueError as exc:
            return None, str(exc)

    return read


def _key_ok(text: str, what: str) -> bool:
    """A non-empty id, name or type that is short enough to store."""
    return bool(text) and length_problem(text, what) is None


def _column(rows: list[Row], column: str) -> list[str]:
    return [r.values.get(column, "") for r in rows]


class RowValidator:
    """Checks the rows of a dataset's tables and builds its entities and relationships."""

    def __init__(self, tables: list[Table], known: KnownLookup) -> None:
        self.tables = tables
        self.known = known
        self.out = Dataset()
        self.rows: dict[tuple[str, int], Row] = {}
        self.first_seen: dict[str, Origin] = {}
        self.entity_origin: dict[str, Origin] = {}
        self.rejected_ids: dict[str, Origin] = {}
        # edges with the rows they came from, validated once all entities are known:
        # (edge, origin, the end a shorthand names ("" for a row of relationships), its
        # column); "both" for an attendance row, whose column is "SOURCE_COLUMN|TARGET_COLUMN"
        self.pending: list[tuple[Edge, Origin, str, str]] = []
        #: ids a relationship may point at: the dataset's entities and the store's
        self._usable: set[str] = set()

    def problem(
        self, origin: Origin | tuple[str, int | None], column: str | None, reason: str
    ) -> None:
        row: int | None
        if isinstance(origin, Origin):
            file, row = origin.file, origin.row
        else:
            file, row = origin
        self.out.problems.append(Problem(file, row, column, reason))
        if row is not None and (file, row) in self.rows:
            self.out.rejected_rows[(file, row)] = self.rows[(file, row)].values

    def run(self) -> Dataset:
        order = list(FILE_KINDS)  # the contract's order: people, organisations, networks, …
        entity_tables = sorted(
            (t for t in self.tables if t.name in FILE_KINDS), key=lambda t: order.index(t.name)
        )
        edge_tables = [t for t in self.tables if t.name == RELATIONSHIPS_FILE]
        for table in self.tables:
            for row in table.rows:
                self.rows[(table.file, row.number)] = row
            self.out.rows_read += len(table.rows)
        for table in entity_tables:
            self.read_entities(table)
        for name in SHEET_KINDS_1B:  # section 1b, in the contract's order
            for table in self.tables:
                if table.name == name:
                    meetings_om.read_sheet(self, table)
        self.check_store_kinds()
        for table in edge_tables:
            self.read_relationships(table)
        self.check_edges()
        return self.out

    def require(self, table: Table) -> bool:
        missing = [c for c in REQUIRED_COLUMNS[table.name] if c not in table.columns]
        for column in missing:
            self.problem((table.file, 1), column, f"missing required column '{column}'")
        reserved = reserved_columns(table.name)
        for column in table.columns:
            if column in reserved:
                self.problem(
                    (table.file, 1),
                    column,
                    f"'{column}' is a name graph-service keeps for itself; rename the column",
                )
                missing.append(column)
        if missing:
            for row in table.rows:
                self.out.rejected_rows[(table.file, row.number)] = row.values
        return not missing

    # -- entities ------------------------------------------------------------------------

    def read_entities(self, table: Table) -> None:
        """The entities of one file: each column read by its distinct values, then each row
        either built from those readings or, when anything in it is wrong, checked cell by
        cell (:meth:`_entity_row`)."""
        if not self.require(table):
            return
        kind = FILE_KINDS[table.name]
        rows = table.rows
        ids = by_distinct(_column(rows, "id"), normalise_id)
        names = by_distinct(_column(rows, "name"), clean_text)
        id_ok = by_distinct(ids, lambda t: _key_ok(t, "id"))
        name_ok = by_distinct(names, lambda t: _key_ok(t, "name"))
        shorthands: list[tuple[str, list[str | None], str, bool]] = []
        properties: list[tuple[str, list[Reading | None]]] = []
        for column in table.columns:
            if column in ("id", "name"):
                continue
            cells = _column(rows, column)
            if shorthand_applies(column, table.name):
                others = by_distinct(cells, lambda t: normalise_id(t) if t.strip() else None)
                shorthands.append((column, others, *shorthand_type(column, table.name)))
            else:
                properties.append((column, by_distinct(cells, _reader(parse_entity_value, column))))
        nodes = self.out.nodes
        first_seen = self.first_seen
        entity_origin = self.entity_origin
        pending = self.pending
        file = table.file
        for i, row in enumerate(rows):
            id_ = ids[i]
            clean = id_ok[i] and name_ok[i] and id_ not in first_seen
            props: Props = {"name": names[i]}
            if clean:
                for column, readings in properties:
                    reading = readings[i]
                    if reading is None:
                        continue
                    value, reason = reading
                    if reason is not None:
                        clean = False
                        break
                    props[column] = list(value) if type(value) is list else value
            if not clean:
                self._entity_row(table, row)
                continue
            origin = Origin(file, row.number)
            first_seen[id_] = origin
            nodes.append(Node(id_, kind, props))
            entity_origin[id_] = origin
            for column, others, type_, entity_is_source in shorthands:
                other = others[i]
                if other is None:  # a blank cell
                    continue
                if entity_is_source:
                    edge = Edge(id_, type_, other, {})
                    pending.append((edge, Origin(file, row.number, column), "target", column))
                else:
                    edge = Edge(other, type_, id_, {})
                    pending.append((edge, Origin(file, row.number, column), "source", column))

    def _entity_row(self, table: Table, row: Row) -> None:
        """One entity row, cell by cell, reporting each of its problems in order."""
        kind = FILE_KINDS[table.name]
        origin = Origin(table.file, row.number)
        before = len(self.out.problems)
        id_ = normalise_id(row.values.get("id", ""))
        name = clean_text(row.values.get("name", ""))
        if not id_:
            self.problem(origin, "id", "missing id")
        if not name:
            self.problem(origin, "name", "missing name")
        for column, text in (("id", id_), ("name", name)):
            if reason := length_problem(text, column):
                self.problem(origin, column, reason)
                id_ = "" if column == "id" else id_
        if id_ and id_ in self.first_seen:
            first = self.first_seen[id_]
            self.problem(origin, "id", f"duplicate id '{id_}' (first at {first})")
            id_ = ""
        elif id_:
            self.first_seen[id_] = origin
        props: Props = {"name": name} if name else {}
        shorthand: list[tuple[str, str]] = []
        for column, raw in row.values.items():
            if column in ("id", "name") or not raw.strip():
                continue
            if shorthand_applies(column, table.name):
                shorthand.append((column, normalise_id(raw)))
                continue
            try:
                props[column] = parse_entity_value(column, raw)
            except ValueError as exc:
                self.problem(origin, column, str(exc))
        if len(self.out.problems) > before:
            if id_:
                self.rejected_ids[id_] = origin
            return
        self.out.nodes.append(Node(id_, kind, props))
        self.entity_origin[id_] = origin
        for column, other in shorthand:
            self.add_shorthand(table.name, id_, column, other, origin)

    @staticmethod
    def shorthand_applies(column: str, file: str) -> bool:
        return shorthand_applies(column, file)

    def add_shorthand(self, file: str, id_: str, column: str, other: str, origin: Origin) -> None:
        type_, entity_is_source = shorthand_type(column, file)
        source, target = (id_, other) if entity_is_source else (other, id_)
        end = "target" if entity_is_source else "source"
        edge = Edge(source, type_, target, {})
        self.pending.append((edge, Origin(origin.file, origin.row, column), end, column))

    def parse_entity_value(self, column: str, raw: str) -> Any:
        return parse_entity_value(column, raw)

    def check_store_kinds(self) -> None:
        ids = [n.id for n in self.out.nodes]
        existing = self.known(ids) if ids else {}
        if not existing:
            return
        kept = []
        for node in self.out.nodes:
            old = existing.get(node.id)
            if old is not None and old != node.kind:
                origin = self.entity_origin[node.id]
                self.problem(
                    origin,
                    "id",
                    f"id '{node.id}' is already a {old} in the store; this row "
                    f"would make it a {node.kind} (use another id, or delete the "
                    f"{old} first)",
                )
                self.rejected_ids[node.id] = origin
            else:
                kept.append(node)
        self.out.nodes = kept

    # -- relationships -------------------------------------------------------------------

    def read_relationships(self, table: Table) -> None:
        """The relationships of one file, read by column as :meth:`read_entities`; a row
        with anything wrong is checked cell by cell (:meth:`_relationship_row`)."""
        if not self.require(table):
            return
        rows = table.rows
        sources = by_distinct(_column(rows, "source"), normalise_id)
        targets = by_distinct(_column(rows, "target"), normalise_id)
        types = by_distinct(_column(rows, "type"), normalise_type)
        has_id = "id" in table.columns
        own_ids = by_distinct(_column(rows, "id"), normalise_id) if has_id else None
        ends_ok = {v: _key_ok(v, "source") for v in dict.fromkeys(sources + targets)}
        type_ok = {t: _key_ok(t, "type") and is_relationship_type(t) for t in dict.fromkeys(types)}
        properties = [
            (column, by_distinct(_column(rows, column), _reader(parse_edge_value, column)))
            for column in table.columns
            if column not in EDGE_FIELDS
        ]
        own_id_ok = (
            {v: not v or length_problem(v, "id") is None for v in dict.fromkeys(own_ids)}
            if own_ids is not None
            else {}
        )
        pending = self.pending
        file = table.file
        for i, row in enumerate(rows):
            source = sources[i]
            target = targets[i]
            type_ = types[i]
            own_id = own_ids[i] if own_ids is not None else ""
            clean = (
                ends_ok[source]
                and ends_ok[target]
                and type_ok[type_]
                and source != target
                and (not own_id or own_id_ok[own_id])
            )
            props: Props = {"id": own_id} if own_id else {}
            if clean:
                for column, readings in properties:
                    reading = readings[i]
                    if reading is None:
                        continue
                    value, reason = reading
                    if reason is not None:
                        clean = False
                        break
                    props[column] = value
            if not clean:
                self._relationship_row(table, row)
                continue
            edge = Edge(source, type_, target, props, edge_key(source, type_, target, own_id))
            pending.append((edge, Origin(file, row.number), "", ""))

    def _relationship_row(self, table: Table, row: Row) -> None:
        """One relationship row, cell by cell, reporting each of its problems in order."""
        origin = Origin(table.file, row.number)
        before = len(self.out.problems)
        values = row.values
        source = normalise_id(values.get("source", ""))
        target = normalise_id(values.get("target", ""))
        type_ = normalise_type(values.get("type", ""))
        own_id = normalise_id(values.get("id", ""))
        for column, value in (("source", source), ("target", target), ("type", type_)):
            if not value:
                self.problem(origin, column, f"missing {column}")
            elif reason := length_problem(value, column):
                self.problem(origin, column, reason)
        if own_id and (reason := length_problem(own_id, "id")):
            self.problem(origin, "id", reason)
        if type_ and not is_relationship_type(type_):
            self.problem(
                origin,
                "type",
                f"type '{values.get('type')}' must be UPPER_SNAKE_CASE "
                "(letters A-Z, digits and _), e.g. MEMBER_OF",
            )
        if source and source == target:
            self.problem(origin, "target", f"a relationship from '{source}' to itself")
        props: Props = {}
        if own_id:
            props["id"] = own_id
        for column, raw in values.items():
            if column in EDGE_FIELDS or not raw.strip():
                continue
            try:
                props[column] = parse_edge_value(column, raw)
            except ValueError as exc:
                self.problem(origin, column, str(exc))
        if len(self.out.problems) > before:
            return
        edge = Edge(source, type_, target, props, edge_key(source, type_, target, own_id or None))
        self.pending.append((edge, origin, "", ""))

    def _bad_ends(self, edge: Edge, origin: Origin, checked: tuple[tuple[str, str], ...]) -> bool:
        """Report each of the ``checked`` (end, column) that names no usable entity."""
        bad = False
        for end, column in checked:
            other = edge.source if end == "source" else edge.target
            if other in self._usable:
                continue
            if other in self.rejected_ids:
                self.problem(
                    origin, column, f"'{other}' was rejected (see {self.rejected_ids[other]})"
                )
            else:
                self.problem(
                    origin, column, f"unknown id '{other}': not in this dataset or the store"
                )
            bad = True
        return bad

    def check_edges(self) -> None:
        """Both ends of every relationship exist (in the dataset or the store) and were not
        rejected; a relationship given twice is a problem, unless one of the two is a
        shorthand's (their properties are merged)."""
        dataset_ids = {n.id for n in self.out.nodes}
        rejected = self.rejected_ids
        ends: set[str] = set()
        for edge, *_ in self.pending:
            ends.add(edge.source)
            ends.add(edge.target)
        outside = sorted(ends - dataset_ids - rejected.keys())
        in_store = set(self.known(outside)) if outside else set()
        usable = self._usable = dataset_ids | in_store
        edges = self.out.edges
        seen: dict[str, tuple[int, Origin, bool]] = {}
        for edge, origin, shorthand_end, shorthand_column in self.pending:
            is_shorthand = shorthand_end in ("source", "target")
            if not is_shorthand:
                columns = ("source", "target")
                if shorthand_end == "both":
                    columns = tuple(shorthand_column.split("|"))  # type: ignore[assignment]
                if not (edge.source in usable and edge.target in usable) and self._bad_ends(
                    edge, origin, (("source", columns[0]), ("target", columns[1]))
                ):
                    continue
            elif shorthand_end == "target":
                if edge.source in rejected:
                    continue  # its entity's row was rejected and says why
                if edge.target not in usable and self._bad_ends(
                    edge, origin, (("target", shorthand_column),)
                ):
                    continue
            else:
                if edge.target in rejected:
                    continue  # its entity's row was rejected and says why
                if edge.source not in usable and self._bad_ends(
                    edge, origin, (("source", shorthand_column),)
                ):
                    continue
            key = edge.key
            first_at = seen.get(key)
            if first_at is None:
                seen[key] = (len(edges), origin, is_shorthand)
                edges.append(edge)
                continue
            index, first, first_shorthand = first_at
            if is_shorthand or first_shorthand:
                old = edges[index]
                if is_shorthand:
                    merged = {**edge.props, **old.props}
                else:
                    merged = {**old.props, **edge.props}
                edges[index] = Edge(edge.source, edge.type, edge.target, merged, key)
                seen[key] = (index, first, first_shorthand and is_shorthand)
                continue
            if shorthand_end == "both":
                self.problem(
                    origin,
                    "actor_id",
                    f"'{edge.source}' is listed twice for the event '{edge.target}' "
                    f"(first at {first}); keep one row per person or organisation and event",
                )
                continue
            self.problem(
                origin,
                "id" if edge.props.get("id") else "type",
                f"duplicate relationship {edge.source} -[{edge.type}]-> "
                f"{edge.target} (first at {first}); give each row an 'id' "
                "column value to keep both",
            )


def validate(tables: list[Table], known: KnownLookup | None = None) -> Dataset:
    """Validate raw tables against CONTRACT.md section 1.

    ``known`` tells which ids already exist in the store (and their kind), so a
    relationship may point at an entity imported earlier. Returns every problem at once.
    """
    return RowValidator(tables, known or (lambda ids: {})).run()

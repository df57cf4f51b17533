"""Validation: raw rows (importers.read) -> entities and relationships, with every problem.

CONTRACT.md section 1 is the rule book: required columns, unique ids across the dataset,
shorthand columns that create relationships, typed columns (numbers with Thai digits and
thousands separators, Buddhist Era years), relationships whose ends must exist in the
dataset or the store. Each problem names its file, row and column. A rejected entity takes
the relationships that point at it with it (and says so), so ``--skip-invalid`` never
writes a dangling relationship.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph_service.domain import (
    ADMIN_LEVELS,
    CAPACITIES,
    FILE_KINDS,
    RELATIONSHIPS_FILE,
    SECTORS,
    Edge,
    Node,
    Props,
    clean_text,
    edge_key,
    is_relationship_type,
    length_problem,
    normalise_id,
    to_ascii_digits,
)
from importers.read import Problem, Row, Table
from importers.values import (
    parse_bool,
    parse_int,
    parse_number,
    parse_year,
    parse_year_or_date,
    split_tags,
)

#: shorthand column -> (relationship type, the entity is the source?) and, where the
#: column is meaningful only in some files, those files
SHORTHANDS: dict[str, tuple[str, bool, tuple[str, ...] | None]] = {
    "organisation_id": ("MEMBER_OF", True, ("people",)),
    "area_id": ("LOCATED_IN", True, None),
    "funder_id": ("", False, ("funds", "programmes")),  # PROVIDES or FUNDS, by file
    "producer_id": ("PRODUCES", False, ("knowledge_assets",)),
    "parent_id": ("PART_OF", True, ("areas",)),
}
FUNDER_TYPES = {"funds": "PROVIDES", "programmes": "FUNDS"}

_NUMBER_COLUMNS = ("amount_thb", "need_thb", "weight")
_YEAR_COLUMNS = ("year", "start_year", "end_year")
_DATE_COLUMNS = ("start", "end")
_BOOL_COLUMNS = ("consent", "public")
_TEXT_DIGIT_COLUMNS = ("code",)  # codes keep leading zeros: text, with ASCII digits
#: names the stores keep for themselves
_RESERVED_ENTITY = ("name_key",)
_RESERVED_EDGE = ("key",)
_DIRECTION_WORDS = {
    "horizontal": "horizontal",
    "vertical": "vertical",
    "แนวราบ": "horizontal",
    "แนวระนาบ": "horizontal",
    "แนวดิ่ง": "vertical",
}

#: ids -> {id: kind} for those that already exist in the store
KnownLookup = Callable[[list[str]], dict[str, str]]


@dataclass
class Origin:
    file: str
    row: int
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.row}"


@dataclass
class Dataset:
    """The validated dataset: what would be written, and what is wrong."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: (file, row) -> the raw cells of each row that has a problem (for the rejects report)
    rejected_rows: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    rows_read: int = 0


def normalise_word(text: str, vocabulary: Iterable[str]) -> str:
    """A controlled word as stored: a known word whatever its case and spacing
    (``"Local government"`` -> ``local_government``), else the user's own word as written.

    >>> normalise_word("Local government", ("local_government",))
    'local_government'
    >>> normalise_word("ภาคประชาสังคม", ("civil_society",))
    'ภาคประชาสังคม'
    """
    text = clean_text(text)
    folded = text.casefold().replace(" ", "_").replace("-", "_")
    return folded if folded in vocabulary else text


def normalise_type(text: str) -> str:
    """``"member of"`` / ``"Member-Of"`` -> ``MEMBER_OF``; anything else is left to fail."""
    return clean_text(text).upper().replace(" ", "_").replace("-", "_")


class RowValidator:
    """Checks the rows of a dataset's tables and builds its entities and relationships;
    its per-column rules are also what the API's corrections use (graph_service.editing),
    so a value typed in a request reads as the same value in a sheet."""

    def __init__(self, tables: list[Table], known: KnownLookup) -> None:
        self.tables = tables
        self.known = known
        self.out = Dataset()
        self.rows: dict[tuple[str, int], Row] = {}
        self.first_seen: dict[str, Origin] = {}
        self.entity_origin: dict[str, Origin] = {}
        self.rejected_ids: dict[str, Origin] = {}
        # edges with the rows they came from, validated once all entities are known
        self.pending: list[tuple[Edge, Origin, str, str, bool]] = []

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

    # -- entities ------------------------------------------------------------------------

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
        self.check_store_kinds()
        for table in edge_tables:
            self.read_relationships(table)
        self.check_edges()
        return self.out

    def require(self, table: Table, columns: tuple[str, ...]) -> bool:
        missing = [c for c in columns if c not in table.columns]
        for column in missing:
            self.problem((table.file, 1), column, f"missing required column '{column}'")
        reserved = _RESERVED_EDGE if table.name == RELATIONSHIPS_FILE else _RESERVED_ENTITY
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

    def read_entities(self, table: Table) -> None:
        kind = FILE_KINDS[table.name]
        if not self.require(table, ("id", "name")):
            return
        for row in table.rows:
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
                if column in SHORTHANDS and self.shorthand_applies(column, table.name):
                    shorthand.append((column, normalise_id(raw)))
                    continue
                try:
                    props[column] = self.parse_entity_value(column, raw)
                except ValueError as exc:
                    self.problem(origin, column, str(exc))
            if len(self.out.problems) > before:
                if id_:
                    self.rejected_ids[id_] = origin
                continue
            self.out.nodes.append(Node(id_, kind, props))
            self.entity_origin[id_] = origin
            for column, other in shorthand:
                self.add_shorthand(table.name, id_, column, other, origin)

    @staticmethod
    def shorthand_applies(column: str, file: str) -> bool:
        files = SHORTHANDS[column][2]
        return files is None or file in files

    def add_shorthand(self, file: str, id_: str, column: str, other: str, origin: Origin) -> None:
        type_, entity_is_source, _ = SHORTHANDS[column]
        if column == "funder_id":
            type_ = FUNDER_TYPES[file]
        source, target = (id_, other) if entity_is_source else (other, id_)
        end = "target" if entity_is_source else "source"
        edge = Edge(source, type_, target, {})
        self.pending.append((edge, Origin(origin.file, origin.row, column), end, column, True))

    def parse_entity_value(self, column: str, raw: str) -> Any:
        if column == "tags":
            return split_tags(raw)
        if column == "readiness":
            value = parse_int(raw)
            if not 1 <= value <= 4:
                raise ValueError(f"readiness must be 1 to 4 (1 = ready to scale), got {raw!r}")
            return value
        if column in ("sector",):
            return normalise_word(raw, SECTORS)
        if column == "admin_level":
            return normalise_word(raw, ADMIN_LEVELS)
        return parse_common(column, raw)

    def check_store_kinds(self) -> None:
        ids = [n.id for n in self.out.nodes]
        existing = self.known(ids) if ids else {}
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
        if not self.require(table, ("source", "target", "type")):
            return
        for row in table.rows:
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
                if column in ("source", "target", "type", "id") or not raw.strip():
                    continue
                try:
                    props[column] = parse_edge_value(column, raw)
                except ValueError as exc:
                    self.problem(origin, column, str(exc))
            if len(self.out.problems) > before:
                continue
            edge = Edge(
                source, type_, target, props, edge_key(source, type_, target, own_id or None)
            )
            self.pending.append((edge, origin, "", "", False))

    def check_edges(self) -> None:
        dataset_ids = {n.id for n in self.out.nodes}
        ends = {e.source for e, *_ in self.pending} | {e.target for e, *_ in self.pending}
        outside = sorted(ends - dataset_ids - self.rejected_ids.keys())
        in_store = set(self.known(outside)) if outside else set()
        seen: dict[str, tuple[int, Origin, bool]] = {}
        for edge, origin, shorthand_end, shorthand_column, is_shorthand in self.pending:
            bad = False
            if is_shorthand:
                own = edge.source if shorthand_end == "target" else edge.target
                if own in self.rejected_ids:
                    continue  # its entity's row was rejected and says why
            for end in ("source", "target"):
                if is_shorthand and end != shorthand_end:
                    continue
                other = getattr(edge, end)
                column = shorthand_column if is_shorthand else end
                if other in self.rejected_ids:
                    self.problem(
                        origin, column, f"'{other}' was rejected (see {self.rejected_ids[other]})"
                    )
                    bad = True
                elif other not in dataset_ids and other not in in_store:
                    self.problem(
                        origin, column, f"unknown id '{other}': not in this dataset or the store"
                    )
                    bad = True
            if bad:
                continue
            if edge.key in seen:
                index, first, first_shorthand = seen[edge.key]
                if is_shorthand or first_shorthand:
                    old = self.out.edges[index]
                    merged = (
                        {**edge.props, **old.props} if is_shorthand else {**old.props, **edge.props}
                    )
                    self.out.edges[index] = Edge(
                        edge.source, edge.type, edge.target, merged, edge.key
                    )
                    seen[edge.key] = (index, first, first_shorthand and is_shorthand)
                    continue
                self.problem(
                    origin,
                    "id" if edge.props.get("id") else "type",
                    f"duplicate relationship {edge.source} -[{edge.type}]-> "
                    f"{edge.target} (first at {first}); give each row an 'id' "
                    "column value to keep both",
                )
                continue
            seen[edge.key] = (len(self.out.edges), origin, is_shorthand)
            self.out.edges.append(edge)


def parse_common(column: str, raw: str) -> Any:
    """A typed column any file may have; other columns are kept as clean text."""
    if column in _NUMBER_COLUMNS:
        value = parse_number(raw)
        if column != "weight" and value < 0:
            raise ValueError(f"{column} cannot be negative, got {raw!r}")
        return value
    if column in _YEAR_COLUMNS:
        return parse_year(raw)
    if column in _DATE_COLUMNS:
        return parse_year_or_date(raw)
    if column in _BOOL_COLUMNS:
        return parse_bool(raw)
    if column in _TEXT_DIGIT_COLUMNS:
        return to_ascii_digits(clean_text(raw))
    return clean_text(raw)


def parse_edge_value(column: str, raw: str) -> Any:
    if column == "capacity":
        value = clean_text(raw).casefold()
        if value not in CAPACITIES:
            raise ValueError(f"capacity must be 'personal' or 'institutional', got {raw!r}")
        return value
    if column == "direction":
        direction = _DIRECTION_WORDS.get(clean_text(raw).casefold())
        if direction is None:
            raise ValueError(f"direction must be 'horizontal' or 'vertical', got {raw!r}")
        return direction
    return parse_common(column, raw)


def validate(tables: list[Table], known: KnownLookup | None = None) -> Dataset:
    """Validate raw tables against CONTRACT.md section 1.

    ``known`` tells which ids already exist in the store (and their kind), so a
    relationship may point at an entity imported earlier. Returns every problem at once.
    """
    return RowValidator(tables, known or (lambda ids: {})).run()

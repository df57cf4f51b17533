"""The meetings and Outcome Mapping sheets (CONTRACT.md section 1b) as entities and
relationships, for ``importers.validate``.

Each sheet's rule is ``graph_service.dataset.SHEETS_1B``: the kind a row makes, its required
columns, and the columns naming other entities, each id of which (``|`` separates several)
makes one relationship, checked with the rest of the dataset's relationships (an unknown id
is a problem naming its file, row and column). ``attendance`` rows are relationships
(actor) -[ATTENDED]-> (event). A journal row is an entity whose id is made from its sheet,
the thing it rates and its day (``oj-<marker>-<date>``), so a journal sent again adds
nothing and a corrected rating is a new version of the same entry (issue 14's history);
a journal sheet with an ``id`` column uses it instead. How the data becomes a graph is
``docs/meetings-om.md``.
"""

from __future__ import annotations

from typing import Any, Protocol

from graph_service.dataset import (
    ATTENDANCE_ENDS,
    EVENT_KIND_PROPERTY,
    SHEETS_1B,
    name_from_text,
    parse_1b_value,
    reserved_columns,
)
from graph_service.domain import Edge, Node, Props, clean_text, length_problem, normalise_id
from importers.read import Origin, Row, Table


class RowValidator(Protocol):
    """What this module uses of ``importers.validate.RowValidator``."""

    out: Any
    first_seen: dict[str, Origin]
    entity_origin: dict[str, Origin]
    rejected_ids: dict[str, Origin]
    pending: list[tuple[Edge, Origin, str, str]]

    def require(self, table: Table) -> bool: ...

    def problem(
        self, origin: Origin | tuple[str, int | None], column: str | None, reason: str
    ) -> None: ...


#: columns that are the row's identity or its references, not properties
_NOT_PROPERTIES = frozenset({"id", "name", "text", *ATTENDANCE_ENDS})


def split_ids(raw: str) -> list[str]:
    """The ids of a reference cell: ``"a | b"`` -> ``["a", "b"]`` (normalised, blanks dropped).

    >>> split_ids(" ก-๑ | b |")
    ['ก-1', 'b']
    """
    return [i for i in (normalise_id(part) for part in raw.split("|")) if i]


def read_sheet(v: RowValidator, table: Table) -> None:
    """Every row of one section 1b sheet: entities into ``v.out.nodes``, relationships into
    ``v.pending`` (checked later with the others), problems by file, row and column."""
    if not v.require(table):
        return
    for row in table.rows:
        if table.name == "attendance":
            _attendance_row(v, table, row)
        else:
            _entity_row(v, table, row)


def _props(v: RowValidator, table: Table, row: Row, origin: Origin) -> Props:
    """The row's property cells, parsed; each bad cell reported."""
    sheet = SHEETS_1B[table.name]
    props: Props = {}
    for column, raw in row.values.items():
        if column in _NOT_PROPERTIES or column in sheet.references or not raw.strip():
            continue
        try:
            value = parse_1b_value(table.name, column, raw)
        except ValueError as exc:
            v.problem(origin, column, str(exc))
            continue
        props[EVENT_KIND_PROPERTY if (column, table.name) == ("kind", "events") else column] = value
    return props


def _entity_row(v: RowValidator, table: Table, row: Row) -> None:
    sheet = SHEETS_1B[table.name]
    assert sheet.kind is not None
    origin = Origin(table.file, row.number)
    before = len(v.out.problems)
    values = row.values
    props = _props(v, table, row, origin)
    text = clean_text(values.get("text", ""))
    if "text" in sheet.required and not text:
        v.problem(origin, "text", "missing text")
    if text:
        props["text"] = text
    for column in sheet.required:
        if column not in ("id", "name", "text") and not values.get(column, "").strip():
            v.problem(origin, column, f"missing {column}")
    if sheet.journal:
        props["journal"] = sheet.journal
        subject = normalise_id(values.get(sheet.subject, ""))
        day = props.get("date", "")
        id_ = normalise_id(values.get("id", "")) or f"{sheet.prefix}-{subject}-{day}"
        name = clean_text(values.get("name", "")) or f"{subject} {day}"
        what = "journal entry"
    else:
        id_ = normalise_id(values.get("id", ""))
        name = clean_text(values.get("name", "")) or name_from_text(text)
        what = "id"
        if not id_:
            v.problem(origin, "id", "missing id")
        if not name and "name" in sheet.required:
            v.problem(origin, "name", "missing name")
    if reason := length_problem(id_, "id"):
        v.problem(origin, "id", reason)
        id_ = ""
    if reason := length_problem(name, "name"):
        v.problem(origin, "name", reason)
    if id_ and id_ in v.first_seen:
        first = v.first_seen[id_]
        if sheet.journal and "id" not in values:
            reason = (
                f"a second {sheet.journal} journal entry for '{subject}' on {day} (first at "
                f"{first}); write one row per day, or give each row an 'id'"
            )
        else:
            reason = f"duplicate {what} '{id_}' (first at {first})"
        v.problem(origin, "id" if "id" in values else sheet.subject or "id", reason)
        id_ = ""
    elif id_:
        v.first_seen[id_] = origin
    if len(v.out.problems) > before:
        if id_:
            v.rejected_ids[id_] = origin
        return
    props["name"] = name
    v.out.nodes.append(Node(id_, sheet.kind, props))
    v.entity_origin[id_] = origin
    for column, ref in sheet.references.items():
        for other in split_ids(values.get(column, "")):
            source, target = (id_, other) if ref.row_is_source else (other, id_)
            end = "target" if ref.row_is_source else "source"
            v.pending.append(
                (
                    Edge(source, ref.type, target, {}),
                    Origin(table.file, row.number, column),
                    end,
                    column,
                )
            )


def _attendance_row(v: RowValidator, table: Table, row: Row) -> None:
    origin = Origin(table.file, row.number)
    before = len(v.out.problems)
    actor = normalise_id(row.values.get("actor_id", ""))
    event = normalise_id(row.values.get("event_id", ""))
    for column, value in (("actor_id", actor), ("event_id", event)):
        if not value:
            v.problem(origin, column, f"missing {column}")
        elif reason := length_problem(value, "id"):
            v.problem(origin, column, reason)
    if not row.values.get("status", "").strip():
        v.problem(origin, "status", "missing status (invited, attended or absent)")
    props = _props(v, table, row, origin)
    for column in reserved_columns("relationships"):
        props.pop(column, None)
    if len(v.out.problems) > before:
        return
    edge = Edge(actor, "ATTENDED", event, props)
    v.pending.append((edge, origin, "both", "actor_id|event_id"))

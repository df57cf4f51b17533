"""Editing the graph over the API: request bodies for entities and relationships, checked
and normalised so that a value reads exactly as the importer reads the same cell.

The rules are CONTRACT.md section 1's, applied to JSON instead of a spreadsheet row:

- ids go through ``domain.normalise_id`` (Thai digits as ASCII, spaces folded), names through
  ``domain.clean_text``; a kind is one of ``domain.KINDS`` (any case); a relationship type is
  UPPER_SNAKE_CASE and both its ends must exist.
- A property value is a scalar or a list of scalars. A string is a cell's text; a number or
  true/false is read as a spreadsheet cell holding it (``dataset.cell_text``). Either then
  goes through the importer's own column rules (``graph_service.dataset``, the one home of
  the dataset's columns): ``year`` 2551 is stored as 2008, ``amount_thb`` "๓,๐๐๐" as 3000,
  ``readiness`` must be 1 to 4, ``tags`` "a | b" is a list, other columns keep clean text.
  A blank string is an empty cell: no property.
- The stores' own keys (``id``, ``name_key``, ``key``) are refused as property names, as are
  the fields the body has for themselves and the importer's shorthand columns (which make
  relationships in a dataset; here they are made with ``POST /api/relationships``).

Every problem of a body is reported at once: ``InvalidInput`` whose details are
``{"location": ["body", ...], "reason"}``, the shape of the service's other request errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from graph_service.dataset import (
    cell_text,
    normalise_type,
    parse_edge_value,
    parse_entity_value,
    shorthand_applies,
)
from graph_service.domain import (
    FILE_KINDS,
    KINDS,
    Edge,
    Node,
    Props,
    Scalar,
    Value,
    clean_text,
    edge_key,
    is_relationship_type,
    length_problem,
    normalise_id,
)
from graph_service.errors import InvalidInput

#: names the stores keep for themselves (store.base NODE_/EDGE_INTERNAL_KEYS, and both)
INTERNAL_KEYS = ("id", "name_key", "key")
#: fields an entity body has outside ``properties``
ENTITY_FIELDS = ("kind", "name")
#: fields a relationship body has outside ``properties``
RELATIONSHIP_FIELDS = ("source", "type", "target")

#: kind -> the dataset file its rows come from (``Person`` -> ``people``)
_KIND_FILES = {kind: file for file, kind in FILE_KINDS.items()}
#: the smallest integer the stores keep (Neo4j: 64-bit)
_INT64 = -(2**63)

PROPERTIES_DESCRIPTION = (
    "property name -> a string, number, true/false or a list of them; read as the importer "
    "reads a cell of that column (year 2551 -> 2008, amount_thb '๓,๐๐๐' -> 3000, tags "
    "'a | b' -> a list); a blank string is an empty cell"
)
PATCH_PROPERTIES_DESCRIPTION = (
    "property name -> new value (as in POST), or null (or a blank string) to remove it; "
    "properties not named are kept"
)


class EntityCreate(BaseModel):
    """A new entity."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": "org-pho-tambon",
                    "kind": "Organisation",
                    "name": "รพ.สต. บ้านนา",
                    "properties": {"admin_level": "subdistrict", "sector": "state"},
                }
            ]
        },
    )

    id: str = Field(description="unique id; Thai digits are stored as ASCII digits")
    kind: str = Field(description=f"one of {', '.join(KINDS)}")
    name: str = Field(description="the name as it should be shown")
    properties: dict[str, Any] = Field(default_factory=dict, description=PROPERTIES_DESCRIPTION)


class EntityPatch(BaseModel):
    """Changes to an entity: only what is given changes."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านนา", "properties": {"sector": ""}}]
        },
    )

    name: str | None = Field(default=None, description="a new name")
    kind: str | None = Field(default=None, description="a new kind")
    properties: dict[str, Any] = Field(
        default_factory=dict, description=PATCH_PROPERTIES_DESCRIPTION
    )


class RelationshipCreate(BaseModel):
    """A new relationship between two entities that exist."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "person-somsri",
                    "type": "MEMBER_OF",
                    "target": "org-pho-tambon",
                    "properties": {"capacity": "personal", "start": "2566"},
                }
            ]
        },
    )

    source: str = Field(description="the id of the entity it starts from")
    type: str = Field(description="UPPER_SNAKE_CASE, e.g. MEMBER_OF, FUNDS, PARTNERS_WITH")
    target: str = Field(description="the id of the entity it points to")
    id: str | None = Field(
        default=None,
        description="its own id, to keep several relationships of one type between the same "
        "two entities; without it the relationship is (source, type, target)",
    )
    properties: dict[str, Any] = Field(default_factory=dict, description=PROPERTIES_DESCRIPTION)


class RelationshipPatch(BaseModel):
    """Changes to a relationship's properties (its ends and type are its identity)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"properties": {"amount_thb": "1,500,000", "note": ""}}]},
    )

    properties: dict[str, Any] = Field(description=PATCH_PROPERTIES_DESCRIPTION)


class _Problems:
    """Every problem of one body, raised together."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.items: list[dict[str, Any]] = []

    def add(self, location: list[str], reason: str) -> None:
        self.items.append({"location": ["body", *location], "reason": reason})

    def raise_any(self) -> None:
        if self.items:
            parts = "; ".join(f"{'.'.join(p['location'][1:])}: {p['reason']}" for p in self.items)
            raise InvalidInput(f"the {self.what} is not valid: {parts}", self.items)


# -- entities ------------------------------------------------------------------------------


def new_entity(body: EntityCreate) -> Node:
    """The entity a POST body describes, normalised as the importer would store it."""
    problems = _Problems("entity")
    id_ = normalise_id(body.id)
    if not id_:
        problems.add(["id"], "missing id")
    kind = _check_kind(body.kind, problems)
    name = clean_text(body.name)
    if not name:
        problems.add(["name"], "missing name")
    _check_length(problems, id=id_, name=name)
    props: Props = {"name": name}
    for column, value in _entity_properties(body.properties, kind, problems).items():
        if value is not None:
            props[column] = value
    problems.raise_any()
    return Node(id_, kind, props)


def patched_entity(old: Node, body: EntityPatch) -> Node:
    """``old`` with the changes of a PATCH body: the complete entity to write in place of it
    (a property set to null or a blank string is removed)."""
    problems = _Problems("entity")
    kind = old.kind
    if "kind" in body.model_fields_set:
        kind = _check_kind(body.kind or "", problems)
    props: Props = dict(old.props)
    if "name" in body.model_fields_set:
        name = clean_text(body.name or "")
        if not name:
            problems.add(["name"], "missing name: an entity needs one")
        _check_length(problems, name=name)
        props["name"] = name
    for column, value in _entity_properties(body.properties, kind, problems).items():
        if value is None:
            props.pop(column, None)
        else:
            props[column] = value
    problems.raise_any()
    return Node(old.id, kind, props)


def _check_length(problems: _Problems, **texts: str) -> None:
    """The importer's length rule (``domain.length_problem``) on ids, names and types."""
    for field, text in texts.items():
        if text and (reason := length_problem(text, field)):
            problems.add([field], reason)


def _check_kind(kind: str, problems: _Problems) -> str:
    """The kind as stored; any case is accepted (as the API's ``kind`` query parameters)."""
    by_folded = {k.casefold(): k for k in KINDS}
    found = by_folded.get(kind.strip().casefold())
    if found is None:
        problems.add(["kind"], f"kind {kind!r} is not one of {', '.join(KINDS)}")
        return kind
    return found


def _entity_properties(
    given: Mapping[str, Any], kind: str, problems: _Problems
) -> dict[str, Value | None]:
    file = _KIND_FILES.get(kind, "")
    out: dict[str, Value | None] = {}
    for raw_name, value in given.items():
        column = raw_name.strip()
        location = ["properties", raw_name]
        reason = _refused_name(column, ENTITY_FIELDS)
        if reason is None and shorthand_applies(column, file):
            reason = (
                f"'{column}' makes a relationship in a dataset file; create it with "
                "POST /api/relationships"
            )
        if reason is not None:
            problems.add(location, reason)
            continue
        try:
            out[column] = parse_property(column, value, parse_entity_value)
        except ValueError as exc:
            problems.add(location, str(exc))
    return out


# -- relationships -------------------------------------------------------------------------


def new_relationship(body: RelationshipCreate, existing: Callable[[list[str]], set[str]]) -> Edge:
    """The relationship a POST body describes. ``existing(ids)`` tells which ids are
    entities in the store: both ends must be."""
    problems = _Problems("relationship")
    source = normalise_id(body.source)
    target = normalise_id(body.target)
    for field, end in (("source", source), ("target", target)):
        if not end:
            problems.add([field], f"missing {field}")
    type_ = clean_text(body.type)
    if not type_:
        problems.add(["type"], "missing type")
    elif not is_relationship_type(type_):
        suggestion = normalise_type(type_)
        hint = f"; did you mean {suggestion!r}?" if is_relationship_type(suggestion) else ""
        problems.add(
            ["type"],
            f"type {body.type!r} must be UPPER_SNAKE_CASE (letters A-Z, digits and _), "
            f"e.g. MEMBER_OF{hint}",
        )
    if source and source == target:
        problems.add(["target"], f"a relationship from '{source}' to itself")
    ends = [i for i in dict.fromkeys((source, target)) if i]
    found = existing(ends) if ends else set()
    for field, end in (("source", source), ("target", target)):
        if end and end not in found:
            problems.add([field], f"unknown id '{end}': no entity has it")
    own_id = normalise_id(body.id) if body.id is not None else ""
    if body.id is not None and not own_id:
        problems.add(["id"], "a blank id: leave it out, or give one")
    _check_length(problems, source=source, target=target, type=type_, id=own_id)
    props: Props = {"id": own_id} if own_id else {}
    for column, value in _edge_properties(body.properties, problems).items():
        if value is not None:
            props[column] = value
    problems.raise_any()
    return Edge(source, type_, target, props, edge_key(source, type_, target, own_id or None))


def patched_relationship(old: Edge, body: RelationshipPatch) -> Edge:
    """``old`` with the property changes of a PATCH body, complete."""
    problems = _Problems("relationship")
    props: Props = dict(old.props)
    for column, value in _edge_properties(body.properties, problems).items():
        if value is None:
            props.pop(column, None)
        else:
            props[column] = value
    problems.raise_any()
    return Edge(old.source, old.type, old.target, props, old.key)


def _edge_properties(given: Mapping[str, Any], problems: _Problems) -> dict[str, Value | None]:
    out: dict[str, Value | None] = {}
    for raw_name, value in given.items():
        column = raw_name.strip()
        location = ["properties", raw_name]
        reason = _refused_name(column, RELATIONSHIP_FIELDS)
        if reason is not None:
            problems.add(location, reason)
            continue
        try:
            out[column] = parse_property(column, value, parse_edge_value)
        except ValueError as exc:
            problems.add(location, str(exc))
    return out


# -- values --------------------------------------------------------------------------------


def _refused_name(column: str, own_fields: tuple[str, ...]) -> str | None:
    if not column:
        return "a property needs a name"
    if column in INTERNAL_KEYS:
        return f"'{column}' is a name graph-service keeps for itself; use another name"
    if column in own_fields:
        return f"'{column}' is a field of the body itself, not a property"
    return None


def parse_property(column: str, value: Any, parse_cell: Callable[[str, str], Any]) -> Value | None:
    """A JSON property value as the importer would store the same cell of ``column``;
    None for null or a blank string (no value). ``parse_cell(column, text)`` is the
    importer's rule for the column.

    >>> from graph_service.dataset import parse_common
    >>> parse_property("year", "๒๕๕๑", parse_common), parse_property("year", 2551, parse_common)
    (2008, 2008)
    >>> parse_property("amount_thb", ["1,000", 2.5], parse_common)
    [1000.0, 2.5]
    """
    if value is None:
        return None
    if isinstance(value, list):
        items: list[Scalar] = []
        for item in value:
            if item is None or isinstance(item, list | dict):
                raise ValueError(f"a list may hold only strings, numbers and true/false: {item!r}")
            parsed = _parse_scalar(column, item, parse_cell)
            if parsed is None:
                continue
            items.extend(parsed if isinstance(parsed, list) else [parsed])
        return _one_type(items)
    if isinstance(value, dict):
        raise ValueError(
            "a value is a string, a number, true/false or a list of them, not an object"
        )
    return _parse_scalar(column, value, parse_cell)


def _parse_scalar(column: str, value: Any, parse_cell: Callable[[str, str], Any]) -> Value | None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    text = value if isinstance(value, str) else cell_text(value)
    if not text.strip():
        return None
    parsed: Value = parse_cell(column, text)
    if isinstance(parsed, int) and not isinstance(parsed, bool) and not _INT64 <= parsed < -_INT64:
        raise ValueError(f"too large a number: {text[:30]!r} (the stores keep 64-bit integers)")
    return parsed


def _one_type(items: list[Scalar]) -> list[Scalar]:
    """The list as a store keeps it: Neo4j stores only lists whose items share one type, so
    whole numbers among decimals become decimals, and text mixed with numbers is refused."""
    kinds = {
        "bool" if isinstance(i, bool) else "number" if isinstance(i, int | float) else "text"
        for i in items
    }
    if len(kinds) > 1:
        raise ValueError(
            f"a list's items must all be of one type (text, numbers or true/false): {items!r}"
        )
    if kinds == {"number"} and any(isinstance(i, float) for i in items):
        return [float(i) for i in items]
    return items

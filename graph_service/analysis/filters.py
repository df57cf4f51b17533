"""Filters: which entities a question is about (CONTRACT.md section 2b).

A filter is one or more terms ``ATTR=V1,V2``; every term must hold, and a term holds when
the entity's ``ATTR`` is any of its values. The attributes:

- ``kind``: Person, Organisation, Network, Fund, KnowledgeAsset, Area, Programme (any case);
- ``level``: the INN level (individual, node, network);
- ``tag``: one of the entity's ``tags`` (the data separates them with ``|``);
- ``within=AREA_ID``: the entity is that area or an area PART_OF it, transitively, or is
  LOCATED_IN or OPERATES_IN such an area;
- ``id``: the entity's id;
- any other name: a property the data gave (``admin_level=provincial``,
  ``sector=academic,state``). A property holding a list (tags, aliases) holds a value when
  the list has it.

Values are read as the importer reads the cell (``dataset.parse_entity_value``:
``admin_level=Provincial`` is ``provincial``, ``year=2551`` is 2008, Thai digits are digits)
and compared as normalised names (``domain.normalise_name``: case, spacing and Thai digits do
not matter), numbers as numbers.

>>> f = parse_filter(["kind=organisation,network", "sector=Academic"])
>>> [(t.attribute, t.values) for t in f.terms]
[('kind', ('Network', 'Organisation')), ('sector', ('academic',))]
>>> f.matches_node(Node("o1", "Organisation", {"sector": "academic"}))
True
>>> f.matches_node(Node("p1", "Person", {"sector": "academic"}))
False
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from graph_service.analysis.common import check_kinds
from graph_service.dataset import parse_entity_value
from graph_service.domain import LEVELS, Node, clean_text, level_of, normalise_name
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np

    from graph_service.store.arrays import GraphArrays

#: placement relationships: where something is (DOMAIN.md section 3)
PLACEMENT_TYPES = ("LOCATED_IN", "OPERATES_IN", "PART_OF")
SPECIAL = ("kind", "level", "tag", "within", "id")
_ATTRIBUTE = re.compile(r"^[^\s=,;]+$")


@dataclass(frozen=True)
class Term:
    """One ``ATTR=V1,V2`` term: ``values`` as the importer reads them."""

    attribute: str
    values: tuple[Any, ...]
    text: str
    keys: frozenset[Any] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", frozenset(_key(v) for v in self.values))


@dataclass
class Filter:
    """All terms must hold. ``within`` holds, per ``within=`` term, the ids inside its areas
    (filled by :func:`select`)."""

    terms: tuple[Term, ...]
    within: dict[str, set[str]] = field(default_factory=dict)

    @property
    def text(self) -> list[str]:
        return [t.text for t in self.terms]

    def matches_node(self, node: Node) -> bool:
        """True when every term holds for ``node`` (``within`` terms need :func:`select`)."""
        return all(_holds(t, node, self.within) for t in self.terms)


def parse_filter(where: str | Sequence[str] | None) -> Filter | None:
    """The filter of ``where``: a list of terms, or one string of terms separated by ``;``
    (None or empty: no filter). A malformed term is an ``InvalidInput`` that names it."""
    if where is None:
        return None
    raw = [where] if isinstance(where, str) else list(where)
    texts = [t.strip() for item in raw for t in item.split(";") if t.strip()]
    if not texts:
        return None
    return Filter(tuple(_parse_term(t) for t in texts))


def _bad(text: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"filter term {text!r}: {why} (a term is ATTR=V1,V2, e.g. kind=Organisation, "
        "sector=academic,state, tag=health, within=AREA_ID, level=node)",
        {"term": text},
    )


def _parse_term(text: str) -> Term:
    attribute, sep, rest = text.partition("=")
    attribute = attribute.strip()
    if not sep:
        raise _bad(text, "no '='")
    if not attribute or not _ATTRIBUTE.match(attribute):
        raise _bad(text, "the attribute before '=' is missing or has spaces")
    parts = [p.strip() for p in rest.split(",")]
    if not any(parts):
        raise _bad(text, "no value after '='")
    if not all(parts):
        raise _bad(text, "an empty value in the list")
    values: list[Any]
    if attribute == "kind":
        try:
            values = check_kinds(parts) or []
        except InvalidInput as exc:
            raise _bad(text, exc.message) from None
    elif attribute == "level":
        values = sorted({p.casefold() for p in parts})
        unknown = [v for v in values if v not in LEVELS]
        if unknown:
            raise _bad(
                text, f"unknown INN level {unknown[0]!r}; the levels are {', '.join(LEVELS)}"
            )
    elif attribute in ("tag", "within", "id"):
        values = [clean_text(p) for p in parts]
    else:
        values = []
        for p in parts:
            try:
                value = parse_entity_value(attribute, p)
            except ValueError as exc:
                raise _bad(text, str(exc)) from None
            values.extend(value if isinstance(value, list) else [value])
    return Term(attribute, tuple(values), text)


def _key(value: Any) -> Any:
    """What a value is compared as: numbers as numbers, the rest as a normalised name."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    text = normalise_name(str(value))
    if text[:1].isdigit() or text[:2].startswith(("-", ".", "+")):
        try:
            return ("n", float(text))
        except ValueError:
            pass
    return ("s", text)


def _holds(term: Term, node: Node, within: Mapping[str, set[str]]) -> bool:
    a = term.attribute
    if a == "kind":
        return node.kind in term.values
    if a == "level":
        return node.level in term.values
    if a == "id":
        return node.id in term.values
    if a == "within":
        return node.id in within.get(term.text, set())
    return _value_holds(term, node.props.get("tags" if a == "tag" else a))


def _value_holds(term: Term, stored: Any) -> bool:
    """A property term holds for an entity whose property (``tags`` for ``tag``) is
    ``stored`` (None: it has none)."""
    if stored is None or stored == "":
        return False
    if isinstance(stored, list):
        return any(_key(v) in term.keys for v in stored)
    return stored in term.values or _key(stored) in term.keys


def within_ids(
    nodes: Mapping[str, Node], placement: Sequence[tuple[str, str, str]], area: str
) -> set[str]:
    """The ids ``within=area`` holds for: the area, every area PART_OF it (transitively),
    and every entity LOCATED_IN or OPERATES_IN one of those. ``placement`` is (source, type,
    target) of the placement relationships.

    >>> nodes = {i: Node(i, "Area") for i in ("p", "d", "s", "x")}
    >>> nodes["o"] = Node("o", "Organisation")
    >>> rows = [("d", "PART_OF", "p"), ("s", "PART_OF", "d"), ("o", "LOCATED_IN", "s")]
    >>> sorted(within_ids(nodes, rows, "p")), sorted(within_ids(nodes, rows, "d"))
    (['d', 'o', 'p', 's'], ['d', 'o', 's'])
    """
    node = nodes.get(area)
    if node is None:
        raise NotFound(f"within={area}: no entity has the id {area!r}", {"within": area})
    if node.kind != "Area":
        raise InvalidInput(
            f"within={area}: {area!r} is a {node.kind}, not an Area", {"within": area}
        )
    children: dict[str, list[str]] = {}
    placed: dict[str, list[str]] = {}
    for source, type_, target in placement:
        if type_ == "PART_OF":
            children.setdefault(target, []).append(source)
        elif type_ in ("LOCATED_IN", "OPERATES_IN"):
            placed.setdefault(target, []).append(source)
    areas = {area}
    stack = [area]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in areas:
                areas.add(child)
                stack.append(child)
    inside = set(areas)
    for a in areas:
        inside.update(placed.get(a, ()))
    return inside


def prepare(
    flt: Filter, nodes: Mapping[str, Node], placement: Sequence[tuple[str, str, str]]
) -> None:
    """Fill ``flt.within`` from the entities and placement relationships given."""
    for term in flt.terms:
        if term.attribute == "within" and term.text not in flt.within:
            inside: set[str] = set()
            for area in term.values:
                inside |= within_ids(nodes, placement, area)
            flt.within[term.text] = inside


def read_arrays(
    store: GraphStore, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
) -> GraphArrays:
    """The entities of ``kinds`` and the relationships of ``types`` among them as arrays
    (``graph_arrays``, both stores; a store without it, such as the public view, through
    its ``subgraph``)."""
    from graph_service.store.arrays import graph_arrays_of

    own = getattr(store, "graph_arrays", None)
    if own is not None:
        return own(kinds, types)  # type: ignore[no-any-return]
    sub = store.subgraph(kinds, types)
    return graph_arrays_of(sub.nodes.values(), [(e.source, e.type, e.target) for e in sub.edges])


def placement_arrays(store: GraphStore) -> GraphArrays:
    """Every entity and the placement relationships, as arrays (no relationship
    properties read)."""
    return read_arrays(store, None, list(PLACEMENT_TYPES))


def select(store: GraphStore, flt: Filter, arrays: GraphArrays | None = None) -> list[str]:
    """The ids of the entities ``flt`` holds for, sorted. ``arrays``: every entity and (at
    least) the placement relationships, when the caller has read them already.

    Each term is evaluated over the columns of ``arrays`` (:meth:`Filter.matches_node`
    holds for exactly these entities): ``kind`` and ``level`` once per distinct kind,
    ``id`` and ``within`` by position, a property once per distinct value it takes, so
    100,000 entities cost tens of ms, not a ``Node`` and a test each."""
    import numpy as np

    if arrays is None:
        arrays = placement_arrays(store)
    if any(t.attribute == "within" for t in flt.terms):
        placement = [c for c, t in enumerate(arrays.types) if t in PLACEMENT_TYPES]
        rows = np.isin(arrays.type, placement)
        ends = (arrays.src[rows].tolist(), arrays.type[rows].tolist(), arrays.dst[rows].tolist())
        ids, types = arrays.ids, arrays.types
        prepare(
            flt, arrays.nodes, [(ids[s], types[t], ids[d]) for s, t, d in zip(*ends, strict=True)]
        )
    keep = np.ones(arrays.n, dtype=bool)
    for term in flt.terms:
        keep &= _term_mask(term, arrays, flt.within)
    return list(compress(arrays.ids, keep.tolist()))


def _term_mask(term: Term, arrays: GraphArrays, within: Mapping[str, set[str]]) -> np.ndarray:
    """Where ``term`` holds, in the order of ``arrays.ids`` (what :func:`_holds` says of
    each entity)."""
    import numpy as np

    a = term.attribute
    if a in ("kind", "level"):
        codes, names = arrays.kind_codes()
        of = (lambda k: k) if a == "kind" else level_of
        allowed = np.array([of(k) in term.values for k in names] + [False], dtype=bool)
        return allowed[codes]
    mask = np.zeros(arrays.n, dtype=bool)
    if a in ("id", "within"):
        mask[arrays.positions_of(term.values if a == "id" else within.get(term.text, ()))] = True
        return mask
    stored = list(map(methodcaller("get", "tags" if a == "tag" else a), arrays.props_list()))
    # per distinct (type, value): a column holds few; 1, 1.0 and True are told apart
    keys = list(zip(map(type, stored), stored, strict=True))
    try:
        held = {key: _value_holds(term, key[1]) for key in set(keys)}
        flags = list(map(held.__getitem__, keys))
    except TypeError:  # a list (or another unhashable value) among them
        flags = [_value_holds(term, value) for value in stored]
    mask[:] = flags
    return mask


def find(store: GraphStore, where: str | Sequence[str]) -> dict[str, Any]:
    """The ``find`` document (CONTRACT.md section 2b): the entities matching ``where``,
    sorted by id: ``{"where", "count", "entities": [{"id", "kind", "name"}]}``."""
    flt = parse_filter(where)
    if flt is None:
        raise InvalidInput("give a filter: --where ATTR=V1,V2 (e.g. kind=Organisation)")
    arrays = placement_arrays(store)
    ids = select(store, flt, arrays)
    return {
        "where": flt.text,
        "count": len(ids),
        "entities": [
            {"id": i, "kind": arrays.nodes[i].kind, "name": arrays.nodes[i].name} for i in ids
        ],
    }

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
from graph_service.domain import LEVELS, Node, clean_text, level_of, normalise_id, normalise_name
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np

    from graph_service.store.arrays import GraphArrays

#: placement relationships: where something is (DOMAIN.md section 3)
PLACEMENT_TYPES = ("LOCATED_IN", "OPERATES_IN", "PART_OF")
SPECIAL = ("kind", "level", "tag", "within", "id", "member_of")
#: the terms that name entities and hold for those related to them, resolved before use
#: (:func:`prepare`, :func:`prepare_members`) into ``Filter.within``
RESOLVED = ("within", "member_of")
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
    """All terms must hold. ``within`` holds, per ``within=`` term, the ids inside its areas,
    and per ``member_of=`` term the ids MEMBER_OF one of its entities (filled by
    :func:`select`, or :func:`prepare` and :func:`prepare_members`)."""

    terms: tuple[Term, ...]
    within: dict[str, set[str]] = field(default_factory=dict)

    @property
    def text(self) -> list[str]:
        return [t.text for t in self.terms]

    def matches_node(self, node: Node) -> bool:
        """True when every term holds for ``node`` (``within`` and ``member_of`` terms need
        :func:`select`, or :func:`prepare` and :func:`prepare_members`)."""
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
    elif attribute == "member_of":
        values = [normalise_id(p) for p in parts]
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
    if a in RESOLVED:
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


def prepare_members(store: GraphStore, flt: Filter) -> None:
    """Fill ``flt.within`` for its ``member_of=`` terms: the entities with a MEMBER_OF
    relationship to one of the term's ids (each id must name an entity)."""
    for term in flt.terms:
        if term.attribute != "member_of" or term.text in flt.within:
            continue
        found = store.get_nodes(list(term.values))
        missing = [v for v in term.values if v not in found]
        if missing:
            raise NotFound(
                f"member_of={missing[0]}: no entity has the id {missing[0]!r}",
                {"member_of": missing[0]},
            )
        flt.within[term.text] = {
            e.source for v in term.values for e in store.find_edges(None, "MEMBER_OF", v)
        }


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
    prepare_members(store, flt)
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
    if a in ("id", *RESOLVED):
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


def find(
    store: GraphStore,
    where: str | Sequence[str],
    breakdown: str | None = None,
    per_area: str | None = None,
) -> dict[str, Any]:
    """The ``find`` document (CONTRACT.md section 2b): the entities matching ``where``,
    sorted by id: ``{"where", "count", "entities": [{"id", "kind", "name"}]}``; with
    ``breakdown`` or ``per_area`` (an admin level), the keys :func:`find_breakdown` adds."""
    return find_breakdown(store, where, breakdown, per_area)


# -- breakdowns (issue 12: find --breakdown, find --per-area, gaps --tie-where) --------------

#: the words a user may give for an administrative level: the levels themselves, the nouns
#: (``province``) and the Thai words (``จังหวัด``)
LEVEL_WORDS = {
    "region": "regional",
    "province": "provincial",
    "country": "national",
    "subdistricts": "subdistrict",
    "ประเทศ": "national",
    "ภาค": "regional",
    "จังหวัด": "provincial",
    "อำเภอ": "district",
    "ตำบล": "subdistrict",
    "หมู่บ้าน": "village",
    "ชุมชน": "community",
}


def admin_level_word(word: str | None) -> str | None:
    """The ``admin_level`` a word names (``provincial``, ``province``, ``จังหวัด``, any
    case), or None when it names none.

    >>> admin_level_word(" Province "), admin_level_word("จังหวัด"), admin_level_word("sector")
    ('provincial', 'provincial', None)
    """
    from graph_service.domain import ADMIN_LEVELS

    if not isinstance(word, str):
        return None
    text = clean_text(word).casefold().replace(" ", "_")
    if text in ADMIN_LEVELS:
        return text
    return LEVEL_WORDS.get(text)


def _area_level(node: Node) -> str:
    return str(node.props.get("admin_level") or "").strip().casefold()


class Containment:
    """Which areas at one ``admin_level`` hold an entity, by the rule of ``within=``: x is
    within area A when x is A or PART_OF it (transitively, through any entity, as
    :func:`within_ids` walks down), or x is LOCATED_IN or OPERATES_IN such an entity.

    Read bottom-up, so that every area at a level costs one pass: the areas holding x are
    the level's areas among x's PART_OF ancestors (x included) and among those of every
    entity x is placed in.

    >>> nodes = {i: Node(i, "Area", {"admin_level": lv}) for i, lv in
    ...          (("p", "provincial"), ("d", "district"), ("s", "subdistrict"))}
    >>> nodes["o"] = Node("o", "Organisation")
    >>> rows = [("d", "PART_OF", "p"), ("s", "PART_OF", "d"), ("o", "OPERATES_IN", "s")]
    >>> c = Containment(nodes, rows, "provincial")
    >>> c.areas, sorted(c.holding("o")), sorted(c.holding("p")), sorted(c.holding("x"))
    (['p'], ['p'], ['p'], [])
    """

    def __init__(
        self,
        nodes: Mapping[str, Node],
        placement: Sequence[tuple[str, str, str]],
        level: str,
    ) -> None:
        self.level = level
        self.areas = sorted(
            i for i, n in nodes.items() if n.kind == "Area" and _area_level(n) == level
        )
        self._at_level = set(self.areas)
        self._parents: dict[str, list[str]] = {}
        self._placed_in: dict[str, list[str]] = {}
        for source, type_, target in placement:
            if source == target:
                continue
            if type_ == "PART_OF":
                self._parents.setdefault(source, []).append(target)
            elif type_ in ("LOCATED_IN", "OPERATES_IN"):
                self._placed_in.setdefault(source, []).append(target)
        self._up: dict[str, frozenset[str]] = {}

    def _up_at_level(self, start: str) -> frozenset[str]:
        """The level's areas among ``start`` and its PART_OF ancestors (cycles are safe)."""
        found = self._up.get(start)
        if found is None:
            seen, stack = {start}, [start]
            while stack:
                for parent in self._parents.get(stack.pop(), ()):
                    if parent not in seen:
                        seen.add(parent)
                        stack.append(parent)
            found = self._up[start] = frozenset(seen & self._at_level)
        return found

    def holding(self, entity: str) -> set[str]:
        """The areas at the level that ``entity`` is within."""
        out = set(self._up_at_level(entity))
        for place in self._placed_in.get(entity, ()):
            out |= self._up_at_level(place)
        return out


def check_level(nodes: Mapping[str, Node], word: str, what: str) -> str:
    """The admin level ``word`` names (see :func:`admin_level_word`), or the word itself when
    some Area has it as its ``admin_level``; otherwise an ``InvalidInput`` naming the levels.
    """
    from graph_service.domain import ADMIN_LEVELS

    level = admin_level_word(word)
    if level is not None:
        return level
    text = clean_text(str(word)).casefold()
    present = sorted({_area_level(n) for n in nodes.values() if n.kind == "Area"} - {""})
    if text and text in present:
        return text
    raise InvalidInput(
        f"{what}: {word!r} is not an admin level; the levels are {', '.join(ADMIN_LEVELS)}"
        + (f" (the areas here have {', '.join(present)})" if present else ""),
        {what.lstrip("-").replace("-", "_"): word, "levels": list(ADMIN_LEVELS)},
    )


def count_per_area(
    nodes: Mapping[str, Node],
    placement: Sequence[tuple[str, str, str]],
    ids: Sequence[str],
    level: str,
) -> dict[str, Any]:
    """For every Area at ``level``, the entities of ``ids`` within it (the rule of
    ``within=``), most first, then by id; the areas holding none; and the entities within no
    area of the level (``unplaced``). An entity within two areas of the level counts in
    both.

    >>> nodes = {i: Node(i, "Area", {"admin_level": "provincial", "name": i}) for i in "pq"}
    >>> nodes.update({i: Node(i, "Person", {"name": i}) for i in ("a", "b", "c")})
    >>> rows = [("a", "LOCATED_IN", "p"), ("b", "OPERATES_IN", "p")]
    >>> doc = count_per_area(nodes, rows, ["a", "b", "c"], "provincial")
    >>> [(r["id"], r["count"], r["entities"]) for r in doc["per_area"]]
    [('p', 2, ['a', 'b']), ('q', 0, [])]
    >>> doc["areas_without"], doc["unplaced"]
    (['q'], ['c'])
    """
    from graph_service import budget

    contain = Containment(nodes, placement, level)
    members: dict[str, list[str]] = {a: [] for a in contain.areas}
    unplaced = []
    for step, i in enumerate(sorted(ids)):
        if not step & 4095:
            budget.check()
        holding = contain.holding(i)
        if not holding:
            unplaced.append(i)
        for a in holding:
            members[a].append(i)
    order = sorted(members, key=lambda a: (-len(members[a]), a))
    rows = [
        {"id": a, "name": nodes[a].name, "count": len(members[a]), "entities": members[a]}
        for a in order
    ]
    return {
        "level": level,
        "per_area": rows,
        "areas_without": [a for a in contain.areas if not members[a]],
        "unplaced": unplaced,
    }


def count_by(nodes: Mapping[str, Node], ids: Sequence[str], attribute: str) -> dict[str, int]:
    """How many of ``ids`` have each value of ``attribute`` (``kind``, ``level`` or a
    property; each value of a list; ``"null"``: without it), most first, then by value: the
    one rule of every ``--breakdown`` (reach, unlinked, find, overlap).

    >>> nodes = {"a": Node("a", "Person", {"tags": ["x", "y"]}), "b": Node("b", "Person"),
    ...          "c": Node("c", "Person", {"year": 2008.0})}
    >>> count_by(nodes, ["a", "b"], "tags"), count_by(nodes, ["c"], "year")
    ({'null': 1, 'x': 1, 'y': 1}, {'2008': 1})
    """
    counts: dict[str, int] = {}
    for i in ids:
        node = nodes[i]
        if attribute == "kind":
            values: list[Any] = [node.kind]
        elif attribute == "level":
            values = [node.level]
        else:
            value = node.props.get(attribute)
            values = value if isinstance(value, list) else [value]
        values = [v for v in values if v is not None and v != ""] or [None]
        for v in values:
            key = "null" if v is None else value_text(v)
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def value_text(value: Any) -> str:
    """A property value as a JSON key: ``true``/``false``, whole floats without ``.0``.

    >>> value_text(True), value_text(2.0), value_text("ทางการ")
    ('true', '2', 'ทางการ')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def find_breakdown(
    store: GraphStore,
    where: str | Sequence[str],
    breakdown: str | None = None,
    per_area_level: str | None = None,
) -> dict[str, Any]:
    """The ``find`` document with breakdowns (CONTRACT.md section 2b, extended by issue 12):

    - ``breakdown`` (an attribute: ``kind``, ``level`` or a property): ``"breakdown_by"``
      and ``"breakdown": {value: count}`` over the entities found, each value of a list
      counted, the entities without it under ``"null"``, most first;
    - ``per_area_level`` (an admin level: ``provincial``, ``province``, ``จังหวัด``, …):
      ``"per_area"``: for every Area at that level, ``{"id", "name", "count",
      "entities": [ids]}`` of the entities found within it (the rule of ``within=``: the
      area, areas PART_OF it transitively, and what is LOCATED_IN or OPERATES_IN them),
      most first; ``"areas_without"``: the areas of the level holding none;
      ``"unplaced"``: the entities found that are within no area of the level;
    - both: each area of ``per_area`` also gets its ``"breakdown"``, and
      ``"areas_per_value"`` says in how many areas of the level each value is present, most
      first ("which partner types appear in several regions").
    """
    flt = parse_filter(where)
    if flt is None:
        raise InvalidInput("give a filter: --where ATTR=V1,V2 (e.g. kind=Organisation)")
    arrays = placement_arrays(store)
    level = check_level(arrays.nodes, per_area_level, "--per-area") if per_area_level else None
    ids = select(store, flt, arrays)
    doc: dict[str, Any] = {
        "where": flt.text,
        "count": len(ids),
        "entities": [
            {"id": i, "kind": arrays.nodes[i].kind, "name": arrays.nodes[i].name} for i in ids
        ],
    }
    if breakdown is not None and breakdown.strip():
        doc["breakdown_by"] = breakdown.strip()
        doc["breakdown"] = count_by(arrays.nodes, ids, breakdown.strip())
    if level is not None:
        rows = [
            (arrays.ids[s], arrays.types[t], arrays.ids[d])
            for s, d, t in zip(
                arrays.src.tolist(), arrays.dst.tolist(), arrays.type.tolist(), strict=True
            )
            if arrays.types[t] in PLACEMENT_TYPES
        ]
        doc |= count_per_area(arrays.nodes, rows, ids, level)
        if "breakdown" in doc:
            spread: dict[Any, int] = {}
            for area in doc["per_area"]:
                area["breakdown"] = count_by(arrays.nodes, area["entities"], doc["breakdown_by"])
                for value in area["breakdown"]:
                    spread[value] = spread.get(value, 0) + 1
            doc["areas_per_value"] = dict(
                sorted(spread.items(), key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))
            )
    return doc


# -- tie filters (gaps --tie-where) -----------------------------------------------------------

#: filter terms that choose entities, never ties
ENTITY_TERMS = ("kind", "level", "tag", "within", "id")


@dataclass(frozen=True)
class TieFilter:
    """Terms on a relationship, as ``ties --where`` reads them (``analysis.ties``): ``type=
    T1,T2``, ``direction=`` (the stated or derived direction, ``horizontal`` or
    ``vertical``) or any relationship property (``formality=formal``, ``policy=local``);
    all must hold, a list means any, values compared as the filter compares them (case,
    spacing and Thai digits do not matter; numbers as numbers).

    >>> from graph_service.domain import Edge
    >>> f = parse_tie_filter(["policy=Local", "type=partners_with"])
    >>> nodes = {i: Node(i, "Organisation") for i in "ab"}
    >>> f.matches(Edge("a", "PARTNERS_WITH", "b", {"policy": " local "}), nodes)
    True
    >>> f.matches(Edge("a", "MENTORS", "b", {"policy": "local"}), nodes)
    False
    """

    terms: tuple[Term, ...]

    @property
    def text(self) -> list[str]:
        return [t.text for t in self.terms]

    def matches(self, edge: Any, nodes: Mapping[str, Node]) -> bool:
        """True when every term holds for ``edge`` (its ends' entities in ``nodes``, which
        ``direction=`` reads)."""
        from graph_service.domain import direction_of

        for term in self.terms:
            if term.attribute == "type":
                if not any(edge.type == str(v).upper() for v in term.values):
                    return False
            elif term.attribute == "direction":
                if not value_holds(term, direction_of(edge, nodes)):
                    return False
            elif not value_holds(term, edge.props.get(term.attribute)):
                return False
        return True


def parse_tie_filter(where: str | Sequence[str] | None) -> TieFilter | None:
    """The tie filter of ``where`` (terms as for :func:`parse_filter`); None when empty. A
    term on entities (``kind=``, ``level=``, ``tag=``, ``within=``, ``id=``) is an error."""
    flt = parse_filter(where)
    if flt is None:
        return None
    for term in flt.terms:
        if term.attribute in ENTITY_TERMS:
            raise InvalidInput(
                f"tie filter term {term.text!r}: {term.attribute}= chooses entities, not ties; "
                "a tie term names a property of the relationship (e.g. formality=formal), "
                "type= or direction=",
                {"term": term.text},
            )
    return TieFilter(flt.terms)


def value_holds(term: Term, stored: Any) -> bool:
    """True when a stored value (a property of an entity or of a relationship; a list holds
    a value when one of its items does) is one of ``term``'s values, compared as the filter
    compares them.

    >>> value_holds(parse_filter("formality=Formal").terms[0], "formal")
    True
    >>> value_holds(parse_filter("year=2551").terms[0], 2008), value_holds(
    ...     parse_filter("tag=a").terms[0], ["b", "a"])
    (True, True)
    """
    if stored is None or stored == "":
        return False
    if isinstance(stored, list):
        return any(_key(v) in term.keys for v in stored)
    return stored in term.values or _key(stored) in term.keys

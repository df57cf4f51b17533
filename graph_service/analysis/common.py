"""What the analyses share: the actor tie graph and the groups actors fall into.

CONTRACT.md section 2: actors are Person, Organisation and Network; for brokerage a tie is
a relationship between two actors, read as an arc from ``source`` to ``target``; symmetric
types (PARTNERS_WITH, SHARES_KNOWLEDGE_WITH) count both ways; ``types`` keeps only the named
types; ``undirected`` reads every tie both ways.

Every analysis first loads what it needs from the store (``store.subgraph``), then computes
in memory on integer-indexed numpy arrays, so both stores give the same answer: ids are
sorted, arcs are de-duplicated and sorted, and nothing depends on the order a store returns.

numpy is imported by the functions that use it, not with this module: ``reach`` uses the
checks here and no arrays, and the command line should not pay for numpy there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph_service import budget
from graph_service.domain import (
    ACTOR_KINDS,
    KINDS,
    SYMMETRIC_TYPES,
    Node,
    Subgraph,
    is_relationship_type,
)
from graph_service.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np

    from graph_service.store.arrays import GraphArrays

#: --group-by values that are not properties
GROUP_BY_SPECIAL = ("kind", "level", "member_of", "member_of:ID", "ATTR:VALUE")
#: properties whose text holds several values separated by ``|`` (CONTRACT.md section 1)
MULTI_VALUED = frozenset({"tags"})
MAX_DEPTH = 10


@dataclass
class TieGraph:
    """Actors (sorted ids) and the arcs between them as two int arrays, de-duplicated,
    sorted, without self-ties. ``nodes`` holds the actors' entities."""

    ids: list[str]
    nodes: dict[str, Node]
    src: np.ndarray
    dst: np.ndarray
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {id_: i for i, id_ in enumerate(self.ids)}

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return int(self.src.size)


def parse_list(text: str | Sequence[str] | None) -> list[str] | None:
    """``"A,B"`` or ``["A", "B"]`` as a clean list; None or empty as None.

    >>> parse_list(" USES, PRODUCES ,"), parse_list(""), parse_list(None)
    (['USES', 'PRODUCES'], None, None)
    """
    if text is None:
        return None
    parts = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    cleaned = [p.strip() for p in parts if p.strip()]
    return cleaned or None


def check_types(types: Sequence[str] | None) -> list[str] | None:
    """Relationship types as given, checked to be UPPER_SNAKE_CASE."""
    if not types:
        return None
    bad = [t for t in types if not is_relationship_type(t)]
    if bad:
        raise InvalidInput(
            f"not a relationship type: {', '.join(map(repr, bad))} (types are "
            "UPPER_SNAKE_CASE, e.g. MEMBER_OF,PARTNERS_WITH)",
            {"types": bad},
        )
    return sorted(set(types))


def check_kinds(kinds: Sequence[str] | None) -> list[str] | None:
    """Entity kinds as given (case-insensitive), checked against the seven kinds."""
    if not kinds:
        return None
    by_lower = {k.lower(): k for k in KINDS}
    out, bad = [], []
    for k in kinds:
        (out.append(by_lower[k.lower()]) if k.lower() in by_lower else bad.append(k))
    if bad:
        raise InvalidInput(
            f"unknown kind {', '.join(map(repr, bad))}; the kinds are {', '.join(KINDS)}",
            {"kinds": bad},
        )
    return sorted(set(out))


def check_depth(depth: int, what: str = "depth") -> int:
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_DEPTH:
        raise InvalidInput(
            f"{what} must be a whole number from 1 to {MAX_DEPTH}, not {depth!r}",
            {what: depth},
        )
    return depth


def actor_ties(
    sub: Subgraph, types: Sequence[str] | None = None, undirected: bool = False
) -> TieGraph:
    """The actor tie graph of a subgraph (CONTRACT.md section 2)."""
    wanted = set(types) if types else None
    actors = {i: n for i, n in sub.nodes.items() if n.kind in ACTOR_KINDS}
    ids = sorted(actors)
    index = {id_: i for i, id_ in enumerate(ids)}
    pairs: list[tuple[int, int]] = []
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if wanted is not None and e.type not in wanted:
            continue
        a, b = index.get(e.source), index.get(e.target)
        if a is None or b is None or a == b:
            continue
        pairs.append((a, b))
        if undirected or e.type in SYMMETRIC_TYPES:
            pairs.append((b, a))
    return TieGraph(ids, actors, *arcs_from_pairs(pairs, len(ids)), index=index)


def actor_ties_of_arrays(
    arrays: GraphArrays, types: Sequence[str] | None = None, undirected: bool = False
) -> TieGraph:
    """:func:`actor_ties` of a graph a store read as arrays (``GraphStore.graph_arrays``):
    the same ``TieGraph``, without a Python loop over the relationships."""
    import numpy as np

    actor = np.fromiter(
        (arrays.nodes[i].kind in ACTOR_KINDS for i in arrays.ids), dtype=bool, count=arrays.n
    )
    ids = [i for i, keep in zip(arrays.ids, actor.tolist(), strict=True) if keep]
    position = np.cumsum(actor) - 1
    keep = actor[arrays.src] & actor[arrays.dst] & (arrays.src != arrays.dst)
    if types:
        keep &= np.isin(arrays.type, [c for c, t in enumerate(arrays.types) if t in set(types)])
    src, dst, type_ = position[arrays.src[keep]], position[arrays.dst[keep]], arrays.type[keep]
    if undirected:
        both = np.ones(src.size, dtype=bool)
    else:
        symmetric = [c for c, t in enumerate(arrays.types) if t in SYMMETRIC_TYPES]
        both = np.isin(type_, symmetric)
    n = max(len(ids), 1)
    codes = np.sort(np.concatenate([src * n + dst, dst[both] * n + src[both]]))
    # distinct codes, as np.unique gives them (which would import numpy.ma: 15 ms)
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if codes.size else codes
    nodes = {i: arrays.nodes[i] for i in ids}
    return TieGraph(ids, nodes, codes // n, codes % n)


def arcs_from_pairs(pairs: Iterable[tuple[int, int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """De-duplicated arcs sorted by (source, target), as two int64 arrays."""
    import numpy as np

    arr = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    if arr.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = np.unique(arr[:, 0] * max(n, 1) + arr[:, 1])
    return codes // max(n, 1), codes % max(n, 1)


@dataclass
class Groups:
    """Which group each actor falls into under ``attribute``; None is the group of actors
    without the attribute."""

    attribute: str
    labels: list[str | None]
    missing: int

    def codes(self) -> tuple[np.ndarray, list[str | None]]:
        """An int code per actor and the label of each code (labels sorted, None last)."""
        import numpy as np

        distinct: list[str | None] = [*sorted({lab for lab in self.labels if lab is not None})]
        if any(lab is None for lab in self.labels):
            distinct.append(None)
        code = {lab: i for i, lab in enumerate(distinct)}
        return np.array([code[lab] for lab in self.labels], dtype=np.int64), distinct

    def sizes(self) -> dict[str | None, int]:
        return dict(Counter(self.labels))

    def describe(self) -> dict[str, Any]:
        """The groups and their sizes, and what happened to actors without the attribute."""
        sizes = self.sizes()
        out: dict[str, Any] = {
            "attribute": self.attribute,
            "groups": [
                {"group": g, "actors": sizes[g]}
                for g in sorted(sizes, key=lambda g: (g is None, str(g)))
            ],
        }
        if self.missing:
            out["note"] = (
                f"{self.missing} actor(s) have no {self.attribute!r}; they form the group null"
            )
        return out


def _label(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return "|".join(sorted(str(v) for v in value)) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _values(value: Any, attribute: str) -> list[str]:
    """The distinct values of a property for grouping: each item of a list, the parts of a
    ``|``-separated ``tags`` text, or the one value (none when empty).

    >>> _values(["fisher", "farmer"], "tags"), _values(" a | b ", "tags"), _values(2.0, "x")
    (['farmer', 'fisher'], ['a', 'b'], ['2'])
    """
    if isinstance(value, list):
        items = [_label(v) for v in value]
    elif isinstance(value, str) and attribute in MULTI_VALUED:
        items = [p.strip() or None for p in value.split("|")]
    else:
        items = [_label(value)]
    return sorted({i for i in items if i is not None})


def group_actors(
    nodes: Mapping[str, Node],
    ids: Sequence[str],
    attribute: str,
    sub: Subgraph | None = None,
    member_of: Iterable[tuple[str, str]] | None = None,
) -> Groups:
    """Group the actors ``ids`` by ``attribute``.

    - ``kind`` and ``level`` (the INN level) are the entity's own;
    - ``member_of``: the networks the actor is MEMBER_OF (ids joined by ``|``); a network is
      its own group when it is a member of none;
    - ``member_of:NET``: ``NET`` for the network and its direct members, ``not NET`` for the
      others;
    - any other name is a property the data gave (``sector``, ``admin_level``, ...). A name
      no actor carries is an error that lists the attributes actors have. A property with
      several values (a list, such as ``tags``: a cell ``a|b`` is the two tags a and b) puts
      an actor with one value in that value's group; an actor with several cannot be in one
      group, so that is an error that names ``ATTR:VALUE``;
    - ``ATTR:VALUE``: ``VALUE`` for the actors whose ATTR is or includes VALUE (``tags:fisher``),
      ``not VALUE`` for the others.
    The MEMBER_OF relationships come from ``sub``, or as (source, target) pairs in
    ``member_of`` (what ``GraphArrays.pairs_of`` gives).
    """
    attribute = attribute.strip()
    if not attribute:
        raise InvalidInput("the attribute to group by is empty")
    labels: list[str | None]
    if attribute == "kind":
        labels = [nodes[i].kind for i in ids]
    elif attribute == "level":
        labels = [nodes[i].level for i in ids]
    elif attribute == "member_of" or attribute.startswith("member_of:"):
        networks = {i for i in ids if nodes[i].kind == "Network"}
        if member_of is None:
            edges = sub.edges if sub is not None else ()
            member_of = ((e.source, e.target) for e in edges if e.type == "MEMBER_OF")
        member: dict[str, set[str]] = {}
        for source, target in member_of:
            if target in networks and source in nodes:
                member.setdefault(source, set()).add(target)
        if attribute == "member_of":
            labels = [
                "|".join(sorted(member[i])) if i in member else (i if i in networks else None)
                for i in ids
            ]
        else:
            net = attribute.split(":", 1)[1].strip()
            if net not in networks:
                raise InvalidInput(
                    f"--group-by {attribute}: no network has the id {net!r}",
                    {"attribute": attribute},
                )
            labels = [net if i == net or net in member.get(i, ()) else f"not {net}" for i in ids]
    elif ":" in attribute:
        name, wanted = (part.strip() for part in attribute.split(":", 1))
        values = [_values(nodes[i].props.get(name), name) for i in ids]
        if not any(wanted in v for v in values):
            present = sorted({x for v in values for x in v})
            raise InvalidInput(
                f"--group-by {attribute}: no actor has {wanted!r} in {name!r}"
                + (f"; the values are {', '.join(present[:20])}" if present else ""),
                {"attribute": attribute, "values": present[:20]},
            )
        labels = [wanted if wanted in v else f"not {wanted}" for v in values]
    else:
        raw = [nodes[i].props.get(attribute) for i in ids]
        multi = attribute in MULTI_VALUED
        labels = [
            None if isinstance(v, list) or (multi and isinstance(v, str)) else _label(v)
            for v in raw
        ]
        several: list[tuple[str, list[str]]] = []
        for k, value in enumerate(raw):  # lists, and tags texts: their distinct values
            if isinstance(value, list) or (multi and isinstance(value, str)):
                vals = _values(value, attribute)
                if len(vals) > 1:
                    several.append((ids[k], vals))
                labels[k] = vals[0] if vals else None
        if several:
            first, vals = several[0]
            raise InvalidInput(
                f"{len(several)} actor(s) have more than one {attribute!r} value (e.g. "
                f"{first}: {', '.join(vals)}); an actor falls in one group only, so group one "
                f"value against the rest: {attribute}:{vals[0]} (or {attribute}:{vals[1]}, ...)",
                {"attribute": attribute, "actor": first, "values": vals},
            )
        if ids and all(lab is None for lab in labels):
            raise InvalidInput(
                f"unknown attribute {attribute!r} to group by: no actor has it; the actors' "
                f"attributes are {', '.join(actor_attributes(nodes, ids))} (also: "
                f"{', '.join(GROUP_BY_SPECIAL)})",
                {"attribute": attribute},
            )
    missing = sum(1 for lab in labels if lab is None)
    return Groups(attribute, labels, missing)


def require_two_groups(
    labels: Sequence[str | None], actors: int, attribute: str, what: str
) -> None:
    """Refuse a grouping that puts every actor in one group: ``what`` needs two or more."""
    if len(labels) < 2:
        only = labels[0] if labels else None
        raise InvalidInput(
            f"all {actors} actors fall in one group ({only!r}) under {attribute!r}: {what} "
            "need two groups or more; group by another attribute (admin_level, sector, kind, "
            "level, member_of)",
            {"attribute": attribute, "group": only},
        )


def actor_attributes(nodes: Mapping[str, Node], ids: Sequence[str]) -> list[str]:
    """The property names actors carry, except free text (name, description, ...)."""
    skip = {"name", "name_en", "description", "evidence", "aliases", "note"}
    keys: set[str] = set()
    for i in ids:
        keys.update(k for k in nodes[i].props if k not in skip)
    return sorted(keys)


def clean_floats(values: Any, digits: int = 10) -> list[float | None]:
    """:func:`clean_float` of every value of an array, as a list: computed once per
    distinct value (a report's z-scores take few), the same to the last bit.

    >>> clean_floats([1/3, float("nan"), 1/3, -0.0])
    [0.3333333333, None, 0.3333333333, 0.0]
    """
    import numpy as np

    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        return []
    distinct, inverse = np.unique(arr, return_inverse=True)
    cleaned = np.array([clean_float(x, digits) for x in distinct.tolist()], dtype=object)
    out: list[float | None] = cleaned[inverse.ravel()].tolist()
    return out


def clean_float(x: float | None, digits: int = 10) -> float | None:
    """A float fit for JSON: rounded so that both stores print the same, NaN and inf as None.

    >>> clean_float(float("nan")), clean_float(1/3)
    (None, 0.3333333333)
    """
    if x is None:
        return None
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        return None
    r = round(x, digits)
    return 0.0 if r == 0 else r

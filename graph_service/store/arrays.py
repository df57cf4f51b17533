"""A graph read as arrays: the entities of some kinds and the relationships among them as
integer positions, without an ``Edge`` object (or a parse of its properties) per row.

An analysis that computes on integer indices (brokerage on 10,000 actors and 30,000 ties)
needs the ends and the type of each relationship, not its properties; building an ``Edge``
for each row cost more than the computation. Both stores give the same ``GraphArrays`` for
the same graph (tests/contract/test_graph_arrays_contract.py): the ids are sorted and the
relationships sorted by (source, target, type), whatever order the store reads them in.

The embedded store keeps the whole graph's arrays in its file per graph version
(``EmbeddedStore.graph_arrays``); their entities are a :class:`NodeTable` that makes each
``Node`` when it is first asked for, and that gives the kinds and the properties of every
entity as columns (``GraphArrays.kind_codes``, ``GraphArrays.props_list``) without making
one ``Node`` per entity.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from graph_service.domain import Node

if TYPE_CHECKING:
    import numpy as np


@dataclass
class GraphArrays:
    """``ids`` sorted and their entities; one row per relationship whose two ends are among
    them: ``src`` and ``dst`` are positions in ``ids``, ``type`` a position in ``types``
    (the distinct types, sorted). Rows are sorted by (src, dst, type); a pair of entities
    may have several relationships, of one type or more."""

    ids: list[str]
    nodes: Mapping[str, Node]
    src: np.ndarray
    dst: np.ndarray
    type: np.ndarray
    types: list[str]
    _kinds: tuple[np.ndarray, list[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return int(self.src.size)

    def pairs_of(self, type_: str) -> list[tuple[str, str]]:
        """(source id, target id) of every relationship of ``type_``."""
        if type_ not in self.types:
            return []
        mask = self.type == self.types.index(type_)
        pairs = zip(self.src[mask].tolist(), self.dst[mask].tolist(), strict=True)
        return [(self.ids[a], self.ids[b]) for a, b in pairs]

    def kind_codes(self) -> tuple[np.ndarray, list[str]]:
        """Each entity's kind as a position in the distinct kinds (sorted), and those
        kinds: ``names[codes[i]]`` is the kind of ``ids[i]``."""
        if self._kinds is None:
            if isinstance(self.nodes, NodeTable):
                self._kinds = (self.nodes.kinds, self.nodes.kind_names)
            else:
                import numpy as np

                kinds = [self.nodes[i].kind for i in self.ids]
                names = sorted(set(kinds))
                code = {k: c for c, k in enumerate(names)}
                self._kinds = (
                    np.fromiter(map(code.__getitem__, kinds), np.int64, len(kinds)),
                    names,
                )
        return self._kinds

    def kind_mask(self, kinds: Iterable[str]) -> np.ndarray:
        """True for each entity of one of ``kinds``, in the order of ``ids``."""
        import numpy as np

        codes, names = self.kind_codes()
        wanted = set(kinds)
        allowed = np.array([k in wanted for k in names], dtype=bool)
        return allowed[codes] if names else np.zeros(self.n, dtype=bool)

    def props_list(self) -> list[dict[str, Any]]:
        """The properties of each entity, in the order of ``ids`` (the entities' own
        dictionaries: read them, do not change them)."""
        if isinstance(self.nodes, NodeTable):
            return self.nodes.props()
        return [self.nodes[i].props for i in self.ids]

    def positions_of(self, ids: Iterable[str]) -> list[int]:
        """The positions in ``ids`` of those of ``ids`` given that are here, ascending."""
        found = set()
        for id_ in ids:
            at = bisect_left(self.ids, id_)
            if at < len(self.ids) and self.ids[at] == id_:
                found.add(at)
        return sorted(found)


class NodeTable(Mapping[str, Node]):
    """The entities of :class:`GraphArrays` as columns: ``ids`` (sorted), ``kinds`` (a
    position in ``kind_names`` per entity) and ``props`` (a function that gives the list of
    their properties, read once, when first needed). A ``Node`` is made when it is asked
    for, so a question that needs the kinds of 100,000 entities, or one property, never
    makes 100,000 of them.

    >>> import numpy as np
    >>> t = NodeTable(["a", "b"], np.array([1, 0]), ["Area", "Person"], lambda: [{}, {"x": 1}])
    >>> t["b"], "c" in t, len(t)
    (Node(id='b', kind='Area', props={'x': 1}), False, 2)
    """

    def __init__(
        self,
        ids: Sequence[str],
        kinds: np.ndarray,
        kind_names: list[str],
        props: Callable[[], list[dict[str, Any]]],
    ) -> None:
        self.ids = ids
        self.kinds = kinds
        self.kind_names = kind_names
        self._read_props = props
        self._props: list[dict[str, Any]] | None = None
        self._made: dict[int, Node] = {}

    def props(self) -> list[dict[str, Any]]:
        if self._props is None:
            props = self._read_props()
            if len(props) != len(self.ids):
                raise ValueError(f"{len(props)} property sets for {len(self.ids)} entities")
            self._props = props
        return self._props

    def _position(self, key: object) -> int:
        if isinstance(key, str):
            at = bisect_left(self.ids, key)
            if at < len(self.ids) and self.ids[at] == key:
                return at
        return -1

    def __getitem__(self, key: str) -> Node:
        at = self._position(key)
        if at < 0:
            raise KeyError(key)
        node = self._made.get(at)
        if node is None:
            kind = self.kind_names[int(self.kinds[at])]
            node = self._made[at] = Node(self.ids[at], kind, self.props()[at])
        return node

    def __contains__(self, key: object) -> bool:
        return self._position(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, keep: np.ndarray) -> NodeTable:
        """The entities where the boolean mask ``keep`` holds."""
        flags = keep.tolist()
        return NodeTable(
            list(compress(self.ids, flags)),
            self.kinds[keep],
            self.kind_names,
            lambda: list(compress(self.props(), flags)),
        )


def subset_arrays(
    full: GraphArrays, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
) -> GraphArrays:
    """What :func:`graph_arrays_of` gives for the entities of ``kinds`` and the
    relationships of ``types`` among them, cut from the arrays of the whole graph ``full``
    (the positions renumbered in the same order, so the rows stay sorted; with neither,
    ``full`` itself).

    >>> full = graph_arrays_of([Node("a", "Person"), Node("b", "Area"), Node("c", "Person")],
    ...                        [("a", "KNOWS", "c"), ("a", "LOCATED_IN", "b")])
    >>> part = subset_arrays(full, ["Person"])
    >>> part.ids, part.src.tolist(), part.dst.tolist(), part.types
    (['a', 'c'], [0], [1], ['KNOWS'])
    """
    import numpy as np

    if kinds is None and types is None:
        return full
    keep = full.kind_mask(kinds) if kinds is not None else np.ones(full.n, dtype=bool)
    rows = keep[full.src] & keep[full.dst]
    if types is not None:
        wanted = set(types)
        rows &= np.array([t in wanted for t in full.types] + [False], dtype=bool)[full.type]
    position = np.cumsum(keep) - 1
    src, dst, typ = position[full.src[rows]], position[full.dst[rows]], full.type[rows]
    used = np.zeros(len(full.types), dtype=bool)
    used[typ] = True
    renumber = np.cumsum(used) - 1
    type_names = [t for t, u in zip(full.types, used.tolist(), strict=True) if u]
    if isinstance(full.nodes, NodeTable):
        nodes: Mapping[str, Node] = full.nodes.subset(keep)
        ids = list(nodes)
    else:
        ids = list(compress(full.ids, keep.tolist()))
        nodes = {i: full.nodes[i] for i in ids}
    return GraphArrays(ids, nodes, src, dst, renumber[typ].astype(np.int64), type_names)


def graph_arrays_of(nodes: Iterable[Node], edges: Iterable[tuple[str, str, str]]) -> GraphArrays:
    """The arrays of ``nodes`` and of the ``(source, type, target)`` rows among them (rows
    with an end outside ``nodes`` are left out).

    >>> a = graph_arrays_of([Node("b", "Person"), Node("a", "Person")],
    ...                     [("b", "KNOWS", "a"), ("a", "KNOWS", "x"), ("a", "HELPS", "b")])
    >>> a.ids, a.src.tolist(), a.dst.tolist(), [a.types[t] for t in a.type.tolist()]
    (['a', 'b'], [0, 1], [1, 0], ['HELPS', 'KNOWS'])
    """
    by_id = {node.id: node for node in nodes}
    ids = sorted(by_id)
    src, dst, typ, types = edge_arrays(ids, edges)
    return GraphArrays(ids, {i: by_id[i] for i in ids}, src, dst, typ, types)


def edge_arrays(
    ids: list[str], edges: Iterable[tuple[str, str, str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """``src``, ``dst``, ``type`` and ``types`` of :class:`GraphArrays` for the entities
    ``ids`` (sorted) and the ``(source, type, target)`` rows among them (rows with an end
    outside ``ids`` are left out)."""
    import numpy as np

    index = {id_: i for i, id_ in enumerate(ids)}
    rows = edges if isinstance(edges, list) else list(edges)
    types = sorted(set(map(itemgetter(1), rows)))
    code = {t: i for i, t in enumerate(types)}
    # C-level loops: this runs once per relationship (30,000 for brokerage's 10,000 actors)
    count = len(rows)
    src = np.fromiter(map(index.get, map(itemgetter(0), rows), repeat(-1)), np.int64, count)
    dst = np.fromiter(map(index.get, map(itemgetter(2), rows), repeat(-1)), np.int64, count)
    typ = np.fromiter(map(code.__getitem__, map(itemgetter(1), rows)), np.int64, count)
    inside = (src >= 0) & (dst >= 0)
    src, dst, typ = src[inside], dst[inside], typ[inside]
    used = np.zeros(len(types), dtype=bool)
    used[typ] = True
    if not used.all():  # types only seen on relationships that leave the entities
        renumber = np.cumsum(used) - 1
        types = [t for t, u in zip(types, used.tolist(), strict=True) if u]
        typ = renumber[typ]
    order = np.lexsort((typ, dst, src))
    return src[order], dst[order], typ[order], types

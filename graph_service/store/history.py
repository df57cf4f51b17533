"""History: every version of the graph kept, and the graph as it was on a day
(CONTRACT.md 2c; the design is docs/time-model.md).

Two times, kept apart:

- **Recorded time**: each version of an entity or relationship holds over ``[rec_from,
  rec_to)`` in days (ISO text). A write dated ``at`` (today, or ``import --snapshot DATE``)
  that changes a value closes the open version at ``at`` and opens the new one at ``at``;
  a delete, or a snapshot that lacks a thing, closes it without a successor. Both stores
  keep the open versions where the current graph has always been, and the closed ones
  beside them (the embedded store's ``node_history`` / ``edge_history`` tables, Neo4j's
  ``:NodeVersion`` / ``:EdgeVersion`` nodes). ``rec_from`` null: recorded before the store
  kept history (held since always).
- **Valid time from the data**: ``start`` / ``end`` (a year or a date; also ``start_year``
  / ``end_year``) narrow when a thing holds (:func:`holds_at`): a member who joined in
  2563 is no member as of 2562. A relationship's ``year`` alone (with neither) is that
  whole year: a grant of 2565, one of the "FUNDS of different years between the same
  ends" of CONTRACT.md section 1. An entity's ``year`` does not narrow it: on a fund it is
  the fund's year of record (``กองทุน … 2551``) and the fund goes on, listed in every
  later snapshot; an entity that ends says so with ``end``.

A thing holds *as of* a day when one of its versions holds then in recorded time and the
day lies in its valid interval. :func:`as_of` reads those versions from a store
(``rows_as_of``) and gives an :class:`AsOfView`: a read-only GraphStore in memory over
them, so that every question, map and export asks it exactly what it asks a store and
needs no change. Without a day, every question reads the store itself (now: the open
versions, with no valid-time filter), as before history was kept.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from graph_service.domain import Edge, Node, Stats, Subgraph, normalise_name
from graph_service.errors import InvalidInput, UsageError
from graph_service.store.arrays import GraphArrays, graph_arrays_of, subset_arrays
from graph_service.store.base import GraphStore, Progress, WriteResult, breadth_first

#: the property that holds an open version's ``rec_from`` on Neo4j (never shown)
REC_FROM = "_rec_from"
#: id sets up to this size read their relationships from the store (``edges_among``)
_LOCAL_SET = 2000
#: the properties that may narrow when a thing holds
_VALID_KEYS = ("start", "end", "year", "start_year", "end_year")
#: as-of views kept per process (the API asks the same day again and again)
_CACHE_SIZE = 4


def today() -> dt.date:
    return dt.date.today()


def day_text(day: dt.date) -> str:
    return day.isoformat()


def parse_day(text: str | None, name: str, first: bool = False) -> dt.date | None:
    """The day a date parameter of the API names (``as_of``, ``from``, ``to``; CONTRACT.md
    2c dates; a year is its last day, with ``first`` its first), None when absent or
    empty; a value that is no date is ``InvalidInput`` (422) naming the parameter. Spaces,
    tabs and line breaks read as one space (a pasted date).

    >>> parse_day("2567", "as_of"), parse_day("2566", "from", first=True), parse_day(" ", "to")
    (datetime.date(2024, 12, 31), datetime.date(2023, 1, 1), None)
    """
    if text is None or not text.strip():
        return None
    from graph_service.dataset import parse_when

    try:
        return parse_when(" ".join(text.split()), first=first)
    except ValueError as exc:
        raise InvalidInput(
            f"{name}: {text!r} is not a date ({exc}); give 2024-06-30, 30/6/2567 or a year (2567)",
            {"parameter": name, "value": text},
        ) from None


def write_day(at: str | None, last: str | None) -> str:
    """The day a write is recorded on, both stores' rule: ``at`` (a snapshot's day), which
    may not be before ``last``, the newest day already recorded (that would rewrite later
    history: ``InvalidInput``, in Thai and English); by default today, or ``last`` if it
    is later (a snapshot dated ahead).

    >>> write_day("2024-01-01", "2023-01-01"), write_day(None, "2999-01-01")
    ('2024-01-01', '2999-01-01')
    """
    if at is None:
        day = day_text(today())
        return max(day, last) if last else day
    if last is not None and at < last:
        raise InvalidInput(
            f"ภาพรวม ณ {at} เก่ากว่าภาพรวมล่าสุดที่บันทึกไว้ ({last}): นำเข้าได้เฉพาะวันที่ "
            f"{last} หรือหลังจากนั้น / the snapshot date {at} is before the newest one "
            f"already recorded ({last}); import snapshots in date order",
            {"snapshot": at, "newest": last},
        )
    return at


@dataclass(frozen=True)
class NodeVersion:
    """One version of an entity: its values and when they held in recorded time
    (``rec_to`` None: the open version; ``rec_from`` None: recorded before history)."""

    node: Node
    rec_from: str | None
    rec_to: str | None


@dataclass(frozen=True)
class EdgeVersion:
    """One version of a relationship (as :class:`NodeVersion`)."""

    edge: Edge
    rec_from: str | None
    rec_to: str | None


class HistoryStore(Protocol):
    """What a store gives for history: both stores have it."""

    def rows_as_of(self, day: str) -> tuple[list[Node], list[Edge]]:
        """The entities and relationships whose recorded interval holds ``day`` (ISO):
        open versions with ``rec_from <= day``, closed ones with ``rec_from <= day <
        rec_to``. No valid-time filter (that is :func:`as_of`'s)."""

    def versions_of(self, id: str) -> tuple[list[NodeVersion], list[EdgeVersion]]:
        """Every version of the entity ``id`` and of each relationship that starts or ends
        at it, open and closed."""

    def change_days(self) -> list[str]:
        """Every day on which something was recorded or closed, sorted."""


def _bound(value: Any, first: bool) -> dt.date | None:
    """A ``start``/``end``/``year`` value as a day: a year is its first day (``first``) or
    its last; an ISO date is itself; anything else none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if 1 <= value <= 9999:
            return dt.date(value, 1, 1) if first else dt.date(value, 12, 31)
        return None
    if isinstance(value, float) and value.is_integer():
        return _bound(int(value), first)
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def valid_interval(
    props: dict[str, Any], use_year: bool = True
) -> tuple[dt.date | None, dt.date | None]:
    """The days a thing holds by its own data, both ends included (None: open).

    ``start``/``start_year`` and ``end``/``end_year``; with neither, ``year`` is that whole
    year (``use_year``: a relationship's, not an entity's; see the module's docstring).

    >>> valid_interval({"start": 2020})
    (datetime.date(2020, 1, 1), None)
    >>> valid_interval({"year": 2019})
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    >>> valid_interval({"start": "2020-05-01", "end": 2021, "year": 2019})
    (datetime.date(2020, 5, 1), datetime.date(2021, 12, 31))
    """
    start = props.get("start", props.get("start_year"))
    end = props.get("end", props.get("end_year"))
    if start is None and end is None:
        year = props.get("year") if use_year else None
        return _bound(year, True), _bound(year, False)
    return _bound(start, True), _bound(end, False)


def holds_at(props: dict[str, Any], day: dt.date, use_year: bool = True) -> bool:
    """True when ``day`` lies in the thing's own valid interval (:func:`valid_interval`;
    ``use_year`` False for an entity).

    >>> joined = {"start": 2020}
    >>> holds_at(joined, dt.date(2019, 12, 31)), holds_at(joined, dt.date(2020, 1, 1))
    (False, True)
    """
    if not any(k in props for k in _VALID_KEYS):
        return True
    low, high = valid_interval(props, use_year)
    return (low is None or low <= day) and (high is None or day <= high)


def _matches(edge: Edge, source: str | None, type_: str | None, target: str | None) -> bool:
    return (
        (source is None or edge.source == source)
        and (type_ is None or edge.type == type_)
        and (target is None or edge.target == target)
    )


class AsOfView:
    """A read-only :class:`~graph_service.store.base.GraphStore` in memory: the graph of
    ``store`` as of ``day`` (the entities and relationships :func:`as_of` found to hold
    then). Its answers follow the stores' contract (orders included), so a question asked
    of it equals the same question asked of a store that holds that graph alone.

    ``version()`` is the store's version combined with the day, so that caches keyed by
    version (the public view's pseudonym maps) never mix two days; ``write``, ``delete``
    and ``clear`` raise ``UsageError``."""

    def __init__(
        self,
        store: GraphStore,
        day: dt.date,
        nodes: Iterable[Node] | None,
        edges: Iterable[Edge] | None,
        version: int,
    ) -> None:
        """``nodes`` and ``edges``: what holds on ``day`` (valid time applied); None: read
        from the store when first needed (:func:`as_of`), and until then the local reads
        (an entity, its relationships, a breadth-first step) ask the store for just those
        rows as of the day (``nodes_as_of`` / ``edges_as_of``), so ``reach`` or ``show`` as
        of a day costs what it costs now."""
        self.store = store
        self.day = day
        self.engine = store.engine
        self.location = store.location
        self._base_version = version
        self._lock = threading.RLock()  # graph_arrays reads the graph while holding it
        self._graph: (
            tuple[dict[str, Node], dict[str, Edge], dict[str, list[Edge]], dict[str, list[Edge]]]
            | None
        ) = None
        self._names: dict[str, str] | None = None  # made on first use (_name_keys)
        self._arrays: GraphArrays | None = None
        self._point = hasattr(store, "nodes_as_of") and hasattr(store, "edges_as_of")
        if nodes is not None:
            self._load(nodes, edges or ())

    def _load(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        by_id: dict[str, Node] = {n.id: n for n in nodes}
        by_key: dict[str, Edge] = {
            e.key: e for e in edges if e.source in by_id and e.target in by_id
        }
        out: dict[str, list[Edge]] = defaultdict(list)
        into: dict[str, list[Edge]] = defaultdict(list)
        for e in by_key.values():
            out[e.source].append(e)
            into[e.target].append(e)
        self._graph = (by_id, by_key, out, into)

    def _whole(
        self,
    ) -> tuple[dict[str, Node], dict[str, Edge], dict[str, list[Edge]], dict[str, list[Edge]]]:
        """The whole graph of the day, read once (every version that held, one read)."""
        with self._lock:
            if self._graph is None:
                nodes, edges = history_of(self.store).rows_as_of(day_text(self.day))
                self._load(
                    (n for n in nodes if holds_at(n.props, self.day, use_year=False)),
                    (e for e in edges if holds_at(e.props, self.day)),
                )
            assert self._graph is not None
            return self._graph

    @property
    def _nodes(self) -> dict[str, Node]:
        return self._whole()[0]

    @property
    def _edges(self) -> dict[str, Edge]:
        return self._whole()[1]

    @property
    def _out(self) -> dict[str, list[Edge]]:
        return self._whole()[2]

    @property
    def _in(self) -> dict[str, list[Edge]]:
        return self._whole()[3]

    def _local(self) -> bool:
        """True while the whole graph is not in memory and the store reads rows as of a
        day: the local reads then ask the store."""
        return self._graph is None and self._point

    def _held_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        rows = self.store.nodes_as_of(wanted, day_text(self.day))  # type: ignore[attr-defined]
        return {n.id: n for n in rows if holds_at(n.props, self.day, use_year=False)}

    def _held_edges(self, ids: Sequence[str]) -> list[Edge]:
        """The relationships touching ``ids`` that hold on the day, both ends held."""
        if not ids:
            return []
        rows = self.store.edges_as_of(list(ids), day_text(self.day))  # type: ignore[attr-defined]
        edges = {e.key: e for e in rows if holds_at(e.props, self.day)}
        ends = self._held_nodes({x for e in edges.values() for x in (e.source, e.target)})
        return [e for e in edges.values() if e.source in ends and e.target in ends]

    @property
    def _name_keys(self) -> dict[str, str]:
        """Each entity's name as ``find_by_name`` and ``search_names`` compare it, made
        on first use: most questions never look a name up, and normalising every name
        was a third of building the view (bench/history.py)."""
        names = self._names
        if names is None:
            names = {
                i: normalise_name(n.name) if "name" in n.props else ""
                for i, n in self._nodes.items()
            }
            self._names = names
        return names

    # -- what the view says about itself --------------------------------------------------

    def ping(self) -> None:
        self.store.ping()

    def version(self) -> int:
        return self._base_version * 1_000_000 + self.day.toordinal() % 1_000_000

    def secret(self) -> str:
        return self.store.secret()

    def close(self) -> None:
        """The store belongs to whoever opened it: left open."""

    def stats(self) -> Stats:
        kinds: dict[str, int] = defaultdict(int)
        types: dict[str, int] = defaultdict(int)
        for n in self._nodes.values():
            kinds[n.kind] += 1
        for e in self._edges.values():
            types[e.type] += 1
        return Stats(dict(kinds), dict(types), self._base_version)

    # -- reads ----------------------------------------------------------------------------

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        if self._local():
            held = self._held_nodes(ids)
            return {i: held[i] for i in dict.fromkeys(ids) if i in held}
        return {i: self._nodes[i] for i in dict.fromkeys(ids) if i in self._nodes}

    def find_by_name(self, name_key: str) -> list[Node]:
        return [self._nodes[i] for i in sorted(self._nodes) if self._name_keys[i] == name_key]

    def _touching(self, id: str) -> list[Edge]:
        if self._local():
            return self._held_edges([id]) if self._held_nodes([id]) else []
        seen = {e.key: e for e in self._out.get(id, ())}
        seen.update((e.key, e) for e in self._in.get(id, ()))
        return list(seen.values())

    def edges_of(self, id: str, offset: int = 0, limit: int | None = None) -> list[Edge]:
        rows = sorted(self._touching(id), key=lambda e: (e.type, e.source, e.target, e.key))
        return rows[offset:] if limit is None else rows[offset : offset + limit]

    def count_edges_of(self, id: str) -> int:
        return len(self._touching(id))

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        return {k: self._edges[k] for k in dict.fromkeys(keys) if k in self._edges}

    def _find(self, source: str | None, type_: str | None, target: str | None) -> list[Edge]:
        if source is not None:
            pool: Iterable[Edge] = self._out.get(source, ())
        elif target is not None:
            pool = self._in.get(target, ())
        else:
            pool = self._edges.values()
        return [e for e in pool if _matches(e, source, type_, target)]

    def find_edges(
        self,
        source: str | None = None,
        type: str | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Edge]:
        rows = sorted(self._find(source, type, target), key=lambda e: e.key)
        return rows[offset:] if limit is None else rows[offset : offset + limit]

    def count_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> int:
        return len(self._find(source, type, target))

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        wanted = set(kinds) if kinds is not None else None
        return [
            (i, key)
            for i, key in self._name_keys.items()
            if (text in key or i == text) and (wanted is None or self._nodes[i].kind in wanted)
        ]

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        wanted = set(types) if types is not None else None
        found: set[str] = set()
        if self._local():
            members = set(ids)
            for e in self._held_edges(list(members)):
                if wanted is not None and e.type not in wanted:
                    continue
                if e.source in members:
                    found.add(e.target)
                if e.target in members:
                    found.add(e.source)
            return found
        for i in ids:
            for e in self._out.get(i, ()):
                if wanted is None or e.type in wanted:
                    found.add(e.target)
            for e in self._in.get(i, ()):
                if wanted is None or e.type in wanted:
                    found.add(e.source)
        return found

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        members = set(ids)
        wanted = set(types) if types is not None else None
        if self._local() and len(members) <= _LOCAL_SET:
            return sorted(
                (
                    e
                    for e in self._held_edges(sorted(members))
                    if e.source in members
                    and e.target in members
                    and (wanted is None or e.type in wanted)
                ),
                key=lambda e: e.key,
            )
        return sorted(
            (
                e
                for i in members
                for e in self._out.get(i, ())
                if e.target in members and (wanted is None or e.type in wanted)
            ),
            key=lambda e: e.key,
        )

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, int]:
        if not self.get_nodes([start]):
            return {}
        allowed = set(kinds) if kinds else None

        def step(frontier: Sequence[str]) -> set[str]:
            reached = self.expand(frontier, types)
            if allowed is not None:
                held = self.get_nodes(reached)
                reached = {i for i in reached if i in held and held[i].kind in allowed}
            return reached

        return breadth_first(start, depth, step, limit)

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        if kinds is None:
            return sorted(self._nodes)
        wanted = set(kinds)
        return sorted(i for i, n in self._nodes.items() if n.kind in wanted)

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        wanted = set(kinds) if kinds is not None else None
        nodes = {i: n for i, n in self._nodes.items() if wanted is None or n.kind in wanted}
        type_set = set(types) if types is not None else None
        edges = [
            e
            for e in self._edges.values()
            if e.source in nodes and e.target in nodes and (type_set is None or e.type in type_set)
        ]
        return Subgraph(nodes, edges)

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        with self._lock:
            if self._arrays is None:
                self._arrays = graph_arrays_of(
                    self._nodes.values(),
                    [(e.source, e.type, e.target) for e in self._edges.values()],
                )
        return subset_arrays(self._arrays, kinds, types)

    # -- no writes ------------------------------------------------------------------------

    def _read_only(self) -> UsageError:
        return UsageError(
            f"the graph as of {self.day.isoformat()} is history and cannot be changed "
            "(write without --as-of)"
        )

    def write(
        self,
        nodes: Sequence[Node],
        edges: Sequence[Edge],
        progress: Progress | None = None,
        *,
        replace: bool = False,
        expected_version: int | None = None,
        at: str | None = None,
        snapshot: bool = False,
    ) -> WriteResult:
        raise self._read_only()

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
        at: str | None = None,
    ) -> WriteResult:
        raise self._read_only()

    def clear(self) -> None:
        raise self._read_only()


_cache: OrderedDict[tuple[str, str, int, dt.date], AsOfView] = OrderedDict()
_cache_lock = threading.Lock()


def history_of(store: GraphStore) -> HistoryStore:
    """The store's history, or ``InvalidInput`` for a view that has none (the public view
    of a store is asked through :func:`as_of` on the store, then wrapped)."""
    if not hasattr(store, "rows_as_of"):
        raise InvalidInput(f"this store ({store.engine}) keeps no history", {})
    return store  # type: ignore[return-value]


def as_of(store: GraphStore, day: dt.date) -> AsOfView:
    """The graph of ``store`` as it was on ``day``: versions recorded by then and still
    open then, kept when ``day`` lies in their own valid interval (:func:`holds_at`), and
    the relationships whose two ends are kept. The last few views are kept per process
    (by store, version and day)."""
    if isinstance(store, AsOfView):
        store = store.store
    version = store.version()
    key = (store.engine, store.location, version, day)
    with _cache_lock:
        view = _cache.get(key)
        if view is not None and view.store is store:
            _cache.move_to_end(key)
            return view
    history_of(store)  # a store without history: said now, not at the first read
    view = AsOfView(store, day, None, None, version)
    with _cache_lock:
        _cache[key] = view
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return view


def recorded_since(store: GraphStore) -> str | None:
    """The first day the store recorded anything, or None (nothing, or only rows from
    before history was kept)."""
    days = history_of(store).change_days()
    return days[0] if days else None


#: the day :func:`all_versions` reads the versions recorded before history was kept on
#: (before any recorded day)
_BEFORE_ALL = "0001-01-01"


def all_versions(store: GraphStore) -> tuple[list[NodeVersion], list[EdgeVersion]]:
    """Every version of every entity and relationship the store ever held, with its
    recorded interval (``rec_from`` None: held before history was kept; ``rec_to`` None:
    still open), oldest first per thing. No valid-time filter (that is the caller's).

    Built from the store's own reads, so it is the same on both stores: versions change
    only on the store's ``change_days``, so the rows of ``rows_as_of(day)`` hold from each
    such day to the next, and one read before the first day gives what was recorded before
    history. A thing whose values are the same on two consecutive days is one version;
    one that is absent in between (left, then came back) has two.
    """
    from graph_service import budget

    history = history_of(store)
    days = [_BEFORE_ALL, *(d for d in history.change_days() if d > _BEFORE_ALL)]
    nodes: list[NodeVersion] = []
    edges: list[EdgeVersion] = []
    open_nodes: dict[str, tuple[Node, str | None]] = {}
    open_edges: dict[str, tuple[Edge, str | None]] = {}
    for index, day in enumerate(days):
        budget.check()
        since = None if index == 0 else day
        node_rows, edge_rows = history.rows_as_of(day)
        seen_nodes: dict[str, tuple[Node, str | None]] = {}
        for n in node_rows:
            held = open_nodes.pop(n.id, None)
            if held is not None and (held[0].kind, held[0].props) == (n.kind, n.props):
                seen_nodes[n.id] = held
            else:
                if held is not None:
                    nodes.append(NodeVersion(held[0], held[1], day))
                seen_nodes[n.id] = (n, since)
        for node, start in open_nodes.values():
            nodes.append(NodeVersion(node, start, day))
        open_nodes = seen_nodes
        seen_edges: dict[str, tuple[Edge, str | None]] = {}
        for e in edge_rows:
            was = open_edges.pop(e.key, None)
            if was is not None and (was[0].source, was[0].type, was[0].target, was[0].props) == (
                e.source,
                e.type,
                e.target,
                e.props,
            ):
                seen_edges[e.key] = was
            else:
                if was is not None:
                    edges.append(EdgeVersion(was[0], was[1], day))
                seen_edges[e.key] = (e, since)
        for edge, start in open_edges.values():
            edges.append(EdgeVersion(edge, start, day))
        open_edges = seen_edges
    nodes.extend(NodeVersion(node, start, None) for node, start in open_nodes.values())
    edges.extend(EdgeVersion(edge, start, None) for edge, start in open_edges.values())
    nodes.sort(key=lambda v: (v.node.id, v.rec_from or ""))
    edges.sort(key=lambda v: (v.edge.key, v.rec_from or ""))
    return nodes, edges


__all__ = [
    "REC_FROM",
    "AsOfView",
    "EdgeVersion",
    "HistoryStore",
    "NodeVersion",
    "all_versions",
    "as_of",
    "day_text",
    "history_of",
    "holds_at",
    "parse_day",
    "recorded_since",
    "today",
    "valid_interval",
    "write_day",
]

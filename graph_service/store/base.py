"""The GraphStore protocol: what every store does, so one contract suite tests them all.

Two implementations: :class:`~graph_service.store.embedded.EmbeddedStore` (SQLite, one file,
the default) and :class:`~graph_service.store.neo4j_store.Neo4jStore` (Neo4j 5.26 over Bolt).
The same question must give the same answer on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from graph_service.domain import Edge, Node, Props, Stats, Subgraph
from graph_service.errors import StoreUnavailable

#: called with (what, done, total) as a write makes progress
Progress = Callable[[str, int, int], None]

#: property keys a store keeps for itself on entities and on relationships
#: (Neo4j keeps an open version's first day in ``_rec_from``, and a closed version's kind,
#: ends and last day in ``_kind``, ``_source``, ``_type``, ``_target`` and ``_rec_to``)
NODE_INTERNAL_KEYS = frozenset({"id", "name_key", "_rec_from", "_rec_to", "_kind"})
EDGE_INTERNAL_KEYS = frozenset({"key", "_rec_from", "_rec_to", "_source", "_type", "_target"})


class StoreBusy(StoreUnavailable):
    """Another writer (another import) holds the store, and this write waited as long as it
    may (``lock_wait``, or its request's budget): nothing was written. The store is there;
    the client tries again later (HTTP 503 with the code ``store_busy``; exit 3)."""

    code = "store_busy"


@dataclass
class WriteResult:
    """What one write or delete changed: counts of created, updated, unchanged and deleted
    entities and relationships, and the graph's version after it (it moves only when
    something changed)."""

    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_unchanged: int = 0
    edges_created: int = 0
    edges_updated: int = 0
    edges_unchanged: int = 0
    version: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    nodes_deleted: int = 0
    edges_deleted: int = 0

    @property
    def changed(self) -> int:
        return (
            self.nodes_created
            + self.nodes_updated
            + self.nodes_deleted
            + self.edges_created
            + self.edges_updated
            + self.edges_deleted
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": {
                "created": self.nodes_created,
                "updated": self.nodes_updated,
                "unchanged": self.nodes_unchanged,
                "deleted": self.nodes_deleted,
            },
            "relationships": {
                "created": self.edges_created,
                "updated": self.edges_updated,
                "unchanged": self.edges_unchanged,
                "deleted": self.edges_deleted,
            },
            "version": self.version,
        }


@runtime_checkable
class GraphStore(Protocol):
    """A store of the INN graph. Every method raises ``StoreUnavailable`` when the store
    cannot be reached."""

    #: "embedded" or "neo4j"
    engine: str
    #: where the data lives, for messages and /health (never with a password)
    location: str

    def ping(self) -> None:
        """Return when the store answers; raise ``StoreUnavailable`` otherwise."""

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
        """Upsert entities and relationships in one transaction: all of it or none.

        History (``store.history``): what the write changes keeps its old version, closed
        on ``at`` (an ISO day, default today; not before the newest day already recorded,
        else ``InvalidInput``), and the new one holds from ``at``. ``snapshot``: the write
        is the whole network on ``at`` (written as given, as ``replace``), so what the store
        holds and the write lacks ends on ``at``: every entity but an Area, every
        relationship but an Area's PART_OF another Area (places do not leave a network).

        With ``expected_version``, the write happens only if the graph's version is still
        that one once the write holds the graph (else ``VersionChanged``, nothing written):
        a check made before the write (this id is free; these ends exist) then holds for it.

        Entities are matched by id, relationships by key. Properties are merged (a
        property absent from the new value is kept), or with ``replace`` become exactly
        the given ones (an absent property is removed; PATCH uses this). The version grows
        by one when anything changed. Every relationship's ends must exist after the write."""

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
        at: str | None = None,
    ) -> WriteResult:
        """Delete, in one transaction, the relationships whose keys are ``edge_keys`` and
        the entities whose ids are ``node_ids`` together with every relationship they have
        (only at ``expected_version``, as ``write``).

        Unknown ids and keys are ignored: ``nodes_deleted`` and ``edges_deleted`` count what
        went (a relationship once, however it was named). The version grows by one when
        anything was deleted, and stays when nothing was. What goes is kept in the history,
        closed on ``at`` (as ``write``)."""

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        """The entities among ``ids`` that exist."""

    def find_by_name(self, name_key: str) -> list[Node]:
        """Entities whose normalised name (``domain.normalise_name``) is ``name_key``."""

    def edges_of(self, id: str, offset: int = 0, limit: int | None = None) -> list[Edge]:
        """The relationships that start or end at ``id``, each once, in the order of the
        ``show`` document (type, source, target, key): ``limit`` of them (None: all) after
        the first ``offset``, cut in the store."""

    def count_edges_of(self, id: str) -> int:
        """How many relationships start or end at ``id`` (each once)."""

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        """The relationships among ``keys`` that exist, by key."""

    def find_edges(
        self,
        source: str | None = None,
        type: str | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Edge]:
        """The relationships from ``source``, of ``type`` and to ``target`` (None: any),
        sorted by key: ``limit`` of them (None: all) after the first ``offset``, cut in the
        store (a page of a hub's million relationships reads a page)."""

    def count_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> int:
        """How many relationships ``find_edges`` finds, on all pages."""

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        """``(id, name_key)`` of every entity of ``kinds`` (None: any) whose normalised name
        contains ``text`` or whose id is ``text``, in no particular order. ``text`` is
        normalised by the caller (``domain.normalise_name``); an entity without a name has
        the name key ``""``."""

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        """The ids one step from any of ``ids``, ties read both ways."""

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        """The relationships whose two ends are both in ``ids``."""

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, int]:
        """Breadth-first distances from ``start`` (0) to every entity within ``depth`` steps,
        ties read both ways, only through relationships of ``types`` and entities of
        ``kinds`` (None: any; the start is always in); with ``limit``, only the ``limit``
        nearest (the start included; ties by id). Runs in the store: on Neo4j one
        Cypher statement (``graph/distances``), so the graph is never copied out; the
        embedded store runs :func:`breadth_first`, one query per level."""

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        """The ids of every entity of ``kinds`` (None: all), sorted."""

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        """Every entity of ``kinds`` (None: all) and the relationships among them."""

    def stats(self) -> Stats:
        """Counts by kind and by relationship type, and the version."""

    def version(self) -> int:
        """The graph's version: 0 when never written, one more after each changing write."""

    def secret(self) -> str:
        """This store's secret: 64 hex characters (``secrets.token_hex(32)``) made at the
        first call and kept in the store, so it is the same after a restart and for every
        process that opens the store. Keys stable pseudonyms (HMAC); never shown."""

    def clear(self) -> None:
        """Delete every entity and relationship (the version grows, so caches notice; the
        secret is kept)."""

    def close(self) -> None:
        """Release connections and files."""


def get_node(store: GraphStore, id: str) -> Node | None:
    return store.get_nodes([id]).get(id)


def breadth_first(
    start: str,
    depth: int,
    step: Callable[[Sequence[str]], Iterable[str]],
    limit: int | None = None,
) -> dict[str, int]:
    """Breadth-first distances from ``start`` (0) to every id within ``depth`` steps, where
    ``step(frontier)`` gives the ids one step from any id of ``frontier`` (those already
    seen may be among them). The one breadth-first search of the stores: ``step`` is one
    database round trip per level (a store's ``expand``, filtered by kind if asked). With
    ``limit``: the ``limit`` nearest ids only (the start included), ties by id.

    >>> ties = {"a": {"b"}, "b": {"a", "c", "e"}, "c": {"b", "d"}, "d": {"c"}, "e": {"b"}}
    >>> step = lambda ids: set().union(*(ties[i] for i in ids))
    >>> breadth_first("a", 2, step)
    {'a': 0, 'b': 1, 'c': 2, 'e': 2}
    >>> breadth_first("a", 2, step, limit=3)
    {'a': 0, 'b': 1, 'c': 2}
    """
    distance = {start: 0}
    frontier: list[str] = [start]
    for level in range(1, depth + 1):
        if not frontier or (limit is not None and len(distance) >= limit):
            break
        frontier = sorted(set(step(frontier)) - distance.keys())
        if limit is not None:
            frontier = frontier[: max(limit - len(distance), 0)]
        distance.update((i, level) for i in frontier)
    return distance


def neighbourhood(
    store: GraphStore,
    id: str,
    depth: int,
    types: Sequence[str] | None = None,
    limit: int | None = None,
) -> Subgraph:
    """The entities within ``depth`` steps of ``id`` (ties read both ways), with their
    distance, and the relationships among them. With ``limit``, only the ``limit`` nearest
    entities (the focus included; ties by id) and the relationships among those: a map of
    a hub's focus stays the size asked for (ask for one more than you draw to tell whether
    the neighbourhood was cut).

    The distances are the store's (``GraphStore.distances``: on Neo4j one Cypher statement
    in the database, so the graph is never copied out); a store may answer the whole
    question at once (``Neo4jStore.neighbourhood``: one round trip).
    """
    own = getattr(store, "neighbourhood", None)
    if own is not None:
        return own(id, depth, types, limit)  # type: ignore[no-any-return]
    distance = store.distances(id, depth, types, None, limit)
    ids = sorted(distance)
    nodes = store.get_nodes(ids)
    sub = Subgraph(nodes, store.edges_among(ids, types))
    sub.distance = {n: distance[n] for n in nodes}
    return sub


def split_props(raw: dict[str, Any], internal: frozenset[str] = NODE_INTERNAL_KEYS) -> Props:
    """A stored property map without the store's own keys."""
    return {k: v for k, v in raw.items() if k not in internal}


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "GraphStore",
    "Progress",
    "StoreBusy",
    "WriteResult",
    "breadth_first",
    "chunks",
    "get_node",
    "neighbourhood",
    "split_props",
]

"""Neo4jStore: the INN graph in Neo4j 5.26 over Bolt. The only module that imports ``neo4j``.

Model: every entity is a node labelled ``Entity`` and its kind (``:Entity:Person``) with
``id`` unique (constraints on ``Entity`` and on each kind); a relationship has its type and
a ``key`` property (its identity, ``domain.edge_key``); the graph's version lives on one
``(:GraphMeta {id: 'graph'})`` node. Every statement is a file under ``cypher/`` run by name
from the :class:`~graph_service.store.catalog.Catalog`; writes are batched ``UNWIND …
MERGE`` inside one managed transaction, so an import is all-or-nothing and a retried
transaction is safe. Every read carries the query timeout: Neo4j stops one that runs
longer, and the store raises ``QueryTimeout``. Writes do not: an import is as long as its
data, and cutting it at 30 s would refuse a large dataset that is perfectly valid (and
make a second import that waits for the graph lock fail).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from graph_service.domain import (
    KINDS,
    Edge,
    Node,
    Stats,
    Subgraph,
    is_relationship_type,
    normalise_name,
)
from graph_service.errors import InvalidInput, QueryTimeout, StoreUnavailable, VersionChanged
from graph_service.store.arrays import GraphArrays, graph_arrays_of
from graph_service.store.base import (
    EDGE_INTERNAL_KEYS,
    Progress,
    WriteResult,
    chunks,
    split_props,
)
from graph_service.store.catalog import Catalog

_BATCH = 5000
_catalog: Catalog | None = None
_T = TypeVar("_T")


def get_catalog() -> Catalog:
    global _catalog
    if _catalog is None:
        _catalog = Catalog.load()
    return _catalog


def split_url(url: str, user: str | None, password: str | None) -> tuple[str, str, str, str]:
    """(driver URL without credentials, user, password, URL safe to show).

    >>> split_url("bolt://u:p@localhost:7687", None, None)
    ('bolt://localhost:7687', 'u', 'p', 'bolt://u@localhost:7687')
    """
    parts = urlsplit(url)
    netloc = parts.hostname or "localhost"
    if parts.port:
        netloc += f":{parts.port}"
    user = unquote(parts.username) if parts.username else (user or "neo4j")
    password = unquote(parts.password) if parts.password else (password or "")
    clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    shown = urlunsplit((parts.scheme, f"{user}@{netloc}", parts.path, "", ""))
    return clean, user, password, shown


class Neo4jStore:
    """A :class:`~graph_service.store.base.GraphStore` on a Neo4j server."""

    engine = "neo4j"

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        connection_timeout: float = 5.0,
        query_timeout: float = 30.0,
    ) -> None:
        """Connect to the Neo4j at ``url`` (connections open on first use).
        ``query_timeout``: seconds one read transaction may run before Neo4j stops it and
        the store raises ``QueryTimeout`` (0: no limit of ours; the server's own still
        holds). Writes run to their end."""
        clean, user, password, self.location = split_url(url, user, password)
        self.database = database or None
        self.query_timeout = max(float(query_timeout), 0.0)
        self._timeout = self.query_timeout or None
        self._secret: str | None = None
        self.catalog = get_catalog()
        try:
            self._driver = neo4j.GraphDatabase.driver(
                clean,
                auth=(user, password),
                connection_timeout=connection_timeout,
                # a transient error (a deadlock, a leader switch) is retried for this
                # long; a server that is down makes each request wait it out, so short
                max_transaction_retry_time=5,
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            raise StoreUnavailable(f"bad Neo4j URL {self.location}: {exc}") from exc
        self._schema_ready = False

    # -- plumbing ------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._guard(), self._driver.session(database=self.database) as session:
            for name in self.catalog.names("schema/"):
                session.run(self._timed(self.catalog[name].text)).consume()
        self._schema_ready = True

    def _guard(self) -> _Guard:
        return _Guard(self.location, self.query_timeout)

    def _timed(self, text: str) -> neo4j.Query:
        return neo4j.Query(text, timeout=self._timeout)

    def _read(self, name: str, **params: Any) -> list[dict[str, Any]]:
        query = self.catalog.check_params(name, params)
        self._ensure_schema()
        with self._guard():
            records, _, _ = self._driver.execute_query(
                self._timed(query.text),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        return [r.data() for r in records]

    def _transaction(
        self, work: Callable[[neo4j.ManagedTransaction], _T], *, write: bool = False
    ) -> _T:
        """Run ``work`` in one managed transaction (retried by the driver on transient
        errors); a read under the query timeout."""
        self._ensure_schema()
        timed = neo4j.unit_of_work(timeout=None if write else self._timeout)(work)
        with self._guard(), self._driver.session(database=self.database) as session:
            if write:
                return session.execute_write(timed)
            return session.execute_read(timed)

    def _run(self, tx: neo4j.ManagedTransaction, name: str, **params: Any) -> list[dict[str, Any]]:
        query = self.catalog.check_params(name, params)
        return [r.data() for r in tx.run(query.text, params)]

    # -- reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        # no retries: /health must say "down" in seconds, not after the retry budget
        with self._guard():
            self._driver.verify_connectivity()
        self._read("meta/ping")

    def version(self) -> int:
        return int(self._read("meta/get_version")[0]["version"])

    def secret(self) -> str:
        if self._secret is None:
            token = secrets.token_hex(32)

            def work(tx: neo4j.ManagedTransaction) -> str:
                self._run(tx, "meta/lock_graph")
                return str(self._run(tx, "meta/get_secret", token=token)[0]["secret"])

            self._secret = self._transaction(work, write=True)
        return self._secret

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for part in chunks(list(dict.fromkeys(ids)), _BATCH):
            for row in self._read("graph/get_nodes", ids=list(part)):
                found[row["id"]] = _node(row)
        return found

    def find_by_name(self, name_key: str) -> list[Node]:
        return [_node(r) for r in self._read("graph/find_by_name_key", name_key=name_key)]

    def edges_of(self, id: str) -> list[Edge]:
        return [_edge(r) for r in self._read("graph/edges_of", id=id)]

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        edges = (_edge(r) for r in self._read("graph/get_edges", keys=wanted))
        return {e.key: e for e in edges}

    def find_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> list[Edge]:
        if source is not None:
            rows = self._read("graph/find_edges_from", source=source, type=type, target=target)
        elif target is not None:
            rows = self._read("graph/find_edges_to", type=type, target=target)
        else:
            rows = self._read("graph/find_edges", type=type)
        return sorted((_edge(r) for r in rows), key=lambda e: e.key)

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        rows = self._read("graph/search_names", text=text, kinds=_list(kinds))
        return [(r["id"], r["name_key"]) for r in rows]

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        found: set[str] = set()
        for part in chunks(list(ids), _BATCH):
            rows = self._read("graph/expand_frontier", ids=list(part), types=_list(types))
            found.update(r["id"] for r in rows)
        return found

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        rows = self._read("graph/edges_among", ids=list(ids), types=_list(types))
        return [_edge(r) for r in rows]

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        return sorted(r["id"] for r in self._read("graph/ids_of_kinds", kinds=_list(kinds)))

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> dict[str, int]:
        def bfs(tx: neo4j.ManagedTransaction) -> dict[str, int]:
            found = self._run(tx, "graph/get_nodes", ids=[start])
            if not found:
                return {}
            distance = {start: 0}
            frontier = [start]
            for step in range(1, depth + 1):
                if not frontier:
                    break
                reached: set[str] = set()
                for part in chunks(frontier, _BATCH):
                    rows = self._run(
                        tx,
                        "graph/reach_step",
                        frontier=list(part),
                        types=_list(types),
                        kinds=_list(kinds),
                    )
                    reached.update(r["id"] for r in rows)
                frontier = sorted(reached - distance.keys())
                distance.update((i, step) for i in frontier)
            return distance

        return self._transaction(bfs)

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        nodes = {r["id"]: _node(r) for r in self._read("graph/all_nodes", kinds=_list(kinds))}
        rows = self._read("graph/all_edges", kinds=_list(kinds), types=_list(types))
        return Subgraph(nodes, [_edge(r) for r in rows])

    def stats(self) -> Stats:
        kinds = {r["kind"]: r["count"] for r in self._read("meta/count_nodes")}
        types = {r["type"]: r["count"] for r in self._read("meta/count_relationships")}
        return Stats(kinds, types, self.version())

    # -- writes --------------------------------------------------------------------------

    def write(
        self,
        nodes: Sequence[Node],
        edges: Sequence[Edge],
        progress: Progress | None = None,
        *,
        replace: bool = False,
        expected_version: int | None = None,
    ) -> WriteResult:
        # one row per id and per key (the last wins), as the embedded store does
        node_rows = list({n.id: _node_row(n) for n in nodes}.values())
        edge_rows = list({e.key: _edge_row(e) for e in edges}.values())

        def work(tx: neo4j.ManagedTransaction) -> WriteResult:
            result = WriteResult()
            self._run(tx, "meta/lock_graph")
            self._check_version(tx, expected_version)
            for i, part in enumerate(chunks(node_rows, _BATCH)):
                row = self._run(tx, "write/upsert_nodes", rows=list(part), replace=replace)[0]
                result.nodes_created += row["created"] or 0
                result.nodes_updated += row["updated"] or 0
                if progress:
                    progress("entities", min((i + 1) * _BATCH, len(node_rows)), len(node_rows))
            ends = {
                r["key"]: [r["source"], r["type"], r["target"]]
                for r in edge_rows
                if r["key"].startswith('["id"')
            }
            moved = 0
            if ends:
                moved = self._run(tx, "write/delete_moved_edges", ends=ends)[0]["moved"]
            for i, part in enumerate(chunks(edge_rows, _BATCH)):
                row = self._run(tx, "write/upsert_edges", rows=list(part), replace=replace)[0]
                if row["matched"] != len(part):
                    # raised inside the transaction function: Neo4j rolls it all back
                    raise ValueError(
                        f"{len(part) - row['matched']} relationship(s) name an entity that "
                        "does not exist; nothing was written"
                    )
                result.edges_created += row["created"] or 0
                result.edges_updated += row["updated"] or 0
                if progress:
                    progress("relationships", min((i + 1) * _BATCH, len(edge_rows)), len(edge_rows))
            # a relationship moved to new ends is an update, as in the embedded store
            result.edges_created -= moved
            result.edges_updated += moved
            result.nodes_unchanged = len(node_rows) - result.nodes_created - result.nodes_updated
            result.edges_unchanged = len(edge_rows) - result.edges_created - result.edges_updated
            self._set_version(tx, result)
            return result

        return self._transaction(work, write=True)

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
    ) -> WriteResult:
        ids = list(dict.fromkeys(node_ids))
        keys = list(dict.fromkeys(edge_keys))

        def work(tx: neo4j.ManagedTransaction) -> WriteResult:
            result = WriteResult()
            self._run(tx, "meta/lock_graph")
            self._check_version(tx, expected_version)
            if keys:
                result.edges_deleted = self._run(tx, "write/delete_edges", keys=keys)[0]["deleted"]
            for part in chunks(ids, _BATCH):
                row = self._run(tx, "write/delete_nodes", ids=list(part))[0]
                result.nodes_deleted += row["nodes"]
                result.edges_deleted += row["relationships"]
            self._set_version(tx, result)
            return result

        return self._transaction(work, write=True)

    def _check_version(self, tx: neo4j.ManagedTransaction, expected: int | None) -> None:
        """Inside a write, after the graph lock: refuse to go on when the version is not
        ``expected`` (raised in the transaction function: Neo4j rolls back, no retry)."""
        if expected is None:
            return
        current = int(self._run(tx, "meta/get_version")[0]["version"])
        if current != expected:
            raise VersionChanged(
                f"the graph changed meanwhile (version {current}, not {expected}); nothing "
                "was written",
                {"version": current},
            )

    def _set_version(self, tx: neo4j.ManagedTransaction, result: WriteResult) -> None:
        """Inside a write: one more version when ``result`` changed anything."""
        delta = 1 if result.changed else 0
        result.version = self._run(tx, "meta/bump_version", delta=delta)[0]["version"]

    def clear(self) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            self._run(tx, "meta/lock_graph")
            self._run(tx, "write/clear_graph")
            self._run(tx, "meta/bump_version", delta=1)

        self._transaction(work, write=True)

    def close(self) -> None:
        self._driver.close()

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        """:meth:`subgraph` as arrays (``store.arrays``): the entities, and of each
        relationship its ends and type (``graph/all_ties``: no properties), read in one
        transaction."""

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[Node], list[tuple[str, str, str]]]:
            nodes = [_node(r) for r in self._run(tx, "graph/all_nodes", kinds=_list(kinds))]
            ties = self._run(tx, "graph/all_ties", kinds=_list(kinds), types=_list(types))
            return nodes, [(r["source"], r["type"], r["target"]) for r in ties]

        nodes, ties = self._transaction(work)
        return graph_arrays_of(nodes, ties)


class _Guard:
    """Turns the driver's connection errors into ``StoreUnavailable`` (exit 3, HTTP 503),
    and a transaction Neo4j stopped for running out of time into ``QueryTimeout``."""

    def __init__(self, location: str, timeout: float) -> None:
        self.location = location
        self.timeout = timeout

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
        if exc is None:
            return False
        if isinstance(exc, neo4j_errors.Neo4jError) and "TransactionTimedOut" in (exc.code or ""):
            if self.timeout:
                raise QueryTimeout.after(self.timeout) from exc
            raise QueryTimeout(  # no limit of ours: the server's db.transaction.timeout
                f"Neo4j at {self.location} stopped the query at the server's own transaction "
                f"timeout (db.transaction.timeout): {exc.message}"
            ) from exc
        if isinstance(exc, neo4j_errors.AuthError):
            raise StoreUnavailable(
                f"Neo4j at {self.location} refused the user name or password "
                "(set GRAPH_NEO4J_USER and GRAPH_NEO4J_PASSWORD, or put them in the URL)"
            ) from exc
        if isinstance(
            exc,
            (
                neo4j_errors.ServiceUnavailable,
                neo4j_errors.SessionExpired,
                neo4j_errors.TransientError,
                OSError,
            ),
        ):
            raise StoreUnavailable(f"cannot reach Neo4j at {self.location}: {exc}") from exc
        if isinstance(exc, neo4j_errors.DatabaseUnavailable):
            raise StoreUnavailable(f"Neo4j at {self.location}: {exc}") from exc
        if isinstance(exc, neo4j_errors.Neo4jError) and "too large to index" in str(exc):
            # validation keeps ids and names far below the limit (domain.length_problem);
            # this catches what another writer might still send
            raise InvalidInput(
                "a value is too large for Neo4j's index (8 kB at most); nothing was written"
            ) from exc
        return False


def _list(values: Sequence[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def _node(row: dict[str, Any]) -> Node:
    return Node(row["id"], row["kind"], split_props(row["props"]))


def _edge(row: dict[str, Any]) -> Edge:
    raw = row["props"]
    return Edge(
        row["source"], row["type"], row["target"], split_props(raw, EDGE_INTERNAL_KEYS), raw["key"]
    )


def _node_row(node: Node) -> dict[str, Any]:
    if node.kind not in KINDS:
        raise ValueError(f"unknown kind {node.kind!r}")
    props: dict[str, Any] = dict(node.props)
    if "name" in props:
        props["name_key"] = normalise_name(str(props["name"]))
    return {"id": node.id, "kind": node.kind, "props": props}


def _edge_row(edge: Edge) -> dict[str, Any]:
    if not is_relationship_type(edge.type):
        raise ValueError(f"relationship type {edge.type!r} is not UPPER_SNAKE_CASE")
    return {
        "source": edge.source,
        "type": edge.type,
        "target": edge.target,
        "key": edge.key,
        "props": dict(edge.props),
    }

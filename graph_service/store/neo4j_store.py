"""Neo4jStore: the INN graph in Neo4j 5.26 over Bolt. The only module that imports ``neo4j``.

Model: every entity is a node labelled ``Entity`` and its kind (``:Entity:Person``) with
``id`` unique (constraints on ``Entity`` and on each kind); a relationship has its type and
a ``key`` property (its identity, ``domain.edge_key``); the graph's version lives on one
``(:GraphMeta {id: 'graph'})`` node. Every statement is a file under ``cypher/`` run by name
from the :class:`~graph_service.store.catalog.Catalog`; writes are batched ``UNWIND …
MERGE`` inside one managed transaction, so an import is all-or-nothing and a retried
transaction is safe. Every read carries the query timeout, or what is left of the
request's budget (``graph_service.budget``) when that is less: Neo4j stops one that runs
longer, and the store raises ``QueryTimeout``. Writes carry only the budget: an import from
the command line is as long as its data, and cutting it at 30 s would refuse a large
dataset that is perfectly valid (and make a second import that waits for the graph lock
fail). Concurrent writes queue on the graph's metadata node (``meta/lock_graph``, taken
first by every write), so they cannot deadlock one another; a transient error (a deadlock
with some other client, a lock-wait timeout the server's settings impose) is retried by
the driver's managed transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from graph_service import budget
from graph_service.domain import (
    KINDS,
    NAME_KEY_VERSION,
    Edge,
    Node,
    Stats,
    Subgraph,
    is_relationship_type,
    normalise_name,
)
from graph_service.errors import (
    GraphServiceError,
    InvalidInput,
    QueryTimeout,
    StoreUnavailable,
    VersionChanged,
)
from graph_service.store.arrays import GraphArrays, graph_arrays_of
from graph_service.store.base import (
    EDGE_INTERNAL_KEYS,
    Progress,
    WriteResult,
    chunks,
    split_props,
)
from graph_service.store.catalog import Catalog
from graph_service.store.history import REC_FROM, EdgeVersion, NodeVersion, write_day

_BATCH = 5000
#: rows per write statement: larger batches, fewer statements (an import of 100,000 rows
#: is a dozen statements); the parameters of one are a few megabytes
_WRITE_BATCH = 20_000
#: search keys set per statement when they are made again (``_update_name_keys``)
_NAME_KEY_BATCH = 10_000
#: failures after which a read is run again once (ServiceUnavailable: a pooled connection
#: the server closed, e.g. after a restart)
_RETRYABLE = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.TransientError,
)
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
                # no notifications: the server skips building them, the driver decoding
                # and logging them on every request
                notifications_min_severity="OFF",
            )
        except (ValueError, neo4j_errors.ConfigurationError) as exc:
            raise StoreUnavailable(f"bad Neo4j URL {self.location}: {exc}") from exc
        self._schema_ready = False

    # -- plumbing ------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        timeout, shown = self._limit()
        with self._guard(shown), self._driver.session(database=self.database) as session:
            for name in self.catalog.names("schema/"):
                session.run(neo4j.Query(self.catalog[name].text, timeout=timeout)).consume()
        self._schema_ready = True
        self._update_name_keys()

    def _update_name_keys(self) -> None:
        """Make the search keys (``name_key``) again when an older ``normalise_name`` made
        them (``GraphMeta.name_keys`` below ``NAME_KEY_VERSION``), once per graph.

        Version 2 drops the spaces between Thai letters; the new key is the new
        ``normalise_name`` of the old key (the function is idempotent), so only keys that
        hold a space and a non-ASCII letter change. Two processes doing it at once write
        the same keys. A server that refuses the write now (a read-only user) keeps its
        keys; the next process tries again."""
        try:
            rows = self._execute("meta/get_name_key_version")
            if rows and (rows[0]["version"] or 0) >= NAME_KEY_VERSION:
                return
            changed = [
                {"id": r["id"], "name_key": new}
                for r in self._execute("graph/spaced_name_keys")
                if not r["name_key"].isascii()
                and (new := normalise_name(r["name_key"])) != r["name_key"]
            ]
            for start in range(0, len(changed), _NAME_KEY_BATCH):
                self._execute("write/set_name_keys", rows=changed[start : start + _NAME_KEY_BATCH])
            self._execute("meta/set_name_key_version", version=NAME_KEY_VERSION)
        except GraphServiceError:
            return

    def _limit(self, write: bool = False) -> tuple[float | None, float]:
        """(the transaction timeout to send, the limit to name when it is hit): the query
        timeout (reads only) or what is left of the request's budget, whichever is less;
        None: no limit of ours. Raises at once when the budget is spent or abandoned."""
        budget.check()
        left = budget.remaining()
        own = None if write else self._timeout
        limits = [x for x in (own, left) if x is not None]
        if not limits:
            return None, 0.0
        timeout = min(limits)
        current = budget.current()
        if left is not None and timeout == left and current is not None and current.seconds:
            return timeout, current.seconds
        return timeout, own or timeout

    def _guard(self, shown: float | None = None) -> _Guard:
        return _Guard(self.location, self.query_timeout if shown is None else shown)

    def _execute(self, name: str, **params: Any) -> list[dict[str, Any]]:
        """Run one statement in its own transaction, routed as its header's ``mode`` says.

        A read is auto-committed under the query timeout: RUN and PULL go in one round trip
        (a managed transaction adds BEGIN and COMMIT, a second round trip, to every read of
        every request). A read changes nothing, so a retryable failure (a pooled connection
        the server dropped, a transient error) runs it once more on a fresh connection, as
        the driver's managed transactions would. A write runs in a managed transaction,
        retried by the driver."""
        query = self.catalog.check_params(name, params)
        text, params = query.render(params)
        self._ensure_schema()
        if self.catalog.routing(name) == "read":
            timeout, shown = self._limit()
            with self._guard(shown):
                try:
                    return self._auto_read(text, params, timeout)
                except _RETRYABLE as exc:
                    if "TransactionTimedOut" in (getattr(exc, "code", None) or ""):
                        raise
                    timeout, shown = self._limit()
                    return self._auto_read(text, params, timeout)
        timeout, shown = self._limit(write=True)
        with self._guard(shown):
            records, _, _ = self._driver.execute_query(
                neo4j.Query(text, timeout=timeout),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.WRITE,
            )
        return [dict(r) for r in records]

    def _auto_read(
        self, text: str, params: dict[str, Any], timeout: float | None
    ) -> list[dict[str, Any]]:
        with self._driver.session(
            database=self.database, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            return [dict(r) for r in session.run(neo4j.Query(text, timeout=timeout), params)]

    def _transaction(self, work: Callable[[_Tx], _T], *names: str) -> _T:
        """Run ``work``, which runs the statements ``names`` (and no other), in one managed
        transaction (retried by the driver on transient errors): a write transaction when
        any of them writes (their headers' ``mode``), else a read under the query
        timeout; either within the request's budget."""
        write = self.catalog.routing(*names) == "write"
        self._ensure_schema()

        def declared(tx: neo4j.ManagedTransaction) -> _T:
            return work(_Tx(tx, frozenset(names)))

        timeout, shown = self._limit(write)
        timed = neo4j.unit_of_work(timeout=timeout)(declared)
        with self._guard(shown), self._driver.session(database=self.database) as session:
            if write:
                return session.execute_write(timed)
            return session.execute_read(timed)

    def _run(self, tx: _Tx, name: str, **params: Any) -> list[dict[str, Any]]:
        if name not in tx.names:  # its routing was chosen from the names it declared
            raise ValueError(f"{name} is not among the statements of this transaction")
        query = self.catalog.check_params(name, params)
        text, params = query.render(params)
        return [dict(r) for r in tx.tx.run(text, params)]

    # -- reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        # no retries: /health must say "down" in seconds, not after the retry budget
        with self._guard():
            self._driver.verify_connectivity()
        self._execute("meta/ping")

    def version(self) -> int:
        return int(self._execute("meta/get_version")[0]["version"])

    def secret(self) -> str:
        if self._secret is None:
            token = secrets.token_hex(32)

            def work(tx: _Tx) -> str:
                self._run(tx, "meta/lock_graph")
                return str(self._run(tx, "meta/get_secret", token=token)[0]["secret"])

            self._secret = self._transaction(work, "meta/lock_graph", "meta/get_secret")
        return self._secret

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for part in chunks(list(dict.fromkeys(ids)), _BATCH):
            for row in self._execute("graph/get_nodes", ids=list(part))[0]["nodes"]:
                found[row["id"]] = _node(row)
        return found

    def find_by_name(self, name_key: str) -> list[Node]:
        return [_node(r) for r in self._execute("graph/find_by_name_key", name_key=name_key)]

    def edges_of(self, id: str, offset: int = 0, limit: int | None = None) -> list[Edge]:
        rows = self._execute("graph/edges_of", id=id, offset=offset, limit=_cypher_limit(limit))
        return [_edge(r) for r in rows]

    def count_edges_of(self, id: str) -> int:
        return int(self._execute("graph/count_edges_of", id=id)[0]["count"])

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        edges = (_edge(r) for r in self._execute("graph/get_edges", keys=wanted))
        return {e.key: e for e in edges}

    def find_edges(
        self,
        source: str | None = None,
        type: str | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Edge]:
        page = {"offset": offset, "limit": _cypher_limit(limit)}
        if source is not None:
            rows = self._execute(
                "graph/find_edges_from", source=source, type=type, target=target, **page
            )
        elif target is not None:
            rows = self._execute("graph/find_edges_to", type=type, target=target, **page)
        else:
            rows = self._execute("graph/find_edges", type=type, **page)
        return [_edge(r) for r in rows]

    def count_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> int:
        if source is not None:
            rows = self._execute("graph/count_edges_from", source=source, type=type, target=target)
        elif target is not None:
            rows = self._execute("graph/count_edges_to", type=type, target=target)
        else:
            rows = self._execute("graph/count_edges", type=type)
        return int(rows[0]["count"])

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        rows = self._execute("graph/search_names", text=text, kinds=_list(kinds))
        return [(r["id"], r["name_key"]) for r in rows]

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        found: set[str] = set()
        for part in chunks(list(ids), _BATCH):
            rows = self._execute("graph/expand_frontier", ids=list(part), types=_list(types))
            found.update(r["id"] for r in rows)
        return found

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        rows = self._execute("graph/edges_among", ids=list(ids), types=_list(types))
        return [_edge(r) for r in rows]

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        return sorted(r["id"] for r in self._execute("graph/ids_of_kinds", kinds=_list(kinds)))

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, int]:
        # the breadth-first search in one statement (graph/distances), not a round trip
        # per level: Neo4j expands each entity once, at its shortest distance
        rows = self._execute(
            "graph/distances",
            start=start,
            depth=depth,
            types=_list(types),
            kinds=_list(kinds),
            limit=None if limit is None else max(limit - 1, 0),  # the start is not in the list
        )
        if not rows:
            return {}
        distance = {start: 0}
        distance.update(rows[0]["reached"])
        return distance

    def shortest_paths(
        self,
        source: str,
        target: str,
        types: Sequence[str] | None = None,
        actors_only: bool = False,
        limit: int = 20,
    ) -> tuple[int, list[list[str]]] | None:
        """(how many distinct shortest chains join ``source`` and ``target``, the first
        ``limit`` of them as lists of ids in the order of their ids), found in the database
        by one ``allShortestPaths`` statement (graph/shortest_paths); None when an end does
        not exist. Ties read both ways; ``types`` and ``actors_only`` as in
        ``analysis.paths``. ``source`` and ``target`` differ."""
        rows = self._execute(
            "graph/shortest_paths",
            source=source,
            target=target,
            types=_list(types),
            actors_only=actors_only,
            limit=limit,
        )
        if not rows:
            return None
        return int(rows[0]["count"]), [list(p) for p in rows[0]["paths"]]

    def neighbourhood(
        self, id: str, depth: int, types: Sequence[str] | None = None, limit: int | None = None
    ) -> Subgraph:
        """``base.neighbourhood`` in one round trip (graph/neighbourhood): the entities
        within ``depth`` steps of ``id`` (the ``limit`` nearest), their distances and the
        relationships among them."""
        rows = self._execute(
            "graph/neighbourhood", start=id, depth=depth, types=_list(types), limit=limit
        )
        rows = rows[0]["nodes"]
        nodes = {r["id"]: _node(r) for r in rows}
        sub = Subgraph(nodes, [_edge(e) for r in rows for e in r["edges"]])
        sub.distance = {r["id"]: r["distance"] for r in rows}
        return sub

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        nodes = {r["id"]: _node(r) for r in self._execute("graph/all_nodes", kinds=_list(kinds))}
        rows = self._execute("graph/all_edges", kinds=_list(kinds), types=_list(types))
        return Subgraph(nodes, [_edge(r) for r in rows])

    def stats(self) -> Stats:
        kinds = {r["kind"]: r["count"] for r in self._execute("meta/count_nodes")}
        types = {r["type"]: r["count"] for r in self._execute("meta/count_relationships")}
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
        at: str | None = None,
        snapshot: bool = False,
    ) -> WriteResult:
        """As the embedded store's: the stored values of what the write would change are
        read first and compared here (as the embedded store compares them), so only a
        changed entity or relationship is written, its old version kept as a closed
        ``:NodeVersion`` / ``:EdgeVersion`` (``history/keep_*``) on ``at``; ``snapshot``
        closes what the store holds and the write lacks."""
        # one row per id and per key (the last wins), as the embedded store does
        node_rows = list({n.id: _node_row(n) for n in nodes}.values())
        edge_rows = list({e.key: _edge_row(e) for e in edges}.values())
        replace = replace or snapshot

        def work(tx: _Tx) -> WriteResult:
            result = WriteResult()
            self._run(tx, "meta/lock_graph")
            self._check_version(tx, expected_version)
            day = self._write_day(tx, at)
            # entities: those that do not exist yet are created outright (no MERGE, no
            # look-up per row), the changed ones kept and written as given; under the
            # graph lock nobody else creates one meanwhile
            created: set[str] = set()
            done = 0
            for part in chunks(node_rows, _WRITE_BATCH):
                ids = [r["id"] for r in part]
                stored = {
                    x["id"]: x for x in self._run(tx, "history/existing_nodes", ids=ids)[0]["nodes"]
                }
                new = [_dated(r, day) for r in part if r["id"] not in stored]
                if new:
                    self._run(tx, "write/create_nodes", rows=new)
                    result.nodes_created += len(new)
                    created.update(r["id"] for r in new)
                changed = []
                for r in part:
                    old = stored.get(r["id"])
                    if old is None:
                        continue
                    row = _changed_node(r, old, replace)
                    if row is not None:
                        changed.append(_dated(row, day))
                if changed:
                    self._run(tx, "history/keep_nodes", ids=[r["id"] for r in changed], at=day)
                    self._run(tx, "write/upsert_nodes", rows=changed, replace=True)
                    result.nodes_updated += len(changed)
                done += len(part)
                if progress:
                    progress("entities", done, len(node_rows))
            ends = {
                r["key"]: [r["source"], r["type"], r["target"]]
                for r in edge_rows
                if r["key"].startswith('["id"')
            }
            moved = 0
            if ends:
                moved = self._run(tx, "write/delete_moved_edges", ends=ends, at=day)[0]["moved"]
            # relationships: one from an entity created by this write cannot exist yet
            # (one that moved from elsewhere was just deleted): created outright
            done = 0
            for part in chunks(edge_rows, _WRITE_BATCH):
                maybe = [_edge_ends(r) for r in part if r["source"] not in created]
                stored_edges = {}
                if maybe:
                    found = self._run(tx, "history/existing_edges", rows=maybe)[0]["edges"]
                    stored_edges = {x["key"]: x["props"] for x in found}
                new = [_dated(r, day) for r in part if r["key"] not in stored_edges]
                changed = []
                for r in part:
                    if r["key"] in stored_edges:
                        row = _changed_edge(r, stored_edges[r["key"]], replace)
                        if row is not None:
                            changed.append(_dated(row, day))
                matched = len(part) - len(new)
                if new:
                    matched += self._run(tx, "write/create_edges", rows=new)[0]["matched"]
                    result.edges_created += len(new)
                if changed:
                    self._run(
                        tx, "history/keep_edges", rows=[_edge_ends(r) for r in changed], at=day
                    )
                    self._run(tx, "write/upsert_edges", rows=changed, replace=True)
                    result.edges_updated += len(changed)
                if matched != len(part):
                    # raised inside the transaction function: Neo4j rolls it all back
                    raise ValueError(
                        f"{len(part) - matched} relationship(s) name an entity that "
                        "does not exist; nothing was written"
                    )
                done += len(part)
                if progress:
                    progress("relationships", done, len(edge_rows))
            # a relationship moved to new ends is an update, as in the embedded store
            result.edges_created -= moved
            result.edges_updated += moved
            result.nodes_unchanged = len(node_rows) - result.nodes_created - result.nodes_updated
            result.edges_unchanged = len(edge_rows) - result.edges_created - result.edges_updated
            if snapshot:
                (held,) = self._run(tx, "history/open_ids_and_keys")
                written_ids = {r["id"] for r in node_rows}
                written_keys = {r["key"] for r in edge_rows}
                self._close(
                    tx,
                    [i for i in held["ids"] if i not in written_ids],
                    [k for k in held["keys"] if k not in written_keys],
                    day,
                    result,
                )
            self._set_version(tx, result, day)
            return result

        return self._transaction(
            work,
            "meta/lock_graph",
            "meta/get_version",
            "history/get_last_day",
            "history/existing_nodes",
            "write/create_nodes",
            "history/keep_nodes",
            "write/upsert_nodes",
            "write/delete_moved_edges",
            "history/existing_edges",
            "write/create_edges",
            "history/keep_edges",
            "write/upsert_edges",
            "history/open_ids_and_keys",
            "write/delete_edges",
            "write/delete_nodes",
            "meta/bump_version",
            "history/set_last_day",
        )

    def _write_day(self, tx: _Tx, at: str | None) -> str:
        """Inside a write: the day it is recorded on (``EmbeddedStore._write_day``)."""
        last = self._run(tx, "history/get_last_day")[0]["last"]
        return write_day(at, last)

    def _close(
        self, tx: _Tx, ids: Sequence[str], keys: Sequence[str], day: str, result: WriteResult
    ) -> None:
        """Inside a write: delete the relationships ``keys`` and the entities ``ids`` with
        their relationships, each kept as a closed version on ``day``."""
        if keys:
            result.edges_deleted += self._run(tx, "write/delete_edges", keys=list(keys), at=day)[0][
                "deleted"
            ]
        for part in chunks(list(ids), _BATCH):
            row = self._run(tx, "write/delete_nodes", ids=list(part), at=day)[0]
            result.nodes_deleted += row["nodes"]
            result.edges_deleted += row["relationships"]

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
        at: str | None = None,
    ) -> WriteResult:
        ids = list(dict.fromkeys(node_ids))
        keys = list(dict.fromkeys(edge_keys))

        def work(tx: _Tx) -> WriteResult:
            result = WriteResult()
            self._run(tx, "meta/lock_graph")
            self._check_version(tx, expected_version)
            day = self._write_day(tx, at)
            self._close(tx, ids, keys, day, result)
            self._set_version(tx, result, day)
            return result

        return self._transaction(
            work,
            "meta/lock_graph",
            "meta/get_version",
            "history/get_last_day",
            "write/delete_edges",
            "write/delete_nodes",
            "meta/bump_version",
            "history/set_last_day",
        )

    def _check_version(self, tx: _Tx, expected: int | None) -> None:
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

    def _set_version(self, tx: _Tx, result: WriteResult, day: str | None = None) -> None:
        """Inside a write: one more version when ``result`` changed anything, and ``day``
        kept as the newest day recorded."""
        delta = 1 if result.changed else 0
        result.version = self._run(tx, "meta/bump_version", delta=delta)[0]["version"]
        if result.changed and day is not None:
            self._run(tx, "history/set_last_day", day=day)

    def clear(self) -> None:
        def work(tx: _Tx) -> None:
            self._run(tx, "meta/lock_graph")
            self._run(tx, "write/clear_graph")
            self._run(tx, "history/clear_history")
            self._run(tx, "meta/bump_version", delta=1)

        self._transaction(
            work,
            "meta/lock_graph",
            "write/clear_graph",
            "history/clear_history",
            "meta/bump_version",
        )

    def close(self) -> None:
        self._driver.close()

    # -- history (store.history) ---------------------------------------------------------

    def rows_as_of(self, day: str) -> tuple[list[Node], list[Edge]]:
        """The versions recorded by ``day`` and not closed by then, in one transaction."""

        def work(tx: _Tx) -> tuple[list[Node], list[Edge]]:
            (got,) = self._run(tx, "history/nodes_as_of", day=day)
            nodes = [
                Node(i, k, split_props(p))
                for i, k, p in zip(got["ids"], got["kinds"], got["props"], strict=True)
            ]
            nodes += [
                Node(i, k, split_props(p))
                for i, k, p in zip(got["old_ids"], got["old_kinds"], got["old_props"], strict=True)
            ]
            (ties,) = self._run(tx, "history/edges_as_of", day=day)
            edges = [
                _edge({"source": a, "type": t, "target": b, "props": p})
                for a, t, b, p in zip(
                    ties["sources"], ties["types"], ties["targets"], ties["props"], strict=True
                )
            ]
            edges += [
                _edge({"source": a, "type": t, "target": b, "props": p})
                for a, t, b, p in zip(
                    ties["old_sources"],
                    ties["old_types"],
                    ties["old_targets"],
                    ties["old_props"],
                    strict=True,
                )
            ]
            return nodes, edges

        return self._transaction(work, "history/nodes_as_of", "history/edges_as_of")

    def nodes_as_of(self, ids: Sequence[str], day: str) -> list[Node]:
        """The versions of the entities ``ids`` that held on ``day`` in recorded time."""

        def work(tx: _Tx) -> list[Node]:
            out: list[Node] = []
            for name in ("history/open_nodes_by_id", "history/closed_nodes_by_id"):
                for part in chunks(list(ids), _BATCH):
                    (got,) = self._run(tx, name, ids=list(part), day=day)
                    out.extend(_node(x) for x in got["nodes"])
            return out

        return self._transaction(work, "history/open_nodes_by_id", "history/closed_nodes_by_id")

    def edges_as_of(self, ids: Sequence[str], day: str) -> list[Edge]:
        """The versions of the relationships touching any of ``ids`` that held on ``day``
        in recorded time."""

        def work(tx: _Tx) -> list[Edge]:
            out: list[Edge] = []
            for name in ("history/open_edges_touching", "history/closed_edges_touching"):
                for part in chunks(list(ids), _BATCH):
                    (got,) = self._run(tx, name, ids=list(part), day=day)
                    out.extend(_edge(x) for x in got["edges"])
            return out

        return self._transaction(
            work, "history/open_edges_touching", "history/closed_edges_touching"
        )

    def versions_of(self, id: str) -> tuple[list[NodeVersion], list[EdgeVersion]]:
        def work(tx: _Tx) -> tuple[list[NodeVersion], list[EdgeVersion]]:
            (got,) = self._run(tx, "history/node_versions", id=id)
            nodes = [
                NodeVersion(
                    Node(id, v["kind"], split_props(v["props"])),
                    v["props"].get(REC_FROM),
                    v["rec_to"],
                )
                for v in got["versions"]
            ]
            (ties,) = self._run(tx, "history/edge_versions", id=id)
            edges = [
                EdgeVersion(_edge(v), v["props"].get(REC_FROM), v["rec_to"])
                for v in ties["versions"]
            ]
            return nodes, edges

        return self._transaction(work, "history/node_versions", "history/edge_versions")

    def change_days(self) -> list[str]:
        return sorted(self._execute("history/change_days")[0]["days"])

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        """:meth:`subgraph` as arrays (``store.arrays``): the entities, and of each
        relationship its ends and type (``graph/all_ties``: no properties), read in one
        transaction, each as lists in one row (``graph/all_nodes_as_lists``)."""

        def work(tx: _Tx) -> tuple[list[Node], list[tuple[str, str, str]]]:
            (got,) = self._run(tx, "graph/all_nodes_as_lists", kinds=_list(kinds))
            nodes = [
                Node(i, k, split_props(p))
                for i, k, p in zip(got["ids"], got["kinds"], got["props"], strict=True)
            ]
            (ties,) = self._run(tx, "graph/all_ties", kinds=_list(kinds), types=_list(types))
            rows = zip(ties["sources"], ties["types"], ties["targets"], strict=True)
            return nodes, list(rows)

        nodes, ties = self._transaction(work, "graph/all_nodes_as_lists", "graph/all_ties")
        return graph_arrays_of(nodes, ties)


@dataclass(frozen=True)
class _Tx:
    """A managed transaction and the statements it was opened for (``Neo4jStore._run``
    refuses any other, so a write never runs under read routing)."""

    tx: neo4j.ManagedTransaction
    names: frozenset[str]


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


def _cypher_limit(limit: int | None) -> int:
    """Cypher's LIMIT takes no null: no limit is the largest count there can be."""
    return 2**62 if limit is None else limit


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


def _dated(row: dict[str, Any], day: str) -> dict[str, Any]:
    """A write row whose properties carry the day its version is recorded from."""
    return {**row, "props": {**row["props"], REC_FROM: day}}


def _edge_ends(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("source", "type", "target", "key")}


def _changed_node(
    row: dict[str, Any], stored: dict[str, Any], replace: bool
) -> dict[str, Any] | None:
    """The row to write for an entity the store holds as ``stored`` (its ``kind`` and raw
    ``props``), or None when the write changes nothing: the values merged (``replace``:
    as given) and compared as the embedded store compares them."""
    old = split_props(stored["props"])
    given = {k: v for k, v in row["props"].items() if k != "name_key"}
    props = given if replace else {**old, **given}
    if stored["kind"] == row["kind"] and props == old:
        return None
    out = dict(props)
    if "name" in out:
        out["name_key"] = normalise_name(str(out["name"]))
    return {"id": row["id"], "kind": row["kind"], "props": out}


def _changed_edge(
    row: dict[str, Any], stored: dict[str, Any], replace: bool
) -> dict[str, Any] | None:
    """As :func:`_changed_node`, for a relationship found with the same ends, type and key."""
    old = split_props(stored, EDGE_INTERNAL_KEYS)
    props = row["props"] if replace else {**old, **row["props"]}
    if props == old:
        return None
    return {**row, "props": props}

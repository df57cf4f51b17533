"""The embedded store: the whole graph in one SQLite file, no server.

Why SQLite: it ships with Python, a file is the unit users copy and back up, and its
transactions are atomic and durable (write-ahead log), so an import that dies half-way
leaves the previous graph intact. Graph questions are answered in memory with networkx
over what the store returns; a neighbourhood is a breadth-first walk over indexed
``source``/``target`` columns, one query a step.

Schema (version 1)::

    meta(key PRIMARY KEY, value)                       -- schema version, graph version, secret
    nodes(id PRIMARY KEY, kind, name_key, props JSON)
    edges(key PRIMARY KEY, source -> nodes.id, type, target -> nodes.id, props JSON)

Property values are JSON, which keeps str, int, float, bool and lists apart.

Query timeout: a progress handler looks at the clock every few thousand SQLite
instructions and interrupts a statement that has run longer than ``query_timeout`` seconds
(``QueryTimeout``); each statement of a long import has its own allowance.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from graph_service.domain import Edge, Node, Stats, Subgraph, normalise_name
from graph_service.errors import QueryTimeout, StoreUnavailable, VersionChanged
from graph_service.store.arrays import GraphArrays, graph_arrays_of
from graph_service.store.base import Progress, WriteResult, chunks

SCHEMA_VERSION = 1
_BATCH = 900  # under SQLite's default limit of host parameters per statement
_CLOCK_STEPS = 10_000  # SQLite instructions between two looks at the clock
_EDGE_COLUMNS = "key, source, type, target, props"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_key TEXT,
    props TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nodes_kind ON nodes(kind);
CREATE INDEX IF NOT EXISTS nodes_name_key ON nodes(name_key);
CREATE TABLE IF NOT EXISTS edges (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES nodes(id),
    type TEXT NOT NULL,
    target TEXT NOT NULL REFERENCES nodes(id),
    props TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edges_source ON edges(source);
CREATE INDEX IF NOT EXISTS edges_target ON edges(target);
CREATE INDEX IF NOT EXISTS edges_type ON edges(type);
"""


def _dumps(props: dict[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class EmbeddedStore:
    """A :class:`~graph_service.store.base.GraphStore` in one SQLite file."""

    engine = "embedded"

    def __init__(self, path: str | Path, query_timeout: float = 30.0) -> None:
        """Open (or create) the store in the file ``path``. ``query_timeout``: seconds one
        statement may run before it is stopped with ``QueryTimeout`` (0: no limit)."""
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)
        self.query_timeout = max(float(query_timeout), 0.0)
        self._lock = threading.RLock()
        self._deadline: float | None = None
        self._timed_out = False
        self._secret: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            if self.query_timeout:
                self._db.set_progress_handler(self._past_deadline, _CLOCK_STEPS)
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(
                f"cannot open the embedded store {self.path}: {exc} "
                "(is it a graph-service store file?)"
            ) from exc
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the embedded store {self.path}: {exc}") from exc

    def _init_schema(self) -> None:
        with self._lock:
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('version', '0')")
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreUnavailable(
                    f"{self.path} was written by a newer graph-service (schema {row[0]}); "
                    "upgrade graph-service to open it"
                )

    # -- plumbing ------------------------------------------------------------------------

    def _past_deadline(self) -> int:
        """SQLite's progress handler: non-zero interrupts the running statement."""
        if self._deadline is not None and time.monotonic() > self._deadline:
            self._timed_out = True
            return 1
        return 0

    @contextmanager
    def _clock(self) -> Iterator[None]:
        """Runs one statement against the query timeout (the caller holds the lock)."""
        self._timed_out = False
        if self.query_timeout:
            self._deadline = time.monotonic() + self.query_timeout
        try:
            yield
        finally:
            self._deadline = None

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement that returns no rows (it runs to its end here) against the
        clock; the cursor tells its ``rowcount``."""
        with self._clock():
            return self._db.execute(sql, params)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._clock():
            return self._db.execute(sql, params).fetchall()

    def _error(self, exc: sqlite3.OperationalError) -> StoreUnavailable:
        """``QueryTimeout`` when the progress handler stopped the statement, else
        ``StoreUnavailable`` (file locked, disk full, …)."""
        timed_out, self._timed_out = self._timed_out, False
        if timed_out:
            return QueryTimeout.after(self.query_timeout)
        return StoreUnavailable(f"embedded store {self.path}: {exc}")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._fetch(sql, params)
            except sqlite3.OperationalError as exc:
                raise self._error(exc) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: writers queue behind each other):
        committed when the block ends, rolled back when it raises."""
        with self._lock:
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.IntegrityError):
                    raise ValueError(
                        "relationship(s) name an entity that does not exist; nothing was "
                        f"written ({exc})"
                    ) from exc
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._error(exc) from exc
                raise

    def _check_version(self, expected: int | None) -> None:
        """Inside a transaction (which holds the write lock): refuse to go on when the
        version is not ``expected``."""
        if expected is not None and (current := self.version()) != expected:
            raise VersionChanged(
                f"the graph changed meanwhile (version {current}, not {expected}); nothing "
                "was written",
                {"version": current},
            )

    def _set_version(self, result: WriteResult) -> None:
        """Inside a transaction: one more version when ``result`` changed anything."""
        result.version = self.version()
        if result.changed:
            result.version += 1
            self._exec("UPDATE meta SET value = ? WHERE key = 'version'", (str(result.version),))

    # -- reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        self._query("SELECT 1")

    def version(self) -> int:
        return int(self._query("SELECT value FROM meta WHERE key='version'")[0][0])

    def secret(self) -> str:
        if self._secret is None:
            with self._lock:
                token = secrets.token_hex(32)
                self._query("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (token,))
                self._secret = str(self._query("SELECT value FROM meta WHERE key='secret'")[0][0])
        return self._secret

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for part in chunks(list(dict.fromkeys(ids)), _BATCH):
            marks = ",".join("?" * len(part))
            for id_, kind, props in self._query(
                f"SELECT id, kind, props FROM nodes WHERE id IN ({marks})", part
            ):
                found[id_] = Node(id_, kind, json.loads(props))
        return found

    def find_by_name(self, name_key: str) -> list[Node]:
        rows = self._query(
            "SELECT id, kind, props FROM nodes WHERE name_key = ? ORDER BY id", (name_key,)
        )
        return [Node(i, k, json.loads(p)) for i, k, p in rows]

    def edges_of(self, id: str) -> list[Edge]:
        rows = self._query(
            f"SELECT {_EDGE_COLUMNS} FROM edges WHERE source = ? "
            f"UNION SELECT {_EDGE_COLUMNS} FROM edges WHERE target = ?",
            (id, id),
        )
        return [_edge(r) for r in rows]

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        found: dict[str, Edge] = {}
        for part in chunks(list(dict.fromkeys(keys)), _BATCH):
            marks = ",".join("?" * len(part))
            for row in self._query(
                f"SELECT {_EDGE_COLUMNS} FROM edges WHERE key IN ({marks})", part
            ):
                found[row[0]] = _edge(row)
        return found

    def find_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> list[Edge]:
        given = {"source": source, "type": type, "target": target}
        wanted = {column: value for column, value in given.items() if value is not None}
        where = " AND ".join(f"{column} = ?" for column in wanted)
        rows = self._query(
            f"SELECT {_EDGE_COLUMNS} FROM edges" + (f" WHERE {where}" if where else ""),
            list(wanted.values()),
        )
        return sorted((_edge(r) for r in rows), key=lambda e: e.key)

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        sql = (
            "SELECT id, coalesce(name_key, '') FROM nodes WHERE (instr(name_key, ?) > 0 OR id = ?)"
        )
        params: list[str] = [text, text]
        if kinds is not None:
            sql += f" AND kind IN ({','.join('?' * len(kinds))})"
            params.extend(kinds)
        return [(i, k) for i, k in self._query(sql, params)]

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        found: set[str] = set()
        type_sql, type_params = _type_filter(types)
        for part in chunks(list(ids), _BATCH // 2):
            marks = ",".join("?" * len(part))
            rows = self._query(
                f"SELECT target FROM edges WHERE source IN ({marks}){type_sql} "
                f"UNION SELECT source FROM edges WHERE target IN ({marks}){type_sql}",
                [*part, *type_params, *part, *type_params],
            )
            found.update(r[0] for r in rows)
        return found

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        if kinds is None:
            rows = self._query("SELECT id FROM nodes")
        else:
            marks = ",".join("?" * len(kinds))
            rows = self._query(f"SELECT id FROM nodes WHERE kind IN ({marks})", list(kinds))
        return sorted(r[0] for r in rows)

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
    ) -> dict[str, int]:
        with self._lock:
            if not self._query("SELECT 1 FROM nodes WHERE id = ?", [start]):
                return {}
            allowed = set(kinds) if kinds else None
            distance = {start: 0}
            frontier = [start]
            for step in range(1, depth + 1):
                if not frontier:
                    break
                reached = self.expand(frontier, types) - distance.keys()
                if allowed is not None and reached:
                    reached = {i for i, k in self._kinds_of(reached) if k in allowed}
                frontier = sorted(reached)
                distance.update((i, step) for i in frontier)
            return distance

    def _kinds_of(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for part in chunks(sorted(ids), _BATCH):
            marks = ",".join("?" * len(part))
            out.extend(self._query(f"SELECT id, kind FROM nodes WHERE id IN ({marks})", part))
        return out

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        wanted = set(ids)
        type_sql, type_params = _type_filter(types)
        edges: list[Edge] = []
        for part in chunks(sorted(wanted), _BATCH):
            marks = ",".join("?" * len(part))
            rows = self._query(
                "SELECT key, source, type, target, props FROM edges "
                f"WHERE source IN ({marks}){type_sql}",
                [*part, *type_params],
            )
            edges.extend(_edge(r) for r in rows if r[3] in wanted)
        return edges

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        if kinds is None:
            rows = self._query("SELECT id, kind, props FROM nodes")
        else:
            marks = ",".join("?" * len(kinds))
            rows = self._query(
                f"SELECT id, kind, props FROM nodes WHERE kind IN ({marks})", list(kinds)
            )
        nodes = {i: Node(i, k, json.loads(p)) for i, k, p in rows}
        type_sql, type_params = _type_filter(types, where=True)
        edges = [
            _edge(r)
            for r in self._query(
                f"SELECT key, source, type, target, props FROM edges{type_sql}", type_params
            )
            if r[1] in nodes and r[3] in nodes
        ]
        return Subgraph(nodes, edges)

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        """:meth:`subgraph` as arrays (``store.arrays``): the entities, and of each
        relationship its ends and type, without reading its properties."""
        if kinds is None:
            node_rows = self._query("SELECT id, kind, props FROM nodes")
        else:
            marks = ",".join("?" * len(kinds))
            node_rows = self._query(
                f"SELECT id, kind, props FROM nodes WHERE kind IN ({marks})", list(kinds)
            )
        type_sql, type_params = _type_filter(types, where=True)
        edge_rows = self._query(f"SELECT source, type, target FROM edges{type_sql}", type_params)
        nodes = [Node(i, k, _loads(p)) for i, k, p in node_rows]
        return graph_arrays_of(nodes, edge_rows)

    def stats(self) -> Stats:
        with self._lock:
            kinds = dict(self._query("SELECT kind, count(*) FROM nodes GROUP BY kind"))
            types = dict(self._query("SELECT type, count(*) FROM edges GROUP BY type"))
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
        result = WriteResult()
        with self._transaction():
            self._check_version(expected_version)
            done = 0
            for part in chunks(list(nodes), _BATCH):
                self._write_nodes(part, result, replace)
                done += len(part)
                if progress:
                    progress("entities", done, len(nodes))
            done = 0
            for part in chunks(list(edges), _BATCH):
                self._write_edges(part, result, replace)
                done += len(part)
                if progress:
                    progress("relationships", done, len(edges))
            self._set_version(result)
        return result

    def _write_nodes(self, part: Sequence[Node], result: WriteResult, replace: bool) -> None:
        marks = ",".join("?" * len(part))
        existing = {
            i: (k, json.loads(p))
            for i, k, p in self._fetch(
                f"SELECT id, kind, props FROM nodes WHERE id IN ({marks})", [n.id for n in part]
            )
        }
        rows = []
        for node in part:
            old = existing.get(node.id)
            props = {**old[1], **node.props} if old and not replace else dict(node.props)
            if old is None:
                result.nodes_created += 1
            elif old[0] != node.kind or old[1] != props:
                result.nodes_updated += 1
            else:
                result.nodes_unchanged += 1
                continue
            existing[node.id] = (node.kind, props)
            rows.append(
                (node.id, node.kind, normalise_name(str(props.get("name", ""))), _dumps(props))
            )
        with self._clock():
            self._db.executemany(
                "INSERT INTO nodes (id, kind, name_key, props) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
                "name_key = excluded.name_key, props = excluded.props",
                rows,
            )

    def _write_edges(self, part: Sequence[Edge], result: WriteResult, replace: bool) -> None:
        marks = ",".join("?" * len(part))
        existing = {
            r[0]: _edge(r)
            for r in self._fetch(
                f"SELECT {_EDGE_COLUMNS} FROM edges WHERE key IN ({marks})",
                [e.key for e in part],
            )
        }
        rows = []
        for edge in part:
            old = existing.get(edge.key)
            same_ends = old is not None and (old.source, old.type, old.target) == (
                edge.source,
                edge.type,
                edge.target,
            )
            merge = old is not None and same_ends and not replace
            props = {**old.props, **edge.props} if old is not None and merge else dict(edge.props)
            if old is None:
                result.edges_created += 1
            elif not same_ends or old.props != props:
                result.edges_updated += 1
            else:
                result.edges_unchanged += 1
                continue
            existing[edge.key] = Edge(edge.source, edge.type, edge.target, props, edge.key)
            rows.append((edge.key, edge.source, edge.type, edge.target, _dumps(props)))
        with self._clock():
            self._db.executemany(
                "INSERT INTO edges (key, source, type, target, props) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET source = excluded.source, type = excluded.type, "
                "target = excluded.target, props = excluded.props",
                rows,
            )

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
    ) -> WriteResult:
        result = WriteResult()
        with self._transaction():
            self._check_version(expected_version)
            for part in chunks(list(dict.fromkeys(edge_keys)), _BATCH):
                marks = ",".join("?" * len(part))
                cursor = self._exec(f"DELETE FROM edges WHERE key IN ({marks})", part)
                result.edges_deleted += cursor.rowcount
            for part in chunks(list(dict.fromkeys(node_ids)), _BATCH // 2):
                marks = ",".join("?" * len(part))
                cursor = self._exec(
                    f"DELETE FROM edges WHERE source IN ({marks}) OR target IN ({marks})",
                    [*part, *part],
                )
                result.edges_deleted += cursor.rowcount
                cursor = self._exec(f"DELETE FROM nodes WHERE id IN ({marks})", part)
                result.nodes_deleted += cursor.rowcount
            self._set_version(result)
        return result

    def clear(self) -> None:
        with self._transaction():
            self._exec("DELETE FROM edges")
            self._exec("DELETE FROM nodes")
            self._exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _loads(props: str) -> Any:
    """``json.loads``, by orjson where it can (what it refuses, such as NaN or an integer
    beyond 64 bits, goes to ``json``)."""
    try:
        return orjson.loads(props)
    except orjson.JSONDecodeError:
        return json.loads(props)


def _edge(row: tuple[Any, ...]) -> Edge:
    key, source, type_, target, props = row
    return Edge(source, type_, target, json.loads(props), key)


def _type_filter(types: Sequence[str] | None, where: bool = False) -> tuple[str, list[str]]:
    if types is None:
        return "", []
    marks = ",".join("?" * len(types))
    return (" WHERE" if where else " AND") + f" type IN ({marks})", list(types)

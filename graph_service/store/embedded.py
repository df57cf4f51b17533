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
import math
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
from graph_service.store.base import Progress, WriteResult, breadth_first, chunks

SCHEMA_VERSION = 1
_BATCH = 900  # under SQLite's default limit of host parameters per statement
_CLOCK_STEPS = 10_000  # SQLite instructions between two looks at the clock
_EDGE_COLUMNS = "key, source, type, target, props"
#: the page cache (KiB) while a large write runs, so that the indexes being filled stay in
#: memory (SQLite's default is 2 MB)
_IMPORT_CACHE_KB = 256 * 1024
_UPSERT_NODE = (
    "INSERT INTO nodes (id, kind, name_key, props) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
    "name_key = excluded.name_key, props = excluded.props"
)
_UPSERT_EDGE = (
    "INSERT INTO edges (key, source, type, target, props) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(key) DO UPDATE SET source = excluded.source, type = excluded.type, "
    "target = excluded.target, props = excluded.props"
)

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
    """Properties as stored: compact JSON, keys sorted, non-ASCII kept.

    orjson writes it ten times faster than ``json``; what it refuses (an integer beyond 64
    bits, a lone surrogate) or writes differently (NaN) goes through ``json`` as before.
    Both texts read back (``json.loads``) as the same values.
    """
    try:
        text = orjson.dumps(props, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:
        return _json_dumps(props)
    if "null" in text and _has_nan(props):
        return _json_dumps(props)
    return text


def _json_dumps(props: dict[str, Any]) -> str:
    return json.dumps(props, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _has_nan(props: dict[str, Any]) -> bool:
    """A float that is not finite (orjson writes it as null, json as NaN/Infinity)."""
    for value in props.values():
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, float) and not math.isfinite(item):
                return True
    return False


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
        allowed = set(kinds) if kinds else None

        def step(frontier: Sequence[str]) -> set[str]:
            reached = self.expand(frontier, types)
            if allowed is not None and reached:
                reached = {i for i, k in self._kinds_of(reached) if k in allowed}
            return reached

        with self._lock:
            if not self._query("SELECT 1 FROM nodes WHERE id = ?", [start]):
                return {}
            return breadth_first(start, depth, step)

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
        """Write in one transaction: entities, then relationships, each merged into what the
        store holds (``replace``: written as given) and counted as created, updated or
        unchanged.

        For speed on a large import: what is already stored is looked up in batches of
        ids (not at all when the table was empty), the rows go to SQLite through one
        prepared statement per table (``executemany``), entities in id order (the order of
        their table), and the page cache is made large enough to hold the indexes. With
        more than a batch of relationships, their ends are checked once for the distinct
        ids at the end rather than by SQLite's foreign keys row by row (ten times slower
        here): a relationship to an entity that does not exist still writes nothing.
        """
        result = WriteResult()
        bulk = len(edges) > _BATCH
        large = len(nodes) + len(edges) > _BATCH
        with self._lock:
            if bulk:  # a no-op inside a transaction, so set before it starts
                self._db.execute("PRAGMA foreign_keys=OFF")
            if large:
                cache_size = self._db.execute("PRAGMA cache_size").fetchone()[0]
                self._db.execute(f"PRAGMA cache_size = -{_IMPORT_CACHE_KB}")
            try:
                with self._transaction():
                    self._check_version(expected_version)
                    node_rows = self._node_rows(nodes, result, replace, progress)
                    with self._clock():
                        self._db.executemany(_UPSERT_NODE, node_rows)
                    edge_rows = self._edge_rows(edges, result, replace, progress)
                    with self._clock():
                        self._db.executemany(_UPSERT_EDGE, edge_rows)
                    if bulk:
                        self._check_ends(edge_rows)
                    self._set_version(result)
            finally:
                if bulk:
                    self._db.execute("PRAGMA foreign_keys=ON")
                if large:
                    self._db.execute(f"PRAGMA cache_size = {int(cache_size)}")
        return result

    def _check_ends(self, edge_rows: list[tuple[str, str, str, str, str]]) -> None:
        """Inside a transaction: what the foreign keys check, for the rows just written:
        both ends of each relationship are entities."""
        ends = list({end for row in edge_rows for end in (row[1], row[3])})
        found = 0
        for part in chunks(ends, _BATCH):
            marks = ",".join("?" * len(part))
            found += self._fetch(f"SELECT count(*) FROM nodes WHERE id IN ({marks})", part)[0][0]
        if found != len(ends):
            raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")

    def _is_empty(self, table: str) -> bool:
        return not self._fetch(f"SELECT 1 FROM {table} LIMIT 1")

    def _node_rows(
        self,
        nodes: Sequence[Node],
        result: WriteResult,
        replace: bool,
        progress: Progress | None,
    ) -> list[tuple[str, str, str, str]]:
        """The rows to upsert, one per id (the last write of an id given twice), sorted."""
        empty = self._is_empty("nodes")
        # id -> (kind, props) as the store holds it now, or will once these rows are written
        state: dict[str, tuple[str, dict[str, Any]]] = {}
        rows: dict[str, tuple[str, str, str, str]] = {}
        name_keys: dict[str, str] = {}  # many people share a name
        done = 0
        for part in chunks(nodes, _BATCH):
            if not empty:
                wanted = [i for i in dict.fromkeys(n.id for n in part) if i not in state]
                if wanted:
                    marks = ",".join("?" * len(wanted))
                    for i, k, p in self._fetch(
                        f"SELECT id, kind, props FROM nodes WHERE id IN ({marks})", wanted
                    ):
                        state[i] = (k, json.loads(p))
            for node in part:
                old = state.get(node.id)
                if old is None:
                    props = node.props  # read here, never changed
                    result.nodes_created += 1
                else:
                    props = node.props if replace else {**old[1], **node.props}
                    if old[0] != node.kind or old[1] != props:
                        result.nodes_updated += 1
                    else:
                        result.nodes_unchanged += 1
                        continue
                state[node.id] = (node.kind, props)
                name = str(props.get("name", ""))
                name_key = name_keys.get(name)
                if name_key is None:
                    name_key = name_keys[name] = normalise_name(name)
                rows[node.id] = (node.id, node.kind, name_key, _dumps(props))
            done += len(part)
            if progress:
                progress("entities", done, len(nodes))
        return [rows[i] for i in sorted(rows)]

    def _edge_rows(
        self,
        edges: Sequence[Edge],
        result: WriteResult,
        replace: bool,
        progress: Progress | None,
    ) -> list[tuple[str, str, str, str, str]]:
        """The rows to upsert, in the order given (a key given twice: each write in turn)."""
        empty = self._is_empty("edges")
        # key -> (source, type, target, props) as stored now or once these rows are written
        state: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
        rows = []
        done = 0
        for part in chunks(edges, _BATCH):
            if not empty:
                wanted = [k for k in dict.fromkeys(e.key for e in part) if k not in state]
                if wanted:
                    marks = ",".join("?" * len(wanted))
                    for row in self._fetch(
                        f"SELECT {_EDGE_COLUMNS} FROM edges WHERE key IN ({marks})", wanted
                    ):
                        state[row[0]] = (row[1], row[2], row[3], json.loads(row[4]))
            for edge in part:
                old = state.get(edge.key)
                if old is None:
                    props = edge.props  # read here, never changed
                    result.edges_created += 1
                else:
                    same_ends = old[:3] == (edge.source, edge.type, edge.target)
                    merge = same_ends and not replace
                    props = {**old[3], **edge.props} if merge else edge.props
                    if not same_ends or old[3] != props:
                        result.edges_updated += 1
                    else:
                        result.edges_unchanged += 1
                        continue
                state[edge.key] = (edge.source, edge.type, edge.target, props)
                rows.append((edge.key, edge.source, edge.type, edge.target, _dumps(props)))
            done += len(part)
            if progress:
                progress("relationships", done, len(edges))
        return rows

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

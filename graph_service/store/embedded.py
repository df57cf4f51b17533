"""The embedded store: the whole graph in one SQLite file, no server.

Why SQLite: it ships with Python, a file is the unit users copy and back up, and its
transactions are atomic and durable (write-ahead log), so an import that dies half-way
leaves the previous graph intact. Graph questions are answered in memory with networkx
over what the store returns; a neighbourhood is a breadth-first walk over indexed
``source``/``target`` columns, one query a step.

Schema (version 1)::

    meta(key PRIMARY KEY, value)                       -- schema version, graph version, secret,
                                                       -- name_keys (domain.NAME_KEY_VERSION)
    nodes(id PRIMARY KEY, kind, name_key, props JSON)
    edges(key PRIMARY KEY, source -> nodes.id, type, target -> nodes.id, props JSON)
    arrays_snapshot(version PRIMARY KEY, header JSON, ids, kinds, props, src, dst, type)
                                                       -- the graph's arrays at one version

Property values are JSON, which keeps str, int, float, bool and lists apart.

The arrays snapshot: ``graph_arrays`` (what the chains, missing links, filters, brokerage
and cut points compute on) reads the whole graph out of the tables once per graph version
(1 to 3 s for 100,000 entities and 300,000 relationships on a shared 2-core machine) and
keeps what it read in the file: one row of ``arrays_snapshot`` holding the sorted ids, the
kinds, the properties (the stored JSON texts as one JSON array) and the relationships' ends
and types as integer arrays, with a header (JSON: the format, the version again, the
counts, the kinds and types, a CRC-32 of each blob). A later read at the same version, in
any process, takes that row (``np.frombuffer``: about 20 ms) instead. It is never stale:
the row names the version it was read at and is only used at that version; every write
that changes the graph deletes it in its own transaction (so only the newest version is
ever kept), and a row whose header or CRC does not match is ignored and written again. It
is written in its own short transaction after the read, only if the graph is still at that
version, and only when the write lock is free at once (a store being imported into, or a
read-only file, is read from the tables each time, as before). Older files get the table
when the first snapshot is written; older graph-service versions ignore it
(docs/benchmarks.md, "Chains and missing links").

Concurrency: reads never wait for a write nor for each other. Each thread reads through its
own connection, opened read-only on the same file; WAL lets any number of them read while
one writer writes, each seeing the graph as of its statement (a read of several steps, such
as a breadth-first search, runs in one read transaction: one snapshot, no lock held on
anything but its own connection). Writes go through one writer connection, one transaction
at a time (``BEGIN IMMEDIATE``); a writer that finds another writer (another import, in this
process or another) waits its turn, saying so once on stderr, for up to ``lock_wait``
seconds (or what is left of the request's budget), then says plainly that another import
holds the store (``StoreBusy``).

Query timeout: a progress handler looks at the clock every few thousand SQLite
instructions and interrupts a statement that has run longer than ``query_timeout`` seconds,
or past the deadline of the request's budget (``graph_service.budget``), whichever comes
first (``QueryTimeout``), or whose request was abandoned (``Abandoned``); each statement of
a long import has its own allowance.

The file is created readable and writable by its owner only (0600): it holds the
pseudonym secret. SQLite gives its ``-wal`` and ``-shm`` files the same mode.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from operator import itemgetter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from graph_service import budget
from graph_service.domain import NAME_KEY_VERSION, Edge, Node, Stats, Subgraph, normalise_name
from graph_service.errors import (
    GraphServiceError,
    QueryTimeout,
    StoreUnavailable,
    VersionChanged,
)
from graph_service.store.arrays import GraphArrays, NodeTable, edge_arrays, subset_arrays
from graph_service.store.base import (
    Progress,
    StoreBusy,
    WriteResult,
    breadth_first,
    chunks,
)
from graph_service.store.history import EdgeVersion, NodeVersion, write_day

SCHEMA_VERSION = 2
_BATCH = 900  # under SQLite's default limit of host parameters per statement
_CLOCK_STEPS = 10_000  # SQLite instructions between two looks at the clock
#: how long one try for the write lock sleeps in SQLite's busy handler (ms) before the
#: writer looks at its budget and its own deadline again
_LOCK_SLICE_MS = 500
#: the message a writer prints once when it has to wait for another
WAITING = "waiting for another import that holds the store {path}…"
_EDGE_COLUMNS = "key, source, type, target, props"
#: id sets up to this size are matched in one statement (``json_each``) by edges_among
_SMALL_SET = 5000
#: the page cache (KiB) while a large write runs, so that the indexes being filled stay in
#: memory (SQLite's default is 2 MB)
_IMPORT_CACHE_KB = 256 * 1024
_UPSERT_NODE = (
    "INSERT INTO nodes (id, kind, name_key, props, rec_from) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
    "name_key = excluded.name_key, props = excluded.props, rec_from = excluded.rec_from"
)
_UPSERT_EDGE = (
    "INSERT INTO edges (key, source, type, target, props, rec_from) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(key) DO UPDATE SET source = excluded.source, type = excluded.type, "
    "target = excluded.target, props = excluded.props, rec_from = excluded.rec_from"
)
#: what a snapshot may end (besides entities that are not areas): every relationship but
#: an area's PART_OF another area (places stay; ``GraphStore.write``)
_SNAPSHOT_ENDABLE_EDGES = (
    "SELECT key FROM edges WHERE NOT (type = 'PART_OF' "
    "AND source IN (SELECT id FROM nodes WHERE kind = 'Area') "
    "AND target IN (SELECT id FROM nodes WHERE kind = 'Area'))"
)
#: a closed version: the row as it was, with the day it stopped holding
_KEEP_NODE = "INSERT INTO node_history (id, kind, props, rec_from, rec_to) VALUES (?, ?, ?, ?, ?)"
_KEEP_EDGE = (
    "INSERT INTO edge_history (key, source, type, target, props, rec_from, rec_to) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_key TEXT,
    props TEXT NOT NULL,
    rec_from TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nodes_kind ON nodes(kind);
CREATE INDEX IF NOT EXISTS nodes_name_key ON nodes(name_key);
CREATE TABLE IF NOT EXISTS edges (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES nodes(id),
    type TEXT NOT NULL,
    target TEXT NOT NULL REFERENCES nodes(id),
    props TEXT NOT NULL,
    rec_from TEXT
);
CREATE INDEX IF NOT EXISTS edges_source ON edges(source);
CREATE INDEX IF NOT EXISTS edges_target ON edges(target);
CREATE INDEX IF NOT EXISTS edges_type ON edges(type);
"""
#: closed versions (schema 2): what a write changed or deleted, as it was, and when it held
_HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS node_history (
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    props TEXT NOT NULL,
    rec_from TEXT,
    rec_to TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS node_history_id ON node_history(id);
CREATE INDEX IF NOT EXISTS node_history_to ON node_history(rec_to);
CREATE TABLE IF NOT EXISTS edge_history (
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    target TEXT NOT NULL,
    props TEXT NOT NULL,
    rec_from TEXT,
    rec_to TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS edge_history_key ON edge_history(key);
CREATE INDEX IF NOT EXISTS edge_history_source ON edge_history(source);
CREATE INDEX IF NOT EXISTS edge_history_target ON edge_history(target);
CREATE INDEX IF NOT EXISTS edge_history_to ON edge_history(rec_to);
"""
_SNAPSHOT_TABLE = """
CREATE TABLE IF NOT EXISTS arrays_snapshot (
    version INTEGER PRIMARY KEY,
    header TEXT NOT NULL,
    ids BLOB NOT NULL,
    kinds BLOB NOT NULL,
    props BLOB NOT NULL,
    src BLOB NOT NULL,
    dst BLOB NOT NULL,
    type BLOB NOT NULL
)"""
#: the layout of a row of ``arrays_snapshot`` (a row of another format is read again)
SNAPSHOT_FORMAT = 1
_SNAPSHOT_BLOBS = ("ids", "kinds", "props", "src", "dst", "type")
#: integer arrays in the snapshot: 32-bit little-endian (positions and codes fit)
_SNAPSHOT_INT = "<i4"


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


class _Connection:
    """One SQLite connection and the clock of the statement it runs: its deadline, the
    budget it runs under, and why the progress handler stopped it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.deadline: float | None = None
        self.limit = 0.0  # the seconds the deadline allowed, for the message
        self.budget: budget.Budget | None = None
        self.stopped: str | None = None  # "timeout" or "abandoned"
        self.snapshot = 0  # depth of nested read transactions
        db.set_progress_handler(self._stop, _CLOCK_STEPS)

    def _stop(self) -> int:
        """SQLite's progress handler: non-zero interrupts the running statement."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.stopped = "timeout"
            return 1
        if self.budget is not None and self.budget.cancelled.is_set():
            self.stopped = "abandoned"
            return 1
        return 0


class EmbeddedStore:
    """A :class:`~graph_service.store.base.GraphStore` in one SQLite file."""

    engine = "embedded"

    def __init__(
        self, path: str | Path, query_timeout: float = 30.0, lock_wait: float = 3600.0
    ) -> None:
        """Open (or create) the store in the file ``path``. ``query_timeout``: seconds one
        statement may run before it is stopped with ``QueryTimeout`` (0: no limit).
        ``lock_wait``: seconds a write waits for another writer (another import) to finish
        before it gives up with ``StoreBusy`` (0: no limit)."""
        self.path = Path(path).expanduser().resolve()
        self.location = str(self.path)
        self.query_timeout = max(float(query_timeout), 0.0)
        self.lock_wait = max(float(lock_wait), 0.0)
        #: told once per wait that another writer holds the store (default: stderr)
        self.on_wait: Callable[[str], None] = _say
        self._write_lock = threading.Lock()  # one write transaction of this process at a time
        self._local = threading.local()  # this thread's read connection; "writing" flag
        self._readers: list[_Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False
        self._secret: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            _create_private(self.path)
            self._writer = _Connection(
                sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=30
                )
            )
            db = self._writer.db
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailable(
                f"cannot open the embedded store {self.path}: {exc} "
                "(is it a graph-service store file?)"
            ) from exc
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the embedded store {self.path}: {exc}") from exc

    def _init_schema(self) -> None:
        db = self._writer.db
        try:
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except sqlite3.OperationalError:  # no such table: a new file
            row = None
        if row is None:  # a new file: make the tables (a write, so in turn)
            with self._transaction():
                for statement in (_SCHEMA + _HISTORY_SCHEMA).split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
                db.execute("INSERT OR IGNORE INTO meta VALUES ('version', '0')")
                db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('name_keys', ?)", (str(NAME_KEY_VERSION),)
                )
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{self.path} was written by a newer graph-service (schema {row[0]}); "
                "upgrade graph-service to open it"
            )
        else:
            if int(row[0]) < 2:
                self._add_history()
            self._update_name_keys()

    def _add_history(self) -> None:
        """Schema 1 -> 2, once, in one transaction: the history tables, and ``rec_from`` on
        the open rows (null: recorded before history was kept, held since always)."""
        db = self._writer.db
        with self._transaction():
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if int(row[0]) >= 2:
                return
            db.execute("ALTER TABLE nodes ADD COLUMN rec_from TEXT")
            db.execute("ALTER TABLE edges ADD COLUMN rec_from TEXT")
            for statement in _HISTORY_SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")

    def _update_name_keys(self) -> None:
        """Make the search keys (``name_key``) again when an older ``normalise_name`` made
        them (``meta.name_keys`` below ``NAME_KEY_VERSION``), once, in one transaction.

        Version 2 drops the spaces between Thai letters; the new key is the new
        ``normalise_name`` of the old key (the function is idempotent), so only the keys
        that hold a space and a non-ASCII letter change. A store that cannot be written
        now (read-only, another writer) keeps its keys and is tried again next time."""
        db = self._writer.db

        def current() -> bool:
            row = db.execute("SELECT value FROM meta WHERE key='name_keys'").fetchone()
            return row is not None and int(row[0]) >= NAME_KEY_VERSION

        if current():
            return
        try:
            with self._transaction():
                if current():
                    return
                rows = db.execute(
                    "SELECT id, name_key FROM nodes WHERE instr(name_key, ' ') > 0"
                ).fetchall()
                changed = [
                    (new, i)
                    for i, key in rows
                    if not key.isascii() and (new := normalise_name(key)) != key
                ]
                db.executemany("UPDATE nodes SET name_key = ? WHERE id = ?", changed)
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('name_keys', ?)", (str(NAME_KEY_VERSION),)
                )
        except (sqlite3.Error, GraphServiceError):
            return

    # -- plumbing ------------------------------------------------------------------------

    def _reader(self) -> _Connection:
        """This thread's read-only connection (opened on first use)."""
        conn: _Connection | None = getattr(self._local, "reader", None)
        if conn is None:
            if self._closed:
                raise StoreUnavailable(f"the embedded store {self.path} is closed")
            uri = f"file:{quote(str(self.path))}?mode=ro"
            try:
                db = sqlite3.connect(
                    uri, uri=True, isolation_level=None, check_same_thread=False, timeout=30
                )
            except sqlite3.Error as exc:
                raise StoreUnavailable(
                    f"cannot read the embedded store {self.path}: {exc}"
                ) from exc
            conn = self._local.reader = _Connection(db)
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def _conn(self) -> _Connection:
        """The connection this thread's statements use: the writer inside this thread's
        write transaction (it sees what the transaction wrote), else its own reader."""
        return self._writer if getattr(self._local, "writing", False) else self._reader()

    @contextmanager
    def _clock(self, conn: _Connection | None = None) -> Iterator[sqlite3.Connection]:
        """Runs one statement on ``conn`` (this thread's) against the query timeout and
        the request's budget, whichever ends first."""
        conn = conn or self._conn()
        budget.check()
        current = budget.current()
        left = budget.remaining()
        limits = [x for x in (self.query_timeout or None, left) if x is not None]
        conn.stopped, conn.budget = None, current
        if limits:
            conn.limit = (
                current.seconds
                if current is not None and current.seconds is not None and left == min(limits)
                else self.query_timeout
            ) or min(limits)
            conn.deadline = time.monotonic() + min(limits)
        try:
            yield conn.db
        except sqlite3.OperationalError as exc:
            raise self._error(conn, exc) from exc
        finally:
            conn.deadline, conn.budget = None, None

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one statement that returns no rows (it runs to its end here) against the
        clock; the cursor tells its ``rowcount``."""
        with self._clock() as db:
            return db.execute(sql, params)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._clock() as db:
            return db.execute(sql, params).fetchall()

    def _error(self, conn: _Connection, exc: sqlite3.OperationalError) -> GraphServiceError:
        """``QueryTimeout`` when the progress handler stopped the statement at the
        deadline, ``Abandoned`` when its request was cancelled, ``StoreBusy`` when another
        writer holds the store, else ``StoreUnavailable`` (disk full, …)."""
        stopped, conn.stopped = conn.stopped, None
        if stopped == "timeout":
            return QueryTimeout.after(conn.limit)
        if stopped == "abandoned":
            return budget.Abandoned("the request was abandoned by its client; its work stopped")
        if _is_busy(exc):
            return self._busy()
        # the file's name, not its folder: /health shows this message to anyone
        return StoreUnavailable(f"embedded store {self.path.name}: {exc}")

    def _busy(self, waited: float | None = None) -> StoreBusy:
        after = f" (waited {waited:.0f} s)" if waited is not None else ""
        return StoreBusy(
            f"another import holds the store {self.path.name}{after}; nothing was written: "
            "try again when it has finished",
            {"store": self.path.name},
        )

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._fetch(sql, params)

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """The reads of the block see one version of the graph (one read transaction on
        this thread's connection: it holds no lock a writer or another reader waits on)."""
        conn = self._conn()
        if conn is self._writer or conn.snapshot:  # inside a write, or a snapshot already
            yield
            return
        conn.db.execute("BEGIN")
        conn.snapshot = 1
        try:
            yield
        finally:
            conn.snapshot = 0
            if conn.db.in_transaction:
                conn.db.execute("COMMIT")

    def _take_write_lock(
        self,
        setup: Callable[[sqlite3.Connection], None],
        restore: Callable[[sqlite3.Connection], None],
    ) -> None:
        """Wait for this process's other writers, then run ``setup`` on the writer
        connection (pragmas that only work outside a transaction), then wait for other
        processes' writers (``BEGIN IMMEDIATE``): a slice at a time, so that the request's
        budget and ``lock_wait`` are looked at between tries. Says once (``on_wait``)
        that it waits."""
        start = time.monotonic()
        told = False

        def next_slice() -> float:
            """Seconds the next try may wait; says once that it waits; raises when the
            wait is over (``StoreBusy``) or the request was abandoned."""
            nonlocal told
            waited = time.monotonic() - start
            left = budget.remaining()
            if (self.lock_wait and waited >= self.lock_wait) or (
                left is not None and left <= 0.001
            ):
                raise self._busy(waited)
            budget.check()  # abandoned: stop waiting
            if not told:
                told = True
                self.on_wait(WAITING.format(path=self.path.name))
            limits = [_LOCK_SLICE_MS / 1000]
            if self.lock_wait:
                limits.append(self.lock_wait - waited)
            if left is not None:
                limits.append(left)
            return max(min(limits), 0.001)

        if not self._write_lock.acquire(blocking=False):
            while not self._write_lock.acquire(timeout=next_slice()):
                pass
        db = self._writer.db
        try:
            setup(db)
            wait = 0.0  # the first try does not wait: a writer that must wait says so first
            while True:
                db.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
                try:
                    db.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc):
                        raise
                wait = next_slice()
        except BaseException:
            try:
                restore(db)
            finally:
                self._write_lock.release()
            raise

    @contextmanager
    def _transaction(
        self, *, bulk: bool = False, large: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on the writer connection: writers
        queue behind each other, readers go on reading the last committed version):
        committed when the block ends, rolled back when it raises. ``bulk``: without
        SQLite's foreign keys (the caller checks the ends); ``large``: with a page cache
        that holds the indexes being filled."""
        db = self._writer.db
        cache_size = [0]

        def setup(db: sqlite3.Connection) -> None:  # a no-op inside a transaction
            if bulk:
                db.execute("PRAGMA foreign_keys=OFF")
            if large:
                cache_size[0] = int(db.execute("PRAGMA cache_size").fetchone()[0])
                db.execute(f"PRAGMA cache_size = -{_IMPORT_CACHE_KB}")

        def restore(db: sqlite3.Connection) -> None:
            if bulk:
                db.execute("PRAGMA foreign_keys=ON")
            if large:
                db.execute(f"PRAGMA cache_size = {cache_size[0]}")

        try:
            self._take_write_lock(setup, restore)
        except sqlite3.OperationalError as exc:
            raise self._error(self._writer, exc) from exc
        self._local.writing = True
        try:
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
                raise self._error(self._writer, exc) from exc
            raise
        finally:
            self._local.writing = False
            try:
                restore(db)
            finally:
                self._write_lock.release()

    def _check_version(self, expected: int | None) -> None:
        """Inside a transaction (which holds the write lock): refuse to go on when the
        version is not ``expected``."""
        if expected is not None and (current := self.version()) != expected:
            raise VersionChanged(
                f"the graph changed meanwhile (version {current}, not {expected}); nothing "
                "was written",
                {"version": current},
            )

    def _set_version(self, result: WriteResult, day: str | None = None) -> None:
        """Inside a transaction: one more version when ``result`` changed anything, and
        ``day`` kept as the newest day recorded."""
        result.version = self.version()
        if result.changed:
            result.version += 1
            self._exec("UPDATE meta SET value = ? WHERE key = 'version'", (str(result.version),))
            self._drop_arrays()
            if day is not None:
                self._exec(
                    "INSERT INTO meta VALUES ('rec_last', ?) ON CONFLICT(key) DO UPDATE "
                    "SET value = max(value, excluded.value)",
                    (day,),
                )

    # -- reads ---------------------------------------------------------------------------

    def ping(self) -> None:
        self._query("SELECT 1")

    def version(self) -> int:
        return int(self._query("SELECT value FROM meta WHERE key='version'")[0][0])

    def secret(self) -> str:
        if self._secret is None:
            row = self._query("SELECT value FROM meta WHERE key='secret'")
            if not row:  # the first call ever: made and kept (a write, so in turn)
                with self._transaction():
                    token = secrets.token_hex(32)
                    self._exec("INSERT OR IGNORE INTO meta VALUES ('secret', ?)", (token,))
                    row = self._fetch("SELECT value FROM meta WHERE key='secret'")
            self._secret = str(row[0][0])
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

    def edges_of(self, id: str, offset: int = 0, limit: int | None = None) -> list[Edge]:
        rows = self._query(
            f"SELECT {_EDGE_COLUMNS} FROM edges WHERE source = ? "
            f"UNION SELECT {_EDGE_COLUMNS} FROM edges WHERE target = ? "
            "ORDER BY type, source, target, key LIMIT ? OFFSET ?",
            (id, id, _sql_limit(limit), offset),
        )
        return [_edge(r) for r in rows]

    def count_edges_of(self, id: str) -> int:
        return int(
            self._query("SELECT count(*) FROM edges WHERE source = ? OR target = ?", (id, id))[0][0]
        )

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
        self,
        source: str | None = None,
        type: str | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Edge]:
        where, params = _edge_filter(source, type, target)
        rows = self._query(
            f"SELECT {_EDGE_COLUMNS} FROM edges{where} ORDER BY key LIMIT ? OFFSET ?",
            [*params, _sql_limit(limit), offset],
        )
        return [_edge(r) for r in rows]

    def count_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> int:
        where, params = _edge_filter(source, type, target)
        return int(self._query(f"SELECT count(*) FROM edges{where}", params)[0][0])

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

    def _expand_first(
        self, ids: Sequence[str], types: Sequence[str] | None, first: int
    ) -> set[str]:
        """The ``first`` smallest ids one step from any of ``ids`` (``expand``, cut in
        SQL: a hub's million neighbours are never read out)."""
        found: set[str] = set()
        type_sql, type_params = _type_filter(types)
        for part in chunks(list(ids), _BATCH // 2):
            marks = ",".join("?" * len(part))
            rows = self._query(
                f"SELECT target FROM edges WHERE source IN ({marks}){type_sql} "
                f"UNION SELECT source FROM edges WHERE target IN ({marks}){type_sql} "
                "ORDER BY 1 LIMIT ?",
                [*part, *type_params, *part, *type_params, first],
            )
            found.update(r[0] for r in rows)
        return set(sorted(found)[:first])

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
        limit: int | None = None,
    ) -> dict[str, int]:
        allowed = set(kinds) if kinds else None
        # with a limit (and no kinds to filter by afterwards), each step reads at most the
        # ids it may need: the ``limit`` nearest unseen ones are among the first ``limit``
        # plus as many as were seen before (``seen`` counts at least those)
        seen = [1]

        def step(frontier: Sequence[str]) -> set[str]:
            if limit is not None and allowed is None:
                reached = self._expand_first(frontier, types, limit + seen[0])
                seen[0] += len(reached)
                return reached
            reached = self.expand(frontier, types)
            if allowed is not None and reached:
                reached = {i for i, k in self._kinds_of(reached) if k in allowed}
            return reached

        with self._snapshot():
            if not self._query("SELECT 1 FROM nodes WHERE id = ?", [start]):
                return {}
            return breadth_first(start, depth, step, limit)

    def _kinds_of(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for part in chunks(sorted(ids), _BATCH):
            marks = ",".join("?" * len(part))
            out.extend(self._query(f"SELECT id, kind FROM nodes WHERE id IN ({marks})", part))
        return out

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        wanted = set(ids)
        type_sql, type_params = _type_filter(types)
        if len(wanted) <= _SMALL_SET:
            # both ends checked in SQL: a hub among the ids never has all its ties read out
            members = json.dumps(sorted(wanted))
            rows = self._query(
                f"SELECT {_EDGE_COLUMNS} FROM edges "
                "WHERE source IN (SELECT value FROM json_each(?1)) "
                f"AND target IN (SELECT value FROM json_each(?1)){type_sql}",
                [members, *type_params],
            )
            return [_edge(r) for r in rows]
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

    # -- history (store.history) ---------------------------------------------------------

    def rows_as_of(self, day: str) -> tuple[list[Node], list[Edge]]:
        """The versions recorded by ``day`` and not closed by then (one read snapshot)."""
        held = "(rec_from IS NULL OR rec_from <= ?)"
        with self._snapshot():
            node_rows = self._query(
                f"SELECT id, kind, props FROM nodes WHERE {held} UNION ALL "
                f"SELECT id, kind, props FROM node_history WHERE {held} AND rec_to > ?",
                (day, day, day),
            )
            edge_rows = self._query(
                f"SELECT {_EDGE_COLUMNS} FROM edges WHERE {held} UNION ALL "
                f"SELECT {_EDGE_COLUMNS} FROM edge_history WHERE {held} AND rec_to > ?",
                (day, day, day),
            )
        return [Node(i, k, _loads(p)) for i, k, p in node_rows], [_edge_fast(r) for r in edge_rows]

    def nodes_as_of(self, ids: Sequence[str], day: str) -> list[Node]:
        """The versions of the entities ``ids`` that held on ``day`` in recorded time."""
        held = "(rec_from IS NULL OR rec_from <= ?)"
        out: list[Node] = []
        with self._snapshot():
            for part in chunks(list(ids), _BATCH // 2 - 2):
                marks = ",".join("?" * len(part))
                rows = self._query(
                    f"SELECT id, kind, props FROM nodes WHERE id IN ({marks}) AND {held} "
                    f"UNION ALL SELECT id, kind, props FROM node_history WHERE id IN ({marks}) "
                    f"AND {held} AND rec_to > ?",
                    [*part, day, *part, day, day],
                )
                out.extend(Node(i, k, _loads(p)) for i, k, p in rows)
        return out

    def edges_as_of(self, ids: Sequence[str], day: str) -> list[Edge]:
        """The versions of the relationships touching any of ``ids`` that held on ``day``
        in recorded time."""
        held = "(rec_from IS NULL OR rec_from <= ?)"
        out: list[Edge] = []
        with self._snapshot():
            for part in chunks(list(ids), _BATCH // 4 - 2):
                marks = ",".join("?" * len(part))
                touching = f"(source IN ({marks}) OR target IN ({marks}))"
                rows = self._query(
                    f"SELECT {_EDGE_COLUMNS} FROM edges WHERE {touching} AND {held} "
                    f"UNION ALL SELECT {_EDGE_COLUMNS} FROM edge_history WHERE {touching} "
                    f"AND {held} AND rec_to > ?",
                    [*part, *part, day, *part, *part, day, day],
                )
                out.extend(_edge_fast(r) for r in rows)
        return out

    def versions_of(self, id: str) -> tuple[list[NodeVersion], list[EdgeVersion]]:
        """Every version of ``id`` and of the relationships that touch it, oldest first."""
        with self._snapshot():
            node_rows = self._query(
                "SELECT id, kind, props, rec_from, NULL FROM nodes WHERE id = ?1 UNION ALL "
                "SELECT id, kind, props, rec_from, rec_to FROM node_history WHERE id = ?1",
                (id,),
            )
            edge_rows = self._query(
                f"SELECT {_EDGE_COLUMNS}, rec_from, NULL FROM edges "
                "WHERE source = ?1 OR target = ?1 UNION ALL "
                f"SELECT {_EDGE_COLUMNS}, rec_from, rec_to FROM edge_history "
                "WHERE source = ?1 OR target = ?1",
                (id,),
            )
        nodes = [NodeVersion(Node(i, k, json.loads(p)), f, t) for i, k, p, f, t in node_rows]
        edges = [EdgeVersion(_edge(r[:5]), r[5], r[6]) for r in edge_rows]
        return nodes, edges

    def change_days(self) -> list[str]:
        rows = self._query(
            "SELECT rec_from FROM nodes UNION SELECT rec_from FROM edges "
            "UNION SELECT rec_from FROM node_history UNION SELECT rec_to FROM node_history "
            "UNION SELECT rec_from FROM edge_history UNION SELECT rec_to FROM edge_history"
        )
        return sorted(r[0] for r in rows if r[0] is not None)

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        """:meth:`subgraph` as arrays (``store.arrays``): the entities, and of each
        relationship its ends and type, without reading its properties. The whole graph's
        arrays come from the snapshot of this version when the file holds one, else from
        the tables (and the snapshot is written); ``kinds`` and ``types`` are cut from
        them (see the module's docstring)."""
        if getattr(self._local, "writing", False):  # inside a write: what it wrote so far
            return subset_arrays(self._read_arrays(None)[0], kinds, types)
        blobs: dict[str, bytes] | None = None
        with self._snapshot():
            version = self.version()
            full = self._load_arrays(version)
            if full is None:
                full, blobs = self._read_arrays(version)
        if blobs is not None:
            self._save_arrays(version, blobs)
        return subset_arrays(full, kinds, types)

    def _has_arrays_table(self) -> bool:
        return bool(
            self._fetch(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'arrays_snapshot'"
            )
        )

    def _read_arrays(self, version: int | None) -> tuple[GraphArrays, dict[str, bytes]]:
        """The whole graph's arrays read from the tables, and the blobs of their snapshot
        at ``version``."""
        import numpy as np

        node_rows = self._query("SELECT id, kind, props FROM nodes ORDER BY id")
        edge_rows = self._query("SELECT source, type, target FROM edges")
        node_rows.sort(key=itemgetter(0))  # Python's order (SQLite's is the same: UTF-8)
        ids = [r[0] for r in node_rows]
        kinds = [r[1] for r in node_rows]
        kind_names = sorted(set(kinds))
        code = {k: c for c, k in enumerate(kind_names)}
        kind_codes = np.fromiter(map(code.__getitem__, kinds), np.int64, len(kinds))
        props = ("[" + ",".join(r[2] for r in node_rows) + "]").encode()
        src, dst, typ, types = edge_arrays(ids, edge_rows)
        blobs = {
            "ids": _dumps_list(ids),
            "kinds": kind_codes.astype(_SNAPSHOT_INT).tobytes(),
            "props": props,
            "src": src.astype(_SNAPSHOT_INT).tobytes(),
            "dst": dst.astype(_SNAPSHOT_INT).tobytes(),
            "type": typ.astype(_SNAPSHOT_INT).tobytes(),
        }
        header = {
            "format": SNAPSHOT_FORMAT,
            "version": version,
            "n": len(ids),
            "m": int(src.size),
            "kinds": kind_names,
            "types": types,
            "crc": {name: zlib.crc32(blob) for name, blob in blobs.items()},
        }
        blobs["header"] = orjson.dumps(header)
        table = NodeTable(ids, kind_codes, kind_names, lambda: _loads(props))
        return GraphArrays(ids, table, src, dst, typ, types), blobs

    def _load_arrays(self, version: int) -> GraphArrays | None:
        """The snapshot of ``version``, or None when the file holds none or holds one that
        does not check (another format, a CRC or a count that does not match)."""
        if not self._has_arrays_table():
            return None
        rows = self._query(
            f"SELECT header, {', '.join(_SNAPSHOT_BLOBS)} FROM arrays_snapshot WHERE version = ?",
            (version,),
        )
        if not rows:
            return None
        try:
            return _decode_arrays(version, rows[0])
        except (ValueError, TypeError, KeyError, IndexError, OverflowError):
            return None

    def _save_arrays(self, version: int, blobs: dict[str, bytes]) -> None:
        """Keep ``blobs`` as the snapshot of ``version`` (in place of any other), in one
        transaction, if the graph is still at ``version`` and the write lock is free now;
        else, or if the file cannot be written, keep nothing."""
        if not self._write_lock.acquire(blocking=False):
            return
        db = self._writer.db
        try:
            db.execute("PRAGMA busy_timeout = 0")
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            if row is not None and int(row[0]) == version:
                db.execute(_SNAPSHOT_TABLE)
                db.execute("DELETE FROM arrays_snapshot")
                db.execute(
                    "INSERT INTO arrays_snapshot (version, header, "
                    f"{', '.join(_SNAPSHOT_BLOBS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (version, blobs["header"].decode(), *(blobs[b] for b in _SNAPSHOT_BLOBS)),
                )
            db.execute("COMMIT")
        except sqlite3.Error:  # busy, read-only, disk full: the next read reads the tables
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
        finally:
            self._write_lock.release()

    def _drop_arrays(self) -> None:
        """Inside a write transaction that changes the graph: no snapshot outlives it."""
        if self._has_arrays_table():
            self._exec("DELETE FROM arrays_snapshot")

    def stats(self) -> Stats:
        with self._snapshot():
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
        at: str | None = None,
        snapshot: bool = False,
    ) -> WriteResult:
        """Write in one transaction: entities, then relationships, each merged into what the
        store holds (``replace``: written as given) and counted as created, updated or
        unchanged.

        History (``store.history``): a changed entity or relationship keeps its old version
        in ``node_history`` / ``edge_history``, closed at ``at`` (an ISO day; default
        today), and its new one is recorded from ``at``. ``snapshot``: the write is the
        whole graph on ``at`` (written as given, as with ``replace``): whatever the store
        holds and the write lacks is closed at ``at`` too (:meth:`delete`'s way).

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
        replace = replace or snapshot
        with self._transaction(bulk=bulk, large=large):
            self._check_version(expected_version)
            day = self._write_day(at)
            kept: list[tuple[Any, ...]] = []
            node_rows = self._node_rows(nodes, result, replace, progress, day, kept)
            with self._clock() as db:
                db.executemany(_KEEP_NODE, kept)
                db.executemany(_UPSERT_NODE, node_rows)
            kept = []
            edge_rows = self._edge_rows(edges, result, replace, progress, day, kept)
            with self._clock() as db:
                db.executemany(_KEEP_EDGE, kept)
                db.executemany(_UPSERT_EDGE, edge_rows)
            if bulk:
                self._check_ends(edge_rows)
            if snapshot:
                ids = {n.id for n in nodes}
                keys = {e.key for e in edges}
                gone_ids = [
                    r[0]
                    for r in self._fetch("SELECT id FROM nodes WHERE kind <> 'Area'")
                    if r[0] not in ids
                ]
                gone_keys = [r[0] for r in self._fetch(_SNAPSHOT_ENDABLE_EDGES) if r[0] not in keys]
                self._close(gone_ids, gone_keys, day, result)
            self._set_version(result, day)
        return result

    def _write_day(self, at: str | None) -> str:
        """Inside a write: the day it is recorded on. Given (a snapshot's), it may not be
        before the newest day already recorded (that would rewrite later history); by
        default today, or that newest day if it is later (a snapshot dated ahead)."""
        row = self._fetch("SELECT value FROM meta WHERE key = 'rec_last'")
        last = row[0][0] if row else None
        return write_day(at, last)

    def _check_ends(self, edge_rows: list[tuple[str, str, str, str, str, str]]) -> None:
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
        day: str,
        kept: list[tuple[Any, ...]],
    ) -> list[tuple[str, str, str, str, str]]:
        """The rows to upsert, one per id (the last write of an id given twice), sorted;
        the stored versions they close are added to ``kept`` (``node_history`` rows)."""
        empty = self._is_empty("nodes")
        # id -> (kind, props) as the store holds it now, or will once these rows are written
        state: dict[str, tuple[str, dict[str, Any]]] = {}
        stored: dict[str, tuple[str, str, str | None]] = {}  # id -> kind, props, rec_from
        rows: dict[str, tuple[str, str, str, str, str]] = {}
        name_keys: dict[str, str] = {}  # many people share a name
        done = 0
        for part in chunks(nodes, _BATCH):
            if not empty:
                wanted = [i for i in dict.fromkeys(n.id for n in part) if i not in state]
                if wanted:
                    marks = ",".join("?" * len(wanted))
                    for i, k, p, r in self._fetch(
                        f"SELECT id, kind, props, rec_from FROM nodes WHERE id IN ({marks})",
                        wanted,
                    ):
                        state[i] = (k, json.loads(p))
                        stored[i] = (k, p, r)
            for node in part:
                old = state.get(node.id)
                if old is None:
                    props = node.props  # read here, never changed
                    result.nodes_created += 1
                else:
                    props = node.props if replace else {**old[1], **node.props}
                    if old[0] != node.kind or old[1] != props:
                        result.nodes_updated += 1
                        closed = stored.pop(node.id, None)
                        if closed is not None:
                            kept.append((node.id, *closed, day))
                    else:
                        result.nodes_unchanged += 1
                        continue
                state[node.id] = (node.kind, props)
                name = str(props.get("name", ""))
                name_key = name_keys.get(name)
                if name_key is None:
                    name_key = name_keys[name] = normalise_name(name)
                rows[node.id] = (node.id, node.kind, name_key, _dumps(props), day)
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
        day: str,
        kept: list[tuple[Any, ...]],
    ) -> list[tuple[str, str, str, str, str, str]]:
        """The rows to upsert, in the order given (a key given twice: each write in turn);
        the stored versions they close are added to ``kept`` (``edge_history`` rows)."""
        empty = self._is_empty("edges")
        # key -> (source, type, target, props) as stored now or once these rows are written
        state: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
        stored: dict[str, tuple[Any, ...]] = {}  # key -> the stored row, rec_from last
        rows = []
        done = 0
        for part in chunks(edges, _BATCH):
            if not empty:
                wanted = [k for k in dict.fromkeys(e.key for e in part) if k not in state]
                if wanted:
                    marks = ",".join("?" * len(wanted))
                    for row in self._fetch(
                        f"SELECT {_EDGE_COLUMNS}, rec_from FROM edges WHERE key IN ({marks})",
                        wanted,
                    ):
                        state[row[0]] = (row[1], row[2], row[3], json.loads(row[4]))
                        stored[row[0]] = row
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
                        closed = stored.pop(edge.key, None)
                        if closed is not None:
                            kept.append((*closed, day))
                    else:
                        result.edges_unchanged += 1
                        continue
                state[edge.key] = (edge.source, edge.type, edge.target, props)
                rows.append((edge.key, edge.source, edge.type, edge.target, _dumps(props), day))
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
        at: str | None = None,
    ) -> WriteResult:
        """As the protocol says; what goes is kept in the history, closed at ``at``
        (default today)."""
        result = WriteResult()
        with self._transaction():
            self._check_version(expected_version)
            day = self._write_day(at)
            self._close(node_ids, edge_keys, day, result)
            self._set_version(result, day)
        return result

    def _close(
        self, node_ids: Iterable[str], edge_keys: Iterable[str], day: str, result: WriteResult
    ) -> None:
        """Inside a write: delete the relationships ``edge_keys`` and the entities
        ``node_ids`` with all their relationships, each kept in the history, closed at
        ``day``."""
        for part in chunks(list(dict.fromkeys(edge_keys)), _BATCH):
            marks = ",".join("?" * len(part))
            self._exec(
                "INSERT INTO edge_history (key, source, type, target, props, rec_from, rec_to) "
                f"SELECT {_EDGE_COLUMNS}, rec_from, ? FROM edges WHERE key IN ({marks})",
                [day, *part],
            )
            cursor = self._exec(f"DELETE FROM edges WHERE key IN ({marks})", part)
            result.edges_deleted += cursor.rowcount
        for part in chunks(list(dict.fromkeys(node_ids)), _BATCH // 2):
            marks = ",".join("?" * len(part))
            touching = f"source IN ({marks}) OR target IN ({marks})"
            self._exec(
                "INSERT INTO edge_history (key, source, type, target, props, rec_from, rec_to) "
                f"SELECT {_EDGE_COLUMNS}, rec_from, ? FROM edges WHERE {touching}",
                [day, *part, *part],
            )
            cursor = self._exec(f"DELETE FROM edges WHERE {touching}", [*part, *part])
            result.edges_deleted += cursor.rowcount
            self._exec(
                "INSERT INTO node_history (id, kind, props, rec_from, rec_to) "
                f"SELECT id, kind, props, rec_from, ? FROM nodes WHERE id IN ({marks})",
                [day, *part],
            )
            cursor = self._exec(f"DELETE FROM nodes WHERE id IN ({marks})", part)
            result.nodes_deleted += cursor.rowcount

    def clear(self) -> None:
        """Forget everything, history too (``DELETE /api/graph``)."""
        with self._transaction():
            self._exec("DELETE FROM edges")
            self._exec("DELETE FROM nodes")
            self._exec("DELETE FROM edge_history")
            self._exec("DELETE FROM node_history")
            self._exec("DELETE FROM meta WHERE key = 'rec_last'")
            self._exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'")
            self._drop_arrays()

    def close(self) -> None:
        self._closed = True
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.db.close()
        with self._write_lock:
            self._writer.db.close()


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY (another connection holds the lock), with or without an extended
    code."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


def _create_private(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only (0600), unless it
    exists (an existing store keeps its mode)."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _edge_fast(row: tuple[Any, ...]) -> Edge:
    """:func:`_edge` with the properties read by orjson (:func:`_loads`): the history's
    reads parse every version that held on a day."""
    return Edge(row[1], row[2], row[3], _loads(row[4]), row[0])


def _loads(props: str | bytes) -> Any:
    """``json.loads``, by orjson where it can (what it refuses, such as NaN or an integer
    beyond 64 bits, goes to ``json``)."""
    try:
        return orjson.loads(props)
    except orjson.JSONDecodeError:
        return json.loads(props)


def _dumps_list(items: list[str]) -> bytes:
    """A list of strings as JSON (orjson; ``json`` for what orjson refuses)."""
    try:
        return orjson.dumps(items)
    except TypeError:
        return json.dumps(items, ensure_ascii=False).encode()


def _decode_arrays(version: int, row: tuple[Any, ...]) -> GraphArrays:
    """The arrays of a row of ``arrays_snapshot`` read at ``version``; ``ValueError`` (or
    another error of a malformed value) when anything in it does not check."""
    import numpy as np

    header = orjson.loads(row[0])
    if header.get("format") != SNAPSHOT_FORMAT or header.get("version") != version:
        raise ValueError(f"snapshot format {header.get('format')!r} of {header.get('version')}")
    blobs = dict(zip(_SNAPSHOT_BLOBS, row[1:], strict=True))
    for name, blob in blobs.items():
        if not isinstance(blob, bytes) or zlib.crc32(blob) != header["crc"][name]:
            raise ValueError(f"snapshot blob {name} does not match its CRC")
    n, m = int(header["n"]), int(header["m"])
    kind_names, types = list(header["kinds"]), list(header["types"])
    ids = _loads(blobs["ids"])

    def ints(name: str, size: int, bound: int) -> np.ndarray:
        values = np.frombuffer(blobs[name], dtype=_SNAPSHOT_INT).astype(np.int64)
        if values.size != size or (size and (values.min() < 0 or values.max() >= bound)):
            raise ValueError(f"snapshot blob {name}: {values.size} values, not {size} in range")
        return values

    if not isinstance(ids, list) or len(ids) != n:
        raise ValueError("snapshot ids")
    kinds = ints("kinds", n, len(kind_names))
    src, dst, typ = ints("src", m, n), ints("dst", m, n), ints("type", m, len(types))
    props = blobs["props"]
    table = NodeTable(ids, kinds, kind_names, lambda: _loads(props))
    return GraphArrays(ids, table, src, dst, typ, types)


def _edge(row: tuple[Any, ...]) -> Edge:
    key, source, type_, target, props = row
    return Edge(source, type_, target, json.loads(props), key)


def _sql_limit(limit: int | None) -> int:
    """SQLite's LIMIT for ``limit`` (a negative LIMIT: no limit)."""
    return -1 if limit is None else limit


def _edge_filter(source: str | None, type: str | None, target: str | None) -> tuple[str, list[str]]:
    """`` WHERE source = ? AND …`` for the ends and type given, and its parameters."""
    given = {"source": source, "type": type, "target": target}
    wanted = {column: value for column, value in given.items() if value is not None}
    where = " AND ".join(f"{column} = ?" for column in wanted)
    return (f" WHERE {where}" if where else ""), list(wanted.values())


def _type_filter(types: Sequence[str] | None, where: bool = False) -> tuple[str, list[str]]:
    if types is None:
        return "", []
    marks = ",".join("?" * len(types))
    return (" WHERE" if where else " AND") + f" type IN ({marks})", list(types)

"""One request never holds the store for everyone (issue 11, points 3 and 8, and the file's
mode from point 11).

- Reads answer while a write transaction is open, in this process (a write stopped inside
  its transaction by its own progress callback) and in another (a connection that holds
  the write lock with an uncommitted entity), and see the graph as it was before it.
- Two imports started while another writer holds the store both wait their turn (each says
  so on stderr), then both succeed: every entity of both is there.
- A write that may not wait long enough says plainly that another import holds the store.
- Every statement stops at what is left of the request's budget (``budget.limit``), on both
  stores, and an abandoned request stops its statement.

No test here compares how long anything took: threads and processes are waited for with
``wait_until`` and events.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph_service import budget
from graph_service.budget import Abandoned
from graph_service.errors import QueryTimeout
from graph_service.store.base import GraphStore, StoreBusy, neighbourhood
from graph_service.store.embedded import EmbeddedStore
from tests.factories import chain_graph, cli_path, people_dataset, person
from tests.servers import PATIENCE, wait_until

SLOW_SQL = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000000) "
    "SELECT count(*) FROM c"
)


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``work`` in a thread; the dict gets its ``result`` or its ``error``."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = work()
        except BaseException as exc:  # handed to the test
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def finished(thread: threading.Thread, out: dict[str, Any], what: str) -> Any:
    wait_until(lambda: not thread.is_alive(), what)
    if "error" in out:
        raise out["error"]
    return out.get("result")


def read_everything(store: GraphStore) -> dict[str, Any]:
    """The reads a service makes: /health, stats, show, a reach over several steps."""
    store.ping()
    return {
        "version": store.version(),
        "stats": store.stats().to_dict(),
        "p9": store.get_nodes(["p9"]),
        "distances": store.distances("p1", 10),
        "neighbourhood": sorted(neighbourhood(store, "p1", 2).nodes),
    }


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path / "graph.db", query_timeout=0)
    store.write(*chain_graph())
    yield store
    store.close()


def test_reads_answer_while_this_process_writes(chain: EmbeddedStore) -> None:
    before = read_everything(chain)
    assert before["version"] == 1
    assert before["distances"] == {"p1": 0, "o1": 1, "n1": 2, "a1": 2, "o2": 3, "p2": 4}
    inside, release = threading.Event(), threading.Event()

    def progress(what: str, done: int, total: int) -> None:
        inside.set()  # the write transaction is open and holds the write lock
        assert release.wait(PATIENCE)

    writer, written = in_thread(lambda: chain.write([person("p9", "เก้า")], [], progress))
    wait_until(inside.is_set, "the write to be inside its transaction")
    # reads from other threads (the service's thread pool) and from another store object
    # on the same file: they answer, and see the graph as it was
    reader, read = in_thread(lambda: read_everything(chain))
    assert finished(reader, read, "reads while the write is open") == before
    other = EmbeddedStore(chain.path, query_timeout=0)
    try:
        assert read_everything(other) == before
    finally:
        other.close()
    release.set()
    assert finished(writer, written, "the write").version == 2
    after = read_everything(chain)
    assert after["version"] == 2
    assert set(after["p9"]) == {"p9"}


@contextmanager
def held_write_lock(path: Path) -> Iterator[Callable[[], None]]:
    """Another process's writer, as SQLite sees it: a connection that holds the write lock
    (``BEGIN IMMEDIATE``) with an entity written and not committed. Yields a function that
    lets go (rolls back)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO nodes (id, kind, name_key, props) VALUES "
        "('uncommitted', 'Person', 'x', '{\"name\": \"x\"}')"
    )
    db.execute("UPDATE meta SET value = '99' WHERE key = 'version'")

    def release() -> None:
        if db.in_transaction:
            db.execute("ROLLBACK")

    try:
        yield release
    finally:
        release()
        db.close()


def test_reads_answer_while_another_process_holds_the_write_lock(chain: EmbeddedStore) -> None:
    before = read_everything(chain)
    with held_write_lock(chain.path):
        reader, read = in_thread(lambda: read_everything(chain))
        assert finished(reader, read, "reads while another writer holds the store") == before
        assert chain.get_nodes(["uncommitted"]) == {}
        assert chain.version() == 1


def test_a_write_that_may_not_wait_says_another_import_holds_the_store(
    chain: EmbeddedStore,
) -> None:
    told: list[str] = []
    impatient = EmbeddedStore(chain.path, query_timeout=0, lock_wait=0.2)
    impatient.on_wait = told.append
    try:
        with held_write_lock(chain.path):
            with pytest.raises(StoreBusy) as busy:
                impatient.write([person("p9")], [])
            # under a request's budget, the budget bounds the wait as well
            with budget.limit(0.2), pytest.raises(StoreBusy):
                chain.write([person("p9")], [])
        error = busy.value
        assert (error.code, error.http_status) == ("store_busy", 503)
        assert error.message.startswith("another import holds the store graph.db")
        assert "unreachable" not in error.message
        assert told == ["waiting for another import that holds the store graph.db…"]
        assert impatient.get_nodes(["p9"]) == {}
        assert impatient.write([person("p9")], []).version == 2  # free again: it writes
    finally:
        impatient.close()


def test_two_imports_wait_their_turn_and_both_succeed(tmp_path: Path) -> None:
    path = tmp_path / "graph.db"
    store = EmbeddedStore(path, query_timeout=0)
    a = people_dataset(tmp_path / "a", range(0, 300), 10, "A")
    b = people_dataset(tmp_path / "b", range(300, 700), 10, "B")
    try:
        with held_write_lock(path) as release:
            procs = []
            for name, folder in (("a", a), ("b", b)):
                err = tmp_path / f"{name}.err"
                with err.open("wb") as stderr:
                    proc = subprocess.Popen(
                        [cli_path(), "--store", str(path), "import", str(folder)],
                        stdout=subprocess.DEVNULL,
                        stderr=stderr,
                        env=dict(os.environ),
                    )
                procs.append((proc, err))

            def both_told() -> bool:
                return all(
                    "waiting for another import that holds the store graph.db"
                    in err.read_text(errors="replace")
                    for _, err in procs
                )

            def ended() -> str | None:
                for proc, err in procs:
                    if proc.poll() is not None:
                        return f"an import ended while the store was held: {err.read_text()}"
                return None

            wait_until(both_told, "both imports to say they wait", still=ended)
            release()
            for proc, err in procs:
                assert proc.wait(PATIENCE) == 0, err.read_text()
        stats = store.stats()
        # a: 300 people, b: 400, the 10 organisations shared; one version per import
        assert stats.nodes == {"Person": 700, "Organisation": 10}
        assert stats.relationships == {"MEMBER_OF": 700, "KNOWS": 299 + 399}
        assert stats.version == 2
    finally:
        store.close()


def test_the_store_file_and_its_logs_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which made the file 0644 before
    try:
        store = EmbeddedStore(tmp_path / "new" / "graph.db")
        try:
            store.write(*chain_graph())
            store.secret()
            reader, read = in_thread(store.stats)  # a reader connection open too
            finished(reader, read, "a read")
            for name in ("graph.db", "graph.db-wal", "graph.db-shm"):
                mode = os.stat(tmp_path / "new" / name).st_mode & 0o777
                assert mode == 0o600, f"{name}: {oct(mode)}"
        finally:
            store.close()
    finally:
        os.umask(old)


# -- the budget bounds every statement --------------------------------------------------


def test_an_embedded_statement_stops_at_the_budget(chain: EmbeddedStore) -> None:
    assert chain.query_timeout == 0  # no limit of the store's own: only the budget's
    with budget.limit(0.5), pytest.raises(QueryTimeout) as raised:
        chain._query(SLOW_SQL)
    error = raised.value
    assert (error.code, error.http_status, error.exit_code) == ("query_timeout", 503, 3)
    assert error.details == {"timeout_seconds": 0.5}
    # a store timeout shorter than the budget names its own limit
    short = EmbeddedStore(chain.path, query_timeout=0.25)
    try:
        with budget.limit(60), pytest.raises(QueryTimeout) as own:
            short._query(SLOW_SQL)
        assert own.value.details == {"timeout_seconds": 0.25}
    finally:
        short.close()
    assert chain.version() == 1  # the next statement runs


def test_an_abandoned_request_stops_its_statement(chain: EmbeddedStore) -> None:
    started = threading.Event()
    holder: dict[str, budget.Budget] = {}

    def slow() -> Any:
        with budget.limit(0) as b:  # no deadline: only the cancellation stops it
            holder["budget"] = b
            started.set()
            return chain._query(SLOW_SQL)

    thread, out = in_thread(slow)
    wait_until(started.is_set, "the slow read to start")
    holder["budget"].cancel()
    with pytest.raises(Abandoned):
        finished(thread, out, "the abandoned read to stop")
    assert chain.version() == 1


@pytest.mark.neo4j
def test_a_neo4j_statement_stops_at_the_budget(neo4j_server: tuple[str, str, str]) -> None:
    from graph_service.store.catalog import Catalog, parse_query
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = neo4j_server
    store = Neo4jStore(url, user, password, query_timeout=0)
    slow = parse_query(
        "test/slow_sum",
        "// Returns the sum of a trillion numbers' odd sevenths: slow on purpose.\n"
        "// mode: read\n// params: none\n"
        "UNWIND range(1, 1000000000000) AS i WITH i WHERE i % 7 = 3 RETURN sum(i) AS n",
    )
    names = store.catalog.names()
    store.catalog = Catalog({**{n: store.catalog[n] for n in names}, slow.name: slow})
    try:
        with budget.limit(0.5), pytest.raises(QueryTimeout) as raised:
            store._execute("test/slow_sum")  # one auto-committed read
        error = raised.value
        assert (error.code, error.http_status) == ("query_timeout", 503)
        assert error.details == {"timeout_seconds": 0.5}
        with budget.limit(0.5), pytest.raises(QueryTimeout):  # a managed transaction
            store._transaction(lambda tx: store._run(tx, "test/slow_sum"), "test/slow_sum")
        store.ping()
    finally:
        store.close()

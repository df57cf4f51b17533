"""Two imports of overlapping data at the same time, on each store: no entity or
relationship twice, the final counts exact, every shared entity entirely as one of the two
imports wrote it, and the version moved once per import.

The two ``graph-service import`` processes are made to overlap for certain: the test holds
the store's write lock (embedded: ``BEGIN IMMEDIATE`` on the file; Neo4j: a transaction
that wrote the graph's metadata node, which every write takes first) while both start,
read and validate their files against the same graph, and wait for the lock; only then
does it let go.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph_service.store.base import GraphStore
from tests.factories import cli_path, distinct_counts, people_dataset
from tests.servers import PATIENCE, wait_until

# A: people p0..p1999, B: people p1000..p2999, both in organisations o0..o49
# (p_i MEMBER_OF o_{i mod 50}) with a KNOWS chain along their people. Shared: the 50
# organisations, the 1,000 people p1000..p1999, their 1,000 MEMBER_OF and the 999 KNOWS
# p1000 -> ... -> p1999; every property of a shared entity or KNOWS differs (tag A or B).
A_PEOPLE, B_PEOPLE, ORGS = range(0, 2000), range(1000, 3000), 50
SHARED_IDS = [f"o{j}" for j in range(ORGS)] + [f"p{i}" for i in range(1000, 2000)]


def _props(id_: str, tag: str) -> dict[str, Any]:
    if id_.startswith("o"):
        return {"name": f"องค์กร {id_[1:]} {tag}", "note": tag}
    return {"name": f"คน {id_[1:]} {tag}", "role": f"role-{tag}", "note": tag}


def _location(store: GraphStore, request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    """The ``--store`` URL of the fixture's store and the environment that opens it."""
    if store.engine == "neo4j":
        url, _user, password = request.getfixturevalue("neo4j_server")
        return url, {**os.environ, "GRAPH_NEO4J_PASSWORD": password}
    return store.location, dict(os.environ)


@contextmanager
def _embedded_lock(path: str) -> Iterator[Callable[[], None]]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    released = False

    def release() -> None:
        nonlocal released
        db.execute("ROLLBACK")
        released = True

    try:
        yield release
    finally:
        if not released:
            db.execute("ROLLBACK")
        db.close()


def _waiting_in_sqlite(pid: int) -> bool:
    """True while ``pid`` sleeps in SQLite's busy handler, i.e. waits for the write lock:
    nothing else in an import sleeps."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text()
        syscall = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    # x86-64: 35 nanosleep, 230 clock_nanosleep; arm64: 101, 115
    return "nanosleep" in wchan or syscall in ("35", "230", "101", "115")


@contextmanager
def _neo4j_lock(url: str, password: str) -> Iterator[Callable[[], None]]:
    import neo4j

    driver = neo4j.GraphDatabase.driver(url, auth=("neo4j", password))
    session = driver.session()
    tx = session.begin_transaction()
    tx.run(
        "MERGE (m:GraphMeta {id: 'graph'}) ON CREATE SET m.version = 0 "
        "SET m.last_write = datetime()"
    ).consume()

    def release() -> None:
        tx.rollback()

    try:
        yield release
    finally:
        if not tx.closed():
            tx.rollback()
        session.close()
        driver.close()


def _blocked_on_graph_lock(url: str, password: str) -> int:
    """How many transactions wait for the graph's write lock (meta/lock_graph)."""
    import neo4j

    with neo4j.GraphDatabase.driver(url, auth=("neo4j", password)) as driver:
        records = driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery, status RETURN currentQuery, status"
        ).records
    return sum(
        1
        for r in records
        if (r["status"] or "").startswith("Blocked") and "GraphMeta" in (r["currentQuery"] or "")
    )


def test_two_overlapping_imports_at_once_write_each_entity_once(
    store: GraphStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url, env = _location(store, request)
    a = people_dataset(tmp_path / "a", A_PEOPLE, ORGS, "A")
    b = people_dataset(tmp_path / "b", B_PEOPLE, ORGS, "B")
    version = store.version()

    if store.engine == "neo4j":
        lock = _neo4j_lock(url, env["GRAPH_NEO4J_PASSWORD"])
    else:
        lock = _embedded_lock(url)
    with lock as release:
        procs = {
            tag: subprocess.Popen(
                [cli_path(), "--store", url, "import", str(folder), "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for tag, folder in (("A", a), ("B", b))
        }
        try:

            def both_waiting() -> bool:
                if store.engine == "neo4j":
                    return _blocked_on_graph_lock(url, env["GRAPH_NEO4J_PASSWORD"]) == 2
                return all(_waiting_in_sqlite(p.pid) for p in procs.values())

            def ended() -> str | None:
                for tag, proc in procs.items():
                    if proc.poll() is not None:
                        return (
                            f"import {tag} ended before the lock was let go: "
                            + (proc.communicate()[1][-2000:])
                        )
                return None

            wait_until(both_waiting, "both imports to wait for the write lock", still=ended)
        finally:
            release()
        outputs = {}
        for tag, proc in procs.items():
            out, err = proc.communicate(timeout=PATIENCE)
            assert proc.returncode == 0, f"import {tag}: exit {proc.returncode}: {err[-2000:]}"
            outputs[tag] = json.loads(out)["written"]

    # one import wrote first, on the graph both had validated against; the other then
    # found the 1,050 shared entities and 1,999 shared relationships and changed them
    first, second = sorted(outputs, key=lambda t: outputs[t]["version"])
    assert [outputs[first]["version"], outputs[second]["version"]] == [version + 1, version + 2]
    assert store.version() == version + 2
    written = {tag: _counts(doc) for tag, doc in outputs.items()}
    assert written[first] == {
        "nodes": (2050, 0, 0),  # (created, updated, unchanged)
        "edges": (2000 + 1999, 0, 0),
    }
    # the second: 1,000 people new, the 1,050 shared changed; relationships: 1,000 MEMBER_OF
    # and 1,000 KNOWS new, the 999 shared KNOWS changed (their note), the 1,000 shared
    # MEMBER_OF (no properties) unchanged
    assert written[second] == {"nodes": (1000, 1050, 0), "edges": (2000, 999, 1000)}

    stats = store.stats()
    assert stats.nodes == {"Person": 3000, "Organisation": 50}
    assert stats.relationships == {"MEMBER_OF": 3000, "KNOWS": 2999}
    password = env.get("GRAPH_NEO4J_PASSWORD") if store.engine == "neo4j" else None
    assert distinct_counts(url, password) == {
        "entities": 3050,
        "entity_ids": 3050,
        "relationships": 5999,
        "relationship_keys": 5999,
    }

    # every shared entity and KNOWS holds every property of the second import, none of
    # the first's: whole transactions, one after the other
    nodes = store.get_nodes(SHARED_IDS + ["p0", "p2999"])
    mixed = [i for i in SHARED_IDS if nodes[i].props != _props(i, second)]
    assert mixed == [], f"{len(mixed)} shared entities not entirely {second}'s, e.g. {mixed[:3]}"
    assert nodes["p0"].props == _props("p0", "A")
    assert nodes["p2999"].props == _props("p2999", "B")
    knows = {
        (e.source, e.target): e.props
        for e in store.edges_among([f"p{i}" for i in range(3000)], ["KNOWS"])
    }
    assert len(knows) == 2999
    assert all(knows[(f"p{i}", f"p{i + 1}")] == {"note": second} for i in range(1000, 1999))
    assert knows[("p0", "p1")] == {"note": "A"}
    assert knows[("p2998", "p2999")] == {"note": "B"}


def _counts(written: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    n, e = written["nodes"], written["relationships"]
    return {
        "nodes": (n["created"], n["updated"], n["unchanged"]),
        "edges": (e["created"], e["updated"], e["unchanged"]),
    }

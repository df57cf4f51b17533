"""Neo4j dies: an import it kills ends with a clear error and leaves the old graph, and the
same import run again writes exactly the new one; the service says 503 while Neo4j is down
and answers again once it is back, without a restart.

The fault is the harsh one: SIGKILL of Neo4j's JVM (no clean shutdown), then a start on
the same data, so Neo4j recovers from its transaction log as after a power cut.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph_service.store.neo4j_store import Neo4jStore
from tests.factories import cli_path, distinct_counts, people_dataset
from tests.faults.conftest import FaultNeo4j
from tests.servers import PATIENCE, get_json, serving, wait_until

pytestmark = pytest.mark.neo4j

#: the graph of the first, small import: 100 people p0..p99, each in its own organisation
#: o0..o99 (MEMBER_OF p_i -> o_i), and a KNOWS chain of 99
OLD_NODES = {"Person": 100, "Organisation": 100}
OLD_RELATIONSHIPS = {"MEMBER_OF": 100, "KNOWS": 99}
#: the big import that Neo4j dies under: 15,000 people p0..p14999 in the same 100
#: organisations (p_i -> o_{i mod 100}, so the old 100 MEMBER_OF again), with other values
#: in every entity and KNOWS: 15,000 MEMBER_OF and a KNOWS chain of 14,999 that holds the
#: old one. Seconds of writing, so the kill lands in the middle of it.
BIG_PEOPLE = 15_000
NEW_NODES = {"Person": 15_000, "Organisation": 100}
NEW_RELATIONSHIPS = {"MEMBER_OF": 15_000, "KNOWS": 14_999}


@pytest.fixture
def fault_store(fault_neo4j: FaultNeo4j) -> Any:
    store = Neo4jStore(fault_neo4j.url, "neo4j", fault_neo4j.password)
    store.clear()
    yield store
    store.close()


def _import(server: FaultNeo4j, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [cli_path(), "--store", server.url, "import", str(folder)],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _writing(driver: neo4j.Driver) -> bool:
    """True while some transaction runs the import's batched upsert (``UNWIND $rows``)."""
    records = driver.execute_query(
        "SHOW TRANSACTIONS YIELD currentQuery RETURN currentQuery"
    ).records
    return any("UNWIND $rows" in (r["currentQuery"] or "") for r in records)


def test_import_killed_by_neo4j_crash_leaves_the_old_graph_and_a_rerun_writes_the_new(
    fault_neo4j: FaultNeo4j, fault_store: Neo4jStore, tmp_path: Path
) -> None:
    old = people_dataset(tmp_path / "old", range(100), 100, "old")
    first = _import(fault_neo4j, old)
    assert first.returncode == 0, first.stderr
    before = fault_store.stats()
    assert (before.nodes, before.relationships) == (OLD_NODES, OLD_RELATIONSHIPS)

    big = people_dataset(tmp_path / "big", range(BIG_PEOPLE), 100, "new")
    err = (tmp_path / "import.err").open("w+")
    out = (tmp_path / "import.out").open("w+")
    importer = subprocess.Popen(
        [cli_path(), "--store", fault_neo4j.url, "import", str(big)],
        env=fault_neo4j.env,
        stdout=out,
        stderr=err,
        text=True,
    )
    try:
        with neo4j.GraphDatabase.driver(
            fault_neo4j.url, auth=("neo4j", fault_neo4j.password)
        ) as watcher:
            wait_until(
                lambda: _writing(watcher),
                "the import to start writing",
                still=lambda: (
                    None
                    if importer.poll() is None
                    else "the import ended before Neo4j could be killed while it wrote "
                    f"(exit {importer.returncode}); make BIG_PEOPLE larger"
                ),
                every=0.01,
            )
            # the importer is stopped inside its one transaction, which it alone can commit:
            # however busy the machine, Neo4j dies before the commit, never after it
            importer.send_signal(signal.SIGSTOP)
            assert fault_store.stats() == before, "nothing is committed while the import runs"
        fault_neo4j.kill()
        importer.send_signal(signal.SIGCONT)
        started = time.monotonic()
        status = importer.wait(timeout=PATIENCE)
        print(f"the import exited {status} {time.monotonic() - started:.1f} s after the kill")
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()
    err.seek(0)
    out.seek(0)
    message, printed = err.read(), out.read()
    assert status == 3, f"exit {status}; stderr: {message[-2000:]}"
    assert "Neo4j" in message and "Traceback" not in message, message[-2000:]
    assert not printed.startswith("Imported"), printed

    fault_neo4j.start()
    after = fault_store.stats()
    assert after == before, "after the crash the store must hold exactly the old graph"
    p0 = fault_store.get_nodes(["p0"])["p0"]
    assert p0.props == {"name": "คน 0 old", "role": "role-old", "note": "old"}
    assert distinct_counts(fault_neo4j.url, fault_neo4j.password) == {
        "entities": 200,
        "entity_ids": 200,
        "relationships": 199,
        "relationship_keys": 199,
    }

    again = _import(fault_neo4j, big)
    assert again.returncode == 0, again.stderr
    # the old 200 entities all change (their values say "new"); of the 199 old relationships
    # the 99 KNOWS change (their note) and the 100 MEMBER_OF (no properties) do not
    assert (
        "15100 entities (14900 new, 200 updated, 0 unchanged), "
        "29999 relationships (29800 new, 99 updated, 100 unchanged)"
    ) in again.stdout, again.stdout
    final = fault_store.stats()
    assert (final.nodes, final.relationships) == (NEW_NODES, NEW_RELATIONSHIPS)
    assert final.version == before.version + 1
    assert distinct_counts(fault_neo4j.url, fault_neo4j.password) == {
        "entities": 15_100,
        "entity_ids": 15_100,
        "relationships": 29_999,
        "relationship_keys": 29_999,
    }
    nodes = fault_store.get_nodes(["p0", "p14999", "o0", "o99"])
    assert nodes["p0"].props == {"name": "คน 0 new", "role": "role-new", "note": "new"}
    assert nodes["p14999"].props == {"name": "คน 14999 new", "role": "role-new", "note": "new"}
    assert nodes["o0"].props == {"name": "องค์กร 0 new", "note": "new"}
    assert nodes["o99"].props == {"name": "องค์กร 99 new", "note": "new"}


def _until_answers(base: str, server: subprocess.Popen[bytes], what: str) -> dict[str, Any]:
    """Wait until ``/health`` is 200; its body."""

    def gone() -> str | None:
        return None if server.poll() is None else f"the service exited ({server.returncode})"

    def healthy() -> dict[str, Any] | None:
        status, body = get_json(f"{base}/health")
        return body if status == 200 else None

    return wait_until(healthy, f"/health to answer 200 {what}", still=gone)


def test_health_is_503_while_neo4j_is_down_and_the_service_recovers_without_a_restart(
    fault_neo4j: FaultNeo4j, fault_store: Neo4jStore, tmp_path: Path
) -> None:
    small = people_dataset(tmp_path / "small", range(100), 100, "old")
    assert _import(fault_neo4j, small).returncode == 0
    stats = fault_store.stats().to_dict()

    with serving(fault_neo4j.url, tmp_path / "serve.log", fault_neo4j.env) as served:
        base, service = served.base, served.process
        up = _until_answers(base, service, "at start-up")
        assert up["status"] == "ok" and up["store"]["engine"] == "neo4j"
        assert get_json(f"{base}/api/stats") == (200, stats)

        fault_neo4j.kill()
        started = time.monotonic()
        status, body = get_json(f"{base}/health")
        print(f"/health answered {status} {time.monotonic() - started:.1f} s after the kill")
        assert status == 503, (status, body)
        assert body["status"] == "unavailable" and body["store"]["engine"] == "neo4j"
        assert "Neo4j" in body["error"], body
        started = time.monotonic()
        status, body = get_json(f"{base}/api/stats")
        print(f"/api/stats answered {status} in {time.monotonic() - started:.1f} s")
        assert status == 503, (status, body)
        assert body["error"]["code"] == "store_unavailable", body
        assert "Neo4j" in body["error"]["message"], body

        fault_neo4j.start()
        back = _until_answers(base, service, "after Neo4j came back")
        assert back["status"] == "ok" and back["version"] == stats["version"]
        assert get_json(f"{base}/api/stats") == (200, stats)
        assert service.poll() is None, "the service must not have restarted"
        print(served.output()[-3000:])

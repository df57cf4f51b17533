"""What one read may cost the service (issue 11, points 2 and 10): a real ``graph-service
serve`` process, a hub network, and reads that outlast their budget, their client or the
service's turns.

The slow read is ``/map/test-slow`` of tests/slow_serve.py (the real CLI and service with
one more route): work that never ends by itself and checks its budget, as the analyses and
maps do in their long loops (tests/contract/test_hub.py and tests/unit/test_hub_equivalence.py
show that a cancelled budget stops them). A real read would finish first on a fast enough
machine. Nothing here checks how long anything took; tests wait (``wait_until``) for what
``/health`` reports under ``work``.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.servers import SLOW_SERVE, Served, get_json, serving, wait_until
from tests.slow_serve import SLOW_PATH

HUB_MEMBERS = 6000
SLOW = SLOW_PATH


def write_hub(folder: Path, members: int = HUB_MEMBERS) -> Path:
    """A network ``hub`` with ``members`` people, each MEMBER_OF it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "networks.csv").write_text("id,name\nhub,Hub network\n")
    people = "".join(f"p{i},Person {i}\n" for i in range(members))
    (folder / "people.csv").write_text("id,name\n" + people)
    ties = "".join(f"p{i},hub,MEMBER_OF\n" for i in range(members))
    (folder / "relationships.csv").write_text("source,target,type\n" + ties)
    return folder


@pytest.fixture(scope="module")
def hub_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("hub")
    store = EmbeddedStore(root / "hub.db")
    try:
        import_dataset(store, write_hub(root / "data"))
    finally:
        store.close()
    return str(root / "hub.db")


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def hub_store(
    request: pytest.FixtureRequest, hub_db: str, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    """(store URL, environment) of the hub on each store."""
    if request.param == "embedded":
        yield hub_db, {}
        return
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = request.getfixturevalue("neo4j_server")
    store = Neo4jStore(url, user, password)
    try:
        store.clear()
        import_dataset(store, write_hub(tmp_path / "data"))
    finally:
        store.close()
    yield url, {"GRAPH_NEO4J_USER": user, "GRAPH_NEO4J_PASSWORD": password}


def work(served: Served) -> dict[str, int]:
    status, body = get_json(served.base + "/health")
    assert status == 200, body
    return body["work"]  # type: ignore[no-any-return]


def open_request(served: Served, path: str) -> socket.socket:
    """A GET sent on a raw connection, left open: closing it is the client going away."""
    address = urlsplit(served.base)
    conn = socket.create_connection((address.hostname, address.port))
    conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
    return conn


def fetch(url: str) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=180) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def test_a_read_past_the_query_timeout_answers_503_while_the_service_keeps_answering(
    hub_store: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = hub_store
    env = {**env, "GRAPH_QUERY_TIMEOUT": "2", "GRAPH_MAX_EXPENSIVE": "2"}
    with serving(url, tmp_path / "serve.log", env, command=SLOW_SERVE) as served:
        answer: list[tuple[int, dict[str, str], Any]] = []
        slow = threading.Thread(target=lambda: answer.append(fetch(served.base + SLOW)))
        slow.start()
        # while the slow read computes, /health and cheap reads answer
        wait_until(lambda: work(served)["running"] == 1, "the slow read computing")
        assert get_json(served.base + "/api/stats")[1]["nodes"] == {
            "Network": 1,
            "Person": HUB_MEMBERS,
        }
        assert get_json(served.base + "/api/entities/p7")[1]["name"] == "Person 7"
        slow.join(timeout=180)
        status, _, body = answer[0]
        assert status == 503
        assert body["error"]["code"] == "query_timeout"
        assert body["error"]["details"] == {"timeout_seconds": 2.0}
        assert "GRAPH_QUERY_TIMEOUT" in body["error"]["message"]
        assert work(served)["timed_out"] == 1
        assert get_json(served.base + "/health")[1]["status"] == "ok"


def test_expensive_reads_take_turns_a_full_queue_is_busy_and_cheap_reads_still_answer(
    hub_db: str, tmp_path: Path
) -> None:
    env = {"GRAPH_QUERY_TIMEOUT": "0", "GRAPH_MAX_EXPENSIVE": "1", "GRAPH_EXPENSIVE_QUEUE": "1"}
    with serving(hub_db, tmp_path / "serve.log", env, command=SLOW_SERVE) as served:
        first = open_request(served, SLOW)
        wait_until(lambda: work(served)["running"] == 1, "the first slow read computing")
        second = open_request(served, SLOW + "?again=1")
        wait_until(lambda: work(served)["queued"] == 1, "the second waiting for its turn")

        status, headers, body = fetch(served.base + "/api/gaps")
        assert status == 503
        assert body["error"]["code"] == "busy"
        assert body["error"]["details"] == {"running": 1, "queued": 1}
        assert int(headers["retry-after"]) >= 1
        assert work(served)["refused"] == 1
        # cheap reads do not take turns
        assert get_json(served.base + "/api/stats")[0] == 200
        assert get_json(served.base + "/api/entities/hub")[0] == 200

        # the waiting client goes away: its read leaves the queue without running
        second.close()
        state = wait_until(
            lambda: (w := work(served))["queued"] == 0 and w, "the abandoned read leaving"
        )
        assert state["abandoned"] == 1
        assert state["running"] == 1  # still the first, not the abandoned one
        first.close()
        wait_until(lambda: work(served)["abandoned"] == 2, "the first read abandoned")


def test_sigterm_stops_the_service_with_work_in_flight(hub_db: str, tmp_path: Path) -> None:
    env = {"GRAPH_QUERY_TIMEOUT": "0", "GRAPH_MAX_EXPENSIVE": "1"}
    with serving(hub_db, tmp_path / "serve.log", env, command=SLOW_SERVE) as served:
        slow = open_request(served, SLOW)
        try:
            wait_until(lambda: work(served)["running"] == 1, "the slow read running")
            served.process.send_signal(signal.SIGTERM)
            wait_until(lambda: served.process.poll() is not None, "the service exiting")
        finally:
            slow.close()
        assert served.process.returncode in (0, -signal.SIGTERM)
        assert "Shutting down" in served.output()


@pytest.fixture
def client_and_app(tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "informal-workers-km")
    app = create_app(store=store)

    @app.get("/api/test-out-of-memory")
    def out_of_memory() -> None:
        raise MemoryError

    @app.get("/api/test-fault")
    def fault() -> None:
        raise ZeroDivisionError("division by zero")

    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, app
    store.close()


def test_out_of_memory_is_503_in_the_error_shape_and_empties_the_caches(
    client_and_app: tuple[TestClient, Any],
) -> None:
    client, app = client_and_app
    assert client.get("/api/brokerage").status_code == 200
    assert client.get("/map/gaps").status_code == 200
    assert len(app.state.answers) == 2
    response = client.get("/api/test-out-of-memory")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "out_of_memory"
    assert response.json()["error"]["details"] is None
    assert len(app.state.answers) == 0 and app.state.answers.bytes == 0
    assert client.get("/api/brokerage").status_code == 200  # computed again


def test_an_unexpected_error_is_500_internal_in_the_error_shape(
    client_and_app: tuple[TestClient, Any],
) -> None:
    client, _ = client_and_app
    response = client.get("/api/test-fault")
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "internal",
            "message": "the service failed answering GET /api/test-fault (ZeroDivisionError); "
            "the details are in the service's log",
            "details": None,
        }
    }

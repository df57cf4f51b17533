"""The HTTP service: /health, the API's JSON shapes and errors, and a real server process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.neo4j_store import Neo4jStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.servers import CLI, get_json, serving


@pytest.fixture
def client(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "informal-workers-km")
    with TestClient(create_app(store=store)) as client:
        yield client
    store.close()


def test_health_names_the_store(client: TestClient, tmp_path: Path) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    # the file name only: the folder is not shown to a client without a key (issue 11)
    assert body["store"] == {"engine": "embedded", "location": "g.db"}
    assert str(tmp_path) not in client.get("/health").text
    assert body["version"] == 1


def test_health_is_503_when_neo4j_cannot_be_reached() -> None:
    store = Neo4jStore("bolt://127.0.0.1:9", "neo4j", "x", connection_timeout=1)
    try:
        with TestClient(create_app(store=store)) as client:
            response = client.get("/health")
    finally:
        store.close()
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["store"]["engine"] == "neo4j"


def test_stats_and_entity_shapes(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["nodes"]["Organisation"] == 35
    assert stats["relationships"]["MEMBER_OF"] == 22
    entity = client.get("/api/entities/org-mol").json()
    assert entity["name"] == "กระทรวงแรงงาน"
    assert entity["level"] == "node"
    members = sorted(
        r["other"] for r in entity["relationships"] if r["type"] == "PART_OF" and not r["outgoing"]
    )
    assert "org-prov-labour-office" in members


def test_errors_have_one_shape(client: TestClient) -> None:
    response = client.get("/api/entities/nobody")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "no entity has the id or name 'nobody'",
            "details": None,
        }
    }


def test_openapi_page_and_home_page(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/stats", "/api/entities/{ref}"} <= set(paths)
    home = client.get("/")
    assert '<li><span class="n">35</span> องค์กร</li>' in home.text
    # the question cards, in Thai: the top broker by name, its id on hover
    brokers = home.text.split('id="q-brokers"')[1].split("</section>")[0]
    # org-mol: 6 Gould–Fernandez roles by admin_level, the most (checked with /api/brokerage)
    assert '<tr title="รหัส org-mol"><td>กระทรวงแรงงาน</td><td>ประเทศ</td><td>6</td>' in brokers
    for title in ("ใครเป็นผู้ประสานเชื่อมโยง", "แนวดิ่ง", "ผู้ประสานหลักเข้าถึงได้กว้างแค่ไหน"):
        assert title in home.text
    assert "ไม่มีกองทุนสองกองทุนใดให้ทุนในพื้นที่เดียวกัน" in home.text


def test_serve_answers_health_over_http(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLES / "district-qol")],
        check=True,
        capture_output=True,
    )
    with serving(str(db), tmp_path / "serve.log") as service:
        status, body = get_json(service.base + "/health")
    assert status == 200
    assert body["status"] == "ok" and body["store"]["engine"] == "embedded"


def test_serve_refuses_other_addresses_without_access_control(tmp_path: Path) -> None:
    cli = str(Path(sys.executable).parent / "graph-service")
    (tmp_path / "x.db").touch()  # serve refuses a named store file that is not there
    done = subprocess.run(
        [cli, "--store", str(tmp_path / "x.db"), "serve", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "127.0.0.1 only" in done.stderr


def test_home_page_of_an_empty_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "empty.db")
    with TestClient(create_app(store=store)) as client:
        home = client.get("/")
    store.close()
    assert home.status_code == 200
    assert "ยังไม่มีข้อมูล เริ่มจากนำเข้าไฟล์ Excel หรือ CSV ของคุณ" in home.text
    assert 'href="/upload"' in home.text

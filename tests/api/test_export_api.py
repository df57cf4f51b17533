"""``/api/export`` and ``graph-service export``: downloads that other tools open, and a
dataset zip that imports back to the same graph."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES

CLI = str(Path(sys.executable).parent / "graph-service")


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "district-qol")
    with TestClient(create_app(store=store)) as client:
        yield client, store
    store.close()


def test_graphml_download_reads_back(loaded: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = loaded
    response = client.get("/api/export?format=graphml")
    assert response.status_code == 200
    assert "graph-service.graphml" in response.headers["content-disposition"]
    g = nx.read_graphml(io.BytesIO(response.content))
    assert (g.number_of_nodes(), g.number_of_edges()) == (40, 44)
    assert g.nodes["net-pcho"]["kind"] == "Network"


def test_csv_zip_imports_back_to_the_same_graph(
    loaded: tuple[TestClient, EmbeddedStore], tmp_path: Path
) -> None:
    client, store = loaded
    response = client.get("/api/export?format=csv")
    assert response.headers["content-type"] == "application/zip"
    folder = tmp_path / "unzipped"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
    again = EmbeddedStore(tmp_path / "again.db")
    import_dataset(again, folder)
    a, b = store.subgraph(), again.subgraph()
    assert a.nodes == b.nodes
    assert sorted(a.edges, key=lambda e: e.key) == sorted(b.edges, key=lambda e: e.key)
    again.close()


def test_unknown_format_is_a_usage_error(loaded: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = loaded
    response = client.get("/api/export?format=pdf")
    assert response.status_code == 400
    assert "gexf" in response.json()["error"]["message"]


def test_export_command_writes_gexf(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    subprocess.run([CLI, "--store", db, "import", str(SAMPLES / "informal-workers-km")], check=True)
    out = tmp_path / "out" / "net.gexf"
    done = subprocess.run(
        [CLI, "--store", db, "export", "--format", "gexf", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    g = nx.read_gexf(out)
    assert (g.number_of_nodes(), g.number_of_edges()) == (75, 96)
    assert g.nodes["org-mol"]["label"] == "กระทรวงแรงงาน"


def test_picture_downloads(loaded: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = loaded
    png = client.get("/api/export?format=png")
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get("/api/export?format=svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "พชอ." in svg.text  # a Thai label kept as text

"""The map pages over HTTP and ``graph-service map``: what they hold, and clear errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import page_data

CLI = str(Path(sys.executable).parent / "graph-service")


def test_map_pages_and_their_errors(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    with TestClient(create_app(store=store)) as client:
        empty = client.get("/map")
        assert empty.status_code == 422
        assert "the graph is empty" in empty.json()["error"]["message"]
        import_dataset(store, SAMPLES / "community-occupation")
        whole = client.get("/map")
        assert whole.status_code == 200
        assert len(page_data(whole.text)["nodes"]) == 74
        assert '<script src="/static/vis-network.min.js"' in whole.text
        assert client.get("/static/vis-network.min.js").status_code == 200
        assert client.get("/static/../../etc/passwd").status_code == 404
        focus = client.get("/map/focus/person-coordinator?depth=1")
        assert len(page_data(focus.text)["nodes"]) == 8
        cases = [
            ("/map/focus/nobody", 404),
            ("/map/focus/org-provider?depth=0", 422),
            ("/map/focus/org-provider?depth=11", 422),
            ("/map?colour_by=colour", 422),
            ("/map?level=planet", 422),
            ("/map/brokerage?group_by=colour", 422),
            ("/map/overlap?by=colour", 422),
            ("/map/reach/nobody", 404),
        ]
        for url, status in cases:
            response = client.get(url)
            assert response.status_code == status, (url, response.text)
            assert response.json()["error"]["message"], url
    store.close()


def test_map_command_writes_a_standalone_page(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    subprocess.run([CLI, "--store", db, "import", str(SAMPLES / "district-qol")], check=True)
    out = tmp_path / "maps" / "pcho.html"
    done = subprocess.run(
        [CLI, "--store", db, "map", "--focus", "net-pcho", "--depth", "1", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert len(page_data(page)["nodes"]) == 13  # net-pcho and the 12 it reaches
    assert not re.search(r'<script[^>]+src="https?://', page)  # works offline
    bad = subprocess.run(
        [CLI, "--store", db, "map", "--colour-by", "colour", "-o", str(out)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "colour" in bad.stderr and "Traceback" not in bad.stderr


def test_map_pages_are_built_once_per_graph_version(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    app = create_app(store=store)
    with TestClient(app) as client:
        first = client.get("/map/focus/person-coordinator?depth=1")
        again = client.get("/map/focus/person-coordinator?depth=1")
        client.get("/map/gaps")
        assert again.text == first.text
        pages = [k for k in app.state.answers.held_keys() if k[0] == "pages"]
        assert len(pages) == 2  # one page per question, not per request
        # a correction moves the version: the next page is built anew and shows it
        deleted = client.delete("/api/entities/net-partners")
        assert deleted.json()["deleted"]["entities"] == 1
        after = client.get("/map/focus/person-coordinator?depth=1")
        ids = {n["id"] for n in page_data(after.text)["nodes"]}
        assert "net-partners" not in ids
        assert "net-partners" in {n["id"] for n in page_data(first.text)["nodes"]}
        assert len(ids) == len(page_data(first.text)["nodes"]) - 1
    store.close()


def test_the_home_page_links_to_every_map_view_and_each_answers(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    with TestClient(create_app(store=store)) as client:
        home = client.get("/").text
        links = re.findall(r'href="(/map[^"]*)"', home)
        assert {"/map/brokerage", "/map/overlap", "/map/fragility", "/map/path"} <= set(links)
        assert {"/map/gaps?by=admin_level", "/map/gaps?by=sector"} <= set(links)
        for link in links:
            assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    store.close()

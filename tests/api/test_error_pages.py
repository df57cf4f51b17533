"""A browser that meets an error on a page gets a page in the reader's language; programs keep
the JSON error shape (CONTRACT.md section 3)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_error_pages_for_browsers_json_for_programs(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    with TestClient(create_app(store=store)) as client:
        page = client.get("/map/focus/no-such-entity", headers=HTML)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="th">' in page.text and "ไม่พบสิ่งที่ต้องการ" in page.text
        assert "no-such-entity" in page.text  # the service's message, under the details
        english = client.get("/map/focus/no-such-entity?lang=en", headers=HTML)
        assert english.status_code == 404 and "<h1>Not found</h1>" in english.text
        # a bad option: 422 as a page, in English now that the cookie says so
        bad = client.get("/map?level=galaxy", headers=HTML)
        assert bad.status_code == 422 and "The request is not valid" in bad.text
        # programs: the same errors as JSON
        api = client.get("/api/entities/no-such-entity", headers=HTML)
        assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
        plain = client.get("/map/focus/no-such-entity")
        assert plain.json()["error"]["code"] == "not_found"
        nowhere = client.get("/no/such/page", headers=HTML)
        assert nowhere.status_code == 404 and "<h1>Not found</h1>" in nowhere.text
    store.close()

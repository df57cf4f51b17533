"""``/docs`` and ``/redoc`` need no internet (issue 13, point 7): the pages load Swagger UI
and ReDoc from the service itself, and those files are served without a key."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.security import hash_key
from graph_service.settings import Settings
from graph_service.store.embedded import EmbeddedStore

URLS = re.compile(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""")


def referenced(page: str) -> list[str]:
    return [a or b for a, b in URLS.findall(page)]


def test_the_api_pages_load_only_from_the_service(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(store=EmbeddedStore(tmp_path / "g.db"))) as client:
        for page, wanted in (
            ("/docs", {"/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css"}),
            ("/redoc", {"/static/docs/redoc.standalone.js"}),
        ):
            answer = client.get(page)
            assert answer.status_code == 200
            urls = referenced(answer.text)
            assert wanted <= set(urls), urls
            assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
            assert "cdn" not in answer.text and "googleapis" not in answer.text
        for name, media, size in (
            ("swagger-ui-bundle.js", "text/javascript", 1_000_000),
            ("swagger-ui.css", "text/css", 100_000),
            ("redoc.standalone.js", "text/javascript", 500_000),
        ):
            asset = client.get(f"/static/docs/{name}")
            assert asset.status_code == 200
            assert asset.headers["content-type"].startswith(media)
            assert len(asset.content) > size
        assert b"5." in client.get("/static/docs/swagger-ui-bundle.js").content[:2_000_000]
        assert client.get("/static/docs/../../settings.py").status_code == 404
        assert client.get("/static/docs/nothing.js").status_code == 404
        assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_they_need_no_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(api_keys=f"read:{hash_key('k' * 32)}")
    app = create_app(settings, store=EmbeddedStore(tmp_path / "g.db"))
    with TestClient(app) as client:
        assert client.get("/api/stats").status_code == 401
        for path in ("/docs", "/redoc", "/static/docs/swagger-ui.css", "/openapi.json"):
            assert client.get(path).status_code == 200, path

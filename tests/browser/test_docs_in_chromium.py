"""``/docs`` in real Chromium with every request beyond the service refused, as on a machine
with no internet: Swagger UI draws the API's operations (issue 13, point 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.store.embedded import EmbeddedStore
from tests.browser.conftest import ARTIFACTS, require_chromium, served


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    db: Path = tmp_path_factory.mktemp("docs") / "g.db"
    EmbeddedStore(db).close()  # an empty store: the page documents the API, not the data
    with served(db) as base:
        yield base


def test_the_api_page_draws_with_no_internet(page: Any, service: str) -> None:
    outside: list[str] = []

    def only_the_service(route: Any) -> None:
        if route.request.url.startswith(service):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_service)
    page.goto(service + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-offline.png"))
    assert outside == []
    assert operations > 30
    assert "/api/funds" in "".join(paths).replace("\u200b", "")
    assert page.errors == []

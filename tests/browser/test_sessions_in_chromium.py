"""Login CSRF as Chromium meets it: a page of another site (``http://evil.example``, served
by Playwright's router) whose form posts to the service's ``/login`` or ``/logout`` by
itself. The browser sends its own ``Origin``; the service refuses both with 403, sets no
cookie, and a logged-in browser stays logged in."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import require_chromium, served
from tests.conftest import SAMPLES
from tests.servers import CLI

KEYS = "read:browser-reader-1,admin:browser-admin-1"
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    db = tmp_path_factory.mktemp("sessions") / "g.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLES / "community-occupation")],
        check=True,
        capture_output=True,
    )
    return db


def lure(page: Any, action: str, fields: dict[str, str]) -> Any:
    """Open a page of another site whose form posts ``fields`` to ``action`` on load; the
    service's answer to that POST."""
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    html = (
        f'<!doctype html><form method="post" action="{action}">{inputs}</form>'
        "<script>document.forms[0].submit()</script>"
    )
    page.route(EVIL + "/**", lambda route: route.fulfill(body=html, content_type="text/html"))
    with page.expect_response(action) as answer:
        page.goto(EVIL + "/prize")
    return answer.value


def session_cookies(page: Any) -> list[dict[str, Any]]:
    return [c for c in page.context.cookies() if c["name"] == "graph_session"]


def test_another_site_cannot_log_a_browser_in_or_out(page: Any, store_file: Path) -> None:
    with served(store_file, GRAPH_API_KEYS=KEYS) as base:
        forged = lure(page, base + "/login", {"key": "browser-reader-1", "next": "/map"})
        assert forged.status == 403
        assert forged.request.header_value("origin") == EVIL
        assert "POST /login was sent from another site (http://evil.example)" in page.content()
        assert session_cookies(page) == []
        # the owner logs in on the service's own page: that works
        page.goto(base + "/login?next=%2Fapi%2Fstats")
        page.fill("input[name=key]", "browser-admin-1")
        page.click("input[type=submit]")
        assert page.url == base + "/api/stats"
        (cookie,) = session_cookies(page)
        assert "browser-admin-1" not in cookie["value"] and len(cookie["value"]) == 43
        # another site's form cannot end the session either
        forged = lure(page, base + "/logout", {})
        assert forged.status == 403
        assert page.goto(base + "/api/stats").status == 200
        # the service's own logout link ends it, on the server too
        page.goto(base + "/logout")
        assert page.url == base + "/login"
        page.context.add_cookies([{**cookie}])  # a copy kept from before the logout
        refused = page.goto(base + "/api/stats")
        assert refused.status == 401
        assert "the login has ended" in page.content()

"""Access as a browser meets it: a service with API keys, real headless Chromium.

A browser cannot send a Bearer header when it follows a link, so it logs in once at
``/login``; a session (never the key) then rides in a cookie that reads maps but can never
write, not even from a script on the service's own page. With public reads, a browser
without a key sees the map with people under pseudonyms.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import open_map, require_chromium, served
from tests.conftest import SAMPLES
from tests.servers import CLI

KEYS = "read:browser-reader-1,admin:browser-admin-1"


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    db = tmp_path_factory.mktemp("access") / "g.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLES / "community-occupation")],
        check=True,
        capture_output=True,
    )
    return db


def test_log_in_read_the_map_and_never_write_with_the_cookie(page: Any, store_file: Path) -> None:
    with served(store_file, GRAPH_API_KEYS=KEYS) as base:
        page.goto(base + "/map/focus/person-coordinator?depth=1")
        assert page.url == base + "/login?next=%2Fmap%2Ffocus%2Fperson-coordinator%3Fdepth%3D1"
        page.fill("input[name=key]", "not-a-key-at-all")
        page.click("input[type=submit]")
        assert "รหัสนี้ใช้ไม่ได้" in page.content()
        page.fill("input[name=key]", "browser-admin-1")
        page.click("input[type=submit]")
        page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30_000)
        # the map keeps its state in the URL, the reader's language with it
        assert page.url == base + "/map/focus/person-coordinator?depth=1&lang=th"
        state = open_map(page, base + "/map/focus/person-coordinator?depth=1", "access-login")
        assert state["nodes"] == 8 and state["inked"] > 50
        assert "ผู้ประสานงาน" in state["labels"]
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert cookies["graph_session"]["httpOnly"] is True
        assert cookies["graph_session"]["sameSite"] == "Strict"
        # a script on the service's own page, with the admin key's cookie, still cannot write
        answers = page.evaluate(
            """async () => {
                const del = await fetch('/api/graph', {method: 'DELETE'});
                const read = await fetch('/api/stats');
                return [del.status, read.status, (await read.json()).nodes.Person];
            }"""
        )
        assert answers == [401, 200, 6]
        page.goto(base + "/logout")
        page.goto(base + "/map")
        assert page.url.startswith(base + "/login?next=")
        # the refused DELETE is logged by Chromium as a failed resource; nothing else is
        assert [e for e in page.errors if "401 (Unauthorized)" not in e] == []


def test_public_reads_show_people_under_pseudonyms_without_a_key(
    page: Any, store_file: Path
) -> None:
    with served(store_file, GRAPH_API_KEYS=KEYS, GRAPH_PUBLIC_READS="true") as base:
        state = open_map(page, base + "/map", "access-public")
        assert state["nodes"] == 74 and state["inked"] > 50
        anonymous = [label for label in state["labels"] if label.startswith("บุคคลนิรนาม ")]
        assert len(anonymous) == 6  # the sample's six people, none with consent
        assert "ผู้ประสานงาน" not in state["labels"]
        assert "ผู้ประสานงาน" not in page.content()
        assert page.errors == []

"""The network over time as a person sees it (issue 14): the before/after map draws the
ties added green, the ended ones red and dashed, the kept ones grey, as many of each as the
diff counts; the time slider of a map page reloads it as of the day it is moved to, and the
map then draws that day's entities. Real service process, real Chromium (see conftest).

The store is the two-snapshot graph of tests/api/test_time_api.py: 4 entities and 3 ties
on 2023-01-01, 5 and 5 on 2024-01-01 (3 ties added, 1 ended, 2 kept).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph_service.store.embedded import EmbeddedStore
from tests.api.test_time_api import FIRST, two_years
from tests.browser.conftest import ARTIFACTS, open_map, require_chromium, served
from tests.servers import get_json


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    db = tmp_path_factory.mktemp("time") / "g.db"
    store = EmbeddedStore(db)
    two_years(store)
    store.close()
    with served(db) as base:
        yield base


def _drawn_edges(page: Any) -> dict[str, Any]:
    """The edges vis-network holds for drawing, by colour and dash."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const out = {};
            window.graphService.edgeView.get().forEach(e => {
                const key = e.color + (e.dashes ? ' dashed' : '');
                out[key] = (out[key] || 0) + 1;
            });
            return out;
        }"""
    )


def test_the_before_after_map_draws_the_diff(page: Any, service: str) -> None:
    status, doc = get_json(service + "/api/diff")
    assert status == 200
    state = open_map(page, service + "/map/diff", "time-diff")
    assert state["inked"] > 50, "the canvas stayed blank"
    assert state["nodes"] == 6  # both days' entities: 4 then, 2 joined
    drawn = _drawn_edges(page)
    added, ended = len(doc["relationships"]["added"]), len(doc["relationships"]["removed"])
    assert (added, ended) == (3, 1)
    assert drawn == {"#2e7d32": added, "#c62828 dashed": ended, "#9e9e9e": 2}
    legend = page.inner_text("#legend")
    assert "ความสัมพันธ์ใหม่ (3)" in legend and "ความสัมพันธ์ที่สิ้นสุด (1)" in legend
    assert "สมาชิกใหม่" in legend and "ออกไปแล้ว" in legend
    banner = page.inner_text("#banner")
    assert "สมาชิกใหม่ 2, ออกไป 1" in banner and "จำนวนหน่วย: 4 → 5" in banner
    assert page.errors == []


def test_the_slider_shows_the_network_as_of_the_day_it_is_moved_to(page: Any, service: str) -> None:
    state = open_map(page, service + "/map?hide_kind=Area", "time-slider-now")
    assert state["nodes"] == 5
    assert page.is_visible("#time-slider")
    assert page.inner_text("#time-label") == "ปัจจุบัน"
    assert not page.is_visible("#as-of-banner")
    # move the slider to its first stop with the keyboard (Home fires input and change)
    page.focus("#time-slider")
    with page.expect_navigation():
        page.keyboard.press("Home")
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "time-slider-first.png"))
    assert f"as_of={FIRST}" in page.url
    assert "hide_kind=Area" in page.url  # the rest of the view is kept
    nodes = page.evaluate("window.graphService.view.length")
    assert nodes == 4  # as of the first snapshot
    assert page.inner_text("#time-label") == "1 ม.ค. 2566"
    assert "นี่คือเครือข่าย ณ 1 ม.ค. 2566" in page.inner_text("#as-of-banner")
    # and a stop's name under the track takes it back to now
    with page.expect_navigation():
        page.click("#time .stops a:last-child")
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30_000)
    assert "as_of" not in page.url
    assert page.evaluate("window.graphService.view.length") == 5
    assert page.errors == []

"""The maps as a person sees them: a real service process, real headless Chromium (Debian's
``chromium``, driven by Playwright with that executable; Playwright never downloads a
browser). Screenshots of each view are saved in ``tests/artifacts/`` for a person to look at.

Without Chromium the tests skip outside CI; with ``CI`` set they fail (CI installs it).
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, open_map, require_chromium, served
from tests.conftest import SAMPLES
from tests.servers import CLI


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served store holding the community-occupation sample, plus a hostile name."""
    require_chromium()
    folder = tmp_path_factory.mktemp("served")
    db = folder / "g.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLES / "community-occupation")],
        check=True,
        capture_output=True,
    )
    hostile = folder / "hostile"
    hostile.mkdir()
    (hostile / "people.csv").write_text(
        'id,name\nperson-x,"</script><script>window.pwned=1</script> ""quoted"" นาย ทดสอบ"\n',
        encoding="utf-8",
    )
    (hostile / "relationships.csv").write_text(
        "source,target,type\nperson-x,org-provider,MEMBER_OF\n", encoding="utf-8"
    )
    subprocess.run([CLI, "--store", str(db), "import", str(hostile)], check=True)
    with served(db) as base:
        yield base


def test_whole_map_draws_every_entity(page: Any, service: str) -> None:
    state = open_map(page, service + "/map", "map-whole")
    assert state["width"] > 300 and state["height"] > 300
    assert state["inked"] > 50, "the canvas stayed blank"
    assert state["nodes"] == 75  # the sample's 74 entities and the hostile person
    assert "ทีมกลาง" in state["labels"]
    assert not state["pwned"]
    assert page.errors == []


def test_clicking_a_node_shows_its_details(page: Any, service: str) -> None:
    open_map(page, service + "/map", "map-click")
    point = page.evaluate(
        """() => {
            const net = window.graphService.network;
            const pos = net.getPositions(['org-central-team'])['org-central-team'];
            const dom = net.canvasToDOM(pos);
            const box = document.querySelector('#graph canvas').getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }"""
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("document.querySelector('#details').innerText.includes('ทีมกลาง')")
    details = page.inner_text("#details")
    assert "org-central-team" in details
    page.screenshot(path=str(ARTIFACTS / "map-details.png"))
    assert page.errors == []


def test_search_finds_a_thai_name_and_hostile_names_stay_text(page: Any, service: str) -> None:
    open_map(page, service + "/map", "map-search")
    page.fill("#search", "ผู้ประสานงาน")
    page.press("#search", "Enter")
    page.wait_for_function("window.graphService.network.getSelectedNodes().length > 0")
    selected = page.evaluate("window.graphService.network.getSelectedNodes()")
    assert selected[0] == "person-coordinator"
    page.fill("#search", "นาย  ทดสอบ")  # two spaces: normalised as in the importer
    page.press("#search", "Enter")
    page.wait_for_function(
        "window.graphService.network.getSelectedNodes()[0] === 'person-x'", timeout=5000
    )
    details = page.inner_text("#details")
    assert "</script><script>window.pwned=1</script>" in details
    assert page.evaluate("window.pwned === 1") is False
    page.screenshot(path=str(ARTIFACTS / "map-search.png"))
    assert page.errors == []


def test_neighbourhood_and_network_level_views(page: Any, service: str) -> None:
    focus = open_map(page, service + "/map/focus/person-coordinator?depth=1", "map-focus")
    assert focus["nodes"] == 8
    folded = open_map(page, service + "/map?level=network", "map-network-level")
    assert folded["nodes"] < 75
    assert any("(+" in label for label in folded["labels"])
    assert page.errors == []


def test_home_page_answers_in_thai_and_switches_to_english(page: Any, service: str) -> None:
    page.goto(service + "/")
    assert page.evaluate("document.documentElement.lang") == "th"
    cards = page.locator("section.card")
    assert cards.count() == 9  # eight questions and the chain form
    cut = page.locator("#q-cut_points")
    assert "ถ้า เครือข่ายศูนย์ประสานงาน ออกไป จะมี 6 รายขาดการเชื่อมต่อ" in cut.inner_text()
    # the explanation opens on a click
    explain = cut.locator("details")
    assert not explain.evaluate("d => d.open")
    explain.locator("summary").click()
    assert "จุดเปราะบาง" in explain.inner_text()
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    # the switch: English, kept in a cookie for the next page
    page.click("a.lang")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "If เครือข่ายศูนย์ประสานงาน left, 6 actors" in page.locator("#q-cut_points").inner_text()
    page.goto(service + "/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.click("a.lang")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "th"
    # a phone: the cards fit the width, nothing scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(service + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    stats = json.loads(urllib.request.urlopen(service + "/api/stats").read())
    assert stats["nodes"]["Person"] == 7
    assert page.errors == []


@pytest.mark.parametrize(
    ("path", "shot", "nodes", "ghosts"),
    [
        ("/map/brokerage?group_by=sector", "view-brokerage", 30, 0),
        ("/map/overlap?by=beneficiary", "view-overlap", None, 1),
        ("/map/gaps?by=admin_level", "view-gaps", 30, None),
        ("/map/reach/person-coordinator?depth=1", "view-reach", 8, 0),
    ],
)
def test_views_of_the_four_questions(
    page: Any, service: str, path: str, shot: str, nodes: int | None, ghosts: int | None
) -> None:
    state = open_map(page, service + path, shot)
    assert state["inked"] > 50, "the canvas stayed blank"
    if nodes is not None:
        assert state["nodes"] == nodes  # 29 actors and the hostile person; 1 + 7 reached
    found = page.evaluate("window.graphService.edges.get().filter(e => e.ghost).length")
    if ghosts is not None:
        assert found == ghosts
    else:
        assert found >= 1
    assert page.errors == []

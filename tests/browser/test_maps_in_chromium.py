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


# -- the map pages in the reader's language, their state in the URL (issue 13) --------------


def test_the_language_switch_on_a_map_is_kept_for_the_next_page(page: Any, service: str) -> None:
    open_map(page, service + "/map/gaps", "map-gaps-th")
    assert page.evaluate("document.documentElement.lang") == "th"
    banner = page.inner_text("#notes")
    assert "ยังไม่มีการเชื่อมโยงแนวดิ่งระหว่าง ภาค–หมู่บ้าน และ หมู่บ้าน–ชุมชน รวม 2 คู่" in banner
    assert page.inner_text("#counts") == ("30 หน่วย · ความสัมพันธ์ 50 เส้น · การเชื่อมโยงที่ยังขาด 3 เส้น")
    # the legend says the same numbers: 50 relationships by direction (the sample's 49 and
    # the hostile person's), 3 missing links
    lines = page.locator("#legend .legend-row[data-line]").all_inner_texts()
    counts = [int(text.rsplit("(", 1)[1].rstrip(")")) for text in lines]
    assert sum(counts[:-1]) == 50 and counts[-1] == 3
    page.click("#lang-switch")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Missing vertical links: 2, between region–village and village–community" in (
        page.inner_text("#notes")
    )
    # the next page, with no ?lang=, opens in English: the cookie kept the choice
    open_map(page, service + "/map/brokerage", "map-brokerage-en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("h1") == "Brokers between admin levels"
    page.click("#lang-switch")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    assert page.evaluate("document.documentElement.lang") == "th"
    assert page.inner_text("h1") == "ผู้ประสานเชื่อมโยงระหว่างระดับพื้นที่"
    assert page.errors == []


def test_a_copied_link_reopens_the_same_view(page: Any, service: str) -> None:
    open_map(page, service + "/map", "map-state-before")
    page.select_option("#controls select[data-param=colour_by]", "admin_level")
    page.wait_for_url("**colour_by=admin_level**")
    page.wait_for_function("document.body.dataset.ready === 'true'")
    page.uncheck("input[data-group=kind][data-value=Person]")
    page.uncheck("input[data-group=line][data-value=placement]")
    page.fill("#search", "ทีมกลาง")
    page.press("#search", "Enter")
    page.wait_for_function("window.graphService.selected === 'org-central-team'")
    url = page.url
    assert "colour_by=admin_level" in url and "hide_kind=Person" in url
    assert "hide_line=placement" in url and "lang=th" in url
    shown = page.evaluate("window.graphService.view.length")
    assert shown == 75 - 7  # the sample's 6 people and the hostile one hidden
    # reopen the link in a fresh page: the same view
    page.goto("about:blank")
    open_map(page, url, "map-state-after")
    state = page.evaluate("window.graphService.state()")
    assert state["hide_kind"] == ["Person"] and state["hide_line"] == ["placement"]
    assert state["q"] == "ทีมกลาง" and state["selected"] == "org-central-team"
    assert page.evaluate("window.graphService.view.length") == shown
    assert page.input_value("#controls select[data-param=colour_by]") == "admin_level"
    assert not page.is_checked("input[data-group=kind][data-value=Person]")
    assert page.evaluate("window.graphService.data.colour_by") == "admin_level"
    assert "ทีมกลาง" in page.inner_text("#details")
    # the embed snippet opens that view in public read mode
    page.click("#embed-button")
    snippet = page.input_value("#embed-code")
    assert snippet.startswith('<iframe src="http') and "embed=1" in snippet
    assert "hide_kind=Person" in snippet
    assert page.errors == []


def test_embed_shows_the_map_and_its_legend_only(page: Any, service: str) -> None:
    open_map(page, service + "/map/gaps?embed=1", "map-embed")
    for hidden in ("#details", "#filters", "#search", "#banner", "#top .actions"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("#legend") and page.is_visible("h1")
    assert "embed=1" in page.url  # the state kept in the URL keeps the read mode too
    # and printing shows the title, the banner, the map and the legend, no controls
    open_map(page, service + "/map/gaps", "map-print")
    page.emulate_media(media="print")
    for hidden in ("#filters", "#search", "#details", "#top .actions"):
        assert not page.is_visible(hidden), hidden
    assert page.is_visible("#banner") and page.is_visible("#legend")
    assert page.is_visible("#graph canvas")
    page.emulate_media(media="screen")
    assert page.errors == []


def test_details_give_words_names_and_years_as_the_reader_writes_them(
    page: Any, service: str
) -> None:
    """fund-skills-grant: year 2562 (already Buddhist era in the sample), so พ.ศ. 2562 on a
    Thai page and 2019 on an English one; its kind and the property names in words."""
    open_map(page, service + "/map?lang=th", "map-details-th")
    page.evaluate("window.graphService.select('fund-skills-grant')")
    rows = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#details dt')]
            .map(dt => [dt.textContent, dt.nextElementSibling.textContent]))"""
    )
    assert rows["ปี"] == "พ.ศ. 2562"
    assert rows["ประเภท"] == "กองทุน"
    assert rows["รหัส"] == "fund-skills-grant"  # the id, in the details only
    open_map(page, service + "/map?lang=en", "map-details-en")
    page.evaluate("window.graphService.select('fund-skills-grant')")
    rows = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('#details dt')]
            .map(dt => [dt.textContent, dt.nextElementSibling.textContent]))"""
    )
    assert rows["year"] == "2019" and rows["Kind"] == "fund"
    page.goto(service + "/map?lang=th")  # back to Thai for the tests after this one
    assert page.errors == []

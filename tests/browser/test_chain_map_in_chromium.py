"""The chain map (``/map/path``) as a person sees it: a real service process and real headless
Chromium, as in test_maps_in_chromium.py. Screenshots go to ``tests/artifacts/``.

On the community-occupation sample, ชาวบ้าน (person-villager) reaches งานวิจัยเพื่อท้องถิ่น
(net-cbr) in 3 steps by 5 shortest chains (``graph-service path person-villager net-cbr``),
9 entities in all: the villager at step 0; net-partners, net-support-ecosystem,
org-provider, person-community-researcher and person-coordinator at step 1;
net-node-network (on four of the chains) and ka-cbr-method at step 2; net-cbr at step 3.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, open_map, require_chromium, served
from tests.conftest import SAMPLES
from tests.servers import CLI

STEP1 = {
    "net-partners",
    "net-support-ecosystem",
    "org-provider",
    "person-community-researcher",
    "person-coordinator",
}
STEP2 = {"net-node-network", "ka-cbr-method"}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    db = tmp_path_factory.mktemp("chain") / "g.db"
    subprocess.run(
        [CLI, "--store", str(db), "import", str(SAMPLES / "community-occupation")],
        check=True,
        capture_output=True,
    )
    with served(db) as base:
        yield base


def test_the_chain_map_draws_a_chain_left_to_right(page: Any, service: str) -> None:
    state = open_map(page, service + "/map/path?from=ชาวบ้าน&to=net-cbr", "chain-map")
    assert state["inked"] > 50, "the canvas stayed blank"
    assert state["nodes"] == 9
    assert "ชาวบ้าน" in state["labels"] and "งานวิจัยเพื่อท้องถิ่น" in state["labels"]
    columns = page.evaluate(
        """() => {
            const net = window.graphService.network;
            const pos = net.getPositions();
            const out = {};
            Object.keys(pos).forEach(id => { out[id] = [pos[id].x, pos[id].y]; });
            return out;
        }"""
    )
    assert columns["person-villager"] == [0, 0]
    assert columns["net-cbr"] == [960, 0]
    assert {i for i, (x, _) in columns.items() if x == 320} == STEP1
    assert {i for i, (x, _) in columns.items() if x == 640} == STEP2
    # the five entities of step 1 stacked 160 apart, centred on the villager's line
    assert sorted(y for i, (_, y) in columns.items() if i in STEP1) == [-320, -160, 0, 160, 320]
    edges = page.evaluate(
        "window.graphService.edges.get().map(e => [[e.from, e.to].sort().join(' '), e.label])"
    )
    labelled = {pair: label for pair, label in edges if label}
    assert len(labelled) == len({pair for pair, _ in edges})  # one label per joined pair
    # one tie: its type in Thai; several (the villager and หน่วยพัฒนาอาชีพ): a line each
    assert labelled["org-provider person-villager"] == "สนับสนุน\nแลกเปลี่ยนความรู้กับ"
    assert labelled["net-cbr net-node-network"] == "อยู่ใน"
    text = page.inner_text("details.chains")
    assert "(5)" in text
    heading = page.inner_text("h1")
    assert heading.startswith("สายเชื่อมที่สั้นที่สุดจาก ชาวบ้าน ถึง งานวิจัยเพื่อท้องถิ่น: 3 ขั้น")
    assert page.errors == []


def test_no_chain_is_said_in_words_without_a_canvas(page: Any, service: str) -> None:
    page.goto(service + "/map/path?from=person-villager&to=net-cbr&types=FUNDS")
    page.screenshot(path=str(ARTIFACTS / "chain-none.png"))
    assert page.inner_text("h1") == "ไม่มีสายเชื่อมระหว่าง ชาวบ้าน กับ งานวิจัยเพื่อท้องถิ่น"
    assert page.locator("canvas").count() == 0
    assert page.errors == []


def test_the_form_sends_the_two_ends(page: Any, service: str) -> None:
    page.goto(service + "/map/path")
    page.fill("#f-from", "ชาวบ้าน")
    page.fill("#f-to", "งานวิจัยเพื่อท้องถิ่น")
    page.click("button[type=submit]")
    page.wait_for_function("document.body.dataset.ready === 'true'", timeout=30_000)
    assert page.evaluate("window.graphService.view.length") == 9
    assert page.errors == []

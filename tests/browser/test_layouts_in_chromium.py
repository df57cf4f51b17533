"""The layouts as the page draws them, in Debian's Chromium: the positions the page draws
are the ones ``/api/map?layout=`` returns; after the fit nothing is cut at the canvas edges
(every node with its label, as vis-network measures them), on a desktop and a phone; a
hidden label shows while the pointer is on its node."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import open_map, require_chromium, served
from tests.conftest import SAMPLES
from tests.servers import CLI, get_json


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    db = tmp_path_factory.mktemp("layouts") / "g.db"
    for sample in ("community-occupation", "phatthalung-welfare"):
        subprocess.run(
            [CLI, "--store", str(db), "import", str(SAMPLES / sample)],
            check=True,
            capture_output=True,
        )
    with served(db) as base:
        yield base


#: every drawn node's box (shape and shown label, vis-network's own measure) in page pixels,
#: relative to the canvas, and the canvas size
BOXES = """() => {
    const gs = window.graphService, net = gs.network;
    const c = document.querySelector('#graph canvas').getBoundingClientRect();
    const hidden = new Set(gs.hiddenLabelIds || []);
    const out = [];
    const pos = net.getPositions();
    for (const id of gs.view.getIds()) {
        // a shown label: vis-network's box of shape and label; a hidden one: the shape alone
        // (the node's size is the radius of its shape)
        let b = net.getBoundingBox(id);
        if (hidden.has(id)) {
            const r = gs.nodes.get(id).size;
            b = {left: pos[id].x - r, top: pos[id].y - r, right: pos[id].x + r,
                 bottom: pos[id].y + r};
        }
        const a = net.canvasToDOM({x: b.left, y: b.top});
        const z = net.canvasToDOM({x: b.right, y: b.bottom});
        out.push({id, left: a.x, top: a.y, right: z.x, bottom: z.y, hidden: hidden.has(id)});
    }
    return {boxes: out, width: c.width, height: c.height};
}"""


def test_the_page_draws_the_positions_of_the_api(page: Any, service: str) -> None:
    state = open_map(page, service + "/map?layout=levels", "layout-levels")
    assert page.errors == []
    status, expected = get_json(service + "/api/map?layout=levels")
    assert status == 200
    assert expected["layout"] == "levels"
    drawn = page.evaluate("window.graphService.network.getPositions()")
    assert state["nodes"] == len(expected["nodes"]) == len(drawn) == 146
    data = {n["id"]: n for n in page.evaluate("window.graphService.nodes.get()")}
    for n in expected["nodes"]:
        # getPositions rounds to whole units; the drawn items hold the exact values
        assert abs(drawn[n["id"]]["x"] - n["x"]) < 1 and abs(drawn[n["id"]]["y"] - n["y"]) < 1
        assert (data[n["id"]]["x"], data[n["id"]]["y"]) == (n["x"], n["y"])
    # the chooser shows the layout in Thai, with its explanation
    assert page.eval_on_selector("#layout-choice", "e => e.value") == "levels"
    assert page.eval_on_selector(
        "#layout-choice", "e => e.options[e.selectedIndex].textContent"
    ) == ("ตามระดับพื้นที่")


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
@pytest.mark.parametrize("layout", ["force", "levels", "inn", "geographic"])
def test_nothing_is_cut_at_the_edges(
    browser: Any, service: str, layout: str, size: tuple[int, int]
) -> None:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        open_map(page, f"{service}/map?layout={layout}", f"layout-{layout}-{size[0]}")
        got = page.evaluate(BOXES)
        assert errors == []
        assert len(got["boxes"]) == 146
        for b in got["boxes"]:
            # every shape and every shown label inside the canvas (a label that would pass
            # the edge is hidden, and shows when the reader zooms or points at its node)
            assert b["left"] >= -0.5 and b["top"] >= -0.5, b
            assert b["right"] <= got["width"] + 0.5 and b["bottom"] <= got["height"] + 0.5, b
    finally:
        context.close()


def test_a_hidden_label_shows_under_the_pointer(page: Any, service: str) -> None:
    open_map(page, service + "/map?layout=force", "layout-hover")
    hidden = page.evaluate("window.graphService.hiddenLabelIds")
    assert hidden, "at the default zoom some lesser labels are hidden"
    # a hidden node that nothing covers (the pointer finds it first)
    point = page.evaluate(
        """(ids) => {
            const net = window.graphService.network;
            const c = document.querySelector('#graph canvas').getBoundingClientRect();
            for (const id of ids) {
                const p = net.canvasToDOM(net.getPositions([id])[id]);
                if (net.getNodeAt(p) === id)
                    return {id, x: c.left + p.x, y: c.top + p.y, x0: c.left + 3, y0: c.bottom - 3};
            }
            return null;
        }""",
        hidden,
    )
    target = point["id"]
    page.mouse.move(point["x"], point["y"], steps=5)
    page.wait_for_function(
        "(id) => window.graphService.nodes.get(id).scaling.label.drawThreshold === 1",
        arg=target,
        timeout=5_000,
    )
    page.mouse.move(point["x0"], point["y0"], steps=5)
    page.wait_for_function(
        "(id) => window.graphService.nodes.get(id).scaling.label.drawThreshold > 1000",
        arg=target,
        timeout=5_000,
    )

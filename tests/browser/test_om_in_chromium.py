"""The Outcome Mapping pages as a person sees them (issue 15): the progress ladder shows each
rating as a traffic light with its word, as many cells of each colour as counted by hand,
in Thai and in English; the strategy map shows its six cells per partner. Real service
process, real Chromium (see conftest).

The store is the graph of tests/contract/test_om.py, as of 31 December 2024: seven markers
(net-hw's six, org-u's one) over four quarters are 28 cells, of which high (green) 4: pm-e1
Q4, pm-e2 Q3 and Q4, pm-u1 Q4; medium (amber) 2: pm-e1 Q3, pm-l1 Q4; low (red) 4: pm-e1 Q2,
pm-l1 Q3, pm-l2 Q2, pm-v1 Q4; and 18 empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graph_service.store.embedded import EmbeddedStore
from tests.browser.conftest import ARTIFACTS, require_chromium, served
from tests.contract.test_om import TODAY, write_om

GREEN, AMBER, RED = "rgb(199, 232, 201)", "rgb(253, 233, 169)", "rgb(244, 199, 195)"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    db = tmp_path_factory.mktemp("om") / "g.db"
    store = EmbeddedStore(db)
    write_om(store)
    store.close()
    with served(db) as base:
        yield base


def _cells(page: Any) -> dict[str, Any]:
    """The ladder's cells by the colour a person sees, with the words written in them."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const out = {};
            document.querySelectorAll('table.ladder td.rating').forEach(td => {
                const colour = getComputedStyle(td).backgroundColor;
                const seen = out[colour] || (out[colour] = {count: 0, words: []});
                seen.count++;
                const word = td.innerText.trim();
                if (!seen.words.includes(word)) seen.words.push(word);
            });
            return out;
        }"""
    )


@pytest.mark.parametrize(
    ("lang", "words"),
    [("th", ("มาก", "ปานกลาง", "น้อย")), ("en", ("high", "medium", "low"))],
)
def test_the_ladder_shows_traffic_lights_with_their_words(
    page: Any, service: str, lang: str, words: tuple[str, str, str]
) -> None:
    page.goto(f"{service}/om/ladder?as_of={TODAY.isoformat()}&lang={lang}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"om-ladder-{lang}.png"), full_page=True)
    cells = _cells(page)
    high, medium, low = words
    empty = {k: v for k, v in cells.items() if k not in (GREEN, AMBER, RED)}
    assert cells[GREEN] == {"count": 4, "words": [high]}
    assert cells[AMBER] == {"count": 2, "words": [medium]}
    assert cells[RED] == {"count": 4, "words": [low]}
    assert sum(v["count"] for v in empty.values()) == 18
    assert all(v["words"] == [""] for v in empty.values())
    # each partner's table: the stages as row groups, the four quarters as columns
    heads = page.locator("table.ladder").first.locator("thead th").all_inner_texts()
    quarters = (
        ["ไตรมาส 1/2567", "ไตรมาส 2/2567", "ไตรมาส 3/2567", "ไตรมาส 4/2567"]
        if lang == "th"
        else ["Q1 2024", "Q2 2024", "Q3 2024", "Q4 2024"]
    )
    assert heads[1:] == quarters
    stages = page.locator("table.ladder").first.locator("tr.stage").all_inner_texts()
    assert len(stages) == 3
    summary = page.locator("section.partner p.answer").first.inner_text()
    assert ("ไตรมาส 4/2567" if lang == "th" else "Q4 2024") in summary
    assert page.errors == []


def test_the_strategy_map_shows_six_cells_per_partner(page: Any, service: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{service}/om/strategies?as_of={TODAY.isoformat()}&lang=th")
    page.screenshot(path=str(ARTIFACTS / "om-strategies-th.png"), full_page=True)
    partners = page.locator("section.partner")
    assert partners.count() == 2
    for k in range(2):
        assert partners.nth(k).locator("td.cell").count() == 6
    first = partners.nth(0)
    assert "บันทึก 2 ครั้ง" in first.locator('td[data-cell="I-1"]').inner_text()
    assert "เลยกำหนดติดตาม 30 พ.ย. 2567" in first.locator('td[data-cell="I-1"]').inner_text()
    assert "ยังไม่มีกลยุทธ์ในช่องนี้" in first.locator('td[data-cell="I-3"]').inner_text()
    assert first.locator(".flag").is_visible()
    assert page.errors == []

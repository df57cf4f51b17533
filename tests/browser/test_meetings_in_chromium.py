"""The attendance matrix as a person sees it (issue 15, question W17): in Chromium, one row
per member and one column per meeting, each cell coloured by what happened and saying it in
words, the members who keep missing marked, the answers above the table, in Thai and in
English, and the form that changes the rhythm and reloads. Real service process, real
Chromium; the store is the hand-made committee of tests/contract/test_meetings.py (its
docstring counts the answers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.browser.conftest import ARTIFACTS, require_chromium, served
from tests.contract.test_meetings import meeting_dataset


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    folder: Path = tmp_path_factory.mktemp("meetings")
    db = folder / "g.db"
    store = EmbeddedStore(db)
    import_dataset(store, meeting_dataset(folder / "data"))
    store.close()
    with served(db) as base:
        yield base


def _cells(page: Any) -> dict[str, Any]:
    """What the matrix shows: the rows' names, each cell's class and word, the badges."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
            const rows = [...document.querySelectorAll('#matrix tbody tr')];
            const count = {};
            rows.forEach(r => r.querySelectorAll('td.c').forEach(td => {
                const cls = [...td.classList].find(c => c !== 'c');
                count[cls] = (count[cls] || 0) + 1;
            }));
            const background = cls => {
                const td = document.querySelector('#matrix td.' + cls);
                return td ? getComputedStyle(td).backgroundColor : null;
            };
            return {
                rows: rows.map(r => r.dataset.id),
                columns: document.querySelectorAll('#matrix thead th').length,
                count,
                marked: rows.filter(r => r.querySelector('.badge')).map(r => r.dataset.id),
                attendedColour: background('attended'),
                absentColour: background('absent'),
                p3: [...document.querySelectorAll('tr[data-id="p3"] td.c')].map(td => td.innerText),
                scrollsSideways: document.documentElement.scrollWidth > window.innerWidth,
            };
        }"""
    )


def test_the_matrix_shows_each_member_at_each_meeting(page: Any, service: str) -> None:
    page.goto(service + "/attendance?body=com&every=3m&lang=th")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "attendance-th.png"), full_page=True)
    shown = _cells(page)
    assert shown["rows"] == ["o-pm", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    assert shown["columns"] == 1 + 4 + 1  # who, four meetings, totals
    assert shown["count"] == {
        "attended": 17,
        "absent": 4,  # p2 at e2 and e3, p3 at e4, p4 at e1
        "invited": 1,  # p3 at e2
        "not_listed": 3,  # members without a row: p3 e3, p4 e2, o-pm e4
        "none": 7,  # guests where no row lists them: p5 e3, p6 e2-e4, p7 e1-e3
    }
    assert shown["marked"] == ["p2", "p3"]
    assert shown["attendedColour"] != shown["absentColour"]  # colour, and the word too
    assert shown["p3"] == ["มา", "เชิญ", "ไม่มีชื่อ", "ขาด"]
    assert not shown["scrollsSideways"]
    answers = page.inner_text("ul.answers")
    assert "ขาดประชุมบ่อย (ขาดอย่างน้อย 2 ใน 3 ครั้งล่าสุด): คนที่ 2 และ คนที่ 3" in answers
    assert "สำนักงานพัฒนาสังคม (ผ่าน คนที่ 5)" in answers
    assert "ช่วงที่ห่างเกิน 1 ช่วง" in answers
    assert page.errors == []


def test_the_form_changes_the_rhythm_and_the_language(page: Any, service: str) -> None:
    page.goto(service + "/attendance?body=com&lang=th")
    assert "จังหวะ" not in page.inner_text("ul.answers")
    page.select_option("select[name=every]", "6m")
    with page.expect_navigation():
        page.click("#choose button")
    assert "every=6m" in page.url
    assert "ประชุมตามรอบทุก 6 เดือน ได้ครบทุกช่วง" in page.inner_text("ul.answers")
    page.goto(service + "/attendance?body=com&lang=en")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "attendance-en-phone.png"), full_page=True)
    text = page.inner_text("main")
    assert "Keep missing meetings (missed at least 2 of the last 3)" in text
    assert "ขาด" not in page.inner_text("#matrix")
    assert page.errors == []

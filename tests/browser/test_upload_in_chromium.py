"""The five-minute path in Chromium (issue 13, point 3): a new planner opens the first page,
goes to the upload page, sends a workbook with one mistake (a relationship to an id that
does not exist), reads the problem in Thai (file and sheet, Excel row, column, cell), fixes
the workbook, drops it on the page, and lands on the map of their own data."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph_service.store.embedded import EmbeddedStore
from importers.template import template_bytes
from tests.browser.conftest import require_chromium, served

RELS = "ความสัมพันธ์ (relationships)"


@pytest.fixture
def empty_store(tmp_path: Path) -> Path:
    require_chromium()
    path = tmp_path / "planner.db"
    EmbeddedStore(path).close()  # a new, empty store
    return path


def workbook(mistake: bool) -> bytes:
    """The template's example (27 entities, 45 relationships); with ``mistake``, relationship
    row 3 points at ``net-nope``, which no sheet holds."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(example=True)))
    if mistake:
        wb[RELS].cell(3, 2, "net-nope")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def problem_table(page: Any) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        "#problems tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))",
    )
    return rows


def drop(page: Any, name: str, data: bytes) -> None:
    """Drop a file on the drop zone as a user dragging it from their desktop would: a real
    ``drop`` event whose DataTransfer holds the file."""
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const file = new File([bytes], name);
            const dt = new DataTransfer();
            dt.items.add(file);
            const zone = document.getElementById('drop');
            zone.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true,
                                                           cancelable: true}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true,
                                                       cancelable: true}));
        }""",
        [name, base64.b64encode(data).decode()],
    )


def test_first_page_to_a_map_of_my_own_data(page: Any, empty_store: Path, tmp_path: Path) -> None:
    outside: list[str] = []
    with served(empty_store) as base:
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(base)
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page.goto(base + "/")
        # an empty store's home page says what to do first, and links to the upload page
        assert "ยังไม่มีข้อมูล" in page.locator("main").inner_text()
        page.locator('main a[href="/upload"]').click()
        page.wait_for_url("**/upload**")
        assert page.locator("h1").inner_text() == "นำเข้าข้อมูล"
        assert page.locator("#send").is_disabled()  # nothing chosen yet

        # 1. a workbook with a mistake, chosen with the file input
        bad = tmp_path / "ข้อมูลของฉัน.xlsx"
        bad.write_bytes(workbook(mistake=True))
        page.set_input_files("#files", str(bad))
        assert page.locator("#chosen").inner_text() == "ไฟล์ที่เลือก: ข้อมูลของฉัน.xlsx"
        page.click("#send")
        page.wait_for_selector("#problems")
        assert page.locator("#problems-title").inner_text() == ("พบปัญหา 1 จุด: ยังไม่ได้นำเข้าข้อมูลใด ๆ")
        assert problem_table(page) == [
            [
                f"ข้อมูลของฉัน.xlsx ชีต {RELS}",
                "3",
                "ปลายทาง (target)",
                "net-nope",
                "ไม่พบรหัส net-nope ในไฟล์นี้หรือในระบบ ตรวจการสะกด หรือเพิ่มแถวของรหัสนี้ในชีตของประเภทนั้น",
            ]
        ]
        headers = page.eval_on_selector_all("#problems th", "ths => ths.map(t => t.innerText)")
        assert headers == ["ไฟล์ (ชีต)", "แถว", "คอลัมน์", "ค่าในช่อง", "ปัญหา"]
        assert page.locator("#import-valid").inner_text() == "นำเข้าเฉพาะแถวที่ถูกต้อง"

        # 2. the fixed workbook, dropped on the page
        drop(page, "ข้อมูลของฉัน.xlsx", workbook(mistake=False))
        assert page.locator("#chosen").inner_text() == "ไฟล์ที่เลือก: ข้อมูลของฉัน.xlsx"
        page.click("#send")
        page.wait_for_url("**/done**")
        assert page.locator("#done-line").inner_text() == (
            "นำเข้าแล้ว: บุคคล 2, องค์กร 3, เครือข่าย 1, กองทุน 1, องค์ความรู้ 1, พื้นที่ 3, "
            "แผนงาน/โครงการ 1, กิจกรรม/การประชุม 2, บันทึกติดตามผล 5, ความท้าทายด้านผลลัพธ์ 1, "
            "แนวปฏิบัติขององค์กร 2, เครื่องหมายความก้าวหน้า 3, กลยุทธ์ 2, ความสัมพันธ์ 45 เส้น"
        )

        # 3. the map of the planner's own data, below the line
        frame = page.frame_locator("#map")
        frame.locator("body[data-ready=true]").wait_for(timeout=30_000)
        map_frame = page.frame(url=lambda url: "/map" in url)
        assert map_frame is not None
        drawn = map_frame.evaluate(
            "() => ({nodes: window.graphService.view.length,"
            " ids: window.graphService.nodes.get().map(n => n.id).sort()})"
        )
        # every entity but the example's meetings and Outcome Mapping rows (15 records: 2
        # events, 3 markers, a challenge, 2 strategies, 2 practices, 5 journal entries),
        # which a map leaves out (viz.maps.without_records)
        assert drawn == {
            "nodes": 12,
            "ids": [
                "ar-nan",
                "ar-pua",
                "ar-sila",
                "fund-local",
                "ka-care",
                "net-elder",
                "org-hph",
                "org-ppho",
                "org-sao",
                "p-malee",
                "p-somchai",
                "prog-ltc",
            ],
        }
        page.click("text=เปิดแผนที่เต็มหน้าจอ")
        page.wait_for_url("**/map?lang=th")
    assert outside == []
    assert page.errors == []

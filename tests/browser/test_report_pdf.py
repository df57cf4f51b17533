"""``graph-service report -o FILE.pdf`` printed by the system's Chromium, read back with
pypdfium2: A4 pages, one per section, the Thai text in the text layer, and page images that
are not blank (issue 13, point 6); and the print view ``/report`` in Chromium, whose print
button printing hides.

The sample is community-occupation: its home page has 8 answers (9 cards, the chain map's
form left out of a report), so the report has 9 pages: the cover, the whole map, and one
page per answer but the horizontal gaps, which has nothing to list or draw (every sector is
linked) and follows the vertical gaps on their page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.browser.conftest import ARTIFACTS, CHROMIUM, require_chromium, served

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "graph_service" / "data" / "samples" / "community-occupation"
#: A4 in PDF points (210 x 297 mm at 72 / 25.4)
A4 = (595.28, 841.89)
THAI_FONT_NAMES = ("Loma", "Garuda", "NotoSansThai", "Sarabun", "Waree", "Norasi")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_chromium()
    path = tmp_path_factory.mktemp("report-pdf") / "g.db"
    store = EmbeddedStore(path)
    import_dataset(store, SAMPLE)
    store.close()
    return path


def make_pdf(db: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    done = subprocess.run(
        [sys.executable, "-m", "graph_service.cli", "report", "--store", str(db), "-o", str(out)]
        + list(options),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "GRAPH_CHROMIUM": CHROMIUM},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def thai_pdf(db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    done = make_pdf(db, out)
    assert done.stdout.strip() == f"Wrote {out.resolve()}"
    assert done.stderr.splitlines()[-1].startswith("graph-service report: printing the PDF with")
    return out


def page_texts(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def ink(image: Any) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[245:]) / (grey.width * grey.height)


def streams(path: Path) -> list[bytes]:
    """The PDF's streams, inflated where they are compressed."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", path.read_bytes(), re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return out


def test_the_pdf_is_a4_with_a_page_per_section(thai_pdf: Path) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(thai_pdf)
    try:
        assert len(pdf) == 9
        for page in pdf:
            left, bottom, right, top = page.get_mediabox()
            assert (left, bottom) == (0, 0)
            assert abs(right - A4[0]) <= 1 and abs(top - A4[1]) <= 1
    finally:
        pdf.close()


def test_the_text_layer_holds_the_thai_words(thai_pdf: Path) -> None:
    texts = page_texts(thai_pdf)
    cover = texts[0]
    assert cover.startswith("รายงานแผนที่เครือข่าย\r\n")
    assert "ฉบับที่ของข้อมูล 1" in cover
    # the answers, one a page, by their titles; the top broker by name on its page
    assert texts[2].startswith("1. ใครเป็นผู้ประสานเชื่อมโยงระหว่างระดับต่าง ๆ?")
    assert "\r\nหน่วยพัฒนาอาชีพ ไม่ระบุ 60 0.18\r\n" in texts[2]
    assert texts[3].startswith("2. ระดับไหนยังไม่มีการเชื่อมโยงแนวดิ่ง?")
    assert "\r\n3. ภาคส่วนไหนยังไม่เชื่อมกันในแนวราบ?\r\n" in texts[3]
    assert texts[6].startswith("6. ถ้าใครออกไป เครือข่ายจะขาดออกจากกัน?")
    assert "เครือข่ายศูนย์ประสานงาน 6\r\n" in texts[6]
    # a map's names are text too (viz.picture's SVG keeps them as <text>)
    assert "\r\nภาคอีสาน\r\n" in texts[1]
    # pdfium reads a cluster with a mark above a mark (ทั้) twice; the PDF itself holds
    # it once, as the ActualText of its glyphs: check that the file says ทั้ (UTF-16BE)
    clusters = {
        bytes.fromhex(m.decode()).decode("utf-16-be")
        for s in streams(thai_pdf)
        for m in re.findall(rb"/ActualText <([0-9A-F]+)>", s)
    }
    assert "\ufeffทั้" in clusters


def test_the_thai_font_is_embedded(thai_pdf: Path) -> None:
    fonts = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z0-9-]+)", thai_pdf.read_bytes()))
    names = {f.decode() for f in fonts}
    assert any(n.startswith(THAI_FONT_NAMES) for n in names), names
    assert not any("LastResort" in n for n in names), names


def test_the_pages_are_drawn(thai_pdf: Path) -> None:
    """Page 1 (the cover) and page 2 (the whole map) rendered back to images: not blank.
    The images are kept in tests/artifacts to look at (Thai marks in place, no boxes)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(thai_pdf)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        shares = []
        for k in (0, 1, 2):
            image = pdf[k].render(scale=2).to_pil()
            assert abs(image.size[0] - 1191) <= 2 and abs(image.size[1] - 1684) <= 2  # 144 dpi
            image.save(ARTIFACTS / f"report-page-{k + 1}.png")
            shares.append(ink(image))
    finally:
        pdf.close()
    # measured: the cover 0.04, the whole map 0.04, the first answer with its table and map 0.07
    assert all(share > 0.01 for share in shares), shares
    assert all(share < 0.5 for share in shares), shares  # not a black page either


def test_the_report_in_english(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report-en.pdf"
    make_pdf(db, out, "--lang", "en")
    texts = page_texts(out)
    assert len(texts) == 9
    assert texts[0].startswith("Network map report\r\n")
    assert "74 entities and 125 relationships in all" in texts[0]


@pytest.fixture(scope="module")
def service(db: Path) -> Iterator[str]:
    with served(db) as base:
        yield base


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_the_print_view_in_chromium(browser: Any, service: str, width: int, height: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def only_the_service(route: Any) -> None:
        if route.request.url.startswith(service):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        page.route("**/*", only_the_service)
        page.goto(service + "/report")
        button = page.locator("#print")
        assert button.inner_text() == "พิมพ์"
        assert button.is_visible()
        assert page.locator("svg.map").count() == 8  # the whole map and 7 answers' maps
        # nothing wider than the screen, on a phone too
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(ARTIFACTS / f"report-view-{width}.png"))
        page.emulate_media(media="print")
        assert not button.is_visible()
        assert outside == [] and errors == []
    finally:
        context.close()

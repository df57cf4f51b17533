"""The print view ``/report`` and ``graph-service report -o FILE.html``: Thai first, what is
loaded in Thai words, one page per home answer with its sentence, its top rows by name and a
map picture inlined as SVG (no script, no request to anywhere), the same page in English on
the switch, and a clear exit when Chromium is missing for a PDF.

The values are those of the community-occupation sample, worked out from its CSV files:
74 entities (README line 5 and the files' rows: 17 organisations, 6 people, 6 networks,
13 programmes, 3 funds, 23 knowledge assets, 6 areas); 125 relationships (121 rows of
relationships.csv, plus the importer's PROVIDES from each of the 3 funds' ``funder_id`` and
one FUNDS from a programme's ``funder_id`` that relationships.csv does not hold already).
The cut point and the knowledge nobody uses are recomputed here from the CSV files with
networkx and the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "graph_service" / "data" / "samples"
SAMPLE = SAMPLE / "community-occupation"
REPO = Path(__file__).resolve().parents[2]
THAI = re.compile("[\u0e00-\u0e7f]")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "g.db"
    store = EmbeddedStore(path)
    import_dataset(store, SAMPLE)
    store.close()
    return path


@pytest.fixture(scope="module")
def pages(db: Path) -> dict[str, str]:
    store = EmbeddedStore(db)
    try:
        with TestClient(create_app(store=store)) as client:
            plain = client.get("/report")  # no ?lang=, no cookie yet
            got = {lang: client.get(f"/report?lang={lang}") for lang in ("th", "en")}
    finally:
        store.close()
    for response in (*got.values(), plain):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
    assert plain.text == got["th"].text  # Thai first
    return {lang: r.text for lang, r in got.items()}


def rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def section(page: str, key: str) -> str:
    return page.split(f'id="answer-{key}"')[1].split("</section>")[0]


def text_of(html: str) -> str:
    """The words a reader sees: no tags, no style, no attributes."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_cover_says_what_is_loaded_in_thai(pages: dict[str, str]) -> None:
    page = pages["th"]
    assert '<html lang="th">' in page
    assert "<title>รายงานแผนที่เครือข่าย</title>" in page
    counts = {
        "องค์กร": len(rows("organisations")),
        "บุคคล": len(rows("people")),
        "เครือข่าย": len(rows("networks")),
        "แผนงาน/โครงการ": len(rows("programmes")),
        "กองทุน": len(rows("funds")),
        "องค์ความรู้": len(rows("knowledge_assets")),
        "พื้นที่": len(rows("areas")),
    }
    assert counts == {
        "องค์กร": 17,
        "บุคคล": 6,
        "เครือข่าย": 6,
        "แผนงาน/โครงการ": 13,
        "กองทุน": 3,
        "องค์ความรู้": 23,
        "พื้นที่": 6,
    }
    cover = page.split("</header>")[0]
    for word, count in counts.items():
        assert f'<tr><td>{word}</td><td class="num">{count}</td></tr>' in cover
    assert len(rows("relationships")) == 121
    assert "ทั้งหมด 74 หน่วย และ 125 ความสัมพันธ์" in cover
    # the date in Thai with the Buddhist era, the store by file name only, the version
    today = dt.date.today()
    assert f"<dd>{today.day} " in cover and f" {today.year + 543}</dd>" in cover
    assert "<dd>ฐานข้อมูลในเครื่องนี้ (g.db)</dd>" in cover
    assert str(SAMPLE.parent) not in page and "/g.db" not in page
    assert "<dt>ฉบับที่ของข้อมูล</dt><dd>1</dd>" in cover


def test_one_page_per_answer_with_its_sentence_rows_and_map(pages: dict[str, str]) -> None:
    page = pages["th"]
    keys = re.findall(r'<section class="answer[a-z -]*" id="answer-([a-z_]+)"', page)
    assert keys == [
        "brokers",
        "vertical_gaps",
        "horizontal_gaps",
        "overlap",
        "coverage",
        "cut_points",
        "reach",
        "knowledge",
    ]
    # every answer on a page of its own, the cover's contents list them in order
    assert page.count("section.answer { break-before: page;") == 1
    assert "@page { size: A4 portrait;" in page

    # cut points, recomputed with networkx on the actor graph of the CSV files
    actors = {r["id"] for f in ("people", "organisations", "networks") for r in rows(f)}
    g = nx.Graph()
    g.add_edges_from(
        (r["source"], r["target"])
        for r in rows("relationships")
        if r["source"] in actors and r["target"] in actors and r["source"] != r["target"]
    )
    assert "net-node-network" in set(nx.articulation_points(g))
    parts = nx.connected_components(g.subgraph(set(g) - {"net-node-network"}))
    cut_off = sorted(len(p) for p in parts)[:-1]
    assert sum(cut_off) == 6
    cut = section(page, "cut_points")
    assert "ถ้า เครือข่ายศูนย์ประสานงาน ออกไป จะมี 6 รายขาดการเชื่อมต่อ" in text_of(cut)
    assert '<td title="รหัส: net-node-network">เครือข่ายศูนย์ประสานงาน</td>' in cut
    assert "แผนที่รอบ เครือข่ายศูนย์ประสานงาน (ห่างไม่เกิน 1 ขั้น)" in cut

    # knowledge nobody uses: 6 of the 23 assets have no USES into them (and nobody adopts)
    used = {r["target"] for r in rows("relationships") if r["type"] in ("USES", "ADOPTED_BY")}
    idle = [r for r in rows("knowledge_assets") if r["id"] not in used]
    assert len(idle) == 6
    knowledge = section(page, "knowledge")
    assert "องค์ความรู้ 6 จาก 23 ชิ้นยังไม่มีผู้นำไปใช้" in text_of(knowledge)
    listed = re.findall(r'<td title="รหัส: (ka-[a-z0-9-]+)">([^<]+)</td>', knowledge)
    assert len(listed) == 5  # the top rows; the map and the JSON table have them all
    names = {r["id"]: r["name"] for r in idle}
    for id_, name in listed:
        assert unescape(name) == names[id_]

    # overlap: one pair (README: fund-skills-grant and fund-project-budget)
    assert "กองทุน 1 คู่ให้ทุนในพื้นที่เดียวกัน" in text_of(section(page, "overlap"))

    # the brokers: the providers' unit first (README: highest betweenness among actors)
    brokers = section(page, "brokers")
    first_row = brokers.split("<tbody><tr>")[1].split("</tr>")[0]
    assert '<td title="รหัส: org-provider">หน่วยพัฒนาอาชีพ</td>' in first_row
    assert "แผนที่รอบ หน่วยพัฒนาอาชีพ" in brokers

    # a map picture, inlined as SVG with its names as text, on every answer with rows
    for key in keys:
        body = section(page, key)
        if key == "horizontal_gaps":  # every sector is linked: nothing to draw
            assert "ทุกภาคส่วนที่มีในข้อมูลเชื่อมโยงถึงกันแล้ว" in text_of(body)
            assert 'class="map"' not in body and "<table>" not in body
            # it shares the page of the vertical gaps, which leave room for it
            assert '<section class="answer short" id="answer-horizontal_gaps">' in page
            assert '<section class="answer paged before-short" id="answer-vertical_gaps">' in page
            continue
        assert body.count('class="map"') == 1, key
        assert re.search(r"<text[^>]*>[^<]*[\u0e00-\u0e7f]", body), key


def test_names_not_ids_and_no_script_or_outside_request(pages: dict[str, str]) -> None:
    page = pages["th"]
    seen = text_of(page)
    for name in ("organisations", "people", "networks", "funds", "areas", "knowledge_assets"):
        for r in rows(name):
            assert r["id"] not in seen, r["id"]
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page
    # the picture's English legend and titles are not on the Thai page
    for english in ("entities", "links", "kinds", "Organisation (", "horizontal"):
        assert english not in seen
    # ids are unique although every picture has its own
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_print_view_has_a_print_button_hidden_in_print(pages: dict[str, str]) -> None:
    page = pages["th"]
    toolbar = page.split('<div class="toolbar no-print">')[1].split("</div>")[0]
    assert '<button type="button" id="print" onclick="window.print()">พิมพ์</button>' in toolbar
    assert ".no-print { display: none !important; }" in page.split("@media print")[1]
    assert 'href="?lang=en">English</a>' in toolbar


def test_the_same_report_in_english(pages: dict[str, str]) -> None:
    page = pages["en"]
    assert '<html lang="en">' in page
    cover = page.split("</header>")[0]
    assert "<h1>Network map report</h1>" in cover
    assert "74 entities and 125 relationships in all" in cover
    assert '<tr><td>organisations</td><td class="num">17</td></tr>' in cover
    today = dt.date.today()
    assert f"<dd>{today.day} " in cover and f" {today.year}</dd>" in cover
    # no Thai outside the data's names: the words of the page are English
    ui = re.sub(r"<(td|text)\b[^>]*>.*?</\1>", " ", page, flags=re.S)  # names
    ui = re.sub(r'<p class="sentence">.*?</p>', " ", ui, flags=re.S)  # answers name names
    ui = re.sub(r"<strong>Around .*?</strong>", " ", ui, flags=re.S)  # a map's focus
    leftover = [w for w in text_of(ui).split() if THAI.search(w) and w != "ภาษาไทย"]
    assert leftover == [], leftover[:10]
    assert "Around หน่วยพัฒนาอาชีพ (steps out: 1)" in section(page, "brokers")


def test_an_empty_graph_says_what_to_do(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "empty.db")
    try:
        with TestClient(create_app(store=store)) as client:
            response = client.get("/report")
    finally:
        store.close()
    assert response.status_code == 200
    assert "ยังไม่มีข้อมูล: นำเข้าไฟล์ Excel หรือ CSV ก่อน แล้วจึงทำรายงาน" in response.text


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph_service.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        check=False,
    )


def test_cli_writes_the_html_without_chromium(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = cli("report", "--store", str(db), "-o", str(out), env={"PATH": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {out}"
    page = out.read_text(encoding="utf-8")
    assert "ทั้งหมด 74 หน่วย และ 125 ความสัมพันธ์" in page
    assert 'id="print"' not in page  # the file is the report, not the print view
    # progress on stderr, one line per long step: the answers and the 1 + 7 maps
    lines = done.stderr.splitlines()
    assert lines[0] == "graph-service report: answering the home page's questions …"
    assert sum("drawing map" in line for line in lines) == 8


def test_no_chromium_is_a_clear_error_in_thai_then_english(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    done = cli(
        "report",
        "--store",
        str(db),
        "-o",
        str(out),
        env={"PATH": "/nonexistent", "GRAPH_CHROMIUM": ""},
    )
    assert done.returncode == 2  # a missing dependency: wrong usage of this install
    message = done.stderr.strip()
    assert message.startswith("graph-service: ต้องใช้เบราว์เซอร์ Chromium")
    thai, english = message.split(" / ", 1)
    assert "apt install chromium" in thai and "/report" in thai
    assert "Making a PDF needs Chromium" in english and "/report" in english
    assert "drawing map" not in done.stderr  # said before the long work
    assert not out.exists()


def test_a_report_is_pdf_or_html(db: Path, tmp_path: Path) -> None:
    done = cli("report", "--store", str(db), "-o", str(tmp_path / "r.docx"))
    assert done.returncode == 2
    assert "FILE.pdf or FILE.html, not 'r.docx'" in done.stderr


def test_the_print_view_runs_under_the_query_timeout(db: Path) -> None:
    """/report computes every answer and draws every map: an expensive read, under the
    request's budget like the maps (a budget of a microsecond has run out before the first
    answer is computed)."""
    from graph_service.routes.work import is_bounded, is_expensive
    from graph_service.settings import Settings

    assert is_bounded("/report") and is_expensive("/report")
    store = EmbeddedStore(db)
    try:
        app = create_app(Settings(query_timeout=0.000001), store=store)
        with TestClient(app) as client:
            response = client.get("/report", headers={"Accept": "application/json"})
    finally:
        store.close()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "query_timeout"


def test_public_reads_print_people_under_pseudonyms(db: Path) -> None:
    """In public mode (GRAPH_PUBLIC_READS, a read without a key) the report shows people
    without consent under pseudonyms, in its tables and its pictures; with a key, by name.
    The two pages are cached apart."""
    from graph_service.settings import Settings

    people = [r["id"] for r in rows("people")]
    store = EmbeddedStore(db)
    try:
        settings = Settings(api_keys="read:reader-key-1", public_reads=True)
        with TestClient(create_app(settings, store=store)) as client:
            public = client.get("/report").text
            full = client.get("/report", headers={"Authorization": "Bearer reader-key-1"}).text
            public_again = client.get("/report").text
    finally:
        store.close()
    assert public_again == public
    for id_ in people:
        assert id_ not in public, id_
    # the villagers (person-villager) broker between levels: third in the brokers' table
    assert '<td title="รหัส: person-villager">ชาวบ้าน</td>' in section(full, "brokers")
    third = section(public, "brokers").split("<tbody>")[1].split("</tr>")[2]
    assert re.search(r'<td title="รหัส: anon-[0-9a-f]+">บุคคลนิรนาม [0-9a-f]+</td>', third)

"""The map pages in the reader's language (issue 13): Thai by default, English on the switch,
banners that answer with figures worked out by hand, counts that agree, no English word on a
Thai page, and a page cache that keeps the two languages apart."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.domain import Edge, Node
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import organisation, page_data

#: Latin words a Thai page may hold: the switch to English, and the names of a method
ALLOWED_LATIN = {"English", "Gould", "Fernandez", "JSON", "JavaScript"}


def small_graph(store: EmbeddedStore) -> None:
    """Two provincial organisations tied to each other, two district ones tied to each
    other, nothing between the two levels; one district organisation located in a
    subdistrict; two funds paying the same district group, without amounts.

    By hand: 7 entities, 5 relationships (2 horizontal PARTNERS_WITH, 1 placement
    LOCATED_IN, 2 FUNDS of unknown direction: funds have no admin level). The actors are
    the four organisations with 2 ties; the one missing link is province–district (vertical,
    no tie at all). By recipient, the funds are 1 overlapping pair that cannot be judged
    (no amount)."""
    store.write(
        [
            organisation("o1", "สำนักงานพัฒนาสังคมจังหวัด", admin_level="provincial"),
            organisation("o2", "สภาองค์กรชุมชนจังหวัด", admin_level="provincial"),
            organisation("o3", "ที่ว่าการอำเภอ", admin_level="district"),
            organisation("o4", "กลุ่มอาชีพอำเภอ", admin_level="district"),
            Node("a1", "Area", {"name": "ตำบลบ้านนา", "admin_level": "subdistrict"}),
            Node("f1", "Fund", {"name": "กองทุนหมู่บ้าน"}),
            Node("f2", "Fund", {"name": "กองทุนสุขภาพตำบล"}),
        ],
        [
            Edge("o1", "PARTNERS_WITH", "o2"),
            Edge("o3", "PARTNERS_WITH", "o4"),
            Edge("o3", "LOCATED_IN", "a1"),
            Edge("f1", "FUNDS", "o4"),
            Edge("f2", "FUNDS", "o4"),
        ],
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = EmbeddedStore(tmp_path / "g.db")
    small_graph(store)
    with TestClient(create_app(store=store)) as served:
        yield served
    store.close()


def visible_text(page: str) -> str:
    """What a reader sees of a page: no script, no style, no tags."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def header_counts(page: str) -> list[str]:
    return re.findall(
        r"<span>([^<]*)</span>", re.search(r'<span id="counts">(.*?)</span>\n', page).group(1)
    )  # type: ignore[union-attr]


def test_the_gaps_page_answers_in_thai_and_in_english(client: TestClient) -> None:
    thai = client.get("/map/gaps")
    english = client.get("/map/gaps?lang=en")
    assert thai.status_code == english.status_code == 200
    assert thai.text != english.text
    assert '<html lang="th">' in thai.text and '<html lang="en">' in english.text
    th, en = page_data(thai.text)["meta"], page_data(english.text)["meta"]
    assert th["notes"] == ["ยังไม่มีการเชื่อมโยงแนวดิ่งระหว่าง จังหวัด–อำเภอ รวม 1 คู่"]
    assert en["notes"] == ["Missing vertical links: 1, between province–district"]
    assert th["title"] == "การเชื่อมโยงที่ยังขาด ระหว่างระดับพื้นที่"
    # the banner is on the page as written, and its "what is this?" beside it
    assert '<p class="note">ยังไม่มีการเชื่อมโยงแนวดิ่งระหว่าง จังหวัด–อำเภอ รวม 1 คู่</p>' in (thai.text)
    assert "<summary>คืออะไร?</summary>" in thai.text
    assert "<summary>What is this?</summary>" in english.text
    # counts agree: the header's relationships are the legend's lines, its missing links
    # the dashed ones and the banner's pairs
    assert header_counts(thai.text) == [
        "4 หน่วย",
        "ความสัมพันธ์ 2 เส้น",
        "การเชื่อมโยงที่ยังขาด 1 เส้น",
    ]
    assert header_counts(english.text) == ["4 entities", "2 relationships", "1 missing links"]
    assert sum(th["directions"].values()) == 2 and th["directions"] == {"horizontal": 2}
    assert th["ghosts"] == 1


def test_the_overlap_and_whole_maps_in_both_languages(client: TestClient) -> None:
    thai = page_data(client.get("/map/overlap?by=beneficiary").text)["meta"]
    assert thai["notes"] == [
        "กองทุน 1 คู่ให้ทุนซ้ำในผู้รับทุนเดียวกัน เช่น กองทุนหมู่บ้าน กับ กองทุนสุขภาพตำบล ใน กลุ่มอาชีพอำเภอ",
        "ซ้ำซ้อน 0 คู่ หนุนเสริมกัน 0 คู่ ยังตัดสินไม่ได้ 1 คู่",
    ]
    english = page_data(client.get("/map/overlap?by=beneficiary&lang=en").text)["meta"]
    assert english["notes"][1] == "0 duplicated, 0 complementary, 1 cannot be judged yet"
    whole = client.get("/map?lang=th")  # the client keeps the cookie ?lang=en set
    assert header_counts(whole.text) == ["7 หน่วย", "ความสัมพันธ์ 5 เส้น"]
    meta = page_data(whole.text)["meta"]
    assert meta["directions"] == {"horizontal": 2, "placement": 1, "unknown": 2}
    # names and words of the reader's language; the id only in the tooltip
    nodes = {n["id"]: n for n in page_data(whole.text)["nodes"]}
    assert nodes["o3"]["title"] == "ที่ว่าการอำเภอ\nองค์กร\nรหัส: o3"
    edge = next(e for e in page_data(whole.text)["edges"] if e["type"] == "PARTNERS_WITH")
    assert edge["title"] == "เป็นภาคีกับ (แนวราบ)"
    assert meta["words"]["values"]["admin_level"]["district"] == "อำเภอ"
    en = page_data(client.get("/map?lang=en").text)
    assert {n["id"]: n for n in en["nodes"]}["o3"]["title"] == "ที่ว่าการอำเภอ\norganisation\nId: o3"


def _latin(text: str) -> set[str]:
    """The Latin words of ``text``, placeholders ({name}) left aside."""
    text = re.sub(r"\{[^}]*\}", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN


def test_no_english_word_on_a_thai_map_page(tmp_path: Path) -> None:
    """Every map page of the community-occupation sample in Thai: the text a reader sees
    and the words the page gives its script hold no English (ids and data left aside)."""
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    pages = [
        "/map",
        "/map?level=network",
        "/map?colour_by=admin_level&size_by=brokerage",
        "/map/focus/person-coordinator?depth=1",
        "/map/brokerage",
        "/map/overlap",
        "/map/overlap?by=beneficiary",
        "/map/gaps",
        "/map/gaps?by=sector",
        "/map/fragility",
        "/map/reach/person-coordinator?depth=2",
    ]
    with TestClient(create_app(store=store)) as client:
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200, url
            assert _latin(visible_text(page.text)) == set(), url
            meta = page_data(page.text)["meta"]
            said = [
                meta["title"],
                *meta["notes"],
                *meta["messages"].values(),
                meta["colour_label"],
                meta["size_label"],
                meta["ghost_label"],
                *(
                    w
                    for group in ("kind", "inn", "type", "link")
                    for w in meta["words"][group].values()
                ),
                *(w for g in meta["words"]["values"].values() for w in g.values()),
                *(c["label"] for c in meta["controls"]),
                *(choice[1] for c in meta["controls"] for choice in c["choices"]),
            ]
            found = {w for text in said for w in _latin(text)}
            # a property of the data's own (one the catalogue has no word for) keeps its
            # name: it is data, not UI
            data_words = {
                w
                for c in meta["controls"]
                for v, label in c["choices"]
                if v == label
                for w in _latin(label)
            }
            assert found - data_words == set(), url
    store.close()


def test_the_page_cache_keeps_the_languages_apart(tmp_path: Path) -> None:
    """One URL, two languages: Thai, then English by the cookie (no ?lang=), then Thai
    again; each is right, and the cache holds one page per language."""
    store = EmbeddedStore(tmp_path / "g.db")
    small_graph(store)
    app = create_app(store=store)
    with TestClient(app) as client:
        first = client.get("/map/gaps")
        assert "ยังไม่มีการเชื่อมโยงแนวดิ่ง" in first.text
        client.cookies.set("lang", "en")
        english = client.get("/map/gaps")
        assert '<html lang="en">' in english.text
        assert "Missing vertical links: 1" in english.text
        client.cookies.set("lang", "th")
        again = client.get("/map/gaps")
        assert again.text == first.text
        pages = [k for k in app.state.answers.held_keys() if k[0] == "pages"]
        assert len(pages) == 2
        # the switch's link keeps the page and names the other language
        assert 'href="?lang=en"' in first.text and 'href="?lang=th"' in english.text
    store.close()

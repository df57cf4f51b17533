"""The home page: Thai first, one card per question with its answer in one sentence, names
not ids, figures for reading, and the same page in English on the switch.

The values are those of the phatthalung-welfare sample, worked out from its CSV files and
checked against the CLI's own answers (fragility, gaps, overlap, knowledge)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from viz.answers import home_answers

SAMPLES = Path(__file__).resolve().parents[2] / "graph_service" / "data" / "samples"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    store = EmbeddedStore(tmp_path_factory.mktemp("home") / "g.db")
    import_dataset(store, SAMPLES / "phatthalung-welfare")
    yield store
    store.close()


def card(page: str, key: str) -> str:
    return page.split(f'id="q-{key}"')[1].split("</section>")[0]


def text_of(html: str) -> str:
    """The words a reader sees: no tags, no style, no attributes."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_cards_answer_in_thai(store: EmbeddedStore) -> None:
    with TestClient(create_app(store=store)) as client:
        page = client.get("/").text
    assert '<html lang="th">' in page
    # what is loaded, in Thai words: 12 people, 18 organisations, 8 funds, 12 areas
    for chip in ("12</span> บุคคล", "18</span> องค์กร", "8</span> กองทุน", "12</span> พื้นที่"):
        assert chip in page
    # cut points: the provincial welfare network cuts off 14 actors (fragility's first)
    assert "ถ้า เครือข่ายสวัสดิการชุมชนจังหวัดพัทลุง ออกไป จะมี 14 รายขาดการเชื่อมต่อ" in card(page, "cut_points")
    assert '<div class="figure">14</div>' in card(page, "cut_points")  # 14 cut points
    # vertical gaps by admin level: national–region and province–district
    vertical = card(page, "vertical_gaps")
    assert "ยังไม่มีการเชื่อมโยงแนวดิ่ง 2 คู่ระดับ: ประเทศ–ภาค และ จังหวัด–อำเภอ" in vertical
    assert "ดัชนี E-I ตามระดับพื้นที่ = 0.44" in vertical  # 0.4418604651 for reading
    # coverage: Songkhla and Trang are reached by no fund
    assert "2 พื้นที่ยังไม่มีกองทุนใดเข้าถึง: สงขลา และ ตรัง" in card(page, "coverage")
    # overlap: 18 pairs share an area, one of them duplication (CODI with the promotion fund)
    overlap = card(page, "overlap")
    assert "กองทุน 18 คู่ให้ทุนในพื้นที่เดียวกัน" in overlap
    assert "ซ้ำซ้อน 1 คู่ หนุนเสริมกัน 0 คู่ ยังตัดสินไม่ได้ 17 คู่" in overlap
    assert "กองทุนสวัสดิการชุมชน พอช. กับ กองทุนส่งเสริมการจัดสวัสดิการสังคม" in overlap
    # knowledge: 6 of 11 assets have no adopter
    assert "องค์ความรู้ 6 จาก 11 ชิ้นยังไม่มีผู้นำไปใช้" in card(page, "knowledge")
    # each card links to its map
    assert 'href="/map/fragility"' in card(page, "cut_points")
    assert 'href="/map/gaps?by=sector"' in card(page, "horizontal_gaps")


def test_names_not_ids_and_figures_for_reading(store: EmbeddedStore) -> None:
    with TestClient(create_app(store=store)) as client:
        page = client.get("/").text
    ids = {n for n in store.ids_of()}
    words = set(re.findall(r"[A-Za-z0-9_.-]+", text_of(page)))
    assert not words & ids, sorted(words & ids)[:5]
    # the ids are on hover
    assert 'title="รหัส net-welfare-network"' in page
    # no figure with more than three decimals
    assert not re.search(r"\d\.\d{4,}", text_of(page))


def test_no_english_on_the_thai_page(store: EmbeddedStore) -> None:
    """Every word of Latin letters on the Thai page is a name from the data, a measure's
    proper name (E-I, Gould–Fernandez), a product (Excel, CSV, API) or the switch."""
    with TestClient(create_app(store=store)) as client:
        page = client.get("/").text
    names = " ".join(str(n.props.get("name", "")) for n in store.get_nodes(store.ids_of()).values())
    allowed = {"E", "I", "Gould", "Fernandez", "Excel", "CSV", "API", "English"}
    latin = set(re.findall(r"[A-Za-z][A-Za-z_]*", text_of(page)))
    assert {w for w in latin if w not in allowed and w not in names} == set()


def test_the_english_switch(store: EmbeddedStore) -> None:
    with TestClient(create_app(store=store)) as client:
        thai = client.get("/")
        assert 'href="/?lang=en"' in thai.text
        english = client.get("/?lang=en")
        assert english.headers["set-cookie"].startswith("lang=en;")
        page = english.text
        assert '<html lang="en">' in page
        assert "If เครือข่ายสวัสดิการชุมชนจังหวัดพัทลุง left, 14 actors would be cut off" in card(
            page, "cut_points"
        )
        assert "2 pairs of levels have no vertical link: national–region and province–district" in (
            card(page, "vertical_gaps")
        )
        # the cookie keeps English on the next visit, and links carry it too
        again = client.get("/").text
        assert '<html lang="en">' in again
        assert 'href="/map/fragility?lang=en"' in again
        assert 'href="/?lang=th"' in again


def test_cards_from_the_library_match_the_page(store: EmbeddedStore) -> None:
    answers = {a.key: a for a in home_answers(store, "th")}
    assert [*answers] == [
        "brokers",
        "vertical_gaps",
        "horizontal_gaps",
        "overlap",
        "coverage",
        "cut_points",
        "reach",
        "knowledge",
        "chains",
    ]
    assert answers["coverage"].facts["unfunded"] == ["area-songkhla", "area-trang"]
    assert answers["vertical_gaps"].facts["missing"] == [
        ("national", "regional"),
        ("provincial", "district"),
    ]
    assert answers["cut_points"].facts["cut_points"][:3] == [
        "net-welfare-network",
        "net-welfare-team",
        "org-tsu",
    ]
    assert answers["reach"].facts["reach"]["net-welfare-network"] == 43


def test_the_answers_as_json(store: EmbeddedStore) -> None:
    with TestClient(create_app(store=store)) as client:
        doc = client.get("/api/home").json()
        english = client.get("/api/home?lang=en").json()
    assert doc["lang"] == "th" and english["lang"] == "en"
    assert doc["loaded"]["total"] == 73 and doc["loaded"]["relationships"] == 159
    assert {"kind": "Fund", "word": "กองทุน", "count": 8} in doc["loaded"]["by_kind"]
    cut = next(a for a in doc["answers"] if a["key"] == "cut_points")
    assert cut["figure"] == "14" and cut["map"] == "/map/fragility"
    assert cut["rows"][0] == {
        "cells": ["เครือข่ายสวัสดิการชุมชนจังหวัดพัทลุง", "14"],
        "ids": ["net-welfare-network"],
    }
    en_cut = next(a for a in english["answers"] if a["key"] == "cut_points")
    assert en_cut["title"] == "Who, if they left, would split the network?"

"""The report (viz.report) on both stores: the same cover counts, answers, tables and map
pictures from the embedded store and from Neo4j, on the community-occupation sample (whose
counts are checked against its CSV files in tests/api/test_report_page.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from viz.report import report_html

DAY = dt.date(2025, 10, 1)


def report(store: GraphStore, lang: str = "th") -> str:
    import_dataset(store, SAMPLES / "community-occupation")
    return report_html(store, lang, today=DAY)


def test_the_report_of_the_sample(store: GraphStore) -> None:
    page = report(store)
    cover = page.split("</header>")[0]
    assert "<dd>1 ต.ค. 2568</dd>" in cover  # 2025 + 543
    assert "ทั้งหมด 74 หน่วย และ 125 ความสัมพันธ์" in cover
    assert '<tr><td>องค์ความรู้</td><td class="num">23</td></tr>' in cover
    assert "ถ้า เครือข่ายศูนย์ประสานงาน ออกไป จะมี 6 รายขาดการเชื่อมต่อ" in page
    # the whole map and one per answer with rows (7 of the 8: every sector is linked)
    assert page.count('class="map"') == 8
    assert "<script" not in page


def test_an_empty_graph_is_invalid_input(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="No data yet"):
        report_html(store, "th")


@pytest.mark.neo4j
def test_both_stores_print_the_same_report(
    embedded_store: GraphStore, neo4j_store: GraphStore
) -> None:
    pages = []
    for store in (embedded_store, neo4j_store):
        page = report(store)
        # the lines that differ: which store, and its version (a count of its writes)
        page, n = re.subn(r"<dt>ที่เก็บข้อมูล</dt><dd>[^<]*</dd>", "<dt>store</dt>", page)
        # (a server that served a long suite counts past 999: "1,234")
        page, v = re.subn(r"<dt>ฉบับที่ของข้อมูล</dt><dd>[\d,]+</dd>", "<dt>version</dt>", page)
        assert n == v == 1
        pages.append(page)
    # the same text, tables and pictures; a picture draws the links in the order its store
    # returns them, so the elements are compared as a multiset (the positions are equal)
    first, second = (Counter(page.replace("><", ">\n<").splitlines()) for page in pages)
    assert first == second
    assert re.sub(r"<path [^>]*>", "", pages[0]) == re.sub(r"<path [^>]*>", "", pages[1])


def test_the_report_as_of_a_day_says_the_day_and_counts_that_day(store: GraphStore) -> None:
    """``report --as-of 2565`` on the yearly sample: the cover names the day and counts the
    graph of 2565 (71 entities, 154 relationships), not today's."""
    from graph_service.store.history import as_of

    for year in ("2565", "2566", "2567"):
        import_dataset(
            store, SAMPLES / "phatthalung-welfare-years" / year, snapshot=f"{int(year) - 543}-01-01"
        )
    page = report_html(as_of(store, dt.date(2022, 12, 31)), "th", today=DAY)
    cover = page.split("</header>")[0]
    assert '<dd id="as-of">31 ธ.ค. 2565</dd>' in cover
    assert "ทั้งหมด 71 หน่วย และ 154 ความสัมพันธ์" in cover

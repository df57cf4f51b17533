"""Outcome Mapping over HTTP and on the command line (CONTRACT.md 2d, issue 15), on both
stores: ``om ladder|silent|contributors --json`` and ``GET /api/om/...`` give the same
document (the library's), bad input is refused the same way, and the pages ``/om/ladder``,
``/om/strategies`` and ``/om/contributors`` show the hand-counted answers in Thai and
English. The graph and its answers are tests/contract/test_om.py's."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.om import contributors, ladder, silent
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.store.base import GraphStore
from tests.contract.test_om import TODAY, om_graph, write_om

AS_OF = TODAY.isoformat()


@pytest.fixture
def client(store: GraphStore) -> Any:
    with TestClient(create_app(store=write_om(store))) as client:
        yield client


def run_cli(store: GraphStore, *args: str) -> Any:
    """``graph-service --store <the same store> ARGS`` (Neo4j: its URL and password)."""
    env = {}
    if store.engine == "neo4j":
        url = os.environ["GRAPH_TEST_NEO4J_URL"]
        env["GRAPH_NEO4J_PASSWORD"] = os.environ.get("GRAPH_TEST_NEO4J_PASSWORD", "")
    else:
        url = store.location
    return CliRunner().invoke(main, ["--store", url, *args], env=env)


def cli_json(store: GraphStore, *args: str) -> Any:
    done = run_cli(store, *args, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


CASES = [
    (["om", "ladder", "--as-of", AS_OF], "/api/om/ladder?as_of=" + AS_OF),
    (
        ["om", "ladder", "--partner", "net-hw", "--period", "month", "--as-of", AS_OF],
        f"/api/om/ladder?partner=net-hw&period=month&as_of={AS_OF}",
    ),
    (
        ["om", "ladder", "--period", "year", "--as-of", "2567"],
        "/api/om/ladder?period=year&as_of=2567",
    ),
    (["om", "silent", "--as-of", AS_OF], "/api/om/silent?as_of=" + AS_OF),
    (
        ["om", "silent", "--periods", "3", "--period", "quarter", "--as-of", "1/12/2567"],
        "/api/om/silent?periods=3&period=quarter&as_of=2024-12-01",
    ),
    (["om", "contributors", "--as-of", AS_OF], "/api/om/contributors?as_of=" + AS_OF),
    (["om", "ladder"], "/api/om/ladder"),
]


def test_the_cli_and_the_api_give_the_same_document(store: GraphStore, client: TestClient) -> None:
    for args, url in CASES:
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        assert cli_json(store, *args) == answer.json(), url


def test_the_api_gives_the_library_answer(store: GraphStore, client: TestClient) -> None:
    assert client.get(f"/api/om/ladder?as_of={AS_OF}").json() == ladder(store, today=TODAY)
    assert client.get(f"/api/om/silent?as_of={AS_OF}").json() == silent(store, today=TODAY)
    got = client.get(f"/api/om/contributors?as_of={AS_OF}").json()
    assert got == contributors(store, today=TODAY)
    # by hand (tests/contract/test_om.py)
    hw = client.get(f"/api/om/ladder?partner=net-hw&as_of={AS_OF}").json()["partners"][0]
    assert hw["current"]["expect"] == {"low": 0, "medium": 0, "high": 2}
    assert hw["previous"]["like"] == {"low": 1, "medium": 0, "high": 0}
    quiet = client.get(f"/api/om/silent?as_of={AS_OF}").json()
    assert quiet["markers"] == ["pm-l2", "pm-orphan", "pm-v2"]
    assert quiet["strategies"] == ["st-3", "st-6"]
    assert [(o["strategy"], o["follow_up"]) for o in quiet["overdue"]] == [
        ("st-3", "2024-04-01"),
        ("st-1", "2024-11-30"),
    ]
    assert [c["id"] for c in got["contributors"]] == ["p-somchai", "org-b", "org-u"]
    # without as_of the current period is today's
    now = client.get("/api/om/ladder").json()
    assert now["as_of"] == dt.date.today().isoformat()


def test_bad_input_is_refused_the_same_way(store: GraphStore, client: TestClient) -> None:
    missing = client.get("/api/om/ladder?partner=nobody")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert "nobody" in missing.json()["error"]["message"]
    not_partner = client.get("/api/om/ladder?partner=p-somchai")
    assert not_partner.status_code == 422
    assert "not a boundary partner" in not_partner.json()["error"]["message"]
    week = client.get("/api/om/ladder?period=week")
    assert week.status_code == 422 and "period" in week.json()["error"]["message"]
    assert client.get("/api/om/silent?periods=0").status_code == 422
    assert client.get("/api/om/silent?as_of=soon").status_code == 422
    # found by fuzzing: more periods than the calendar holds (was a server error)
    assert client.get("/api/om/silent?periods=8097&as_of=2567").json()["since"] == "0001-01-01"
    done = run_cli(store, "om", "ladder", "--partner", "nobody")
    assert done.exit_code == 1 and "no entity has the id 'nobody'" in done.output
    assert run_cli(store, "om", "ladder", "--period", "week").exit_code == 2
    assert run_cli(store, "om", "silent", "--periods", "0").exit_code == 2


def test_the_plain_answers_are_thai_first(store: GraphStore) -> None:
    write_om(store)
    done = run_cli(store, "om", "ladder", "--partner", "net-hw", "--as-of", AS_OF)
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].startswith("เครือข่ายผู้ทำงานที่บ้าน: ไตรมาส 4/2567")
    assert "มาก 2 ปานกลาง 1 น้อย 1" in lines[0] and "ยังไม่มีบันทึก" in lines[0]
    assert lines[1].startswith("เครือข่ายผู้ทำงานที่บ้าน: in Q4 2024 4 progress marker(s) rated")
    quiet = run_cli(store, "om", "silent", "--as-of", AS_OF).stdout.splitlines()
    assert quiet[0].startswith("เครื่องหมายความก้าวหน้า 3 รายการ และกลยุทธ์ 2 รายการ")
    assert "การติดตามผลที่เลยกำหนด 2 รายการ" in quiet[0]
    assert any("กำหนดติดตาม 30 พ.ย. 2567 เลยมา 31 วัน" in line for line in quiet)
    named = run_cli(store, "om", "contributors", "--as-of", AS_OF).stdout.splitlines()
    assert named[0] == "บันทึกผลลัพธ์กล่าวถึงผู้มีส่วนทำให้เกิดการเปลี่ยนแปลง 3 ราย"
    assert named[1].startswith("ถูกกล่าวถึงมากที่สุด: นาย สมชาย [p-somchai] (3 ครั้ง ใน 2")


_TAG = re.compile(r"<[^>]+>")


def _words(page: str) -> str:
    body = page.split("<body>", 1)[1]
    return _TAG.sub(" ", body)


def test_the_pages_in_thai_and_english(client: TestClient) -> None:
    th = client.get(f"/om/ladder?as_of={AS_OF}")
    assert th.status_code == 200 and '<html lang="th">' in th.text
    # net-hw: Q1–Q4 over six markers; org-u one marker: cells by hand
    # high: e1 Q4, e2 Q3, e2 Q4, u1 Q4 = 4; medium: e1 Q3, l1 Q4 = 2;
    # low: e1 Q2, l1 Q3, l2 Q2, v1 Q4 = 4; the rest of 7 × 4 = 28 cells are empty (18)
    for rating, count in (("high", 4), ("medium", 2), ("low", 4)):
        assert th.text.count(f'data-rating="{rating}"') == count, rating
    assert th.text.count("rating-none") == 18 + 0  # the legend uses no empty cell
    assert "ไตรมาส 4/2567" in th.text and "คาดหวังว่าจะเห็น" in th.text
    assert "Q4" not in _words(th.text).replace("2024-Q4", "")
    en = client.get(f"/om/ladder?as_of={AS_OF}&lang=en")
    assert '<html lang="en">' in en.text and "Q4 2024" in en.text
    assert "expect to see" in en.text and ">high<" in en.text
    shown = _words(en.text).replace("ภาษาไทย", "")  # the switch to Thai is written in Thai
    for node in om_graph()[0]:  # names are the data's, not the page's words
        shown = shown.replace(node.name, "")
    assert not re.search(r"[\u0e00-\u0e7f]", shown), shown
    grid = client.get(f"/om/strategies?as_of={AS_OF}&lang=th")
    assert grid.status_code == 200
    assert grid.text.count('data-cell="') == 6 * 3  # two partners and the unaimed grid
    assert grid.text.count('class="flag"') == 2  # st-1 and st-3
    assert "ยังไม่มีกลยุทธ์ในช่องนี้" in grid.text and "บันทึก 2 ครั้ง" in grid.text
    grid_en = client.get(f"/om/strategies?as_of={AS_OF}&lang=en")
    assert "I: aimed at the partner" in grid_en.text and "2 entr(ies)" in grid_en.text
    ranked = client.get(f"/om/contributors?as_of={AS_OF}&lang=th")
    order = re.findall(r'data-contributor="([^"]+)"', ranked.text)
    assert order == ["p-somchai", "org-b", "org-u"]


def test_the_map_sized_by_mentions(client: TestClient) -> None:
    """Sizes scale 0..3 mentions to radius 10..50 (``size`` is the diameter): p-somchai 3
    → 100; org-b and org-u 2 → 10 + 40·2/3 ≈ 36.667 → 73.333; never named → 20."""
    doc = client.get(f"/api/map?size_by=mentions&as_of={AS_OF}&lang=en").json()
    size = {n["id"]: n["size"] for n in doc["nodes"]}
    assert size["p-somchai"] == 100
    assert size["org-b"] == size["org-u"] == pytest.approx(73.333, abs=0.01)
    assert size["p-future"] == size["net-hw"] == 20
    # the markers and journal entries are records, not network members: the map leaves
    # them out (viz.maps.without_records) unless a filter names a kind
    assert "pm-e1" not in size and not any(n["kind"] == "JournalEntry" for n in doc["nodes"])
    assert any("3 named" in note for note in doc["notes"])
    page = client.get(f"/map?size_by=mentions&as_of={AS_OF}&lang=th")
    assert page.status_code == 200
    assert "จำนวนครั้งที่บันทึกผลลัพธ์กล่าวถึง" in page.text
    assert "ผู้ถูกกล่าวถึง 3 ราย" in page.text


def test_public_reads_name_people_without_consent_by_pseudonym(store: GraphStore) -> None:
    """p-somchai gave no consent: in public mode the contributors list shows a pseudonym,
    the organisations by name, the same counts."""
    from graph_service.settings import Settings

    app = create_app(Settings(api_keys="read:reader-key-1", public_reads=True), write_om(store))
    with TestClient(app) as client:
        public = client.get(f"/api/om/contributors?as_of={AS_OF}").json()["contributors"]
        assert [c["mentions"] for c in public] == [3, 2, 2]
        assert public[0]["id"] != "p-somchai" and "สมชาย" not in public[0]["name"]
        assert [c["id"] for c in public[1:]] == ["org-b", "org-u"]
        page = client.get(f"/om/contributors?as_of={AS_OF}&lang=th")
        assert page.status_code == 200 and "สมชาย" not in page.text

"""The network over time over HTTP (issue 14, CONTRACT.md 2c): ``?as_of=`` on every read,
``/api/diff``, ``/api/history``, ``/api/timeline``, the before/after map ``/map/diff``, the
time slider of the map pages and the home page's card, on both stores.

The graph is two yearly snapshots small enough to check by hand:

- 2023-01-01: organisations o1 (provincial) and o2 (subdistrict), people p1 and p2;
  p1 -MEMBER_OF-> o1, p2 -WORKS_FOR-> o2, o1 -PARTNERS_WITH-> o2 (4 entities, 3 ties).
- 2024-01-01: p2 has left, p3 and o3 (district) joined; p1 -MEMBER_OF-> o1 and
  o1 -PARTNERS_WITH-> o2 stay, p3 -MEMBER_OF-> o2, p1 -MEMBER_OF-> o2 and
  o3 -PARTNERS_WITH-> o1 are new, p2 -WORKS_FOR-> o2 has ended (5 entities, 5 ties).

So as of 2023: p1 reaches o1 in one step and o2 in two (reach 2; p2 is three steps away);
now it reaches o1 and o2 in one step, o3 and p3 in two (reach 4). p1 consents to be shown;
p2 and p3 do not, so the public view shows them under pseudonyms.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.settings import Settings
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import page_data

FIRST, SECOND = "2023-01-01", "2024-01-01"
THEN = "2023-06-30"  # a day between the two snapshots
KEYS = "read:reader-key-1,write:writer-key-1"


def _org(id_: str, level: str) -> Node:
    return Node(id_, "Organisation", {"name": f"องค์กร {id_}", "admin_level": level})


def _person(id_: str, **props: Any) -> Node:
    return Node(id_, "Person", {"name": f"คุณ {id_}", **props})


def two_years(store: GraphStore) -> GraphStore:
    store.write(
        [_org("o1", "provincial"), _org("o2", "subdistrict"), _person("p1", consent="yes")]
        + [_person("p2")],
        [
            Edge("p1", "MEMBER_OF", "o1"),
            Edge("p2", "WORKS_FOR", "o2"),
            Edge("o1", "PARTNERS_WITH", "o2"),
        ],
        at=FIRST,
        snapshot=True,
    )
    store.write(
        [_org("o1", "provincial"), _org("o2", "subdistrict"), _org("o3", "district")]
        + [_person("p1", consent="yes"), _person("p3")],
        [
            Edge("p1", "MEMBER_OF", "o1"),
            Edge("o1", "PARTNERS_WITH", "o2"),
            Edge("p3", "MEMBER_OF", "o2"),
            Edge("p1", "MEMBER_OF", "o2"),
            Edge("o3", "PARTNERS_WITH", "o1"),
        ],
        at=SECOND,
        snapshot=True,
    )
    return store


@pytest.fixture
def client(store: GraphStore) -> Any:
    with TestClient(create_app(store=two_years(store))) as client:
        yield client


def _total(doc: dict[str, Any], part: str) -> int:
    return sum(doc[part].values())


def test_every_read_answers_as_of_the_day_asked(client: TestClient) -> None:
    then = client.get("/api/stats", params={"as_of": THEN}).json()
    now = client.get("/api/stats").json()
    assert (_total(then, "nodes"), _total(then, "relationships")) == (4, 3)
    assert then["relationships"] == {"MEMBER_OF": 1, "WORKS_FOR": 1, "PARTNERS_WITH": 1}
    assert (_total(now, "nodes"), _total(now, "relationships")) == (5, 5)
    # a year is its last day: 2566 is 31 December 2023, still the first snapshot
    assert client.get("/api/stats", params={"as_of": "2566"}).json() == then
    people = client.get("/api/find", params={"where": "kind=Person", "as_of": THEN}).json()
    assert [e["id"] for e in people["entities"]] == ["p1", "p2"]
    people_now = client.get("/api/find", params={"where": "kind=Person"}).json()
    assert [e["id"] for e in people_now["entities"]] == ["p1", "p3"]
    assert client.get("/api/reach/p1", params={"as_of": THEN}).json()["reach"] == 2
    assert client.get("/api/reach/p1").json()["reach"] == 4
    chain = client.get("/api/path", params={"from": "p1", "to": "p2", "as_of": THEN}).json()
    assert chain["paths"] == [["p1", "o1", "o2", "p2"]]
    assert client.get("/api/path", params={"from": "p1", "to": "p2"}).status_code == 404
    before_any = client.get("/api/stats", params={"as_of": "2022-12-31"}).json()
    assert before_any["nodes"] == {} and before_any["relationships"] == {}


def test_cached_answers_and_pages_are_kept_apart_by_day(client: TestClient) -> None:
    for _ in range(2):  # the second round comes from the cache
        then = client.get("/api/gaps", params={"as_of": THEN}).json()
        now = client.get("/api/gaps").json()
        assert (then["actors"], then["ties"]) == (4, 3)
        assert (now["actors"], now["ties"]) == (5, 5)
        page_then = page_data(client.get("/map", params={"as_of": THEN}).text)
        page_now = page_data(client.get("/map").text)
        assert sorted(n["id"] for n in page_then["nodes"]) == ["o1", "o2", "p1", "p2"]
        assert sorted(n["id"] for n in page_now["nodes"]) == ["o1", "o2", "o3", "p1", "p3"]
        json_then = client.get("/api/map", params={"as_of": THEN}).json()
        assert len(json_then["nodes"]) == 4 and len(json_then["edges"]) == 3


def test_a_bad_day_is_refused_naming_the_parameter(client: TestClient) -> None:
    for path in ("/api/stats", "/api/gaps", "/map"):
        bad = client.get(path, params={"as_of": "next tuesday"})
        assert bad.status_code == 422
        error = bad.json()["error"]
        assert error["code"] == "invalid_input"
        assert error["details"]["parameter"] == "as_of"
        assert "as_of" in error["message"]


def test_a_write_as_of_a_day_is_refused_and_changes_nothing(client: TestClient) -> None:
    version = client.get("/api/stats").json()["version"]
    refused = client.post(
        "/api/entities",
        params={"as_of": THEN},
        json={"id": "p9", "kind": "Person", "name": "คุณ p9"},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["parameter"] == "as_of"
    assert client.get("/api/stats").json()["version"] == version
    assert client.get("/api/entities/p9").status_code == 404


def test_diff_history_and_timeline(client: TestClient) -> None:
    doc = client.get("/api/diff").json()  # the last two recorded days by default
    assert (doc["from"], doc["to"]) == (FIRST, SECOND)
    assert doc["entities"] == {"added": ["o3", "p3"], "removed": ["p2"], "changed": []}
    rels = doc["relationships"]
    assert [(r["source"], r["type"], r["target"]) for r in rels["added"]] == [
        ("o3", "PARTNERS_WITH", "o1"),
        ("p1", "MEMBER_OF", "o2"),
        ("p3", "MEMBER_OF", "o2"),
    ]
    assert [(r["source"], r["type"], r["target"]) for r in rels["removed"]] == [
        ("p2", "WORKS_FOR", "o2")
    ]
    assert doc["measures"]["entities"] == [4, 5]
    assert doc["measures"]["relationships"] == [3, 5]
    assert doc["names"] == {"o3": "องค์กร o3", "p2": "คุณ p2", "p3": "คุณ p3"}
    # o3 (district) to o1 (provincial): the one added tie with both levels known
    assert doc["directions"]["added_vertical"] == 1
    assert doc["directions"]["added_horizontal"] == 0
    years = client.get("/api/diff", params={"from": "2566", "to": "2567"}).json()
    assert (years["from"], years["to"]) == ("2023-01-01", "2024-12-31")
    assert years["entities"] == doc["entities"]
    backwards = client.get("/api/diff", params={"from": "2567", "to": "2566"})
    assert backwards.status_code == 400
    assert client.get("/api/diff", params={"to": "soon"}).json()["error"]["details"] == {
        "parameter": "to",
        "value": "soon",
    }

    history = client.get("/api/history/p2").json()
    assert [(v["from"], v["to"]) for v in history["versions"]] == [(FIRST, SECOND)]
    (tie,) = history["relationships"]
    assert (tie["type"], [(v["from"], v["to"]) for v in tie["versions"]]) == (
        "WORKS_FOR",
        [(FIRST, SECOND)],
    )
    assert client.get("/api/history/nobody").status_code == 404

    timeline = client.get("/api/timeline").json()
    assert timeline == {
        "days": [
            {"day": FIRST, "entities": 4, "relationships": 3},
            {
                "day": SECOND,
                "entities": 5,
                "relationships": 5,
                "joined": 2,
                "left": 1,
                "added": 3,
                "ended": 1,
            },
        ],
        "now": {"entities": 5, "relationships": 5},
    }
    page = client.get("/timeline").text
    assert "1 ม.ค. 2566" in page and "1 ม.ค. 2567" in page
    assert 'href="/map/diff?from=2023-01-01&amp;to=2024-01-01"' in page


def test_the_before_after_map_draws_both_days_with_the_change_marked(
    client: TestClient,
) -> None:
    page = client.get("/map/diff").text
    data = page_data(page)
    lines = Counter(e["line"] for e in data["edges"])
    assert lines == {"added": 3, "removed": 1, "same": 2}
    colours = {e["line"]: (e["color"], e["dashes"]) for e in data["edges"]}
    assert colours == {
        "added": ("#2e7d32", False),
        "removed": ("#c62828", True),
        "same": ("#9e9e9e", False),
    }
    change = {n["id"]: n["props"]["change"] for n in data["nodes"]}
    assert change == {
        "o1": "stayed",
        "o2": "stayed",
        "p1": "stayed",
        "o3": "joined",
        "p3": "joined",
        "p2": "left",
    }
    meta = data["meta"]
    assert meta["directions"] == {"added": 3, "removed": 1, "same": 2}
    assert meta["words"]["colour"]["left"] == "ออกไปแล้ว"
    # the banner: the diff's sentence and the measures that moved
    assert "สมาชิกใหม่ 2, ออกไป 1, แนวดิ่งเพิ่ม 1, ความสัมพันธ์อื่นเพิ่ม 2, สิ้นสุด 1" in page
    assert "จำนวนหน่วย: 4 → 5" in page
    assert 'name="from"' in page and 'name="to"' in page  # the two dates, as a form
    english = client.get("/map/diff", params={"lang": "en"}).text
    assert "2 joined, 1 left" in english and "Entities: 4 → 5" in english
    only = page_data(client.get("/map/diff", params={"from": THEN, "to": THEN}).text)
    assert Counter(e["line"] for e in only["edges"]) == {"same": 3}


def test_map_pages_carry_the_slider_and_say_which_day_they_show(client: TestClient) -> None:
    now = client.get("/map/gaps").text
    assert 'id="time-slider"' in now and 'id="as-of-banner"' not in now
    then = client.get("/map/gaps", params={"as_of": THEN}).text
    assert "นี่คือเครือข่าย ณ 30 มิ.ย. 2566" in then
    # the stops: the two recorded days, the day asked between them, and now
    assert 'max="3"' in then and 'value="1"' in then
    assert 'href="/map/gaps">กลับไปดูปัจจุบัน</a>' in then
    nothing = client.get("/map", params={"as_of": "2020"})
    assert nothing.status_code == 422
    assert "ไม่มีข้อมูลที่บันทึกไว้ ณ 31 ธ.ค. 2563" in nothing.json()["error"]["message"]


def test_the_home_page_says_how_the_network_changed(client: TestClient) -> None:
    answers = client.get("/api/home").json()["answers"]
    card = answers[0]
    assert card["key"] == "change"
    assert card["figure"] == "+3 / −1 ความสัมพันธ์"
    assert card["sentence"].endswith("สมาชิกใหม่ 2, ออกไป 1, แนวดิ่งเพิ่ม 1, ความสัมพันธ์อื่นเพิ่ม 2, สิ้นสุด 1")
    assert card["map"] == "/map/diff?from=2023-01-01&to=2024-01-01"
    home = client.get("/").text
    assert 'id="q-change"' in home and "เครือข่ายเปลี่ยนไปอย่างไร?" in home
    # as of the first year there is one recorded day: no card, and a banner
    then = client.get("/", params={"as_of": THEN}).text
    assert 'id="q-change"' not in then and "นี่คือเครือข่าย ณ 30 มิ.ย. 2566" in then
    assert "/map/brokerage?as_of=2023-06-30" in then


def test_public_reads_as_of_a_day_keep_people_under_pseudonyms(store: GraphStore) -> None:
    two_years(store)
    app = create_app(Settings(api_keys=KEYS, public_reads=True), store)
    with TestClient(app) as client:
        then = client.get("/api/find", params={"where": "kind=Person", "as_of": THEN})
        ids = [e["id"] for e in then.json()["entities"]]
        assert len(ids) == 2 and "p1" in ids and "p2" not in ids
        assert "คุณ p2" not in then.text
        diff = client.get("/api/diff")
        assert "p2" not in diff.text and "คุณ p2" not in diff.text and "p3" not in diff.text
        left = diff.json()["entities"]["removed"]
        assert len(left) == 1 and left[0].startswith("anon-")
        assert left[0] in ids  # the same pseudonym on both days
        page = client.get("/map/diff").text
        assert "คุณ p2" not in page and "คุณ p3" not in page
        assert client.get("/api/history/p1").status_code == 401
        keyed = client.get("/api/history/p2", headers={"Authorization": "Bearer reader-key-1"})
        assert keyed.status_code == 200


def test_the_map_verb_writes_the_before_after_map_and_the_map_as_of_a_day(
    tmp_path: Path,
) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    two_years(store)
    store.close()
    runner = CliRunner()

    def page(*args: str) -> str:
        out = tmp_path / "map.html"
        done = runner.invoke(main, ["--store", str(db), "map", *args, "-o", str(out)])
        assert done.exit_code == 0, done.output
        return out.read_text(encoding="utf-8")

    change = page("--from", "2566", "--to", "2567")
    assert Counter(e["line"] for e in page_data(change)["edges"]) == {
        "added": 3,
        "removed": 1,
        "same": 2,
    }
    assert "<title>เครือข่ายเปลี่ยนไปอย่างไร: ปี 2566–2567</title>" in change
    assert "<form" not in change  # a file cannot reload itself: no date form
    then = page("--as-of", THEN)
    assert sorted(n["id"] for n in page_data(then)["nodes"]) == ["o1", "o2", "p1", "p2"]
    assert "นี่คือเครือข่าย ณ 30 มิ.ย. 2566 (ไม่ใช่ปัจจุบัน)" in then
    assert "นี่คือเครือข่าย" not in page()


def test_edits_through_the_api_keep_what_was_there(store: GraphStore) -> None:
    """Issue 14 point 1: a PATCH and a DELETE through the API keep the versions they
    replace; /api/history gives them back, and as of the day before the edit the old value
    holds (the edits are recorded today, after the snapshots of 2023 and 2024)."""
    with TestClient(create_app(store=two_years(store))) as api:
        patched = api.patch("/api/entities/o3", json={"properties": {"admin_level": "provincial"}})
        assert patched.status_code == 200, patched.text
        assert api.delete("/api/entities/p3").status_code == 200
        history = api.get("/api/history/o3").json()
        assert [s["value"] for s in history["properties"]["admin_level"]] == [
            "district",
            "provincial",
        ]
        assert history["properties"]["admin_level"][0]["from"] == SECOND
        gone = api.get("/api/history/p3").json()
        assert [v["to"] is not None for v in gone["versions"]] == [True]
        before = api.get("/api/find", params={"where": "kind=Person", "as_of": "2024-06-30"})
        assert [e["id"] for e in before.json()["entities"]] == ["p1", "p3"]
        now = api.get("/api/find", params={"where": "kind=Person"}).json()
        assert [e["id"] for e in now["entities"]] == ["p1"]

"""A chain drawn as a chain (issue 12): ``map --path FROM TO`` and ``/map/path``, on both
stores. A hand-made graph whose chains, places and labels are checked by hand:

    p1 -MEMBER_OF-> o1 -MEMBER_OF-> n1 -REPORTS_TO-> m
    p1 -WORKS_FOR-> o2 <-SUPPORTS- n2 <-FUNDS- m
    o1 -PARTNERS_WITH- o2 (same step: not on a chain), o1 -LOCATED_IN-> a1, z alone

From p1 to m there are two shortest chains of 3 steps, [p1, o1, n1, m] and [p1, o2, n2, m]
(in id order: o1 < o2). Laid out with SPACING 320 and ROW 160: p1 at (0, 0); o1, o2 at
x 320, y -80 and 80; n1, n2 at x 640, y -80 and 80; m at (960, 0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation, page_data, person
from viz.chain import build_chain_map, chain_map_json, chain_view

NAMES = {
    "p1": "นางสาว สมศรี ใจดี",
    "o1": "อบต. ลาโละ",
    "o2": "รพ.สต. บ้านนา",
    "n1": "เครือข่ายสุขภาพอำเภอ",
    "n2": "กองทุนสุขภาพตำบล",
    "m": "กระทรวงสาธารณสุข",
}
PLACES = {
    "p1": (0.0, 0.0),
    "o1": (320.0, -80.0),
    "o2": (320.0, 80.0),
    "n1": (640.0, -80.0),
    "n2": (640.0, 80.0),
    "m": (960.0, 0.0),
}
LABELS = {
    ("p1", "o1"): "เป็นสมาชิกของ",
    ("o1", "n1"): "เป็นสมาชิกของ",
    ("n1", "m"): "รายงานต่อ",
    ("p1", "o2"): "ทำงานให้",
    ("n2", "o2"): "สนับสนุน",
    ("m", "n2"): "ให้ทุนแก่",
}
#: the relationship type of each drawn tie
TYPES = {
    ("p1", "o1"): "MEMBER_OF",
    ("o1", "n1"): "MEMBER_OF",
    ("n1", "m"): "REPORTS_TO",
    ("p1", "o2"): "WORKS_FOR",
    ("n2", "o2"): "SUPPORTS",
    ("m", "n2"): "FUNDS",
}
HEADING = "สายเชื่อมที่สั้นที่สุดจาก นางสาว สมศรี ใจดี ถึง กระทรวงสาธารณสุข: 3 ขั้น"


def two_chains(store: GraphStore) -> None:
    store.write(
        [
            person("p1", NAMES["p1"]),
            organisation("o1", NAMES["o1"], admin_level="subdistrict"),
            organisation("o2", NAMES["o2"], admin_level="subdistrict"),
            network("n1", NAMES["n1"], admin_level="district"),
            network("n2", NAMES["n2"], admin_level="subdistrict"),
            organisation("m", NAMES["m"], admin_level="national"),
            Node("a1", "Area", {"name": "ลาโละ", "admin_level": "subdistrict"}),
            person("z", "นาย ไม่มีใคร"),
        ],
        [
            Edge("p1", "MEMBER_OF", "o1"),
            Edge("p1", "WORKS_FOR", "o2"),
            Edge("o1", "MEMBER_OF", "n1"),
            Edge("n2", "SUPPORTS", "o2"),
            Edge("n1", "REPORTS_TO", "m"),
            Edge("m", "FUNDS", "n2"),
            Edge("o1", "PARTNERS_WITH", "o2"),
            Edge("o1", "LOCATED_IN", "a1"),
        ],
    )


def places(nodes: list[dict]) -> dict[str, tuple[float, float]]:
    return {n["id"]: (n["x"], n["y"]) for n in nodes}


def test_the_two_chains_of_an_all_case_are_drawn_left_to_right_and_stacked(
    store: GraphStore,
) -> None:
    two_chains(store)
    view = chain_view(store, "p1", "m", all_paths=True)
    assert view.doc["paths"] == [["p1", "o1", "n1", "m"], ["p1", "o2", "n2", "m"]]
    assert view.positions == PLACES
    for chain in view.doc["paths"]:  # x strictly increasing by step along every chain
        xs = [view.positions[i][0] for i in chain]
        assert xs == sorted(set(xs)) and len(xs) == 4
    xs = [x for x, _ in PLACES.values()]
    assert view.positions["p1"][0] == min(xs) and view.positions["m"][0] == max(xs)
    assert view.title == HEADING
    # the page draws the same places, the two ends outlined, nothing else
    data = page_data(build_chain_map(store, "p1", "m", all_paths=True))
    assert places(data["nodes"]) == PLACES
    assert {n["id"] for n in data["nodes"] if n.get("highlighted")} == {"p1", "m"}
    assert {n["id"]: n["label"] for n in data["nodes"]} == NAMES
    assert data["meta"]["title"] == HEADING


def test_the_ties_of_the_chain_are_drawn_with_their_type_in_the_readers_words(
    store: GraphStore,
) -> None:
    two_chains(store)
    data = page_data(build_chain_map(store, "p1", "m", all_paths=True))
    drawn = {(e["from"], e["to"]): e["label"] for e in data["edges"]}
    # o1 - o2 (same step) and o1 - a1 (off the chain) are not drawn; arrows keep the
    # relationship's own direction (n2 SUPPORTS o2 points back)
    assert drawn == LABELS
    as_json = chain_map_json(chain_view(store, "p1", "m", all_paths=True))
    assert {(e["from"], e["to"]): e["label"] for e in as_json["edges"]} == LABELS
    english = page_data(build_chain_map(store, "p1", "m", all_paths=True, lang="en"))
    assert {(e["from"], e["to"]): e["label"] for e in english["edges"]} == {
        **{pair: TYPES[pair].lower().replace("_", " ") for pair in LABELS},
        ("m", "n2"): "funds",
    }
    directions = {(e["from"], e["to"]): e["direction"] for e in data["edges"]}
    # styled as every map: by the admin levels of the two ends (p1 has none)
    assert directions == {
        ("p1", "o1"): None,
        ("p1", "o2"): None,
        ("o1", "n1"): "vertical",  # subdistrict - district
        ("n1", "m"): "vertical",  # district - national
        ("n2", "o2"): "horizontal",  # subdistrict - subdistrict
        ("m", "n2"): "vertical",
    }


def test_several_ties_between_two_entities_share_one_label(store: GraphStore) -> None:
    two_chains(store)
    store.write([], [Edge("o1", "SUPPORTS", "p1")])
    data = page_data(
        build_chain_map(store, "p1", "m", types=["MEMBER_OF", "SUPPORTS", "REPORTS_TO"])
    )
    drawn = sorted((e["from"], e["to"], e["type"], e["label"]) for e in data["edges"])
    assert drawn == [
        ("n1", "m", "REPORTS_TO", "รายงานต่อ"),
        ("o1", "n1", "MEMBER_OF", "เป็นสมาชิกของ"),
        ("o1", "p1", "SUPPORTS", ""),  # drawn under the other, its arrow pointing back
        ("p1", "o1", "MEMBER_OF", "เป็นสมาชิกของ\nสนับสนุน"),
    ]
    assert "<li>นางสาว สมศรี ใจดี → อบต. ลาโละ → เครือข่ายสุขภาพอำเภอ → กระทรวงสาธารณสุข</li>" in (
        build_chain_map(store, "p1", "m", types=["MEMBER_OF", "REPORTS_TO"])
    )


def test_types_keep_one_chain_on_one_line(store: GraphStore) -> None:
    two_chains(store)
    view = chain_view(store, "p1", "m", types=["MEMBER_OF", "REPORTS_TO"])
    assert view.doc["paths"] == [["p1", "o1", "n1", "m"]]
    assert view.positions == {
        "p1": (0.0, 0.0),
        "o1": (320.0, 0.0),
        "n1": (640.0, 0.0),
        "m": (960.0, 0.0),
    }
    assert sorted(e.type for e in view.sub.edges) == ["MEMBER_OF", "MEMBER_OF", "REPORTS_TO"]
    assert "เงื่อนไข: เฉพาะความสัมพันธ์ เป็นสมาชิกของ, รายงานต่อ" in view.notes
    english = chain_view(store, "p1", "m", types=["MEMBER_OF", "REPORTS_TO"], lang="en")
    assert english.title == "Shortest chain from นางสาว สมศรี ใจดี to กระทรวงสาธารณสุข: 3 steps"
    assert "Conditions: only relationships member of, reports to" in english.notes


def test_the_nearest_match_of_a_filter(store: GraphStore) -> None:
    two_chains(store)
    view = chain_view(store, "p1", to_where=["admin_level=national"])
    assert (view.doc["to"], view.doc["length"]) == ("m", 3)
    assert view.positions["m"] == (960.0, 0.0)
    assert "กระทรวงสาธารณสุข คือรายการที่ใกล้ที่สุดที่ตรงกับ admin_level=national" in view.notes


def test_no_chain_is_a_page_that_says_so(store: GraphStore) -> None:
    two_chains(store)
    page = build_chain_map(store, "p1", "z")
    assert "<h1>ไม่มีสายเชื่อมระหว่าง นางสาว สมศรี ใจดี กับ นาย ไม่มีใคร</h1>" in page
    assert 'id="graph-data"' not in page and 'id="graph"' not in page  # no canvas
    doc = chain_map_json(chain_view(store, "p1", "z"))
    assert (doc["length"], doc["nodes"], doc["edges"], doc["paths"]) == (None, [], [], [])
    upward = build_chain_map(store, "p1", "m", upward=True)  # p1 has no admin_level
    assert "ไม่มีสายเชื่อมระหว่าง" in upward
    assert "เงื่อนไข: ทุกขั้นขึ้นไประดับพื้นที่เดียวกันหรือสูงกว่า" in upward


def test_an_unknown_end_says_did_you_mean(store: GraphStore) -> None:
    two_chains(store)
    with pytest.raises(NotFound, match="did you mean p1"):
        chain_view(store, "p11", "m")
    with pytest.raises(InvalidInput, match="not an actor"):
        chain_view(store, "p1", "a1", actors_only=True)


def test_the_page_over_http(store: GraphStore) -> None:
    two_chains(store)
    with TestClient(create_app(store=store)) as client:
        page = client.get("/map/path", params={"from": "p1", "to": "m", "all": "true"})
        assert page.status_code == 200
        assert places(page_data(page.text)["nodes"]) == PLACES
        assert '<script src="/static/vis-network.min.js"' in page.text  # served locally
        by_name = client.get("/map/path", params={"from": NAMES["p1"], "to": NAMES["m"]})
        assert places(page_data(by_name.text)["nodes"]) == PLACES
        none = client.get("/map/path", params={"from": "p1", "to": "z"})
        assert none.status_code == 200 and "ไม่มีสายเชื่อมระหว่าง" in none.text
        english = client.get("/map/path", params={"from": "p1", "to": "z", "lang": "en"})
        assert "<h1>There is no chain between นางสาว สมศรี ใจดี and นาย ไม่มีใคร</h1>" in (english.text)
        unknown = client.get("/map/path", params={"from": "p11", "to": "m"})
        assert unknown.status_code == 404
        error = unknown.json()["error"]
        assert error["code"] == "not_found" and "did you mean p1" in error["message"]
        form = client.get("/map/path")
        assert form.status_code == 200 and 'name="from"' in form.text
        half = client.get("/map/path", params={"from": "p1"})
        assert half.status_code == 200 and "Give the other end too" in half.text
        bad = client.get("/map/path", params={"from": "p1", "to": "m", "types": "lower"})
        assert bad.status_code == 422


def test_map_path_on_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    two_chains(store)
    store.close()
    runner = CliRunner()
    out = tmp_path / "chain.html"
    done = runner.invoke(
        main, ["--store", str(db), "map", "--path", "p1", "m", "--all", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert HEADING in done.output
    assert places(page_data(out.read_text(encoding="utf-8"))["nodes"]) == PLACES
    as_json = runner.invoke(
        main, ["--store", str(db), "map", "--path", "p1", "m", "--all", "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    assert {n["id"]: (n["x"], n["y"]) for n in doc["nodes"]} == PLACES
    assert {n["id"]: n["size"] for n in doc["nodes"]} == dict.fromkeys(PLACES, 40.0)
    assert {(e["from"], e["to"]): e["type"] for e in doc["edges"]} == TYPES
    assert doc["paths"] == [["p1", "o1", "n1", "m"], ["p1", "o2", "n2", "m"]]
    nearest = runner.invoke(
        main, ["--store", str(db), "map", "--path", "p1", "--to-where", "kind=Network", "--json"]
    )
    assert json.loads(nearest.stdout)["paths"] == [["p1", "o1", "n1"]]
    unknown = runner.invoke(main, ["--store", str(db), "map", "--path", "p11", "m", "--json"])
    assert unknown.exit_code == 1 and "did you mean p1" in unknown.output
    none = runner.invoke(main, ["--store", str(db), "map", "--path", "p1", "z", "-o", str(out)])
    assert none.exit_code == 0 and "ไม่มีสายเชื่อมระหว่าง" in none.output
    assert 'id="graph-data"' not in out.read_text(encoding="utf-8")
    for args in (
        ["--path", "p1", "-o", str(out)],
        ["p1", "m", "-o", str(out)],
        ["--path", "p1", "m"],
    ):
        wrong = runner.invoke(main, ["--store", str(db), "map", *args])
        assert wrong.exit_code == 2, (args, wrong.output)
    mixed = runner.invoke(
        main, ["--store", str(db), "map", "--path", "p1", "m", "--focus", "p1", "--json"]
    )
    assert mixed.exit_code == 2 and "--focus cannot be combined with --path" in mixed.output

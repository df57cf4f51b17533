"""Issue 12, wrong answers 1, 2, 3, 4, 8 and 10: each on a small hand-made dataset, imported
through the real importer into each store, with the answer worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.common import group_actors
from graph_service.analysis.gaps import gaps
from graph_service.analysis.overlap import overlap
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.factories import page_data, write_csv
from viz.maps import render_map
from viz.views import overlap_map

ENTITY = ["id", "name", "admin_level", "sector", "tags", "readiness"]
RELATIONSHIPS = ["source", "type", "target", "capacity"]


def load(
    store: GraphStore,
    folder: Path,
    entities: dict[str, Sequence[Sequence[object]]],
    relationships: Sequence[Sequence[object]],
) -> GraphStore:
    """A dataset folder of ``entities`` (file -> rows of ENTITY columns) and relationships,
    imported into ``store``."""
    folder.mkdir()
    for name, rows in entities.items():
        write_csv(folder / f"{name}.csv", ENTITY, rows)
    write_csv(folder / "relationships.csv", RELATIONSHIPS, relationships)
    import_dataset(store, folder)
    return store


@pytest.fixture
def cli(store: GraphStore, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Runs the command line against the store under test; gives what it prints."""
    location, env = store.location, {}
    if store.engine == "neo4j":
        location, _user, password = request.getfixturevalue("neo4j_server")
        env = {"GRAPH_NEO4J_PASSWORD": password}

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--store", location, *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def area(id_: str, level: str) -> list[object]:
    return [id_, id_, level, "", "", ""]


# -- 1. a fund's own areas -------------------------------------------------------------------


def test_funds_that_operate_in_one_province_overlap_there(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    funds = [[f"f{i}", f"กองทุน {i}", "", "", "", ""] for i in range(1, 5)]
    load(
        store,
        tmp_path / "d",
        {"funds": funds, "areas": [area("prov", "provincial"), area("other", "provincial")]},
        [[f"f{i}", "OPERATES_IN", "prov", ""] for i in range(1, 5)],
    )
    doc = overlap(store, by="area")
    pairs = [(p["fund_a"], p["fund_b"], p["shared"], p["jaccard"]) for p in doc["pairs"]]
    assert pairs == [
        ("f1", "f2", ["prov"], 1.0),
        ("f1", "f3", ["prov"], 1.0),
        ("f1", "f4", ["prov"], 1.0),
        ("f2", "f3", ["prov"], 1.0),
        ("f2", "f4", ["prov"], 1.0),
        ("f3", "f4", ["prov"], 1.0),
    ]
    assert doc["pairs"][0]["paths"] == [
        {
            "target": "prov",
            "fund_a": [{"via": None, "type": "OPERATES_IN"}],
            "fund_b": [{"via": None, "type": "OPERATES_IN"}],
        }
    ]
    # no FUNDS relationship: no amount, so no weighted Jaccard, and no shared activity
    assert {(p["weighted_jaccard"], p["kind"]) for p in doc["pairs"]} == {(None, "unknown")}
    assert doc["funds_per_target"] == {"prov": 4}
    assert doc["unfunded"] == ["other"]
    assert doc["coverage"] == {"prov": "direct"}
    text = cli("overlap")
    assert "6 pair(s) of funds share areas." in text
    assert "Unfunded (1): other" in text


# -- 3. coverage rolls up --------------------------------------------------------------------


def coverage_dataset(store: GraphStore, folder: Path) -> GraphStore:
    """p > d1 > {s1, s2, s3}; p > d2 > s4; q > d3 > s5. fa FUNDS s1; fb FUNDS org o1, which
    is LOCATED_IN s2; fc OPERATES_IN the province q."""
    areas = [
        area("p", "provincial"),
        area("d1", "district"),
        area("d2", "district"),
        area("s1", "subdistrict"),
        area("s2", "subdistrict"),
        area("s3", "subdistrict"),
        area("s4", "subdistrict"),
        area("q", "provincial"),
        area("d3", "district"),
        area("s5", "subdistrict"),
    ]
    part_of = [
        ["d1", "p"],
        ["d2", "p"],
        ["s1", "d1"],
        ["s2", "d1"],
        ["s3", "d1"],
        ["s4", "d2"],
        ["d3", "q"],
        ["s5", "d3"],
    ]
    return load(
        store,
        folder,
        {
            "areas": areas,
            "funds": [[f, f, "", "", "", ""] for f in ("fa", "fb", "fc")],
            "organisations": [["o1", "กลุ่มอาชีพ", "", "community", "", ""]],
        },
        [
            *([c, "PART_OF", p, ""] for c, p in part_of),
            ["fa", "FUNDS", "s1", ""],
            ["fb", "FUNDS", "o1", ""],
            ["o1", "LOCATED_IN", "s2", ""],
            ["fc", "OPERATES_IN", "q", ""],
        ],
    )


def test_coverage_rolls_up_and_down_but_never_sideways(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    coverage_dataset(store, tmp_path / "d")
    doc = overlap(store, by="area")
    # s3 is a sibling of funded subdistricts, d2 and s4 are elsewhere in the province
    assert doc["unfunded"] == ["d2", "s3", "s4"]
    assert doc["coverage"] == {
        "d1": "within",  # two of its subdistricts are funded
        "d3": "containing",  # the fund works in the whole province q
        "p": "within",
        "q": "direct",
        "s1": "direct",
        "s2": "direct",
        "s5": "containing",
    }
    assert doc["coverage_counts"] == {"direct": 3, "containing": 2, "within": 2, "none": 3}
    district = overlap(store, by="area", level="district")
    assert (district["unfunded"], district["coverage"]) == (
        ["d2"],
        {"d1": "within", "d3": "containing"},
    )
    text = cli("overlap", "--level", "district")
    assert "Unfunded (1): d2" in text
    assert "Reached (2): 0 directly, 1 through an area containing it, 1 through an area" in text
    assert json.loads(cli("overlap", "--json"))["coverage"] == doc["coverage"]


# -- 2. an organisation that takes part personally -------------------------------------------


def test_organisation_member_in_a_personal_capacity(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    load(
        store,
        tmp_path / "d",
        {
            "organisations": [
                ["o-social", "สำนักงานพัฒนาสังคมจังหวัด", "provincial", "state", "", ""],
                ["o-health", "สำนักงานสาธารณสุขจังหวัด", "provincial", "state", "", ""],
            ],
            "networks": [["n-welfare", "เครือข่ายสวัสดิการชุมชน", "district", "community", "", ""]],
        },
        [
            ["o-social", "MEMBER_OF", "n-welfare", "personal"],
            ["o-health", "MEMBER_OF", "n-welfare", "institutional"],
        ],
    )
    doc = gaps(store)
    assert doc["reports"]["personal_only_organisations"] == [
        {
            "organisation": "o-social",
            "network": "n-welfare",
            "people": [],
            "own_membership": "personal",
        }
    ]
    assert "personal only organisations: 1" in cli("gaps")


# -- 4. horizontal gaps and the block table agree ---------------------------------------------


def sector_dataset(store: GraphStore, folder: Path) -> GraphStore:
    """State s1, s2 and local government l1 have no admin_level; local governments l2, l3
    are subdistrict. Ties: s1-l2, s2-l2, s1-l3 (3 state - local government ties)."""
    return load(
        store,
        folder,
        {
            "organisations": [
                ["s1", "s1", "", "state", "", ""],
                ["s2", "s2", "", "state", "", ""],
                ["l1", "l1", "", "local_government", "", ""],
                ["l2", "l2", "subdistrict", "local_government", "", ""],
                ["l3", "l3", "subdistrict", "local_government", "", ""],
            ]
        },
        [["s1", "SUPPORTS", "l2", ""], ["s2", "SUPPORTS", "l2", ""], ["s1", "SUPPORTS", "l3", ""]],
    )


def test_sector_gaps_agree_with_the_blocks(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    sector_dataset(store, tmp_path / "d")
    doc = gaps(store, by="sector")
    # the 3 ties hang on no single actor (s1 is in two, l2 in two): no missing link at all
    assert doc["missing"] == []
    block = next(b for b in doc["blocks"] if (b["from"], b["to"]) == ("local_government", "state"))
    assert block["ties"] == 3
    # every tie has an end without admin_level: horizontal or vertical cannot be decided
    assert block["ties_by_direction"] == {"horizontal": 0, "vertical": 0, "undecided": 3}
    assert block["direction"] is None  # not "horizontal": that cannot be decided
    assert any("no admin_level" in n and "3 actor(s)" in n for n in doc["notes"])
    text = cli("gaps", "--by", "sector")
    assert "local_government - state: none" not in text
    assert "undecided" in text and "no admin_level" in text


def test_sector_gap_without_levels_says_undecided(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    """s1 (state) ties l1 (local government) once; no actor has an admin_level: the pair
    hangs on one tie, and whether it is horizontal cannot be decided."""
    load(
        store,
        tmp_path / "d",
        {
            "organisations": [
                ["s1", "s1", "", "state", "", ""],
                ["l1", "l1", "", "local_government", "", ""],
                ["l2", "l2", "", "local_government", "", ""],
            ]
        },
        [["s1", "SUPPORTS", "l1", ""], ["l1", "PARTNERS_WITH", "l2", ""]],
    )
    doc = gaps(store, by="sector")
    [gap] = doc["missing"]
    assert (gap["from"], gap["to"], gap["status"], gap["ties"]) == (
        "local_government",
        "state",
        "one_actor",
        1,
    )
    assert gap["direction"] is None and gap["level"] is None
    assert "admin_level" in gap["undecided"]
    text = cli("gaps", "--by", "sector")
    assert "local_government - state (direction undecided: " in text


# -- 8. knowledge in use is not unused --------------------------------------------------------


def test_used_knowledge_is_not_unused(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    assets = [
        ["k-adopted", "คู่มือ", "", "", "", "1"],
        ["k-network", "หลักสูตร", "", "", "", "2"],
        ["k-person", "ชุดความรู้", "", "", "", "1"],
        ["k-shelf", "รายงาน", "", "", "", "1"],
        ["k-young", "ข้อค้นพบ", "", "", "", "4"],
    ]
    load(
        store,
        tmp_path / "d",
        {
            "knowledge_assets": assets,
            "organisations": [
                ["o1", "o1", "provincial", "state", "", ""],
                ["o2", "o2", "district", "academic", "", ""],
            ],
            "networks": [["n1", "n1", "district", "community", "", ""]],
            "people": [["p1", "p1", "", "", "", ""]],
        },
        [
            ["o2", "PRODUCES", "k-adopted", ""],
            ["k-adopted", "ADOPTED_BY", "o1", ""],
            ["n1", "USES", "k-network", ""],
            ["p1", "USES", "k-person", ""],
            ["o2", "PRODUCES", "k-shelf", ""],
            ["o1", "PARTNERS_WITH", "n1", ""],
        ],
    )
    doc = gaps(store)
    assert doc["reports"]["unused_mature_knowledge"] == [
        {"id": "k-shelf", "name": "รายงาน", "readiness": 1, "producers": ["o2"], "users": []}
    ]
    assert "unused mature knowledge: 1" in cli("gaps")


# -- 10. placement is not cooperation; a tags cell holds several tags --------------------------


def test_placement_is_neither_horizontal_nor_vertical(
    store: GraphStore, tmp_path: Path, cli: Callable[..., str]
) -> None:
    load(
        store,
        tmp_path / "d",
        {
            "organisations": [
                ["o1", "o1", "district", "state", "", ""],
                ["o2", "o2", "district", "community", "", ""],
                ["o3", "o3", "provincial", "state", "", ""],
            ],
            "areas": [area("d", "district"), area("p", "provincial")],
        },
        [
            ["o1", "PARTNERS_WITH", "o2", ""],  # horizontal
            ["o1", "REPORTS_TO", "o3", ""],  # vertical
            ["o1", "LOCATED_IN", "d", ""],  # placement: same level, still not horizontal
            ["o2", "OPERATES_IN", "d", ""],
            ["o3", "LOCATED_IN", "p", ""],
            ["d", "PART_OF", "p", ""],  # placement: different levels, still not vertical
        ],
    )
    data = page_data(render_map(store.subgraph(), title="t"))
    by_type = {e["type"]: e["direction"] for e in data["edges"]}
    assert by_type == {
        "PARTNERS_WITH": "horizontal",
        "REPORTS_TO": "vertical",
        "LOCATED_IN": None,
        "OPERATES_IN": None,
        "PART_OF": None,
    }
    assert data["meta"]["directions"] == {"horizontal": 1, "vertical": 1, "placement": 4}
    shown = json.loads(cli("show", "o1", "--json"))
    directions = {r["type"]: r["direction"] for r in shown["relationships"]}
    assert directions == {
        "PARTNERS_WITH": "horizontal",
        "REPORTS_TO": "vertical",
        "LOCATED_IN": None,
    }


def tags_dataset(store: GraphStore, folder: Path) -> GraphStore:
    """p1 (fisher and farmer, one cell ``fisher|farmer``) mentors p2 (farmer) and p3
    (fisher); p4 (weaver) ties nobody."""
    return load(
        store,
        folder,
        {
            "people": [
                ["p1", "p1", "", "", "fisher|farmer", ""],
                ["p2", "p2", "", "", "farmer", ""],
                ["p3", "p3", "", "", "fisher", ""],
                ["p4", "p4", "", "", "weaver", ""],
            ]
        },
        [["p1", "MENTORS", "p2", ""], ["p1", "MENTORS", "p3", ""]],
    )


def test_a_tags_cell_holds_several_tags(store: GraphStore, tmp_path: Path) -> None:
    sub = tags_dataset(store, tmp_path / "d").subgraph()
    ids = sorted(sub.nodes)
    # one tag against the rest: p1 is a fisher and a farmer
    assert group_actors(sub.nodes, ids, "tags:fisher", sub).labels == [
        "fisher",
        "not fisher",
        "fisher",
        "not fisher",
    ]
    assert group_actors(sub.nodes, ids, "tags:farmer", sub).labels == [
        "farmer",
        "farmer",
        "not farmer",
        "not farmer",
    ]
    # never the one value "farmer|fisher": an actor with two tags cannot be in one group
    with pytest.raises(InvalidInput, match=r"p1: farmer, fisher.*tags:farmer"):
        group_actors(sub.nodes, ids, "tags", sub)
    one_each = [i for i in ids if i != "p1"]
    assert group_actors(sub.nodes, one_each, "tags", sub).labels == ["farmer", "fisher", "weaver"]


def test_gaps_by_one_tag(store: GraphStore, tmp_path: Path) -> None:
    tags_dataset(store, tmp_path / "d")
    doc = gaps(store, by="tags:fisher")
    blocks = {(b["from"], b["to"]): (b["ties"], b["possible"]) for b in doc["blocks"]}
    # fisher {p1, p3}, not fisher {p2, p4}: p1-p3 within, p1-p2 across
    assert blocks == {
        ("fisher", "fisher"): (1, 1),
        ("fisher", "not fisher"): (1, 4),
        ("not fisher", "not fisher"): (0, 1),
    }
    with pytest.raises(InvalidInput, match="tags:farmer"):
        gaps(store, by="tags")


def test_overlap_map_draws_a_funds_own_area(store: GraphStore, tmp_path: Path) -> None:
    load(
        store,
        tmp_path / "d",
        {
            "funds": [["f1", "f1", "", "", "", ""], ["f2", "f2", "", "", "", ""]],
            "areas": [area("prov", "provincial")],
        },
        [["f1", "OPERATES_IN", "prov", ""], ["f2", "LOCATED_IN", "prov", ""]],
    )
    data = page_data(overlap_map(store, by="area"))
    drawn = {(e["from"], e["type"], e["to"]) for e in data["edges"] if not e.get("ghost")}
    assert drawn == {("f1", "OPERATES_IN", "prov"), ("f2", "LOCATED_IN", "prov")}
    assert [{e["from"], e["to"]} for e in data["edges"] if e.get("ghost")] == [{"f1", "f2"}]


def test_http_serves_the_same_overlap(store: GraphStore, tmp_path: Path) -> None:
    coverage_dataset(store, tmp_path / "d")
    with TestClient(create_app(store=store)) as client:
        served = client.get("/api/overlap", params={"by": "area", "level": "district"}).json()
        assert (served["unfunded"], served["coverage"]) == (
            ["d2"],
            {"d1": "within", "d3": "containing"},
        )
        assert served == json.loads(json.dumps(overlap(store, by="area", level="district")))


def test_http_serves_the_same_gaps(store: GraphStore, tmp_path: Path) -> None:
    sector_dataset(store, tmp_path / "d")
    with TestClient(create_app(store=store)) as client:
        served = client.get("/api/gaps", params={"by": "sector"}).json()
    assert served["missing"] == []
    block = next(b for b in served["blocks"] if b["to"] == "state" and b["from"] != "state")
    assert block["ties_by_direction"] == {"horizontal": 0, "vertical": 0, "undecided": 3}
    assert served == json.loads(json.dumps(gaps(store, by="sector")))

"""Fragility and "what breaks if this broker leaves", on both stores (CONTRACT.md section 2b,
issue 12 wrong answers 5 and 6): hand-made graphs whose cut points, cut-off sets, bridges,
components and isolates are checked by hand, and random graphs checked against networkx."""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.brokerage import broker_impact
from graph_service.analysis.fragility import find_fragility, fragility, remove_node
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation, page_data, person
from viz.views import fragility_map


def tie(a: str, b: str, type_: str = "COORDINATES") -> Edge:
    return Edge(a, type_, b)


# -- a graph checked by hand -------------------------------------------------------------------


def two_triangles() -> tuple[list[Node], list[Edge]]:
    """Triangle a-b-c, path c-d-e, triangle e-f-g, pendant g-h; apart: x-y; z alone (tied
    only to an area, which is not an actor). Arcs point every which way: fragility reads
    them both ways.

    Cut points: d (cuts off a, b, c: 3 against e, f, g, h: 4), e (f, g, h: 3 against a, b,
    c, d: 4), c (a, b against d…h), g (h). Bridges c-d, d-e, g-h, x-y."""
    levels = {"a": "national", "b": "national", "c": "national", "d": "provincial"}
    levels |= {"e": "district", "f": "district", "g": "district", "h": "subdistrict"}
    nodes = [organisation(i, f"org {i}", admin_level=lv) for i, lv in levels.items()]
    nodes += [person("x"), person("y"), network("z", "เครือข่าย z")]
    nodes.append(Node("area-1", "Area", {"name": "พัทลุง"}))
    edges = [tie("a", "b"), tie("c", "b"), tie("a", "c", "PARTNERS_WITH"), tie("d", "c")]
    edges += [tie("d", "e"), tie("f", "e"), tie("f", "g"), tie("e", "g"), tie("h", "g")]
    edges += [tie("x", "y", "KNOWS"), tie("z", "area-1", "LOCATED_IN")]
    return nodes, edges


def test_fragility_of_a_graph_checked_by_hand(store: GraphStore) -> None:
    store.write(*two_triangles())
    doc = fragility(store)
    json.dumps(doc, allow_nan=False)
    assert (doc["group_by"], doc["actors"], doc["ties"]) == ("admin_level", 11, 10)
    assert doc["cut_points"] == [
        {"id": "d", "name": "org d", "cut_off": ["a", "b", "c"], "groups": ["national"]},
        {
            "id": "e",
            "name": "org e",
            "cut_off": ["f", "g", "h"],
            "groups": ["district", "subdistrict"],
        },
        {"id": "c", "name": "org c", "cut_off": ["a", "b"], "groups": ["national"]},
        {"id": "g", "name": "org g", "cut_off": ["h"], "groups": ["subdistrict"]},
    ]
    assert doc["bridges"] == [["c", "d"], ["d", "e"], ["g", "h"], ["x", "y"]]
    assert doc["components"] == [["a", "b", "c", "d", "e", "f", "g", "h"], ["x", "y"], ["z"]]
    assert doc["isolates"] == ["z"]
    by_kind = fragility(store, group_by="kind", types=["COORDINATES"])
    # without PARTNERS_WITH, a-c goes: a-b-c is a chain, b a cut point (cuts off a)
    assert [(c["id"], c["cut_off"]) for c in by_kind["cut_points"]] == [
        ("d", ["a", "b", "c"]),
        ("e", ["f", "g", "h"]),
        ("c", ["a", "b"]),
        ("b", ["a"]),
        ("g", ["h"]),
    ]
    assert by_kind["group_by"] == "kind"
    assert by_kind["cut_points"][0]["groups"] == ["Organisation"]
    assert by_kind["isolates"] == ["x", "y", "z"]  # KNOWS is not a COORDINATES tie


def test_ties_for_the_largest_part(store: GraphStore) -> None:
    """A star s with leaves l1, l2, l3: three parts of one; the part with the smallest id
    (l1) stays. A path p1-p2-p3-p4: p2 cuts off p1, p3 cuts off p4."""
    nodes = [person(i) for i in ["s", "l1", "l2", "l3", "p1", "p2", "p3", "p4"]]
    edges = [tie("s", "l1"), tie("l2", "s"), tie("s", "l3")]
    edges += [tie("p1", "p2", "KNOWS"), tie("p3", "p2", "KNOWS"), tie("p3", "p4", "KNOWS")]
    store.write(nodes, edges)
    doc = fragility(store)
    assert doc["group_by"] == "kind"  # no actor has an admin_level
    assert [(c["id"], c["cut_off"], c["groups"]) for c in doc["cut_points"]] == [
        ("s", ["l2", "l3"], ["Person"]),
        ("p2", ["p1"], ["Person"]),
        ("p3", ["p4"], ["Person"]),
    ]
    assert doc["components"] == [["l1", "l2", "l3", "s"], ["p1", "p2", "p3", "p4"]]
    assert doc["isolates"] == []


def test_no_actors(store: GraphStore) -> None:
    store.write([Node("area-1", "Area", {"name": "x"})], [])
    with pytest.raises(InvalidInput, match="no actors"):
        fragility(store)


# -- random graphs against networkx ---------------------------------------------------------


def nx_cut_off(g: nx.Graph, v: str) -> list[str]:
    """What removing v cuts off, by networkx: its component's parts without v, all but the
    largest (the one with the smallest id when parts tie)."""
    rest = g.subgraph(nx.node_connected_component(g, v) - {v})
    parts = sorted(nx.connected_components(rest), key=lambda p: (-len(p), min(p)))
    return sorted(i for part in parts[1:] for i in part)


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_match_networkx(store: GraphStore, seed: int) -> None:
    rnd = random.Random(seed)
    n = rnd.randint(8, 40)
    g = nx.gnm_random_graph(n, rnd.randint(n // 2, 2 * n), seed=seed)
    g = nx.relabel_nodes(g, {i: f"p{i:02d}" for i in g})
    types = ["KNOWS", "COORDINATES", "MEMBER_OF"]
    edges = [
        tie(*((a, b) if rnd.random() < 0.5 else (b, a)), rnd.choice(types)) for a, b in g.edges
    ]
    store.write([person(i) for i in g], edges)
    doc = fragility(store)
    assert sorted(c["id"] for c in doc["cut_points"]) == sorted(nx.articulation_points(g))
    assert doc["bridges"] == sorted(sorted(e) for e in nx.bridges(g))
    assert {c["id"]: c["cut_off"] for c in doc["cut_points"]} == {
        v: nx_cut_off(g, v) for v in nx.articulation_points(g)
    }
    assert sorted(map(sorted, nx.connected_components(g))) == sorted(doc["components"])
    assert doc["isolates"] == sorted(v for v in g if g.degree(v) == 0)


def arrays_of(g: nx.Graph, n: int) -> tuple[np.ndarray, np.ndarray]:
    ends = np.array(list(g.edges), dtype=np.int64).reshape(-1, 2)
    codes = np.unique(np.concatenate([ends[:, 0] * n + ends[:, 1], ends[:, 1] * n + ends[:, 0]]))
    return codes // n, codes % n


def test_the_search_matches_networkx_and_removal_on_many_graphs() -> None:
    """The search on arrays, 300 random graphs of every density: the cut points and bridges
    of networkx, and each cut-off set what removing the node and counting components gives
    (for every node: a node that is not a cut point cuts off nothing)."""
    for seed in range(300):
        rnd = random.Random(seed)
        n = rnd.randint(1, 30)
        g = nx.gnp_random_graph(n, rnd.choice([0.03, 0.08, 0.15, 0.3]), seed=seed)
        src, dst = arrays_of(g, n)
        found = find_fragility(n, src, dst)
        assert found.cut_points == sorted(nx.articulation_points(g)), seed
        assert found.bridges.tolist() == sorted(sorted(e) for e in nx.bridges(g)), seed
        for v in range(n):
            expected = remove_node(n, src, dst, v).cut_off.tolist()
            got = found.cut_off[v].tolist() if v in found.cut_off else []
            assert got == expected, (seed, v)


# -- wrong answer 5: a ministry that alone connects seven provincial offices ---------------


def ministry_graph() -> tuple[list[Node], list[Edge]]:
    """Seven provincial offices REPORT_TO the ministry, which the national committee
    COORDINATES; the committee works in a ring with three national bodies. Every arc
    points into the ministry, so no two-step route runs through it along the arcs, yet
    without it the seven offices have no chain to anyone."""
    offices = [f"org-po-{i}" for i in range(1, 8)]
    nodes = [organisation("org-ministry", "กระทรวง", admin_level="national")]
    nodes += [organisation(o, f"สำนักงานจังหวัด {o[-1]}", admin_level="provincial") for o in offices]
    ring = ["org-nhc", "org-a", "org-b", "org-c"]
    nodes += [organisation(r, r, admin_level="national") for r in ring]
    edges = [tie(o, "org-ministry", "REPORTS_TO") for o in offices]
    edges.append(tie("org-nhc", "org-ministry"))
    edges += [tie(a, b, "PARTNERS_WITH") for a, b in zip(ring, [*ring[1:], ring[0]], strict=True)]
    return nodes, edges


def test_a_ministry_that_alone_connects_seven_offices(store: GraphStore) -> None:
    store.write(*ministry_graph())
    offices = [f"org-po-{i}" for i in range(1, 8)]
    doc = broker_impact(store, "org-ministry")
    assert doc["cut_off"] == offices
    assert doc["cut_off_groups"] == ["provincial"]
    assert doc["disconnected_group_pairs"] == [{"from": "national", "to": "provincial"}]
    assert doc["components"] == {"before": 1, "after": 8}
    # ties both ways: its 8 neighbours (7 offices, the committee) are 56 ordered pairs, each
    # brokered by the ministry alone
    assert (doc["directed"], doc["brokered_pairs"], doc["lost_pairs"]) == (False, 56, 56)
    along = broker_impact(store, "org-ministry", undirected=False)
    assert (along["brokered_pairs"], along["lost_pairs"]) == (0, 0)
    assert along["cut_off"] == offices  # the disconnection never depends on arc direction
    cuts = {c["id"]: c for c in fragility(store)["cut_points"]}
    assert cuts["org-ministry"]["cut_off"] == offices
    assert cuts["org-ministry"]["groups"] == ["provincial"]
    assert cuts["org-nhc"]["cut_off"] == ["org-a", "org-b", "org-c"]
    assert set(cuts) == {"org-ministry", "org-nhc"}


# -- wrong answer 6: a coordinator whose arcs all point outward ---------------------------


def test_a_coordinator_whose_ties_all_point_outward(store: GraphStore) -> None:
    nodes = [person("person-coord", "ผู้ประสานงาน", sector="civil")]
    nodes += [organisation(f"org-{i}", sector="state") for i in (1, 2, 3)]
    nodes += [network("net-big", sector="civil"), person("p-a", sector="civil")]
    nodes.append(person("p-b", sector="civil"))
    edges = [tie("person-coord", f"org-{i}") for i in (1, 2, 3)]
    edges += [tie("person-coord", "net-big", "MEMBER_OF")]
    edges += [tie("p-a", "net-big", "MEMBER_OF"), tie("p-b", "net-big", "MEMBER_OF")]
    store.write(nodes, edges)
    doc = broker_impact(store, "person-coord", group_by="sector")
    # four neighbours, none tied to another: 4 × 3 ordered pairs, all lost
    assert (doc["brokered_pairs"], doc["lost_pairs"]) == (12, 12)
    assert doc["cut_off"] == ["org-1", "org-2", "org-3"]
    assert doc["cut_off_groups"] == ["state"]
    assert doc["disconnected_group_pairs"] == [{"from": "civil", "to": "state"}]
    assert {"from": "civil", "to": "state"} in doc["lost_group_pairs"]


# -- the command line and the API ------------------------------------------------------------


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*ministry_graph())
    expected = fragility(store)
    impact = broker_impact(store, "org-ministry")
    with TestClient(create_app(store=store)) as client:
        page = client.get("/map/fragility?group_by=kind")
        assert page.status_code == 200 and "org-ministry" in page.text
        assert client.get("/map/fragility?group_by=colour").status_code == 422
        got = client.get("/api/fragility")
        assert got.status_code == 200 and got.json() == expected
        by_kind = client.get("/api/fragility?group_by=kind&types=REPORTS_TO")
        assert by_kind.json() == fragility(store, "kind", ["REPORTS_TO"])
        assert client.get("/api/brokerage/org-ministry/impact").json() == impact
        bad = client.get("/api/fragility?group_by=colour")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    store.close()
    runner = CliRunner()
    done = runner.invoke(main, ["--store", str(db), "fragility", "--json"])
    assert done.exit_code == 0 and json.loads(done.output) == expected
    text = runner.invoke(main, ["--store", str(db), "fragility"]).output
    assert "ถ้า กระทรวง [org-ministry] ออกไป จะมี 7 รายขาดการเชื่อมต่อ" in text
    assert "If กระทรวง [org-ministry] leaves, 7 actor(s) are cut off" in text
    assert "(groups: provincial): org-po-1, org-po-2," in text
    without = runner.invoke(main, ["--store", str(db), "brokerage", "--without", "org-ministry"])
    assert without.exit_code == 0
    assert "If กระทรวง [org-ministry] leaves, 7 actor(s) are cut off" in without.output
    assert "national - provincial" in without.output
    assert "56 of the 56 pairs it brokers" in without.output
    along = runner.invoke(
        main, ["--store", str(db), "brokerage", "--without", "org-ministry", "--directed"]
    )
    assert "along arcs): 0 of the 0 pairs" in along.output


def test_the_map_outlines_cut_points_and_colours_what_they_cut_off(store: GraphStore) -> None:
    store.write(*ministry_graph())
    drawn = {n["id"]: n for n in page_data(fragility_map(store))["nodes"]}
    assert len(drawn) == 12
    outlined = {i for i, n in drawn.items() if n.get("highlighted")}
    assert outlined == {"org-ministry", "org-nhc"}
    assert (drawn["org-ministry"]["measure"], drawn["org-nhc"]["measure"]) == (7, 3)
    assert drawn["org-ministry"]["size"] > drawn["org-nhc"]["size"] >= drawn["org-a"]["size"]
    colour = {i: n["colour_value"] for i, n in drawn.items()}
    # coloured by the name of the cut point that cuts them off (org-nhc has no name: its id)
    assert {colour[f"org-po-{i}"] for i in range(1, 8)} == {"กระทรวง"}
    assert {colour[i] for i in ["org-a", "org-b", "org-c"]} == {"org-nhc"}
    assert colour["org-ministry"] is None and colour["org-nhc"] is None

"""Structure on both stores (CONTRACT.md section 2b, issue 12, questions S4, S27, S28): the
tie profile, Freeman degree centralisation, the layers below a funder and Leiden clusters,
on small hand-made graphs whose answers are worked out by hand (or, for modularity, by
networkx on the same partition)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.structure import clusters, profile, structure
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation, person


def tie(a: str, b: str, type_: str = "COORDINATES", **props: object) -> Edge:
    return Edge(a, type_, b, dict(props))


# -- tie profile -------------------------------------------------------------------------------


def profile_graph() -> tuple[list[Node], list[Edge]]:
    """a, b district; m, q, r national; s provincial; u without admin_level; z alone.

    a-b horizontal; a→m and s→m vertical (levels differ); u-a other (u has no level);
    q-r stated vertical though both are national; b PART_OF m and b LOCATED_IN an area:
    placement, not counted. By hand: a h1 v1 o1 (on neither list), b h1 (only horizontal),
    m v2, s v1, q v1, r v1 (only vertical), u o1, z none."""
    levels = {"a": "district", "b": "district", "m": "national", "q": "national"}
    levels |= {"r": "national", "s": "provincial"}
    nodes = [organisation(i, f"org {i}", admin_level=lv) for i, lv in levels.items()]
    nodes += [person("u", "ชาวบ้าน"), network("z", "เครือข่าย z")]
    nodes.append(Node("area-1", "Area", {"name": "พัทลุง", "admin_level": "province"}))
    edges = [tie("a", "b", "PARTNERS_WITH"), tie("a", "m"), tie("s", "m"), tie("u", "a", "KNOWS")]
    edges += [tie("q", "r", "PARTNERS_WITH", direction="vertical")]
    edges += [tie("b", "m", "PART_OF"), tie("b", "area-1", "LOCATED_IN")]
    return nodes, edges


def test_profile_checked_by_hand(store: GraphStore) -> None:
    store.write(*profile_graph())
    doc = profile(store)
    json.dumps(doc, allow_nan=False)
    counts = {r["id"]: (r["horizontal"], r["vertical"], r["other"]) for r in doc["actors"]}
    assert counts == {
        "a": (1, 1, 1),
        "b": (1, 0, 0),
        "m": (0, 2, 0),
        "q": (0, 1, 0),
        "r": (0, 1, 0),
        "s": (0, 1, 0),
        "u": (0, 0, 1),
        "z": (0, 0, 0),
    }
    assert doc["only_vertical"] == ["m", "q", "r", "s"]
    assert doc["only_horizontal"] == ["b"]
    assert doc["actors"][0] == {
        "id": "a",
        "name": "org a",
        "horizontal": 1,
        "vertical": 1,
        "other": 1,
    }
    silos = profile(store, only="vertical")
    assert [r["id"] for r in silos["actors"]] == ["m", "q", "r", "s"]
    assert silos["only_horizontal"] == ["b"]
    assert [r["id"] for r in profile(store, only="horizontal")["actors"]] == ["b"]
    grouped = profile(store, group_by="admin_level")
    assert {r["id"]: r["group"] for r in grouped["actors"]}["u"] is None
    assert grouped["groups"] == [
        {
            "group": "district",
            "actors": 2,
            "horizontal": 2,
            "vertical": 1,
            "other": 1,
            "only_vertical": 0,
            "only_horizontal": 1,
        },
        {
            "group": "national",
            "actors": 3,
            "horizontal": 0,
            "vertical": 4,
            "other": 0,
            "only_vertical": 3,
            "only_horizontal": 0,
        },
        {
            "group": "provincial",
            "actors": 1,
            "horizontal": 0,
            "vertical": 1,
            "other": 0,
            "only_vertical": 1,
            "only_horizontal": 0,
        },
        {
            "group": None,
            "actors": 2,
            "horizontal": 0,
            "vertical": 0,
            "other": 1,
            "only_vertical": 0,
            "only_horizontal": 0,
        },
    ]
    with pytest.raises(InvalidInput):
        profile(store, only="diagonal")


# -- centralisation and layers -----------------------------------------------------------------


def actors_tied(pairs: list[tuple[str, str]], level: str = "district") -> tuple[list, list]:
    ids = sorted({i for p in pairs for i in p})
    return [organisation(i, f"org {i}", admin_level=level) for i in ids], [
        tie(a, b) for a, b in pairs
    ]


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # a star of four: centre degree 3, leaves 1: (2+2+2) / (3·2) = 1
        ([("c", "l1"), ("l2", "c"), ("c", "l3")], 1.0),
        # a cycle of five: every degree 2
        ([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "a")], 0.0),
        # a path of four: degrees 1, 2, 2, 1: (1+0+0+1) / (3·2) = 1/3
        ([("a", "b"), ("c", "b"), ("c", "d")], 0.3333333333),
        # a triangle with a pendant: degrees 2, 2, 3, 1: (1+1+0+2) / 6 = 2/3
        ([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")], 0.6666666667),
    ],
)
def test_degree_centralisation_by_hand(
    store: GraphStore, pairs: list[tuple[str, str]], expected: float
) -> None:
    store.write(*actors_tied(pairs))
    doc = structure(store)
    graph = nx.Graph(pairs)
    degrees = [d for _, d in graph.degree()]
    n, top = len(degrees), max(degrees)
    assert sum(top - d for d in degrees) / ((n - 1) * (n - 2)) == pytest.approx(expected)
    assert doc == {
        "actors": graph.number_of_nodes(),
        "ties": graph.number_of_edges(),
        "degree_centralisation": expected,
        "from": None,
        "layers": None,
    }


def test_a_tie_both_ways_counts_once_and_two_actors_have_no_centralisation(
    store: GraphStore,
) -> None:
    nodes, edges = actors_tied([("a", "b")])
    store.write(nodes, [*edges, tie("b", "a", "KNOWS")])
    doc = structure(store)
    assert (doc["actors"], doc["ties"], doc["degree_centralisation"]) == (2, 1, None)


def layered_graph() -> tuple[list[Node], list[Edge]]:
    """fund-1 FUNDS o1, o2 (depth 1); o1 and o2 COORDINATES n1 (depth 2, reached once);
    n1 COORDINATES p1 (depth 3); o1 LOCATED_IN an area (placement: not followed); x FUNDS
    fund-1 (upstream: not reached)."""
    nodes = [Node("fund-1", "Fund", {"name": "กองทุน"}), organisation("o1"), organisation("o2")]
    nodes += [network("n1"), person("p1"), organisation("x"), Node("area-1", "Area", {})]
    edges = [tie("fund-1", "o1", "FUNDS"), tie("fund-1", "o2", "FUNDS"), tie("o1", "n1")]
    edges += [tie("o2", "n1"), tie("n1", "p1"), tie("o1", "area-1", "LOCATED_IN")]
    edges += [tie("x", "fund-1", "FUNDS")]
    return nodes, edges


def test_layers_below_a_funder_by_hand(store: GraphStore) -> None:
    store.write(*layered_graph())
    doc = structure(store, "fund-1")
    assert doc["from"] == "fund-1"
    assert doc["layers"] == [
        {"depth": 1, "count": 2, "by_kind": {"Organisation": 2}},
        {"depth": 2, "count": 1, "by_kind": {"Network": 1}},
        {"depth": 3, "count": 1, "by_kind": {"Person": 1}},
    ]
    # actors o1, o2, n1, p1, x; ties o1-n1, o2-n1, n1-p1 (FUNDS from a Fund is no actor tie)
    # degrees 1, 1, 3, 1, 0: (2+2+0+2+3) / (4·3) = 0.75
    assert (doc["actors"], doc["ties"], doc["degree_centralisation"]) == (5, 3, 0.75)
    assert structure(store, "p1")["layers"] == []
    with pytest.raises(NotFound):
        structure(store, "fund-9")


# -- clusters ----------------------------------------------------------------------------------


def two_cliques() -> tuple[list[Node], list[Edge]]:
    """Cliques {a1..a4} and {b1..b4}, joined by the one tie a1-b1."""
    a = [f"a{i}" for i in range(1, 5)]
    b = [f"b{i}" for i in range(1, 5)]
    pairs = [(x, y) for group in (a, b) for i, x in enumerate(group) for y in group[i + 1 :]]
    return actors_tied([*pairs, ("a1", "b1")])


def test_two_cliques_are_found_exactly(store: GraphStore) -> None:
    store.write(*two_cliques())
    doc = clusters(store, seed=1)
    assert doc["clusters"] == [
        {"id": 1, "size": 4, "members": ["a1", "a2", "a3", "a4"]},
        {"id": 2, "size": 4, "members": ["b1", "b2", "b3", "b4"]},
    ]
    assert (doc["seed"], doc["actors"], doc["ties"]) == (1, 8, 13)
    graph = nx.Graph([(e.source, e.target) for e in two_cliques()[1]])
    parts = [{"a1", "a2", "a3", "a4"}, {"b1", "b2", "b3", "b4"}]
    expected = nx.algorithms.community.modularity(graph, parts)
    # by hand: m = 13; each part has 6 ties inside and degree sum 13:
    # 2 · (6/13 − (13/26)²) = 12/13 − 1/2 = 11/26
    assert expected == pytest.approx(11 / 26)
    assert doc["modularity"] == pytest.approx(expected, abs=1e-10)
    assert clusters(store, seed=7)["clusters"] == doc["clusters"]


def test_no_ties_no_modularity_and_no_actors_is_refused(store: GraphStore) -> None:
    with pytest.raises(InvalidInput):
        clusters(store)
    with pytest.raises(InvalidInput):
        structure(store)
    with pytest.raises(InvalidInput):
        profile(store)
    store.write([person("p"), person("q")], [])
    doc = clusters(store)
    assert doc["modularity"] is None
    assert doc["clusters"] == [
        {"id": 1, "size": 1, "members": ["p"]},
        {"id": 2, "size": 1, "members": ["q"]},
    ]


# -- the command line and the API ----------------------------------------------------------------


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    nodes, edges = profile_graph()
    more_nodes, more_edges = layered_graph()
    store.write(nodes + more_nodes, edges + more_edges)
    expected = {
        "profile": profile(store),
        "silos": profile(store, "admin_level", "vertical"),
        "structure": structure(store, "fund-1"),
        "clusters": clusters(store, 3),
    }
    with TestClient(create_app(store=store)) as client:
        assert client.get("/api/profile").json() == expected["profile"]
        got = client.get("/api/profile?group_by=admin_level&only=vertical")
        assert got.json() == expected["silos"]
        assert client.get("/api/structure?from=fund-1").json() == expected["structure"]
        assert client.get("/api/clusters?seed=3").json() == expected["clusters"]
        bad = client.get("/api/profile?only=diagonal")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
        missing = client.get("/api/structure?from=fund-9")
        assert missing.status_code == 404
    store.close()
    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(main, ["--store", str(db), *args])
        assert done.exit_code == 0, done.output
        return done.output

    assert json.loads(run("profile", "--json")) == expected["profile"]
    silos = run("profile", "--group-by", "admin_level", "--only", "vertical", "--json")
    assert json.loads(silos) == expected["silos"]
    assert json.loads(run("structure", "--from", "fund-1", "--json")) == expected["structure"]
    assert json.loads(run("clusters", "--seed", "3", "--json")) == expected["clusters"]
    assert "4 actor(s) have only vertical ties (silos) and 1 only horizontal" in run("profile")
    text = run("structure", "--from", "fund-1")
    assert "3 layer(s) below fund-1" in text and "Degree centralisation" in text
    assert "modularity" in run("clusters")
    assert runner.invoke(main, ["--store", str(db), "structure", "--from", "x9"]).exit_code == 1

"""Chains, missing links, filters and the fixed reach (issue 12; CONTRACT.md section 2b), on
both stores: hand-made graphs whose answers are checked by hand, and random graphs checked
against networkx (``all_shortest_paths``) and a per-source breadth-first search."""

from __future__ import annotations

import json
import random
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graph_service.analysis.filters import find
from graph_service.analysis.paths import MAX_PATHS, path, unlinked
from graph_service.analysis.reach import reach
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from tests.factories import network, organisation, person


def area(id: str, level: str, **props: object) -> Node:
    return Node(id, "Area", {"name": id, "admin_level": level, **props})  # type: ignore[dict-item]


def ids(doc: dict) -> list[str]:
    return [e["id"] for e in doc["entities"]]


# -- path ------------------------------------------------------------------------------------


def diamond(store: GraphStore) -> None:
    """a - b - d, a - c - d (two chains of 2), d - e; f alone; x an area between a and e."""
    store.write(
        [person(i) for i in "abcdef"] + [area("x", "district")],
        [
            Edge("a", "KNOWS", "b"),
            Edge("c", "KNOWS", "a"),  # read both ways
            Edge("b", "KNOWS", "d"),
            Edge("d", "HELPS", "c"),
            Edge("d", "KNOWS", "e"),
            Edge("a", "LOCATED_IN", "x"),
            Edge("e", "LOCATED_IN", "x"),
        ],
    )


def test_path_lists_every_shortest_chain_in_id_order(store: GraphStore) -> None:
    diamond(store)
    doc = path(store, "a", "d")
    assert (doc["from"], doc["to"], doc["length"]) == ("a", "d", 2)
    assert doc["paths"] == [["a", "b", "d"], ["a", "c", "d"]]
    assert (doc["count"], doc["truncated"]) == (2, False)
    assert path(store, "a", "e")["paths"] == [["a", "x", "e"]]


def test_a_chain_on_neo4j_is_one_statement_in_the_database(
    neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    diamond(neo4j_store)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a chain between two entities must be searched in the database")

    monkeypatch.setattr(neo4j_store, "graph_arrays", refuse)
    monkeypatch.setattr(neo4j_store, "subgraph", refuse)
    assert path(neo4j_store, "a", "d")["paths"] == [["a", "b", "d"], ["a", "c", "d"]]
    assert path(neo4j_store, "a", "e", actors_only=True)["count"] == 2


def test_path_actors_only_and_types(store: GraphStore) -> None:
    diamond(store)
    doc = path(store, "a", "e", actors_only=True)
    assert doc["paths"] == [["a", "b", "d", "e"], ["a", "c", "d", "e"]]
    doc = path(store, "a", "e", types=["KNOWS"])
    assert doc["paths"] == [["a", "b", "d", "e"]]
    with pytest.raises(InvalidInput, match="not an actor"):
        path(store, "a", "x", actors_only=True)


def test_path_without_a_chain(store: GraphStore) -> None:
    diamond(store)
    doc = path(store, "a", "f")
    assert (doc["length"], doc["paths"], doc["truncated"], doc["count"]) == (None, [], False, 0)
    assert path(store, "a", "a")["paths"] == [["a"]]
    with pytest.raises(NotFound):
        path(store, "a", "nobody")


def test_path_keeps_twenty_chains_unless_all(store: GraphStore) -> None:
    """s - m0..m4 - n0..n4 - t, every m to every n: 25 shortest chains of 3 steps."""
    nodes = [person("s"), person("t")] + [person(f"m{i}") for i in range(5)]
    nodes += [person(f"n{i}") for i in range(5)]
    edges = [Edge("s", "KNOWS", f"m{i}") for i in range(5)]
    edges += [Edge(f"m{i}", "KNOWS", f"n{j}") for i in range(5) for j in range(5)]
    edges += [Edge(f"n{j}", "KNOWS", "t") for j in range(5)]
    store.write(nodes, edges)
    doc = path(store, "s", "t")
    assert (doc["length"], doc["count"], doc["truncated"]) == (3, 25, True)
    assert len(doc["paths"]) == MAX_PATHS
    assert doc["paths"][:2] == [["s", "m0", "n0", "t"], ["s", "m0", "n1", "t"]]
    every = path(store, "s", "t", all_paths=True)
    assert (len(every["paths"]), every["truncated"]) == (25, False)
    assert every["paths"] == sorted(
        [["s", f"m{i}", f"n{j}", "t"] for i in range(5) for j in range(5)]
    )


def test_path_upward_goes_only_up_the_levels(store: GraphStore) -> None:
    """A field site (subdistrict) to the ministry (national): the short way passes a village
    group (down a level), so upward takes the long way up; a person without admin_level
    cannot be on an upward chain."""
    store.write(
        [
            organisation("site", admin_level="subdistrict"),
            organisation("vg", admin_level="village"),
            organisation("dist", admin_level="district"),
            organisation("prov", admin_level="provincial"),
            organisation("prov2", admin_level="provincial"),
            organisation("min", admin_level="national"),
            person("p"),
        ],
        [
            Edge("site", "PARTNERS_WITH", "vg"),
            Edge("vg", "REPORTS_TO", "min"),
            Edge("site", "REPORTS_TO", "dist"),
            Edge("dist", "REPORTS_TO", "prov"),
            Edge("prov", "PARTNERS_WITH", "prov2"),
            Edge("prov2", "REPORTS_TO", "min"),
            Edge("site", "KNOWS", "p"),
            Edge("p", "KNOWS", "min"),
        ],
    )
    assert path(store, "site", "min")["paths"] == [["site", "p", "min"], ["site", "vg", "min"]]
    up = path(store, "site", "min", upward=True)
    assert up["paths"] == [["site", "dist", "prov", "prov2", "min"]]
    assert up["length"] == 4
    assert path(store, "min", "site", upward=True)["paths"] == []  # down is not up


def test_path_to_the_nearest_match(store: GraphStore) -> None:
    store.write(
        [
            person("p"),
            organisation("o1", sector="state"),
            organisation("u2", sector="academic"),
            organisation("u1", sector="Academic"),
            organisation("u3", sector="academic"),
        ],
        [
            Edge("p", "MEMBER_OF", "o1"),
            Edge("o1", "PARTNERS_WITH", "u2"),
            Edge("u1", "PARTNERS_WITH", "o1"),
            Edge("u2", "PARTNERS_WITH", "u3"),
        ],
    )
    doc = path(store, "p", to_where=["sector=academic"])
    assert (doc["to"], doc["nearest"], doc["length"]) == ("u1", ["u1", "u2"], 2)
    assert doc["paths"] == [["p", "o1", "u1"]]
    none = path(store, "p", to_where=["sector=private"])
    assert (none["to"], none["length"], none["paths"]) == (None, None, [])


@pytest.mark.parametrize("seed", range(4))
def test_path_all_matches_networkx_on_random_graphs(store: GraphStore, seed: int) -> None:
    rng = random.Random(seed)
    n = 40
    nodes = [person(f"p{i:02d}") for i in range(n)]
    pairs = {tuple(sorted(rng.sample(range(n), 2))) for _ in range(70)}
    store.write(nodes, [Edge(f"p{a:02d}", "KNOWS", f"p{b:02d}") for a, b in sorted(pairs)])
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in nodes)
    graph.add_edges_from((f"p{a:02d}", f"p{b:02d}") for a, b in pairs)
    for _ in range(6):
        s, t = (f"p{i:02d}" for i in rng.sample(range(n), 2))
        doc = path(store, s, t, all_paths=True)
        try:
            expected = sorted(nx.all_shortest_paths(graph, s, t))
        except nx.NetworkXNoPath:
            expected = []
        assert doc["paths"] == expected, (s, t)
        assert doc["count"] == len(expected)
        assert doc["length"] == (len(expected[0]) - 1 if expected else None)


# -- unlinked --------------------------------------------------------------------------------


def test_unlinked_provincial_networks_without_a_national_tie(store: GraphStore) -> None:
    store.write(
        [
            network("n1", admin_level="provincial"),
            network("n2", admin_level="provincial"),
            network("n3", admin_level="provincial"),
            organisation("m1", admin_level="national"),
            organisation("m2", admin_level="national"),
            person("x"),
        ],
        [
            Edge("n1", "REPORTS_TO", "m1"),
            Edge("m2", "SUPPORTS", "n1"),
            Edge("n2", "MEMBER_OF", "x"),
            Edge("x", "MEMBER_OF", "m2"),
        ],
    )
    doc = unlinked(store, ["kind=Network", "admin_level=provincial"], ["admin_level=national"])
    assert doc["depth"] == 1
    assert doc["unlinked"] == ["n2", "n3"]
    assert doc["linked"] == [{"id": "n1", "reaches": ["m1", "m2"]}]
    two = unlinked(store, "admin_level=provincial", "admin_level=national", depth=2)
    assert two["unlinked"] == ["n3"]
    assert two["linked"] == [
        {"id": "n1", "reaches": ["m1", "m2"]},
        {"id": "n2", "reaches": ["m2"]},
    ]
    typed = unlinked(store, "admin_level=provincial", "admin_level=national", 2, ["REPORTS_TO"])
    assert typed["linked"] == [{"id": "n1", "reaches": ["m1"]}]
    counted = unlinked(store, "kind=Network,Person", "admin_level=national", breakdown="kind")
    assert counted["unlinked"] == ["n2", "n3"]  # x reaches m2 in one step
    assert counted["breakdown"] == {"Network": 2}


def test_an_entity_is_not_its_own_target(store: GraphStore) -> None:
    store.write(
        [person("a", tags=["x"]), person("b", tags=["x"]), person("c", tags=["x"])],
        [Edge("a", "KNOWS", "b")],
    )
    doc = unlinked(store, "tag=x", "tag=x")
    assert doc["unlinked"] == ["c"]
    assert doc["linked"] == [{"id": "a", "reaches": ["b"]}, {"id": "b", "reaches": ["a"]}]


@pytest.mark.parametrize("seed", range(3))
def test_unlinked_matches_a_per_source_search(store: GraphStore, seed: int) -> None:
    rng = random.Random(100 + seed)
    n = 60
    nodes = [
        person(f"p{i:02d}", role=rng.choice(["leader", "member"]), team=rng.choice("AB"))
        for i in range(n)
    ]
    pairs = {tuple(sorted(rng.sample(range(n), 2))) for _ in range(60)}
    store.write(nodes, [Edge(f"p{a:02d}", "KNOWS", f"p{b:02d}") for a, b in sorted(pairs)])
    graph = nx.Graph()
    graph.add_nodes_from(x.id for x in nodes)
    graph.add_edges_from((f"p{a:02d}", f"p{b:02d}") for a, b in pairs)
    sources = [x.id for x in nodes if x.props["role"] == "leader"]
    targets = {x.id for x in nodes if x.props["team"] == "A"}
    for depth in (1, 2, 3):
        doc = unlinked(store, "role=leader", "team=A", depth)
        expected_linked, expected_unlinked = [], []
        for s in sources:
            ball = nx.single_source_shortest_path_length(graph, s, cutoff=depth)
            found = sorted(t for t in ball if t in targets and t != s)
            if found:
                expected_linked.append({"id": s, "reaches": found})
            else:
                expected_unlinked.append(s)
        assert doc["unlinked"] == expected_unlinked
        assert doc["linked"] == expected_linked


# -- filters ---------------------------------------------------------------------------------


def geography(store: GraphStore) -> None:
    """Province P > districts D1, D2 > subdistricts S1 (in D1), S2 (in D2); o1 LOCATED_IN S1,
    o2 OPERATES_IN D2, p1 LOCATED_IN P, p2 nowhere."""
    store.write(
        [
            area("P", "provincial"),
            area("D1", "district"),
            area("D2", "district"),
            area("S1", "subdistrict"),
            area("S2", "subdistrict"),
            organisation("o1", sector="academic", tags=["health", "ชุมชน"], year=2008),
            organisation("o2", sector="local_government", tags=["health"]),
            person("p1", tags=["elderly"]),
            person("p2"),
            network("n1", admin_level="provincial"),
        ],
        [
            Edge("D1", "PART_OF", "P"),
            Edge("D2", "PART_OF", "P"),
            Edge("S1", "PART_OF", "D1"),
            Edge("S2", "PART_OF", "D2"),
            Edge("o1", "LOCATED_IN", "S1"),
            Edge("o2", "OPERATES_IN", "D2"),
            Edge("p1", "LOCATED_IN", "P"),
            Edge("o1", "MEMBER_OF", "n1"),
        ],
    )


def test_find_within_an_area_transitively(store: GraphStore) -> None:
    geography(store)
    assert ids(find(store, ["within=P"])) == ["D1", "D2", "P", "S1", "S2", "o1", "o2", "p1"]
    assert ids(find(store, ["within=D1"])) == ["D1", "S1", "o1"]
    assert ids(find(store, ["within=D2", "kind=Organisation"])) == ["o2"]
    assert ids(find(store, ["within=S1,S2"])) == ["S1", "S2", "o1"]
    with pytest.raises(NotFound):
        find(store, ["within=nowhere"])
    with pytest.raises(InvalidInput, match="not an Area"):
        find(store, ["within=o1"])


def test_find_by_tag_kind_level_and_property(store: GraphStore) -> None:
    geography(store)
    doc = find(store, ["tag=health"])
    assert (doc["count"], ids(doc)) == (2, ["o1", "o2"])
    assert doc["entities"][0] == {"id": "o1", "kind": "Organisation", "name": "o1"}
    assert ids(find(store, ["tag=ชุมชน"])) == ["o1"]
    assert ids(find(store, ["kind=person,network"])) == ["n1", "p1", "p2"]
    assert ids(find(store, ["level=node,network"])) == ["n1", "o1", "o2"]
    assert ids(find(store, "sector=Local government")) == ["o2"]  # as the importer reads it
    assert ids(find(store, ["sector=academic,local_government", "tag=health"])) == ["o1", "o2"]
    assert ids(find(store, ["admin_level=Provincial"])) == ["P", "n1"]
    assert ids(find(store, ["year=2551"])) == ["o1"]  # a Buddhist Era year, as imported
    assert find(store, ["sector=private"])["count"] == 0


@pytest.mark.parametrize(
    ("term", "named"),
    [
        ("kind", "no '='"),
        ("=x", "attribute"),
        ("kind=", "no value"),
        ("kind=Dog", "unknown kind"),
        ("level=ministry", "unknown INN level"),
        ("readiness=9", "readiness"),
        ("tag=a,,b", "empty"),
    ],
)
def test_a_malformed_term_is_named(store: GraphStore, term: str, named: str) -> None:
    with pytest.raises(InvalidInput, match=named) as caught:
        find(store, [term])
    assert caught.value.details == {"term": term}


# -- reach: direction, containment, where, breakdown (wrong answer 7) ------------------------


def district_of_fourteen(store: GraphStore) -> None:
    """District D in province P with 14 subdistricts S00..S13; person x LOCATED_IN S00, y
    LOCATED_IN S00 too, z LOCATED_IN S05; org o (x MEMBER_OF o) LOCATED_IN S01."""
    subs = [area(f"S{i:02d}", "subdistrict") for i in range(14)]
    store.write(
        [
            area("P", "provincial"),
            area("D", "district"),
            *subs,
            person("x"),
            person("y"),
            person("z"),
            organisation("o"),
        ],
        [Edge("D", "PART_OF", "P")]
        + [Edge(s.id, "PART_OF", "D") for s in subs]
        + [
            Edge("x", "LOCATED_IN", "S00"),
            Edge("y", "LOCATED_IN", "S00"),
            Edge("z", "LOCATED_IN", "S05"),
            Edge("x", "MEMBER_OF", "o"),
            Edge("o", "LOCATED_IN", "S01"),
        ],
    )


def test_reach_never_counts_sibling_areas(store: GraphStore) -> None:
    district_of_fourteen(store)
    doc = reach(store, "x", 3)
    got = {r["id"]: r["distance"] for r in doc["nodes"]}
    # x's own subdistrict, the one its organisation is in, and those containing them: not
    # the 12 other subdistricts, nor y (placed in the same subdistrict, not tied to x)
    assert got == {"S00": 1, "o": 1, "D": 2, "S01": 2, "P": 3}
    assert doc["reach"] == 5
    assert doc["direction"] == "both"


def test_reach_from_an_area_goes_down_into_it(store: GraphStore) -> None:
    district_of_fourteen(store)
    doc = reach(store, "D", 2)
    got = {r["id"] for r in doc["nodes"]}
    assert got == {"P", *(f"S{i:02d}" for i in range(14)), "x", "y", "z", "o"}


def test_money_traced_out_of_a_fund_never_reaches_its_funder(store: GraphStore) -> None:
    store.write(
        [
            organisation("funder"),
            Node("fund", "Fund", {"name": "fund"}),
            organisation("r1"),
            network("r2"),
            person("p"),
        ],
        [
            Edge("funder", "PROVIDES", "fund"),
            Edge("fund", "FUNDS", "r1"),
            Edge("fund", "FUNDS", "r2"),
            Edge("p", "MEMBER_OF", "r2"),
        ],
    )
    out = reach(store, "fund", 3, direction="out")
    assert [r["id"] for r in out["nodes"]] == ["r1", "r2"]
    into = reach(store, "fund", 3, direction="in")
    assert [r["id"] for r in into["nodes"]] == ["funder"]
    both = reach(store, "fund", 2)
    assert [r["id"] for r in both["nodes"]] == ["funder", "r1", "r2", "p"]
    with pytest.raises(InvalidInput, match="direction"):
        reach(store, "fund", 2, direction="up")


def test_reach_where_and_breakdown(store: GraphStore) -> None:
    geography(store)
    doc = reach(store, "o1", 2, where=["kind=Area,Network"], breakdown="admin_level")
    assert [r["id"] for r in doc["nodes"]] == ["S1", "n1", "D1"]
    assert doc["reach"] == 3
    assert doc["breakdown"] == {"district": 1, "provincial": 1, "subdistrict": 1}
    by_tags = reach(store, "D2", 2, breakdown="tags")
    assert [r["id"] for r in by_tags["nodes"]] == ["P", "S2", "o2"]  # D1 is a sibling
    assert by_tags["breakdown"] == {"null": 2, "health": 1}


# -- the command line and the HTTP API --------------------------------------------------------


def test_the_verbs_on_the_command_line(tmp_path: Path) -> None:
    from graph_service.store.embedded import EmbeddedStore

    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    diamond(store)
    store.close()
    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(main, ["--store", str(db), *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    assert run("path", "a", "d")["paths"] == [["a", "b", "d"], ["a", "c", "d"]]
    assert run("path", "a", "f")["length"] is None
    assert run("find", "--where", "kind=Area")["entities"] == [
        {"id": "x", "kind": "Area", "name": "x"}
    ]
    doc = run("unlinked", "--from", "kind=Person", "--to", "id=e")
    assert doc["unlinked"] == ["a", "b", "c", "e", "f"]  # e is not its own target
    assert doc["linked"] == [{"id": "d", "reaches": ["e"]}]
    # out of a: b and x (1 step), d (2); not c (c -> a points in)
    assert run("reach", "a", "--direction", "out", "--breakdown", "kind")["breakdown"] == {
        "Person": 2,
        "Area": 1,
    }
    text = runner.invoke(main, ["--store", str(db), "path", "a", "d"])
    assert "the shortest chain from a [a] to d [d] takes 2 step(s); 2 such chain(s)" in text.output
    bad = runner.invoke(main, ["--store", str(db), "find", "--where", "kind"])
    assert bad.exit_code == 1 and "filter term 'kind'" in bad.output


def test_the_verbs_over_http(store: GraphStore) -> None:
    from fastapi.testclient import TestClient

    from graph_service.app import create_app

    diamond(store)
    with TestClient(create_app(store=store)) as client:
        got = client.get("/api/path", params={"from": "a", "to": "d"}).json()
        assert got["paths"] == [["a", "b", "d"], ["a", "c", "d"]]
        got = client.get("/api/find", params={"where": ["kind=Person", "id=a,f"]}).json()
        assert got == {
            "where": ["kind=Person", "id=a,f"],
            "count": 2,
            "entities": [
                {"id": "a", "kind": "Person", "name": "a"},
                {"id": "f", "kind": "Person", "name": "f"},
            ],
        }
        got = client.get("/api/unlinked", params={"from": "id=a,f", "to": "id=d", "depth": 2})
        assert got.json()["unlinked"] == ["f"]
        got = client.get("/api/reach/d", params={"direction": "out", "where": "kind=Person"})
        # d -> c, d -> e (1 step), c -> a (2); not b (b -> d points in)
        assert [r["id"] for r in got.json()["nodes"]] == ["c", "e", "a"]
        bad = client.get("/api/find", params={"where": "sector"})
        assert bad.status_code == 422
        assert bad.json()["error"]["details"] == {"term": "sector"}

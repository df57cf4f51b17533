"""The GraphStore contract, run unchanged against the embedded store and a real Neo4j."""

from __future__ import annotations

import pytest

from graph_service.domain import Edge, Node, normalise_name
from graph_service.store import neighbourhood
from graph_service.store.base import GraphStore
from tests.factories import chain_graph, organisation, person


def test_empty_store_has_version_zero_and_no_counts(store: GraphStore) -> None:
    stats = store.stats()
    assert stats.nodes == {}
    assert stats.relationships == {}
    assert store.get_nodes(["p1"]) == {}


def test_upsert_is_idempotent(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    first = store.write(nodes, edges)
    assert (first.nodes_created, first.edges_created) == (6, 5)
    version = store.version()
    assert first.version == version
    second = store.write(nodes, edges)
    assert second.to_dict() == {
        "nodes": {"created": 0, "updated": 0, "unchanged": 6, "deleted": 0},
        "relationships": {"created": 0, "updated": 0, "unchanged": 5, "deleted": 0},
        "version": version,
    }
    assert store.version() == version
    stats = store.stats()
    assert stats.nodes == {"Person": 2, "Organisation": 2, "Network": 1, "Area": 1}
    assert stats.relationships == {"MEMBER_OF": 3, "WORKS_FOR": 1, "LOCATED_IN": 1}


def test_changed_values_update_and_absent_ones_are_kept(store: GraphStore) -> None:
    store.write([person("p1", "ก", role="leader", year=2008)], [])
    v1 = store.version()
    result = store.write([person("p1", "ข", year=2009)], [])
    assert (result.nodes_updated, result.nodes_unchanged) == (1, 0)
    assert store.version() == v1 + 1
    assert store.get_nodes(["p1"])["p1"].props == {"name": "ข", "role": "leader", "year": 2009}


def test_every_property_type_reads_back_exactly(store: GraphStore) -> None:
    props = {
        "name": "นางสาว กัลยา ศรีสุข",
        "text": "กขป.เขต ๑๒ — \"quoted\" 'single' `back` }) DETACH DELETE n //",
        "integer": 3_000_000,
        "big": 2**53 + 1,
        "negative": -7,
        "real": 1234.5,
        "tiny": 1e-9,
        "true": True,
        "false": False,
        "tags": ["แกนนำ", "leader", "ผู้ประสานงาน"],
        "numbers": [1, 2, 3],
    }
    store.write([Node("x", "Person", props)], [])
    back = store.get_nodes(["x"])["x"]
    assert back.kind == "Person"
    assert back.props == props
    for key, value in props.items():
        assert type(back.props[key]) is type(value), key
    assert isinstance(back.props["integer"], int)
    assert isinstance(back.props["real"], float)


def test_relationship_properties_and_ends_read_back(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    of_o1 = sorted(store.edges_of("o1"), key=lambda e: e.key)
    assert [(e.source, e.type, e.target) for e in of_o1] == [
        ("o1", "LOCATED_IN", "a1"),
        ("o1", "MEMBER_OF", "n1"),
        ("p1", "MEMBER_OF", "o1"),
    ]
    assert of_o1[2].props == {"capacity": "personal"}
    assert of_o1[1].props == {"capacity": "institutional"}


def test_thai_text_round_trip_and_lookup_by_normalised_name(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    n1 = store.get_nodes(["n1"])["n1"]
    assert n1.name == "เครือข่าย กขป.เขต ๑๒"
    found = store.find_by_name(normalise_name("เครือข่าย  กขป.เขต 12"))
    assert [n.id for n in found] == ["n1"]
    assert store.find_by_name(normalise_name("ไม่มีชื่อนี้")) == []


def test_neighbourhood_to_depth_k(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    expected = {0: {"p1": 0}, 1: {"p1": 0, "o1": 1}, 2: {"p1": 0, "o1": 1, "n1": 2, "a1": 2}}
    expected[3] = {**expected[2], "o2": 3}
    expected[4] = {**expected[3], "p2": 4}
    for depth, distances in expected.items():
        sub = neighbourhood(store, "p1", depth)
        assert sub.distance == distances, depth
        assert set(sub.nodes) == set(distances)
    sub = neighbourhood(store, "p1", 2)
    assert sorted((e.source, e.target) for e in sub.edges) == [
        ("o1", "a1"),
        ("o1", "n1"),
        ("p1", "o1"),
    ]
    only_members = neighbourhood(store, "p1", 4, types=["MEMBER_OF"])
    assert only_members.distance == {"p1": 0, "o1": 1, "n1": 2, "o2": 3}
    assert neighbourhood(store, "nobody", 2).nodes == {}


def test_distances_only_through_the_given_kinds_and_types(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    # a second tie p1 -> o1, a tie back to itself, and a shortcut p1 - n1 of another type
    extra = [
        Edge("o1", "WORKS_FOR", "p1"),
        Edge("p1", "KNOWS", "p1"),
        Edge("p1", "FUNDS", "n1"),
    ]
    store.write(nodes, edges + extra)
    everything = {"p1": 0, "o1": 1, "n1": 1, "a1": 2, "o2": 2, "p2": 3}
    assert store.distances("p1", 10) == everything
    assert store.distances("p1", 1) == {"p1": 0, "o1": 1, "n1": 1}
    members = store.distances("p1", 10, types=["MEMBER_OF"])
    assert members == {"p1": 0, "o1": 1, "n1": 2, "o2": 3}
    # the start is in whatever its kind; the others only when theirs is among the kinds
    assert store.distances("p1", 10, kinds=["Organisation", "Network"]) == {
        "p1": 0,
        "o1": 1,
        "n1": 1,
        "o2": 2,
    }
    assert store.distances("p1", 10, kinds=["Area"]) == {"p1": 0}
    assert store.distances("a1", 10, kinds=["Person"]) == {"a1": 0}
    assert store.distances("nobody", 3) == {}
    sub = neighbourhood(store, "p1", 1)
    assert sub.distance == {"p1": 0, "o1": 1, "n1": 1}
    assert sorted((e.source, e.type, e.target) for e in sub.edges) == [
        ("o1", "MEMBER_OF", "n1"),
        ("o1", "WORKS_FOR", "p1"),
        ("p1", "FUNDS", "n1"),
        ("p1", "KNOWS", "p1"),
        ("p1", "MEMBER_OF", "o1"),
    ]
    assert sub.nodes["o1"].props["admin_level"] == "provincial"
    alone = neighbourhood(store, "p2", 0)
    assert (alone.distance, alone.edges) == ({"p2": 0}, [])


def test_subgraph_by_kind(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    everything = store.subgraph()
    assert len(everything.nodes) == 6 and len(everything.edges) == 5
    actors = store.subgraph(kinds=["Person", "Organisation"])
    assert sorted(actors.nodes) == ["o1", "o2", "p1", "p2"]
    assert sorted((e.source, e.target) for e in actors.edges) == [("p1", "o1"), ("p2", "o2")]
    members = store.subgraph(types=["MEMBER_OF"])
    assert len(members.nodes) == 6 and len(members.edges) == 3


def test_relationships_with_their_own_id_coexist_and_move(store: GraphStore) -> None:
    fund = Node("f1", "Fund", {"name": "กองทุนหลักประกันสุขภาพ"})
    target = organisation("o1")
    other = organisation("o2")
    key_2008 = '["id", "r2008"]'
    e2008 = Edge("f1", "FUNDS", "o1", {"id": "r2008", "year": 2008, "amount_thb": 100000}, key_2008)
    e2009 = Edge("f1", "FUNDS", "o1", {"id": "r2009", "year": 2009}, '["id", "r2009"]')
    store.write([fund, target, other], [e2008, e2009])
    assert store.stats().relationships == {"FUNDS": 2}
    moved = Edge("f1", "FUNDS", "o2", {"id": "r2008", "year": 2008}, key_2008)
    result = store.write([], [moved])
    assert (result.edges_created, result.edges_updated) == (0, 1)
    ends = sorted((e.target, e.props["id"]) for e in store.edges_of("f1"))
    assert ends == [("o1", "r2009"), ("o2", "r2008")]
    assert store.stats().relationships == {"FUNDS": 2}


def test_a_failed_write_changes_nothing(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    before = (store.stats(), store.get_nodes(["p1"]))
    dangling = Edge("p1", "MEMBER_OF", "missing")
    with pytest.raises(ValueError, match="does not exist"):
        store.write([person("p9"), person("p1", "renamed")], [dangling])
    assert (store.stats(), store.get_nodes(["p1"])) == before
    from_new = Edge("p9", "MEMBER_OF", "missing")  # from an entity this write creates
    with pytest.raises(ValueError, match="does not exist"):
        store.write([person("p9")], [Edge("p9", "MEMBER_OF", "o1"), from_new])
    assert (store.stats(), store.get_nodes(["p9"])) == (before[0], {})


def test_a_write_of_new_and_existing_entities_counts_each_once(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    written = store.write(
        [person("p1", "นางสาว สมศรี ใจดี"), person("p2", "renamed"), person("p3", "ใหม่")],
        [
            Edge("p3", "MEMBER_OF", "o1", {"capacity": "personal"}),  # from a new entity
            Edge("p1", "MEMBER_OF", "o1", {"capacity": "personal"}),  # unchanged
            Edge("p2", "WORKS_FOR", "o2", {"since": 2020}),  # updated
            Edge("p1", "WORKS_FOR", "o2"),  # new, from an existing entity
        ],
    )
    assert written.to_dict()["nodes"] == {"created": 1, "updated": 1, "unchanged": 1, "deleted": 0}
    assert written.to_dict()["relationships"] == {
        "created": 2,
        "updated": 1,
        "unchanged": 1,
        "deleted": 0,
    }
    assert store.get_nodes(["p3"])["p3"].props == {"name": "ใหม่"}
    assert [e.props for e in store.find_edges("p3")] == [{"capacity": "personal"}]
    assert store.distances("p3", 1) == {"p3": 0, "o1": 1}


def test_clear_empties_the_store_and_moves_the_version(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    store.write(nodes, edges)
    version = store.version()
    store.clear()
    stats = store.stats()
    assert (stats.nodes, stats.relationships) == ({}, {})
    assert stats.version == version + 1


def test_a_kind_change_relabels_the_entity(store: GraphStore) -> None:
    store.write([organisation("x", "ทีมกลาง")], [])
    result = store.write([Node("x", "Network", {"name": "ทีมกลาง"})], [])
    assert result.nodes_updated == 1
    assert store.get_nodes(["x"])["x"].kind == "Network"
    assert store.stats().nodes == {"Network": 1}

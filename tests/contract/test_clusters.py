"""Clusters on both stores (CONTRACT.md section 2b, issue 12, question S28): Leiden
communities (Traag, Waltman and van Eck 2019) maximising modularity with a fixed seed, on
small hand-made graphs whose answers are worked out by hand, with the modularity checked
against networkx on the same partition."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from graph_service.analysis.structure import clusters
from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from tests.factories import network, organisation, person

FISHERS = ["fisher-1", "fisher-2", "fisher-3", "fisher-4", "fisher-5"]
WEAVERS = ["weaver-1", "weaver-2", "weaver-3", "weaver-4", "weaver-5"]


def two_villages() -> tuple[list[Node], list[Edge]]:
    """Five fishers of บ้านลาโละ, every two tied, and five weavers of บ้านโคกทราย, every two
    tied, joined by the one tie fisher-1 - weaver-1; two actors with no tie (ป้าแดง, and
    a network whose only relationship is to a place). Some pairs are tied twice (both
    ways, or by two types): one tie each. The area is not an actor.

    By hand: 10 + 10 + 1 = 21 ties; each village has 10 ties inside and degree sum
    2·10 + 1 = 21, so modularity = 2·(10/21 − (21/42)²) = 20/21 − 1/2 = 19/42."""
    nodes = [person(f, f"ชาวประมง {f[-1]} บ้านลาโละ") for f in FISHERS]
    nodes += [organisation(w, f"กลุ่มทอผ้า {w[-1]} บ้านโคกทราย") for w in WEAVERS]
    nodes += [person("aunt-daeng", "ป้าแดง"), network("net-quiet", "เครือข่ายเงียบ")]
    nodes.append(Node("area-93", "Area", {"name": "พัทลุง", "admin_level": "provincial"}))
    edges = []
    for group, type_ in ((FISHERS, "KNOWS"), (WEAVERS, "PARTNERS_WITH")):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                edges.append(Edge(a, type_, b, {}))
    # parallel ties: the other way round, and another type, between pairs already tied
    edges += [
        Edge("fisher-2", "KNOWS", "fisher-1", {}),
        Edge("weaver-3", "COORDINATES", "weaver-4", {}),
    ]
    edges.append(Edge("fisher-1", "COORDINATES", "weaver-1", {}))
    edges += [Edge(f, "LOCATED_IN", "area-93", {}) for f in ("fisher-3", "weaver-2", "net-quiet")]
    return nodes, edges


def test_two_villages_are_two_clusters_and_isolates_stand_alone(store: GraphStore) -> None:
    store.write(*two_villages())
    doc = clusters(store, seed=1)
    assert doc["clusters"] == [
        {"id": 1, "size": 5, "members": FISHERS},
        {"id": 2, "size": 5, "members": WEAVERS},
        {"id": 3, "size": 1, "members": ["aunt-daeng"]},
        {"id": 4, "size": 1, "members": ["net-quiet"]},
    ]
    assert (doc["seed"], doc["method"], doc["actors"], doc["ties"]) == (1, "leiden", 12, 21)
    graph = nx.Graph()
    graph.add_nodes_from([*FISHERS, *WEAVERS, "aunt-daeng", "net-quiet"])
    graph.add_edges_from(
        (a, b) for group in (FISHERS, WEAVERS) for i, a in enumerate(group) for b in group[i + 1 :]
    )
    graph.add_edge("fisher-1", "weaver-1")
    expected = nx.community.modularity(graph, [set(c["members"]) for c in doc["clusters"]])
    assert expected == pytest.approx(19 / 42, abs=1e-12)
    assert doc["modularity"] == pytest.approx(expected, abs=1e-9)
    for seed in (2, 7, 12345):
        assert clusters(store, seed=seed)["clusters"] == doc["clusters"]


def planted(seed: int = 12) -> tuple[list[Node], list[Edge]]:
    """Six groups of 30 people, each pair within a group tied with chance 0.3 and across
    groups with chance 0.01 (seeded): a graph where the seed could matter."""
    rng = random.Random(seed)
    ids = [f"p{g}-{i:02d}" for g in range(6) for i in range(30)]
    nodes = [person(i, f"สมาชิกกลุ่ม {i}") for i in ids]
    edges = [
        Edge(a, "KNOWS", b, {})
        for k, a in enumerate(ids)
        for b in ids[k + 1 :]
        if rng.random() < (0.3 if a[:2] == b[:2] else 0.01)
    ]
    return nodes, edges


def test_same_seed_same_answer_every_cluster_connected_modularity_as_networkx(
    store: GraphStore,
) -> None:
    nodes, edges = planted()
    store.write(nodes, edges)
    first = clusters(store, seed=3)
    assert clusters(store, seed=3) == first
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in nodes)
    graph.add_edges_from((e.source, e.target) for e in edges)
    parts = [c["members"] for c in first["clusters"]]
    assert sorted(i for p in parts for i in p) == sorted(graph)
    assert all(p == sorted(p) for p in parts)
    assert [(-len(p), p[0]) for p in parts] == sorted((-len(p), p[0]) for p in parts)
    assert [c["id"] for c in first["clusters"]] == list(range(1, len(parts) + 1))
    # Leiden's guarantee: no community is internally disconnected
    assert all(nx.is_connected(graph.subgraph(p)) for p in parts)
    expected = nx.community.modularity(graph, [set(p) for p in parts])
    assert first["modularity"] == pytest.approx(expected, abs=1e-9)
    assert first["ties"] == graph.number_of_edges()
    # the planted groups are found: each cluster lies within one group
    assert sorted(len(p) for p in parts) == [30] * 6
    assert all(len({i[:2] for i in p}) == 1 for p in parts)


@pytest.mark.neo4j
def test_both_stores_give_the_same_clusters(
    embedded_store: GraphStore, neo4j_store: GraphStore
) -> None:
    # sparser than planted(): weakly separated groups, where an arbitrary order of nodes or
    # ties would show up as a different answer
    rng = random.Random(5)
    ids = [f"a{i:03d}" for i in range(150)]
    nodes = [organisation(i, f"หน่วยงาน {i}") for i in ids]
    edges = []
    for _ in range(300):
        a, b = rng.sample(ids, 2)
        edges.append(Edge(a, rng.choice(["COORDINATES", "KNOWS", "PARTNERS_WITH"]), b, {}))
    for store in (embedded_store, neo4j_store):
        store.write(nodes, edges)
    for seed in (1, 2, 99):
        mine = clusters(embedded_store, seed=seed)
        assert clusters(neo4j_store, seed=seed) == mine
        assert len(mine["clusters"]) > 2


def test_a_seed_out_of_range_is_refused_everywhere(store: GraphStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Leiden's generator takes an unsigned seed: -1 once crashed the API (found by the
    OpenAPI fuzz); it is now bad input on the library, the CLI and the API alike."""
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from graph_service.analysis.structure import MAX_SEED
    from graph_service.app import create_app
    from graph_service.cli import main
    from graph_service.errors import InvalidInput
    from graph_service.store.embedded import EmbeddedStore

    store.write(*two_villages())
    for bad in (-1, MAX_SEED + 1):
        with pytest.raises(InvalidInput, match="the seed must be a whole number from 0"):
            clusters(store, bad)
    assert clusters(store, MAX_SEED)["seed"] == MAX_SEED
    assert clusters(store, 0)["seed"] == 0
    db = tmp_path / "g.db"
    EmbeddedStore(db).write(*two_villages())
    refused = CliRunner().invoke(main, ["--store", str(db), "clusters", "--seed", "-1"])
    assert refused.exit_code == 2 and "-1 is not in the range" in refused.output
    with TestClient(create_app(store=EmbeddedStore(db))) as client:
        answer = client.get("/api/clusters", params={"seed": -1})
        assert answer.status_code == 422 and answer.json()["error"]["code"]

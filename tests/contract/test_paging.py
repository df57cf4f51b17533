"""Pages are cut in the store (issue 11, point 9), on both stores: the exact ids, in order.

The graph, small enough to check by hand: a hub ``h`` (an organisation) that 30 people
``p00``…``p29`` are MEMBER_OF; ``p00``…``p04`` also KNOWS the next one (``p00 -> p01`` …
``p04 -> p05``); ``h`` is PART_OF the network ``n1``. So ``h`` has 31 relationships, and
from ``p00`` the nearest entities are ``p00`` (0), then ``h`` and ``p01`` (1), then
``n1``, ``p02``…``p29`` (2).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.domain import Edge, edge_key
from graph_service.settings import Settings
from graph_service.store.base import GraphStore, neighbourhood
from tests.factories import network, organisation, person

PEOPLE = [f"p{i:02d}" for i in range(30)]


@pytest.fixture
def hub(store: GraphStore) -> GraphStore:
    nodes = [organisation("h", "ศูนย์"), network("n1", "เครือข่าย")]
    nodes += [person(p) for p in PEOPLE]
    edges = [Edge(p, "MEMBER_OF", "h") for p in PEOPLE]
    edges += [Edge(PEOPLE[i], "KNOWS", PEOPLE[i + 1]) for i in range(5)]
    edges.append(Edge("h", "PART_OF", "n1"))
    store.write(nodes, edges)
    return store


def member(p: str) -> str:
    return edge_key(p, "MEMBER_OF", "h")


def test_find_edges_pages_by_key(hub: GraphStore) -> None:
    # keys of MEMBER_OF to h sort as the people do
    page = hub.find_edges(target="h", offset=10, limit=5)
    assert [e.key for e in page] == [member(p) for p in PEOPLE[10:15]]
    assert hub.count_edges(target="h") == 30
    assert [e.key for e in hub.find_edges(type="KNOWS", offset=3, limit=10)] == [
        edge_key("p03", "KNOWS", "p04"),
        edge_key("p04", "KNOWS", "p05"),
    ]
    assert hub.count_edges(type="KNOWS") == 5
    assert hub.count_edges(source="p00") == 2
    assert [e.target for e in hub.find_edges(source="p00", limit=1)] == ["p01"]  # KNOWS < MEMBER
    assert hub.find_edges(target="h", offset=30, limit=5) == []
    assert len(hub.find_edges()) == 36  # no limit: all
    assert hub.count_edges() == 36


def test_edges_of_pages_in_the_show_order(hub: GraphStore) -> None:
    # (type, source, target, key): MEMBER_OF p00..p29 -> h, then PART_OF h -> n1
    order = [("MEMBER_OF", p, "h") for p in PEOPLE] + [("PART_OF", "h", "n1")]
    assert [(e.type, e.source, e.target) for e in hub.edges_of("h")] == order
    assert [(e.type, e.source, e.target) for e in hub.edges_of("h", 28, 5)] == order[28:]
    assert [(e.type, e.source, e.target) for e in hub.edges_of("h", 0, 2)] == order[:2]
    assert hub.count_edges_of("h") == 31
    assert hub.count_edges_of("p01") == 3  # KNOWS from p00, KNOWS to p02, MEMBER_OF h


def test_a_limited_neighbourhood_holds_the_nearest(hub: GraphStore) -> None:
    assert hub.distances("p00", 2, limit=4) == {"p00": 0, "h": 1, "p01": 1, "n1": 2}
    assert hub.distances("p00", 2, limit=1) == {"p00": 0}
    assert len(hub.distances("p00", 2)) == 32
    sub = neighbourhood(hub, "p00", 2, limit=5)
    assert sub.distance == {"p00": 0, "h": 1, "p01": 1, "n1": 2, "p02": 2}
    assert sorted((e.source, e.type, e.target) for e in sub.edges) == [
        ("h", "PART_OF", "n1"),
        ("p00", "KNOWS", "p01"),
        ("p00", "MEMBER_OF", "h"),
        ("p01", "KNOWS", "p02"),
        ("p01", "MEMBER_OF", "h"),
        ("p02", "MEMBER_OF", "h"),
    ]
    assert len(neighbourhood(hub, "h", 1).nodes) == 32
    assert sorted(neighbourhood(hub, "h", 1, limit=3).nodes) == ["h", "n1", "p00"]


@pytest.fixture
def api(hub: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), hub)) as client:
        yield client


def test_relationships_api_reads_one_page(api: TestClient) -> None:
    body = api.get("/api/relationships", params={"target": "h", "limit": 5, "offset": 25}).json()
    assert [i["source"] for i in body["items"]] == PEOPLE[25:30]
    assert (body["total"], body["offset"], body["limit"]) == (30, 25, 5)
    small = api.get("/api/relationships", params={"source": "p00", "limit": 5}).json()
    assert [i["target"] for i in small["items"]] == ["p01", "h"]
    assert small["total"] == 2


def test_show_pages_its_relationships(api: TestClient) -> None:
    first = api.get("/api/entities/h", params={"rel_limit": 12}).json()
    assert first["relationships_total"] == 31
    assert [r["other"] for r in first["relationships"]] == PEOPLE[:12]
    assert first["relationships_next"] == "/api/entities/h?rel_offset=12&rel_limit=12"
    others, url = [], "/api/entities/h?rel_limit=12"
    while url:
        page = api.get(url).json()
        others += [(r["type"], r["other"], r["outgoing"]) for r in page["relationships"]]
        url = page["relationships_next"]
    assert others == [("MEMBER_OF", p, False) for p in PEOPLE] + [("PART_OF", "n1", True)]
    # the default page holds all 31 here; a page larger than GRAPH_MAX_PAGE is refused
    assert len(api.get("/api/entities/h").json()["relationships"]) == 31
    refused = api.get("/api/entities/h", params={"rel_limit": 100_000})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["location"] == ["query", "rel_limit"]

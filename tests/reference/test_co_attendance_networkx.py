"""The co-attendance projection against networkx's own two-mode projection
(``networkx.algorithms.bipartite.weighted_projected_graph``, ``ratio=False``: the weight of
two actors is the number of events both attended) on a random attendance table, on both
stores."""

from __future__ import annotations

import random

import networkx as nx
from networkx.algorithms import bipartite

from graph_service.analysis.meetings import co_attendance_edges
from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore


def test_the_projection_equals_networkx(store: GraphStore) -> None:
    rng = random.Random(15)
    people = [f"p{i:03d}" for i in range(60)]
    events = [f"e{i:02d}" for i in range(25)]
    nodes = [Node(p, "Person", {"name": p}) for p in people]
    nodes += [
        Node(e, "Event", {"name": e, "date": f"2024-{1 + i % 12:02d}-15"})
        for i, e in enumerate(events)
    ]
    rows = []
    b = nx.Graph()
    b.add_nodes_from(people, bipartite=0)
    b.add_nodes_from(events, bipartite=1)
    for e in events:
        for p in rng.sample(people, rng.randint(2, 12)):
            status = rng.choice(["attended", "attended", "attended", "absent", "invited"])
            rows.append(Edge(p, "ATTENDED", e, {"status": status}))
            if status == "attended":
                b.add_edge(p, e)
    store.write(nodes, rows)
    expected = bipartite.weighted_projected_graph(b, people)
    got = {(x.source, x.target): x.props["weight"] for x in co_attendance_edges(store)}
    want = {tuple(sorted((u, v))): w for u, v, w in expected.edges(data="weight")}
    assert len(want) > 150 and max(want.values()) >= 2  # not a trivial table
    assert got == want

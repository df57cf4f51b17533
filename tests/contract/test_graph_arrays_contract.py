"""``graph_arrays``, run unchanged against the embedded store and a real Neo4j: the same
arrays for the same graph (literal expectations, so both stores give these very values),
equal to what ``subgraph`` reads, and the same brokerage document as the subgraph path."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.analysis.brokerage import brokerage, brokerage_of
from graph_service.domain import ACTOR_KINDS, Edge, Node
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import chain_graph, network, organisation, person


def rows(arrays: Any) -> list[tuple[str, str, str]]:
    return [
        (arrays.ids[a], arrays.types[t], arrays.ids[b])
        for a, b, t in zip(
            arrays.src.tolist(), arrays.dst.tolist(), arrays.type.tolist(), strict=True
        )
    ]


def small_graph(store: GraphStore) -> None:
    nodes, edges = chain_graph()
    nodes += [person("p3", "ค"), network("n2", "เครือข่าย 2"), organisation("o3", "องค์กร 3")]
    edges += [
        Edge("p3", "PARTNERS_WITH", "p1"),
        Edge("o3", "SUPPORTS", "o1", {"id": "s1"}, key='["id", "s1"]'),
        Edge("o3", "SUPPORTS", "o1", {"id": "s2"}, key='["id", "s2"]'),
        Edge("n2", "FUNDS", "a1"),
        Edge("o2", "MEMBER_OF", "n2"),
    ]
    store.write(nodes, edges)


def test_the_same_arrays_on_every_store(store: GraphStore) -> None:
    small_graph(store)
    every = store.graph_arrays()  # type: ignore[attr-defined]
    assert every.ids == ["a1", "n1", "n2", "o1", "o2", "o3", "p1", "p2", "p3"]
    assert every.types == [
        "FUNDS",
        "LOCATED_IN",
        "MEMBER_OF",
        "PARTNERS_WITH",
        "SUPPORTS",
        "WORKS_FOR",
    ]
    assert rows(every) == [
        ("n2", "FUNDS", "a1"),
        ("o1", "LOCATED_IN", "a1"),
        ("o1", "MEMBER_OF", "n1"),
        ("o2", "MEMBER_OF", "n1"),
        ("o2", "MEMBER_OF", "n2"),
        ("o3", "SUPPORTS", "o1"),
        ("o3", "SUPPORTS", "o1"),
        ("p1", "MEMBER_OF", "o1"),
        ("p2", "WORKS_FOR", "o2"),
        ("p3", "PARTNERS_WITH", "p1"),
    ]
    assert every.src.tolist() == [2, 3, 3, 4, 4, 5, 5, 6, 7, 8]
    assert every.dst.dtype.kind == every.src.dtype.kind == every.type.dtype.kind == "i"
    assert every.nodes["o1"] == organisation("o1", "สำนักงานพัฒนาสังคมจังหวัด", admin_level="provincial")
    assert every.nodes["a1"] == Node(
        "a1", "Area", {"name": "พัทลุง", "admin_level": "provincial", "code": "93"}
    )
    assert every.pairs_of("MEMBER_OF") == [("o1", "n1"), ("o2", "n1"), ("o2", "n2"), ("p1", "o1")]
    assert every.pairs_of("MENTORS") == []

    actors = store.graph_arrays(kinds=["Person", "Organisation"], types=["SUPPORTS", "MEMBER_OF"])  # type: ignore[attr-defined]
    assert actors.ids == ["o1", "o2", "o3", "p1", "p2", "p3"]
    assert rows(actors) == [
        ("o3", "SUPPORTS", "o1"),
        ("o3", "SUPPORTS", "o1"),
        ("p1", "MEMBER_OF", "o1"),
    ]
    assert actors.types == ["MEMBER_OF", "SUPPORTS"]


@pytest.mark.parametrize("sample", ["community-occupation", "informal-workers-km"])
def test_arrays_hold_what_subgraph_reads(store: GraphStore, sample: str) -> None:
    import_dataset(store, SAMPLES / sample)
    for kinds in (None, ACTOR_KINDS, ("Fund", "Area")):
        for types in (None, ["MEMBER_OF", "PARTNERS_WITH"]):
            sub = store.subgraph(kinds, types)
            arrays = store.graph_arrays(kinds, types)  # type: ignore[attr-defined]
            assert arrays.ids == sorted(sub.nodes)
            assert arrays.nodes == sub.nodes
            read = [(e.source, e.type, e.target) for e in sub.edges]
            assert rows(arrays) == sorted(read, key=lambda r: (r[0], r[2], r[1]))


@pytest.mark.parametrize("group_by", ["admin_level", "sector", "kind", "member_of"])
def test_brokerage_from_arrays_equals_brokerage_from_the_subgraph(
    store: GraphStore, group_by: str
) -> None:
    import_dataset(store, SAMPLES / "community-occupation")
    sub = store.subgraph(kinds=ACTOR_KINDS)
    for undirected in (False, True):
        assert brokerage(store, group_by, undirected=undirected) == brokerage_of(
            sub, group_by, undirected=undirected
        )
    types = ["MEMBER_OF", "COORDINATES"]
    assert brokerage(store, group_by, types) == brokerage_of(sub, group_by, types)

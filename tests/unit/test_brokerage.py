"""Brokerage on tiny graphs checked by hand (CONTRACT.md sections 2 and 3, DOMAIN.md 6).

Every graph is written as entities into a store, so these tests run on the embedded store
and, when a Neo4j server is there, on Neo4j too (the ``store`` fixture). For an open
two-path a→b→c (a ≠ c, no a→c), b brokers the ordered pair (a, c): coordinator
G(a)=G(b)=G(c); itinerant G(a)=G(c)≠G(b); representative G(a)=G(b)≠G(c); gatekeeper
G(a)≠G(b)=G(c); liaison all three differ.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph_service.analysis import brokerage as br
from graph_service.analysis.brokerage import broker_impact, brokerage
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.factories import network, organisation, person

SAMPLE = Path(br.__file__).resolve().parents[1] / "data" / "samples" / "community-occupation"
COLUMNS = (*br.ROLES, "total")
ZERO = dict.fromkeys(COLUMNS, 0)


def org(id_: str, sector: str | None = None, **props: Any) -> Node:
    if sector is not None:
        props["sector"] = sector
    return organisation(id_, **props)


def tie(a: str, b: str, type_: str = "SUPPORTS") -> Edge:
    return Edge(a, type_, b)


def report(
    store: GraphStore, nodes: list[Node], edges: list[Edge], **kwargs: Any
) -> dict[str, Any]:
    store.write(nodes, edges)
    kwargs.setdefault("group_by", "sector")
    doc = brokerage(store, **kwargs)
    json.dumps(doc, allow_nan=False)  # always valid JSON: no NaN, no Infinity
    return doc


def rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["nodes"]}


def counts(row: dict[str, Any]) -> dict[str, int]:
    return {c: row[c] for c in COLUMNS}


def only(role: str, n: int = 1) -> dict[str, int]:
    return {**ZERO, role: n, "total": n}


# -- the five roles ---------------------------------------------------------------------------

ROLE_GROUPS = {
    # role: sectors of a, b, c on the path a -> b -> c
    "coordinator": ("state", "state", "state"),
    "itinerant": ("state", "community", "state"),
    "representative": ("state", "state", "community"),
    "gatekeeper": ("community", "state", "state"),
    "liaison": ("state", "community", "academic"),
}


@pytest.mark.parametrize("role", list(ROLE_GROUPS))
def test_each_role_on_a_path(store: GraphStore, role: str) -> None:
    ga, gb, gc = ROLE_GROUPS[role]
    # z is an isolated actor in a group of its own, so there are always two groups
    nodes = [org("a", ga), org("b", gb), org("c", gc), org("z", "private")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "c")])
    got = rows(doc)
    assert counts(got["b"]) == only(role)
    for other in ("a", "c", "z"):
        assert counts(got[other]) == ZERO, other
    assert got["b"]["sole_broker_pairs"] == 1
    assert doc["nodes"][0]["id"] == "b"  # sorted by total, then id
    assert doc["totals"][role]["observed"] == 1
    assert doc["totals"]["total"]["observed"] == 1
    assert (doc["actors"], doc["ties"], doc["directed"]) == (4, 2, True)


def test_expected_values_and_z_by_hand(store: GraphStore) -> None:
    """a, b in group S, c in group C, a→b→c: N = 3, m = 2, density d = 1/3, q = d²(1−d) =
    2/27, A = d³(1−d)³ = 8/729. For b (n_S = 2): representative expected q·(N−n)(n−1) =
    2/27, variance 2/27·25/27 + 2·((n−1)·C(N−n, 2) + (N−n)·C(n−1, 2))·A = 50/729, so z =
    (1 − 2/27)/(√50/27) = 5/√2; gatekeeper z = −2/√50; total expected q(N−1)(N−2) = 4/27,
    variance 100/729, z = (1 − 4/27)/(10/27) = 2.3; coordinator, itinerant and liaison have
    expected 0 and sd 0: z is 0/0, null. For c (n_C = 1): itinerant expected q·2·1 = 4/27,
    sd 10/27, z = −0.4."""
    nodes = [org("a", "S"), org("b", "S"), org("c", "C")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "c")])
    b, c = rows(doc)["b"], rows(doc)["c"]
    assert counts(b) == only("representative")
    assert b["expected"]["representative"] == pytest.approx(2 / 27, abs=1e-10)
    assert b["expected"]["gatekeeper"] == pytest.approx(2 / 27, abs=1e-10)
    assert b["expected"]["total"] == pytest.approx(4 / 27, abs=1e-10)
    assert b["z"]["representative"] == pytest.approx(5 / math.sqrt(2), abs=1e-9)
    assert b["z"]["gatekeeper"] == pytest.approx(-2 / math.sqrt(50), abs=1e-9)
    assert b["z"]["total"] == pytest.approx(2.3, abs=1e-9)
    for col in ("coordinator", "itinerant", "liaison"):
        assert b["expected"][col] == 0.0
        assert b["z"][col] is None
    assert c["expected"]["itinerant"] == pytest.approx(4 / 27, abs=1e-10)
    assert c["z"]["itinerant"] == pytest.approx(-0.4, abs=1e-9)
    assert doc["totals"]["representative"]["expected"] == pytest.approx(4 / 27, abs=1e-10)


def test_closed_triad_counts_nothing(store: GraphStore) -> None:
    nodes = [org("a", "state"), org("b", "community"), org("c", "state")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "c"), tie("a", "c")])
    for row in doc["nodes"]:
        assert counts(row) == ZERO, row["id"]
        assert row["sole_broker_pairs"] == 0
    assert all(t["observed"] == 0 for t in doc["totals"].values())


def test_path_back_to_its_start_is_not_brokerage(store: GraphStore) -> None:
    """a→b→a is not a two-path (a ≠ c)."""
    nodes = [org("a", "state"), org("b", "community"), org("c", "state")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "a")])
    assert all(counts(r) == ZERO for r in doc["nodes"])


def test_reciprocated_tie_then_onward(store: GraphStore) -> None:
    """a↔b, b→c: b brokers (a, c) once; (a, a) is not a pair; a brokers nothing (b→a→b)."""
    nodes = [org("a", "state"), org("b", "community"), org("c", "state")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "a"), tie("b", "c")])
    got = rows(doc)
    assert counts(got["b"]) == only("itinerant")
    assert counts(got["a"]) == ZERO and counts(got["c"]) == ZERO
    assert doc["ties"] == 3


@pytest.mark.parametrize(
    ("type_", "pairs"),
    [("PARTNERS_WITH", 2), ("SHARES_KNOWLEDGE_WITH", 2), ("SUPPORTS", 1)],
)
def test_symmetric_types_count_both_ways(store: GraphStore, type_: str, pairs: int) -> None:
    """Stored once each way a→b, b→c; a symmetric type also gives b→a and c→b, so b brokers
    (a, c) and (c, a)."""
    nodes = [org("a", "state"), org("b", "community"), org("c", "state")]
    doc = report(store, nodes, [tie("a", "b", type_), tie("b", "c", type_)])
    assert counts(rows(doc)["b"]) == only("itinerant", pairs)
    assert doc["ties"] == 2 * pairs


def test_types_filter(store: GraphStore) -> None:
    nodes = [org("a", "state"), org("b", "community"), org("c", "academic")]
    store.write(nodes, [tie("a", "b", "SUPPORTS"), tie("b", "c", "MENTORS")])
    every = brokerage(store, group_by="sector")
    assert counts(rows(every)["b"]) == only("liaison")
    assert every["types"] is None and every["ties"] == 2
    both = brokerage(store, group_by="sector", types=["SUPPORTS", "MENTORS"])
    assert counts(rows(both)["b"]) == only("liaison")
    assert both["types"] == ["MENTORS", "SUPPORTS"]
    one = brokerage(store, group_by="sector", types=["SUPPORTS"])
    assert one["types"] == ["SUPPORTS"] and one["ties"] == 1
    assert all(counts(r) == ZERO for r in one["nodes"])
    none = brokerage(store, group_by="sector", types=["WORKS_FOR"])
    assert none["ties"] == 0 and none["actors"] == 3
    assert all(r["constraint"] is None for r in none["nodes"])


def test_undirected_reads_ties_both_ways(store: GraphStore) -> None:
    """a→b←c: no directed two-path; undirected, b brokers (a, c) and (c, a)."""
    nodes = [org("a", "state"), org("b", "community"), org("c", "state")]
    store.write(nodes, [tie("a", "b"), tie("c", "b")])
    directed = brokerage(store, group_by="sector")
    assert all(counts(r) == ZERO for r in directed["nodes"])
    undirected = brokerage(store, group_by="sector", undirected=True)
    assert counts(rows(undirected)["b"]) == only("itinerant", 2)
    assert undirected["directed"] is False and undirected["ties"] == 4


def test_non_actors_are_not_ties(store: GraphStore) -> None:
    """Funds and areas are no brokers and no ends: a→f1→c and c→ar1→a do not count."""
    nodes = [
        org("a", "state"),
        org("b", "community"),
        org("c", "state"),
        Node("f1", "Fund", {"name": "fund"}),
        Node("ar1", "Area", {"name": "area"}),
    ]
    edges = [
        tie("a", "b"),
        tie("a", "f1", "APPLIES_TO"),
        tie("f1", "c", "FUNDS"),
        tie("c", "ar1", "OPERATES_IN"),
        tie("ar1", "a", "CONTAINS"),
    ]
    doc = report(store, nodes, edges)
    assert sorted(rows(doc)) == ["a", "b", "c"]
    assert (doc["actors"], doc["ties"]) == (3, 1)
    assert all(counts(r) == ZERO for r in doc["nodes"])


# -- the functions on degenerate graphs --------------------------------------------------------


def empty_arcs() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def test_open_two_paths_with_arcs_but_no_two_path() -> None:
    """a→b←c: there are arcs, but no arc's head has an out-arc."""
    src, dst = np.array([0, 2]), np.array([1, 1])
    paths = br.open_two_paths(3, src, dst)
    assert paths.a.size == paths.b.size == paths.c.size == 0
    raw = br.gould_fernandez(3, src, dst, np.array([0, 1, 0]))
    assert raw.tolist() == [[0] * 6] * 3


@pytest.mark.parametrize("n", [0, 3])
def test_functions_without_arcs(n: int) -> None:
    src, dst = empty_arcs()
    assert br.gould_fernandez(n, src, dst, np.zeros(n, np.int64)).shape == (n, 6)
    constraint, esize = br.burt(n, src, dst)
    assert constraint.shape == esize.shape == (n,)
    assert np.isnan(constraint).all() and np.isnan(esize).all()  # every node isolated
    assert br.betweenness(n, src, dst).tolist() == [0.0] * n


# -- grouping ---------------------------------------------------------------------------------


def chain() -> tuple[list[Node], list[Edge]]:
    """p1 -WORKS_FOR-> o1 -MEMBER_OF-> n1: o1 brokers (p1, n1)."""
    nodes = [
        person("p1", sector="community", admin_level="provincial"),
        organisation("o1", sector="state", admin_level="provincial"),
        network("n1", sector="community", admin_level="national"),
    ]
    return nodes, [tie("p1", "o1", "WORKS_FOR"), tie("o1", "n1", "MEMBER_OF")]


@pytest.mark.parametrize(
    ("group_by", "role", "labels"),
    [
        ("sector", "itinerant", ("community", "state", "community")),
        ("admin_level", "representative", ("provincial", "provincial", "national")),
        ("kind", "liaison", ("Person", "Organisation", "Network")),
        ("level", "liaison", ("individual", "node", "network")),
        # p1 is in no network (null); o1 is a member of n1; n1 is its own group
        ("member_of", "gatekeeper", (None, "n1", "n1")),
        ("member_of:n1", "gatekeeper", ("not n1", "n1", "n1")),
    ],
)
def test_group_by(
    store: GraphStore, group_by: str, role: str, labels: tuple[str | None, ...]
) -> None:
    nodes, edges = chain()
    doc = report(store, nodes, edges, group_by=group_by)
    got = rows(doc)
    assert doc["group_by"] == group_by
    assert counts(got["o1"]) == only(role)
    assert (got["p1"]["group"], got["o1"]["group"], got["n1"]["group"]) == labels
    assert counts(got["p1"]) == ZERO and counts(got["n1"]) == ZERO


def test_null_group(store: GraphStore) -> None:
    """Actors without the attribute form the group null, which is a group like any other:
    null → state → null is itinerant."""
    nodes = [org("a"), org("b", "state"), org("c")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "c")])
    got = rows(doc)
    assert counts(got["b"]) == only("itinerant")
    assert got["a"]["group"] is None and got["b"]["group"] == "state"
    assert doc["groups"] == [{"group": "state", "actors": 1}, {"group": None, "actors": 2}]
    assert any("sector" in note and "null" in note for note in doc["notes"])


# -- the rest of the document -----------------------------------------------------------------


def test_json_has_no_nan_and_isolates_get_null(store: GraphStore) -> None:
    nodes = [org("a", "state"), org("b", "community"), org("c", "state"), org("z", "private")]
    doc = report(store, nodes, [tie("a", "b"), tie("b", "c")])
    text = json.dumps(doc, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text
    z = rows(doc)["z"]
    assert z["constraint"] is None and z["effective_size"] is None
    assert z["betweenness"] == 0.0
    b = rows(doc)["b"]
    # b: two neighbours not tied to each other: constraint 2·(1/2)² = 1/2, effective size 2
    assert b["constraint"] == pytest.approx(0.5, abs=1e-10)
    assert b["effective_size"] == pytest.approx(2.0, abs=1e-10)
    # b lies on the one shortest path a→c: 1 / ((N−1)(N−2)) = 1/6
    assert b["betweenness"] == pytest.approx(1 / 6, abs=1e-10)
    assert any(v is None for v in b["z"].values())  # 0/0 z-scores are null


def test_betweenness_limit(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    nodes = [org("a", "state"), org("b", "community"), org("c", "state"), org("z", "private")]
    store.write(nodes, [tie("a", "b"), tie("b", "c")])
    off = brokerage(store, group_by="sector", with_betweenness=False)
    assert all(r["betweenness"] is None for r in off["nodes"])
    assert any("betweenness not computed" in note for note in off["notes"])
    monkeypatch.setattr(br, "BETWEENNESS_LIMIT", 3)  # 4 actors: above the limit
    above = brokerage(store, group_by="sector")
    assert all(r["betweenness"] is None for r in above["nodes"])
    assert any("more than 3" in note for note in above["notes"])
    forced = brokerage(store, group_by="sector", with_betweenness=True)
    assert rows(forced)["b"]["betweenness"] == pytest.approx(1 / 6, abs=1e-10)
    assert not any("betweenness" in note for note in forced["notes"])


def test_sole_broker_pairs(store: GraphStore) -> None:
    """b and d both broker (a, c): neither alone; e alone brokers (a, f)."""
    nodes = [org(i, s) for i, s in zip("abcdef", ["state", "civil"] * 3, strict=True)]
    edges = [tie("a", "b"), tie("b", "c"), tie("a", "d"), tie("d", "c")]
    edges += [tie("a", "e"), tie("e", "f")]
    got = rows(report(store, nodes, edges))
    assert [got[i]["total"] for i in "bde"] == [1, 1, 1]
    assert [got[i]["sole_broker_pairs"] for i in "abcdef"] == [0, 0, 0, 0, 1, 0]


# -- what breaks if a broker leaves -----------------------------------------------------------


def impact_graph() -> tuple[list[Node], list[Edge]]:
    """a(state) → b(community) → c(academic), a → d(community) → c, b → e(academic),
    b → f(private). b brokers (a, c), (a, e), (a, f); d also brokers (a, c)."""
    sectors = {
        "a": "state",
        "b": "community",
        "c": "academic",
        "d": "community",
        "e": "academic",
        "f": "private",
    }
    nodes = [org(i, s) for i, s in sectors.items()]
    pairs = ["ab", "bc", "ad", "dc", "be", "bf"]
    return nodes, [tie(p[0], p[1]) for p in pairs]


def test_broker_impact(store: GraphStore) -> None:
    store.write(*impact_graph())
    doc = broker_impact(store, "b", group_by="sector", undirected=False)
    json.dumps(doc, allow_nan=False)
    assert doc["id"] == "b" and doc["group"] == "community" and doc["group_by"] == "sector"
    assert doc["brokered_pairs"] == 3
    assert doc["lost_pairs"] == 2
    assert doc["truncated"] is False
    assert doc["pairs"] == [
        {"from": "a", "to": "e", "from_group": "state", "to_group": "academic"},
        {"from": "a", "to": "f", "from_group": "state", "to_group": "private"},
    ]
    # without b nobody reaches the private sector in one or two steps; state still reaches
    # community (a→d) and academic (a→d→c), community still reaches academic (d→c)
    assert doc["lost_group_pairs"] == [
        {"from": "community", "to": "private"},
        {"from": "state", "to": "private"},
    ]
    d = broker_impact(store, "d", group_by="sector", undirected=False)
    assert (d["brokered_pairs"], d["lost_pairs"], d["lost_group_pairs"]) == (1, 0, [])
    cut = broker_impact(store, "b", group_by="sector", undirected=False, limit=1)
    assert cut["lost_pairs"] == 2 and len(cut["pairs"]) == 1 and cut["truncated"] is True


def test_broker_impact_errors(store: GraphStore) -> None:
    nodes, edges = impact_graph()
    store.write([*nodes, Node("f1", "Fund", {"name": "fund"})], [*edges, tie("f1", "a", "FUNDS")])
    with pytest.raises(NotFound):
        broker_impact(store, "nobody", group_by="sector")
    with pytest.raises(InvalidInput, match="Fund"):
        broker_impact(store, "f1", group_by="sector")


# -- errors -----------------------------------------------------------------------------------


def test_empty_store(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="no actors"):
        brokerage(store)


def test_only_non_actors(store: GraphStore) -> None:
    store.write([Node("f1", "Fund", {"name": "fund"}), Node("ar1", "Area", {"name": "x"})], [])
    with pytest.raises(InvalidInput, match="no actors"):
        brokerage(store)


def test_unknown_attribute(store: GraphStore) -> None:
    store.write([org("a", "state"), org("b", "community")], [tie("a", "b")])
    with pytest.raises(InvalidInput, match="colour") as err:
        brokerage(store, group_by="colour")
    assert "sector" in err.value.message  # lists the attributes actors do have


def test_one_group(store: GraphStore) -> None:
    store.write([org("a", "state"), org("b", "state")], [tie("a", "b")])
    with pytest.raises(InvalidInput, match="one group"):
        brokerage(store, group_by="sector")


def test_bad_relationship_type(store: GraphStore) -> None:
    store.write([org("a", "state"), org("b", "community")], [tie("a", "b")])
    with pytest.raises(InvalidInput, match="not a relationship type"):
        brokerage(store, group_by="sector", types=["supports"])


# -- the bundled sample -----------------------------------------------------------------------


def test_community_occupation_sample(store: GraphStore) -> None:
    """The sample README: with ties read both ways, org-provider and net-node-network have
    the highest betweenness among actors; four actors connect the central team and the
    providers in two steps (they have no direct tie)."""
    import_dataset(store, SAMPLE)
    doc = brokerage(store, undirected=True)
    json.dumps(doc, allow_nan=False)
    ranked = sorted(doc["nodes"], key=lambda r: -r["betweenness"])
    assert [r["id"] for r in ranked[:2]] == ["org-provider", "net-node-network"]
    assert ranked[1]["betweenness"] > ranked[2]["betweenness"]

    sub, ties = br.load_ties(store, None, undirected=True)
    paths = br.open_two_paths(ties.n, ties.src, ties.dst)
    team, provider = ties.index["org-central-team"], ties.index["org-provider"]
    via = paths.b[(paths.a == team) & (paths.c == provider)]
    assert sorted(ties.ids[i] for i in via) == [
        "net-node-network",
        "net-support-ecosystem",
        "person-coordinator",
        "person-expert",
    ]
    assert not np.any((ties.src == team) & (ties.dst == provider))

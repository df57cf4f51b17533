"""The four questions on the real samples, on both stores: the answers the samples' READMEs
give, and the very same JSON from the embedded store and from Neo4j for every verb."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph_service.analysis.brokerage import broker_impact, brokerage
from graph_service.analysis.gaps import gaps
from graph_service.analysis.overlap import overlap
from graph_service.analysis.reach import reach, reach_group
from graph_service.domain import Edge
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.conftest import SAMPLE_NAMES, SAMPLES
from tests.factories import person

KNOWLEDGE = ["PRODUCES", "USES", "SHARES_KNOWLEDGE_WITH"]


def load(store: GraphStore, sample: str) -> GraphStore:
    import_dataset(store, SAMPLES / sample)
    return store


def top_betweenness(doc: dict[str, Any], k: int) -> list[str]:
    ranked = sorted(doc["nodes"], key=lambda r: (-(r["betweenness"] or 0), r["id"]))
    return [r["id"] for r in ranked[:k]]


# -- answers the sample READMEs give -----------------------------------------------------------


def test_reach_of_the_coordinator_is_seven(store: GraphStore) -> None:
    doc = reach(load(store, "community-occupation"), "person-coordinator", 1)
    assert doc["reach"] == 7
    assert doc["weighted_reach"] == 7.0
    assert [n["id"] for n in doc["nodes"]] == [
        "net-node-network",
        "net-partners",
        "net-provider-regional",
        "org-central-team",
        "org-provider",
        "person-sage",
        "person-villager",
    ]
    assert doc["by_kind"] == {"Person": 2, "Organisation": 2, "Network": 3}
    assert doc["by_level"] == {"individual": 2, "node": 2, "network": 3}


def test_reach_of_thaihealth_weighted(store: GraphStore) -> None:
    doc = reach(load(store, "informal-workers-km"), "org-thaihealth", 2)
    assert (doc["reach"], doc["weighted_reach"]) == (8, 5.0)
    assert doc["by_distance"] == {"1": 2, "2": 6}
    assert [n["id"] for n in doc["nodes"] if n["distance"] == 1] == [
        "fund-thaihealth",
        "prog-iw-programme",
    ]


def test_reach_restricted_to_knowledge_flows_and_kinds(store: GraphStore) -> None:
    load(store, "community-occupation")
    doc = reach(store, "org-provider", 1, types=KNOWLEDGE)
    # USES four curriculum assets; SHARES_KNOWLEDGE_WITH three actors (either way)
    assert [n["id"] for n in doc["nodes"]] == [
        "ka-core-curriculum",
        "ka-module-3",
        "ka-module-4",
        "ka-module-5",
        "net-node-network",
        "person-sage",
        "person-villager",
    ]
    only_networks = reach(store, "person-coordinator", 1, kinds=["Network"])
    assert [n["id"] for n in only_networks["nodes"]] == [
        "net-node-network",
        "net-partners",
        "net-provider-regional",
    ]


def test_reach_of_the_pcho(store: GraphStore) -> None:
    assert reach(load(store, "district-qol"), "net-pcho", 1)["reach"] == 12


def test_group_reach_and_what_it_cannot(store: GraphStore) -> None:
    load(store, "community-occupation")
    doc = reach_group(store, ["org-node-north", "org-node-south"], 1, targets=["Area"])
    assert [(n["id"], n["reached_by"]) for n in doc["nodes"]] == [
        ("area-north", ["org-node-north"]),
        ("area-south", ["org-node-south"]),
    ]
    assert doc["not_reached"] == [
        "area-central",
        "area-national",
        "area-northeast",
        "area-target-communities",
    ]
    assert [m["reach"] for m in doc["members"]] == [2, 2]


@pytest.mark.parametrize(
    ("sample", "leaders"),
    [
        ("community-occupation", ["org-provider", "net-node-network"]),
        ("informal-workers-km", ["net-partner-network", "net-regional-academic", "org-mol"]),
        ("district-qol", ["net-pcho"]),
    ],
)
def test_betweenness_leaders_ties_read_both_ways(
    store: GraphStore, sample: str, leaders: list[str]
) -> None:
    doc = brokerage(load(store, sample), "admin_level", undirected=True)
    assert top_betweenness(doc, len(leaders)) == leaders


def test_informal_worker_practitioner_is_isolated(store: GraphStore) -> None:
    doc = brokerage(load(store, "informal-workers-km"), "sector", undirected=True)
    row = next(r for r in doc["nodes"] if r["id"] == "person-practitioner")
    assert (row["total"], row["betweenness"], row["constraint"]) == (0, 0.0, None)


def test_one_overlap_pair_in_community_occupation(store: GraphStore) -> None:
    load(store, "community-occupation")
    for by in ("beneficiary", "area"):
        doc = overlap(store, by=by)
        assert len(doc["pairs"]) == 1
        pair = doc["pairs"][0]
        assert (pair["fund_a"], pair["fund_b"]) == ("fund-project-budget", "fund-skills-grant")
        assert (pair["jaccard"], pair["overlap"], pair["kind"]) == (1.0, 1.0, "unknown")
    assert overlap(store, by="beneficiary")["pairs"][0]["shared"] == ["org-provider"]
    # the provider operates in the target communities: the funds meet there, through it
    assert overlap(store, by="area")["pairs"][0]["shared"] == ["area-target-communities"]


def test_no_overlap_in_informal_workers(store: GraphStore) -> None:
    load(store, "informal-workers-km")
    assert overlap(store, by="area")["pairs"] == []
    assert overlap(store, by="beneficiary")["pairs"] == []


# -- bad input -------------------------------------------------------------------------------


def test_bad_input_is_a_clear_error(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="no actors"):
        brokerage(store)
    with pytest.raises(InvalidInput, match="no actors"):
        gaps(store)
    assert overlap(store)["pairs"] == []
    load(store, "community-occupation")
    with pytest.raises(NotFound, match="no-such-actor"):
        reach(store, "no-such-actor")
    for depth in (0, 11, -1):
        with pytest.raises(InvalidInput, match="from 1 to 10"):
            reach(store, "org-provider", depth)
    with pytest.raises(InvalidInput, match="unknown attribute 'colour'"):
        brokerage(store, "colour")
    with pytest.raises(InvalidInput, match="unknown attribute 'colour'"):
        gaps(store, by="colour")
    with pytest.raises(InvalidInput, match="not a relationship type"):
        brokerage(store, types=["uses"])
    with pytest.raises(NotFound, match="nobody"):
        broker_impact(store, "nobody")


def test_one_group_is_a_clear_error(store: GraphStore) -> None:
    store.write(
        [person("p1", sector="state"), person("p2", sector="state"), person("p3")],
        [Edge("p1", "MENTORS", "p2"), Edge("p2", "MENTORS", "p3")],
    )
    assert brokerage(store, "sector")["nodes"][0]["id"] == "p2"  # state and null: two groups
    store.write([person("p3", sector="state")], [])
    with pytest.raises(InvalidInput, match="all 3 actors fall in one group"):
        brokerage(store, "sector")
    with pytest.raises(InvalidInput, match="one group"):
        gaps(store, by="sector")


# -- the same answer on both stores ----------------------------------------------------------


def every_answer(store: GraphStore) -> dict[str, Any]:
    """Every verb's JSON on a loaded store, with the options users reach for."""
    actors = [r["id"] for r in brokerage(store, "kind")["nodes"]]
    answers: dict[str, Any] = {}
    for ref in actors[:8]:
        answers[f"reach {ref}"] = reach(store, ref, 2)
        answers[f"reach {ref} knowledge"] = reach(store, ref, 3, types=KNOWLEDGE)
        answers[f"impact {ref}"] = broker_impact(store, ref, "kind")
    answers["group reach"] = reach_group(store, actors[:5], 2, targets=["Area"])
    for group_by in ("admin_level", "sector", "kind", "level", "member_of"):
        answers[f"brokerage {group_by}"] = brokerage(store, group_by)
        answers[f"brokerage {group_by} undirected"] = brokerage(store, group_by, undirected=True)
    for by in ("area", "beneficiary"):
        answers[f"overlap {by}"] = overlap(store, by=by)
    for by in ("admin_level", "sector", "kind"):
        answers[f"gaps {by}"] = gaps(store, by=by)
    return answers


@pytest.mark.neo4j
@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_both_stores_give_identical_answers(
    embedded_store: GraphStore, neo4j_store: GraphStore, sample: str
) -> None:
    mine = every_answer(load(embedded_store, sample))
    theirs = every_answer(load(neo4j_store, sample))
    assert mine.keys() == theirs.keys()
    for question in mine:
        assert mine[question] == theirs[question], question
    # and nothing a JSON parser would refuse (no NaN, no infinity)
    json.dumps(mine, allow_nan=False)


@pytest.mark.neo4j
def test_reach_on_neo4j_never_copies_the_graph_out(
    neo4j_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(neo4j_store, "informal-workers-km")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("reach must run in the database, not on a copy of the graph")

    monkeypatch.setattr(neo4j_store, "subgraph", refuse)
    monkeypatch.setattr(neo4j_store, "edges_among", refuse)
    doc = reach(neo4j_store, "org-thaihealth", 2)
    assert (doc["reach"], doc["weighted_reach"]) == (8, 5.0)

"""Gaps (graph_service.analysis.gaps): blocks, the E-I index, missing links with their
brokers, and the named gap reports, on small graphs checked by hand and on the bundled
samples (DOMAIN.md sections 2, 3 and 5; CONTRACT.md section 3, ``gaps``)."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

from graph_service.analysis.gaps import gaps, gaps_report, order_groups, readiness_of
from graph_service.domain import Edge, Node, Subgraph
from graph_service.errors import InvalidInput
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation, person

SAMPLES = Path(__file__).resolve().parents[2] / "graph_service" / "data" / "samples"


def org(id: str, level: str | None = None, sector: str | None = None) -> Node:
    props = {}
    if level is not None:
        props["admin_level"] = level
    if sector is not None:
        props["sector"] = sector
    return organisation(id, **props)


def knowledge(id: str, readiness: object = None) -> Node:
    props: dict = {"name": id}
    if readiness is not None:
        props["readiness"] = readiness
    return Node(id, "KnowledgeAsset", props)


def block(doc: dict, g: str | None, h: str | None) -> dict:
    (found,) = [b for b in doc["blocks"] if (b["from"], b["to"]) == (g, h)]
    return found


def missing(doc: dict, g: str | None, h: str | None, level: object = "-") -> dict:
    (found,) = [
        m
        for m in doc["missing"]
        if (m["from"], m["to"]) == (g, h) and (level == "-" or m["level"] == level)
    ]
    return found


def approx(fraction: Fraction) -> object:
    return pytest.approx(float(fraction), abs=1e-9)


# --- a graph of administrative levels -------------------------------------------------------
#
#   o_nat (national) ── o_prov1, o_prov2 (provincial; the two also tied to each other)
#   o_prov1 ── o_dist1 (district) ── o_dist2 (district) ── x (no level) ── o_vil (village)
#
# Levels present: national, provincial, district, village (regional and subdistrict absent).


def levels_graph() -> tuple[list[Node], list[Edge]]:
    nodes = [
        org("o_nat", "national"),
        org("o_prov1", "provincial"),
        org("o_prov2", "provincial"),
        org("o_dist1", "district"),
        org("o_dist2", "district"),
        org("o_vil", "village"),
        network("x"),
        Node("area", "Area", {"name": "area", "admin_level": "provincial"}),
    ]
    edges = [
        Edge("o_nat", "PARTNERS_WITH", "o_prov1"),
        Edge("o_nat", "SUPPORTS", "o_prov2"),
        Edge("o_prov2", "SUPPORTS", "o_nat"),  # both ways: still one tie
        Edge("o_prov1", "MEMBER_OF", "o_prov2"),
        Edge("o_prov1", "PARTNERS_WITH", "o_prov2"),  # a second relationship: still one tie
        Edge("o_prov1", "COORDINATES", "o_dist1"),
        Edge("o_dist1", "PARTNERS_WITH", "o_dist2"),
        Edge("o_dist2", "MEMBER_OF", "x"),
        Edge("o_vil", "MEMBER_OF", "x"),
        Edge("o_vil", "PARTNERS_WITH", "o_vil"),  # a self-tie: ignored
        Edge("o_prov1", "LOCATED_IN", "area"),  # not an actor: not a tie
    ]
    return nodes, edges


@pytest.fixture
def levels_doc() -> dict:
    return gaps_report(Subgraph.of(*levels_graph()))


def test_counts_every_pair_once(levels_doc: dict) -> None:
    assert levels_doc["by"] == "admin_level"
    assert levels_doc["actors"] == 7
    assert levels_doc["ties"] == 7


def test_blocks_in_top_down_order_with_null_last(levels_doc: dict) -> None:
    order = ["national", "provincial", "district", "village", None]
    expected = [(g, h) for i, g in enumerate(order) for h in order[i:]]
    assert [(b["from"], b["to"]) for b in levels_doc["blocks"]] == expected


@pytest.mark.parametrize(
    ("g", "h", "direction", "ties", "possible", "density"),
    [
        ("national", "national", "horizontal", 0, 0, None),
        ("national", "provincial", "vertical", 2, 2, 1.0),
        ("national", "district", "vertical", 0, 2, 0.0),
        ("provincial", "provincial", "horizontal", 1, 1, 1.0),
        ("provincial", "district", "vertical", 1, 4, 0.25),
        ("district", "district", "horizontal", 1, 1, 1.0),
        ("district", None, None, 1, 2, 0.5),
        ("village", None, None, 1, 1, 1.0),
        ("village", "village", "horizontal", 0, 0, None),
        (None, None, None, 0, 0, None),
    ],
)
def test_blocks(
    levels_doc: dict,
    g: str | None,
    h: str | None,
    direction: str | None,
    ties: int,
    possible: int,
    density: float | None,
) -> None:
    row = block(levels_doc, g, h)
    split = row.pop("ties_by_direction")
    assert sum(split.values()) == ties
    assert row == {
        "from": g,
        "to": h,
        "direction": direction,
        "ties": ties,
        "possible": possible,
        "density": density,
    }


def test_ei_index_overall_and_per_group(levels_doc: dict) -> None:
    # internal: prov1-prov2, dist1-dist2; external: nat-prov1, nat-prov2, prov1-dist1,
    # dist2-x, vil-x
    assert (levels_doc["internal"], levels_doc["external"]) == (2, 5)
    assert levels_doc["ei_index"] == approx(Fraction(5 - 2, 7))
    groups = {g["group"]: g for g in levels_doc["groups"]}
    assert [g["group"] for g in levels_doc["groups"]] == [
        "national",
        "provincial",
        "district",
        "village",
        None,
    ]
    assert groups["national"] == {
        "group": "national",
        "actors": 1,
        "internal": 0,
        "external": 2,
        "ei_index": 1.0,
    }
    assert (groups["provincial"]["internal"], groups["provincial"]["external"]) == (1, 3)
    assert groups["provincial"]["ei_index"] == approx(Fraction(2, 4))
    assert (groups["district"]["internal"], groups["district"]["external"]) == (1, 2)
    assert groups["district"]["ei_index"] == approx(Fraction(1, 3))
    assert groups[None]["actors"] == 1 and groups[None]["ei_index"] == 1.0


def test_notes_name_the_attribute_and_the_actors_without_it(levels_doc: dict) -> None:
    note = levels_doc["groups_note"]
    assert "'admin_level'" in note and "1 actor(s) have no 'admin_level'" in note
    assert levels_doc["notes"][0] == note


def test_missing_levels_are_adjacent_present_levels(levels_doc: dict) -> None:
    pairs = [(m["from"], m["to"], m["direction"]) for m in levels_doc["missing"]]
    # regional and subdistrict are absent, so national-provincial and district-village are
    # adjacent; the null group takes no part
    assert pairs == [
        ("national", "provincial", "vertical"),
        ("provincial", "district", "vertical"),
        ("district", "village", "vertical"),
    ]


def test_one_actor_gap_through_a_hub(levels_doc: dict) -> None:
    gap = missing(levels_doc, "national", "provincial")
    assert gap["status"] == "one_actor"
    assert gap["ties"] == 2
    assert gap["through"] == "o_nat"
    assert gap["fragile"] == ["o_nat"]
    # counted as if o_nat had left: nobody is in or tied to national any more, so every
    # broker needs one new tie; o_nat itself is never a broker
    assert gap["brokers"] == ["o_prov1", "o_dist1", "o_prov2"]
    assert {c["new_ties"] for c in gap["candidates"]} == {1}
    assert gap["candidates"][0] == {
        "id": "o_prov1",
        "name": "o_prov1",
        "group": "provincial",
        "new_ties": 1,
        "degree": 3,
    }


def test_one_actor_gap_on_a_single_tie(levels_doc: dict) -> None:
    gap = missing(levels_doc, "provincial", "district")
    assert gap["status"] == "one_actor" and gap["ties"] == 1
    # both ends of the only tie are fragile; the one with more ties is named
    assert gap["through"] == "o_prov1"
    assert gap["fragile"] == ["o_prov1", "o_dist1"]
    # without o_prov1: provincial is {o_prov2} and o_nat (tied to it); district is
    # {o_dist2} and x (tied to it); all four have degree 2, so they come by id
    assert gap["brokers"] == ["o_dist2", "o_nat", "o_prov2", "x"]
    assert {c["new_ties"] for c in gap["candidates"]} == {1}


def test_none_gap_closed_by_an_actor_of_a_third_group(levels_doc: dict) -> None:
    gap = missing(levels_doc, "district", "village")
    assert gap["status"] == "none"
    assert (gap["ties"], gap["through"], gap["fragile"]) == (0, None, [])
    # x (group null) is tied to o_dist2 and to o_vil: no new tie needed
    assert gap["brokers"] == ["x"]
    assert gap["candidates"] == [
        {"id": "x", "name": "x", "group": None, "new_ties": 0, "degree": 2}
    ]


def test_types_filter() -> None:
    sub = Subgraph.of(*levels_graph())
    doc = gaps_report(sub, types=["PARTNERS_WITH"])
    # o_nat-o_prov1, o_prov1-o_prov2, o_dist1-o_dist2 (the self-tie is dropped)
    assert doc["types"] == ["PARTNERS_WITH"]
    assert doc["ties"] == 3
    assert block(doc, "national", "provincial")["ties"] == 1
    assert block(doc, "provincial", "district")["ties"] == 0
    assert missing(doc, "provincial", "district")["status"] == "none"
    as_text = gaps_report(sub, types="PARTNERS_WITH, MEMBER_OF")
    assert as_text["types"] == ["MEMBER_OF", "PARTNERS_WITH"]
    assert as_text["ties"] == 5


def test_blocks_by_other_attribute_have_no_direction() -> None:
    nodes, edges = levels_graph()
    doc = gaps_report(Subgraph.of(nodes, edges), by="kind")
    assert [g["group"] for g in doc["groups"]] == ["Network", "Organisation"]
    assert {b["direction"] for b in doc["blocks"]} == {None}
    assert block(doc, "Network", "Organisation")["ties"] == 2
    assert block(doc, "Network", "Organisation")["possible"] == 6
    assert block(doc, "Organisation", "Organisation")["ties"] == 5
    assert block(doc, "Organisation", "Organisation")["possible"] == 15
    # every pair of groups is looked at; Network-Organisation has two ties through x
    (gap,) = doc["missing"]
    assert (gap["from"], gap["to"], gap["direction"], gap["status"]) == (
        "Network",
        "Organisation",
        None,
        "one_actor",
    )
    assert gap["through"] == "x"


def test_other_attribute_none_gaps_and_null_group() -> None:
    nodes = [
        person("a", team="red"),
        person("b", team="red"),
        person("c", team="blue"),
        person("f", team="blue"),
        person("d", team="green"),
        person("e"),
    ]
    edges = [
        Edge("a", "MENTORS", "c"),
        Edge("b", "MENTORS", "f"),
        Edge("e", "MENTORS", "d"),
        Edge("e", "MENTORS", "a"),
    ]
    doc = gaps_report(Subgraph.of(nodes, edges), by="team")
    assert [g["group"] for g in doc["groups"]] == ["blue", "green", "red", None]
    # blue-red has two ties with no common end: no gap; e's group (null) is never paired
    gaps_found = [(m["from"], m["to"], m["status"]) for m in doc["missing"]]
    assert gaps_found == [("blue", "green", "none"), ("green", "red", "none")]
    # green-red: e (null) is tied to d (green) and a (red)
    assert missing(doc, "green", "red")["brokers"] == ["e"]
    assert missing(doc, "green", "red")["candidates"][0]["new_ties"] == 0
    # blue-green: nobody touches both; c, f, a, b touch blue, d and e touch green
    blue_green = missing(doc, "blue", "green")
    assert {c["new_ties"] for c in blue_green["candidates"]} == {1}
    assert blue_green["brokers"] == ["a", "e", "b", "c", "d", "f"]  # degree 2, 2, then 1


# --- sectors within each level ---------------------------------------------------------------


def sector_graph() -> tuple[list[Node], list[Edge]]:
    nodes = [
        org("d_state1", "district", "state"),
        org("d_state2", "district", "state"),
        org("d_civil", "district", "civil_society"),
        org("d_acad", "district", "academic"),
        org("d_none", "district"),  # no sector
        org("p_state", "provincial", "state"),
        org("p_civil", "provincial", "civil_society"),
        org("u_state", sector="state"),  # no level
        org("u_comm", sector="community"),
    ]
    edges = [
        Edge("d_state1", "PARTNERS_WITH", "d_civil"),
        Edge("d_state2", "PARTNERS_WITH", "d_civil"),
        Edge("d_none", "PARTNERS_WITH", "d_acad"),
        Edge("d_none", "PARTNERS_WITH", "d_civil"),
        Edge("p_state", "SUPPORTS", "d_acad"),
        Edge("p_state", "SUPPORTS", "d_state1"),
        Edge("p_civil", "PARTNERS_WITH", "u_state"),
        Edge("u_state", "PARTNERS_WITH", "u_comm"),
    ]
    return nodes, edges


@pytest.fixture
def sector_doc() -> dict:
    return gaps_report(Subgraph.of(*sector_graph()), by="sector")


def test_sector_blocks_are_horizontal(sector_doc: dict) -> None:
    assert [g["group"] for g in sector_doc["groups"]] == [
        "academic",
        "civil_society",
        "community",
        "state",
        None,
    ]
    # sectors are compared as peers (horizontal), but a block whose ties are not all
    # horizontal says so: p_state (provincial) - d_acad and - d_state1 (district) are
    # vertical; u_state has no level (undecided)
    not_horizontal = {
        (b["from"], b["to"]): b["direction"]
        for b in sector_doc["blocks"]
        if b["direction"] != "horizontal"
    }
    assert not_horizontal == {
        ("academic", "state"): "vertical",
        ("civil_society", "state"): None,
        ("community", "state"): None,
        ("state", "state"): "vertical",
    }
    # state (4 actors) - civil_society (2): d_state1, d_state2 with d_civil; u_state-p_civil
    assert block(sector_doc, "civil_society", "state")["ties"] == 3
    assert block(sector_doc, "civil_society", "state")["possible"] == 8
    assert block(sector_doc, "state", "state")["ties"] == 1  # p_state-d_state1
    assert block(sector_doc, "state", "state")["possible"] == 6


def test_sector_pairs_per_level(sector_doc: dict) -> None:
    found = [(m["level"], m["from"], m["to"], m["status"]) for m in sector_doc["missing"]]
    assert found == [
        ("provincial", "civil_society", "state", "none"),
        ("district", "academic", "civil_society", "none"),
        ("district", "academic", "state", "none"),
        ("district", "civil_society", "state", "one_actor"),
        # u_state and u_comm have no admin_level: the pairs of their sectors are compared
        # on all their ties (those the block table counts), direction undecided
        (None, "academic", "community", "none"),
        (None, "academic", "state", "one_actor"),
        (None, "civil_society", "community", "none"),
        (None, "community", "state", "one_actor"),
    ]
    assert [m["direction"] for m in sector_doc["missing"]] == ["horizontal"] * 4 + [None] * 4
    assert [m.get("undecided", "")[:40] for m in sector_doc["missing"]][3:5] == [
        "",
        "1 actor(s) of academic and community hav",
    ]


def test_sector_blocks_split_ties_by_direction(sector_doc: dict) -> None:
    # d_state1-d_civil and d_state2-d_civil at district; p_civil-u_state: u_state has no level
    assert block(sector_doc, "civil_society", "state")["ties_by_direction"] == {
        "horizontal": 2,
        "vertical": 0,
        "undecided": 1,
    }
    # p_state (provincial) - d_state1 (district)
    assert block(sector_doc, "state", "state")["ties_by_direction"] == {
        "horizontal": 0,
        "vertical": 1,
        "undecided": 0,
    }


def test_sector_brokers_within_a_level(sector_doc: dict) -> None:
    # d_none (no sector) is tied to d_acad and d_civil
    gap = missing(sector_doc, "academic", "civil_society", "district")
    assert gap["brokers"] == ["d_none"] and gap["candidates"][0]["new_ties"] == 0
    # p_state, at another level, is tied to d_acad and to d_state1
    gap = missing(sector_doc, "academic", "state", "district")
    assert gap["brokers"] == ["p_state"] and gap["candidates"][0]["new_ties"] == 0
    # provincial: p_state touches state (with d_acad, d_state1), p_civil civil (with u_state)
    gap = missing(sector_doc, "civil_society", "state", "provincial")
    assert gap["brokers"] == ["d_acad", "d_state1", "p_state", "u_state", "p_civil"]
    assert {c["new_ties"] for c in gap["candidates"]} == {1}


def test_sector_one_actor_gaps(sector_doc: dict) -> None:
    gap = missing(sector_doc, "civil_society", "state", "district")
    assert (gap["ties"], gap["through"], gap["fragile"]) == (2, "d_civil", ["d_civil"])
    # without d_civil nobody touches district civil society
    assert gap["brokers"] == ["d_state1", "p_state", "d_state2"]
    assert {c["new_ties"] for c in gap["candidates"]} == {1}
    gap = missing(sector_doc, "community", "state", None)
    assert (gap["ties"], gap["through"], gap["fragile"]) == (1, "u_state", ["u_state", "u_comm"])
    # compared on all ties (u_state, u_comm have no level): without the two, community is
    # touched by nobody, state by its district and provincial actors and their partners
    # (p_civil only through u_state): one new tie each, by degree then id
    assert gap["brokers"] == ["d_civil", "d_acad", "d_state1", "p_state", "d_state2"]
    assert {c["new_ties"] for c in gap["candidates"]} == {1}


def test_sector_levels_when_no_actor_has_a_level() -> None:
    nodes = [org("a", sector="state"), org("b", sector="academic"), org("c", sector="state")]
    doc = gaps_report(Subgraph.of(nodes, [Edge("a", "PARTNERS_WITH", "c")]), by="sector")
    (gap,) = doc["missing"]
    assert (gap["level"], gap["from"], gap["to"], gap["status"]) == (
        None,
        "academic",
        "state",
        "none",
    )


# --- named reports ----------------------------------------------------------------------------


def test_isolated_networks() -> None:
    nodes = [
        network("net_local", admin_level="district"),
        org("org_d", "district"),
        network("net_linked", admin_level="district"),
        org("org_d2", "district"),
        org("org_prov", "provincial"),
        network("net_national", admin_level="national"),
        network("net_alone"),
        Node("prog", "Programme", {"name": "prog"}),
    ]
    edges = [
        Edge("org_d", "MEMBER_OF", "net_local"),
        Edge("net_linked", "SUPPORTS", "org_d2"),
        Edge("org_prov", "COORDINATES", "org_d2"),  # two steps, against the arrows
        Edge("prog", "USES", "net_alone"),  # not an actor: no route
    ]
    doc = gaps_report(Subgraph.of(nodes, edges))
    assert doc["reports"]["isolated_networks"] == [
        {"id": "net_alone", "name": "net_alone", "admin_level": None},
        {"id": "net_local", "name": "net_local", "admin_level": "district"},
    ]
    # only SUPPORTS ties: the route of net_linked is cut
    doc = gaps_report(Subgraph.of(nodes, edges), types=["SUPPORTS"])
    assert [r["id"] for r in doc["reports"]["isolated_networks"]] == [
        "net_alone",
        "net_linked",
        "net_local",
    ]


def test_unused_mature_knowledge() -> None:
    nodes = [
        org("org_p", "provincial"),
        org("org_u", "district"),
        person("p1", admin_level="district"),
        network("net_u"),
        knowledge("ka1", 1),
        knowledge("ka2", "2"),
        knowledge("ka3", 2.0),
        knowledge("ka4", 3),
        knowledge("ka5"),
        knowledge("ka6", "๑"),
    ]
    edges = [
        Edge("org_p", "PRODUCES", "ka1"),
        Edge("p1", "USES", "ka1"),
        Edge("org_u", "USES", "ka2"),  # an organisation uses it: not reported
        Edge("net_u", "USES", "ka6"),
        Edge("p1", "PRODUCES", "ka6"),
        Edge("org_u", "USES", "ka4"),
        Edge("org_p", "PARTNERS_WITH", "org_u"),
    ]
    doc = gaps_report(Subgraph.of(nodes, edges))
    assert doc["reports"]["unused_mature_knowledge"] == [
        # ka1 (a person uses it), ka2 (an organisation) and ka6 (a network) are in use
        {"id": "ka3", "name": "ka3", "readiness": 2, "producers": [], "users": []},
    ]


def test_readiness_values() -> None:
    assert [readiness_of(v) for v in (1, 2.0, "2", " ๑ ", "2.5", "", None, True, "x")] == [
        1,
        2,
        2,
        1,
        None,
        None,
        None,
        None,
        None,
    ]


def test_personal_only_organisations() -> None:
    nodes = [
        org("org_a", "district"),
        org("org_b", "district"),
        org("org_c", "district"),
        org("org_d", "district"),
        network("net_n", admin_level="district"),
        network("net_m", admin_level="provincial"),
        *(person(f"p{i}") for i in range(1, 8)),
    ]
    personal = {"capacity": "personal"}
    institutional = {"capacity": "institutional"}
    edges = [
        # org_a: two people sit in net_n personally, one of them in net_m too
        Edge("p1", "WORKS_FOR", "org_a"),
        Edge("p1", "MEMBER_OF", "net_n", personal),
        Edge("p2", "MEMBER_OF", "org_a"),
        Edge("p2", "MEMBER_OF", "net_n", {"capacity": " Personal "}),
        Edge("p1", "MEMBER_OF", "net_m", personal),
        # org_b has a relationship of its own with net_n (from the network's side)
        Edge("p3", "WORKS_FOR", "org_b"),
        Edge("p3", "MEMBER_OF", "net_n", personal),
        Edge("net_n", "SUPPORTS", "org_b"),
        # org_c also has a person in net_n on its behalf
        Edge("p4", "WORKS_FOR", "org_c"),
        Edge("p4", "MEMBER_OF", "net_n", personal),
        Edge("p5", "WORKS_FOR", "org_c"),
        Edge("p5", "MEMBER_OF", "net_n", institutional),
        # org_d: its person's membership says no capacity
        Edge("p6", "WORKS_FOR", "org_d"),
        Edge("p6", "MEMBER_OF", "net_n"),
        # p7 sits personally but belongs to no organisation
        Edge("p7", "MEMBER_OF", "net_n", personal),
    ]
    doc = gaps_report(Subgraph.of(nodes, edges))
    assert doc["reports"]["personal_only_organisations"] == [
        {"organisation": "org_a", "network": "net_m", "people": ["p1"], "own_membership": None},
        {
            "organisation": "org_a",
            "network": "net_n",
            "people": ["p1", "p2"],
            "own_membership": None,
        },
    ]
    # ties filtered to MENTORS do not change the report: it reads the membership types
    doc = gaps_report(Subgraph.of(nodes, edges), by="kind", types=["MENTORS"])
    assert len(doc["reports"]["personal_only_organisations"]) == 2


# --- errors -----------------------------------------------------------------------------------


def test_no_actors() -> None:
    with pytest.raises(InvalidInput, match="no actors.*import a dataset first"):
        gaps_report(Subgraph.of([knowledge("ka1", 1)], []))


def test_no_actors_in_an_empty_store(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    try:
        with pytest.raises(InvalidInput, match="no actors"):
            gaps(store)
    finally:
        store.close()


def test_unknown_attribute() -> None:
    with pytest.raises(InvalidInput, match="unknown attribute 'colour'") as info:
        gaps_report(Subgraph.of(*levels_graph()), by="colour")
    assert info.value.details == {"attribute": "colour"}


@pytest.mark.parametrize("by", ["admin_level", "kind"])
def test_one_group(by: str) -> None:
    nodes = [org("a", "district"), org("b", "district")]
    with pytest.raises(InvalidInput, match="fall in one group.*another attribute") as info:
        gaps_report(Subgraph.of(nodes, [Edge("a", "PARTNERS_WITH", "b")]), by=by)
    assert info.value.details["attribute"] == by


def test_bad_types() -> None:
    with pytest.raises(InvalidInput, match="not a relationship type"):
        gaps_report(Subgraph.of(*levels_graph()), types=["member of"])


def test_order_groups() -> None:
    assert order_groups("admin_level", ["community", "other", None, "international"]) == [
        "international",
        "community",
        "other",
        None,
    ]
    assert order_groups("team", ["b", None, "a"]) == ["a", "b", None]


def test_no_nan_and_valid_json(levels_doc: dict, sector_doc: dict) -> None:
    for doc in (levels_doc, sector_doc):
        text = json.dumps(doc, allow_nan=False)  # raises on NaN or infinity
        assert json.loads(text) == doc


def test_unknown_level_word_has_no_direction_and_no_gap() -> None:
    nodes = [org("a", "district"), org("b", "zone"), org("c", "provincial")]
    doc = gaps_report(Subgraph.of(nodes, [Edge("a", "PARTNERS_WITH", "b")]))
    assert [g["group"] for g in doc["groups"]] == ["provincial", "district", "zone"]
    assert block(doc, "district", "zone")["direction"] is None
    assert [(m["from"], m["to"]) for m in doc["missing"]] == [("provincial", "district")]


# --- through a store ----------------------------------------------------------------------------


def test_store_gives_the_same_document(tmp_path: Path) -> None:
    nodes, edges = levels_graph()
    store = EmbeddedStore(tmp_path / "g.db")
    try:
        store.write(nodes, edges)
        assert gaps(store) == gaps_report(Subgraph.of(nodes, edges))
        assert gaps(store, by="kind", types="PARTNERS_WITH")["ties"] == 3
    finally:
        store.close()


# --- the bundled samples ------------------------------------------------------------------------


def sample_doc(tmp_path: Path, name: str, by: str = "admin_level") -> dict:
    from importers.load import import_dataset

    store = EmbeddedStore(tmp_path / f"{name}-{by}.db")
    try:
        import_dataset(store, str(SAMPLES / name))
        return gaps(store, by=by)
    finally:
        store.close()


def read_csv(name: str, file: str) -> list[dict[str, str]]:
    with (SAMPLES / name / f"{file}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_informal_workers_sample(tmp_path: Path) -> None:
    doc = sample_doc(tmp_path, "informal-workers-km")
    # readiness is given only for ka-csu-lessons (3) and ka-iw-org-study (4)
    readiness = {
        r["id"]: r["readiness"] for r in read_csv("informal-workers-km", "knowledge_assets")
    }
    assert {k: v for k, v in readiness.items() if v} == {
        "ka-csu-lessons": "3",
        "ka-iw-org-study": "4",
    }
    assert doc["reports"]["unused_mature_knowledge"] == []
    # no membership carries a capacity (relationships.csv has no such column)
    assert "capacity" not in read_csv("informal-workers-km", "relationships")[0]
    assert doc["reports"]["personal_only_organisations"] == []
    # net-iw-groups is joined only by person-informal-worker (whom only a programme
    # targets); net-km-mechanism is only used by a programme, net-model-groups only
    # evidences a knowledge asset
    assert doc["reports"]["isolated_networks"] == [
        {"id": "net-iw-groups", "name": "กลุ่มแรงงานนอกระบบ", "admin_level": "community"},
        {
            "id": "net-km-mechanism",
            "name": "กลไกการจัดการความรู้ที่มีความเป็นสหวิทยาการ",
            "admin_level": None,
        },
        {"id": "net-model-groups", "name": "กลุ่มต้นแบบ", "admin_level": None},
    ]
    # the only national-regional tie is org-nhso-region PART_OF org-moph
    gap = missing(doc, "national", "regional")
    assert (gap["status"], gap["ties"]) == ("one_actor", 1)
    assert set(gap["fragile"]) == {"org-moph", "org-nhso-region"}
    # no subdistrict actor is tied to a provincial one (README: the hospital reaches the
    # provincial labour office only through the ministries); net-partner-network (degree 9)
    # and org-moph (degree 5) are each tied to both levels
    gap = missing(doc, "provincial", "subdistrict")
    assert (gap["status"], gap["ties"]) == ("none", 0)
    assert gap["brokers"] == ["net-partner-network", "org-moph"]
    assert [c["degree"] for c in gap["candidates"]] == [9, 5]
    # every tie falls in exactly one block
    assert doc["ties"] == block_total(doc)


def block_total(doc: dict) -> int:
    return sum(b["ties"] for b in doc["blocks"])


def test_district_qol_sample(tmp_path: Path) -> None:
    doc = sample_doc(tmp_path, "district-qol")
    # net-pcho is directed by org-ministry (national); its team, and the visiting team
    # through person-experts, reach it; the กขป. networks are regional themselves
    assert doc["reports"]["isolated_networks"] == []
    # no regional actor is tied to a district one (README: no route from the พชอ. to กขป.)
    gap = missing(doc, "regional", "district")
    assert gap["status"] == "none"
    sector = sample_doc(tmp_path, "district-qol", by="sector")
    # at the unknown level, org-state-agencies (state) and org-people-sector (civil society)
    # are not tied; net-pcho partners the first and supports the second
    gap = missing(sector, "civil_society", "state", None)
    assert gap["status"] == "none"
    assert gap["brokers"] == ["net-pcho"] and gap["candidates"][0]["new_ties"] == 0


def test_community_occupation_sample(tmp_path: Path) -> None:
    doc = sample_doc(tmp_path, "community-occupation")
    # the sample gives no readiness levels, so no mature asset can be unused
    assert all(not r.get("readiness") for r in read_csv("community-occupation", "knowledge_assets"))
    assert doc["reports"]["unused_mature_knowledge"] == []
    assert doc["ei_index"] is not None
    assert doc["ties"] == block_total(doc)

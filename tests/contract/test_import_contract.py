"""Importing the real samples and the Thai geography, on both stores, with the same result."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.entities import describe_entity
from graph_service.store import neighbourhood
from graph_service.store.base import GraphStore
from importers.load import import_dataset, import_graph
from importers.thai_admin import read_geography
from tests.conftest import SAMPLE_NAMES, SAMPLES

# Counts by kind from each sample's README; relationships are the rows of relationships.csv
# plus the ones the shorthand columns add (checked by hand against the files):
# community-occupation: funder_id on 3 funds (PROVIDES) and on prog-cbod (FUNDS; the other
# programme's FUNDS is also a row); district-qol: parent_id on 6 areas (PART_OF);
# informal-workers-km: funder_id on fund-thaihealth (PROVIDES).
EXPECTED = {
    "community-occupation": (
        {
            "Organisation": 17,
            "Person": 6,
            "Network": 6,
            "Programme": 13,
            "Fund": 3,
            "KnowledgeAsset": 23,
            "Area": 6,
        },
        121 + 3 + 1,
    ),
    "district-qol": (
        {
            "Organisation": 6,
            "Person": 5,
            "Network": 7,
            "Programme": 5,
            "KnowledgeAsset": 9,
            "Area": 8,
        },
        38 + 6,
    ),
    "informal-workers-km": (
        {
            "Organisation": 35,
            "Person": 4,
            "Network": 6,
            "Programme": 11,
            "Fund": 2,
            "KnowledgeAsset": 10,
            "Area": 7,
        },
        95 + 1,
    ),
}


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_each_sample_imports_and_a_second_import_changes_nothing(
    store: GraphStore, sample: str
) -> None:
    kinds, relationships = EXPECTED[sample]
    report = import_dataset(store, SAMPLES / sample)
    assert report.written.nodes_created == sum(kinds.values())
    stats = store.stats()
    assert stats.nodes == kinds
    assert sum(stats.relationships.values()) == relationships
    again = import_dataset(store, SAMPLES / sample)
    assert again.written.changed == 0
    assert again.written.nodes_unchanged == sum(kinds.values())
    assert again.written.edges_unchanged == relationships
    assert store.stats() == stats


def test_sample_answers_from_its_readme(store: GraphStore) -> None:
    import_dataset(store, SAMPLES / "informal-workers-km")
    # "reach org-thaihealth --depth 2 -> 8 nodes ... At distance 1: prog-iw-programme and
    # fund-thaihealth."
    sub = neighbourhood(store, "org-thaihealth", 2)
    reached = {n: d for n, d in sub.distance.items() if d > 0}
    assert len(reached) == 8
    assert {n for n, d in reached.items() if d == 1} == {"prog-iw-programme", "fund-thaihealth"}
    assert sum(1 / d for d in reached.values()) == 5.0
    # "ka-iw-org-study ... readiness 4"; years are stored in the Common Era
    ka = store.get_nodes(["ka-iw-org-study"])["ka-iw-org-study"]
    assert ka.props["readiness"] == 4
    programme = store.get_nodes(["prog-iw-programme"])["prog-iw-programme"]
    assert programme.props["start_year"] == 2004  # 2547 BE


def test_stated_direction_and_thai_digits_in_district_qol(store: GraphStore) -> None:
    import_dataset(store, SAMPLES / "district-qol")
    doc = describe_entity(store, "net-pcho")
    stated = {(r["type"], r["other"]): r["direction"] for r in doc["relationships"]}
    assert stated[("VOICES_TO", "person-citizens")] == "horizontal"
    assert stated[("DIRECTS", "org-state-agencies")] == "vertical"
    # "กขป.เขต ๑๒" and "กขป.เขต 12" name the same committee
    assert describe_entity(store, "ทีม กขป.เขต 12 ชุดเล็ก")["id"] == "net-kkp12-small-team"


def _canonical(store: GraphStore) -> dict[str, Any]:
    sub = store.subgraph()
    return {
        "nodes": sorted(
            (n.id, n.kind, sorted(n.props.items(), key=str)) for n in sub.nodes.values()
        ),
        "edges": sorted(
            (e.key, e.source, e.type, e.target, sorted(e.props.items(), key=str)) for e in sub.edges
        ),
        "stats": store.stats().to_dict() | {"version": None},
        "show": [describe_entity(store, i) for i in ("org-eef", "net-pcho", "org-mol")],
    }


@pytest.mark.neo4j
def test_both_stores_hold_the_same_graph_after_all_samples(
    embedded_store: GraphStore, neo4j_store: GraphStore
) -> None:
    for store in (embedded_store, neo4j_store):
        for sample in SAMPLE_NAMES:
            import_dataset(store, SAMPLES / sample)
    left, right = _canonical(embedded_store), _canonical(neo4j_store)
    for show in left["show"] + right["show"]:
        show["relationships"].sort(key=lambda r: (r["type"], r["other"], str(r["properties"])))
    assert left == right
    assert len(left["nodes"]) == 187


def test_thai_geography_imports_completely_and_idempotently(store: GraphStore) -> None:
    nodes, edges = read_geography()
    report = import_graph(store, nodes, edges, "thai-admin")
    assert report.written.nodes_created == 1 + 6 + 77 + 929 + 7451
    stats = store.stats()
    assert stats.nodes == {"Area": 8464}
    assert stats.relationships == {"PART_OF": 8463}
    again = import_graph(store, nodes, edges, "thai-admin")
    assert again.written.changed == 0
    assert store.stats() == stats
    # Phatthalung (DOPA 93): 11 districts, 65 subdistricts, all within 2 steps below it
    phatthalung = store.get_nodes(["th-93"])["th-93"]
    assert phatthalung.props["name"] == "พัทลุง"
    below = neighbourhood(store, "th-93", 2, types=["PART_OF"])
    levels = [n.props["admin_level"] for i, n in below.nodes.items() if i.startswith("th-93")]
    assert levels.count("district") == 11
    assert levels.count("subdistrict") == 65


def test_user_data_attaches_to_real_areas_by_dopa_code(store: GraphStore, tmp_path) -> None:
    nodes, edges = read_geography(province="93")
    import_graph(store, nodes, edges, "thai-admin")
    folder = tmp_path / "fund"
    folder.mkdir()
    (folder / "funds.csv").write_text(
        'id,name,area_id,amount_thb,year\nfund-welfare,กองทุนสวัสดิการชุมชน,th-9301,"3,000,000",๒๕๕๑\n',
        encoding="utf-8",
    )
    import_dataset(store, folder)
    fund = store.get_nodes(["fund-welfare"])["fund-welfare"]
    assert fund.props["amount_thb"] == 3000000 and fund.props["year"] == 2008
    [edge] = store.edges_of("fund-welfare")
    assert (edge.type, edge.target) == ("LOCATED_IN", "th-9301")

"""Wrong answer 9 of issue 12: a dataset's area with a DOPA ``code`` is the geography's area.

``area-93`` (code 93) of a dataset and the geography's ``th-93`` are one entity, ``th-93``,
whichever is imported first: the dataset's id and other name are kept in ``aliases`` (and
resolve), its other properties are kept, its relationships point at ``th-93``. Both orders
give the same graph, on both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph_service.domain import normalise_name
from graph_service.entities import describe_entity, resolve_entity
from graph_service.store.base import GraphStore
from importers.load import import_dataset, import_geography
from importers.thai_admin import read_geography
from tests.factories import write_csv

#: Phatthalung alone: th, th-region-6, th-93, 11 districts and 65 subdistricts
PHATTHALUNG_AREAS = 79


def dataset(folder: Path, province_name: str = "พัทลุง") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "areas.csv",
        ["id", "name", "admin_level", "code", "parent_id", "need_thb", "aliases"],
        [
            ["area-93", province_name, "provincial", "93", "", "500", "เมืองลุง"],
            ["area-9301", "อำเภอเมืองพัทลุง", "district", "9301", "area-93", "", ""],
            ["area-x", "ชุมชนริมทะเล", "community", "", "area-9301", "", ""],
        ],
    )
    write_csv(
        folder / "organisations.csv",
        ["id", "name", "area_id"],
        [["org-a", "กลุ่มออมทรัพย์", "area-93"]],
    )
    write_csv(
        folder / "funds.csv",
        ["id", "name"],
        [["fund-1", "กองทุนสวัสดิการชุมชน"]],
    )
    write_csv(
        folder / "relationships.csv",
        ["source", "target", "type", "amount_thb"],
        [["fund-1", "area-93", "FUNDS", "300"], ["org-a", "area-9301", "OPERATES_IN", ""]],
    )
    return folder


def geography(store: GraphStore) -> None:
    nodes, edges = read_geography(province="93")
    import_geography(store, nodes, edges, "thai-admin")


def graph_of(store: GraphStore) -> tuple[dict[str, Any], set[tuple[Any, ...]]]:
    sub = store.subgraph()
    nodes = {i: (n.kind, n.props) for i, n in sub.nodes.items()}
    edges = {(e.source, e.type, e.target, tuple(sorted(e.props.items()))) for e in sub.edges}
    return nodes, edges


def check_one_phatthalung(store: GraphStore) -> None:
    assert store.get_nodes(["area-93", "area-9301"]) == {}
    province = store.get_nodes(["th-93"])["th-93"]
    assert province.props == {
        "name": "พัทลุง",
        "name_en": "Phatthalung",
        "admin_level": "provincial",
        "code": "93",
        "thai_admin_id": "73",
        "need_thb": 500,
        "aliases": "เมืองลุง|area-93",
    }
    district = store.get_nodes(["th-9301"])["th-9301"]
    assert district.name == "เมืองพัทลุง"
    assert district.props["aliases"] == "area-9301|อำเภอเมืองพัทลุง"
    # one entity answers to the name, the old id and the other names
    assert [n.id for n in store.find_by_name(normalise_name("พัทลุง"))] == ["th-93"]
    for ref in ("พัทลุง", "area-93", "เมืองลุง", "th-93"):
        assert resolve_entity(store, ref).id == "th-93", ref
    assert resolve_entity(store, "area-9301").id == "th-9301"
    # the dataset's relationships point at the one entity
    shown = describe_entity(store, "th-93")
    ties = sorted(
        (r["type"], r["other"], r["outgoing"])
        for r in shown["relationships"]
        if r["type"] != "PART_OF" or r["outgoing"]
    )
    assert ties == [
        ("FUNDS", "fund-1", False),
        ("LOCATED_IN", "org-a", False),
        ("PART_OF", "th-region-6", True),
    ]
    funds = [r for r in shown["relationships"] if r["type"] == "FUNDS"]
    assert funds[0]["properties"] == {"amount_thb": 300}
    org = sorted((r["type"], r["other"]) for r in describe_entity(store, "org-a")["relationships"])
    assert org == [("LOCATED_IN", "th-93"), ("OPERATES_IN", "th-9301")]
    community = describe_entity(store, "area-x")["relationships"]
    assert [(r["type"], r["other"]) for r in community] == [("PART_OF", "th-9301")]
    # th-9301 has one PART_OF up, not two
    up = [
        r["other"]
        for r in describe_entity(store, "th-9301")["relationships"]
        if r["type"] == "PART_OF" and r["outgoing"]
    ]
    assert up == ["th-93"]
    stats = store.stats()
    assert stats.nodes == {"Area": PHATTHALUNG_AREAS + 1, "Organisation": 1, "Fund": 1}


def test_dataset_first_then_geography(store: GraphStore, tmp_path: Path) -> None:
    import_dataset(store, dataset(tmp_path / "ds"))
    assert len(store.find_by_name(normalise_name("พัทลุง"))) == 1  # area-93 alone
    geography(store)
    check_one_phatthalung(store)
    # both again, in either order: nothing changes
    version = store.version()
    again = import_dataset(store, dataset(tmp_path / "ds"))
    assert again.written.changed == 0
    geography(store)
    assert store.version() == version
    check_one_phatthalung(store)


def test_geography_first_then_dataset(store: GraphStore, tmp_path: Path) -> None:
    geography(store)
    import_dataset(store, dataset(tmp_path / "ds"))
    check_one_phatthalung(store)
    version = store.version()
    assert import_dataset(store, dataset(tmp_path / "ds")).written.changed == 0
    geography(store)
    assert store.version() == version


@pytest.mark.parametrize("first", ["dataset", "geography"])
def test_both_orders_give_the_same_graph(store: GraphStore, tmp_path: Path, first: str) -> None:
    """The graph of one order, compared with a graph built by hand of the other: the same
    entities with the same properties, the same relationships."""
    if first == "dataset":
        import_dataset(store, dataset(tmp_path / "ds"))
        geography(store)
    else:
        geography(store)
        import_dataset(store, dataset(tmp_path / "ds"))
    nodes, edges = graph_of(store)
    assert len(nodes) == PHATTHALUNG_AREAS + 3
    assert ("org-a", "LOCATED_IN", "th-93", ()) in edges
    assert ("fund-1", "FUNDS", "th-93", (("amount_thb", 300),)) in edges
    assert not any("area-93" in (s, t) or "area-9301" in (s, t) for s, _, t, _ in edges)
    store.clear()
    other = "geography" if first == "dataset" else "dataset"
    if other == "dataset":
        import_dataset(store, dataset(tmp_path / "ds"))
        geography(store)
    else:
        geography(store)
        import_dataset(store, dataset(tmp_path / "ds"))
    assert graph_of(store) == (nodes, edges)


def test_a_relationship_may_name_the_merged_area_by_its_old_id(
    store: GraphStore, tmp_path: Path
) -> None:
    """After the merge, a later dataset that names ``area-93`` (not in it) is read as
    naming ``th-93``: no "unknown id", no second entity."""
    import_dataset(store, dataset(tmp_path / "ds"))
    geography(store)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later / "networks.csv", ["id", "name", "area_id"], [["net-1", "เครือข่าย", "area-93"]])
    import_dataset(store, later)
    assert store.get_nodes(["area-93"]) == {}
    ties = [(r["type"], r["other"]) for r in describe_entity(store, "net-1")["relationships"]]
    assert ties == [("LOCATED_IN", "th-93")]


def test_a_different_name_in_the_dataset_becomes_an_alias(
    store: GraphStore, tmp_path: Path
) -> None:
    geography(store)
    import_dataset(store, dataset(tmp_path / "ds", province_name="จังหวัดพัทลุง"))
    province = store.get_nodes(["th-93"])["th-93"]
    assert province.name == "พัทลุง"
    assert province.props["aliases"] == "เมืองลุง|area-93|จังหวัดพัทลุง"
    assert resolve_entity(store, "จังหวัด พัทลุง").id == "th-93"

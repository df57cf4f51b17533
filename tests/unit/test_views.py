"""Maps of the analyses (viz/views.py): what each page draws and marks, read back from the
JSON embedded in the page."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.analysis.gaps import gaps
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import by_id, network, organisation, page_data, person
from viz.views import brokerage_map, gaps_map, overlap_map, reach_map

EVIL = "</script><script>alert(1)</script>"
AMBER, RED, GREEN = "#f9a825", "#c62828", "#2e7d32"


def ghosts(data: dict) -> list[dict]:
    return [e for e in data["edges"] if e.get("ghost")]


def highlighted(data: dict) -> set[str]:
    return {n["id"] for n in data["nodes"] if n.get("highlighted")}


def _sample_store(factory: pytest.TempPathFactory, name: str) -> EmbeddedStore:
    store = EmbeddedStore(factory.mktemp(name) / "g.db")
    import_dataset(store, SAMPLES / name)
    return store


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return _sample_store(tmp_path_factory, "community-occupation")


@pytest.fixture(scope="module")
def informal(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return _sample_store(tmp_path_factory, "informal-workers-km")


# -- brokerage -------------------------------------------------------------------------------


def test_brokerage_map_on_the_sample(community: EmbeddedStore) -> None:
    data = page_data(brokerage_map(community, lang="en"))
    nodes = by_id(data["nodes"])
    assert len(nodes) == 29  # the actors, nothing else
    assert {n["kind"] for n in nodes.values()} == {"Person", "Organisation", "Network"}
    meta = data["meta"]
    assert meta["colour_by"] == "admin_level" and meta["size_by"] == "brokerage"
    assert meta["title"] == "Brokers between admin levels"
    assert nodes["org-provider"]["measure"] == 60
    assert nodes["org-provider"]["size"] == 50.0
    assert max(nodes.values(), key=lambda n: n["size"])["id"] == "org-provider"
    assert all(n["size"] < 50.0 for i, n in nodes.items() if i != "org-provider")
    # the six actors with a total above 0 (fewer than ten brokers on this sample)
    assert highlighted(data) == {
        "org-provider",
        "net-node-network",
        "person-villager",
        "net-partners",
        "org-central-team",
        "person-expert",
    }
    assert nodes["org-provider"]["color"]["border"] == "#111111"
    # the banner names the top three by name; the details the top five with their main role
    assert meta["notes"][0] == (
        "หน่วยพัฒนาอาชีพ, เครือข่ายศูนย์ประสานงาน and ชาวบ้าน are the main brokers between admin levels"
    )
    page = brokerage_map(community, lang="en")
    assert "หน่วยพัฒนาอาชีพ: in between 60 times, mostly as coordinator within a group" in page
    assert "ผู้เชี่ยวชาญ: in between" not in page  # the sixth is not among the top five
    thai = page_data(brokerage_map(community))["meta"]["notes"][0]
    assert thai == (
        "หน่วยพัฒนาอาชีพ, เครือข่ายศูนย์ประสานงาน และ ชาวบ้าน เป็นผู้ประสานเชื่อมโยงหลักระหว่างระดับพื้นที่ต่าง ๆ"
    )


def test_brokerage_map_by_member_of_colours_by_network(community: EmbeddedStore) -> None:
    page = brokerage_map(community, group_by="member_of", undirected=True, lang="en")
    data = page_data(page)
    assert data["meta"]["colour_by"] == "member_of"
    assert "net-node-network" in data["meta"]["palette"]
    # the legend names the network, not its id
    assert data["meta"]["words"]["colour"]["net-node-network"] == "เครือข่ายศูนย์ประสานงาน"
    assert "Relationships read both ways" in page


def test_brokerage_map_errors_propagate(community: EmbeddedStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no actor has it"):
        brokerage_map(community, group_by="no_such_attribute")
    with pytest.raises(InvalidInput, match="no actors"):
        brokerage_map(EmbeddedStore(tmp_path / "empty.db"))


# -- overlap ---------------------------------------------------------------------------------


def test_overlap_map_by_beneficiary(community: EmbeddedStore) -> None:
    data = page_data(overlap_map(community, by="beneficiary", lang="en"))
    nodes = by_id(data["nodes"])
    assert {"fund-project-budget", "fund-skills-grant", "org-provider"} <= set(nodes)
    assert {n["kind"] for n in nodes.values()} == {"Fund", "Organisation"}
    assert highlighted(data) == {"fund-project-budget", "fund-skills-grant"}
    assert data["meta"]["colour_by"] == "kind"
    [ghost] = ghosts(data)
    assert {ghost["from"], ghost["to"]} == {"fund-project-budget", "fund-skills-grant"}
    assert ghost["label"] == "cannot be judged yet" and ghost["color"] == AMBER
    funds = {(e["from"], e["to"]): e for e in data["edges"] if e["type"] == "FUNDS"}
    assert funds[("fund-project-budget", "org-provider")]["color"] == AMBER
    assert funds[("fund-skills-grant", "org-provider")]["color"] == AMBER
    # FUNDS edges into targets no pair shares keep their direction colour
    others = [e for k, e in funds.items() if k[1] != "org-provider"]
    assert others and all(e["color"] not in (AMBER, RED, GREEN) for e in others)
    assert data["meta"]["notes"][1] == ("0 duplicated, 0 complementary, 1 cannot be judged yet")


def test_overlap_map_by_area_colours_the_path_to_the_shared_area(
    community: EmbeddedStore,
) -> None:
    data = page_data(overlap_map(community))
    nodes = by_id(data["nodes"])
    assert nodes["area-target-communities"]["kind"] == "Area"
    coloured = {(e["from"], e["type"], e["to"]) for e in data["edges"] if e["color"] == AMBER}
    assert coloured == {
        ("fund-project-budget", "FUNDS", "org-provider"),
        ("fund-skills-grant", "FUNDS", "org-provider"),
        ("org-provider", "OPERATES_IN", "area-target-communities"),
        ("fund-project-budget", "OVERLAP", "fund-skills-grant"),  # the ghost edge
    }


def test_overlap_map_precedence_of_kinds(tmp_path: Path) -> None:
    """f1 and f2 pay o1 (need 100) 100 and 60: duplication; f2 and f3 pay o2 without
    figures: unknown; f1 and f3 pay o3 (need 100) 50 and 40: complementary. Then f4 pays o1
    and o3 without an amount: every pair with f4 is unknown."""
    store = EmbeddedStore(tmp_path / "g.db")
    store.write(
        [
            *(Node(f, "Fund", {"name": f}) for f in ("f1", "f2", "f3")),
            organisation("o1", need_thb=100),
            organisation("o2"),
            organisation("o3", need_thb=100),
        ],
        [
            Edge("f1", "FUNDS", "o1", {"amount_thb": 100}),
            Edge("f2", "FUNDS", "o1", {"amount_thb": 60}),
            Edge("f2", "FUNDS", "o2"),
            Edge("f3", "FUNDS", "o2"),
            Edge("f1", "FUNDS", "o3", {"amount_thb": 50}),
            Edge("f3", "FUNDS", "o3", {"amount_thb": 40}),
        ],
    )
    data = page_data(overlap_map(store, by="beneficiary"))
    labels = {frozenset((g["from"], g["to"])): g["label"] for g in ghosts(data)}
    assert labels == {
        frozenset(("f1", "f2")): "ซ้ำซ้อน",
        frozenset(("f2", "f3")): "ยังตัดสินไม่ได้",
        frozenset(("f1", "f3")): "หนุนเสริมกัน",
    }
    colours = {g["label"]: g["color"] for g in ghosts(data)}
    assert colours == {"ซ้ำซ้อน": RED, "ยังตัดสินไม่ได้": AMBER, "หนุนเสริมกัน": GREEN}
    # the legend gives each kind its colour and how many pairs are of it
    assert [(r["label"], r["color"]) for r in data["meta"]["legend_lines"]] == [
        ("ซ้ำซ้อน (1)", RED),
        ("หนุนเสริมกัน (1)", GREEN),
        ("ยังตัดสินไม่ได้ (1)", AMBER),
    ]
    colour = {(e["from"], e["to"]): e["color"] for e in data["edges"] if e["type"] == "FUNDS"}
    assert colour == {
        ("f1", "o1"): RED,
        ("f2", "o1"): RED,
        ("f2", "o2"): AMBER,
        ("f3", "o2"): AMBER,
        ("f1", "o3"): GREEN,
        ("f3", "o3"): GREEN,
    }
    # a duplication is the banner's example
    assert data["meta"]["notes"] == [
        "กองทุน 3 คู่ให้ทุนซ้ำในผู้รับทุนเดียวกัน เช่น f1 กับ f2 ใน o1",
        "ซ้ำซ้อน 1 คู่ หนุนเสริมกัน 1 คู่ ยังตัดสินไม่ได้ 1 คู่",
    ]

    store.write(
        [Node("f4", "Fund", {"name": "f4"})],
        [Edge("f4", "FUNDS", "o1"), Edge("f4", "FUNDS", "o3")],
    )
    data = page_data(overlap_map(store, by="beneficiary"))
    colour = {(e["from"], e["to"]): e["color"] for e in data["edges"] if e["type"] == "FUNDS"}
    # duplication wins over unknown, unknown over complementary
    assert colour == {
        ("f1", "o1"): RED,
        ("f2", "o1"): RED,
        ("f4", "o1"): AMBER,
        ("f2", "o2"): AMBER,
        ("f3", "o2"): AMBER,
        ("f1", "o3"): AMBER,
        ("f3", "o3"): AMBER,
        ("f4", "o3"): AMBER,
    }
    assert data["meta"]["notes"][1] == "ซ้ำซ้อน 1 คู่ หนุนเสริมกัน 1 คู่ ยังตัดสินไม่ได้ 4 คู่"
    assert highlighted(data) == {"f1", "f2", "f3", "f4"}


def test_overlap_map_without_funds_is_a_page(tmp_path: Path) -> None:
    empty = EmbeddedStore(tmp_path / "g.db")
    empty.write([organisation("o1"), organisation("o2")], [Edge("o1", "PARTNERS_WITH", "o2")])
    page = overlap_map(empty, lang="en")
    data = page_data(page)
    assert data["nodes"] == [] and data["edges"] == []
    assert "no funds in the data" in data["meta"]["notes"][0]
    assert "no funds in the data" in page
    assert "ยังไม่มีข้อมูลกองทุน" in overlap_map(empty)


def test_overlap_map_bad_by(community: EmbeddedStore) -> None:
    with pytest.raises(InvalidInput, match="unknown overlap --by"):
        overlap_map(community, by="sector")


# -- gaps ------------------------------------------------------------------------------------


def test_gaps_map_on_the_sample(informal: EmbeddedStore) -> None:
    report = gaps(informal)
    data = page_data(gaps_map(informal, lang="en"))
    nodes = by_id(data["nodes"])
    assert {n["kind"] for n in nodes.values()} <= {"Person", "Organisation", "Network"}
    assert data["meta"]["colour_by"] == "admin_level"
    drawn = ghosts(data)
    assert len(drawn) == len(report["missing"]) == 4
    assert [g["label"] for g in drawn] == [
        "through one: national – region",
        "missing: region – province",
        "missing: province – subdistrict",
        "missing: subdistrict – community",
    ]
    for g, m in zip(drawn, report["missing"], strict=True):
        assert nodes[g["from"]]["colour_value"] == m["from"]
        assert nodes[g["to"]]["colour_value"] == m["to"]
        assert g["dashes"] == [4, 6]
    brokers = {b for m in report["missing"] for b in m["brokers"]}
    assert highlighted(data) == brokers
    assert "net-partner-network" in brokers
    assert data["meta"]["notes"] == [
        "Missing vertical links: 3, between region–province, province–subdistrict and "
        "subdistrict–community",
        "Tied through one person only: 1 more pairs of groups (if that one leaves, the tie is "
        "gone)",
    ]
    ghost = drawn[1]["title"]
    assert ghost.startswith("region – province: not tied at all; could close it: ")


def test_gaps_map_representatives_are_best_connected(tmp_path: Path) -> None:
    """Provincial o1 (2 ties) and o2 (1 tie), district o3 and o4 (1 tie each, tied to each
    other only): the gap provincial – district runs from o1 to o3 (the smaller id)."""
    store = EmbeddedStore(tmp_path / "g.db")
    store.write(
        [
            organisation("o1", admin_level="provincial"),
            organisation("o2", admin_level="provincial"),
            network("n0", admin_level="provincial"),
            organisation("o3", admin_level="district"),
            organisation("o4", admin_level="district"),
        ],
        [
            Edge("o1", "PARTNERS_WITH", "o2"),
            Edge("o1", "MEMBER_OF", "n0"),
            Edge("o3", "PARTNERS_WITH", "o4"),
        ],
    )
    data = page_data(gaps_map(store))
    [g] = ghosts(data)
    assert (g["from"], g["to"], g["label"]) == ("o1", "o3", "ขาด: จังหวัด – อำเภอ")
    assert data["meta"]["notes"] == ["ยังไม่มีการเชื่อมโยงแนวดิ่งระหว่าง จังหวัด–อำเภอ รวม 1 คู่"]
    assert g["direction"] == "vertical"


def test_gaps_map_by_sector(informal: EmbeddedStore) -> None:
    report = gaps(informal, by="sector")
    data = page_data(gaps_map(informal, by="sector"))
    # 6 within an admin level, 11 between sectors with actors of no admin_level (undecided)
    assert len(ghosts(data)) == len(report["missing"]) == 17
    assert sum(1 for m in report["missing"] if m.get("undecided")) == 11
    assert data["meta"]["colour_by"] == "sector"


def test_gaps_map_errors_propagate(informal: EmbeddedStore) -> None:
    with pytest.raises(InvalidInput):
        gaps_map(informal, by="no_such_attribute")


# -- reach -----------------------------------------------------------------------------------


def test_reach_map_depth_one(community: EmbeddedStore) -> None:
    data = page_data(reach_map(community, "person-coordinator", depth=1))
    nodes = by_id(data["nodes"])
    assert len(nodes) == 8
    assert data["meta"]["colour_by"] == "distance"
    assert {n["colour_value"] for n in nodes.values()} == {"0", "1"}
    assert nodes["person-coordinator"]["colour_value"] == "0"
    assert nodes["person-coordinator"]["distance"] == 0
    assert [i for i, n in nodes.items() if n["colour_value"] == "0"] == ["person-coordinator"]
    assert highlighted(data) == {"person-coordinator"}
    assert data["meta"]["palette"] == {"0": "#4e79a7", "1": "#f28e2b"}
    assert data["meta"]["notes"] == [
        "ผู้ประสานงาน เข้าถึงได้ 7 หน่วยภายใน 1 ขั้น (ห่าง 1 ขั้น 7 หน่วย)",
        "การเข้าถึงแบบถ่วงระยะ 7 (ใกล้นับมาก ไกลนับน้อย)",
    ]


def test_reach_map_errors_propagate(community: EmbeddedStore) -> None:
    with pytest.raises(NotFound):
        reach_map(community, "nobody-at-all")
    with pytest.raises(InvalidInput):
        reach_map(community, "person-coordinator", depth=0)


# -- safety and pass-through -----------------------------------------------------------------


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    store.write(
        [
            person("p-evil", EVIL, admin_level="community"),
            organisation("o1", EVIL, admin_level="provincial"),
            organisation("o2", admin_level="district"),
            Node("f1", "Fund", {"name": EVIL}),
            Node("f2", "Fund", {"name": "f2"}),
        ],
        [
            Edge("p-evil", "WORKS_FOR", "o1"),
            Edge("o2", "PARTNERS_WITH", "p-evil"),
            Edge("f1", "FUNDS", "o1"),
            Edge("f2", "FUNDS", "o1"),
        ],
    )
    pages = [
        brokerage_map(store),
        overlap_map(store, by="beneficiary"),
        gaps_map(store),
        reach_map(store, "p-evil", depth=1),
    ]
    for page in pages:
        assert "</script><script>" not in page
        assert "<script>alert" not in page
        names = {n["name"] for n in page_data(page)["nodes"]}
        assert EVIL in names


def test_links_and_standalone_pass_through(community: EmbeddedStore) -> None:
    links = {"reach": "/map/reach/{id}"}
    page = reach_map(community, "person-coordinator", depth=1, links=links, standalone=False)
    assert page_data(page)["meta"]["links"] == links
    assert '<script src="/static/map.js"></script>' in page

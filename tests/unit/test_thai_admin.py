"""The Thai administrative geography (importers.thai_admin): one tree of Area nodes from
the country down to its 7,451 subdistricts, with DOPA codes (DOMAIN.md section 7)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graph_service.domain import Edge, Node
from importers.thai_admin import GEOGRAPHY_DIR, read_geography

# The package's copy once the lead engineer has put it there; the shared one until then.
DATA = (
    GEOGRAPHY_DIR
    if (GEOGRAPHY_DIR / "provinces.csv").is_file()
    else Path("/work/shared/data/thai-admin")
)


@pytest.fixture(scope="module")
def full() -> tuple[list[Node], list[Edge]]:
    return read_geography(DATA)


@pytest.fixture(scope="module")
def phatthalung() -> tuple[list[Node], list[Edge]]:
    return read_geography(DATA, province="Phatthalung")


def by_id(nodes: list[Node]) -> dict[str, Node]:
    return {n.id: n for n in nodes}


def parents(edges: list[Edge]) -> dict[str, str]:
    return {e.source: e.target for e in edges}


def test_counts(full: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = full
    assert len(nodes) == 1 + 6 + 77 + 929 + 7451 == 8464
    assert len(by_id(nodes)) == len(nodes)  # ids are unique
    assert Counter(n.props["admin_level"] for n in nodes) == {
        "national": 1,
        "regional": 6,
        "provincial": 77,
        "district": 929,
        "subdistrict": 7451,
    }
    assert {n.kind for n in nodes} == {"Area"}
    assert len(edges) == len(nodes) - 1


def test_one_tree(full: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = full
    ids = by_id(nodes)
    assert {e.type for e in edges} == {"PART_OF"}
    assert all(e.source in ids and e.target in ids for e in edges)
    up = parents(edges)
    assert len(up) == len(edges)  # one parent each
    assert set(ids) - set(up) == {"th"}
    order = ["subdistrict", "district", "provincial", "regional", "national"]
    for e in edges:
        child, parent = ids[e.source], ids[e.target]
        assert order.index(parent.props["admin_level"]) == (
            order.index(child.props["admin_level"]) + 1
        )


def test_every_node_has_the_common_props(full: tuple[list[Node], list[Edge]]) -> None:
    for node in full[0]:
        assert isinstance(node.props["name"], str) and node.props["name"]
        assert isinstance(node.props["name_en"], str) and node.props["name_en"]
        if node.props["admin_level"] not in ("national", "regional"):
            code = node.props["code"]
            assert isinstance(code, str) and code.isdigit()
            assert node.id == f"th-{code}"


def test_exact_values(full: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = full
    ids, up = by_id(nodes), parents(edges)
    assert ids["th"].props == {
        "name": "ประเทศไทย",
        "name_en": "Thailand",
        "admin_level": "national",
    }
    assert ids["th-10"].props == {
        "name": "กรุงเทพมหานคร",
        "name_en": "Bangkok",
        "admin_level": "provincial",
        "code": "10",
        "thai_admin_id": "1",
    }
    assert ids["th-1001"].props == {
        "name": "เขตพระนคร",
        "name_en": "Khet Phra Nakhon",
        "admin_level": "district",
        "code": "1001",
    }
    assert up["th-1001"] == "th-10"
    assert up["th-10"] == "th-region-2"
    assert ids["th-region-2"].props == {
        "name": "ภาคกลาง",
        "name_en": "Central",
        "admin_level": "regional",
    }
    assert up["th-region-2"] == "th"
    # A subdistrict without coordinates, and one with them.
    assert ids["th-100101"].props == {
        "name": "พระบรมมหาราชวัง",
        "name_en": "Phra Borom Maha Ratchawang",
        "admin_level": "subdistrict",
        "code": "100101",
        "zip_code": "10200",
    }
    assert ids["th-110102"].props == {
        "name": "สำโรงเหนือ",
        "name_en": "Samrong Nuea",
        "admin_level": "subdistrict",
        "code": "110102",
        "zip_code": "10270",
        "lat": 13.649,
        "long": 100.617,
    }
    assert up["th-100101"] == "th-1001"
    # Bueng Kan, the newest province: sequence 77, DOPA 38, in the Northeast.
    assert ids["th-38"].props["thai_admin_id"] == "77"
    assert up["th-38"] == "th-region-3"


def test_regions(full: tuple[list[Node], list[Edge]]) -> None:
    regions = {n.id: (n.name, n.props["name_en"]) for n in full[0] if n.id.startswith("th-region")}
    assert regions == {
        "th-region-1": ("ภาคเหนือ", "North"),
        "th-region-2": ("ภาคกลาง", "Central"),
        "th-region-3": ("ภาคตะวันออกเฉียงเหนือ", "Northeast"),
        "th-region-4": ("ภาคตะวันตก", "West"),
        "th-region-5": ("ภาคตะวันออก", "East"),
        "th-region-6": ("ภาคใต้", "South"),
    }


def test_phatthalung(phatthalung: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = phatthalung
    ids = by_id(nodes)
    levels = Counter(n.props["admin_level"] for n in nodes)
    assert levels == {
        "national": 1,
        "regional": 1,
        "provincial": 1,
        "district": 11,
        "subdistrict": 65,
    }
    assert ids["th-93"].props == {
        "name": "พัทลุง",
        "name_en": "Phatthalung",
        "admin_level": "provincial",
        "code": "93",
        "thai_admin_id": "73",
    }
    assert ids["th-9301"].props["name"] == "เมืองพัทลุง"
    assert all(
        n.id.startswith("th-93")
        for n in nodes
        if n.props["admin_level"] in ("district", "subdistrict")
    )
    assert "th" in ids and "th-region-6" in ids
    assert len(edges) == len(nodes) - 1
    assert all(e.source in ids and e.target in ids for e in edges)
    assert parents(edges)["th-93"] == "th-region-6"


@pytest.mark.parametrize(
    "query", ["93", "๙๓", "th-93", "พัทลุง", "จังหวัดพัทลุง", "phatthalung", " PHATTHALUNG "]
)
def test_province_by_code_or_name(query: str, phatthalung: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = read_geography(DATA, province=query)
    assert [n.id for n in nodes] == [n.id for n in phatthalung[0]]
    assert edges == phatthalung[1]


def test_province_names_are_matched_loosely() -> None:
    assert by_id(read_geography(DATA, "Chonburi")[0])["th-20"].props["name_en"] == "Chon Buri"
    bangkok = read_geography(DATA, "กทม.")[0]
    assert sum(n.props["admin_level"] == "district" for n in bangkok) == 50


def test_unknown_province() -> None:
    with pytest.raises(ValueError) as info:
        read_geography(DATA, province="Phatalung")
    message = str(info.value)
    assert message.startswith("unknown province: 'Phatalung' (did you mean 'Phatthalung'?).")
    assert "2-digit DOPA code" in message and "provinces.csv" in message
    with pytest.raises(ValueError, match="unknown province: '99'"):
        read_geography(DATA, province="99")
    # Codes are DOPA codes, never the source's sequence ids: 73 is Nakhon Pathom, not
    # Phatthalung (sequence 73).
    assert by_id(read_geography(DATA, province="73")[0])["th-73"].name == "นครปฐม"


# --- data problems, on small copies -------------------------------------------------------


def small_copy(folder: Path) -> Path:
    """Geographies, one province with one district and two subdistricts."""
    (folder / "geographies.csv").write_text("id,name\n6,ภาคใต้\n", encoding="utf-8")
    (folder / "provinces.csv").write_text(
        "id,name_th,name_en,geography_id,deleted_at\n73,พัทลุง,Phatthalung,6,\n", encoding="utf-8"
    )
    (folder / "districts.csv").write_text(
        "id,name_th,name_en,province_id,deleted_at\n9301,เมืองพัทลุง,Mueang Phatthalung,73,\n",
        encoding="utf-8",
    )
    (folder / "sub_districts.csv").write_text(
        "id,zip_code,name_th,name_en,district_id,lat,long,deleted_at\n"
        "930101,93000,คูหาสวรรค์,Khuha Sawan,9301,7.6,100.07,\n"
        "930102,93000,เขาเจียก,Khao Chiak,9301,,,\n"
        "930199,93000,ลบแล้ว,Deleted,9301,,,2020-01-01\n",
        encoding="utf-8",
    )
    return folder


def test_small_copy_and_deleted_rows(tmp_path: Path) -> None:
    nodes, edges = read_geography(small_copy(tmp_path))
    assert [n.id for n in nodes] == [
        "th",
        "th-region-6",
        "th-93",
        "th-9301",
        "th-930101",
        "th-930102",
    ]
    assert edges == [
        Edge("th-region-6", "PART_OF", "th"),
        Edge("th-93", "PART_OF", "th-region-6"),
        Edge("th-9301", "PART_OF", "th-93"),
        Edge("th-930101", "PART_OF", "th-9301"),
        Edge("th-930102", "PART_OF", "th-9301"),
    ]
    assert by_id(nodes)["th-930101"].props["lat"] == 7.6


def test_district_of_an_unknown_province(tmp_path: Path) -> None:
    small_copy(tmp_path)
    with (tmp_path / "districts.csv").open("a", encoding="utf-8") as f:
        f.write("9302,กงหรา,Kong Ra,99,\n")
    with pytest.raises(ValueError) as info:
        read_geography(tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'districts.csv'}:3: unknown province (province_id) '99'"
    )


def test_subdistrict_of_an_unknown_district(tmp_path: Path) -> None:
    small_copy(tmp_path)
    with (tmp_path / "sub_districts.csv").open("a", encoding="utf-8") as f:
        f.write("930201,93180,กงหรา,Kong Ra,9302,,,\n")
    with pytest.raises(ValueError, match=r"sub_districts\.csv:5: unknown district"):
        read_geography(tmp_path)


def test_bad_coordinates_and_codes(tmp_path: Path) -> None:
    small_copy(tmp_path)
    with (tmp_path / "sub_districts.csv").open("a", encoding="utf-8") as f:
        f.write("930103,93000,ก,K,9301,north,,\n")
    with pytest.raises(ValueError, match=r"sub_districts\.csv:5: lat 'north' is not a number"):
        read_geography(tmp_path)
    small_copy(tmp_path)
    with (tmp_path / "districts.csv").open("a", encoding="utf-8") as f:
        f.write("93x,ก,K,73,\n")
    with pytest.raises(ValueError, match=r"districts\.csv:3: '93x' is not a 4-digit DOPA code"):
        read_geography(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="geographies.csv"):
        read_geography(tmp_path)

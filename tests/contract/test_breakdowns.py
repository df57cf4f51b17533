"""Issue 12, breakdowns: ``gaps --tie-attr`` and ``--tie-where`` (S14, A7), ``overlap
--breakdown`` (A4, coverage by attribute or by province) and ``find --breakdown`` /
``find --per-area`` (S6, S13). Each on a small hand-made dataset with Thai values, imported
through the real importer into each store; every count below was worked out by hand from
the rows written here (the comments show the working)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from graph_service.analysis.filters import find
from graph_service.analysis.gaps import gaps
from graph_service.analysis.overlap import overlap
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.factories import write_csv

FORMAL, INFORMAL = "ทางการ", "ไม่เป็นทางการ"
LOCAL = "ท้องถิ่น"
NORTH, SOUTH = "ภาคเหนือ", "ภาคใต้"


def load(
    store: GraphStore,
    folder: Path,
    files: dict[str, tuple[Sequence[str], Sequence[Sequence[object]]]],
) -> GraphStore:
    """A dataset folder of ``files`` (name -> (header, rows)) imported into ``store``."""
    folder.mkdir()
    for name, (header, rows) in files.items():
        write_csv(folder / f"{name}.csv", header, rows)
    import_dataset(store, folder)
    return store


@pytest.fixture
def cli(store: GraphStore, request: pytest.FixtureRequest) -> Callable[..., Result]:
    """Runs the command line against the store under test."""
    location, env = store.location, {}
    if store.engine == "neo4j":
        location, _user, password = request.getfixturevalue("neo4j_server")
        env = {"GRAPH_NEO4J_PASSWORD": password}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--store", location, *args], env=env)

    return run


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


# -- gaps --tie-attr and --tie-where ----------------------------------------------------------

#: id, name, region, admin_level
ORGANISATIONS = [
    ["n1", "เครือข่ายเกษตรกรเชียงใหม่", NORTH, "provincial"],
    ["n2", "สหกรณ์ลำพูน", NORTH, "provincial"],
    ["n3", "อบต.แม่ริม", NORTH, "subdistrict"],
    ["s1", "สมาคมประมงพัทลุง", SOUTH, "provincial"],
    ["s2", "กลุ่มแม่บ้านควนขนุน", SOUTH, "district"],
    ["x1", "มหาวิทยาลัยกลาง", "", "national"],
]
#: source, type, target, formality, policy; numbered 1 to 9 in the comments
TIES = [
    ["n1", "PARTNERS_WITH", "n2", FORMAL, LOCAL],  # 1
    ["n1", "SUPPORTS", "n3", INFORMAL, ""],  # 2
    ["n2", "MENTORS", "n3", "", ""],  # 3
    ["n1", "PARTNERS_WITH", "s1", FORMAL, ""],  # 4
    ["n3", "SUPPORTS", "s2", INFORMAL, LOCAL],  # 5
    ["s1", "SUPPORTS", "s2", INFORMAL, ""],  # 6
    ["s1", "MENTORS", "s2", FORMAL, ""],  # 7: a second relationship on the pair (s1, s2)
    ["x1", "SUPPORTS", "n1", FORMAL, ""],  # 8
    ["s2", "LOCATED_IN", "a1", FORMAL, ""],  # 9: placement, not a tie between actors
]


def ties_dataset(store: GraphStore, folder: Path) -> GraphStore:
    return load(
        store,
        folder,
        {
            "organisations": (["id", "name", "region", "admin_level"], ORGANISATIONS),
            "areas": (["id", "name", "admin_level"], [["a1", "พัทลุง", "provincial"]]),
            "relationships": (["source", "type", "target", "formality", "policy"], TIES),
        },
    )


def shares_of(doc: dict) -> list:
    """(group or from/to, total, values in order) of every row of ``tie_shares``."""
    ts = doc["tie_shares"]
    return [
        ("all", ts["total"], list(ts["values"].items())),
        *((g["group"], g["total"], list(g["values"].items())) for g in ts["groups"]),
        *(
            ((b["from"], b["to"], b["direction"]), b["total"], list(b["values"].items()))
            for b in ts["blocks"]
        ),
    ]


def test_tie_shares_per_region(store: GraphStore, tmp_path: Path, cli: Callable) -> None:
    ties_dataset(store, tmp_path / "d")
    doc = gaps(store, by="region", tie_attr="formality")
    # regions in order: ภาคเหนือ before ภาคใต้ (เ U+0E40 < ใ U+0E43), null last.
    # Relationships 1-8 join two actors (9 does not): formal 1,4,7,8; informal 2,5,6; none 3
    assert shares_of(doc) == [
        ("all", 8, [(FORMAL, 4), (INFORMAL, 3), ("null", 1)]),
        # north (n1, n2, n3): relationships 1, 2, 3, 4, 5, 8
        (NORTH, 6, [(FORMAL, 3), (INFORMAL, 2), ("null", 1)]),
        # south (s1, s2): 4, 5, 6, 7
        (SOUTH, 4, [(FORMAL, 2), (INFORMAL, 2)]),
        (None, 1, [(FORMAL, 1)]),  # x1: 8
        # blocks with a relationship, ties of equal count by value ("null" sorts first)
        ((NORTH, NORTH, None), 3, [("null", 1), (FORMAL, 1), (INFORMAL, 1)]),  # 1, 2, 3
        ((NORTH, SOUTH, None), 2, [(FORMAL, 1), (INFORMAL, 1)]),  # 4, 5
        ((NORTH, None, None), 1, [(FORMAL, 1)]),  # 8
        ((SOUTH, SOUTH, None), 2, [(FORMAL, 1), (INFORMAL, 1)]),  # 6, 7
    ]
    ts = doc["tie_shares"]
    assert ts["attribute"] == "formality"
    assert ts["shares"] == {FORMAL: 0.5, INFORMAL: 0.375, "null": 0.125}
    assert ts["groups"][0]["shares"] == {FORMAL: 0.5, INFORMAL: 0.3333333333, "null": 0.1666666667}
    # the blocks still count tied pairs: (s1, s2) once, so 7 pairs for 8 relationships
    assert doc["ties"] == 7
    south = next(b for b in doc["blocks"] if (b["from"], b["to"]) == (SOUTH, SOUTH))
    assert south["ties"] == 1
    assert "tie_where" not in doc and "tie_shares" not in gaps(store, by="region")


def test_tie_shares_take_the_blocks_direction(store: GraphStore, tmp_path: Path) -> None:
    ties_dataset(store, tmp_path / "d")
    doc = gaps(store, tie_attr="formality")  # by admin_level: national, provincial, ...
    assert shares_of(doc)[5:] == [
        (("national", "provincial", "vertical"), 1, [(FORMAL, 1)]),  # 8
        (("provincial", "provincial", "horizontal"), 2, [(FORMAL, 2)]),  # 1, 4
        (("provincial", "district", "vertical"), 2, [(FORMAL, 1), (INFORMAL, 1)]),  # 6, 7
        (("provincial", "subdistrict", "vertical"), 2, [("null", 1), (INFORMAL, 1)]),  # 2, 3
        (("district", "subdistrict", "vertical"), 1, [(INFORMAL, 1)]),  # 5
    ]


def test_tie_where_keeps_only_the_matching_ties(
    store: GraphStore, tmp_path: Path, cli: Callable
) -> None:
    ties_dataset(store, tmp_path / "d")
    # A7 "which ties reached local policy": relationships 1 (n1-n2) and 5 (n3-s2)
    doc = gaps(store, by="region", tie_attr="formality", tie_where=[f"policy={LOCAL}"])
    assert doc["tie_where"] == [f"policy={LOCAL}"]
    assert (doc["ties"], doc["internal"], doc["external"], doc["ei_index"]) == (2, 1, 1, 0.0)
    assert [(b["from"], b["to"], b["ties"]) for b in doc["blocks"] if b["ties"]] == [
        (NORTH, NORTH, 1),
        (NORTH, SOUTH, 1),
    ]
    assert shares_of(doc)[0] == ("all", 2, [(FORMAL, 1), (INFORMAL, 1)])
    assert any(f"policy={LOCAL}" in note for note in doc["notes"])
    # by type: the MENTORS relationships 3 (n2-n3) and 7 (s1-s2), the type in any case
    mentors = gaps(store, by="region", tie_where="type=mentors")
    assert [(b["from"], b["to"], b["ties"]) for b in mentors["blocks"] if b["ties"]] == [
        (NORTH, NORTH, 1),
        (SOUTH, SOUTH, 1),
    ]
    # two terms: both must hold (only 5 is informal and local)
    both = gaps(store, by="region", tie_where=[f"policy={LOCAL}", f"formality={INFORMAL}"])
    assert both["ties"] == 1
    # direction=, as ties --where reads it: horizontal are 1 (n1-n2) and 4 (n1-s1), both
    # provincial; all the others join two different levels
    flat = gaps(store, by="region", tie_attr="formality", tie_where="direction=horizontal")
    assert [(b["from"], b["to"], b["ties"]) for b in flat["blocks"] if b["ties"]] == [
        (NORTH, NORTH, 1),
        (NORTH, SOUTH, 1),
    ]
    assert shares_of(flat)[0] == ("all", 2, [(FORMAL, 2)])
    with pytest.raises(InvalidInput, match="chooses entities, not ties"):
        gaps(store, tie_where="kind=Organisation")
    with pytest.raises(InvalidInput, match="no '='"):
        gaps(store, tie_where="policy")
    result = cli("gaps", "--tie-where", "within=a1")
    assert result.exit_code == 1 and "chooses entities, not ties" in result.output


def test_gaps_tie_shares_cli_and_api(store: GraphStore, tmp_path: Path, cli: Callable) -> None:
    ties_dataset(store, tmp_path / "d")
    want = gaps(store, by="region", tie_attr="formality", tie_where=[f"policy={LOCAL}"])
    args = ["gaps", "--by", "region", "--tie-attr", "formality", "--tie-where", f"policy={LOCAL}"]
    assert json.loads(ok(cli(*args, "--json"))) == want
    text = ok(cli("gaps", "--by", "region", "--tie-attr", "formality"))
    first = text.splitlines()[0]
    assert first.startswith("สัดส่วนความสัมพันธ์ตาม formality แยกตามกลุ่ม region / Shares of the 8")
    assert f"{FORMAL} 4 (0.50), {INFORMAL} 3 (0.38), null 1 (0.12)" in first
    with TestClient(create_app(store=store)) as client:
        served = client.get(
            "/api/gaps",
            params={"by": "region", "tie_attr": "formality", "tie_where": f"policy={LOCAL}"},
        )
        bad = client.get("/api/gaps", params={"tie_where": "tag=x"})
    assert served.status_code == 200 and served.json() == want
    assert bad.status_code == 422 and "not ties" in bad.json()["error"]["message"]


# -- overlap --breakdown and find --per-area: one small piece of the south -------------------

#: id, name, admin_level, parent_id, setting (urban เมือง / rural ชนบท)
AREAS = [
    ["r-south", "ภาคใต้", "regional", "", ""],
    ["p1", "พัทลุง", "provincial", "r-south", ""],
    ["p2", "สงขลา", "provincial", "r-south", ""],
    ["p3", "ตรัง", "provincial", "r-south", ""],
    ["d1", "เมืองพัทลุง", "district", "p1", ""],
    ["d2", "ควนขนุน", "district", "p1", ""],
    ["d3", "หาดใหญ่", "district", "p2", ""],
    ["s1", "ลำปำ", "subdistrict", "d1", "ชนบท"],
    ["s2", "ท่ามิหรำ", "subdistrict", "d1", "เมือง"],
    ["s3", "คลองแห", "subdistrict", "d3", "เมือง"],
]
#: id, name, role, area_id (LOCATED_IN)
PEOPLE = [
    ["ca1", "นายสมชาย", "change_agent", "s1"],
    ["ca2", "นางสมศรี", "change_agent", "s2"],  # and OPERATES_IN d3: in two provinces
    ["ca3", "นางสาวมาลี", "change_agent", "p1"],
    ["ca4", "คุณวิชัย", "change_agent", ""],  # placed nowhere
    ["ca5", "นายดำ", "change_agent", ""],  # OPERATES_IN the region only
    ["ld1", "นายแดง", "leader", "s2"],
]


def south_dataset(store: GraphStore, folder: Path) -> GraphStore:
    """f1 FUNDS the subdistrict s1; f2 OPERATES_IN the province p2 (province-wide)."""
    return load(
        store,
        folder,
        {
            "areas": (["id", "name", "admin_level", "parent_id", "setting"], AREAS),
            "people": (["id", "name", "role", "area_id"], PEOPLE),
            "funds": (["id", "name"], [["f1", "กองทุนสวัสดิการชุมชน"], ["f2", "กองทุนหลักประกันสุขภาพ"]]),
            "relationships": (
                ["source", "type", "target"],
                [
                    ["ca2", "OPERATES_IN", "d3"],
                    ["ca5", "OPERATES_IN", "r-south"],
                    ["f1", "FUNDS", "s1"],
                    ["f2", "OPERATES_IN", "p2"],
                ],
            ),
        },
    )


def test_coverage_breakdown_by_province_and_by_attribute(store: GraphStore, tmp_path: Path) -> None:
    south_dataset(store, tmp_path / "d")
    doc = overlap(store, by="area", breakdown="provincial")
    # direct s1, p2; containing d3, s3 (in p2); within d1, p1, r-south (above s1 and p2)
    assert doc["unfunded"] == ["d2", "p3", "s2"]
    assert doc["breakdown"] == {
        "by": "provincial",
        "level": "provincial",
        # s1, d1, p1 in พัทลุง; p2, d3, s3 in สงขลา; the region is in no province
        "reached": {"p1": 3, "p2": 3, "null": 1},
        "unreached": {"p1": 2, "p3": 1},  # d2, s2 in พัทลุง; ตรัง itself
        "names": {"p1": "พัทลุง", "p2": "สงขลา", "p3": "ตรัง"},
    }
    assert list(doc["breakdown"]["reached"]) == ["p1", "p2", "null"]
    # the province's Thai word names the same level
    assert overlap(store, breakdown="จังหวัด")["breakdown"]["reached"] == {
        "p1": 3,
        "p2": 3,
        "null": 1,
    }
    by_level = overlap(store, breakdown="admin_level")["breakdown"]
    assert (by_level["level"], by_level["names"]) == (None, {})
    assert by_level["reached"] == {"district": 2, "provincial": 2, "subdistrict": 2, "regional": 1}
    assert by_level["unreached"] == {"district": 1, "provincial": 1, "subdistrict": 1}
    # A4: subdistricts by urban / rural, and which provinces have unreached subdistricts
    sub = overlap(store, level="subdistrict", breakdown="setting")["breakdown"]
    assert (sub["reached"], sub["unreached"]) == ({"ชนบท": 1, "เมือง": 1}, {"เมือง": 1})
    sub = overlap(store, level="subdistrict", breakdown="province")["breakdown"]
    assert (sub["reached"], sub["unreached"]) == ({"p1": 1, "p2": 1}, {"p1": 1})
    assert "breakdown" not in overlap(store)
    with pytest.raises(InvalidInput, match="by area only"):
        overlap(store, by="beneficiary", breakdown="admin_level")


def test_overlap_breakdown_cli_and_api(store: GraphStore, tmp_path: Path, cli: Callable) -> None:
    south_dataset(store, tmp_path / "d")
    want = overlap(store, by="area", breakdown="provincial")
    assert json.loads(ok(cli("overlap", "--breakdown", "provincial", "--json"))) == want
    lines = ok(cli("overlap", "--breakdown", "provincial")).splitlines()
    assert lines[0] == (
        "กองทุนเข้าถึง 7 พื้นที่ ยังไม่เข้าถึง 3 พื้นที่ แยกตาม provincial / 7 area(s) reached by a "
        "fund and 3 not, by provincial (the provincial area containing each):"
    )
    assert lines[2].split() == ["p1", "พัทลุง", "3", "2"]
    assert lines[5].split() == ["p3", "ตรัง", "0", "1"]
    with TestClient(create_app(store=store)) as client:
        served = client.get("/api/overlap", params={"breakdown": "provincial"})
        bad = client.get("/api/overlap", params={"by": "beneficiary", "breakdown": "x"})
    assert served.status_code == 200 and served.json() == want
    assert bad.status_code == 422
    result = cli("overlap", "--by", "beneficiary", "--breakdown", "x")
    assert result.exit_code == 1 and "by area only" in result.output


def test_find_per_province(store: GraphStore, tmp_path: Path) -> None:
    south_dataset(store, tmp_path / "d")
    doc = find(store, ["role=change_agent"], per_area="provincial")
    assert doc["count"] == 5 and doc["level"] == "provincial"
    # ca1 in s1 < d1 < p1; ca2 in s2 < d1 < p1 and operating in d3 < p2; ca3 in p1 itself
    assert [(r["id"], r["name"], r["count"], r["entities"]) for r in doc["per_area"]] == [
        ("p1", "พัทลุง", 3, ["ca1", "ca2", "ca3"]),
        ("p2", "สงขลา", 1, ["ca2"]),
        ("p3", "ตรัง", 0, []),
    ]
    assert doc["areas_without"] == ["p3"]
    # ca4 is placed nowhere; ca5 operates in the whole region, in no one province
    assert doc["unplaced"] == ["ca4", "ca5"]
    # the same rule as the filter's within=
    inside = find(store, ["role=change_agent", "within=p1"])
    assert [e["id"] for e in inside["entities"]] == ["ca1", "ca2", "ca3"]
    districts = find(store, ["role=change_agent"], per_area="อำเภอ")
    assert [(r["id"], r["count"]) for r in districts["per_area"]] == [
        ("d1", 2),
        ("d3", 1),
        ("d2", 0),
    ]
    assert (districts["areas_without"], districts["unplaced"]) == (["d2"], ["ca3", "ca4", "ca5"])
    region = find(store, ["role=change_agent"], per_area="region")
    assert region["per_area"] == [
        {"id": "r-south", "name": "ภาคใต้", "count": 4, "entities": ["ca1", "ca2", "ca3", "ca5"]}
    ]
    assert (region["areas_without"], region["unplaced"]) == ([], ["ca4"])
    with pytest.raises(InvalidInput, match="not an admin level"):
        find(store, ["kind=Person"], per_area="ward")


def test_find_breakdown(store: GraphStore, tmp_path: Path) -> None:
    south_dataset(store, tmp_path / "d")
    people = find(store, ["kind=Person"], breakdown="role")
    assert (people["breakdown_by"], people["breakdown"]) == (
        "role",
        {"change_agent": 5, "leader": 1},
    )
    areas = find(store, ["kind=Area"], breakdown="setting")
    assert list(areas["breakdown"].items()) == [("null", 7), ("เมือง", 2), ("ชนบท", 1)]
    plain = find(store, ["kind=Person"])
    assert set(plain) == {"where", "count", "entities"}


def test_find_breakdown_per_area_says_where_each_value_is(
    store: GraphStore, tmp_path: Path
) -> None:
    """S13: which values appear in several areas. By hand: p1 holds ca1, ca2, ca3 and ld1
    (3 change agents, 1 leader); p2 holds ca2 (operating in d3); p3 nobody."""
    south_dataset(store, tmp_path / "d")
    doc = find(store, ["kind=Person"], breakdown="role", per_area="provincial")
    assert [(r["id"], r["count"], r["breakdown"]) for r in doc["per_area"]] == [
        ("p1", 4, {"change_agent": 3, "leader": 1}),
        ("p2", 1, {"change_agent": 1}),
        ("p3", 0, {}),
    ]
    assert doc["areas_per_value"] == {"change_agent": 2, "leader": 1}
    assert doc["breakdown"] == {"change_agent": 5, "leader": 1}  # ca4 and ca5 count here


def test_find_breakdowns_cli_and_api(store: GraphStore, tmp_path: Path, cli: Callable) -> None:
    south_dataset(store, tmp_path / "d")
    want = find(store, ["role=change_agent"], breakdown="role", per_area="provincial")
    args = ["find", "--where", "role=change_agent", "--breakdown", "role", "--per-area"]
    assert json.loads(ok(cli(*args, "provincial", "--json"))) == want
    lines = ok(cli(*args, "province")).splitlines()
    assert lines[0].endswith("/ 5 entities match role=change_agent.")
    assert lines[1] == (
        "พื้นที่ระดับ provincial ที่มีอย่างน้อยหนึ่งรายการ 2 แห่ง ไม่มีเลย 1 แห่ง / 2 provincial "
        "area(s) have at least one, 1 have none."
    )
    assert lines[2] == "By role: change_agent 5"
    assert lines[4].split() == ["p1", "พัทลุง", "3", "ca1,", "ca2,", "ca3"]
    assert "None (1): ตรัง [p3]" in lines
    assert "Within no provincial area (2): ca4, ca5" in lines
    result = cli("find", "--where", "kind=Person", "--per-area", "ward")
    assert result.exit_code == 1 and "not an admin level" in result.output
    with TestClient(create_app(store=store)) as client:
        served = client.get(
            "/api/find",
            params={"where": "role=change_agent", "breakdown": "role", "per_area": "provincial"},
        )
    assert served.status_code == 200 and served.json() == want

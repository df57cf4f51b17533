"""Knowledge assets on both stores (CONTRACT.md section 2b, issue 12, questions K1, K2, K4):
the cross-table by two attributes, producers, users and adopters, the assets nobody uses or
adopts, the assets with no evidence and the rows with nothing above (or below) a level, on a
small hand-made graph whose answers are worked out by hand below."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.knowledge import knowledge
from graph_service.app import create_app
from graph_service.cli import display_width, main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation, person

HEALTH, JOBS, SCHOOL = "สุขภาพ", "อาชีพ", "การศึกษา"


def asset(id_: str, name: str, **props: object) -> Node:
    return Node(id_, "KnowledgeAsset", {"name": name, **props})  # type: ignore[dict-item]


def knowledge_graph() -> tuple[list[Node], list[Edge]]:
    """Six assets, tracks in Thai, readiness 1 (most mature) to 4:

    ============ ======== ========= ======================================================
    asset        track    readiness ties
    ============ ======== ========= ======================================================
    ka-used      สุขภาพ    1         org-p PRODUCES it; org-a USES it; p-1 EVIDENCE_FOR it
    ka-adopted   สุขภาพ    2         org-p PRODUCES it; it ADOPTED_BY org-b
    ka-reverse   อาชีพ     3         org-c ADOPTED_BY it (written the other way round);
                                    it CITES org-study
    ka-none      อาชีพ     4         net-n PRODUCES it; LOCATED_IN area-d (PART_OF area-p)
    ka-notrack   (none)   3         it USES itself (counts for nothing)
    ka-unrated   การศึกษา  (none)
    ============ ======== ========= ======================================================

    org-a is an organisation with a track and a readiness: not an asset, never counted.
    ka-used has two tags (health, model).

    By hand: no adopter (nobody USES it, nobody adopts it) = ka-none, ka-notrack,
    ka-unrated; no EVIDENCE_FOR = every asset but ka-used; with CITES too, ka-reverse has
    evidence. Nothing above 3: สุขภาพ (1, 2) and the null track (3); อาชีพ has a 4;
    การศึกษา has no number, so it is only "nothing known above". Nothing below 3 (all at
    least 3): อาชีพ (3, 4) and null (3)."""
    nodes = [
        asset("ka-used", "คู่มือการเรียนรู้", track=HEALTH, readiness=1, tags=["health", "model"]),
        asset("ka-adopted", "หลักสูตรแกนกลาง", track=HEALTH, readiness=2),
        asset("ka-reverse", "บทเรียนอาชีพ", track=JOBS, readiness=3),
        asset("ka-none", "ผลการศึกษา", track=JOBS, readiness=4),
        asset("ka-notrack", "สื่อ", readiness=3),
        asset("ka-unrated", "ฐานความรู้", track=SCHOOL),
        organisation("org-a", "อบต. ก", track=HEALTH, readiness=1),
        organisation("org-b", "สำนักงาน ข"),
        organisation("org-c", "มูลนิธิ ค"),
        organisation("org-p", "ทีมกลาง"),
        organisation("org-study", "สถาบันวิจัย"),
        network("net-n", "เครือข่าย น"),
        person("p-1", "ชาวบ้าน"),
        Node("area-p", "Area", {"name": "พัทลุง", "admin_level": "provincial"}),
        Node("area-d", "Area", {"name": "เมือง", "admin_level": "district"}),
    ]
    edges = [
        Edge("org-p", "PRODUCES", "ka-used"),
        Edge("org-a", "USES", "ka-used"),
        Edge("p-1", "EVIDENCE_FOR", "ka-used"),
        Edge("org-p", "PRODUCES", "ka-adopted"),
        Edge("ka-adopted", "ADOPTED_BY", "org-b"),
        Edge("org-c", "ADOPTED_BY", "ka-reverse"),
        Edge("ka-reverse", "CITES", "org-study"),
        Edge("net-n", "PRODUCES", "ka-none"),
        Edge("ka-none", "LOCATED_IN", "area-d"),
        Edge("area-d", "PART_OF", "area-p"),
        Edge("ka-notrack", "USES", "ka-notrack"),
        Edge("org-a", "PARTNERS_WITH", "org-b"),
    ]
    return nodes, edges


ALL = ["ka-adopted", "ka-none", "ka-notrack", "ka-reverse", "ka-unrated", "ka-used"]


def test_the_cross_table_and_the_roles_by_hand(store: GraphStore) -> None:
    store.write(*knowledge_graph())
    doc = knowledge(store, rows="track")
    json.dumps(doc, allow_nan=False)
    assert doc["rows"] == "track" and doc["cols"] == "readiness"
    assert doc["where"] == [] and doc["evidence_types"] == ["EVIDENCE_FOR"]
    assert doc["count"] == 6 and [a["id"] for a in doc["assets"]] == ALL
    assert doc["row_values"] == [SCHOOL, HEALTH, JOBS, None]
    assert doc["col_values"] == ["1", "2", "3", "4", None]
    assert [(c["row"], c["col"], c["assets"]) for c in doc["table"]] == [
        (SCHOOL, None, ["ka-unrated"]),
        (HEALTH, "1", ["ka-used"]),
        (HEALTH, "2", ["ka-adopted"]),
        (JOBS, "3", ["ka-reverse"]),
        (JOBS, "4", ["ka-none"]),
        (None, "3", ["ka-notrack"]),
    ]
    assert all(c["count"] == len(c["assets"]) for c in doc["table"])
    by_id = {a["id"]: a for a in doc["assets"]}
    assert by_id["ka-used"] == {
        "id": "ka-used",
        "name": "คู่มือการเรียนรู้",
        "row": HEALTH,
        "col": "1",
        "producers": ["org-p"],
        "users": ["org-a"],
        "adopters": [],
        "evidence": ["p-1"],
    }
    assert by_id["ka-adopted"]["adopters"] == ["org-b"]
    assert by_id["ka-adopted"]["producers"] == ["org-p"] and by_id["ka-adopted"]["users"] == []
    assert by_id["ka-reverse"]["adopters"] == ["org-c"]  # ADOPTED_BY the other way round
    assert by_id["ka-none"]["producers"] == ["net-n"]
    assert by_id["ka-notrack"]["users"] == [] and by_id["ka-notrack"]["row"] is None
    assert by_id["ka-unrated"]["col"] is None
    assert doc["no_adopter"] == ["ka-none", "ka-notrack", "ka-unrated"]
    assert doc["no_evidence"] == ["ka-adopted", "ka-none", "ka-notrack", "ka-reverse", "ka-unrated"]
    assert doc["above"] is None and doc["nothing_above"] is None
    assert doc["nothing_known_above"] is None and doc["nothing_below"] is None


def test_evidence_types_and_levels(store: GraphStore) -> None:
    store.write(*knowledge_graph())
    doc = knowledge(store, "track", evidence_types="CITES,EVIDENCE_FOR", above="3", below=3)
    assert doc["evidence_types"] == ["CITES", "EVIDENCE_FOR"]
    # CITES from the asset counts: evidence is read in either direction
    assert doc["no_evidence"] == ["ka-adopted", "ka-none", "ka-notrack", "ka-unrated"]
    assert doc["above"] == 3 and doc["nothing_above"] == [HEALTH, None]
    assert doc["nothing_known_above"] == [SCHOOL, HEALTH, None]
    assert doc["below"] == 3 and doc["nothing_below"] == [JOBS, None]
    assert doc["nothing_known_below"] == [SCHOOL, JOBS, None]
    # Thai digits read as digits; 1 leaves only the null track's 3 out of สุขภาพ's reach
    assert knowledge(store, "track", above="๑")["nothing_above"] == []
    assert knowledge(store, "track", above="๒")["nothing_above"] == [HEALTH]


def test_where_unknown_attributes_and_several_values(store: GraphStore) -> None:
    store.write(*knowledge_graph())
    inside = knowledge(store, "track", where=["within=area-p"])
    assert [a["id"] for a in inside["assets"]] == ["ka-none"]
    assert inside["where"] == ["within=area-p"] and inside["no_adopter"] == ["ka-none"]
    level3 = knowledge(store, "track", where="readiness=3")
    assert [a["id"] for a in level3["assets"]] == ["ka-notrack", "ka-reverse"]
    assert knowledge(store, where=["kind=Organisation"])["count"] == 0
    # default rows: asset_type, which no asset here has: every asset under null
    unknown = knowledge(store)
    assert unknown["rows"] == "asset_type" and unknown["row_values"] == [None]
    assert [(c["row"], c["col"], c["assets"]) for c in unknown["table"]] == [
        (None, "1", ["ka-used"]),
        (None, "2", ["ka-adopted"]),
        (None, "3", ["ka-notrack", "ka-reverse"]),
        (None, "4", ["ka-none"]),
        (None, None, ["ka-unrated"]),
    ]
    # a list value puts the asset under each of its values, never under "health|model"
    tags = knowledge(store, rows="tags", cols="track")
    assert [(c["row"], c["col"], c["assets"]) for c in tags["table"]] == [
        ("health", HEALTH, ["ka-used"]),
        ("model", HEALTH, ["ka-used"]),
        (None, SCHOOL, ["ka-unrated"]),
        (None, HEALTH, ["ka-adopted"]),
        (None, JOBS, ["ka-none", "ka-reverse"]),
        (None, None, ["ka-notrack"]),
    ]
    assert tags["assets"][-1]["row"] == ["health", "model"]


def test_wrong_input_is_refused_with_a_clear_message(store: GraphStore) -> None:
    store.write(*knowledge_graph())
    with pytest.raises(InvalidInput, match="--above must be a number"):
        knowledge(store, above="three")
    with pytest.raises(InvalidInput, match="--below must be a number"):
        knowledge(store, below="nan")
    with pytest.raises(InvalidInput, match="values of 'track' are text"):
        knowledge(store, cols="track", above=3)
    with pytest.raises(InvalidInput, match="not a relationship type"):
        knowledge(store, evidence_types="evidence for")
    with pytest.raises(InvalidInput, match="filter term"):
        knowledge(store, where="readiness")


# -- the command line and the API ----------------------------------------------------------------


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*knowledge_graph())
    expected = knowledge(store, "track", None, None, "CITES,EVIDENCE_FOR", "3")
    within = knowledge(store, "track", where=["within=area-p", "readiness=4"])
    with TestClient(create_app(store=store)) as client:
        got = client.get("/api/knowledge?rows=track&evidence_type=CITES,EVIDENCE_FOR&above=3")
        assert got.status_code == 200 and got.json() == expected
        twice = client.get(
            "/api/knowledge",
            params=[
                ("rows", "track"),
                ("evidence_type", "CITES"),
                ("evidence_type", "EVIDENCE_FOR"),
                ("above", "3"),
            ],
        )
        assert twice.json() == expected
        got = client.get("/api/knowledge?rows=track&where=within=area-p&where=readiness=4")
        assert got.json() == within
        bad = client.get("/api/knowledge?above=high")
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
        assert "--above must be a number" in bad.json()["error"]["message"]
    store.close()
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        done = runner.invoke(main, ["--store", str(db), "knowledge", *args])
        assert done.exit_code == code, done.output
        return done.output

    args = ["--rows", "track", "--evidence-type", "CITES,EVIDENCE_FOR", "--above", "3"]
    assert json.loads(run(*args, "--json")) == expected
    assert json.loads(run("--rows", "track", "--where", "within=area-p", "--where",
                          "readiness=4", "--json")) == within  # fmt: skip
    text = run("--rows", "track", "--above", "3")
    assert (
        "6 knowledge asset(s) by track × readiness: 3 used or adopted by nobody, 5 with no "
        "evidence (EVIDENCE_FOR)." in text
    )
    assert text.startswith("องค์ความรู้ 6 ชิ้น")
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("track \\ readiness"))
    grid = lines[start : start + 5]
    assert [re.split(r"\s{2,}", line) for line in grid] == [
        ["track \\ readiness", "1", "2", "3", "4", "null", "total"],
        [SCHOOL, "-", "-", "-", "-", "1", "1"],
        [HEALTH, "1", "1", "-", "-", "-", "2"],
        [JOBS, "-", "-", "1", "1", "-", "2"],
        ["null", "-", "-", "1", "-", "-", "1"],
    ]
    # the columns line up in a terminal: Thai row labels are padded by their display width
    starts = {display_width(re.match(r"^(.*?\S)\s{2,}", line)[0]) for line in grid}  # type: ignore[index]
    assert len(starts) == 1
    assert "track values with nothing above 3 in readiness: สุขภาพ, null" in text
    assert "nothing known above 3, but some assets have no readiness: การศึกษา" in text
    assert "ผลการศึกษา [ka-none]" in text
    # an attribute no asset has is not an error: everything under null
    assert "null" in run("--rows", "no_such_attribute")
    bad = runner.invoke(main, ["--store", str(db), "knowledge", "--above", "x"])
    assert bad.exit_code == 1 and "--above must be a number" in bad.output

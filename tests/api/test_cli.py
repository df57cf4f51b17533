"""The graph-service command: verbs, JSON shapes and exit codes (CONTRACT.md section 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_service.cli import main
from tests.conftest import SAMPLES

CLI = str(Path(sys.executable).parent / "graph-service")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "g.db")


def test_import_stats_show_through_the_installed_command(db: str) -> None:
    done = run("--store", db, "import", str(SAMPLES / "community-occupation"))
    assert done.returncode == 0, done.stderr
    assert "74 entities (74 new" in done.stdout
    stats = json.loads(run("stats", "--json", "--store", db).stdout)
    assert stats["nodes"]["Organisation"] == 17
    assert sum(stats["relationships"].values()) == 125
    assert stats["version"] == 1
    show = json.loads(run("--store", db, "show", "org-eef", "--json").stdout)
    assert set(show) == {"id", "kind", "name", "level", "properties", "relationships"}
    assert (show["kind"], show["level"], show["name"]) == (
        "Organisation",
        "node",
        "กองทุนเพื่อความเสมอภาคทางการศึกษา",
    )
    rel = show["relationships"][0]
    assert set(rel) == {"type", "direction", "other", "outgoing", "properties"}
    provides = sorted(r["other"] for r in show["relationships"] if r["type"] == "PROVIDES")
    assert provides == ["fund-mechanism-budget", "fund-project-budget", "fund-skills-grant"]


def test_store_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("GRAPH_STORE", db)
    result = runner.invoke(main, ["import", str(SAMPLES / "district-qol")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["stats", "--json"])
    assert json.loads(result.stdout)["nodes"]["Network"] == 7
    assert Path(db).exists()


def test_invalid_input_exits_1_naming_file_row_and_column(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "people.csv").write_text("id,name\np1,\n", encoding="utf-8")
    done = run("--store", db, "import", str(folder))
    assert done.returncode == 1
    assert "people.csv:2:name: missing name" in done.stderr
    assert "nothing was imported" in done.stderr
    assert json.loads(run("--store", db, "stats", "--json").stdout)["nodes"] == {}


def test_unknown_entity_exits_1(db: str) -> None:
    assert run("--store", db, "import", str(SAMPLES / "district-qol")).returncode == 0
    done = run("--store", db, "show", "nobody")
    assert done.returncode == 1
    assert "no entity has the id or name 'nobody'" in done.stderr


def test_wrong_usage_exits_2() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["import"]).exit_code == 2
    assert runner.invoke(main, ["no-such-verb"]).exit_code == 2
    result = runner.invoke(main, ["map"])
    assert result.exit_code == 2
    assert "Missing option '--output'" in result.stderr
    assert runner.invoke(main, ["export", "--format", "pdf", "-o", "x"]).exit_code == 2
    assert runner.invoke(main, ["overlap", "--by", "colour"]).exit_code == 2


def test_unreachable_store_exits_3() -> None:
    done = run("--store", "bolt://neo4j:x@127.0.0.1:9", "stats")
    assert done.returncode == 3
    assert "cannot reach Neo4j at bolt://neo4j@127.0.0.1:9" in done.stderr
    assert ":x@" not in done.stderr  # never print the password


def test_skip_invalid_prints_the_rejects_file(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "people.csv").write_text("id,name\np1,ก\np2,\n", encoding="utf-8")
    rejects = tmp_path / "out" / "rejects.csv"
    done = run("--store", db, "import", str(folder), "--skip-invalid", "--rejects", str(rejects))
    assert done.returncode == 0
    assert str(rejects) in done.stderr
    assert rejects.exists()


def test_geography_for_one_province(db: str) -> None:
    done = run("--store", db, "import-geography", "--province", "พัทลุง", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # th, its region, the province, 11 districts, 65 subdistricts
    assert report["entities"] == 1 + 1 + 1 + 11 + 65
    assert report["written"]["nodes"]["created"] == 79


def test_demo_loads_the_sample_without_serving(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    done = run("demo", "--no-serve", "--store", db)
    assert done.returncode == 0, done.stderr
    nodes = json.loads(run("--store", db, "stats", "--json").stdout)["nodes"]
    # community-occupation, and informal-workers-om with its meetings and journals
    assert (nodes["Fund"], nodes["Event"], nodes["ProgressMarker"]) == (3, 12, 16)


def test_the_four_questions_as_json(db: str) -> None:
    assert run("--store", db, "import", str(SAMPLES / "community-occupation")).returncode == 0
    reach = json.loads(
        run("--store", db, "reach", "person-coordinator", "-k", "1", "--json").stdout
    )
    assert {"id", "depth", "reach", "weighted_reach", "by_kind", "nodes"} <= set(reach)
    assert (reach["reach"], reach["depth"]) == (7, 1)
    assert set(reach["nodes"][0]) == {"id", "kind", "name", "distance"}
    group = json.loads(
        run(
            "--store",
            db,
            "reach",
            "org-node-north",
            "org-node-south",
            "-k",
            "1",
            "--targets",
            "Area",
            "--json",
        ).stdout
    )
    assert [n["id"] for n in group["nodes"]] == ["area-north", "area-south"]
    done = run("--store", db, "brokerage", "--group-by", "sector", "--undirected", "--json")
    doc = json.loads(done.stdout)
    assert doc["group_by"] == "sector"
    roles = {"coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total"}
    assert {"id", "name", "group", "constraint", "betweenness"} | roles <= set(doc["nodes"][0])
    assert doc["nodes"][0]["id"] == "org-provider"
    impact = json.loads(
        run("--store", db, "brokerage", "--without", "org-provider", "--json").stdout
    )
    assert impact["id"] == "org-provider" and impact["lost_pairs"] >= 1
    overlap = json.loads(run("--store", db, "overlap", "--by", "beneficiary", "--json").stdout)
    assert [(p["fund_a"], p["fund_b"]) for p in overlap["pairs"]] == [
        ("fund-project-budget", "fund-skills-grant")
    ]
    gaps = json.loads(run("--store", db, "gaps", "--json").stdout)
    assert {"by", "blocks", "missing", "ei_index"} <= set(gaps)
    assert gaps["by"] == "admin_level"
    for verb in (["reach", "person-coordinator"], ["brokerage"], ["overlap"], ["gaps"]):
        text = run("--store", db, *verb)
        assert text.returncode == 0, text.stderr
        assert text.stdout.strip()


def test_the_four_questions_refuse_bad_input(db: str) -> None:
    done = run("--store", db, "brokerage")
    assert (done.returncode, "Traceback" in done.stderr) == (1, False)
    assert f"no such store: '{db}'" in done.stderr
    assert run("--store", db, "import", str(SAMPLES / "community-occupation")).returncode == 0
    cases = [
        (["reach", "nobody"], "no entity has the id or name 'nobody'"),
        (["reach", "org-provider", "--depth", "0"], "depth must be a whole number from 1 to 10"),
        (["reach", "org-provider", "--depth", "99"], "from 1 to 10"),
        (["reach", "org-provider", "--kinds", "Planet"], "unknown kind 'Planet'"),
        (["brokerage", "--group-by", "colour"], "unknown attribute 'colour'"),
        (["brokerage", "--types", "member of"], "not a relationship type"),
        (["brokerage", "--without", "area-north"], "is an Area, not an actor"),
        (["gaps", "--by", "colour"], "unknown attribute 'colour'"),
        (["overlap", "--scope", "nowhere"], "nowhere"),
    ]
    for args, message in cases:
        done = run("--store", db, *args)
        assert done.returncode == 1, (args, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    as_json = run("--store", db, "reach", "nobody", "--json")
    assert json.loads(as_json.stdout)["error"]["code"] == "not_found"

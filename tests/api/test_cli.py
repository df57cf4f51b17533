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
    done = run("--store", db, "show", "nobody")
    assert done.returncode == 1
    assert "no entity has the id or name 'nobody'" in done.stderr


def test_wrong_usage_exits_2() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["import"]).exit_code == 2
    assert runner.invoke(main, ["no-such-verb"]).exit_code == 2
    result = runner.invoke(main, ["reach", "x", "--depth", "2"])
    assert result.exit_code == 2
    assert "not available yet" in result.stderr


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
    assert json.loads(run("--store", db, "stats", "--json").stdout)["nodes"]["Fund"] == 3

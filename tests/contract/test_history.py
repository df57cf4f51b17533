"""Issue 14 "Done when": three yearly snapshots of a bundled sample
(``phatthalung-welfare-years``, made by ``scripts/yearly_sample.py``: members joining and
leaving, ties ending, values changing) imported into one store with ``--snapshot``; every
question ``--as-of`` each year equals the same question asked of that year's dataset
imported alone into an empty store, on both stores; ``diff`` between the years is exact
(ids by hand from the generator) and its measures equal those of the separate stores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph_service.analysis.change import compare_measures
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.history import as_of
from tests.conftest import SAMPLES

YEARS_DIR = SAMPLES / "phatthalung-welfare-years"
YEARS = ("2565", "2566", "2567")
#: the questions compared (argv after the verb's own arguments; --json added)
QUESTIONS: list[list[str]] = [
    ["stats"],
    ["show", "net-fisherfolk"],
    ["show", "person-villager-3"],
    ["reach", "net-welfare-network", "--depth", "2"],
    ["reach", "org-pso", "--depth", "3", "--breakdown", "kind"],
    ["brokerage", "--betweenness"],
    ["overlap"],
    ["gaps"],
    ["gaps", "--by", "sector"],
    ["path", "person-villager-1", "org-pao", "--all"],
    ["unlinked", "--from", "kind=Person", "--to", "kind=Organisation", "--depth", "2"],
    ["fragility"],
    ["find", "--where", "kind=Person"],
    ["find", "--where", "within=area-phatthalung", "--where", "kind=Organisation"],
    ["structure"],
    ["knowledge"],
    ["funds"],
    ["pairs", "--share", "sector"],
    ["ties", "--where", "capacity=personal"],
    ["map"],
]


def _without_versions(doc: Any) -> Any:
    """The document without the graph's version (a store's own counter) and, for a map,
    without positions (the layout's starting order is the store's)."""
    if isinstance(doc, dict):
        return {
            k: _without_versions(v)
            for k, v in doc.items()
            if k not in {"version", "x", "y", "bands"}
        }
    if isinstance(doc, list):
        return [_without_versions(v) for v in doc]
    return doc


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.runner = CliRunner()
        self.env = env

    def __call__(self, *argv: str) -> Any:
        done = self.runner.invoke(main, list(argv), env=self.env)
        assert done.exit_code == 0, (argv, done.output)
        return done.output

    def answers(self, store: str, as_of_: str | None = None) -> dict[str, Any]:
        out = {}
        for question in QUESTIONS:
            argv = [*question, "--json", "--store", store]
            if as_of_ is not None:
                argv += ["--as-of", as_of_]
            doc = _without_versions(json.loads(self(*argv)))
            if question[0] == "map":  # drawn in the store's order: the same set
                doc["nodes"] = sorted(doc["nodes"], key=lambda n: n["id"])
                doc["edges"] = sorted(doc["edges"], key=lambda e: (e["from"], e["type"], e["to"]))
            out[" ".join(question)] = doc
        return out


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Cli, list[str], GraphStore | None]]:
    """(the CLI, four store URLs: one per year alone and the combined one, the Neo4j store
    to clear between them or None). Neo4j has one database, so its "stores" are the same URL
    and the test clears it between them."""
    if request.param == "embedded":
        yield Cli({}), [str(tmp_path / f"{n}.db") for n in (*YEARS, "all")], None
        return
    store: GraphStore = request.getfixturevalue("neo4j_store")
    url, user, password = request.getfixturevalue("neo4j_server")
    yield Cli({"GRAPH_NEO4J_USER": user, "GRAPH_NEO4J_PASSWORD": password}), [url] * 4, store
    store.clear()


def test_every_question_as_of_each_year_equals_that_year_alone(
    target: tuple[Cli, list[str], GraphStore | None],
) -> None:
    cli, urls, neo4j = target
    alone: dict[str, dict[str, Any]] = {}
    for year, url in zip(YEARS, urls, strict=False):
        if neo4j is not None:
            neo4j.clear()
        cli("import", str(YEARS_DIR / year), "--snapshot", year, "--store", url)
        alone[year] = cli.answers(url)
        # the year alone as of its own year: the same (its data holds then)
        assert cli.answers(url, year) == alone[year]
    combined = urls[3]
    if neo4j is not None:
        neo4j.clear()
    for year in YEARS:
        cli("import", str(YEARS_DIR / year), "--snapshot", year, "--store", combined)
    for year in YEARS:
        got = cli.answers(combined, year)
        for question, answer in alone[year].items():
            assert got[question] == answer, (year, question)
    # now is the last snapshot
    assert cli.answers(combined) == alone["2567"]
    # before the first snapshot nothing was recorded: an empty graph, said so
    done = cli.runner.invoke(
        main,
        ["find", "--where", "kind=Person", "--json", "--store", combined, "--as-of", "2564"],
        env=cli.env,
    )
    assert json.loads(done.stdout)["count"] == 0
    assert "2022-01-01" in done.stderr


#: the diff between the years, worked out from scripts/yearly_sample.py
DIFF_2565_2566 = {
    "added": ["person-villager-5"],
    "removed": ["prog-lake-livelihood"],
    "changed": {
        "ka-savings-lessons": {"readiness": [4, 3]},
        "person-villager-3": {"occupation": ["ประมง", "กรีดยาง"]},
    },
    "rel_added": [
        ("org-tsu", "MEMBER_OF", "net-pcho-khuan-khanun"),
        ("person-villager-5", "LOCATED_IN", "area-ko-mak"),
        ("person-villager-5", "MEMBER_OF", "net-fisherfolk"),
    ],
    "rel_removed": [
        ("org-pao", "FUNDS", "prog-lake-livelihood"),
        ("org-tao-ko-mak", "MEMBER_OF", "net-welfare-network"),
        ("prog-lake-livelihood", "FUNDS", "net-weavers"),
        ("prog-lake-livelihood", "OPERATES_IN", "area-ko-mak"),
        ("prog-lake-livelihood", "OPERATES_IN", "area-lampam"),
        ("prog-lake-livelihood", "OPERATES_IN", "area-thale-noi"),
    ],
    "rel_changed": {},
}
DIFF_2566_2567 = {
    "added": ["person-change-agent-trang"],
    "removed": ["person-villager-6"],
    "changed": {"person-villager-1": {"occupation": ["ประมง", "ค้าขาย"]}},
    "rel_added": [
        ("net-welfare-network", "SUPPORTS", "org-pao"),
        ("person-change-agent-trang", "LOCATED_IN", "area-trang"),
        ("person-change-agent-trang", "MEMBER_OF", "net-fisherfolk"),
    ],
    "rel_removed": [
        ("person-iw-rep", "MEMBER_OF", "net-weavers"),
        ("person-villager-6", "LOCATED_IN", "area-thale-noi"),
        ("person-villager-6", "MEMBER_OF", "net-weavers"),
    ],
    "rel_changed": {
        ("org-pso", "MEMBER_OF", "net-governor-committee"): {"role": ["secretary", "chair"]}
    },
}


def _ends(rels: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return sorted((r["source"], r["type"], r["target"]) for r in rels)


def _check_diff(doc: dict[str, Any], want: dict[str, Any]) -> None:
    assert doc["entities"]["added"] == want["added"]
    assert doc["entities"]["removed"] == want["removed"]
    assert {c["id"]: c["changes"] for c in doc["entities"]["changed"]} == want["changed"]
    assert _ends(doc["relationships"]["added"]) == want["rel_added"]
    assert _ends(doc["relationships"]["removed"]) == want["rel_removed"]
    changed = {
        (r["source"], r["type"], r["target"]): r["changes"] for r in doc["relationships"]["changed"]
    }
    assert changed == want["rel_changed"]


def test_diff_between_the_years_is_exact_and_its_measures_are_the_separate_stores(
    store: GraphStore, tmp_path: Path
) -> None:
    from importers.load import import_dataset

    alone: dict[str, EmbeddedStore] = {}
    for year in YEARS:
        alone[year] = EmbeddedStore(tmp_path / f"{year}.db", query_timeout=0)
        import_dataset(alone[year], YEARS_DIR / year, snapshot=f"{int(year) - 543}-01-01")
        import_dataset(store, YEARS_DIR / year, snapshot=f"{int(year) - 543}-01-01")
    from graph_service.analysis.change import diff

    first = diff(store, dt.date(2022, 1, 1), dt.date(2023, 12, 31))
    _check_diff(first, DIFF_2565_2566)
    second = diff(store, dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    _check_diff(second, DIFF_2566_2567)
    assert (first["from"], first["to"]) == ("2022-01-01", "2023-12-31")
    # the measures are those of the two years' own stores
    assert first["measures"] == compare_measures(alone["2565"], alone["2566"])
    assert second["measures"] == compare_measures(alone["2566"], alone["2567"])
    # hand-checked: the lessons' readiness, one more actor (the Ko Mak villager), and the
    # relationships: 154 -> 151 (3 added, 6 ended)
    assert first["measures"]["relationships"] == [154, 151]
    assert first["measures"]["actors"] == [36, 37]
    assert first["directions"]["added_vertical"] == 1  # Thaksin University -> the committee
    for s in alone.values():
        s.close()


def test_diff_on_the_command_line_says_it_in_thai_then_english(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    runner = CliRunner()
    for year in YEARS:
        done = runner.invoke(
            main, ["import", str(YEARS_DIR / year), "--snapshot", year, "--store", db]
        )
        assert done.exit_code == 0, done.output
    done = runner.invoke(main, ["diff", "--from", "2566", "--to", "2567", "--store", db])
    assert done.exit_code == 0, done.output
    # the welfare network's support of the PAO: both provincial, so horizontal; the Trang
    # change agent has no admin level, and LOCATED_IN ends at an area: "other"
    lines = done.output.splitlines()
    assert lines[0] == (
        "ปี 2566–2567: สมาชิกใหม่ 1, ออกไป 1, ความสัมพันธ์แนวราบเพิ่ม 1, "
        "ความสัมพันธ์อื่นเพิ่ม 2, สิ้นสุด 3, ข้อมูลเปลี่ยน 1 ราย, ความสัมพันธ์ที่ค่าเปลี่ยน 1"
    )
    assert lines[1].startswith("2023–2024: 1 joined, 1 left")
    done = runner.invoke(main, ["diff", "--from", "2567", "--to", "2566", "--store", db])
    assert done.exit_code == 2


def test_a_snapshot_again_adds_nothing_and_an_older_one_is_refused(store: GraphStore) -> None:
    from importers.load import import_dataset

    first = import_dataset(store, YEARS_DIR / "2566", snapshot="2023-01-01")
    again = import_dataset(store, YEARS_DIR / "2566", snapshot="2023-01-01")
    assert again.written.changed == 0
    assert again.written.version == first.written.version
    from graph_service.errors import InvalidInput

    with pytest.raises(InvalidInput, match="2022-01-01"):
        import_dataset(store, YEARS_DIR / "2565", snapshot="2022-01-01")
    assert store.version() == first.written.version


def test_edits_keep_what_was_there_and_history_shows_it(store: GraphStore) -> None:
    store.write([Node("p", "Person", {"name": "สมศรี", "income": 5000})], [], at="2022-01-01")
    store.write([Node("o", "Organisation", {"name": "อบต."})], [], at="2022-01-01")
    store.write([], [Edge("p", "MEMBER_OF", "o", {"role": "member"})], at="2022-01-01")
    store.write([Node("p", "Person", {"income": 7000})], [], at="2023-01-01")  # merged
    store.write([Node("p", "Person", {"name": "สมศรี", "income": 9000})], [], at="2024-01-01")
    store.write([], [Edge("p", "MEMBER_OF", "o", {"role": "chair"})], at="2024-01-01")
    store.delete([], ['["p", "MEMBER_OF", "o"]'], at="2025-06-30")
    from graph_service.entities import entity_history

    doc = entity_history(store, "p")
    assert doc["properties"]["income"] == [
        {"value": 5000, "from": "2022-01-01", "to": "2023-01-01"},
        {"value": 7000, "from": "2023-01-01", "to": "2024-01-01"},
        {"value": 9000, "from": "2024-01-01", "to": None},
    ]
    assert doc["properties"]["name"] == [{"value": "สมศรี", "from": "2022-01-01", "to": None}]
    (rel,) = doc["relationships"]
    assert [(v["from"], v["to"], v["properties"]["role"]) for v in rel["versions"]] == [
        ("2022-01-01", "2024-01-01", "member"),
        ("2024-01-01", "2025-06-30", "chair"),
    ]
    # as of each day, the value then
    incomes = [
        as_of(store, dt.date.fromisoformat(d)).get_nodes(["p"])["p"].props["income"]
        for d in ("2022-06-30", "2023-06-30", "2024-06-30")
    ]
    assert incomes == [5000, 7000, 9000]
    assert as_of(store, dt.date(2025, 1, 1)).count_edges() == 1
    assert as_of(store, dt.date(2025, 6, 30)).count_edges() == 0
    assert store.change_days() == ["2022-01-01", "2023-01-01", "2024-01-01", "2025-06-30"]


def test_valid_time_from_the_data_narrows_what_holds(store: GraphStore) -> None:
    """A member who joined in 2563 (start 2020) is no member as of 2562; a grant of a year
    holds that year; an entity's year (a fund's year of record) does not narrow it."""
    store.write(
        [
            Node("p", "Person", {"name": "ก"}),
            Node("n", "Network", {"name": "ข"}),
            Node("f", "Fund", {"name": "กองทุน", "year": 2008}),
            Node("g", "Programme", {"name": "โครงการ", "start_year": 2019, "end_year": 2020}),
        ],
        [
            Edge("p", "MEMBER_OF", "n", {"start": 2020}),
            Edge("f", "FUNDS", "n", {"year": 2021}),
            Edge("g", "SUPPORTS", "n", {}),
        ],
        at="2000-01-01",
    )

    def held(day: str) -> tuple[list[str], list[str]]:
        view = as_of(store, dt.date.fromisoformat(day))
        return view.ids_of(), sorted(e.type for e in view.find_edges())

    assert held("2019-12-31") == (["f", "g", "n", "p"], ["SUPPORTS"])
    assert held("2020-01-01") == (["f", "g", "n", "p"], ["MEMBER_OF", "SUPPORTS"])
    assert held("2021-06-30") == (["f", "n", "p"], ["FUNDS", "MEMBER_OF"])
    assert held("2022-01-01") == (["f", "n", "p"], ["MEMBER_OF"])


def test_a_snapshot_keeps_places_and_refuses_skip_invalid(store: GraphStore) -> None:
    from graph_service.errors import UsageError
    from importers.load import import_dataset

    store.write(
        [Node("th-93", "Area", {"name": "พัทลุง"}), Node("th-9301", "Area", {"name": "เมือง"})],
        [Edge("th-9301", "PART_OF", "th-93")],
        at="2021-01-01",
    )
    import_dataset(store, YEARS_DIR / "2565", snapshot="2022-01-01")
    assert store.get_nodes(["th-93", "th-9301"]).keys() == {"th-93", "th-9301"}
    assert store.count_edges(source="th-9301", type="PART_OF") == 1
    with pytest.raises(UsageError, match="skip-invalid"):
        import_dataset(store, YEARS_DIR / "2566", snapshot="2023-01-01", skip_invalid=True)


def test_an_old_store_file_gains_history(tmp_path: Path) -> None:
    """A file of schema 1 (before history) opens, keeps its rows (held since always), and
    keeps history from then on."""
    import sqlite3

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE nodes (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name_key TEXT,
                            props TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE edges (key TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL,
                            target TEXT NOT NULL, props TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '1'), ('version', '1'), ('name_keys', '2');
        INSERT INTO nodes VALUES ('a', 'Person', 'ก', '{"name":"ก"}');
        """
    )
    db.commit()
    db.close()
    store = EmbeddedStore(path, query_timeout=0)
    assert as_of(store, dt.date(1990, 1, 1)).ids_of() == ["a"]  # recorded before history
    store.write([Node("a", "Person", {"name": "ข"})], [], at="2024-01-01")
    assert as_of(store, dt.date(2023, 1, 1)).get_nodes(["a"])["a"].name == "ก"
    assert as_of(store, dt.date(2024, 1, 1)).get_nodes(["a"])["a"].name == "ข"
    store.close()

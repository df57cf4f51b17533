"""The dataset's column rules (graph_service.dataset) and the fast paths of the import:
edge keys, id and name normalisation, reading by distinct value, the embedded bulk write."""

from __future__ import annotations

import ast
import gc
import json
import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_service import dataset
from graph_service.domain import (
    Edge,
    Node,
    edge_key,
    length_problem,
    normalise_id,
    normalise_name,
    to_ascii_digits,
)
from graph_service.errors import InvalidInput
from graph_service.store.embedded import EmbeddedStore, _dumps
from importers.load import collector_paused, import_dataset
from importers.validate import by_distinct

ROOT = Path(__file__).resolve().parents[2]
_SPACES = re.compile(r"\s+")


# -- the module's place in the layers ------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_dataset_module_imports_only_the_bottom_layer() -> None:
    ours = {
        m
        for m in imported_modules(ROOT / "graph_service" / "dataset.py")
        if m.split(".")[0] in ("graph_service", "importers", "viz")
    }
    assert ours == {"graph_service.domain"}


@pytest.mark.parametrize("module", ["editing.py", "routes/imports.py"])
def test_the_edit_bodies_take_the_column_rules_from_the_dataset_module(module: str) -> None:
    modules = imported_modules(ROOT / "graph_service" / module)
    assert "graph_service.dataset" in modules
    assert not {m for m in modules if m.startswith("importers.validate")}
    if module == "editing.py":
        assert not {m for m in modules if m.startswith("importers")}


# -- the column rules ----------------------------------------------------------------------


def test_parse_cell_reads_a_cell_by_its_file_and_column() -> None:
    assert dataset.parse_cell("people", "tags", " a | | ข ") == ["a", "ข"]
    assert dataset.parse_cell("relationships", "tags", " a | b ") == "a | b"
    assert dataset.parse_cell("organisations", "readiness", "๒") == 2
    assert dataset.parse_cell("funds", "amount_thb", "฿3,000,000") == 3_000_000
    assert dataset.parse_cell("relationships", "capacity", " Personal ") == "personal"
    assert dataset.parse_cell("areas", "admin_level", " Provincial ") == "provincial"
    # the Thai words of the catalogue are the same levels; a word of the user's own is kept
    assert dataset.parse_cell("areas", "admin_level", "ตำบล") == "subdistrict"
    assert dataset.parse_cell("areas", "admin_level", "เขตพิเศษ") == "เขตพิเศษ"
    assert dataset.parse_cell("programmes", "start", "1/5/2551") == "2008-05-01"
    with pytest.raises(ValueError, match="readiness must be 1 to 4"):
        dataset.parse_cell("organisations", "readiness", "5")
    with pytest.raises(ValueError, match="capacity must be"):
        dataset.parse_cell("relationships", "capacity", "both")
    with pytest.raises(ValueError, match="amount_thb cannot be negative"):
        dataset.parse_cell("funds", "amount_thb", "-5")


def test_shorthand_columns_by_file() -> None:
    assert dataset.shorthand_applies("area_id", "people")
    assert dataset.shorthand_applies("area_id", "organisations")
    assert not dataset.shorthand_applies("parent_id", "people")
    assert not dataset.shorthand_applies("note", "people")
    assert dataset.shorthand_type("funder_id", "programmes") == ("FUNDS", False)
    assert dataset.shorthand_type("organisation_id", "people") == ("MEMBER_OF", True)


def test_required_and_reserved_columns() -> None:
    assert dataset.REQUIRED_COLUMNS["people"] == ("id", "name")
    assert dataset.REQUIRED_COLUMNS["relationships"] == ("source", "target", "type")
    assert dataset.reserved_columns("relationships") == ("key",)
    assert dataset.reserved_columns("areas") == ("name_key",)


def test_cell_text_of_spreadsheet_values() -> None:
    assert dataset.cell_text(2551.0) == "2551"
    assert dataset.cell_text(0.00001) == "0.00001"
    assert dataset.cell_text(True) == "true"
    assert dataset.cell_text(None) == ""


# -- fast paths that must read exactly as the slow ones ------------------------------------


@given(st.text(), st.text(), st.text())
def test_edge_key_is_the_json_it_always_was(source: str, type_: str, target: str) -> None:
    assert edge_key(source, type_, target) == json.dumps(
        [source, type_, target], ensure_ascii=False
    )
    assert edge_key(source, type_, target, target or "x") == json.dumps(
        ["id", target or "x"], ensure_ascii=False
    )


def test_edge_key_of_awkward_ids() -> None:
    for text in ['a"b', "a\\b", "a\nb", "ก\u0000", "\ud800", "𝒳", "\u2028"]:
        assert edge_key(text, "T", "x") == json.dumps([text, "T", "x"], ensure_ascii=False)


def general_id(text: str) -> str:
    return _SPACES.sub(" ", to_ascii_digits(unicodedata.normalize("NFKC", text))).strip()


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_ids_and_names_normalise_as_any_text_does(text: str) -> None:
    assert normalise_id(text) == general_id(text)
    assert normalise_name(text) == general_id(text).casefold()


@given(st.text(alphabet=st.characters(max_codepoint=127), min_size=995, max_size=1005))
def test_the_length_of_an_ascii_key(text: str) -> None:
    if len(text) > 1000:
        assert length_problem(text, "id") == (
            f"the id has {len(text)} characters; at most 1000 are kept"
        )
    else:
        assert length_problem(text, "id") is None


def test_a_short_name_too_long_once_normalised_is_still_refused() -> None:
    assert length_problem("\ufdfa" * 300, "name") == (
        "the name is too long once normalised for search (4000 bytes at most)"
    )


def test_by_distinct_reads_each_value_once() -> None:
    calls: list[str] = []

    def read(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert by_distinct(["a", "b", "a", "a"], read) == ["A", "B", "A", "A"]
    assert calls == ["a", "b"]


# -- the import: problems among many good rows ---------------------------------------------


def test_problems_among_many_rows_sharing_values(tmp_path: Path) -> None:
    """A bad cell whose value other rows share as good ones (the year 2551 here) and a
    value read once for many rows are both reported at their own row and column."""
    folder = tmp_path / "d"
    folder.mkdir()
    orgs = ["id,name,sector,year"] + [f"o{i},องค์กร {i},state,2551" for i in range(2000)]
    orgs[1500] = "o1498,ซ้ำ,state,2551"  # a duplicate id (row 1500)
    orgs[1700] = "o1699,องค์กร,state,๒๕๕x"  # a bad year (row 1700)
    (folder / "organisations.csv").write_text("\n".join(orgs) + "\n", encoding="utf-8")
    rels = ["source,target,type,year"] + [f"o{i},o{i + 1},PARTNERS_WITH,2551" for i in range(1200)]
    rels[600] = "o599,o599,PARTNERS_WITH,2551"  # a loop (row 600)
    rels[900] = "o899,o900,partners with,2551"  # a type as people type it: read as such
    rels.append("o10,o1699,SUPPORTS,2551")  # to the rejected entity
    rels.append("o10,o11,PARTNERS_WITH,2551")  # a duplicate of row 12
    (folder / "relationships.csv").write_text("\n".join(rels) + "\n", encoding="utf-8")
    store = EmbeddedStore(tmp_path / "g.db")
    with pytest.raises(InvalidInput) as caught:
        import_dataset(store, folder)
    problems = [
        f"{d['file']}:{d['row']}:{d['column']}: {d['reason']}" for d in caught.value.details
    ]
    assert problems == [
        "organisations.csv:1501:id: duplicate id 'o1498' (first at organisations.csv:1500)",
        "organisations.csv:1701:year: not a year: '๒๕๕x'",
        "relationships.csv:601:target: a relationship from 'o599' to itself",
        "relationships.csv:1202:target: 'o1699' was rejected (see organisations.csv:1701)",
        "relationships.csv:1203:type: duplicate relationship o10 -[PARTNERS_WITH]-> o11 "
        "(first at relationships.csv:12); give each row an 'id' column value to keep both",
    ]
    assert store.stats().nodes == {}


def test_an_import_pauses_the_collector_and_restores_it(tmp_path: Path) -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    store = EmbeddedStore(tmp_path / "g.db")
    with pytest.raises(InvalidInput):
        import_dataset(store, tmp_path / "missing")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before, off after
    finally:
        gc.enable()


# -- the embedded write path ---------------------------------------------------------------


def chain(n: int) -> tuple[list[Node], list[Edge]]:
    nodes = [Node(f"n{i}", "Organisation", {"name": f"องค์กร {i}"}) for i in range(n)]
    edges = [Edge(f"n{i}", "SUPPORTS", f"n{i + 1}", {"year": 2008}) for i in range(n - 1)]
    return nodes, edges


def test_a_bulk_write_to_a_missing_entity_writes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    nodes, edges = chain(1500)
    edges.append(Edge("n3", "SUPPORTS", "nobody", {}))
    with pytest.raises(ValueError, match="name an entity that does not exist; nothing"):
        store.write(nodes, edges)
    assert store.stats().nodes == {} and store.version() == 0
    db = store._writer.db  # the connection that writes
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    assert db.execute("PRAGMA cache_size").fetchone() == (-2000,)
    # and afterwards the foreign keys hold for a small write too
    with pytest.raises(ValueError, match="does not exist"):
        store.write([], [Edge("n1", "SUPPORTS", "nobody", {})])


def test_a_bulk_write_counts_what_it_changes(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    nodes, edges = chain(1500)
    first = store.write(nodes, edges)
    assert (first.nodes_created, first.edges_created) == (1500, 1499)
    again = store.write(nodes, edges)
    assert (again.nodes_unchanged, again.edges_unchanged, again.changed) == (1500, 1499, 0)
    assert again.version == first.version
    changed_nodes = [*nodes[:-1], Node("n1499", "Organisation", {"name": "ใหม่", "x": 1})]
    changed_nodes.append(Node("n0", "Organisation", {"note": "twice"}))  # an id given twice
    third = store.write(changed_nodes, edges)
    assert (third.nodes_created, third.nodes_updated, third.nodes_unchanged) == (0, 2, 1499)
    got = store.get_nodes(["n0", "n1499"])
    assert got["n0"].props == {"name": "องค์กร 0", "note": "twice"}
    assert got["n1499"].props == {"name": "ใหม่", "x": 1}
    assert store.find_by_name("ใหม่")[0].id == "n1499"


def test_properties_orjson_cannot_write_are_stored_as_before(tmp_path: Path) -> None:
    huge = 10**30
    props = {"amount_thb": huge, "b": "ก", "a": [1.5, 1e16]}
    assert json.loads(_dumps(props)) == props
    assert _dumps({"x": huge}) == '{"x":1000000000000000000000000000000}'
    assert _dumps({"x": float("nan")}) == '{"x":NaN}'
    assert _dumps({"b": 1, "a": "ข"}) == '{"a":"ข","b":1}'
    store = EmbeddedStore(tmp_path / "g.db")
    store.write([Node("f1", "Fund", {"name": "กองทุน", "amount_thb": huge})], [])
    assert store.get_nodes(["f1"])["f1"].props["amount_thb"] == huge


def test_an_old_store_file_keeps_its_edge_keys(tmp_path: Path) -> None:
    """Keys written by json.dumps (as before) are found and updated, not duplicated."""
    store = EmbeddedStore(tmp_path / "g.db")
    nodes, edges = chain(3)
    store.write(nodes, [])
    db = sqlite3.connect(tmp_path / "g.db")
    with db:
        db.execute(
            "INSERT INTO edges (key, source, type, target, props) "
            "VALUES (?, 'n0', 'SUPPORTS', 'n1', '{}')",
            (json.dumps(["n0", "SUPPORTS", "n1"], ensure_ascii=False),),
        )
    db.close()
    result = store.write([], [Edge("n0", "SUPPORTS", "n1", {"year": 2008})])
    assert (result.edges_created, result.edges_updated) == (0, 1)
    assert len(store.find_edges(source="n0")) == 1


def test_a_year_or_date_with_a_line_break_is_refused_with_a_message() -> None:
    """A cell typed with Alt+Enter, or an as_of pasted with a line break, is no year: a
    ValueError naming it (the OpenAPI fuzz found an assertion instead)."""
    from graph_service.dataset import parse_when, parse_year

    for text in ("0\n0", "25\n51"):
        with pytest.raises(ValueError, match="not a year"):
            parse_year(text)
        with pytest.raises(ValueError, match="not a year"):
            parse_when(text)
    assert parse_when(" 2567\n") == parse_when("2567")

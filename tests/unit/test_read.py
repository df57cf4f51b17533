"""Reading datasets (importers.read): folders of CSV files, workbooks, encodings, and the
problems a user must see as ``file:row:column: reason`` (CONTRACT.md section 1)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

import graph_service
from importers.read import Problem, Row, Table, read_dataset

# The package's copy of the samples once it is there; the shared one until then.
_PACKAGED = Path(graph_service.__file__).parent / "data" / "samples"
SAMPLES = _PACKAGED if _PACKAGED.is_dir() else Path("/work/shared/data/samples")


# --- helpers ------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file of ``text`` in ``encoding``; ``newline=""`` keeps the line ends as written."""
    path = folder / name
    with path.open("w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def write_bytes(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx workbook with one sheet per entry, rows written from A1 down."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def only(tables: list[Table]) -> Table:
    assert len(tables) == 1, tables
    return tables[0]


def texts(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


THAI_PEOPLE = "id,name,name_en\np1,นางสาวสมศรี ใจดี,Somsri Jaidee\np2,ผู้ใหญ่บ้าน ๑๒,Village head\n"


# --- Problem ------------------------------------------------------------------------------


def test_problem_str_and_dict() -> None:
    p = Problem("people.csv", 3, "name", "missing")
    assert str(p) == "people.csv:3:name: missing"
    assert p.to_dict() == {"file": "people.csv", "row": 3, "column": "name", "reason": "missing"}
    assert str(Problem("peple.csv", None, None, "unknown file")) == "peple.csv:-:-: unknown file"


# --- encodings ----------------------------------------------------------------------------


def test_utf8(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", THAI_PEOPLE)
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    table = only(tables)
    assert table == Table(
        "people.csv",
        "people",
        ["id", "name", "name_en"],
        [
            Row(2, {"id": "p1", "name": "นางสาวสมศรี ใจดี", "name_en": "Somsri Jaidee"}),
            Row(3, {"id": "p2", "name": "ผู้ใหญ่บ้าน ๑๒", "name_en": "Village head"}),
        ],
    )


def test_utf8_with_bom(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", THAI_PEOPLE.replace("\n", "\r\n"), encoding="utf-8-sig")
    table = only(read_dataset(tmp_path)[0])
    assert table.columns == ["id", "name", "name_en"]  # the BOM is not part of "id"
    assert table.rows[0].values["name"] == "นางสาวสมศรี ใจดี"
    assert table.rows[1].values == {
        "id": "p2",
        "name": "ผู้ใหญ่บ้าน ๑๒",
        "name_en": "Village head",
    }


def test_cp874_detected(tmp_path: Path) -> None:
    text = "id,name\norg1,สำนักงานกองทุนสนับสนุนการสร้างเสริมสุขภาพ\norg2,เทศบาลตำบลท่าแค\n"
    write(tmp_path, "organisations.csv", text, encoding="cp874")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert [r.values["name"] for r in only(tables).rows] == [
        "สำนักงานกองทุนสนับสนุนการสร้างเสริมสุขภาพ",
        "เทศบาลตำบลท่าแค",
    ]


def test_tis620_bytes_detected(tmp_path: Path) -> None:
    # The same Thai letters in TIS-620, the standard CP874 extends.
    write_bytes(tmp_path, "areas.csv", "id,name\na1,พัทลุง\n".encode("tis-620"))
    assert only(read_dataset(tmp_path)[0]).rows[0].values == {"id": "a1", "name": "พัทลุง"}


def test_latin1_is_not_guessed(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", "id,name\np1,café\n", encoding="latin-1")
    tables, problems = read_dataset(tmp_path)
    assert tables == []
    assert texts(problems) == [
        "people.csv:-:-: cannot tell the encoding: it is neither UTF-8 nor CP874/TIS-620 "
        "(Thai Windows); save it as UTF-8 or name the encoding with --encoding "
        "(row 2: byte 0xE9 is not UTF-8)"
    ]


@pytest.mark.parametrize("word", ["Mädchen", "École", "voilà", "São Paulo", "Ölmühle"])
def test_latin1_accents_are_not_taken_for_thai(tmp_path: Path, word: str) -> None:
    # Each of these decodes as CP874 (ä -> ไ, É -> ษ, à -> เ, ã -> ใ, Ö -> ึ), with a lone
    # Thai character stuck to Latin letters or a mark after a non-Thai one.
    write(tmp_path, "people.csv", f"id,name\np1,{word}\n", encoding="latin-1")
    tables, problems = read_dataset(tmp_path)
    assert tables == []
    assert problems[0].reason.startswith("cannot tell the encoding")


def test_cp874_mixed_with_latin(tmp_path: Path) -> None:
    text = "id,name,note\no1,เครือข่ายKM ภาคใต้,OPDคลินิก ณ A\n"
    write(tmp_path, "organisations.csv", text, encoding="cp874")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert only(tables).rows[0].values == {
        "id": "o1",
        "name": "เครือข่ายKM ภาคใต้",
        "note": "OPDคลินิก ณ A",
    }


def test_latin1_when_named(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", "id,name\np1,café\n", encoding="latin-1")
    tables, problems = read_dataset(tmp_path, encoding="latin-1")
    assert problems == []
    assert only(tables).rows[0].values["name"] == "café"


def test_cp874_without_thai_is_not_guessed(tmp_path: Path) -> None:
    # Windows-1252 "€" is 0x80, which CP874 also decodes; with no Thai letter it is no proof.
    write_bytes(tmp_path, "funds.csv", b"id,name,amount\nf1,Fund,\x80100\n")
    tables, problems = read_dataset(tmp_path)
    assert tables == []
    assert problems[0].reason.startswith("cannot tell the encoding")


def test_broken_utf8_is_not_read_as_cp874(tmp_path: Path) -> None:
    # UTF-8 Thai with one stray byte: as CP874 it would decode to garbage Thai letters.
    data = "id,name\np1,สมศรี\np2,".encode() + b"\xff\n"
    write_bytes(tmp_path, "people.csv", data)
    tables, problems = read_dataset(tmp_path)
    assert tables == []
    assert problems[0].reason.endswith("(row 3: byte 0xFF is not UTF-8)")


def test_named_encoding(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", THAI_PEOPLE, encoding="cp874")
    table = only(read_dataset(tmp_path, encoding="tis-620")[0])
    assert table.rows[0].values["name"] == "นางสาวสมศรี ใจดี"
    write(tmp_path, "people.csv", THAI_PEOPLE, encoding="utf-8-sig")
    table = only(read_dataset(tmp_path, encoding="utf-8")[0])
    assert table.columns[0] == "id"


def test_named_encoding_that_does_not_fit(tmp_path: Path) -> None:
    # A CP874 file read as UTF-8: the problem names the row of the first bad byte.
    write(tmp_path, "people.csv", 'id,name\np1,Somsri\np2,"two\nlines"\np3,สมศรี\n', "cp874")
    tables, problems = read_dataset(tmp_path, encoding="utf-8")
    assert tables == []
    assert texts(problems) == ["people.csv:4:-: not valid utf-8: byte 0xCA cannot be read"]


def test_unknown_encoding_name(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", THAI_PEOPLE)
    with pytest.raises(ValueError, match="unknown encoding: 'thai-ish'"):
        read_dataset(tmp_path, encoding="thai-ish")
    with pytest.raises(ValueError, match="unknown encoding: 'base64'"):
        read_dataset(tmp_path, encoding="base64")  # a codec, but not a text encoding


# --- files and names ----------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \r\n\n ", b",,\n,,\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    write_bytes(tmp_path, "people.csv", data)
    tables, problems = read_dataset(tmp_path)
    assert tables == []
    assert texts(problems) == [
        "people.csv:-:-: the file is empty: it needs a header row naming the columns "
        "(e.g. id,name), then one row per entry"
    ]


def test_header_without_rows(tmp_path: Path) -> None:
    write(tmp_path, "funds.csv", "id,name,amount_thb\n")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert tables == [Table("funds.csv", "funds", ["id", "name", "amount_thb"], [])]


#: the section 1b names an unknown file or sheet is told about after the network's
MEETING_SHEETS = (
    ", or the meetings and Outcome Mapping {w}s events, attendance, outcome_challenges, "
    "progress_markers, strategies, practices, outcome_journal, strategy_journal, "
    "performance_journal"
)


def test_unknown_file_with_suggestion(tmp_path: Path) -> None:
    write(tmp_path, "peple.csv", THAI_PEOPLE)
    write(tmp_path, "organisations.csv", "id,name\no1,x\n")
    tables, problems = read_dataset(tmp_path)
    assert [t.name for t in tables] == ["organisations"]
    assert texts(problems) == [
        "peple.csv:-:-: unknown file: 'peple' is not one of people, organisations, networks, "
        "funds, knowledge_assets, areas, programmes, relationships"
        + MEETING_SHEETS.format(w="file")
        + "; did you mean 'people'?"
    ]


def test_unknown_file_without_suggestion(tmp_path: Path) -> None:
    write(tmp_path, "budget.csv", "id,name\n")
    problems = read_dataset(tmp_path)[1]
    assert texts(problems) == [
        "budget.csv:-:-: unknown file: 'budget' is not one of people, organisations, networks, "
        "funds, knowledge_assets, areas, programmes, relationships"
        + MEETING_SHEETS.format(w="file")
        + ""
    ]


def test_file_names_are_case_and_space_insensitive(tmp_path: Path) -> None:
    write(tmp_path, "Knowledge_Assets.CSV", "id,name\nk1,คู่มือ\n")
    write(tmp_path, " Relationships .csv", "source,target,type\na,b,MEMBER_OF\n")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert [(t.file, t.name) for t in tables] == [
        (" Relationships .csv", "relationships"),
        ("Knowledge_Assets.CSV", "knowledge_assets"),
    ]


def test_two_files_for_one_table(tmp_path: Path) -> None:
    write(tmp_path, "People.csv", "id,name\np1,A\n")
    write(tmp_path, "people.csv", "id,name\np2,B\n")
    tables, problems = read_dataset(tmp_path)
    assert [(t.file, t.rows[0].values["id"]) for t in tables] == [("People.csv", "p1")]
    assert texts(problems) == [
        "people.csv:-:-: two files hold the 'people' table: 'People.csv' and 'people.csv'; "
        "keep one (this one was not read)"
    ]


def test_folder_ignores_other_files(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", THAI_PEOPLE)
    write(tmp_path, "README.md", "# notes\n")
    write(tmp_path, "notes.txt", "x")
    workbook(tmp_path / "organisations.xlsx", {"bogus": [["x"]]})
    write(tmp_path, "._people.csv", "\x00\x05binary")  # macOS metadata beside the real file
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "networks.csv", "id,name\n")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert [t.name for t in tables] == ["people"]


def test_folder_without_csv(tmp_path: Path) -> None:
    workbook(tmp_path / "book.xlsx", {"people": [["id", "name"]]})
    assert texts(read_dataset(tmp_path)[1]) == [
        f"{tmp_path.name}:-:-: no CSV files in this folder (import the workbook 'book.xlsx' itself)"
    ]


def test_single_csv_file(tmp_path: Path) -> None:
    path = write(tmp_path, "relationships.csv", "Source,Target,Type\np1,o1,MEMBER_OF\n")
    write(tmp_path, "peple.csv", "id,name\n")  # beside it, but not asked for
    tables, problems = read_dataset(str(path))
    assert problems == []
    assert only(tables) == Table(
        "relationships.csv",
        "relationships",
        ["source", "target", "type"],
        [Row(2, {"source": "p1", "target": "o1", "type": "MEMBER_OF"})],
    )


def test_single_csv_file_with_unknown_name(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", "id,name\n")
    tables, problems = read_dataset(path)
    assert tables == []
    assert problems[0].reason.startswith("unknown file: 'data' is not one of people")


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no-such-folder"):
        read_dataset(tmp_path / "no-such-folder")
    txt = write(tmp_path, "people.txt", THAI_PEOPLE)
    with pytest.raises(ValueError, match="people.txt") as info:
        read_dataset(txt)
    assert "a folder of CSV files, one .csv file or one .xlsx workbook" in str(info.value)


# --- headers and rows ---------------------------------------------------------------------


def test_headers_are_case_and_space_insensitive(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", " ID ,Name,NAME_EN ,ｒｏｌｅ\np1,สมชาย,Somchai,leader\n")
    table = only(read_dataset(tmp_path)[0])
    assert table.columns == ["id", "name", "name_en", "role"]
    assert table.rows[0].values == {
        "id": "p1",
        "name": "สมชาย",
        "name_en": "Somchai",
        "role": "leader",
    }


def test_cells_are_stripped_and_short_rows_padded(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", "id,name,role\n  p1 ,  สมชาย  \n p2\t,,\n")
    rows = only(read_dataset(tmp_path)[0]).rows
    assert rows == [
        Row(2, {"id": "p1", "name": "สมชาย", "role": ""}),
        Row(3, {"id": "p2", "name": "", "role": ""}),
    ]


def test_blank_rows_skipped_and_numbers_kept(tmp_path: Path) -> None:
    text = 'id,name\n\np1,A\n,\n  ,  \np2,"two\nlines"\np3,C\n\n'
    tables, problems = read_dataset(write(tmp_path, "people.csv", text))
    assert problems == []
    # Rows are records, as a spreadsheet numbers them: the quoted line break is one row.
    assert [(r.number, r.values["id"]) for r in only(tables).rows] == [
        (3, "p1"),
        (6, "p2"),
        (7, "p3"),
    ]
    assert only(tables).rows[1].values["name"] == "two\nlines"


def test_blank_rows_before_the_header(tmp_path: Path) -> None:
    table = only(read_dataset(write(tmp_path, "people.csv", "\n,,\nid,name\np1,A\n"))[0])
    assert table.columns == ["id", "name"]
    assert table.rows == [Row(4, {"id": "p1", "name": "A"})]


def test_duplicate_header(tmp_path: Path) -> None:
    write(tmp_path, "organisations.csv", "id,Name,sector, name \no1,A,community,B\n")
    tables, problems = read_dataset(tmp_path)
    assert texts(problems) == [
        "organisations.csv:1:name: duplicate column 'name' (columns #2 and #4); "
        "keep one (the first is read)"
    ]
    table = only(tables)
    assert table.columns == ["id", "name", "sector"]
    assert table.rows[0].values == {"id": "o1", "name": "A", "sector": "community"}


def test_extra_cells(tmp_path: Path) -> None:
    text = "id,name\np1,A\np2,B,extra value\np3,C,,\np4,D,,x\n"
    tables, problems = read_dataset(write(tmp_path, "people.csv", text))
    assert texts(problems) == [
        "people.csv:3:#3: this row has 3 cells but the header only 2 columns; "
        "extra value 'extra value'",
        "people.csv:5:#4: this row has 4 cells but the header only 2 columns; extra value 'x'",
    ]
    assert [r.values for r in only(tables).rows] == [
        {"id": "p1", "name": "A"},
        {"id": "p2", "name": "B"},
        {"id": "p3", "name": "C"},  # trailing empty cells are harmless
        {"id": "p4", "name": "D"},
    ]


def test_unnamed_column(tmp_path: Path) -> None:
    # Empty header cells: harmless while their column is empty, a problem once it holds data.
    text = "id,name,,note,\np1,A,,n,\np2,B,oops,,\np3,C,again,,\n"
    tables, problems = read_dataset(write(tmp_path, "people.csv", text))
    assert texts(problems) == [
        "people.csv:1:#3: column #3 holds data (first in row 3) but has no name in the header; "
        "name it or delete the column"
    ]
    assert only(tables).columns == ["id", "name", "note"]


def test_many_rows_read_completely(tmp_path: Path) -> None:
    # Speed is measured in bench/, not asserted here.
    lines = ["id,name,name_en,sector,admin_level,tags"]
    lines += [f"o{i},องค์กรชุมชน {i},Org {i},community,district,a|b" for i in range(100_000)]
    write(tmp_path, "organisations.csv", "\n".join(lines) + "\n")
    tables, problems = read_dataset(tmp_path)
    assert problems == []
    assert len(only(tables).rows) == 100_000
    assert only(tables).rows[-1] == Row(
        100_001,
        {
            "id": "o99999",
            "name": "องค์กรชุมชน 99999",
            "name_en": "Org 99999",
            "sector": "community",
            "admin_level": "district",
            "tags": "a|b",
        },
    )


# --- Excel --------------------------------------------------------------------------------


def test_workbook(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "People": [
                [" ID", "Name", "year", "share", "tiny", "active", "joined", "seen"],
                ["p1", "นายสมชาย ใจดี", 2551.0, 0.25, 0.00001, True, dt.date(2008, 5, 1), None],
                [],
                ["p2", "  สมหญิง  ", 2551, 1.5, None, False, None, dt.datetime(2008, 5, 1, 9, 30)],
                [None, None, None],
                ["p3", "๑๒", "๒๕๕๑", None, None, None, dt.datetime(2008, 5, 1), None],
            ],
            "relationships": [
                ["source", "target", "type", "amount_thb"],
                ["p1", "p2", "MENTORS", 3000000.0],
            ],
        },
    )
    tables, problems = read_dataset(path)
    assert problems == []
    people, rels = tables
    assert (people.file, people.name) == ("book.xlsx[People]", "people")
    assert people.columns == ["id", "name", "year", "share", "tiny", "active", "joined", "seen"]
    assert people.rows == [
        Row(
            2,
            {
                "id": "p1",
                "name": "นายสมชาย ใจดี",
                "year": "2551",
                "share": "0.25",
                "tiny": "0.00001",
                "active": "true",
                "joined": "2008-05-01",
                "seen": "",
            },
        ),
        Row(
            4,
            {
                "id": "p2",
                "name": "สมหญิง",
                "year": "2551",
                "share": "1.5",
                "tiny": "",
                "active": "false",
                "joined": "",
                "seen": "2008-05-01T09:30:00",
            },
        ),
        Row(
            6,
            {
                "id": "p3",
                "name": "๑๒",
                "year": "๒๕๕๑",
                "share": "",
                "tiny": "",
                "active": "",
                "joined": "2008-05-01",
                "seen": "",
            },
        ),
    ]
    assert rels == Table(
        "book.xlsx[relationships]",
        "relationships",
        ["source", "target", "type", "amount_thb"],
        [Row(2, {"source": "p1", "target": "p2", "type": "MENTORS", "amount_thb": "3000000"})],
    )


def test_workbook_sheet_problems(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {
            "people": [["id", "name"], ["p1", "A"]],
            "organisation": [["id", "name"], ["o1", "B"]],
            "Sheet1": [],
            "networks": [],
            "funds": [[2551, "Fund A"], [2552, "Fund B"]],
            "areas": [["id", "name", None], ["a1", "พัทลุง", "stray"]],
            "programmes": [["id", "name", "name"], ["g1", "A", "B"]],
        },
    )
    tables, problems = read_dataset(path)
    assert [t.name for t in tables] == ["people", "areas", "programmes"]
    assert texts(problems) == [
        "book.xlsx[organisation]:-:-: unknown sheet: 'organisation' is not one of people, "
        "organisations, networks, funds, knowledge_assets, areas, programmes, relationships"
        + MEETING_SHEETS.format(w="sheet")
        + "; "
        "did you mean 'organisations'?",
        "book.xlsx[Sheet1]:-:-: unknown sheet: 'sheet1' is not one of people, organisations, "
        "networks, funds, knowledge_assets, areas, programmes, relationships"
        + MEETING_SHEETS.format(w="sheet")
        + "",
        "book.xlsx[networks]:-:-: empty sheet: it needs a header row naming the columns "
        "(e.g. id, name) in row 1, then one row per entry; fill it or delete the sheet",
        "book.xlsx[funds]:1:-: row 1 must be the header: the column names as text "
        "(id, name, ...), but cell A1 holds '2551'",
        "book.xlsx[areas]:1:C: column C holds data (first in row 2) but has no name in the "
        "header; name it or delete the column",
        "book.xlsx[programmes]:1:name: duplicate column 'name' (columns B and C); "
        "keep one (the first is read)",
    ]
    assert tables[1].rows == [Row(2, {"id": "a1", "name": "พัทลุง"})]


def test_workbook_data_beyond_the_header(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "book.xlsx",
        {"people": [["id", "name"], ["p1", "A", None, "x"], ["p2", "B", None, "y", "z"]]},
    )
    tables, problems = read_dataset(path)
    assert texts(problems) == [
        "book.xlsx[people]:1:D: column D holds data (first in row 2) but has no name in the "
        "header; name it or delete the column",
        "book.xlsx[people]:1:E: column E holds data (first in row 3) but has no name in the "
        "header; name it or delete the column",
    ]
    assert [r.values for r in only(tables).rows] == [
        {"id": "p1", "name": "A"},
        {"id": "p2", "name": "B"},
    ]


def test_workbook_two_sheets_for_one_table(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"people": [["id"], ["p1"]], " People ": [["id"]]})
    tables, problems = read_dataset(path)
    assert [t.file for t in tables] == ["b.xlsx[people]"]
    assert texts(problems) == [
        "b.xlsx[ People ]:-:-: two sheets hold the 'people' table: 'b.xlsx[people]' and "
        "'b.xlsx[ People ]'; keep one (this one was not read)"
    ]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "book.xlsx", THAI_PEOPLE)
    tables, problems = read_dataset(path)
    assert tables == []
    assert len(problems) == 1
    assert (problems[0].file, problems[0].row, problems[0].column) == ("book.xlsx", None, None)
    assert problems[0].reason.startswith("not an Excel workbook (.xlsx) that can be read")


# --- the real samples ---------------------------------------------------------------------

SAMPLE_COUNTS = {
    "community-occupation": {
        "areas": 6,
        "funds": 3,
        "knowledge_assets": 23,
        "networks": 6,
        "organisations": 17,
        "people": 6,
        "programmes": 13,
        "relationships": 121,
    },
    "district-qol": {
        "areas": 8,
        "knowledge_assets": 9,
        "networks": 7,
        "organisations": 6,
        "people": 5,
        "programmes": 5,
        "relationships": 38,
    },
    "informal-workers-km": {
        "areas": 7,
        "funds": 2,
        "knowledge_assets": 10,
        "networks": 6,
        "organisations": 35,
        "people": 4,
        "programmes": 11,
        "relationships": 95,
    },
}


@pytest.mark.parametrize("sample", sorted(SAMPLE_COUNTS))
def test_samples(sample: str) -> None:
    tables, problems = read_dataset(SAMPLES / sample)
    assert problems == []
    assert {t.name: len(t.rows) for t in tables} == SAMPLE_COUNTS[sample]
    for table in tables:
        key = ["source", "target", "type"] if table.name == "relationships" else ["id", "name"]
        assert table.columns[: len(key)] == key
        assert all(all(row.values[c] for c in key) for row in table.rows)


def test_thai_names_with_sara_am_are_known() -> None:
    """NFKC writes SARA AM (ำ) as NIKHAHIT + SARA AA; a header or sheet typed with it is
    still the contract's name (found by the omsample helper: บันทึกการดำเนินงาน was refused)."""
    from importers.read import normalise_header, table_name

    assert table_name("บันทึกการดำเนินงาน") == "performance_journal"
    assert normalise_header("จำนวนเงิน") == "amount_thb"
    assert normalise_header("กิจกรรมที่ทำ") == "activities"

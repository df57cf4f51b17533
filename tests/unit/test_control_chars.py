"""Issue 11, point 6 (import side): a control character refuses its row, by
file:row:column and naming the character; a byte-order mark inside a CSV (two files pasted
together) and zero-width characters in ids are removed with a warning, so no look-alike id
``\\ufeffo2`` appears beside ``o2``."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.errors import InvalidInput
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from importers.read import read_dataset


def dataset(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def test_a_nul_in_a_name_refuses_the_import_naming_it(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path / "ds",
        {"organisations": "id,name,note\no1,ก\x00ข,x\no2,สอง,a\x01\n"},
    )
    store = EmbeddedStore(tmp_path / "s.db")
    with pytest.raises(InvalidInput) as caught:
        import_dataset(store, folder)
    assert [(d["file"], d["row"], d["column"], d["reason"]) for d in caught.value.details] == [
        (
            "organisations.csv",
            2,
            "name",
            "the cell holds the control character U+0000 (NUL) at character 2; remove it "
            "(the row was not read)",
        ),
        (
            "organisations.csv",
            3,
            "note",
            "the cell holds the control character U+0001 (a control character) at "
            "character 2; remove it (the row was not read)",
        ),
    ]
    assert sum(store.stats().nodes.values()) == 0


def test_skip_invalid_leaves_out_the_rows_with_a_control(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path / "ds",
        {"organisations": "id,name\no1,ก\x00ข\no2,สอง\no3,ส\x85าม\n"},
    )
    store = EmbeddedStore(tmp_path / "s.db")
    report = import_dataset(store, folder, skip_invalid=True, rejects_path=tmp_path / "r.csv")
    assert sorted(store.subgraph().nodes) == ["o2"]
    assert [(p.row, p.reason.split(" at ")[0]) for p in report.problems] == [
        (2, "the cell holds the control character U+0000 (NUL)"),
        (4, "the cell holds the control character U+0085 (a control character)"),
    ]


def test_tab_and_line_breaks_inside_a_cell_are_text_not_refused(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "ds", {"organisations": 'id,name\no1,"หนึ่ง\tสอง\nสาม"\n'})
    tables, problems = read_dataset(folder)
    assert problems == [] and tables[0].rows[0].values["name"] == "หนึ่ง\tสอง\nสาม"


def test_a_bom_in_the_middle_of_a_csv_makes_no_look_alike_id(tmp_path: Path) -> None:
    # two files pasted together: the second one's BOM lands before the id of row 3
    people = "id,name\no1,หนึ่ง\n" + "\ufeffo2,สอง\n"
    relationships = "source,target,type\no1,\ufeffo2,PARTNERS_WITH\n"
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "organisations.csv").write_bytes(b"\xef\xbb\xbf" + people.encode())
    (folder / "relationships.csv").write_text(relationships, encoding="utf-8")
    store = EmbeddedStore(tmp_path / "s.db")
    report = import_dataset(store, folder)
    sub = store.subgraph()
    assert sorted(sub.nodes) == ["o1", "o2"]
    assert [(e.source, e.target) for e in sub.edges] == [("o1", "o2")]
    assert report.problems == []
    assert [str(w) for w in report.warnings] == [
        "organisations.csv:3:id: warning: removed the invisible character U+FEFF (ZERO "
        "WIDTH NO-BREAK SPACE, a byte-order mark) from '\\ufeffo2'",
        "relationships.csv:2:target: warning: removed the invisible character U+FEFF (ZERO "
        "WIDTH NO-BREAK SPACE, a byte-order mark) from '\\ufeffo2'",
    ]
    assert report.to_dict()["warnings"][0]["row"] == 3


def test_zero_width_characters_leave_ids_but_stay_in_thai_text(tmp_path: Path) -> None:
    folder = dataset(
        tmp_path / "ds",
        {"organisations": "id,name,parent_id\no\u200b1,สวัสดี\u200bครับ,\no2,สอง,\n"},
    )
    tables, problems = read_dataset(folder)
    assert tables[0].rows[0].values == {"id": "o1", "name": "สวัสดี\u200bครับ", "parent_id": ""}
    assert [(p.row, p.column, p.warning) for p in problems] == [(2, "id", True)]
    assert "U+200B (ZERO WIDTH SPACE)" in problems[0].reason


def test_a_control_in_a_column_name_is_named_and_the_column_not_read(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "ds", {"organisations": "id,name,no\x00te\no1,หนึ่ง,x\n"})
    tables, problems = read_dataset(folder)
    assert [str(p) for p in problems][:1] == [
        "organisations.csv:1:#3: the column name holds the control character U+0000 (NUL); "
        "remove it (the column was not read)"
    ]
    assert tables[0].columns == ["id", "name"]

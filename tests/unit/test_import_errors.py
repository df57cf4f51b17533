"""Bad input: every problem named by file, row and column, and nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from graph_service.errors import InvalidInput
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset

GOOD_PEOPLE = "id,name,organisation_id\np1,นางสาว สมศรี,o1\np2,นาย สมชาย,o1\n"
GOOD_ORGS = "id,name,sector,admin_level\no1,สำนักงานพัฒนาสังคมฯ,state,provincial\n"


def make_dataset(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def problems_of(store: EmbeddedStore, path: Path) -> list[str]:
    """The problems an import reports; asserts that it wrote nothing."""
    before = store.stats()
    with pytest.raises(InvalidInput) as caught:
        import_dataset(store, path)
    assert store.stats() == before
    details = caught.value.details
    assert isinstance(details, list)
    return [f"{d['file']}:{d['row'] or '-'}:{d['column'] or '-'}: {d['reason']}" for d in details]


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    return EmbeddedStore(tmp_path / "g.db")


def test_missing_id_and_missing_name(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": GOOD_ORGS,
            "people.csv": "id,name\n,นาย ก\np2,\n",
        },
    )
    assert problems_of(store, path) == [
        "people.csv:2:id: missing id",
        "people.csv:3:name: missing name",
    ]


def test_duplicate_id_across_files(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": GOOD_ORGS,
            "networks.csv": "id,name\nn1,เครือข่าย\no1,ซ้ำ\n",
        },
    )
    [problem] = problems_of(store, path)
    assert problem.startswith("networks.csv:3:id: duplicate id 'o1' (first at organisations.csv:2")


def test_relationship_to_an_unknown_id(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": GOOD_ORGS,
            "people.csv": "id,name,organisation_id\np1,ก,o9\n",
            "relationships.csv": "source,target,type\np1,o1,MEMBER_OF\nnobody,o1,SUPPORTS\n",
        },
    )
    assert problems_of(store, path) == [
        "people.csv:2:organisation_id: unknown id 'o9': not in this dataset or the store",
        "relationships.csv:3:source: unknown id 'nobody': not in this dataset or the store",
    ]


def test_relationship_to_an_entity_already_in_the_store(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    import_dataset(store, make_dataset(tmp_path / "first", {"organisations.csv": GOOD_ORGS}))
    later = make_dataset(tmp_path / "later", {"people.csv": "id,name,organisation_id\np1,ก,o1\n"})
    report = import_dataset(store, later)
    assert (report.written.nodes_created, report.written.edges_created) == (1, 1)


def test_malformed_numbers_years_and_words(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "funds.csv": 'id,name,amount_thb,year\nf1,กองทุน,"3,00",2551\nf2,กองทุน 2,100,ปีนี้\n',
            "knowledge_assets.csv": "id,name,readiness\nk1,คู่มือ,5\n",
            "relationships.csv": (
                "source,target,type,capacity\nf1,f2,ช่วยเหลือ,\nf1,f2,SUPPORTS,ส่วนตัว\n"
            ),
        },
    )
    problems = problems_of(store, path)
    assert [p.split(": ")[0] for p in problems] == [
        "funds.csv:2:amount_thb",
        "funds.csv:3:year",
        "knowledge_assets.csv:2:readiness",
        "relationships.csv:2:type",
        "relationships.csv:3:capacity",
    ]
    assert "3,00" in problems[0]
    assert "1 to 4" in problems[2]
    assert "UPPER_SNAKE_CASE" in problems[3]


def test_unknown_file_is_an_error_with_a_suggestion(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": GOOD_ORGS,
            "peple.csv": "id,name\np1,ก\n",
            "README.md": "ignored",
        },
    )
    [problem] = problems_of(store, path)
    assert problem.startswith("peple.csv:-:-: unknown file")
    assert "did you mean 'people'" in problem


def test_undetectable_encoding_is_never_read_as_latin1(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": "id,name\no1,Café Société\n".encode("latin-1"),
        },
    )
    [problem] = problems_of(store, path)
    assert problem.startswith("organisations.csv:")
    assert "cannot tell the encoding" in problem


def test_cp874_file_from_thai_windows_excel_imports(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": "id,name\no1,องค์การบริหารส่วนตำบลลาโละ\n".encode("cp874"),
        },
    )
    import_dataset(store, path)
    assert store.get_nodes(["o1"])["o1"].name == "องค์การบริหารส่วนตำบลลาโละ"


def test_empty_file(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(tmp_path / "d", {"organisations.csv": GOOD_ORGS, "people.csv": ""})
    [problem] = problems_of(store, path)
    assert problem.startswith("people.csv:-:-: the file is empty")


def test_missing_required_column(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(tmp_path / "d", {"relationships.csv": "source,type\na,MEMBER_OF\n"})
    assert problems_of(store, path) == [
        "relationships.csv:1:target: missing required column 'target'"
    ]


def test_workbook_with_a_sheet_of_the_wrong_shape(store: EmbeddedStore, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    people = book.active
    people.title = "people"
    people.append(["id", "name"])
    people.append(["p1", "นาย ก"])
    orgs = book.create_sheet("organisations")
    orgs.append([2551, 100])  # numbers where the header should be
    orgs.append(["o1", "x"])
    path = tmp_path / "data.xlsx"
    book.save(path)
    [problem] = problems_of(store, path)
    assert problem.startswith("data.xlsx[organisations]:1:")


def test_workbook_imports_with_typed_cells(store: EmbeddedStore, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    funds = book.active
    funds.title = "funds"
    funds.append(["ID", " Name ", "amount_thb", "year"])
    funds.append(["f1", "กองทุนหมู่บ้าน", 3000000, 2551])
    path = tmp_path / "data.xlsx"
    book.save(path)
    import_dataset(store, path)
    assert store.get_nodes(["f1"])["f1"].props == {
        "name": "กองทุนหมู่บ้าน",
        "amount_thb": 3000000,
        "year": 2008,
    }


def test_every_problem_is_reported_at_once(store: EmbeddedStore, tmp_path: Path) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "people.csv": "id,name\n,ก\np2,\np3,ค\np3,ง\n",
            "relationships.csv": "source,target,type\np3,zz,MEMBER_OF\n",
        },
    )
    assert len(problems_of(store, path)) == 4


def test_skip_invalid_writes_valid_rows_and_reports_the_rest(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    path = make_dataset(
        tmp_path / "d",
        {
            "organisations.csv": GOOD_ORGS,
            "people.csv": "id,name,organisation_id\np1,ก,o1\np2,,o1\n",
            "relationships.csv": "source,target,type\np1,o1,SUPPORTS\np2,o1,SUPPORTS\n",
        },
    )
    rejects = tmp_path / "rejects.csv"
    report = import_dataset(store, path, skip_invalid=True, rejects_path=rejects)
    assert report.rejects_file == str(rejects)
    assert store.stats().nodes == {"Organisation": 1, "Person": 1}
    assert store.stats().relationships == {"MEMBER_OF": 1, "SUPPORTS": 1}
    with rejects.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["file"], r["row"], r["column"]) for r in rows] == [
        ("people.csv", "3", "name"),
        ("relationships.csv", "3", "source"),
    ]
    assert "was rejected (see people.csv:3)" in rows[1]["reason"]
    assert json.loads(rows[0]["cells"]) == {"id": "p2", "name": "", "organisation_id": "o1"}


def test_kind_clash_with_the_store(store: EmbeddedStore, tmp_path: Path) -> None:
    import_dataset(store, make_dataset(tmp_path / "a", {"organisations.csv": GOOD_ORGS}))
    path = make_dataset(tmp_path / "b", {"networks.csv": "id,name\no1,เครือข่าย\n"})
    [problem] = problems_of(store, path)
    assert problem.startswith("networks.csv:2:id: id 'o1' is already a Organisation")


def test_duplicate_relationship_rows_need_their_own_ids(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    orgs = "id,name\no1,ก\no2,ข\n"
    rows = "source,target,type,year\no1,o2,FUNDS,2551\no1,o2,FUNDS,2552\n"
    path = make_dataset(tmp_path / "d", {"organisations.csv": orgs, "relationships.csv": rows})
    [problem] = problems_of(store, path)
    assert problem.startswith("relationships.csv:3:type: duplicate relationship")
    with_ids = "id,source,target,type,year\nr1,o1,o2,FUNDS,2551\nr2,o1,o2,FUNDS,2552\n"
    path = make_dataset(tmp_path / "e", {"organisations.csv": orgs, "relationships.csv": with_ids})
    import_dataset(store, path)
    assert sorted(e.props["year"] for e in store.edges_of("o1")) == [2008, 2009]

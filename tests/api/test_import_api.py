"""``POST /api/import``: a dataset uploaded as CSV files, a zip or an ``.xlsx`` workbook
imports as ``graph-service import`` does, over both stores; a bad upload writes nothing and
names every problem's file, row and column; unsafe or oversized zips are refused."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from graph_service.app import create_app
from graph_service.settings import Settings
from graph_service.store.base import GraphStore
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "community-occupation"
CSV_FILES = sorted(SAMPLE.glob("*.csv"))
CLI = str(Path(sys.executable).parent / "graph-service")
Files = list[tuple[str, tuple[str, bytes, str]]]


@pytest.fixture
def api(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store)) as client:
        yield client


@pytest.fixture(scope="module")
def cli_stats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``stats --json`` after ``graph-service import`` of the sample folder."""
    db = str(tmp_path_factory.mktemp("cli") / "cli.db")
    subprocess.run([CLI, "--store", db, "import", str(SAMPLE)], check=True, capture_output=True)
    done = subprocess.run(
        [CLI, "--store", db, "stats", "--json"], check=True, capture_output=True, text=True
    )
    stats: dict[str, Any] = json.loads(done.stdout)
    return stats


def counts(api: TestClient) -> dict[str, Any]:
    """The stats without the version (a cleared Neo4j store keeps counting versions)."""
    stats: dict[str, Any] = api.get("/api/stats").json()
    return {"nodes": stats["nodes"], "relationships": stats["relationships"]}


def version(api: TestClient) -> int:
    v: int = api.get("/api/stats").json()["version"]
    return v


def csv_upload(files: dict[str, bytes]) -> Files:
    return [("files", (name, data, "text/csv")) for name, data in files.items()]


def sample_files() -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in CSV_FILES}


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def workbook_of(tables: dict[str, bytes]) -> bytes:
    """An .xlsx with one sheet per CSV file (the file's stem), every cell as text."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, data in tables.items():
        sheet = wb.create_sheet(Path(name).stem)
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
            sheet.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def sample_report(source: str, version: int) -> dict[str, Any]:
    """The CLI's ``import --json`` report of the sample into an empty store."""
    return {
        "source": source,
        "rows": 195,
        "entities": 74,
        "relationships": 125,
        "written": {
            "nodes": {"created": 74, "updated": 0, "unchanged": 0, "deleted": 0},
            "relationships": {"created": 125, "updated": 0, "unchanged": 0, "deleted": 0},
            "version": version,
        },
        "rejected": 0,
        "problems": [],
        "rejects_file": None,
    }


# -- the three forms of a dataset -----------------------------------------------------------


def test_csv_files_import_as_the_cli_does(api: TestClient, cli_stats: dict[str, Any]) -> None:
    base = version(api)
    response = api.post("/api/import", files=csv_upload(sample_files()))
    assert response.status_code == 200, response.text
    source = ", ".join(f.name for f in CSV_FILES)
    assert response.json() == sample_report(source, base + 1)
    assert counts(api) == {k: cli_stats[k] for k in ("nodes", "relationships")}
    assert sum(cli_stats["nodes"].values()) == 74
    assert sum(cli_stats["relationships"].values()) == 125
    assert api.get("/api/entities/org-eef").json()["name"] == "กองทุนเพื่อความเสมอภาคทางการศึกษา"


def test_a_zip_imports_as_the_cli_does(api: TestClient, cli_stats: dict[str, Any]) -> None:
    base = version(api)
    entries = {f"community-occupation/{name}": data for name, data in sample_files().items()}
    entries["community-occupation/README.md"] = (SAMPLE / "README.md").read_bytes()
    entries["__MACOSX/community-occupation/._people.csv"] = b"\x00\x05\x16\x07"
    archive = zip_of(entries)
    response = api.post(
        "/api/import", files=[("files", ("community-occupation.zip", archive, "application/zip"))]
    )
    assert response.status_code == 200, response.text
    assert response.json() == sample_report("community-occupation.zip", base + 1)
    assert counts(api) == {k: cli_stats[k] for k in ("nodes", "relationships")}
    # the same upload again changes nothing
    again = api.post(
        "/api/import", files=[("files", ("community-occupation.zip", archive, "application/zip"))]
    )
    assert again.json()["written"] == {
        "nodes": {"created": 0, "updated": 0, "unchanged": 74, "deleted": 0},
        "relationships": {"created": 0, "updated": 0, "unchanged": 125, "deleted": 0},
        "version": base + 1,
    }


def test_a_workbook_imports_as_the_cli_does(api: TestClient, cli_stats: dict[str, Any]) -> None:
    base = version(api)
    workbook = workbook_of(sample_files())
    response = api.post(
        "/api/import",
        files=[("files", ("community-occupation.xlsx", workbook, "application/octet-stream"))],
    )
    assert response.status_code == 200, response.text
    assert response.json() == sample_report("community-occupation.xlsx", base + 1)
    assert counts(api) == {k: cli_stats[k] for k in ("nodes", "relationships")}


# -- bad uploads ----------------------------------------------------------------------------

BAD_PEOPLE = "id,name,role\nperson-new-1,สมหญิง รักดี,volunteer\nperson-new-2,,volunteer\n"
MISSING_NAME = {"file": "people.csv", "row": 3, "column": "name", "reason": "missing name"}


def test_a_bad_upload_writes_nothing_and_names_file_row_and_column(api: TestClient) -> None:
    assert api.post("/api/import", files=csv_upload(sample_files())).status_code == 200
    before = api.get("/api/stats").json()
    response = api.post("/api/import", files=csv_upload({"people.csv": BAD_PEOPLE.encode()}))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"] == [MISSING_NAME]
    assert error["message"] == (
        "people.csv: 1 problem(s); nothing was imported (fix them, or use skip_invalid=true "
        "to import the valid rows):\npeople.csv:3:name: missing name"
    )
    assert api.get("/api/stats").json() == before
    assert api.get("/api/entities/person-new-1").status_code == 404


def test_skip_invalid_writes_the_valid_rows(api: TestClient) -> None:
    assert api.post("/api/import", files=csv_upload(sample_files())).status_code == 200
    before = api.get("/api/stats").json()
    response = api.post(
        "/api/import",
        params={"skip_invalid": "true"},
        files=csv_upload({"people.csv": BAD_PEOPLE.encode()}),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "source": "people.csv",
        "rows": 2,
        "entities": 1,
        "relationships": 0,
        "written": {
            "nodes": {"created": 1, "updated": 0, "unchanged": 0, "deleted": 0},
            "relationships": {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0},
            "version": before["version"] + 1,
        },
        "rejected": 1,
        "problems": [MISSING_NAME],
        "rejects_file": None,
    }
    after = api.get("/api/stats").json()
    assert after["nodes"] == {**before["nodes"], "Person": before["nodes"]["Person"] + 1}
    assert api.get("/api/entities/person-new-1").json()["name"] == "สมหญิง รักดี"
    assert api.get("/api/entities/person-new-2").status_code == 404


def test_a_bad_workbook_names_its_sheet_row_and_column(api: TestClient) -> None:
    base = version(api)
    workbook = workbook_of({"people.csv": BAD_PEOPLE.encode()})
    response = api.post(
        "/api/import", files=[("files", ("book.xlsx", workbook, "application/octet-stream"))]
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"file": "book.xlsx[people]", "row": 3, "column": "name", "reason": "missing name"}
    ]
    assert response.json()["error"]["message"].startswith("book.xlsx: 1 problem(s)")
    assert api.get("/api/stats").json() == {"nodes": {}, "relationships": {}, "version": base}


def test_a_relationship_to_an_entity_not_there_names_its_row(api: TestClient) -> None:
    rows = "source,target,type\norg-eef,org-nowhere,FUNDS\n"
    response = api.post("/api/import", files=csv_upload({"relationships.csv": rows.encode()}))
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {
            "file": "relationships.csv",
            "row": 2,
            "column": "source",
            "reason": "unknown id 'org-eef': not in this dataset or the store",
        },
        {
            "file": "relationships.csv",
            "row": 2,
            "column": "target",
            "reason": "unknown id 'org-nowhere': not in this dataset or the store",
        },
    ]


def test_files_that_are_not_a_dataset_are_refused(api: TestClient) -> None:
    base = version(api)
    text = api.post("/api/import", files=[("files", ("notes.txt", b"hello", "text/plain"))])
    assert text.status_code == 422
    assert text.json()["error"]["details"] == [
        {
            "file": "notes.txt",
            "row": None,
            "column": None,
            "reason": "not a .csv file, a .zip of them or an .xlsx workbook",
        }
    ]
    misnamed = api.post("/api/import", files=csv_upload({"peoples.csv": b"id,name\np1,x\n"}))
    assert misnamed.status_code == 422
    [problem] = misnamed.json()["error"]["details"]
    assert problem["file"] == "peoples.csv"
    assert "did you mean 'people'?" in problem["reason"]
    mixed = api.post(
        "/api/import",
        files=csv_upload({"people.csv": b"id,name\np1,x\n"})
        + [("files", ("book.xlsx", b"PK", "application/octet-stream"))],
    )
    assert mixed.status_code == 422
    assert "alone" in mixed.json()["error"]["details"][0]["reason"]
    encoding = api.post(
        "/api/import",
        params={"encoding": "klingon"},
        files=csv_upload({"people.csv": b"id,name\np1,x\n"}),
    )
    assert encoding.status_code == 422
    assert encoding.json()["error"]["message"] == "unknown encoding: 'klingon'"
    assert version(api) == base


def test_a_thai_windows_file_is_read_in_its_encoding(api: TestClient) -> None:
    people = "id,name,role\nperson-1,นางสาว สมศรี ใจดี,อสม.\n".encode("cp874")
    response = api.post("/api/import", files=csv_upload({"people.csv": people}))
    assert response.status_code == 200, response.text
    assert api.get("/api/entities/person-1").json()["properties"] == {
        "name": "นางสาว สมศรี ใจดี",
        "role": "อสม.",
    }
    same = api.post(
        "/api/import", params={"encoding": "cp874"}, files=csv_upload({"people.csv": people})
    )
    assert same.json()["written"]["nodes"]["unchanged"] == 1


@pytest.mark.parametrize("entry", ["../evil.csv", "/tmp/evil.csv", "a/../../evil.csv"])
def test_a_zip_that_climbs_out_is_refused(api: TestClient, entry: str) -> None:
    base = version(api)
    archive = zip_of({"people.csv": b"id,name\np1,x\n", entry: b"id,name\np2,y\n"})
    response = api.post("/api/import", files=[("files", ("data.zip", archive, "application/zip"))])
    assert response.status_code == 422
    error = response.json()["error"]
    assert entry in error["message"]
    assert error["details"][0]["file"] == "data.zip"
    assert "unsafe entry" in error["details"][0]["reason"]
    assert api.get("/api/stats").json() == {"nodes": {}, "relationships": {}, "version": base}
    assert not (Path(tempfile.gettempdir()) / "evil.csv").exists()


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(store: GraphStore) -> None:
    base = store.version()
    bomb = zip_of({"people.csv": b"id,name\n" + b"\n" * (3 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with TestClient(create_app(Settings(max_upload_mb=1), store)) as api:
        response = api.post("/api/import", files=[("files", ("bomb.zip", bomb, "application/zip"))])
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert error["message"].startswith("bomb.zip: the upload is larger than the 1 MB")
    assert store.version() == base
    assert store.stats().nodes == {}


def test_csv_uploads_together_over_the_cap_are_refused(store: GraphStore) -> None:
    half = b"id,name\n" + b"\n" * (600 * 1024)
    with TestClient(create_app(Settings(max_upload_mb=1), store)) as api:
        response = api.post(
            "/api/import", files=csv_upload({"people.csv": half, "areas.csv": half})
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert store.stats().nodes == {}


def test_the_import_is_documented(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/api/import"]["post"]
    assert {"200", "413", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportResult"
    }
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {p["name"] for p in operation["parameters"]} == {"skip_invalid", "encoding"}

"""The upload page (issue 13, point 3): check first, nothing written while there are
problems, every problem in a table (file and sheet, the row as Excel numbers it, the column,
the cell, the reason in Thai), the valid rows imported on request with the rejects
downloadable, then the map; writes need a write key when keys are configured."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.domain import Node
from graph_service.routes.upload import KEEP_MINUTES, form_token
from graph_service.settings import Settings
from graph_service.store.embedded import EmbeddedStore
from importers.template import template_bytes

KEYS = "read:reader-key-1,write:writer-key-1"
HERE = "http://testserver"
RELS = "ความสัมพันธ์ (relationships)"


@pytest.fixture
def store(tmp_path: Path):
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    yield store
    store.close()


def client_for(store, **settings) -> TestClient:
    return TestClient(create_app(Settings(**settings), store))


def example_with_errors() -> bytes:
    """The template's example with two mistakes: relationship row 3 names an unknown id, and
    a person (row 3 of people) has a year that is no year; and a blank row 4 in
    relationships, so the last relationship is Excel row 6."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(example=True)))
    rels = wb[RELS]
    rels.cell(3, 2, "net-nope")
    rels.move_range("A4:I5", rows=1)  # a blank row 4: the rows after it keep Excel's numbers
    rels.cell(6, 1, "org-nope")
    people = wb["บุคคล (people)"]
    people.cell(1, 7, "ปีเริ่ม (start_year)")
    people.cell(3, 7, "ปีหน้า")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def problem_rows(html: str) -> list[list[str]]:
    table = re.search(r'<table id="problems">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert table is not None
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table[1], re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def upload(client: TestClient, files: list[tuple[str, bytes]], **kw) -> object:
    return client.post(
        "/upload",
        files=[("files", (name, data)) for name, data in files],
        follow_redirects=False,
        **kw,
    )


def test_the_page_is_thai_first_with_an_english_switch(store) -> None:
    with client_for(store) as client:
        th = client.get("/upload")
        en = client.get("/upload?lang=en")
    assert th.status_code == en.status_code == 200
    assert '<html lang="th">' in th.text and '<html lang="en">' in en.text
    assert "ลากไฟล์มาวางที่นี่" in th.text and "Drop your files here" in en.text
    assert 'href="/upload?lang=en"' in th.text and 'href="/upload?lang=th"' in en.text
    assert 'type="file" id="files" name="files" multiple' in th.text
    assert 'href="/template.xlsx"' in th.text and 'href="/template.xlsx?example=true"' in th.text
    assert "รวมไม่เกิน 50 MB" in th.text
    # no internet: no script, style or font from elsewhere
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", th.text)


def test_a_workbook_with_problems_writes_nothing_and_lists_each_problem(store) -> None:
    with client_for(store) as client:
        sent = upload(client, [("book.xlsx", example_with_errors())])
        assert sent.status_code == 303
        location = sent.headers["location"]
        assert re.fullmatch(r"/upload/[A-Za-z0-9_-]{32}\?lang=th", location)
        assert sum(store.stats().nodes.values()) == 0  # nothing written
        page = client.get(location)
    assert page.status_code == 200
    assert "พบปัญหา 4 จุด: ยังไม่ได้นำเข้าข้อมูลใด ๆ" in page.text
    assert problem_rows(page.text) == [
        [
            "book.xlsx ชีต บุคคล (people)",
            "3",
            "ปีเริ่ม (start_year)",
            "ปีหน้า",
            "ต้องเป็นปี พ.ศ. หรือ ค.ศ. (เช่น 2567) หรือวันที่ (เช่น 1/5/2567)",
        ],
        [
            f"book.xlsx ชีต {RELS}",
            "3",
            "ต้นทาง (source)",
            "p-malee",
            "รหัส p-malee อยู่ในแถวที่มีปัญหา (ดู book.xlsx ชีต บุคคล (people) แถว 3) แก้แถวนั้นก่อน",
        ],
        [
            f"book.xlsx ชีต {RELS}",
            "3",
            "ปลายทาง (target)",
            "net-nope",
            "ไม่พบรหัส net-nope ในไฟล์นี้หรือในระบบ ตรวจการสะกด หรือเพิ่มแถวของรหัสนี้ในชีตของประเภทนั้น",
        ],
        [
            f"book.xlsx ชีต {RELS}",
            "6",
            "ต้นทาง (source)",
            "org-nope",
            "ไม่พบรหัส org-nope ในไฟล์นี้หรือในระบบ ตรวจการสะกด หรือเพิ่มแถวของรหัสนี้ในชีตของประเภทนั้น",
        ],
    ]
    # the person's row is rejected, and with it the relationship that names her
    assert "นำเข้าเฉพาะแถวที่ถูกต้อง" in page.text
    assert "จะนำเข้า 26 รายการและความสัมพันธ์ 42 เส้น" in page.text


def test_the_valid_rows_import_and_the_rejects_download(store) -> None:
    with client_for(store) as client:
        location = upload(client, [("book.xlsx", example_with_errors())]).headers["location"]
        token = location.split("/")[2].split("?")[0]
        rejects = client.get(f"/upload/{token}/rejects.csv")
        done = client.post(f"/upload/{token}/import", follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == f"/upload/{token}/done?lang=th"
        page = client.get(done.headers["location"])
        again = client.post(f"/upload/{token}/import", follow_redirects=False)
    assert rejects.headers["content-type"].startswith("text/csv")
    assert rejects.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel shows the Thai
    rows = list(csv.reader(io.StringIO(rejects.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["file", "row", "column", "code", "reason"]
    header = rows[0]
    found = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert [(r["file"], r["row"], r["column"], r["code"]) for r in found] == [
        ("book.xlsx[บุคคล (people)]", "3", "start_year", "not_year"),
        (f"book.xlsx[{RELS}]", "3", "source", "rejected_end"),
        (f"book.xlsx[{RELS}]", "3", "target", "unknown_id"),
        (f"book.xlsx[{RELS}]", "6", "source", "unknown_id"),
    ]
    # the original cells of each rejected row
    assert (found[0]["id"], found[0]["name"], found[0]["start_year"]) == (
        "p-malee",
        "มาลี รักถิ่น",
        "ปีหน้า",
    )
    assert (found[2]["source"], found[2]["target"], found[2]["type"]) == (
        "p-malee",
        "net-nope",
        "เป็นสมาชิกของ",
    )
    assert (found[3]["source"], found[3]["target"], found[3]["direction"]) == (
        "org-nope",
        "org-hph",
        "แนวดิ่ง",
    )
    stats = store.stats()
    # 27 entities but the rejected person; 45 relationships but p-malee's LOCATED_IN, the
    # two bad rows, and nothing else (the meetings and Outcome Mapping rows name no p-malee)
    assert stats.nodes == {
        "Area": 3,
        "Event": 2,
        "Fund": 1,
        "JournalEntry": 5,
        "KnowledgeAsset": 1,
        "Network": 1,
        "Organisation": 3,
        "OutcomeChallenge": 1,
        "Person": 1,
        "Practice": 2,
        "Programme": 1,
        "ProgressMarker": 3,
        "Strategy": 2,
    }
    assert sum(stats.relationships.values()) == 42
    assert page.status_code == 200
    line = re.search(r'id="done-line">(.*?)<', page.text)
    assert line is not None
    assert unescape(line[1]) == (
        "นำเข้าแล้ว: บุคคล 1, องค์กร 3, เครือข่าย 1, กองทุน 1, องค์ความรู้ 1, พื้นที่ 3, "
        "แผนงาน/โครงการ 1, กิจกรรม/การประชุม 2, บันทึกติดตามผล 5, ความท้าทายด้านผลลัพธ์ 1, "
        "แนวปฏิบัติขององค์กร 2, เครื่องหมายความก้าวหน้า 3, กลยุทธ์ 2, ความสัมพันธ์ 42 เส้น"
    )
    assert "ไม่ได้นำเข้า 4 แถวที่มีปัญหา" in page.text
    assert '<iframe id="map" src="/map?lang=th"' in page.text
    assert again.status_code == 303 and store.stats().version == stats.version  # once only


def test_a_clean_workbook_imports_at_once_and_goes_to_the_map(store) -> None:
    with client_for(store) as client:
        sent = upload(
            client, [("ตัวอย่าง.xlsx", template_bytes(example=True))], params={"lang": "en"}
        )
        assert sent.status_code == 303 and sent.headers["location"].endswith("/done?lang=en")
        page = client.get(sent.headers["location"])
    line = re.search(r'id="done-line">(.*?)<', page.text)
    assert line is not None
    assert unescape(line[1]) == (
        "Imported: 2 people, 3 organisations, 1 networks, 1 funds, 1 knowledge assets, "
        "3 areas, 1 programmes, 2 events, 5 journal entries, 1 outcome challenges, "
        "2 organisational practices, 3 progress markers, 2 strategies, 45 relationships"
    )
    assert sum(store.stats().nodes.values()) == 27
    assert sum(store.stats().relationships.values()) == 45


def test_csv_files_with_thai_names_and_a_zip(store) -> None:
    people = "รหัส,ชื่อ,สังกัด\np1,สมศรี,o1\n".encode()
    orgs = "รหัส,ชื่อ,ภาคส่วน,ระดับ\no1,เทศบาลตำบลบ้านใหม่,องค์กรปกครองส่วนท้องถิ่น,อำเภอ\n".encode()
    rels = "ต้นทาง,ปลายทาง,ประเภท,ในนาม\np1,o1,ทำงานให้,ในนามตนเอง\n".encode()
    with client_for(store) as client:
        sent = upload(client, [("บุคคล.csv", people), ("องค์กร.csv", orgs), ("ความสัมพันธ์.csv", rels)])
        assert sent.status_code == 303 and sent.headers["location"].endswith("/done?lang=th")
        o1 = store.get_nodes(["o1"])["o1"]
        assert (o1.props["sector"], o1.props["admin_level"]) == ("local_government", "district")
        (works,) = [e for e in store.edges_of("p1") if e.type == "WORKS_FOR"]
        assert works.props["capacity"] == "personal"
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w") as zf:
            zf.writestr("data/../../บุคคล.csv", people)
        refused = upload(client, [("data.zip", packed.getvalue())])
    assert refused.status_code == 422
    assert problem_rows(refused.text)[0][0] == "data.zip"
    assert "ไฟล์นี้ใช้ไม่ได้" in refused.text


def test_an_unknown_or_expired_upload_is_named(store) -> None:
    with client_for(store) as client:
        page = client.get("/upload/not-a-real-token-at-all-xx")
        rejects = client.get("/upload/..%2F..%2Fetc/rejects.csv")
    assert page.status_code == 404
    assert f"ไฟล์จะเก็บไว้ {KEEP_MINUTES} นาที" in page.text
    assert rejects.status_code == 404


def test_writes_need_a_write_key_when_keys_are_configured(store) -> None:
    book = [("book.xlsx", template_bytes(example=True))]
    with client_for(store, api_keys=KEYS) as client:
        anonymous = client.get("/upload", headers={"Accept": "text/html"}, follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login?next=%2Fupload"
        # the template holds no data: anyone may have it
        assert client.get("/template.xlsx").status_code == 200
        client.post("/login", data={"key": "reader-key-1", "next": "/upload"})
        reader = client.get("/upload")
        assert 'id="needs-key"' in reader.text and 'type="file"' not in reader.text
        assert "/login?next=%2Fupload%3Flang%3Dth" in reader.text
        assert upload(client, book).status_code == 403
        client.post("/login", data={"key": "writer-key-1", "next": "/upload"})
        writer = client.get("/upload")
        assert 'type="file"' in writer.text
        token = re.search(r'name="csrf" value="([0-9a-f]{64})"', writer.text)
        assert token is not None
        # a form without the session's token is refused, nothing written
        assert upload(client, book, data={"csrf": "0" * 64}).status_code == 403
        # from another site's page: refused before the route (the Origin check)
        evil = upload(
            client, book, data={"csrf": token[1]}, headers={"Origin": "https://evil.example"}
        )
        assert evil.status_code == 403
        assert sum(store.stats().nodes.values()) == 0
        sent = upload(client, book, data={"csrf": token[1]}, headers={"Origin": HERE})
        assert sent.status_code == 303 and sent.headers["location"].endswith("/done?lang=th")
        assert sum(store.stats().nodes.values()) == 27
    with client_for(store, api_keys=KEYS) as program:
        # a program sends its key in the header, and needs no form token
        header = upload(program, book, headers={"Authorization": "Bearer writer-key-1"})
        assert header.status_code == 303
        reader = upload(program, book, headers={"Authorization": "Bearer reader-key-1"})
        assert reader.status_code == 403


def test_the_form_token_is_the_sessions() -> None:
    class Fake:
        def __init__(self, cookies: dict[str, str]) -> None:
            self.cookies = cookies

    a = form_token(Fake({"graph_session": "a"}))  # type: ignore[arg-type]
    b = form_token(Fake({"graph_session": "b"}))  # type: ignore[arg-type]
    assert len(a) == 64 and a != b and form_token(Fake({})) == ""  # type: ignore[arg-type]


def test_an_upload_can_be_a_yearly_snapshot(store) -> None:
    """A snapshot year on the form: the file is the whole network on 1 January of that year;
    what the store held and the file lacks ends then; a file with problems cannot be a
    snapshot in part; an older snapshot than the newest is refused with the reason."""
    import datetime as dt

    from graph_service.store.history import as_of

    store.write(
        [Node("old", "Person", {"name": "ก"})],
        [],
        at="2022-01-01",
    )
    with client_for(store) as client:
        sent = upload(
            client, [("ตัวอย่าง.xlsx", template_bytes(example=True))], data={"snapshot": "2567"}
        )
        assert sent.status_code == 303, sent.text
        page = client.get(sent.headers["location"])
        assert 'id="done-snapshot">บันทึกเป็นภาพรวมของเครือข่าย ณ 1 ม.ค. 2567<' in page.text
        assert store.get_nodes(["old"]) == {}  # ended on 1 January 2024, kept in history
        assert as_of(store, dt.date(2023, 12, 31)).ids_of() == ["old"]
        assert len(as_of(store, dt.date(2024, 1, 1)).ids_of()) == 27
        bad = upload(client, [("x.xlsx", example_with_errors())], data={"snapshot": "2568"})
        problems = client.get(bad.headers["location"])
        assert (
            'id="snapshot-needs-all"' in problems.text and 'id="import-valid"' not in problems.text
        )
        token = bad.headers["location"].split("/")[2].split("?")[0]
        refused = client.post(f"/upload/{token}/import", data={"csrf": ""}, follow_redirects=False)
        assert refused.status_code == 422
        older = upload(
            client, [("ตัวอย่าง.xlsx", template_bytes(example=True))], data={"snapshot": "2566"}
        )
        assert older.status_code == 422 and "2024-01-01" in unescape(older.text)
        unreadable = upload(
            client, [("ตัวอย่าง.xlsx", template_bytes(example=True))], data={"snapshot": "ปีหน้า"}
        )
        assert unreadable.status_code == 422
    assert len(store.ids_of()) == 27


def test_problems_in_the_meetings_and_journal_sheets_are_said_in_thai(store) -> None:
    """The template's example with three mistakes in its section 1b sheets (a rating that
    is no rating, a meeting dated by a year alone, an attendance row twice): each is listed
    with its sheet, Excel row and column, and a reason in Thai (importers.check.REASONS)."""
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes(example=True)))
    names = {importers_sheet: wb[importers_sheet] for importers_sheet in wb.sheetnames}
    journal = next(ws for title, ws in names.items() if title.startswith("บันทึกผลลัพธ์"))
    events = next(ws for title, ws in names.items() if title.startswith("กิจกรรม"))
    attendance = next(ws for title, ws in names.items() if title.startswith("การเข้าร่วม"))
    header = {str(c.value): c.column for c in journal[1]}
    rating = next(col for text, col in header.items() if "rating" in text)
    journal.cell(2, rating, "ดีมาก")
    header = {str(c.value): c.column for c in events[1]}
    date = next(col for text, col in header.items() if "(date)" in text)
    broken = events.cell(2, 1).value  # this meeting's date becomes a year alone
    events.cell(2, date, "2567")
    header = {str(c.value): c.column for c in attendance[1]}
    event_col = next(col for text, col in header.items() if "event_id" in text)
    row = next(
        r for r in range(2, attendance.max_row + 1) if attendance.cell(r, event_col).value != broken
    )
    last = attendance.max_row
    for col in range(1, attendance.max_column + 1):  # a row of another meeting, twice
        attendance.cell(last + 1, col, attendance.cell(row, col).value)
    out = io.BytesIO()
    wb.save(out)
    with client_for(store) as client:
        sent = upload(client, [("book.xlsx", out.getvalue())])
        assert sent.status_code == 303
        page = client.get(sent.headers["location"] + "?lang=th").text
    rows = problem_rows(page)
    reasons = " | ".join(r[-1] for r in rows)
    assert "ผลการประเมินต้องเป็น น้อย ปานกลาง หรือ มาก" in reasons
    assert "ต้องเป็นวันที่ (เช่น 15/1/2567) ไม่ใช่ปีอย่างเดียว" in reasons
    assert "สองแถว" in reasons
    assert "ข้อมูลในช่องนี้ใช้ไม่ได้" not in reasons  # no reason left without its Thai words
    assert store.stats().nodes == {}

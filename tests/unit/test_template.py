"""The Excel template (issue 13, point 3): it imports as downloaded (to nothing) and as filled
in (the example: a known graph), its drop-downs exist and offer the app's Thai words, which
the importer reads back as the contract's values; Thai sheet and column names are read."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from graph_service import i18n
from graph_service.cli import main
from graph_service.dataset import parse_1b_value
from graph_service.domain import (
    ADMIN_LEVELS,
    CAPACITIES,
    DIRECTIONS,
    KNOWN_TYPES,
    SECTORS,
    SHEET_KINDS_1B,
    STRATEGY_CELLS,
)
from graph_service.store.embedded import EmbeddedStore
from importers.check import REASONS, check_dataset, classify
from importers.load import import_dataset
from importers.read import read_dataset, table_name
from importers.template import COLUMNS, INSTRUCTIONS, header, sheet_name, template_bytes


def save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_empty_template_imports_to_nothing_without_a_problem(tmp_path: Path) -> None:
    path = save(tmp_path, "template.xlsx", template_bytes())
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    check = check_dataset(store, path)
    assert (check.problems, check.warnings, check.kinds, check.types) == ([], [], {}, {})
    tables, problems = read_dataset(path)
    assert problems == []
    assert sorted(t.name for t in tables) == sorted(COLUMNS)
    people = next(t for t in tables if t.name == "people")
    assert people.columns == list(COLUMNS["people"])  # Thai headers read as the contract's
    assert people.rows == []
    store.close()


def test_the_workbook_layout(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert wb.sheetnames == [INSTRUCTIONS, *(sheet_name(s) for s in COLUMNS)]
    assert sheet_name("people") == "บุคคล (people)"
    assert max(len(n) for n in wb.sheetnames) <= 31  # Excel's limit
    orgs = wb["องค์กร (organisations)"]
    assert [c.value for c in orgs[1]] == [
        "รหัส (id)",
        "ชื่อ (name)",
        "ภาคส่วน (sector)",
        "ระดับ (admin_level)",
        "พื้นที่ (area_id)",
        "ชื่อภาษาอังกฤษ (name_en)",
        "คำอธิบาย (description)",
    ]
    assert orgs.freeze_panes == "A2"
    assert orgs.column_dimensions["B"].width == 36
    how = wb[INSTRUCTIONS]
    assert how["A1"].value == "วิธีใช้แม่แบบนำเข้าข้อมูล"
    assert how["A2"].value == "How to use the import template"


def _lists(wb: openpyxl.Workbook, sheet: str) -> dict[str, list[str]]:
    """header -> the values its drop-down offers, read back from the workbook."""
    ws = wb[sheet]
    headers = {c.column_letter: c.value for c in ws[1]}
    out: dict[str, list[str]] = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        (ref,) = str(dv.sqref).split()
        letter = ref.split(":")[0].rstrip("0123456789")
        formula = dv.formula1
        if formula.startswith('"'):
            values = formula.strip('"').split(",")
        else:
            where, cells = formula.split("!")
            source = wb[where.strip("'")]
            values = [c[0].value for c in source[cells.replace("$", "")]]
        out[headers[letter]] = values
    return out


def test_the_drop_downs_offer_the_apps_thai_words(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    orgs = _lists(wb, "องค์กร (organisations)")
    assert orgs == {
        header("sector"): [i18n.word("th", "sector", s) for s in SECTORS],
        header("admin_level"): [i18n.word("th", "admin_level", a) for a in ADMIN_LEVELS],
    }
    assert orgs[header("sector")][:2] == ["ภาครัฐ", "องค์กรปกครองส่วนท้องถิ่น"]
    rels = _lists(wb, "ความสัมพันธ์ (relationships)")
    assert rels == {
        header("type"): [i18n.word("th", "type", t) for t in KNOWN_TYPES],
        header("capacity"): ["ในนามตนเอง", "ในนามหน่วยงาน"],
        header("direction"): ["แนวราบ", "แนวดิ่ง"],
    }
    assert _lists(wb, "องค์ความรู้ (knowledge_assets)") == {header("readiness"): list("1234")}
    assert set(_lists(wb, "พื้นที่ (areas)")) == {header("admin_level")}
    # every word offered reads back as the contract's value
    words = {
        "sector": SECTORS,
        "admin_level": ADMIN_LEVELS,
        "type": KNOWN_TYPES,
        "capacity": CAPACITIES,
        "direction": DIRECTIONS,
    }
    rows = [["รหัส (id)", "ชื่อ (name)", "ภาค (sector)", "ระดับ (admin_level)"]]
    pairs = zip(orgs[header("sector")], orgs[header("admin_level")], strict=False)
    for i, (sector, level) in enumerate(pairs):
        rows.append([f"o{i}", f"องค์กร {i}", sector, level])
    book = openpyxl.Workbook()
    book.active.title = "องค์กร"
    for row in rows:
        book.active.append(row)
    rel = book.create_sheet("ความสัมพันธ์")
    rel.append(["ต้นทาง", "ปลายทาง", "ประเภท", "ในนาม", "ทิศทาง"])
    for i, type_ in enumerate(rels[header("type")]):
        rel.append(
            [
                f"o{i % 7}",
                f"o{(i + 1) % 7}",
                type_,
                rels[header("capacity")][i % 2],
                rels[header("direction")][i % 2],
            ]
        )
    path = tmp_path / "words.xlsx"
    book.save(path)
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    check = check_dataset(store, path)
    assert check.problems == []
    assert check.dataset is not None
    nodes = {n.id: n.props for n in check.dataset.nodes}
    assert [nodes[f"o{i}"]["sector"] for i in range(7)] == list(words["sector"])
    assert [nodes[f"o{i}"]["admin_level"] for i in range(7)] == list(words["admin_level"][:7])
    assert [e.type for e in check.dataset.edges] == list(KNOWN_TYPES)
    assert [e.props["capacity"] for e in check.dataset.edges][:2] == list(CAPACITIES)
    assert [e.props["direction"] for e in check.dataset.edges][:2] == list(DIRECTIONS)
    store.close()


def test_the_example_imports_to_a_known_graph(tmp_path: Path) -> None:
    path = save(tmp_path, "example.xlsx", template_bytes(example=True))
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    report = import_dataset(store, path)
    assert (report.entities, report.relationships, report.problems) == (27, 45, [])
    stats = store.stats()
    assert stats.nodes == {
        "Area": 3,
        "Fund": 1,
        "KnowledgeAsset": 1,
        "Network": 1,
        "Organisation": 3,
        "Person": 2,
        "Programme": 1,
        # the meetings and Outcome Mapping sheets (tests/contract/test_om_sample.py)
        "Event": 2,
        "JournalEntry": 5,
        "OutcomeChallenge": 1,
        "Practice": 2,
        "ProgressMarker": 3,
        "Strategy": 2,
    }
    assert stats.relationships == {
        "COORDINATES": 1,
        "FUNDS": 2,
        "LOCATED_IN": 7,
        "MEMBER_OF": 2,
        "PART_OF": 8,
        "PRODUCES": 1,
        "PROVIDES": 1,
        "SUPPORTS": 1,
        "AIMED_AT": 2,
        "ATTENDED": 4,
        "CHALLENGE_OF": 1,
        "CONTRIBUTED": 4,
        "MARKER_OF": 3,
        "MEETING_OF": 1,
        "ORGANISES": 2,
        "RATES": 5,
    }
    nodes = store.get_nodes(["org-sao", "fund-local", "prog-ltc", "ar-pua"])
    assert nodes["org-sao"].props["sector"] == "local_government"
    assert nodes["org-sao"].props["admin_level"] == "subdistrict"
    assert (nodes["fund-local"].props["amount_thb"], nodes["fund-local"].props["year"]) == (
        300000,
        2024,
    )
    assert (nodes["prog-ltc"].props["start_year"], nodes["prog-ltc"].props["end_year"]) == (
        2023,
        2025,
    )
    assert nodes["ar-pua"].props["admin_level"] == "district"
    (supports,) = [e for e in store.edges_of("org-ppho") if e.type == "SUPPORTS"]
    assert supports.props["direction"] == "vertical"
    # importing it again changes nothing
    again = import_dataset(store, path)
    assert (again.written.nodes_created, again.written.nodes_updated) == (0, 0)
    store.close()


def test_the_command_line_writes_the_template(tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    result = CliRunner().invoke(main, ["template", "-o", str(out), "--example"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"wrote {out}"
    assert out.read_bytes()[:2] == b"PK"
    wb = openpyxl.load_workbook(out)
    assert wb["บุคคล (people)"]["B2"].value == "สมชาย ใจดี"


def test_reason_codes_cover_the_importers_reasons(tmp_path: Path) -> None:
    """Each kind of problem the importer reports gets its own code (none falls to 'other'),
    with the values its Thai words need."""
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "people.csv").write_text(
        "id,name,year,consent\np1,,2551,yes\np1,ข,ปีนี้,บางที\n", encoding="utf-8"
    )
    (folder / "funds.csv").write_text(
        'id,name,amount_thb\nf1,ก,"3,00x"\nf2,ข,-5\nf3,ค,100\n', "utf-8"
    )
    (folder / "knowledge_assets.csv").write_text("id,name,readiness\nk1,ค,9\nk2,ง,2\n", "utf-8")
    (folder / "relationships.csv").write_text(
        "source,target,type,capacity,direction\nf3,f3,SUPPORTS,,\nf3,k2,SUPPORTS,x,\n"
        "f3,k2,ผูกพัน,,\nf3,k2,SUPPORTS,,up\nf3,zz,SUPPORTS,,\nf3,k1,SUPPORTS,,\n"
        "f3,k2,USES,,\nf3,k2,USES,,\n",
        "utf-8",
    )
    (folder / "peple.csv").write_text("id,name\n", "utf-8")
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    check = check_dataset(store, folder)
    got = [(p.file, p.row, p.column, classify(p.reason)) for p in check.problems]
    assert got == [
        ("peple.csv", None, None, ("unknown_sheet", {"name": "peple"})),
        ("people.csv", 2, "name", ("missing_value", {})),
        ("people.csv", 3, "id", ("duplicate_id", {"id": "p1", "first": "people.csv:2"})),
        ("people.csv", 3, "year", ("not_year", {})),
        ("people.csv", 3, "consent", ("not_yes_no", {})),
        ("funds.csv", 2, "amount_thb", ("not_number", {})),
        ("funds.csv", 3, "amount_thb", ("negative", {})),
        ("knowledge_assets.csv", 2, "readiness", ("readiness", {})),
        ("relationships.csv", 2, "target", ("self_link", {"id": "f3"})),
        ("relationships.csv", 3, "capacity", ("capacity", {})),
        ("relationships.csv", 4, "type", ("type_format", {})),
        ("relationships.csv", 5, "direction", ("direction", {})),
        ("relationships.csv", 6, "target", ("unknown_id", {"id": "zz"})),
        (
            "relationships.csv",
            7,
            "target",
            ("rejected_end", {"id": "k1", "first": "knowledge_assets.csv:2"}),
        ),
        ("relationships.csv", 9, "type", ("duplicate_link", {"first": "relationships.csv:8"})),
    ]
    for _, _, _, (code, values) in got:
        assert i18n.text("th", f"upload.reason.{code}", **values)
    # every code has words in both languages
    for code, _ in [*REASONS, ("other", None)]:
        assert i18n.has("th", f"upload.reason.{code}") and i18n.has("en", f"upload.reason.{code}")
    store.close()


# -- the meetings and Outcome Mapping sheets (CONTRACT.md section 1b, issue 15) -------------


def test_the_meetings_and_om_sheets_and_their_headers() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert wb.sheetnames[-9:] == [
        "กิจกรรม (events)",
        "การเข้าร่วม (attendance)",
        "ความท้าทายผลลัพธ์",
        "เครื่องหมายความก้าวหน้า",
        "กลยุทธ์ (strategies)",
        "แนวปฏิบัติองค์กร (practices)",
        "บันทึกผลลัพธ์ (outcome_journal)",
        "บันทึกกลยุทธ์",
        "บันทึกผลการปฏิบัติงาน",
    ]
    # each reads as its sheet, bracketed or not
    assert [table_name(n) for n in wb.sheetnames[-9:]] == list(SHEET_KINDS_1B)
    assert max(len(n) for n in wb.sheetnames) <= 31
    assert [c.value for c in wb["เครื่องหมายความก้าวหน้า"][1]] == [
        "รหัส (id)",
        "ภาคีหุ้นส่วน (partner_id)",
        "ขั้น (stage)",
        "ข้อความ (text)",
        "ลำดับ (order)",
        "ความท้าทาย (challenge_id)",
    ]
    assert [c.value for c in wb["การเข้าร่วม (attendance)"][1]] == [
        "รหัสกิจกรรม (event_id)",
        "ผู้เข้าร่วม (actor_id)",
        "สถานะ (status)",
        "ในนาม (capacity)",
        "บทบาท (role)",
    ]
    # the instructions name every sheet with its contract name, its required columns, and
    # say how to fill the new ones in
    how = wb[INSTRUCTIONS]
    cells = {c.value: c for row in how.iter_rows() for c in row if c.value}
    label = cells["เครื่องหมายความก้าวหน้า (progress_markers)"]
    assert how.cell(label.row, 3).value == (
        "รหัส (id), ภาคีหุ้นส่วน (partner_id), ขั้น (stage), ข้อความ (text)"
    )
    heading = "ชีตการประชุมและการวางแผนแบบมุ่งผลลัพธ์ / The meetings and Outcome Mapping sheets"
    assert heading in cells
    assert how.cell(cells[heading].row + 1, 1).value.startswith("ชีต กิจกรรม และ การเข้าร่วม")


def test_the_om_drop_downs_offer_thai_words_the_importer_reads(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    offered = {sheet: _lists(wb, sheet_name(sheet)) for sheet in SHEET_KINDS_1B}
    assert offered["events"] == {header("kind"): ["ประชุม", "ลงพื้นที่", "อบรม", "เวที"]}
    assert offered["attendance"] == {
        header("status"): ["เข้าร่วม", "ขาด", "ได้รับเชิญ"],
        header("capacity"): ["ในนามตนเอง", "ในนามหน่วยงาน"],
    }
    assert offered["progress_markers"] == {
        header("stage"): ["คาดหวังว่าจะเห็น", "อยากเห็น", "ปรารถนาจะเห็น"]
    }
    assert offered["strategies"] == {header("cell"): ["I-1", "I-2", "I-3", "E-1", "E-2", "E-3"]}
    assert offered["outcome_journal"] == {header("rating"): ["น้อย", "ปานกลาง", "มาก"]}
    assert not any(offered[s] for s in ("outcome_challenges", "practices"))
    assert not any(offered[s] for s in ("strategy_journal", "performance_journal"))
    # every word offered reads back as the contract's value, in the order offered
    expected = {
        ("events", "kind"): ["meeting", "visit", "training", "forum"],
        ("attendance", "status"): ["attended", "absent", "invited"],
        ("attendance", "capacity"): ["personal", "institutional"],
        ("progress_markers", "stage"): ["expect", "like", "love"],
        ("strategies", "cell"): list(STRATEGY_CELLS),
        ("outcome_journal", "rating"): ["low", "medium", "high"],
    }
    for (sheet, column), values in expected.items():
        words = offered[sheet][header(column)]
        assert [parse_1b_value(sheet, column, w) for w in words] == values
    # and through the importer, from a workbook filled in with every word
    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    book[sheet_name("networks")].append(["net-a", "คณะกรรมการ"])
    for i, kind in enumerate(offered["events"][header("kind")]):
        book[sheet_name("events")].append([f"ev{i}", f"ครั้งที่ {i}", f"{i + 1}/1/2567", kind])
    for i, status in enumerate(offered["attendance"][header("status")]):
        capacity = offered["attendance"][header("capacity")][i % 2]
        book[sheet_name("attendance")].append([f"ev{i}", "net-a", status, capacity])
    for i, stage in enumerate(offered["progress_markers"][header("stage")]):
        book[sheet_name("progress_markers")].append([f"mk{i}", "net-a", stage, f"ข้อ {i}", i + 1])
    for i, cell in enumerate(offered["strategies"][header("cell")]):
        book[sheet_name("strategies")].append([f"st{i}", cell, f"กลยุทธ์ {i}", "net-a"])
    for i, rating in enumerate(offered["outcome_journal"][header("rating")]):
        book[sheet_name("outcome_journal")].append([f"{i + 1}/3/2567", "mk0", rating])
    path = tmp_path / "words.xlsx"
    book.save(path)
    store = EmbeddedStore(tmp_path / "g.db", query_timeout=0)
    check = check_dataset(store, path)
    assert check.problems == []
    assert check.dataset is not None
    nodes = {n.id: n.props for n in check.dataset.nodes}
    assert [nodes[f"ev{i}"]["event_kind"] for i in range(4)] == expected[("events", "kind")]
    assert [nodes[f"mk{i}"]["stage"] for i in range(3)] == expected[("progress_markers", "stage")]
    assert [nodes[f"st{i}"]["cell"] for i in range(6)] == list(STRATEGY_CELLS)
    assert [nodes[f"oj-mk0-2024-03-0{i}"]["rating"] for i in (1, 2, 3)] == [
        "low",
        "medium",
        "high",
    ]
    attended = [e.props for e in check.dataset.edges if e.type == "ATTENDED"]
    assert [(p["status"], p["capacity"]) for p in attended] == [
        ("attended", "personal"),
        ("absent", "institutional"),
        ("invited", "personal"),
    ]
    store.close()

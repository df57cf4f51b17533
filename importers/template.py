"""The Excel template a planner fills in (issue 13, point 3): ``GET /template.xlsx`` and
``graph-service template -o FILE.xlsx``.

A first sheet ``วิธีใช้`` (how to use, Thai then English; the importer skips it) holds the
steps, the sheets and the lists the drop-downs offer; then one sheet per kind and one for
relationships, named ``บุคคล (people)`` and so on, whose header cells read ``ชื่อ (name)``:
the Thai name for the reader and the contract's name in brackets, both of which the importer
reads (``graph_service.dataset.column_name``). The controlled columns (sector, admin level,
relationship type, capacity, direction, readiness) have drop-down lists of the app's Thai
words (``messages/th/common.toml``), which the importer reads back as the contract's values;
a user's own word is still allowed (a warning, not a refusal). The header row is frozen.

The meetings and Outcome Mapping sheets (CONTRACT.md section 1b, issue 15) follow, with
their Thai titles from ``graph_service.dataset.SHEET_NAMES`` (``กิจกรรม (events)``; a title
that would pass Excel's 31 characters with its bracket, such as ``เครื่องหมายความก้าวหน้า``, is
the Thai name alone, which the importer reads as well) and drop-downs for stage, rating,
attendance status, capacity, strategy-map cell and event kind; the instructions sheet says
how to fill them in.

As downloaded the template imports to nothing, without a problem; with ``example=True`` its
sheets hold a small example (:data:`EXAMPLE`) that imports to a known graph: 27 entities
(3 areas, 3 organisations, 1 network, 2 people, 1 fund, 1 knowledge asset, 1 programme;
2 events, 1 outcome challenge, 3 progress markers, 2 strategies, 2 practices, 5 journal
entries) and 45 relationships.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from graph_service import i18n
from graph_service.dataset import COLUMN_NAMES, REQUIRED_COLUMNS
from graph_service.domain import (
    ADMIN_LEVELS,
    CAPACITIES,
    DIRECTIONS,
    EVENT_KINDS,
    KNOWN_TYPES,
    RATINGS,
    SECTORS,
    SHEET_KINDS_1B,
    STAGES,
    STRATEGY_CELLS,
)

INSTRUCTIONS = "วิธีใช้"

#: sheet -> its Thai title; the sheet's name in the workbook is ``title (sheet)``
SHEET_TITLES = {
    "areas": "พื้นที่",
    "organisations": "องค์กร",
    "networks": "เครือข่าย",
    "people": "บุคคล",
    "funds": "กองทุน",
    "knowledge_assets": "องค์ความรู้",
    "programmes": "แผนงาน",
    "relationships": "ความสัมพันธ์",
    # section 1b: names graph_service.dataset.SHEET_NAMES reads as these sheets
    "events": "กิจกรรม",
    "attendance": "การเข้าร่วม",
    "outcome_challenges": "ความท้าทายผลลัพธ์",
    "progress_markers": "เครื่องหมายความก้าวหน้า",
    "strategies": "กลยุทธ์",
    "practices": "แนวปฏิบัติองค์กร",
    "outcome_journal": "บันทึกผลลัพธ์",
    "strategy_journal": "บันทึกกลยุทธ์",
    "performance_journal": "บันทึกผลการปฏิบัติงาน",
}
#: Excel's longest sheet title
MAX_SHEET_TITLE = 31
#: sheet -> its columns (the contract's names), the required ones first
COLUMNS: dict[str, tuple[str, ...]] = {
    "areas": ("id", "name", "admin_level", "parent_id", "code"),
    "organisations": ("id", "name", "sector", "admin_level", "area_id", "name_en", "description"),
    "networks": ("id", "name", "sector", "admin_level", "area_id", "name_en", "description"),
    "people": ("id", "name", "role", "organisation_id", "area_id", "description"),
    "funds": ("id", "name", "funder_id", "amount_thb", "year", "purpose", "area_id"),
    "knowledge_assets": ("id", "name", "asset_type", "readiness", "producer_id", "description"),
    "programmes": ("id", "name", "funder_id", "start_year", "end_year", "description"),
    "relationships": (
        "source",
        "target",
        "type",
        "capacity",
        "direction",
        "amount_thb",
        "year",
        "role",
        "note",
    ),
    # section 1b (CONTRACT.md): the required columns first, as there
    "events": ("id", "name", "date", "kind", "end_date", "area_id", "organiser_id", "body_id"),
    "attendance": ("event_id", "actor_id", "status", "capacity", "role"),
    "outcome_challenges": ("id", "partner_id", "text", "programme_id"),
    "progress_markers": ("id", "partner_id", "stage", "text", "order", "challenge_id"),
    "strategies": ("id", "cell", "text", "partner_id", "programme_id"),
    "practices": ("id", "text", "number", "programme_id"),
    "outcome_journal": (
        "date",
        "marker_id",
        "rating",
        "description",
        "contributors",
        "sources",
        "unanticipated",
    ),
    "strategy_journal": ("date", "strategy_id", "activities", "effectiveness", "follow_up"),
    "performance_journal": ("date", "practice_id", "note"),
}
#: sheet -> its required columns (what the importer refuses a row without)
REQUIRED = {sheet: REQUIRED_COLUMNS[sheet] for sheet in COLUMNS}
#: column -> the group of common.toml words its drop-down offers, and the values in order
CHOICES = {
    "sector": ("sector", SECTORS),
    "admin_level": ("admin_level", ADMIN_LEVELS),
    "type": ("type", KNOWN_TYPES),
    "capacity": ("capacity", CAPACITIES),
    "direction": ("direction", DIRECTIONS),
    # section 1b
    "stage": ("stage", STAGES),
    "rating": ("rating", RATINGS),
    "status": ("attendance_status", ("attended", "absent", "invited")),
    "kind": ("event_kind", EVENT_KINDS),
}
READINESS = ("1", "2", "3", "4")
#: drop-downs of fixed codes, not words: column -> the codes
CODES = {"readiness": READINESS, "cell": STRATEGY_CELLS}
#: the columns whose cells hold long text (a wide column)
WIDE = ("name", "description", "purpose", "note", "text", "activities", "effectiveness")

#: the example (Thai names, the drop-down words in Thai): sheet -> rows by column
EXAMPLE: dict[str, list[dict[str, Any]]] = {
    "areas": [
        {"id": "ar-nan", "name": "จังหวัดน่าน", "admin_level": "จังหวัด"},
        {"id": "ar-pua", "name": "อำเภอปัว", "admin_level": "อำเภอ", "parent_id": "ar-nan"},
        {"id": "ar-sila", "name": "ตำบลศิลาเพชร", "admin_level": "ตำบล", "parent_id": "ar-pua"},
    ],
    "organisations": [
        {
            "id": "org-ppho",
            "name": "สำนักงานสาธารณสุขจังหวัดน่าน",
            "sector": "ภาครัฐ",
            "admin_level": "จังหวัด",
            "area_id": "ar-nan",
        },
        {
            "id": "org-sao",
            "name": "องค์การบริหารส่วนตำบลศิลาเพชร",
            "sector": "องค์กรปกครองส่วนท้องถิ่น",
            "admin_level": "ตำบล",
            "area_id": "ar-sila",
        },
        {
            "id": "org-hph",
            "name": "โรงพยาบาลส่งเสริมสุขภาพตำบลศิลาเพชร",
            "sector": "ภาครัฐ",
            "admin_level": "ตำบล",
            "area_id": "ar-sila",
        },
    ],
    "networks": [
        {
            "id": "net-elder",
            "name": "เครือข่ายผู้สูงอายุตำบลศิลาเพชร",
            "sector": "ภาคประชาสังคม",
            "admin_level": "ตำบล",
            "area_id": "ar-sila",
        },
    ],
    "people": [
        {
            "id": "p-somchai",
            "name": "สมชาย ใจดี",
            "role": "ผู้ประสานงาน",
            "organisation_id": "org-hph",
        },
        {"id": "p-malee", "name": "มาลี รักถิ่น", "role": "แกนนำ", "area_id": "ar-sila"},
    ],
    "funds": [
        {
            "id": "fund-local",
            "name": "กองทุนหลักประกันสุขภาพตำบลศิลาเพชร",
            "funder_id": "org-sao",
            "amount_thb": 300000,
            "year": 2567,
            "purpose": "ดูแลผู้สูงอายุในชุมชน",
        },
    ],
    "knowledge_assets": [
        {
            "id": "ka-care",
            "name": "คู่มือดูแลผู้สูงอายุในชุมชน",
            "asset_type": "manual",
            "readiness": 1,
            "producer_id": "org-hph",
        },
    ],
    "programmes": [
        {
            "id": "prog-ltc",
            "name": "แผนงานดูแลผู้สูงอายุระยะยาว",
            "funder_id": "org-ppho",
            "start_year": 2566,
            "end_year": 2568,
        },
    ],
    "relationships": [
        {
            "source": "org-hph",
            "target": "net-elder",
            "type": "ประสานงานกับ",
            "capacity": "ในนามหน่วยงาน",
        },
        {"source": "p-malee", "target": "net-elder", "type": "เป็นสมาชิกของ", "role": "ประธาน"},
        {
            "source": "fund-local",
            "target": "net-elder",
            "type": "ให้ทุนแก่",
            "amount_thb": 50000,
            "year": 2567,
        },
        {"source": "org-ppho", "target": "org-hph", "type": "สนับสนุน", "direction": "แนวดิ่ง"},
    ],
    # section 1b: a meeting and a visit, and an Outcome Mapping plan for the elders' network
    "events": [
        {
            "id": "ev-elder-1",
            "name": "ประชุมเครือข่ายผู้สูงอายุ ครั้งที่ 1/2567",
            "date": "15/1/2567",
            "kind": "ประชุม",
            "area_id": "ar-sila",
            "organiser_id": "org-hph",
            "body_id": "net-elder",
        },
        {
            "id": "ev-visit-1",
            "name": "ลงพื้นที่เยี่ยมบ้านผู้สูงอายุ",
            "date": "10/2/2567",
            "kind": "ลงพื้นที่",
            "area_id": "ar-sila",
            "organiser_id": "net-elder",
        },
    ],
    "attendance": [
        {
            "event_id": "ev-elder-1",
            "actor_id": "p-somchai",
            "status": "เข้าร่วม",
            "capacity": "ในนามตนเอง",
            "role": "เลขานุการ",
        },
        {
            "event_id": "ev-elder-1",
            "actor_id": "org-sao",
            "status": "ขาด",
            "capacity": "ในนามหน่วยงาน",
        },
        {"event_id": "ev-elder-1", "actor_id": "org-ppho", "status": "ได้รับเชิญ"},
        {"event_id": "ev-visit-1", "actor_id": "p-somchai", "status": "เข้าร่วม"},
    ],
    "outcome_challenges": [
        {
            "id": "oc-elder",
            "partner_id": "net-elder",
            "text": "เครือข่ายผู้สูงอายุดูแลผู้สูงอายุติดบ้านติดเตียงในตำบลได้ด้วยตนเอง",
            "programme_id": "prog-ltc",
        },
    ],
    "progress_markers": [
        {
            "id": "mk-elder-1",
            "partner_id": "net-elder",
            "stage": "คาดหวังว่าจะเห็น",
            "text": "ภาคีเครือข่ายผู้สูงอายุเข้าร่วมประชุมวางแผนการดูแลผู้สูงอายุทุกเดือน",
            "order": 1,
            "challenge_id": "oc-elder",
        },
        {
            "id": "mk-elder-2",
            "partner_id": "net-elder",
            "stage": "อยากเห็น",
            "text": "เครือข่ายจัดอาสาสมัครเยี่ยมบ้านผู้สูงอายุติดเตียงเอง",
            "order": 2,
            "challenge_id": "oc-elder",
        },
        {
            "id": "mk-elder-3",
            "partner_id": "net-elder",
            "stage": "ปรารถนาจะเห็น",
            "text": "เครือข่ายเสนอแผนการดูแลผู้สูงอายุต่อกองทุนตำบลและได้รับงบประมาณ",
            "order": 3,
            "challenge_id": "oc-elder",
        },
    ],
    "strategies": [
        {
            "id": "st-elder-1",
            "cell": "I-2",
            "text": "อบรมอาสาสมัครดูแลผู้สูงอายุ",
            "partner_id": "net-elder",
            "programme_id": "prog-ltc",
        },
        {
            "id": "st-elder-2",
            "cell": "E-3",
            "text": "เชื่อมเครือข่ายกับกองทุนหลักประกันสุขภาพตำบล",
            "partner_id": "net-elder",
            "programme_id": "prog-ltc",
        },
    ],
    "practices": [
        {"id": "pr-ltc-2", "text": "ขอข้อมูลป้อนกลับจากผู้ให้ข้อมูลสำคัญ", "number": 2},
        {"id": "pr-ltc-8", "text": "สะท้อนการเรียนรู้ภายในองค์กร", "number": 8},
    ],
    "outcome_journal": [
        {
            "date": "31/3/2567",
            "marker_id": "mk-elder-1",
            "rating": "น้อย",
            "description": "แกนนำเข้าร่วมประชุม 2 ใน 3 ครั้ง",
            "contributors": "p-somchai|org-hph",
            "sources": "รายงานการประชุม",
        },
        {
            "date": "30/6/2567",
            "marker_id": "mk-elder-1",
            "rating": "ปานกลาง",
            "description": "แกนนำเข้าร่วมประชุมทุกครั้ง",
            "contributors": "org-hph",
            "sources": "รายงานการประชุม",
        },
        {
            "date": "30/6/2567",
            "marker_id": "mk-elder-2",
            "rating": "น้อย",
            "description": "อาสาสมัคร 2 คนเริ่มเยี่ยมบ้าน",
            "contributors": "p-somchai",
            "unanticipated": "ลูกหลานผู้สูงอายุขอเข้าร่วมเป็นอาสาสมัคร",
        },
    ],
    "strategy_journal": [
        {
            "date": "20/1/2567",
            "strategy_id": "st-elder-1",
            "activities": "อบรมอาสาสมัคร 10 คน",
            "effectiveness": "อาสาสมัครมั่นใจมากขึ้น",
            "follow_up": "20/4/2567",
        },
    ],
    "performance_journal": [
        {"date": "30/6/2567", "practice_id": "pr-ltc-8", "note": "ทีมทบทวนบทเรียนครึ่งปี"},
    ],
}


def thai_name(column: str) -> str:
    """The first Thai name ``dataset.COLUMN_NAMES`` gives a column (what the header shows).

    >>> thai_name("admin_level"), thai_name("source")
    ('ระดับ', 'ต้นทาง')
    """
    return next(th for th, key in COLUMN_NAMES.items() if key == column)


def header(column: str) -> str:
    """A header cell of the template: ``ระดับ (admin_level)``."""
    return f"{thai_name(column)} ({column})"


def sheet_label(sheet: str) -> str:
    """A sheet as the instructions name it: ``บุคคล (people)``."""
    return f"{SHEET_TITLES[sheet]} ({sheet})"


def sheet_name(sheet: str) -> str:
    """A sheet's name in the template: ``บุคคล (people)``, or the Thai title alone when that
    would pass the 31 characters Excel allows (the importer reads both,
    ``graph_service.dataset.SHEET_NAMES``).

    >>> sheet_name("events"), sheet_name("progress_markers")
    ('กิจกรรม (events)', 'เครื่องหมายความก้าวหน้า')
    """
    label = sheet_label(sheet)
    return label if len(label) <= MAX_SHEET_TITLE else SHEET_TITLES[sheet]


def what_key(sheet: str) -> str:
    """The catalogue key of the words saying what goes in ``sheet``: the section 1b sheets'
    are in ``template_om.toml``, the others in ``upload.toml``."""
    if sheet in SHEET_KINDS_1B:
        return f"template_om.what_{sheet}"
    return f"upload.template.what_{sheet}"


def build_template(example: bool = False) -> Any:
    """The template as an openpyxl ``Workbook``; ``example``: with the example rows."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    how = wb.active
    how.title = INSTRUCTIONS
    bold = Font(bold=True)
    big = Font(bold=True, size=14)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")

    def both(key: str) -> tuple[str, str]:
        if "." not in key:
            key = f"upload.template.{key}"
        return i18n.text("th", key), i18n.text("en", key)

    row = 1
    th, en = both("sheet_title")
    how.cell(row, 1, th).font = big
    how.cell(row + 1, 1, en).font = Font(italic=True)
    row += 3
    for step in ("step1", "step2", "step3", "step4"):
        th, en = both(step)
        how.cell(row, 1, th).alignment = wrap
        how.cell(row + 1, 1, en).font = Font(italic=True, color="555555")
        row += 2
    row += 1
    th, en = both("sheets_heading")
    how.cell(row, 1, f"{th} / {en}").font = bold
    row += 1
    for col, key in enumerate(("col_sheet", "col_what", "col_required"), start=1):
        th, en = both(key)
        cell = how.cell(row, col, f"{th} / {en}")
        cell.font, cell.fill = bold, fill
    for sheet in COLUMNS:
        row += 1
        th, en = both(what_key(sheet))
        how.cell(row, 1, sheet_label(sheet))
        how.cell(row, 2, f"{th} / {en}").alignment = wrap
        how.cell(row, 3, ", ".join(header(c) for c in REQUIRED[sheet]))
    # the meetings and Outcome Mapping sheets (section 1b): how to fill them in
    row += 2
    th, en = both("template_om.heading")
    how.cell(row, 1, f"{th} / {en}").font = bold
    row += 1
    for key in ("events", "plan", "journals", "lists"):
        th, en = both(f"template_om.{key}")
        how.cell(row, 1, th).alignment = wrap
        how.cell(row + 1, 1, en).font = Font(italic=True, color="555555")
        row += 2
    how.column_dimensions["A"].width = 70
    how.column_dimensions["B"].width = 60
    how.column_dimensions["C"].width = 40

    # the lists the drop-downs offer, to the right of the instructions
    lists: dict[str, str] = {}
    th, en = both("lists_heading")
    first = 5  # column E
    how.cell(1, first, f"{th} / {en}").font = bold
    for offset, (column, (group, values)) in enumerate(CHOICES.items()):
        col = first + offset
        letter = get_column_letter(col)
        cell = how.cell(2, col, header(column))
        cell.font, cell.fill = bold, fill
        for i, value in enumerate(values):
            how.cell(3 + i, col, i18n.word("th", group, value))
        end = 3 + len(values) - 1
        lists[column] = f"{quote_sheetname(INSTRUCTIONS)}!${letter}$3:${letter}${end}"
        how.column_dimensions[letter].width = 26
    how.freeze_panes = None

    for sheet, columns in COLUMNS.items():
        ws = wb.create_sheet(sheet_name(sheet))
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(1, col, header(column))
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(column, "graph-service")
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = max(16, len(header(column)) + 6)
            if column in WIDE:
                ws.column_dimensions[letter].width = 36
            formula = None
            if column in lists and not (sheet == "relationships" and column == "admin_level"):
                formula = lists[column]
            elif column in CODES:
                formula = '"' + ",".join(CODES[column]) + '"'
            if formula is not None:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True)
                dv.errorStyle = "warning"  # the user's own word is allowed
                dv.showErrorMessage = True
                dv.error = i18n.text("th", "upload.template.step3")
                dv.add(f"{letter}2:{letter}1000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
        if example:
            for r, cells in enumerate(EXAMPLE.get(sheet, []), start=2):
                for col, column in enumerate(columns, start=1):
                    if column in cells:
                        ws.cell(r, col, cells[column])
    return wb


def template_bytes(example: bool = False) -> bytes:
    """The template as the bytes of an ``.xlsx`` file."""
    out = io.BytesIO()
    build_template(example).save(out)
    return out.getvalue()


def write_template(path: str | Path, example: bool = False) -> Path:
    """Write the template to ``path``."""
    path = Path(path)
    path.write_bytes(template_bytes(example))
    return path

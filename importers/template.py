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

As downloaded the template imports to nothing, without a problem; with ``example=True`` its
sheets hold a small example (:data:`EXAMPLE`) that imports to a known graph: 12 entities
(3 areas, 3 organisations, 1 network, 2 people, 1 fund, 1 knowledge asset, 1 programme)
and 15 relationships.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from graph_service import i18n
from graph_service.dataset import COLUMN_NAMES
from graph_service.domain import ADMIN_LEVELS, CAPACITIES, DIRECTIONS, KNOWN_TYPES, SECTORS

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
}
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
}
REQUIRED = {"id", "name", "source", "target", "type"}
#: column -> the group of common.toml words its drop-down offers
CHOICES = {
    "sector": ("sector", SECTORS),
    "admin_level": ("admin_level", ADMIN_LEVELS),
    "type": ("type", KNOWN_TYPES),
    "capacity": ("capacity", CAPACITIES),
    "direction": ("direction", DIRECTIONS),
}
READINESS = ("1", "2", "3", "4")

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


def sheet_name(sheet: str) -> str:
    """A sheet's name in the template: ``บุคคล (people)`` (at most 31 characters, as Excel
    requires)."""
    return f"{SHEET_TITLES[sheet]} ({sheet})"


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
        return i18n.text("th", f"upload.template.{key}"), i18n.text("en", f"upload.template.{key}")

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
        th, en = both(f"what_{sheet}")
        how.cell(row, 1, sheet_name(sheet))
        how.cell(row, 2, f"{th} / {en}").alignment = wrap
        how.cell(row, 3, ", ".join(header(c) for c in COLUMNS[sheet] if c in REQUIRED))
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
            if column in ("name", "description", "purpose", "note"):
                ws.column_dimensions[letter].width = 36
            formula = None
            if column in lists and not (sheet == "relationships" and column == "admin_level"):
                formula = lists[column]
            elif column == "readiness":
                formula = '"' + ",".join(READINESS) + '"'
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

"""The dataset's column rules (CONTRACT.md section 1, DOMAIN.md 7): one home for them.

What a dataset holds and how each cell reads, used alike by the importer
(``importers.validate``), the API's edit bodies (``graph_service.editing``), the upload route
and the CSV export (which checks that a value reads back as it is written):

- which files or sheets make a dataset (``domain.FILE_KINDS``, ``RELATIONSHIPS_FILE``), the
  columns each must have (:data:`REQUIRED_COLUMNS`) and the names the stores keep for
  themselves (:data:`RESERVED_COLUMNS`);
- the shorthand columns that make relationships (:data:`SHORTHANDS`,
  :func:`shorthand_type`);
- how a cell's text reads in a column: :func:`parse_cell` (``file``, ``column``, ``text``)
  is "this cell as the importer reads it", built on the value parsers below.

Every parser takes the cell's text and returns the value, or raises ``ValueError`` whose
message is a short human reason; the caller puts it after ``file:row:column: `` in a report,
so it quotes the cell and says what was expected, e.g. ``not a number: '3,00x'``.

The rules follow how Thai spreadsheets are really written: Thai digits (๐–๙) are digits,
``3,000,000`` is three million, amounts may carry ``฿`` or ``บาท``, and a year of 2400 or more
is a Buddhist Era year (2551 BE = 2008 CE), which is stored as the Common Era year.

This module sits at the bottom of the layers: it imports only ``graph_service.domain`` and
``graph_service.errors`` besides the standard library.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from graph_service.domain import (
    ADMIN_LEVELS,
    ATTENDANCE_STATUSES,
    CAPACITIES,
    EVENT_KINDS,
    FILE_KINDS,
    NO_WORDS,
    RATINGS,
    RELATIONSHIPS_FILE,
    SECTORS,
    STAGES,
    STRATEGY_CELLS,
    YES_WORDS,
    clean_text,
    to_ascii_digits,
)

# -- the files and their columns -----------------------------------------------------------

#: what a dataset upload may hold: CSV files, or one workbook whose sheets are the tables
DATASET_SUFFIXES = (".csv", ".xlsx")
#: file -> the columns every row of it must have
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    **{file: ("id", "name") for file in FILE_KINDS},
    RELATIONSHIPS_FILE: ("source", "target", "type"),
    # section 1b: SHEETS_1B below (filled in there)
}
#: names the stores keep for themselves, refused as a column: entity files, relationships
RESERVED_ENTITY_COLUMNS = ("name_key",)
RESERVED_EDGE_COLUMNS = ("key",)
#: the columns of a relationship row that are its identity, not properties
EDGE_FIELDS = ("source", "target", "type", "id")

#: shorthand column -> (relationship type, the entity is the source?) and, where the
#: column is meaningful only in some files, those files
SHORTHANDS: dict[str, tuple[str, bool, tuple[str, ...] | None]] = {
    "organisation_id": ("MEMBER_OF", True, ("people",)),
    "area_id": ("LOCATED_IN", True, None),
    "funder_id": ("", False, ("funds", "programmes")),  # PROVIDES or FUNDS, by file
    "producer_id": ("PRODUCES", False, ("knowledge_assets",)),
    "parent_id": ("PART_OF", True, ("areas",)),
}
FUNDER_TYPES = {"funds": "PROVIDES", "programmes": "FUNDS"}

NUMBER_COLUMNS = ("amount_thb", "need_thb", "weight")
YEAR_COLUMNS = ("year", "start_year", "end_year")
DATE_COLUMNS = ("start", "end")
BOOL_COLUMNS = ("consent", "public")
TEXT_DIGIT_COLUMNS = ("code",)  # codes keep leading zeros: text, with ASCII digits
DIRECTION_WORDS = {
    "horizontal": "horizontal",
    "vertical": "vertical",
    "แนวราบ": "horizontal",
    "แนวระนาบ": "horizontal",
    "แนวดิ่ง": "vertical",
}


# -- Thai names: sheets, columns and the words of the drop-down columns (issue 13) -------------

#: what a file or sheet may be called besides its contract name (compared as
#: ``importers.read.table_name`` folds them); Excel forbids ``/`` in a sheet's title, so
#: แผนงาน/โครงการ is written without it
SHEET_NAMES: dict[str, str] = {
    "บุคคล": "people",
    "องค์กร": "organisations",
    "หน่วยงาน": "organisations",
    "เครือข่าย": "networks",
    "กองทุน": "funds",
    "องค์ความรู้": "knowledge_assets",
    "พื้นที่": "areas",
    "แผนงาน": "programmes",
    "โครงการ": "programmes",
    "แผนงานโครงการ": "programmes",
    "แผนงาน-โครงการ": "programmes",
    "แผนงาน โครงการ": "programmes",
    "ความสัมพันธ์": "relationships",
    "ความเชื่อมโยง": "relationships",
    # section 1b
    "กิจกรรม": "events",
    "การประชุม": "events",
    "ประชุม": "events",
    "การเข้าร่วม": "attendance",
    "ผู้เข้าร่วม": "attendance",
    "การเข้าประชุม": "attendance",
    "ความท้าทายผลลัพธ์": "outcome_challenges",
    "ความท้าทายด้านผลลัพธ์": "outcome_challenges",
    "เครื่องหมายความก้าวหน้า": "progress_markers",
    "ตัวชี้วัดความก้าวหน้า": "progress_markers",
    "กลยุทธ์": "strategies",
    "แผนที่กลยุทธ์": "strategies",
    "แนวปฏิบัติองค์กร": "practices",
    "การปฏิบัติขององค์กร": "practices",
    "บันทึกผลลัพธ์": "outcome_journal",
    "บันทึกกลยุทธ์": "strategy_journal",
    "บันทึกการดำเนินงาน": "performance_journal",
    "บันทึกผลการปฏิบัติงาน": "performance_journal",
}
#: sheets a workbook may hold for its reader, not data: the template's instructions
#: (``importers.template``); the importer skips them
INSTRUCTION_SHEETS = frozenset({"วิธีใช้", "วิธีใช้ (how to use)", "how to use", "readme"})

#: Thai column names -> the contract's column (after NFKC, trimming and case folding)
COLUMN_NAMES: dict[str, str] = {
    "รหัส": "id",
    "ชื่อ": "name",
    "ชื่อภาษาอังกฤษ": "name_en",
    "ชื่ออังกฤษ": "name_en",
    "คำอธิบาย": "description",
    "รายละเอียด": "description",
    "แท็ก": "tags",
    "ป้ายกำกับ": "tags",
    "ภาคส่วน": "sector",
    "ภาค": "sector",
    "ระดับ": "admin_level",
    "ระดับการปกครอง": "admin_level",
    "ระดับพื้นที่": "admin_level",
    "พื้นที่": "area_id",
    "รหัสพื้นที่": "area_id",
    "บทบาท": "role",
    "องค์กร": "organisation_id",
    "รหัสองค์กร": "organisation_id",
    "สังกัด": "organisation_id",
    "ผู้ให้ทุน": "funder_id",
    "รหัสผู้ให้ทุน": "funder_id",
    "จำนวนเงิน": "amount_thb",
    "จำนวนเงิน (บาท)": "amount_thb",
    "งบประมาณ": "amount_thb",
    "งบที่ต้องการ": "need_thb",
    "งบที่ต้องการ (บาท)": "need_thb",
    "ปี": "year",
    "วัตถุประสงค์": "purpose",
    "ประเภทองค์ความรู้": "asset_type",
    "ความพร้อม": "readiness",
    "ผู้ผลิต": "producer_id",
    "รหัสผู้ผลิต": "producer_id",
    "อยู่ในพื้นที่": "parent_id",
    "พื้นที่แม่": "parent_id",
    "รหัสพื้นที่แม่": "parent_id",
    "รหัสกรมการปกครอง": "code",
    "ปีเริ่ม": "start_year",
    "ปีสิ้นสุด": "end_year",
    "ต้นทาง": "source",
    "จาก": "source",
    "ปลายทาง": "target",
    "ถึง": "target",
    "ประเภท": "type",
    "ประเภทความสัมพันธ์": "type",
    "ในนาม": "capacity",
    "เริ่ม": "start",
    "สิ้นสุด": "end",
    "น้ำหนัก": "weight",
    "ทิศทาง": "direction",
    "หมายเหตุ": "note",
    "ยินยอม": "consent",
    "เปิดเผย": "public",
    # section 1b
    "วันที่": "date",
    "วันสิ้นสุด": "end_date",
    "ประเภทกิจกรรม": "kind",
    "ผู้จัด": "organiser_id",
    "รหัสผู้จัด": "organiser_id",
    "คณะที่ประชุม": "body_id",
    "รหัสคณะ": "body_id",
    "คณะ": "body_id",
    "รหัสกิจกรรม": "event_id",
    "กิจกรรม": "event_id",
    "ผู้เข้าร่วม": "actor_id",
    "รหัสผู้เข้าร่วม": "actor_id",
    "สถานะ": "status",
    "ภาคีหุ้นส่วน": "partner_id",
    "หุ้นส่วนขอบเขต": "partner_id",
    "รหัสภาคี": "partner_id",
    "ข้อความ": "text",
    "แผนงานโครงการ": "programme_id",
    "รหัสแผนงาน": "programme_id",
    "ขั้น": "stage",
    "ระดับการเปลี่ยนแปลง": "stage",
    "ลำดับ": "order",
    "ความท้าทาย": "challenge_id",
    "รหัสความท้าทาย": "challenge_id",
    "ช่อง": "cell",
    "ช่องกลยุทธ์": "cell",
    "ข้อ": "number",
    "เครื่องหมาย": "marker_id",
    "รหัสเครื่องหมาย": "marker_id",
    "ระดับการเปลี่ยน": "rating",
    "ผลการประเมิน": "rating",
    "คะแนน": "rating",
    "ผู้มีส่วน": "contributors",
    "ผู้มีส่วนร่วมในการเปลี่ยนแปลง": "contributors",
    "แหล่งข้อมูล": "sources",
    "หลักฐาน": "sources",
    "สิ่งที่ไม่คาดคิด": "unanticipated",
    "รหัสกลยุทธ์": "strategy_id",
    "กิจกรรมที่ทำ": "activities",
    "ประสิทธิผล": "effectiveness",
    "ติดตามครั้งต่อไป": "follow_up",
    "วันติดตาม": "follow_up",
    "รหัสแนวปฏิบัติ": "practice_id",
    "แนวปฏิบัติ": "practice_id",
    "บันทึก": "note",
}
#: the contract's column names a header may carry in brackets: ``ชื่อ (name)`` is ``name``
CONTRACT_COLUMNS = frozenset(COLUMN_NAMES.values())
_BRACKETED = re.compile(r"^(?P<label>.*?)\s*[(\[]\s*(?P<key>[a-z_]+)\s*[)\]]$")


def contract_name(text: str, names: dict[str, str], known: Iterable[str]) -> str:
    """A folded header or sheet name as the contract names it: a Thai name from ``names``
    (``ระดับ`` -> ``admin_level``), a known name in brackets after any label (``ระดับ
    (admin_level)``, as the template writes them), else the text as it is.

    >>> contract_name("ระดับ", COLUMN_NAMES, CONTRACT_COLUMNS)
    'admin_level'
    >>> contract_name("ชื่อ (name)", COLUMN_NAMES, CONTRACT_COLUMNS)
    'name'
    >>> contract_name("budget (thb)", COLUMN_NAMES, CONTRACT_COLUMNS)
    'budget (thb)'
    """
    folded = _nfkc_keys(id(names), names)
    if text in folded:
        return folded[text]
    m = _BRACKETED.match(text)
    if m and m["key"] in known:
        return m["key"]
    return text


_NFKC_KEYS: dict[int, dict[str, str]] = {}


def _nfkc_keys(key: int, names: dict[str, str]) -> dict[str, str]:
    """``names`` with its keys as a header or sheet title is folded before the lookup
    (NFKC, case folded): NFKC writes SARA AM (ำ) as two characters, so ``จำนวนเงิน`` as
    typed would not match its own key otherwise.

    >>> column_name(unicodedata.normalize("NFKC", "จำนวนเงิน"))
    'amount_thb'
    """
    found = _NFKC_KEYS.get(key)
    if found is None or len(found) != len(names):
        found = {unicodedata.normalize("NFKC", k).casefold(): v for k, v in names.items()}
        found.update(names)
        _NFKC_KEYS[key] = found
    return found


def column_name(header: str) -> str:
    """A folded header cell -> the contract's column (see :func:`contract_name`)."""
    return contract_name(header, COLUMN_NAMES, CONTRACT_COLUMNS)


@cache
def thai_words(group: str) -> dict[str, str]:
    """The Thai words of a drop-down column's values, folded -> the stored value: the
    app's own words (``graph_service/messages/th/common.toml``, the group ``sector``,
    ``admin_level``, ``capacity``, ``direction`` or ``type``), so what a page shows is what
    a sheet may say (``ภาครัฐ`` -> ``state``, ``อำเภอ`` -> ``district``). Read here rather
    than through ``graph_service.i18n``, which sits beside this module in the layers.

    >>> thai_words("sector")["ภาครัฐ"], thai_words("admin_level")["อำเภอ"]
    ('state', 'district')
    """
    import tomllib
    from pathlib import Path

    path = Path(__file__).parent / "messages" / "th" / "common.toml"
    with path.open("rb") as f:
        table = tomllib.load(f).get(group, {})
    return {clean_text(str(v)).casefold(): k for k, v in table.items()}


def reserved_columns(file: str) -> tuple[str, ...]:
    """The column names ``file`` may not have (the stores keep them for themselves)."""
    return RESERVED_EDGE_COLUMNS if file == RELATIONSHIPS_FILE else RESERVED_ENTITY_COLUMNS


def shorthand_applies(column: str, file: str) -> bool:
    """True when ``column`` of ``file`` is a shorthand that makes a relationship.

    >>> shorthand_applies("organisation_id", "people")
    True
    >>> shorthand_applies("organisation_id", "funds")
    False
    """
    if column not in SHORTHANDS:
        return False
    files = SHORTHANDS[column][2]
    return files is None or file in files


def shorthand_type(column: str, file: str) -> tuple[str, bool]:
    """(relationship type, the row's entity is the source?) for a shorthand column.

    >>> shorthand_type("funder_id", "funds"), shorthand_type("parent_id", "areas")
    (('PROVIDES', False), ('PART_OF', True))
    """
    type_, entity_is_source, _ = SHORTHANDS[column]
    if column == "funder_id":
        type_ = FUNDER_TYPES[file]
    return type_, entity_is_source


# -- reading a cell ------------------------------------------------------------------------


def parse_cell(file: str, column: str, text: str) -> Any:
    """The value the importer stores for ``text`` in ``column`` of the dataset file ``file``
    (``people``, ``relationships``, ...): raises ``ValueError`` with the reason when the
    importer would reject the cell. Shorthand and identity columns are not properties and
    are not read here; an empty cell is no value at all (the caller skips it).

    >>> parse_cell("funds", "year", "๒๕๕๑")
    2008
    >>> parse_cell("organisations", "sector", "Local government")
    'local_government'
    >>> parse_cell("relationships", "direction", "แนวดิ่ง")
    'vertical'
    """
    if file == RELATIONSHIPS_FILE:
        return parse_edge_value(column, text)
    if file in SHEETS_1B:
        return parse_1b_value(file, column, text)
    return parse_entity_value(column, text)


def parse_entity_value(column: str, raw: str) -> Any:
    """A cell of an entity file (any kind): ``tags`` a list, ``readiness`` 1 to 4, the
    controlled words ``sector`` and ``admin_level``, then :func:`parse_common`."""
    if column == "tags":
        return split_tags(raw)
    if column == "readiness":
        value = parse_int(raw)
        if not 1 <= value <= 4:
            raise ValueError(f"readiness must be 1 to 4 (1 = ready to scale), got {raw!r}")
        return value
    if column == "sector":
        return normalise_word(raw, SECTORS, thai_words("sector"))
    if column == "admin_level":
        return normalise_word(raw, ADMIN_LEVELS, thai_words("admin_level"))
    return parse_common(column, raw)


def parse_edge_value(column: str, raw: str) -> Any:
    """A cell of the relationships file: ``capacity`` and ``direction`` are controlled
    words, then :func:`parse_common`."""
    if column == "capacity":
        value = clean_text(raw).casefold()
        value = thai_words("capacity").get(value, value)
        if value not in CAPACITIES:
            raise ValueError(f"capacity must be 'personal' or 'institutional', got {raw!r}")
        return value
    if column == "direction":
        folded = clean_text(raw).casefold()
        direction = DIRECTION_WORDS.get(folded) or thai_words("direction").get(folded)
        if direction is None:
            raise ValueError(f"direction must be 'horizontal' or 'vertical', got {raw!r}")
        return direction
    return parse_common(column, raw)


def parse_common(column: str, raw: str) -> Any:
    """A typed column any file may have; other columns are kept as clean text."""
    if column in NUMBER_COLUMNS:
        value = parse_number(raw)
        if column != "weight" and value < 0:
            raise ValueError(f"{column} cannot be negative, got {raw!r}")
        return value
    if column in YEAR_COLUMNS:
        return parse_year(raw)
    if column in DATE_COLUMNS:
        return parse_year_or_date(raw)
    if column in BOOL_COLUMNS:
        return parse_bool(raw)
    if column in TEXT_DIGIT_COLUMNS:
        return to_ascii_digits(clean_text(raw))
    return clean_text(raw)


def normalise_word(
    text: str, vocabulary: Iterable[str], words: dict[str, str] | None = None
) -> str:
    """A controlled word as stored: a known word whatever its case and spacing
    (``"Local government"`` -> ``local_government``), or its Thai word from ``words``
    (:func:`thai_words`: ``ภาคประชาสังคม`` -> ``civil_society``), else the user's own word
    as written.

    >>> normalise_word("Local government", ("local_government",))
    'local_government'
    >>> normalise_word("ภาคประชาสังคม", ("civil_society",), thai_words("sector"))
    'civil_society'
    >>> normalise_word("สาธารณสุข", ("civil_society",), thai_words("sector"))
    'สาธารณสุข'
    """
    text = clean_text(text)
    folded = text.casefold().replace(" ", "_").replace("-", "_")
    if folded in vocabulary:
        return folded
    if words:
        return words.get(text.casefold(), text)
    return text


def normalise_type(text: str) -> str:
    """``"member of"`` / ``"Member-Of"`` -> ``MEMBER_OF``; a type's Thai words (the app's,
    :func:`thai_words`) -> the type (``เป็นสมาชิกของ`` -> ``MEMBER_OF``); anything else is
    left to fail.

    >>> normalise_type("member of"), normalise_type("เป็นสมาชิกของ")
    ('MEMBER_OF', 'MEMBER_OF')
    """
    clean = clean_text(text)
    thai = thai_words("type").get(clean.casefold())
    if thai is not None:
        return thai
    return clean.upper().replace(" ", "_").replace("-", "_")


def cell_text(value: Any) -> str:
    """A cell's value as the text a CSV export would hold.

    Whole floats lose their ``.0`` (Excel stores the year 2551 as 2551.0); other floats are
    written in the shortest exact positional form (never ``1e-05``); dates become ISO
    ``YYYY-MM-DD`` (with the time only when it is not midnight); booleans ``true``/``false``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


# -- characters a cell may not hold, and text a spreadsheet would run ----------------------

#: Control characters no stored text holds: C0 except tab, line feed and carriage return
#: (XML 1.0 forbids them, so GEXF, GraphML, SVG and xlsx could not carry them), DEL, C1,
#: lone surrogates and the non-characters U+FFFE/U+FFFF. The importer refuses them; the
#: exports drop them from text that reached the store another way.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Invisible characters that make look-alike ids: a byte-order mark inside a file (two CSV
#: files pasted together), zero-width space, joiners, word joiner. The importer strips
#: them from id columns (and the BOM from every cell), with a warning.
INVISIBLE_CHARACTERS = re.compile("[\u200b-\u200d\u2060\ufeff]")


def strip_controls(text: str) -> str:
    r"""``text`` without :data:`CONTROL_CHARACTERS` (what an export writes).

    >>> strip_controls("a\x00b\x1fc\td")
    'abc\td'
    """
    return CONTROL_CHARACTERS.sub("", text)


def character_name(char: str) -> str:
    r"""``U+0000 (NUL)``: how a problem names a character nobody can see.

    >>> character_name("\x00"), character_name("\ufeff")
    ('U+0000 (NUL)', 'U+FEFF (ZERO WIDTH NO-BREAK SPACE, a byte-order mark)')
    """
    code = ord(char)
    names = {0: "NUL", 0x7F: "DEL", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE, a byte-order mark"}
    name = names.get(code) or unicodedata.name(char, "")
    if not name:
        name = "a control character" if code < 0xA0 else "not a character"
    return f"U+{code:04X} ({name})"


#: First characters that make a spreadsheet program read a CSV cell as a formula (OWASP,
#: "CSV injection"): ``=``, ``+``, ``-``, ``@``, tab, carriage return.
FORMULA_STARTS = frozenset("=+-@\t\r")
#: The mark that makes such a cell text: a leading apostrophe, as OWASP advises.
TEXT_MARK = "'"


def _marked(text: str) -> bool:
    """True when ``text`` starts with a formula character, or with ``'`` followed by one
    or by another ``'``: the texts :func:`escape_formula` marks."""
    first = text[:1]
    if first == TEXT_MARK:
        second = text[1:2]
        return second in FORMULA_STARTS or second == TEXT_MARK
    return first in FORMULA_STARTS


def escape_formula(text: str) -> str:
    """A text cell as the CSV export writes it: a leading ``'`` before a text a spreadsheet
    would run (``=1+1``, ``+66 81 234 5678``, ``-5 องค์กร``, ``@x``), and before a text that
    already starts with ``'`` followed by one of those or by another ``'``, so that
    :func:`unescape_formula` gives back exactly what was stored. Numbers are not text and
    never come here: a negative amount stays a number.

    >>> escape_formula("=1+1"), escape_formula("-5 องค์กร"), escape_formula("'=x")
    ("'=1+1", "'-5 องค์กร", "''=x")
    >>> escape_formula("'ok"), escape_formula("a=b")
    ("'ok", 'a=b')
    """
    return TEXT_MARK + text if _marked(text) else text


def unescape_formula(text: str) -> str:
    """The inverse of :func:`escape_formula`, applied by the importer to every CSV cell:
    one leading ``'`` is dropped when a formula character or another ``'`` follows it
    (``'=1+1`` -> ``=1+1``, ``''=x`` -> ``'=x``); any other text is kept as it is.

    >>> unescape_formula("'=1+1"), unescape_formula("''=x"), unescape_formula("'ok")
    ('=1+1', "'=x", "'ok")
    >>> texts = ["'", "''", "'''=", "-", "=", "", "'ok", "@"]
    >>> all(unescape_formula(escape_formula(t)) == t for t in texts)
    True
    """
    return text[1:] if text[:1] == TEXT_MARK and _marked(text) else text


# -- value parsers -------------------------------------------------------------------------

#: A Buddhist Era year is this much larger than the Common Era year.
BE_OFFSET = 543
#: Years from this one up are read as Buddhist Era years.
BE_THRESHOLD = 2400
#: Plausible Common Era years, after conversion.
MIN_YEAR, MAX_YEAR = 1800, 2200

# A number: an optional minus, an optional leading ฿ (either order) or trailing บาท, digits
# either plain or grouped by commas in threes, an optional decimal part. No exponent, so
# "1e5", "nan" and "inf" are not numbers.
_NUMBER_RE = re.compile(
    r"""
    (?P<sign1>-)?\s*
    (?P<baht1>฿)?\s*
    (?P<sign2>-)?\s*
    (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?
    (?:\.(?P<frac>[0-9]+))?
    \s*(?P<baht2>บาท)?
    """,
    re.VERBOSE,
)
_YEAR_ERA_RE = re.compile(r"(?P<era>พ\.\s*ศ\.|ค\.\s*ศ\.)?\s*(?P<year>.+)", re.DOTALL)
_ISO_DATE_RE = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_THAI_DATE_RE = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")


def _prepare(text: str) -> str:
    """NFKC (full-width digits become ASCII), Thai digits as ASCII, outer space trimmed.

    NFKC is safe here: the only Thai character it changes is SARA AM, which no number,
    year, date or boolean word of ours contains.
    """
    return to_ascii_digits(unicodedata.normalize("NFKC", text)).strip()


def parse_number(text: str) -> int | float:
    """A number: ``"3,000,000"`` -> 3000000, ``"๑,๒๓๔.๕"`` -> 1234.5, ``"฿-20"`` -> -20.

    Surrounding space is ignored, and space between the sign, ``฿``/``บาท`` and the digits;
    space inside the digits is not (``"1 234"`` is rejected rather than guessed at). Commas
    must group thousands exactly (``"3,00"`` is rejected: it is probably a mistyped amount).
    Returns an int when the text has no decimal part, else a float.
    """
    prepared = _prepare(text)
    if not prepared:
        raise ValueError("empty: a number is needed")
    m = _NUMBER_RE.fullmatch(prepared)
    if (
        m is None
        or (m["int"] is None and m["frac"] is None)
        or (m["sign1"] and m["sign2"])
        or (m["baht1"] and m["baht2"])
    ):
        raise ValueError(f"not a number: {text!r}")
    negative = bool(m["sign1"] or m["sign2"])
    digits = (m["int"] or "0").replace(",", "")
    if len(digits) > 300:  # beyond any amount, and int() refuses very long texts anyway
        raise ValueError(f"not a number: {text[:20]!r}... (too long)")
    if m["frac"] is None:
        value: int | float = int(digits)
    else:
        value = float(f"{digits}.{m['frac']}")
        if not math.isfinite(value):
            raise ValueError(f"not a number: {text!r} (too large)")
    return -value if negative else value


def parse_int(text: str) -> int:
    """A whole number by the rules of :func:`parse_number`; ``"2.0"`` -> 2, ``"2.5"`` fails."""
    value = parse_number(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"not a whole number: {text!r}")
        return int(value)
    return value


def _year_ce(year: int, text: str) -> int:
    """A year as Common Era: 2400 and up is Buddhist Era; the result must be plausible."""
    if year >= BE_THRESHOLD:
        year -= BE_OFFSET
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(
            f"not a plausible year: {text!r} (expected {MIN_YEAR}–{MAX_YEAR} CE, "
            f"or a Buddhist Era year from {BE_THRESHOLD})"
        )
    return year


def parse_year(text: str) -> int:
    """A year, stored as Common Era: ``"2551"`` and ``"๒๕๕๑"`` -> 2008, ``"2008"`` -> 2008.

    A leading ``พ.ศ.`` (Buddhist Era) or ``ค.ศ.`` (Common Era) says the era outright, so
    ``"พ.ศ. 2551"`` -> 2008 and ``"ค.ศ. 2008"`` -> 2008. Without it, 2400 or more is read as
    Buddhist Era. The year must then lie in 1800..2200.
    """
    prepared = _prepare(text)
    if not prepared:
        raise ValueError("empty: a year is needed")
    m = _YEAR_ERA_RE.fullmatch(prepared)
    assert m is not None  # the pattern matches any non-empty text
    try:
        year = parse_int(m["year"])
    except ValueError:
        raise ValueError(f"not a year: {text!r}") from None
    era = (m["era"] or "").replace(" ", "")
    if era == "พ.ศ.":
        year -= BE_OFFSET
        if year >= BE_THRESHOLD:  # keep _year_ce from converting it a second time
            raise ValueError(f"not a plausible year: {text!r}")
    elif era == "ค.ศ." and year >= BE_THRESHOLD:
        raise ValueError(f"not a plausible year: {text!r}")
    return _year_ce(year, text)


def parse_year_or_date(text: str) -> int | str:
    """A year (-> int, as :func:`parse_year`) or a date (-> ISO ``YYYY-MM-DD`` string).

    Dates are ``YYYY-MM-DD`` or, Thai style, day first ``D/M/YYYY``; the separator may be
    ``-``, ``/`` or ``.``. A year of 2400 or more is Buddhist Era and converted, so
    ``"1/5/2551"`` -> ``"2008-05-01"``. The date must exist (``2551-02-30`` does not).
    """
    prepared = _prepare(text)
    if not prepared:
        raise ValueError("empty: a year or a date is needed")
    if m := _ISO_DATE_RE.fullmatch(prepared):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _THAI_DATE_RE.fullmatch(prepared):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    else:
        try:
            return parse_year(text)
        except ValueError as exc:
            if str(exc).startswith("not a year"):
                raise ValueError(
                    f"not a year or a date: {text!r} (write 2551, 2008, 2008-05-01 or 1/5/2551)"
                ) from None
            raise
    year = _year_ce(year, text)
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"not a real date: {text!r}") from None


def parse_when(text: str, first: bool = False) -> _dt.date:
    """A day from a date option (CONTRACT.md 2c: ``--as-of``, ``--snapshot``, ``--from``,
    ``--to``): ``YYYY-MM-DD``, a Buddhist Era date ``D/M/YYYY``, or a year, which is its
    last day, or with ``first`` its first (``--from 2566`` is 1 January 2023).

    >>> parse_when("2567"), parse_when("2566", first=True)
    (datetime.date(2024, 12, 31), datetime.date(2023, 1, 1))
    >>> parse_when("30/6/2567"), parse_when("2024-06-30")
    (datetime.date(2024, 6, 30), datetime.date(2024, 6, 30))
    """
    value = parse_year_or_date(text)
    if isinstance(value, int):
        return _dt.date(value, 1, 1) if first else _dt.date(value, 12, 31)
    return _dt.date.fromisoformat(value)


def parse_bool(text: str) -> bool:
    """Yes or no: true/false, yes/no, y/n, 1/0, ใช่/ไม่ใช่, จริง/เท็จ, ยินยอม/ไม่ยินยอม (any
    case; ``domain.YES_WORDS`` and ``NO_WORDS``)."""
    word = _prepare(text).casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(
        f"not a yes/no value: {text!r} (use true/false, yes/no, 1/0, ใช่/ไม่ใช่, จริง/เท็จ "
        "or ยินยอม/ไม่ยินยอม)"
    )


def split_tags(text: str) -> list[str]:
    """Tags from a ``|``-separated cell, each cleaned (:func:`clean_text`), empties dropped.

    ``" health | | ชุมชน "`` -> ``["health", "ชุมชน"]``. Order and repeats are kept as typed.
    """
    return [tag for tag in (clean_text(part) for part in text.split("|")) if tag]


# -- the meetings and Outcome Mapping sheets (CONTRACT.md section 1b, issue 15) ---------------


@dataclass(frozen=True)
class Reference:
    """A column of a section 1b sheet that names other entities (``|`` separates several):
    each id makes one relationship of ``type`` between the row's entity and that id."""

    type: str
    #: True: (row's entity) -[type]-> (named id); False: (named id) -[type]-> (row's entity)
    row_is_source: bool


@dataclass(frozen=True)
class Sheet1b:
    """How a section 1b sheet's rows become entities and relationships."""

    kind: str | None
    required: tuple[str, ...]
    references: dict[str, Reference]
    #: a journal: the value of the entity's ``journal`` property and the prefix of the ids
    #: made for its rows (``oj-<marker>-<date>``) from the column named by ``subject``
    journal: str = ""
    prefix: str = ""
    subject: str = ""


SHEETS_1B: dict[str, Sheet1b] = {
    "events": Sheet1b(
        "Event",
        ("id", "name", "date"),
        {
            "area_id": Reference("LOCATED_IN", True),
            "organiser_id": Reference("ORGANISES", False),
            "body_id": Reference("MEETING_OF", True),
        },
    ),
    # the row is the relationship (actor) -[ATTENDED]-> (event): see ATTENDANCE_ENDS
    "attendance": Sheet1b(None, ("event_id", "actor_id", "status"), {}),
    "outcome_challenges": Sheet1b(
        "OutcomeChallenge",
        ("id", "partner_id", "text"),
        {
            "partner_id": Reference("CHALLENGE_OF", True),
            "programme_id": Reference("PART_OF", True),
        },
    ),
    "progress_markers": Sheet1b(
        "ProgressMarker",
        ("id", "partner_id", "stage", "text"),
        {
            "partner_id": Reference("MARKER_OF", True),
            "challenge_id": Reference("PART_OF", True),
        },
    ),
    "strategies": Sheet1b(
        "Strategy",
        ("id", "cell", "text"),
        {
            "partner_id": Reference("AIMED_AT", True),
            "programme_id": Reference("PART_OF", True),
        },
    ),
    "practices": Sheet1b(
        "Practice",
        ("id", "text"),
        {"programme_id": Reference("PART_OF", True)},
    ),
    "outcome_journal": Sheet1b(
        "JournalEntry",
        ("date", "marker_id", "rating"),
        {
            "marker_id": Reference("RATES", True),
            "contributors": Reference("CONTRIBUTED", False),
        },
        journal="outcome",
        prefix="oj",
        subject="marker_id",
    ),
    "strategy_journal": Sheet1b(
        "JournalEntry",
        ("date", "strategy_id"),
        {"strategy_id": Reference("RATES", True)},
        journal="strategy",
        prefix="sj",
        subject="strategy_id",
    ),
    "performance_journal": Sheet1b(
        "JournalEntry",
        ("date", "practice_id"),
        {"practice_id": Reference("RATES", True)},
        journal="performance",
        prefix="pj",
        subject="practice_id",
    ),
}
#: the attendance sheet's row: (actor_id) -[ATTENDED]-> (event_id)
ATTENDANCE_ENDS = ("actor_id", "event_id")
#: the columns of section 1b holding a date (a year alone is not enough)
DATE_ONLY_COLUMNS = ("date", "end_date", "follow_up")
#: the column ``kind`` of events is stored as ``event_kind`` (``kind`` is the entity's own)
EVENT_KIND_PROPERTY = "event_kind"
#: an entity made from a ``text`` column is named by its first characters
NAME_FROM_TEXT_CHARS = 120

_STAGE_WORDS = {
    "คาดหวังว่าจะเห็น": "expect",
    "คาดว่าจะเห็น": "expect",
    "คาดหวัง": "expect",
    "อยากเห็น": "like",
    "อยากจะเห็น": "like",
    "ปรารถนาจะเห็น": "love",
    "ปรารถนา": "love",
    "หวังว่าจะเห็น": "love",
    "expect to see": "expect",
    "like to see": "like",
    "love to see": "love",
}
_RATING_WORDS = {
    "l": "low",
    "m": "medium",
    "h": "high",
    "น้อย": "low",
    "ต่ำ": "low",
    "ปานกลาง": "medium",
    "กลาง": "medium",
    "มาก": "high",
    "สูง": "high",
}
_STATUS_WORDS = {
    "เชิญ": "invited",
    "ได้รับเชิญ": "invited",
    "เข้าร่วม": "attended",
    "มา": "attended",
    "มาประชุม": "attended",
    "ขาด": "absent",
    "ไม่มา": "absent",
    "ขาดประชุม": "absent",
    "present": "attended",
}
_EVENT_KIND_WORDS = {
    "ประชุม": "meeting",
    "การประชุม": "meeting",
    "ลงพื้นที่": "visit",
    "เยี่ยม": "visit",
    "เยี่ยมพื้นที่": "visit",
    "อบรม": "training",
    "การอบรม": "training",
    "เวที": "forum",
    "เวทีแลกเปลี่ยน": "forum",
}


def _controlled(raw: str, vocabulary: tuple[str, ...], words: dict[str, str], what: str) -> str:
    """A word that must be one of ``vocabulary`` (or a Thai or short form of one)."""
    folded = clean_text(raw).casefold()
    value = folded.replace(" ", "_") if folded.replace(" ", "_") in vocabulary else None
    value = value or words.get(folded)
    if value is None:
        raise ValueError(f"{what} must be one of {', '.join(vocabulary)}, got {raw!r}")
    return value


def parse_date_only(raw: str) -> str:
    """A day (ISO ``YYYY-MM-DD``), as :func:`parse_year_or_date` reads it; a year alone is
    refused, since a meeting or a journal entry happens on a day.

    >>> parse_date_only("15/1/2567")
    '2024-01-15'
    """
    value = parse_year_or_date(raw)
    if isinstance(value, int):
        raise ValueError(
            f"a day is needed, not only a year: {raw!r} (write 15/1/2567 or 2024-01-15)"
        )
    return value


def parse_1b_value(file: str, column: str, raw: str) -> Any:
    """A property cell of a section 1b sheet as stored: its controlled words (``stage``,
    ``rating``, ``status``, ``cell``, ``kind``, ``capacity``), its days, ``order`` and
    ``number``, else as any entity cell (:func:`parse_entity_value`).

    >>> [parse_1b_value("outcome_journal", "rating", t) for t in ("ปานกลาง", "H")]
    ['medium', 'high']
    >>> parse_1b_value("progress_markers", "stage", "Love to see")
    'love'
    >>> parse_1b_value("strategies", "cell", "e2")
    'E-2'

    """
    if column in DATE_ONLY_COLUMNS:
        return parse_date_only(raw)
    if column == "stage":
        return _controlled(raw, STAGES, _STAGE_WORDS, "stage")
    if column == "rating":
        return _controlled(raw, RATINGS, _RATING_WORDS, "rating")
    if column == "status":
        return _controlled(raw, ATTENDANCE_STATUSES, _STATUS_WORDS, "status")
    if column == "capacity":
        return parse_edge_value("capacity", raw)
    if column == "kind" and file == "events":
        return normalise_word(raw, EVENT_KINDS, _EVENT_KIND_WORDS)
    if column == "cell":
        text = to_ascii_digits(clean_text(raw)).upper().replace(" ", "").replace("_", "-")
        if len(text) == 2 and text[0] in "IE":
            text = f"{text[0]}-{text[1]}"
        if text not in STRATEGY_CELLS:
            raise ValueError(
                f"cell must be one of {', '.join(STRATEGY_CELLS)} (I: aimed at the partner, "
                f"E: at its environment; 1 causal, 2 persuasive, 3 supportive), got {raw!r}"
            )
        return text
    if column == "order":
        value = parse_int(raw)
        if value < 1:
            raise ValueError(f"order must be 1 or more, got {raw!r}")
        return value
    if column == "number":
        value = parse_int(raw)
        if not 1 <= value <= 8:
            raise ValueError(
                f"number must be 1 to 8 (the eight organisational practices), got {raw!r}"
            )
        return value
    return parse_entity_value(column, raw)


def name_from_text(text: str) -> str:
    """The name an entity made from a ``text`` column is shown by: its first
    :data:`NAME_FROM_TEXT_CHARS` characters, with ``…`` when cut.

    >>> name_from_text("ก" * 130)[-3:], len(name_from_text("ก" * 130))
    ('กก…', 121)
    """
    text = clean_text(text)
    if len(text) <= NAME_FROM_TEXT_CHARS:
        return text
    return text[:NAME_FROM_TEXT_CHARS].rstrip() + "…"


REQUIRED_COLUMNS.update({file: sheet.required for file, sheet in SHEETS_1B.items()})

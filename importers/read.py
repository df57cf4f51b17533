"""Reading a dataset (CONTRACT.md section 1) into raw tables of text.

A dataset is a folder of CSV files, one ``.xlsx`` workbook whose sheets are the tables, or a
single CSV file. This module only *reads*: it finds the tables, decodes the bytes, normalises
the header names and hands back every cell as stripped text. Typing the values and checking
ids is the validation step's work. Whatever is wrong with the files themselves (an unknown
file name, an undetectable encoding, a duplicate column, a row longer than its header) comes
back as a :class:`Problem` so that the user sees every problem at once, as
``file:row:column: reason``.

Row numbers are the numbers the user sees in a spreadsheet program: the header is row 1 and
the first data row 2. For CSV files a row is a *record*, so a quoted cell holding a line break
does not shift the rows after it (this is how Excel and LibreOffice number them; a text
editor's line numbers may differ). Blank rows are skipped but still counted, so the numbers
stay right. If blank rows precede the header, the header is the first non-blank row and keeps
its own number.

Encodings (DOMAIN.md section 7): UTF-8 with or without a byte-order mark, or CP874/TIS-620
as saved by Thai Windows, detected; or the encoding the caller names. Latin-1 is never guessed:
it would decode any bytes at all and garble Thai silently.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph_service.dataset import cell_text
from graph_service.domain import DATASET_FILES

_BOM = "\ufeff"
#: Characters trimmed from header names besides white space (zero-width space, stray BOM).
_INVISIBLE = "\ufeff\u200b"
#: Thai combining marks: MAI HAN-AKAT, SARA I..PHINTHU, MAITAIKHU..YAMAKKAN. Each must follow
#: a Thai character; after a Latin letter they show the bytes were not CP874 at all.
_THAI_MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
_THAI_CONSONANT = re.compile("[\u0e01-\u0e2e]")
#: A lone Thai character stuck to a Latin letter: what Latin-1 accents become in CP874
#: ("Mädchen" -> "Mไdchen", "École" -> "ษcole"); real Thai words are longer than that.
_LONE_THAI = re.compile(
    "[A-Za-z][\u0e01-\u0e5b](?![\u0e01-\u0e5b])|(?<![\u0e01-\u0e5b])[\u0e01-\u0e5b][A-Za-z]"
)
#: Bytes of a Thai letter in UTF-8 (U+0E01–U+0E3A, U+0E3F–U+0E5B). Real CP874 text almost
#: never holds these runs, so a file that fails UTF-8 but holds them is broken UTF-8 (e.g.
#: one line pasted from elsewhere), not CP874: decoding it as CP874 would garble every line.
_UTF8_THAI = re.compile(rb"\xe0\xb8[\x81-\xba\xbf]|\xe0\xb9[\x80-\x9b]")

EMPTY_FILE = (
    "the file is empty: it needs a header row naming the columns (e.g. id,name), "
    "then one row per entry"
)
EMPTY_SHEET = (
    "empty sheet: it needs a header row naming the columns (e.g. id, name) in row 1, "
    "then one row per entry; fill it or delete the sheet"
)
UNKNOWN_ENCODING = (
    "cannot tell the encoding: it is neither UTF-8 nor CP874/TIS-620 (Thai Windows); "
    "save it as UTF-8 or name the encoding with --encoding"
)


@dataclass(frozen=True)
class Problem:
    """Something wrong with the input, located as precisely as the reader can.

    ``file`` is the label the user knows (``people.csv``, or ``book.xlsx[people]`` for a
    sheet); ``row`` the row number as the user sees it (None for the whole file); ``column``
    the normalised header name, a position such as ``#4`` or ``D`` for a column without a
    name, or None.
    """

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        row = "-" if self.row is None else self.row
        column = "-" if self.column is None else self.column
        return f"{self.file}:{row}:{column}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Row:
    """One data row: ``values`` maps every header column to its stripped cell text."""

    number: int
    values: dict[str, str]


@dataclass
class Table:
    """One CSV file or sheet: its label, dataset name, normalised header and rows."""

    file: str
    name: str
    columns: list[str]
    rows: list[Row]


def normalise_header(text: str) -> str:
    """A header name as compared and stored: NFKC, trimmed, case-folded (``" ID "`` -> ``id``)."""
    return unicodedata.normalize("NFKC", text).strip().strip(_INVISIBLE).strip().casefold()


def table_name(stem: str) -> str:
    """The dataset name a file stem or sheet title stands for: trimmed, lower case."""
    return unicodedata.normalize("NFKC", stem).strip().lower()


def read_dataset(
    path: str | Path, encoding: str | None = None
) -> tuple[list[Table], list[Problem]]:
    """Read a dataset folder, ``.xlsx`` workbook or single ``.csv`` file into raw tables.

    A folder contributes every ``*.csv`` at its top level (extension in any case; hidden files
    such as macOS ``._people.csv`` are skipped; other types, ``.xlsx`` included, are ignored).
    ``encoding`` applies to CSV files; without it each file's encoding is detected.

    Returns the tables that could be read and every problem found. Raises
    ``FileNotFoundError`` when ``path`` does not exist and ``ValueError`` when it is not a
    dataset (e.g. a ``.txt`` file) or ``encoding`` is not a known codec.
    """
    if encoding is not None:
        try:
            known = codecs.lookup(encoding)._is_text_encoding  # not rot13, base64, zip...
        except LookupError:
            known = False
        if not known:
            raise ValueError(f"unknown encoding: {encoding!r}")
    p = Path(path)
    if p.is_dir():
        return _read_folder(p, encoding)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: '{p}'")
    suffix = p.suffix.lower()
    if p.is_file() and suffix == ".xlsx":
        return _read_workbook(p)
    if p.is_file() and suffix == ".csv":
        return _read_files([p], encoding)
    raise ValueError(
        f"cannot read '{p}': a dataset is a folder of CSV files, one .csv file "
        "or one .xlsx workbook"
    )


# --- finding the tables -------------------------------------------------------------------


def _read_folder(folder: Path, encoding: str | None) -> tuple[list[Table], list[Problem]]:
    files = sorted(
        f
        for f in folder.iterdir()
        if f.suffix.lower() == ".csv" and not f.name.startswith(".") and f.is_file()
    )
    if not files:
        label = folder.name or str(folder)
        workbooks = sorted(f.name for f in folder.glob("*.xlsx"))
        hint = f" (import the workbook {workbooks[0]!r} itself)" if workbooks else ""
        return [], [Problem(label, None, None, f"no CSV files in this folder{hint}")]
    return _read_files(files, encoding)


def _read_files(files: list[Path], encoding: str | None) -> tuple[list[Table], list[Problem]]:
    tables: list[Table] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for f in files:
        name = table_name(f.stem)
        if not _check_name(name, f.name, "file", seen, problems):
            continue
        table = _read_csv(f.read_bytes(), f.name, name, encoding, problems)
        if table is not None:
            tables.append(table)
    return tables, problems


def _check_name(
    name: str, label: str, what: str, seen: dict[str, str], problems: list[Problem]
) -> bool:
    """True if ``name`` is a dataset table not already taken by another file or sheet."""
    if name not in DATASET_FILES:
        reason = f"unknown {what}: {name!r} is not one of {', '.join(DATASET_FILES)}"
        close = difflib.get_close_matches(name, DATASET_FILES, n=1, cutoff=0.6)
        if close:
            reason += f"; did you mean {close[0]!r}?"
        problems.append(Problem(label, None, None, reason))
        return False
    if name in seen:
        problems.append(
            Problem(
                label,
                None,
                None,
                f"two {what}s hold the {name!r} table: {seen[name]!r} and {label!r}; "
                f"keep one (this one was not read)",
            )
        )
        return False
    seen[name] = label
    return True


# --- CSV ----------------------------------------------------------------------------------


def _read_csv(
    data: bytes, label: str, name: str, encoding: str | None, problems: list[Problem]
) -> Table | None:
    text = _decode(data, label, encoding, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(label, None, None, EMPTY_FILE))
        return None
    records = csv.reader(io.StringIO(text, newline=""))
    last = [0]

    def numbered() -> Iterator[tuple[int, Sequence[str]]]:
        for number, record in enumerate(records, start=1):
            last[0] = number
            yield number, record

    try:
        return _build_table(label, name, numbered(), _csv_position, problems, sheet=False)
    except csv.Error as exc:
        problems.append(Problem(label, last[0] + 1, None, f"not a readable CSV file: {exc}"))
        return None


def _csv_position(i: int) -> str:
    return f"#{i + 1}"


def _decode(data: bytes, label: str, encoding: str | None, problems: list[Problem]) -> str | None:
    """The file's text without a BOM, or None after recording why it cannot be decoded."""
    if encoding is not None:
        try:
            return data.decode(encoding).removeprefix(_BOM)
        except UnicodeDecodeError as exc:
            row = _row_of_offset(data, exc.start, encoding)
            byte = data[exc.start : exc.start + 1].hex().upper()
            problems.append(
                Problem(label, row, None, f"not valid {encoding}: byte 0x{byte} cannot be read")
            )
            return None
    try:
        return data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    text = _as_cp874(data)
    if text is not None:
        return text
    row = _row_of_offset(data, utf8_error.start, "utf-8")
    byte = data[utf8_error.start : utf8_error.start + 1].hex().upper()
    problems.append(
        Problem(label, None, None, f"{UNKNOWN_ENCODING} (row {row}: byte 0x{byte} is not UTF-8)")
    )
    return None


def _as_cp874(data: bytes) -> str | None:
    """The text if ``data`` is plausibly Thai in CP874/TIS-620, else None.

    Any bytes but a few decode as CP874, so decoding is not proof: the text must hold Thai
    letters, each Thai combining mark must follow a Thai character (Latin-1 ``café`` decodes
    to ``caf`` and a tone mark), no lone Thai letter may be stuck to a Latin one (see
    ``_LONE_THAI``), and the bytes must not be UTF-8 Thai (see ``_UTF8_THAI``).
    """
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return None
    if not _THAI_CONSONANT.search(text) or _UTF8_THAI.search(data) or _LONE_THAI.search(text):
        return None
    for m in _THAI_MARKS.finditer(text):
        i = m.start()
        if i == 0 or not "\u0e01" <= text[i - 1] <= "\u0e5b":
            return None
    return text


def _row_of_offset(data: bytes, offset: int, encoding: str) -> int:
    """The CSV record (row number) that holds byte ``offset``.

    Parses the text before the offset, so a quoted line break is counted as the user's
    spreadsheet counts it; falls back to physical lines if that text does not decode.
    """
    try:
        prefix = data[:offset].decode(encoding)
    except UnicodeDecodeError:
        return data[:offset].count(b"\n") + 1
    # A sentinel character lands in the record that holds the offset, whether the prefix
    # ends mid-record, inside a quoted line break or at the end of a line.
    try:
        return sum(1 for _ in csv.reader(io.StringIO(prefix + "x", newline="")))
    except csv.Error:
        return data[:offset].count(b"\n") + 1


# --- rows, shared by CSV and sheets -------------------------------------------------------


def _build_table(
    label: str,
    name: str,
    rows: Iterator[tuple[int, Sequence[str]]],
    position: Callable[[int], str],
    problems: list[Problem],
    *,
    sheet: bool,
) -> Table | None:
    """A table from numbered rows of cell texts: the first non-blank row is the header.

    ``position(i)`` names the 0-based column ``i`` for problems: ``#4`` in CSV, ``D`` in a
    sheet. In CSV a row with more cells than the header is reported on that row; in a
    ``sheet`` a column beyond the header is just a column without a name (reported once, as
    is a CSV column whose header cell is empty).
    """
    header: list[str] | None = None
    header_row = 1
    for number, cells in rows:
        if any(c.strip() for c in cells):
            header, header_row = [normalise_header(c) for c in cells], number
            break
    if header is None:
        problems.append(Problem(label, None, None, EMPTY_FILE))
        return None

    columns: list[str] = []
    indexes: list[int] = []
    first_at: dict[str, int] = {}
    unnamed: set[int] = set()
    for i, col in enumerate(header):
        if not col:
            unnamed.add(i)
        elif col in first_at:
            problems.append(
                Problem(
                    label,
                    header_row,
                    col,
                    f"duplicate column {col!r} (columns {position(first_at[col])} and "
                    f"{position(i)}); keep one (the first is read)",
                )
            )
        else:
            first_at[col] = i
            columns.append(col)
            indexes.append(i)
    named = list(zip(columns, indexes, strict=True))
    width = len(header)
    reported: set[int] = set()
    out: list[Row] = []
    for number, cells in rows:
        stripped = [c.strip() for c in cells]
        if not any(stripped):
            continue
        n = len(stripped)
        values = {col: (stripped[i] if i < n else "") for col, i in named}
        out.append(Row(number, values))
        for i in (j for j in unnamed if j < n and stripped[j] and j not in reported):
            reported.add(i)
            problems.append(_unnamed_problem(label, header_row, position(i), number))
        if n > width:
            extra = [j for j in range(width, n) if stripped[j]]
            if extra and not sheet:
                problems.append(
                    Problem(
                        label,
                        number,
                        position(extra[0]),
                        f"this row has {n} cells but the header only {width} columns; "
                        f"extra value {stripped[extra[0]][:40]!r}",
                    )
                )
            elif extra:
                for j in extra:
                    if j not in reported:
                        reported.add(j)
                        problems.append(_unnamed_problem(label, header_row, position(j), number))
    return Table(label, name, columns, out)


def _unnamed_problem(label: str, header_row: int, column: str, first_row: int) -> Problem:
    return Problem(
        label,
        header_row,
        column,
        f"column {column} holds data (first in row {first_row}) but has no name in the "
        "header; name it or delete the column",
    )


# --- Excel --------------------------------------------------------------------------------


def _read_workbook(path: Path) -> tuple[list[Table], list[Problem]]:
    from openpyxl import load_workbook

    tables: list[Table] = []
    problems: list[Problem] = []
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML, openpyxl errors: all "not a workbook"
        reason = f"not an Excel workbook (.xlsx) that can be read: {type(exc).__name__}"
        if str(exc):
            reason += f": {exc}"
        return [], [Problem(path.name, None, None, reason)]
    try:
        seen: dict[str, str] = {}
        for ws in wb.worksheets:
            label = f"{path.name}[{ws.title}]"
            name = table_name(ws.title)
            if not _check_name(name, label, "sheet", seen, problems):
                continue
            # Some programs write a wrong <dimension>; without it openpyxl reads every cell.
            ws.reset_dimensions()
            rows = enumerate(ws.iter_rows(values_only=True), start=1)
            header = _sheet_header(label, rows)
            if isinstance(header, Problem):
                problems.append(header)
                continue
            texts = (
                (n, [v if type(v) is str else cell_text(v) for v in cells]) for n, cells in rows
            )
            numbered = itertools.chain([header], texts)
            table = _build_table(label, name, numbered, _letter, problems, sheet=True)
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    return tables, problems


def _letter(i: int) -> str:
    """The Excel letter of the 0-based column ``i``: 0 -> ``A``, 3 -> ``D``."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _sheet_header(
    label: str, rows: Iterator[tuple[int, tuple[Any, ...]]]
) -> Problem | tuple[int, list[str]]:
    """The sheet's header (its first non-blank row) as texts, or the problem with it.

    A header cell that is a number, a date or a boolean means the sheet has no header row
    (its first row is data), which would otherwise turn every value into a column name.
    """
    for number, cells in rows:
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        for i, v in enumerate(cells):
            if v is not None and not isinstance(v, str):
                return Problem(
                    label,
                    number,
                    None,
                    f"row {number} must be the header: the column names as text "
                    f"(id, name, ...), but cell {_letter(i)}{number} holds {cell_text(v)!r}",
                )
        return number, [cell_text(v) for v in cells]
    return Problem(label, None, None, EMPTY_SHEET)

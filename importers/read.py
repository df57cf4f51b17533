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

from graph_service.dataset import (
    CONTROL_CHARACTERS,
    INSTRUCTION_SHEETS,
    INVISIBLE_CHARACTERS,
    SHEET_NAMES,
    cell_text,
    character_name,
    column_name,
    contract_name,
    unescape_formula,
)
from graph_service.domain import DATASET_FILES, SHEET_KINDS_1B

#: how many of DATASET_FILES are the network's (section 1); the rest are section 1b's
_NETWORK = len(DATASET_FILES) - len(SHEET_KINDS_1B)
_BOM = "\ufeff"
_BOM_RE = re.compile(_BOM)
#: Anything the row screen (``_screen``) looks at: refused controls and stripped invisibles.
_SUSPECT = re.compile(f"{CONTROL_CHARACTERS.pattern}|{INVISIBLE_CHARACTERS.pattern}")
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
    #: True for something the reader fixed and reports (an invisible character stripped
    #: from an id): it does not stop the import
    warning: bool = False

    def __str__(self) -> str:
        row = "-" if self.row is None else self.row
        column = "-" if self.column is None else self.column
        return f"{self.file}:{row}:{column}: {'warning: ' if self.warning else ''}{self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass(slots=True)
class Origin:
    """Where a validated row came from (its file and row, and the column that made it)."""

    file: str
    row: int
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.row}"


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
    """A header name as compared and stored: NFKC, trimmed, case-folded (``" ID "`` -> ``id``),
    and a Thai name or a bracketed contract name read as the contract's column
    (``graph_service.dataset.column_name``: ``ระดับ`` and ``ระดับ (admin_level)`` ->
    ``admin_level``)."""
    text = INVISIBLE_CHARACTERS.sub("", unicodedata.normalize("NFKC", text))
    return column_name(text.strip().casefold())


def table_name(stem: str) -> str:
    """The dataset name a file stem or sheet title stands for: trimmed, lower case, and a
    Thai name (``บุคคล``) or a bracketed contract name (``บุคคล (people)``) read as the
    contract's (``graph_service.dataset.SHEET_NAMES``)."""
    name = unicodedata.normalize("NFKC", stem).strip().lower()
    return contract_name(name, SHEET_NAMES, DATASET_FILES)


@dataclass(frozen=True)
class WorkbookLimits:
    """How much of a workbook the reader takes before refusing it (issue 11, point 7).

    An ``.xlsx`` is a zip: a file of 2 MB can inflate to gigabytes (one shared string
    repeated), or name a cell in column XFD on every row so that a reader that pads rows
    builds billions of empty cells. The reader checks the members' inflated sizes (as the
    zip declares them; Python's zipfile never inflates a member past its declared size)
    before opening the workbook, then streams each sheet and stops at the first cell past
    a limit. Set by ``GRAPH_MAX_XLSX_INFLATED_MB``, ``GRAPH_MAX_SHEET_ROWS``,
    ``GRAPH_MAX_SHEET_COLUMNS`` and ``GRAPH_MAX_SHEET_CELLS`` (cells holding a value, in
    the whole workbook).
    """

    inflated_mb: int = 512
    rows: int = 1_000_000
    columns: int = 200
    cells: int = 20_000_000

    @classmethod
    def from_settings(cls, settings: Any) -> WorkbookLimits:
        """The limits of a ``Settings`` or ``CliSettings`` (the fields ``max_xlsx_inflated_mb``,
        ``max_sheet_rows``, ``max_sheet_columns``, ``max_sheet_cells``)."""
        return cls(
            inflated_mb=settings.max_xlsx_inflated_mb,
            rows=settings.max_sheet_rows,
            columns=settings.max_sheet_columns,
            cells=settings.max_sheet_cells,
        )


def read_dataset(
    path: str | Path, encoding: str | None = None, limits: WorkbookLimits | None = None
) -> tuple[list[Table], list[Problem]]:
    """Read a dataset folder, ``.xlsx`` workbook or single ``.csv`` file into raw tables.

    A folder contributes every ``*.csv`` at its top level (extension in any case; hidden files
    such as macOS ``._people.csv`` are skipped; other types, ``.xlsx`` included, are ignored).
    ``encoding`` applies to CSV files; without it each file's encoding is detected.
    ``limits`` bound what a workbook may hold (default: :class:`WorkbookLimits`()).

    Every cell is screened: a control character (``CONTROL_CHARACTERS``: NUL, ...) refuses
    its row with a problem naming the character; a byte-order mark is removed from any cell
    and zero-width characters from id columns, each with a warning (``Problem.warning``).
    A CSV cell the CSV export marked with a leading ``'`` (``dataset.escape_formula``) reads
    back without it.

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
        return _read_workbook(p, limits or WorkbookLimits())
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
        reason = (
            f"unknown {what}: {name!r} is not one of {', '.join(DATASET_FILES[:_NETWORK])}, "
            f"or the meetings and Outcome Mapping {what}s {', '.join(DATASET_FILES[_NETWORK:])}"
        )
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
    marked = "'" in text  # cells the CSV export marked as text (dataset.escape_formula)

    def numbered() -> Iterator[tuple[int, Sequence[str]]]:
        for number, record in enumerate(records, start=1):
            last[0] = number
            if marked:
                record = [unescape_formula(c) if c[:1] == "'" else c for c in record]
            yield number, record

    scan = _SUSPECT.search(text) is not None
    try:
        return _build_table(
            label, name, numbered(), _csv_position, problems, sheet=False, scan=scan
        )
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
    scan: bool = True,
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
    for i, col in enumerate(header):
        if bad := CONTROL_CHARACTERS.search(col):
            problems.append(
                Problem(
                    label,
                    header_row,
                    position(i),
                    f"the column name holds the control character {character_name(bad[0])}; "
                    "remove it (the column was not read)",
                )
            )
            header[i] = ""

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
        if scan and _SUSPECT.search("\n".join(stripped)):
            screened = _screen(label, number, stripped, header, position, problems)
            if screened is None:
                continue
            stripped = screened
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


def _is_id_column(column: str) -> bool:
    """Columns that hold ids: ``id``, ``source``, ``target`` and every ``..._id``."""
    return column in ("id", "source", "target") or column.endswith("_id")


def _screen(
    label: str,
    number: int,
    cells: list[str],
    header: list[str],
    position: Callable[[int], str],
    problems: list[Problem],
) -> list[str] | None:
    """The row's cells with invisible characters removed, or None when a cell holds a
    control character (the row is refused: no export could carry the text, and a NUL
    cuts a name short in many programs).

    A byte-order mark (U+FEFF) is removed from any cell: inside a file it only ever comes
    from files pasted together, and before an id it makes a look-alike (``\ufeffo2`` beside
    ``o2``). Zero-width characters are removed from id columns only (Thai text may hold a
    zero-width space as a word break). Each removal is a warning naming the character.
    """
    out = list(cells)
    refused = False
    for i, text in enumerate(cells):
        if not _SUSPECT.search(text):
            continue
        column = header[i] if i < len(header) and header[i] else position(i)
        if bad := CONTROL_CHARACTERS.search(text):
            problems.append(
                Problem(
                    label,
                    number,
                    column,
                    f"the cell holds the control character {character_name(bad[0])} at "
                    f"character {bad.start() + 1}; remove it (the row was not read)",
                )
            )
            refused = True
            continue
        pattern = INVISIBLE_CHARACTERS if _is_id_column(column) else _BOM_RE
        found = sorted(set(pattern.findall(text)))
        if not found:
            continue
        out[i] = pattern.sub("", text).strip()
        problems.append(
            Problem(
                label,
                number,
                column,
                f"removed the invisible character {', '.join(map(character_name, found))} "
                f"from {text.strip()[:40]!r}",
                warning=True,
            )
        )
    return None if refused else out


def _unnamed_problem(label: str, header_row: int, column: str, first_row: int) -> Problem:
    return Problem(
        label,
        header_row,
        column,
        f"column {column} holds data (first in row {first_row}) but has no name in the "
        "header; name it or delete the column",
    )


# --- Excel --------------------------------------------------------------------------------


class _Refused(Exception):
    """A workbook past one of the :class:`WorkbookLimits`: nothing more of it is read."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _check_inflated(path: Path, limits: WorkbookLimits) -> Problem | None:
    """The refusal of a workbook whose members would inflate past the limit, else None.

    Reads only the zip's directory: the sizes it declares bound what Python's zipfile (and
    so openpyxl) will ever inflate, as it stops a member at its declared size."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip: openpyxl says so in its own words below
    total = sum(m.file_size for m in members)
    if total <= limits.inflated_mb * 1024 * 1024:
        return None
    largest = max(members, key=lambda m: m.file_size)
    return Problem(
        path.name,
        None,
        None,
        f"refused: the workbook inflates to {total / 2**20:,.0f} MB (its largest part, "
        f"{largest.filename!r}, to {largest.file_size / 2**20:,.0f} MB), more than the "
        f"{limits.inflated_mb} MB allowed (GRAPH_MAX_XLSX_INFLATED_MB); nothing was read",
    )


def _read_workbook(path: Path, limits: WorkbookLimits) -> tuple[list[Table], list[Problem]]:
    import zipfile

    from openpyxl import load_workbook

    too_big = _check_inflated(path, limits)
    if too_big is not None:
        return [], [too_big]
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
        label = path.name
        cells = [0]  # cells holding a value so far, in the whole workbook
        for ws in wb.worksheets:
            label = f"{path.name}[{ws.title}]"
            if unicodedata.normalize("NFKC", ws.title).strip().lower() in INSTRUCTION_SHEETS:
                continue  # the template's instructions, for the reader
            name = table_name(ws.title)
            if not _check_name(name, label, "sheet", seen, problems):
                continue
            rows = _sheet_rows(ws, label, limits, cells, problems)
            header = _sheet_header(label, rows)
            if isinstance(header, Problem):
                problems.append(header)
                continue
            texts = (
                (n, [v if type(v) is str else cell_text(v) for v in values]) for n, values in rows
            )
            numbered = itertools.chain([header], texts)
            table = _build_table(label, name, numbered, _letter, problems, sheet=True)
            if table is not None:
                tables.append(table)
    except _Refused as exc:
        return [], [*problems, exc.problem]
    except (SyntaxError, KeyError, OSError, EOFError, zipfile.BadZipFile) as exc:
        # broken XML (ParseError is a SyntaxError), a missing or damaged part
        reason = f"the sheet cannot be read: {type(exc).__name__}: {exc}"
        return [], [*problems, Problem(label, None, None, reason)]
    finally:
        wb.close()
    return tables, problems


#: what a cell's ``t`` attribute may say: number, shared string, inline string, formula
#: string, boolean, date, error
_CELL_TYPES = frozenset({"n", "s", "inlineStr", "str", "b", "d", "e"})


def _sheet_rows(
    ws: Any, label: str, limits: WorkbookLimits, cells: list[int], problems: list[Problem]
) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows that hold a value, as (row number, values up to the last value),
    streamed from the sheet's XML one cell at a time.

    openpyxl's own ``iter_rows`` pads every row to its last cell (one cell in column XFD
    makes 16,384 values a row) and stops at the first value it cannot convert with a bare
    ``ValueError``; here each cell is converted by openpyxl's parser (shared strings, dates
    by their number format, booleans), checked against ``limits`` as it is met, and freed.
    A cell that cannot be read (an error such as ``#N/A``, a formula without a saved
    value or whose saved value does not fit its type, an unknown type) refuses its row
    with a problem naming the cell. Raises :class:`_Refused` at the first cell past a limit.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, cell_tag = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}c"
    formula_tag, value_tag = f"{{{SHEET_MAIN_NS}}}f", f"{{{SHEET_MAIN_NS}}}v"
    wb = ws.parent
    with wb._archive.open(ws._worksheet_path) as src:
        parser = WorkSheetParser(
            src,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        stack: list[Any] = []
        number = 0
        values: dict[int, Any] = {}
        bad = False
        for event, el in iterparse(src, events=("start", "end")):
            if event == "start":
                stack.append(el)
                if el.tag == row_tag:
                    r = el.get("r")
                    number = int(r) if r and r.isdigit() else number + 1
                    parser.row_counter, parser.col_counter = number, 0
                    values, bad = {}, False
                continue
            stack.pop()
            if el.tag == cell_tag:
                where = el.get("r") or f"{get_column_letter(parser.col_counter + 1)}{number}"
                kind = el.get("t", "n")
                try:
                    cell = parser.parse_cell(el)
                    reason = None
                except (ValueError, TypeError, IndexError, KeyError, OverflowError):
                    cell, reason = None, _unreadable(el.findtext(value_tag), kind)
                if cell is not None:
                    value = cell["value"]
                    if kind not in _CELL_TYPES:
                        reason = f"a cell of a type Excel does not write (t={kind!r})"
                    elif cell["data_type"] == "e":
                        reason = f"an error value {value!r} (probably a formula that failed)"
                    elif value is None and el.find(formula_tag) is not None:
                        reason = (
                            "a formula without a saved value (the file was not saved by a "
                            "spreadsheet program); open and save it in Excel or LibreOffice, "
                            "or type the value"
                        )
                    elif value is not None:
                        column = cell["column"]
                        _check_cell(label, where, number, column, limits, cells)
                        values[column] = value
                if reason is not None:
                    column = parser.col_counter
                    _check_cell(label, where, number, column, limits, cells)
                    problems.append(
                        Problem(label, number, _letter(column - 1), f"cell {where} holds {reason}")
                    )
                    bad = True
            elif el.tag == row_tag and values and not bad:
                yield number, [values.get(c) for c in range(1, max(values) + 1)]
            # Free what has been read, so the tree never holds more than one cell: cells,
            # rows and whatever else lies within two steps of the root (a cell's own
            # children go with it).
            if el.tag == cell_tag or len(stack) in (1, 2):
                stack[-1].remove(el)
                el.clear()


def _unreadable(raw: str | None, kind: str) -> str:
    shown = "" if raw is None else f" {raw[:40]!r}"
    if kind == "n":
        return (
            f"the value{shown} marked as a number but it is not one (a formula whose saved "
            "result is text?); retype it or save the file again in Excel or LibreOffice"
        )
    return f"the value{shown}, which cannot be read as a cell of type {kind!r}"


def _check_cell(
    label: str, where: str, row: int, column: int, limits: WorkbookLimits, cells: list[int]
) -> None:
    """Refuse the workbook (:class:`_Refused`) at a cell past a limit."""
    cells[0] += 1
    if column > limits.columns:
        reason = (
            f"cell {where} is in column {column:,}, beyond the {limits.columns:,} columns a "
            "sheet may use (GRAPH_MAX_SHEET_COLUMNS); delete what lies to the right"
        )
    elif row > limits.rows:
        reason = (
            f"cell {where} is in row {row:,}, beyond the {limits.rows:,} rows a sheet may "
            "have (GRAPH_MAX_SHEET_ROWS); split the dataset or delete what lies below"
        )
    elif cells[0] > limits.cells:
        reason = (
            f"the workbook holds more than {limits.cells:,} cells with a value "
            "(GRAPH_MAX_SHEET_CELLS), reached at this cell; split the dataset"
        )
    else:
        return
    raise _Refused(
        Problem(label, row, _letter(min(column, 16384) - 1), f"refused: {reason}; nothing was read")
    )


def _letter(i: int) -> str:
    """The Excel letter of the 0-based column ``i``: 0 -> ``A``, 3 -> ``D``."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)


def _sheet_header(
    label: str, rows: Iterator[tuple[int, Sequence[Any]]]
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

"""Checking a dataset without writing it, for the upload page (issue 13, point 3).

:func:`check_dataset` reads and validates a dataset exactly as ``importers.load.import_dataset``
does, against the store's entities, and writes nothing: the page lists every problem and
imports only when the user asks. Each problem gets a stable reason :func:`code` (the
importer words its reasons in English prose; the code names the category, so a page can say
it in the reader's language) and the cell it is about, read back from the row's cells.
:func:`rejected_rows` are the rejected rows with their problems and original cells, for the
file the page offers to download.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_service.store.base import GraphStore
from importers.load import collector_paused, known_lookup, stored_areas
from importers.read import Problem, WorkbookLimits, read_dataset
from importers.thai_admin import stored_aliases
from importers.validate import Dataset, validate

#: reason code -> the pattern of the importer's English reason; the named groups are the
#: placeholders of the reason's words in the catalogue (``upload.reason.<code>``). The first
#: pattern that matches wins; a reason no pattern knows is ``other``.
REASONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.S))
    for code, pattern in (
        ("missing_value", r"^missing (?:id|name|source|target|type)$"),
        # section 1b: meetings and Outcome Mapping
        ("missing_1b", r"^missing (?P<name>[a-z_]+)(?: \(.*\))?$"),
        ("day_needed", r"^a day is needed, not only a year"),
        ("stage", r"^stage must be one of"),
        ("rating", r"^rating must be one of"),
        ("status", r"^status must be one of"),
        ("cell", r"^cell must be one of"),
        ("order", r"^order must be 1 or more"),
        ("practice_number", r"^number must be 1 to 8"),
        (
            "journal_twice",
            r"^a second \w+ journal entry for '(?P<id>.*)' on (?P<day>\S+) "
            r"\(first at (?P<first>[^)]*)\)",
        ),
        (
            "attendance_twice",
            r"^'(?P<id>.*)' is listed twice for the event '(?P<event>.*)' "
            r"\(first at (?P<first>[^)]*)\)",
        ),
        ("missing_column", r"^missing required column '(?P<name>[^']*)'$"),
        ("reserved_column", r"^'(?P<name>.*)' is a name graph-service keeps for itself"),
        ("too_long", r"^the \w+ (?:has \d+ characters|is too long)"),
        ("duplicate_id", r"^duplicate id '(?P<id>.*)' \(first at (?P<first>.*)\)$"),
        ("kind_conflict", r"^id '(?P<id>.*)' is already a (?P<old>\w+) in the store"),
        ("type_format", r"^type '.*' must be UPPER_SNAKE_CASE"),
        ("self_link", r"^a relationship from '(?P<id>.*)' to itself$"),
        ("rejected_end", r"^'(?P<id>.*)' was rejected \(see (?P<first>.*)\)$"),
        ("unknown_id", r"^unknown id '(?P<id>.*)': not in this dataset or the store$"),
        ("duplicate_link", r"^duplicate relationship .* \(first at (?P<first>[^)]*)\)"),
        ("readiness", r"^readiness must be 1 to 4"),
        ("capacity", r"^capacity must be"),
        ("direction", r"^direction must be"),
        ("negative", r"^\w+ cannot be negative"),
        ("not_number", r"^(?:not a (?:whole )?number|empty: a number)"),
        (
            "not_year",
            r"^(?:not a (?:plausible )?year|not a year or a date|not a real date|empty: a year)",
        ),
        ("not_yes_no", r"^not a yes/no value"),
        ("unknown_sheet", r"^unknown (?:sheet|file): '(?P<name>.*)' is not one of"),
        ("two_sheets", r"^two (?:sheet|file)s hold the '(?P<name>[^']*)' table"),
        ("empty_sheet", r"^(?:the file is empty|empty sheet)"),
        ("encoding", r"(?:cannot tell the encoding|^not valid )"),
        ("duplicate_column", r"^duplicate column '(?P<name>.*)'"),
        ("unnamed_column", r"^column \S+ holds data .* but has no name"),
        ("extra_cells", r"^this row has \d+ cells but the header"),
        ("control_character", r"control character"),
        ("invisible_character", r"^removed the invisible character"),
        ("header_not_text", r"^row \d+ must be the header"),
        ("cell_error", r"^cell \S+ holds "),
        ("too_big", r"^refused: |larger than the \d+ MB"),
        (
            "not_readable",
            r"^(?:not an Excel workbook|not a zip file|not a readable CSV"
            r"|the sheet cannot be read|cannot extract)",
        ),
        (
            "upload_file",
            r"(?:alone, not with other files|not a \.csv file|sent twice|unsafe entry"
            r"|a file without a name|a file name)",
        ),
    )
)


def classify(reason: str) -> tuple[str, dict[str, str]]:
    """(the reason's code, the values its words need) for one of the importer's reasons.

    >>> classify("unknown id 'o9': not in this dataset or the store")
    ('unknown_id', {'id': 'o9'})
    >>> classify("something new")
    ('other', {})
    """
    for code, pattern in REASONS:
        if m := pattern.search(reason):
            return code, {k: v for k, v in m.groupdict().items() if v is not None}
    return "other", {}


def code(reason: str) -> str:
    """The stable code of one of the importer's reasons (:data:`REASONS`)."""
    return classify(reason)[0]


@dataclass
class Check:
    """What an import would do, and what is wrong: nothing is written."""

    problems: list[Problem]
    warnings: list[Problem]
    dataset: Dataset | None
    #: entities by kind and relationships by type that the valid rows hold
    kinds: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)

    def cell(self, p: Problem) -> str:
        """The text of the cell a problem is about, as the file holds it ('' if none)."""
        if self.dataset is None or p.row is None or p.column is None:
            return ""
        return self.dataset.rejected_rows.get((p.file, p.row), {}).get(p.column, "")

    def problem_dicts(self) -> list[dict[str, Any]]:
        """The problems as the API's problems (CONTRACT.md), with their ``code`` and
        ``value`` (the cell) added."""
        return [
            {**p.to_dict(), "code": code(p.reason), "value": self.cell(p)} for p in self.problems
        ]

    def rejected_rows(self) -> tuple[list[str], list[list[str]]]:
        """(header, rows) of the rejects file: ``file``, ``row``, ``column``, ``code``,
        ``reason``, then the rejected row's original cells (every column any of them has,
        in the order met)."""
        columns: dict[str, None] = {}
        rows: list[tuple[Problem, dict[str, str]]] = []
        for p in self.problems:
            cells = {}
            if self.dataset is not None and p.row is not None:
                cells = self.dataset.rejected_rows.get((p.file, p.row), {})
            columns.update(dict.fromkeys(cells))
            rows.append((p, cells))
        header = ["file", "row", "column", "code", "reason", *columns]
        out = [
            [
                p.file,
                "" if p.row is None else str(p.row),
                p.column or "",
                code(p.reason),
                p.reason,
                *(cells.get(c, "") for c in columns),
            ]
            for p, cells in rows
        ]
        return header, out


def check_dataset(
    store: GraphStore,
    path: str | Path,
    *,
    encoding: str | None = None,
    limits: WorkbookLimits | None = None,
) -> Check:
    """Read and validate the dataset at ``path`` against ``store`` as an import would
    (the same reader, validator and lookup of stored ids), without writing anything."""
    with collector_paused():
        try:
            tables, found = read_dataset(path, encoding=encoding, limits=limits)
        except (FileNotFoundError, ValueError, LookupError) as exc:
            return Check([Problem(Path(path).name, None, None, str(exc))], [], None)
        problems = [p for p in found if not p.warning]
        warnings = [p for p in found if p.warning]
        areas = stored_areas(store)
        dataset = validate(tables, known_lookup(store, stored_aliases(areas)))
    kinds: dict[str, int] = {}
    for node in dataset.nodes:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    types: dict[str, int] = {}
    for edge in dataset.edges:
        types[edge.type] = types.get(edge.type, 0) + 1
    return Check(problems + dataset.problems, warnings, dataset, kinds, types)

"""Cell parsing, kept under its old name: the parsers live in ``graph_service.dataset``
(the one home of the dataset's column rules); ``tests/unit/test_values.py`` imports them
from here."""

from __future__ import annotations

from graph_service.dataset import (
    BE_OFFSET,
    BE_THRESHOLD,
    MAX_YEAR,
    MIN_YEAR,
    parse_bool,
    parse_int,
    parse_number,
    parse_year,
    parse_year_or_date,
    split_tags,
)

__all__ = [
    "BE_OFFSET",
    "BE_THRESHOLD",
    "MAX_YEAR",
    "MIN_YEAR",
    "parse_bool",
    "parse_int",
    "parse_number",
    "parse_year",
    "parse_year_or_date",
    "split_tags",
]

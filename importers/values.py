"""Cell parsing: the raw text of a cell to a typed value (CONTRACT.md section 1, DOMAIN.md 7).

Every function takes the cell's text and returns the value, or raises ``ValueError`` whose
message is a short human reason; the caller puts it after ``file:row:column: `` in a report,
so it quotes the cell and says what was expected, e.g. ``not a number: '3,00x'``.

The rules follow how Thai spreadsheets are really written: Thai digits (๐–๙) are digits,
``3,000,000`` is three million, amounts may carry ``฿`` or ``บาท``, and a year of 2400 or more
is a Buddhist Era year (2551 BE = 2008 CE), which is stored as the Common Era year.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata

from graph_service.domain import NO_WORDS, YES_WORDS, clean_text, to_ascii_digits

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
_YEAR_ERA_RE = re.compile(r"(?P<era>พ\.\s*ศ\.|ค\.\s*ศ\.)?\s*(?P<year>.+)")
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

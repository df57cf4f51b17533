"""Cell parsing (importers.values): numbers, years, dates, booleans and tags as Thai
spreadsheets write them (CONTRACT.md section 1, DOMAIN.md section 7)."""

from __future__ import annotations

import pytest

from importers.values import (
    parse_bool,
    parse_int,
    parse_number,
    parse_year,
    parse_year_or_date,
    split_tags,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (" 42 ", 42),
        ("3,000,000", 3000000),
        ("1,234.5", 1234.5),
        ("1234.5", 1234.5),
        ("0.25", 0.25),
        (".5", 0.5),
        ("-7", -7),
        ("- 7", -7),
        ("-1,000", -1000),
        ("๓,๐๐๐,๐๐๐", 3000000),
        ("๑๒", 12),
        ("๑,๒๓๔.๕", 1234.5),
        ("฿1,500", 1500),
        ("฿ 1,500", 1500),
        ("-฿20", -20),
        ("฿-20", -20),
        ("1,500 บาท", 1500),
        ("1500บาท", 1500),
        ("๕๐๐ บาท", 500),
        ("2.0", 2.0),
        ("１２３", 123),  # full-width digits, as some Thai input methods type them
        ("007", 7),
    ],
)
def test_parse_number(text: str, expected: int | float) -> None:
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "3,00",
        "1,2345",
        "12,34,567",
        ",100",
        "100,",
        "1,000,00",
        "1234,5",
        "3,00x",
        "abc",
        "1 234",
        "5.",
        ".",
        "-",
        "--5",
        "-฿-5",
        "฿5 บาท",
        "5 ฿",
        "บาท 5",
        "+5",
        "1e5",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "0x10",
        "1.2.3",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_number(text)
    assert str(info.value) == f"not a number: {text!r}"


def test_parse_number_empty() -> None:
    for text in ("", "   "):
        with pytest.raises(ValueError, match="^empty: a number is needed$"):
            parse_number(text)


def test_parse_number_too_long() -> None:
    with pytest.raises(ValueError, match="too long"):
        parse_number("9" * 400)


def test_parse_int() -> None:
    assert parse_int("2") == 2
    assert parse_int("2.0") == 2
    assert type(parse_int("2.0")) is int
    assert parse_int("๒,๐๐๐") == 2000
    assert parse_int("-3") == -3
    with pytest.raises(ValueError, match=r"^not a whole number: '2\.5'$"):
        parse_int("2.5")
    with pytest.raises(ValueError, match="^not a number: 'two'$"):
        parse_int("two")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2551", 2008),
        ("๒๕๕๑", 2008),
        ("2008", 2008),
        ("2567", 2024),
        ("2400", 1857),  # the first Buddhist Era year
        ("2399", None),  # neither a plausible CE year nor BE
        ("1800", 1800),
        ("2200", 2200),
        ("2743", 2200),  # BE 2743 = CE 2200, the last plausible year
        ("2744", None),
        ("1799", None),
        ("2201", None),
        ("0", None),
        ("-2008", None),
        ("2551.0", 2008),
        (" 2551 ", 2008),
        ("พ.ศ. 2551", 2008),
        ("พ.ศ.2551", 2008),
        ("พ.ศ. ๒๕๕๑", 2008),
        ("ค.ศ. 2008", 2008),
        ("ค.ศ. 2551", None),  # a CE year cannot be 2551
        ("พ.ศ. 3000", None),
    ],
)
def test_parse_year(text: str, expected: int | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="^not a plausible year: "):
            parse_year(text)
    else:
        assert parse_year(text) == expected


def test_parse_year_reasons() -> None:
    with pytest.raises(ValueError) as info:
        parse_year("1700")
    assert str(info.value) == (
        "not a plausible year: '1700' (expected 1800–2200 CE, or a Buddhist Era year from 2400)"
    )
    for text in ("2551.5", "two thousand", "2551/52"):
        with pytest.raises(ValueError) as info:
            parse_year(text)
        assert str(info.value) == f"not a year: {text!r}"
    with pytest.raises(ValueError, match="^empty: a year is needed$"):
        parse_year(" ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2551", 2008),
        ("๒๕๖๗", 2024),
        ("2008", 2008),
        ("2008-05-01", "2008-05-01"),
        ("2551-05-01", "2008-05-01"),
        ("2008/5/1", "2008-05-01"),
        ("1/5/2551", "2008-05-01"),
        ("01/05/2008", "2008-05-01"),
        ("1-5-2551", "2008-05-01"),
        ("1.5.2551", "2008-05-01"),
        ("31/12/2566", "2023-12-31"),
        ("๑/๕/๒๕๕๑", "2008-05-01"),
        ("29/2/2551", "2008-02-29"),  # BE 2551 = CE 2008, a leap year
        ("2024-02-29", "2024-02-29"),
    ],
)
def test_parse_year_or_date(text: str, expected: int | str) -> None:
    value = parse_year_or_date(text)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(
    "text", ["2551-02-30", "30/2/2551", "2023-02-29", "31/4/2008", "2008-13-01", "0/1/2008"]
)
def test_parse_year_or_date_rejects_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_year_or_date(text)
    assert str(info.value) == f"not a real date: {text!r}"


def test_parse_year_or_date_rejects() -> None:
    with pytest.raises(ValueError, match=r"^not a plausible year: '1/5/1700'"):
        parse_year_or_date("1/5/1700")
    with pytest.raises(ValueError, match=r"^not a plausible year: '2300'"):
        parse_year_or_date("2300")
    for text in ("May 2008", "1/5/51", "2008-05", "soon"):
        with pytest.raises(ValueError) as info:
            parse_year_or_date(text)
        assert str(info.value).startswith(f"not a year or a date: {text!r}")
    with pytest.raises(ValueError, match="^empty"):
        parse_year_or_date("")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("yes", True),
        ("Yes", True),
        ("y", True),
        ("Y", True),
        ("1", True),
        ("๑", True),
        ("ใช่", True),
        ("จริง", True),
        (" yes ", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("NO", False),
        ("n", False),
        ("0", False),
        ("ไม่ใช่", False),
        ("เท็จ", False),
    ],
)
def test_parse_bool(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text", ["", "maybe", "2", "ไม่", "t", "yess"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_bool(text)
    assert str(info.value).startswith(f"not a yes/no value: {text!r}")


def test_split_tags() -> None:
    assert split_tags("health|community") == ["health", "community"]
    assert split_tags(" health | | ชุมชน ") == ["health", "ชุมชน"]
    assert split_tags("สุขภาวะ   ชุมชน|") == ["สุขภาวะ ชุมชน"]
    assert split_tags("") == []
    assert split_tags(" | ") == []
    assert split_tags("a|a") == ["a", "a"]
    # each part through clean_text: NFC, so a decomposed accent is composed
    assert split_tags("cafe\u0301|x") == ["caf\u00e9", "x"]

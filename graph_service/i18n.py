"""The words of the web app and the report, in Thai (the default) and English.

Every piece of text a page shows lives in a message catalogue, one folder per language
(``graph_service/messages/th/`` and ``messages/en/``), one TOML file per part of the app
(``common.toml``, ``home.toml``, ``maps.toml`` ...). A translator edits those files and
never reads code. A key is the file's name, a dot, and the key inside it: ``home.title`` is
``title`` in ``home.toml``. Placeholders are ``{name}``, as in :meth:`str.format`.

Both languages hold the same keys with the same placeholders; ``tests/unit/test_i18n.py``
checks that, so a page can never fall back to a missing word.

Numbers and years are written for reading (:func:`number`, :func:`year`): at most two
decimals, thousands separated, years in the Buddhist era (พ.ศ., Gregorian + 543) on Thai
pages.

>>> text("th", "common.kind.Organisation"), text("en", "common.kind.Organisation")
('องค์กร', 'organisation')
>>> number(-0.2093023256), number(1234567), number(3.0)
('-0.21', '1,234,567', '3')
>>> year(2024, "th"), year(2024, "en")
('พ.ศ. 2567', '2024')
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

#: the languages of the app; the first is the default
LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
#: the query parameter and the cookie that carry the reader's choice
LANGUAGE_PARAM = "lang"
LANGUAGE_COOKIE = "lang"
MESSAGES_DIR = Path(__file__).parent / "messages"
#: years this far back or ahead are calendar years; anything else is left as it is
_YEAR_RANGE = range(1800, 2300)


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of ``lang``: key -> text, read once from its folder.

    >>> sorted(catalogue("th")) == sorted(catalogue("en"))
    True
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
    out: dict[str, str] = {}
    for path in sorted((MESSAGES_DIR / lang).glob("*.toml")):
        with path.open("rb") as f:
            _flatten(path.stem, tomllib.load(f), out)
    return out


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a message.

    >>> sorted(placeholders("{count} พื้นที่ใน {area}"))
    ['area', 'count']
    """
    return {field for _, field, _, _ in string.Formatter().parse(message) if field}


def text(lang: str, key: str, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled.

    An unknown key is a programming error (KeyError), found by the catalogue test and the
    page tests, never shown to a reader as a key.
    """
    message = catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)[key]
    return message.format(**values) if values else message


def has(lang: str, key: str) -> bool:
    """Whether the catalogue holds ``key`` (for words that may have no translation, such as
    a relationship type the data invented)."""
    return key in catalogue(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def word(lang: str, group: str, value: str) -> str:
    """A domain word (kind, level, admin level, sector, direction, relationship type, ...)
    in ``lang``; the value itself when the catalogue has no word for it.

    >>> word("th", "admin_level", "district"), word("th", "type", "MADE_UP")
    ('อำเภอ', 'MADE_UP')
    """
    key = f"common.{group}.{value}"
    return text(lang, key) if has(lang, key) else value


def listing(lang: str, items: Sequence[str], total: int | None = None) -> str:
    """``items`` as a reader writes a list: ``a, b และ c`` / ``a, b and c``; when they are
    the first of ``total`` things, ``a, b และอื่น ๆ อีก 3``; ``""`` for none.

    >>> listing("th", ["ก", "ข", "ค"]), listing("en", ["a", "b"], total=6), listing("en", [])
    ('ก, ข และ ค', 'a, b and 4 more', '')
    """
    items = list(items)
    more = (total or 0) - len(items)
    if not items:
        return ""
    if more > 0:
        return text(lang, "common.list_more", items=", ".join(items), more=more)
    if len(items) == 1:
        return items[0]
    return text(lang, "common.list_and", items=", ".join(items[:-1]), last=items[-1])


def with_lang(href: str, lang: str) -> str:
    """A link that keeps the reader's language where cookies are off: ``?lang=`` added
    unless the language is the default one.

    >>> with_lang("/map", "th"), with_lang("/map?level=node", "en")
    ('/map', '/map?level=node&lang=en')
    """
    if lang == DEFAULT_LANGUAGE:
        return href
    return href + ("&" if "?" in href else "?") + f"{LANGUAGE_PARAM}={lang}"


def choose(requested: str | None, cookie: str | None) -> str:
    """The language of a page: the query's ``lang`` if it names one, else the cookie's,
    else Thai.

    >>> choose("en", "th"), choose(None, "en"), choose("xx", None), choose(None, None)
    ('en', 'en', 'th', 'th')
    """
    for lang in (requested, cookie):
        if lang in LANGUAGES:
            return lang
    return DEFAULT_LANGUAGE


def number(value: Any, digits: int = 2) -> str:
    """A figure for reading: integers with thousands separated, other numbers rounded to
    ``digits`` decimals with trailing zeros dropped; ``-`` when there is none.

    >>> number(None), number(0.5), number(0.125, 1), number(12000.0), number(-0.0001)
    ('-', '0.5', '0.1', '12,000', '0')
    """
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        rounded = round(value, digits)
        if rounded == int(rounded):
            return f"{int(rounded):,}"
        return f"{rounded:,.{digits}f}".rstrip("0").rstrip(".")
    return str(value)


def percent(share: float | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share (0..1) as a percentage for reading.

    >>> percent(0.4567), percent(None)
    ('46%', '-')
    """
    if share is None:
        return "-"
    return f"{round(share * 100):,}%"


def year(value: Any, lang: str) -> str:
    """A calendar year as a reader of ``lang`` writes it: พ.ศ. on Thai pages (Gregorian + 543;
    a year already above 2400 is taken as Buddhist era), plain on English ones.

    >>> year(2567, "th"), year("2024", "th"), year(2567, "en"), year("n/a", "th")
    ('พ.ศ. 2567', 'พ.ศ. 2567', '2024', 'n/a')
    """
    try:
        y = int(value)
    except (TypeError, ValueError):
        return str(value)
    buddhist = y > 2400
    gregorian = y - 543 if buddhist else y
    if gregorian not in _YEAR_RANGE:
        return str(value)
    return f"พ.ศ. {gregorian + 543}" if lang == "th" else str(gregorian)


def date(value: str, lang: str) -> str:
    """An ISO date (``2024-03-15``) as a reader of ``lang`` writes it: ``15 มี.ค. 2567`` or
    ``15 Mar 2024``; anything else is left as it is.

    >>> date("2024-03-15", "th"), date("2024-03-15", "en"), date("soon", "th")
    ('15 มี.ค. 2567', '15 Mar 2024', 'soon')
    """
    parts = str(value)[:10].split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return str(value)
    y, m, d = (int(p) for p in parts)
    if not 1 <= m <= 12:
        return str(value)
    month = text(lang, f"common.month.{m}")
    shown = y + 543 if lang == "th" and y < 2400 else y
    return f"{d} {month} {shown}"


class LanguageMiddleware:
    """Puts the reader's language in ``request.state.lang`` (see :func:`choose`), and when the
    query names a language the cookie does not hold yet, keeps it in the ``lang`` cookie
    (a year, ``SameSite=Lax``), so the next page opens in it without a ``?lang=``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from http.cookies import SimpleCookie
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        requested = (query.get(LANGUAGE_PARAM) or [None])[-1]
        cookie = None
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                jar: SimpleCookie = SimpleCookie()
                try:
                    jar.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is no language
                    continue
                if LANGUAGE_COOKIE in jar:
                    cookie = jar[LANGUAGE_COOKIE].value
        lang = choose(requested, cookie)
        scope.setdefault("state", {})[LANGUAGE_COOKIE] = lang
        if requested not in LANGUAGES or requested == cookie:
            await self.app(scope, receive, send)
            return
        set_cookie = f"{LANGUAGE_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax".encode()

        async def remembering(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"set-cookie", set_cookie)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, remembering)

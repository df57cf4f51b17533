"""The message catalogue: both languages hold the same keys with the same placeholders, the
Thai catalogue is Thai, and the language travels in the URL and a cookie."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from graph_service import i18n
from graph_service.app import create_app
from graph_service.domain import ADMIN_LEVELS, KINDS, KNOWN_TYPES, LEVELS, SECTORS
from graph_service.settings import Settings

THAI = re.compile("[\u0e00-\u0e7f]")


def test_same_keys_and_placeholders_in_every_language() -> None:
    th, en = i18n.catalogue("th"), i18n.catalogue("en")
    assert sorted(th) == sorted(en)
    for key in th:
        assert i18n.placeholders(th[key]) == i18n.placeholders(en[key]), key


def test_every_thai_message_is_thai() -> None:
    """A message with letters in it has Thai letters in it (no English left on a Thai page);
    the language switch is the one message that names the other language."""
    allowed = {"common.language_switch", "common.language_switch_title", "common.engine.neo4j"}
    for key, message in i18n.catalogue("th").items():
        if key in allowed or not re.search("[A-Za-z]", re.sub(r"\{[^}]*\}", "", message)):
            continue
        assert THAI.search(message), f"{key}: {message!r}"


def test_every_domain_word_has_both_languages() -> None:
    for group, values in (
        ("kind", KINDS),
        ("level", LEVELS),
        ("admin_level", ADMIN_LEVELS),
        ("sector", SECTORS),
        ("type", KNOWN_TYPES),
    ):
        for value in values:
            assert THAI.search(i18n.word("th", group, value)), (group, value)
            assert not THAI.search(i18n.word("en", group, value)), (group, value)


def test_formats() -> None:
    assert i18n.number(0.2093023256) == "0.21"
    assert i18n.number(-0.2093023256) == "-0.21"
    assert i18n.number(2_500_000.0) == "2,500,000"
    assert i18n.number(3) == "3"
    assert i18n.year(2024, "th") == "พ.ศ. 2567"
    assert i18n.date("2025-10-01", "th") == "1 ต.ค. 2568"
    assert i18n.date("2025-10-01", "en") == "1 Oct 2025"
    assert i18n.text("en", "common.id_hint", id="o1") == "id: o1"
    with pytest.raises(KeyError):
        i18n.text("th", "common.no_such_key")


def test_language_from_query_then_cookie_then_thai(tmp_path) -> None:
    app = create_app(Settings(store=str(tmp_path / "g.db")))
    with TestClient(app) as client:
        first = client.get("/api/stats")
        assert "set-cookie" not in first.headers
        assert first.headers["etag"].endswith('-full-th"')
        chosen = client.get("/api/stats?lang=en")
        assert chosen.headers["set-cookie"].startswith("lang=en;")
        assert "SameSite=Lax" in chosen.headers["set-cookie"]
        assert chosen.headers["etag"].endswith('-full-en"')
        # the cookie now carries it, and is not set again
        again = client.get("/api/stats")
        assert again.headers["etag"].endswith('-full-en"')
        assert "set-cookie" not in again.headers
        back = client.get("/api/stats?lang=th")
        assert back.headers["set-cookie"].startswith("lang=th;")
        ignored = client.get("/api/stats?lang=fr")
        assert ignored.headers["etag"].endswith('-full-th"')

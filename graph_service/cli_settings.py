"""The ``GRAPH_*`` settings read without pydantic-settings, for the command line.

:class:`graph_service.settings.Settings` (pydantic-settings) is what the service uses;
importing it took 0.37 s of a 2.2 s ``brokerage --json`` in the profile of issue 10, more
than the brokerage kernel on 10,000 actors. A verb of
the command line reads the same variables with :func:`read_settings`, which takes the
values pydantic would accept without doubt (any text for a text setting; ``8000``,
``2.5``, ``true`` ... written plainly for numbers and booleans) and hands every other case
to ``Settings`` itself, so that the result, or the error, is always pydantic's
(tests/unit/test_cli_settings.py checks the two readers agree, field by field).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields

from graph_service.defaults import DEFAULT_STORE_FILE, ENV_PREFIX

_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,17})?")
#: pydantic's words for booleans (compared lower-cased)
_BOOLS = {
    "1": True,
    "on": True,
    "t": True,
    "true": True,
    "y": True,
    "yes": True,
    "0": False,
    "off": False,
    "f": False,
    "false": False,
    "n": False,
    "no": False,
}


@dataclass(frozen=True)
class CliSettings:
    """The fields, types and defaults of :class:`graph_service.settings.Settings` (see its
    docstring for what each means), as a plain dataclass."""

    store: str = ""
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 30.0
    max_expensive: int = 0
    expensive_queue: int = 32
    cache_mb: int = 256
    max_upload_mb: int = 50
    max_page: int = 1000
    api_keys: str = ""
    api_keys_file: str = ""
    public_reads: bool = False
    public_person_fields: str = "role,admin_level,sector"
    session_hours: float = 8.0
    max_xlsx_inflated_mb: int = 512
    max_sheet_rows: int = 1_000_000
    max_sheet_columns: int = 200
    max_sheet_cells: int = 20_000_000


def _plain(kind: str, text: str) -> tuple[bool, object]:
    """(True, value) when ``text`` is a value of type ``kind`` written the plain way."""
    if kind == "str":
        return True, text
    if kind == "int" and _INT.fullmatch(text):
        return True, int(text)
    if kind == "float" and _FLOAT.fullmatch(text):
        return True, float(text)
    if kind == "bool" and text.lower() in _BOOLS:
        return True, _BOOLS[text.lower()]
    return False, None


def read_settings() -> CliSettings:
    """The settings in the environment, equal to what ``Settings()`` reads: names
    case-insensitive, prefix ``GRAPH_``, other variables ignored. A value that is not plain
    (or a name given twice in different cases) is left to ``Settings``, which parses it or
    raises its ``ValidationError``."""
    given: dict[str, str] = {}
    for key, value in os.environ.items():
        lower = key.lower()
        if lower.startswith("graph_"):
            if lower in given:
                return _from_pydantic()
            given[lower] = value
    values: dict[str, object] = {}
    for f in fields(CliSettings):
        text = given.get("graph_" + f.name)
        if text is None:
            continue
        ok, parsed = _plain(str(f.type), text)
        if not ok:
            return _from_pydantic()
        values[f.name] = parsed
    return CliSettings(**values)  # type: ignore[arg-type]


def _from_pydantic() -> CliSettings:
    from graph_service.settings import Settings

    return CliSettings(**Settings().model_dump())


__all__ = ["DEFAULT_STORE_FILE", "ENV_PREFIX", "CliSettings", "read_settings"]

"""Settings from the environment (prefix ``GRAPH_``). No instance is made at import time.

The command line reads the same variables without pydantic-settings
(:func:`graph_service.cli_settings.read_settings`, tested equal), since importing it costs
more than most verbs compute; a field added here is added to ``CliSettings`` too.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_service.defaults import DEFAULT_STORE_FILE, ENV_PREFIX


class Settings(BaseSettings):
    """What an operator can set. CONTRACT.md section 2 and 4.

    - ``GRAPH_STORE``: a file path (embedded store) or ``bolt://…`` / ``neo4j://…``;
      empty: the embedded store in ``graph-service.db`` under the current folder.
    - ``GRAPH_NEO4J_USER`` / ``GRAPH_NEO4J_PASSWORD`` / ``GRAPH_NEO4J_DATABASE``.
    - ``GRAPH_HOST`` / ``GRAPH_PORT``: where ``serve`` listens.
    - ``GRAPH_QUERY_TIMEOUT``: seconds a read may run before it is stopped with
      ``QueryTimeout`` (HTTP 503 ``query_timeout``, exit 3); over HTTP the whole request's
      work, not one statement (``graph_service.budget``); 0: no limit. Imports and
      corrections run to their end.
    - ``GRAPH_MAX_EXPENSIVE``: how many expensive reads (the analyses, maps, exports, the
      home page) the service computes at once; 0: twice the processor cores.
      ``GRAPH_EXPENSIVE_QUEUE``: how many more wait for a turn; beyond them 503 ``busy`` with
      ``Retry-After``. Cheap reads (``/health``, ``/api/stats``, entities) never wait.
    - ``GRAPH_CACHE_MB``: the estimated size the cached answers and map pages may take
      together, in MB; the least recently used go first.
    - ``GRAPH_MAX_UPLOAD_MB``: the largest upload ``POST /api/import`` accepts, in MB (a zip
      is measured uncompressed); more is refused with 413.
    - ``GRAPH_MAX_PAGE``: the most items one page of ``/api/entities`` or
      ``/api/relationships`` holds (``limit``).
    - ``GRAPH_API_KEYS``: comma-separated ``role:key`` pairs (role read, write or admin);
      ``GRAPH_API_KEYS_FILE``: a file of ``role:sha256-hex-of-key`` lines. With either set,
      every ``/api/`` request and every page needs a key (CONTRACT.md section 4).
    - ``GRAPH_PUBLIC_READS``: reads without a key are allowed, and see people without
      consent under pseudonyms (PDPA); needs keys for everything else.
    - ``GRAPH_PUBLIC_PERSON_FIELDS``: the properties of a person without consent that a
      public read still shows (comma-separated).
    - ``GRAPH_MAX_XLSX_INFLATED_MB``, ``GRAPH_MAX_SHEET_ROWS``, ``GRAPH_MAX_SHEET_COLUMNS``,
      ``GRAPH_MAX_SHEET_CELLS``: what an imported workbook may hold (its parts inflated, a
      sheet's rows and columns, the cells with a value in all its sheets); past one the
      import is refused before the rest is read (``importers.read.WorkbookLimits``).
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

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
    # -- sessions (issue 11): ``GRAPH_SESSION_HOURS``, how long a browser's login at
    # ``/login`` lasts (the cookie's Max-Age and the server-side session's expiry)
    session_hours: float = 8.0
    # what an imported workbook may hold (issue 11, point 7)
    max_xlsx_inflated_mb: int = 512
    max_sheet_rows: int = 1_000_000
    max_sheet_columns: int = 200
    max_sheet_cells: int = 20_000_000


__all__ = ["DEFAULT_STORE_FILE", "Settings"]

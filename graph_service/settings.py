"""Settings from the environment (prefix ``GRAPH_``). No instance is made at import time."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_STORE_FILE = "graph-service.db"


class Settings(BaseSettings):
    """What an operator can set. CONTRACT.md section 2 and 4.

    - ``GRAPH_STORE``: a file path (embedded store) or ``bolt://…`` / ``neo4j://…``;
      empty: the embedded store in ``graph-service.db`` under the current folder.
    - ``GRAPH_NEO4J_USER`` / ``GRAPH_NEO4J_PASSWORD`` / ``GRAPH_NEO4J_DATABASE``.
    - ``GRAPH_HOST`` / ``GRAPH_PORT``: where ``serve`` listens.
    """

    model_config = SettingsConfigDict(env_prefix="GRAPH_", extra="ignore")

    store: str = ""
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = ""
    host: str = "127.0.0.1"
    port: int = 8000

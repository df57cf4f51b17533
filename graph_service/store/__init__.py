"""Stores of the INN graph: the GraphStore protocol, the embedded store and Neo4jStore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from graph_service.cli_settings import DEFAULT_STORE_FILE, CliSettings, read_settings
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore, WriteResult, get_node, neighbourhood

if TYPE_CHECKING:
    from graph_service.settings import Settings

NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def is_neo4j_url(url: str) -> bool:
    return url.lower().startswith(NEO4J_SCHEMES)


def embedded_path(url: str | None, settings: Settings | CliSettings | None = None) -> Path | None:
    """The file of the embedded store a URL names (as ``open_store`` reads it), or None for
    a Neo4j server."""
    settings = settings or read_settings()
    url = (url or settings.store or "").strip()
    if is_neo4j_url(url):
        return None
    for prefix in ("sqlite:///", "sqlite://", "sqlite:", "file://", "file:"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
            break
    return Path(url or DEFAULT_STORE_FILE)


def open_store(
    url: str | None = None,
    settings: Settings | CliSettings | None = None,
    *,
    create: bool = True,
) -> GraphStore:
    """The store a URL names (CONTRACT.md section 2).

    ``bolt://…`` or ``neo4j://…``: a Neo4j server (user and password from the URL or the
    settings). Anything else is a file path for the embedded store (``sqlite:`` and
    ``file:`` prefixes are accepted). Empty: ``graph-service.db`` in the current folder.
    Either store stops a query that runs longer than ``settings.query_timeout`` seconds.
    Without ``settings``, the environment's (read without pydantic-settings: the command
    line opens a store this way).

    ``create=False`` (the command line's questions): an embedded store file that does not
    exist is an ``InvalidInput`` naming the path, not a new empty database (a mistyped
    ``--store`` would otherwise answer every question about an empty graph).
    """
    settings = settings or read_settings()
    url = (url or settings.store or "").strip()
    if is_neo4j_url(url):
        from graph_service.store.neo4j_store import Neo4jStore

        return Neo4jStore(
            url,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database or None,
            query_timeout=settings.query_timeout,
        )
    from graph_service.store.embedded import EmbeddedStore

    path = embedded_path(url, settings)
    assert path is not None
    if not create and not path.exists():
        raise InvalidInput(
            f"no such store: '{path}' (no file there; check --store or GRAPH_STORE, or "
            "create it with `graph-service import`)",
            {"store": str(path)},
        )
    return EmbeddedStore(path, query_timeout=settings.query_timeout)


__all__ = [
    "GraphStore",
    "WriteResult",
    "embedded_path",
    "get_node",
    "is_neo4j_url",
    "neighbourhood",
    "open_store",
]

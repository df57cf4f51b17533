"""The graph's version on every response, as ``X-Graph-Version`` and an ``ETag``.

Every write moves the version (the stores count it), and every answer the service gives is
a function of the graph, the request and the privacy mode. So for a read the tag
``W/"<version>-<mode>"`` names the representation: a client (or the map page, or a cache
in front of the service) that sends it back in ``If-None-Match`` gets ``304 Not Modified``
without the answer being computed again. The tag of a read is the version read *before*
the answer was computed, so a write that lands meanwhile can only make the tag older than
the data, never newer: the next request then fetches again. A write's response carries the
version after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from graph_service.errors import GraphServiceError
from graph_service.security import (
    READ_METHODS,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    send_error,
)

#: the key under which a read's version goes into the request's state
#: (``request.state.graph_version``), so the answer's cache key does not read it again
GRAPH_VERSION = "graph_version"

#: paths whose answers come from the graph
_DATA_PREFIXES = ("/api/", "/map")


def etag(version: int, mode: str) -> str:
    """The tag of a read: the graph's version, the privacy mode and the page's language (a
    page in Thai and the same page in English are two representations).

    >>> etag(7, "full-th")
    'W/"7-full-th"'
    """
    return f'W/"{version}-{mode}"'


def _matches(header: str, tag: str) -> bool:
    if header.strip() == "*":
        return True
    wanted = tag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == wanted for t in header.split(","))


class VersionMiddleware:
    def __init__(self, app: ASGIApp, get_version: Callable[[], int]) -> None:
        self.app = app
        self.get_version = get_version

    async def _version(self) -> int | GraphServiceError:
        try:
            return await anyio.to_thread.run_sync(self.get_version)
        except GraphServiceError as exc:
            return exc

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/" or path.startswith(_DATA_PREFIXES)):
            await self.app(scope, receive, send)
            return
        state = scope.get("state", {})
        mode = f"{state.get('privacy', 'full')}-{state.get('lang', 'th')}"
        reading = scope["method"] in READ_METHODS
        before = await self._version() if reading else None
        if isinstance(before, GraphServiceError):
            # the store is down: say so now rather than have the route wait for it again
            await send_error(send, before)
            return
        if before is not None:
            scope.setdefault("state", {})[GRAPH_VERSION] = before
            tag = etag(before, mode)
            for name, value in scope["headers"]:
                if name == b"if-none-match" and _matches(value.decode("latin-1"), tag):
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 304,
                            "headers": _version_headers(before, mode, True),
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return

        async def tagged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                version = before if reading else await self._version()
                status = message.get("status", 200)
                if isinstance(version, int):
                    headers: list[Any] = [
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"etag", b"x-graph-version")
                    ]
                    headers += _version_headers(version, mode, reading and status == 200)
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagged_send)


def _version_headers(version: int, mode: str, with_tag: bool) -> list[tuple[bytes, bytes]]:
    out = [(b"x-graph-version", str(version).encode())]
    if with_tag:
        out.append((b"etag", etag(version, mode).encode()))
        out.append((b"vary", b"Authorization, Cookie"))
    return out

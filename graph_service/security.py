"""Who may do what: API keys with roles (CONTRACT.md section 4), public reads, and the
size limit on request bodies.

Keys come from the operator, never from the repository: ``GRAPH_API_KEYS`` holds
``role:key`` pairs, ``GRAPH_API_KEYS_FILE`` a file of ``role:sha256-hex`` lines (make one with
``graph-service new-key``). Only SHA-256 digests are kept in memory; a presented key is
hashed and compared with every digest by :func:`hmac.compare_digest`, so neither a match
nor a miss returns early and the time taken does not tell how much of a key was right.

Roles are ordered ``read < write < admin``:

- ``read``: GET and HEAD under ``/api/`` and the pages (``/``, ``/map…``);
- ``write``: POST, PUT, PATCH and DELETE under ``/api/`` (imports and corrections);
- ``admin``: ``DELETE /api/graph`` (empties the store).

``/health``, ``/static/…``, the OpenAPI page and ``/login`` need no key: they hold no data.
Without a key the answer is 401 (``WWW-Authenticate: Bearer``), with a weaker role 403.
With ``GRAPH_PUBLIC_READS`` a read without a key is allowed in *public mode*: people
without consent appear under pseudonyms (:mod:`graph_service.privacy`). Browsers, which
cannot send a Bearer header when following a link, log in once at ``/login``; the key then
rides in an HttpOnly, SameSite=Strict cookie that counts for reads only, so a page of
another site can never make a browser write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

from graph_service.errors import (
    Forbidden,
    GraphServiceError,
    PayloadTooLarge,
    Unauthorized,
    UsageError,
)
from graph_service.settings import Settings

ROLES = ("read", "write", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
COOKIE = "graph_key"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: (method, path) pairs that need the admin role
ADMIN_ROUTES = frozenset({("DELETE", "/api/graph")})
#: paths anyone may open: no data behind them
OPEN_PATHS = frozenset(
    {"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/favicon.ico"}
)
OPEN_PREFIXES = ("/static/", "/login", "/logout")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of a key: what ``GRAPH_API_KEYS_FILE`` holds.

    >>> hash_key("s3cret")[:16]
    '1ec1c26b50d5d3c5'
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyRing:
    """The configured keys, as (role, SHA-256 digest) pairs."""

    entries: tuple[tuple[str, bytes], ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        """Parse ``GRAPH_API_KEYS`` and ``GRAPH_API_KEYS_FILE``; a malformed entry is a
        ``UsageError`` naming where it is (never the key itself)."""
        entries: list[tuple[str, bytes]] = []
        for n, pair in enumerate(settings.api_keys.split(","), start=1):
            if not pair.strip():
                continue
            role, key = _split(pair, f"GRAPH_API_KEYS entry {n}")
            if len(key) < 8:
                raise UsageError(f"GRAPH_API_KEYS entry {n}: a key needs at least 8 characters")
            entries.append((role, hashlib.sha256(key.encode("utf-8")).digest()))
        if settings.api_keys_file:
            path = Path(settings.api_keys_file).expanduser()
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise UsageError(f"GRAPH_API_KEYS_FILE {path}: cannot read it ({exc})") from exc
            for n, line in enumerate(lines, start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                role, digest = _split(line, f"{path}:{n}")
                digest = digest.lower()
                if not _HEX64.match(digest):
                    raise UsageError(
                        f"{path}:{n}: expected role:SHA-256 (64 hex digits) of the key; "
                        "`graph-service new-key` prints such a line"
                    )
                entries.append((role, bytes.fromhex(digest)))
        return cls(tuple(entries))

    def role_of(self, key: str) -> str | None:
        """The strongest role of ``key``, or None. Compares with every entry, in constant
        time each, whatever matches."""
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        best = -1
        for role, known in self.entries:
            if hmac.compare_digest(known, digest):
                best = max(best, RANK[role])
        return ROLES[best] if best >= 0 else None


def _split(entry: str, where: str) -> tuple[str, str]:
    role, sep, secret = entry.strip().partition(":")
    role = role.strip().lower()
    if not sep or role not in RANK or not secret.strip():
        raise UsageError(f"{where}: expected role:key with role read, write or admin")
    return role, secret.strip()


def required_role(method: str, path: str) -> str | None:
    """The role a request needs, or None when anyone may make it."""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return None
    if (method, path.rstrip("/")) in ADMIN_ROUTES:
        return "admin"
    if path.startswith("/api/") and method not in READ_METHODS:
        return "write"
    return "read"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _presented_key(headers: dict[str, str], method: str) -> tuple[str | None, str]:
    """The key a request presents and how: the Authorization header, or (reads only) the
    login cookie."""
    auth = headers.get("authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        return (value.strip() if scheme.lower() == "bearer" else ""), "header"
    if method in READ_METHODS and "cookie" in headers:
        for part in headers["cookie"].split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and value:
                from urllib.parse import unquote

                return unquote(value), "cookie"
    return None, ""


async def send_error(
    send: Send, error: GraphServiceError, headers: dict[str, str] | None = None
) -> None:
    """Answer with ``error`` in the one error shape (``GraphServiceError.to_dict``) from a
    middleware, before any route runs."""
    body = json.dumps(error.to_dict(), ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": error.http_status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class AccessMiddleware:
    """Checks every HTTP request's key against the role it needs, and records in
    ``scope["state"]`` the ``role`` granted and the ``privacy`` mode (``full`` or
    ``public``) the routes serve."""

    def __init__(self, app: ASGIApp, keys: KeyRing, public_reads: bool) -> None:
        self.app = app
        self.keys = keys
        self.public_reads = public_reads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        method, path = scope["method"], scope["path"]
        if not self.keys.enabled:
            state.update(role="admin", privacy="full")
            await self.app(scope, receive, send)
            return
        needed = required_role(method, path)
        headers = _headers(scope)
        key, how = _presented_key(headers, method)
        role = self.keys.role_of(key) if key else None
        if key is not None and role is None:
            if how == "cookie" and needed is None:
                role = None  # a stale cookie on an open page is no reason to refuse it
            else:
                await send_error(
                    send,
                    Unauthorized(
                        "the API key is not valid" + (" (log in again at /login)" if how else "")
                    ),
                    {"www-authenticate": 'Bearer error="invalid_token"'},
                )
                return
        if needed is None:
            state.update(role=role, privacy="full")  # open paths hold no data
            await self.app(scope, receive, send)
            return
        if role is None:
            if needed == "read" and self.public_reads:
                state.update(role=None, privacy="public")
                await self.app(scope, receive, send)
                return
            if not path.startswith("/api/") and "text/html" in headers.get("accept", ""):
                await _redirect_to_login(send, scope)
                return
            await send_error(
                send,
                Unauthorized(
                    f"{method} {path} needs an API key with the {needed} role: send "
                    "'Authorization: Bearer KEY'"
                ),
                {"www-authenticate": "Bearer"},
            )
            return
        if RANK[role] < RANK[needed]:
            await send_error(
                send,
                Forbidden(f"{method} {path} needs the {needed} role; this key has the {role} role"),
            )
            return
        state.update(role=role, privacy="full")
        await self.app(scope, receive, send)


async def _redirect_to_login(send: Send, scope: Scope) -> None:
    from urllib.parse import quote

    target = scope["path"] + ("?" + scope["query_string"].decode() if scope["query_string"] else "")
    location = "/login?next=" + quote(target, safe="")
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


class BodyLimitMiddleware:
    """Refuses a request body over its limit with 413, whether it says its length or
    streams: ``limit_for(path)`` bytes."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        message = (
            f"the request body is larger than {limit // 1024:,} KiB, the limit for "
            f"{scope['path']} (GRAPH_MAX_UPLOAD_MB sets it for /api/import)"
        )
        length = _headers(scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await send_error(send, PayloadTooLarge(message))
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge(message)
            return msg

        async def tracked_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await send_error(send, PayloadTooLarge(message))


class _TooLarge(HTTPException):
    """Raised from ``receive``: an HTTPException, so that FastAPI's body parsing passes it
    on (it turns other exceptions into 400) and the app answers 413 in the error shape."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message)

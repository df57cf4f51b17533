"""Who may do what: API keys with roles (CONTRACT.md section 4), public reads, and the
size limit on request bodies.

Keys come from the operator, never from the repository: ``GRAPH_API_KEYS`` holds
``role:key`` pairs, ``GRAPH_API_KEYS_FILE`` a file of ``role:sha256-hex`` lines (make one with
``graph-service new-key``). Only SHA-256 digests are kept in memory; a presented key is
hashed and compared with every digest by :func:`hmac.compare_digest`, so neither a match
nor a miss returns early and the time taken does not tell how much of a key was right.

Roles are ordered ``read < write < admin``:

- ``read``: GET and HEAD under ``/api/`` and the pages (``/``, ``/map…``);
- ``write``: POST, PUT, PATCH and DELETE under ``/api/`` (imports and corrections) and the
  upload page's forms (``/upload``, where a login session counts: see
  :data:`SESSION_WRITE_PREFIXES`);
- ``admin``: ``DELETE /api/graph`` (empties the store).

``/health``, ``/static/…``, the OpenAPI page and ``/login`` need no key: they hold no data.
Without a key the answer is 401 (``WWW-Authenticate: Bearer``), with a weaker role 403.
With ``GRAPH_PUBLIC_READS`` a read without a key is allowed in *public mode*: people
without consent appear under pseudonyms (:mod:`graph_service.privacy`).

Browsers, which cannot send a Bearer header when following a link, log in once at
``/login``: that opens a *session* (:class:`Sessions`), and the cookie holds only the
session's random token, never the key. The session lasts ``GRAPH_SESSION_HOURS``, ends at
``/logout`` (server-side: the old cookie is refused from then on) and whenever the key that
opened it no longer holds a role. The cookie is HttpOnly and SameSite=Strict and counts for
reads only, and for the upload page's forms (which also carry a token derived from the
session), so a page of another site can never make a browser write. Sessions live in the
service process's memory: a restart logs everyone out, and several processes behind one
address would each know only their own logins.

Cross-site requests (login CSRF and the like): a POST, PUT, PATCH or DELETE without an
``Authorization`` header (a form, ``/login``, ``/logout``, a browser's request) is refused
with 403 when its ``Origin`` (or, without one, its ``Referer``) is another site than the
service's own (the ``Host`` or ``X-Forwarded-Host`` header). A request with neither header
comes from a program, not from a page, and passes; a request with a key in its header
cannot be forged by another site and is not checked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
#: the login cookie: a session token (:class:`Sessions`), never a key
COOKIE = "graph_session"
#: the cookie of before issue 11, which held the key itself: login and logout delete it
OLD_COOKIE = "graph_key"
#: the most sessions kept at once; beyond it the oldest is dropped
MAX_SESSIONS = 10_000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: (method, path) pairs that need the admin role
ADMIN_ROUTES = frozenset({("DELETE", "/api/graph")})
#: paths anyone may open: no data behind them
OPEN_PATHS = frozenset(
    {
        "/health",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        "/favicon.ico",
        "/template.xlsx",
    }
)
OPEN_PREFIXES = ("/static/", "/login", "/logout")
#: page forms that write (issue 13: uploads from the browser): they need the write role,
#: and a login session counts for them (the route also checks a token derived from the
#: session, and a POST from another site's page is refused on its Origin as any other)
SESSION_WRITE_PREFIXES = ("/upload",)
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
        return self.role_of_digest(hashlib.sha256(key.encode("utf-8")).digest())

    def role_of_digest(self, digest: bytes) -> str | None:
        """The strongest role of the key whose SHA-256 digest is ``digest``, or None."""
        best = -1
        for role, known in self.entries:
            if hmac.compare_digest(known, digest):
                best = max(best, RANK[role])
        return ROLES[best] if best >= 0 else None


@dataclass(frozen=True)
class _Session:
    digest: bytes  # the SHA-256 digest of the key that opened it (its fingerprint)
    expires: float  # time.monotonic() when it ends


class Sessions:
    """The logins of browsers, in this process's memory: a session token's SHA-256 digest
    -> the digest of the key that opened it and when it ends.

    The token (``secrets.token_urlsafe(32)``) goes to the browser and is kept nowhere here;
    a session is good while it has not ended (:meth:`close`, its lifetime) and while the
    key that opened it still holds a role in the key ring it is checked against: the role
    is always the key's role in that ring, never one remembered from the login."""

    def __init__(self, lifetime: float, limit: int = MAX_SESSIONS) -> None:
        self.lifetime = lifetime
        self.limit = limit
        self._live: dict[bytes, _Session] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _id(token: str) -> bytes:
        return hashlib.sha256(token.encode("utf-8")).digest()

    def open(self, key_digest: bytes) -> str:
        """A new session for the key with SHA-256 digest ``key_digest``: its token."""
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for sid in [sid for sid, s in self._live.items() if s.expires <= now]:
                del self._live[sid]
            while len(self._live) >= self.limit:
                del self._live[next(iter(self._live))]  # the oldest
            self._live[self._id(token)] = _Session(key_digest, now + self.lifetime)
        return token

    def role_of(self, token: str, keys: KeyRing) -> str | None:
        """The role ``token``'s session has now, or None when there is no such session, it
        has ended, or its key is no longer in ``keys`` (then it ends for good)."""
        sid = self._id(token)
        with self._lock:
            session = self._live.get(sid)
            if session is None:
                return None
            role = keys.role_of_digest(session.digest)
            if role is None or session.expires <= time.monotonic():
                del self._live[sid]
                return None
            return role

    def close(self, token: str) -> bool:
        """End ``token``'s session; whether there was one."""
        with self._lock:
            return self._live.pop(self._id(token), None) is not None

    def __len__(self) -> int:
        return len(self._live)


_SESSIONS_LOCK = threading.Lock()


def sessions_of(app: Any) -> Sessions:
    """The sessions of a service (``app.state.sessions``), made on first use with the
    lifetime ``GRAPH_SESSION_HOURS`` of ``app.state.settings``."""
    sessions: Sessions | None = getattr(app.state, "sessions", None)
    if sessions is None:
        with _SESSIONS_LOCK:
            sessions = getattr(app.state, "sessions", None)
            if sessions is None:
                hours = getattr(getattr(app.state, "settings", None), "session_hours", 8.0)
                sessions = Sessions(float(hours) * 3600)
                app.state.sessions = sessions
    return sessions


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
    if path.startswith(("/api/", *SESSION_WRITE_PREFIXES)) and method not in READ_METHODS:
        return "write"
    return "read"


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _presented_key(headers: dict[str, str], method: str, path: str = "") -> tuple[str | None, str]:
    """What a request presents and how: a key in the Authorization header (``header``), or
    (reads, and the upload forms: :data:`SESSION_WRITE_PREFIXES`) a session token in the
    login cookie (``cookie``)."""
    auth = headers.get("authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        return (value.strip() if scheme.lower() == "bearer" else ""), "header"
    if method in READ_METHODS or path.startswith(SESSION_WRITE_PREFIXES):
        token = cookie_value(headers.get("cookie", ""), COOKIE)
        if token:
            return token, "cookie"
    return None, ""


def cookie_value(header: str, name: str) -> str | None:
    """The value of cookie ``name`` in a ``Cookie`` header, or None."""
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None


def is_https(headers: dict[str, str], scheme: str) -> bool:
    """Whether the browser reached the service over https: the request's scheme, or the
    ``X-Forwarded-Proto`` a proxy in front of it sets."""
    forwarded = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return scheme == "https" or forwarded == "https"


def _netloc(value: str) -> str:
    """``host[:port]`` lower-cased, without a default port (80, 443)."""
    value = value.strip().lower()
    for default in (":80", ":443"):
        if value.endswith(default):
            return value[: -len(default)]
    return value


def foreign_origin(headers: dict[str, str]) -> tuple[str, str] | None:
    """(the other site, this service) when a request's ``Origin`` (or, without one, its
    ``Referer``) names a site other than the service's own ``Host`` (or the
    ``X-Forwarded-Host`` a proxy sets); None when it is the service's own or names none.
    A browser cannot be made to forge either header by another site's page."""
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        if not referer:
            return None
        origin = referer
    own = {_netloc(headers.get("host", ""))}
    own |= {_netloc(h) for h in headers.get("x-forwarded-host", "").split(",") if h.strip()}
    own.discard("")
    try:
        parts = urlsplit(origin.strip())
        netloc = _netloc(parts.netloc) if parts.scheme in ("http", "https") else ""
    except ValueError:
        netloc = ""
    if netloc and netloc in own:
        return None
    shown = origin.strip()
    if shown != "null":
        shown = f"{parts.scheme}://{parts.netloc}" if netloc else shown[:200]
    return shown, headers.get("host", "") or "?"


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
        headers = _headers(scope)
        if method not in READ_METHODS and "authorization" not in headers:
            foreign = foreign_origin(headers)
            if foreign is not None:
                await send_error(
                    send,
                    Forbidden(
                        f"{method} {path} was sent from another site ({foreign[0]}), not from "
                        f"this service's own pages ({foreign[1]}): refused (cross-site request "
                        "forgery); a program sends its key in the Authorization header",
                        {"origin": foreign[0], "host": foreign[1]},
                    ),
                )
                return
        if not self.keys.enabled:
            state.update(role="admin", privacy="full")
            await self.app(scope, receive, send)
            return
        needed = required_role(method, path)
        key, how = _presented_key(headers, method, path)
        role: str | None = None
        if key and how == "cookie":
            role = sessions_of(scope["app"]).role_of(key, self.keys)
        elif key:
            role = self.keys.role_of(key)
        if key is not None and role is None:
            if how == "cookie" and needed is None:
                pass  # a stale cookie on an open page is no reason to refuse it
            elif how == "cookie" and _wants_page(path, headers):
                await _redirect_to_login(send, scope)
                return
            else:
                await send_error(
                    send,
                    Unauthorized(
                        "the login has ended (logged out, expired, or its key was removed): "
                        "log in again at /login"
                        if how == "cookie"
                        else "the API key is not valid"
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
            if _wants_page(path, headers):
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


def _wants_page(path: str, headers: dict[str, str]) -> bool:
    """A browser asking for a page (not the API): it is sent to /login rather than a 401."""
    return not path.startswith("/api/") and "text/html" in headers.get("accept", "")


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

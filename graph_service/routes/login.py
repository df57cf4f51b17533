"""``/login`` and ``/logout``: how a browser reads the maps of a service that needs keys.

A browser cannot add a Bearer header to a link it follows, so the key is given once in a
form. It opens a server-side session (graph_service.security.Sessions) and the browser keeps
only that session's random token, in an HttpOnly, SameSite=Strict cookie (Secure over
https) that lasts ``GRAPH_SESSION_HOURS``; the key itself is never written to the browser.
The cookie counts for reads only (graph_service.security): a write always needs the
``Authorization`` header. ``/logout`` ends the session on the server, so the old cookie is
refused from then on. A POST to either from another site's page is refused with 403 before
it gets here (the Origin check in graph_service.security.AccessMiddleware).
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graph_service.security import (
    COOKIE,
    OLD_COOKIE,
    KeyRing,
    hash_key,
    is_https,
    sessions_of,
)

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html><html lang="th"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>graph-service: เข้าสู่ระบบ / log in</title>
<style>body{{font-family:"Noto Sans Thai",Loma,Tahoma,sans-serif;margin:3em auto;max-width:28em;
padding:0 1em}}
input{{font-size:1em;padding:.3em;width:100%;box-sizing:border-box;margin:.4em 0}}
.error{{color:#a00}}</style>
<h1>graph-service</h1>
<p>บริการนี้ต้องใช้รหัสเข้าใช้ (API key) ขอได้จากผู้ดูแลระบบ เมื่อเข้าสู่ระบบแล้ว เบราว์เซอร์นี้จะดูแผนที่และตาราง
ได้ {hours:g} ชั่วโมง หรือจนกว่าจะ<a href="/logout">ออกจากระบบ</a> แต่แก้ไขข้อมูลไม่ได้</p>
<p>This service needs an API key (ask whoever runs it). Logging in keeps a session in this
browser (never the key itself) for {hours:g} hours or until you <a href="/logout">log out</a>;
it lets the browser read maps and tables, never change data.</p>
{error}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>รหัสเข้าใช้ / API key
<input type="password" name="key" autocomplete="current-password" autofocus></label>
<input type="submit" value="เข้าสู่ระบบ / Log in">
</form></html>"""


def _safe_next(target: str) -> str:
    """Only a path on this service: never an absolute URL (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _page(request: Request, error: str, target: str) -> str:
    hours = sessions_of(request.app).lifetime / 3600
    return PAGE.format(error=error, next=escape(target), hours=hours)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return HTMLResponse(_page(request, "", _safe_next(next)))


@router.post("/login", response_model=None)
def login(
    request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    keys: KeyRing = request.app.state.keys
    target = _safe_next(next)
    if not keys.enabled:
        return RedirectResponse(target, status_code=303)
    digest = bytes.fromhex(hash_key(key)) if key else b""
    if not key or keys.role_of_digest(digest) is None:
        page = _page(request, '<p class="error">That key is not valid.</p>', target)
        return HTMLResponse(page, status_code=401)
    sessions = sessions_of(request.app)
    previous = request.cookies.get(COOKIE)
    if previous:
        sessions.close(previous)  # a new login never keeps an old (perhaps planted) session
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        sessions.open(digest),
        max_age=int(sessions.lifetime),
        path="/",
        secure=is_https(dict(request.headers), request.url.scheme),
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(OLD_COOKIE, path="/")
    return response


def _logged_out(request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        sessions_of(request.app).close(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(OLD_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on the server and forget the cookie (the Origin was checked)."""
    return _logged_out(request)


LOGOUT_PAGE = """<!doctype html><html lang="th"><meta charset="utf-8">
<title>graph-service: log out</title>
<h1>graph-service</h1>
<form method="post" action="/logout"><input type="submit" value="Log out"></form></html>"""


@router.get("/logout", response_model=None)
def logout_link(request: Request) -> Response:
    """The link on the login page ends the session. A navigation the browser marks as
    coming from another site or a sibling subdomain (``Sec-Fetch-Site``) gets a button
    instead, so that no other page can log a browser out behind its back (the
    SameSite=Strict cookie would not ride along from another site anyway)."""
    if request.headers.get("sec-fetch-site", "none") not in ("same-origin", "none"):
        return HTMLResponse(LOGOUT_PAGE)
    return _logged_out(request)

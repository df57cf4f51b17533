"""``/login`` and ``/logout``: how a browser reads the maps of a service that needs keys.

A browser cannot add a Bearer header to a link it follows, so the key is given once in a
form and kept in an HttpOnly, SameSite=Strict cookie. The cookie counts for reads only
(graph_service.security): a write always needs the ``Authorization`` header.
"""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graph_service.security import COOKIE, KeyRing

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html><html lang="th"><meta charset="utf-8">
<title>graph-service: log in</title>
<style>body{{font-family:"Noto Sans Thai",Loma,Tahoma,sans-serif;margin:3em auto;max-width:28em}}
input{{font-size:1em;padding:.3em;width:100%;box-sizing:border-box;margin:.4em 0}}
.error{{color:#a00}}</style>
<h1>graph-service</h1>
<p>This service needs an API key (ask whoever runs it). It is kept in this browser until you
<a href="/logout">log out</a>, and lets the browser read maps and tables, never change data.</p>
{error}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>API key <input type="password" name="key" autocomplete="current-password" autofocus></label>
<input type="submit" value="Log in">
</form></html>"""


def _safe_next(target: str) -> str:
    """Only a path on this service: never an absolute URL (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(next: str = "/") -> HTMLResponse:
    return HTMLResponse(PAGE.format(error="", next=escape(_safe_next(next))))


@router.post("/login", response_model=None)
def login(
    request: Request, key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"
) -> Response:
    keys: KeyRing = request.app.state.keys
    target = _safe_next(next)
    if not keys.enabled:
        return RedirectResponse(target, status_code=303)
    if not key or keys.role_of(key) is None:
        page = PAGE.format(error='<p class="error">That key is not valid.</p>', next=escape(target))
        return HTMLResponse(page, status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        quote(key, safe=""),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=8 * 3600,
    )
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response

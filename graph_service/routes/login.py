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
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graph_service import i18n
from graph_service.routes.deps import Lang
from graph_service.security import (
    COOKIE,
    OLD_COOKIE,
    KeyRing,
    hash_key,
    is_https,
    sessions_of,
)

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{app}: {title}</title>
<style>body{{font-family:"Noto Sans Thai",Loma,Tahoma,sans-serif;margin:3em auto;max-width:28em;
padding:0 1em;line-height:1.55}}
input{{font-size:1em;padding:.3em;width:100%;box-sizing:border-box;margin:.4em 0}}
.error{{color:#a00}}.lang{{float:right}}</style>
<a class="lang" href="{switch}">{switch_text}</a>
<h1>{app}</h1>
<p>{intro} <a href="/logout">{logout}</a></p>
{error}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>{key}
<input type="password" name="key" autocomplete="current-password" autofocus></label>
<input type="submit" value="{submit}">
</form></html>"""


def _safe_next(target: str) -> str:
    """Only a path on this service: never an absolute URL (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _page(request: Request, lang: str, target: str, invalid: bool = False) -> str:
    def t(key: str, **values: object) -> str:
        return escape(i18n.text(lang, f"login.{key}", **values))

    hours = i18n.number(sessions_of(request.app).lifetime / 3600)
    other = next(x for x in i18n.LANGUAGES if x != lang)
    switch = "/login?" + urlencode({"next": target, i18n.LANGUAGE_PARAM: other})
    return PAGE.format(
        lang=lang,
        app=escape(i18n.text(lang, "common.app_name")),
        title=t("title"),
        intro=t("intro", hours=hours),
        logout=t("logout"),
        key=t("key"),
        submit=t("submit"),
        error=f'<p class="error">{t("invalid")}</p>' if invalid else "",
        next=escape(target),
        switch=escape(switch),
        switch_text=escape(i18n.text(lang, "common.language_switch")),
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: Lang, next: str = "/") -> HTMLResponse:
    return HTMLResponse(_page(request, lang, _safe_next(next)))


@router.post("/login", response_model=None)
def login(
    request: Request,
    lang: Lang,
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    keys: KeyRing = request.app.state.keys
    target = _safe_next(next)
    if not keys.enabled:
        return RedirectResponse(target, status_code=303)
    digest = bytes.fromhex(hash_key(key)) if key else b""
    if not key or keys.role_of_digest(digest) is None:
        page = _page(request, lang, target, invalid=True)
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


LOGOUT_PAGE = """<!doctype html><html lang="{lang}"><meta charset="utf-8">
<title>{app}: {logout}</title>
<h1>{app}</h1>
<form method="post" action="/logout"><input type="submit" value="{logout}"></form></html>"""


@router.get("/logout", response_model=None)
def logout_link(request: Request, lang: Lang) -> Response:
    """The link on the login page ends the session. A navigation the browser marks as
    coming from another site or a sibling subdomain (``Sec-Fetch-Site``) gets a button
    instead, so that no other page can log a browser out behind its back (the
    SameSite=Strict cookie would not ride along from another site anyway)."""
    if request.headers.get("sec-fetch-site", "none") not in ("same-origin", "none"):
        app_name = escape(i18n.text(lang, "common.app_name"))
        logout = escape(i18n.text(lang, "login.logout"))
        return HTMLResponse(LOGOUT_PAGE.format(lang=lang, app=app_name, logout=logout))
    return _logged_out(request)

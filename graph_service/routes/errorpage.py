"""Errors as a page, for a person in a browser.

A browser that follows a link to a page (``/``, ``/map…``, ``/upload``, ``/report``) and
meets an error gets a short page in the reader's language: what went wrong in plain words
(by the error's ``code``), what to do next, and the service's own message folded away under
"technical details". Programs (``/api/…``, or any request that does not ask for HTML) keep
the error shape of CONTRACT.md section 3.
"""

from __future__ import annotations

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse

from graph_service import i18n

#: paths whose errors are always JSON, whatever the client accepts
_MACHINE_PREFIXES = ("/api/", "/health", "/openapi.json", "/static/", "/docs", "/redoc")


def wants_page(request: Request) -> bool:
    """A browser's navigation to a page: it asks for HTML first and is not at the API."""
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept.split(",")[0]


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    """The page for an error with ``code`` (``not_found``, ``invalid_input`` ...)."""
    lang = str(getattr(request.state, "lang", i18n.DEFAULT_LANGUAGE))

    def t(key: str) -> str:
        return escape(i18n.text(lang, f"errors.{key}"))

    known = code if i18n.has(lang, f"errors.{code}.title") else "other"
    home = "/" if lang == i18n.DEFAULT_LANGUAGE else f"/?{i18n.LANGUAGE_PARAM}={lang}"
    page = f"""<!doctype html><html lang="{lang}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t(f"{known}.title")}</title>
<style>body{{font-family:"Noto Sans Thai",Loma,Tahoma,sans-serif;margin:3em auto;
max-width:36em;padding:0 1em;line-height:1.6;color:#222}}
details{{color:#555;font-size:.9em;margin-top:1.5em}}code{{white-space:pre-wrap}}</style>
<h1>{t(f"{known}.title")}</h1>
<p>{t(f"{known}.advice")}</p>
<p><a href="{home}">{t("home")}</a> · <a href="javascript:history.back()">{t("back")}</a></p>
<details><summary>{t("details")}</summary>
<p>{status} <code>{escape(code)}</code></p><p><code>{escape(message)}</code></p></details>
</html>"""
    return HTMLResponse(page, status_code=status)

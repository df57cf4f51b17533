"""``/``: what is loaded, with links. (The full home page with maps comes with the maps.)"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from graph_service.domain import KINDS
from graph_service.routes.deps import Store

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_home(store: Store) -> HTMLResponse:
    stats = store.stats()
    rows = "".join(
        f"<tr><td>{escape(kind)}</td><td>{escape(KINDS.get(kind) or '')}</td><td>{count}</td></tr>"
        for kind, count in sorted(stats.nodes.items())
    )
    rels = "".join(
        f"<tr><td>{escape(t)}</td><td>{c}</td></tr>" for t, c in sorted(stats.relationships.items())
    )
    page = f"""<!doctype html><html lang="th"><head><meta charset="utf-8">
<title>graph-service</title>
<style>body{{font-family:"Noto Sans Thai","Sarabun",sans-serif;margin:2em;max-width:50em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .6em}}</style></head>
<body><h1>graph-service</h1>
<p>The INN graph (Individual – Node – Network) in the {escape(store.engine)} store,
version {stats.version}.</p>
<h2>Entities</h2><table><tr><th>kind</th><th>INN level</th><th>count</th></tr>{rows}</table>
<h2>Relationships</h2><table><tr><th>type</th><th>count</th></tr>{rels}</table>
<h2>The four questions (JSON)</h2>
<ul><li><a href="/api/brokerage?group_by=admin_level">brokerage by admin level</a> ·
<a href="/api/brokerage?group_by=sector">by sector</a></li>
<li><a href="/api/overlap?by=area">fund overlap by area</a> ·
<a href="/api/overlap?by=beneficiary">by recipient</a></li>
<li><a href="/api/gaps?by=admin_level">vertical gaps</a> ·
<a href="/api/gaps?by=sector">horizontal gaps</a></li>
<li>reach: <code>/api/reach/ID?depth=2</code></li></ul>
<p><a href="/docs">API (OpenAPI)</a> · <a href="/api/stats">/api/stats</a> ·
<a href="/health">/health</a></p></body></html>"""
    return HTMLResponse(page)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon: an empty answer, so browsers log no error."""
    return Response(status_code=204)

"""``/``: the home page a newcomer understands: what is loaded (counts by kind and INN
level), links to every view, and the tables of the four questions as sortable HTML tables.

Every value from the data is escaped; the sorting script reads cell text only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from graph_service.analysis import brokerage as brokerage_mod
from graph_service.analysis import gaps as gaps_mod
from graph_service.analysis import overlap as overlap_mod
from graph_service.analysis import reach as reach_mod
from graph_service.domain import KINDS, LEVELS, Stats
from graph_service.errors import GraphServiceError
from graph_service.routes.analysis import AnswerCache, cache_of
from graph_service.routes.deps import Store
from graph_service.store.base import GraphStore

router = APIRouter()

#: rows per table on the home page (the JSON endpoints have them all)
TOP = 15

SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.dataset.order !== 'asc';
    table.querySelectorAll('th').forEach(function (h) { delete h.dataset.order; });
    th.dataset.order = asc ? 'asc' : 'desc';
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    rows.sort(function (a, b) {
      var x = a.cells[index].innerText, y = b.cells[index].innerText;
      var nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'th');
      return asc ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

STYLE = """
body{font-family:"Noto Sans Thai","Sarabun","Loma",Tahoma,sans-serif;margin:1.5em 2em;
max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;
padding:.2em .6em;text-align:left}th{background:#f3f3f3;cursor:pointer}
th[data-order=asc]::after{content:" ▲"}th[data-order=desc]::after{content:" ▼"}
td.num{text-align:right}nav a{margin-right:1em}.note{color:#666}
"""


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, int | float):
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        return f'<td class="num">{text}</td>'
    return f"<td>{escape(str(value))}</td>"


def _rounded(value: Any) -> str:
    """A measure written for reading: two decimals, ``-`` when there is none.

    >>> _rounded(-0.2093023256), _rounded(None), _rounded(1)
    ('-0.21', '-', '1')
    """
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _link(text: str, href: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], links: int | None = None) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            if links is not None and i == links and isinstance(value, str):
                cells.append(f"<td>{_link(value, '/map/focus/' + quote(value, safe=''))}</td>")
            else:
                cells.append(_cell(value))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _section(title: str, build: Callable[[], str]) -> str:
    try:
        content = build()
    except GraphServiceError as exc:
        content = f'<p class="note">{escape(exc.message)}</p>'
    return f"<h2>{escape(title)}</h2>{content}"


#: the views the home page links to: (text, href)
VIEWS = (
    ("whole network", "/map"),
    ("node level", "/map?level=node"),
    ("network level", "/map?level=network"),
    ("brokerage map", "/map/brokerage"),
    ("fund overlap map", "/map/overlap"),
    ("gaps map", "/map/gaps"),
    ("cut points map", "/map/fragility"),
    ("chain map", "/map/path"),
    ("API (OpenAPI)", "/docs"),
    ("health", "/health"),
)
BROKERAGE_COLUMNS = (
    "id",
    "name",
    "group",
    "coordinator",
    "itinerant",
    "representative",
    "gatekeeper",
    "liaison",
    "total",
    "z",
    "constraint",
    "betweenness",
)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_home(request: Request, store: Store) -> HTMLResponse:
    stats = store.stats()
    cache = cache_of(request)
    total = sum(stats.nodes.values())
    views = " ".join(_link(text, href) for text, href in VIEWS)
    sections = (
        _render_questions(cache, store)
        if total
        else '<p class="note">The graph is empty: import a dataset first.</p>'
    )
    page = f"""<!doctype html><html lang="th"><head><meta charset="utf-8">
<title>graph-service</title><style>{STYLE}</style></head>
<body><h1>graph-service</h1>
<p>The INN graph (Individual – Node – Network) in the {escape(store.engine)} store:
{total} entities and {sum(stats.relationships.values())} relationships, version
{stats.version}.</p>
<nav>{views}</nav>
<h2>What is loaded</h2>{_render_counts(stats)}
{sections}
<script>{SORT_SCRIPT}</script></body></html>"""
    return HTMLResponse(page)


def _render_counts(stats: Stats) -> str:
    """What is loaded: entities by kind and by INN level, relationships by type."""
    kinds = _table(
        ["kind", "INN level", "count"],
        [[k, KINDS.get(k) or "", c] for k, c in sorted(stats.nodes.items())],
    )
    by_level = {lv: sum(c for k, c in stats.nodes.items() if KINDS.get(k) == lv) for lv in LEVELS}
    levels = _table(["INN level", "count"], [[lv, c] for lv, c in by_level.items()])
    rels = _table(
        ["relationship type", "count"], [[t, c] for t, c in sorted(stats.relationships.items())]
    )
    return kinds + levels + rels


def _render_questions(cache: AnswerCache, store: GraphStore) -> str:
    """The four questions' tables, each answered from the cache the JSON endpoints use."""
    return "".join(
        _section(title, partial(build, cache, store))
        for title, build in (
            ("Brokerage: who connects groups", _render_brokerage),
            ("Fund overlap by area", _render_overlap),
            ("Missing links", _render_gaps),
            ("Reach of the main brokers", _render_reach),
        )
    )


def _render_brokerage(cache: AnswerCache, store: GraphStore) -> str:
    doc = cache.answer(store, brokerage_mod.brokerage, group_by="admin_level")
    rows = [
        [
            r["id"],
            r["name"],
            r["group"],
            r["coordinator"],
            r["itinerant"],
            r["representative"],
            r["gatekeeper"],
            r["liaison"],
            r["total"],
            r["z"]["total"],
            r["constraint"],
            r["betweenness"],
        ]
        for r in doc["nodes"][:TOP]
    ]
    return (
        '<p class="note">Gould–Fernandez roles grouped by admin_level; '
        f"{_link('all actors (JSON)', '/api/brokerage')}</p>"
        + _table(BROKERAGE_COLUMNS, rows, links=0)
    )


def _render_overlap(cache: AnswerCache, store: GraphStore) -> str:
    doc = cache.answer(store, overlap_mod.overlap, by="area")
    if not doc["pairs"]:
        return '<p class="note">No two funds share an area.</p>'
    rows = [
        [
            p["fund_a"],
            p["fund_b"],
            p["kind"],
            len(p["shared"]),
            p["jaccard"],
            p["overlap"],
            p["weighted_jaccard"],
        ]
        for p in doc["pairs"][:TOP]
    ]
    return (
        _table(["fund A", "fund B", "kind", "shared areas", "Jaccard", "overlap", "weighted"], rows)
        + f'<p class="note">{len(doc["unfunded"])} area(s) no fund reaches.</p>'
    )


def _render_gaps(cache: AnswerCache, store: GraphStore) -> str:
    parts = []
    for by in ("admin_level", "sector"):
        doc = cache.answer(store, gaps_mod.gaps, by=by)
        rows = [
            [
                m["from"],
                m["to"],
                m.get("level") or "",
                m["direction"],
                m.get("status"),
                ", ".join(m["brokers"][:5]),
            ]
            for m in doc["missing"][:TOP]
        ]
        parts.append(
            f"<h3>by {escape(by)} (E-I index {_rounded(doc['ei_index'])})</h3>"
            + (
                _table(["from", "to", "level", "direction", "status", "could close it"], rows)
                if rows
                else '<p class="note">No missing link.</p>'
            )
        )
    return "".join(parts)


def _render_reach(cache: AnswerCache, store: GraphStore) -> str:
    doc = cache.answer(store, brokerage_mod.brokerage, group_by="admin_level")
    rows = []
    for ref in (r["id"] for r in doc["nodes"][:10]):  # the nodes come by total, then id
        r = cache.answer(store, reach_mod.reach, ref=ref, depth=2)
        rows.append([ref, r["name"], r["reach"], r["weighted_reach"], r["by_kind"].get("Area", 0)])
    return _table(["id", "name", "reach (2 steps)", "weighted", "areas"], rows, links=0)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon: an empty answer, so browsers log no error."""
    return Response(status_code=204)

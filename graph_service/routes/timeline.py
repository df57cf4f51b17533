"""The network over time (CONTRACT.md 2c; issue 14): ``GET /api/diff`` (what changed
between two dates), ``GET /api/history/{id}`` (every value of an entity and of its
relationships over time), ``GET /api/timeline`` and the page ``/timeline`` (the whole
graph's size on each recorded date). The before/after map is ``/map/diff``
(graph_service.routes.maps); ``?as_of=`` on every read is graph_service.routes.deps'.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from graph_service import i18n
from graph_service.errors import InvalidInput, Unauthorized
from graph_service.routes.analysis import cache_of
from graph_service.routes.deps import Lang, Store, switch_href
from graph_service.routes.maps import DayFrom, DayTo
from graph_service.routes.models import Open, _example, page_responses, responses
from graph_service.store.base import GraphStore
from viz.base import PAGE_STYLE

router = APIRouter()


class DiffDocument(Open):
    """``diff --json`` (CONTRACT.md 2c), with ``names`` (the names of the entities that
    joined or left) and ``directions`` (how many ties added and ended among actors run
    horizontally and vertically)."""

    model_config = _example(
        {
            "from": "2023-01-01",
            "to": "2024-01-01",
            "entities": {"added": ["p3"], "removed": ["p2"], "changed": []},
            "relationships": {
                "added": [{"source": "p3", "type": "MEMBER_OF", "target": "o2", "id": None}],
                "removed": [{"source": "p2", "type": "WORKS_FOR", "target": "o2", "id": None}],
                "changed": [],
            },
            "measures": {"entities": [4, 4], "relationships": [3, 3]},
            "names": {"p2": "นาย สมชาย", "p3": "นาง วันดี"},
            "directions": {
                "added_horizontal": 0,
                "added_vertical": 0,
                "removed_horizontal": 0,
                "removed_vertical": 0,
            },
        }
    )

    from_: str = Field(alias="from", description="the earlier day (ISO)")
    to: str = Field(description="the later day (ISO)")
    entities: dict[str, list[Any]] = Field(description="added and removed ids; changed")
    relationships: dict[str, list[Any]] = Field(description="added, removed and changed")
    measures: dict[str, list[Any]] = Field(description="measure -> [old, new]")
    names: dict[str, str] = Field(description="id -> name of those that joined or left")
    directions: dict[str, int] = Field(description="ties added and ended by direction")


class HistoryDocument(Open):
    """``show ID --history --json``: every version of the entity and of its relationships,
    oldest first (``to`` null: the version that holds now; ``from`` null: recorded before
    history was kept)."""

    id: str
    name: str | None = None
    kind: str
    versions: list[dict[str, Any]]
    properties: dict[str, list[dict[str, Any]]]
    relationships: list[dict[str, Any]]


class TimelineDocument(Open):
    """The whole graph's size on each day the store recorded, and now."""

    model_config = _example(
        {
            "days": [
                {"day": "2023-01-01", "entities": 4, "relationships": 3},
                {
                    "day": "2024-01-01",
                    "entities": 5,
                    "relationships": 5,
                    "joined": 2,
                    "left": 1,
                    "added": 3,
                    "ended": 1,
                },
            ],
            "now": {"entities": 5, "relationships": 5},
        }
    )

    days: list[dict[str, Any]] = Field(
        description="{day, entities, relationships} per day; from the second day on also "
        "joined, left (entities) and added, ended (relationships) since the day before"
    )
    now: dict[str, int] = Field(description="{entities, relationships} now")


def _days(request: Request, store: GraphStore, day_from: str | None, day_to: str | None) -> Any:
    from viz.views import diff_days

    first, last = cache_of(request).answer(store, diff_days, day_from=day_from, day_to=day_to)
    if first is None or last is None:
        raise InvalidInput(
            "no history to compare: the store recorded fewer than two days; give from and "
            "to, or import each year's data with import --snapshot YEAR",
            {"parameter": "from"},
        )
    return first, last


@router.get(
    "/api/diff",
    summary="What changed between two dates (diff --json)",
    tags=["time"],
    responses=responses(DiffDocument, "the diff document", 400, 422),
)
def get_diff(
    request: Request, store: Store, from_: DayFrom = None, to: DayTo = None
) -> dict[str, Any]:
    """Entities that joined and left, relationships added, ended and changed (with old and
    new values), and the measures that matter on each date (``[old, new]``), as ``diff
    --from --to --json``. ``from`` a year is its first day, ``to`` its last; without them
    the last two days the store recorded. In public mode, people without consent appear
    under their pseudonyms."""
    from viz.views import diff_document

    first, last = _days(request, store, from_, to)
    doc: dict[str, Any] = cache_of(request).answer(
        store, diff_document, day_from=first.isoformat(), day_to=last.isoformat()
    )
    return doc


@router.get(
    "/api/history/{ref:path}",
    summary="Every value of an entity and of its relationships over time (show --history)",
    tags=["time"],
    responses=responses(HistoryDocument, "the history document", 401, 404),
)
def get_history(store: Store, ref: str) -> dict[str, Any]:
    """Each version of the entity (by id or unique name; one that has left the network by
    its id) and of each relationship that starts or ends at it, with the days it held
    (``show ID --history --json``). Readers with a key only: past values cannot be shown
    under the public view's pseudonyms."""
    from graph_service.entities import entity_history
    from viz.views import _public_of, history_store

    if _public_of(store) is not None:
        raise Unauthorized(
            "the history of an entity is for readers with an API key: its past values "
            "cannot be shown under the public view's pseudonyms"
        )
    base = history_store(store)
    if base is None:
        raise InvalidInput(f"this store ({store.engine}) keeps no history", {})
    return entity_history(base, ref)


@router.get(
    "/api/timeline",
    summary="The whole graph's size on each recorded date",
    tags=["time"],
    responses=responses(TimelineDocument, "the timeline document"),
)
def get_timeline(request: Request, store: Store) -> dict[str, Any]:
    """Entities and relationships as of each day the store recorded something (an import,
    a snapshot, an edit), and now."""
    from viz.views import counts_over_time

    doc: dict[str, Any] = cache_of(request).answer(store, counts_over_time)
    return doc


# -- the page ----------------------------------------------------------------------------------

STYLE = (
    PAGE_STYLE
    + """main{max-width:60em;margin:0 auto;padding:1em 1.2em 2em}
.answer{font-size:1.05em;margin:.4em 0 1em}
figure{margin:0 0 1em;background:#fff;border:1px solid #dde;border-radius:10px;padding:.6em}
figure svg{width:100%;max-width:600px;height:auto;display:block;margin:0 auto}
figcaption{font-size:.9em;color:#555;margin-top:.3em}
.scroll{overflow-x:auto;background:#fff;border:1px solid #dde;border-radius:10px}
table{border-collapse:collapse;width:100%;font-size:.95em}
td,th{border-bottom:1px solid #eee;padding:.35em .6em;text-align:left;vertical-align:top}
td.n,.day{white-space:nowrap}th{font-size:.9em}.links{font-size:.85em}
th{color:#555;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#2e7d32}.down{color:#c62828}.empty{background:#fff;border:1px solid #dde;
border-radius:10px;padding:1em}
"""
)


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"time.{key}", **values)


def _chart(rows: list[dict[str, Any]], lang: str) -> str:
    """Two lines over the recorded days: entities (solid) and relationships (dashed), each
    point labelled with its count; the days along the bottom."""
    width, height, left, right, top, bottom = 480, 200, 14, 14, 24, 40
    top_value = max([1] + [max(r["entities"], r["relationships"]) for r in rows])
    span = max(len(rows) - 1, 1)

    def x(k: int) -> float:
        return left + (width - left - right) * (k / span if len(rows) > 1 else 0.5)

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(_t(lang, "web.timeline_chart"))}">',
        f'<line x1="{left}" y1="{y(0):.1f}" x2="{width - right}" y2="{y(0):.1f}" stroke="#ccc"/>',
    ]
    for key, colour, dash, above in (
        ("entities", "#1f5fa8", "", True),
        ("relationships", "#e07b00", ' stroke-dasharray="6 4"', False),
    ):
        points = " ".join(f"{x(k):.1f},{y(r[key]):.1f}" for k, r in enumerate(rows))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
        for k, r in enumerate(rows):
            dy = -8 if above else 16
            parts.append(
                f'<circle cx="{x(k):.1f}" cy="{y(r[key]):.1f}" r="4" fill="{colour}"/>'
                f'<text x="{x(k):.1f}" y="{y(r[key]) + dy:.1f}" font-size="12" '
                f'text-anchor="middle" fill="{colour}">{escape(i18n.number(r[key]))}</text>'
            )
    for k, r in enumerate(rows):
        anchor = "start" if k == 0 and len(rows) > 1 else "end" if k == len(rows) - 1 else "middle"
        if len(rows) == 1:
            anchor = "middle"
        parts.append(
            f'<text x="{x(k):.1f}" y="{height - 16}" font-size="12" text-anchor="{anchor}" '
            f'fill="#444">{escape(i18n.date(r["day"], lang))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_timeline(doc: dict[str, Any], lang: str, switch_href: str) -> str:
    """The page ``/timeline``: a sentence, the chart, and a table of the days (each with a
    link to the map as of that day and to what changed since the day before)."""
    rows = doc["days"]
    other = next(x for x in i18n.LANGUAGES if x != lang)
    title = _t(lang, "timeline_title")
    if len(rows) >= 1:
        first, last = rows[0], rows[-1]
        sentence = _t(
            lang,
            "web.timeline_sentence" if len(rows) > 1 else "web.timeline_sentence_one",
            count=i18n.number(len(rows)),
            first=i18n.date(first["day"], lang),
            last=i18n.date(last["day"], lang),
            first_entities=i18n.number(first["entities"]),
            first_relationships=i18n.number(first["relationships"]),
            last_entities=i18n.number(last["entities"]),
            last_relationships=i18n.number(last["relationships"]),
        )
    else:
        sentence = ""
    body = []
    if len(rows) < 2:
        body.append(f'<p class="empty">{escape(_t(lang, "web.no_history"))}</p>')
    if rows:
        body.append(f'<p class="answer">{escape(sentence)}</p>')
        if len(rows) >= 2:
            body.append(
                f"<figure>{_chart(rows, lang)}<figcaption>"
                f"{escape(_t(lang, 'web.timeline_chart'))}</figcaption></figure>"
            )
        head = "".join(
            f"<th>{escape(_t(lang, k))}</th>"
            for k in ("timeline_day", "timeline_entities", "timeline_relationships")
        )
        head += f"<th>{escape(_t(lang, 'web.timeline_change'))}</th>"
        lines = []
        previous: dict[str, Any] | None = None
        for r in rows:
            change = ""
            day_map = i18n.with_lang("/map?" + urlencode({"as_of": r["day"]}), lang)
            links = [f'<a href="{escape(day_map)}">{escape(_t(lang, "web.timeline_see"))}</a>']
            if previous is not None:
                parts = [
                    f'<span class="{cls}">{escape(_t(lang, key, count=i18n.number(r[field])))}'
                    "</span>"
                    for field, key, cls in (
                        ("joined", "joined", "up"),
                        ("left", "left", "down"),
                        ("added", "web.ties_added", "up"),
                        ("ended", "ended", "down"),
                    )
                    if r.get(field)
                ]
                change = "<br>".join(parts) or escape(_t(lang, "no_change"))
                query = urlencode({"from": previous["day"], "to": r["day"]})
                links.append(
                    f'<a href="{escape(i18n.with_lang("/map/diff?" + query, lang))}">'
                    f"{escape(_t(lang, 'web.timeline_compare'))}</a>"
                )
            lines.append(
                f'<tr><td><span class="day">{escape(i18n.date(r["day"], lang))}</span><br>'
                f'<span class="links">{" · ".join(links)}</span></td>'
                f'<td class="n">{escape(i18n.number(r["entities"]))}</td>'
                f'<td class="n">{escape(i18n.number(r["relationships"]))}</td>'
                f"<td>{change}</td></tr>"
            )
            previous = r
        now = doc["now"]
        lines.append(
            f'<tr><td><span class="day">{escape(_t(lang, "now"))}</span><br>'
            f'<span class="links"><a href="{escape(i18n.with_lang("/map", lang))}">'
            f"{escape(_t(lang, 'web.timeline_see'))}</a></span></td>"
            f'<td class="n">{escape(i18n.number(now["entities"]))}</td>'
            f'<td class="n">{escape(i18n.number(now["relationships"]))}</td><td></td></tr>'
        )
        body.append(
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table></div>"
        )
    home = escape(i18n.text(lang, "maps.page.home"))
    switch = escape(i18n.text(lang, "common.language_switch"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><header><h1>{escape(title)}</h1><nav><a href="{escape(i18n.with_lang("/", lang))}">{home}</a>
<a href="{escape(i18n.with_lang("/map/diff", lang))}">{escape(_t(lang, "compare"))}</a>
<a hreflang="{other}" lang="{other}" href="{escape(switch_href)}">{switch}</a></nav></header>
<main>{"".join(body)}</main></body></html>"""


@router.get(
    "/timeline",
    response_class=HTMLResponse,
    summary="The whole graph's size on each recorded date, with links to each date's map",
    responses=page_responses(),
)
def timeline_page(request: Request, store: Store, lang: Lang) -> HTMLResponse:
    from viz.views import counts_over_time

    doc = cache_of(request).answer(store, counts_over_time)
    return HTMLResponse(render_timeline(doc, lang, switch_href(request, lang)))

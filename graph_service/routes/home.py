"""``/``: the first screen a planner sees, in Thai by default (English on the switch).

What is loaded, then one card per question the users ask (viz/answers.py): the question, the
figure that answers it, a one-sentence answer, what the measure means, the top rows by name
(the id on hover), and links to its map and its whole table. Every text comes from the
message catalogue (graph_service/messages/*/home.toml); every value from the data is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from graph_service import i18n
from graph_service.routes.analysis import cache_of
from graph_service.routes.deps import (
    AS_OF,
    Lang,
    Store,
    as_of_of,
    recorded_days_of,
    switch_href,
)
from graph_service.store.base import GraphStore
from viz.answers import Answer, Loaded

router = APIRouter()

STYLE = """
*{box-sizing:border-box}
body{font-family:"Noto Sans Thai","Sarabun","Loma","Garuda",Tahoma,sans-serif;margin:0;
color:#222;background:#f6f7f9;font-size:16px;line-height:1.55}
header.top{background:#fff;border-bottom:1px solid #dde;padding:.8em 1.2em;display:flex;
flex-wrap:wrap;gap:.6em 1.2em;align-items:center;justify-content:space-between}
header h1{font-size:1.35em;margin:0}.tagline{margin:.1em 0 0;color:#555;font-size:.9em;
max-width:46em}
.actions{display:flex;flex-wrap:wrap;gap:.5em;align-items:center}
a{color:#1f5fa8}.button{display:inline-block;padding:.35em .9em;border:1px solid #1f5fa8;
border-radius:6px;text-decoration:none;background:#fff}
.button.primary{background:#1f5fa8;color:#fff}.lang{font-size:.95em}
main{max-width:78em;margin:0 auto;padding:1em 1.2em 2em}
.loaded p{margin:.2em 0}.note{color:#666;font-size:.9em}
.chips{list-style:none;padding:0;margin:.5em 0 0;display:flex;flex-wrap:wrap;gap:.4em}
.chips li{background:#fff;border:1px solid #dde;border-radius:999px;padding:.1em .8em}
.chips .n{font-weight:600}
h2.section{font-size:1.15em;margin:1.2em 0 .5em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,22em),1fr));
gap:1em}
.card{background:#fff;border:1px solid #dde;border-radius:10px;padding:.9em 1em;
min-width:0;display:flex;flex-direction:column}
.card h2{font-size:1.05em;margin:0 0 .3em}.figure{font-size:2em;font-weight:700;
color:#1f5fa8;line-height:1.2}
.answer{margin:.3em 0}.card details{font-size:.9em;color:#444;margin:.2em 0}
.card summary{cursor:pointer;color:#1f5fa8}
.card table{border-collapse:collapse;width:100%;font-size:.88em;margin:.4em 0}
.card td,.card th{border-bottom:1px solid #eee;padding:.2em .3em;text-align:left;
vertical-align:top;overflow-wrap:break-word}
.card th{color:#555;font-weight:600}.scroll{overflow-x:auto}
.card .links{margin-top:auto;padding-top:.4em}
.card .links a{margin-right:.8em}
nav.views{margin-top:1.5em}nav.views h2{font-size:1.05em}nav.views a{margin-right:1.2em;
display:inline-block}
.empty{background:#fff;border:1px solid #dde;border-radius:10px;padding:1em}
.as-of{margin:0 0 .8em;padding:.5em .8em;background:#fff4d6;border-left:4px solid #e0a800;
font-weight:600;color:#5a4300}.as-of a{font-weight:normal;margin-left:.5em}
#q-change{border-color:#9cc7a0}
@media print{header .actions{display:none}.card{break-inside:avoid}}
"""


#: the views the home page links to: (message key in home.toml, href)
VIEWS = (
    ("view_whole", "/map"),
    ("view_node", "/map?level=node"),
    ("view_network", "/map?level=network"),
    ("view_report", "/report"),
    ("view_api", "/docs"),
)
#: the views of meetings and Outcome Mapping, linked when the graph holds their kind
RECORD_VIEWS = (
    ("view_attendance", "/attendance", "Event"),
    ("view_ladder", "/om/ladder", "ProgressMarker"),
    ("view_strategies", "/om/strategies", "Strategy"),
    ("view_contributors", "/om/contributors", "JournalEntry"),
)


def _answers(request: Request, store: GraphStore, lang: str, what: Loaded) -> list[Answer]:
    """The cards: how the network changed first when the store recorded two days or more
    (up to the day the page shows), then one per question."""
    from viz.answers import answer_change, home_answers

    if not what.total:
        return []
    ask = cache_of(request).answer
    day = as_of_of(request)
    answers = home_answers(store, lang, ask=ask)
    days = recorded_days_of(request, store)
    if day is not None:
        days = [d for d in days if d <= day.isoformat()]
    change = answer_change(store, lang, days, ask=ask)
    return [change, *answers] if change is not None else answers


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def get_home(request: Request, store: Store, lang: Lang) -> HTMLResponse:
    """The first screen: what is loaded, then one card per question with its answer."""
    from viz.answers import loaded

    what = loaded(store, lang)
    answers = _answers(request, store, lang, what)
    day = as_of_of(request)
    days = recorded_days_of(request, store)
    return HTMLResponse(
        render_home(
            lang,
            what,
            answers,
            switch_href(request, lang),
            as_of=day.isoformat() if day else None,
            now_href=_now_href(request),
            history=len(days) >= 2,
            first_record=days[0] if days else None,
        )
    )


@router.get(
    "/api/home",
    summary="The home page's answers: one card per question, in the reader's language",
    tags=["questions"],
)
def get_home_answers(request: Request, store: Store, lang: Lang) -> dict[str, Any]:
    """What the home page shows, as data: what is loaded (counts by kind, with the reader's
    word for each), and for each question its title, figure, one-sentence answer, what the
    measure means, its top rows (cells and the ids they name) and the links to its map and
    its whole table. ``?lang=en`` for English."""
    from viz.answers import loaded

    what = loaded(store, lang)
    answers = _answers(request, store, lang, what)
    return {
        "lang": lang,
        "loaded": {
            "total": what.total,
            "relationships": what.relationships,
            "version": what.version,
            "engine": what.engine,
            "by_kind": [{"kind": k, "word": w, "count": c} for k, w, c in what.by_kind],
        },
        "answers": [
            {
                "key": a.key,
                "title": a.title,
                "figure": a.figure,
                "sentence": a.sentence,
                "explain": a.explain,
                "map": a.map_href,
                "table": a.table_href,
                "headers": list(a.headers),
                "rows": [{"cells": list(r.cells), "ids": list(r.ids)} for r in a.rows],
            }
            for a in answers
        ],
    }


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"home.{key}", **values)


def _now_href(request: Request) -> str:
    """This page without ``as_of``: the network now."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != AS_OF]
    return request.url.path + ("?" + urlencode(query) if query else "")


def _with_lang(href: str, lang: str, as_of: str | None = None) -> str:
    """A link that keeps the reader's language even where cookies are off, and the day the
    page shows the network as of (a map of a card shows the same day as the card)."""
    extra = []
    if as_of and not href.startswith(("/map/diff", "/api/diff", "/timeline")):
        extra.append((AS_OF, as_of))
    if not href.startswith("/api/") and lang != i18n.DEFAULT_LANGUAGE:
        extra.append((i18n.LANGUAGE_PARAM, lang))
    if not extra:
        return href
    return href + ("&" if "?" in href else "?") + urlencode(extra)


def _card(answer: Answer, lang: str, as_of: str | None = None) -> str:
    esc = escape
    figure = f'<div class="figure">{esc(answer.figure)}</div>' if answer.figure else ""
    explain = (
        f"<details><summary>{esc(_t(lang, 'what_is_it'))}</summary>"
        f"<p>{esc(answer.explain)}</p></details>"
        if answer.explain
        else ""
    )
    table = ""
    if answer.rows:
        head = "".join(f"<th>{esc(h)}</th>" for h in answer.headers)
        body = "".join(
            "<tr"
            + (f' title="{esc(_t(lang, "id_title", id=", ".join(r.ids)))}"' if r.ids else "")
            + ">"
            + "".join(f"<td>{esc(c)}</td>" for c in r.cells)
            + "</tr>"
            for r in answer.rows
        )
        table = (
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>"
        )
    links = []
    if answer.map_href:
        links.append(
            f'<a class="button" href="{esc(_with_lang(answer.map_href, lang, as_of))}">'
            f"{esc(_t(lang, 'see_map'))}</a>"
        )
    if answer.table_href:
        links.append(
            f'<a href="{esc(_with_lang(answer.table_href, lang, as_of))}">'
            f"{esc(_t(lang, 'see_table'))}</a>"
        )
    return (
        f'<section class="card" id="q-{esc(answer.key)}"><h2>{esc(answer.title)}</h2>'
        f'{figure}<p class="answer">{esc(answer.sentence)}</p>{explain}{table}'
        f'<p class="links">{" ".join(links)}</p></section>'
    )


def render_home(
    lang: str,
    what: Loaded,
    answers: Sequence[Answer],
    switch_href: str,
    *,
    as_of: str | None = None,
    now_href: str = "/",
    history: bool = False,
    first_record: str | None = None,
) -> str:
    """The home page's HTML: header, what is loaded, the cards, the other views. With
    ``as_of`` (an ISO day) a banner says the page is the network as of that day, and the
    links keep the day; with ``history`` (two recorded days or more) the other views
    include the before/after map and the timeline."""
    esc = escape
    other = next(x for x in i18n.LANGUAGES if x != lang)
    banner = ""
    if as_of:
        banner = (
            f'<p class="as-of">'
            f"{esc(i18n.text(lang, 'time.as_of_banner', date=i18n.date(as_of, lang)))}"
            f' <a href="{esc(now_href)}">{esc(i18n.text(lang, "time.web.back_to_now"))}</a></p>'
        )
    if what.total:
        chips = "".join(
            f'<li><span class="n">{esc(i18n.number(count))}</span> {esc(word)}</li>'
            for _, word, count in what.by_kind
        )
        counts = _t(
            lang,
            "loaded",
            total=i18n.number(what.total),
            relationships=i18n.number(what.relationships),
        )
        where = _t(
            lang,
            "loaded_store",
            engine=i18n.word(lang, "engine", what.engine),
            version=what.version,
        )
        summary = (
            f'<p>{esc(counts)} <span class="note">{esc(where)}</span></p>'
            f'<ul class="chips">{chips}</ul>'
        )
        cards = "".join(_card(a, lang, as_of) for a in answers)
        views = " ".join(
            f'<a href="{esc(_with_lang(href, lang, as_of))}">{esc(_t(lang, key))}</a>'
            for key, href in VIEWS
        )
        if history:
            views += "".join(
                f' <a href="{esc(_with_lang(href, lang))}">{esc(i18n.text(lang, key))}</a>'
                for key, href in (
                    ("time.compare", "/map/diff"),
                    ("time.timeline_title", "/timeline"),
                )
            )
        kinds = {kind for kind, _, count in what.by_kind if count}
        views += "".join(
            f' <a href="{esc(_with_lang(href, lang, as_of))}">{esc(_t(lang, key))}</a>'
            for key, href, kind in RECORD_VIEWS
            if kind in kinds
        )
        main = (
            f'<section class="loaded">{summary}</section>'
            f'<h2 class="section">{esc(_t(lang, "questions"))}</h2>'
            f'<div class="cards">{cards}</div>'
            f'<nav class="views"><h2>{esc(_t(lang, "other_views"))}</h2>{views}</nav>'
        )
    elif as_of and first_record:
        nothing = i18n.text(
            lang,
            "time.web.nothing_as_of",
            date=i18n.date(as_of, lang),
            first=i18n.date(first_record, lang),
        )
        main = f'<section class="loaded empty"><p>{esc(nothing)}</p></section>'
    else:
        main = (
            f'<section class="loaded empty"><p>{esc(_t(lang, "empty"))}</p>'
            f'<p><a class="button primary" href="{esc(_with_lang("/upload", lang))}">'
            f'{esc(_t(lang, "upload"))}</a> <a class="button" href="/template.xlsx">'
            f"{esc(_t(lang, 'template'))}</a></p></section>"
        )
    upload = esc(_with_lang("/upload", lang))
    switch_title = esc(i18n.text(lang, "common.language_switch_title"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(i18n.text(lang, "common.app_name"))}</title><style>{STYLE}</style></head>
<body><header class="top"><div class="brand"><h1>{esc(_t(lang, "title"))}</h1>
<p class="tagline">{esc(i18n.text(lang, "common.app_tagline"))}</p></div>
<div class="actions">
<a class="button primary" href="{upload}">{esc(_t(lang, "upload"))}</a>
<a class="button" href="/template.xlsx">{esc(_t(lang, "template"))}</a>
<a class="lang" hreflang="{other}" lang="{other}" href="{esc(switch_href)}"
 title="{switch_title}">{esc(i18n.text(lang, "common.language_switch"))}</a></div>
</header><main>{banner}{main}</main></body></html>"""


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon: an empty answer, so browsers log no error."""
    return Response(status_code=204)

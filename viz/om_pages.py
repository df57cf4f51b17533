"""Outcome Mapping in words and pages (issue 15, docs/meetings-om.md "The views"): the
sentences the ``om`` verbs print, and the pages ``/om/ladder`` (the progress ladder),
``/om/strategies`` (the strategy map) and ``/om/contributors`` (contributors ranked). Each
page is one standalone HTML document with no script and no outside file (it works offline);
its words come from the ``om`` catalogue (graph_service/messages/*/om.toml), Thai first.

The documents they draw are graph_service.analysis.om's.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from graph_service import i18n
from graph_service.domain import RATINGS, STAGES, STRATEGY_CELLS
from viz.base import PAGE_STYLE

#: traffic lights: low red, medium amber, high green (the word is written in the cell too)
RATING_COLOURS = {"low": "#f4c7c3", "medium": "#fde9a9", "high": "#c7e8c9"}


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"om.{key}", **values)


def _n(value: Any) -> str:
    return i18n.number(value)


def period_label(name: str, lang: str) -> str:
    """A period's name as a reader of ``lang`` says it.

    >>> period_label("2024-Q4", "th"), period_label("2024-Q4", "en")
    ('ไตรมาส 4/2567', 'Q4 2024')
    >>> period_label("2024-11", "th"), period_label("2024", "th"), period_label("2024", "en")
    ('พ.ย. 2567', 'ปี 2567', '2024')
    """
    year_text, _, rest = name.partition("-")
    try:
        year = int(year_text)
    except ValueError:
        return name
    shown = year + 543 if lang == "th" else year
    if rest.startswith("Q"):
        return _t(lang, "quarter", quarter=rest[1:], year=shown)
    if rest.isdigit() and 1 <= int(rest) <= 12:
        month = i18n.text(lang, f"common.month.{int(rest)}")
        return _t(lang, "month", month=month, year=shown)
    return _t(lang, "year", year=shown)


def _counts(table: dict[str, dict[str, int]], lang: str) -> tuple[int, str]:
    """How many markers a stage × rating table rates, and the counts by rating in words."""
    by = {r: sum(table[s][r] for s in table) for r in RATINGS}
    return sum(by.values()), _t(lang, "ratings_count", **{r: _n(v) for r, v in by.items()})


def ladder_line(doc: dict[str, Any], row: dict[str, Any], lang: str) -> str:
    """One partner's ladder against the previous period in one sentence."""
    rated, counts = _counts(row["current"], lang)
    previous_rated, previous_counts = _counts(row["previous"], lang)
    current = period_label(doc["current"], lang)
    return _t(
        lang,
        "ladder_line",
        partner=row.get("name") or row["id"],
        current=current,
        current_short=current,
        rated=_n(rated),
        counts=counts,
        previous=period_label(doc["previous"], lang),
        previous_rated=_n(previous_rated),
        previous_counts=previous_counts,
        unrated=_n(row.get("unrated", {}).get("current", 0)),
    )


def ladder_stage_lines(doc: dict[str, Any], row: dict[str, Any], lang: str) -> list[str]:
    """Per stage: the previous period's counts by rating → this period's."""
    lines = []
    for stage in STAGES:
        now = _t(lang, "ratings_count", **{r: _n(row["current"][stage][r]) for r in RATINGS})
        before = _t(lang, "ratings_count", **{r: _n(row["previous"][stage][r]) for r in RATINGS})
        lines.append(
            _t(
                lang,
                "ladder_stage_line",
                stage=i18n.word(lang, "stage", stage),
                current=now,
                previous_counts=before,
                previous=period_label(doc["previous"], lang),
                current_label=period_label(doc["current"], lang),
            )
        )
    return lines


def silent_line(doc: dict[str, Any], lang: str) -> str:
    """The ``om silent`` answer in one sentence."""
    return _t(
        lang,
        "silent_line",
        markers=_n(len(doc["markers"])),
        strategies=_n(len(doc["strategies"])),
        periods=_n(doc.get("periods", 2)),
        unit=_t(lang, f"period_{doc.get('period', 'quarter')}"),
        since=i18n.date(doc.get("since", ""), lang),
        overdue=_n(len(doc["overdue"])),
    )


def silent_item(doc: dict[str, Any], id_: str, lang: str) -> str:
    """``name [id]: last entry …`` for a silent marker or strategy."""
    last = doc.get("last_entry", {}).get(id_)
    when = _t(lang, "last_entry", date=i18n.date(last, lang)) if last else _t(lang, "never")
    name = doc.get("names", {}).get(id_) or id_
    return f"{name} [{id_}]: {when}"


def upcoming_item(doc: dict[str, Any], item: dict[str, Any], lang: str) -> str:
    """``name [id]: due on …, in N days`` for a follow-up not yet due."""
    name = doc.get("names", {}).get(item["strategy"]) or item["strategy"]
    return _t(
        lang,
        "upcoming_item",
        name=f"{name} [{item['strategy']}]",
        date=i18n.date(item["follow_up"], lang),
        days=_n(item["days"]),
    )


def overdue_item(item: dict[str, Any], lang: str) -> str:
    return _t(
        lang,
        "overdue_item",
        name=f"{item.get('name') or item['strategy']} [{item['strategy']}]",
        date=i18n.date(item["follow_up"], lang),
        days=_n(item.get("days")),
    )


def contributors_lines(doc: dict[str, Any], lang: str, ids: bool = True) -> list[str]:
    """The ``om contributors`` answer: how many, and who is named most (with its id in
    brackets for the command line; a page names it only)."""
    rows = doc["contributors"]
    if not rows:
        return [_t(lang, "contributors_none")]
    top = rows[0]
    return [
        _t(lang, "contributors_line", count=_n(len(rows))),
        _t(
            lang,
            "contributors_top",
            name=f"{top.get('name') or top['id']}" + (f" [{top['id']}]" if ids else ""),
            mentions=_n(top["mentions"]),
            markers=_n(len(top["markers"])),
        ),
    ]


# -- pages ---------------------------------------------------------------------------------------

STYLE = (
    PAGE_STYLE
    + """main{max-width:64em;margin:0 auto;padding:1em 1.2em 2em}
h2{font-size:1.15em;margin:1.4em 0 .3em}.explain{color:#555;font-size:.92em}
.answer{font-size:1.02em;margin:.3em 0 .8em}
.scroll{overflow-x:auto;background:#fff;border:1px solid #dde;border-radius:10px;
margin-bottom:1em}
table{border-collapse:collapse;width:100%;font-size:.95em}
td,th{border-bottom:1px solid #eee;padding:.35em .6em;text-align:left;vertical-align:top}
th{color:#555;font-weight:600;font-size:.9em}td.n{text-align:right;
font-variant-numeric:tabular-nums}
tr.stage th{background:#eef1f5;color:#333}
td.rating{text-align:center;white-space:nowrap;min-width:6em;border-left:1px solid #fff}
@media (max-width:600px){td.rating{min-width:4.2em}table.ladder td:first-child{min-width:10em}}
td.rating-low{background:#f4c7c3}td.rating-medium{background:#fde9a9}
td.rating-high{background:#c7e8c9}
.legend span{display:inline-block;padding:.1em .6em;margin-right:.4em;border-radius:4px}
.grid td{width:45%}.grid th.row{width:10%;white-space:nowrap}
.grid ul{margin:0;padding-left:1.1em}.grid .none{color:#888;font-style:italic}
.flag{color:#b71c1c;font-weight:600}.count{color:#555;font-size:.9em}
.empty{background:#fff;border:1px solid #dde;border-radius:10px;padding:1em}
form.day{margin:0 0 .8em;display:flex;flex-wrap:wrap;gap:.4em .8em;align-items:center}
form.day input{font:inherit;padding:.1em .3em}
.notice{margin:0 0 1em;padding:.5em .8em;background:#fff4d6;border-left:4px solid #e0a800}
"""
)


def day_bar(lang: str, path: str, day: str, on: str | None, latest: str | None, stale: bool) -> str:
    """Above an Outcome Mapping page: a form to ask as on another day (``on``), and, when
    the page shows no journal entry because the latest is older than what it shows (a
    year's journals entered later), a line saying when the latest is, with a link to see
    the page as on that day."""
    hidden = (
        "" if lang == i18n.DEFAULT_LANGUAGE else f'<input type="hidden" name="lang" value="{lang}">'
    )
    form = (
        f'<form method="get" action="{escape(path)}" class="day">'
        f"<label>{escape(_t(lang, 'web.on_label'))} "
        f'<input type="date" name="on" value="{escape(day)}"></label>{hidden}'
        f'<button type="submit">{escape(_t(lang, "web.show"))}</button></form>'
    )
    if not (stale and latest and on is None):
        return form
    href = i18n.with_lang(path + "?" + urlencode({"on": latest}), lang)
    notice = (
        f'<p class="notice">{escape(_t(lang, "web.stale", date=i18n.date(latest, lang)))} '
        f'<a href="{escape(href)}">{escape(_t(lang, "web.see_on", date=i18n.date(latest, lang)))}'
        "</a></p>"
    )
    return form + notice


def _page(
    title: str, body: str, lang: str, switch_href: str, query: str = "", top: str = ""
) -> str:
    """The page shell: the title, links to home and the three Outcome Mapping pages, the
    language switch."""
    other = next(x for x in i18n.LANGUAGES if x != lang)
    home = escape(i18n.text(lang, "maps.page.home"))
    switch = escape(i18n.text(lang, "common.language_switch"))
    links = "".join(
        f'<a href="{escape(i18n.with_lang(path + query, lang))}">{escape(_t(lang, key))}</a>'
        for path, key in (
            ("/om/ladder", "web.see_ladder"),
            ("/om/strategies", "web.see_strategies"),
            ("/om/contributors", "web.see_contributors"),
        )
    )
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><header><h1>{escape(title)}</h1><nav><a href="{escape(i18n.with_lang("/", lang))}">{home}</a>
{links}
<a hreflang="{other}" lang="{other}" href="{escape(switch_href)}">{switch}</a></nav></header>
<main>{top}{body}</main></body></html>"""


def _as_of_query(doc: dict[str, Any], as_of: str | None) -> str:
    """The query the page's links keep: the ``as_of`` day, and ``on`` when the page was
    asked on another day than the as-of one (or today)."""
    params = {"as_of": as_of} if as_of else {}
    if doc.get("on"):
        params["on"] = doc["on"]
    return "?" + urlencode(params) if params else ""


def ladder_page(
    doc: dict[str, Any], lang: str, switch_href: str, as_of: str | None = None, top: str = ""
) -> str:
    """``/om/ladder``: per partner a sentence (this period against the previous one) and a
    table: markers as rows grouped by stage, the last periods as columns, each cell the
    marker's latest rating there as a traffic light with its word (empty: no entry)."""
    title = _t(lang, "web.ladder_title")
    columns = doc["periods"]
    parts = [
        f'<p class="explain">{escape(_t(lang, "web.ladder_explain"))} · '
        f"{escape(_t(lang, 'web.as_of', date=i18n.date(doc['as_of'], lang)))}</p>",
        '<p class="legend">'
        + escape(_t(lang, "web.legend"))
        + ": "
        + "".join(
            f'<span class="rating-{r}" style="background:{RATING_COLOURS[r]}">'
            f"{escape(i18n.word(lang, 'rating', r))}</span>"
            for r in RATINGS
        )
        + "</p>",
    ]
    if not doc["partners"]:
        parts.append(f'<p class="empty">{escape(_t(lang, "ladder_none"))}</p>')
    for row in doc["partners"]:
        name = row.get("name") or row["id"]
        parts.append(
            f'<section class="partner" data-partner="{escape(row["id"])}">'
            f"<h2>{escape(name)}</h2>"
            f'<p class="answer">{escape(ladder_line(doc, row, lang))}</p>'
        )
        head = f"<th>{escape(_t(lang, 'web.marker'))}</th>" + "".join(
            f'<th class="period">{escape(period_label(c, lang))}</th>' for c in columns
        )
        lines = []
        for stage in (*STAGES, None):
            markers = [
                m
                for m in row["markers"]
                if (m.get("stage") == stage if stage else m.get("stage") not in STAGES)
            ]
            if not markers:
                continue
            if stage:
                lines.append(
                    f'<tr class="stage"><th colspan="{len(columns) + 1}">'
                    f"{escape(i18n.word(lang, 'stage', stage))}</th></tr>"
                )
            for m in markers:
                cells = []
                for c in columns:
                    rating = m["ratings"].get(c)
                    if rating in RATINGS:
                        cells.append(
                            f'<td class="rating rating-{rating}" data-rating="{rating}">'
                            f"{escape(i18n.word(lang, 'rating', rating))}</td>"
                        )
                    else:
                        cells.append(
                            f'<td class="rating rating-none" '
                            f'title="{escape(_t(lang, "web.no_entry"))}"></td>'
                        )
                lines.append(
                    f'<tr data-marker="{escape(m["id"])}"><td>{escape(m.get("name") or m["id"])}'
                    f"</td>{''.join(cells)}</tr>"
                )
        parts.append(
            f'<div class="scroll"><table class="ladder"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table></div></section>"
        )
    return _page(title, "".join(parts), lang, switch_href, _as_of_query(doc, as_of), top)


def strategies_page(
    doc: dict[str, Any], lang: str, switch_href: str, as_of: str | None = None, top: str = ""
) -> str:
    """``/om/strategies``: per partner a 3 × 2 grid (rows causal, persuasive, supportive;
    columns I: aimed at the partner, E: at its environment), each cell with its strategies
    and their strategy-journal entries (an empty cell says it is empty), the follow-ups
    past due flagged."""
    title = _t(lang, "web.strategies_title")
    follow_up = {o["strategy"]: o["follow_up"] for o in doc.get("overdue", [])}
    parts = [
        f'<p class="explain">{escape(_t(lang, "web.strategies_explain"))} · '
        f"{escape(_t(lang, 'web.as_of', date=i18n.date(doc['as_of'], lang)))}</p>"
    ]

    def grid(cells: dict[str, list[dict[str, Any]]]) -> str:
        head = (
            f"<th>{escape(_t(lang, 'web.strategy_kind'))}</th>"
            f"<th>{escape(_t(lang, 'web.col_I'))}</th><th>{escape(_t(lang, 'web.col_E'))}</th>"
        )
        rows = []
        for number in ("1", "2", "3"):
            tds = []
            for aim in ("I", "E"):
                cell = f"{aim}-{number}"
                items = cells.get(cell, [])
                if items:
                    shown = []
                    for s in items:
                        flag = ""
                        if s["id"] in follow_up:
                            due = i18n.date(follow_up.get(s["id"], ""), lang)
                            flag = (
                                f' <span class="flag">⚠ {escape(_t(lang, "web.overdue", date=due))}'
                                "</span>"
                            )
                        label = escape(s.get("name") or s["id"])
                        shown.append(
                            f'<li data-strategy="{escape(s["id"])}">{label}'
                            f' <span class="count">'
                            f"({escape(_t(lang, 'web.entries', count=_n(s['entries'])))})</span>"
                            f"{flag}</li>"
                        )
                    content = f"<ul>{''.join(shown)}</ul>"
                else:
                    content = f'<span class="none">{escape(_t(lang, "web.empty_cell"))}</span>'
                tds.append(f'<td class="cell" data-cell="{cell}">{content}</td>')
            rows.append(
                f'<tr><th class="row">{escape(_t(lang, f"web.row_{number}"))}</th>'
                f"{''.join(tds)}</tr>"
            )
        return (
            f'<div class="scroll"><table class="grid"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    if not doc["partners"]:
        parts.append(f'<p class="empty">{escape(_t(lang, "web.no_strategies"))}</p>')
    for row in doc["partners"]:
        strategies = [s for c in STRATEGY_CELLS for s in row["cells"][c]]
        line = _t(
            lang,
            "web.strategies_line",
            partner=row.get("name") or row["id"],
            strategies=_n(len(strategies)),
            cells=_n(sum(bool(row["cells"][c]) for c in STRATEGY_CELLS)),
            entries=_n(sum(s["entries"] for s in strategies)),
        )
        parts.append(
            f'<section class="partner" data-partner="{escape(row["id"])}">'
            f"<h2>{escape(row.get('name') or row['id'])}</h2>"
            f'<p class="answer">{escape(line)}</p>{grid(row["cells"])}</section>'
        )
    if any(doc.get("unaimed", {}).values()):
        parts.append(f"<h2>{escape(_t(lang, 'web.unaimed'))}</h2>{grid(doc['unaimed'])}")
    return _page(title, "".join(parts), lang, switch_href, _as_of_query(doc, as_of), top)


def contributors_page(
    doc: dict[str, Any], lang: str, switch_href: str, as_of: str | None = None, top: str = ""
) -> str:
    """``/om/contributors``: the contributors the outcome journals name, ranked, with a link
    to the network map sized by mentions."""
    title = _t(lang, "web.contributors_title")
    query = _as_of_query(doc, as_of)
    sized = "/map?" + urlencode({"size_by": "mentions", **({"as_of": as_of} if as_of else {})})
    parts = [
        f'<p class="answer">{escape(" ".join(contributors_lines(doc, lang, ids=False)))}</p>',
        f'<p><a href="{escape(i18n.with_lang(sized, lang))}">'
        f"{escape(_t(lang, 'web.see_map'))}</a></p>",
    ]
    if doc["contributors"]:
        head = "".join(
            f"<th>{escape(x)}</th>"
            for x in (
                _t(lang, "web.rank"),
                _t(lang, "web.name"),
                _t(lang, "mentions"),
                _t(lang, "markers"),
            )
        )
        lines = []
        for k, row in enumerate(doc["contributors"], start=1):
            href = i18n.with_lang(f"/map/focus/{row['id']}" + query, lang)
            lines.append(
                f'<tr data-contributor="{escape(row["id"])}"><td class="n">{_n(k)}</td>'
                f'<td><a href="{escape(href)}">{escape(row.get("name") or row["id"])}</a></td>'
                f'<td class="n">{_n(row["mentions"])}</td>'
                f'<td class="n">{_n(len(row["markers"]))}</td></tr>'
            )
        parts.append(
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(lines)}</tbody></table></div>"
        )
    return _page(title, "".join(parts), lang, switch_href, query, top)

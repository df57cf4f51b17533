"""Meetings in words and on a page: the answer ``attendance`` and ``visits`` print, and the
attendance matrix ``/attendance/{body}`` (members × meetings, who keeps missing marked, the
agencies present only through individuals, the body's rhythm). Words from the ``meetings``
catalogue (graph_service/messages/*/meetings.toml); the answers themselves are
``graph_service.analysis.meetings``'.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from graph_service import i18n
from graph_service.analysis.meetings import parse_every
from viz.base import PAGE_STYLE


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"meetings.{key}", **values)


def every_words(every: str, lang: str) -> str:
    """``3m`` -> ``3 เดือน`` / ``3 months``.

    >>> every_words("3m", "th"), every_words("1y", "en")
    ('3 เดือน', '1 years')
    """
    count, unit = parse_every(every)
    return _t(lang, f"every_{unit}", count=i18n.number(count))


def _named(doc: dict[str, Any], ids: list[str]) -> list[str]:
    names = {m["id"]: m["name"] for m in doc.get("members", [])}
    names.update(doc.get("names", {}))
    return [names.get(i, i) for i in ids]


def rhythm_lines(doc: dict[str, Any], lang: str) -> list[str]:
    """The rhythm in sentences: kept or not (with the late intervals), and the next due."""
    r = doc.get("rhythm")
    if not r:
        return []
    every = every_words(r["every"], lang)
    late = [i for i in r["intervals"] if not i["kept"]]
    if late:
        intervals = ", ".join(
            _t(
                lang,
                "interval",
                **{
                    "from": i18n.date(i["from_date"], lang),
                    "to": i18n.date(i["to_date"], lang),
                    "days": i18n.number(i["days"]),
                },
            )
            for i in late
        )
        lines = [_t(lang, "rhythm_late", every=every, count=len(late), intervals=intervals)]
    else:
        lines = [_t(lang, "rhythm_kept", every=every)]
    if r["next_due"]:
        key = "overdue" if r["overdue"] else "next_due"
        lines.append(_t(lang, key, date=i18n.date(r["next_due"], lang)))
    return lines


def attendance_lines(doc: dict[str, Any], lang: str = "th") -> list[str]:
    """``attendance`` as the command line prints it."""
    events = doc["event_details"]
    if not events:
        return [_t(lang, "no_events", body=doc["name"])]
    lines = [
        _t(
            lang,
            "summary",
            body=doc["name"],
            events=i18n.number(len(events)),
            first=i18n.date(events[0]["date"], lang),
            last=i18n.date(events[-1]["date"], lang),
            members=i18n.number(len(doc["members"])),
        )
    ]
    for ev in events:
        lines.append(
            "  "
            + _t(
                lang,
                "per_event",
                date=i18n.date(ev["date"], lang),
                name=ev["name"],
                attended=i18n.number(ev["attended"]),
                expected=i18n.number(ev["expected"]),
            )
        )
    for m in doc["members"]:
        expected = m["attended"] + m["missed"]
        lines.append(
            "  "
            + _t(
                lang,
                "member_line",
                name=f"{m['name']} [{m['id']}]",
                attended=i18n.number(m["attended"]),
                missed=i18n.number(m["missed"]),
                expected=i18n.number(expected),
            )
        )
    keep = {"min_missed": doc["min_missed"], "last": doc["last"]}
    if doc["keeps_missing"]:
        names = i18n.listing(lang, _named(doc, doc["keeps_missing"]))
        lines.append(_t(lang, "keeps_missing", names=names, **keep))
    else:
        lines.append(_t(lang, "keeps_missing_none", **keep))
    if doc["individual_only"]:
        parts = [
            _t(
                lang,
                "through",
                org=_named(doc, [org])[0],
                people=i18n.listing(lang, _named(doc, doc["through"][org])),
            )
            for org in doc["individual_only"]
        ]
        lines.append(_t(lang, "individual_only", names=", ".join(parts)))
    else:
        lines.append(_t(lang, "individual_only_none"))
    return lines + rhythm_lines(doc, lang)


def rhythms_lines(doc: dict[str, Any], lang: str = "th") -> list[str]:
    """``rhythm`` as the command line prints it: one paragraph per body."""
    lines = [
        _t(
            lang,
            "rhythms_summary",
            every=every_words(doc["every"], lang),
            bodies=i18n.number(len(doc["bodies"])),
            not_kept=i18n.number(len(doc["not_kept"])),
        )
    ]
    for body in doc["bodies"]:
        lines.append(
            _t(
                lang,
                "rhythm_body",
                name=body["name"],
                id=body["body"],
                events=i18n.number(body["events"]),
            )
        )
        lines.extend("  " + line for line in rhythm_lines({"rhythm": body}, lang))
    return lines


def visits_lines(doc: dict[str, Any], names: dict[str, str], lang: str = "th") -> list[str]:
    """``visits`` as the command line prints it."""
    lines = [
        _t(
            lang,
            "visits_summary",
            team=names.get(doc["team"], doc["team"]),
            events=i18n.number(len(doc["events"])),
            reached=i18n.number(len(doc["reached"])),
            not_reached=i18n.number(len(doc["not_reached"])),
        )
    ]
    if doc["not_reached"]:
        shown = [f"{names.get(i, i)} [{i}]" for i in doc["not_reached"]]
        lines.append(_t(lang, "visits_not_reached", names=i18n.listing(lang, shown)))
    else:
        lines.append(_t(lang, "visits_all_reached"))
    return lines


# -- the page ---------------------------------------------------------------------------------

STYLE = (
    PAGE_STYLE
    + """main{max-width:72em;margin:0 auto;padding:1em 1.2em 2em}
.answer{font-size:1.05em;margin:.3em 0}.answers{margin:0 0 1em;padding-left:1.2em}
.answers li{margin:.3em 0}.warn{color:#b3261e;font-weight:600}
.scroll{overflow-x:auto;background:#fff;border:1px solid #dde;border-radius:10px}
table{border-collapse:collapse;font-size:.92em}
td,th{border-bottom:1px solid #eee;padding:.3em .5em;text-align:center;vertical-align:middle}
th.who,td.who{text-align:left;position:sticky;left:0;background:#fff;min-width:12em}
th{color:#555;font-weight:600;font-size:.85em}th .d{white-space:nowrap;display:block}
td.c{min-width:4.2em;font-size:.85em;border-radius:4px}
.attended{background:#d8efd9;color:#1b5e20}.absent{background:#fbdad7;color:#8e1b13}
.invited{background:#fff1c7;color:#6d4c00}.not_listed{background:#f3e0dd;color:#8e1b13}
.none{color:#aaa}.miss td.who{font-weight:600}.badge{display:inline-block;font-size:.75em;
background:#b3261e;color:#fff;border-radius:8px;padding:0 .45em;margin-left:.3em}
.guest{font-size:.8em;color:#666;display:block}
form{background:#fff;border:1px solid #dde;border-radius:10px;padding:.6em .8em;margin:0 0 1em;
display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center}
form label{max-width:100%}form input,form select{font:inherit;padding:.15em .3em;
max-width:100%}
details{margin:.6em 0 1em}summary{cursor:pointer;color:#1f5fa8}.legend{font-size:.85em;color:#555}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
"""
)

_SHORT = {
    "attended": "attended_short",
    "absent": "absent_short",
    "invited": "invited_short",
    "not_listed": "not_listed_short",
}


def _cell(member: dict[str, Any], event: str) -> tuple[str, str]:
    """(css class, catalogue key) of one member at one event."""
    status = member["statuses"].get(event)
    if status in _SHORT:
        return status, _SHORT[status]
    if member["member"]:
        return "not_listed", _SHORT["not_listed"]
    return "none", "not_expected"


def render_attendance(
    doc: dict[str, Any], lang: str, switch_href: str, every: str | None, bodies: list[Any]
) -> str:
    """The page ``/attendance/{body}``: the answers in sentences, a form (rhythm, how many
    meetings count as "the last"), and the matrix: one row per member, one column per
    meeting, each cell the word and its colour, members who keep missing marked."""
    other = next(x for x in i18n.LANGUAGES if x != lang)
    title = _t(lang, "title", body=doc["name"])
    answers = attendance_lines(doc, lang)
    summary, rest = answers[0], answers[1:]
    keep = set(doc["keeps_missing"])
    answer_items = [
        line
        for line in rest
        if not line.startswith("  ")  # the per-event and per-member lines are the table
    ]
    items = "".join(
        f'<li class="{"warn" if _is_warning(line, doc, lang) else ""}">{escape(line)}</li>'
        for line in answer_items
    )
    events = doc["event_details"]
    head = "".join(
        f'<th title="{escape(ev["id"])}"><span class="d">{escape(i18n.date(ev["date"], lang))}'
        f"</span>{escape(ev['name'])}<br>{escape(i18n.number(ev['attended']))}/"
        f"{escape(i18n.number(ev['expected']))}</th>"
        for ev in events
    )
    rows = []
    for m in doc["members"]:
        cells = []
        for ev in events:
            cls, key = _cell(m, ev["id"])
            cells.append(f'<td class="c {cls}">{escape(_t(lang, "web." + key))}</td>')
        badge = (
            f'<span class="badge">{escape(_t(lang, "web.keeps_missing_mark"))}</span>'
            if m["id"] in keep
            else ""
        )
        guest = "" if m["member"] else f'<span class="guest">{escape(_t(lang, "web.guest"))}</span>'
        rows.append(
            f'<tr class="{"miss" if m["id"] in keep else ""}" data-id="{escape(m["id"])}">'
            f'<td class="who" title="{escape(m["id"])}">{escape(m["name"])}{badge}{guest}</td>'
            f"{''.join(cells)}"
            f'<td class="n">{escape(i18n.number(m["attended"]))}/'
            f"{escape(i18n.number(m['missed']))}</td></tr>"
        )
    table = (
        f'<div class="scroll"><table id="matrix"><thead><tr><th class="who">'
        f"{escape(_t(lang, 'web.member'))}</th>{head}<th>{escape(_t(lang, 'web.totals'))}</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )
    options = "".join(
        f'<option value="{escape(b["id"])}"{" selected" if b["id"] == doc["body"] else ""}>'
        f"{escape(b['name'])}</option>"
        for b in bodies
    )
    every_options = "".join(
        f'<option value="{v}"{" selected" if v == (every or "") else ""}>'
        f"{escape(every_words(v, lang) if v else '—')}</option>"
        for v in ("", "1m", "3m", "6m", "1y")
    )
    labels = {k: escape(_t(lang, f"web.{k}")) for k in ("choose_body", "every_label", "show")}
    last_input = (
        f'<input type="number" name="last" min="1" max="50" value="{doc["last"]}" '
        'style="width:4em">'
    )
    form = (
        '<form method="get" action="/attendance" id="choose">'
        f'<label>{labels["choose_body"]} <select name="body">{options}</select></label>'
        f'<label>{labels["every_label"]} <select name="every">{every_options}</select></label>'
        f"<label>{escape(_t(lang, 'web.last_label'))} {last_input} "
        f"{escape(_t(lang, 'web.last_unit'))}</label>"
        f"<label>{escape(_t(lang, 'web.on_label'))} "
        f'<input type="date" name="on" value="{escape(doc["as_of"])}"></label>'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<button type="submit">{labels["show"]}</button></form>'
    )
    json_href = "/api/attendance?" + urlencode(
        {
            "body": doc["body"],
            "last": doc["last"],
            **({"every": every} if every else {}),
            "on": doc["as_of"],
        }
    )
    home = escape(i18n.text(lang, "maps.page.home"))
    switch = escape(i18n.text(lang, "common.language_switch"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><header><h1>{escape(title)}</h1><nav><a href="{escape(i18n.with_lang("/", lang))}">{home}</a>
<a hreflang="{other}" lang="{other}" href="{escape(switch_href)}">{switch}</a></nav></header>
<main>{form}<p class="answer">{escape(summary)}</p><ul class="answers">{items}</ul>
<h2>{escape(_t(lang, "web.matrix"))}</h2>{table}
<p class="legend">{escape(_t(lang, "web.legend"))}</p>
<details><summary>{escape(_t(lang, "web.what_is_it"))}</summary>
<p>{escape(_t(lang, "web.explain"))}</p></details>
<p class="legend"><a href="{escape(json_href)}">{escape(_t(lang, "web.json"))}</a></p>
</main></body></html>"""


def _is_warning(line: str, doc: dict[str, Any], lang: str) -> bool:
    """A sentence that asks for action: someone keeps missing, an agency only through
    individuals, the rhythm broken or overdue."""
    calm = {
        _t(lang, "keeps_missing_none", min_missed=doc["min_missed"], last=doc["last"]),
        _t(lang, "individual_only_none"),
    }
    r = doc.get("rhythm")
    if r:
        calm.add(_t(lang, "rhythm_kept", every=every_words(r["every"], lang)))
        if r["next_due"] and not r["overdue"]:
            calm.add(_t(lang, "next_due", date=i18n.date(r["next_due"], lang)))
    return line not in calm


def _body_href(body: str) -> str:
    return "/attendance?" + urlencode({"body": body})


def render_choose(bodies: list[Any], lang: str, switch_href: str) -> str:
    """``/attendance`` without a body: the bodies with recorded meetings, each a link."""
    other = next(x for x in i18n.LANGUAGES if x != lang)
    title = _t(lang, "web.bodies")
    links = "".join(
        f'<li><a href="{escape(i18n.with_lang(_body_href(b["id"]), lang))}">'
        f"{escape(b['name'])}</a> "
        f"({escape(_t(lang, 'web.events_count', count=i18n.number(b['events'])))})</li>"
        for b in bodies
    )
    home = escape(i18n.text(lang, "maps.page.home"))
    switch = escape(i18n.text(lang, "common.language_switch"))
    empty = escape(_t(lang, "web.no_bodies"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{STYLE}</style></head>
<body><header><h1>{escape(title)}</h1><nav><a href="{escape(i18n.with_lang("/", lang))}">{home}</a>
<a hreflang="{other}" lang="{other}" href="{escape(switch_href)}">{switch}</a></nav></header>
<main>{f"<ul>{links}</ul>" if bodies else f"<p>{empty}</p>"}</main></body></html>"""

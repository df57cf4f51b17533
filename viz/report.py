"""The printed report: the home page's answers with their maps, on A4 paper.

:func:`report_html` builds one self-contained HTML page (no script, no web font, no request
to anywhere): a cover block that says what is loaded (counts by kind in the reader's words,
the store, the graph's version, the date, in Thai with the Buddhist era by default), the
map of the whole network, then a page per answer of the home page
(:func:`viz.answers.home_answers`): its title, its one-sentence answer, what the measure
means, a short table of its top rows (names, never ids; the id is the cell's title) and a
map picture. In print (``@page { size: A4 portrait }``) each section is one page high and
its map fills what the words leave; an answer with nothing to list or draw ("every sector
is linked") follows the previous one on its page.

The pictures are :func:`viz.picture.write_picture`'s SVG (the same map as the interactive
one, drawn by matplotlib, its Thai names kept as ``<text>``) inlined in the page. An
answer's map is the neighbourhood of the first entity of its table (the top broker, the
fund of the first overlapping pair, the first area no fund reaches ...), since a picture
draws the whole graph or the neighbourhood of one entity; a neighbourhood of fewer than
``SMALL_MAP`` entities looks a step further. The picture's own title and legend (in English)
are left out of the SVG and its ``viewBox`` cut to the map; the page writes the caption and
the legend in the reader's language.

The same page is the service's print view (``GET /report``, with a print button that
printing hides) and, printed by headless Chromium, ``graph-service report -o FILE.pdf``
(:func:`write_pdf`, :func:`write_report`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from graph_service import budget, i18n
from graph_service.domain import KINDS, direction_of
from graph_service.errors import GraphServiceError, InvalidInput, NotAvailable, UsageError
from graph_service.store.base import GraphStore
from viz.answers import Answer, Ask, ask_directly, home_answers, loaded

#: a line of progress for the long steps (the CLI writes them to stderr)
Progress = Callable[[str], None]

#: fonts with Thai glyphs the page asks for, best first (system fonts only, never a web font)
FONT_STACK = '"Noto Sans Thai", "Sarabun", "Loma", "Garuda", "Tahoma", sans-serif'
#: rows of an answer's table in the report (the interactive table has them all)
TOP = 5
#: picture sizes in pixels of viz.picture (1 px = 0.72 pt in its SVG)
WHOLE_PX = (900, 1100)
ANSWER_PX = (900, 760)
#: points of the picture kept beyond its map's area on the left and right (viz.picture
#: cuts names at 25 characters: about 110 pt at 8 pt, half of it on each side of a marker)
OVERHANG = 60.0
#: a focus map of fewer entities looks one step further (up to MAX_DEPTH steps), and one of
#: at most SMALL_MAP entities is drawn on the SMALL_PX canvas
SMALL_MAP = 8
MAX_DEPTH = 2
SMALL_PX = (620, 520)
#: home cards that are a question to put, not an answer (the chain map's form)
NOT_ANSWERS = frozenset({"chains"})
#: how far an answer's map reaches from its entity, by answer key (default 1)
MAP_DEPTH = {"reach": 2}


def _names(store: GraphStore, ids: Sequence[str]) -> dict[str, str]:
    """id -> name (the id when the entity has no name or is not found)."""
    nodes = store.get_nodes(list(dict.fromkeys(ids)))
    return {i: str(nodes[i].props.get("name") or i) if i in nodes else i for i in ids}


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"report.{key}", **values)


def _quiet(_: str) -> None:
    pass


STYLE = """
@page { size: A4 portrait; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: FONTS; color: #222; margin: 0; line-height: 1.55; font-size: 11pt; }
main { max-width: 182mm; margin: 0 auto; padding: 8mm 4mm; }
h1 { font-size: 20pt; margin: 0 0 .1em; line-height: 1.4; }
h2 { font-size: 15pt; margin: 0 0 .3em; line-height: 1.45; }
h3 { font-size: 12pt; margin: .8em 0 .3em; }
p { margin: .3em 0 .6em; }
.subtitle, .meta, .explain, .caption, .size-note { color: #555; }
.sentence { font-size: 13pt; margin: .2em 0 .7em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: .5em 0; }
dl.meta dt { font-weight: bold; color: #333; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: .3em 0 .8em; width: 100%; font-size: 10pt; }
th, td { border: 1px solid #ccc; padding: .15em .5em; text-align: left; vertical-align: top; }
th { background: #f1f4f7; } td.num, th.num { text-align: right; }
table.counts { width: auto; min-width: 50%; }
ol.contents { margin: .2em 0 .6em 1.2em; padding: 0; }
section.answer { break-before: page; page-break-before: always; }
section.whole { break-before: page; page-break-before: always; }
section.answer.short { break-before: auto; page-break-before: auto; margin-top: 10mm;
  break-inside: avoid; page-break-inside: avoid; }
figure { margin: .4em 0 0; break-inside: avoid; page-break-inside: avoid; }
svg.map { display: block; width: 100%; height: auto; max-height: 125mm; }
section.whole svg.map { max-height: 215mm; }
figcaption { font-size: 10pt; }
.legend { display: flex; flex-wrap: wrap; gap: .15em 1.1em; margin: .2em 0; font-size: 9.5pt; }
.legend span { white-space: nowrap; }
.legend svg { vertical-align: middle; margin-right: .25em; }
.links { font-size: 10pt; }
.toolbar { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #ddd;
  padding: .5em 1em; display: flex; gap: 1em; align-items: center; flex-wrap: wrap; z-index: 2; }
.toolbar button { font: inherit; font-size: 12pt; padding: .3em 1.4em; cursor: pointer; }
.toolbar .hint { color: #555; font-size: 10pt; }
.warning { background: #fff6d6; border: 1px solid #e0c060; padding: .4em .7em; }
@media screen {
  body { background: #eef0f2; }
  main { background: #fff; margin: 1em auto; box-shadow: 0 1px 4px rgba(0,0,0,.15);
    padding: 14mm; }
  section.answer, section.whole { border-top: 2px dashed #ccc; margin-top: 10mm;
    padding-top: 8mm; }
}
@media screen and (max-width: 700px) {
  .toolbar { position: static; padding: .4em .6em; gap: .4em .8em; }
  .toolbar .hint { display: none; }
  main { padding: 4mm; margin: 0; box-shadow: none; }
  h1 { font-size: 17pt; } h2 { font-size: 14pt; }
  table { font-size: 9pt; }
  /* a map at phone width would print its names too small to read: scroll it sideways */
  .map-scroll { overflow-x: auto; }
  .map-scroll svg.map { min-width: 640px; max-height: none; }
}
@media print {
  .no-print { display: none !important; }
  a { color: inherit; text-decoration: none; }
  main { padding: 0; }
  /* a page per section, its map filling what the words leave: the section is as high as
     the page's box (297 mm less the margins), the map shrinks to the rest */
  section.whole, section.answer.paged { height: 265mm; display: flex; flex-direction: column; }
  section.answer.before-short { height: 200mm; }
  section.whole figure, section.paged figure { flex: 1 1 auto; min-height: 0; display: flex;
    flex-direction: column; }
  section.whole .map-scroll, section.paged .map-scroll { flex: 1 1 auto; min-height: 0; }
  section.whole svg.map, section.paged svg.map { height: 100%; max-height: none; }
  figcaption { flex: none; }
}
""".replace("FONTS", FONT_STACK)


# -- pictures --------------------------------------------------------------------------------


@dataclass
class Picture:
    """An inlined map: the SVG markup, and what it draws (for the caption and legend)."""

    svg: str
    kinds: Counter[str]
    links: Counter[str | None]
    #: the steps around the focus it draws (more than asked when the neighbourhood is small)
    depth: int = 0


#: the picture's own title, subtitle, legend and size note: English, replaced by the page's
_HIDDEN = frozenset({"title", "subtitle", "legend", "size-note"})


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


def inline_svg(svg: str, prefix: str, width_px: int, height_px: int) -> str:
    """matplotlib's SVG file as markup to put in a page: no XML prologue or metadata, every
    id made unique with ``prefix`` (several pictures share a page), the picture's English
    title, subtitle, legend and size note left out (the page writes its own, in the
    reader's language), the ``viewBox`` cut to the map's own area (see
    ``viz.picture._draw``), and the width left to the page's CSS."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg.encode("utf-8"))
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ValueError("not an SVG picture")
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        gid = element.get("id")
        if element.tag == f"{{{SVG_NS}}}metadata" or gid in _HIDDEN:
            parents[element].remove(element)
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        if "id" in element.attrib:
            element.set("id", f"{prefix}-{element.get('id')}")
        for name in (href, "href"):
            value = element.get(name)
            if value and value.startswith("#"):
                element.set(name, f"#{prefix}-{value[1:]}")
        for name, value in element.attrib.items():
            if "url(#" in value:
                element.set(name, value.replace("url(#", f"url(#{prefix}-"))
    # the map's area in viz.picture: the axes at (0.01, 0.01) of the figure, legend_w wide
    # on the right, title_h high on top (y grows downwards in SVG)
    legend_w = min(0.24, 260 / width_px)
    title_h = min(0.12, 70 / height_px)
    w, h = width_px * 0.72, height_px * 0.72
    # names under the markers at the edges stand out of the map's area (centred on their
    # marker) and even out of the figure: OVERHANG points on each side keep them whole
    box = (
        -OVERHANG,
        (title_h + 0.005) * h,
        (0.99 - legend_w) * w + 2 * OVERHANG,
        (0.99 - title_h) * h + OVERHANG / 3,
    )
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("viewBox", "{:.1f} {:.1f} {:.1f} {:.1f}".format(*box))
    root.set("class", "map")
    root.set("role", "img")
    return ET.tostring(root, encoding="unicode")


def draw(
    store: GraphStore,
    prefix: str,
    *,
    focus: str | None = None,
    depth: int = 1,
    size: tuple[int, int] = ANSWER_PX,
) -> Picture:
    """The picture of the whole graph (``focus`` None) or of ``focus``'s neighbourhood, as
    inline SVG, with its counts by kind and by link direction."""
    from viz.maps import select_subgraph
    from viz.picture import write_picture

    sub, _, _ = select_subgraph(store, focus, depth)
    if focus is not None:
        # a neighbourhood of a handful of entities says little: look one step further, and
        # draw a small map on a smaller canvas, so that its names print larger
        while len(sub.nodes) < SMALL_MAP and depth < MAX_DEPTH:
            depth += 1
            sub, _, _ = select_subgraph(store, focus, depth)
        if len(sub.nodes) <= SMALL_MAP:
            size = SMALL_PX
    kinds = Counter(n.kind for n in sub.nodes.values())
    links: Counter[str | None] = Counter()
    for e in sub.edges:
        if e.source in sub.nodes and e.target in sub.nodes:
            d = direction_of(e, sub.nodes)
            links[d if d in ("horizontal", "vertical") else None] += 1
    size = (size[0], _fitted_height(sub, size))
    with tempfile.TemporaryDirectory(prefix="graph-report-") as tmp:
        path = Path(tmp) / "map.svg"
        write_picture(
            store, path, "svg", focus=focus, depth=depth, width_px=size[0], height_px=size[1]
        )
        svg = path.read_text(encoding="utf-8")
    return Picture(inline_svg(svg, prefix, *size), kinds, links, depth)


def _fitted_height(sub: Any, size: tuple[int, int]) -> int:
    """A picture height (pixels) that gives the map's area the shape of its layout, so a
    wide network leaves no empty band above and below it: between 45 % of the width and
    ``size``'s height."""
    from viz.maps import layout

    ids = sorted(sub.nodes)
    if len(ids) < 2:
        return size[1]
    pos = layout(ids, ((e.source, e.target) for e in sub.edges))
    span = pos.max(axis=0) - pos.min(axis=0)
    pad = [max(s * 0.05, 80.0) * 2 for s in span]  # viz.picture._fit's margins
    aspect = (span[1] + pad[1]) / max(span[0] + pad[0], 1.0)
    width = size[0]
    legend_w = min(0.24, 260 / width)
    height = aspect * (0.98 - legend_w) * width / 0.9 + 60
    return int(min(max(height, 0.45 * width), size[1]))


_SHAPE_SVG = {
    "dot": '<circle cx="7" cy="7" r="5.5"/>',
    "square": '<rect x="2" y="2" width="10" height="10"/>',
    "hexagon": '<polygon points="7,1 12.2,4 12.2,10 7,13 1.8,10 1.8,4"/>',
    "diamond": '<polygon points="7,1 13,7 7,13 1,7"/>',
    "triangle": '<polygon points="7,1.5 13,12.5 1,12.5"/>',
    "triangleDown": '<polygon points="1,1.5 13,1.5 7,12.5"/>',
    "star": '<polygon points="7,0.8 8.8,5.2 13.5,5.4 9.8,8.3 11.1,12.9 7,10.3 2.9,12.9 4.2,8.3 '
    '0.5,5.4 5.2,5.2"/>',
}


def _legend(picture: Picture, lang: str) -> str:
    """The picture's legend in the reader's words: kinds (shape and colour) and links (by
    direction), each with its count."""
    from viz.maps import DEFAULT_SHAPE, EDGE_STYLES, KIND_COLOURS, MISSING_COLOUR, SHAPES

    order = [k for k in KINDS if picture.kinds.get(k)] + sorted(
        k for k in picture.kinds if k not in KINDS
    )
    items = []
    for kind in order:
        shape = _SHAPE_SVG[SHAPES.get(kind, DEFAULT_SHAPE)]
        colour = KIND_COLOURS.get(kind, MISSING_COLOUR)
        items.append(
            f'<span><svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" '
            f'fill="{colour}">{shape}</svg>{escape(i18n.word(lang, "kind", kind))} '
            f"({i18n.number(picture.kinds[kind])})</span>"
        )
    for d in ("horizontal", "vertical", None):
        if not picture.links.get(d):
            continue
        style = EDGE_STYLES[d]
        dash = ' stroke-dasharray="4 2.5"' if style["dashes"] else ""
        word = i18n.word(lang, "direction", d) if d else _t(lang, "link_unknown")
        items.append(
            f'<span><svg width="24" height="10" aria-hidden="true"><line x1="1" y1="5" x2="23" '
            f'y2="5" stroke="{style["color"]}" stroke-width="2"{dash}/></svg>'
            f"{escape(word)} ({i18n.number(picture.links[d])})</span>"
        )
    return f'<div class="legend">{"".join(items)}</div>'


def _figure(picture: Picture, caption: str, lang: str) -> str:
    total_links = sum(picture.links.values())
    counts = _t(
        lang,
        "map_counts",
        entities=i18n.number(sum(picture.kinds.values())),
        links=i18n.number(total_links),
    )
    return (
        f'<figure><div class="map-scroll">{picture.svg}</div>'
        f"<figcaption><strong>{escape(caption)}</strong> · "
        f"{escape(counts)}{_legend(picture, lang)}"
        f'<span class="size-note">{escape(_t(lang, "size_note"))}</span></figcaption></figure>'
    )


# -- the page --------------------------------------------------------------------------------


def _store_words(store: GraphStore, lang: str) -> str:
    """Which store, without anything a reader should not see (a file's folder, a password)."""
    engine = str(getattr(store, "engine", ""))
    location = str(getattr(store, "location", ""))
    word = i18n.word(lang, "engine", engine) if engine else "-"
    if engine == "embedded" and location:
        return f"{word} ({Path(location).name})"
    if location:
        return f"{word} ({re.sub(r'//[^@/]*@', '//', location)})"
    return word


def _cover(store: GraphStore, lang: str, answers: Sequence[Answer], today: dt.date) -> str:
    what = loaded(store, lang)
    rows = "".join(
        f'<tr><td>{escape(word)}</td><td class="num">{i18n.number(count)}</td></tr>'
        for _, word, count in what.by_kind
    )
    total = _t(
        lang,
        "loaded_total",
        entities=i18n.number(what.total),
        relationships=i18n.number(what.relationships),
    )
    contents = "".join(f"<li>{escape(a.title)}</li>" for a in answers)
    # the graph as of a day (store.history.AsOfView), perhaps under the public view
    day = getattr(store, "day", None) or getattr(getattr(store, "store", None), "day", None)
    as_of = (
        f'<dt>{escape(_t(lang, "as_of"))}</dt><dd id="as-of">'
        f"{escape(i18n.date(day.isoformat(), lang))}</dd>"
        if isinstance(day, dt.date)
        else ""
    )
    return (
        f'<header class="cover"><h1>{escape(_t(lang, "title"))}</h1>'
        f'<p class="subtitle">{escape(_t(lang, "subtitle"))}</p>'
        f'<dl class="meta"><dt>{escape(_t(lang, "made_on"))}</dt>'
        f"<dd>{escape(i18n.date(today.isoformat(), lang))}</dd>{as_of}"
        f"<dt>{escape(_t(lang, 'store'))}</dt><dd>{escape(_store_words(store, lang))}</dd>"
        f"<dt>{escape(_t(lang, 'version'))}</dt><dd>{i18n.number(what.version)}</dd></dl>"
        f"<h2>{escape(_t(lang, 'loaded'))}</h2><p>{escape(total)}</p>"
        f'<table class="counts"><thead><tr><th>{escape(_t(lang, "col_kind"))}</th>'
        f'<th class="num">{escape(_t(lang, "col_count"))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
        f'<h2>{escape(_t(lang, "contents"))}</h2><ol class="contents">{contents}</ol></header>'
    )


def _table(answer: Answer, lang: str) -> str:
    """The answer's top rows; none when it lists nothing (its sentence says so)."""
    if not answer.headers or not answer.rows:
        return ""
    head = "".join(f"<th>{escape(h)}</th>" for h in answer.headers)
    body = []
    for row in answer.rows[:TOP]:
        title = ", ".join(row.ids)
        cells = []
        for k, cell in enumerate(row.cells):
            numeric = bool(re.fullmatch(r"-?[\d,]+(\.\d+)?%?", cell))
            attrs = ' class="num"' if numeric else ""
            if k == 0 and title:
                attrs += f' title="{escape(i18n.text(lang, "common.id_hint", id=title))}"'
            cells.append(f"<td{attrs}>{escape(cell)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _links(answer: Answer, lang: str) -> str:
    """Links to the interactive map and table: on screen only (a printed link goes nowhere)."""
    parts = []
    if answer.map_href:
        href = escape(_with_lang(answer.map_href, lang))
        parts.append(f'<a href="{href}">{escape(_t(lang, "open_map"))}</a>')
    if answer.table_href:
        parts.append(f'<a href="{escape(answer.table_href)}">{escape(_t(lang, "open_table"))}</a>')
    return f'<p class="links no-print">{" · ".join(parts)}</p>' if parts else ""


def _with_lang(href: str, lang: str) -> str:
    return href + ("&" if "?" in href else "?") + f"lang={lang}"


def _focus_of(answer: Answer) -> str | None:
    for row in answer.rows:
        if row.ids:
            return row.ids[0]
    return None


def _answer_section(
    store: GraphStore,
    answer: Answer,
    lang: str,
    index: int,
    total: int,
    progress: Progress,
    before_short: bool = False,
) -> str:
    """One answer's section; ``before_short``: the next answer has nothing to list or draw
    and shares this one's page, so this one leaves room for it."""
    names = {}
    focus = _focus_of(answer)
    if focus is not None:
        names = _names(store, [focus])
    figure_html = ""
    if focus is not None:
        depth = MAP_DEPTH.get(answer.key, 1)
        progress(f"drawing map {index + 1} of {total + 1}: {answer.key}, around {focus}")
        try:
            picture = draw(store, f"m{index}", focus=focus, depth=depth)
        except GraphServiceError:
            picture = None
        if picture is not None:
            caption = _t(lang, "focus_map", name=names.get(focus, focus), depth=picture.depth)
            figure_html = _figure(picture, caption, lang)
    if not figure_html and answer.rows:
        figure_html = f'<p class="explain">{escape(_t(lang, "no_map"))}</p>'
    explain = f'<p class="explain">{escape(answer.explain)}</p>' if answer.explain else ""
    # an answer with nothing to list or draw ("every sector is linked") takes no page of
    # its own: it follows the previous one when there is room
    kind = "answer paged" if answer.rows else "answer short"
    if answer.rows and before_short:
        kind += " before-short"
    return (
        f'<section class="{kind}" id="answer-{escape(answer.key)}">'
        f"<h2>{index}. {escape(answer.title)}</h2>"
        f'<p class="sentence">{escape(answer.sentence)}</p>{explain}'
        f"{_table(answer, lang)}{_links(answer, lang)}{figure_html}</section>"
    )


def report_html(
    store: GraphStore,
    lang: str = i18n.DEFAULT_LANGUAGE,
    *,
    answers: Sequence[Answer] | None = None,
    ask: Ask = ask_directly,
    print_button: bool = False,
    today: dt.date | None = None,
    progress: Progress = _quiet,
) -> str:
    """The report as one HTML page in ``lang``: the cover, the whole map, then one page per
    answer (``answers``, by default the home page's, asked with ``ask``; the cards that are
    a form to fill rather than an answer, ``NOT_ANSWERS``, are left out). ``print_button``
    adds the print view's toolbar (a button that calls ``window.print()``), which printing
    hides. An empty graph is ``InvalidInput``."""
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    if not store.stats().nodes:
        raise InvalidInput(_t("en", "empty"))
    today = today or dt.date.today()
    if answers is None:
        progress("answering the home page's questions")
        answers = home_answers(store, lang, ask)
    answers = [a for a in answers if a.key not in NOT_ANSWERS]
    parts = [_cover(store, lang, answers, today)]
    from viz.picture import thai_font

    if thai_font() is None:
        parts.append(f'<p class="warning">{escape(_t(lang, "no_thai_font"))}</p>')
    progress(f"drawing map 1 of {len(answers) + 1}: the whole network")
    whole = draw(store, "m0", size=WHOLE_PX)
    parts.append(
        f'<section class="whole"><h2>{escape(_t(lang, "whole_map"))}</h2>'
        f"{_figure(whole, _t(lang, 'whole_map'), lang)}</section>"
    )
    for k, answer in enumerate(answers, start=1):
        budget.check()
        before_short = k < len(answers) and not answers[k].rows
        parts.append(_answer_section(store, answer, lang, k, len(answers), progress, before_short))
    toolbar = ""
    if print_button:
        toolbar = (
            '<div class="toolbar no-print"><button type="button" id="print" '
            f'onclick="window.print()">{escape(_t(lang, "print"))}</button>'
            f'<span class="hint">{escape(_t(lang, "print_hint"))}</span>'
            f'<a href="/?lang={lang}">{escape(i18n.text(lang, "common.home"))}</a>'
            f'<a href="?lang={"en" if lang == "th" else "th"}">'
            f"{escape(i18n.text(lang, 'common.language_switch'))}</a></div>"
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(_t(lang, 'title'))}</title><style>{STYLE}</style></head>"
        f"<body>{toolbar}<main>{''.join(parts)}</main></body></html>\n"
    )


def print_view(store: GraphStore, lang: str, day: str) -> str:
    """The service's print view (``GET /report``): the report of ``day`` (an ISO date) with
    its print button."""
    return report_html(store, lang, print_button=True, today=dt.date.fromisoformat(day))


def empty_page(lang: str) -> str:
    """The print view of an empty graph: what to do first."""
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(_t(lang, 'title'))}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>{escape(_t(lang, 'title'))}</h1><p>{escape(_t(lang, 'empty'))}</p>"
        f'<p><a href="/?lang={lang}">{escape(i18n.text(lang, "common.home"))}</a></p>'
        "</main></body></html>\n"
    )


# -- PDF -------------------------------------------------------------------------------------

#: the environment variable naming a Chromium, then the names looked up on the PATH
CHROMIUM_ENV = "GRAPH_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: what a Chromium needs to start quickly and quietly on a closed network (the browser tests
#: and the benchmarks start it with the same)
CHROMIUM_QUIET_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: the report's: headless, and no header or footer on the printed pages
CHROMIUM_FLAGS = ("--headless", *CHROMIUM_QUIET_FLAGS, "--no-pdf-header-footer")
PDF_TIMEOUT_S = 300


def find_chromium() -> str | None:
    """``GRAPH_CHROMIUM`` when set (a path or a name on the PATH), else the first of
    ``CHROMIUM_NAMES`` on the PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


NO_CHROMIUM = (
    "ต้องใช้เบราว์เซอร์ Chromium เพื่อทำไฟล์ PDF แต่ไม่พบในเครื่องนี้: ติดตั้งด้วย "
    "`apt install chromium` (หรือตั้ง GRAPH_CHROMIUM เป็นที่อยู่ของโปรแกรม) "
    "หรือเปิดหน้า /report ของบริการในเบราว์เซอร์แล้วกดพิมพ์ / "
    "Making a PDF needs Chromium, and none was found (GRAPH_CHROMIUM, then chromium, "
    "chromium-browser, google-chrome on the PATH): install it (`apt install chromium`) or set "
    "GRAPH_CHROMIUM to its path, or open the service's print view /report in a browser and "
    "print it; `-o FILE.html` writes the report's HTML without Chromium."
)


def write_pdf(html: str, output: Path, progress: Progress = _quiet) -> Path:
    """Print ``html`` to the PDF ``output`` with headless Chromium (the page's CSS sets A4).

    No Chromium: ``NotAvailable`` (exit status 2) saying how to install one or to use the
    print view. Chromium failing: ``NotAvailable`` with its last lines of output."""
    chromium = find_chromium()
    if chromium is None:
        raise NotAvailable(NO_CHROMIUM, {"looked_for": [CHROMIUM_ENV, *CHROMIUM_NAMES]})
    output = Path(output).expanduser().resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="graph-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        partial = Path(tmp) / "report.pdf"
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--print-to-pdf={partial}",
            page.as_uri(),
        ]
        progress(f"printing the PDF with {chromium}")
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise NotAvailable(
                f"Chromium did not finish printing the report within {PDF_TIMEOUT_S} s",
                {"chromium": chromium},
            ) from exc
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            tail = (done.stderr or done.stdout or "").strip().splitlines()[-5:]
            raise NotAvailable(
                f"Chromium ({chromium}) could not print the report (exit status "
                f"{done.returncode}): " + " | ".join(tail),
                {"chromium": chromium, "exit_status": done.returncode},
            )
        shutil.move(str(partial), output)
    return output


def write_report(
    store: GraphStore,
    output: Path,
    lang: str = i18n.DEFAULT_LANGUAGE,
    progress: Progress = _quiet,
) -> Path:
    """``graph-service report -o FILE``: the PDF, or with a ``.html``/``.htm`` name the HTML."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise UsageError(
            f"the report is written as FILE.pdf or FILE.html, not {output.name!r}",
            {"output": str(output)},
        )
    if suffix == ".pdf" and find_chromium() is None:  # say so before the long work
        raise NotAvailable(NO_CHROMIUM, {"looked_for": [CHROMIUM_ENV, *CHROMIUM_NAMES]})
    html = report_html(store, lang, progress=progress)
    if suffix == ".pdf":
        return write_pdf(html, output, progress)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(html, encoding="utf-8")
    return output


def stderr_progress(line: str) -> None:
    """A progress line on stderr."""
    print(f"graph-service report: {line} …", file=sys.stderr, flush=True)


__all__ = [
    "FONT_STACK",
    "empty_page",
    "find_chromium",
    "print_view",
    "report_html",
    "write_pdf",
    "write_report",
]

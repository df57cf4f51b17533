"""A chain drawn as a chain (issue 12): the shortest chains of ``path`` laid out left to right.

``graph-service map --path FROM TO`` and ``GET /map/path?from=&to=`` draw the answer of
:func:`graph_service.analysis.paths.path` (never a search of their own, so the picture and
``path --json`` cannot disagree):

- every entity on a listed chain sits in the column of its step: ``x = step × SPACING``, FROM
  at step 0 (the left edge), TO at the last step (the right edge). On a shortest chain an
  entity's step is its distance from FROM, so an entity that lies on several chains has one
  column; the entities sharing a column are stacked ``ROW`` apart, centred on ``y = 0``, in
  the order the chains list them (the chains are in the order of their ids);
- the ties drawn are the relationships joining two consecutive entities of a chain (of the
  ``types`` asked for, when given), each labelled with its type in Thai and English
  (:func:`relation_label`, e.g. ``เป็นสมาชิกของ / MEMBER_OF``; several ties between two
  entities share one label, a line each), styled like every map (solid green horizontal,
  dashed red vertical, grey otherwise); arrows keep the relationship's own direction (a
  chain reads ties both ways, so an arrow may point back);
- physics is off (as on every map: ``map.js``), so the chain stays a chain;
- the page's heading is one sentence in Thai and English ("สายเชื่อมที่สั้นที่สุด … 3 ขั้น /
  shortest chain …: 3 steps"), and the chains are also written out as text under it
  (folded: on a phone the drawing is small); when there is no chain, the page says so in
  words and draws no canvas.

:func:`chain_map_json` is the same layout as ``map --json`` gives it (CONTRACT.md section 2:
``{"nodes": [{"id", "label", "kind", "x", "y", "size"}], "edges": [{"from", "to",
"type"}]}``, ``size`` the diameter), with the ``path`` document's ``from``, ``to``,
``length``, ``count``, ``truncated`` and ``paths`` beside them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph_service.analysis.paths import path
from graph_service.domain import Edge, Node, Subgraph
from graph_service.store.base import GraphStore
from viz.maps import STATIC_PREFIX, _inline, render_map, truncate

#: screen units between two steps (room for a tie's label between two columns)
SPACING = 320.0
#: screen units between two entities stacked at one step
ROW = 160.0
#: every entity's size (vis-network's ``size``: the radius); ``map --json`` gives diameters
NODE_SIZE = 20.0

#: the relationship types of CONTRACT.md section 1 (and ADOPTED_BY) in Thai
RELATION_NAMES_TH: dict[str, str] = {
    "MEMBER_OF": "เป็นสมาชิกของ",
    "WORKS_FOR": "ทำงานให้",
    "PARTNERS_WITH": "เป็นภาคีกับ",
    "PROVIDES": "จัดสรรทุน",
    "COORDINATES": "ประสานงาน",
    "SUPPORTS": "สนับสนุน",
    "MENTORS": "เป็นพี่เลี้ยง",
    "REPORTS_TO": "รายงานต่อ",
    "PART_OF": "เป็นส่วนหนึ่งของ",
    "FUNDS": "ให้ทุน",
    "PRODUCES": "ผลิต",
    "USES": "ใช้",
    "SHARES_KNOWLEDGE_WITH": "แลกเปลี่ยนความรู้กับ",
    "LOCATED_IN": "ตั้งอยู่ใน",
    "OPERATES_IN": "ทำงานในพื้นที่",
    "ADOPTED_BY": "นำไปใช้โดย",
}


def relation_label(type_: str) -> str:
    """A relationship type in Thai and English; a type of the user's own, as it is.

    >>> relation_label("MEMBER_OF")
    'เป็นสมาชิกของ / MEMBER_OF'
    >>> relation_label("KNOWS")
    'KNOWS'
    """
    thai = RELATION_NAMES_TH.get(type_)
    return f"{thai} / {type_}" if thai else type_


def chain_positions(
    paths: Sequence[Sequence[str]], spacing: float = SPACING, row: float = ROW
) -> dict[str, tuple[float, float]]:
    """x, y of every entity on ``paths``: ``x = step × spacing``; the entities of one step
    stacked ``row`` apart and centred on 0, in the order the chains first list them (an
    entity listed at two steps, which no set of shortest chains holds, keeps its first).

    >>> chain_positions([["a", "b", "d"], ["a", "c", "d"]])
    {'a': (0.0, 0.0), 'b': (320.0, -80.0), 'c': (320.0, 80.0), 'd': (640.0, 0.0)}
    """
    columns: dict[int, list[str]] = {}
    placed: set[str] = set()
    for chain in paths:
        for step, id_ in enumerate(chain):
            if id_ not in placed:
                placed.add(id_)
                columns.setdefault(step, []).append(id_)
    out: dict[str, tuple[float, float]] = {}
    for step, ids in sorted(columns.items()):
        middle = (len(ids) - 1) / 2
        for j, id_ in enumerate(ids):
            out[id_] = (round(step * spacing, 1), round((j - middle) * row, 1))
    return out


def chain_ties(
    paths: Sequence[Sequence[str]], edges: Sequence[Edge], types: Sequence[str] | None
) -> list[Edge]:
    """The relationships among ``edges`` that join two consecutive entities of a chain,
    either way, of ``types`` when given (each once, in the order given).

    >>> es = [Edge("a", "KNOWS", "b"), Edge("c", "KNOWS", "a"), Edge("a", "KNOWS", "d")]
    >>> [e.key for e in chain_ties([["a", "b"], ["c", "a"]], es, None)] == [es[0].key, es[1].key]
    True
    """
    steps = {frozenset(pair) for chain in paths for pair in zip(chain, chain[1:], strict=False)}
    wanted = set(types) if types else None
    return [
        e
        for e in edges
        if e.source != e.target
        and frozenset((e.source, e.target)) in steps
        and (wanted is None or e.type in wanted)
    ]


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _chains(n: int) -> str:
    return f"{n} chain" if n == 1 else f"{n} chains"


@dataclass
class ChainView:
    """What a chain map draws: the ``path`` document, the entities on the listed chains and
    the ties between consecutive ones, their places, the ties' labels, the heading and the
    notes. ``sub`` is empty when there is no chain."""

    doc: dict[str, Any]
    sub: Subgraph
    positions: dict[str, tuple[float, float]]
    labels: dict[str, str]
    title: str
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.doc["length"] is not None


def chain_view(
    store: GraphStore,
    source: str,
    target: str | None = None,
    *,
    to_where: str | Sequence[str] | None = None,
    actors_only: bool = False,
    types: Sequence[str] | None = None,
    upward: bool = False,
    all_paths: bool = False,
) -> ChainView:
    """The chains of ``path`` (same arguments, same errors: ``NotFound`` with the closest
    ids and names for an unknown FROM or TO, ``InvalidInput`` for a bad option) laid out
    left to right (:func:`chain_positions`)."""
    doc = path(
        store,
        source,
        target,
        to_where=to_where,
        actors_only=actors_only,
        types=types,
        upward=upward,
        all_paths=all_paths,
    )
    chains: list[list[str]] = doc["paths"]
    on_chain = list(dict.fromkeys(i for chain in chains for i in chain))
    ends = [i for i in (doc["from"], doc["to"]) if i is not None]
    nodes: Mapping[str, Node] = store.get_nodes(list(dict.fromkeys([*ends, *on_chain])))

    def name(id_: str | None) -> str:
        node = nodes.get(id_) if id_ is not None else None
        return (node.name if node is not None else "") or str(id_)

    a = name(doc["from"])
    options = _options_note(doc)
    if doc["to"] is None:  # --to-where: nothing matching is reachable
        terms = "; ".join(doc.get("to_where") or [])
        title = (
            f"ไม่พบสายเชื่อมจาก {a} ถึงรายการที่ตรงกับ {terms} / no chain from {a} to an entity "
            f"matching {terms}"
        )
        return ChainView(doc, Subgraph(), {}, {}, title, [*options])
    b = name(doc["to"])
    if doc["length"] is None:
        title = f"ไม่มีสายเชื่อมระหว่าง {a} กับ {b} / there is no chain between {a} and {b}"
        notes = [*options]
        if options:
            notes.append("ลองเอาเงื่อนไขออกบางข้อ / try again without some of these conditions.")
        return ChainView(doc, Subgraph(), {}, {}, title, notes)
    length = doc["length"]
    title = (
        f"สายเชื่อมที่สั้นที่สุดจาก {a} ถึง {b}: {length} ขั้น / shortest chain from {a} to "
        f"{b}: {_steps(length)}"
    )
    edges = chain_ties(chains, store.edges_among(on_chain), doc.get("types"))
    sub = Subgraph({i: nodes[i] for i in on_chain if i in nodes}, edges)
    count, listed = doc["count"], len(chains)
    notes = [
        f"มี {count:,} สายที่สั้นเท่ากัน วาด {listed:,} สาย / {_chains(count)} of that length, "
        f"{listed:,} drawn" + (" (all=true or --all draws every one)." if doc["truncated"] else ".")
    ]
    if doc.get("to_where"):
        terms = "; ".join(doc["to_where"])
        near = doc.get("nearest") or []
        others = f" ({len(near)} at that distance: {', '.join(near[:10])})" if len(near) > 1 else ""
        notes.append(
            f"{b} คือรายการที่ใกล้ที่สุดที่ตรงกับ {terms} / {b} is the nearest entity matching "
            f"{terms}{others}."
        )
    notes.extend(options)
    notes.append(
        "ซ้ายไปขวา: จุดเริ่มต้นทางซ้าย ปลายทางทางขวา แต่ละคอลัมน์คือหนึ่งขั้น / left to right: "
        "FROM at the left, TO at the right, one column per step."
    )
    labels = {e.key: relation_label(e.type) for e in edges}
    return ChainView(doc, sub, chain_positions(chains), labels, title, notes)


def _options_note(doc: Mapping[str, Any]) -> list[str]:
    parts = []
    if doc.get("actors_only"):
        parts.append("ผ่านบุคคล องค์กร เครือข่ายเท่านั้น / through people, organisations and networks only")
    if doc.get("types"):
        parts.append(f"เฉพาะความสัมพันธ์ / only ties of type {', '.join(doc['types'])}")
    if doc.get("upward"):
        parts.append(
            "ทุกขั้นขึ้นไประดับเดียวกันหรือสูงกว่า / upward: each step to the same or a higher admin_level"
        )
    return [f"เงื่อนไข / conditions: {'; '.join(parts)}."] if parts else []


#: how a tie's label is drawn: level (never turned along a slanted line) on a white ground
LABEL_FONT = {"size": 15, "align": "horizontal", "background": "rgba(255,255,255,0.9)"}
#: the most lines a label of several ties between two entities takes
MERGED_LINES = 3
#: how an entity's name is drawn: larger than on the other maps (a chain has few entities,
#: and the page is fitted to the chain's width)
NAME_FONT = {"size": 19}


def edge_extras(view: ChainView) -> dict[str, dict[str, Any]]:
    r"""The vis-network fields of each tie besides its style: its label, drawn level on a
    white ground. One tie between two entities: Thai on one line, English on the next.
    Several: the lines overlap, so the first carries one line per tie (``ไทย / TYPE``;
    beyond ``MERGED_LINES`` lines, the rest are counted: the details panel lists them all)
    and the others none (each keeps its own arrow).

    >>> sub = Subgraph({}, [Edge("a", "USES", "b"), Edge("b", "MEMBER_OF", "a"),
    ...                     Edge("b", "FUNDS", "c")])
    >>> v = ChainView({}, sub, {}, {e.key: relation_label(e.type) for e in sub.edges}, "")
    >>> [x["label"] for x in edge_extras(v).values()]
    ['ใช้ / USES\nเป็นสมาชิกของ / MEMBER_OF', '', 'ให้ทุน\nFUNDS']
    """
    pairs: dict[frozenset[str], list[Edge]] = {}
    for e in view.sub.edges:
        pairs.setdefault(frozenset((e.source, e.target)), []).append(e)
    out: dict[str, dict[str, Any]] = {}
    for ties in pairs.values():
        if len(ties) == 1:
            text = view.labels[ties[0].key].replace(" / ", "\n", 1)
        else:
            lines = list(dict.fromkeys(view.labels[e.key] for e in ties))
            if len(lines) > MERGED_LINES:
                more = len(lines) - MERGED_LINES + 1
                lines = [*lines[: MERGED_LINES - 1], f"อีก {more} / +{more} more"]
            text = "\n".join(lines)
        for k, e in enumerate(ties):
            out[e.key] = {"label": text if k == 0 else "", "font": LABEL_FONT}
    return out


def chains_html(view: ChainView, limit: int = 50) -> str:
    """The chains as text, one line per chain (names joined by arrows), folded under a
    summary line: readable on a phone, where the drawing is small. Every name is escaped.

    >>> sub = Subgraph({i: Node(i, "Person", {"name": n}) for i, n in [("a", "ก"), ("b", "<b>")]})
    >>> text = chains_html(ChainView({"paths": [["a", "b"]], "count": 1}, sub, {}, {}, ""))
    >>> text[text.index("<ol>") :]
    '<ol><li>ก → &lt;b&gt;</li></ol></details>'
    """
    esc = html.escape
    chains = view.doc["paths"]

    def name(id_: str) -> str:
        node = view.sub.nodes.get(id_)
        return (node.name if node is not None else "") or id_

    items = "".join(
        f"<li>{' → '.join(esc(name(i)) for i in chain)}</li>" for chain in chains[:limit]
    )
    more = len(chains) - limit
    if more > 0:
        items += f"<li>… {more:,} more / อีก {more:,} สาย</li>"
    return (
        '<details class="chains"><summary>สายเชื่อมเป็นข้อความ / the chains as text '
        f"({len(chains):,})</summary><ol>{items}</ol></details>"
    )


def render_chain(
    view: ChainView, *, links: dict[str, str] | None = None, standalone: bool = True
) -> str:
    """The page of ``view``: the chain map, or, when there is no chain, a page that says so."""
    if not view.found:
        return message_page(view.title, view.notes, standalone=standalone)
    ends = {i for i in (view.doc["from"], view.doc["to"]) if i is not None}
    return render_map(
        view.sub,
        title=view.title,
        colour_by="kind",
        size_by="เท่ากัน / same for all",
        sizes=dict.fromkeys(view.sub.nodes, 1.0),
        highlight=ends,
        links=links,
        standalone=standalone,
        notes=view.notes,
        positions=view.positions,
        edge_extra=edge_extras(view),
        node_extra=dict.fromkeys(view.sub.nodes, {"font": NAME_FONT}),
        page_class="chain",
        header_html=chains_html(view),
    )


def build_chain_map(
    store: GraphStore,
    source: str,
    target: str | None = None,
    *,
    to_where: Sequence[str] = (),
    actors_only: bool = False,
    types: Sequence[str] | None = None,
    upward: bool = False,
    all_paths: bool = False,
    links: dict[str, str] | None = None,
    standalone: bool = True,
) -> str:
    """The ``map --path`` page: :func:`chain_view` drawn by :func:`render_chain`."""
    view = chain_view(
        store,
        source,
        target,
        to_where=list(to_where) or None,
        actors_only=actors_only,
        types=types,
        upward=upward,
        all_paths=all_paths,
    )
    return render_chain(view, links=links, standalone=standalone)


def chain_map_json(view: ChainView) -> dict[str, Any]:
    """The laid-out chain as ``map --json`` gives a map (CONTRACT.md section 2), with the
    ``path`` answer beside it; no chain: no nodes, no edges, ``length`` null."""
    nodes = []
    for id_, (x, y) in view.positions.items():
        node = view.sub.nodes.get(id_)
        if node is None:
            continue
        nodes.append(
            {
                "id": id_,
                "label": truncate(node.name or id_),
                "kind": node.kind,
                "x": x,
                "y": y,
                "size": NODE_SIZE * 2,
            }
        )
    edges = [
        {"from": e.source, "to": e.target, "type": e.type, "label": view.labels[e.key]}
        for e in view.sub.edges
    ]
    doc = view.doc
    return {
        "title": view.title,
        "notes": list(view.notes),
        "from": doc["from"],
        "to": doc["to"],
        "length": doc["length"],
        "count": doc["count"],
        "truncated": doc["truncated"],
        "paths": doc["paths"],
        "nodes": nodes,
        "edges": edges,
    }


def message_page(
    title: str, sentences: Sequence[str], *, standalone: bool = True, body_html: str = ""
) -> str:
    """A page of words only (no canvas) in the maps' style: ``title``, ``sentences`` and
    ``body_html`` (markup the caller built and escaped)."""
    esc = html.escape
    head = (
        f"<style>\n{_inline('map.css')}\n</style>"
        if standalone
        else f'<link rel="stylesheet" href="{STATIC_PREFIX}map.css">'
    )
    text = "".join(f'<p class="note">{esc(s)}</p>' for s in sentences)
    return f"""<!DOCTYPE html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
</head>
<body class="message" data-nodes="0" data-edges="0">
<header id="top">
<h1>{esc(title)}</h1>
<div id="notes">{text}</div>
</header>
<main id="message">{body_html}</main>
</body>
</html>
"""


def chain_form(values: Mapping[str, Any] | None = None, error: str | None = None) -> str:
    """The ``/map/path`` page without FROM: a form asking for the two ends (ids or names)
    and the options of ``path``; it sends the page to itself."""
    v = values or {}
    esc = html.escape

    def box(name: str, label: str) -> str:
        checked = " checked" if v.get(name) else ""
        return (
            f'<label class="check"><input type="checkbox" name="{name}" value="true"{checked}> '
            f"{esc(label)}</label>"
        )

    def field_(name: str, label: str, hint: str) -> str:
        value = esc(str(v.get(name) or ""), quote=True)
        return (
            f'<p><label for="f-{name}">{esc(label)}</label><br>'
            f'<input id="f-{name}" name="{name}" value="{value}" placeholder="{esc(hint)}" '
            'style="width:100%;max-width:28em;padding:6px;font:inherit"></p>'
        )

    form = (
        '<form method="get" action="/map/path" style="padding:12px">'
        + (f'<p class="note">{esc(error)}</p>' if error else "")
        + field_("from", "จาก / from", "รหัสหรือชื่อ / id or name")
        + field_("to", "ถึง / to", "รหัสหรือชื่อ / id or name")
        + field_("types", "เฉพาะความสัมพันธ์ / only these tie types", "e.g. MEMBER_OF,FUNDS")
        + box("actors_only", "ผ่านบุคคล องค์กร เครือข่ายเท่านั้น / actors only")
        + box("upward", "ขึ้นไประดับที่สูงกว่า / upward")
        + box("all", "ทุกสายที่สั้นที่สุด / every shortest chain")
        + '<p><button type="submit" style="padding:6px 14px;font:inherit">'
        "วาดสายเชื่อม / draw the chain</button></p></form>"
    )
    return message_page(
        "วาดสายเชื่อม / draw a chain",
        [
            "ใส่รหัสหรือชื่อของสองหน่วย แล้วดูสายเชื่อมที่สั้นที่สุดระหว่างกัน / give two "
            "entities (ids or names) to see the shortest chains between them."
        ],
        standalone=False,
        body_html=form,
    )


__all__ = [
    "ChainView",
    "build_chain_map",
    "edge_extras",
    "chain_form",
    "chains_html",
    "chain_map_json",
    "chain_positions",
    "chain_ties",
    "chain_view",
    "message_page",
    "relation_label",
    "render_chain",
]

"""Maps of the four analyses: brokerage, fund overlap, missing links and reach.

Each function runs its analysis (its errors, ``InvalidInput`` and ``NotFound``, propagate
unchanged), draws the part of the graph the analysis is about and marks on it what the
analysis found, through :func:`viz.maps.render_map`:

- :func:`brokerage_map`: the actors and their ties, coloured by the grouping, sized by the
  Gould–Fernandez total, the top brokers outlined;
- :func:`overlap_map`: the funds and what they reach, a ghost edge between two overlapping
  funds and their FUNDS relationships into the shared targets coloured by the pair's kind;
- :func:`gaps_map`: the actors coloured by the grouping, a dashed ghost edge for each missing
  link between the two groups' best-connected actors, the candidate brokers outlined;
- :func:`reach_map`: the neighbourhood of one entity coloured by distance.

``links`` and ``standalone`` are passed to ``render_map`` unchanged. ``lang`` is the page's
language: each map opens with a banner of one or two sentences that answer its question in
that language (``messages/<lang>/maps.toml``), a "what is this?" element that explains the
measure, and the rest of what the analysis found folded under "all the details".
"""

from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from graph_service import i18n
from graph_service.analysis.brokerage import ROLES, brokerage_report, load_ties
from graph_service.analysis.common import actor_ties, group_actors
from graph_service.analysis.gaps import gaps_report
from graph_service.analysis.overlap import AREA_LINKS, LOAD_TYPES, check_by, overlap_report
from graph_service.analysis.reach import reach
from graph_service.domain import ACTOR_KINDS, Edge, Node, Subgraph
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from viz.maps import attribute_word, render_map, value_word

#: brokers outlined on the brokerage map, and listed in its notes
TOP_HIGHLIGHT = 10
TOP_NOTES = 5
#: overlap pair kind -> colour of the ghost edge and of the FUNDS edges into shared targets
PAIR_COLOURS: dict[str, str] = {
    "duplication": "#c62828",
    "complementary": "#2e7d32",
    "unknown": "#f9a825",
}
#: when an edge belongs to pairs of several kinds, the first kind here wins
PAIR_PRECEDENCE = ("duplication", "unknown", "complementary")


# -- shared helpers --------------------------------------------------------------------------


def _is_member_of(attribute: str) -> bool:
    return attribute == "member_of" or attribute.startswith("member_of:")


def _grouped(sub: Subgraph, attribute: str, labels: Mapping[str, str | None]) -> Subgraph:
    """``sub`` ready to be coloured by ``attribute``: kind, level and properties are read
    off the entities as they are; ``member_of`` groups are no property, so each actor
    gets them as one (copies of the nodes, the store is not touched)."""
    if not _is_member_of(attribute):
        return sub
    nodes = {}
    for i, n in sub.nodes.items():
        label = labels.get(i)
        nodes[i] = Node(i, n.kind, {**n.props, attribute: label}) if label else n
    return Subgraph(nodes, sub.edges, sub.distance)


def _actor_subgraph(sub: Subgraph) -> Subgraph:
    """The actors of ``sub`` and the relationships among them."""
    nodes = {i: n for i, n in sub.nodes.items() if n.kind in ACTOR_KINDS}
    edges = [e for e in sub.edges if e.source in nodes and e.target in nodes]
    return Subgraph(nodes, edges)


def _name(node: Node | None, id_: str) -> str:
    return (node.name if node is not None else "") or id_


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"maps.{key}", **values)


def _join(items: Sequence[str], lang: str, limit: int = 3) -> str:
    """``a, b และ c`` / ``a, b and c``; more than ``limit``: ``a, b, c และอื่น ๆ อีก 2``."""
    items = list(items)
    return i18n.listing(lang, items[:limit], total=len(items)) or i18n.text(lang, "home.nobody")


def _group(lang: str, attribute: str, value: Any) -> str:
    """A group's value as a reader says it; the group of actors without one is "not
    given"."""
    if value is None:
        return i18n.text(lang, "maps.page.none_value")
    return value_word(lang, attribute, str(value))


def _choice(lang: str, param: str, label: str, value: str, choices: Sequence[str]) -> dict:
    """A control of a question map (a query parameter it takes): ``choices`` in words."""
    words = {
        "area": _t(lang, "overlap.by_area"),
        "beneficiary": _t(lang, "overlap.by_beneficiary"),
    }
    listed = list(choices) if value in choices else [*choices, value]
    return {
        "param": param,
        "label": i18n.text(lang, f"maps.page.{label}"),
        "value": value,
        "choices": [[c, words.get(c) or attribute_word(lang, c)] for c in listed],
    }


def _names(store: GraphStore, ids: Sequence[str]) -> dict[str, str]:
    found = store.get_nodes(list(dict.fromkeys(ids))) if ids else {}
    return {i: _name(found.get(i), i) for i in ids}


# -- brokerage -------------------------------------------------------------------------------


def _dominant_role(row: Mapping[str, Any]) -> str:
    """The role with the most brokered pairs (the first in ``ROLES`` order on a tie)."""
    return max(ROLES, key=lambda r: (row[r], -ROLES.index(r)))


def brokerage_map(
    store: GraphStore,
    *,
    group_by: str = "admin_level",
    undirected: bool = False,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The actors (people, organisations, networks) and their ties, coloured by the group
    each falls in under ``group_by``, sized by the Gould–Fernandez total; the ten actors
    with the highest total (above 0) are outlined. The banner names the top three; the
    details give the top five with their dominant role."""
    sub, ties = load_ties(store, None, undirected)
    report = brokerage_report(sub, ties, group_by, None, undirected, False)
    attribute = group_by.strip()
    word = attribute_word(lang, attribute)
    rows = report["nodes"]  # sorted by (-total, id)
    groups = {r["id"]: r["group"] for r in rows}
    brokers = [r for r in rows if r["total"] > 0]
    if brokers:
        names = _join([r["name"] or r["id"] for r in brokers[:3]], lang)
        notes = [
            _t(lang, "brokerage.sentence", names=names, attr=word),
            _t(lang, "brokerage.top", count=min(TOP_HIGHLIGHT, len(brokers))),
        ]
    else:
        notes = [_t(lang, "brokerage.none", attr=word)]
    details = [
        _t(
            lang,
            "brokerage.row",
            name=r["name"] or r["id"],
            total=i18n.number(r["total"]),
            role=_t(lang, f"role.{_dominant_role(r)}"),
        )
        for r in brokers[:TOP_NOTES]
    ]
    unnamed = sum(g["actors"] for g in report["groups"] if g["group"] is None)
    if unnamed:
        details.append(_t(lang, "brokerage.missing_group", count=unnamed, attr=word))
    details.append(_t(lang, "brokerage.undirected" if undirected else "brokerage.directed"))
    return render_map(
        _grouped(sub, attribute, groups),
        title=_t(lang, "brokerage.title", attr=word),
        colour_by=attribute,
        size_by="brokerage",
        sizes={r["id"]: r["total"] for r in rows},
        highlight={r["id"] for r in brokers[:TOP_HIGHLIGHT]},
        links=links,
        standalone=standalone,
        notes=notes,
        explain=_t(lang, "brokerage.explain", attr=word),
        details=details,
        lang=lang,
        controls=[_choice(lang, "group_by", "group_by", attribute, ("admin_level", "sector"))],
    )


# -- fund overlap ----------------------------------------------------------------------------


def _overlap_subgraph(sub: Subgraph, by: str) -> Subgraph:
    """The funds, their FUNDS relationships and recipients and, by area, the funds' and the
    recipients' OPERATES_IN / LOCATED_IN links to areas with those areas."""
    nodes = sub.nodes
    funds = {i for i, n in nodes.items() if n.kind == "Fund"}
    funding = [
        e for e in sub.edges if e.type == "FUNDS" and e.source in funds and e.target in nodes
    ]
    keep = set(funds) | {e.target for e in funding}
    edges = list(funding)
    if by == "area":
        placed = {e.target for e in funding} | funds
        for e in sub.edges:
            if e.type in AREA_LINKS and e.source in placed:
                end = nodes.get(e.target)
                if end is not None and end.kind == "Area":
                    edges.append(e)
                    keep.add(e.target)
    return Subgraph({i: nodes[i] for i in sorted(keep)}, edges)


def _pair_edge_kinds(
    pairs: Sequence[Mapping[str, Any]], edges: Sequence[Edge]
) -> dict[str, set[str]]:
    """Edge key -> the kinds of the pairs whose shared targets it leads into: the FUNDS
    relationships of both funds towards each shared target and, by area, the recipient's
    link to the shared area."""
    index: dict[tuple[str, str, str], list[str]] = {}
    for e in edges:
        index.setdefault((e.source, e.type, e.target), []).append(e.key)
    kinds: dict[str, set[str]] = {}
    for pair in pairs:
        for entry in pair["paths"]:
            target = entry["target"]
            for fund, paths in (
                (pair["fund_a"], entry["fund_a"]),
                (pair["fund_b"], entry["fund_b"]),
            ):
                for path in paths:
                    via = path["via"]
                    triples = (
                        [(fund, path["type"], target)]  # FUNDS, or the fund's own placement
                        if via is None
                        else [(fund, "FUNDS", via), (via, path["type"], target)]
                    )
                    for triple in triples:
                        for key in index.get(triple, ()):
                            kinds.setdefault(key, set()).add(pair["kind"])
    return kinds


def _winning_kind(kinds: set[str]) -> str:
    return next(k for k in PAIR_PRECEDENCE if k in kinds)


def _overlap_notes(sub: Subgraph, by: str, lang: str) -> list[str]:
    """What the overlap analysis left out, in the reader's words: FUNDS relationships that
    start at something other than a fund and, by area, recipients with no area."""
    nodes = sub.nodes
    out = []
    not_funds = sum(
        1
        for e in sub.edges
        if e.type == "FUNDS" and e.source in nodes and nodes[e.source].kind != "Fund"
    )
    if not_funds:
        out.append(_t(lang, "overlap.not_funds", count=i18n.number(not_funds)))
    if by == "area":
        funds = {i for i, n in nodes.items() if n.kind == "Fund"}
        recipients = {
            e.target
            for e in sub.edges
            if e.type == "FUNDS"
            and e.source in funds
            and e.target in nodes
            and nodes[e.target].kind != "Area"
        }
        placed = {
            e.source
            for e in sub.edges
            if e.type in AREA_LINKS and e.target in nodes and nodes[e.target].kind == "Area"
        }
        lost = len(recipients - placed)
        if lost:
            out.append(_t(lang, "overlap.no_area", count=i18n.number(lost)))
    return out


def overlap_map(
    store: GraphStore,
    *,
    by: str = "area",
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The funds and what they reach (``by="beneficiary"``: their FUNDS recipients;
    ``by="area"``: also the areas the recipients operate in (OPERATES_IN) or are located in
    (LOCATED_IN)), coloured by
    kind. Funds in an overlapping pair are outlined and joined by a ghost edge labelled with
    the pair's kind; the edges into shared targets are coloured by kind (duplication red,
    complementary green, unknown amber; duplication wins over unknown over complementary).
    The banner says how many pairs overlap, with one example (a duplication first). A graph
    without funds gives a page that says so."""
    by = check_by(by)
    sub = store.subgraph(types=LOAD_TYPES)
    report = overlap_report(sub, by)
    title = _t(lang, f"overlap.title_{by}")
    what = _t(lang, f"overlap.what_{by}")
    if report["funds"] == 0:
        return render_map(
            Subgraph(),
            title=title,
            links=links,
            standalone=standalone,
            notes=[_t(lang, "overlap.no_funds")],
            lang=lang,
        )
    view = _overlap_subgraph(sub, by)
    pairs = report["pairs"]
    edge_kinds = _pair_edge_kinds(pairs, view.edges)
    edge_colours = {key: PAIR_COLOURS[_winning_kind(k)] for key, k in edge_kinds.items()}
    nodes = sub.nodes

    def name(id_: str) -> str:
        return _name(nodes.get(id_), id_)

    def kind_word(kind: str) -> str:
        return _t(lang, f"overlap.kind.{kind}")

    ghosts = [
        {
            "from": p["fund_a"],
            "to": p["fund_b"],
            "type": "OVERLAP",
            # many pairs: their colour says the kind (the legend and "what is this?" say how)
            "label": kind_word(p["kind"]) if len(pairs) <= 5 else "",
            "title": _t(
                lang,
                "overlap.pair_title",
                a=name(p["fund_a"]),
                b=name(p["fund_b"]),
                kind=kind_word(p["kind"]),
                targets=_join([name(t) for t in p["shared"]], lang),
            ),
            "color": PAIR_COLOURS[p["kind"]],
        }
        for p in pairs
    ]
    counts = Counter(p["kind"] for p in pairs)
    if pairs:
        example = next((p for p in pairs if p["kind"] == "duplication"), pairs[0])
        notes = [
            _t(
                lang,
                "overlap.sentence",
                pairs=i18n.number(len(pairs)),
                what=what,
                a=name(example["fund_a"]),
                b=name(example["fund_b"]),
                targets=_join([name(t) for t in example["shared"]], lang),
            ),
            _t(
                lang,
                "overlap.judged",
                duplication=i18n.number(counts["duplication"]),
                complementary=i18n.number(counts["complementary"]),
                unknown=i18n.number(counts["unknown"]),
            ),
        ]
    else:
        notes = [_t(lang, "overlap.none", funds=i18n.number(report["funds"]), what=what)]
    details = [
        _t(
            lang,
            "overlap.pair",
            a=name(p["fund_a"]),
            b=name(p["fund_b"]),
            kind=kind_word(p["kind"]),
            targets=_join([name(t) for t in p["shared"]], lang),
        )
        for p in pairs
    ]
    if counts["unknown"]:  # what to add to the data to decide, before the pairs
        details.insert(0, _t(lang, "overlap.unknown_why"))
    details += _overlap_notes(sub, by, lang)
    return render_map(
        view,
        title=title,
        colour_by="kind",
        highlight={p["fund_a"] for p in pairs} | {p["fund_b"] for p in pairs},
        ghost_edges=ghosts,
        edge_colours=edge_colours,
        ghost_label=_t(lang, "overlap.ghost"),
        links=links,
        standalone=standalone,
        notes=notes,
        explain=_t(lang, "overlap.explain", what=what),
        details=details,
        lang=lang,
        controls=[_choice(lang, "by", "see_by", by, ("area", "beneficiary"))],
        legend_lines=[
            {
                "color": PAIR_COLOURS[k],
                "dashes": True,
                "label": f"{kind_word(k)} ({i18n.number(counts[k])})",
            }
            for k in ("duplication", "complementary", "unknown")
            if counts[k]
        ],
    )


# -- missing links ---------------------------------------------------------------------------


def _representatives(
    ids: Sequence[str], degree: Mapping[str, int], labels: Sequence[str | None]
) -> dict[str | None, str]:
    """Group label -> its actor with the highest degree (the smallest id on a tie)."""
    best: dict[str | None, str] = {}
    for i, lab in zip(ids, labels, strict=True):
        cur = best.get(lab)
        if cur is None or (-degree[i], i) < (-degree[cur], cur):
            best[lab] = i
    return best


def gaps_map(
    store: GraphStore,
    *,
    by: str = "admin_level",
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The actors and their ties coloured by ``by``. Each missing link (g, h) is a dashed
    ghost edge labelled with the two groups (marked when every tie runs through one actor)
    between the best-connected actor of g and of h (most tied actors, then smallest id; for
    gaps between sectors, within the gap's admin level). The candidate brokers are outlined.
    The banner says how many pairs of groups have no link (and their direction when all
    share one), and how many hang on one actor; the details list every one with the actors
    who could close it."""
    full = store.subgraph()
    report = gaps_report(full, by)
    attribute = report["by"]
    word = attribute_word(lang, attribute)
    sub = _actor_subgraph(full)
    ties = actor_ties(sub, None, undirected=True)
    # tied actors of each actor: the arcs run both ways, de-duplicated
    degree = dict(zip(ties.ids, np.bincount(ties.src, minlength=ties.n).tolist(), strict=True))
    labels = group_actors(sub.nodes, ties.ids, attribute, sub).labels
    reps = _representatives(ties.ids, degree, labels)
    level_reps: dict[str | None, dict[str | None, str]] = {}
    if any("level" in m for m in report["missing"]):
        try:
            levels = group_actors(sub.nodes, ties.ids, "admin_level", sub).labels
        except InvalidInput:
            levels = [None] * ties.n
        for lev in set(levels):
            keep = [k for k, x in enumerate(levels) if x == lev]
            level_reps[lev] = _representatives(
                [ties.ids[k] for k in keep], degree, [labels[k] for k in keep]
            )

    def name(id_: str) -> str:
        return _name(full.nodes.get(id_), id_)

    ghosts, details, brokers = [], [], set()
    none_pairs: list[tuple[dict[str, Any], str]] = []
    one_pairs: list[tuple[dict[str, Any], str]] = []
    for m in report["missing"]:
        g, h = _group(lang, attribute, m["from"]), _group(lang, attribute, m["to"])
        at_level = "level" in m and not m.get("undecided")
        pick = level_reps.get(m["level"], {}) if at_level else reps
        one = m["status"] == "one_actor"
        (one_pairs if one else none_pairs).append((m, f"{g}–{h}"))
        where = ""
        if at_level:
            where = _t(lang, "gaps.at_level", level=_group(lang, "admin_level", m["level"]))
        if m.get("undecided"):
            where = _t(lang, "gaps.undecided")
        line = _t(
            lang,
            "gaps.pair_one" if one else "gaps.pair_none",
            a=g,
            b=h,
            where=where,
            through=name(m["through"]) if m.get("through") else "",
            brokers=_join([name(b) for b in m["brokers"]], lang),
        )
        ghosts.append(
            {
                "from": pick.get(m["from"]),
                "to": pick.get(m["to"]),
                "type": "MISSING",
                "direction": m["direction"],
                "label": _t(lang, "gaps.label_one" if one else "gaps.label", a=g, b=h),
                "title": line,
            }
        )
        details.append(line)
        brokers.update(m["brokers"])
    if len(ghosts) > 5:  # many dashed lines: their names on hover, not along the lines
        for ghost in ghosts:
            ghost["label"] = ""
    notes = []
    if none_pairs:
        directions = {m["direction"] for m, _ in none_pairs}
        listed = _join([text for _, text in none_pairs], lang)
        count = i18n.number(len(none_pairs))
        if len(directions) == 1 and None not in directions:
            direction = i18n.word(lang, "direction", str(directions.pop()))
            notes.append(_t(lang, "gaps.sentence", direction=direction, pairs=listed, count=count))
        else:
            notes.append(_t(lang, "gaps.sentence_any", pairs=listed, count=count))
    if one_pairs:
        notes.append(_t(lang, "gaps.sentence_one", count=i18n.number(len(one_pairs))))
    if not notes:
        notes.append(_t(lang, "gaps.none", attr=word))
    unnamed = sum(1 for x in labels if x is None)
    if unnamed:
        details.append(_t(lang, "gaps.missing_group", count=i18n.number(unnamed), attr=word))
    return render_map(
        _grouped(sub, attribute, dict(zip(ties.ids, labels, strict=True))),
        title=_t(lang, "gaps.title", attr=word),
        colour_by=attribute,
        highlight=brokers,
        ghost_edges=ghosts,
        ghost_label=_t(lang, "gaps.ghost"),
        links=links,
        standalone=standalone,
        notes=notes,
        explain=_t(lang, "gaps.explain", attr=word),
        details=details,
        lang=lang,
        controls=[_choice(lang, "by", "group_by", attribute, ("admin_level", "sector"))],
    )


# -- reach -----------------------------------------------------------------------------------


def reach_map(
    store: GraphStore,
    ref: str,
    *,
    depth: int = 2,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The entities within ``depth`` steps of ``ref`` (an id or a unique name), ties read
    both ways, coloured by their distance from it (0 for the focus, which is outlined);
    the banner gives its reach and distance-weighted reach."""
    report = reach(store, ref, depth)
    focus = report["id"]
    # the reach already walked the neighbourhood: fetch its entities and links, not walk again
    distance = {focus: 0, **{r["id"]: r["distance"] for r in report["nodes"]}}
    ids = sorted(distance)
    nodes = {
        i: Node(i, n.kind, {**n.props, "distance": distance[i]})
        for i, n in store.get_nodes(ids).items()
    }
    edges = store.edges_among(ids)
    name = report["name"] or focus
    by_distance = ", ".join(
        _t(lang, "reach.by_distance", distance=d, count=i18n.number(c))
        for d, c in report["by_distance"].items()
    )
    sentence = _t(
        lang, "reach.sentence", name=name, count=i18n.number(report["reach"]), depth=depth
    )
    notes = [
        sentence + (f" ({by_distance})" if by_distance else ""),
        _t(lang, "reach.weighted", weighted=i18n.number(report["weighted_reach"])),
    ]
    return render_map(
        Subgraph(nodes, edges, distance),
        title=_t(lang, "reach.title", name=name, depth=depth),
        colour_by="distance",
        highlight={focus},
        links=links,
        standalone=standalone,
        notes=notes,
        explain=_t(
            lang,
            "reach.explain",
            depth=depth,
            name=name,
            count=i18n.number(report["reach"]),
            drawn=i18n.number(len(nodes)),
        ),
        lang=lang,
    )


__all__ = [
    "brokerage_map",
    "counts_over_time",
    "diff_document",
    "diff_map",
    "fragility_map",
    "gaps_map",
    "overlap_map",
    "reach_map",
]


# -- fragility -------------------------------------------------------------------------------

#: the property a fragility map colours by: the cut point an actor would be cut off by
CUT_OFF_BY = "cut_off_by"


def fragility_map(
    store: GraphStore,
    *,
    group_by: str | None = None,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The actors and their ties (read both ways), with the cut points outlined and sized by
    how many actors each would cut off, and every actor that some cut point would cut off
    coloured by that cut point (the one that cuts off the fewest, when several would: the
    nearest), named by its name (with its id only when two share a name). The banner says
    what the two cut points that cut off most would do; the details the next three."""
    from graph_service.analysis.fragility import fragility_report

    sub = _actor_subgraph(store.subgraph(kinds=ACTOR_KINDS))
    if not sub.nodes:
        raise InvalidInput(_t("en", "fragility.no_actors"))
    report = fragility_report(actor_ties(sub, None, undirected=True), group_by)
    cuts = report["cut_points"]  # most cut off first
    names = {c["id"]: _name(sub.nodes.get(c["id"]), c["id"]) for c in cuts}
    twice = {n for n, k in Counter(names.values()).items() if k > 1}
    by: dict[str, str] = {}
    for cut in reversed(cuts):  # the smallest sets last: the nearest cut point wins
        label = names[cut["id"]]
        if label in twice:
            label = f"{label} ({cut['id']})"
        by.update(dict.fromkeys(cut["cut_off"], label))
    nodes = {
        i: Node(i, n.kind, {**n.props, CUT_OFF_BY: by[i]}) if i in by else n
        for i, n in sub.nodes.items()
    }
    lines = [
        _t(lang, "fragility.sentence", name=names[c["id"]], count=i18n.number(len(c["cut_off"])))
        for c in cuts[:TOP_NOTES]
    ]
    if cuts:
        notes = [_t(lang, "fragility.count", count=i18n.number(len(cuts))), *lines[:2]]
    else:
        notes = [_t(lang, "fragility.none")]
    details = lines[2:]
    if len(report["components"]) > 1 or report["isolates"]:
        details.append(
            _t(
                lang,
                "fragility.parts",
                components=i18n.number(len(report["components"])),
                isolates=i18n.number(len(report["isolates"])),
            )
        )
    return render_map(
        Subgraph(nodes, sub.edges),
        title=_t(lang, "fragility.title"),
        colour_by=CUT_OFF_BY,
        size_by="cut off",
        sizes={c["id"]: len(c["cut_off"]) for c in cuts},
        highlight={c["id"] for c in cuts},
        links=links,
        standalone=standalone,
        notes=notes,
        explain=_t(lang, "fragility.explain"),
        none_label=_t(lang, "fragility.not_cut"),
        details=details,
        lang=lang,
    )


# -- change over time (issue 14): the before/after map -----------------------------------------

#: the property the before/after map colours its entities by
CHANGE = "change"
#: ties added (green), ended (red, dashed) and kept (grey); their order is the legend's
CHANGE_LINES: dict[str, dict[str, Any]] = {
    "added": {"color": "#2e7d32", "dashes": False},
    "removed": {"color": "#c62828", "dashes": True},
    "same": {"color": "#9e9e9e", "dashes": False},
}
#: entities that joined (green), left (red) and stayed (blue-grey), in legend order
CHANGE_COLOURS: dict[str, str] = {"joined": "#2e7d32", "left": "#c62828", "stayed": "#7f97b2"}
#: measures listed in the before/after map's banner (viz.timeline.measure_lines gives the rest)
BANNER_MEASURES = 8


def history_store(store: GraphStore) -> GraphStore | None:
    """The store under ``store`` that keeps the history (``store`` itself, or the store an
    as-of view or a public view reads); None when there is none."""
    current: Any = store
    for _ in range(4):
        if current is None:
            break
        if hasattr(current, "change_days") and hasattr(current, "rows_as_of"):
            return current  # type: ignore[no-any-return]
        current = getattr(current, "store", None)
    return None


def recorded_days(store: GraphStore) -> list[str]:
    """The days the store recorded something (``change_days``, ISO, sorted); none for a
    store that keeps no history."""
    base = history_store(store)
    return list(base.change_days()) if base is not None else []  # type: ignore[attr-defined]


def _public_of(store: GraphStore) -> Any:
    """The public view ``store`` is or wraps, or None (a full read)."""
    from graph_service.store.public import PublicView

    current: Any = store
    for _ in range(4):
        if current is None:
            break
        if isinstance(current, PublicView):
            return current
        current = getattr(current, "store", None)
    return None


def view_as_of(store: GraphStore, day: dt.date) -> GraphStore:
    """The graph ``store`` reads as it was on ``day`` (``store.history.as_of``); for a
    public view, the public view of that graph (the same pseudonyms on every day)."""
    from graph_service.store.history import as_of
    from graph_service.store.public import PublicView

    base = history_store(store)
    if base is None:
        raise InvalidInput(f"this store ({store.engine}) keeps no history", {})
    public = _public_of(store)
    graph = as_of(base, day)
    return graph if public is None else PublicView(graph, public.fields)


def compare_days(
    store: GraphStore, first: dt.date, last: dt.date
) -> tuple[GraphStore, GraphStore, dict[str, Any]]:
    """The graph as of ``first``, as of ``last``, and the ``diff`` document between them
    (``analysis.change.diff``; for a public view the same document over the public views,
    so that people without consent keep their pseudonyms)."""
    from graph_service.analysis.change import check_order, diff_between

    check_order(first, last)
    old, new = view_as_of(store, first), view_as_of(store, last)
    return old, new, diff_between(old, new, first, last)


def diff_document(store: GraphStore, day_from: str, day_to: str) -> dict[str, Any]:
    """The ``diff`` document (CONTRACT.md 2c) between two ISO days (see
    :func:`compare_days`): what ``GET /api/diff`` answers and the home page sums up."""
    first, last = dt.date.fromisoformat(day_from), dt.date.fromisoformat(day_to)
    return compare_days(store, first, last)[2]


def diff_days(
    store: GraphStore, day_from: str | None, day_to: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The two days a before/after map or a diff compares: ``from`` (a year is its first
    day) and ``to`` (a year is its last day) as given, else ``to`` the last day the store
    recorded and ``from`` the one before it; ``(None, …)`` when there is no earlier day
    (no history). A value that is no date is ``InvalidInput`` naming the parameter."""
    from graph_service.store.history import parse_day

    first, last = parse_day(day_from, "from", first=True), parse_day(day_to, "to")
    days = [dt.date.fromisoformat(d) for d in recorded_days(store)]
    if last is None:
        later = [d for d in days if first is None or d > first]
        last = later[-1] if later else (days[-1] if days else None)
    if first is None and last is not None:
        earlier = [d for d in days if d < last]
        first = earlier[-1] if earlier else None
    return first, last


def counts_over_time(store: GraphStore) -> dict[str, Any]:
    """The whole graph's size on each day the store recorded (entities and relationships
    as of that day) and now: ``{"days": [{"day", "entities", "relationships"}], "now":
    {"entities", "relationships"}}``; from the second day on, each day also counts what
    changed since the day before (``joined``, ``left`` entities, ``added``, ``ended``
    relationships: equal counts can hide a change). Counts only, so a public view counts
    its store."""
    from graph_service.store.history import as_of

    base = history_store(store)
    rows: list[dict[str, Any]] = []
    before: tuple[set[str], set[str]] | None = None
    if base is not None:
        for day in recorded_days(base):
            graph = as_of(base, dt.date.fromisoformat(day))
            ids, keys = set(graph.ids_of()), {e.key for e in graph.find_edges()}
            row: dict[str, Any] = {"day": day, "entities": len(ids), "relationships": len(keys)}
            if before is not None:
                row.update(
                    joined=len(ids - before[0]),
                    left=len(before[0] - ids),
                    added=len(keys - before[1]),
                    ended=len(before[1] - keys),
                )
            rows.append(row)
            before = ids, keys
    now = (base or store).stats()
    return {
        "days": rows,
        "now": {
            "entities": sum(now.nodes.values()),
            "relationships": sum(now.relationships.values()),
        },
    }


def _union(old: Subgraph, new: Subgraph, lang: str) -> tuple[Subgraph, dict[str, dict[str, Any]]]:
    """Both graphs in one: each entity with its ``change`` (joined, left, stayed: its
    newer values where it is in both), each relationship once, and for each relationship
    its line (added, removed, same) and tooltip."""
    nodes: dict[str, Node] = {}
    for i, n in old.nodes.items():
        if i not in new.nodes:
            nodes[i] = Node(i, n.kind, {**n.props, CHANGE: "left"})
    for i, n in new.nodes.items():
        nodes[i] = Node(i, n.kind, {**n.props, CHANGE: "stayed" if i in old.nodes else "joined"})
    before = {e.key: e for e in old.edges}
    after = {e.key: e for e in new.edges}
    edges = list(after.values()) + [e for k, e in before.items() if k not in after]
    extra: dict[str, dict[str, Any]] = {}
    for e in edges:
        line = "same" if e.key in before and e.key in after else "added"
        if e.key not in after:
            line = "removed"
        style = CHANGE_LINES[line]
        extra[e.key] = {
            "line": line,
            "color": style["color"],
            "dashes": style["dashes"],
            "width": 1 if line == "same" else 2,
            "title": i18n.text(
                lang,
                "time.web.edge_title",
                type=i18n.word(lang, "type", e.type),
                change=i18n.text(lang, f"time.legend_{line}"),
            ),
        }
    return Subgraph(nodes, edges), extra


def _compare_form(lang: str, first: dt.date, last: dt.date, days: Sequence[str]) -> str:
    """The two dates of a served before/after map, each one of the recorded days (and the
    day shown), as a form that opens the map of the dates chosen (no script needed)."""
    esc = html.escape

    def select(name: str, value: dt.date) -> str:
        listed = sorted(set(days) | {value.isoformat()})
        options = "".join(
            f'<option value="{esc(d)}"{" selected" if d == value.isoformat() else ""}>'
            f"{esc(i18n.date(d, lang))}</option>"
            for d in listed
        )
        return (
            f"<label>{esc(i18n.text(lang, f'time.{name}'))} "
            f'<select name="{name}" id="compare-{name}">{options}</select></label>'
        )

    keep = (
        ""
        if lang == i18n.DEFAULT_LANGUAGE
        else f'<input type="hidden" name="{i18n.LANGUAGE_PARAM}" value="{esc(lang)}">'
    )
    return (
        f'<form class="compare" method="get" action="/map/diff">'
        f'<span class="compare-title">{esc(i18n.text(lang, "time.compare"))}:</span> '
        f"{select('from', first)} {select('to', last)}{keep} "
        f'<button type="submit">{esc(i18n.text(lang, "time.show"))}</button></form>'
    )


def diff_map(
    store: GraphStore,
    *,
    day_from: str | None = None,
    day_to: str | None = None,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> str:
    """The before/after map: the network as of ``day_from`` and as of ``day_to`` drawn
    together (defaults: :func:`diff_days`). Ties added between the two days are green,
    ties that ended red and dashed, ties in both grey; entities that joined green, that
    left red, that stayed blue-grey. The banner gives the diff in one sentence
    (``viz.timeline.diff_sentence``) and the measures that moved
    (``viz.timeline.measure_lines``); the details name who joined and who left."""
    from viz.maps import render_map
    from viz.timeline import diff_sentence, measure_lines, period

    first, last = diff_days(store, day_from, day_to)
    days = recorded_days(store)
    if first is None or last is None:
        return render_map(
            Subgraph(),
            title=i18n.text(lang, "time.compare"),
            links=links,
            standalone=standalone,
            notes=[i18n.text(lang, "time.web.no_history")],
            lang=lang,
        )
    old, new, doc = compare_days(store, first, last)
    sub, extra = _union(old.subgraph(), new.subgraph(), lang)
    names = doc["names"]
    lines = measure_lines(doc, lang)
    details = []
    for what, key in (("added", "joined_names"), ("removed", "left_names")):
        ids = doc["entities"][what]
        if ids:
            shown = [names.get(i, i) for i in ids[:20]]
            details.append(
                i18n.text(
                    lang,
                    f"time.web.{key}",
                    count=i18n.number(len(ids)),
                    names=i18n.listing(lang, shown, total=len(ids)),
                )
            )
    changed = doc["entities"]["changed"]
    if changed:
        details.append(
            i18n.text(
                lang,
                "time.web.changed_names",
                count=i18n.number(len(changed)),
                names=i18n.listing(
                    lang,
                    [_name(sub.nodes.get(c["id"]), c["id"]) for c in changed[:20]],
                    total=len(changed),
                ),
            )
        )
    details += lines[BANNER_MEASURES:]
    measures = ""
    if lines:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines[:BANNER_MEASURES])
        measures = (
            f'<p class="measures-title">{html.escape(i18n.text(lang, "time.web.measures"))}</p>'
            f'<ul class="measures">{items}</ul>'
        )
    if not standalone:
        measures = _compare_form(lang, first, last, days) + measures
        measures += (
            f'<p class="time-links"><a href="/timeline">'
            f"{html.escape(i18n.text(lang, 'time.timeline_title'))}</a></p>"
        )
    counts = {k: sum(1 for x in extra.values() if x["line"] == k) for k in CHANGE_LINES}
    joined = Counter(str(n.props[CHANGE]) for n in sub.nodes.values())
    # the colours in words above the map: on a phone the legend is folded away
    in_words = [
        (CHANGE_LINES[k]["color"], "┅" if CHANGE_LINES[k]["dashes"] else "━", f"legend_{k}", n)
        for k, n in counts.items()
        if n
    ] + [
        (CHANGE_COLOURS[k], "●", word, joined[k])
        for k, word in (("joined", "legend_joined"), ("left", "legend_left"))
        if joined[k]
    ]
    measures = (
        '<p class="change-key">'
        + " · ".join(
            f'<span style="color:{colour}">{mark}</span> '
            f"{html.escape(i18n.text(lang, f'time.{word}'))} {html.escape(i18n.number(n))}"
            for colour, mark, word, n in in_words
        )
        + "</p>"
        + measures
    )
    return render_map(
        sub,
        title=i18n.text(
            lang,
            "time.compare_title",
            period=period(first.isoformat(), last.isoformat(), lang),
        ),
        colour_by=CHANGE,
        palette=CHANGE_COLOURS,
        colour_label=i18n.text(lang, "time.web.change"),
        colour_words={
            "joined": i18n.text(lang, "time.legend_joined"),
            "left": i18n.text(lang, "time.legend_left"),
            "stayed": i18n.text(lang, "time.web.stayed"),
        },
        lines={
            k: {**style, "label": i18n.text(lang, f"time.legend_{k}")}
            for k, style in CHANGE_LINES.items()
            if counts[k]
        },
        edge_extra=extra,
        links=links,
        standalone=standalone,
        notes=[diff_sentence(doc, lang)],
        header_html=measures,
        explain=i18n.text(lang, "time.web.diff_explain"),
        details=details,
        lang=lang,
        page_class="diff",
    )

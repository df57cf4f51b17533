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

``links`` and ``standalone`` are passed to ``render_map`` unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from graph_service.analysis.brokerage import ROLES, brokerage_report, load_ties
from graph_service.analysis.common import actor_ties, group_actors
from graph_service.analysis.gaps import gaps_report
from graph_service.analysis.overlap import AREA_LINKS, LOAD_TYPES, check_by, overlap_report
from graph_service.analysis.reach import reach
from graph_service.domain import ACTOR_KINDS, Edge, Node, Subgraph
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from viz.maps import render_map

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
) -> str:
    """The actors (people, organisations, networks) and their ties, coloured by the group
    each falls in under ``group_by``, sized by the Gould–Fernandez total; the ten actors
    with the highest total (above 0) are outlined, and the notes name the top five with
    their dominant role."""
    sub, ties = load_ties(store, None, undirected)
    report = brokerage_report(sub, ties, group_by, None, undirected, False)
    attribute = group_by.strip()
    rows = report["nodes"]  # sorted by (-total, id)
    groups = {r["id"]: r["group"] for r in rows}
    brokers = [r for r in rows if r["total"] > 0]
    reading = "ties read both ways" if undirected else "ties read as directed"
    notes = [
        f"Groups by {attribute}: {len(report['groups'])} groups, {report['actors']} actors, "
        f"{report['ties']} ties ({reading}). Size: brokerage total (Gould–Fernandez); the "
        f"top {TOP_HIGHLIGHT} brokers are outlined."
    ]
    if brokers:
        top = "; ".join(
            f"{r['name'] or r['id']} ({r['id']}): {r['total']}, mostly {_dominant_role(r)}"
            for r in brokers[:TOP_NOTES]
        )
        notes.append(f"Top brokers: {top}.")
    else:
        notes.append("No actor brokers any pair: every open two-step path is missing.")
    # betweenness is not drawn, so the report's note that it was not computed is left out
    notes.extend(n for n in report["notes"] if not n.startswith("betweenness not computed"))
    return render_map(
        _grouped(sub, attribute, groups),
        title=f"ผู้ประสานเชื่อมโยง / brokers: groups by {attribute}",
        colour_by=attribute,
        size_by="brokerage",
        sizes={r["id"]: r["total"] for r in rows},
        highlight={r["id"] for r in brokers[:TOP_HIGHLIGHT]},
        links=links,
        standalone=standalone,
        notes=notes,
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


def overlap_map(
    store: GraphStore,
    *,
    by: str = "area",
    links: dict[str, str] | None = None,
    standalone: bool = True,
) -> str:
    """The funds and what they reach (``by="beneficiary"``: their FUNDS recipients;
    ``by="area"``: also the areas the recipients operate in (OPERATES_IN) or are located in
    (LOCATED_IN)), coloured by
    kind. Funds in an overlapping pair are outlined and joined by a ghost edge labelled with
    the pair's kind; the edges into shared targets are coloured by kind (duplication red,
    complementary green, unknown amber; duplication wins over unknown over complementary).
    A graph without funds gives a page that says so."""
    by = check_by(by)
    sub = store.subgraph(types=LOAD_TYPES)
    report = overlap_report(sub, by)
    title = f"การซ้อนทับของกองทุน / fund overlap by {by}"
    if report["funds"] == 0:
        return render_map(
            Subgraph(),
            title=title,
            links=links,
            standalone=standalone,
            notes=["The graph has no funds (no Fund entities): there is no overlap to draw."],
        )
    view = _overlap_subgraph(sub, by)
    pairs = report["pairs"]
    edge_kinds = _pair_edge_kinds(pairs, view.edges)
    edge_colours = {key: PAIR_COLOURS[_winning_kind(k)] for key, k in edge_kinds.items()}
    ghosts = [
        {
            "from": p["fund_a"],
            "to": p["fund_b"],
            "type": "OVERLAP",
            "label": p["kind"],
            "title": p["reason"],
            "color": PAIR_COLOURS[p["kind"]],
        }
        for p in pairs
    ]
    counts = Counter(p["kind"] for p in pairs)
    what = "areas" if by == "area" else "recipients"
    notes = [
        f"{report['funds']} funds, {len(pairs)} overlapping pair(s) sharing {what}: "
        + ", ".join(f"{counts[k]} {k}" for k in ("duplication", "complementary", "unknown"))
        + ".",
        "Edges into shared targets: red duplication, green complementary, amber unknown "
        "(an edge of several pairs takes duplication, then unknown, then complementary).",
        *report["notes"],
    ]
    return render_map(
        view,
        title=title,
        colour_by="kind",
        highlight={p["fund_a"] for p in pairs} | {p["fund_b"] for p in pairs},
        ghost_edges=ghosts,
        edge_colours=edge_colours,
        ghost_label="กองทุนซ้อนทับ / funds overlapping",
        links=links,
        standalone=standalone,
        notes=notes,
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
) -> str:
    """The actors and their ties coloured by ``by``. Each missing link (g, h) is a dashed
    ghost edge labelled ``gap: g – h`` (``(one actor)`` when every tie runs through one
    actor) between the best-connected actor of g and of h (most tied actors, then smallest
    id; for gaps between sectors, within the gap's admin level). The candidate brokers are
    outlined; the notes list every missing link and its brokers."""
    full = store.subgraph()
    report = gaps_report(full, by)
    attribute = report["by"]
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

    ghosts, notes, brokers = [], [], set()
    for m in report["missing"]:
        g, h = m["from"], m["to"]
        at_level = "level" in m and not m.get("undecided")
        pick = level_reps.get(m["level"], {}) if at_level else reps
        one = m["status"] == "one_actor"
        label = f"gap: {g} – {h}" + (" (one actor)" if one else "")
        where = f" at {m['level'] or 'an unknown'} level" if at_level else ""
        if m.get("undecided"):
            where = f" (direction undecided: {m['undecided']})"
        state = f"every tie runs through {m['through']}" if one else "no tie"
        title = f"missing link {g} – {h}{where}: {state}"
        if m["brokers"]:
            title += f"; brokers: {', '.join(m['brokers'])}"
        ghosts.append(
            {
                "from": pick.get(g),
                "to": pick.get(h),
                "type": "MISSING",
                "direction": m["direction"],
                "label": label,
                "title": title,
            }
        )
        notes.append(
            f"{label}{where}: {state}; brokers: "
            + (", ".join(m["brokers"]) if m["brokers"] else "none")
        )
        brokers.update(m["brokers"])
    head = [
        f"{report['groups_note']}; {len(report['missing'])} missing link(s), drawn as dashed "
        "lines between each group's best-connected actors; candidate brokers are outlined."
    ]
    if not report["missing"]:
        head.append(
            "No missing link: the ties of every pair of groups compared hang on more than one "
            "actor."
        )
    return render_map(
        _grouped(sub, attribute, dict(zip(ties.ids, labels, strict=True))),
        title=f"ช่องว่าง / missing links by {attribute}",
        colour_by=attribute,
        highlight=brokers,
        ghost_edges=ghosts,
        links=links,
        standalone=standalone,
        notes=[*head, *notes, *report["notes"][1:]],
    )


# -- reach -----------------------------------------------------------------------------------


def reach_map(
    store: GraphStore,
    ref: str,
    *,
    depth: int = 2,
    links: dict[str, str] | None = None,
    standalone: bool = True,
) -> str:
    """The entities within ``depth`` steps of ``ref`` (an id or a unique name), ties read
    both ways, coloured by their distance from it (0 for the focus, which is outlined);
    the notes give its reach and distance-weighted reach."""
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
    by_distance = ", ".join(f"{c} at {d}" for d, c in report["by_distance"].items())
    notes = [
        f"Reach of {report['name'] or focus} ({focus}) within {depth} step(s), ties read both "
        f"ways: {report['reach']} entities"
        + (f" ({by_distance})" if by_distance else "")
        + f"; weighted reach (Σ 1/distance): {report['weighted_reach']}.",
        "Colour: distance from the focus (0 is the focus itself, outlined).",
    ]
    return render_map(
        Subgraph(nodes, edges, distance),
        title=f"การเข้าถึง / reach of {report['name'] or focus} ({depth} steps)",
        colour_by="distance",
        highlight={focus},
        links=links,
        standalone=standalone,
        notes=notes,
    )


__all__ = ["brokerage_map", "gaps_map", "overlap_map", "reach_map"]


# -- fragility -------------------------------------------------------------------------------

#: the property a fragility map colours by: the cut point an actor would be cut off by
CUT_OFF_BY = "cut_off_by"


def fragility_map(
    store: GraphStore,
    *,
    group_by: str | None = None,
    links: dict[str, str] | None = None,
    standalone: bool = True,
) -> str:
    """The actors and their ties (read both ways), with the cut points outlined and sized by
    how many actors each would cut off, and every actor that some cut point would cut off
    coloured by that cut point (the one that cuts off the fewest, when several would: the
    nearest); the notes say it in Thai and English for the five that cut off most."""
    from graph_service.analysis.fragility import fragility_report

    sub = _actor_subgraph(store.subgraph(kinds=ACTOR_KINDS))
    if not sub.nodes:
        raise InvalidInput(
            "the graph has no actors (people, organisations or networks): import a dataset first"
        )
    report = fragility_report(actor_ties(sub, None, undirected=True), group_by)
    cuts = report["cut_points"]  # most cut off first
    by: dict[str, str] = {}
    for cut in reversed(cuts):  # the smallest sets last: the nearest cut point wins
        label = f"{_name(sub.nodes.get(cut['id']), cut['id'])} ({cut['id']})"
        by.update(dict.fromkeys(cut["cut_off"], label))
    nodes = {
        i: Node(i, n.kind, {**n.props, CUT_OFF_BY: by[i]}) if i in by else n
        for i, n in sub.nodes.items()
    }
    notes = [
        f"{report['actors']} actors, {report['ties']} ties (read both ways): "
        f"{len(report['components'])} component(s), {len(report['isolates'])} isolate(s), "
        f"{len(cuts)} cut point(s), outlined and sized by how many they would cut off; "
        "colour: the cut point that would cut an actor off (grey: none)."
    ]
    for cut in cuts[:TOP_NOTES]:
        name = _name(sub.nodes.get(cut["id"]), cut["id"])
        notes.append(
            f"ถ้า {name} ออกไป จะมี {len(cut['cut_off'])} รายขาดการเชื่อมต่อ / if {name} "
            f"leaves, {len(cut['cut_off'])} actor(s) are cut off."
        )
    return render_map(
        Subgraph(nodes, sub.edges),
        title="จุดเปราะบาง / cut points: who, if they leave, cuts whom off",
        colour_by=CUT_OFF_BY,
        size_by="cut off",
        sizes={c["id"]: len(c["cut_off"]) for c in cuts},
        highlight={c["id"] for c in cuts},
        links=links,
        standalone=standalone,
        notes=notes,
    )

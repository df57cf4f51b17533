"""Fund overlap: which funds pay in the same areas or for the same recipients, and whether
that is duplication or complementary funding (DOMAIN.md section 4, CONTRACT.md sections 2
and 3).

Funds are the entities of kind ``Fund``; an Organisation that FUNDS something is a funder,
not a fund, and its FUNDS relationships are left out (a note counts them). A fund's
*recipients* are the targets of its FUNDS relationships. What it *reaches*, its targets:

- ``by="beneficiary"``: its recipients;
- ``by="area"``: every Area the fund itself OPERATES_IN or is LOCATED_IN, a recipient that
  is itself an Area, plus every Area a recipient OPERATES_IN or is LOCATED_IN (one step,
  PART_OF is not climbed: CONTRACT.md section 2b). Each (fund, area) keeps the paths that
  reach it: ``{"via": null, "type": "FUNDS"}`` (it funds the area), ``{"via": null, "type":
  "OPERATES_IN" | "LOCATED_IN"}`` (the fund's own placement) or ``{"via": RECIPIENT,
  "type": "OPERATES_IN" | "LOCATED_IN"}``.

Coverage (by area) rolls up along PART_OF (DOMAIN.md section 4): an area is reached
``direct`` when a fund reaches it as above; else ``containing`` when an area containing it
(an ancestor, transitively) is reached directly (a province-wide fund reaches its
subdistricts); else ``within`` when an area within it (a descendant) is reached directly (a
district where some subdistricts are funded is reached in part). A sibling never counts: a
funded subdistrict does not reach the other subdistricts of its district. ``coverage``
gives the reached areas with how; ``unfunded`` the areas reached in none of the three ways.

For two funds with target sets A and B sharing at least one target: Jaccard |A∩B| / |A∪B|,
overlap coefficient |A∩B| / min(|A|, |B|), and weighted Jaccard Σ_t min(w_a, w_b) /
Σ_t max(w_a, w_b) over A∪B, where w_f(t) is the sum of ``amount_thb`` over f's FUNDS
relationships that reach t (each relationship counted once, whatever the number of paths).
It is null when one of those relationships has no ``amount_thb``, when a fund reaches a
target only through its own placement (no amount says what it spends there), or when all
amounts are 0.

Activities are always at the level of the FUNDS recipient: an activity is (recipient,
``purpose`` of the FUNDS relationship), one per recipient when there is no purpose. Its need
N is the largest ``need_thb`` on the Fund FUNDS relationships paying it, else the recipient's
own ``need_thb``; a fund pays a = the sum of ``amount_thb`` of its FUNDS relationships to the
activity (missing when one of them has none). For two funds paying the same activity:
duplication when max(a, b) ≥ N, complementary when max(a, b) < N, unknown when N, a or b is
missing. A pair is duplication if any shared activity is, complementary if every one is,
otherwise unknown (also when the two share targets but no activity).

Pairs are found with a sparse incidence matrix F (funds × targets): the upper triangle of
F·Fᵀ gives every pair with |A∩B| ≥ 1. The shared targets and shared activities of the pairs
are enumerated with numpy (every two funds on one target's column), so Python only builds
the output dictionaries. The output is deterministic: funds, targets and activities are
indexed in sorted order, FUNDS relationships are read sorted by key, and pairs are sorted by
(−jaccard, fund_a, fund_b): the most overlapping first.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from graph_service import budget
from graph_service.analysis.common import clean_float
from graph_service.analysis.filters import parse_filter, select
from graph_service.domain import ADMIN_LEVELS, Edge, Node, Subgraph
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

BY_VALUES = ("area", "beneficiary")
#: relationship types the report reads
LOAD_TYPES = ("FUNDS", "LOCATED_IN", "OPERATES_IN", "PART_OF")
#: recipient -> area relationships that place a recipient in an area
AREA_LINKS = ("OPERATES_IN", "LOCATED_IN")
PAIR_KINDS = ("duplication", "complementary", "unknown")
#: how an area is reached (DOMAIN.md section 4), strongest first
COVERAGE_KINDS = ("direct", "containing", "within")
_DUP, _COMP, _UNKNOWN = 0, 1, 2


def check_by(by: str | None) -> str:
    """``area`` (default) or ``beneficiary``, any case; anything else is invalid input.

    >>> check_by(None), check_by(" Beneficiary ")
    ('area', 'beneficiary')
    """
    if by is None:
        return "area"
    value = by.strip().lower() if isinstance(by, str) else None
    if value not in BY_VALUES:
        raise InvalidInput(
            f"unknown overlap --by value {by!r}: use one of {', '.join(BY_VALUES)}",
            {"by": by, "allowed": list(BY_VALUES)},
        )
    return value


def check_options(
    by: str | None, scope: str | None, level: str | None
) -> tuple[str, str | None, str | None]:
    """``by`` checked (see ``check_by``); ``scope`` and ``level`` trimmed, empty as None.
    They choose the areas of ``unfunded``, so they go with ``by="area"`` only.

    >>> check_options("area", " th-93 ", "")
    ('area', 'th-93', None)
    """
    by = check_by(by)
    scope = (scope.strip() or None) if isinstance(scope, str) else scope
    level = (level.strip() or None) if isinstance(level, str) else level
    if by == "beneficiary" and (scope is not None or level is not None):
        raise InvalidInput(
            "scope and level choose areas: they apply to the overlap by area only",
            {"by": by, "scope": scope, "level": level},
        )
    return by, scope, level


def overlap(
    store: GraphStore,
    by: str = "area",
    scope: str | None = None,
    level: str | None = None,
    breakdown: str | None = None,
    among: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``overlap`` document of CONTRACT.md section 3 (extended) for the graph in ``store``.

    ``by``: ``area`` or ``beneficiary``. ``scope`` (by area only): an Area id; ``unfunded``
    then lists that area and the areas PART_OF it, transitively. ``level`` (by area only):
    ``unfunded`` keeps the areas with this ``admin_level`` (e.g. ``subdistrict``).
    ``breakdown`` (by area only): the reached and unreached areas counted by an attribute
    (:func:`coverage_breakdown`). ``among`` (a filter, CONTRACT.md section 2b): compare the
    entities it holds for instead of the Funds (``kind=Programme``: the areas two programmes
    share; ``tag=provider``: the communities two providers both serve), by the same rules:
    their FUNDS relationships, and by area their own OPERATES_IN / LOCATED_IN areas.
    """
    by, scope, level = check_options(by, scope, level)
    breakdown = _check_breakdown(by, breakdown)
    flt = parse_filter(among)
    members = set(select(store, flt)) if flt is not None else None
    sub = store.subgraph(types=LOAD_TYPES)
    return overlap_report(
        sub, by, scope, level, breakdown, members, flt.text if flt is not None else None
    )


def _amount(value: Any) -> float | None:
    """A non-negative finite number as float; anything else (text, bool, NaN) is missing.

    >>> _amount(3_000_000), _amount(2.5), _amount("5"), _amount(True), _amount(-1)
    (3000000.0, 2.5, None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    x = float(value)
    if x != x or x in (float("inf"), float("-inf")) or x < 0:
        return None
    return x


def _number_out(x: float) -> int | float | None:
    """A baht figure for JSON: whole numbers as int, others through ``clean_float``.

    >>> _number_out(500000.0), _number_out(2.5), _number_out(float("nan"))
    (500000, 2.5, None)
    """
    if x != x:
        return None
    if x.is_integer() and abs(x) < 2**53:
        return int(x)
    return clean_float(x)


def _purpose(value: Any) -> str | None:
    if value is None or isinstance(value, list):
        return None
    text = str(value).strip()
    return text or None


def _pairs_within(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j, of every two entries of the sorted array ``groups`` that are
    equal: all pairs within each run, enumerated without a Python loop.

    >>> i, j = _pairs_within(np.array([4, 4, 4, 7, 9, 9]))
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 1), (0, 2), (1, 2), (4, 5)]
    """
    n = groups.size
    empty = np.zeros(0, np.int64)
    if n < 2:
        return empty, empty
    starts = np.concatenate(([0], np.flatnonzero(np.diff(groups)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    end = np.repeat(ends, ends - starts)
    per = end - np.arange(n) - 1  # partners after each position in its run
    total = int(per.sum())
    if total == 0:
        return empty, empty
    left = np.repeat(np.arange(n, dtype=np.int64), per)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(per) - per, per)
    return left, left + 1 + offsets


@dataclass
class _Funding:
    """FUNDS relationships from Fund entities, sorted by key, as parallel lists."""

    fund_ids: list[str]
    fund: list[int]  # fund index of each relationship
    recipient: list[str]
    amount: list[float | None]
    need: list[float | None]
    purpose: list[str | None]
    non_fund: int
    dangling: int


def _read_funding(sub: Subgraph, members: set[str] | None = None) -> _Funding:
    """The FUNDS relationships of the Funds, or of ``members`` when given."""
    nodes = sub.nodes
    if members is None:
        fund_ids = sorted(i for i, n in nodes.items() if n.kind == "Fund")
    else:
        fund_ids = sorted(i for i in members if i in nodes)
    index = {f: i for i, f in enumerate(fund_ids)}
    non_fund = dangling = 0
    edges: list[Edge] = []
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.type != "FUNDS":
            continue
        if e.source not in index:
            non_fund += 1
        elif e.target not in nodes:
            dangling += 1
        else:
            edges.append(e)
    edges.sort(key=lambda e: (e.source, e.target, e.key))
    return _Funding(
        fund_ids,
        [index[e.source] for e in edges],
        [e.target for e in edges],
        [_amount(e.props.get("amount_thb")) for e in edges],
        [_amount(e.props.get("need_thb")) for e in edges],
        [_purpose(e.props.get("purpose")) for e in edges],
        non_fund,
        dangling,
    )


def _reach_of(sub: Subgraph, recipients: set[str], by: str) -> dict[str, list[tuple[str, list]]]:
    """recipient -> [(target, [paths])], targets sorted, paths sorted (direct first)."""
    direct = {"via": None, "type": "FUNDS"}  # one object per report, shared by its pairs
    if by == "beneficiary":
        return {r: [(r, [direct])] for r in recipients}
    nodes = sub.nodes
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.type in AREA_LINKS and e.source in recipients:
            end = nodes.get(e.target)
            if end is not None and end.kind == "Area":
                links[e.source][e.target].add(e.type)
    reach: dict[str, list[tuple[str, list]]] = {}
    for r in recipients:
        found: dict[str, list] = {}
        if nodes[r].kind == "Area":
            found[r] = [direct]
        for area, types in links.get(r, {}).items():
            found.setdefault(area, []).extend({"via": r, "type": t} for t in sorted(types))
        reach[r] = sorted(found.items())
    return reach


def _own_areas(sub: Subgraph, fund_ids: list[str]) -> dict[int, list[tuple[str, list]]]:
    """fund index -> [(area, [paths])]: the Areas each fund itself OPERATES_IN or is
    LOCATED_IN (CONTRACT.md section 2b), areas sorted, one path per relationship type."""
    index = {f: i for i, f in enumerate(fund_ids)}
    nodes = sub.nodes
    found: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.type in AREA_LINKS and e.source in index:
            end = nodes.get(e.target)
            if end is not None and end.kind == "Area":
                found[index[e.source]][e.target].add(e.type)
    return {
        f: [
            (a, [{"via": None, "type": t} for t in sorted(types)])
            for a, types in sorted(areas.items())
        ]
        for f, areas in found.items()
    }


def _coverage(sub: Subgraph, direct: set[str]) -> dict[str, str]:
    """area -> ``direct``, ``containing`` or ``within`` for every Area a fund reaches (see
    the module docstring); the areas reached in none of these ways are left out.

    >>> from graph_service.domain import Edge, Node
    >>> areas = [Node(a, "Area", {"name": a}) for a in ("p", "d", "s1", "s2", "v")]
    >>> sub = Subgraph.of(areas, [Edge("d", "PART_OF", "p"), Edge("s1", "PART_OF", "d"),
    ...                           Edge("s2", "PART_OF", "d"), Edge("v", "PART_OF", "s1")])
    >>> _coverage(sub, {"s1"})
    {'d': 'within', 'p': 'within', 's1': 'direct', 'v': 'containing'}
    """
    nodes = sub.nodes
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.type != "PART_OF" or e.source == e.target:
            continue
        a, b = nodes.get(e.source), nodes.get(e.target)
        if a is not None and b is not None and a.kind == "Area" and b.kind == "Area":
            parents[e.source].append(e.target)
            children[e.target].append(e.source)

    def closure(start: set[str], step_of: dict[str, list[str]]) -> set[str]:
        seen: set[str] = set()
        stack = [x for s in start for x in step_of.get(s, ())]
        while stack:
            x = stack.pop()
            if x not in seen:
                seen.add(x)
                stack.extend(step_of.get(x, ()))
        return seen

    direct = {a for a in direct if a in nodes and nodes[a].kind == "Area"}
    containing = closure(direct, children) - direct
    within = closure(direct, parents) - direct - containing
    out = {a: "direct" for a in direct}
    out.update((a, "containing") for a in containing)
    out.update((a, "within") for a in within)
    return dict(sorted(out.items()))


def _level_of(node: Node) -> str:
    return str(node.props.get("admin_level", "")).strip().lower()


def _scope_areas(sub: Subgraph, scope: str | None, level: str | None) -> list[str]:
    """The Areas ``unfunded`` looks at: all of them, or ``scope`` and the areas PART_OF it
    transitively; with ``level``, only those whose ``admin_level`` is that level."""
    nodes = sub.nodes
    all_areas = {i for i, n in nodes.items() if n.kind == "Area"}
    areas = all_areas
    if scope is not None:
        if scope not in nodes:
            raise NotFound(f"no entity has the id {scope!r} (overlap scope)", {"scope": scope})
        if scope not in areas:
            raise InvalidInput(
                f"overlap scope {scope!r} is a {nodes[scope].kind}, not an Area",
                {"scope": scope, "kind": nodes[scope].kind},
            )
        children: dict[str, list[str]] = defaultdict(list)
        for e in sub.edges:
            if e.type == "PART_OF" and e.source in areas and e.target in areas:
                children[e.target].append(e.source)
        inside, stack = {scope}, [scope]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in inside:
                    inside.add(child)
                    stack.append(child)
        areas = inside
    if level is not None:
        wanted = level.lower()
        present = {_level_of(nodes[a]) for a in all_areas}
        if wanted not in ADMIN_LEVELS and wanted not in present:
            known = sorted(p for p in present if p)
            raise InvalidInput(
                f"unknown admin level {level!r}: the levels are {', '.join(ADMIN_LEVELS)}"
                + (f"; the areas here have {', '.join(known)}" if known else ""),
                {"level": level},
            )
        areas = {a for a in areas if _level_of(nodes[a]) == wanted}
    return sorted(areas)


def overlap_report(
    sub: Subgraph,
    by: str = "area",
    scope: str | None = None,
    level: str | None = None,
    breakdown: str | None = None,
    members: set[str] | None = None,
    among: list[str] | None = None,
) -> dict[str, Any]:
    """The overlap document computed in memory from a subgraph holding the funds, their
    FUNDS relationships, the recipients' OPERATES_IN / LOCATED_IN links and the areas'
    PART_OF links. See the module docstring for the rules. Pairs come sorted by
    (−jaccard, fund_a, fund_b); ``shared``, ``paths`` and ``activities`` by target (then
    purpose, none first); ``funds_per_target`` and ``unfunded`` by id.

    Beyond CONTRACT.md: ``scope``, ``level``, ``funds`` (number of Fund entities) and
    ``notes`` at the top; ``reason`` and ``paths`` on each pair; with ``breakdown``,
    ``"breakdown"`` (:func:`coverage_breakdown`). Path lists are shared
    between pairs: treat the document as read-only. ``members``: the ids compared in place
    of the Funds (``among``: the filter's terms, given back under ``"among"``).
    """
    # The report builds hundreds of thousands of small dicts and lists and no reference
    # cycle: the cyclic garbage collector, run again and again as they pile up, would take
    # as long as the report itself, so it waits until the document is built.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        doc = _report(sub, by, scope, level, members, among)
        if members is not None:
            doc["among"] = among or []
        breakdown = _check_breakdown(doc["by"], breakdown)
        if breakdown is not None:
            areas = [*doc["coverage"], *doc["unfunded"]]
            doc["breakdown"] = coverage_breakdown(sub, sorted(areas), doc["coverage"], breakdown)
        return doc
    finally:
        if was_enabled:
            gc.enable()


def _report(
    sub: Subgraph,
    by: str,
    scope: str | None,
    level: str | None,
    members: set[str] | None = None,
    among: list[str] | None = None,
) -> dict[str, Any]:
    by, scope, level = check_options(by, scope, level)
    scope_areas = _scope_areas(sub, scope, level) if by == "area" else []
    notes: list[str] = []
    fd = _read_funding(sub, members)
    n_funds = len(fd.fund_ids)
    if fd.non_fund and members is None:
        notes.append(
            f"{fd.non_fund} FUNDS relationship(s) start at an entity that is not a Fund (an "
            "organisation or programme that funds is a funder, not a fund): not counted"
        )
    elif fd.non_fund:
        notes.append(
            f"{fd.non_fund} FUNDS relationship(s) start at an entity that among= leaves out: "
            "not counted"
        )
    if fd.dangling:
        notes.append(f"{fd.dangling} FUNDS relationship(s) end outside the graph: skipped")
    if n_funds == 0:
        notes.append(
            "the graph has no Fund entities: there is nothing to compare"
            if members is None
            else f"no entity matches among={'; '.join(among or [])}: there is nothing to compare"
        )
    own = _own_areas(sub, fd.fund_ids) if by == "area" else {}
    if n_funds and not fd.fund and not own:
        notes.append(
            "no Fund has a FUNDS relationship"
            + (" or operates in or is located in an Area" if by == "area" else "")
            + ": there is nothing to compare"
        )
    recipients = set(fd.recipient)
    reach = _reach_of(sub, recipients, by)
    if by == "area":
        nowhere = sorted(r for r in recipients if not reach[r])
        if nowhere:
            notes.append(
                f"{len(nowhere)} funded recipient(s) are not an Area and have no OPERATES_IN "
                f"or LOCATED_IN tie to one, so by area they reach nothing (e.g. "
                f"{', '.join(nowhere[:3])}); try by=beneficiary"
            )

    inc = _incidences(fd, reach, own)
    pairs = _pairs(inc, fd.fund_ids)
    shared = _shared_targets(inc, pairs)
    n_null = int(np.isnan(pairs.weighted).sum())
    if n_null:
        notes.append(
            f"weighted_jaccard is null for {n_null} pair(s): a FUNDS relationship that reaches "
            "their targets has no amount_thb, a fund reaches an area only by operating in it "
            "or being located in it itself (no amount), or every amount is 0"
        )
    coverage = _coverage(sub, set(inc.target_ids)) if by == "area" else {}
    acts = _shared_activities(sub, fd, pairs)
    return {
        "by": by,
        "scope": scope,
        "level": level,
        "funds": n_funds,
        "pairs": _build_pairs(
            pairs,
            [inc.target_ids[t] for t in shared.target.tolist()],
            [inc.paths[x] for x in shared.a.tolist()],
            [inc.paths[y] for y in shared.b.tolist()],
            acts,
            "area" if by == "area" else "recipient",
        ),
        "funds_per_target": dict(
            zip(inc.target_ids, np.bincount(inc.t, minlength=inc.n_targets).tolist(), strict=True)
        ),
        "unfunded": (
            [a for a in scope_areas if a not in coverage]
            if by == "area"
            else sorted(
                i
                for i, n in sub.nodes.items()
                if _amount(n.props.get("need_thb")) is not None and i not in inc.index
            )
        ),
        "coverage": {a: coverage[a] for a in scope_areas if a in coverage},
        "coverage_counts": _coverage_counts(scope_areas, coverage) if by == "area" else None,
        "notes": notes,
    }


def _check_breakdown(by: str, breakdown: str | None) -> str | None:
    """``breakdown`` trimmed (empty: None); it counts areas, so it goes with by area only."""
    text = (breakdown.strip() or None) if isinstance(breakdown, str) else None
    if text is not None and by != "area":
        raise InvalidInput(
            "breakdown counts the reached and unreached areas: it applies to the overlap by "
            "area only",
            {"by": by, "breakdown": breakdown},
        )
    return text


def coverage_breakdown(
    sub: Subgraph, areas: list[str], coverage: dict[str, str], attribute: str
) -> dict[str, Any]:
    """The areas of the report (``unfunded`` and ``coverage``: all areas, or those of
    ``scope`` and ``level``), reached (any of the three ways) and unreached, counted by
    ``attribute`` (issue 12: "coverage by ...", A4; "which provinces have unreached
    districts"):

    - an administrative level (``provincial``, ``province``, ``จังหวัด``, ``regional``,
      ``district``, ...): the area *at that level containing* each area (itself when it is
      at that level; along PART_OF between areas, transitively), by id, with ``names``;
      areas in no area of that level (above it, or outside the hierarchy) under ``"null"``;
      an area inside two such areas counts in both;
    - any other attribute (``admin_level``, ``kind``, or an area property): the area's own
      value, each value of a list counted, ``"null"`` without it.

    ``{"by", "level", "reached": {value: count}, "unreached": {value: count}, "names": {id:
    name}}`` (``level`` null and ``names`` empty for an own attribute), most first.

    >>> from graph_service.domain import Edge, Node
    >>> areas = [Node(i, "Area", {"name": n, "admin_level": lv}) for i, n, lv in (
    ...     ("p", "พัทลุง", "provincial"), ("d1", "เมือง", "district"),
    ...     ("d2", "ควนขนุน", "district"), ("q", "สงขลา", "provincial"),
    ...     ("d3", "หาดใหญ่", "district"))]
    >>> sub = Subgraph.of(areas, [Edge("d1", "PART_OF", "p"), Edge("d2", "PART_OF", "p"),
    ...                           Edge("d3", "PART_OF", "q")])
    >>> doc = coverage_breakdown(sub, ["d1", "d2", "d3", "p", "q"], {"d1": "direct",
    ...                          "p": "within"}, "province")
    >>> doc["reached"], doc["unreached"], doc["names"]["q"]
    ({'p': 2}, {'q': 2, 'p': 1}, 'สงขลา')
    >>> coverage_breakdown(sub, ["d1", "d2", "p"], {"d1": "direct"}, "admin_level")["unreached"]
    {'district': 1, 'provincial': 1}
    """
    from graph_service.analysis.filters import Containment, admin_level_word, count_by

    nodes = sub.nodes
    reached = [a for a in areas if a in coverage]
    unreached = [a for a in areas if a not in coverage]
    level = admin_level_word(attribute)
    if level is None:
        return {
            "by": attribute,
            "level": None,
            "reached": count_by(nodes, reached, attribute),
            "unreached": count_by(nodes, unreached, attribute),
            "names": {},
        }
    rows = [
        (e.source, e.type, e.target)
        for e in sub.edges
        if e.type == "PART_OF"
        and e.source in nodes
        and e.target in nodes
        and nodes[e.source].kind == "Area"
        and nodes[e.target].kind == "Area"
    ]
    contain = Containment(nodes, rows, level)

    def count(ids: list[str]) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for a in ids:
            for holder in contain.holding(a) or {"null"}:
                counts[holder] += 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    out_reached, out_unreached = count(reached), count(unreached)
    names = {a: nodes[a].name for a in sorted({*out_reached, *out_unreached} - {"null"})}
    return {
        "by": attribute,
        "level": level,
        "reached": out_reached,
        "unreached": out_unreached,
        "names": names,
    }


def _coverage_counts(areas: list[str], coverage: dict[str, str]) -> dict[str, int]:
    """How many of ``areas`` are reached each way, and how many not at all (``none``).

    >>> _coverage_counts(["a", "b", "c"], {"a": "direct", "c": "within"})
    {'direct': 1, 'containing': 0, 'within': 1, 'none': 1}
    """
    out = dict.fromkeys((*COVERAGE_KINDS, "none"), 0)
    for a in areas:
        out[coverage.get(a, "none")] += 1
    return out


@dataclass
class _Incidence:
    """Who reaches what: one entry per (fund, target), sorted by (fund, target), with the
    summed amount of the fund's FUNDS relationships reaching the target, whether one of them
    lacks an amount, and the paths (shared by every pair that shows them)."""

    target_ids: list[str]
    index: dict[str, int]
    f: np.ndarray
    t: np.ndarray
    w: np.ndarray
    missing: np.ndarray
    paths: list[list[dict[str, Any]]]

    @property
    def n_targets(self) -> int:
        return len(self.target_ids)


def _incidences(
    fd: _Funding,
    reach: dict[str, list[tuple[str, list]]],
    own: dict[int, list[tuple[str, list]]] | None = None,
) -> _Incidence:
    """The (fund, target) entries from the FUNDS relationships, then from the funds' own
    areas (``own``): an entry reached only that way has no amount (it is missing)."""
    cells: dict[tuple[int, str], list] = {}  # (fund, target) -> [amount, missing, paths]
    for f, r, amt in zip(fd.fund, fd.recipient, fd.amount, strict=True):
        for t, paths in reach[r]:
            cell = cells.get((f, t))
            if cell is None:
                cells[(f, t)] = [amt or 0.0, amt is None, list(paths)]
            else:
                cell[0] += amt or 0.0
                cell[1] = cell[1] or amt is None
                cell[2].extend(p for p in paths if p not in cell[2])
    for f, areas in (own or {}).items():
        for t, paths in areas:
            cell = cells.get((f, t))
            if cell is None:
                cells[(f, t)] = [0.0, True, list(paths)]
            else:
                cell[2].extend(p for p in paths if p not in cell[2])
    target_ids = sorted({t for _, t in cells})
    index = {t: i for i, t in enumerate(target_ids)}
    keys = sorted(cells, key=lambda k: (k[0], index[k[1]]))
    paths = [cells[k][2] for k in keys]
    for p in paths:
        p.sort(key=lambda x: (x["via"] is not None, x["via"] or "", x["type"]))
    return _Incidence(
        target_ids,
        index,
        np.array([k[0] for k in keys], dtype=np.int64),
        np.array([index[k[1]] for k in keys], dtype=np.int64),
        np.array([cells[k][0] for k in keys], dtype=np.float64),
        np.array([cells[k][1] for k in keys], dtype=bool),
        paths,
    )


@dataclass
class _Pairs:
    """Every pair of funds sharing a target, indexed by pair code a·n + b (sorted), with its
    figures; ``rank`` is each pair's place in the output and ``rank_order`` its inverse.
    ``kind`` and ``activities`` (the number of shared activities) are filled later."""

    fund_ids: list[str]
    n: int
    codes: np.ndarray
    a: np.ndarray
    b: np.ndarray
    inter: np.ndarray
    jaccard: np.ndarray
    overlap: np.ndarray
    rank_order: np.ndarray
    rank: np.ndarray
    weighted: np.ndarray
    kind: np.ndarray
    activities: np.ndarray


def _pairs(inc: _Incidence, fund_ids: list[str]) -> _Pairs:
    """The pairs from the upper triangle of F·Fᵀ, with Jaccard and overlap, ranked by
    (−jaccard, fund_a, fund_b)."""
    n = len(fund_ids)
    sizes = np.bincount(inc.f, minlength=n)
    F = sp.csr_matrix(
        (np.ones(inc.f.size, dtype=np.int64), (inc.f, inc.t)), shape=(n, max(inc.n_targets, 1))
    )
    C = sp.triu(F @ F.T, k=1).tocoo()
    a, b, inter = C.row.astype(np.int64), C.col.astype(np.int64), C.data.astype(np.int64)
    codes = a * max(n, 1) + b
    order = np.argsort(codes)
    a, b, inter, codes = a[order], b[order], inter[order], codes[order]
    jac = inter / np.maximum(sizes[a] + sizes[b] - inter, 1)
    ovl = inter / np.maximum(np.minimum(sizes[a], sizes[b]), 1)
    rank_order = np.lexsort((b, a, -jac))
    rank = np.empty(codes.size, dtype=np.int64)
    rank[rank_order] = np.arange(codes.size)
    nothing = np.zeros(codes.size, dtype=np.int64)
    return _Pairs(
        fund_ids,
        n,
        codes,
        a,
        b,
        inter,
        jac,
        ovl,
        rank_order,
        rank,
        np.full(codes.size, np.nan),
        nothing,
        nothing,
    )


@dataclass
class _Shared:
    """One entry per (pair, shared target), sorted by (pair rank, target): the target and
    the two funds' incidence entries."""

    target: np.ndarray
    a: np.ndarray
    b: np.ndarray


def _shared_targets(inc: _Incidence, pairs: _Pairs) -> _Shared:
    """Every two funds on one target's column; from them, sets ``pairs.weighted``, the
    weighted Jaccard: Σ min over the shared targets, Σ max = S_a + S_b − Σ min (S_f: the
    fund's total over its targets); NaN when a weight is missing or Σ max is 0."""
    by_target = np.lexsort((inc.f, inc.t))
    i, j = _pairs_within(inc.t[by_target])
    ka, kb = by_target[i], by_target[j]
    pair = np.searchsorted(pairs.codes, inc.f[ka] * max(pairs.n, 1) + inc.f[kb])
    target = inc.t[ka]
    o = np.lexsort((target, pairs.rank[pair]))
    ka, kb, pair, target = ka[o], kb[o], pair[o], target[o]
    n_pairs = pairs.codes.size
    min_sum = np.bincount(pair, weights=np.minimum(inc.w[ka], inc.w[kb]), minlength=n_pairs)
    totals = np.bincount(inc.f, weights=inc.w, minlength=pairs.n)
    missing = np.bincount(inc.f, weights=inc.missing, minlength=pairs.n) > 0
    denom = totals[pairs.a] + totals[pairs.b] - min_sum
    unknown = missing[pairs.a] | missing[pairs.b] | (denom <= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pairs.weighted = np.where(unknown, np.nan, min_sum / denom)
    return _Shared(target, ka, kb)


def _shared_activities(sub: Subgraph, fd: _Funding, pairs: _Pairs) -> list[dict[str, Any]]:
    """The activity entries of every pair, sorted by (pair rank, activity); sets each
    pair's kind and number of shared activities."""
    act_keys = sorted(
        set(zip(fd.recipient, fd.purpose, strict=True)),
        key=lambda k: (k[0], k[1] is not None, k[1] or ""),
    )
    index = {k: i for i, k in enumerate(act_keys)}
    need = np.full(len(act_keys), np.nan)
    pay: dict[tuple[int, int], list] = {}  # (fund, activity) -> [amount, missing]
    for f, r, amt, nd, p in zip(fd.fund, fd.recipient, fd.amount, fd.need, fd.purpose, strict=True):
        a = index[(r, p)]
        if nd is not None and not nd <= need[a]:  # NaN compares False: the first need wins
            need[a] = nd
        cell = pay.get((f, a))
        if cell is None:
            pay[(f, a)] = [amt or 0.0, amt is None]
        else:
            cell[0] += amt or 0.0
            cell[1] = cell[1] or amt is None
    for a, (r, _) in enumerate(act_keys):
        if np.isnan(need[a]):
            own = _amount(sub.nodes[r].props.get("need_thb"))
            if own is not None:
                need[a] = own
    keys = sorted(pay)
    pay_f = np.array([k[0] for k in keys], dtype=np.int64)
    pay_a = np.array([k[1] for k in keys], dtype=np.int64)
    amount = np.array([np.nan if pay[k][1] else pay[k][0] for k in keys], dtype=np.float64)
    # every two funds paying one activity, kept when the two share a target
    by_act = np.lexsort((pay_f, pay_a))
    i, j = _pairs_within(pay_a[by_act])
    qa, qb = by_act[i], by_act[j]
    code = pay_f[qa] * max(pairs.n, 1) + pay_f[qb]
    pair = np.searchsorted(pairs.codes, code)
    found = pair < pairs.codes.size
    found[found] = pairs.codes[pair[found]] == code[found]
    qa, qb, pair = qa[found], qb[found], pair[found]
    act = pay_a[qa]
    o = np.lexsort((act, pairs.rank[pair]))
    qa, qb, pair, act = qa[o], qb[o], pair[o], act[o]
    am_a, am_b, nq = amount[qa], amount[qb], need[act]
    unknown = np.isnan(am_a) | np.isnan(am_b) | np.isnan(nq)
    with np.errstate(invalid="ignore"):
        dup = ~unknown & (np.fmax(am_a, am_b) >= nq)
    kind = np.where(unknown, _UNKNOWN, np.where(dup, _DUP, _COMP))
    n_pairs = pairs.codes.size
    n_act = np.bincount(pair, minlength=n_pairs)
    n_dup = np.bincount(pair, weights=kind == _DUP, minlength=n_pairs)
    n_comp = np.bincount(pair, weights=kind == _COMP, minlength=n_pairs)
    pairs.activities = n_act
    pairs.kind = np.where(
        n_dup > 0, _DUP, np.where((n_act > 0) & (n_comp == n_act), _COMP, _UNKNOWN)
    )
    return [
        {
            "target": act_keys[q][0],
            "purpose": act_keys[q][1],
            "amount_a": _number_out(x),
            "amount_b": _number_out(y),
            "need": _number_out(n),
            "kind": PAIR_KINDS[k],
        }
        for q, x, y, n, k in zip(
            act.tolist(), am_a.tolist(), am_b.tolist(), nq.tolist(), kind.tolist(), strict=True
        )
    ]


def _build_pairs(
    pairs: _Pairs,
    shared: list[str],
    paths_a: list[list],
    paths_b: list[list],
    activities: list[dict[str, Any]],
    what: str,
) -> list[dict[str, Any]]:
    """The pair dictionaries in output order. ``shared``/``paths_a``/``paths_b`` hold one
    entry per (pair, shared target) and ``activities`` one per (pair, shared activity), both
    sorted by pair rank, so each pair takes a slice."""
    ro = pairs.rank_order
    fund_ids = pairs.fund_ids
    paths = [
        {"target": t, "fund_a": x, "fund_b": y}
        for t, x, y in zip(shared, paths_a, paths_b, strict=True)
    ]
    n_shared = pairs.inter[ro]
    t_end = np.cumsum(n_shared)
    t_start = (t_end - n_shared).tolist()
    n_acts = pairs.activities[ro]
    q_end_arr = np.cumsum(n_acts)
    q_start, q_end = (q_end_arr - n_acts).tolist(), q_end_arr.tolist()
    fund_a = [fund_ids[i] for i in pairs.a[ro].tolist()]
    fund_b = [fund_ids[i] for i in pairs.b[ro].tolist()]
    kinds = [PAIR_KINDS[k] for k in pairs.kind[ro].tolist()]
    # the usual reason, "no activity in common", depends only on the number shared
    n_shared_list = n_shared.tolist()
    no_activity = {n: _reason("unknown", "", "", n, [], what) for n in set(n_shared_list)}
    reasons = [no_activity[n] for n in n_shared_list]
    for r in np.flatnonzero(n_acts).tolist():
        acts = activities[q_start[r] : q_end[r]]
        reasons[r] = _reason(kinds[r], fund_a[r], fund_b[r], n_shared_list[r], acts, what)
    return [
        {
            "fund_a": fa,
            "fund_b": fb,
            "shared": shared[ts:te],
            "jaccard": jac,
            "overlap": ovl,
            "weighted_jaccard": wj,
            "kind": kind,
            "reason": reason,
            "activities": activities[qs:qe],
            "paths": paths[ts:te],
        }
        for fa, fb, ts, te, jac, ovl, wj, kind, reason, qs, qe in zip(
            fund_a,
            fund_b,
            t_start,
            t_end.tolist(),
            _clean_floats(pairs.jaccard[ro]),
            _clean_floats(pairs.overlap[ro]),
            [clean_float(x) for x in pairs.weighted[ro].tolist()],
            kinds,
            reasons,
            q_start,
            q_end,
            strict=True,
        )
    ]


def _clean_floats(values: np.ndarray) -> list[float | None]:
    """``clean_float`` of each value, computed once per distinct value (Jaccard and overlap
    are ratios of small whole numbers, so they repeat a lot).

    >>> _clean_floats(np.array([1 / 3, np.nan, 1 / 3, 0.5]))
    [0.3333333333, None, 0.3333333333, 0.5]
    """
    if values.size == 0:
        return []
    distinct, inverse = np.unique(values, return_inverse=True)
    cleaned = [clean_float(x) for x in distinct.tolist()]
    return [cleaned[i] for i in inverse.ravel().tolist()]


def _baht(x: float | None) -> str:
    return f"{x:,} THB"


def _activity(act: dict[str, Any]) -> str:
    return f"{act['target']} ({act['purpose']})" if act["purpose"] else str(act["target"])


def _reason(
    kind: str, fund_a: str, fund_b: str, n_shared: int, acts: list[dict[str, Any]], what: str
) -> str:
    """One sentence with the figures that decided the pair's kind.

    >>> act = {"target": "org-1", "purpose": None, "amount_a": 600000, "amount_b": 100000,
    ...        "need": 500000, "kind": "duplication"}
    >>> print(_reason("duplication", "f1", "f2", 1, [act], "area"))
    ... # doctest: +NORMALIZE_WHITESPACE
    duplication: for org-1 f1 pays 600,000 THB and f2 100,000 THB against a need of
    500,000 THB, so one fund alone was enough
    """
    if kind == "duplication":
        x = next(a for a in acts if a["kind"] == "duplication")
        return (
            f"duplication: for {_activity(x)} {fund_a} pays {_baht(x['amount_a'])} and "
            f"{fund_b} {_baht(x['amount_b'])} against a need of {_baht(x['need'])}, so one "
            "fund alone was enough"
        )
    if kind == "complementary":
        x = acts[0]
        where = (
            "the one shared activity"
            if len(acts) == 1
            else f"each of the {len(acts)} shared activities"
        )
        return (
            f"complementary: in {where} neither fund alone covers the need ({_activity(x)}: "
            f"{_baht(x['amount_a'])} and {_baht(x['amount_b'])} against "
            f"{_baht(x['need'])})"
        )
    if not acts:
        return (
            f"unknown: the funds share {n_shared} {what}(s) but pay no activity in common "
            "(activities are counted at the FUNDS recipient)"
        )
    x = next(a for a in acts if a["kind"] == "unknown")
    lacking = sum(1 for a in acts if a["kind"] == "unknown")
    no_amount = [f for f, key in ((fund_a, "amount_a"), (fund_b, "amount_b")) if x[key] is None]
    missing = [f"no amount_thb from {' or '.join(no_amount)}"] if no_amount else []
    if x["need"] is None:
        missing.append("no need_thb")
    of = (
        "the one shared activity lacks"
        if len(acts) == 1
        else (f"{lacking} of {len(acts)} shared activities lack")
    )
    return (
        f"unknown: no shared activity is a duplication and {of} a figure "
        f"({_activity(x)}: {', '.join(missing)})"
    )

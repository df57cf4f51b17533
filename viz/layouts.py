"""Where a map draws each entity: four layouts, each followed by the same overlap removal.

A layout gives every node an (x, y) in layout units (the units of vis-network's canvas at
zoom 1, y pointing down) from the subgraph and each node's drawn diameter. Every layout is
deterministic (no clock, no unseeded randomness) and ends with :func:`remove_overlaps`, so no
two node discs (diameter ``size`` plus :data:`MARGIN`) intersect; the page then fits the
whole drawing, labels included, to its canvas (``viz/static/map.js``).

- ``force`` (the default): :func:`viz.maps.layout` (a seeded spring layout per component,
  spectral for big ones, components packed in rows), then overlap removal.
- ``levels``: rows by ``admin_level`` top down (international, national, regional,
  provincial, district, subdistrict, village, community). Vertical ties read top-down
  (:data:`DOWN_TYPES` from source to target, :data:`UP_TYPES` the other way) split a level
  into rows (a funder above the team it funds) and place entities without ``admin_level``
  one row below the entity above them; entities with neither sit in a band of their own at
  the bottom. Within a row, entities are ordered by barycentre sweeps (the mean position of
  their neighbours in the rows above, then below) to cut crossings.
- ``inn``: bands by INN level: networks at the top, nodes, individuals, and entities that
  are not actors (funds, areas, programmes, knowledge) in a band of their own.
- ``geographic``: areas at their real coordinates from the shipped geography
  (``graph_service/data/thai-admin/sub_districts.csv``: subdistricts by their lat/long,
  districts, provinces and regions at the mean of their subdistricts), matched by the
  area's DOPA ``code``, its ``thai_admin_id``, its own ``lat``/``long``, or its Thai name
  (within its province when its PART_OF chain names one). Entities LOCATED_IN or
  OPERATES_IN an area (and areas PART_OF one with no place of their own) sit in a ring
  around it; the rest in a column at the right, under a label saying they have no place.
  Equirectangular projection, x scaled by cos(latitude). No tiles, no boundaries.

Band labels (the row names of ``levels`` and ``inn``, the side column of ``geographic``)
come back as :class:`Band` items the page draws at the left of their row.
"""

from __future__ import annotations

import csv
import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

import graph_service
from graph_service import budget, i18n
from graph_service.domain import ACTOR_KINDS, ADMIN_LEVELS, Subgraph, normalise_name

LAYOUTS = ("force", "levels", "inn", "geographic")
DEFAULT_LAYOUT = "force"
#: the free space kept between two node discs, in layout units
MARGIN = 10.0
#: how far a pass of the overlap removal pushes a pair, as a share of what it lacks: more
#: than enough settles a dense cluster in fewer passes (at 10,000 nodes 41 passes, against
#: more than 300 at 1.02)
OVERSHOOT = 1.6
#: the size of a label on the screen in pixels, whatever the zoom (map.js sets vis-network's
#: font size to LABEL_PX / zoom after every zoom)
LABEL_PX = 13.0
LABEL_PX_HEIGHT = LABEL_PX * 1.4
#: band labels, also in screen pixels
BAND_PX = 16.0
#: a row's name ends this many pixels left of the leftmost node or label
BAND_GAP = 16.0
#: the page's fit: pixels kept free at each side, and the closest zoom it opens at
PADDING = 24.0
MAX_SCALE = 1.5
#: width / height the banded layouts aim at (the map's canvas in a 1400 x 900 window is
#: about 800 x 850)
ASPECT = 1.6
#: the label size the layouts make room for (layout units: the size at zoom 1)
FONT_SIZE = 14.0
#: a label's width per character, as a share of the font size (Thai and Latin glyphs of
#: Noto Sans Thai / Tahoma at 14 px measure 7 to 8 px; combining marks take no width)
CHAR_WIDTH = 0.55
#: a label's height: one line of text plus vis-network's spacing
LABEL_HEIGHT = FONT_SIZE * 1.4
#: ties read top-down: the source sits above the target ...
DOWN_TYPES = frozenset(
    {"FUNDS", "SUPPORTS", "ADMINISTERS", "RUNS", "ESTABLISHES", "DIRECTS", "GOVERNS", "MENTORS"}
)
#: ... and these the other way (the target above the source)
UP_TYPES = frozenset({"REPORTS_TO", "FUNDED_BY", "WORKS_FOR"})
#: placement: an entity is drawn at the place it is LOCATED_IN or OPERATES_IN
PLACE_TYPES = ("LOCATED_IN", "OPERATES_IN")
GEOGRAPHY_DIR = Path(graph_service.__file__).resolve().parent / "data" / "thai-admin"
#: region names of the samples that the geography spells otherwise
REGION_ALIASES = {"ภาคอีสาน": "ภาคตะวันออกเฉียงเหนือ"}
_NAME_PREFIXES = ("จังหวัด", "อำเภอ", "ตำบล", "จ.", "อ.", "ต.", "เขต", "แขวง")


@dataclass
class Band:
    """A labelled band of a layout: ``key`` (for the catalogue), its text in each language,
    and where the page writes it (its left end, in layout units)."""

    key: str
    label: dict[str, str]
    x: float
    y: float
    #: ``right``: the text ends at x (a row's name at its left); ``left``: it starts there
    align: str = "right"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "align": self.align,
        }


@dataclass
class Placed:
    """A layout's answer: positions (rows in the order of the ids given) and band labels."""

    pos: np.ndarray
    bands: list[Band] = field(default_factory=list)


def check_layout(name: str) -> str:
    """``name`` if it is a layout, else an ``InvalidInput`` listing the choices."""
    from graph_service.errors import InvalidInput

    if name not in LAYOUTS:
        raise InvalidInput(
            f"unknown layout {name!r}; the layouts are {', '.join(LAYOUTS)}", {"layout": name}
        )
    return name


def choices() -> list[dict[str, Any]]:
    """The layouts with their names and explanations in both languages (the map's chooser)."""
    return [
        {
            "name": name,
            "label": {lang: i18n.text(lang, f"layouts.name.{name}") for lang in i18n.LANGUAGES},
            "explain": {
                lang: i18n.text(lang, f"layouts.explain.{name}") for lang in i18n.LANGUAGES
            },
        }
        for name in LAYOUTS
    ]


def words() -> dict[str, dict[str, str]]:
    """The chooser's title and the hidden-labels note (``{count}``) in both languages."""
    return {
        key: {lang: i18n.catalogue(lang)[f"layouts.{key}"] for lang in i18n.LANGUAGES}
        for key in ("chooser", "hidden")
    }


def _words(key: str, **values: Any) -> dict[str, str]:
    return {lang: i18n.text(lang, f"layouts.{key}", **values) for lang in i18n.LANGUAGES}


# -- labels ------------------------------------------------------------------------------------


#: how far a label counts beyond its node, each side, when the page fits the map (pixels)
LABEL_REACH = 60.0


def visible_box(
    scale: float, centre: tuple[float, float], width: float, height: float
) -> tuple[float, float, float, float]:
    """The canvas seen at ``scale`` centred on ``centre`` (layout units), as the labels'
    screen boxes measure it (layout units times the scale), 2 px in from each edge, as
    ``map.js`` ``cullLabels`` does.

    >>> visible_box(0.5, (100.0, 0.0), 800, 600)
    (-348.0, -298.0, 448.0, 298.0)
    """
    cx, cy = centre[0] * scale, centre[1] * scale
    return (cx - width / 2 + 2, cy - height / 2 + 2, cx + width / 2 - 2, cy + height / 2 - 2)


def label_width(label: str, font_size: float = LABEL_PX) -> float:
    """The estimated width of a label written ``font_size`` high: its spacing characters
    (combining Thai vowel and tone marks take no width) times :data:`CHAR_WIDTH` of the font
    size.

    >>> label_width("abcd", 14)
    30.8
    >>> label_width("ที่") == label_width("ท")
    True
    """
    wide = sum(1 for ch in label if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    return round(wide * CHAR_WIDTH * font_size, 3)


def _extent(
    s: float,
    x: np.ndarray,
    y: np.ndarray,
    r: np.ndarray,
    w: np.ndarray,
    bands: Sequence[tuple[float, float, float, str]],
) -> tuple[float, float, float, float]:
    """left, right, top, bottom in screen pixels at zoom ``s`` of the nodes (radius ``r``),
    their labels (``w`` pixels wide, centred under the node, counted up to
    :data:`LABEL_REACH` pixels each side: a longer label must not shrink the whole map;
    where it would pass the canvas's edge the page hides it) and the band labels (x, y,
    width in pixels, alignment)."""
    half = np.maximum(r * s, np.minimum(w / 2, LABEL_REACH))
    below = 2 + LABEL_PX_HEIGHT if len(w) and w.max() > 0 else 0.0
    left, right = float((x * s - half).min()), float((x * s + half).max())
    top, bottom = float(((y - r) * s).min()), float(((y + r) * s + below).max())
    nodes_left = left
    for bx, by, bw, align in bands:
        start = nodes_left - BAND_GAP - bw if align == "right" else bx * s
        left, right = min(left, start), max(right, start + bw)
        top, bottom = min(top, by * s - BAND_PX), max(bottom, by * s + BAND_PX)
    return left, right, top, bottom


def fit_scale(
    x: np.ndarray,
    y: np.ndarray,
    diam: np.ndarray,
    labels: Sequence[str],
    width: float,
    height: float,
    padding: float = PADDING,
    bands: Sequence[Band] = (),
    max_scale: float = MAX_SCALE,
) -> tuple[float, tuple[float, float]]:
    """The zoom at which the page's fit shows every node with its label (written centred
    under the node, :data:`LABEL_PX` pixels whatever the zoom) and every band label inside a
    ``width`` × ``height`` canvas with ``padding`` pixels each side, and the point (layout
    units) at its centre: the biggest zoom that fits, found by bisection, as ``map.js``
    ``fitAll`` does."""
    if not len(x):
        return 1.0, (0.0, 0.0)
    r = np.asarray(diam, dtype=np.float64) / 2
    w = np.array([label_width(t) for t in labels])
    bx = [(b.x, b.y, label_width(max(b.label.values(), key=len), BAND_PX), b.align) for b in bands]

    def fits(s: float) -> bool:
        left, right, top, bottom = _extent(s, x, y, r, w, bx)
        return right - left <= width - 2 * padding and bottom - top <= height - 2 * padding

    # labels and band names wider than the canvas at any zoom: without the band names (the
    # page does not draw them then), and if the labels are still too wide, the shapes alone
    if not fits(1e-4):
        bx = []
        if not fits(1e-4):
            w = np.zeros(len(x))
    lo, hi = 1e-4, max_scale
    if fits(hi):
        lo = hi
    else:
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    left, right, top, bottom = _extent(lo, x, y, r, w, bx)
    return lo, ((left + right) / 2 / lo, (top + bottom) / 2 / lo)


def shown_labels(
    x: np.ndarray,
    y: np.ndarray,
    diam: np.ndarray,
    labels: Sequence[str],
    scale: float,
    view: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """Which labels the page shows at zoom ``scale`` (``map.js`` ``cullLabels``): greedy by
    node size (biggest first, ties by order), a label (:data:`LABEL_PX` pixels high and its
    width, centred under its node) is shown when its box on the screen meets no label already
    shown and no other node's shape (the square round its disc), and lies inside ``view``
    (the visible canvas as left, top, right, bottom in the same screen pixels, 2 px in from
    its edges; None: no edge). A boolean array in the order of the nodes."""
    n = len(x)
    shown = np.zeros(n, dtype=bool)
    order = sorted(range(n), key=lambda i: (-float(diam[i]), i))
    cell = 64.0
    # every node's shape is an obstacle to the labels of the others
    grid: dict[tuple[int, int], list[tuple[float, float, float, float, int]]] = defaultdict(list)

    def cells(box: tuple[float, ...]) -> list[tuple[int, int]]:
        return [
            (gx, gy)
            for gx in range(int(box[0] // cell), int(box[2] // cell) + 1)
            for gy in range(int(box[1] // cell), int(box[3] // cell) + 1)
        ]

    for i in range(n):
        r = float(diam[i]) / 2 * scale
        disc = (
            float(x[i]) * scale - r,
            float(y[i]) * scale - r,
            float(x[i]) * scale + r,
            float(y[i]) * scale + r,
            i,
        )
        for c in cells(disc):
            grid[c].append(disc)
    for i in order:
        box = (*label_box(float(x[i]), float(y[i]), float(diam[i]), labels[i], scale), i)
        if view is not None and (
            box[0] < view[0] or box[1] < view[1] or box[2] > view[2] or box[3] > view[3]
        ):
            continue
        near = cells(box)
        if any(_meets(box, other) and other[4] != i for c in near for other in grid.get(c, ())):
            continue
        shown[i] = True
        for c in near:
            grid[c].append(box)
    return shown


def label_box(
    x: float, y: float, diam: float, label: str, scale: float
) -> tuple[float, float, float, float]:
    """A label's box on the screen at zoom ``scale`` (pixels, from the layout's origin):
    centred under its node, :data:`LABEL_PX` high whatever the zoom."""
    w = label_width(label)
    top = (y + diam / 2) * scale + 2
    return (x * scale - w / 2, top, x * scale + w / 2, top + LABEL_PX_HEIGHT)


def _meets(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# -- overlap removal ---------------------------------------------------------------------------


def overlapping_pairs(pos: np.ndarray, diam: np.ndarray, margin: float = 0.0) -> np.ndarray:
    """The pairs (i < j) whose discs of diameter ``diam`` (plus ``margin`` between them)
    intersect, as an ``m x 2`` array."""
    from scipy.spatial import cKDTree

    n = len(pos)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    reach = float(diam.max()) + margin
    pairs = cKDTree(pos).query_pairs(reach, output_type="ndarray")
    if not len(pairs):
        return pairs.reshape(0, 2)
    i, j = pairs[:, 0], pairs[:, 1]
    dist = np.hypot(*(pos[j] - pos[i]).T)
    need = (diam[i] + diam[j]) / 2 + margin
    return pairs[dist < need - 1e-9]


def remove_overlaps(
    pos: np.ndarray, diam: np.ndarray, margin: float = MARGIN, passes: int = 150
) -> np.ndarray:
    """``pos`` moved so that no two discs (diameters ``diam``) come closer than ``margin``:
    for every pair closer than the sum of their radii plus ``margin``, found on a KD-tree,
    each moves :data:`OVERSHOOT` × half the shortfall apart along the line joining them
    (coincident nodes along a direction fixed by their indices), for up to ``passes``
    passes; anything still
    overlapping then is resolved by spreading the whole drawing about its centre by the
    factor the worst pair needs. Deterministic; exact: every pairwise distance ends at least
    the sum of radii plus ``margin``.

    >>> p = remove_overlaps(np.zeros((3, 2)), np.array([20.0, 20.0, 20.0]), margin=0)
    >>> bool(all(np.hypot(*(p[a] - p[b])) >= 20 - 1e-9 for a, b in [(0, 1), (0, 2), (1, 2)]))
    True
    """
    pos = np.array(pos, dtype=np.float64).reshape(-1, 2)
    diam = np.asarray(diam, dtype=np.float64)
    n = len(pos)
    if n < 2:
        return pos
    for step in range(passes):
        if not step % 8:
            budget.check()
        pairs = overlapping_pairs(pos, diam, margin)
        if not len(pairs):
            return pos
        i, j = pairs[:, 0], pairs[:, 1]
        d = pos[j] - pos[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        zero = dist < 1e-9
        if zero.any():  # a direction fixed by the pair's indices (golden angle)
            angle = (i[zero] * 2.399963 + j[zero] * 0.618034) % (2 * math.pi)
            d[zero] = np.column_stack([np.cos(angle), np.sin(angle)])
            dist[zero] = 1.0
            unit = d / dist[:, None]
            dist[zero] = 0.0
        else:
            unit = d / dist[:, None]
        need = (diam[i] + diam[j]) / 2 + margin
        push = (need - dist) / 2 * OVERSHOOT + 1e-6
        delta = np.zeros_like(pos)
        np.add.at(delta, i, -unit * push[:, None])
        np.add.at(delta, j, unit * push[:, None])
        pos += delta
    # the last resort: spread the whole drawing until the worst pair is apart
    for _ in range(20):
        pairs = overlapping_pairs(pos, diam, margin)
        if not len(pairs):
            return pos
        i, j = pairs[:, 0], pairs[:, 1]
        dist = np.hypot(*(pos[j] - pos[i]).T)
        need = (diam[i] + diam[j]) / 2 + margin
        if (dist < 1e-9).any():  # coincident after all the passes: nudge them apart first
            for _a, b in pairs[dist < 1e-9]:
                pos[b] += (need.max(), 0.0)
            continue
        centre = pos.mean(axis=0)
        pos = centre + (pos - centre) * float((need / dist).max()) * 1.001
    return pos


# -- the layouts -------------------------------------------------------------------------------


def compute(
    name: str,
    sub: Subgraph,
    ids: Sequence[str],
    diam: np.ndarray,
    labels: Sequence[str],
    force: Callable[[Sequence[str], Iterable[tuple[str, str]]], np.ndarray],
) -> Placed:
    """The layout ``name`` of ``sub`` (rows of the answer in the order of ``ids``), node
    diameters ``diam`` and labels ``labels`` in the same order; ``force`` is the spring
    layout (:func:`viz.maps.layout`)."""
    check_layout(name)
    diam = np.asarray(diam, dtype=np.float64)
    if not len(ids):
        return Placed(np.zeros((0, 2)))
    if name == "force":
        placed = Placed(np.asarray(force(ids, ((e.source, e.target) for e in sub.edges)), float))
    elif name == "levels":
        placed = _levels(sub, ids, diam, labels)
    elif name == "inn":
        placed = _inn(sub, ids, diam, labels)
    else:
        placed = _geographic(sub, ids, diam, labels)
    placed.pos = np.round(remove_overlaps(placed.pos, diam), 1)
    return placed


def _widths(diam: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """The room a node takes in a row: its disc or its label, whichever is wider."""
    return np.maximum(diam, np.array([label_width(t) for t in labels])) + MARGIN


def _neighbours(sub: Subgraph, index: Mapping[str, int]) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in index]
    for e in sub.edges:
        a, b = index.get(e.source), index.get(e.target)
        if a is not None and b is not None and a != b:
            out[a].append(b)
            out[b].append(a)
    return out


def _rows(
    tiers: Sequence[Sequence[int]],
    sub: Subgraph,
    ids: Sequence[str],
    diam: np.ndarray,
    labels: Sequence[str],
    gaps: Sequence[float] = (),
) -> np.ndarray:
    """Positions for nodes in ``tiers`` (top to bottom): each tier one row or, when wider
    than the drawing should be, several; ordered within by barycentre sweeps; rows centred
    on x = 0. ``gaps``: extra space above each tier."""
    n = len(ids)
    pos = np.zeros((n, 2))
    width = _widths(diam, labels)
    nbrs = _neighbours(sub, {i: k for k, i in enumerate(ids)})
    order = [sorted(t, key=lambda k: ids[k]) for t in tiers]
    # barycentre sweeps, down then up: each node at the mean rank of its neighbours in the
    # tiers already placed; the rank (its place in its row) is all that is needed
    rank = np.zeros(n)
    for row in order:
        rank[row] = np.arange(len(row)) / max(len(row), 1)
    for sweep in range(4):
        budget.check()
        seq = range(1, len(order)) if sweep % 2 == 0 else range(len(order) - 2, -1, -1)
        for t in seq:
            row = order[t]
            near = order[t - 1] if sweep % 2 == 0 else order[t + 1]
            near_set = set(near)

            def key(k: int, near_set: set[int] = near_set) -> tuple[float, str]:
                ns = [rank[m] for m in nbrs[k] if m in near_set]
                return (float(np.mean(ns)) if ns else float(rank[k]), ids[k])

            row.sort(key=key)
            rank[row] = np.arange(len(row)) / max(len(row), 1)
    # the widest a row may be: about ASPECT times the drawing's height, and never narrower
    # than the widest node
    mean_h = float(diam.mean()) + LABEL_HEIGHT + 2 * MARGIN
    total = float(width.sum())
    limit = max(math.sqrt(total * mean_h * ASPECT), float(width.max()))
    y = 0.0
    for t, row in enumerate(order):
        if not row:
            continue
        y += gaps[t] if t < len(gaps) else 0.0
        line: list[int] = []
        lines: list[list[int]] = []
        used = 0.0
        for k in row:
            if line and used + width[k] > limit:
                lines.append(line)
                line, used = [], 0.0
            line.append(k)
            used += width[k]
        lines.append(line)
        for line in lines:
            w = width[line]
            xs = np.cumsum(w) - w / 2 - w.sum() / 2
            # a row's height: its biggest disc, with the label of the row above between
            half = float(diam[line].max()) / 2
            if y or t:
                y += half
            pos[line, 0] = xs
            pos[line, 1] = y
            y += half + LABEL_HEIGHT + 2 * MARGIN
    return pos


def _band_labels(
    pos: np.ndarray, tiers: Sequence[Sequence[int]], keys: Sequence[tuple[str, dict[str, str]]]
) -> list[Band]:
    """A label at the left of the first row of each non-empty tier that has a name (the page
    writes it ending :data:`BAND_GAP` pixels left of the leftmost node or label)."""
    if not len(pos):
        return []
    left = float(pos[:, 0].min())
    bands = []
    for tier, (key, label) in zip(tiers, keys, strict=True):
        if tier and key:
            top = float(pos[list(tier), 1].min())
            bands.append(Band(key, label, left, top))
    return bands


def _tie_arcs(sub: Subgraph, index: Mapping[str, int]) -> list[tuple[int, int]]:
    """The ties read top-down as (upper, lower) pairs of indices."""
    arcs = []
    for e in sub.edges:
        a, b = index.get(e.source), index.get(e.target)
        if a is None or b is None or a == b:
            continue
        if e.type in DOWN_TYPES:
            arcs.append((a, b))
        elif e.type in UP_TYPES:
            arcs.append((b, a))
    return sorted(set(arcs))


def level_rows(sub: Subgraph, ids: Sequence[str]) -> tuple[list[float | None], list[int]]:
    """The ``levels`` layout's depth of each node (None: no admin_level and no tie down from
    one that has), and its admin tier (len(ADMIN_LEVELS) for none). A node with an
    ``admin_level`` sits at ``10 × tier + k``, where k is the length of the longest chain of
    top-down ties reaching it from the same tier; one without sits one below the deepest
    node tied down to it (longest chain, cycles broken by id order)."""
    index = {i: k for k, i in enumerate(ids)}
    tier_of = {lv: t for t, lv in enumerate(ADMIN_LEVELS)}
    n = len(ids)
    tier = [
        tier_of.get(str(sub.nodes[i].props.get("admin_level", "")), len(ADMIN_LEVELS)) for i in ids
    ]
    parents: list[list[int]] = [[] for _ in range(n)]
    for a, b in _tie_arcs(sub, index):
        parents[b].append(a)
    depth: list[float | None] = [None] * n
    state = [0] * n  # 0 new, 1 on the stack, 2 done

    def visit(v: int) -> float | None:
        # iterative longest-path depth with cycle breaking (an arc back into the stack is
        # ignored)
        stack = [(v, 0)]
        while stack:
            u, k = stack.pop()
            if k == 0:
                if state[u] == 2:
                    continue
                state[u] = 1
            ps = parents[u]
            if k < len(ps):
                stack.append((u, k + 1))
                p = ps[k]
                if state[p] == 0:
                    stack.append((p, 0))
                continue
            best: float | None = None
            for p in ps:
                if state[p] != 2 or depth[p] is None:
                    continue
                dp = depth[p]
                assert dp is not None
                if tier[u] < len(ADMIN_LEVELS):
                    if tier[p] == tier[u]:
                        cand = dp + 1
                        best = cand if best is None else max(best, cand)
                else:
                    cand = dp + 1
                    best = cand if best is None else max(best, cand)
            if tier[u] < len(ADMIN_LEVELS):
                own = 10.0 * tier[u]
                depth[u] = max(own, best) if best is not None else own
            else:
                depth[u] = best
            state[u] = 2
        return depth[v]

    for v in sorted(range(n), key=lambda k: ids[k]):
        visit(v)
    return depth, tier


def _levels(sub: Subgraph, ids: Sequence[str], diam: np.ndarray, labels: Sequence[str]) -> Placed:
    depth, tier = level_rows(sub, ids)
    values = sorted({d for d in depth if d is not None})
    row_of = {d: r for r, d in enumerate(values)}
    tiers: list[list[int]] = [[] for _ in range(len(values) + 1)]
    for k, d in enumerate(depth):
        tiers[row_of[d] if d is not None else len(values)].append(k)
    # a band's name on the first row of each admin level, and on the bottom band
    keys: list[tuple[str, dict[str, str]]] = []
    named: set[int] = set()
    gaps: list[float] = []
    for r, d in enumerate(values):
        t = int(d // 10)
        first = t not in named and t < len(ADMIN_LEVELS) and any(tier[k] == t for k in tiers[r])
        if first:
            named.add(t)
            level = ADMIN_LEVELS[t]
            keys.append(
                (level, {lang: i18n.word(lang, "admin_level", level) for lang in i18n.LANGUAGES})
            )
        else:
            keys.append(("", {}))
        gaps.append(40.0 if first and r else 0.0)
    keys.append(("none", _words("band.no_level")))
    gaps.append(80.0)
    pos = _rows(tiers, sub, ids, diam, labels, gaps)
    return Placed(pos, _band_labels(pos, tiers, keys))


def _inn(sub: Subgraph, ids: Sequence[str], diam: np.ndarray, labels: Sequence[str]) -> Placed:
    order = ("network", "node", "individual", None)
    tiers: list[list[int]] = [[] for _ in order]
    for k, i in enumerate(ids):
        level = sub.nodes[i].level if sub.nodes[i].kind in ACTOR_KINDS else None
        tiers[order.index(level)].append(k)
    keys = [
        (lv, {lang: i18n.word(lang, "level", lv) for lang in i18n.LANGUAGES})
        for lv in ("network", "node", "individual")
    ]
    keys.append(("not_actor", _words("band.not_actor")))
    pos = _rows(tiers, sub, ids, diam, labels, (0.0, 60.0, 60.0, 100.0))
    return Placed(pos, _band_labels(pos, tiers, keys))


# -- geography ---------------------------------------------------------------------------------


@dataclass
class Geography:
    """Points (lat, long) of the shipped geography by DOPA code (2, 4 and 6 digits) and by
    region, and the names that find them."""

    points: dict[str, tuple[float, float]]
    regions: dict[str, tuple[float, float]]
    region_names: dict[str, str]
    province_names: dict[str, str]
    #: (province code, name key) -> DOPA code of the districts and subdistricts
    local_names: dict[tuple[str, str], str]
    #: name key -> DOPA code, for names found once in the whole country
    unique_names: dict[str, str]
    province_of_source: dict[str, str]


def _name_key(name: str) -> str:
    key = normalise_name(name).replace(" ", "")
    for prefix in _NAME_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    return key


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.DictReader(f) if not (r.get("deleted_at") or "").strip()]


@cache
def geography(folder: str | None = None) -> Geography:
    """The shipped geography's points, read once."""
    base = Path(folder) if folder else GEOGRAPHY_DIR
    subs = _read(base / "sub_districts.csv")
    districts = _read(base / "districts.csv")
    provinces = _read(base / "provinces.csv")
    regions_rows = _read(base / "geographies.csv")
    province_of_source = {d["province_id"]: d["id"][:2] for d in districts}
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    points: dict[str, tuple[float, float]] = {}
    for s in subs:
        if not s.get("lat") or not s.get("long"):
            continue
        lat, lon = float(s["lat"]), float(s["long"])
        code = s["id"]
        points[code] = (lat, lon)
        for part in (code[:4], code[:2]):
            acc = sums[part]
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1
    for code, (la, lo, c) in sums.items():
        points[code] = (la / c, lo / c)
    region_sum: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    province_names: dict[str, str] = {}
    for p in provinces:
        if p["id"] not in province_of_source:
            continue
        code = province_of_source[p["id"]]
        province_names[_name_key(p["name_th"])] = code
        if code in points:
            acc = region_sum[p["geography_id"]]
            acc[0] += points[code][0]
            acc[1] += points[code][1]
            acc[2] += 1
    regions = {g: (a / c, b / c) for g, (a, b, c) in region_sum.items()}
    region_names = {_name_key(r["name"]): r["id"] for r in regions_rows}
    for alias, real in REGION_ALIASES.items():
        if _name_key(real) in region_names:
            region_names[_name_key(alias)] = region_names[_name_key(real)]
    local: dict[tuple[str, str], str] = {}
    seen: dict[str, list[str]] = defaultdict(list)
    for d in districts:
        key = _name_key(d["name_th"])
        local.setdefault((d["id"][:2], key), d["id"])
        seen[key].append(d["id"])
    for s in subs:
        key = _name_key(s["name_th"])
        local.setdefault((s["id"][:2], key), s["id"])
        seen[key].append(s["id"])
    unique = {k: v[0] for k, v in seen.items() if len(v) == 1}
    return Geography(
        points, regions, region_names, province_names, local, unique, province_of_source
    )


def area_point(
    props: Mapping[str, Any], province: str | None, geo: Geography
) -> tuple[float, float] | None:
    """(lat, long) of an area from its properties: its own ``lat``/``long``, its DOPA
    ``code``, its ``thai_admin_id`` (a region's or a province's source id), or its Thai name
    (a region, a province, or a district or subdistrict of ``province``, a DOPA code)."""
    try:
        lat, lon = float(props["lat"]), float(props["long"])
        if math.isfinite(lat) and math.isfinite(lon):
            return lat, lon
    except (KeyError, TypeError, ValueError):
        pass
    from graph_service.domain import to_ascii_digits

    code = to_ascii_digits(str(props.get("code", "") or "")).strip()
    if code in geo.points and len(code) in (2, 4, 6):
        return geo.points[code]
    level = props.get("admin_level")
    source = to_ascii_digits(str(props.get("thai_admin_id", "") or "")).strip()
    if source:
        if level == "regional" and source in geo.regions:
            return geo.regions[source]
        if level == "provincial" and source in geo.province_of_source:
            return geo.points.get(geo.province_of_source[source])
        if len(source) in (4, 6) and source in geo.points:
            return geo.points[source]
    key = _name_key(str(props.get("name", "") or ""))
    if not key or level == "national":
        return None
    if level in (None, "regional") and key in geo.region_names:
        return geo.regions.get(geo.region_names[key])
    if level in (None, "provincial") and key in geo.province_names:
        return geo.points.get(geo.province_names[key])
    if level in ("district", "subdistrict"):
        found = geo.local_names.get((province, key)) if province else geo.unique_names.get(key)
        if found:
            return geo.points.get(found)
    return None


def _province_code(props: Mapping[str, Any]) -> str | None:
    from graph_service.domain import to_ascii_digits

    code = to_ascii_digits(str(props.get("code", "") or "")).strip()
    return code[:2] if len(code) in (2, 4, 6) and code.isdigit() else None


def _geographic(
    sub: Subgraph, ids: Sequence[str], diam: np.ndarray, labels: Sequence[str]
) -> Placed:
    geo = geography()
    index = {i: k for k, i in enumerate(ids)}
    n = len(ids)
    parent: dict[int, list[int]] = defaultdict(list)
    for e in sub.edges:
        a, b = index.get(e.source), index.get(e.target)
        if a is None or b is None or a == b:
            continue
        if e.type == "PART_OF" and sub.nodes[e.source].kind == "Area":
            parent[a].append(b)
    # the province of each area, from its code or its PART_OF chain
    province: dict[int, str | None] = {}

    def province_of(k: int, seen: frozenset[int] = frozenset()) -> str | None:
        if k in province:
            return province[k]
        props = sub.nodes[ids[k]].props
        found = _province_code(props)
        if found is None and props.get("admin_level") == "provincial":
            key = _name_key(str(props.get("name", "")))
            found = geo.province_names.get(key)
        if found is None:
            for p in sorted(parent[k]):
                if p not in seen:
                    found = province_of(p, seen | {k})
                    if found:
                        break
        province[k] = found
        return found

    latlon: dict[int, tuple[float, float]] = {}
    for k, i in enumerate(ids):
        node = sub.nodes[i]
        if node.kind == "Area":
            point = area_point(node.props, province_of(k), geo)
            if point is not None:
                latlon[k] = point
    # where everything else goes: the most local placed area it is LOCATED_IN or OPERATES_IN
    # (an area without a point of its own: the area it is PART_OF)
    rank = {lv: t for t, lv in enumerate(ADMIN_LEVELS)}
    anchor: dict[int, int] = {}
    for e in sorted(sub.edges, key=lambda e: e.key):
        a, b = index.get(e.source), index.get(e.target)
        if a is None or b is None or a == b or a in latlon or b not in latlon:
            continue
        if e.type in PLACE_TYPES or (e.type == "PART_OF" and sub.nodes[e.source].kind == "Area"):
            here = rank.get(str(sub.nodes[ids[b]].props.get("admin_level")), -1)
            if a not in anchor:
                anchor[a] = b
            else:
                there = rank.get(str(sub.nodes[ids[anchor[a]]].props.get("admin_level")), -1)
                if here > there:
                    anchor[a] = b
    pos = np.zeros((n, 2))
    placed = sorted(latlon)
    bands: list[Band] = []
    if placed:
        lat = np.array([latlon[k][0] for k in placed])
        lon = np.array([latlon[k][1] for k in placed])
        lat0 = float(lat.mean())
        px = (lon - float(lon.mean())) * math.cos(math.radians(lat0))
        py = -(lat - lat0)
        span = max(float(np.ptp(px)), float(np.ptp(py)), 0.02)
        # the drawing about as wide as a force layout of the same nodes would be
        target = max(600.0, 110.0 * math.sqrt(n) * 1.4)
        scale = target / span
        pos[placed, 0] = px * scale
        pos[placed, 1] = py * scale
        # separate areas that share a point (a district and its only subdistrict) now, so
        # the rings around them do not pile up
        pos[placed] = remove_overlaps(pos[placed], diam[placed])
    groups: dict[int, list[int]] = defaultdict(list)
    for k, b in anchor.items():
        groups[b].append(k)
    for b, members in sorted(groups.items()):
        members.sort(key=lambda k: ids[k])
        biggest = float(diam[members].max())
        radius = float(diam[b]) / 2 + biggest / 2 + MARGIN
        left = list(members)
        while left:
            fit = max(1, int(2 * math.pi * radius // (biggest + MARGIN)))
            ring, left = left[:fit], left[fit:]
            for m, k in enumerate(ring):
                angle = -math.pi / 2 + 2 * math.pi * m / len(ring)
                pos[k] = pos[b] + radius * np.array([math.cos(angle), math.sin(angle)])
            radius += biggest + MARGIN
    homeless = [k for k in range(n) if k not in latlon and k not in anchor]
    if homeless:
        homeless.sort(key=lambda k: (sub.nodes[ids[k]].kind, labels[k], ids[k]))
        width = _widths(diam, labels)
        col_w = float(width[homeless].max())
        row_h = float(diam.max()) + LABEL_HEIGHT + MARGIN
        anchored = [k for k in range(n) if k not in set(homeless)]
        right = float((pos[anchored, 0] + width[anchored] / 2).max()) if anchored else 0.0
        top = float(pos[anchored, 1].min()) if anchored else 0.0
        height = float(np.ptp(pos[anchored, 1])) if anchored else 0.0
        per_col = max(int(max(height, 600.0) // row_h) + 1, 1)
        x0 = right + 120 + col_w / 2 if anchored else 0.0
        for m, k in enumerate(homeless):
            pos[k, 0] = x0 + (m // per_col) * col_w
            pos[k, 1] = top + 60 + (m % per_col) * row_h
        bands.append(Band("no_place", _words("band.no_place"), x0 - col_w / 2, top, "left"))
    return Placed(pos, bands)

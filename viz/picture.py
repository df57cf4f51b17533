"""A static picture of the INN graph (PNG or SVG), drawn with matplotlib.

:func:`write_picture` draws the same map as :func:`viz.maps.build_map`, on paper: the whole
graph or the neighbourhood of one entity, at an INN level, at the positions
:func:`viz.maps.layout` computes. Marker shape and colour by kind (the map's ``SHAPES`` and
``KIND_COLOURS``), marker size by degree, links styled by direction (DOMAIN.md section 3:
horizontal solid green, vertical dashed red, unknown grey), names as labels, a legend and a
title.

Drawing never touches a display: a :class:`matplotlib.figure.Figure` is rendered by the Agg
canvas (PNG) or the SVG backend, without pyplot. Labels are Thai, so a font with Thai glyphs
is looked up by family name (``THAI_FONTS``, first found wins); without one the picture uses
DejaVu Sans and says in the notes that Thai will not render. The SVG keeps its text as
``<text>`` elements (``svg.fonttype = none``), so Thai names stay searchable and the font
family is named in the file. Each node label is a ``<text>`` inside a group whose id starts
with ``node-label-``; the markers of each kind are one group ``nodes-<Kind>``.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from graph_service.domain import SYMMETRIC_TYPES, Subgraph, direction_of
from graph_service.errors import InvalidInput, UsageError
from graph_service.store.base import GraphStore
from viz.base import PICTURE_FORMATS, ExportResult, check_file_target, degrees, filter_subgraph
from viz.maps import (
    DEFAULT_SHAPE,
    EDGE_STYLES,
    HIGHLIGHT_BORDER,
    KIND_COLOURS,
    MISSING_COLOUR,
    SHAPES,
    fold_to_level,
    layout,
    level_note,
    order_values,
    scale_sizes,
    select_subgraph,
    truncate,
)

#: fonts with Thai glyphs, best first (matched by family name, spaces and case ignored)
THAI_FONTS = ("Noto Sans Thai", "Sarabun", "Loma", "Garuda", "TlwgTypo", "Norasi")
FALLBACK_FONT = "DejaVu Sans"
DPI = 100
LABEL_CHARS = 25
#: every node is labelled up to this many nodes; above it only the LABEL_TOP highest-degree
LABEL_ALL = 300
LABEL_TOP = 100
MIN_PX, MAX_PX = 200, 10000
#: vis-network shape (viz.maps.SHAPES) -> matplotlib marker
MARKERS: dict[str, str] = {
    "dot": "o",
    "square": "s",
    "hexagon": "h",
    "diamond": "D",
    "triangle": "^",
    "triangleDown": "v",
    "star": "*",
}
#: direction -> (legend text, line style, line width, alpha, z-order)
LINK_STYLES: dict[str | None, tuple[str, Any, float, float, int]] = {
    "horizontal": ("แนวราบ / horizontal", "solid", 1.1, 0.85, 2),
    "vertical": ("แนวดิ่ง / vertical", (0, (5, 3)), 1.1, 0.85, 2),
    None: ("ไม่ทราบ / unknown", "solid", 0.8, 0.45, 1),
}


def marker_of(kind: str) -> str:
    """The matplotlib marker for a kind, mirroring the interactive map's shapes.

    >>> marker_of("Organisation"), marker_of("Network"), marker_of("Unknown")
    ('s', 'h', 'o')
    """
    return MARKERS.get(SHAPES.get(kind, DEFAULT_SHAPE), "o")


def _family_key(name: str) -> str:
    return "".join(name.split()).casefold()


@lru_cache(maxsize=1)
def thai_font() -> str | None:
    """The family name of the first installed font of ``THAI_FONTS`` that has Thai glyphs,
    as matplotlib's font manager knows it; None when there is none."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    by_family: dict[str, list[Any]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_family.setdefault(_family_key(entry.name), []).append(entry)
    for wanted in THAI_FONTS:
        entries = by_family.get(_family_key(wanted), [])
        # regular faces first, so the check reads the face the labels will use
        entries = sorted(entries, key=lambda e: (e.style != "normal", e.weight != 400, e.fname))
        for entry in entries:
            try:
                if FT2Font(entry.fname).get_char_index(ord("ก")):
                    return str(entry.name)
            except (OSError, RuntimeError, ValueError):
                continue
    return None


def _check_size(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_PX <= value <= MAX_PX:
        raise InvalidInput(
            f"{name} must be a whole number of pixels from {MIN_PX} to {MAX_PX}, not {value!r}",
            {name: value},
        )
    return value


def write_picture(
    store: GraphStore,
    path: Path,
    fmt: str,
    *,
    focus: str | None = None,
    depth: int = 2,
    level: str = "individual",
    width_px: int = 1600,
    height_px: int = 1200,
    arrows: bool = False,
    title: str | None = None,
    where: Sequence[str] = (),
    layout_name: str = "force",
) -> ExportResult:
    """Draw the map of ``store`` to ``path`` as ``png`` (100 dpi, ``width_px`` x
    ``height_px`` pixels) or ``svg`` (the same size in points at 72 per inch, text as text).

    ``focus`` (an id or a unique name) draws its neighbourhood within ``depth`` steps
    (1..10) instead of the whole graph, the focus with a dark border; ``level`` folds the
    view to an INN level (:func:`viz.maps.fold_to_level`). ``arrows`` puts an arrowhead on
    every relationship but the symmetric ones. The result counts the entities and links
    drawn; its notes say what was left out (labels, the Thai font).

    Raises ``UsageError`` for another format, ``InvalidInput`` for an empty graph, a bad
    level, depth or size, or a path that cannot be written, and ``NotFound`` for an
    unknown focus. ``where`` (CONTRACT.md 2b filter terms): only the matching entities and
    the relationships among them are drawn (a filter that keeps nothing: ``InvalidInput``).
    """
    name = str(fmt).strip().lower()
    if name not in PICTURE_FORMATS:
        raise UsageError(
            f"unknown picture format {fmt!r}: use one of {', '.join(PICTURE_FORMATS)}",
            {"format": fmt, "formats": list(PICTURE_FORMATS)},
        )
    _check_size("width_px", width_px)
    _check_size("height_px", height_px)
    sub, highlight, default_title = select_subgraph(store, focus, depth)
    notes: list[str] = []
    if where:
        sub = filter_subgraph(store, sub, where, notes, whole=focus is None)
    view, _ = fold_to_level(sub, level)
    if level != "individual":
        notes.append(level_note(level))
        if highlight is not None and highlight not in view.nodes:
            highlight = None
    path = Path(path)
    check_file_target(path)

    font = thai_font()
    if font is None:
        notes.append(
            "No font with Thai glyphs was found (looked for "
            + ", ".join(THAI_FONTS)
            + f"): drawn with {FALLBACK_FONT}, so Thai will not render. "
            "Install fonts-thai-tlwg (Debian/Ubuntu) or Noto Sans Thai."
        )
    fig = _draw(
        view,
        title=title or default_title,
        font=font or FALLBACK_FONT,
        width_px=width_px,
        height_px=height_px,
        level=level,
        highlight=highlight,
        arrows=arrows,
        notes=notes,
        layout_name=layout_name,
    )
    _save(fig, path, name)
    return ExportResult(name, path, len(view.nodes), len(view.edges), [path], notes)


def _save(fig: Any, path: Path, fmt: str) -> None:
    import matplotlib

    rc: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "graph-service"}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        # without a Thai font every Thai glyph warns; the result's notes already say so
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        if fmt == "png":
            fig.savefig(path, format="png", dpi=DPI, facecolor="white")
        else:
            fig.savefig(path, format="svg", dpi=DPI, facecolor="white", metadata={"Date": None})


def _fit(ax: Any, pos: np.ndarray, width_px: int, height_px: int) -> None:
    """Limits that hold every node with a margin for markers and labels, at one scale on
    both axes, y pointing down (layout() gives screen coordinates, as in the browser)."""
    lo, hi = pos.min(axis=0), pos.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    pad = np.maximum(span * 0.05, 80.0)
    lo, hi = lo - pad, hi + pad
    box = ax.get_position()
    box_ratio = (box.height * height_px) / (box.width * width_px)  # height / width on paper
    w, h = hi - lo
    if h / w < box_ratio:  # too wide: grow the y range
        grow = (w * box_ratio - h) / 2
        lo[1], hi[1] = lo[1] - grow, hi[1] + grow
    else:
        grow = (h / box_ratio - w) / 2
        lo[0], hi[0] = lo[0] - grow, hi[0] + grow
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(hi[1], lo[1])


@dataclass
class _Placement:
    """Where the picture puts each entity and how big: the ids in drawing order, each one's
    row in ``pos`` (x, y from :func:`viz.maps.layout`), its degree and its marker diameter
    in points, and ``shrink``, the factor that scales markers and arrowheads to the size of
    the graph and of the page."""

    ids: list[str]
    index: dict[str, int]
    pos: np.ndarray
    degree: dict[str, int]
    diameter: dict[str, float]
    shrink: float


def _place(sub: Subgraph, width_px: int, height_px: int, layout_name: str = "force") -> _Placement:
    """Positions and marker diameters: 10..50 map units by degree, in points, shrunk as the
    graph grows and as the page gets smaller. ``layout_name``: one of the map's layouts
    (:mod:`viz.layouts`: force, levels, inn, geographic), with the same overlap removal."""
    from viz import layouts

    ids = sorted(sub.nodes)
    n = len(ids)
    degree = degrees(sub)
    sizes = scale_sizes(degree, ids)
    names = [str(sub.nodes[i].props.get("name") or i) for i in ids]
    diam = np.array([sizes[i] for i in ids], dtype=np.float64)
    pos = layouts.compute(layouts.check_layout(layout_name), sub, ids, diam, names, layout).pos
    shrink = min(1.0, max(0.25, math.sqrt(150 / max(n, 1))))
    shrink *= min(width_px, height_px) / 1200
    size = scale_sizes(degree, ids)
    diameter = {i: max(6.0, size[i] * 0.65 * shrink) for i in ids}
    index = {i: k for k, i in enumerate(ids)}
    return _Placement(ids, index, pos, degree, diameter, shrink)


def _draw(
    sub: Subgraph,
    *,
    title: str,
    font: str,
    width_px: int,
    height_px: int,
    level: str,
    highlight: str | None,
    arrows: bool,
    notes: list[str],
    layout_name: str = "force",
) -> Any:
    """The figure: links, markers, labels, legend and title."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    place = _place(sub, width_px, height_px, layout_name)
    family = [font] if font == FALLBACK_FONT else [font, FALLBACK_FONT]

    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    # the map on the left, the legend in a column on the right
    legend_w = min(0.24, 260 / width_px)
    title_h = min(0.12, 70 / height_px)
    ax = fig.add_axes((0.01, 0.01, 0.98 - legend_w, 0.98 - title_h))
    ax.set_axis_off()

    drawn = _draw_links(ax, sub, place, arrows)
    kinds = Counter(sub.nodes[i].kind for i in place.ids)
    kind_order = order_values(kinds, "kind")
    _draw_markers(ax, sub, place, kind_order, highlight)
    _draw_labels(ax, sub, place, family, notes)
    _fit(ax, place.pos, width_px, height_px)
    _draw_legend(fig, _legend_handles(kinds, kind_order, drawn), family, title_h)
    _draw_titles(fig, title, len(place.ids), sum(drawn.values()), level, family, title_h)
    return fig


def _draw_links(ax: Any, sub: Subgraph, place: _Placement, arrows: bool) -> Counter[str | None]:
    """Links styled by direction (``LINK_STYLES``): one line collection per direction, or
    one arrow per link with ``arrows``. Returns how many links of each direction were drawn."""
    from matplotlib.collections import LineCollection

    pos, index = place.pos, place.index
    segments: dict[str | None, list[Any]] = {"horizontal": [], "vertical": [], None: []}
    drawn: Counter[str | None] = Counter()
    kept = []
    for e in sub.edges:
        if e.source not in index or e.target not in index:
            continue
        d = direction_of(e, sub.nodes)
        d = d if d in segments else None
        drawn[d] += 1
        kept.append((e, d))
        if not arrows:
            segments[d].append((pos[index[e.source]], pos[index[e.target]]))
    if arrows:
        _draw_arrows(ax, kept, place)
        return drawn
    for d, (_, style, lw, alpha, z) in LINK_STYLES.items():
        if segments[d]:
            colour = EDGE_STYLES[d]["color"]
            lc = LineCollection(
                segments[d], colors=colour, linestyles=style, linewidths=lw, alpha=alpha, zorder=z
            )
            lc.set_gid(f"links-{d or 'unknown'}")
            ax.add_collection(lc)
    return drawn


def _draw_arrows(ax: Any, kept: list[tuple[Any, str | None]], place: _Placement) -> None:
    """One arrow per (link, direction) of ``kept``, its head left off the symmetric types,
    its ends stopping at the markers' rims."""
    from matplotlib.patches import FancyArrowPatch

    pos, index, diameter = place.pos, place.index, place.diameter
    for e, d in kept:
        _, style, lw, alpha, z = LINK_STYLES[d]
        arrow = FancyArrowPatch(
            tuple(pos[index[e.source]]),
            tuple(pos[index[e.target]]),
            arrowstyle="-" if e.type in SYMMETRIC_TYPES else "-|>",
            mutation_scale=8 + 4 * place.shrink,
            shrinkA=diameter[e.source] / 2,
            shrinkB=diameter[e.target] / 2 + 1,
            color=EDGE_STYLES[d]["color"],
            linestyle=style,
            linewidth=lw,
            alpha=alpha,
            zorder=z,
        )
        ax.add_patch(arrow)


def _draw_markers(
    ax: Any, sub: Subgraph, place: _Placement, kind_order: list[str], highlight: str | None
) -> None:
    """Markers, one group per kind, in the domain's order; the highlight with a dark border."""
    for kind in kind_order:
        members = [i for i in place.ids if sub.nodes[i].kind == kind]
        rows = [place.index[i] for i in members]
        marker = marker_of(kind)
        # star and triangles look smaller than a square of the same size
        boost = 1.8 if marker == "*" else 1.4 if marker in ("^", "v") else 1.0
        areas = [(place.diameter[i] * boost) ** 2 for i in members]
        edge = [HIGHLIGHT_BORDER if i == highlight else "white" for i in members]
        widths = [2.5 if i == highlight else 0.6 for i in members]
        sc = ax.scatter(
            place.pos[rows, 0],
            place.pos[rows, 1],
            s=areas,
            marker=marker,
            c=KIND_COLOURS.get(kind, MISSING_COLOUR),
            edgecolors=edge,
            linewidths=widths,
            zorder=3,
        )
        sc.set_gid(f"nodes-{kind}")


def _draw_labels(
    ax: Any, sub: Subgraph, place: _Placement, family: list[str], notes: list[str]
) -> None:
    """Names under the markers: every node up to LABEL_ALL, else the LABEL_TOP
    highest-degree ones (said in ``notes``)."""
    from matplotlib.font_manager import FontProperties

    ids, n = place.ids, len(place.ids)
    if n <= LABEL_ALL:
        labelled = ids
    else:
        labelled = sorted(ids, key=lambda i: (-place.degree[i], i))[:LABEL_TOP]
        notes.append(
            f"{n:,} entities: only the {LABEL_TOP} with the most relationships are labelled."
        )
    label_pt = 8.0 if n <= 100 else 7.0 if n <= LABEL_ALL else 6.5
    fp = FontProperties(family=family)
    for k, i in enumerate(labelled):
        node = sub.nodes[i]
        text = truncate(node.name or i, LABEL_CHARS)
        folded = node.props.get("folded")
        if folded:
            text = f"{text} (+{folded})"
        x, y = place.pos[place.index[i]]
        ann = ax.annotate(
            text,
            (x, y),
            xytext=(0, -(place.diameter[i] / 2 + 1.5)),
            textcoords="offset points",
            ha="center",
            va="top",
            fontproperties=fp,
            fontsize=label_pt,
            color="#222222",
            bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.6},
            zorder=4,
            annotation_clip=False,
        )
        ann.set_gid(f"node-label-{k}")


def _legend_handles(
    kinds: Counter[str], kind_order: list[str], drawn: Counter[str | None]
) -> list[Any]:
    """The legend's entries: shapes and colours by kind, then links by direction."""
    from matplotlib.lines import Line2D

    handles = []
    for kind in kind_order:
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker=marker_of(kind),
                markersize=13 if marker_of(kind) == "*" else 9,
                markerfacecolor=KIND_COLOURS.get(kind, MISSING_COLOUR),
                markeredgecolor="white",
                label=f"{kind} ({kinds[kind]})",
            )
        )
    for d, (text, style, lw, _, _) in LINK_STYLES.items():
        if drawn[d]:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=EDGE_STYLES[d]["color"],
                    linestyle=style,
                    linewidth=lw + 0.6,
                    label=f"{text} ({drawn[d]})",
                )
            )
    return handles


def _draw_legend(fig: Any, handles: list[Any], family: list[str], title_h: float) -> None:
    """The legend in the right-hand column, and under it what marker size means."""
    from matplotlib.font_manager import FontProperties

    legend = fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.995, 0.99 - title_h),
        prop=FontProperties(family=family, size=9),
        title="ชนิด · เส้น / kinds · links",
        title_fontproperties=FontProperties(family=family, size=10, weight="bold"),
        frameon=True,
        framealpha=0.95,
        borderpad=0.8,
        labelspacing=0.9,
    )
    legend.set_gid("legend")
    size_note = "ขนาด = จำนวนความสัมพันธ์ / size: degree"
    fig.text(
        0.995,
        0.01,
        size_note,
        ha="right",
        va="bottom",
        fontproperties=FontProperties(family=family, size=8),
        color="#555555",
        gid="size-note",
    )


def _draw_titles(
    fig: Any, title: str, n: int, links: int, level: str, family: list[str], title_h: float
) -> None:
    """The title, and under it the counts drawn and the INN level."""
    from matplotlib.font_manager import FontProperties

    level_text = "" if level == "individual" else f" · INN level: {level}"
    fig.text(
        0.01,
        0.985,
        title,
        ha="left",
        va="top",
        fontproperties=FontProperties(family=family, size=15, weight="bold"),
        gid="title",
    )
    fig.text(
        0.01,
        0.985 - title_h * 0.55,
        f"{n:,} entities, {links:,} links{level_text}",
        ha="left",
        va="top",
        fontproperties=FontProperties(family=family, size=10),
        color="#444444",
        gid="subtitle",
    )


__all__ = ["PICTURE_FORMATS", "THAI_FONTS", "marker_of", "thai_font", "write_picture"]

"""Interactive maps of the INN graph: one HTML page drawn by vis-network in the browser.

Three entry points:

- :func:`render_map` turns a :class:`~graph_service.domain.Subgraph` into one complete HTML
  page. The vis-network ``nodes`` and ``edges`` arrays are built here as plain lists of dicts
  and embedded as JSON in a ``<script type="application/json" id="graph-data">`` block that
  ``viz/static/map.js`` parses (pyvis's ``Network.add_edge`` scans every edge for duplicates,
  21.7 s at 10,000 nodes; building the lists directly takes a fraction of a second).
- :func:`fold_to_level` gives the INN views (DOMAIN.md section 2): people folded into their
  organisations (``node``), and those into their networks (``network``).
- :func:`build_map` is what the ``map`` verb and the ``/map`` routes call: the whole graph or
  the neighbourhood of one entity, at an INN level, coloured and sized by a measure.

Layout is computed here, never in the browser (physics is off, so a 10,000-node page opens
without a simulation): one of the layouts of :mod:`viz.layouts` (``force``, ``levels``,
``inn``, ``geographic``), each ending with an overlap removal. :func:`layout` is the
spring/spectral part of ``force``. Each connected component is laid out on its own and the
components are packed in rows, biggest first; isolated entities go in a grid below them:

- components of up to ``SPRING_LIMIT`` (2,000) nodes: rustworkx's Fruchterman–Reingold
  ``spring_layout`` (seeded, so a map is drawn the same way twice). It is quadratic per
  iteration: 0.2 s at 1,000 nodes, 0.5 s at 2,000 (30 iterations);
- bigger components: a spectral layout (the 2nd and 3rd eigenvectors of the normalised
  adjacency matrix, scipy ``eigsh`` on the sparse matrix: about 20 ms at 10,000 nodes), whose
  radii are then spread evenly over the disc (rank of the radius -> sqrt(rank / n)) so the
  dense core of a scale-free graph does not collapse into one point.

The page is safe with any data: the JSON cannot close its script element (``<``, ``>``, ``&``,
U+2028 and U+2029 are escaped), tooltips are plain-text strings (vis-network 9 shows a string
``title`` with ``innerText``) and the details panel writes with ``textContent`` only.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from graph_service import budget, i18n
from graph_service.analysis.common import check_depth
from graph_service.domain import (
    ADMIN_LEVELS,
    KINDS,
    LEVELS,
    PLACEMENT_TYPES,
    RECORD_KINDS,
    SECTORS,
    Edge,
    Node,
    Subgraph,
    direction_of,
    edge_key,
    normalise_name,
)
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore, neighbourhood
from viz.base import degrees
from viz.layouts import DEFAULT_LAYOUT, check_layout
from viz.layouts import choices as layout_choices
from viz.layouts import compute as compute_layout
from viz.layouts import words as layout_words

try:  # orjson is several times faster on 10,000 nodes; json is the fallback
    import orjson

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)

except ImportError:  # pragma: no cover
    import json

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


STATIC_DIR = Path(__file__).parent / "static"
#: where the service mounts :func:`static_files` (``standalone=False`` pages link there)
STATIC_PREFIX = "/static/"
#: above this many nodes an unfocused individual-level map opens at the network level
LARGE = 2000
#: the most entities a focused map draws: the nearest ones (a hub's members can be a million)
FOCUS_LIMIT = 5000
#: components up to this size get a spring layout, bigger ones a spectral layout
SPRING_LIMIT = 2000
LABEL_MAX = 30
SIZE_MIN, SIZE_MAX = 10.0, 50.0
SIZE_BY = ("degree", "betweenness", "brokerage", "reach", "mentions")
FONT_STACK = '"Noto Sans Thai", "Sarabun", "Tahoma", sans-serif'

#: kind -> vis-network shape. Only shapes whose size follows ``size`` (a ``box`` or
#: ``ellipse`` grows with its label instead), so the size measure shows on every kind.
SHAPES: dict[str, str] = {
    "Person": "dot",
    "Organisation": "square",
    "Network": "hexagon",
    "Fund": "diamond",
    "KnowledgeAsset": "triangle",
    "Area": "triangleDown",
    "Programme": "star",
}
DEFAULT_SHAPE = "dot"
KIND_COLOURS: dict[str, str] = {
    "Person": "#4e79a7",
    "Organisation": "#f28e2b",
    "Network": "#e15759",
    "Fund": "#76b7b2",
    "KnowledgeAsset": "#59a14f",
    "Area": "#edc948",
    "Programme": "#b07aa1",
}
LEVEL_COLOURS: dict[str, str] = {
    "individual": "#4e79a7",
    "node": "#f28e2b",
    "network": "#e15759",
}
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#bcbd22",
    "#8c564b",
)
MISSING_COLOUR = "#bdbdbd"
#: edge styles by direction (DOMAIN.md section 3): horizontal solid, vertical dashed
EDGE_STYLES: dict[str | None, dict[str, Any]] = {
    "horizontal": {"color": "#2e7d32", "dashes": False},
    "vertical": {"color": "#c62828", "dashes": True},
    None: {"color": "#9e9e9e", "dashes": False},
}
GHOST_COLOUR = "#b0b0b0"
HIGHLIGHT_BORDER = "#111111"
#: free-text properties that make no sense as colours
FREE_TEXT = frozenset({"name", "name_en", "description", "evidence", "aliases", "note", "tags"})
#: relationships that put a person in an organisation, and an organisation in a network
FOLD_TYPES = ("WORKS_FOR", "MEMBER_OF")
FOLD_NETWORK_TYPES = ("MEMBER_OF",)


# -- static files ----------------------------------------------------------------------------


def vis_network_path() -> Path:
    """vis-network 9.1.2 as the installed pyvis package ships it (Apache-2.0 / MIT)."""
    import pyvis

    return Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"


def static_files() -> dict[str, Path]:
    """The files a ``standalone=False`` page loads from ``/static/``: name -> file on disk.

    >>> sorted(static_files())
    ['map.css', 'map.js', 'vis-network.min.js']
    >>> all(p.is_file() for p in static_files().values())
    True
    """
    return {
        "vis-network.min.js": vis_network_path(),
        "map.js": STATIC_DIR / "map.js",
        "map.css": STATIC_DIR / "map.css",
    }


@lru_cache(maxsize=4)
def _read_static(path: Path, mtime: float) -> str:
    text = path.read_text(encoding="utf-8")
    # an inline script must not hold "</script" (it would end the element early)
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def _inline(name: str) -> str:
    path = static_files()[name]
    return _read_static(path, path.stat().st_mtime)


# -- small helpers ---------------------------------------------------------------------------


def embed_json(obj: Any) -> str:
    """``obj`` as JSON fit to sit inside ``<script type="application/json">``: ``<``, ``>``,
    ``&``, U+2028 and U+2029 escaped, so no value can end the element.

    >>> embed_json({"name": "</script><b>&"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    data = _dumps(obj)
    for raw, esc in (
        (b"<", b"\\u003c"),
        (b">", b"\\u003e"),
        (b"&", b"\\u0026"),
        ("\u2028".encode(), b"\\u2028"),
        ("\u2029".encode(), b"\\u2029"),
    ):
        if raw in data:
            data = data.replace(raw, esc)
    return data.decode("utf-8")


def truncate(text: str, limit: int = LABEL_MAX) -> str:
    """A label of at most ``limit`` characters, with an ellipsis when cut.

    >>> truncate("เครือข่ายพัฒนาอาชีพชุมชนภาคตะวันออกเฉียงเหนือ", 12)
    'เครือข่ายพั…'
    >>> truncate("short")
    'short'
    """
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def scale_sizes(values: Mapping[str, float], ids: Iterable[str]) -> dict[str, float]:
    """Values scaled linearly to 10..50; a missing value is the smallest size, and all equal
    values give the middle size.

    >>> scale_sizes({"a": 0, "b": 5, "c": 10}, ["a", "b", "c", "d"])
    {'a': 10.0, 'b': 30.0, 'c': 50.0, 'd': 10.0}
    >>> scale_sizes({"a": 3, "b": 3}, ["a", "b"])
    {'a': 20.0, 'b': 20.0}
    """
    ids = list(ids)
    present = [float(values[i]) for i in ids if values.get(i) is not None]
    if not present:
        return dict.fromkeys(ids, 20.0)
    lo, hi = min(present), max(present)
    span = hi - lo
    out = {}
    for i in ids:
        v = values.get(i)
        if v is None:
            out[i] = SIZE_MIN
        elif span == 0:
            out[i] = 20.0
        else:
            out[i] = round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * (float(v) - lo) / span, 2)
    return out


def _value_label(value: Any) -> str | None:
    """A property value as a colour category (lists joined with ``|``); None when missing."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        return "|".join(sorted(str(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def order_values(values: Iterable[str], attribute: str) -> list[str]:
    """Colour values in a meaningful order: kinds and levels as the domain lists them,
    admin levels top down, anything else sorted.

    >>> order_values(["Area", "Zebra", "Person", "Area"], "kind")
    ['Person', 'Area', 'Zebra']
    """
    order: Sequence[str] = ()
    if attribute == "kind":
        order = tuple(KINDS)
    elif attribute == "level":
        order = LEVELS
    elif attribute == "admin_level":
        order = ADMIN_LEVELS
    rank = {v: i for i, v in enumerate(order)}
    return sorted(set(values), key=lambda v: (rank.get(v, len(rank)), v))


def _palette(
    attribute: str, values: Sequence[str], given: Mapping[str, str] | None = None
) -> dict[str, str]:
    fixed: Mapping[str, str] = (
        given
        if given is not None
        else KIND_COLOURS
        if attribute == "kind"
        else LEVEL_COLOURS
        if attribute == "level"
        else {}
    )
    out, i = {}, 0
    for v in values:
        if v in fixed:
            out[v] = fixed[v]
        else:
            out[v] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _colour_value(node: Node, attribute: str) -> str | None:
    if attribute == "kind":
        return node.kind
    if attribute == "level":
        return node.level
    return _value_label(node.props.get(attribute))


def colour_choices(sub: Subgraph) -> list[str]:
    """What a map can be coloured by: ``kind``, ``level`` and every property some entity of
    ``sub`` carries, except free text."""
    keys: set[str] = set()
    for n in sub.nodes.values():
        keys.update(n.props)
    return ["kind", "level", *sorted(keys - FREE_TEXT - {"folded"})]


# -- layout ----------------------------------------------------------------------------------


def layout(ids: Sequence[str], edges: Iterable[tuple[str, str]]) -> np.ndarray:
    """x, y for every id (an ``n x 2`` array in screen units), computed once on the server.

    See the module docstring for the method. Deterministic for a given input.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = len(ids)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    index = {id_: i for i, id_ in enumerate(ids)}
    pairs = [(index[a], index[b]) for a, b in edges if a in index and b in index and a != b]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    arr.sort(axis=1)
    arr = np.unique(arr, axis=0) if arr.size else arr
    deg = np.bincount(arr.ravel(), minlength=n) if arr.size else np.zeros(n, np.int64)
    adj = sp.coo_matrix((np.ones(len(arr)), (arr[:, 0], arr[:, 1])), shape=(n, n)).tocsr()
    ncomp, comp = connected_components(adj, directed=False)
    members: dict[int, np.ndarray] = {}
    order = np.argsort(comp, kind="stable")
    bounds = np.searchsorted(comp[order], np.arange(ncomp + 1))
    for c in range(ncomp):
        members[c] = order[bounds[c] : bounds[c + 1]]
    connected = [m for m in members.values() if len(m) > 1]
    connected.sort(key=lambda m: (-len(m), int(m[0])))
    isolated = np.sort(np.array([int(m[0]) for m in members.values() if len(m) == 1], np.int64))
    sym = (adj + adj.T).tocsr()

    spacing = 110.0  # screen units per node (sizes run 10..50)
    boxes: list[tuple[np.ndarray, np.ndarray, float]] = []
    for m in connected:
        local = _component_layout(sym[m][:, m], deg[m])
        side = spacing * math.sqrt(len(m)) * 1.2
        boxes.append((m, local * side / 2, side))

    # pack the components in rows, biggest first; a row is as wide as the biggest one
    width = max([b[2] for b in boxes] + [spacing * math.sqrt(max(len(isolated), 1))])
    width = max(width, spacing * 20) if len(boxes) > 1 else width
    x = y = row_h = 0.0
    for m, local, side in boxes:
        if x > 0 and x + side > width:
            x, y, row_h = 0.0, y + row_h + spacing, 0.0
        pos[m] = local + (x + side / 2, y + side / 2)
        x += side + spacing
        row_h = max(row_h, side)
    top = y + row_h + (2 * spacing if boxes else 0)
    if len(isolated):  # isolated entities in a grid below, ordered by id
        cols = max(1, int(width // spacing))
        k = np.arange(len(isolated))
        pos[isolated, 0] = (k % cols) * spacing + spacing / 2
        pos[isolated, 1] = top + (k // cols) * spacing
    pos -= pos.mean(axis=0)
    return np.round(pos, 1)


def _component_layout(adj: Any, deg: np.ndarray) -> np.ndarray:
    """One connected component in [-1, 1]²."""
    n = adj.shape[0]
    if n == 2:
        return np.array([[-0.5, 0.0], [0.5, 0.0]])
    coo = adj.tocoo()
    if n <= SPRING_LIMIT:
        import rustworkx as rx

        g = rx.PyGraph()
        g.add_nodes_from(range(n))
        keep = coo.row < coo.col
        pairs = np.column_stack([coo.row[keep], coo.col[keep]]).tolist()
        g.add_edges_from_no_data([(a, b) for a, b in pairs])
        iters = 50 if n <= 1000 else 30
        found = rx.spring_layout(g, num_iter=iters, seed=7)
        pos = np.array([found[i] for i in range(n)], dtype=np.float64)
    else:
        pos = _spectral(adj, deg)
    pos -= pos.mean(axis=0)
    extent = np.abs(pos).max()
    return pos / extent if extent > 0 else pos


def _spectral(adj: Any, deg: np.ndarray) -> np.ndarray:
    """Spectral coordinates of a big component, radii spread evenly over the disc."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh

    n = adj.shape[0]
    d = 1.0 / np.sqrt(np.maximum(np.asarray(adj.sum(axis=1)).ravel(), 1.0))
    m = sp.diags(d) @ adj @ sp.diags(d)
    rng = np.random.default_rng(7)
    try:
        _, vecs = eigsh(m, k=3, which="LA", tol=1e-4, v0=rng.random(n), maxiter=5000)
        pos = vecs[:, :2] * d[:, None]  # drop the trivial top vector (column 2)
    except Exception:  # no convergence: fall back to a deterministic scatter
        pos = rng.random((n, 2)) - 0.5
    pos = pos - pos.mean(axis=0)
    pos = pos + rng.normal(scale=1e-9 + 1e-3 * np.abs(pos).max(), size=pos.shape)
    radius = np.hypot(pos[:, 0], pos[:, 1])
    angle = np.arctan2(pos[:, 1], pos[:, 0])
    rank = np.empty(n)
    rank[np.argsort(radius, kind="stable")] = np.arange(1, n + 1)
    r = np.sqrt(rank / n)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


# -- the page --------------------------------------------------------------------------------


def render_map(
    sub: Subgraph,
    *,
    title: str,
    colour_by: str = "kind",
    size_by: str = "degree",
    sizes: dict[str, float] | None = None,
    highlight: set[str] | None = None,
    ghost_edges: list[dict] | None = None,
    edge_colours: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    notes: Sequence[str] = (),
    ghost_label: str | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
    edge_extra: Mapping[str, Mapping[str, Any]] | None = None,
    node_extra: Mapping[str, Mapping[str, Any]] | None = None,
    page_class: str = "",
    header_html: str = "",
    layout_name: str = DEFAULT_LAYOUT,
    lang: str = i18n.DEFAULT_LANGUAGE,
    explain: str = "",
    details: Sequence[str] = (),
    controls: Sequence[Mapping[str, Any]] = (),
    none_label: str | None = None,
    legend_lines: Sequence[Mapping[str, Any]] = (),
    palette: Mapping[str, str] | None = None,
    colour_label: str | None = None,
    colour_words: Mapping[str, str] | None = None,
    lines: Mapping[str, Mapping[str, Any]] | None = None,
) -> str:
    """One complete HTML page drawing ``sub`` with vis-network.

    - ``colour_by``: ``kind``, ``level`` (INN) or any property (``sector``, ``admin_level``);
      a colour per value, grey where missing.
    - ``size_by`` names the measure; ``sizes`` gives its value per id (``degree`` is computed
      here when ``sizes`` is None). Scaled to 10..50.
    - ``highlight``: ids drawn with a thick border. ``ghost_edges``: extra dashed light
      edges, dicts with ``from``/``to`` (or ``source``/``target``) and an optional ``label``
      and ``title``. ``edge_colours``: edge key -> colour, overriding the direction colour.
    - ``links``: name -> URL template with ``{id}`` (the id is URL-encoded), shown in the
      details panel; ``open`` is offered on folded nodes only.
    - ``standalone``: inline vis-network, ``map.js`` and ``map.css`` (works offline); else
      link them under ``/static/`` (see :func:`static_files`).
    - ``notes``: sentences shown above the map.
    - ``positions``: id -> (x, y) for every node, instead of :func:`layout` (a chain drawn
      as a chain, :mod:`viz.chain`). ``edge_extra``: edge key -> more vis-network fields
      for that edge (``label``, ``font``, ``smooth``); ``node_extra`` the same for nodes.
    - ``page_class``: a class on the page's ``body`` that ``map.css`` may style;
      ``header_html``: markup under the notes (the caller escapes every text in it).
    - ``layout_name``: one of :data:`viz.layouts.LAYOUTS` (``force`` by default), unless
      ``positions`` are given.
    - ``lang``: the page's language (``th`` or ``en``): every word of the page and of
      ``map.js`` comes from the message catalogue (``messages/<lang>/maps.toml``).
    - ``notes`` is the banner: one or two sentences that answer the page's question (and
      any note on what is drawn); ``explain`` says what the measure means (a "what is
      this?" element beside it); ``details`` lists everything else, folded under it.
    - ``legend_lines``: more rows for the legend's lines (``{"color", "dashes", "label"}``),
      such as the colours of the fund pairs on the overlap map.
    - ``none_label``: what the legend calls the entities without a colour value ("not
      given" by default).
    - ``controls``: the page's own choices (``{"param", "label", "value", "choices":
      [[value, label], ...]}``); changing one reloads the page with that query parameter.
    - ``palette``: value -> colour for the ``colour_by`` values (instead of the page's own
      palette); ``colour_label`` and ``colour_words``: what the legend calls the attribute
      and its values, for an attribute the page made up (the before/after map's change).
    - ``lines``: the edges' own classes instead of their directions in the legend and the
      filters (``{line: {"color", "dashes", "label"}}``, in legend order); each edge names
      its class in ``edge_extra[key]["line"]``.
    """
    data, n_nodes, n_edges = _map_data(
        sub,
        title=title,
        colour_by=colour_by,
        size_by=size_by,
        sizes=sizes,
        highlight=highlight,
        ghost_edges=ghost_edges,
        edge_colours=edge_colours,
        links=links,
        notes=notes,
        ghost_label=ghost_label,
        positions=positions,
        edge_extra=edge_extra,
        node_extra=node_extra,
        layout_name=layout_name,
        lang=lang,
        controls=controls,
        palette=palette,
    )
    meta = data["meta"]
    if none_label:
        meta["none_label"] = none_label
    if legend_lines:
        meta["legend_lines"] = [dict(row) for row in legend_lines]
    if colour_label:
        meta["colour_label"] = colour_label
        meta["words"]["attr"][colour_by] = colour_label
    if colour_words:
        meta["words"]["colour"].update(colour_words)
        meta["words"]["values"][colour_by] = dict(colour_words)
    if lines:
        drawn = Counter(e["line"] for e in data["edges"] if not e.get("ghost"))
        meta["directions"] = {k: drawn[k] for k in lines}
        meta["edge_styles"].update(
            {k: {"color": v["color"], "dashes": bool(v["dashes"])} for k, v in lines.items()}
        )
        meta["line_order"] = [*lines, "ghost"]
        meta["line_words"] = {k: str(v["label"]) for k, v in lines.items()}
    return _page(
        title,
        embed_json(data),
        n_nodes,
        n_edges - meta["ghosts"],
        notes,
        standalone,
        page_class,
        header_html,
        lang=lang,
        explain=explain,
        details=details,
        ghosts=meta["ghosts"],
        ghost_label=meta["ghost_label"],
    )


def _map_data(
    sub: Subgraph,
    *,
    title: str,
    colour_by: str = "kind",
    size_by: str = "degree",
    sizes: dict[str, float] | None = None,
    highlight: set[str] | None = None,
    ghost_edges: list[dict] | None = None,
    edge_colours: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
    notes: Sequence[str] = (),
    ghost_label: str | None = None,
    positions: Mapping[str, tuple[float, float]] | None = None,
    edge_extra: Mapping[str, Mapping[str, Any]] | None = None,
    node_extra: Mapping[str, Mapping[str, Any]] | None = None,
    layout_name: str = DEFAULT_LAYOUT,
    lang: str = i18n.DEFAULT_LANGUAGE,
    controls: Sequence[Mapping[str, Any]] = (),
    palette: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], int, int]:
    """What :func:`render_map` embeds in its page: ``{"meta", "nodes", "edges"}`` (the
    vis-network arrays), and the numbers of drawn nodes and edges (ghosts included)."""
    ids = sorted(sub.nodes)
    if sizes is None:
        measure: Mapping[str, float] = degrees(sub)
        size_by = "degree"
    else:
        measure = sizes
    colours = _colour_nodes(sub, ids, colour_by, palette)
    bands: list[dict[str, Any]] = []
    if positions is None:
        check_layout(layout_name)
        size = scale_sizes(measure, ids)
        diam = np.array([2 * size[i] for i in ids], dtype=np.float64)
        placed = compute_layout(
            layout_name, sub, ids, diam, [_label(sub.nodes[i])[1] for i in ids], layout
        )
        pos = placed.pos
        bands = [b.as_json() for b in placed.bands]
    else:
        layout_name = "fixed"
        pos = np.array([positions[i] for i in ids], dtype=np.float64).reshape(-1, 2)
    vis_nodes = _vis_nodes(sub, ids, pos, measure, colours, highlight or set(), lang)
    vis_edges, directions = _vis_edges(sub, edge_colours or {}, lang)
    if edge_extra:
        for item in vis_edges:
            item.update(edge_extra.get(item["id"], {}))
    if node_extra:
        for item in vis_nodes:
            item.update(node_extra.get(item["id"], {}))
    ghosts = _vis_ghost_edges(sub, ghost_edges or ())
    meta = _map_meta(
        sub,
        ids,
        title=title,
        colour_by=colour_by,
        size_by=size_by,
        colours=colours,
        directions=directions,
        ghosts=len(ghosts),
        ghost_label=ghost_label or i18n.text(lang, "maps.line.missing"),
        links=links or {},
        notes=notes,
        lang=lang,
        controls=controls,
    )
    meta["layout"] = layout_name
    meta["bands"] = bands
    meta["layouts"] = layout_choices()
    meta["layout_words"] = layout_words()
    vis_edges += ghosts
    return {"meta": meta, "nodes": vis_nodes, "edges": vis_edges}, len(vis_nodes), len(vis_edges)


def laid_out(data: Mapping[str, Any]) -> dict[str, Any]:
    """The laid-out map of CONTRACT.md section 2 (``map --json``, ``GET /api/map``) from the
    data a page draws: ``{"title", "notes", "nodes": [{"id", "label", "kind", "x", "y",
    "size"}], "edges": [{"from", "to", "type"}]}``. ``size`` is the node's diameter in the
    units of ``x`` and ``y``: vis-network's ``size`` is a radius. Ghost edges (missing links
    drawn dashed) are not relationships and are left out. ``layout`` names the layout
    (:data:`viz.layouts.LAYOUTS`; ``fixed`` for positions given by the caller), ``bands`` the
    band labels it draws (``key``, ``label`` by language, ``x``, ``y``)."""
    meta = data["meta"]
    return {
        "title": meta.get("title"),
        "layout": meta.get("layout", DEFAULT_LAYOUT),
        "notes": list(meta.get("notes", [])),
        "nodes": [
            {
                "id": n["id"],
                "label": n["label"],
                "kind": n["kind"],
                "x": round(float(n["x"]), 3),
                "y": round(float(n["y"]), 3),
                "size": round(2 * float(n["size"]), 3),
            }
            for n in data["nodes"]
        ],
        "edges": [
            {"from": e["from"], "to": e["to"], "type": e["type"]}
            for e in data["edges"]
            if not e.get("ghost")
        ],
        "bands": list(meta.get("bands", [])),
    }


def _map_meta(
    sub: Subgraph,
    ids: Sequence[str],
    *,
    title: str,
    colour_by: str,
    size_by: str,
    colours: _Colouring,
    directions: Counter[str],
    ghosts: int,
    ghost_label: str,
    links: dict[str, str],
    notes: Sequence[str],
    lang: str = i18n.DEFAULT_LANGUAGE,
    controls: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """What ``map.js`` needs besides nodes and edges: the legend, filters and notes, and
    the page's words (``messages``, ``words``) in its language."""
    return {
        "lang": lang,
        "messages": page_messages(lang),
        "words": _words(sub, ids, colour_by, colours, lang, links),
        "colour_label": attribute_word(lang, colour_by),
        "size_label": measure_word(lang, size_by),
        "year_props": sorted(YEAR_PROPS),
        "controls": [dict(c) for c in controls],
        "title": title,
        "colour_by": colour_by,
        "size_by": size_by,
        "palette": {v: colours.palette[v] for v in colours.values},
        "missing_colour": MISSING_COLOUR,
        "colour_counts": dict(Counter(colours.of.values()).most_common()),
        "kinds": _kind_legend(sub, ids),
        "levels": dict(Counter(sub.nodes[i].level or "none" for i in ids)),
        "edge_styles": {
            "horizontal": EDGE_STYLES["horizontal"],
            "vertical": EDGE_STYLES["vertical"],
            "unknown": EDGE_STYLES[None],
            "placement": EDGE_STYLES[None],
            "ghost": {"color": GHOST_COLOUR, "dashes": True},
        },
        "directions": dict(directions),
        "ghosts": ghosts,
        "ghost_label": ghost_label,
        "links": links,
        "notes": list(notes),
        "font": FONT_STACK,
        "large": len(ids) > LARGE,
    }


#: properties that hold a calendar year: shown in the Buddhist era (พ.ศ.) on Thai pages
YEAR_PROPS = frozenset({"year", "start_year", "end_year", "since", "founded", "established"})
#: colour attributes whose values are domain words (common.toml groups)
_WORD_GROUPS = {
    "kind": "kind",
    "level": "level",
    "admin_level": "admin_level",
    "sector": "sector",
    "capacity": "capacity",
}


def page_messages(lang: str) -> dict[str, str]:
    """The words ``map.js`` writes, in ``lang``: ``maps.page.*`` by their short key,
    ``maps.line.*`` and ``maps.line_short.*`` as ``line.<key>`` and ``line_short.<key>``.

    >>> page_messages("th")["copy_link"], page_messages("en")["line.vertical"]
    ('คัดลอกลิงก์', 'vertical')
    """
    out: dict[str, str] = {}
    for key, message in i18n.catalogue(lang).items():
        if key.startswith("maps.page."):
            out[key[len("maps.page.") :]] = message
        elif key.startswith(("maps.line.", "maps.line_short.")):
            out[key[len("maps.") :]] = message
    return out


def attribute_word(lang: str, attribute: str) -> str:
    """A property's name as a reader says it (``admin_level`` -> ``ระดับพื้นที่``); a
    ``member_of:...`` grouping reads as membership; a property the catalogue does not know
    stays as it is (it is the data's own word)."""
    base = "member_of" if attribute.startswith("member_of") else attribute
    key = f"maps.attr.{base}"
    return i18n.text(lang, key) if i18n.has(lang, key) else attribute


def measure_word(lang: str, measure: str) -> str:
    """What a size measure means in words (``degree`` -> ``จำนวนความสัมพันธ์``)."""
    key = f"maps.measure.{measure.replace(' ', '_')}"
    if not i18n.has(lang, key):  # a measure another catalogue names (om.toml: mentions)
        key = f"om.measure.{measure.replace(' ', '_')}"
    return i18n.text(lang, key) if i18n.has(lang, key) else measure


def value_word(lang: str, attribute: str, value: str) -> str:
    """A colour value as a reader says it: domain words translated, years in พ.ศ. on Thai
    pages, numbers rounded; anything else as it is.

    >>> value_word("th", "admin_level", "district"), value_word("th", "year", "2024")
    ('อำเภอ', 'พ.ศ. 2567')
    """
    group = _WORD_GROUPS.get(attribute)
    if group is not None:
        extra = f"maps.{group}.{value}"  # a word the samples use besides common.toml's
        return i18n.text(lang, extra) if i18n.has(lang, extra) else i18n.word(lang, group, value)
    if attribute in YEAR_PROPS:
        return i18n.year(value, lang)
    try:
        number = float(value)
    except ValueError:
        return value
    return i18n.number(int(number) if number.is_integer() else number)


def type_word(lang: str, type_: str) -> str:
    """A relationship type in words: common.toml's, else the type as the data wrote it.

    >>> type_word("th", "PARTNERS_WITH"), type_word("th", "INFORMS"), type_word("en", "X_Y")
    ('เป็นภาคีกับ', 'ให้ข้อมูลแก่', 'X_Y')
    """
    return i18n.word(lang, "type", type_)


def _node_title(lang: str, id_: str, name: str, kind: str, folded: Any) -> str:
    """A node's tooltip: its name, kind and id (the one place the id shows)."""
    text = i18n.text(
        lang, "maps.page.node_title", name=name, kind=i18n.word(lang, "kind", kind), id=id_
    )
    if folded:
        text += "\n" + i18n.text(lang, "maps.page.folded_title", count=i18n.number(folded))
    return text


def _words(
    sub: Subgraph,
    ids: Sequence[str],
    colour_by: str,
    colours: _Colouring,
    lang: str,
    links: Mapping[str, str] | None,
) -> dict[str, Any]:
    """The domain words a page shows, for the values it holds: kinds, INN levels, colour
    values, property names, relationship types and the details panel's links."""
    nodes = sub.nodes
    kinds = {nodes[i].kind for i in ids}
    props: set[str] = set()
    for i in ids:
        props.update(nodes[i].props)
    types = {e.type for e in sub.edges}
    return {
        "kind": {k: i18n.word(lang, "kind", k) for k in sorted(kinds)},
        "inn": {
            **{lv: i18n.word(lang, "level", lv) for lv in LEVELS},
            "none": i18n.text(lang, "maps.page.none_value"),
        },
        "colour": {  # an id (a network of member_of, an area of parent_id) by its name
            v: str(nodes[v].props.get("name") or v)
            if v in nodes
            else value_word(lang, colour_by, v)
            for v in colours.values
        },
        "attr": {k: attribute_word(lang, k) for k in sorted(props | {colour_by})},
        "type": {t: type_word(lang, t) for t in sorted(types)},
        "link": {
            k: i18n.text(lang, f"maps.link.{k}") if i18n.has(lang, f"maps.link.{k}") else k
            for k in (links or {})
        },
        "values": {
            group: {v: value_word(lang, group, v) for v in values}
            for group, values in (
                ("admin_level", ADMIN_LEVELS),
                ("sector", (*SECTORS, "multi_sector")),
                ("capacity", ("personal", "institutional")),
            )
        },
    }


@dataclass
class _Colouring:
    """The colour of every node: its value of the ``colour_by`` attribute (``of``: id ->
    value, None where missing), the values in legend order and their colours."""

    of: dict[str, str | None]
    values: list[str]
    palette: dict[str, str]

    def colour(self, id_: str) -> str:
        value = self.of[id_]
        return self.palette.get(value, MISSING_COLOUR) if value is not None else MISSING_COLOUR


def _colour_nodes(
    sub: Subgraph, ids: Sequence[str], colour_by: str, palette: Mapping[str, str] | None = None
) -> _Colouring:
    of = {i: _colour_value(sub.nodes[i], colour_by) for i in ids}
    values = order_values((v for v in of.values() if v is not None), colour_by)
    if palette is not None:  # the caller's order (the legend's)
        rank = {v: k for k, v in enumerate(palette)}
        values.sort(key=lambda v: (rank.get(v, len(rank)), v))
    return _Colouring(of, values, _palette(colour_by, values, palette))


def _kind_legend(sub: Subgraph, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """kind -> its shape and how many entities of it, in the domain's order."""
    kinds = Counter(sub.nodes[i].kind for i in ids)
    return {
        k: {"shape": SHAPES.get(k, DEFAULT_SHAPE), "count": kinds[k]}
        for k in order_values(kinds, "kind")
    }


def _search_key(id_: str, name: str, name_en: Any) -> str:
    """What the page's search box matches: the normalised name, English name and id."""
    key = normalise_name(name)
    if name_en:
        key += "\n" + normalise_name(str(name_en))
    return key + "\n" + normalise_name(id_)


def _label(node: Node) -> tuple[str, str]:
    """A node's name (its id when it has none) and the label the map writes under it."""
    name = str(node.props.get("name", "")) or node.id
    folded = node.props.get("folded")
    label = truncate(name)
    return name, f"{label} (+{folded})" if folded else label


def _vis_nodes(
    sub: Subgraph,
    ids: Sequence[str],
    pos: np.ndarray,
    measure: Mapping[str, float],
    colours: _Colouring,
    highlight: set[str],
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> list[dict[str, Any]]:
    """The vis-network ``nodes`` array, in the order of ``ids`` (the rows of ``pos``)."""
    size = scale_sizes(measure, ids)
    distance = sub.distance
    xs, ys = pos[:, 0].tolist(), pos[:, 1].tolist()
    vis_nodes: list[dict[str, Any]] = []
    append = vis_nodes.append
    for k, i in enumerate(ids):
        if not k & 4095:
            budget.check()
        node = sub.nodes[i]
        props = node.props
        name, label = _label(node)
        folded = props.get("folded")
        item: dict[str, Any] = {
            "id": i,
            "label": label,
            "title": _node_title(lang, i, name, node.kind, folded),
            "name": name,
            "kind": node.kind,
            "inn": node.level,
            "shape": SHAPES.get(node.kind, DEFAULT_SHAPE),
            "color": colours.colour(i),
            "colour_value": colours.of[i],
            "size": size[i],
            "measure": measure.get(i),
            "x": xs[k],
            "y": ys[k],
            "key": _search_key(i, name, props.get("name_en")),
            "props": props,
        }
        if folded:
            item["folded"] = folded
        if i in distance:
            item["distance"] = distance[i]
        if i in highlight:
            item["borderWidth"] = 5
            item["color"] = {"background": item["color"], "border": HIGHLIGHT_BORDER}
            item["highlighted"] = True
        append(item)
    return vis_nodes


def _vis_edges(
    sub: Subgraph, edge_colours: Mapping[str, str], lang: str = i18n.DEFAULT_LANGUAGE
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """The vis-network ``edges`` array of the relationships between drawn nodes, styled by
    direction (DOMAIN.md section 3), and how many of each direction."""
    nodes = sub.nodes
    vis_edges: list[dict[str, Any]] = []
    directions: Counter[str] = Counter()
    for k, e in enumerate(sub.edges):
        if not k & 4095:
            budget.check()
        if e.source not in nodes or e.target not in nodes:
            continue
        direction = direction_of(e, nodes)
        placement = e.type in PLACEMENT_TYPES
        line = "placement" if placement else direction or "unknown"
        directions[line] += 1
        style = EDGE_STYLES[direction]
        vis_edges.append(
            {
                "id": e.key,
                "from": e.source,
                "to": e.target,
                "type": e.type,
                "direction": direction,
                "line": line,
                "dashes": style["dashes"],
                "color": edge_colours.get(e.key, style["color"]),
                "title": i18n.text(
                    lang,
                    "maps.page.edge_title",
                    type=type_word(lang, e.type),
                    direction=i18n.text(
                        lang,
                        "maps.line." + ("placement" if placement else direction or "unknown"),
                    ),
                ),
            }
        )
    return vis_edges, directions


def _vis_ghost_edges(sub: Subgraph, ghost_edges: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The ghost edges (missing links, dashed and light) between drawn nodes."""
    out: list[dict[str, Any]] = []
    for n, g in enumerate(ghost_edges):
        a, b = g.get("from", g.get("source")), g.get("to", g.get("target"))
        if a not in sub.nodes or b not in sub.nodes:
            continue
        label = str(g.get("label", ""))
        out.append(
            {
                "id": f"ghost:{n}",
                "from": a,
                "to": b,
                "type": g.get("type", "MISSING"),
                "direction": g.get("direction"),
                "line": "ghost",
                "ghost": True,
                "dashes": [4, 6],
                "color": g.get("color", GHOST_COLOUR),
                "label": label,
                "title": str(g.get("title", label)),
                "arrows": "",
            }
        )
    return out


def _page(
    title: str,
    data: str,
    n_nodes: int,
    n_edges: int,
    notes: Sequence[str],
    standalone: bool,
    page_class: str = "",
    header_html: str = "",
    *,
    lang: str = i18n.DEFAULT_LANGUAGE,
    explain: str = "",
    details: Sequence[str] = (),
    ghosts: int = 0,
    ghost_label: str = "",
) -> str:
    """The HTML around the map: the header (title, what is counted, the share and language
    buttons), the banner (``notes``, ``explain`` and ``details``), the panels and the map.
    ``n_edges`` counts relationships, ``ghosts`` the dashed lines that are none."""
    esc = html.escape

    def t(key: str, **values: Any) -> str:
        return esc(i18n.text(lang, f"maps.page.{key}", **values))

    if standalone:
        head = f"<style>\n{_inline('map.css')}\n</style>"
        scripts = (
            f"<script>\n{_inline('vis-network.min.js')}\n</script>\n"
            f"<script>\n{_inline('map.js')}\n</script>"
        )
    else:
        head = f'<link rel="stylesheet" href="{STATIC_PREFIX}map.css">'
        scripts = (
            f'<script src="{STATIC_PREFIX}vis-network.min.js"></script>\n'
            f'<script src="{STATIC_PREFIX}map.js"></script>'
        )
    counts = [
        t("entities", count=i18n.number(n_nodes)),
        t("relationships", count=i18n.number(n_edges)),
    ]
    if ghosts:
        counts.append(t("ghosts", count=i18n.number(ghosts), label=ghost_label))
    counts_html = " · ".join(f"<span>{c}</span>" for c in counts)
    banner = "".join(f'<p class="note">{esc(n)}</p>' for n in notes)
    if explain:
        banner += (
            f'<details class="explain"><summary>{t("what_is_it")}</summary>'
            f"<p>{esc(explain)}</p></details>"
        )
    if details:
        items = "".join(f"<li>{esc(d)}</li>" for d in details)
        banner += (
            f'<details class="more"><summary>{t("more", count=i18n.number(len(details)))}'
            f"</summary><ul>{items}</ul></details>"
        )
    other = next(x for x in i18n.LANGUAGES if x != lang)
    served = "" if standalone else " served"
    body_class = f' class="{esc((page_class + served).strip())}"' if page_class or served else ""
    actions = ""
    if not standalone:
        switch_title = esc(i18n.text(lang, "common.language_switch_title"))
        actions = (
            f'<nav class="actions"><a class="home" href="/">{t("home")}</a>'
            f'<button type="button" id="copy-link">{t("copy_link")}</button>'
            f'<button type="button" id="embed-button">{t("embed")}</button>'
            f'<button type="button" id="print-button">{t("print")}</button>'
            f'<a class="lang" id="lang-switch" hreflang="{other}" lang="{other}" '
            f'href="?{i18n.LANGUAGE_PARAM}={other}" title="{switch_title}">'
            f"{esc(i18n.text(lang, 'common.language_switch'))}</a></nav>"
        )
    else:
        actions = (
            f'<nav class="actions"><button type="button" id="print-button">{t("print")}'
            "</button></nav>"
        )
    share = (
        f'<div id="share" hidden><p>{t("embed_hint")}</p>'
        f'<textarea id="embed-code" readonly rows="3" aria-label="{t("embed")}"></textarea>'
        f'<button type="button" id="share-close">{t("close")}</button>'
        f'<span id="share-status" aria-live="polite"></span></div>'
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}
</head>
<body{body_class} data-nodes="{n_nodes}" data-edges="{n_edges + ghosts}" data-lang="{lang}">
<header id="top">
<div class="bar">
<h1>{esc(title)}</h1>
<span id="counts">{counts_html}</span>
{actions}
</div>
{share}
<div id="banner">
{TIME_SLOT}<div id="notes">{banner}</div>{header_html}
</div>
</header>
<div id="app">
<details id="panel" open>
<summary>{t("panel")}</summary>
<aside id="side">
<section id="legend"><h2>{t("legend")}</h2></section>
<section id="controls" hidden><h2>{t("view")}</h2></section>
<div id="search-box">
<input id="search" type="search" placeholder="{t("search")}"
 autocomplete="off" aria-label="{t("search_label")}">
<div id="search-status" aria-live="polite"></div>
<ul id="search-results"></ul>
</div>
<section id="filters"><h2>{t("filters")}</h2></section>
</aside>
</details>
<main id="graph" aria-label="{t("map_label")}"></main>
<aside id="details"><p class="hint">{t("details_hint")}</p>
</aside>
</div>
<script type="application/json" id="graph-data">{data}</script>
<noscript>{t("noscript")}</noscript>
{scripts}
</body>
</html>
"""


# -- time: the as-of banner and the slider of a served page (issue 14) ------------------------

#: where a served page gets its time bar (:func:`with_time`); an HTML comment otherwise
TIME_SLOT = "<!--time-->"
#: at most this many stops of the slider are named under it (else the first and the last)
TIME_LABELS = 5


def time_bar(days: Sequence[str], as_of: str | None, lang: str, now_href: str) -> str:
    """The top of a served map page over time: when the page is the network as of a day,
    a banner that says so with a link to now; when the store recorded two days or more, a
    slider over them and "now" (``map.js`` reloads the page with ``?as_of=`` when it
    moves, the rest of the view kept). A day asked that the store did not record is a stop
    of its own. Nothing at all for a page of now without history."""
    esc = html.escape

    def t(key: str, **values: Any) -> str:
        return i18n.text(lang, f"time.{key}", **values)

    parts = []
    if as_of:
        said = t("as_of_banner", date=i18n.date(as_of, lang))
        parts.append(
            f'<p class="as-of" id="as-of-banner">{esc(said)}'
            f' <a href="{esc(now_href)}">{esc(t("web.back_to_now"))}</a></p>'
        )
    if len(set(days)) >= 2:
        stops = sorted(set(days) | ({as_of} if as_of else set()))
        items = [{"value": d, "label": i18n.date(d, lang)} for d in stops]
        items.append({"value": "", "label": t("now")})
        at = stops.index(as_of) if as_of else len(stops)
        label = items[at]["label"]
        sep = "&" if "?" in now_href else "?"
        # each stop named under the track (first and last only when there are many): a
        # link to that day's page, which map.js turns into a move of the slider
        named = range(len(items)) if len(items) <= TIME_LABELS else (0, len(items) - 1)
        marks = "".join(
            f'<a class="stop{" at" if k == at else ""}" data-index="{k}" href="'
            + esc(
                now_href if not items[k]["value"] else f"{now_href}{sep}as_of={items[k]['value']}"
            )
            + f'">{esc(items[k]["label"])}</a>'
            for k in named
        )
        ticks = "".join(f'<option value="{k}"></option>' for k in range(len(items)))
        parts.append(
            '<div class="time" id="time">'
            f'<label for="time-slider">{esc(t("slider"))}</label> '
            f'<output id="time-label" for="time-slider">{esc(label)}</output>'
            '<div class="track">'
            f'<input type="range" id="time-slider" min="0" max="{len(items) - 1}" step="1" '
            f'value="{at}" aria-valuetext="{esc(label)}" title="{esc(t("slider_help"))}" '
            f'list="time-ticks" data-stops="{esc(embed_json(items))}">'
            f'<datalist id="time-ticks">{ticks}</datalist>'
            f'<div class="stops">{marks}</div></div></div>'
        )
    return "".join(parts)


def as_of_day(store: GraphStore) -> str | None:
    """The day (ISO) of the graph ``store`` reads when it is the graph as of a day (an
    as-of view, or a public view of one); None for a store of now."""
    from graph_service.store.history import AsOfView

    current: Any = store
    for _ in range(4):
        if isinstance(current, AsOfView):
            return current.day.isoformat()
        current = getattr(current, "store", None)
        if current is None:
            break
    return None


def with_time(page: str, bar: str) -> str:
    """``page`` (a served map page) with ``bar`` (:func:`time_bar`) in its time slot."""
    return page.replace(TIME_SLOT, bar, 1) if bar else page


# -- INN levels ------------------------------------------------------------------------------


def fold_to_level(sub: Subgraph, level: str) -> tuple[Subgraph, dict[str, int]]:
    """The INN view of ``sub`` at ``level`` (DOMAIN.md section 2), and how many entities were
    folded into each remaining one.

    - ``individual``: ``sub`` as it is.
    - ``node``: each Person folded into the Organisation it WORKS_FOR or is MEMBER_OF (the
      first by id when several); a person in none stays.
    - ``network``: as ``node``, then each Organisation folded into the Network it is
      MEMBER_OF (the first by id), with the people folded into it; a person in no
      organisation but MEMBER_OF a network is folded into that network.

    Edges are re-pointed to the entity their end was folded into; self-loops are dropped and
    parallel edges of one type merged (``count`` says how many). Other kinds stay. A folded
    entity carries ``folded``: the number folded into it.
    """
    view, counts, _ = _fold(sub, level)
    return view, counts


def _fold(sub: Subgraph, level: str) -> tuple[Subgraph, dict[str, int], dict[str, str]]:
    """:func:`fold_to_level`, and which entity each folded one went into."""
    if level not in LEVELS:
        raise InvalidInput(
            f"unknown level {level!r}; the levels are {', '.join(LEVELS)}", {"level": level}
        )
    if level == "individual":
        return sub, {}, {}
    nodes = sub.nodes
    kind = {i: n.kind for i, n in nodes.items()}
    person_org: dict[str, list[str]] = {}
    person_net: dict[str, list[str]] = {}
    org_net: dict[str, list[str]] = {}
    for e in sub.edges:
        s, t = kind.get(e.source), kind.get(e.target)
        if s == "Person" and t == "Organisation" and e.type in FOLD_TYPES:
            person_org.setdefault(e.source, []).append(e.target)
        elif s == "Person" and t == "Network" and e.type in FOLD_NETWORK_TYPES:
            person_net.setdefault(e.source, []).append(e.target)
        elif s == "Organisation" and t == "Network" and e.type in FOLD_NETWORK_TYPES:
            org_net.setdefault(e.source, []).append(e.target)
    into: dict[str, str] = {p: min(orgs) for p, orgs in person_org.items()}
    if level == "network":
        org_into = {o: min(nets) for o, nets in org_net.items()}
        into = {p: org_into.get(o, o) for p, o in into.items()}
        into.update(org_into)
        for p, nets in person_net.items():
            into.setdefault(p, min(nets))
    counts = dict(sorted(Counter(into.values()).items()))

    folded_nodes: dict[str, Node] = {}
    for i, n in nodes.items():
        if i in into:
            continue
        if i in counts:
            n = Node(i, n.kind, {**n.props, "folded": counts[i]})
        folded_nodes[i] = n
    merged: dict[tuple[str, str, str], Edge] = {}
    many: Counter[tuple[str, str, str]] = Counter()
    for step, e in enumerate(sorted(sub.edges, key=lambda e: e.key)):
        if not step & 4095:
            budget.check()
        a, b = into.get(e.source, e.source), into.get(e.target, e.target)
        if a == b:
            continue
        k = (a, e.type, b)
        many[k] += 1
        if k not in merged:
            same = a == e.source and b == e.target
            merged[k] = e if same else Edge(a, e.type, b, dict(e.props), edge_key(a, e.type, b))
    edges = []
    for k, e in merged.items():
        if many[k] > 1:
            e = Edge(e.source, e.type, e.target, {**e.props, "count": many[k]}, e.key)
        edges.append(e)
    distance: dict[str, int] = {}
    for i, d in sub.distance.items():
        j = into.get(i, i)
        distance[j] = min(d, distance.get(j, d))
    return Subgraph(folded_nodes, edges, distance), counts, into


# -- the map verb ----------------------------------------------------------------------------


def _reach_sizes(sub: Subgraph, depth: int = 2) -> dict[str, float]:
    """Entities within two steps of each one in ``sub`` (ties read both ways).

    Counted by ``TwoStep`` (graph_service.analysis.twostep) without a search from every
    node: on a hub of N members each member reaches all the others, N² pairs, which are
    counted from the hub's member list, not listed. Only ``depth`` 2 is offered."""
    from graph_service.analysis.twostep import Arcs, TwoStep

    if depth != 2:
        raise ValueError("reach sizes are counted within two steps only")
    ids = sorted(sub.nodes)
    n = len(ids)
    index = {id_: i for i, id_ in enumerate(ids)}
    ends = [(index.get(e.source), index.get(e.target)) for e in sub.edges]
    pairs = np.array([(a, b) for a, b in ends if a is not None and b is not None and a != b])
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    codes = np.unique(
        np.concatenate([pairs[:, 0] * n + pairs[:, 1], pairs[:, 1] * n + pairs[:, 0]])
    )
    sizes = TwoStep(Arcs(n, codes // max(n, 1), codes % max(n, 1))).reach_sizes()
    return dict(zip(ids, sizes.astype(float).tolist(), strict=True))


def _mention_sizes(
    store: GraphStore, sub: Subgraph, notes: list[str], lang: str = i18n.DEFAULT_LANGUAGE
) -> dict[str, float]:
    """How many outcome-journal entries name each drawn entity as a contributor (``om
    contributors``; 0 for the others, so the least named contributor is still bigger than
    an entity never named). What was used is said in ``notes``."""
    from graph_service.analysis.om import contributors

    named = {c["id"]: c["mentions"] for c in contributors(store)["contributors"]}
    notes.append(i18n.text(lang, "om.map_note", count=i18n.number(len(named))))
    return {i: float(named.get(i, 0)) for i in sub.nodes}


def _brokerage_sizes(
    store: GraphStore, size_by: str, notes: list[str], lang: str = i18n.DEFAULT_LANGUAGE
) -> tuple[str, dict[str, float] | None]:
    """``betweenness`` or the brokerage ``total`` of each actor, from the brokerage analysis
    grouped by admin_level with ties read both ways; ``("degree", None)`` when it cannot
    run or gives nothing. What was used is said in ``notes``."""
    from graph_service.analysis.brokerage import brokerage

    try:
        report = brokerage(store, "admin_level", undirected=True)
    except InvalidInput:
        notes.append(i18n.text(lang, "maps.note.size_degree", measure=measure_word(lang, size_by)))
        return "degree", None
    column = "total" if size_by == "brokerage" else "betweenness"
    sizes = {r["id"]: r[column] for r in report["nodes"] if r[column] is not None}
    if not sizes:
        notes.append(i18n.text(lang, "maps.note.size_degree", measure=measure_word(lang, size_by)))
        return "degree", None
    notes.append(i18n.text(lang, "maps.note.size_brokerage", measure=measure_word(lang, size_by)))
    return size_by, sizes


def select_subgraph(
    store: GraphStore, focus: str | None, depth: int, notes: list[str] | None = None
) -> tuple[Subgraph, str | None, str]:
    """What a map or a picture draws: the whole graph, or the neighbourhood of ``focus`` (an
    id or a unique name) within ``depth`` steps, at most its ``FOCUS_LIMIT`` nearest entities
    (a hub's neighbourhood stays a page a browser can open; ``notes`` gets a line saying
    so). Returns (subgraph, the focus id or None, the default title). An empty graph is an
    ``InvalidInput``; an unknown focus ``NotFound``."""
    from graph_service.entities import resolve_entity

    check_depth(depth)
    empty = InvalidInput("the graph is empty: import a dataset first")
    if focus is not None:
        # no whole-graph count on this path: it cost 90% of a neighbourhood map on a
        # graph of 100,000 relationships (bench/load.py)
        try:
            start = resolve_entity(store, focus)
        except NotFound:
            if not store.stats().nodes:
                raise empty from None
            raise
        sub = neighbourhood(store, start.id, depth, limit=FOCUS_LIMIT + 1)
        if len(sub.nodes) > FOCUS_LIMIT:
            sub = _nearest(sub, FOCUS_LIMIT)
            if notes is not None:
                notes.append(
                    f"แสดงเฉพาะ {FOCUS_LIMIT:,} หน่วยที่ใกล้ที่สุด: รอบนี้มีมากกว่านั้น / Only the "
                    f"{FOCUS_LIMIT:,} nearest entities are drawn: this neighbourhood holds more. "
                    "Use a smaller depth, the network level, or an export for all of them."
                )
        title = f"แผนที่รอบ {start.name or start.id} ({depth} ขั้น / steps)"
        return sub, start.id, title
    whole = store.subgraph()
    if not whole.nodes:
        raise empty
    return whole, None, "แผนที่เครือข่าย / network map"


def without_records(sub: Subgraph, focus_id: str | None = None) -> Subgraph:
    """``sub`` without the entities of ``domain.RECORD_KINDS`` (meetings, Outcome Mapping:
    records of what happened, not who is in the network; but the focus) and their
    relationships: a map leaves them out unless its filter names a kind (``kind=Event``);
    their own pages draw them (``/attendance``, ``/om/...``)."""
    drop = {i for i, n in sub.nodes.items() if n.kind in RECORD_KINDS and i != focus_id}
    if not drop:
        return sub
    nodes = {i: n for i, n in sub.nodes.items() if i not in drop}
    edges = [e for e in sub.edges if e.source in nodes and e.target in nodes]
    return Subgraph(nodes, edges, {i: d for i, d in sub.distance.items() if i in nodes})


def _filtered(
    store: GraphStore,
    sub: Subgraph,
    where: Sequence[str],
    focus_id: str | None,
    notes: list[str],
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> Subgraph:
    """The entities of ``sub`` that match the filter ``where`` (and the focus), with the
    relationships among them; a filter that leaves nothing is an ``InvalidInput``."""
    from graph_service.analysis.filters import parse_filter, select

    flt = parse_filter(list(where))
    if flt is None:
        return sub
    text = "; ".join(flt.text)
    keep = set(select(store, flt)) & set(sub.nodes)
    if focus_id:
        keep.add(focus_id)
    if not keep:
        raise InvalidInput(
            f"no entity of this map matches {text}", {"where": flt.text, "entities": 0}
        )
    notes.append(
        i18n.text(
            lang,
            "maps.note.filtered",
            terms=text,
            shown=i18n.number(len(keep)),
            total=i18n.number(len(sub.nodes)),
        )
    )
    cut = Subgraph(
        {n: node for n, node in sub.nodes.items() if n in keep},
        [e for e in sub.edges if e.source in keep and e.target in keep],
    )
    cut.distance = {n: d for n, d in sub.distance.items() if n in keep}
    return cut


def _nearest(sub: Subgraph, count: int) -> Subgraph:
    """The ``count`` entities of ``sub`` nearest its focus (ties by id), with the
    relationships among them."""
    distance = sub.distance or {}
    keep = set(sorted(sub.nodes, key=lambda n: (distance.get(n, 0), n))[:count])
    cut = Subgraph(
        {n: node for n, node in sub.nodes.items() if n in keep},
        [e for e in sub.edges if e.source in keep and e.target in keep],
    )
    cut.distance = {n: d for n, d in distance.items() if n in keep}
    return cut


def level_note(level: str) -> str:
    """The note a folded map or picture carries."""
    return f"INN level: {level}. " + (
        "People are folded into their organisations."
        if level == "node"
        else "People are folded into organisations, organisations into networks."
    )


def build_map(
    store: GraphStore,
    *,
    focus: str | None = None,
    depth: int = 2,
    level: str = "individual",
    colour_by: str = "kind",
    size_by: str = "degree",
    title: str | None = None,
    links: dict[str, str] | None = None,
    standalone: bool = True,
    where: Sequence[str] = (),
    as_json: bool = False,
    layout: str = DEFAULT_LAYOUT,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> Any:
    """The ``map`` page (CONTRACT.md section 2): the whole graph, or the neighbourhood of
    ``focus`` (an id or a unique name) within ``depth`` steps (1..10), at an INN ``level``.
    ``where`` (CONTRACT.md 2b filter terms): only the entities matching it are drawn (and
    the focus), with the relationships among them; the page says how many of how many.

    ``size_by``: ``degree``; ``betweenness`` or ``brokerage`` (the Gould–Fernandez total),
    both from the brokerage analysis grouped by admin_level with ties read both ways (the
    page says so when it cannot run and degree is used instead); ``reach`` (entities within
    2 steps, on the drawn graph). ``colour_by``: ``kind``, ``level`` or a property some
    entity carries. An unfocused individual-level map of more than ``LARGE`` entities opens
    at the network level; the folded nodes' ``open`` link expands them. ``layout``: one of
    :data:`viz.layouts.LAYOUTS` (``force``, ``levels``, ``inn``, ``geographic``).
    """
    check_layout(layout)
    if level not in LEVELS:
        raise InvalidInput(
            f"unknown level {level!r}; the levels are {', '.join(LEVELS)}", {"level": level}
        )
    if size_by not in SIZE_BY:
        raise InvalidInput(
            f"unknown size measure {size_by!r}; the choices are {', '.join(SIZE_BY)}",
            {"size_by": size_by},
        )
    notes: list[str] = []
    day = as_of_day(store)
    if standalone and day and not as_json:  # a file of the network as it was says so (a
        # served page's time bar does, with a link to now; the laid-out JSON is the map's)
        notes.append(i18n.text(lang, "time.as_of_banner", date=i18n.date(day, lang)))
    limited: list[str] = []
    sub, focus_id, _ = select_subgraph(store, focus, depth, limited)
    if limited:
        notes.append(i18n.text(lang, "maps.note.focus_limit", limit=i18n.number(FOCUS_LIMIT)))
    if focus_id is None:
        default_title = i18n.text(lang, "maps.page.whole_title")
    else:
        start = sub.nodes.get(focus_id)
        default_title = i18n.text(
            lang,
            "maps.page.focus_title",
            name=(start.name if start is not None else "") or focus_id,
            depth=depth,
        )
    if not any(str(w).strip().startswith("kind=") for w in where):
        sub = without_records(sub, focus_id)
    if where:
        sub = _filtered(store, sub, where, focus_id, notes, lang)
    highlight: set[str] = {focus_id} if focus_id else set()
    choices = colour_choices(sub)
    if colour_by not in choices:
        raise InvalidInput(
            f"cannot colour by {colour_by!r}: no entity has it; the choices are "
            f"{', '.join(choices)}",
            {"colour_by": colour_by, "choices": choices},
        )
    if level == "individual" and focus is None and len(sub.nodes) > LARGE:
        level = "network"
        notes.append(
            i18n.text(
                lang,
                "maps.note.large",
                count=i18n.number(len(sub.nodes)),
                limit=i18n.number(LARGE),
            )
        )
    sizes: dict[str, float] | None = None
    if size_by in ("betweenness", "brokerage"):
        size_by, sizes = _brokerage_sizes(store, size_by, notes, lang)
    if size_by == "mentions":
        sizes = _mention_sizes(store, sub, notes, lang)
    view, _, into = _fold(sub, level)
    if level != "individual":
        notes.append(i18n.text(lang, f"maps.note.level_{level}"))
        highlight = {into.get(h, h) for h in highlight}
    if size_by == "reach":
        sizes = _reach_sizes(view)
        notes.append(i18n.text(lang, "maps.note.size_reach"))
    controls = map_controls(lang, choices, level, colour_by, size_by)
    if as_json:
        data, _, _ = _map_data(
            view,
            title=title or default_title,
            colour_by=colour_by,
            size_by=size_by,
            sizes=sizes,
            highlight=highlight,
            links=links,
            notes=notes,
            layout_name=layout,
            lang=lang,
        )
        return laid_out(data)
    return render_map(
        view,
        title=title or default_title,
        colour_by=colour_by,
        size_by=size_by,
        sizes=sizes,
        highlight=highlight,
        links=links,
        standalone=standalone,
        notes=notes,
        layout_name=layout,
        lang=lang,
        controls=controls,
    )


def map_controls(
    lang: str, colour_choices_: Sequence[str], level: str, colour_by: str, size_by: str
) -> list[dict[str, Any]]:
    """The choices of a ``/map`` page (INN level, colour, size), each a query parameter;
    labels in ``lang``."""
    return [
        {
            "param": "level",
            "label": i18n.text(lang, "maps.page.level"),
            "value": level,
            "choices": [[lv, i18n.word(lang, "level", lv)] for lv in LEVELS],
        },
        {
            "param": "colour_by",
            "label": i18n.text(lang, "maps.page.colour_by"),
            "value": colour_by,
            "choices": [[c, attribute_word(lang, c)] for c in colour_choices_],
        },
        {
            "param": "size_by",
            "label": i18n.text(lang, "maps.page.size_by"),
            "value": size_by,
            "choices": [[m, measure_word(lang, m)] for m in SIZE_BY],
        },
    ]


def build_map_json(store: GraphStore, **options: Any) -> dict[str, Any]:
    """The laid-out map of :func:`build_map` with the same options (CONTRACT.md section 2,
    ``map --json`` and ``GET /api/map``): see :func:`laid_out`. The positions are the ones
    the page draws."""
    doc = build_map(store, as_json=True, **options)
    assert isinstance(doc, dict)
    return doc

"""Brokerage: Gould–Fernandez roles, Burt's constraint and effective size, betweenness, and
what breaks when a broker leaves (DOMAIN.md section 6, CONTRACT.md sections 2 and 3).

Gould–Fernandez: b brokers the ordered pair (a, c) when a→b, b→c, a ≠ c and there is no
a→c. With groups G:

============== ==================== ========= ============================
role           condition            R ``sna`` meaning
============== ==================== ========= ============================
coordinator    G(a) = G(b) = G(c)   ``w_I``   within the broker's group
itinerant      G(a) = G(c) ≠ G(b)   ``w_O``   for another group, from outside
representative G(a) = G(b) ≠ G(c)   ``b_IO``  speaks for its group outwards
gatekeeper     G(a) ≠ G(b) = G(c)   ``b_OI``  lets outsiders into its group
liaison        all three differ     ``b_O``
============== ==================== ========= ============================

The expected values and standard deviations are those of R's ``sna::brokerage`` (version
2.7), conditioned on the density d = m / (N(N − 1)) and the group sizes; z = (observed −
expected) / sd, and null where sd is 0.

All of it is vectorised over numpy arrays, and nothing lists the two-paths: a hub of N
members has N² of them (issue 11). The roles are counted by group per broker, then the
reciprocated ties and the closed triads are taken off; Burt's sums run over the middles of
each existing tie; the sole brokers are counted per arc (``twostep.TwoStep``). Memory grows
with the ties, time with Σ over ties of the smaller degree (O(m) on a star). Long loops call
``graph_service.budget.check()``, so a request's deadline stops them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import comb
from typing import Any

import numpy as np

from graph_service import budget
from graph_service.analysis.common import (
    Groups,
    TieGraph,
    actor_ties,
    actor_ties_of_arrays,
    check_types,
    clean_float,
    clean_floats,
    group_actors,
    require_two_groups,
)
from graph_service.analysis.twostep import (
    Arcs,
    TwoStep,
    batches,
    closed_triads,
    expand,
    reciprocal,
)
from graph_service.domain import ACTOR_KINDS, Subgraph
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")
#: the same columns in R sna's names, "t" being the total
SNA_COLUMNS = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")
#: betweenness is computed by default up to this many actors (CONTRACT.md section 3)
BETWEENNESS_LIMIT = 5000
DEFAULT_GROUP_BY = "admin_level"
#: two-paths enumerated per batch (bounds memory on graphs with big hubs)
_BATCH = 4_000_000
#: up to this many nodes, closed two-paths are found in a bitmap of the arcs (8 MB at most)
_BITMAP_NODES = 8192


# -- Gould–Fernandez ------------------------------------------------------------------------


@dataclass
class OpenTwoPaths:
    """Every open two-path a→b→c (a ≠ c, no a→c) as three int arrays."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray


def open_two_paths(n: int, src: np.ndarray, dst: np.ndarray) -> OpenTwoPaths:
    """Enumerate the open two-paths of a graph of ``n`` nodes whose arcs are the
    de-duplicated ``src → dst`` pairs sorted by (src, dst).

    Quadratic in a hub's degree: the report does not use it (it counts, see
    :func:`role_counts`); it stays as the reference the tests and benchmarks compare with.

    Each in-arc a→b is paired with every out-arc b→c (``np.repeat`` over the out-arc slices
    of b), then a = c and closed paths (an arc a→c exists) are dropped: by a bitmap of the
    arcs on graphs of up to 8,192 nodes, by binary search in the sorted arc codes above.
    Indices are int32 while n² fits, and the in-arc order comes from a radix sort of uint16
    targets while n fits: at 2,000 actors this is about five times faster than int64
    throughout.

    >>> p = open_two_paths(3, np.array([0, 1]), np.array([1, 2]))
    >>> p.a.tolist(), p.b.tolist(), p.c.tolist()
    ([0], [1], [2])
    """
    idx = np.int32 if n * n < 2**31 else np.int64
    src = np.asarray(src).astype(idx, copy=False)
    dst = np.asarray(dst).astype(idx, copy=False)
    empty = np.zeros(0, idx)
    if n == 0 or src.size == 0:
        return OpenTwoPaths(empty, empty, empty)
    arc_codes = src * idx(n) + dst  # sorted, because the arcs are sorted by (src, dst)
    if n <= _BITMAP_NODES:
        byte = arc_codes >> 3  # sorted, so each byte's bits are one run: OR them by runs
        runs = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
        bits = np.zeros((n * n + 7) // 8, np.uint8)
        bits[byte[runs]] = np.bitwise_or.reduceat((1 << (arc_codes & 7)).astype(np.uint8), runs)
    outdeg = np.bincount(src, minlength=n)
    out_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(outdeg, out=out_ptr[1:])
    # in-arcs (a -> b), one per two-path "head"; each pairs with every out-arc of b
    keys = dst.astype(np.uint16) if n <= 65536 else dst
    order = np.argsort(keys, kind="stable")
    in_a, in_b = src[order], dst[order]
    per_in = outdeg[in_b]
    keep = per_in > 0
    in_a, in_b, per_in = in_a[keep], in_b[keep], per_in[keep]
    parts_a, parts_b, parts_c = [empty], [empty], [empty]
    bounds = np.zeros(per_in.size + 1, dtype=np.int64)
    np.cumsum(per_in, out=bounds[1:])
    start = 0
    while start < in_a.size:
        # as many in-arcs as fit in one batch of two-paths (at least one)
        stop = int(np.searchsorted(bounds, bounds[start] + _BATCH, side="right")) - 1
        stop = max(stop, start + 1)
        cnt = per_in[start:stop]
        total = int(bounds[stop] - bounds[start])
        a = np.repeat(in_a[start:stop], cnt)
        b = np.repeat(in_b[start:stop], cnt)
        first = np.repeat(out_ptr[in_b[start:stop]] - (bounds[start:stop] - bounds[start]), cnt)
        c = dst[first + np.arange(total)]
        codes = a * idx(n) + c
        if n <= _BITMAP_NODES:
            closed = ((bits[codes >> 3] >> (codes & 7).astype(np.uint8)) & 1).astype(bool)
        else:
            pos = np.searchsorted(arc_codes, codes)
            np.minimum(pos, arc_codes.size - 1, out=pos)
            closed = arc_codes[pos] == codes
        keep_paths = ~closed & (a != c)
        parts_a.append(a[keep_paths])
        parts_b.append(b[keep_paths])
        parts_c.append(c[keep_paths])
        start = stop
    return OpenTwoPaths(np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_c))


def role_of(ga: np.ndarray, gb: np.ndarray, gc: np.ndarray) -> np.ndarray:
    """The role index (0..4, in ``ROLES`` order) of each two-path from its three groups."""
    role = np.full(ga.shape, 4, dtype=np.int64)  # liaison unless a rule below applies
    role[(ga == gb) & (gb == gc)] = 0
    role[(ga == gc) & (ga != gb)] = 1
    role[(ga == gb) & (gb != gc)] = 2
    role[(gb == gc) & (ga != gb)] = 3
    return role


def gould_fernandez(n: int, src: np.ndarray, dst: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Raw Gould–Fernandez counts: an ``n × 6`` int array, columns ``ROLES`` and the total
    (R ``sna::brokerage``'s ``raw.nli``).

    >>> gould_fernandez(3, np.array([0, 1]), np.array([1, 2]), np.array([0, 0, 1]))[1].tolist()
    [0, 0, 1, 0, 0, 1]
    """
    return role_counts(Arcs(n, src, dst), np.asarray(groups, dtype=np.int64))


def role_counts(arcs: Arcs, groups: np.ndarray) -> np.ndarray:
    """Gould–Fernandez counts by group, without listing the two-paths (a hub of N members
    has N² of them).

    For a broker b of group β, every in-neighbour a and out-neighbour c make a two-path; by
    the groups of a and c the roles are products of counts: coordinator I(β)·O(β), itinerant
    Σ_{g≠β} I(g)·O(g), representative I(β)·(out-degree − O(β)), gatekeeper (in-degree −
    I(β))·O(β), liaison the rest, with I(g) and O(g) the in- and out-neighbours of b in group
    g. Then the two-paths that are not brokerage are taken off, each in its role: back to
    the start (a = c: a reciprocated tie with b) and closed (an arc a → c: the closed triads,
    listed from the shorter side of each arc)."""
    n, src, dst = arcs.n, arcs.src, arcs.dst
    g = groups
    k = int(g.max()) + 1 if g.size else 1
    same = g[src] == g[dst]
    same_in = np.bincount(dst[same], minlength=n).astype(np.int64)  # I(β) of each b
    same_out = np.bincount(src[same], minlength=n).astype(np.int64)  # O(β) of each b
    # Σ_g I(g)·O(g) per broker: the (broker, group) counts of both sides, matched
    in_keys, in_counts = np.unique(dst * k + g[src], return_counts=True)
    out_keys, out_counts = np.unique(src * k + g[dst], return_counts=True)
    both, i_in, i_out = np.intersect1d(in_keys, out_keys, assume_unique=True, return_indices=True)
    diag = np.zeros(n, dtype=np.int64)
    np.add.at(diag, both // k, in_counts[i_in].astype(np.int64) * out_counts[i_out])
    coordinator = same_in * same_out
    itinerant = diag - coordinator
    representative = same_in * arcs.outdeg - coordinator
    gatekeeper = arcs.indeg * same_out - coordinator
    liaison = arcs.indeg * arcs.outdeg - coordinator - itinerant - representative - gatekeeper
    raw = np.column_stack([coordinator, itinerant, representative, gatekeeper, liaison])
    # a -> b -> a: coordinator or itinerant at b
    back = reciprocal(arcs)
    a, b = src[back], dst[back]
    raw -= np.bincount(b * 5 + role_of(g[a], g[b], g[a]), minlength=n * 5).reshape(n, 5)
    for a, b, c in closed_triads(arcs):
        raw -= np.bincount(b * 5 + role_of(g[a], g[b], g[c]), minlength=n * 5).reshape(n, 5)
    return np.hstack([raw, raw.sum(axis=1, keepdims=True)])


def _distinct_triple_sum(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    """Σ over pairwise-distinct i, j, k of x_i·y_j·z_k (inclusion–exclusion)."""
    sx, sy, sz = x.sum(), y.sum(), z.sum()
    return float(
        sx * sy * sz
        - (x * y).sum() * sz
        - (x * z).sum() * sy
        - (y * z).sum() * sx
        + 2 * (x * y * z).sum()
    )


def sna_expectations(
    n_nodes: int, m_arcs: int, group_sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expected values and variances of the roles, exactly as R ``sna::brokerage`` 2.7
    computes them: per group (``len(group_sizes) × 6``) and for the whole graph (6).

    Returns (expected per group, variance per group, expected global, variance global).
    """
    n = np.asarray(group_sizes, dtype=np.float64)
    N = float(n_nodes)
    d = m_arcs / (N * (N - 1)) if N > 1 else 0.0
    q = d**2 * (1 - d)
    A, B, C = d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    k = n.size
    ebr = np.zeros((k, 6))
    vbr = np.zeros((k, 6))
    for i in range(k):
        ni = n[i]
        rest = np.delete(n, i)
        ebr[i, 0] = q * (ni - 1) * (ni - 2)
        vbr[i, 0] = ebr[i, 0] * (1 - q) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * A
        ebr[i, 1] = q * float((rest * (rest - 1)).sum())
        vbr[i, 1] = ebr[i, 1] * (1 - q) + 2 * float((rest * (rest - 1) * (rest - 2)).sum()) * A
        ebr[i, 2] = q * (N - ni) * (ni - 1)
        vbr[i, 2] = (
            ebr[i, 2] * (1 - q) + 2 * ((ni - 1) * comb2(N - ni) + (N - ni) * comb2(ni - 1)) * A
        )
        ebr[i, 3], vbr[i, 3] = ebr[i, 2], vbr[i, 2]
        ebr[i, 4] = q * (float(rest.sum()) ** 2 - float((rest**2).sum()))
        vbr[i, 4] = (
            ebr[i, 4] * (1 - q)
            + 4 * float((rest * np.array([comb2(N - r - ni) for r in rest])).sum()) * A
        )
        ebr[i, 5] = q * (N - 1) * (N - 2)
        vbr[i, 5] = ebr[i, 5] * (1 - q) + 2 * (N - 1) * (N - 2) * (N - 3) * A

    eg = np.zeros(6)
    vg = np.zeros(6)
    eg[0] = q * float((n * (n - 1) * (n - 2)).sum())
    vg[0] = eg[0] * (1 - q) + float(
        (n * (n - 1) * (n - 2) * ((4 * n - 10) * A - 4 * (n - 3) * B + (n - 3) * C)).sum()
    )
    eg[1] = q * float((n * (N - n) * (n - 1)).sum())
    # sum over all (x, y) of x·y·(x−1)·((2x+2y−6)A + (N−x−1)C), minus its diagonal
    x = n[:, None]
    y = n[None, :]
    outer = x * y * (x - 1) * ((2 * x + 2 * y - 6) * A + (N - x - 1) * C)
    diag = n * n * (n - 1) * ((4 * n - 6) * A + (N - n - 1) * C)
    vg[1] = eg[1] * (1 - q) + float(outer.sum() - diag.sum())
    eg[2] = q * float((n * (N - n) * (n - 1)).sum())
    vg[2] = eg[2] * (1 - q) + float((n * (N - n) * (n - 1) * ((N - 3) * A + (n - 2) * C)).sum())
    eg[3], vg[3] = eg[2], vg[2]
    eg[4] = q * float((x * y * (N - x - y)).sum() - (n * n * (N - 2 * n)).sum())
    # R loops over distinct group triples (i, j, k) of
    #   n_i n_j n_k [(4(N − n_j) − 2(n_i + n_k + 1))A − (4(N − n_k) − 2(n_i + n_j + 1))B
    #                + (N − (n_i + n_k + 1))C];
    # the bracket is linear in n_i, n_j, n_k, so the sum splits into distinct-triple sums.
    c0 = (4 * N - 2) * (A - B) + (N - 1) * C
    c_lin = (-2 * A + 2 * B - C) + (-4 * A + 2 * B) + (-2 * A + 4 * B - C)
    vg[4] = eg[4] * (1 - q)
    if k >= 3:
        vg[4] += c0 * _distinct_triple_sum(n, n, n) + c_lin * _distinct_triple_sum(n * n, n, n)
    eg[5] = q * N * (N - 1) * (N - 2)
    vg[5] = eg[5] * (1 - q) + N * (N - 1) * (N - 2) * (
        (4 * N - 10) * A - 4 * (N - 3) * B + (N - 3) * C
    )
    return ebr, vbr, eg, vg


def comb2(x: float) -> float:
    """R's ``choose(x, 2)`` for a whole x (0 below 2)."""
    return float(comb(int(x), 2)) if x >= 2 else 0.0


def _z(observed: np.ndarray, expected: np.ndarray, variance: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.maximum(variance, 0.0))
        z = (observed - expected) / sd
    z[~np.isfinite(z)] = np.nan
    return z


# -- Burt ------------------------------------------------------------------------------------


def burt(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size of every node, by networkx's definitions on the
    directed graph (mutual weight p(u,v) + p(v,u); neighbours either way), but sparse
    throughout (networkx's all-nodes effective size builds a dense n × n matrix). Isolated
    nodes get NaN, as in networkx.

    With M the tie weights read both ways (1, or 2 for a reciprocated tie), p_uv = M_uv /
    Σ_v M_uv and m_uv = M_uv / max_v M_uv::

        constraint(u)     = Σ_{v ∈ N(u)} (p_uv + Σ_w p_uw p_wv)²
        effective size(u) = Σ_{v ∈ N(u)} (1 − Σ_w p_uw m_vw)

    The inner sums run over the middles w common to u and v for each pair (u, v) of M only
    (the pairs that are not ties are never formed: a hub's degree² two-step paths would
    be), found from the shorter of the two neighbour lists (numpy only: scipy's import alone
    costs more than the whole computation on 10,000 actors). Every sum adds its terms in the
    order scipy's sparse products did (w descending, then v descending), so the values are
    the same to the last bit.

    Effective size follows networkx's per-node formula (which matches UCINET and igraph):
    networkx 3.6's all-nodes shortcut divides by the wrong node's maximum on directed graphs
    that mix one-way and mutual ties (networkx pull request 8906); the tests pin the
    difference on a graph checked by hand.

    >>> c, e = burt(3, np.array([0, 1]), np.array([1, 2]))
    >>> c.tolist(), e.tolist()
    ([1.0, 0.5, 1.0], [1.0, 2.0, 1.0])
    """
    if n == 0:
        return np.zeros(0), np.zeros(0)
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    # M as sorted (u, v) pairs: a tie read both ways, weight 2 when reciprocated
    pair, weight = np.unique(np.concatenate([src * n + dst, dst * n + src]), return_counts=True)
    u, v = pair // n, pair % n
    w = weight.astype(np.float64)
    degree = np.bincount(u, minlength=n)
    rows = np.bincount(u, weights=w, minlength=n)
    maxes = np.zeros(n)
    np.maximum.at(maxes, u, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sum = np.where(rows > 0, 1.0 / rows, 0.0)
        inv_max = np.where(maxes > 0, 1.0 / maxes, 0.0)
    p = inv_sum[u] * w  # p_uv
    m = inv_max[u] * w  # m_uv
    # for each pair (u, v) of M, the middles x ∈ N(u) ∩ N(v): walk the shorter neighbour
    # list, x descending (the order of the sums above), and look the other pair up. Σ over
    # the pairs of min(degree): O(m) for a star, O(m·√m) at most, never degree².
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=ptr[1:])
    back = np.searchsorted(pair, v * n + u)  # the pair (v, u) of each pair (u, v)
    from_u = degree[u] <= degree[v]
    side = np.where(from_u, u, v)
    other = np.where(from_u, v, u)
    cost = degree[side]
    two = np.zeros(pair.size)
    redundancy = np.zeros(pair.size)
    for lo, hi in batches(cost):
        which, offset = expand(np.zeros(hi - lo, dtype=np.int64), cost[lo:hi])
        e = lo + which
        near = ptr[side[e] + 1] - 1 - offset  # the pair (side, x), x descending
        x = v[near]
        at = np.searchsorted(pair, x * n + other[e])  # the pair (x, other)
        at[at == pair.size] = 0
        hit = pair[at] == x * n + other[e] if pair.size else np.zeros(0, bool)
        e, near, at, side_u = e[hit], near[hit], at[hit], from_u[e[hit]]
        ux = np.where(side_u, near, back[at])  # (u, x)
        xv = np.where(side_u, at, back[near])  # (x, v)
        two += np.bincount(e, weights=p[ux] * p[xv], minlength=pair.size)
        redundancy += np.bincount(e, weights=p[ux] * m[back[xv]], minlength=pair.size)
    # per node, its pairs with v descending
    order = np.lexsort((-v, u))
    local = (p + two) ** 2
    constraint = np.bincount(u[order], weights=local[order], minlength=n).astype(np.float64)
    esize = np.bincount(u[order], weights=(1.0 - redundancy)[order], minlength=n)
    esize = esize.astype(np.float64)
    isolated = rows == 0
    constraint[isolated] = np.nan
    esize[isolated] = np.nan
    return constraint, esize


# -- betweenness -----------------------------------------------------------------------------


def betweenness(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Normalised betweenness centrality of the directed graph (networkx's definition with
    ``normalized=True``: divided by (n − 1)(n − 2)), computed by rustworkx's parallel Brandes
    in Rust. For a graph whose ties are read both ways the value equals networkx's
    undirected normalised betweenness."""
    if n < 3:
        return np.zeros(n)
    import rustworkx as rx

    g = rx.PyDiGraph(multigraph=False)
    g.add_nodes_from(range(n))
    g.add_edges_from_no_data(list(zip(src.tolist(), dst.tolist(), strict=True)))
    result = rx.digraph_betweenness_centrality(g, normalized=True, endpoints=False)
    return np.array([result[i] for i in range(n)], dtype=np.float64)


# -- the report ------------------------------------------------------------------------------


def ties_of(sub: Subgraph, types: Sequence[str] | None, undirected: bool) -> TieGraph:
    """The actor tie graph of ``sub``; a graph without actors is an ``InvalidInput``."""
    return require_actors(actor_ties(sub, types, undirected))


def require_actors(ties: TieGraph) -> TieGraph:
    """``ties``, unless the graph has no actors (an ``InvalidInput``)."""
    if ties.n == 0:
        raise InvalidInput(
            "the graph has no actors (people, organisations or networks): import a dataset first"
        )
    return ties


def load_ties(
    store: GraphStore, types: Sequence[str] | None, undirected: bool
) -> tuple[Subgraph, TieGraph]:
    sub = store.subgraph(kinds=ACTOR_KINDS)
    return sub, ties_of(sub, types, undirected)


def brokerage(
    store: GraphStore,
    group_by: str = DEFAULT_GROUP_BY,
    types: Sequence[str] | None = None,
    undirected: bool = False,
    with_betweenness: bool | None = None,
) -> dict[str, Any]:
    """Gould–Fernandez roles for every actor, with R ``sna``'s expected values and z-scores,
    Burt's constraint and effective size, and betweenness (the ``brokerage`` document of
    CONTRACT.md section 3, extended).

    ``group_by``: ``admin_level`` (default), ``sector``, ``kind``, ``level``, ``member_of``,
    ``member_of:NETWORK_ID`` or any property the data gave. Actors without it form the group
    null. ``types``: only these relationship types are ties. ``undirected``: every tie read
    both ways. ``with_betweenness``: None computes it up to 5,000 actors.

    A store that reads arrays (``graph_arrays``: both stores) is read that way, without an
    object per relationship; another (the public view) through its ``subgraph``. The
    document is the same either way.
    """
    read_arrays = getattr(store, "graph_arrays", None)
    if read_arrays is None:
        return brokerage_of(
            store.subgraph(kinds=ACTOR_KINDS), group_by, types, undirected, with_betweenness
        )
    types = check_types(types)
    arrays = read_arrays(kinds=ACTOR_KINDS)
    ties = require_actors(actor_ties_of_arrays(arrays, types, undirected))
    groups = group_actors(ties.nodes, ties.ids, group_by, member_of=arrays.pairs_of("MEMBER_OF"))
    return _report(ties, groups, group_by, types, undirected, with_betweenness)


def brokerage_of(
    sub: Subgraph,
    group_by: str = DEFAULT_GROUP_BY,
    types: Sequence[str] | None = None,
    undirected: bool = False,
    with_betweenness: bool | None = None,
) -> dict[str, Any]:
    """:func:`brokerage` of a subgraph already loaded (its entities that are not actors are
    left out), so that a caller holding the whole graph does not read it again."""
    types = check_types(types)
    ties = ties_of(sub, types, undirected)
    return brokerage_report(sub, ties, group_by, types, undirected, with_betweenness)


def brokerage_report(
    sub: Subgraph,
    ties: TieGraph,
    group_by: str,
    types: Sequence[str] | None,
    undirected: bool,
    with_betweenness: bool | None,
) -> dict[str, Any]:
    """The brokerage document of the actor tie graph ``ties`` of ``sub``."""
    groups = group_actors(sub.nodes, ties.ids, group_by, sub)
    return _report(ties, groups, group_by, types, undirected, with_betweenness)


def _report(
    ties: TieGraph,
    groups: Groups,
    group_by: str,
    types: Sequence[str] | None,
    undirected: bool,
    with_betweenness: bool | None,
) -> dict[str, Any]:
    codes, labels = groups.codes()
    require_two_groups(labels, ties.n, group_by, "brokerage roles")
    n, src, dst = ties.n, ties.src, ties.dst
    arcs = Arcs(n, src, dst)
    raw = role_counts(arcs, codes)
    sizes = np.bincount(codes, minlength=len(labels))
    ebr, vbr, eg, vg = sna_expectations(n, ties.m, sizes)
    expected = ebr[codes]
    z = _z(raw.astype(np.float64), expected, vbr[codes])
    constraint, esize = burt(n, src, dst)
    compute_bc = with_betweenness if with_betweenness is not None else n <= BETWEENNESS_LIMIT
    bc = betweenness(n, src, dst) if compute_bc else None
    sole = _sole_broker_counts(arcs)
    rows = _rows(ties, codes, labels, raw, ebr, z, constraint, esize, bc, sole)
    columns = (*ROLES, "total")
    observed = raw.sum(axis=0).astype(np.float64)
    gz = _z(observed, eg, vg)
    notes = []
    if groups.missing:
        notes.append(groups.describe()["note"])
    if not compute_bc:
        notes.append(
            f"betweenness not computed: {n} actors is more than {BETWEENNESS_LIMIT}; ask for "
            "it with --betweenness (betweenness=true over HTTP)"
        )
    return {
        "group_by": group_by,
        "directed": not undirected,
        "types": list(types) if types else None,
        "actors": n,
        "ties": ties.m,
        "groups": groups.describe()["groups"],
        "totals": {
            col: {
                "observed": int(observed[j]),
                "expected": clean_float(eg[j]),
                "sd": clean_float(np.sqrt(max(vg[j], 0.0))),
                "z": clean_float(gz[j]),
            }
            for j, col in enumerate(columns)
        },
        "notes": notes,
        "nodes": rows,
    }


def _rows(
    ties: TieGraph,
    codes: np.ndarray,
    labels: list[str | None],
    raw: np.ndarray,
    ebr: np.ndarray,
    z: np.ndarray,
    constraint: np.ndarray,
    esize: np.ndarray,
    bc: np.ndarray | None,
    sole: np.ndarray,
) -> list[dict[str, Any]]:
    """One row per actor, sorted by total (descending) then id. Built column-wise: each
    float is cleaned once per distinct value (``clean_floats``), the expected values once
    per group and the z-scores once per (group, counts) (they depend on nothing else), so
    Python only assembles the dicts."""
    n, columns = ties.n, (*ROLES, "total")
    ids, nodes = ties.ids, ties.nodes
    counts = raw.tolist()
    group_of = codes.tolist()
    cleaned_z = clean_floats(z.ravel())
    expected_of = [dict(zip(columns, clean_floats(e), strict=True)) for e in ebr]
    con, eff = clean_floats(constraint), clean_floats(esize)
    between = clean_floats(bc) if bc is not None else [None] * n
    sole_pairs = sole.tolist()
    keys = list(zip((-raw[:, 5]).tolist(), ids, strict=True))
    z_of: dict[tuple[int, ...], dict[str, float | None]] = {}
    rows = []
    for step, i in enumerate(sorted(range(n), key=keys.__getitem__)):
        if not step & 4095:
            budget.check()
        node = nodes[ids[i]]
        c = counts[i]
        g = group_of[i]
        z_row = z_of.get((g, *c))
        if z_row is None:
            z_row = z_of[(g, *c)] = dict(zip(columns, cleaned_z[6 * i : 6 * i + 6], strict=True))
        rows.append(
            {
                "id": ids[i],
                "name": node.name,
                "kind": node.kind,
                "group": labels[g],
                "coordinator": c[0],
                "itinerant": c[1],
                "representative": c[2],
                "gatekeeper": c[3],
                "liaison": c[4],
                "total": c[5],
                "constraint": con[i],
                "effective_size": eff[i],
                "betweenness": between[i],
                "sole_broker_pairs": sole_pairs[i],
                "expected": expected_of[g].copy(),
                "z": z_row.copy(),
            }
        )
    return rows


def _sole_broker_counts(arcs: Arcs) -> np.ndarray:
    """For each broker, the ordered pairs (a, c) it alone connects in two steps (counted
    per arc a → broker by ``TwoStep``, never listed)."""
    sole = TwoStep(arcs).sole_per_arc()
    return np.bincount(arcs.dst, weights=sole, minlength=arcs.n).astype(np.int64)


# -- what breaks if a broker leaves ----------------------------------------------------------


def broker_impact(
    store: GraphStore,
    broker_id: str,
    group_by: str = DEFAULT_GROUP_BY,
    types: Sequence[str] | None = None,
    undirected: bool = True,
    limit: int = 200,
) -> dict[str, Any]:
    """What breaks if ``broker_id`` leaves.

    Real disconnection, at any length (the components of the actor graph without the broker
    against those with it, ties read both ways: leaving is about connection, not about arc
    direction; :func:`graph_service.analysis.fragility.remove_node`): ``cut_off``, the actors
    its removal separates from the largest part left of its component (the definition of
    ``fragility``'s cut points); ``cut_off_groups``, their groups; ``disconnected_group_pairs``,
    the pairs of groups {g, h} with a chain between two of their members before and none
    after; ``components`` before and after, among the other actors.

    And the short routes: the ordered pairs of actors whose only route of one or two steps
    runs through it (they are not tied and no other actor brokers them), and the ordered pairs
    of groups that lose every route of one or two steps between them. These too read ties
    both ways unless ``undirected`` is False (then along the arcs, as ``brokerage`` does by
    default: a coordinator whose ties all point outward then brokers nothing)."""
    import numpy as np

    from graph_service.analysis.fragility import remove_node

    types = check_types(types)
    sub, ties = load_ties(store, types, undirected)
    if broker_id not in ties.index:
        other = store.get_nodes([broker_id]).get(broker_id)
        if other is not None:
            kind = other.kind
            article = "an" if kind[0] in "AEIOU" else "a"
            raise InvalidInput(
                f"{broker_id!r} is {article} {kind}, not an actor: brokers are people, "
                "organisations and networks"
            )
        raise NotFound(f"no actor has the id {broker_id!r}")
    groups = group_actors(sub.nodes, ties.ids, group_by, sub)
    codes, labels = groups.codes()
    n, x = ties.n, ties.index[broker_id]
    arcs = Arcs(n, ties.src, ties.dst)
    brokered = int(role_counts(arcs, codes)[x, 5])
    into_x = np.arange(arcs.in_ptr[x], arcs.in_ptr[x + 1])
    sole_into_x = TwoStep(arcs).sole_per_arc()[arcs.in_arc[into_x]]
    lost_count = int(sole_into_x.sum())
    lost = _lost_pairs(arcs, x, arcs.src[arcs.in_arc[into_x]][sole_into_x > 0], limit)
    pairs = [
        {
            "from": ties.ids[a],
            "to": ties.ids[c],
            "from_group": labels[codes[a]],
            "to_group": labels[codes[c]],
        }
        for a, c in lost
    ]
    before = _group_routes(n, ties.src, ties.dst, codes, len(labels), None)
    after = _group_routes(n, ties.src, ties.dst, codes, len(labels), x)
    lost_groups = [
        {"from": labels[g], "to": labels[h]}
        for g, h in zip(*np.nonzero(before & ~after), strict=True)
        if g != h
    ]
    both = np.concatenate([ties.src * n + ties.dst, ties.dst * n + ties.src])
    both = np.unique(both) if both.size else both
    removal = remove_node(n, both // n, both % n, x, codes)
    cut_off = removal.cut_off.tolist()
    cut_groups = {labels[codes[i]] for i in cut_off}
    return {
        "id": broker_id,
        "name": sub.nodes[broker_id].name,
        "group_by": group_by,
        "group": labels[codes[x]],
        "directed": not undirected,
        "brokered_pairs": brokered,
        "lost_pairs": lost_count,
        "pairs": pairs,
        "truncated": lost_count > limit,
        "lost_group_pairs": lost_groups,
        "cut_off": [ties.ids[i] for i in cut_off],
        "cut_off_groups": sorted(cut_groups - {None}) + ([None] if None in cut_groups else []),
        "disconnected_group_pairs": [
            {"from": labels[g], "to": labels[h]} for g, h in removal.lost_group_pairs
        ],
        "components": {"before": removal.components_before, "after": removal.components_after},
    }


def _lost_pairs(arcs: Arcs, x: int, sources: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` pairs (a, c), by a then c, whose only route of one or two steps
    runs through x, among the ``sources`` a (ascending) known to have one at least: each
    costs the out-lists of a's other middles, and at most ``limit`` sources are looked at."""
    out: list[tuple[int, int]] = []
    targets = arcs.dst[arcs.out_ptr[x] : arcs.out_ptr[x + 1]]
    for a in sources.tolist():
        budget.check()
        mids = arcs.dst[arcs.out_ptr[a] : arcs.out_ptr[a + 1]]
        others = [arcs.dst[arcs.out_ptr[b] : arcs.out_ptr[b + 1]] for b in mids.tolist() if b != x]
        cut = np.concatenate([mids, np.array([a]), *others])
        found = targets[~np.isin(targets, cut)]
        out.extend((a, int(c)) for c in found[: limit - len(out)].tolist())
        if len(out) >= limit:
            break
    return out


def _group_routes(
    n: int, src: np.ndarray, dst: np.ndarray, codes: np.ndarray, k: int, without: int | None
) -> np.ndarray:
    """k × k booleans: is there a route of one or two steps from a member of group g to a
    member of group h (other than itself), avoiding the actor ``without``?

    Two steps a → b → c join G(a) to G(c) when b has an in-neighbour in G(a) and an
    out-neighbour in G(c), and, within one group, two distinct ones: worked out from each
    broker's (group, count) lists, never from the two-paths."""
    import scipy.sparse as sp

    keep = np.ones(src.size, dtype=bool)
    if without is not None:
        keep = (src != without) & (dst != without)
    s, t = src[keep], dst[keep]
    A = sp.csr_matrix((np.ones(s.size), (s, t)), shape=(n, n))
    G = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    one = (G.T @ A @ G).toarray() > 0
    # per broker b and group g: in-neighbours of b in g, out-neighbours of b in g
    inside = (A.T @ G).tocsr()  # b × g: in-neighbours
    outside = (A @ G).tocsr()  # b × g: out-neighbours
    has_in = inside.copy()
    has_in.data[:] = 1.0
    has_out = outside.copy()
    has_out.data[:] = 1.0
    two = (has_in.T @ has_out).toarray() > 0
    # within a group, a → b → c needs a ≠ c: more pairs than a's reciprocated with b
    arcs = Arcs(n, s, t)
    back = reciprocal(arcs)
    mutual = sp.csr_matrix(
        (np.ones(int(back.sum())), (arcs.dst[back], codes[arcs.src[back]])), shape=(n, k)
    )
    within = (inside.multiply(outside) - mutual).tocoo()
    groups = np.unique(within.col[within.data > 0])
    np.fill_diagonal(two, False)
    two[groups, groups] = True
    return one | two

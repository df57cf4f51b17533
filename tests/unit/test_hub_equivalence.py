"""The brokerage measures without listing two-paths give exactly what the enumeration gave
(issue 11 point 1): the old code, copied here, against the new on random graphs with hubs,
reciprocated ties and groups; Burt to the last bit, the counts as integers. And the map's
reach sizes against networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from graph_service.analysis import brokerage as br
from graph_service.analysis.twostep import Arcs, TwoStep
from graph_service.domain import Edge, Node, Subgraph
from viz.maps import _reach_sizes

OLD_BATCH = 4_000_000


# -- the old code (main before this change) --------------------------------------------------


def old_burt(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Burt as main had it (two-step paths listed per node)."""
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
    # two-step paths u - x - y: each pair (u, x) with each pair (x, y), then kept when (u, y)
    # is a pair of M; reversed, so that the terms of one (u, y) come with x descending. In
    # batches of whole nodes u (a hub makes degree² paths), so each sum is made in one batch.
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=ptr[1:])
    per_pair = degree[v]
    ends = np.zeros(pair.size + 1, dtype=np.int64)
    np.cumsum(per_pair, out=ends[1:])
    back = np.searchsorted(pair, v * n + u)  # the pair (v, u) of each pair (u, v)
    two = np.zeros(pair.size)
    redundancy = np.zeros(pair.size)
    at_node = ends[ptr]  # paths before each node's first pair
    lo = 0
    while lo < n:
        hi = int(np.searchsorted(at_node, at_node[lo] + OLD_BATCH, side="right")) - 1
        hi = max(hi, lo + 1)
        e_lo, e_hi = int(ptr[lo]), int(ptr[hi])
        cnt = per_pair[e_lo:e_hi]
        first = np.repeat(np.arange(e_lo, e_hi), cnt)
        offsets = np.arange(first.size) - np.repeat(ends[e_lo:e_hi] - ends[e_lo], cnt)
        second = np.repeat(ptr[v[e_lo:e_hi]], cnt) + offsets
        first, second = first[::-1], second[::-1]
        closing = u[first] * n + v[second]
        at = np.searchsorted(pair, closing)
        at[at == pair.size] = 0
        hit = pair[at] == closing if pair.size else np.zeros(0, bool)
        first, second, at = first[hit], second[hit], at[hit]
        two += np.bincount(at, weights=p[first] * p[second], minlength=pair.size)
        redundancy += np.bincount(at, weights=p[first] * m[back[second]], minlength=pair.size)
        lo = hi
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


def old_counts(n: int, src: np.ndarray, dst: np.ndarray, groups: np.ndarray) -> np.ndarray:
    paths = br.open_two_paths(n, src, dst)
    role = br.role_of(groups[paths.a], groups[paths.b], groups[paths.c])
    raw = np.bincount(paths.b * 5 + role, minlength=n * 5).reshape(n, 5)
    return np.hstack([raw, raw.sum(axis=1, keepdims=True)])


def old_sole(n: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Sole-broker counts per broker, and per broker its lost pairs (codes a·n + c, sorted)."""
    paths = br.open_two_paths(n, src, dst)
    if paths.a.size == 0:
        return np.zeros(n, dtype=np.int64), {}
    codes = paths.a * n + paths.c
    _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    sole = counts[inverse] == 1
    lost = {int(b): np.sort(codes[sole & (paths.b == b)]) for b in np.unique(paths.b)}
    return np.bincount(paths.b[sole], minlength=n), lost


def old_group_routes(
    n: int, src: np.ndarray, dst: np.ndarray, codes: np.ndarray, k: int, without: int | None
) -> np.ndarray:
    keep = np.ones(src.size, dtype=bool)
    if without is not None:
        keep = (src != without) & (dst != without)
    s, t = src[keep], dst[keep]
    A = sp.csr_matrix((np.ones(s.size), (s, t)), shape=(n, n))
    G = sp.csr_matrix((np.ones(n), (np.arange(n), codes)), shape=(n, k))
    one = (G.T @ A @ G).toarray() > 0
    two_paths = A @ A
    two_paths.setdiag(0)
    two = (G.T @ two_paths @ G).toarray() > 0
    return one | two


# -- random graphs ---------------------------------------------------------------------------


def random_graph(seed: int) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Arcs sorted and unique without self-arcs, with a hub or two (in, out or both ways),
    some reciprocated ties, and 1 to 4 groups."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    adj = rng.random((n, n)) < rng.random() * 0.3
    for _ in range(int(rng.integers(0, 3))):
        hub = int(rng.integers(0, n))
        adj[hub, :] |= rng.random(n) < rng.random()
        adj[:, hub] |= rng.random(n) < rng.random()
    if rng.random() < 0.3:
        adj |= adj.T
    np.fill_diagonal(adj, False)
    src, dst = np.nonzero(adj)
    groups = rng.integers(0, int(rng.integers(1, 5)), n)
    return n, src.astype(np.int64), dst.astype(np.int64), groups.astype(np.int64)


SEEDS = range(120)


@pytest.mark.parametrize("seed", SEEDS)
def test_burt_is_the_old_to_the_last_bit(seed: int) -> None:
    n, src, dst, _ = random_graph(seed)
    new_c, new_e = br.burt(n, src, dst)
    old_c, old_e = old_burt(n, src, dst)
    assert np.array_equal(new_c, old_c, equal_nan=True)
    assert np.array_equal(new_e, old_e, equal_nan=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_roles_and_sole_brokers_are_the_old(seed: int) -> None:
    n, src, dst, groups = random_graph(seed)
    assert (
        br.gould_fernandez(n, src, dst, groups).tolist() == old_counts(n, src, dst, groups).tolist()
    )
    arcs = Arcs(n, src, dst)
    want, lost = old_sole(n, src, dst)
    assert br._sole_broker_counts(arcs).tolist() == want.tolist()
    for x in range(n):
        into = np.arange(arcs.in_ptr[x], arcs.in_ptr[x + 1])
        sole = TwoStep(arcs, threshold=2).sole_per_arc()[arcs.in_arc[into]]
        sources = arcs.src[arcs.in_arc[into]][sole > 0]
        codes = lost.get(x, np.zeros(0, np.int64))
        assert int(sole.sum()) == codes.size
        for limit in (1, 5, 200):
            got = br._lost_pairs(arcs, x, sources, limit)
            assert got == [(int(c // n), int(c % n)) for c in codes[:limit]]


@pytest.mark.parametrize("seed", SEEDS)
def test_group_routes_are_the_old(seed: int) -> None:
    n, src, dst, groups = random_graph(seed)
    k = int(groups.max()) + 1
    for without in (None, 0, n - 1):
        new = br._group_routes(n, src, dst, groups, k, without)
        assert new.tolist() == old_group_routes(n, src, dst, groups, k, without).tolist()


@pytest.mark.parametrize("threshold", [0, 1, 3, None])
@pytest.mark.parametrize("seed", range(40))
def test_sole_brokers_with_any_split_of_heavy_and_light_middles(
    seed: int, threshold: int | None
) -> None:
    """Whichever middles are taken whole (threshold 0: all of them), the counts agree."""
    n, src, dst, _ = random_graph(seed)
    arcs = Arcs(n, src, dst)
    per_arc = TwoStep(arcs, threshold).sole_per_arc()
    got = np.bincount(arcs.dst, weights=per_arc, minlength=n).astype(np.int64)
    assert got.tolist() == old_sole(n, src, dst)[0].tolist()


@pytest.mark.parametrize("seed", range(60))
def test_map_reach_sizes_match_networkx(seed: int) -> None:
    n, src, dst, _ = random_graph(seed)
    ids = [f"e{i:02d}" for i in range(n)]
    nodes = {i: Node(i, "Person", {"name": i}) for i in ids}
    edges = [Edge(ids[a], "KNOWS", ids[b]) for a, b in zip(src.tolist(), dst.tolist(), strict=True)]
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in edges)
    want = {i: len(nx.single_source_shortest_path_length(g, i, cutoff=2)) - 1 for i in ids}
    assert _reach_sizes(Subgraph(nodes, edges)) == want


def test_reach_sizes_of_a_star_by_hand() -> None:
    """A hub with 5 members, one of them also tied to an outsider: the hub reaches the 5
    and the outsider; m0 the hub, the 4 other members and the outsider; the outsider m0 and
    the hub; another member the hub and the 4 others."""
    nodes = {i: Node(i, "Person", {"name": i}) for i in ["hub", "m0", "m1", "m2", "m3", "m4", "x"]}
    edges = [Edge(f"m{i}", "MEMBER_OF", "hub") for i in range(5)] + [Edge("m0", "KNOWS", "x")]
    assert _reach_sizes(Subgraph(nodes, edges)) == {
        "hub": 6,
        "m0": 6,
        "m1": 5,
        "m2": 5,
        "m3": 5,
        "m4": 5,
        "x": 2,
    }


def test_a_cancelled_request_stops_the_measures() -> None:
    """The loops check the request's budget: once it is cancelled (its client left), the
    brokerage and the map's reach sizes stop with ``Abandoned`` instead of finishing."""
    from graph_service import budget
    from graph_service.analysis.brokerage import brokerage_of

    nodes = {"hub": Node("hub", "Network", {"name": "hub", "admin_level": "national"})}
    nodes |= {
        f"m{i}": Node(f"m{i}", "Person", {"name": f"m{i}", "admin_level": "village"})
        for i in range(100)
    }
    edges = [Edge(f"m{i}", "MEMBER_OF", "hub") for i in range(100)]
    sub = Subgraph(nodes, edges)
    assert brokerage_of(sub, undirected=True)["nodes"][0]["total"] == 100 * 99
    with budget.limit(0) as request:
        request.cancel()
        with pytest.raises(budget.Abandoned):
            brokerage_of(sub, undirected=True)
        with pytest.raises(budget.Abandoned):
            _reach_sizes(sub)

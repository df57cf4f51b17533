"""Two-step questions on graphs with hubs, in memory and time that grow with the ties.

A hub of N members has about N² two-step paths through it (every member reaches every other
one through the hub), so nothing here enumerates the two-step paths. What is enumerated:

- for Burt's measures and closed triads, the middles x common to the two ends of an existing
  tie, by walking the shorter of the two neighbour lists and looking the other tie up in the
  sorted arc codes: Σ over ties of min(degree), at most O(m·√m) and O(m) for a star;
- for the questions about *pairs* at distance two (who alone brokers a pair, how many entities
  a node reaches in two steps), the two-step paths through *light* middles only (out-degree at
  most ``heavy_threshold``, about √m): at most ``threshold × m`` of them. The paths through a
  *heavy* middle h are counted, not listed: all of h's out-neighbours, minus the few that are
  also reached another way, which are among the light paths and the ties themselves.

Everything runs in batches of at most ``BATCH`` generated entries and calls
``graph_service.budget.check()`` between batches, so a request's deadline stops it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from graph_service import budget

#: entries generated per batch (each a few int64 arrays: about 100 MB at most)
BATCH = 2_000_000


def batches(cost: np.ndarray, key: np.ndarray | None = None) -> Iterator[tuple[int, int]]:
    """Ranges [lo, hi) of items whose ``cost`` adds up to at most ``BATCH`` (one item at
    least). With ``key`` (sorted), a range never splits a run of equal keys."""
    bounds = np.zeros(cost.size + 1, dtype=np.int64)
    np.cumsum(cost, out=bounds[1:])
    lo = 0
    while lo < cost.size:
        budget.check()
        hi = int(np.searchsorted(bounds, bounds[lo] + BATCH, side="right")) - 1
        hi = max(hi, lo + 1)
        if key is not None and hi < cost.size:
            hi = int(np.searchsorted(key, key[hi - 1], side="right"))
        yield lo, hi
        lo = hi


def expand(first: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For item i, the positions first[i], first[i] + 1, ..., first[i] + count[i] − 1:
    returns (item of each position, position).

    >>> [a.tolist() for a in expand(np.array([5, 0]), np.array([2, 3]))]
    [[0, 0, 1, 1, 1], [5, 6, 0, 1, 2]]
    """
    count = np.asarray(count, dtype=np.int64)
    total = int(count.sum())
    which = np.repeat(np.arange(count.size), count)
    starts = np.cumsum(count) - count
    where = np.arange(total, dtype=np.int64) - np.repeat(starts - first, count)
    return which, where


class Arcs:
    """A directed graph of ``n`` nodes whose arcs ``src → dst`` are de-duplicated, sorted by
    (src, dst) and without self-arcs (what a ``TieGraph`` holds), with the out- and in-lists
    and a lookup of arcs by their ends."""

    def __init__(self, n: int, src: np.ndarray, dst: np.ndarray) -> None:
        self.n = n
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.codes = self.src * n + self.dst  # sorted
        self.outdeg = np.bincount(self.src, minlength=n).astype(np.int64)
        self.indeg = np.bincount(self.dst, minlength=n).astype(np.int64)
        self.out_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(self.outdeg, out=self.out_ptr[1:])
        self.in_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(self.indeg, out=self.in_ptr[1:])
        #: the arcs by (dst, src): in_arc[k] is the k-th arc in that order
        self.in_arc = np.lexsort((self.src, self.dst)) if self.src.size else self.src.copy()

    @property
    def m(self) -> int:
        return int(self.src.size)

    def find(self, a: np.ndarray, c: np.ndarray) -> np.ndarray:
        """The index of each arc a → c, −1 where there is none."""
        codes = a * self.n + c
        if self.codes.size == 0:
            return np.full(codes.shape, -1, dtype=np.int64)
        pos = np.searchsorted(self.codes, codes)
        np.minimum(pos, self.codes.size - 1, out=pos)
        return np.where(self.codes[pos] == codes, pos, -1)

    def heavy_threshold(self) -> int:
        """Middles with more out-arcs than this are counted, not enumerated (about √m)."""
        return max(64, math.isqrt(max(self.m, 1)))


def closed_triads(arcs: Arcs) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every (a, b, c) with a → b, b → c and a → c, in batches: for each arc a → c, the
    middles b ∈ out(a) ∩ in(c), found from the shorter of the two lists."""
    src, dst = arcs.src, arcs.dst
    from_out = arcs.outdeg[src] <= arcs.indeg[dst]
    cost = np.where(from_out, arcs.outdeg[src], arcs.indeg[dst])
    for lo, hi in batches(cost):
        which, where = expand(
            np.where(from_out[lo:hi], arcs.out_ptr[src[lo:hi]], arcs.in_ptr[dst[lo:hi]]),
            cost[lo:hi],
        )
        e = lo + which
        a, c, out_side = src[e], dst[e], from_out[e]
        # from out(a): where is an arc a -> b; from in(c): in_arc[where] is an arc b -> c
        b = np.where(out_side, dst[where], src[arcs.in_arc[np.minimum(where, arcs.m - 1)]])
        other = np.where(out_side, arcs.find(b, c), arcs.find(a, b))
        hit = other >= 0
        yield a[hit], b[hit], c[hit]


def reciprocal(arcs: Arcs) -> np.ndarray:
    """Per arc a → b, whether b → a is an arc too."""
    return arcs.find(arcs.dst, arcs.src) >= 0


class TwoStep:
    """Pairs (a, c) at two steps a → b → c, counted per arc a → b without listing them.

    ``sole_per_arc()``: for each arc a → b, the c for which b is the only middle of an open
    pair (a ≠ c, no arc a → c); ``reach_sizes()``: how many nodes each node reaches within two
    steps. Both split the middles into light ones, whose paths are listed, and heavy ones
    (out-degree above ``Arcs.heavy_threshold``), whose out-lists are taken whole.
    """

    def __init__(self, arcs: Arcs, threshold: int | None = None) -> None:
        self.arcs = arcs
        self.threshold = arcs.heavy_threshold() if threshold is None else threshold
        self.heavy = arcs.outdeg > self.threshold
        heavy_arc = self.heavy[arcs.dst]
        #: the arcs a -> h with h heavy, grouped by a (arc order)
        self.heavy_arcs = np.flatnonzero(heavy_arc)
        self.nheavy = np.bincount(arcs.src[heavy_arc], minlength=arcs.n).astype(np.int64)
        self.heavy_ptr = np.zeros(arcs.n + 1, dtype=np.int64)
        np.cumsum(self.nheavy, out=self.heavy_ptr[1:])
        light = ~heavy_arc
        self.light_arcs = np.flatnonzero(light)
        #: per node a, how many two-step paths run through its light middles
        self.wedges = np.bincount(
            arcs.src[light], weights=arcs.outdeg[arcs.dst[light]], minlength=arcs.n
        ).astype(np.int64)

    def _candidates(self, with_self: bool) -> Iterator[dict[str, np.ndarray]]:
        """Per batch of sources a, the distinct pairs (a, c) with c at the end of a light
        two-step path, an out-neighbour of a, or (``with_self``) a itself; with, per pair,
        the light paths (kL), whether c is a or an out-neighbour (closed), the heavy middles
        h ∈ out(a) with h → c (kH) and, where kH = 1, that arc a → h."""
        arcs, n = self.arcs, self.arcs.n
        per_source = (self.wedges + arcs.outdeg + 1) * (1 + self.nheavy)
        nodes = np.arange(n, dtype=np.int64)
        for alo, ahi in batches(per_source):
            # light paths a -> b -> c of the sources alo..ahi
            lo_e = int(np.searchsorted(self.light_arcs, arcs.out_ptr[alo]))
            hi_e = int(np.searchsorted(self.light_arcs, arcs.out_ptr[ahi]))
            light = self.light_arcs[lo_e:hi_e]
            mid = arcs.dst[light]
            which, where = expand(arcs.out_ptr[mid], arcs.outdeg[mid])
            path_arc = light[which]
            path_code = arcs.src[path_arc] * n + arcs.dst[where]
            e_lo, e_hi = int(arcs.out_ptr[alo]), int(arcs.out_ptr[ahi])
            own = nodes[alo:ahi]
            parts = [path_code, arcs.codes[e_lo:e_hi]]
            if with_self:
                parts.append(own * n + own)
            pair, inverse = np.unique(np.concatenate(parts), return_inverse=True)
            inverse = inverse.ravel()
            k_light = np.bincount(inverse[: path_code.size], minlength=pair.size)
            closed = np.zeros(pair.size, dtype=bool)
            closed[inverse[path_code.size : path_code.size + (e_hi - e_lo)]] = True
            a, c = pair // n, pair % n
            closed |= a == c
            # heavy middles of a that reach c
            which_h, where_h = expand(self.heavy_ptr[a], self.nheavy[a])
            h_arc = self.heavy_arcs[where_h]
            hit = arcs.find(arcs.dst[h_arc], c[which_h]) >= 0
            k_heavy = np.bincount(which_h[hit], minlength=pair.size)
            only_heavy = np.full(pair.size, -1, dtype=np.int64)
            only_heavy[which_h[hit]] = h_arc[hit]
            yield {
                "pair": pair,
                "a": a,
                "c": c,
                "k_light": k_light,
                "closed": closed,
                "k_heavy": k_heavy,
                "only_heavy": only_heavy,
                "path_arc": path_arc,
                "path_pair": inverse[: path_code.size],
            }

    def _heavy_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per arc a → h to a heavy middle (``heavy_arcs`` order): how many out-neighbours of
        h no other heavy middle of a has; per node a: the size of the union of its heavy
        middles' out-lists. Worked out once per distinct set of heavy middles."""
        arcs = self.arcs
        a_of, h_of = arcs.src[self.heavy_arcs], arcs.dst[self.heavy_arcs]
        unique = arcs.outdeg[h_of].copy()
        union = np.zeros(arcs.n, dtype=np.int64)
        single = self.nheavy[a_of] == 1
        union[a_of[single]] = unique[single]
        cache: dict[bytes, tuple[np.ndarray, int]] = {}
        for step, a in enumerate(np.flatnonzero(self.nheavy > 1).tolist()):
            if step % 1024 == 0:
                budget.check()
            lo, hi = int(self.heavy_ptr[a]), int(self.heavy_ptr[a + 1])
            hs = h_of[lo:hi]
            key = hs.tobytes()
            found = cache.get(key)
            if found is None:
                budget.check()
                lists = [arcs.dst[arcs.out_ptr[h] : arcs.out_ptr[h + 1]] for h in hs.tolist()]
                every = np.concatenate(lists)
                distinct, counts = np.unique(every, return_counts=True)
                once = counts[np.searchsorted(distinct, every)] == 1
                owner = np.repeat(np.arange(hs.size), [x.size for x in lists])
                alone = np.bincount(owner[once], minlength=hs.size).astype(np.int64)
                found = cache[key] = (alone, int(distinct.size))
            unique[lo:hi] = found[0]
            union[a] = found[1]
        return unique, union

    def sole_per_arc(self) -> np.ndarray:
        """For each arc a → b: the nodes c such that a ≠ c, there is no arc a → c, and b is
        the only middle of a two-step path from a to c."""
        arcs = self.arcs
        sole = np.zeros(arcs.m, dtype=np.int64)
        sole[self.heavy_arcs] = self._heavy_counts()[0]
        for batch in self._candidates(with_self=True):
            k_light, k_heavy, closed = batch["k_light"], batch["k_heavy"], batch["closed"]
            # a light middle is the only one of an open pair it alone joins
            alone = (k_light == 1) & (k_heavy == 0) & ~closed
            sole += np.bincount(
                batch["path_arc"][alone[batch["path_pair"]]], minlength=arcs.m
            ).astype(np.int64)
            # a heavy middle's out-neighbours reached by it alone among the heavy ones, but
            # also by a light middle, or closed: not its sole pairs
            taken = (k_heavy == 1) & ((k_light > 0) | closed)
            sole -= np.bincount(batch["only_heavy"][taken], minlength=arcs.m).astype(np.int64)
        return sole

    def reach_sizes(self) -> np.ndarray:
        """For each node, the nodes other than itself within two steps along the arcs."""
        arcs = self.arcs
        size = self._heavy_counts()[1]
        for batch in self._candidates(with_self=False):
            a, c = batch["a"], batch["c"]
            # the pairs not in a heavy middle's out-list (those are in the union already)
            new = (batch["k_heavy"] == 0) & (a != c)
            size += np.bincount(a[new], minlength=arcs.n).astype(np.int64)
        # a itself is in the union when one of its heavy middles has an arc back to it
        a_of = arcs.src[self.heavy_arcs]
        back = arcs.find(arcs.dst[self.heavy_arcs], a_of) >= 0
        size -= np.bincount(a_of[back], minlength=arcs.n) > 0
        return size

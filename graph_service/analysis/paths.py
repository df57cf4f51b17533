"""Chains and missing links: ``path`` and ``unlinked`` (CONTRACT.md section 2b).

**Chains.** A chain from FROM to TO is a sequence of entities each joined to the next by a
relationship, read both ways (the direction of an arc does not matter: "who is our route to
the governor's committee"). ``types`` keeps only relationships of those types;
``actors_only`` keeps only Person, Organisation and Network on the chain, ends included;
``upward`` keeps only steps that go to the same or a higher administrative level
(``domain.ADMIN_LEVELS``, top down: international, national, regional, provincial, district,
subdistrict, village, community), so every entity on an upward chain has a known
``admin_level`` ("is there a path upward to a ministry?"). The shortest chains are those
with the fewest steps; ``paths`` lists them in the order of their ids, position by position.

On Neo4j a chain between two entities is one ``allShortestPaths`` statement in the
database (``Neo4jStore.shortest_paths``, ``cypher/graph/shortest_paths.cypher``). Elsewhere
(the embedded store, and on Neo4j an upward chain or the nearest match of a filter) the
search is a
bidirectional breadth-first search (each side expanding the smaller frontier) over the
graph read as arrays (``GraphStore.graph_arrays``), in numpy. When the
two balls meet after ``a`` steps from FROM and ``b`` from TO, the distance is ``a + b`` and
every shortest chain passes through the meeting layer (entities ``a`` from FROM and ``b`` from
TO); the number of shortest chains is Σ over that layer of (shortest chains FROM→m) ×
(shortest chains m→TO), counted by dynamic programming on the two breadth-first DAGs, and
the chains themselves are listed from those DAGs (Brandes 2001 counts shortest paths the
same way). ``count`` says how many shortest chains there are; without ``all_paths`` at most
:data:`MAX_PATHS` are listed and ``truncated`` says whether some were left out.

**Missing links.** ``unlinked`` answers "which entities matching one filter have no chain
of at most K steps to any entity matching another" with one multi-source breadth-first
search from the targets (a source is linked when the search reaches it within K steps);
for each linked source, the targets it reaches within K steps come from K rounds of a
sparse boolean product over the linked sources only. An entity is never its own target.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph_service import budget
from graph_service.analysis.common import check_depth, check_types
from graph_service.analysis.filters import Filter, parse_filter, read_arrays, select
from graph_service.domain import ACTOR_KINDS, ADMIN_LEVELS
from graph_service.entities import resolve_entity
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np

    from graph_service.store.arrays import GraphArrays

#: the shortest chains listed without ``--all``
MAX_PATHS = 20
#: the most chains ``--all`` lists (a grid graph has exponentially many)
MAX_ALL_PATHS = 100_000
DEFAULT_UNLINKED_DEPTH = 1


@dataclass
class Steps:
    """The steps a chain may take, as compressed adjacency (CSR) both ways: the arcs from
    position ``u`` are ``fwd_dst[fwd_ptr[u]:fwd_ptr[u + 1]]`` (ascending), the arcs into it
    ``rev_dst[rev_ptr[u]:rev_ptr[u + 1]]``. Positions are those of ``ids`` (sorted)."""

    ids: list[str]
    fwd_ptr: np.ndarray
    fwd_dst: np.ndarray
    rev_ptr: np.ndarray
    rev_dst: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


def build_steps(arrays: GraphArrays, actors_only: bool = False, upward: bool = False) -> Steps:
    """The steps of :class:`Steps` from a graph read as arrays: every relationship both
    ways, without self-loops; ``actors_only``: only between actors; ``upward``: only from an
    entity with a known ``admin_level`` to one at the same or a higher level."""
    import numpy as np

    n = arrays.n
    keep = arrays.src != arrays.dst
    s = np.concatenate([arrays.src[keep], arrays.dst[keep]])
    d = np.concatenate([arrays.dst[keep], arrays.src[keep]])
    if actors_only:
        actor = arrays.kind_mask(ACTOR_KINDS)
        ok = actor[s] & actor[d]
        s, d = s[ok], d[ok]
    if upward:
        rank = admin_ranks(arrays)
        ok = (rank[s] >= 0) & (rank[d] >= 0) & (rank[d] <= rank[s])
        s, d = s[ok], d[ok]
    width = max(n, 1)
    codes = _distinct(s.astype(np.int64) * width + d)
    s, d = codes // width, codes % width
    fwd_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=fwd_ptr[1:])
    order = np.lexsort((s, d))
    rev_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(d, minlength=n), out=rev_ptr[1:])
    return Steps(arrays.ids, fwd_ptr, d, rev_ptr, s[order])


def admin_ranks(arrays: GraphArrays) -> np.ndarray:
    """Each entity's place in ``ADMIN_LEVELS`` (0 = international, the top), -1 when it
    has no known ``admin_level``."""
    import numpy as np

    rank = {level: i for i, level in enumerate(ADMIN_LEVELS)}
    return np.fromiter(
        (rank.get(p.get("admin_level"), -1) for p in arrays.props_list()),  # type: ignore[arg-type]
        dtype=np.int64,
        count=arrays.n,
    )


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (sort and compare: numpy 2's ``np.unique`` hashes,
    ten times slower on 600,000 integers)."""
    import numpy as np

    values = np.sort(values)
    if values.size:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def _expand(
    ptr: np.ndarray, dst: np.ndarray, frontier: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(origin, neighbour) of every arc out of ``frontier``."""
    import numpy as np

    starts = ptr[frontier]
    counts = ptr[frontier + 1] - starts
    total = int(counts.sum())
    if not total:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(total)
    return np.repeat(frontier, counts), dst[offsets]


def _levels(
    ptr: np.ndarray, dst: np.ndarray, sources: np.ndarray, n: int, depth: int | None = None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """One multi-source breadth-first search, a level at a time: yields (the positions
    first reached at this level, the distances so far; -1: not reached yet), from the
    sources themselves (level 0) to ``depth`` (None: as far as the ties go)."""
    import numpy as np

    dist = np.full(n, -1, dtype=np.int64)
    frontier = _distinct(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    level = 0
    yield frontier, dist
    while frontier.size and (depth is None or level < depth):
        budget.check()
        level += 1
        _, reached = _expand(ptr, dst, frontier)
        reached = _distinct(reached)
        frontier = reached[dist[reached] < 0]
        dist[frontier] = level
        yield frontier, dist


def breadth_first(
    ptr: np.ndarray, dst: np.ndarray, sources: np.ndarray, n: int, depth: int | None = None
) -> np.ndarray:
    """Steps from the nearest of ``sources`` to every position (-1: not within ``depth``):
    one multi-source breadth-first search."""
    *_, (_, dist) = _levels(ptr, dst, sources, n, depth)
    return dist


@dataclass
class _Chains:
    """The shortest chains from ``s`` to ``t``: their length, their number, and the two
    breadth-first DAGs that list them."""

    length: int
    count: int
    prefix: dict[int, list[int]]  # s-side: node -> next nodes towards the meeting layer
    suffix: dict[int, list[int]]  # t-side: node -> next nodes towards t
    meeting: set[int]
    split: int  # steps from s to the meeting layer


def shortest_chains(steps: Steps, s: int, t: int) -> _Chains | None:
    """The shortest chains from position ``s`` to ``t`` (None: no chain), by bidirectional
    breadth-first search."""
    import numpy as np

    if s == t:
        return _Chains(0, 1, {}, {}, {s}, 0)
    n = steps.n
    ds = np.full(n, -1, dtype=np.int64)
    dt = np.full(n, -1, dtype=np.int64)
    ds[s], dt[t] = 0, 0
    fs = np.array([s], dtype=np.int64)
    ft = np.array([t], dtype=np.int64)
    a = b = 0
    meeting = np.zeros(0, dtype=np.int64)
    while fs.size and ft.size:
        budget.check()
        if fs.size <= ft.size:
            a += 1
            _, nb = _expand(steps.fwd_ptr, steps.fwd_dst, fs)
            nb = _distinct(nb)
            fs = nb[ds[nb] < 0]
            ds[fs] = a
            meeting = fs[dt[fs] >= 0]
        else:
            b += 1
            _, nb = _expand(steps.rev_ptr, steps.rev_dst, ft)
            nb = _distinct(nb)
            ft = nb[dt[nb] < 0]
            dt[ft] = b
            meeting = ft[ds[ft] >= 0]
        if meeting.size:
            break
    if not meeting.size:
        return None
    # every shortest chain passes through the meeting layer (a steps from s, b from t)
    prefix: dict[int, list[int]] = {}
    layer = meeting
    for k in range(a - 1, -1, -1):  # the s-side DAG, from the meeting layer back to s
        into, origin = _expand(steps.rev_ptr, steps.rev_dst, layer)
        ok = ds[origin] == k
        into, origin = into[ok], origin[ok]
        order = np.lexsort((into, origin))
        for u, w in zip(origin[order].tolist(), into[order].tolist(), strict=True):
            prefix.setdefault(u, []).append(w)
        layer = _distinct(origin)
    suffix: dict[int, list[int]] = {}
    layer = meeting
    for k in range(b - 1, -1, -1):  # the t-side DAG, from the meeting layer on to t
        origin, out = _expand(steps.fwd_ptr, steps.fwd_dst, layer)
        ok = dt[out] == k
        origin, out = origin[ok], out[ok]
        order = np.lexsort((out, origin))
        for u, w in zip(origin[order].tolist(), out[order].tolist(), strict=True):
            suffix.setdefault(u, []).append(w)
        layer = _distinct(out)
    meet = set(meeting.tolist())
    return _Chains(a + b, _count(s, t, prefix, suffix, meet), prefix, suffix, meet, a)


def _count(
    s: int, t: int, prefix: dict[int, list[int]], suffix: dict[int, list[int]], meet: set[int]
) -> int:
    """Σ over the meeting layer of (chains s→m) × (chains m→t), exact (Python integers)."""
    from_s: dict[int, int] = {s: 1}
    layer = [s]
    while layer and not meet.issuperset(layer):
        nxt: dict[int, int] = {}
        for u in layer:
            for w in prefix.get(u, ()):
                nxt[w] = nxt.get(w, 0) + from_s[u]
        from_s.update(nxt)
        layer = list(nxt)
    to_t: dict[int, int] = {}

    def chains_to_t(u: int) -> int:
        if u == t:
            return 1
        if u not in to_t:
            to_t[u] = sum(chains_to_t(w) for w in suffix.get(u, ()))
        return to_t[u]

    # the t-side DAG is walked level by level from t back, so the recursion stays shallow
    levels: list[list[int]] = [sorted(meet)]
    while levels[-1] and levels[-1] != [t]:
        levels.append(sorted({w for u in levels[-1] for w in suffix.get(u, ())}))
    for level in reversed(levels):
        for u in level:
            chains_to_t(u)
    return sum(from_s.get(m, 0) * chains_to_t(m) for m in meet)


def _list_chains(chains: _Chains, s: int, t: int, limit: int) -> Iterator[list[int]]:
    """The shortest chains in the order of their positions, at most ``limit``."""
    if chains.length == 0:
        yield [s]
        return
    emitted = 0
    path = [s]

    def nexts(u: int, at: int) -> list[int]:
        return chains.prefix.get(u, []) if at < chains.split else chains.suffix.get(u, [])

    stack = [iter(nexts(s, 0))]
    while stack:
        budget.check()
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            path.pop()
            continue
        path.append(nxt)
        if len(path) - 1 == chains.length:
            if nxt == t:
                yield list(path)
                emitted += 1
                if emitted >= limit:
                    return
            path.pop()
            continue
        stack.append(iter(nexts(nxt, len(path) - 1)))


def path(
    store: GraphStore,
    source: str,
    target: str | None = None,
    *,
    to_where: str | Sequence[str] | None = None,
    actors_only: bool = False,
    types: Sequence[str] | None = None,
    upward: bool = False,
    all_paths: bool = False,
) -> dict[str, Any]:
    """The ``path`` document (CONTRACT.md section 2b): the shortest chains from ``source``
    to ``target`` (ids or unique names), or with ``to_where`` to the nearest entity that
    matches that filter (ties: the smallest id; ``nearest`` lists every match at that
    distance). ``{"from", "to", "length", "paths", "truncated", "count"}``; no chain:
    ``length`` None and ``paths`` []. See the module's docstring for the definitions.

    >>> from graph_service.store.embedded import EmbeddedStore
    >>> from graph_service.domain import Node, Edge
    >>> import tempfile, os
    >>> st = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
    >>> _ = st.write([Node(i, "Person", {"name": i}) for i in "abcd"],
    ...              [Edge("a", "KNOWS", "b"), Edge("a", "KNOWS", "c"),
    ...               Edge("d", "KNOWS", "b"), Edge("c", "KNOWS", "d")])
    >>> doc = path(st, "a", "d")
    >>> doc["length"], doc["paths"], doc["count"]
    (2, [['a', 'b', 'd'], ['a', 'c', 'd']], 2)
    """
    import numpy as np

    types = check_types(types)
    if (target is None) == (to_where is None or not to_where):
        raise InvalidInput("give either TO or --to-where FILTER (not both, not neither)")
    start = resolve_entity(store, source)
    _check_end(start.kind, start.id, actors_only)
    limit = MAX_ALL_PATHS if all_paths else MAX_PATHS
    in_store = getattr(store, "shortest_paths", None)
    if target is not None and in_store is not None and not upward:
        # Neo4j: one allShortestPaths statement in the database (an upward chain is a
        # predicate on consecutive steps, which Neo4j would answer by an exhaustive search
        # of every path: it is searched on the arrays, as on the embedded store)
        end = resolve_entity(store, target)
        _check_end(end.kind, end.id, actors_only)
        found = (1, [[start.id]]) if end.id == start.id else None
        if found is None:
            found = in_store(start.id, end.id, types, actors_only, limit)
        count, listed = found or (0, [])
        return {
            "from": start.id,
            "to": end.id,
            "length": len(listed[0]) - 1 if listed else None,
            "paths": sorted(listed),
            "truncated": count > len(listed),
            "count": count,
            "actors_only": actors_only,
            "types": types,
            "upward": upward,
        }
    arrays = read_arrays(store, None, types)
    steps = build_steps(arrays, actors_only=actors_only, upward=upward)
    index = {id_: i for i, id_ in enumerate(arrays.ids)}
    s = index[start.id]
    doc: dict[str, Any] = {"from": start.id}
    flt: Filter | None = None
    if target is not None:
        end = resolve_entity(store, target)
        _check_end(end.kind, end.id, actors_only)
        t: int | None = index[end.id]
        doc["to"] = end.id
    else:
        flt = parse_filter(to_where)
        assert flt is not None
        wanted = set(select(store, flt, arrays if types is None else None))
        wanted.discard(start.id)
        if actors_only:
            wanted = {i for i in wanted if arrays.nodes[i].kind in ACTOR_KINDS}
        mask = np.zeros(steps.n, dtype=bool)
        mask[[index[i] for i in wanted]] = True
        t, nearest = _nearest(steps, s, mask)
        doc["to"] = None if t is None else steps.ids[t]
        doc["to_where"] = flt.text
        doc["nearest"] = [steps.ids[i] for i in nearest]
    chains = None if t is None else shortest_chains(steps, s, t)
    if chains is None or t is None:
        doc.update(length=None, paths=[], truncated=False, count=0)
    else:
        listed = [[steps.ids[i] for i in p] for p in _list_chains(chains, s, t, limit)]
        doc.update(
            length=chains.length,
            paths=listed,
            truncated=chains.count > len(listed),
            count=chains.count,
        )
    doc.update(actors_only=actors_only, types=types, upward=upward)
    return doc


def _check_end(kind: str, id_: str, actors_only: bool) -> None:
    if actors_only and kind not in ACTOR_KINDS:
        raise InvalidInput(
            f"--actors-only: {id_!r} is a {kind}, not an actor (Person, Organisation, Network)",
            {"id": id_},
        )


def _nearest(steps: Steps, s: int, mask: np.ndarray) -> tuple[int | None, list[int]]:
    """The nearest position where ``mask`` holds (smallest id among the nearest), and all
    the nearest ones; (None, []) when none is reachable. The search stops at the first
    level that holds one."""
    import numpy as np

    start = np.array([s], dtype=np.int64)
    for level, (frontier, _) in enumerate(_levels(steps.fwd_ptr, steps.fwd_dst, start, steps.n)):
        hit = frontier[mask[frontier]] if level else frontier[:0]
        if hit.size:
            found = sorted(hit.tolist())
            return found[0], found
    return None, []


def unlinked(
    store: GraphStore,
    from_where: str | Sequence[str],
    to_where: str | Sequence[str],
    depth: int = DEFAULT_UNLINKED_DEPTH,
    types: Sequence[str] | None = None,
    actors_only: bool = False,
    breakdown: str | None = None,
) -> dict[str, Any]:
    """The ``unlinked`` document (CONTRACT.md section 2b): the entities matching
    ``from_where`` with no chain of at most ``depth`` steps (ties read both ways, through
    ``types`` only, through actors only with ``actors_only``) to any entity matching
    ``to_where`` other than themselves; for the others, the targets each reaches within
    ``depth`` steps. ``{"from", "to", "depth", "unlinked": [ids], "linked": [{"id",
    "reaches": [ids]}]}``, sorted by id. An entity matching both filters is unlinked when
    it reaches no *other* target ("villagers with the same problem, not yet connected":
    ``--from tag=x --to tag=x``); ``"targets_themselves"`` lists the sources that match
    ``to_where`` too, so a reader can tell "the national network has no link to another
    national network" from a gap. With ``breakdown`` (an attribute: ``kind``,
    ``level`` or a property), ``"breakdown": {value: count}`` counts the unlinked entities
    by it (``"null"``: without it).

    >>> from graph_service.store.embedded import EmbeddedStore
    >>> from graph_service.domain import Node, Edge
    >>> import tempfile, os
    >>> st = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
    >>> _ = st.write([Node("n1", "Network", {"name": "n1", "admin_level": "provincial"}),
    ...               Node("n2", "Network", {"name": "n2", "admin_level": "provincial"}),
    ...               Node("m", "Organisation", {"name": "m", "admin_level": "national"})],
    ...              [Edge("n1", "REPORTS_TO", "m")])
    >>> doc = unlinked(st, "admin_level=provincial", "admin_level=national")
    >>> doc["unlinked"], doc["linked"]
    (['n2'], [{'id': 'n1', 'reaches': ['m']}])
    """
    import numpy as np

    depth = check_depth(depth)
    types = check_types(types)
    sources_filter, targets_filter = parse_filter(from_where), parse_filter(to_where)
    if sources_filter is None or targets_filter is None:
        raise InvalidInput("give both --from FILTER and --to FILTER (e.g. kind=Network)")
    arrays = read_arrays(store, None, types)
    placement = arrays if types is None else None
    sources = select(store, sources_filter, placement)
    targets = select(store, targets_filter, placement)
    if actors_only:
        sources = [i for i in sources if arrays.nodes[i].kind in ACTOR_KINDS]
        targets = [i for i in targets if arrays.nodes[i].kind in ACTOR_KINDS]
    steps = build_steps(arrays, actors_only=actors_only)
    index = {id_: i for i, id_ in enumerate(arrays.ids)}
    src = np.array([index[i] for i in sources], dtype=np.int64)
    tgt = np.array([index[i] for i in targets], dtype=np.int64)
    # one multi-source breadth-first search from the targets
    dist = breadth_first(steps.fwd_ptr, steps.fwd_dst, tgt, steps.n, depth)
    candidates = src[dist[src] >= 0] if src.size else src
    reaches = _reaches(steps, candidates, tgt, depth)
    linked = [
        {"id": steps.ids[u], "reaches": [steps.ids[v] for v in found]}
        for u, found in zip(candidates.tolist(), reaches, strict=True)
        if found
    ]
    linked_ids = {row["id"] for row in linked}
    target_ids = set(targets)
    themselves = [i for i in sources if i in target_ids]
    missing = [i for i in sources if i not in linked_ids]
    doc: dict[str, Any] = {
        "from": sources_filter.text,
        "to": targets_filter.text,
        "depth": depth,
        "types": types,
        "actors_only": actors_only,
        "sources": len(sources),
        "targets": len(targets),
        "unlinked": missing,
        "linked": linked,
        "targets_themselves": themselves,
    }
    if breakdown:
        from graph_service.analysis.filters import count_by

        doc["breakdown_by"] = breakdown
        doc["breakdown"] = count_by(arrays.nodes, missing, breakdown)
    return doc


def _reaches(steps: Steps, sources: np.ndarray, targets: np.ndarray, depth: int) -> list[list[int]]:
    """For each of ``sources``, the ``targets`` (other than itself) within ``depth`` steps,
    ascending: ``depth`` rounds of a sparse boolean product, one row per source."""
    import numpy as np
    from scipy import sparse

    if not sources.size or not targets.size:
        return [[] for _ in sources.tolist()]
    n = steps.n
    adjacency = sparse.csr_matrix(
        (np.ones(steps.fwd_dst.size, dtype=np.int32), steps.fwd_dst, steps.fwd_ptr),
        shape=(n, n),
    )
    k = sources.size
    seen = sparse.csr_matrix((np.ones(k, dtype=np.int32), (np.arange(k), sources)), shape=(k, n))
    frontier = seen
    for _ in range(depth):  # frontier: what each source reaches in exactly this many steps
        budget.check()
        nxt = frontier @ adjacency
        nxt.data[:] = 1
        nxt = (nxt - nxt.multiply(seen)).tocsr()
        nxt.eliminate_zeros()
        if not nxt.nnz:
            break
        seen = (seen + nxt).tocsr()
        frontier = nxt
    is_target = np.zeros(n, dtype=bool)
    is_target[targets] = True
    seen = seen.tocsr()
    seen.sort_indices()
    out: list[list[int]] = []
    for row, u in enumerate(sources.tolist()):
        cols = seen.indices[seen.indptr[row] : seen.indptr[row + 1]]
        cols = cols[is_target[cols] & (cols != u)]
        out.append(cols.tolist())
    return out

"""Fragility: the actors whose leaving splits the actor graph (cut points), what each would cut
off, the ties whose loss does the same (bridges), the components and the isolates
(DOMAIN.md section 6, CONTRACT.md section 2b).

Definitions, on the actor graph with every tie read both ways (leaving is a question about
connection, not about arc direction):

- a **component** is a maximal set of actors joined by chains of any length;
- a **cut point** (articulation point) is an actor whose removal splits its component into
  two parts or more;
- what a cut point **cuts off** is every actor of its component that its removal separates
  from the largest remaining part (when parts tie for the largest, the one holding the
  smallest id stays);
- a **bridge** is a tie whose removal splits its component;
- an **isolate** is an actor with no tie to another actor.

Algorithm: one depth-first search (Hopcroft and Tarjan 1973, "Algorithm 447: efficient
algorithms for graph manipulation", CACM 16(6)), iterative, over the tie graph's arrays in
compressed rows. With ``pre`` the discovery order and ``low(v)`` the smallest ``pre``
reachable from v's subtree by one back tie, a non-root v is a cut point when some child c has
``low(c) ≥ pre(v)`` (the subtree of c is a part of its own), the root when it has two children
or more, and the tree tie (v, c) is a bridge when ``low(c) > pre(v)``. The parts come out of
the same search: the subtree of each separated child is one contiguous run of the discovery
order, the rest of the component is the other part. Time O(n + m) for the search, plus the
size of the ``cut_off`` lists (which a chain of n actors makes n²/4 long: the answer is that
long). Matches networkx ``articulation_points`` and ``bridges`` (tests/contract/
test_fragility.py checks it on random graphs).

>>> import numpy as np
>>> # a - b - c and b - d: b cuts off c and d (a's part holds the smallest id)
>>> f = find_fragility(4, np.array([0, 1, 1, 1, 2, 3]), np.array([1, 0, 2, 3, 1, 1]))
>>> f.cut_points, f.cut_off[1].tolist(), f.bridges.tolist()
([1], [2, 3], [[0, 1], [1, 2], [1, 3]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph_service import budget
from graph_service.analysis.common import (
    TieGraph,
    actor_ties,
    actor_ties_of_arrays,
    check_types,
    group_actors,
)
from graph_service.domain import ACTOR_KINDS
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np

DEFAULT_GROUP_BY = "admin_level"


@dataclass
class Fragility:
    """The search's answer on integer positions: ``cut_points`` ascending, ``cut_off[v]``
    the sorted positions cut point v cuts off, ``bridges`` an (k, 2) array of (smaller,
    larger) pairs, sorted; ``component`` the component number of each node (numbered by
    their smallest node)."""

    cut_points: list[int]
    cut_off: dict[int, np.ndarray]
    bridges: np.ndarray
    component: np.ndarray


def find_fragility(n: int, src: np.ndarray, dst: np.ndarray) -> Fragility:
    """Cut points, what each cuts off, bridges and components of the undirected graph of
    ``n`` nodes whose arcs ``src → dst`` are sorted by (src, dst), de-duplicated, without
    self-loops, and listed both ways (as ``actor_ties(..., undirected=True)`` gives them).
    See the module's docstring for the definitions and the algorithm."""
    import numpy as np

    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    ptr = indptr.tolist()
    adj = dst.tolist()
    nxt = ptr[:-1]
    pre = [-1] * n
    low = [0] * n
    parent = [-1] * n
    size = [1] * n
    order: list[int] = []
    roots: list[int] = []
    t = 0
    for root in range(n):
        if pre[root] != -1:
            continue
        roots.append(root)
        pre[root] = low[root] = t
        t += 1
        order.append(root)
        stack = [root]
        while stack:
            v = stack[-1]
            i, end, lv, pv = nxt[v], ptr[v + 1], low[v], parent[v]
            while i < end:
                w = adj[i]
                i += 1
                pw = pre[w]
                if pw < 0:  # a tree tie: go down to w, come back to v's next tie later
                    nxt[v] = i
                    low[v] = lv
                    parent[w] = v
                    pre[w] = low[w] = t
                    t += 1
                    order.append(w)
                    stack.append(w)
                    if not t & 4095:
                        budget.check()
                    break
                if pw < lv and w != pv:  # a back tie (or a tie down to a descendant)
                    lv = pw
            else:  # every tie of v seen: v is done
                low[v] = lv
                nxt[v] = i
                stack.pop()
                if pv >= 0:
                    if lv < low[pv]:
                        low[pv] = lv
                    size[pv] += size[v]
    pre_a = np.array(pre, dtype=np.int64)
    low_a = np.array(low, dtype=np.int64)
    parent_a = np.array(parent, dtype=np.int64)
    size_a = np.array(size, dtype=np.int64)
    order_a = np.array(order, dtype=np.int64)
    # the component of each node: its search's root (the component's smallest node)
    starts = np.array(roots, dtype=np.int64)
    comp_a = np.zeros(n, dtype=np.int64)
    comp_a[order_a] = np.repeat(starts, np.diff(np.append(pre_a[starts], n)))
    child = np.flatnonzero(parent_a >= 0)
    par = parent_a[child]
    bridge = low_a[child] > pre_a[par]
    ends = np.sort(np.column_stack([par[bridge], child[bridge]]), axis=1)
    bridges = ends[np.lexsort((ends[:, 1], ends[:, 0]))] if ends.size else ends.reshape(0, 2)
    # a child is separated by its parent when nothing in its subtree reaches above the parent
    is_root = parent_a[par] < 0
    separated = low_a[child] >= pre_a[par]
    by_parent: dict[int, list[int]] = {}
    joined: dict[int, list[int]] = {}  # the children whose subtrees stay with the rest
    for c, p, sep, root_parent in zip(
        child.tolist(), par.tolist(), separated.tolist(), is_root.tolist(), strict=True
    ):
        if sep or root_parent:  # every child of a root is a part of its own
            by_parent.setdefault(p, []).append(c)
        else:
            joined.setdefault(p, []).append(c)
    cut_points: list[int] = []
    cut_off: dict[int, np.ndarray] = {}
    for p, kids in sorted(by_parent.items()):
        if parent_a[p] < 0 and len(kids) < 2:
            continue  # a root with one child is not a cut point
        budget.check()
        cut_points.append(p)
        cut_off[p] = _cut_off(p, kids, joined.get(p, []), pre_a, size_a, order_a, comp_a)
    return Fragility(cut_points, cut_off, bridges, comp_a)


def _cut_off(
    p: int,
    kids: list[int],
    joined: list[int],
    pre: np.ndarray,
    size: np.ndarray,
    order: np.ndarray,
    component: np.ndarray,
) -> np.ndarray:
    """The sorted nodes cut point ``p`` separates from the largest part left when it goes.

    The parts are the subtrees of its separated children ``kids`` (each a run of the
    discovery order) and, unless p is the root, the rest of its component (with the
    subtrees of p's ``joined`` children), which holds the root: the component's smallest
    node. Ties for the largest part: the part with the
    smallest node stays (the rest of the component if it is among them, else the child
    whose subtree's smallest node is smallest)."""
    import numpy as np

    root = int(component[p])
    comp_size = int(size[root])
    parts: list[tuple[int, int, int]] = []  # (size, smallest node, child or -1 for the rest)
    for c in kids:
        run = order[pre[c] : pre[c] + size[c]]
        parts.append((int(size[c]), int(run.min()), c))
    if root != p:
        parts.append((comp_size - 1 - sum(s for s, _, _ in parts), root, -1))
    keep = min(parts, key=lambda part: (-part[0], part[1]))
    out = []
    for _, _, c in parts:
        if c == keep[2]:
            continue
        if c >= 0:
            out.append(order[pre[c] : pre[c] + size[c]])
        else:  # the rest of the component: everything outside p's subtree, and p's other kids
            start = int(pre[root])
            out.append(order[start : pre[p]])
            out.append(order[pre[p] + size[p] : start + comp_size])
            out.extend(order[pre[c] : pre[c] + size[c]] for c in joined)
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


@dataclass
class Removal:
    """What removing one node does to a graph whose ties are read both ways: the nodes cut
    off (sorted), the number of components among the other nodes before and after, and the
    pairs of groups (g < h) that had a chain between two of their members (other than the
    node) before and have none after."""

    cut_off: np.ndarray
    components_before: int
    components_after: int
    lost_group_pairs: list[tuple[int, int]]


def remove_node(
    n: int, src: np.ndarray, dst: np.ndarray, x: int, groups: np.ndarray | None = None
) -> Removal:
    """Remove node ``x`` and count components with and without it (scipy's linear-time
    ``connected_components``, ties read both ways): the definition of what a cut point cuts
    off itself, which :func:`find_fragility` computes for every node at once. What is cut
    off is every node of x's component outside the largest part left (when parts tie, the
    part holding the smallest node stays). ``groups``: a group code per node, for the
    group pairs that lose every chain.

    >>> import numpy as np
    >>> r = remove_node(4, np.array([0, 1, 2]), np.array([1, 2, 3]), 2, np.array([0, 0, 0, 1]))
    >>> r.cut_off.tolist(), r.components_before, r.components_after, r.lost_group_pairs
    ([3], 1, 2, [(0, 1)])
    """
    import numpy as np

    before = components_of(n, src, dst)
    keep = (src != x) & (dst != x)
    after = components_of(n, src[keep], dst[keep])
    others = np.arange(n) != x
    mine = np.flatnonzero((before == before[x]) & others)
    cut = mine
    if mine.size:
        labels, first, counts = np.unique(after[mine], return_index=True, return_counts=True)
        # mine is ascending, so a part's first member is its smallest node
        best = labels[np.lexsort((mine[first], -counts))[0]]
        cut = mine[after[mine] != best]
    lost: list[tuple[int, int]] = []
    if groups is not None and groups.size:
        linked_before = _linked_groups(before[others], groups[others])
        linked_after = _linked_groups(after[others], groups[others])
        pairs = np.argwhere(np.triu(linked_before & ~linked_after, 1))
        lost = [(int(g), int(h)) for g, h in pairs.tolist()]
    return Removal(
        cut,
        int(np.unique(before[others]).size),
        int(np.unique(after[others]).size),
        lost,
    )


def _linked_groups(component: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """k × k booleans: do groups g and h have members in one component?"""
    import numpy as np
    import scipy.sparse as sp

    k = int(groups.max()) + 1
    _, comp = np.unique(component, return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(comp.size), (comp.ravel(), groups)), shape=(int(comp.max()) + 1, k)
    )
    member.data[:] = 1.0
    return (member.T @ member).toarray() > 0  # type: ignore[no-any-return]


def separated_without(n: int, src: np.ndarray, dst: np.ndarray, x: int) -> np.ndarray:
    """The sorted nodes that removing ``x`` cuts off (:func:`remove_node`).

    >>> import numpy as np
    >>> separated_without(4, np.array([0, 1, 2]), np.array([1, 2, 3]), 2).tolist()
    [3]
    """
    return remove_node(n, src, dst, x).cut_off


def components_of(n: int, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The component number of each node (ties read both ways), by scipy's linear-time
    ``connected_components``."""
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    graph = sp.csr_matrix((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1]  # type: ignore[no-any-return]


# -- the report ------------------------------------------------------------------------------


def fragility(
    store: GraphStore, group_by: str | None = None, types: Sequence[str] | None = None
) -> dict[str, Any]:
    """The ``fragility`` document of CONTRACT.md section 2b, extended: ``{"group_by",
    "actors", "ties", "cut_points": [{"id", "name", "cut_off": [ids], "groups": [group]}],
    "bridges": [[id, id]], "components": [[ids]], "isolates": [ids]}``.

    The actor graph with every tie read both ways (``types``: only these relationship
    types). Cut points by how many they cut off (most first), then id; a cut point's
    ``groups`` are the groups (by ``group_by``) of the actors it cuts off, null last.
    ``group_by``: any attribute :func:`~graph_service.analysis.common.group_actors` takes;
    None: ``admin_level`` when an actor has it, else ``kind``. Bridges as (smaller id,
    larger id), sorted; components largest first (then by their smallest id), isolates
    included as components of one; isolates sorted.
    """
    types = check_types(types)
    read_arrays = getattr(store, "graph_arrays", None)
    if read_arrays is None:
        ties = actor_ties(store.subgraph(kinds=ACTOR_KINDS), types, undirected=True)
    else:
        ties = actor_ties_of_arrays(read_arrays(kinds=ACTOR_KINDS), types, undirected=True)
    if ties.n == 0:
        raise InvalidInput(
            "the graph has no actors (people, organisations or networks): import a dataset first"
        )
    return fragility_report(ties, group_by)


def fragility_report(ties: TieGraph, group_by: str | None = None) -> dict[str, Any]:
    """The fragility document of an actor tie graph whose ties are read both ways."""
    import numpy as np

    attribute = group_by or _default_group_by(ties)
    labels = group_actors(ties.nodes, ties.ids, attribute).labels
    found = find_fragility(ties.n, ties.src, ties.dst)
    ids = ties.ids
    rows = []
    for v in found.cut_points:
        off = found.cut_off[v].tolist()
        groups = {labels[i] for i in off}
        rows.append(
            {
                "id": ids[v],
                "name": ties.nodes[ids[v]].name,
                "cut_off": [ids[i] for i in off],
                "groups": sorted(groups - {None}) + ([None] if None in groups else []),
            }
        )
    rows.sort(key=lambda r: (-len(r["cut_off"]), r["id"]))
    comp = found.component
    members = np.argsort(comp, kind="stable")  # by component, then position (= id order)
    starts = np.flatnonzero(np.concatenate(([True], comp[members][1:] != comp[members][:-1])))
    runs = np.split(members, starts[1:]) if members.size else []
    runs.sort(key=lambda run: (-run.size, int(run[0])))
    degree = np.bincount(ties.src, minlength=ties.n)
    return {
        "group_by": attribute,
        "actors": ties.n,
        "ties": ties.m // 2,
        "cut_points": rows,
        "bridges": [[ids[a], ids[b]] for a, b in found.bridges.tolist()],
        "components": [[ids[i] for i in run.tolist()] for run in runs],
        "isolates": [ids[i] for i in np.flatnonzero(degree == 0).tolist()],
    }


def _default_group_by(ties: TieGraph) -> str:
    has_level = any(ties.nodes[i].props.get(DEFAULT_GROUP_BY) not in (None, "") for i in ties.ids)
    return DEFAULT_GROUP_BY if has_level else "kind"

"""The network's structure (DOMAIN.md sections 3 and 6, CONTRACT.md section 2b; issue 12,
questions S4, S27 and S28): each actor's tie profile, degree centralisation and the layers
below a funder, and clusters.

Definitions:

- **Tie profile.** A tie is a relationship between two different actors (Person,
  Organisation, Network). Its direction is :func:`~graph_service.domain.direction_of`: the
  ``direction`` the data states, else ``horizontal`` when both ends have the same
  ``admin_level`` and ``vertical`` when they differ. Placement (LOCATED_IN, OPERATES_IN,
  PART_OF) says where something is: it is neither, and is not counted at all. A tie whose
  direction cannot be told (an end without ``admin_level``) is ``other``. Each relationship
  counts once for each of its two ends. An actor is **only vertical** (a silo) when it has
  a tie and every tie of it is vertical, **only horizontal** when it has a tie and every tie
  of it is horizontal (an ``other`` tie keeps an actor off both lists: nobody knows what it
  is).
- **Degree centralisation** (Freeman 1979, "Centrality in social networks: conceptual
  clarification", Social Networks 1(3)): on the actor graph with ties read both ways and
  an actor's degree the number of other actors it is tied to,
  C = Σᵢ (max deg − degᵢ) / ((n − 1)(n − 2)); 1 for a star, 0 when every degree is equal;
  null for fewer than three actors (the bound is zero).
- **Layers below a funder**: breadth-first from the funder along arcs from source to target
  (placement arcs excluded: they lead to places, not to those who are paid or run); layer d
  holds the entities first reached in d steps, counted by kind.
- **Clusters**: Leiden communities (Traag, Waltman and van Eck 2019, "From Louvain to
  Leiden: guaranteeing well-connected communities", Scientific Reports 9, 5233;
  graspologic-native's implementation, ``leiden_csr``, MIT licence) maximising modularity
  (Newman 2004) on the actor graph with ties read both ways, a pair of actors tied by
  several relationships counting as one unweighted tie, with a fixed seed so the same
  graph gives the same answer, and the modularity they reach. Unlike Louvain, Leiden never
  leaves a community internally disconnected. A clustering is an answer, not a truth:
  another seed or method may give another.
"""

from __future__ import annotations

from collections import Counter, deque
from typing import TYPE_CHECKING, Any

from graph_service import budget
from graph_service.analysis.common import (
    actor_ties,
    actor_ties_of_arrays,
    clean_float,
    group_actors,
)
from graph_service.analysis.filters import read_arrays
from graph_service.domain import ACTOR_KINDS, PLACEMENT_TYPES, direction_of
from graph_service.entities import resolve_entity
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    import numpy as np

ONLY = ("vertical", "horizontal")
DEFAULT_SEED = 1


def _no_actors() -> InvalidInput:
    return InvalidInput(
        "the graph has no actors (people, organisations or networks): import a dataset first"
    )


# -- tie profile -----------------------------------------------------------------------------


def profile(
    store: GraphStore, group_by: str | None = None, only: str | None = None
) -> dict[str, Any]:
    """The ``profile`` document: ``{"group_by", "only", "actors": [{"id", "name",
    "horizontal", "vertical", "other"[, "group"]}], "only_vertical": [ids],
    "only_horizontal": [ids]}`` (see the module's docstring for the definitions).

    Actors sorted by id. ``group_by``: any attribute
    :func:`~graph_service.analysis.common.group_actors` takes; each actor then carries its
    ``group`` and ``groups`` sums the counts per group (``{"group", "actors",
    "horizontal", "vertical", "other", "only_vertical", "only_horizontal"}``, null last).
    ``only``: ``vertical`` or ``horizontal`` keeps in ``actors`` just the actors on that
    list (the lists themselves are always whole)."""
    if only is not None and only not in ONLY:
        raise InvalidInput(f"--only must be vertical or horizontal, not {only!r}")
    sub = store.subgraph(kinds=ACTOR_KINDS)
    actors = {i: n for i, n in sub.nodes.items() if n.kind in ACTOR_KINDS}
    if not actors:
        raise _no_actors()
    counts = {i: {"horizontal": 0, "vertical": 0, "other": 0} for i in actors}
    for step, edge in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if edge.type in PLACEMENT_TYPES or edge.source == edge.target:
            continue
        if edge.source not in actors or edge.target not in actors:
            continue
        key = direction_of(edge, actors) or "other"
        counts[edge.source][key] += 1
        counts[edge.target][key] += 1
    ids = sorted(actors)
    only_vertical = [i for i in ids if counts[i]["vertical"] and _alone(counts[i], "vertical")]
    only_horizontal = [
        i for i in ids if counts[i]["horizontal"] and _alone(counts[i], "horizontal")
    ]
    labels: list[str | None] | None = None
    if group_by:
        labels = group_actors(actors, ids, group_by, sub).labels
    rows = []
    for pos, i in enumerate(ids):
        row: dict[str, Any] = {"id": i, "name": actors[i].name, **counts[i]}
        if labels is not None:
            row["group"] = labels[pos]
        rows.append(row)
    doc: dict[str, Any] = {"group_by": group_by, "only": only}
    if labels is not None:
        doc["groups"] = _group_rows(rows, set(only_vertical), set(only_horizontal))
    if only is not None:
        keep = set(only_vertical if only == "vertical" else only_horizontal)
        rows = [r for r in rows if r["id"] in keep]
    doc |= {"actors": rows, "only_vertical": only_vertical, "only_horizontal": only_horizontal}
    return doc


def _alone(count: dict[str, int], key: str) -> bool:
    return all(v == 0 for k, v in count.items() if k != key)


def _group_rows(
    rows: list[dict[str, Any]], only_vertical: set[str], only_horizontal: set[str]
) -> list[dict[str, Any]]:
    sums: dict[str | None, dict[str, Any]] = {}
    for r in rows:
        g = sums.setdefault(
            r["group"],
            {
                "group": r["group"],
                "actors": 0,
                "horizontal": 0,
                "vertical": 0,
                "other": 0,
                "only_vertical": 0,
                "only_horizontal": 0,
            },
        )
        g["actors"] += 1
        for key in ("horizontal", "vertical", "other"):
            g[key] += r[key]
        g["only_vertical"] += r["id"] in only_vertical
        g["only_horizontal"] += r["id"] in only_horizontal
    return [sums[k] for k in sorted(sums, key=lambda k: (k is None, k or ""))]


# -- centralisation and layers -----------------------------------------------------------------


def degree_centralisation(degrees: list[int]) -> float | None:
    """Freeman's degree centralisation of an undirected graph with these degrees:
    Σ (max − degᵢ) / ((n − 1)(n − 2)); None for fewer than three nodes.

    >>> degree_centralisation([3, 1, 1, 1]), degree_centralisation([2, 2, 2])
    (1.0, 0.0)
    >>> degree_centralisation([1, 2, 2, 1])
    0.3333333333
    """
    n = len(degrees)
    if n < 3:
        return None
    top = max(degrees)
    return clean_float(sum(top - d for d in degrees) / ((n - 1) * (n - 2)))


def structure(store: GraphStore, from_: str | None = None) -> dict[str, Any]:
    """The ``structure`` document: ``{"actors", "ties", "degree_centralisation", "from",
    "layers": [{"depth", "count", "by_kind": {kind: count}}] | null}`` (definitions in the
    module's docstring). ``ties`` counts the pairs of actors tied either way. ``from_`` (an
    id or a unique name): the layers below that entity, depth 1 first; without it
    ``layers`` is null."""
    sub = store.subgraph(kinds=ACTOR_KINDS)
    ties = actor_ties(sub, undirected=True)
    if ties.n == 0:
        raise _no_actors()
    import numpy as np

    degrees = np.bincount(ties.src, minlength=ties.n).tolist()
    doc: dict[str, Any] = {
        "actors": ties.n,
        "ties": ties.m // 2,
        "degree_centralisation": degree_centralisation(degrees),
        "from": None,
        "layers": None,
    }
    if from_ is not None:
        funder = resolve_entity(store, from_)
        doc["from"] = funder.id
        doc["layers"] = layers_below(store, funder.id)
    return doc


def layers_below(store: GraphStore, start: str) -> list[dict[str, Any]]:
    """Breadth-first from ``start`` along arcs out (placement excluded): for each depth ≥ 1,
    the number of entities first reached there and their counts by kind."""
    sub = store.subgraph()
    out: dict[str, list[str]] = {}
    for edge in sub.edges:
        if edge.type not in PLACEMENT_TYPES and edge.source != edge.target:
            out.setdefault(edge.source, []).append(edge.target)
    depth = {start: 0}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        budget.check()
        for w in out.get(v, ()):
            if w not in depth:
                depth[w] = depth[v] + 1
                queue.append(w)
    per: dict[int, Counter[str]] = {}
    for node_id, d in depth.items():
        if d:
            per.setdefault(d, Counter())[sub.nodes[node_id].kind] += 1
    return [
        {"depth": d, "count": sum(c.values()), "by_kind": dict(sorted(c.items()))}
        for d, c in sorted(per.items())
    ]


# -- clusters ----------------------------------------------------------------------------------


#: the largest seed Leiden takes (its generator's seed is an unsigned 64-bit number; kept
#: to the signed range so it fits every store and JSON reader)
MAX_SEED = 2**63 - 1


def clusters(store: GraphStore, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The ``clusters`` document: ``{"seed", "method", "actors", "ties", "modularity",
    "clusters": [{"id", "size", "members": [ids]}]}``: Leiden communities (modularity, see
    the module's docstring) of the actor graph (ties read both ways; several relationships
    between two actors are one unweighted tie) with ``seed``, largest first (then by their
    smallest id), numbered from 1, members sorted; an isolate is a cluster of its own.
    ``method`` is ``leiden``; ``ties`` counts the pairs of actors tied; ``modularity`` is
    null when there is no tie (it is undefined). The same graph and seed give the same
    answer on either store. ``seed``: a whole number from 0 to ``MAX_SEED``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput(
            f"the seed must be a whole number from 0 to {MAX_SEED:,}, not {seed!r}",
            {"seed": str(seed)},
        )
    ties = actor_ties_of_arrays(read_arrays(store, ACTOR_KINDS), undirected=True)
    if ties.n == 0:
        raise _no_actors()
    keep = ties.src < ties.dst
    src, dst = ties.src[keep], ties.dst[keep]
    membership, modularity = leiden(ties.n, src, dst, seed)
    return {
        "seed": seed,
        "method": "leiden",
        "actors": ties.n,
        "ties": int(src.size),
        "modularity": modularity,
        "clusters": [
            {"id": k, "size": len(c), "members": [ties.ids[i] for i in c]}
            for k, c in enumerate(ordered_clusters(membership), start=1)
        ],
    }


def leiden(
    n: int, src: np.ndarray, dst: np.ndarray, seed: int, iterations: int = 2
) -> tuple[np.ndarray, float | None]:
    """Leiden communities maximising modularity on the undirected graph of ``n`` nodes
    whose edges are ``src[k]``-``dst[k]`` (each pair once, unweighted), with a random
    generator seeded by ``seed``: ``(membership, modularity)``, the community of each node
    and the modularity of that partition (None without an edge). ``iterations`` full Leiden
    cycles, each starting from the last one's answer (2 reaches the modularity of igraph's
    and leidenalg's defaults on our benchmark graph, ``docs/benchmarks.md``).

    The implementation is graspologic-native's ``leiden_csr`` (Rust, MIT licence: the
    Leiden of Traag et al. 2019 with its refinement phase); the seed makes its random
    choices repeatable, and it keeps no state between calls, so requests run side by side.
    Modularity is Newman's Q, computed here from the partition.

    >>> import numpy as np
    >>> tri = np.array([0, 1, 0, 3, 4, 3, 0]), np.array([1, 2, 2, 4, 5, 5, 3])
    >>> m, q = leiden(7, *tri, seed=1)
    >>> [sorted(np.flatnonzero(m == c).tolist()) for c in (m[0], m[3], m[6])], round(q, 4)
    ([[0, 1, 2], [3, 4, 5], [6]], 0.3571)
    """
    import numpy as np
    import scipy.sparse as sp
    from graspologic_native import leiden_csr

    budget.check()
    if not src.size:
        return np.arange(n), None
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    adjacency = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n))
    adjacency.sum_duplicates()
    adjacency.data[:] = 1.0
    adjacency.sort_indices()
    _, found = leiden_csr(
        adjacency.indptr.astype(np.int64),
        adjacency.indices.astype(np.int32),
        adjacency.data.astype(np.float64),
        n,
        seed=seed,
        iterations=iterations,
    )
    budget.check()
    membership = np.full(n, -1, dtype=np.int64)
    for node, community in found.items():
        membership[node] = community
    alone = np.flatnonzero(membership < 0)  # nodes without a tie: a community each
    membership[alone] = membership.max() + 1 + np.arange(alone.size)
    return membership, clean_float(modularity(membership, src, dst))


def modularity(membership: np.ndarray, src: np.ndarray, dst: np.ndarray) -> float:
    """Newman's modularity Q = Σ_c [L_c/m − (d_c/2m)²] of a partition of an undirected,
    unweighted graph (edges ``src[k]``-``dst[k]``, each once): L_c the edges inside c, d_c
    the sum of its nodes' degrees, m the number of edges (networkx's ``modularity``).

    >>> import numpy as np
    >>> round(modularity(np.array([0, 0, 1, 1]), np.array([0, 2, 1]), np.array([1, 3, 2])), 4)
    0.1667
    """
    import numpy as np

    m = src.size
    inside = np.count_nonzero(membership[src] == membership[dst])
    size = int(membership.max()) + 1
    degree = np.bincount(membership[src], minlength=size) + np.bincount(
        membership[dst], minlength=size
    )
    return float(inside / m - np.sum((degree / (2 * m)) ** 2))


def ordered_clusters(membership: np.ndarray) -> list[list[int]]:
    """The nodes of each community, sorted; the communities largest first, then by their
    smallest node.

    >>> import numpy as np
    >>> ordered_clusters(np.array([2, 0, 2, 1, 1, 5]))
    [[0, 2], [3, 4], [1], [5]]
    """
    import numpy as np

    order = np.lexsort((np.arange(membership.size), membership))
    cuts = np.flatnonzero(np.diff(membership[order])) + 1
    parts = [p.tolist() for p in np.split(order, cuts)] if order.size else []
    return sorted(parts, key=lambda c: (-len(c), c[0]))

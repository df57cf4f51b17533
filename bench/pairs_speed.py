"""Pairs sharing an attribute with no tie (``pairs --share``) against networkx.

    python -m bench.pairs_speed [--actors 100000] [--ties 300000] [--values 50]
        [--limits 200,5000] [--depth 3] [--repeat 3] [--no-store]

Graph: ``--actors`` people and ``--ties`` distinct random ties between them (seeded; average
degree 6 at the defaults, as in bench/chains_speed.py); each person has a ``problem`` drawn
from ``--values`` Thai-named problems, one in ten a value list of two (``a|b``).

- ours: ``graph_service.analysis.pairs.pairs`` on the graph's arrays (built beforehand, as
  the store would give them): the per-value members, ties and density, the exact total,
  and the first ``limit`` untied pairs, each with the actor nearest to both (at most
  ``--depth`` steps from each).
- peer: networkx on an ``nx.Graph`` built beforehand: per value, the ties inside by one
  pass over the edges (a Python loop) and the total from the counts (listing the 10⁸
  pairs one by one is out of the question for either); the same first ``limit`` untied
  pairs; for each pair, the shortest path lengths from each end
  (``single_source_shortest_path_length`` with cutoff ``--depth``) and the nearest by the
  same rule. Both answers are checked equal.
- unless ``--no-store``: the whole question on the embedded store (reading the arrays
  from SQLite included) for the first limit.

Each time is the best of ``--repeat`` runs (the machine is shared). Results go to stdout
as a Markdown table and to bench/out/pairs_speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from bench.chains_speed import SEED, name, random_ties, timed
from graph_service.analysis.pairs import pairs
from graph_service.domain import Edge, Node
from graph_service.store.arrays import GraphArrays, graph_arrays_of

OUT = Path(__file__).parent / "out"
WORDS = ["หนี้สิน", "สุขภาพ", "ที่ดินทำกิน", "น้ำท่วม", "ว่างงาน", "ผู้สูงอายุ", "ยาเสพติด"]


class ArraysOnly:
    """A store that holds the graph's arrays already (the computation alone is timed)."""

    def __init__(self, arrays: GraphArrays) -> None:
        self.arrays = arrays

    def graph_arrays(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> GraphArrays:
        return self.arrays


def problems(actors: int, values: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed)
    names = [f"{WORDS[i % len(WORDS)]} {i}" for i in range(values)]
    out = []
    for _ in range(actors):
        if rng.random() < 0.1:
            out.append("|".join(rng.sample(names, 2)))
        else:
            out.append(rng.choice(names))
    return out


def peer(
    graph: nx.Graph, cells: dict[str, str], limit: int, depth: int
) -> tuple[int, list[tuple[str, str, str, str | None, list[int] | None]]]:
    """The total and the first ``limit`` pairs with their nearest, by networkx (``cells``:
    each actor's ``problem``)."""
    members: dict[str, list[str]] = {}
    values_of = {}
    for id_, cell in cells.items():
        vals = set(cell.split("|"))
        values_of[id_] = vals
        for v in vals:
            members.setdefault(v, []).append(id_)
    ties = dict.fromkeys(members, 0)
    for a, b in graph.edges():
        for v in values_of[a] & values_of[b]:
            ties[v] += 1
    order = sorted(members, key=lambda v: (-len(members[v]), v))
    total = sum(len(members[v]) * (len(members[v]) - 1) // 2 - ties[v] for v in order)
    listed: list[tuple[str, str, str, str | None, list[int] | None]] = []
    for v in order:
        for a, b in combinations(sorted(members[v]), 2):
            if len(listed) >= limit:
                return total, listed
            if graph.has_edge(a, b):
                continue
            da = nx.single_source_shortest_path_length(graph, a, cutoff=depth)
            db = nx.single_source_shortest_path_length(graph, b, cutoff=depth)
            best = min(
                ((max(da[c], db[c]), da[c] + db[c], c) for c in da if c in db and c not in (a, b)),
                default=None,
            )
            near = None if best is None else best[2]
            listed.append((v, a, b, near, None if near is None else [da[near], db[near]]))
    return total, listed


def best_of(repeat: int, work: Any) -> tuple[float, Any]:
    runs = [timed(work) for _ in range(max(repeat, 1))]
    return min(t for t, _ in runs), runs[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=300_000)
    parser.add_argument("--values", type=int, default=50)
    parser.add_argument("--limits", default="200,5000")
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()
    limits = [int(x) for x in args.limits.split(",")]

    ties = random_ties(args.actors, args.ties)
    cells = problems(args.actors, args.values)
    nodes = [
        Node(name(i), "Person", {"name": name(i), "problem": cells[i]}) for i in range(args.actors)
    ]
    rows = [(name(a), "KNOWS", name(b)) for a, b in ties]
    arrays = graph_arrays_of(nodes, rows)
    graph = nx.Graph()
    graph.add_nodes_from(arrays.ids)
    graph.add_edges_from((name(a), name(b)) for a, b in ties)
    by_id = {name(i): cell for i, cell in enumerate(cells)}
    store = ArraysOnly(arrays)
    pairs(store, "problem", limit=1)  # scipy.sparse imported once, not in the times below

    runs = []
    for limit in limits:
        ours_s, doc = best_of(
            args.repeat, lambda limit=limit: pairs(store, "problem", limit=limit, depth=args.depth)
        )
        peer_s, (total, listed) = best_of(
            args.repeat, lambda limit=limit: peer(graph, by_id, limit, args.depth)
        )
        got = [(p["value"], p["a"], p["b"], p["nearest"], p["distance"]) for p in doc["pairs"]]
        assert doc["total"] == total, (doc["total"], total)
        assert got == listed
        found = sum(1 for p in doc["pairs"] if p["nearest"] is not None)
        runs.append(
            {
                "limit": limit,
                "total": total,
                "with_nearest": found,
                "ours_s": ours_s,
                "networkx_s": peer_s,
            }
        )
    results: dict[str, Any] = {
        "machine": platform.platform(),
        "actors": args.actors,
        "ties": args.ties,
        "values": args.values,
        "depth": args.depth,
        "runs": runs,
    }
    if not args.no_store:
        results["embedded_store"] = store_run(nodes, ties, limits[0], args.depth)

    OUT.mkdir(exist_ok=True)
    (OUT / "pairs_speed.json").write_text(json.dumps(results, indent=2))
    print(
        f"{args.actors:,} actors, {args.ties:,} ties, {args.values} problems (one actor in ten "
        f"with two); nearest within {args.depth} steps\n"
    )
    print("| task | graph_service | peer | peer's time | ratio |")
    print("|---|---:|---|---:|---:|")
    for run in runs:
        print(
            f"| pairs --share problem --limit {run['limit']:,} ({run['total']:,} pairs in "
            f"all; {run['with_nearest']:,} listed have a nearest) | {run['ours_s']:.2f} s | "
            f"networkx: ties per value by a pass over the edges, shortest path lengths from "
            f"each end of each listed pair | {run['networkx_s']:.2f} s | "
            f"{run['networkx_s'] / run['ours_s']:.1f}x |"
        )
    if "embedded_store" in results:
        e = results["embedded_store"]
        print(
            f"\nOn the embedded store (the graph's arrays read from SQLite each time), "
            f"--limit {limits[0]}: {e['pairs_s']:.2f} s (of which reading the arrays "
            f"{e['read_arrays_s']:.2f} s)"
        )


def store_run(
    nodes: list[Node], ties: list[tuple[int, int]], limit: int, depth: int
) -> dict[str, float]:
    """The whole question on an embedded store holding the same graph."""
    from graph_service.analysis.filters import read_arrays
    from graph_service.domain import ACTOR_KINDS
    from graph_service.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "g.db", query_timeout=0)
        store.write(nodes, [Edge(name(a), "KNOWS", name(b)) for a, b in ties])
        read_s, _ = timed(lambda: read_arrays(store, ACTOR_KINDS))
        pairs_s, _ = timed(lambda: pairs(store, "problem", limit=limit, depth=depth))
        store.close()
    return {"read_arrays_s": read_s, "pairs_s": pairs_s}


if __name__ == "__main__":
    main()

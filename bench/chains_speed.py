"""Chains and missing links: ``path --all`` and ``unlinked`` against their peers.

    python -m bench.chains_speed [--actors 100000] [--ties 300000] [--pairs 20]
        [--sources 10000] [--targets 1000] [--depth 2] [--no-store]

Graph: ``--actors`` people and ``--ties`` distinct random ties between them (seeded; average
degree 6 at the defaults), read both ways.

- ``path --all``: every shortest chain between ``--pairs`` random pairs of actors
  (``paths.shortest_chains`` and ``_list_chains``: a bidirectional breadth-first search on
  the graph's arrays) against networkx ``all_shortest_paths`` on an ``nx.Graph`` built
  beforehand; both lists checked equal.
- ``unlinked``: ``--sources`` random actors with no chain of at most ``--depth`` steps to any
  of ``--targets`` random actors, and for the others the targets they reach (one
  multi-source breadth-first search from the targets, then a sparse product over the linked
  sources) against a per-source breadth-first search (networkx
  ``single_source_shortest_path_length`` with a cutoff, one per source); both answers
  checked equal.
- Building the step arrays once (``build_steps``), and, unless ``--no-store``, the whole
  question on the embedded store (reading the graph's arrays from SQLite included) for one
  pair and for ``unlinked``.

Results go to stdout as a Markdown table and to bench/out/chains_speed.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from graph_service.analysis import paths
from graph_service.domain import Edge, Node
from graph_service.store.arrays import graph_arrays_of

OUT = Path(__file__).parent / "out"
SEED = 20261203


def random_ties(actors: int, ties: int, seed: int = SEED) -> list[tuple[int, int]]:
    """``ties`` distinct unordered pairs of distinct actors."""
    rng = np.random.default_rng(seed)
    found: set[tuple[int, int]] = set()
    while len(found) < ties:
        a = rng.integers(0, actors, ties)
        b = rng.integers(0, actors, ties)
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x != y:
                found.add((min(x, y), max(x, y)))
                if len(found) == ties:
                    break
    return sorted(found)


def name(i: int) -> str:
    return f"p{i:06d}"


def timed(work: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=300_000)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--targets", type=int, default=1_000)
    parser.add_argument("--depth", type=int, default=2)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()

    scipy_import_s, _ = timed(lambda: __import__("scipy.sparse"))  # unlinked uses it
    pairs = random_ties(args.actors, args.ties)
    nodes = [Node(name(i), "Person", {"name": name(i)}) for i in range(args.actors)]
    rows = [(name(a), "KNOWS", name(b)) for a, b in pairs]
    arrays = graph_arrays_of(nodes, rows)
    build_s, steps = timed(lambda: paths.build_steps(arrays))
    graph = nx.Graph()
    graph.add_nodes_from(arrays.ids)
    graph.add_edges_from((name(a), name(b)) for a, b in pairs)

    rng = random.Random(SEED)
    queries = [tuple(rng.sample(range(args.actors), 2)) for _ in range(args.pairs)]
    ours_s = peer_s = 0.0
    chains = 0
    for s, t in queries:
        took, found = timed(lambda s=s, t=t: paths.shortest_chains(steps, s, t))
        took2, listed = timed(
            lambda s=s, t=t, found=found: [
                [steps.ids[i] for i in p]
                for p in paths._list_chains(found, s, t, paths.MAX_ALL_PATHS)
            ]
        )
        ours_s += took + took2
        took, expected = timed(
            lambda s=s, t=t: sorted(nx.all_shortest_paths(graph, steps.ids[s], steps.ids[t]))
        )
        peer_s += took
        assert listed == expected, (s, t)
        assert found is not None and found.count == len(expected)
        chains += len(expected)

    sources = np.array(sorted(rng.sample(range(args.actors), args.sources)), dtype=np.int64)
    targets = np.array(sorted(rng.sample(range(args.actors), args.targets)), dtype=np.int64)

    def ours_unlinked() -> tuple[list[int], list[list[int]]]:
        dist = paths.breadth_first(steps.fwd_ptr, steps.fwd_dst, targets, steps.n, args.depth)
        candidates = sources[dist[sources] >= 0]
        return candidates.tolist(), paths._reaches(steps, candidates, targets, args.depth)

    def peer_unlinked() -> dict[int, list[int]]:
        wanted = set(targets.tolist())
        index = {id_: i for i, id_ in enumerate(steps.ids)}
        out = {}
        for s in sources.tolist():
            ball = nx.single_source_shortest_path_length(graph, steps.ids[s], cutoff=args.depth)
            found = sorted(index[v] for v in ball if index[v] in wanted and index[v] != s)
            if found:
                out[s] = found
        return out

    unlinked_s, (candidates, reaches) = timed(ours_unlinked)
    peer_unlinked_s, expected_linked = timed(peer_unlinked)
    linked = {s: r for s, r in zip(candidates, reaches, strict=True) if r}
    assert linked == expected_linked
    results: dict[str, Any] = {
        "machine": platform.platform(),
        "actors": args.actors,
        "ties": args.ties,
        "build_steps_s": build_s,
        "scipy_import_s": scipy_import_s,
        "path_all": {
            "pairs": args.pairs,
            "chains": chains,
            "ours_s_per_pair": ours_s / args.pairs,
            "networkx_s_per_pair": peer_s / args.pairs,
        },
        "unlinked": {
            "sources": args.sources,
            "targets": args.targets,
            "depth": args.depth,
            "linked": len(linked),
            "ours_s": unlinked_s,
            "per_source_bfs_s": peer_unlinked_s,
        },
    }
    if not args.no_store:
        results["embedded_store"] = store_run(args, nodes, pairs, queries[0])

    OUT.mkdir(exist_ok=True)
    (OUT / "chains_speed.json").write_text(json.dumps(results, indent=2))
    p = results["path_all"]
    print(
        f"{args.actors:,} actors, {args.ties:,} ties; step arrays built in {build_s:.2f} s; "
        f"importing scipy.sparse (once per process, not in the times below) "
        f"{scipy_import_s:.2f} s\n"
    )
    print("| task | graph_service | peer | peer's time | ratio |")
    print("|---|---:|---|---:|---:|")
    print(
        f"| path --all, per pair ({args.pairs} pairs, {chains} chains) | "
        f"{p['ours_s_per_pair'] * 1000:.1f} ms | networkx all_shortest_paths | "
        f"{p['networkx_s_per_pair'] * 1000:.1f} ms | "
        f"{p['networkx_s_per_pair'] / p['ours_s_per_pair']:.0f}x |"
    )
    print(
        f"| unlinked, {args.sources:,} sources to {args.targets:,} targets, depth "
        f"{args.depth} ({len(linked):,} linked) | {unlinked_s:.2f} s | per-source BFS "
        f"(networkx) | {peer_unlinked_s:.2f} s | {peer_unlinked_s / unlinked_s:.0f}x |"
    )
    if "embedded_store" in results:
        e = results["embedded_store"]
        print(
            f"\nOn the embedded store (the graph's arrays read from SQLite each time): "
            f"path {e['path_s']:.2f} s, unlinked {e['unlinked_s']:.2f} s "
            f"(of which reading the arrays {e['read_arrays_s']:.2f} s)"
        )


def store_run(
    args: argparse.Namespace, nodes: list[Node], pairs: list[tuple[int, int]], pair: Any
) -> dict[str, float]:
    """The whole questions on an embedded store holding the same graph."""
    from graph_service.analysis.filters import read_arrays
    from graph_service.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "g.db", query_timeout=0)
        rng = random.Random(SEED + 1)
        tagged = [
            Node(n.id, n.kind, {**n.props, "role": rng.choice(["leader"] * 1 + ["member"] * 9)})
            for n in nodes
        ]
        for n in rng.sample(tagged, args.targets):
            n.props["level_tag"] = "national"  # type: ignore[index]
        store.write(tagged, [Edge(name(a), "KNOWS", name(b)) for a, b in pairs])
        read_s, _ = timed(lambda: read_arrays(store))
        path_s, _ = timed(lambda: paths.path(store, name(pair[0]), name(pair[1]), all_paths=True))
        unlinked_s, _ = timed(
            lambda: paths.unlinked(store, "role=leader", "level_tag=national", args.depth)
        )
        store.close()
    return {"read_arrays_s": read_s, "path_s": path_s, "unlinked_s": unlinked_s}


if __name__ == "__main__":
    main()

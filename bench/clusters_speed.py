"""Clusters speed: Leiden (ours) against networkx Louvain, igraph's Leiden and leidenalg.

    python -m bench.clusters_speed [--actors 100000] [--ties 300000] [--repeat 3]
        [--seed 1] [--nx-budget 600] [--no-store] [--no-leidenalg]

Graph: ``--actors`` people and ``--ties`` distinct random ties between them
(``bench.chains_speed.random_ties``, seeded; average degree 6), read both ways. Timed, each
with its wall time and the CPU time of this process (the machine is shared: the CPU time
says what the work costs, the wall time what a user waits):

- ours from the arrays: ``structure.leiden`` (graspologic-native's ``leiden_csr``,
  modularity, seeded, 2 iterations) and ``structure.ordered_clusters``, best of ``--repeat``;
- ours, the whole question on the embedded store (``structure.clusters``: reading the
  actors and ties out of SQLite, the arrays, Leiden, the document), best of ``--repeat``,
  unless ``--no-store``;
- leidenalg ``find_partition(ModularityVertexPartition, seed=)``, the reference
  implementation by Leiden's authors, and igraph's ``community_leiden`` (modularity, 2
  iterations; what issue 12 used first, dropped for its GPL licence), once each, unless
  ``--no-leidenalg`` (both are dev dependencies, never imported by the service);
- the peer, networkx ``louvain_communities(seed=)`` (what ``clusters`` ran before), once,
  in a child process stopped after ``--nx-budget`` seconds; then it runs on graphs of
  1/10 and 1/4 the size (same average degree) and the full size is extrapolated from
  their growth (labelled so).

The modularity of every answer is computed by one function (``structure.modularity``,
Newman's Q, as networkx computes it). Results go to stdout as a Markdown table and to
bench/out/clusters_speed.json.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.chains_speed import name, random_ties
from graph_service.analysis import structure
from graph_service.domain import Edge, Node

OUT = Path(__file__).parent / "out"


def timed(work: Any, repeat: int = 1) -> tuple[float, float, Any]:
    """(best wall seconds, CPU seconds of that run, result)."""
    best = (math.inf, math.inf, None)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        took = (time.perf_counter() - wall, time.process_time() - cpu, out)
        if took[0] < best[0]:
            best = took
    return best


def arrays(actors: int, ties: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(random_ties(actors, ties), dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def modularity(n: int, src: np.ndarray, dst: np.ndarray, membership: Any) -> float:
    return structure.modularity(np.asarray(membership, dtype=np.int64), src, dst)


def networkx_louvain(n: int, src: np.ndarray, dst: np.ndarray, seed: int, out: Any) -> None:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    wall, cpu = time.perf_counter(), time.process_time()
    found = nx.community.louvain_communities(graph, seed=seed)
    took = (time.perf_counter() - wall, time.process_time() - cpu)
    membership = [0] * n
    for k, c in enumerate(found):
        for v in c:
            membership[v] = k
    out.put((*took, len(found), membership))


def run_networkx(n: int, src: np.ndarray, dst: np.ndarray, seed: int, budget: float) -> Any:
    """(wall s, CPU s, clusters, membership) of networkx Louvain, or None past ``budget``."""
    queue: Any = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=networkx_louvain, args=(n, src, dst, seed, queue))
    child.start()
    try:
        return queue.get(timeout=budget)
    except Exception:  # queue.Empty: past the budget
        return None
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def store_run(n: int, src: np.ndarray, dst: np.ndarray, seed: int, repeat: int) -> dict:
    from graph_service.analysis.filters import read_arrays
    from graph_service.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "g.db", query_timeout=0)
        store.write(
            [Node(name(i), "Person", {"name": name(i)}) for i in range(n)],
            [
                Edge(name(a), "KNOWS", name(b), {})
                for a, b in zip(src.tolist(), dst.tolist(), strict=True)
            ],
        )
        read_s, _, _ = timed(lambda: read_arrays(store, structure.ACTOR_KINDS), repeat)
        wall, cpu, doc = timed(lambda: structure.clusters(store, seed), repeat)
        store.close()
    return {
        "read_arrays_s": read_s,
        "whole_s": wall,
        "whole_cpu_s": cpu,
        "clusters": len(doc["clusters"]),
        "modularity": doc["modularity"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nx-budget", type=float, default=600.0)
    parser.add_argument("--no-store", action="store_true")
    parser.add_argument("--no-leidenalg", action="store_true")
    args = parser.parse_args()
    n, seed = args.actors, args.seed
    load_before = os.getloadavg()
    src, dst = arrays(n, args.ties)
    print(f"{n:,} actors, {src.size:,} ties; load average {load_before[0]:.1f}", flush=True)

    import graspologic_native  # noqa: F401  (imported once per process, not timed)

    def ours() -> tuple[Any, list[list[int]]]:
        membership, q = structure.leiden(n, src, dst, seed)
        return q, structure.ordered_clusters(membership)

    wall, cpu, (q, parts) = timed(ours, args.repeat)
    rows: dict[str, Any] = {
        "ours_arrays": {"s": wall, "cpu_s": cpu, "clusters": len(parts), "modularity": q}
    }
    again = structure.leiden(n, src, dst, seed)[0]
    assert structure.ordered_clusters(again) == parts, "the same seed gave another answer"
    print(f"ours from the arrays: {wall:.2f} s (CPU {cpu:.2f} s), Q {q:.4f}", flush=True)
    if not args.no_store:
        rows["ours_embedded_store"] = store_run(n, src, dst, seed, args.repeat)
        print(f"ours on the embedded store: {rows['ours_embedded_store']}", flush=True)
    if not args.no_leidenalg:
        import igraph as ig
        import leidenalg

        graph = ig.Graph(n=n, edges=np.column_stack([src, dst]), directed=False)
        wall, cpu, part = timed(
            lambda: leidenalg.find_partition(graph, leidenalg.ModularityVertexPartition, seed=seed)
        )
        rows["leidenalg"] = {
            "s": wall,
            "cpu_s": cpu,
            "clusters": len(part),
            "modularity": modularity(n, src, dst, part.membership),
        }
        print(f"leidenalg: {rows['leidenalg']}", flush=True)
        wall, cpu, found = timed(
            lambda: graph.community_leiden(objective_function="modularity", n_iterations=2)
        )
        rows["igraph_leiden"] = {
            "s": wall,
            "cpu_s": cpu,
            "clusters": len(found),
            "modularity": modularity(n, src, dst, found.membership),
        }
        print(f"igraph leiden: {rows['igraph_leiden']}", flush=True)
    peer = run_networkx(n, src, dst, seed, args.nx_budget)
    if peer is not None:
        wall, cpu, k, membership = peer
        rows["networkx_louvain"] = {
            "s": wall,
            "cpu_s": cpu,
            "clusters": k,
            "modularity": modularity(n, src, dst, membership),
            "extrapolated": False,
        }
    else:
        small = []
        for part in (10, 4):
            m_small, n_small = args.ties // part, n // part
            s_src, s_dst = arrays(n_small, m_small)
            got = run_networkx(n_small, s_src, s_dst, seed, args.nx_budget)
            assert got is not None, f"networkx past the budget on {n_small} actors too"
            q_small = modularity(n_small, s_src, s_dst, got[3])
            small.append((n_small, got[0], got[1], got[2], q_small))
        (n1, t1, c1, *_), (n2, t2, c2, *_) = small
        power = math.log(t2 / t1) / math.log(n2 / n1)
        rows["networkx_louvain"] = {
            "s": t2 * (n / n2) ** power,
            "cpu_s": c2 * (n / n2) ** power,
            "extrapolated": True,
            "exponent": power,
            "from": [
                {"actors": a, "s": t, "cpu_s": c, "clusters": k, "modularity": qq}
                for a, t, c, k, qq in small
            ],
        }
    print(f"networkx louvain: {rows['networkx_louvain']}", flush=True)
    load_after = os.getloadavg()

    ours_row = rows["ours_arrays"]
    print(f"\nload average {load_before[0]:.1f} before, {load_after[0]:.1f} after\n")
    print("| what | wall | CPU | clusters | modularity | peer ÷ ours (CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| ours (graspologic-native Leiden) from the arrays | {ours_row['s']:.2f} s | "
        f"{ours_row['cpu_s']:.2f} s | {ours_row['clusters']} | {ours_row['modularity']:.4f} | |"
    )
    if "ours_embedded_store" in rows:
        e = rows["ours_embedded_store"]
        print(
            f"| ours, the whole question on the embedded store (reading {e['read_arrays_s']:.2f} s)"
            f" | {e['whole_s']:.2f} s | {e['whole_cpu_s']:.2f} s | {e['clusters']} | "
            f"{e['modularity']:.4f} | |"
        )
    peers = (
        ("igraph_leiden", "igraph Leiden (GPL, dropped)"),
        ("leidenalg", "leidenalg"),
        ("networkx_louvain", "networkx Louvain"),
    )
    for key, label in peers:
        if key not in rows:
            continue
        r = rows[key]
        extra = " (extrapolated)" if r.get("extrapolated") else ""
        q_text = f"{r['modularity']:.4f}" if "modularity" in r else "see the smaller graphs"
        print(
            f"| {label}{extra} | {r['s']:.1f} s | {r['cpu_s']:.1f} s | {r.get('clusters', '')} |"
            f" {q_text} | {r['cpu_s'] / ours_row['cpu_s']:.0f}x |"
        )
    OUT.mkdir(exist_ok=True)
    meta = {
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "actors": n,
        "ties": int(src.size),
        "seed": seed,
        "load_before": load_before,
        "load_after": load_after,
    }
    (OUT / "clusters_speed.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()

"""Chains and missing links: ``path --all`` and ``unlinked`` against their peers.

    python -m bench.chains_speed [--actors 100000] [--ties 300000] [--pairs 20]
        [--sources 10000] [--targets 1000] [--depth 2] [--no-store]
        [--old CODE_ROOT] [--neo4j bolt://USER:PASSWORD@HOST:PORT] [--repeat 3]

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
- End to end, unless ``--no-store``: the ``graph-service`` command itself, one process per
  question (Python's start and imports included), on the embedded store holding the same
  graph with a role per actor (one in ten ``leader``) and 1,000 ``level_tag=national``:
  ``path A B --all``, ``path A --to-where level_tag=national`` and ``unlinked --from
  role=leader --to level_tag=national --depth 2``, each *cold* (the first process at this
  graph version, on a fresh copy of the file: it reads the tables and writes the arrays
  snapshot) and *warm* (a later process at the same version: best of ``--repeat``). With
  ``--old CODE_ROOT`` (a checkout of the code before the snapshot, e.g. ``git archive``
  of main into a folder) the same commands run with that code on another copy of the same
  file, and their JSON output is checked equal to ours. With ``--neo4j URL`` the graph is
  also written to that (emptied!) Neo4j and ``path --to-where`` and ``unlinked`` timed
  there the same way (Neo4j has no snapshot: every process reads the graph's arrays).

Results go to stdout as a Markdown table and to bench/out/chains_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
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
    parser.add_argument("--old", type=Path, default=None, help="code root of the old code")
    parser.add_argument("--neo4j", default=None, help="a Neo4j URL (the graph is emptied)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs (best kept)")
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
        results["end_to_end"] = end_to_end(args, nodes, pairs, queries[0])
    results["load_average"] = os.getloadavg()

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
            f"\nOn the embedded store, in one process: the graph's arrays read "
            f"{e['read_arrays_s']:.2f} s the first time at this version, "
            f"{e['read_arrays_again_s']:.3f} s again; path {e['path_s']:.2f} s, "
            f"unlinked {e['unlinked_s']:.2f} s"
        )
    if "end_to_end" in results:
        print_end_to_end(results["end_to_end"])
    print(f"\nload average (1, 5, 15 min) at the end: {results['load_average']}")


def store_run(
    args: argparse.Namespace, nodes: list[Node], pairs: list[tuple[int, int]], pair: Any
) -> dict[str, float]:
    """The whole questions on an embedded store holding the same graph."""
    from graph_service.analysis.filters import read_arrays
    from graph_service.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "g.db", query_timeout=0)
        store.write(*tagged_graph(args, nodes, pairs))
        read_s, _ = timed(lambda: read_arrays(store))
        again_s, _ = timed(lambda: read_arrays(store))
        path_s, _ = timed(lambda: paths.path(store, name(pair[0]), name(pair[1]), all_paths=True))
        unlinked_s, _ = timed(
            lambda: paths.unlinked(store, "role=leader", "level_tag=national", args.depth)
        )
        store.close()
    return {
        "read_arrays_s": read_s,
        "read_arrays_again_s": again_s,
        "path_s": path_s,
        "unlinked_s": unlinked_s,
    }


def tagged_graph(
    args: argparse.Namespace, nodes: list[Node], pairs: list[tuple[int, int]]
) -> tuple[list[Node], list[Edge]]:
    """The bench graph with a ``role`` per actor (one in ten ``leader``) and
    ``level_tag=national`` on ``--targets`` of them (seeded)."""
    rng = random.Random(SEED + 1)
    tagged = [
        Node(n.id, n.kind, {**n.props, "role": rng.choice(["leader"] * 1 + ["member"] * 9)})
        for n in nodes
    ]
    for n in rng.sample(tagged, args.targets):
        n.props["level_tag"] = "national"  # type: ignore[index]
    return tagged, [Edge(name(a), "KNOWS", name(b)) for a, b in pairs]


def questions(args: argparse.Namespace, pair: Any) -> dict[str, list[str]]:
    """The command lines (after ``graph-service``) timed end to end."""
    return {
        "path --all": ["path", name(pair[0]), name(pair[1]), "--all"],
        "path --to-where": ["path", name(pair[0]), "--to-where", "level_tag=national"],
        "unlinked": [
            "unlinked",
            "--from",
            "role=leader",
            "--to",
            "level_tag=national",
            "--depth",
            str(args.depth),
        ],
    }


def run_cli(code: Path, store: str, argv: list[str]) -> tuple[float, bytes]:
    """Wall time of one ``graph-service ARGV --json --store STORE`` process run with the
    code under ``code``, and what it printed."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [
        sys.executable,
        "-c",
        "from graph_service.cli import main; main()",
        *argv,
        "--json",
        "--store",
        store,
    ]
    start = time.perf_counter()
    # run from the store's folder: ``python -c`` puts the current folder first on sys.path,
    # ahead of PYTHONPATH, so run from this checkout it would import this code, not ``code``
    done = subprocess.run(
        command, env=env, capture_output=True, check=False, cwd=tempfile.gettempdir()
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} with {code}: {done.stderr.decode()[-2000:]}")
    return took, done.stdout


def end_to_end(
    args: argparse.Namespace, nodes: list[Node], pairs: list[tuple[int, int]], pair: Any
) -> dict[str, Any]:
    """Cold and warm processes per question and code (ours, ``--old``), on copies of one
    store file (and on ``--neo4j``); every output checked equal to ours."""
    from graph_service.store.embedded import EmbeddedStore

    here = Path(__file__).resolve().parent.parent
    codes = {"new": here, **({"old": args.old.resolve()} if args.old else {})}
    tagged, edges = tagged_graph(args, nodes, pairs)
    out: dict[str, Any] = {"embedded": {}, "codes": {k: str(v) for k, v in codes.items()}}
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "base.db"
        store = EmbeddedStore(base, query_timeout=0)
        store.write(tagged, edges)
        store.close()
        for number, (label, argv) in enumerate(questions(args, pair).items()):
            row: dict[str, Any] = {}
            outputs = {}
            for code_name, code in codes.items():
                # a fresh file (no snapshot yet), never the name of an earlier copy (whose
                # -wal file SQLite would read with it)
                copy = Path(folder) / f"{code_name}-{number}.db"
                shutil.copyfile(base, copy)
                cold, printed = run_cli(code, str(copy), argv)
                warm = min(run_cli(code, str(copy), argv)[0] for _ in range(args.repeat))
                row[code_name] = {"cold_s": cold, "warm_s": warm}
                outputs[code_name] = printed
                copy.unlink()
            if "old" in outputs:
                assert outputs["old"] == outputs["new"], f"{label}: the answers differ"
            out["embedded"][label] = row
    if args.neo4j:
        out["neo4j"] = neo4j_run(args, codes, tagged, edges, pair)
    return out


def neo4j_run(
    args: argparse.Namespace,
    codes: dict[str, Path],
    nodes: list[Node],
    edges: list[Edge],
    pair: Any,
) -> dict[str, Any]:
    """The questions that read the graph's arrays on Neo4j (``path --to-where``,
    ``unlinked``), one process each, ours and ``--old``; and ``graph_arrays`` in process."""
    from graph_service.store import open_store

    # the old code reads the arrays for longer than the default 30 s query timeout
    os.environ["GRAPH_QUERY_TIMEOUT"] = "0"
    store = open_store(args.neo4j)
    store.clear()
    took, _ = timed(lambda: store.write(nodes, edges))
    arrays_s = min(timed(lambda: store.graph_arrays())[0] for _ in range(2))  # type: ignore[attr-defined]
    store.close()
    out: dict[str, Any] = {"write_s": took, "graph_arrays_s": arrays_s}
    for label, argv in questions(args, pair).items():
        if label == "path --all":
            continue  # one allShortestPaths statement in the database: reads no arrays
        row = {}
        outputs = {}
        for code_name, code in codes.items():
            best = float("inf")
            for _ in range(1 if code_name == "old" else max(args.repeat - 1, 1)):
                t, outputs[code_name] = run_cli(code, args.neo4j, argv)
                best = min(best, t)
            row[code_name] = {"warm_s": best}
        if "old" in outputs:
            assert outputs["old"] == outputs["new"], f"neo4j {label}: the answers differ"
        out[label] = row
    return out


def print_end_to_end(e2e: dict[str, Any]) -> None:
    print("\nEnd to end (one `graph-service ... --json` process; cold: the first at this graph")
    print("version, warm: a later one):\n")
    print(
        "| store | question | before, cold | before, warm | now, cold | now, warm | ratio (warm) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for store_name in ("embedded", "neo4j"):
        for label, row in e2e.get(store_name, {}).items():
            if not isinstance(row, dict) or "new" not in row:
                continue
            old = row.get("old", {})
            new = row["new"]

            def fmt(x: float | None) -> str:
                return "" if x is None else f"{x:.2f} s"

            ratio = f"{old['warm_s'] / new['warm_s']:.1f}x" if old else ""
            print(
                f"| {store_name} | {label} | {fmt(old.get('cold_s'))} | {fmt(old.get('warm_s'))} "
                f"| {fmt(new.get('cold_s'))} | {fmt(new['warm_s'])} | {ratio} |"
            )
    if "neo4j" in e2e:
        n = e2e["neo4j"]
        print(
            f"\nNeo4j: writing the graph {n['write_s']:.1f} s; "
            f"graph_arrays {n['graph_arrays_s']:.2f} s"
        )


if __name__ == "__main__":
    main()

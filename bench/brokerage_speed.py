"""Brokerage speed: Gould–Fernandez, betweenness and Burt's measures against their peers.

    python -m bench.brokerage_speed [--sizes 2000,100000] [--r-sizes 2000,5000]
        [--bc-size 10000] [--repeat 5] [--no-r] [--nx-budget 300]

Graphs: seeded random directed graphs, average total degree about 6 (3 arcs per actor, a
fifth of them reciprocated), five groups of unequal size (``directed_graph``).

- Gould–Fernandez for every actor, everything R's ``brokerage()`` returns (raw counts,
  expected values, standard deviations and z-scores per actor and for the graph):
  graph_service (``gould_fernandez`` + ``sna_expectations``), R's ``sna::brokerage``
  (bench/sna_time.R; only the call is timed, not reading the file), and a straightforward
  pure-Python loop over a dict of sets (``pure_python_brokerage``, below), checked to give
  the same counts and values as graph_service. R is run on two inputs: the dense N × N
  adjacency matrix (what tests/reference/sna_brokerage.R gives it: 8·N² bytes, 80 GB at
  100,000 actors, so not possible there) and sna's sparse edge list, which sna also accepts.
  With the edge list R's own code is quadratic in N (it grows the per-actor result matrices
  with ``rbind`` once per actor), about 75 s at 100,000 actors.
- Betweenness at ``--bc-size`` actors: graph_service's ``betweenness()`` (rustworkx, with
  building the graph), rustworkx's ``digraph_betweenness_centrality`` alone on a graph built
  beforehand, and networkx's ``betweenness_centrality``. networkx first runs on a sample of
  sources (``k``); when that predicts more than ``--nx-budget`` seconds for the full run,
  the full time is extrapolated from the sample (and labelled so), else it runs in full and
  its values are checked against graph_service's.
- Burt's constraint and effective size (``burt()``) at the largest size, next to
  networkx's ``constraint`` (networkx's ``effective_size`` builds a dense N × N matrix).

Seconds are the best of ``--repeat`` runs for the fast cases (one run for the slow ones).
Results go to stdout as a Markdown table and to bench/out/brokerage_speed.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import permutations
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import rustworkx as rx

from graph_service.analysis import brokerage as br

OUT = Path(__file__).parent / "out"
SNA_TIME = Path(__file__).parent / "sna_time.R"
GROUP_WEIGHTS = (0.35, 0.25, 0.2, 0.12, 0.08)
SEED = 20240601


# -- the graphs ------------------------------------------------------------------------------


def directed_graph(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` actors, about 3n arcs (average total degree about 6): 2.5n random arcs, a fifth
    of them reciprocated; de-duplicated, sorted, no self-loops. Five groups of unequal size.
    Returns (src, dst, group code per actor)."""
    rng = np.random.default_rng(seed + n)
    base = int(2.5 * n)
    src = rng.integers(0, n, base)
    dst = rng.integers(0, n, base)
    back = rng.random(base) < 0.2
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    keep = src != dst
    codes = np.unique(src[keep].astype(np.int64) * n + dst[keep])
    groups = rng.choice(len(GROUP_WEIGHTS), size=n, p=GROUP_WEIGHTS).astype(np.int64)
    return codes // n, codes % n, groups


# -- Gould–Fernandez, three ways -------------------------------------------------------------


def ours_brokerage(n: int, src: np.ndarray, dst: np.ndarray, groups: np.ndarray) -> dict:
    """Everything R's brokerage() returns, by graph_service's functions."""
    raw = br.gould_fernandez(n, src, dst, groups)
    ebr, vbr, eg, vg = br.sna_expectations(n, src.size, np.bincount(groups))
    exp, var = ebr[groups], vbr[groups]
    observed = raw.sum(axis=0)
    return {
        "raw": raw,
        "exp": exp,
        "sd": np.sqrt(var),
        "z": br._z(raw.astype(np.float64), exp, var),
        "g_raw": observed,
        "g_exp": eg,
        "g_sd": np.sqrt(vg),
        "g_z": br._z(observed.astype(np.float64), eg, vg),
    }


def _choose2(x: float) -> float:
    return x * (x - 1) / 2 if x >= 2 else 0.0


def pure_python_brokerage(n: int, arcs: list[tuple[int, int]], groups: list[int]) -> dict:
    """The plain way: successor and predecessor sets, a loop over every two-path, and R's
    formulas for the expected values written out as loops (as sna does them)."""
    succ: dict[int, set[int]] = defaultdict(set)
    pred: dict[int, set[int]] = defaultdict(set)
    for a, b in arcs:
        succ[a].add(b)
        pred[b].add(a)
    raw = [[0] * 6 for _ in range(n)]
    for b in range(n):
        gb, row = groups[b], raw[b]
        outs = succ.get(b, ())
        for a in pred.get(b, ()):
            ga, sa = groups[a], succ[a]
            for c in outs:
                if c == a or c in sa:
                    continue
                gc = groups[c]
                if ga == gb:
                    role = 0 if gb == gc else 2  # coordinator / representative
                elif gb == gc:
                    role = 3  # gatekeeper
                elif ga == gc:
                    role = 1  # itinerant
                else:
                    role = 4  # liaison
                row[role] += 1
                row[5] += 1
    # expected values and variances, R sna 2.7's formulas
    sizes: dict[int, int] = defaultdict(int)
    for g in groups:
        sizes[g] += 1
    labels = sorted(sizes)
    ns = [float(sizes[g]) for g in labels]
    N, m = float(n), len(arcs)
    d = m / (N * (N - 1))
    q = d * d * (1 - d)
    A, B, C = d**3 * (1 - d) ** 3, d**4 * (1 - d) ** 2, d**5 * (1 - d)
    per_group = {}
    for i, g in enumerate(labels):
        ni = ns[i]
        rest = ns[:i] + ns[i + 1 :]
        e = [0.0] * 6
        v = [0.0] * 6
        e[0] = q * (ni - 1) * (ni - 2)
        v[0] = e[0] * (1 - q) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * A
        e[1] = q * sum(r * (r - 1) for r in rest)
        v[1] = e[1] * (1 - q) + 2 * sum(r * (r - 1) * (r - 2) for r in rest) * A
        e[2] = e[3] = q * (N - ni) * (ni - 1)
        v[2] = v[3] = (
            e[2] * (1 - q) + 2 * ((ni - 1) * _choose2(N - ni) + (N - ni) * _choose2(ni - 1)) * A
        )
        e[4] = q * (sum(r * s for r in rest for s in rest) - sum(r * r for r in rest))
        v[4] = e[4] * (1 - q) + 4 * sum(r * _choose2(N - r - ni) for r in rest) * A
        e[5] = q * (N - 1) * (N - 2)
        v[5] = e[5] * (1 - q) + 2 * (N - 1) * (N - 2) * (N - 3) * A
        per_group[g] = (e, v)
    eg = [0.0] * 6
    vg = [0.0] * 6
    eg[0] = q * sum(x * (x - 1) * (x - 2) for x in ns)
    vg[0] = eg[0] * (1 - q) + sum(
        x * (x - 1) * (x - 2) * ((4 * x - 10) * A - 4 * (x - 3) * B + (x - 3) * C) for x in ns
    )
    eg[1] = q * sum(x * (N - x) * (x - 1) for x in ns)
    vg[1] = eg[1] * (1 - q)
    vg[1] += sum(
        x * y * (x - 1) * ((2 * x + 2 * y - 6) * A + (N - x - 1) * C) for x in ns for y in ns
    )
    vg[1] -= sum(x * x * (x - 1) * ((4 * x - 6) * A + (N - x - 1) * C) for x in ns)
    eg[2] = eg[3] = q * sum(x * (N - x) * (x - 1) for x in ns)
    vg[2] = vg[3] = eg[2] * (1 - q) + sum(
        x * (N - x) * (x - 1) * ((N - 3) * A + (x - 2) * C) for x in ns
    )
    eg[4] = q * (
        sum(x * y * (N - x - y) for x in ns for y in ns) - sum(x * x * (N - 2 * x) for x in ns)
    )
    vg[4] = eg[4] * (1 - q)
    for x, y, z in permutations(ns, 3):  # (i, j, k) pairwise distinct
        vg[4] += (
            x
            * y
            * z
            * (
                (4 * (N - y) - 2 * (x + z + 1)) * A
                - (4 * (N - z) - 2 * (x + y + 1)) * B
                + (N - (x + z + 1)) * C
            )
        )
    eg[5] = q * N * (N - 1) * (N - 2)
    vg[5] = eg[5] * (1 - q) + N * (N - 1) * (N - 2) * (
        (4 * N - 10) * A - 4 * (N - 3) * B + (N - 3) * C
    )

    def z_of(x: float, e: float, v: float) -> float:
        sd = math.sqrt(v)
        return (x - e) / sd if sd > 0 else math.nan

    exp, sd, z = [], [], []
    for i in range(n):
        e, v = per_group[groups[i]]
        exp.append(e)
        sd.append([math.sqrt(x) for x in v])
        z.append([z_of(raw[i][j], e[j], v[j]) for j in range(6)])
    g_raw = [sum(r[j] for r in raw) for j in range(6)]
    return {
        "raw": raw,
        "exp": exp,
        "sd": sd,
        "z": z,
        "g_raw": g_raw,
        "g_exp": eg,
        "g_sd": [math.sqrt(x) for x in vg],
        "g_z": [z_of(g_raw[j], eg[j], vg[j]) for j in range(6)],
    }


def check_same(ours: dict, other: dict, what: str) -> None:
    """Counts identical, the rest equal to 1e-9 relative (NaN where the other is NaN)."""
    if not np.array_equal(np.asarray(other["raw"]), ours["raw"]):
        raise AssertionError(f"{what}: raw counts differ from graph_service's")
    if not np.array_equal(np.asarray(other["g_raw"]), ours["g_raw"]):
        raise AssertionError(f"{what}: graph totals differ from graph_service's")
    for key in ("exp", "sd", "z", "g_exp", "g_sd", "g_z"):
        np.testing.assert_allclose(
            np.asarray(other[key], dtype=float),
            ours[key],
            rtol=1e-9,
            atol=1e-12,
            equal_nan=True,
            err_msg=f"{what}: {key}",
        )


# -- R ---------------------------------------------------------------------------------------


def write_graph_csv(path: Path, n: int, src: np.ndarray, dst: np.ndarray, groups: np.ndarray):
    """The format of tests/reference/sna_brokerage.R."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"n,{n},\n")
        fh.writelines(f"node,{i + 1},g{g}\n" for i, g in enumerate(groups.tolist()))
        fh.writelines(
            f"arc,{a + 1},{b + 1}\n" for a, b in zip(src.tolist(), dst.tolist(), strict=True)
        )


def time_r(graph_csv: Path, mode: str, repeats: int, raw_out: Path | None = None) -> list[float]:
    cmd = ["Rscript", str(SNA_TIME), str(graph_csv), mode, str(repeats)]
    if raw_out is not None:
        cmd.append(str(raw_out))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript failed: {proc.stderr.strip()}")
    line = [x for x in proc.stdout.splitlines() if x.startswith("elapsed,")][-1]
    return [float(x) for x in line.split(",")[1:]]


# -- timing ----------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def rx_graph(n: int, src: np.ndarray, dst: np.ndarray) -> rx.PyDiGraph:
    g = rx.PyDiGraph(multigraph=False)
    g.add_nodes_from(range(n))
    g.add_edges_from_no_data(list(zip(src.tolist(), dst.tolist(), strict=True)))
    return g


def nx_graph(n: int, src: np.ndarray, dst: np.ndarray) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    return G


class Table:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, task: str, n: int, m: int, impl: str, seconds: float | None, note: str = ""):
        self.rows.append(
            {"task": task, "actors": n, "arcs": m, "implementation": impl, "seconds": seconds}
            | {"note": note}
        )

    def ours(self, task: str, n: int) -> float:
        return next(
            r["seconds"]
            for r in self.rows
            if r["task"] == task and r["actors"] == n and r["implementation"] == "graph_service"
        )

    def print(self) -> None:
        print("| task | actors | arcs | implementation | seconds | vs graph_service | note |")
        print("|---|---:|---:|---|---:|---:|---|")
        for r in self.rows:
            s = r["seconds"]
            base = self.ours(r["task"], r["actors"])
            secs = "n/a" if s is None else f"{s:.4f}" if s < 1 else f"{s:.2f}"
            ratio = (
                "" if s is None or r["implementation"] == "graph_service" else f"{s / base:,.1f}x"
            )
            print(
                f"| {r['task']} | {r['actors']:,} | {r['arcs']:,} | {r['implementation']} | "
                f"{secs} | {ratio} | {r['note']} |"
            )


def bench_gould_fernandez(
    table: Table, n: int, repeats: int, r_modes: list[str], folder: Path
) -> None:
    src, dst, groups = directed_graph(n)
    m = int(src.size)
    task = "Gould–Fernandez, all actors"
    reps = repeats if n <= 10_000 else 3
    ours, seconds = best_of(lambda: ours_brokerage(n, src, dst, groups), reps)
    table.add(task, n, m, "graph_service", seconds, f"best of {reps}")
    arcs = list(zip(src.tolist(), dst.tolist(), strict=True))
    glist = groups.tolist()
    py_reps = reps if n <= 10_000 else 1
    plain, py_seconds = best_of(lambda: pure_python_brokerage(n, arcs, glist), py_reps)
    check_same(ours, plain, f"pure Python at {n}")
    table.add(task, n, m, "pure Python loop", py_seconds, "same counts and values: checked")
    if not r_modes:
        return
    graph_csv = folder / f"graph-{n}.csv"
    write_graph_csv(graph_csv, n, src, dst, groups)
    for mode in r_modes:
        if mode == "matrix" and n > 20_000:
            gb = 8 * n * n / 1e9
            table.add(task, n, m, "R sna, dense matrix", None, f"needs {gb:,.0f} GB for the matrix")
            continue
        raw_out = folder / f"raw-{n}-{mode}.csv"
        times = time_r(graph_csv, mode, reps if n <= 10_000 else 1, raw_out)
        r_raw = np.loadtxt(raw_out, delimiter=",", dtype=np.float64, ndmin=2)
        if not np.array_equal(r_raw, ours["raw"]):
            raise AssertionError(f"R ({mode}) counts differ from graph_service's at {n}")
        label = "R sna, dense matrix" if mode == "matrix" else "R sna, edge list"
        runs = "one run" if len(times) == 1 else f"best of {len(times)}"
        note = f"{runs}; same counts: checked"
        table.add(task, n, m, label, min(times), note)


def bench_betweenness(table: Table, n: int, repeats: int, budget: float) -> None:
    src, dst, _ = directed_graph(n)
    m = int(src.size)
    task = "betweenness (normalised)"
    ours, seconds = best_of(lambda: br.betweenness(n, src, dst), repeats)
    table.add(task, n, m, "graph_service", seconds, f"best of {repeats}; builds the graph too")
    g = rx_graph(n, src, dst)
    _, rx_seconds = best_of(lambda: rx.digraph_betweenness_centrality(g, normalized=True), repeats)
    table.add(task, n, m, "rustworkx alone", rx_seconds, f"best of {repeats}; graph built before")
    G = nx_graph(n, src, dst)
    k = min(n, 200)
    _, k_seconds = best_of(lambda: nx.betweenness_centrality(G, k=k, seed=1), 1)
    estimate = k_seconds * n / k
    if estimate > budget:
        note = f"extrapolated from k={k} sources ({k_seconds:.1f} s) to all {n:,}"
        table.add(task, n, m, "networkx (extrapolated)", estimate, note)
        return
    want, nx_seconds = best_of(lambda: nx.betweenness_centrality(G, normalized=True), 1)
    np.testing.assert_allclose(ours, [want[i] for i in range(n)], rtol=1e-9, atol=1e-12)
    table.add(task, n, m, "networkx", nx_seconds, "full run; same values: checked")


def bench_burt(table: Table, n: int, repeats: int) -> None:
    src, dst, _ = directed_graph(n)
    m = int(src.size)
    task = "Burt constraint + effective size"
    (constraint, _), seconds = best_of(lambda: br.burt(n, src, dst), repeats)
    table.add(task, n, m, "graph_service", seconds, f"best of {repeats}; both measures")
    G = nx_graph(n, src, dst)
    want, nx_seconds = best_of(lambda: nx.constraint(G), 1)
    np.testing.assert_allclose(
        constraint, [want[i] for i in range(n)], rtol=1e-9, atol=1e-12, equal_nan=True
    )
    note = "constraint only (its effective_size builds a dense N x N matrix); same values"
    table.add(task, n, m, "networkx constraint", nx_seconds, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,100000", help="Gould–Fernandez sizes")
    parser.add_argument(
        "--r-sizes",
        default="2000,5000",
        help="extra sizes timed with R (dense matrix and edge list) besides --sizes",
    )
    parser.add_argument("--bc-size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--nx-budget", type=float, default=300.0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    r_sizes = [int(s) for s in args.r_sizes.split(",") if s]
    has_r = shutil.which("Rscript") is not None and not args.no_r
    OUT.mkdir(exist_ok=True)
    table = Table()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(sizes) | (set(r_sizes) if has_r else set())):
            modes = ["matrix", "edgelist"] if has_r else []
            bench_gould_fernandez(table, n, args.repeat, modes, Path(tmp))
    bench_betweenness(table, args.bc_size, 3, args.nx_budget)
    bench_burt(table, max(sizes), 3)
    total = time.perf_counter() - started

    cpu = platform.processor() or platform.machine()
    print(f"Brokerage speed; {cpu}, {os.cpu_count()} cores; the whole run {total:.0f} s\n")
    table.print()
    print()
    print(targets(table, sizes, args.bc_size))
    (OUT / "brokerage_speed.json").write_text(json.dumps(table.rows, indent=2), encoding="utf-8")


def targets(table: Table, sizes: list[int], bc_size: int) -> str:
    lines = ["Targets:"]

    def find(task: str, n: int, impl: str) -> float | None:
        for r in table.rows:
            if r["task"] == task and r["actors"] == n and r["implementation"] == impl:
                return r["seconds"]
        return None

    gf = "Gould–Fernandez, all actors"
    ours_small = find(gf, 2000, "graph_service")
    for impl in ("R sna, dense matrix", "R sna, edge list"):
        r = find(gf, 2000, impl)
        if ours_small and r:
            speedup = r / ours_small
            verdict = "met" if speedup >= 20 else "NOT met"
            lines.append(
                f"- GF at 2,000 at least 20x faster than {impl}: {speedup:.0f}x, {verdict}"
            )
    big = max(sizes)
    ours_big = find(gf, big, "graph_service")
    if ours_big is not None:
        verdict = "met" if ours_big < 60 else "NOT met"
        lines.append(f"- GF at {big:,} actors under 60 s: {ours_big:.2f} s, {verdict}")
    bc, rx_alone = (
        find("betweenness (normalised)", bc_size, "graph_service"),
        find("betweenness (normalised)", bc_size, "rustworkx alone"),
    )
    if bc and rx_alone:
        ratio = bc / rx_alone
        verdict = "met" if ratio <= 2 else "NOT met"
        lines.append(f"- betweenness within 2x of rustworkx: {ratio:.2f}x, {verdict}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Fragility speed: cut points with what each cuts off, bridges and components, against
networkx.

    python -m bench.fragility_speed [--actors 100000] [--ties 300000] [--repeat 3]
        [--nx-budget 120]

Two graphs of ``--actors`` actors and ``--ties`` ties (read both ways), seeded:

- ``random``: ties between uniformly random pairs (few cut points: a giant component with
  short dangling trees);
- ``hierarchy``: the shape of the users' networks: a tree of offices (one ministry, 77
  provinces, districts, subdistricts, down to the actors) with the rest of the ties random
  *within* each district, so every office above a district is a cut point and what it cuts
  off is large.

Timed, each the best of ``--repeat`` runs:

- graph_service ``find_fragility`` (the search on the arrays) and ``fragility_report`` (the
  whole document with ids, groups, components and isolates, from the tie graph);
- rustworkx ``articulation_points`` + ``bridges`` (Rust; no cut-off sets), for scale;
- the peer, networkx: ``articulation_points`` plus, for each cut point, the components of
  its component without it (``connected_components`` of the subgraph), which gives what it
  cuts off. When the per-cut-point part would pass ``--nx-budget`` seconds, it runs on the
  first cut points only and the whole is extrapolated (labelled so). Its cut-off sets are
  checked against graph_service's for every cut point it computed.

Results go to stdout as a Markdown table and to bench/out/fragility_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import rustworkx as rx

from graph_service.analysis.common import TieGraph
from graph_service.analysis.fragility import find_fragility, fragility_report
from graph_service.domain import Node

OUT = Path(__file__).parent / "out"
SEED = 20261203


def symmetric(n: int, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = a != b
    a, b = a[keep], b[keep]
    codes = np.unique(np.concatenate([a * n + b, b * n + a]))
    return codes // n, codes % n


def random_graph(n: int, m: int) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    rng = np.random.default_rng(SEED)
    levels = ["national", "provincial", "district", "subdistrict", None]
    groups = [levels[i] for i in rng.integers(0, 5, n).tolist()]
    return (*symmetric(n, rng.integers(0, n, m), rng.integers(0, n, m)), groups)


def hierarchy_graph(n: int, m: int) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Node 0 the ministry, 1..77 provinces, then 10 districts per province, then 8
    subdistricts per district; every other actor hangs under a random subdistrict; the
    ties left over join random pairs within one district's actors."""
    rng = np.random.default_rng(SEED)
    provinces = np.arange(1, 78)
    districts = np.arange(78, 78 + 770)
    subdistricts = np.arange(districts[-1] + 1, districts[-1] + 1 + 6160)
    rest = np.arange(subdistricts[-1] + 1, n)
    parent = np.zeros(n, dtype=np.int64)
    parent[provinces] = 0
    parent[districts] = provinces[(districts - 78) // 10]
    parent[subdistricts] = districts[(subdistricts - subdistricts[0]) // 8]
    parent[rest] = rng.choice(subdistricts, rest.size)
    district_of = parent.copy()
    district_of[rest] = parent[parent[rest]]
    tree_a, tree_b = np.arange(1, n), parent[1:]
    extra = m - (n - 1)
    pick = rng.choice(rest, extra)
    # a partner in the same district: another actor under the same district, by sorting
    order = np.argsort(district_of[rest], kind="stable")
    sorted_rest = rest[order]
    start = np.searchsorted(district_of[sorted_rest], district_of[pick], side="left")
    stop = np.searchsorted(district_of[sorted_rest], district_of[pick], side="right")
    partner = sorted_rest[start + (rng.random(extra) * (stop - start)).astype(np.int64)]
    levels = np.full(n, "", dtype=object)
    levels[0], levels[provinces], levels[districts] = "national", "provincial", "district"
    levels[subdistricts] = "subdistrict"
    groups = [lv or None for lv in levels.tolist()]
    a = np.concatenate([tree_a, pick])
    b = np.concatenate([tree_b, partner])
    return (*symmetric(n, a, b), groups)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def networkx_peer(
    n: int, src: np.ndarray, dst: np.ndarray, budget: float, expected: dict[int, np.ndarray]
) -> dict[str, Any]:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(src[src < dst].tolist(), dst[src < dst].tolist(), strict=True))
    t = time.perf_counter()
    points = sorted(nx.articulation_points(g))
    ap_time = time.perf_counter() - t
    component_of: dict[int, set[int]] = {}
    for comp in nx.connected_components(g):
        for v in comp:
            component_of[v] = comp
    t = time.perf_counter()
    done = 0
    for v in points:
        rest = g.subgraph(component_of[v] - {v})
        parts = sorted(nx.connected_components(rest), key=lambda p: (-len(p), min(p)))
        cut = sorted(i for part in parts[1:] for i in part)
        assert cut == expected[v].tolist(), f"cut point {v}: networkx and graph_service differ"
        done += 1
        if time.perf_counter() - t > budget:
            break
    per_cut = time.perf_counter() - t
    whole = ap_time + per_cut * len(points) / max(done, 1)
    return {
        "articulation_points_s": ap_time,
        "cut_points": len(points),
        "cut_points_computed": done,
        "seconds": whole,
        "extrapolated": done < len(points),
    }


def run_case(name: str, n: int, src: np.ndarray, dst: np.ndarray, groups: list[Any], args: Any):
    print(f"{name}: {n} actors, {src.size // 2} ties", flush=True)
    search_s, found = best(lambda: find_fragility(n, src, dst), args.repeat)
    ids = [f"a{i:06d}" for i in range(n)]
    nodes = {
        i: Node(i, "Organisation", {"name": i, **({"admin_level": g} if g else {})})
        for i, g in zip(ids, groups, strict=True)
    }
    ties = TieGraph(ids, nodes, src, dst)
    report_s, doc = best(lambda: fragility_report(ties), args.repeat)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    keep = src < dst
    graph.add_edges_from_no_data(list(zip(src[keep].tolist(), dst[keep].tolist(), strict=True)))
    rx_s, rx_points = best(lambda: (rx.articulation_points(graph), rx.bridges(graph)), args.repeat)
    assert sorted(rx_points[0]) == found.cut_points
    peer = networkx_peer(n, src, dst, args.nx_budget, found.cut_off)
    cut_total = sum(len(c["cut_off"]) for c in doc["cut_points"])
    return {
        "graph": name,
        "actors": n,
        "ties": int(src.size // 2),
        "cut_points": len(found.cut_points),
        "bridges": int(found.bridges.shape[0]),
        "components": len(doc["components"]),
        "cut_off_listed": cut_total,
        "graph_service_search_s": search_s,
        "graph_service_document_s": report_s,
        "rustworkx_points_and_bridges_s": rx_s,
        "networkx": peer,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--ties", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nx-budget", type=float, default=120.0)
    args = parser.parse_args()
    rows = []
    for name, make in (("random", random_graph), ("hierarchy", hierarchy_graph)):
        src, dst, groups = make(args.actors, args.ties)
        rows.append(run_case(name, args.actors, src, dst, groups, args))
    print()
    print(
        "| graph | actors | ties | cut points | cut off (listed) | graph_service search | "
        "graph_service document | rustworkx points + bridges | networkx peer |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        nxp = r["networkx"]
        peer = f"{nxp['seconds']:.1f} s" + (
            f" (extrapolated from {nxp['cut_points_computed']} of {nxp['cut_points']} cut points)"
            if nxp["extrapolated"]
            else ""
        )
        print(
            f"| {r['graph']} | {r['actors']:,} | {r['ties']:,} | {r['cut_points']:,} | "
            f"{r['cut_off_listed']:,} | {r['graph_service_search_s']:.2f} s | "
            f"{r['graph_service_document_s']:.2f} s | "
            f"{r['rustworkx_points_and_bridges_s']:.2f} s | {peer} |"
        )
    OUT.mkdir(exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    (OUT / "fragility_speed.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()

"""A 100,000-member hub: brokerage, reach, gaps and the hub maps, before and after issue 11
point 1 (two-paths counted, not listed).

    python -m bench.hub_speed [--members 100000] [--cap-gb 6] [--old-searches 300]

The graph (embedded store, written once, not timed): the network ``hub`` (national) with
``--members`` people (village) MEMBER_OF it; each person also WORKS_FOR one of members/100
health centres (subdistrict, 100 people each); each centre is MEMBER_OF one of 50 district
networks (district), which are MEMBER_OF the hub; 3 PARTNERS_WITH ties per centre to random
other centres. About 2.04 ties per person.

Each measure runs in a fresh child process (``python -m bench.hub_speed --child``) under an
address-space cap (``resource.setrlimit(RLIMIT_AS)``, ``--cap-gb``) so that the old code
cannot take the machine down; the table gives its wall time and its peak resident memory
(``ru_maxrss``), or how it failed. "Before" is the code of commit ``ead3e05`` (the base of
this change), read with ``git show`` into a module of its own:

- brokerage: ``brokerage(store, undirected=True)`` (what ``/map?size_by=brokerage`` and the
  home page run), before: ead3e05's ``graph_service/analysis/brokerage.py``;
- map hub reach: ``build_map(store, focus="hub", depth=1, size_by="reach")``
  (``/map/focus/hub?depth=1&size_by=reach``), before: ead3e05's ``_reach_sizes`` (a
  networkx search from every node). The old sizes cannot finish at this size: the child
  times ``--old-searches`` of its searches and the table gives the time they took and the
  time the N searches would take at that rate (labelled "extrapolated");
- map brokerage: ``build_map(store, size_by="brokerage")``, before with the old brokerage;
- reach and gaps: ``reach(store, "hub", 2)`` and ``gaps(store)``, unchanged by this work
  (the same code before and after): measured once, to show they stay linear.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BEFORE = "ead3e05"
MEASURES = ("brokerage", "map_hub_reach", "map_brokerage", "reach", "gaps")
CHANGED = ("brokerage", "map_hub_reach", "map_brokerage")


def build(path: Path, members: int) -> dict[str, int]:
    from graph_service.domain import Edge, Node
    from graph_service.store.embedded import EmbeddedStore

    rng = random.Random(11)
    centres, districts = max(members // 100, 1), 50
    nodes = [Node("hub", "Network", {"name": "อสม. ทั่วประเทศ", "admin_level": "national"})]
    nodes += [
        Node(f"d{j:03d}", "Network", {"name": f"district {j}", "admin_level": "district"})
        for j in range(districts)
    ]
    nodes += [
        Node(f"c{j:05d}", "Organisation", {"name": f"รพ.สต. {j}", "admin_level": "subdistrict"})
        for j in range(centres)
    ]
    nodes += [
        Node(f"p{i:06d}", "Person", {"name": f"อสม. {i}", "admin_level": "village"})
        for i in range(members)
    ]
    edges = [Edge(f"d{j:03d}", "MEMBER_OF", "hub") for j in range(districts)]
    edges += [Edge(f"c{j:05d}", "MEMBER_OF", f"d{j % districts:03d}") for j in range(centres)]
    partners = set()
    for j in range(centres):
        for _ in range(3):
            k = rng.randrange(centres)
            if k != j:
                partners.add((min(j, k), max(j, k)))
    edges += [Edge(f"c{a:05d}", "PARTNERS_WITH", f"c{b:05d}") for a, b in sorted(partners)]
    for i in range(members):
        edges.append(Edge(f"p{i:06d}", "MEMBER_OF", "hub"))
        edges.append(Edge(f"p{i:06d}", "WORKS_FOR", f"c{i % centres:05d}"))
    store = EmbeddedStore(path, query_timeout=0)
    store.write(nodes, edges)
    store.close()
    return {"entities": len(nodes), "relationships": len(edges)}


def old_module(path: str, name: str) -> Any:
    """``path`` as it was at BEFORE, loaded as the module ``name``."""
    text = subprocess.run(
        ["git", "show", f"{BEFORE}:{path}"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="hub-old-"))
    file = folder / f"{name}.py"
    file.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_child(measure: str, version: str, db: str, old_searches: int) -> dict[str, Any]:
    import graph_service.analysis.brokerage as br
    from graph_service.store.embedded import EmbeddedStore

    store = EmbeddedStore(Path(db), query_timeout=0)
    extra: dict[str, Any] = {}
    if version == "before" and measure in ("brokerage", "map_brokerage"):
        br.brokerage = old_module("graph_service/analysis/brokerage.py", "old_brokerage").brokerage
    start = time.perf_counter()
    if measure == "brokerage":
        doc = br.brokerage(store, undirected=True)
        extra["hub_total"] = next(r["total"] for r in doc["nodes"] if r["id"] == "hub")
    elif measure == "map_brokerage":
        from viz.maps import build_map

        extra["page_mb"] = round(len(build_map(store, size_by="brokerage")) / 2**20, 1)
    elif measure == "map_hub_reach" and version == "after":
        from viz.maps import build_map

        extra["page_mb"] = round(
            len(build_map(store, focus="hub", depth=1, size_by="reach")) / 2**20, 1
        )
    elif measure == "map_hub_reach":
        import networkx as nx

        from graph_service.store.base import neighbourhood

        sub = neighbourhood(store, "hub", 1)
        g = nx.Graph()
        g.add_nodes_from(sub.nodes)
        g.add_edges_from((e.source, e.target) for e in sub.edges if e.source != e.target)
        t0 = time.perf_counter()
        for i in list(g.nodes)[:old_searches]:
            nx.single_source_shortest_path_length(g, i, cutoff=2)
        took = time.perf_counter() - t0
        extra["searches"] = old_searches
        extra["searches_seconds"] = round(took, 2)
        extra["extrapolated_seconds"] = round(took / old_searches * g.number_of_nodes())
    elif measure == "reach":
        from graph_service.analysis.reach import reach

        extra["reach"] = reach(store, "hub", 2)["reach"]
    elif measure == "gaps":
        from graph_service.analysis.gaps import gaps

        extra["missing"] = len(gaps(store)["missing"])
    return {"seconds": round(time.perf_counter() - start, 2), **extra}


def child(args: argparse.Namespace) -> None:
    cap = int(args.cap_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    start = time.perf_counter()
    try:
        out = run_child(args.measure, args.version, args.db, args.old_searches)
    except MemoryError:
        took = time.perf_counter() - start
        out = {"error": f"MemoryError under the {args.cap_gb:g} GB cap after {took:.1f} s"}
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def spawn(measure: str, version: str, db: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "bench.hub_speed", "--child", "--measure", measure]
    cmd += ["--version", version, "--db", str(db), "--cap-gb", str(args.cap_gb)]
    cmd += ["--old-searches", str(args.old_searches)]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}", "wall": wall}
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--cap-gb", type=float, default=6.0)
    parser.add_argument("--old-searches", type=int, default=300)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--measure")
    parser.add_argument("--version")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "hub.db"
        t0 = time.perf_counter()
        size = build(db, args.members)
        print(
            f"hub of {args.members:,} members: {size['entities']:,} entities, "
            f"{size['relationships']:,} relationships (written in {time.perf_counter() - t0:.0f} s)"
        )
        print(f"{platform.python_version()}, {os.cpu_count()} cores, cap {args.cap_gb:g} GB")
        rows = []
        for measure in MEASURES:
            for version in ("before", "after") if measure in CHANGED else ("after",):
                got = spawn(measure, version, db, args)
                rows.append({"measure": measure, "version": version, **got})
                print(json.dumps(rows[-1]), flush=True)
    print("\n| measure | code | time (s) | peak RSS (MB) | note |\n|---|---|---|---|---|")
    for r in rows:
        note = r.get("error", "")
        if "extrapolated_seconds" in r:
            note = (
                f"{r['searches']} of the searches took {r['searches_seconds']} s: all of them "
                f"about {r['extrapolated_seconds']:,} s (extrapolated)"
            )
        for k in ("hub_total", "page_mb", "reach", "missing"):
            if k in r:
                note += f"{k}: {r[k]:,}"
        seconds = r.get("seconds", "—") if "extrapolated_seconds" not in r else "—"
        print(f"| {r['measure']} | {r['version']} | {seconds} | {r.get('peak_mb', '—')} | {note} |")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "hub_speed.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Time (issue 14): a question as of a past day against the same question now, ``diff`` of
two snapshots, and what ten yearly snapshots cost in file size, on the embedded store.

    python -m bench.history [--rows 102000] [--years 10] [--change 0.10] [--repeat 3]
        [--keep DIR]

The graph is ``bench.generate``'s dataset (the one ``bench.import_speed`` imports):
``--rows 102000`` gives about 100,000 relationships (its explicit ones plus one per
shorthand column) among about 51,000 entities. Its ``year`` columns are dropped: a
relationship with a ``year`` holds in that year only (valid time), so as of any later day
almost nothing would hold, and the as-of graph must be as large as now's to be a fair
comparison.

Ten yearly snapshots (``store.write(..., at="YEAR-01-01", snapshot=True)``, as ``import
--snapshot YEAR``), seeded: the first is the dataset; each later one changes ``--change``
(10 %) of the relationships: a third ended, a third new (ties between random
organisations, as the generator draws them), a third with a changed value (``strength``);
and 1 % of the entities get a new value (``score``).

Timed (wall clock, best of ``--repeat``):

(a) brokerage, reach (of the organisation with the most ties, depth 2), gaps and fragility
    as of the middle of the history (the fifth year's 30 June) and now, each asked twice
    in one process: *first* (a store just opened on the file and no as-of view in memory,
    as a command-line run; the file already holds the current graph's arrays, as it does
    after the first question following an import) and *cached* (the same question again,
    as the service asks it); the ratio as-of / now;
(b) ``analysis.change.diff`` between the last two snapshots (30 June of each year), and
    between the first and the last, from a store just opened (no view in memory);
(c) the file's size with the ten snapshots against a file holding only the last snapshot
    (the same graph without history), both after the writes, closed; and after VACUUM;
(d) ``export --format gexf --dynamic`` of the whole history (seconds, file size).

Goals (issue 14): as-of at most 1.5 × now; diff under 2 s; size under 3 ×. Results go to
stdout and to bench/out/history.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.generate import TYPES, generate
from graph_service.domain import Edge, Node
from graph_service.store import history
from graph_service.store.embedded import EmbeddedStore

OUT = Path(__file__).parent / "out"
SEED = 14


def base_graph(folder: Path, rows: int) -> tuple[list[Node], list[Edge]]:
    """The generated dataset imported into a scratch store, read back, ``year`` dropped."""
    from importers.load import import_dataset

    generate(folder / "data", rows=rows, seed=SEED)
    scratch = EmbeddedStore(folder / "scratch.db")
    import_dataset(scratch, folder / "data")
    sub = scratch.subgraph()
    scratch.close()
    nodes = [
        Node(n.id, n.kind, {k: v for k, v in n.props.items() if k != "year"})
        for n in sub.nodes.values()
    ]
    edges = [
        Edge(e.source, e.type, e.target, {k: v for k, v in e.props.items() if k != "year"}, e.key)
        for e in sub.edges
    ]
    return nodes, edges


def snapshots(
    nodes: list[Node], edges: list[Edge], years: list[int], change: float
) -> list[tuple[int, list[Node], list[Edge]]]:
    """The yearly snapshots (see the module docstring)."""
    rng = random.Random(SEED)
    orgs = sorted(n.id for n in nodes if n.kind == "Organisation")
    out = [(years[0], list(nodes), list(edges))]
    current_nodes = {n.id: n for n in nodes}
    current = {e.key: e for e in edges}
    for year in years[1:]:
        n_change = int(len(current) * change)
        third = n_change // 3
        keys = sorted(current)
        picked = rng.sample(keys, 2 * third)
        for key in picked[:third]:  # ended
            del current[key]
        for key in picked[third:]:  # changed value
            e = current[key]
            current[key] = Edge(e.source, e.type, e.target, {**e.props, "strength": year}, e.key)
        added = 0
        while added < n_change - 2 * third:  # new ties
            source, target = rng.choice(orgs), rng.choice(orgs)
            e = Edge(source, rng.choice(TYPES), target, {"since": year})
            if source == target or e.key in current:
                continue
            current[e.key] = e
            added += 1
        for i in rng.sample(sorted(current_nodes), len(current_nodes) // 100):
            n = current_nodes[i]
            current_nodes[i] = Node(n.id, n.kind, {**n.props, "score": year})
        out.append((year, list(current_nodes.values()), list(current.values())))
    return out


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def questions(ref: str) -> dict[str, Callable[[Any], Any]]:
    from graph_service.analysis.brokerage import brokerage
    from graph_service.analysis.fragility import fragility
    from graph_service.analysis.gaps import gaps
    from graph_service.analysis.reach import reach

    return {
        "brokerage": lambda s: brokerage(s),
        "reach": lambda s: reach(s, ref, depth=2),
        "gaps": lambda s: gaps(s),
        "fragility": lambda s: fragility(s),
    }


def ask(path: Path, question: Callable[[Any], Any], day: dt.date | None) -> tuple[float, float]:
    """(first, cached) seconds of one question on a store just opened on ``path``, now
    (``day`` None) or as of ``day``."""
    history._cache.clear()
    store = EmbeddedStore(path)
    try:
        start = time.perf_counter()
        question(store if day is None else history.as_of(store, day))
        first = time.perf_counter() - start
        start = time.perf_counter()
        question(store if day is None else history.as_of(store, day))
        cached = time.perf_counter() - start
    finally:
        store.close()
        history._cache.clear()
    return first, cached


def as_of_parts(path: Path, day: dt.date) -> dict[str, float]:
    """Where a first as-of view's time goes: the rows read, the view built, its arrays."""
    history._cache.clear()
    store = EmbeddedStore(path)
    try:
        start = time.perf_counter()
        nodes, edges = store.rows_as_of(day.isoformat())
        read = time.perf_counter() - start
        start = time.perf_counter()
        kept = [n for n in nodes if history.holds_at(n.props, day, use_year=False)]
        view = history.AsOfView(
            store, day, kept, (e for e in edges if history.holds_at(e.props, day)), 0
        )
        built = time.perf_counter() - start
        start = time.perf_counter()
        view.graph_arrays()
        arrays = time.perf_counter() - start
        start = time.perf_counter()
        store.graph_arrays()
        now_arrays = time.perf_counter() - start
    finally:
        store.close()
    return {
        "rows_as_of": read,
        "view": built,
        "view_arrays": arrays,
        "now_arrays_from_file": now_arrays,
    }


def file_size(path: Path) -> int:
    return path.stat().st_size + sum(
        p.stat().st_size for p in path.parent.glob(path.name + "-*") if p.is_file()
    )


def vacuumed(path: Path) -> int:
    copy = path.with_suffix(".vacuum.db")
    shutil.copy(path, copy)
    con = sqlite3.connect(copy)
    con.execute("VACUUM")
    con.close()
    size = file_size(copy)
    copy.unlink()
    return size


def table_sizes(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()
    return {name: size for name, size in sorted(rows, key=lambda r: -r[1]) if size > 4096 * 16}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=102_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--change", type=float, default=0.10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-history-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "command": "python -m bench.history "
        f"--rows {args.rows} --years {args.years} --change {args.change} --repeat {args.repeat}",
    }
    t0 = time.perf_counter()
    nodes, edges = base_graph(work, args.rows)
    years = list(range(2015, 2015 + args.years))
    snaps = snapshots(nodes, edges, years, args.change)
    report["graph"] = {
        "entities": len(nodes),
        "relationships_first": len(edges),
        "relationships_last": len(snaps[-1][2]),
        "snapshots": years,
    }
    print(f"graph: {report['graph']} (made in {time.perf_counter() - t0:.1f} s)", flush=True)

    many, one = work / "ten.db", work / "one.db"
    for path in (many, one):
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
    store = EmbeddedStore(many)
    writes = []
    for year, ns, es in snaps:
        start = time.perf_counter()
        store.write(ns, es, at=f"{year}-01-01", snapshot=True)
        writes.append(round(time.perf_counter() - start, 2))
        print(f"snapshot {year}: {len(es)} relationships, {writes[-1]} s", flush=True)
    store.graph_arrays()  # the current graph's arrays in the file, as after a first question
    store.close()
    single = EmbeddedStore(one)
    single.write(snaps[-1][1], snaps[-1][2], at=f"{years[-1]}-01-01", snapshot=True)
    single.graph_arrays()
    single.close()
    report["write_seconds"] = writes

    # (c) size
    size: dict[str, Any] = {
        "ten_snapshots": file_size(many),
        "one_snapshot": file_size(one),
        "ten_snapshots_vacuumed": vacuumed(many),
        "one_snapshot_vacuumed": vacuumed(one),
        "tables_ten": table_sizes(many),
        "tables_one": table_sizes(one),
    }
    size["ratio"] = round(size["ten_snapshots"] / size["one_snapshot"], 2)
    size["ratio_vacuumed"] = round(
        size["ten_snapshots_vacuumed"] / size["one_snapshot_vacuumed"], 2
    )
    report["size"] = size
    print(f"size: {size}", flush=True)

    # (a) questions as of a past day against now
    probe = EmbeddedStore(many)
    counts: dict[str, int] = {}
    for e in probe.find_edges():
        if e.source.startswith("o"):
            counts[e.source] = counts.get(e.source, 0) + 1
    ref = max(sorted(counts), key=lambda i: counts[i])
    probe.close()
    past = dt.date(years[len(years) // 2 - 1], 6, 30)
    rows = []
    for name, question in questions(ref).items():
        now = [ask(many, question, None) for _ in range(args.repeat)]
        then = [ask(many, question, past) for _ in range(args.repeat)]
        row: dict[str, Any] = {
            "question": name,
            "now_first": min(t[0] for t in now),
            "now_cached": min(t[1] for t in now),
            "as_of_first": min(t[0] for t in then),
            "as_of_cached": min(t[1] for t in then),
        }
        row["ratio_first"] = round(row["as_of_first"] / row["now_first"], 2)
        row["ratio_cached"] = round(row["as_of_cached"] / row["now_cached"], 2)
        rows.append(row)
        print(
            f"{name}: now {row['now_first']:.3f} / {row['now_cached']:.3f} s, as of {past} "
            f"{row['as_of_first']:.3f} / {row['as_of_cached']:.3f} s (first / cached): "
            f"{row['ratio_first']}× / {row['ratio_cached']}×",
            flush=True,
        )
    report["as_of_day"] = past.isoformat()
    report["reach_of"] = ref
    report["questions"] = rows
    report["as_of_parts"] = min(
        (as_of_parts(many, past) for _ in range(args.repeat)), key=lambda p: p["rows_as_of"]
    )
    print(f"as-of view parts: {report['as_of_parts']}", flush=True)

    # (b) diff
    from graph_service.analysis.change import diff

    def timed_diff(a: dt.date, b: dt.date) -> tuple[float, dict[str, Any]]:
        history._cache.clear()
        s = EmbeddedStore(many)
        try:
            start = time.perf_counter()
            doc = diff(s, a, b)
            return time.perf_counter() - start, doc
        finally:
            s.close()
            history._cache.clear()

    diffs = []
    for a, b in ((years[-2], years[-1]), (years[0], years[-1])):
        day_a, day_b = dt.date(a, 6, 30), dt.date(b, 6, 30)
        runs = [timed_diff(day_a, day_b) for _ in range(args.repeat)]
        seconds, doc = min(runs, key=lambda r: r[0])
        rels = doc["relationships"]
        entry = {
            "from": day_a.isoformat(),
            "to": day_b.isoformat(),
            "seconds": round(seconds, 3),
            "added": len(rels["added"]),
            "removed": len(rels["removed"]),
            "changed": len(rels["changed"]),
            "entities_changed": len(doc["entities"]["changed"]),
        }
        diffs.append(entry)
        print(f"diff: {entry}", flush=True)
    report["diff"] = diffs

    # (d) the whole history as a dynamic GEXF (export --format gexf --dynamic)
    from viz.export import export

    s = EmbeddedStore(many)
    try:
        start = time.perf_counter()
        result = export(s, "gexf", work / "history.gexf", dynamic=True)
        seconds = time.perf_counter() - start
    finally:
        s.close()
    report["dynamic_gexf"] = {
        "seconds": round(seconds, 2),
        "entities": result.nodes,
        "relationships": result.edges,
        "bytes": (work / "history.gexf").stat().st_size,
    }
    print(f"dynamic gexf: {report['dynamic_gexf']}", flush=True)

    OUT.mkdir(exist_ok=True)
    (OUT / "history.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT / 'history.json'}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

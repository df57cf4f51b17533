"""Meetings speed: the co-attendance projection (ours: a sparse incidence matrix times its
transpose) against networkx's ``bipartite.weighted_projected_graph``, and ``attendance``
and ``--co-attendance`` on the embedded store.

    python -m bench.meetings_speed [--people 5000] [--events 2000] [--per-event 25]
        [--repeat 3] [--seed 1]

Graph: ``--people`` people, ``--events`` events over two years (each MEETING_OF one of 50
bodies) and ``--per-event`` attendance rows per event (seeded; 80 % attended, the rest
absent or invited). Timed, best of ``--repeat``, wall and CPU time of this process:

- ours: ``meetings.co_attendance_edges`` on the embedded store (reading the rows out of
  SQLite included: the ties the ``--co-attendance`` view adds), and the document
  ``co-attendance --json`` gives (each pair with the events both attended);
- the peer: networkx ``bipartite.weighted_projected_graph`` on the attended pairs, already
  in a networkx graph (its reading is not counted: the ratio favours the peer);
- ``attendance --body`` of the busiest body, and ``fragility --co-attendance`` (the view
  with the projected ties, then the question).

The two projections are checked equal before any time is reported. Results go to stdout
as a Markdown table and to bench/out/meetings_speed.json.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_service.domain import Edge, Node

OUT = Path(__file__).parent / "out"


def graph(people: int, events: int, per_event: int, seed: int) -> tuple[list[Node], list[Edge]]:
    rng = random.Random(seed)
    ids = [f"p{i:06d}" for i in range(people)]
    bodies = [f"body-{i:02d}" for i in range(50)]
    nodes = [Node(p, "Person", {"name": p}) for p in ids]
    nodes += [Node(b, "Network", {"name": b}) for b in bodies]
    edges: list[Edge] = []
    for k in range(events):
        e = f"ev{k:06d}"
        day = f"{2023 + k % 2}-{1 + k % 12:02d}-{1 + k % 28:02d}"
        nodes.append(Node(e, "Event", {"name": e, "date": day}))
        edges.append(Edge(e, "MEETING_OF", bodies[k % len(bodies)]))
        for p in rng.sample(ids, per_event):
            status = "attended" if rng.random() < 0.8 else rng.choice(["absent", "invited"])
            edges.append(Edge(p, "ATTENDED", e, {"status": status}))
    return nodes, edges


def best(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(best wall seconds, its CPU seconds, the last result)."""
    out: Any = None
    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = run()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    wall, cpu = min(times)
    return wall, cpu, out


def main() -> None:
    import networkx as nx
    from networkx.algorithms import bipartite

    from graph_service.analysis import meetings
    from graph_service.analysis.fragility import fragility
    from graph_service.store.embedded import EmbeddedStore

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--per-event", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    nodes, edges = graph(args.people, args.events, args.per_event, args.seed)
    attended = [(e.source, e.target) for e in edges if e.props.get("status") == "attended"]
    with tempfile.TemporaryDirectory() as folder:
        store = EmbeddedStore(Path(folder) / "g.db")
        store.write(nodes, edges)
        rows: dict[str, tuple[float, float]] = {}
        wall, cpu, ours = best(lambda: meetings.co_attendance_edges(store), args.repeat)
        rows["ours: co-attendance from the store"] = (wall, cpu)
        wall, cpu, _ = best(lambda: meetings.co_attendance(store), args.repeat)
        rows["ours: the co-attendance document, each pair's events listed"] = (wall, cpu)

        b = nx.Graph()
        people = sorted({p for p, _ in attended})
        b.add_nodes_from(people, bipartite=0)
        b.add_edges_from(attended)
        wall, cpu, peer = best(lambda: bipartite.weighted_projected_graph(b, people), args.repeat)
        rows["networkx weighted_projected_graph (graph built beforehand)"] = (wall, cpu)
        got = {(e.source, e.target): e.props["weight"] for e in ours}
        want = {tuple(sorted((u, v))): w for u, v, w in peer.edges(data="weight")}
        assert got == want, "the two projections differ"

        busiest = "body-00"
        wall, cpu, _ = best(lambda: meetings.attendance(store, busiest), args.repeat)
        rows[f"attendance --body {busiest}"] = (wall, cpu)

        def with_ties() -> Any:
            meetings._views.clear()  # the view is kept per version: build it each time
            return fragility(meetings.with_co_attendance(store))

        wall, cpu, _ = best(with_ties, args.repeat)
        rows["fragility --co-attendance (view and question)"] = (wall, cpu)
        store.close()

    ratio = (
        rows["networkx weighted_projected_graph (graph built beforehand)"][0]
        / rows["ours: co-attendance from the store"][0]
    )
    print(
        f"{args.people:,} people, {args.events:,} events, {len(attended):,} attended rows, "
        f"{len(want):,} co-attending pairs\n"
    )
    print("| what | wall s | CPU s |\n|---|---:|---:|")
    for what, (wall, cpu) in rows.items():
        print(f"| {what} | {wall:.3f} | {cpu:.3f} |")
    print(f"\nnetworkx / ours (projection): {ratio:.1f}×")
    OUT.mkdir(exist_ok=True)
    (OUT / "meetings_speed.json").write_text(
        json.dumps(
            {
                "args": vars(args),
                "pairs": len(want),
                "rows": {k: {"wall": w, "cpu": c} for k, (w, c) in rows.items()},
                "networkx_over_ours": ratio,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

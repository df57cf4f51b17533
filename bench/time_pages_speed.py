"""The network over time in the service (issue 14, web part): what ``?as_of=`` costs a read
next to the same read now, and what the before/after map, the timeline and the time bar of
a map page cost, over HTTP (FastAPI's TestClient, in process), on one run.

    python -m bench.time_pages_speed [--nodes 5000] [--years 3] [--repeat 3]

The graph: ``bench.maps_speed.generated_graph(nodes)`` (about 3 edges per node), written
as ``--years`` yearly snapshots (1 January of 2565, 2566, … in the Buddhist era); from one
year to the next 10 % of the relationships end and as many new ones begin. Each figure is
the best of ``--repeat`` runs on an empty answer cache (a new app each run: the first
request, as a reader meets it); the as-of graph cache of ``store.history`` is emptied too,
so ``as_of`` pays for reading its versions every time.

The peer of a read as of a day is the same read now: the ratio is as-of seconds / now.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from bench.maps_speed import generated_graph
from graph_service.app import create_app
from graph_service.domain import Edge
from graph_service.store import history
from graph_service.store.embedded import EmbeddedStore


def build(db: Path, nodes: int, years: int) -> tuple[EmbeddedStore, list[str]]:
    sub = generated_graph(nodes)
    rng = random.Random(7)
    ids = sorted(sub.nodes)
    edges = list(sub.edges)
    store = EmbeddedStore(db, query_timeout=0)
    days = []
    for k in range(years):
        day = f"{2022 + k}-01-01"
        if k:
            drop = set(rng.sample(range(len(edges)), len(edges) // 10))
            kept = [e for i, e in enumerate(edges) if i not in drop]
            fresh = []
            while len(fresh) < len(drop):
                a, b = rng.choice(ids), rng.choice(ids)
                if a != b:
                    fresh.append(Edge(a, "SUPPORTS", b, {"since": 2022 + k}))
            edges = kept + fresh
        store.write(list(sub.nodes.values()), edges, at=day, snapshot=True)
        days.append(day)
    return store, days


def best(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        history._cache.clear()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store, days = build(Path(folder) / "g.db", args.nodes, args.years)
        stats = store.stats()
        print(
            f"{sum(stats.nodes.values()):,} entities, {sum(stats.relationships.values()):,} "
            f"relationships now; snapshots {', '.join(days)}"
        )
        day = days[-2]

        def get(path: str, **params: str) -> Callable[[], object]:
            def work() -> object:
                with TestClient(create_app(store=store)) as client:
                    response = client.get(path, params=params)
                    assert response.status_code == 200, response.text[:300]
                    return response

            return work

        rows = [
            ("GET /api/gaps", get("/api/gaps"), get("/api/gaps", as_of=day)),
            ("GET /api/brokerage", get("/api/brokerage"), get("/api/brokerage", as_of=day)),
            ("GET /map?level=network", get("/map", level="network"), None),
            (
                "GET /map?level=network&as_of",
                get("/map", level="network", as_of=day),
                None,
            ),
        ]
        now_map = best(rows[2][1], args.repeat)
        print(f"{'read':32} {'now s':>8} {'as of s':>8} {'ratio':>6}")
        for name, now, then in rows[:2]:
            a, b = best(now, args.repeat), best(then, args.repeat)  # type: ignore[arg-type]
            print(f"{name:32} {a:8.3f} {b:8.3f} {b / a:6.2f}")
        as_of_map = best(rows[3][1], args.repeat)
        print(
            f"{'GET /map?level=network':32} {now_map:8.3f} {as_of_map:8.3f} "
            f"{as_of_map / now_map:6.2f}"
        )
        for name, work in (
            ("GET /map/diff (last two days)", get("/map/diff")),
            ("GET /api/diff (last two days)", get("/api/diff")),
            (f"GET /api/timeline ({len(days)} days)", get("/api/timeline")),
        ):
            print(f"{name:32} {best(work, args.repeat):8.3f}")
        # the time bar a served map page gets on each request (the cached page is copied)
        from viz.maps import TIME_SLOT, time_bar, with_time

        with TestClient(create_app(store=store)) as client:
            page = client.get("/map", params={"level": "network"}).text
        raw = page.replace(time_bar(days, None, "th", "/map"), TIME_SLOT)
        start = time.perf_counter()
        for _ in range(100):
            with_time(raw, time_bar(days, day, "th", "/map"))
        each = (time.perf_counter() - start) / 100
        print(f"time bar on a {len(raw) / 1e6:.1f} MB page: {each * 1000:.2f} ms per request")
        store.close()


if __name__ == "__main__":
    main()

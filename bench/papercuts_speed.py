"""What issue 12's command-line fixes cost on a large graph (embedded store).

    python -m bench.papercuts_speed [--rows 100000]

A generated dataset (bench.generate) plus the whole Thai geography (8,462 areas), then:
- an unknown id: the old answer (id, then name: two indexed look-ups) against the new one
  (also aliases, then "did you mean" over every id and name);
- an import: the added work (reading the stored areas, the area merge) against the whole
  import of the same dataset again;
- the empty-graph check every analysis verb now makes (``store.stats()``).
Best of 3 runs each; figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.generate import generate
from graph_service.domain import normalise_name
from graph_service.entities import require_graph, resolve_entity
from graph_service.errors import NotFound
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset, import_geography, stored_areas
from importers.read import read_dataset
from importers.thai_admin import merge_dataset_areas, read_geography
from importers.validate import validate


def best(work: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        generate(folder, args.rows)
        store = EmbeddedStore(Path(tmp) / "g.db", query_timeout=0)
        nodes, edges = read_geography()
        import_geography(store, nodes, edges, "thai-admin")
        import_dataset(store, folder)
        print(f"graph: {sum(store.stats().nodes.values()):,} entities")

        def old_miss() -> None:
            assert store.get_nodes(["org-nobody"]).get("org-nobody") is None
            assert store.find_by_name(normalise_name("org-nobody")) == []

        def new_miss() -> None:
            try:
                resolve_entity(store, "org-nobody")
            except NotFound:
                return
            raise AssertionError("found")

        print(f"unknown id, old answer: {best(old_miss) * 1000:.1f} ms")
        print(f"unknown id, with aliases and did-you-mean: {best(new_miss) * 1000:.1f} ms")

        def merge() -> None:
            tables, _ = read_dataset(folder)
            areas = stored_areas(store)
            dataset = validate(tables, lambda ids: {})
            start = time.perf_counter()
            merge_dataset_areas(dataset.nodes, dataset.edges, areas)
            merge.seconds = time.perf_counter() - start  # type: ignore[attr-defined]

        areas_time = best(lambda: stored_areas(store))
        merge()
        whole = best(lambda: import_dataset(store, folder))
        print(f"import again (whole): {whole:.2f} s")
        print(
            f"  of which reading the {len(stored_areas(store)):,} stored areas: {areas_time:.3f} s"
        )
        print(f"  and the area merge: {merge.seconds:.3f} s")  # type: ignore[attr-defined]
        print(f"empty-graph check (stats): {best(lambda: require_graph(store)) * 1000:.1f} ms")
        store.close()


if __name__ == "__main__":
    main()

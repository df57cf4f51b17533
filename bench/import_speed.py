"""Import speed: rows per second on both stores, next to a naive Neo4j load and the parse floor.

    python -m bench.import_speed [--rows 100000] [--naive-rows 5000 (0: none)] [--embedded-only]

- parse floor: ``pandas.read_csv`` of the same CSV files (every cell as text), one run in
  the same process, just before the imports: what merely parsing the files costs. Each
  import is reported as a multiple of it (the embedded import's goal: at most 10x);
- embedded: ``graph-service import`` into a fresh SQLite file (read + validate + write);
- neo4j batched: the same import into Neo4j (UNWIND batches in one managed transaction);
- neo4j naive: the peer, one MERGE per row, each in its own transaction, against the same
  server with the same constraints: the way a first script usually loads data. It runs on
  the first ``--naive-rows`` entity rows and relationship rows and is reported per row.

Neo4j: ``GRAPH_BENCH_NEO4J_URL`` (``make bench`` starts one on port 17688). The server's data
is cleared. Results go to stdout as a Markdown table and to bench/out/import_speed.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import time
from pathlib import Path

import pandas as pd

from bench.generate import generate
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.neo4j_store import Neo4jStore
from importers.load import import_dataset

OUT = Path(__file__).parent / "out"
NAIVE_NODE = "MERGE (n:Entity {id: $id}) SET n:$($kind) SET n.name = $name"
NAIVE_EDGE = (
    "MATCH (a:Entity {id: $source}) MATCH (b:Entity {id: $target}) "
    "MERGE (a)-[r:$($type) {key: $key}]->(b)"
)
KINDS = {
    "people": "Person",
    "organisations": "Organisation",
    "networks": "Network",
    "funds": "Fund",
    "areas": "Area",
}


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def parse_floor(folder: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of ``pandas.read_csv`` over the dataset's CSV files, every cell
    read as text as the importer reads it: the least any import of them can cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    for path in sorted(folder.glob("*.csv")):
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return time.perf_counter() - wall, time.process_time() - cpu


def time_imports(
    store: GraphStore, folder: Path, rows: int, name: str
) -> list[tuple[str, int, float]]:
    """The first import of the dataset into an empty store, then the same import again."""
    cpu = time.process_time()
    report, seconds = timed(lambda: import_dataset(store, folder))
    cpu = time.process_time() - cpu
    assert report.written.nodes_created == report.entities
    print(f"{name}: first import {seconds:.2f} s ({cpu:.2f} s CPU in this process)")
    _, again = timed(lambda: import_dataset(store, folder))
    return [
        (f"{name}, graph-service import", rows, seconds),
        (f"{name}, the same import again (no change)", rows, again),
    ]


def naive_load(store: Neo4jStore, folder: Path, limit: int) -> tuple[int, float]:
    """One row per transaction, the peer."""
    nodes: list[dict[str, str]] = []
    for file, kind in KINDS.items():
        with (folder / f"{file}.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                nodes.append({"id": row["id"], "kind": kind, "name": row["name"]})
    nodes = nodes[:limit]
    ids = {n["id"] for n in nodes}
    with (folder / "relationships.csv").open(encoding="utf-8") as fh:
        edges = [r for r in csv.DictReader(fh) if r["source"] in ids and r["target"] in ids]
    edges = edges[:limit]
    driver = store._driver  # the same connection settings as the store
    start = time.perf_counter()
    with driver.session() as session:
        for node in nodes:
            session.execute_write(lambda tx, n=node: tx.run(NAIVE_NODE, n).consume())
        for edge in edges:
            params = {
                "source": edge["source"],
                "target": edge["target"],
                "type": edge["type"],
                "key": f"{edge['source']}|{edge['type']}|{edge['target']}",
            }
            session.execute_write(lambda tx, p=params: tx.run(NAIVE_EDGE, p).consume())
    return len(nodes) + len(edges), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=5_000)
    parser.add_argument(
        "--embedded-only", action="store_true", help="skip Neo4j (no server needed)"
    )
    args = parser.parse_args()
    url = os.environ.get("GRAPH_BENCH_NEO4J_URL", "bolt://127.0.0.1:17688")
    password = os.environ.get("GRAPH_NEO4J_PASSWORD", "graph-service-dev")
    OUT.mkdir(exist_ok=True)
    folder = OUT / f"generated-{args.rows}"
    counts = generate(folder, args.rows)
    rows = sum(counts.values())
    results = []
    floor, floor_cpu = parse_floor(folder)
    print(
        f"parse floor (pandas.read_csv of the {len(counts)} files): {floor:.3f} s "
        f"({floor_cpu:.3f} s CPU)"
    )

    db = OUT / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    embedded = EmbeddedStore(db)
    results += time_imports(embedded, folder, rows, "embedded (SQLite)")
    embedded.close()

    naive_rows, naive_seconds = 0, 0.0
    if not args.embedded_only:
        neo = Neo4jStore(url, "neo4j", password)
        neo.clear()
        results += time_imports(neo, folder, rows, "Neo4j 5.26")
        neo.clear()
        if args.naive_rows:
            naive_rows, naive_seconds = naive_load(neo, folder, args.naive_rows)
            results.append(
                (
                    f"Neo4j naive: one row per transaction (first {naive_rows} rows)",
                    naive_rows,
                    naive_seconds,
                )
            )
        neo.clear()
        neo.close()

    naive_rate = naive_rows / naive_seconds if naive_seconds else 0.0
    print(
        f"Import speed, {rows:,} generated rows ({counts}); {platform.processor() or ''} "
        f"{os.cpu_count()} cores; parse floor {floor:.3f} s\n"
    )
    print("| load | rows | seconds | rows/s | x parse floor | vs naive Neo4j |")
    print("|---|---:|---:|---:|---:|---:|")
    table = []
    for name, n, s in results:
        rate = n / s
        versus = f"{rate / naive_rate:.0f}x" if naive_rate else "-"
        print(f"| {name} | {n:,} | {s:.2f} | {rate:,.0f} | {s / floor:.1f} | {versus} |")
        table.append(
            {
                "load": name,
                "rows": n,
                "seconds": round(s, 3),
                "rows_per_s": round(rate),
                "x_parse_floor": round(s / floor, 1),
            }
        )
    out = {"parse_floor_seconds": round(floor, 4), "loads": table}
    (OUT / "import_speed.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

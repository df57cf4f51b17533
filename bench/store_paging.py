"""Issue 11, points 3 and 9 on the embedded store: a hub's reads, before and after paging at
the store, and a read while a large write transaction is open.

Builds one store with a hub ``hub`` that ``N`` people are MEMBER_OF, then runs each read
in a fresh process (so its peak memory is its own) twice: with this tree's code and with
another tree's (``--old``, e.g. /work/main: the code before paging), on the same store in
the same run. Prints a Markdown table: wall seconds and peak RSS (MB) of each.

    python -m bench.store_paging --people 300000 --old /work/main
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

#: each read: (what, code with the old API, code with the new one)
READS = {
    "GET /api/entities/hub (show)": (
        "describe_entity(store, 'hub')",
        "describe_entity(store, 'hub', 0, 1000)",
    ),
    "GET /api/relationships?target=hub&limit=5": (
        "e = store.find_edges(target='hub'); (e[:5], len(e))",
        "(store.find_edges(target='hub', limit=5), store.count_edges(target='hub'))",
    ),
    "focus neighbourhood depth 1 (map)": (
        "neighbourhood(store, 'hub', 1)",
        "neighbourhood(store, 'hub', 1, limit=2000)",
    ),
    "/health (ping + version) while a 200k-entity write is open": ("HEALTH", "HEALTH"),
}

CHILD = r"""
import json, sys, threading, time
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.base import neighbourhood
from graph_service.entities import describe_entity
from graph_service.domain import Node
import graph_service
store = EmbeddedStore(sys.argv[1], query_timeout=0)
code = sys.argv[2]
assert graph_service.__file__.startswith(sys.argv[3]), graph_service.__file__
times = {}
if code == "HEALTH":
    inside = threading.Event()
    nodes = [Node(f"w{i}", "Person", {"name": f"w{i}"}) for i in range(200_000)]
    def progress(what, done, total):
        inside.set()
    def write():
        start = time.perf_counter()
        store.write(nodes, [], progress)
        times["write_s"] = time.perf_counter() - start
    writer = threading.Thread(target=write)
    writer.start()
    inside.wait()
    start = time.perf_counter()
    store.ping(); store.version()
    seconds = time.perf_counter() - start
    writer.join()
    store.delete(node_ids=[n.id for n in nodes])
else:
    start = time.perf_counter()
    exec(code)
    seconds = time.perf_counter() - start
# the peak of this process (VmHWM starts afresh at exec; ru_maxrss would keep the parent's)
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(json.dumps({"seconds": seconds, "rss_mb": int(status) / 1024, **times}))
"""


def build(path: Path, people: int) -> None:
    sys.path.insert(0, str(HERE))
    from graph_service.domain import Edge, Node
    from graph_service.store.embedded import EmbeddedStore

    store = EmbeddedStore(path, query_timeout=0)
    nodes = [Node("hub", "Organisation", {"name": "ศูนย์"})]
    nodes += [Node(f"p{i}", "Person", {"name": f"คน {i}"}) for i in range(people)]
    edges = [Edge(f"p{i}", "MEMBER_OF", "hub", {"capacity": "personal"}) for i in range(people)]
    store.write(nodes, edges)
    store.close()


def run(tree: Path, store: Path, code: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(store), code, str(tree)],
        env=env,
        cwd=tree,  # ``python -c`` puts the working folder first on sys.path
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--old", type=Path, required=True, help="the tree of the old code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hub.db"
        build(path, args.people)
        print(f"hub of {args.people:,} members; old: {args.old}, new: {HERE}\n")
        print("| read | old s | old MB | new s | new MB |")
        print("|---|---|---|---|---|")
        for what, (old_code, new_code) in READS.items():
            old = run(args.old, path, old_code)
            new = run(HERE, path, new_code)
            print(
                f"| {what} | {old['seconds']:.3f} | {old['rss_mb']:.0f} | "
                f"{new['seconds']:.3f} | {new['rss_mb']:.0f} |"
                + (
                    f" (the write: old {old['write_s']:.1f} s, new {new['write_s']:.1f} s)"
                    if "write_s" in old
                    else ""
                )
            )


if __name__ == "__main__":
    main()

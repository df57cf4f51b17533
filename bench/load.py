"""Load: reach and map requests from 50 concurrent clients for a minute, on both stores.

    python -m bench.load [--rows 102050] [--duration 60] [--connections 50] [--workers 1]
                         [--stores embedded,neo4j] [--mix both|reach|map]

What it does:

- generates a dataset with bench/generate.py once (102,050 rows: 51,025 entities and about
  100,000 relationships once the shorthand columns are counted) and keeps it under
  bench/out/load-ROWS-seed1/ (git-ignored) for the next run;
- imports it into a fresh embedded store file (bench/out/load.db) and into the Neo4j at
  ``GRAPH_LOAD_NEO4J_URL`` (default bolt://127.0.0.1:17695, which ``make load`` starts;
  its data is cleared first; password ``GRAPH_NEO4J_PASSWORD``);
- for each store starts ``graph-service serve`` as a separate process on a free loopback
  port, waits for ``/health``, checks a few requests by hand, then runs wrk from Debian::

      wrk -t2 -c50 -d60s --timeout 30s --latency -s bench/load.lua URL -- IDS_FILE

  bench/load.lua alternates ``GET /api/reach/{id}?depth=2`` and ``GET /map/focus/{id}?depth=1``
  (one to one; ``--mix reach`` or ``--mix map`` for one alone) over 999 real actor ids
  (333 people, 333 organisations, 333 networks, shuffled);
- prints a table (requests/s, p50, p90, p99, max, errors) and writes the figures to
  bench/out/load-DATE.json (other options add to the name: load-DATE-map-w2.json), like
  the other benchmarks; the server's log is bench/out/load-server-STORE.log. The run
  fails (exit 1) on any socket error, timeout or non-2xx response.

Workers: ``graph-service serve`` runs one uvicorn worker process (the synchronous routes run
in its thread pool). ``--workers N`` (N > 1) starts ``uvicorn --factory
graph_service.app:create_app --workers N`` instead, each worker opening the store itself:
safe for the embedded store, whose SQLite file is in WAL mode (readers in several processes
do not block each other, and nothing writes during the run).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.generate import generate
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.neo4j_store import Neo4jStore
from importers.load import import_dataset

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
LUA = Path(__file__).resolve().parent / "load.lua"
ACTOR_FILES = {"people": "Person", "organisations": "Organisation", "networks": "Network"}
IDS_PER_KIND = 333
MIXES = {
    "both": "reach (depth 2) and map focus (depth 1), one to one",
    "reach": "reach (depth 2) only",
    "map": "map focus (depth 1) only",
}


def dataset(rows: int, seed: int = 1) -> tuple[Path, dict[str, int]]:
    """The generated dataset, made once per (rows, seed) and kept for the next run."""
    folder = OUT / f"load-{rows}-seed{seed}"
    stamp = folder / ".complete.json"
    if stamp.exists():
        return folder, json.loads(stamp.read_text(encoding="utf-8"))
    if folder.exists():
        shutil.rmtree(folder)
    print(f"generating {rows:,} rows into {folder} (once)", flush=True)
    counts = generate(folder, rows, seed)
    stamp.write_text(json.dumps(counts), encoding="utf-8")
    return folder, counts


def actor_ids(folder: Path, per_kind: int = IDS_PER_KIND, seed: int = 5) -> list[str]:
    """A fixed sample of real actor ids, the same number of each actor kind, shuffled."""
    rng = random.Random(seed)
    chosen: list[str] = []
    for file in ACTOR_FILES:
        with (folder / f"{file}.csv").open(encoding="utf-8") as fh:
            ids = [row["id"] for row in csv.DictReader(fh)]
        chosen += rng.sample(ids, min(per_kind, len(ids)))
    rng.shuffle(chosen)
    for id_ in chosen:  # the Lua script puts them in URLs as they are
        assert re.fullmatch(r"[A-Za-z0-9_.-]+", id_), id_
    return chosen


def load_embedded(folder: Path) -> tuple[str, dict[str, Any]]:
    db = OUT / "load.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = EmbeddedStore(db)
    try:
        return str(db), _import(store, folder)
    finally:
        store.close()


def load_neo4j(folder: Path, url: str, password: str) -> tuple[str, dict[str, Any]]:
    store = Neo4jStore(url, "neo4j", password)
    try:
        store.clear()
        return url, _import(store, folder)
    finally:
        store.close()


def _import(store: Any, folder: Path) -> dict[str, Any]:
    start = time.perf_counter()
    report = import_dataset(store, folder)
    seconds = time.perf_counter() - start
    stats = store.stats()
    return {
        "entities": sum(stats.nodes.values()),
        "relationships": sum(stats.relationships.values()),
        "import_seconds": round(seconds, 1),
        "version": report.written.version,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    """``graph-service serve`` (or uvicorn with several workers) in its own process."""

    def __init__(self, name: str, store_url: str, workers: int, password: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT / f"load-server-{name}.log"
        env = {**os.environ, "GRAPH_NEO4J_PASSWORD": password}
        # the reads measured take turns (GRAPH_MAX_EXPENSIVE at once): every client waits
        # for its turn here instead of a 503 `busy` past the default queue of 32, since the
        # bench measures throughput, not refusal (a team sizes its queue to its clients)
        env.setdefault("GRAPH_EXPENSIVE_QUEUE", "1000")
        bindir = Path(sys.executable).parent
        if workers == 1:
            cmd = [str(bindir / "graph-service"), "--store", store_url, "serve"]
            cmd += ["--port", str(self.port)]
        else:
            env["GRAPH_STORE"] = store_url
            cmd = [str(bindir / "uvicorn"), "--factory", "graph_service.app:create_app"]
            cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        self.cmd = cmd
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_healthy(self, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                status, body = get(f"{self.base}/health", timeout=5)
            except OSError:
                time.sleep(0.5)
                continue
            doc = json.loads(body)
            if status == 200 and doc.get("status") == "ok":
                return doc
            time.sleep(0.5)
        raise RuntimeError(f"/health did not answer 200 within {timeout:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def problems(self, limit: int = 20) -> list[str]:
        """Server log lines about failed requests: 5xx/4xx access lines and tracebacks."""
        self.log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        bad = [
            line
            for line in text.splitlines()
            if re.search(r'" [45]\d\d\b', line) or "Traceback" in line or "Error" in line
        ]
        return bad[:limit]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def preflight(base: str, ids: list[str]) -> None:
    """A few requests of each kind by hand: 200, and the answer is what it claims to be."""
    for id_ in ids[:6]:
        status, body = get(f"{base}/api/reach/{id_}?depth=2")
        if status != 200 or json.loads(body).get("id") != id_:
            raise RuntimeError(f"/api/reach/{id_}: HTTP {status}: {body[:300]!r}")
        status, body = get(f"{base}/map/focus/{id_}?depth=1")
        if status != 200 or b"<html" not in body[:500].lower():
            raise RuntimeError(f"/map/focus/{id_}: HTTP {status}: {body[:300]!r}")


def run_wrk(base: str, ids_file: Path, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        f"--timeout={args.timeout}s",
        "--latency",
        "-s",
        str(LUA),
        base,
        "--",
        str(ids_file),
        args.mix,
    ]
    print("$ " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    text = done.stdout + done.stderr
    print(text, flush=True)
    match = re.search(r"^LOAD_RESULT (\{.*\})$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed (exit {done.returncode}):\n{text}")
    result: dict[str, Any] = json.loads(match.group(1))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", done.stdout, re.MULTILINE)
    result["requests_per_s"] = (
        float(rps.group(1)) if rps else result["requests"] / (result["duration_us"] / 1e6)
    )
    # wrk's "status" errors (4xx, 5xx) are among the script's non-2xx count
    errs = result["errors"]
    result["errors_total"] = (
        errs["connect"] + errs["read"] + errs["write"] + errs["timeout"] + result["non_2xx"]
    )
    return result, text


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_store(
    name: str, store_url: str, ids_file: Path, ids: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    server = Server(name, store_url, args.workers, args.password)
    try:
        health = server.wait_healthy()
        preflight(server.base, ids)
        before = load_average()
        result, _ = run_wrk(server.base, ids_file, args)
        result["load_average_before"] = before
        result["load_average_after"] = load_average()
        result["server"] = " ".join(server.cmd[1:] if args.workers == 1 else server.cmd)
        result["health"] = health
        if result["errors_total"]:
            result["server_log_problems"] = server.problems()
        return result
    finally:
        server.stop()


def ms(us: float) -> str:
    return f"{us / 1000:,.0f} ms" if us >= 10_000 else f"{us / 1000:,.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=102_050)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per store")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=30, help="wrk's request timeout, s")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument(
        "--mix",
        choices=["both", "reach", "map"],
        default="both",
        help="both: reach and map focus one to one (default); or one of them alone",
    )
    args = parser.parse_args()
    args.password = os.environ.get("GRAPH_NEO4J_PASSWORD", "graph-service-dev")
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if unknown := set(stores) - {"embedded", "neo4j"}:
        parser.error(f"unknown store(s) {', '.join(sorted(unknown))}: embedded, neo4j")
    if shutil.which("wrk") is None:
        sys.exit("bench.load: wrk is needed (apt-get install wrk; `make load` installs it)")

    OUT.mkdir(exist_ok=True)
    folder, counts = dataset(args.rows)
    ids = actor_ids(folder)
    ids_file = OUT / "load-ids.txt"
    ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")

    results: dict[str, Any] = {}
    failed = False
    for name in stores:
        print(f"\n== {name}: importing {folder.name}", flush=True)
        graph: dict[str, Any] = {}
        try:
            if name == "embedded":
                url, graph = load_embedded(folder)
            else:
                neo_url = os.environ.get("GRAPH_LOAD_NEO4J_URL", "bolt://127.0.0.1:17695")
                url, graph = load_neo4j(folder, neo_url, args.password)
            print(
                f"{name}: {graph['entities']:,} entities, {graph['relationships']:,} "
                f"relationships (import {graph['import_seconds']} s); serving with "
                f"{args.workers} worker(s)",
                flush=True,
            )
            result = run_store(name, url, ids_file, ids, args)
        except Exception as exc:  # noqa: BLE001 - recorded, and the run fails
            traceback.print_exc()
            print(f"bench.load: {name}: {exc}", file=sys.stderr)
            results[name] = {"graph": graph, "failure": f"{type(exc).__name__}: {exc}"}
            failed = True
            continue
        result["graph"] = graph
        results[name] = result
        failed = failed or bool(result["errors_total"])

    print(
        f"\nLoad: {args.connections} clients ({args.threads} wrk threads) for {args.duration} s "
        f"each; {MIXES[args.mix]}, over {len(ids)} actors; "
        f"{args.workers} server worker(s); {os.cpu_count()} cores\n"
    )
    print("| store | requests | requests/s | p50 | p90 | p99 | max | errors | load avg (1 min) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, r in results.items():
        if "failure" in r:
            print(f"| {name} | failed: see above | | | | | | | |")
            continue
        lat = r["latency_us"]
        errs = r["errors"]
        detail = ", ".join(f"{k} {v}" for k, v in errs.items() if v)
        if r["non_2xx"]:
            detail += f"{', ' if detail else ''}non-2xx {r['non_2xx']} ({r['non_2xx_statuses']})"
        print(
            f"| {name} | {r['requests']:,} | {r['requests_per_s']:,.1f} | {ms(lat['p50'])} | "
            f"{ms(lat['p90'])} | {ms(lat['p99'])} | {ms(lat['max'])} | "
            f"{r['errors_total']}{f' ({detail})' if detail else ''} | "
            f"{r['load_average_before'][0]} before, {r['load_average_after'][0]} after |"
        )
        for line in r.get("server_log_problems", []):
            print(f"    server log: {line}")

    doc = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "processor": platform.processor() or None},
        "dataset": {"rows": args.rows, "files": counts, "actor_ids": len(ids)},
        "wrk": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "timeout_s": args.timeout,
            "mix": {
                "/api/reach/{id}?depth=2": {"both": 0.5, "reach": 1.0, "map": 0.0}[args.mix],
                "/map/focus/{id}?depth=1": {"both": 0.5, "reach": 0.0, "map": 1.0}[args.mix],
            },
        },
        "workers": args.workers,
        "stores": results,
        "passed": not failed,
    }
    # the default run is load-DATE.json; other options say so in the name
    suffix = "".join(
        [
            f"-{args.mix}" if args.mix != "both" else "",
            f"-w{args.workers}" if args.workers != 1 else "",
            f"-{'-'.join(stores)}" if sorted(stores) != ["embedded", "neo4j"] else "",
        ]
    )
    target = OUT / f"load-{datetime.date.today().isoformat()}{suffix}.json"
    target.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    print(f"\nWrote {target.relative_to(ROOT)}")
    if failed:
        print("bench.load: FAILED: errors or non-2xx responses (above)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

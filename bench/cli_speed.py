"""Whole-command speed: what a question costs on the command line, start to finish.

    python -m bench.cli_speed [--actors 10000] [--repeat 3] [--r-modes matrix,edgelist]
        [--no-r] [--keep DIR] [--source DIR]

``--source DIR`` times the commands of another checkout of graph-service (its folder goes
first on PYTHONPATH), so that a change is measured before and after on the same machine.

The graph is ``bench.brokerage_speed.directed_graph``: ``--actors`` organisations (10,000:
about 30,000 ties, average total degree about 6, a fifth of the ties reciprocated), five
groups of unequal size given as the organisations' ``admin_level``; besides them 100 areas
and 40 funds with 400 FUNDS relationships to areas, so that ``overlap`` has work to do.
The dataset is written as CSV files and imported into an embedded store file with
``graph-service import``.

Timed, each as a subprocess of the installed ``graph-service`` command with stdout to
/dev/null, best of ``--repeat`` runs, in wall-clock seconds and in CPU seconds (user +
system, from ``getrusage``: what a run costs when other work shares the machine):

- ``brokerage --json``, ``stats --json``, ``reach ID --json`` (the actor with the most
  ties), ``gaps --json`` and ``overlap --json`` on the store file;
- ``python -c pass`` (the interpreter floor) and ``python -c "import graph_service.cli"``
  (what importing the command costs before any verb runs).

In the same run, R's ``sna::brokerage`` on the same graph (bench/sna_time.R; only the call is
timed, not reading the file or building its input; elapsed and CPU seconds), with the dense
adjacency matrix (what tests/reference/sna_brokerage.R and R's own examples give it) and
with sna's sparse edge list. R's raw counts are checked equal to those of
``brokerage --json``, actor by actor.

The target (issue 10, section 4): the whole ``brokerage --json`` command at least 30 times
faster than R's compute alone. Results go to stdout and to bench/out/cli_speed.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.brokerage_speed import SNA_TIME, directed_graph, write_graph_csv

OUT = Path(__file__).parent / "out"
ROOT = Path(__file__).resolve().parent.parent
#: the group codes of directed_graph as admin levels (any five distinct words would do)
LEVELS = ("national", "regional", "provincial", "district", "subdistrict")
SECTORS = ("state", "local_government", "civil_society", "community", "academic", "private")
N_AREAS, N_FUNDS, FUNDS_PER_FUND = 100, 40, 10
TARGET = 30.0


def command() -> list[str]:
    """The installed ``graph-service`` next to this interpreter (else the module)."""
    exe = Path(sys.executable).parent / "graph-service"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "graph_service.cli"]


def actor_id(i: int) -> str:
    """Ids that sort in index order, so actor i of the generated graph is row i of R's."""
    return f"o{i:05d}"


def write_dataset(folder: Path, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The dataset as CSV files (CONTRACT.md section 1); returns the actor graph."""
    src, dst, groups = directed_graph(n)
    rng = np.random.default_rng(7)
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, header: list[str], rows: Any) -> None:
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)

    sectors = rng.integers(0, len(SECTORS), n)
    write(
        "organisations.csv",
        ["id", "name", "sector", "admin_level"],
        (
            [actor_id(i), f"องค์กร {i}", SECTORS[s], LEVELS[g]]
            for i, (g, s) in enumerate(zip(groups.tolist(), sectors.tolist(), strict=True))
        ),
    )
    write(
        "areas.csv",
        ["id", "name", "admin_level"],
        ([f"a{i:03d}", f"ตำบล {i}", "subdistrict"] for i in range(N_AREAS)),
    )
    write("funds.csv", ["id", "name"], ([f"f{i:02d}", f"กองทุน {i}"] for i in range(N_FUNDS)))
    rels: list[list[Any]] = [
        [actor_id(a), actor_id(b), "SUPPORTS", ""]
        for a, b in zip(src.tolist(), dst.tolist(), strict=True)
    ]
    for f in range(N_FUNDS):
        for a in rng.choice(N_AREAS, FUNDS_PER_FUND, replace=False).tolist():
            rels.append([f"f{f:02d}", f"a{a:03d}", "FUNDS", int(rng.integers(1, 100)) * 10_000])
    write("relationships.csv", ["source", "target", "type", "amount_thb"], rels)
    return src, dst, groups


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    args: list[str], env: dict[str, str], stdout: Any = subprocess.DEVNULL
) -> tuple[float, float]:
    """Seconds one subprocess takes, start to exit, and the CPU seconds (user + system) it
    used; it must succeed."""
    cpu = cpu_of_children()
    start = time.perf_counter()
    done = subprocess.run(args, stdout=stdout, stderr=subprocess.PIPE, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr!r}")
    return seconds, cpu_of_children() - cpu


def best_of(args: list[str], env: dict[str, str], repeats: int) -> tuple[float, float]:
    """The shortest wall time and the least CPU time of ``repeats`` runs."""
    runs = [run(args, env) for _ in range(repeats)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def time_r(graph_csv: Path, mode: str, raw_out: Path) -> tuple[float, float]:
    """R sna::brokerage's compute alone (bench/sna_time.R, one run): elapsed and CPU
    seconds."""
    cmd = ["Rscript", str(SNA_TIME), str(graph_csv), mode, "1", str(raw_out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript failed: {proc.stderr.strip()}")
    found = dict(line.split(",", 1) for line in proc.stdout.splitlines() if "," in line)
    return float(found["elapsed"]), float(found["cpu"])


def check_against_r(doc: dict[str, Any], r_raw: np.ndarray) -> None:
    """R's raw counts (w_I, w_O, b_IO, b_OI, b_O, t per actor) equal the command's."""
    columns = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
    ours = np.zeros_like(r_raw)
    for row in doc["nodes"]:
        ours[int(row["id"][1:])] = [row[c] for c in columns]
    if not np.array_equal(ours, r_raw):
        raise AssertionError("R sna's raw counts differ from `graph-service brokerage --json`'s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--r-modes", default="matrix,edgelist")
    parser.add_argument("--no-r", action="store_true", help="skip R")
    parser.add_argument("--keep", type=Path, default=None, help="keep the store file here")
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the checkout whose commands are timed"
    )
    args = parser.parse_args()
    has_r = shutil.which("Rscript") is not None and not args.no_r
    r_modes = [m for m in args.r_modes.split(",") if m] if has_r else []
    path = os.pathsep.join([str(args.source.resolve()), os.environ.get("PYTHONPATH", "")])
    env = os.environ | {"PYTHONPATH": path}
    env.pop("GRAPH_STORE", None)
    # byte-code compiled beforehand, as an installed package has it (PYTHONDONTWRITEBYTECODE
    # would otherwise have every run compile graph_service again)
    for package in ("graph_service", "importers"):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(args.source.resolve() / package)],
            check=True,
        )
    cli = command()
    OUT.mkdir(exist_ok=True)
    rows: list[dict[str, Any]] = []

    def add(what: str, times: tuple[float, float], note: str = "") -> None:
        wall, cpu = times
        rows.append({"what": what, "seconds": wall, "cpu_seconds": cpu, "note": note})
        print(f"{what:<44} {wall:8.3f} s {cpu:8.3f} s CPU  {note}", flush=True)

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = args.keep or tmp
        store = folder / "cli-speed.db"
        if store.exists():
            store.unlink()
        src, dst, groups = write_dataset(tmp / "dataset", args.actors)
        n, m = args.actors, int(src.size)
        print(f"{n:,} actors, {m:,} ties; store {store}; load {os.getloadavg()}", flush=True)
        add(
            "import (CSV -> embedded store)",
            run([*cli, "--store", str(store), "import", str(tmp / "dataset")], env),
            "one run",
        )
        degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
        hub = actor_id(int(np.argmax(degree)))
        verbs = {
            "brokerage --json": ["brokerage", "--json"],
            "stats --json": ["stats", "--json"],
            f"reach {hub} --json": ["reach", hub, "--json"],
            "gaps --json": ["gaps", "--json"],
            "overlap --json": ["overlap", "--json"],
        }
        run([*cli, "--store", str(store), "stats"], env)  # warm the file cache
        note = f"whole command, best of {args.repeat}"
        for label, verb in verbs.items():
            add(
                f"graph-service {label}",
                best_of([*cli, "--store", str(store), *verb], env, args.repeat),
                note,
            )
        floor = [sys.executable, "-c", "pass"]
        add("python -c pass", best_of(floor, env, args.repeat), "the interpreter's floor")
        add(
            "python -c 'import graph_service.cli'",
            best_of([sys.executable, "-c", "import graph_service.cli"], env, args.repeat),
            f"best of {args.repeat}",
        )
        ours = next(r for r in rows if r["what"] == "graph-service brokerage --json")
        r_times: dict[str, tuple[float, float]] = {}
        if r_modes:
            out_json = tmp / "brokerage.json"
            with out_json.open("wb") as fh:
                run([*cli, "--store", str(store), "brokerage", "--json"], env, stdout=fh)
            doc = json.loads(out_json.read_text(encoding="utf-8"))
            graph_csv = tmp / "graph.csv"
            write_graph_csv(graph_csv, n, src, dst, groups)
            for mode in r_modes:
                raw_out = tmp / f"raw-{mode}.csv"
                r_times[mode] = time_r(graph_csv, mode, raw_out)
                check_against_r(doc, np.loadtxt(raw_out, delimiter=",", ndmin=2))
                label = "dense matrix" if mode == "matrix" else "edge list"
                add(f"R sna::brokerage compute, {label}", r_times[mode], "one run; same counts")

    ratios = {
        mode: {"wall": wall / ours["seconds"], "cpu": cpu / ours["cpu_seconds"]}
        for mode, (wall, cpu) in r_times.items()
    }
    summary = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.cli_speed " + " ".join(sys.argv[1:]),
        "source": str(args.source.resolve()),
        "load_average_at_end": os.getloadavg(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "actors": n,
        "ties": m,
        "rows": rows,
        "ratio_r_compute_over_whole_brokerage_command": ratios,
        "target": TARGET,
    }
    print()
    for mode, ratio in ratios.items():
        label = "dense matrix" if mode == "matrix" else "edge list"
        for what, key in (("wall", "seconds"), ("CPU", "cpu_seconds")):
            r = r_times[mode][0 if what == "wall" else 1]
            x = ratio["wall" if what == "wall" else "cpu"]
            verdict = "met" if x >= TARGET else "NOT met"
            print(
                f"{what}: R sna ({label}) {r:.2f} s / whole `brokerage --json` "
                f"{ours[key]:.3f} s = {x:.1f}x (target {TARGET:.0f}x: {verdict})"
            )
    if not math.isfinite(ours["seconds"]):
        raise SystemExit(1)
    name = "cli_speed.json" if args.source.resolve() == ROOT else "cli_speed_other.json"
    (OUT / name).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

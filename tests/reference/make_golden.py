"""Golden files for Gould–Fernandez brokerage, computed by R's ``sna::brokerage``.

The graphs are small and seeded; for each one this writes

- ``golden/<name>.graph.csv``: the graph in the format ``sna_brokerage.R`` reads (a line
  ``n,<N>,``, then one ``node,<index from 1>,<group>`` line per node and one
  ``arc,<from>,<to>`` line per arc, arcs de-duplicated, sorted, without self-loops);
- ``golden/<name>.sna.csv``: what ``sna::brokerage`` 2.7 gives for it (per node and a
  ``global`` row: raw counts, expected values, standard deviations and z-scores of the
  columns w_I, w_O, b_IO, b_OI, b_O, t).

``tests/unit/test_brokerage_reference.py`` compares graph_service's brokerage with these
files on every run, without R. To regenerate them (R with sna needed; on Debian
``apt-get install r-cran-sna``), from the repository root::

    .venv/bin/python tests/reference/make_golden.py

The graphs depend only on the seeds below, so regenerating rewrites the same graph files;
the ``.sna.csv`` files change only if R's results do (check ``git diff``). The helpers here
(writing and reading both formats, running R, the random graph) are also used by the live
comparison in that test module.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
R_SCRIPT = HERE / "sna_brokerage.R"
#: R sna's column names, in graph_service's order (coordinator, itinerant, representative,
#: gatekeeper, liaison, total)
SNA_COLUMNS = ("w_I", "w_O", "b_IO", "b_OI", "b_O", "t")


@dataclass
class Graph:
    """A directed graph of ``n`` nodes with a group label per node; arcs de-duplicated,
    sorted by (src, dst), no self-loops (what ``gould_fernandez`` expects)."""

    n: int
    groups: list[str]
    src: np.ndarray
    dst: np.ndarray

    @classmethod
    def of(cls, n: int, groups: Sequence[str], arcs: Sequence[tuple[int, int]]) -> Graph:
        pairs = np.array([(a, b) for a, b in arcs if a != b], dtype=np.int64).reshape(-1, 2)
        codes = np.unique(pairs[:, 0] * n + pairs[:, 1])
        return cls(n, list(groups), codes // n, codes % n)

    @property
    def m(self) -> int:
        return int(self.src.size)

    def codes(self) -> tuple[np.ndarray, list[str]]:
        """An int code per node (labels sorted) and the label of each code."""
        labels = sorted(set(self.groups))
        index = {lab: i for i, lab in enumerate(labels)}
        return np.array([index[g] for g in self.groups], dtype=np.int64), labels


@dataclass
class SnaResult:
    """``sna::brokerage`` output: n × 6 arrays per node and 6-vectors for the graph."""

    raw: np.ndarray
    exp: np.ndarray
    sd: np.ndarray
    z: np.ndarray
    g_raw: np.ndarray
    g_exp: np.ndarray
    g_sd: np.ndarray
    g_z: np.ndarray


# -- the two file formats ------------------------------------------------------------------


def write_graph_csv(path: Path, graph: Graph) -> None:
    for g in graph.groups:
        if not g or "," in g or g == "NA":
            raise ValueError(f"group label {g!r} cannot go through the CSV to R")
    lines = [f"n,{graph.n},"]
    lines += [f"node,{i + 1},{g}" for i, g in enumerate(graph.groups)]
    arcs = zip(graph.src.tolist(), graph.dst.tolist(), strict=True)
    lines += [f"arc,{a + 1},{b + 1}" for a, b in arcs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_graph_csv(path: Path) -> Graph:
    n = 0
    groups: dict[int, str] = {}
    arcs: list[tuple[int, int]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if row[0] == "n":
                n = int(row[1])
            elif row[0] == "node":
                groups[int(row[1]) - 1] = row[2]
            elif row[0] == "arc":
                arcs.append((int(row[1]) - 1, int(row[2]) - 1))
    return Graph.of(n, [groups[i] for i in range(n)], arcs)


def _number(text: str) -> float:
    """R's formatted numbers: NaN, NA, Inf and -Inf included (NA and NaN both as NaN)."""
    text = text.strip()
    if text in ("NA", "NaN"):
        return math.nan
    if text in ("Inf", "-Inf"):
        return math.copysign(math.inf, -1.0 if text.startswith("-") else 1.0)
    return float(text)


def read_sna_csv(path: Path) -> SnaResult:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    nodes = [r for r in rows if r["node"] != "global"]
    nodes.sort(key=lambda r: int(r["node"]))
    (glob,) = [r for r in rows if r["node"] == "global"]

    def block(rs: list[dict[str, str]], prefix: str) -> np.ndarray:
        return np.array([[_number(r[f"{prefix}_{c}"]) for c in SNA_COLUMNS] for r in rs])

    return SnaResult(
        *(block(nodes, p) for p in ("raw", "exp", "sd", "z")),
        *(block([glob], p)[0] for p in ("raw", "exp", "sd", "z")),
    )


def run_sna(graph_csv: Path, out_csv: Path, rscript: str = "Rscript") -> SnaResult:
    """Run ``sna_brokerage.R`` on a graph file; raise with R's message if it fails."""
    proc = subprocess.run(
        [rscript, str(R_SCRIPT), str(graph_csv), str(out_csv)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript failed ({proc.returncode}):\n{proc.stderr}")
    return read_sna_csv(out_csv)


def sna_of(graph: Graph, folder: Path, name: str = "graph", rscript: str = "Rscript") -> SnaResult:
    """Write ``graph`` to ``folder`` and return R's answer for it."""
    graph_csv = folder / f"{name}.graph.csv"
    write_graph_csv(graph_csv, graph)
    return run_sna(graph_csv, folder / f"{name}.sna.csv", rscript)


# -- the graphs ------------------------------------------------------------------------------


def random_graph(
    seed: int,
    n: int,
    group_weights: Sequence[float],
    density: float,
    reciprocity: float = 0.3,
    isolate: bool = True,
    forced: dict[int, str] | None = None,
) -> Graph:
    """A seeded random directed graph: each ordered pair is an arc with probability
    ``density``, a share ``reciprocity`` of the arcs is reciprocated, node 0 is isolated
    (when ``isolate``), and groups ``g1``, ``g2``, ... are drawn with ``group_weights``;
    ``forced`` pins some nodes' groups (to make a group of one or two nodes)."""
    rng = np.random.default_rng(seed)
    weights = np.asarray(group_weights, dtype=float)
    drawn = rng.choice(weights.size, size=n, p=weights / weights.sum())
    groups = [f"g{k + 1}" for k in drawn]
    for i, g in (forced or {}).items():
        groups[i] = g
    adj = rng.random((n, n)) < density
    back = (rng.random((n, n)) < reciprocity) & adj
    adj |= back.T
    np.fill_diagonal(adj, False)
    if isolate:
        adj[0, :] = False
        adj[:, 0] = False
    src, dst = np.nonzero(adj)
    return Graph.of(n, groups, list(zip(src.tolist(), dst.tolist(), strict=True)))


def hand_graph() -> Graph:
    """Six nodes with every role, closed triads and a reciprocated tie.

    Groups (1-based, as in the CSV): A = {1, 2, 3}, B = {4, 5}, C = {6}. Arcs 1→2, 2→3,
    2→4, 2→6, 3→6, 4→5, 5→4, 4→6, 6→1. Open two-paths (broker in the middle):
    1→2→3 coordinator; 1→2→4, 1→2→6, 5→4→6 representative; 2→4→5, 6→1→2 gatekeeper;
    2→6→1, 3→6→1 itinerant; 4→6→1 liaison. 2→6 closes 2→3→6 and 2→4→6; 5→4→5 and
    4→5→4 go back where they started. Raw counts per node (coordinator, itinerant,
    representative, gatekeeper, liaison): 1: (0,0,0,1,0), 2: (1,0,2,0,0), 3: 0,
    4: (0,0,1,1,0), 5: 0, 6: (0,2,0,0,1).
    """
    arcs = [(1, 2), (2, 3), (2, 4), (2, 6), (3, 6), (4, 5), (5, 4), (4, 6), (6, 1)]
    return Graph.of(6, ["A", "A", "A", "B", "B", "C"], [(a - 1, b - 1) for a, b in arcs])


GOLDEN_CASES: dict[str, Callable[[], Graph]] = {
    "hand6": hand_graph,
    "random30": lambda: random_graph(30, 30, [3, 2, 1], 0.12),
    # a group of one (g4) and of two (g5): their coordinator z-scores are 0/0 in R
    "random55": lambda: random_graph(55, 55, [4, 3, 2], 0.07, forced={1: "g4", 2: "g5", 3: "g5"}),
    "random80": lambda: random_graph(80, 80, [5, 4, 3, 2, 1], 0.05, reciprocity=0.5),
    "dense25": lambda: random_graph(25, 25, [2, 2, 1, 1], 0.6, reciprocity=0.2),
    "two_groups": lambda: random_graph(40, 40, [3, 1], 0.1),
    "many_groups": lambda: random_graph(12, 70, [1] * 12, 0.08),
}


def main(argv: Sequence[str] = ()) -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, make in GOLDEN_CASES.items():
        graph = make()
        result = sna_of(graph, GOLDEN, name)
        print(
            f"{name}: {graph.n} nodes, {graph.m} arcs, {len(set(graph.groups))} groups, "
            f"{int(result.g_raw[5])} brokered pairs"
        )


if __name__ == "__main__":
    main(sys.argv[1:])

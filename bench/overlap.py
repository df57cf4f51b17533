"""Map readability: overlapping nodes and labels for every layout, and the cost of the
overlap removal.

    python -m bench.overlap [--canvas 1400x900] [--sizes 1000,10000] [--repeat 3] [--json OUT]

1. For each bundled sample (graph_service/data/samples/*), all four loaded together, and
   generated planner-sized workbooks of 20, 50, 100 and 200 entities
   (bench/planner_workbook.py: Thai names, real Phatthalung places), each loaded into an
   embedded store through the importer, and for each layout (viz.layouts.LAYOUTS), from
   ``build_map_json`` (the positions and sizes the page draws):

   - **node overlaps**: pairs of nodes whose discs (diameter ``size``, layout units)
     intersect; the same count for the old layout (``viz.maps.layout`` alone, before this
     work) is given beside the force layout;
   - the **zoom** the page's fit gives on a ``--canvas`` canvas (``viz.layouts.fit_scale``,
     the rule of map.js ``fitAll``: every node with its label and every band label inside,
     24 px padding, at most 1.5);
   - **labels hidden** by the page at that zoom (``viz.layouts.shown_labels``, the rule of
     map.js ``cullLabels``);
   - the share of **label pairs overlapping**: labels are written 13 px high on the screen
     whatever the zoom (map.js sets the font to 13 px / zoom), their boxes estimated as the
     character count (combining marks excluded) × 0.55 × 13 px wide and 1.4 × 13 px high,
     centred under the node; among the labels the page shows (hidden ones do not count),
     and, for comparison, if every label were shown.

2. The force layout (spring/spectral + overlap removal) against the old layout alone on the
   generated graphs of bench/maps_speed.py at ``--sizes`` nodes, best of ``--repeat``, and
   the node overlaps left by each.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import graph_service
from graph_service.store.embedded import EmbeddedStore
from viz.layouts import (
    LAYOUTS,
    Band,
    compute,
    fit_scale,
    label_box,
    overlapping_pairs,
    shown_labels,
    visible_box,
)
from viz.maps import build_map_json, layout, scale_sizes

SAMPLES = Path(graph_service.__file__).resolve().parent / "data" / "samples"
WORKBOOKS = (20, 50, 100, 200)


def label_pairs(
    x: np.ndarray,
    y: np.ndarray,
    diam: np.ndarray,
    labels: list[str],
    scale: float,
    keep: np.ndarray,
) -> tuple[int, int]:
    """(overlapping pairs, all pairs) of the label boxes of the nodes in ``keep``."""
    idx = np.flatnonzero(keep)
    boxes = np.array([label_box(x[i], y[i], diam[i], labels[i], scale) for i in idx]).reshape(-1, 4)
    left, top, right, bottom = boxes.T
    m = len(idx)
    over = 0
    for a in range(m):
        hit = (left[a] < right[a + 1 :]) & (left[a + 1 :] < right[a])
        hit &= (top[a] < bottom[a + 1 :]) & (top[a + 1 :] < bottom[a])
        over += int(hit.sum())
    return over, m * (m - 1) // 2


def measure(store: EmbeddedStore, name: str, canvas: tuple[int, int]) -> dict[str, Any]:
    doc = build_map_json(store, layout=name)
    nodes = doc["nodes"]
    x = np.array([n["x"] for n in nodes], dtype=float)
    y = np.array([n["y"] for n in nodes], dtype=float)
    diam = np.array([n["size"] for n in nodes], dtype=float)
    labels = [n["label"] for n in nodes]
    pos = np.column_stack([x, y])
    bands = [Band(b["key"], b["label"], b["x"], b["y"], b["align"]) for b in doc.get("bands", [])]
    scale, centre = fit_scale(x, y, diam, labels, *canvas, bands=bands)
    shown = shown_labels(x, y, diam, labels, scale, visible_box(scale, centre, *canvas))
    over_shown, pairs_shown = label_pairs(x, y, diam, labels, scale, shown)
    over_all, pairs_all = label_pairs(x, y, diam, labels, scale, np.ones(len(x), bool))
    return {
        "layout": name,
        "nodes": len(nodes),
        "node_overlaps": int(len(overlapping_pairs(pos, diam))),
        "zoom": round(scale, 3),
        "hidden": int((~shown).sum()),
        "label_overlap_shown": round(over_shown / pairs_shown, 4) if pairs_shown else 0.0,
        "label_overlap_all": round(over_all / pairs_all, 4) if pairs_all else 0.0,
    }


def old_overlaps(store: EmbeddedStore) -> int:
    """Node overlaps of the layout before this work (viz.maps.layout alone)."""
    from viz.base import degrees

    sub = store.subgraph()
    ids = sorted(sub.nodes)
    size = scale_sizes(degrees(sub), ids)
    diam = np.array([2 * size[i] for i in ids])
    pos = layout(ids, ((e.source, e.target) for e in sub.edges))
    return int(len(overlapping_pairs(pos, diam)))


def load(folders: list[Path], db: Path) -> EmbeddedStore:
    for folder in folders:
        subprocess.run(
            [sys.executable, "-m", "graph_service.cli", "--store", str(db), "import", str(folder)],
            check=True,
            capture_output=True,
        )
    return EmbeddedStore(str(db))


def datasets(work: Path) -> list[tuple[str, list[Path]]]:
    from bench.planner_workbook import generate

    samples = sorted(p for p in SAMPLES.iterdir() if p.is_dir() and any(p.glob("*.csv")))
    out = [(p.name, [p]) for p in samples]
    out.append(("all four samples", samples))
    for n in WORKBOOKS:
        folder = work / f"workbook-{n}"
        generate(n, folder)
        out.append((f"generated workbook, {n} entities", [folder]))
    return out


def speed(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    from bench.maps_speed import generated_graph
    from viz.base import degrees

    rows = []
    for n in sizes:
        sub = generated_graph(n)
        ids = sorted(sub.nodes)
        pairs = [(e.source, e.target) for e in sub.edges]
        size = scale_sizes(degrees(sub), ids)
        diam = np.array([2 * size[i] for i in ids])
        labels = [str(sub.nodes[i].props.get("name", i)) for i in ids]
        old_t, new_t = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            old = layout(ids, pairs)
            old_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            new = compute("force", sub, ids, diam, labels, layout).pos
            new_t.append(time.perf_counter() - t)
        rows.append(
            {
                "nodes": n,
                "edges": len(pairs),
                "old_s": round(min(old_t), 3),
                "force_s": round(min(new_t), 3),
                "ratio": round(min(new_t) / min(old_t), 2),
                "old_overlaps": int(len(overlapping_pairs(old, diam))),
                "force_overlaps": int(len(overlapping_pairs(new, diam))),
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--canvas", default="1400x900")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    w, h = (int(v) for v in args.canvas.split("x"))
    report: dict[str, Any] = {"canvas": [w, h], "machine": platform.platform(), "maps": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for k, (name, folders) in enumerate(datasets(work)):
            store = load(folders, work / f"{k}.db")
            try:
                before = old_overlaps(store)
                for lay in LAYOUTS:
                    row = {"dataset": name, **measure(store, lay, (w, h))}
                    if lay == "force":
                        row["old_node_overlaps"] = before
                    report["maps"].append(row)
                    print(row, flush=True)
            finally:
                store.close()
    report["speed"] = speed([int(s) for s in args.sizes.split(",") if s], args.repeat)
    print()
    print(
        "| data | layout | nodes | node overlaps | zoom | labels hidden "
        "| label pairs overlapping, shown | ... if all were shown |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in report["maps"]:
        old = f" (old layout: {r['old_node_overlaps']})" if "old_node_overlaps" in r else ""
        print(
            f"| {r['dataset']} | {r['layout']} | {r['nodes']} | {r['node_overlaps']}{old} | "
            f"{r['zoom']} | {r['hidden']} | "
            f"{100 * r['label_overlap_shown']:.2f} % | {100 * r['label_overlap_all']:.2f} % |"
        )
    print()
    print("| nodes | edges | old layout | force + overlap removal | ratio | overlaps old / new |")
    print("|---|---|---|---|---|---|")
    for r in report["speed"]:
        print(
            f"| {r['nodes']:,} | {r['edges']:,} | {r['old_s']} s | {r['force_s']} s | "
            f"{r['ratio']} | {r['old_overlaps']:,} / {r['force_overlaps']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

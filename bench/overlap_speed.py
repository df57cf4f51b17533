"""Overlap speed: ``overlap_report`` on thousands of funds over the real Thai subdistricts,
next to a plain pure-Python pairwise loop.

    python -m bench.overlap_speed [--funds 5000] [--orgs 2000] [--repeat 3] [--seed 1]

The graph (built in memory, no store): the Thai geography (``read_geography``: 7,451
subdistricts with their districts, provinces, regions and PART_OF links), ``--orgs``
organisations that each OPERATES_IN 1-5 random subdistricts (some with a ``need_thb``), and
``--funds`` funds that each FUNDS 1-20 random subdistricts directly and, four in ten of
them, 1-3 of the organisations. Seven funds in ten put an ``amount_thb`` on every FUNDS
relationship; three in ten on none. One FUNDS relationship in four carries a ``need_thb``.
Each fund has one purpose out of five. Deterministic for a seed.

- ``overlap_report`` by area (``level="subdistrict"`` for the unfunded list) and by
  beneficiary: sparse F·Fᵀ for the pairs, numpy for the figures (best of ``--repeat``);
- the peer: a straightforward pure-Python loop over every two funds, with each fund's areas
  as a Python set, computing Jaccard and the overlap coefficient (by area). Both must find
  the same pairs with the same values, or the run fails.

Results go to stdout as a Markdown table and to bench/out/overlap_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_service.analysis.common import clean_float
from graph_service.analysis.overlap import overlap_report
from graph_service.domain import Edge, Node, Subgraph
from importers.thai_admin import read_geography

OUT = Path(__file__).parent / "out"
PURPOSES = ["health promotion", "occupation", "elderly care", "savings", "environment"]


def build(funds: int, orgs: int, seed: int) -> Subgraph:
    """The benchmark graph (see the module docstring)."""
    rng = random.Random(seed)
    nodes, edges = read_geography()
    subdistricts = sorted(n.id for n in nodes if n.props.get("admin_level") == "subdistrict")
    org_ids = [f"org-{i:05d}" for i in range(orgs)]
    for org in org_ids:
        props: dict[str, Any] = {"name": f"องค์กร {org}"}
        if rng.random() < 0.4:
            props["need_thb"] = rng.randrange(100, 5000) * 1000
        nodes.append(Node(org, "Organisation", props))  # type: ignore[arg-type]
        for area in rng.sample(subdistricts, rng.randint(1, 5)):
            edges.append(Edge(org, "OPERATES_IN", area))
    for i in range(funds):
        fund = f"fund-{i:05d}"
        purpose = rng.choice(PURPOSES)
        nodes.append(Node(fund, "Fund", {"name": f"กองทุน {i}", "purpose": purpose}))
        with_amounts = rng.random() < 0.7
        recipients = rng.sample(subdistricts, rng.randint(1, 20))
        if rng.random() < 0.4:
            recipients += rng.sample(org_ids, rng.randint(1, 3))
        for r in recipients:
            props = {"purpose": purpose}
            if with_amounts:
                props["amount_thb"] = rng.randrange(10, 2000) * 1000
            if rng.random() < 0.25:
                props["need_thb"] = rng.randrange(100, 3000) * 1000
            edges.append(Edge(fund, "FUNDS", r, props))  # type: ignore[arg-type]
    return Subgraph.of(nodes, edges)


def pure_python_pairs(sub: Subgraph) -> dict[tuple[str, str], tuple[Any, Any]]:
    """The peer: every fund's areas as a set, then a loop over every two funds.

    Returns (fund_a, fund_b) -> (jaccard, overlap) for the pairs sharing an area."""
    nodes = sub.nodes
    areas_of: dict[str, set[str]] = defaultdict(set)
    for e in sub.edges:
        if e.type in ("OPERATES_IN", "LOCATED_IN") and nodes[e.target].kind == "Area":
            areas_of[e.source].add(e.target)
    funds = sorted(i for i, n in nodes.items() if n.kind == "Fund")
    reached: dict[str, set[str]] = {f: set() for f in funds}
    for e in sub.edges:
        if e.type == "FUNDS" and e.source in reached:
            if nodes[e.target].kind == "Area":
                reached[e.source].add(e.target)
            reached[e.source] |= areas_of.get(e.target, set())
    out = {}
    for i, a in enumerate(funds):
        set_a = reached[a]
        for b in funds[i + 1 :]:
            set_b = reached[b]
            shared = len(set_a & set_b)
            if shared:
                union = len(set_a) + len(set_b) - shared
                out[(a, b)] = (
                    clean_float(shared / union),
                    clean_float(shared / min(len(set_a), len(set_b))),
                )
    return out


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[Any, float]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # the previous result is freed before the clock starts
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--funds", type=int, default=5_000)
    parser.add_argument("--orgs", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sub = build(args.funds, args.orgs, args.seed)
    funds_edges = sum(1 for e in sub.edges if e.type == "FUNDS")

    by_area, t_area = best_of(
        args.repeat, lambda: overlap_report(sub, by="area", level="subdistrict")
    )
    by_benef, t_benef = best_of(args.repeat, lambda: overlap_report(sub, by="beneficiary"))
    peer, t_peer = best_of(args.repeat, lambda: pure_python_pairs(sub))

    ours = {(p["fund_a"], p["fund_b"]): (p["jaccard"], p["overlap"]) for p in by_area["pairs"]}
    if ours != peer:
        differ = sorted(k for k in ours.keys() | peer.keys() if ours.get(k) != peer.get(k))
        raise SystemExit(
            f"overlap_report and the pure-Python loop disagree on {len(differ)} pair(s), e.g. "
            f"{differ[:3]}: {[(ours.get(k), peer.get(k)) for k in differ[:3]]}"
        )

    runs = [
        ("overlap_report, by area (sparse F·Fᵀ + numpy)", len(by_area["pairs"]), t_area),
        ("overlap_report, by beneficiary", len(by_benef["pairs"]), t_benef),
        ("peer: pure-Python pairwise loop with sets, by area", len(peer), t_peer),
    ]
    subdistricts = sum(1 for n in sub.nodes.values() if n.props.get("admin_level") == "subdistrict")
    print(
        f"Overlap speed: {args.funds:,} funds, {args.orgs:,} organisations, {subdistricts:,} "
        f"subdistricts, {funds_edges:,} FUNDS relationships (seed {args.seed}, best of "
        f"{args.repeat}); {platform.processor() or platform.machine()} {os.cpu_count()} cores\n"
    )
    print("| run | pairs | seconds | vs peer |")
    print("|---|---:|---:|---:|")
    table = []
    for name, pairs, seconds in runs:
        print(f"| {name} | {pairs:,} | {seconds:.3f} | {t_peer / seconds:.1f}x |")
        table.append({"run": name, "pairs": pairs, "seconds": round(seconds, 4)})
    kinds: dict[str, int] = defaultdict(int)
    for p in by_area["pairs"]:
        kinds[p["kind"]] += 1
    print(
        f"\nBoth by-area methods agree on all {len(peer):,} pairs (jaccard and overlap). "
        f"Kinds by area: {dict(sorted(kinds.items()))}; unfunded subdistricts: "
        f"{len(by_area['unfunded']):,}."
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "overlap_speed.json").write_text(json.dumps(table, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""A hub of 50,000 members on both stores (issue 11, point 1): every measure answers exact
values in a process whose address space the test caps with ``resource.setrlimit``.

The graph is a star: the network ``hub`` (admin_level national) and 50,000 people
(admin_level village), each MEMBER_OF it. By hand, with n = 50,000 and ties read both ways:

- brokerage: the hub brokers every ordered pair of members, n(n − 1), all itinerant (both
  ends in the village group, the hub national), and alone; a member brokers nothing;
- Burt: the hub's n contacts are unconnected, each weighing 1/n: constraint n·(1/n)² = 1/n,
  effective size n; a member has one contact: constraint 1, effective size 1;
- gaps: n ties between national and village, none within; every one ends at the hub, so the
  national–village link hangs on it;
- reach in two steps: the hub reaches the n members, a member the hub and the n − 1 others.

The old code enumerated the n(n − 1) two-paths through the hub: under the 1 GiB cap it fails
with MemoryError after about 7 s (bench/hub_speed.py, docs/hub.md), where the new code peaks
near 300 MB.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore

HUB = 50_000
#: the address space each measure may use (the old brokerage passed it on this graph)
CAP = 1 << 30
REPO = Path(__file__).resolve().parents[2]
PAIRS = HUB * (HUB - 1)


def member(i: int) -> str:
    return f"m{i:06d}"


def hub_graph(n: int = HUB) -> tuple[list[Node], list[Edge]]:
    nodes = [Node("hub", "Network", {"name": "อสม. hub", "admin_level": "national"})]
    nodes += [
        Node(member(i), "Person", {"name": f"m{i}", "admin_level": "village"}) for i in range(n)
    ]
    edges = [Edge(member(i), "MEMBER_OF", "hub") for i in range(n)]
    return nodes, edges


# -- the child process -----------------------------------------------------------------------


def _open(spec: dict[str, str]) -> GraphStore:
    if spec["store"] == "embedded":
        return EmbeddedStore(Path(spec["path"]), query_timeout=0)
    from graph_service.store.neo4j_store import Neo4jStore

    return Neo4jStore(spec["url"], "neo4j", spec["password"], query_timeout=0)


def _measure(case: str, store: GraphStore) -> dict[str, Any]:
    """What one case computes, reduced to the values the test checks."""
    if case == "brokerage":
        from graph_service.analysis.brokerage import brokerage

        doc = brokerage(store, undirected=True)
        rows = {r["id"]: r for r in doc["nodes"]}
        keep = ("itinerant", "total", "constraint", "effective_size", "sole_broker_pairs")
        return {
            "first": doc["nodes"][0]["id"],
            "hub": {k: rows["hub"][k] for k in keep},
            "member": {k: rows[member(7)][k] for k in keep},
            "brokers": sum(1 for r in doc["nodes"] if r["total"]),
            "totals": {k: v["observed"] for k, v in doc["totals"].items()},
        }
    if case == "impact":
        from graph_service.analysis.brokerage import broker_impact

        doc = broker_impact(store, "hub", undirected=True, limit=3)
        return {
            k: doc[k] for k in ("brokered_pairs", "lost_pairs", "truncated", "lost_group_pairs")
        } | {"pairs": [(p["from"], p["to"]) for p in doc["pairs"]]}
    if case == "gaps":
        from graph_service.analysis.gaps import gaps

        doc = gaps(store)
        m = doc["missing"]
        return {
            "blocks": [(b["from"], b["to"], b["ties"], b["possible"]) for b in doc["blocks"]],
            "ei_index": doc["ei_index"],
            "missing": [(x["from"], x["to"], x["status"], x["through"]) for x in m],
        }
    if case == "reach":
        from graph_service.analysis.reach import reach

        hub, one = reach(store, "hub", depth=2), reach(store, member(7), depth=2)
        return {
            "hub": [hub["reach"], hub["by_distance"]],
            "member": [one["reach"], one["by_distance"]],
        }
    if case in ("map_reach", "map_brokerage"):
        from tests.factories import page_data
        from viz.maps import build_map

        if case == "map_reach":
            page = build_map(store, focus="hub", depth=1, size_by="reach")
        else:
            page = build_map(store, size_by="brokerage")
        nodes = {x["id"]: x for x in page_data(page)["nodes"]}
        return {
            "cut": "แสดงเฉพาะ 5,000 หน่วยที่ใกล้ที่สุด" in page,
            "nodes": len(nodes),
            "hub": nodes["hub"]["measure"],
            "member": nodes[member(7)]["measure"] if member(7) in nodes else None,
        }
    if case == "export":
        from viz.formats import graph_measures

        values = graph_measures(store.subgraph())
        return {
            "constraint": [values["constraint"]["hub"], values["constraint"][member(7)]],
            "brokerage": [values["brokerage"]["hub"], values["brokerage"][member(7)]],
        }
    raise ValueError(case)


def child() -> None:
    """Run one case under the cap (``python -c``; arguments: cap, case, store spec)."""
    cap, case, spec = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    out = _measure(case, _open(spec))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"result": out, "peak": peak}))


def run_capped(case: str, spec: dict[str, str], cap: int = CAP) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    code = "from tests.contract.test_hub import child; child()"
    done = subprocess.run(
        [sys.executable, "-c", code, str(cap), case, json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["peak"] < cap
    return found["result"]  # type: ignore[no-any-return]


# -- the hub in each store -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The spec the child opens: the star written once per store."""
    nodes, edges = hub_graph()
    if request.param == "embedded":
        path = tmp_path_factory.mktemp("hub") / "hub.db"
        store = EmbeddedStore(path, query_timeout=0)
        store.write(nodes, edges)
        store.close()
        yield {"store": "embedded", "path": str(path)}
        return
    url, _, password = request.getfixturevalue("neo4j_server")
    neo = request.getfixturevalue("neo4j_session_store")
    neo.clear()
    neo.write(nodes, edges)
    yield {"store": "neo4j", "url": url, "password": password}
    neo.clear()


def test_brokerage_of_a_hub(hub: dict[str, str]) -> None:
    got = run_capped("brokerage", hub)
    assert got["first"] == "hub"
    assert got["hub"] == {
        "itinerant": PAIRS,
        "total": PAIRS,
        "constraint": 1 / HUB,
        "effective_size": float(HUB),
        "sole_broker_pairs": PAIRS,
    }
    assert got["member"] == {
        "itinerant": 0,
        "total": 0,
        "constraint": 1.0,
        "effective_size": 1.0,
        "sole_broker_pairs": 0,
    }
    assert got["brokers"] == 1
    assert got["totals"] == {
        "coordinator": 0,
        "itinerant": PAIRS,
        "representative": 0,
        "gatekeeper": 0,
        "liaison": 0,
        "total": PAIRS,
    }


def test_what_breaks_if_the_hub_leaves(hub: dict[str, str]) -> None:
    got = run_capped("impact", hub)
    assert got == {
        "brokered_pairs": PAIRS,
        "lost_pairs": PAIRS,
        "truncated": True,
        "lost_group_pairs": [
            {"from": "national", "to": "village"},
            {"from": "village", "to": "national"},
        ],
        "pairs": [[member(0), member(1)], [member(0), member(2)], [member(0), member(3)]],
    }


def test_gaps_of_a_hub(hub: dict[str, str]) -> None:
    got = run_capped("gaps", hub)
    assert got["blocks"] == [
        ["national", "national", 0, 0],
        ["national", "village", HUB, HUB],
        ["village", "village", 0, PAIRS // 2],
    ]
    assert got["ei_index"] == 1.0
    assert got["missing"] == [["national", "village", "one_actor", "hub"]]


def test_reach_of_a_hub(hub: dict[str, str]) -> None:
    got = run_capped("reach", hub)
    assert got["hub"] == [HUB, {"1": HUB}]
    assert got["member"] == [HUB, {"1": 1, "2": HUB - 1}]


def test_hub_map_sized_by_reach(hub: dict[str, str]) -> None:
    """/map/focus/hub?depth=1&size_by=reach: the map draws the hub and its 4,999 nearest
    members (ties by id: m000000..m004998) and says it was cut; on the drawn graph every
    entity reaches the 4,999 others in two steps (the hub directly, a member through it)."""
    got = run_capped("map_reach", hub)
    assert got == {"cut": True, "nodes": 5000, "hub": 4999, "member": 4999}


def test_whole_map_sized_by_brokerage(hub: dict[str, str]) -> None:
    """/map?size_by=brokerage: 50,001 entities open at the network level, the members folded
    into the hub, which keeps its brokerage total."""
    got = run_capped("map_brokerage", hub)
    assert got == {"cut": False, "nodes": 1, "hub": PAIRS, "member": None}


def test_export_measures_of_a_hub(hub: dict[str, str]) -> None:
    """The measures the gexf, graphml, cyjs and xlsx exports carry (ties as given: MEMBER_OF
    points to the hub, so nobody brokers; Burt reads ties both ways)."""
    got = run_capped("export", hub)
    assert got == {"constraint": [1 / HUB, 1.0], "brokerage": [0, 0]}

"""``map --json`` and ``GET /api/map`` (CONTRACT.md section 2) on both stores: the laid-out
map the page draws, checked on a small hand-made graph: which nodes and edges, sizes as
diameters from the degree, and positions equal to the page's own."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import by_id, network, organisation, page_data, person
from viz.maps import build_map, build_map_json


def star() -> tuple[list, list[Edge]]:
    """hub (an organisation) with three members p1, p2, p3 and a network n it belongs to;
    p3 also knows p2. Degrees: hub 4, p2 2, p3 2, p1 1, n 1."""
    nodes = [
        organisation("hub", "สำนักงานพัฒนาสังคม", sector="state"),
        person("p1", "ชาวบ้าน 1"),
        person("p2", "ชาวบ้าน 2"),
        person("p3", "ชาวบ้าน 3"),
        network("n", "เครือข่ายสวัสดิการ"),
    ]
    edges = [Edge(p, "MEMBER_OF", "hub") for p in ("p1", "p2", "p3")]
    edges += [Edge("hub", "MEMBER_OF", "n"), Edge("p3", "KNOWS", "p2")]
    return nodes, edges


def test_the_laid_out_map_is_the_one_the_page_draws(store: GraphStore) -> None:
    store.write(*star())
    doc = build_map_json(store)
    json.dumps(doc, allow_nan=False)
    nodes = by_id(doc["nodes"])
    assert sorted(nodes) == ["hub", "n", "p1", "p2", "p3"]
    assert set(doc["nodes"][0]) == {"id", "label", "kind", "x", "y", "size"}
    assert (nodes["hub"]["label"], nodes["hub"]["kind"]) == ("สำนักงานพัฒนาสังคม", "Organisation")
    # degree 1..4 scaled to radii 10..50, diameters 20..100: hub 100, p2 and p3 (2) 46.66
    sizes = {i: n["size"] for i, n in nodes.items()}
    assert sizes == {"hub": 100.0, "p2": 46.66, "p3": 46.66, "p1": 20.0, "n": 20.0}
    assert sorted((e["from"], e["type"], e["to"]) for e in doc["edges"]) == [
        ("hub", "MEMBER_OF", "n"),
        ("p1", "MEMBER_OF", "hub"),
        ("p2", "MEMBER_OF", "hub"),
        ("p3", "KNOWS", "p2"),
        ("p3", "MEMBER_OF", "hub"),
    ]
    drawn = by_id(page_data(build_map(store))["nodes"])
    for i, n in nodes.items():
        assert (n["x"], n["y"]) == (round(drawn[i]["x"], 3), round(drawn[i]["y"], 3))
    assert len({(n["x"], n["y"]) for n in doc["nodes"]}) == 5


def test_focus_and_filter(store: GraphStore) -> None:
    store.write(*star())
    near = build_map_json(store, focus="p1", depth=1)
    assert sorted(n["id"] for n in near["nodes"]) == ["hub", "p1"]
    people = build_map_json(store, where=("kind=Person",))
    assert sorted(n["id"] for n in people["nodes"]) == ["p1", "p2", "p3"]
    assert [(e["from"], e["to"]) for e in people["edges"]] == [("p3", "p2")]


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*star())
    expected = build_map_json(store, focus="hub", depth=1)
    got = CliRunner().invoke(
        main, ["--store", str(db), "map", "--focus", "hub", "--depth", "1", "--json"]
    )
    assert got.exit_code == 0, got.output
    assert json.loads(got.output) == expected
    with TestClient(create_app(store=store)) as client:
        assert client.get("/api/map", params={"focus": "hub", "depth": 1}).json() == expected
        assert client.get("/api/map").json() == build_map_json(store)
        missing = client.get("/api/map", params={"focus": "nobody"})
        assert missing.status_code == 404 and missing.json()["error"]["code"]

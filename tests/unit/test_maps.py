"""Maps (viz/maps.py): the embedded vis-network data, INN folding and the map verb."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graph_service.domain import Edge, Node, Subgraph
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import by_id, network, organisation, page_data, person
from viz.maps import (
    LARGE,
    build_map,
    embed_json,
    fold_to_level,
    layout,
    render_map,
    static_files,
)

SAMPLE = SAMPLES / "community-occupation"
EVIL = "</script><script>alert(1)</script>"
QUOTES = "ชื่อ \"อ้าง\" 'single' & <b>"


def small() -> Subgraph:
    """p1 WORKS_FOR o1 (provincial), o1 MEMBER_OF n1 (provincial: horizontal), o2 (district)
    MEMBER_OF n1 (vertical), o1 LOCATED_IN a1 (no admin level on the edge's far end: none),
    f1 FUNDS o2 (no levels), plus the two awkward names."""
    nodes = [
        person("p1", "นางสาว สมศรี ใจดี"),
        person("p-evil", EVIL),
        person("p-quote", QUOTES),
        organisation("o1", "สำนักงานพัฒนาสังคมจังหวัด", admin_level="provincial", sector="state"),
        organisation("o2", "อบต. ลาโละ", admin_level="district", sector="local_government"),
        network("n1", "เครือข่าย กขป.เขต ๑๒", admin_level="provincial"),
        Node("a1", "Area", {"name": "พัทลุง"}),
        Node("f1", "Fund", {"name": "กองทุน"}),
        Node("k1", "KnowledgeAsset", {"name": "คู่มือ"}),
        Node("g1", "Programme", {"name": "โครงการ"}),
    ]
    edges = [
        Edge("p1", "WORKS_FOR", "o1"),
        Edge("o1", "MEMBER_OF", "n1"),
        Edge("o2", "MEMBER_OF", "n1"),
        Edge("o1", "LOCATED_IN", "a1"),
        Edge("f1", "FUNDS", "o2"),
        Edge("p-evil", "MEMBER_OF", "o2"),
    ]
    return Subgraph.of(nodes, edges)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path_factory.mktemp("maps") / "g.db")
    import_dataset(store, SAMPLE)
    return store


# -- render_map ------------------------------------------------------------------------------


def test_render_nodes_shapes_and_labels() -> None:
    page = render_map(small(), title="แผนที่ทดสอบ")
    data = page_data(page)
    nodes = by_id(data["nodes"])
    assert sorted(nodes) == [
        "a1",
        "f1",
        "g1",
        "k1",
        "n1",
        "o1",
        "o2",
        "p-evil",
        "p-quote",
        "p1",
    ]
    assert 'data-nodes="10"' in page
    assert {i: n["shape"] for i, n in nodes.items()} == {
        "p1": "dot",
        "p-evil": "dot",
        "p-quote": "dot",
        "o1": "square",
        "o2": "square",
        "n1": "hexagon",
        "a1": "triangleDown",
        "f1": "diamond",
        "k1": "triangle",
        "g1": "star",
    }
    assert nodes["n1"]["label"] == "เครือข่าย กขป.เขต ๑๒"
    assert nodes["o1"]["inn"] == "node" and nodes["a1"]["inn"] is None
    assert nodes["o1"]["props"] == {
        "name": "สำนักงานพัฒนาสังคมจังหวัด",
        "admin_level": "provincial",
        "sector": "state",
    }
    # the search key: NFKC, Thai digits as ASCII, case folded, with the id
    assert nodes["n1"]["key"] == "เครือข่ายกขป.เขต 12\nn1"  # no space between Thai letters
    assert '<html lang="th">' in page and '<meta charset="utf-8">' in page
    assert '"Noto Sans Thai", "Sarabun", "Tahoma", sans-serif' in page
    assert "<title>แผนที่ทดสอบ</title>" in page
    # degree sizes: o1 and o2 have 3 links (the most), the programme none
    assert nodes["o1"]["size"] == 50.0 and nodes["g1"]["size"] == 10.0
    assert nodes["p1"]["size"] == pytest.approx(10 + 40 / 3, abs=0.01)
    # every node has a position and physics is off
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes.values())
    assert len({(n["x"], n["y"]) for n in nodes.values()}) == 10


def test_render_edge_styles_by_direction() -> None:
    data = page_data(render_map(small(), title="t"))
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert len(edges) == 6
    horizontal, vertical = edges[("o1", "n1")], edges[("o2", "n1")]
    assert (horizontal["direction"], horizontal["dashes"]) == ("horizontal", False)
    assert (vertical["direction"], vertical["dashes"]) == ("vertical", True)
    assert horizontal["color"] == "#2e7d32" and vertical["color"] == "#c62828"
    unknown = edges[("f1", "o2")]
    assert (unknown["direction"], unknown["dashes"], unknown["color"]) == (None, False, "#9e9e9e")
    assert unknown["type"] == "FUNDS"
    # o1 LOCATED_IN its area is a placement: neither horizontal nor vertical
    assert data["meta"]["directions"] == {
        "horizontal": 1,
        "vertical": 1,
        "unknown": 3,
        "placement": 1,
    }


def test_render_sizes_highlight_ghosts_and_edge_colours() -> None:
    sub = small()
    key = next(e.key for e in sub.edges if e.source == "o1" and e.target == "n1")
    data = page_data(
        render_map(
            sub,
            title="t",
            size_by="brokerage",
            sizes={"o1": 4, "o2": 2, "n1": 0},
            highlight={"n1"},
            ghost_edges=[
                {"from": "o1", "to": "o2", "label": "ขาด: provincial–district"},
                {"from": "o1", "to": "nowhere", "label": "dropped"},
            ],
            edge_colours={key: "#123456"},
            links={"reach": "/map/reach/{id}"},
        )
    )
    nodes = by_id(data["nodes"])
    assert (nodes["o1"]["size"], nodes["o2"]["size"], nodes["n1"]["size"]) == (50.0, 30.0, 10.0)
    assert nodes["p1"]["size"] == 10.0  # no value: the smallest
    assert nodes["o1"]["measure"] == 4 and data["meta"]["size_by"] == "brokerage"
    assert nodes["n1"]["borderWidth"] == 5
    assert nodes["n1"]["color"] == {"background": "#e15759", "border": "#111111"}
    assert "borderWidth" not in nodes["o1"]
    ghosts = [e for e in data["edges"] if e.get("ghost")]
    assert len(ghosts) == 1
    assert ghosts[0]["from"] == "o1" and ghosts[0]["to"] == "o2"
    assert ghosts[0]["label"] == "ขาด: provincial–district" and ghosts[0]["dashes"] == [4, 6]
    assert next(e for e in data["edges"] if e["id"] == key)["color"] == "#123456"
    assert data["meta"]["links"] == {"reach": "/map/reach/{id}"}


def test_render_colour_by_property() -> None:
    data = page_data(render_map(small(), title="t", colour_by="admin_level"))
    nodes = by_id(data["nodes"])
    # admin levels in their top-down order, each its own colour; grey where missing
    assert data["meta"]["palette"] == {"provincial": "#4e79a7", "district": "#f28e2b"}
    assert nodes["o1"]["color"] == nodes["n1"]["color"] == "#4e79a7"
    assert nodes["o2"]["color"] == "#f28e2b"
    assert nodes["p1"]["color"] == "#bdbdbd" and nodes["p1"]["colour_value"] is None


def test_names_with_script_and_quotes_stay_text() -> None:
    page = render_map(small(), title=EVIL)
    assert "</script><script>alert" not in page
    assert "<script>alert" not in page
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    nodes = by_id(page_data(page)["nodes"])
    assert nodes["p-evil"]["name"] == EVIL
    assert nodes["p-evil"]["props"]["name"] == EVIL
    assert nodes["p-evil"]["title"] == EVIL + "\nบุคคล\nรหัส: p-evil"
    assert nodes["p-evil"]["label"] == "</script><script>alert(1)</sc…"
    assert nodes["p-quote"]["name"] == QUOTES


def test_embed_json_escapes_line_separators() -> None:
    text = embed_json({"a": "x\u2028y\u2029<>&"})
    assert "\u2028" not in text and "\u2029" not in text and "<" not in text
    assert json.loads(text) == {"a": "x\u2028y\u2029<>&"}


def test_long_name_label_truncated_full_name_kept() -> None:
    long = "ศูนย์ประสานงานวิจัยเพื่อท้องถิ่นภาคตะวันออกเฉียงเหนือตอนบน"
    data = page_data(render_map(Subgraph.of([person("p", long)], []), title="t"))
    (node,) = data["nodes"]
    assert len(node["label"]) == 30 and node["label"].endswith("…")
    assert node["name"] == long


def test_standalone_page_inlines_everything() -> None:
    page = render_map(small(), title="t")
    assert "vis-network" in page and "@version 9.1.2" in page
    assert "window.graphService = { ready: false }" in page
    assert "div.vis-tooltip" in page
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "http://" not in re.sub(r"/\*.*?\*/", "", page, flags=re.S).split("<script>")[0]


def test_linked_page_uses_static_files() -> None:
    page = render_map(small(), title="t", standalone=False)
    assert '<script src="/static/vis-network.min.js"></script>' in page
    assert '<script src="/static/map.js"></script>' in page
    assert '<link rel="stylesheet" href="/static/map.css">' in page
    assert "@version 9.1.2" not in page
    files = static_files()
    assert sorted(files) == ["map.css", "map.js", "vis-network.min.js"]
    assert files["vis-network.min.js"].read_text(encoding="utf-8").startswith("/**\n * vis-network")
    assert files["map.js"].parent == Path(__file__).parents[2] / "viz" / "static"


def test_layout_components_and_isolated_nodes() -> None:
    ids = [f"n{i}" for i in range(6)]
    pos = layout(ids, [("n0", "n1"), ("n1", "n2"), ("n3", "n4")])
    assert pos.shape == (6, 2)
    assert len({tuple(p) for p in pos.tolist()}) == 6
    # the same input gives the same drawing
    assert (pos == layout(ids, [("n0", "n1"), ("n1", "n2"), ("n3", "n4")])).all()


# -- fold_to_level ---------------------------------------------------------------------------


def fold_graph() -> Subgraph:
    nodes = [
        person("p1"),
        person("p2"),
        person("p3"),
        organisation("o1", "ทีมกลาง"),
        organisation("o2"),
        network("n1", "เครือข่าย"),
        Node("a1", "Area", {"name": "ภาคใต้"}),
    ]
    edges = [
        Edge("p1", "WORKS_FOR", "o1"),
        Edge("p2", "MEMBER_OF", "o1"),
        Edge("p1", "MENTORS", "p3"),
        Edge("p2", "MENTORS", "p3"),
        Edge("p1", "MENTORS", "p2"),
        Edge("o1", "MEMBER_OF", "n1"),
        Edge("o1", "LOCATED_IN", "a1"),
        Edge("o2", "PARTNERS_WITH", "o1"),
    ]
    return Subgraph.of(nodes, edges)


def test_fold_individual_is_identity() -> None:
    sub = fold_graph()
    view, counts = fold_to_level(sub, "individual")
    assert view is sub and counts == {}


def test_fold_node_level() -> None:
    view, counts = fold_to_level(fold_graph(), "node")
    assert counts == {"o1": 2}
    assert sorted(view.nodes) == ["a1", "n1", "o1", "o2", "p3"]
    assert view.nodes["o1"].props["folded"] == 2
    edges = sorted((e.source, e.type, e.target, e.props.get("count")) for e in view.edges)
    assert edges == [
        ("o1", "LOCATED_IN", "a1", None),
        ("o1", "MEMBER_OF", "n1", None),
        ("o1", "MENTORS", "p3", 2),  # p1 and p2 both mentor p3: merged; p1->p2 a self-loop
        ("o2", "PARTNERS_WITH", "o1", None),
    ]
    label = by_id(page_data(render_map(view, title="t"))["nodes"])["o1"]["label"]
    assert label == "ทีมกลาง (+2)"


def test_fold_network_level() -> None:
    view, counts = fold_to_level(fold_graph(), "network")
    assert counts == {"n1": 3}
    assert sorted(view.nodes) == ["a1", "n1", "o2", "p3"]
    node = by_id(page_data(render_map(view, title="t", links={"open": "/map?focus={id}"}))["nodes"])
    assert node["n1"]["label"] == "เครือข่าย (+3)" and node["n1"]["folded"] == 3
    edges = sorted((e.source, e.type, e.target) for e in view.edges)
    assert edges == [
        ("n1", "LOCATED_IN", "a1"),
        ("n1", "MENTORS", "p3"),
        ("o2", "PARTNERS_WITH", "n1"),
    ]


def test_fold_unknown_level() -> None:
    with pytest.raises(InvalidInput, match="individual, node, network"):
        fold_to_level(fold_graph(), "region")


# -- build_map -------------------------------------------------------------------------------


def test_build_map_whole_sample(sample_store: EmbeddedStore) -> None:
    data = page_data(build_map(sample_store))
    assert len(data["nodes"]) == 74
    assert sum(data["meta"]["levels"].values()) == 74
    assert data["meta"]["levels"] == {"individual": 6, "node": 17, "network": 6, "none": 45}


def test_build_map_focus(sample_store: EmbeddedStore) -> None:
    page = build_map(sample_store, focus="person-coordinator", depth=1)
    nodes = by_id(page_data(page)["nodes"])
    assert sorted(nodes) == [
        "net-node-network",
        "net-partners",
        "net-provider-regional",
        "org-central-team",
        "org-provider",
        "person-coordinator",
        "person-sage",
        "person-villager",
    ]
    assert nodes["person-coordinator"]["distance"] == 0
    assert nodes["person-coordinator"]["borderWidth"] == 5
    assert nodes["org-provider"]["distance"] == 1


def test_build_map_levels_and_measures(sample_store: EmbeddedStore) -> None:
    network_view = page_data(build_map(sample_store, level="network"))
    individual = page_data(build_map(sample_store))
    assert len(network_view["nodes"]) < len(individual["nodes"])
    assert any(n.get("folded") for n in network_view["nodes"])
    brokerage = page_data(build_map(sample_store, size_by="brokerage"))
    assert brokerage["meta"]["size_by"] == "brokerage"
    assert max(n["size"] for n in brokerage["nodes"]) == 50.0
    reach = by_id(page_data(build_map(sample_store, size_by="reach"))["nodes"])
    assert reach["person-coordinator"]["measure"] >= 7
    coloured = page_data(build_map(sample_store, colour_by="level"))
    assert set(coloured["meta"]["palette"]) == {"individual", "node", "network"}


def test_build_map_errors(sample_store: EmbeddedStore, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        build_map(sample_store, focus="no-such-entity")
    with pytest.raises(InvalidInput, match="from 1 to 10"):
        build_map(sample_store, focus="person-coordinator", depth=0)
    with pytest.raises(InvalidInput, match="cannot colour by 'colour'") as info:
        build_map(sample_store, colour_by="colour")
    assert "kind, level" in info.value.message and "admin_level" in info.value.message
    with pytest.raises(InvalidInput, match="size measure"):
        build_map(sample_store, size_by="height")
    with pytest.raises(InvalidInput, match="the graph is empty: import a dataset first"):
        build_map(EmbeddedStore(tmp_path / "empty.db"))


def test_build_map_standalone_offline(sample_store: EmbeddedStore) -> None:
    page = build_map(sample_store)
    assert "vis-network" in page and "https://visjs.github.io/vis-network/" in page
    assert not re.search(r"<script[^>]*\bsrc=[\"']?https?://", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)


def test_large_graph_opens_at_network_level(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "big.db")
    n_people = LARGE + 10
    nodes = [network("net", "เครือข่ายใหญ่")]
    nodes += [organisation(f"o{i}", f"หน่วย {i}") for i in range(10)]
    nodes += [person(f"p{i}", f"คน {i}") for i in range(n_people)]
    edges = [Edge(f"o{i}", "MEMBER_OF", "net") for i in range(10)]
    edges += [Edge(f"p{i}", "WORKS_FOR", f"o{i % 10}") for i in range(n_people)]
    store.write(nodes, edges)
    data = page_data(build_map(store, links={"open": "/map?focus={id}&depth=1"}))
    assert [n["id"] for n in data["nodes"]] == ["net"]
    assert data["nodes"][0]["folded"] == n_people + 10
    assert data["nodes"][0]["label"] == f"เครือข่ายใหญ่ (+{n_people + 10})"
    assert data["meta"]["notes"][0].startswith(f"ข้อมูลมี {n_people + 11:,} หน่วย มากกว่า 2,000")

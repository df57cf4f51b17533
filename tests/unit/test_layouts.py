"""The map layouts (viz/layouts.py) on small hand-made graphs: overlap removal, the order
of the levels and INN bands, and geographic positions checked against the shipped
coordinates by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from graph_service.domain import Edge, Node, Subgraph
from graph_service.errors import InvalidInput
from tests.factories import network, organisation, person
from viz.layouts import (
    MARGIN,
    area_point,
    compute,
    fit_scale,
    geography,
    label_width,
    level_rows,
    overlapping_pairs,
    remove_overlaps,
    shown_labels,
    visible_box,
)
from viz.maps import layout as spring


def area(id_: str, name: str, **props: object) -> Node:
    return Node(id_, "Area", {"name": name, **props})


def place(sub: Subgraph, name: str, diam: float = 20.0) -> dict[str, tuple[float, float]]:
    ids = sorted(sub.nodes)
    d = np.full(len(ids), diam)
    placed = compute(name, sub, ids, d, [sub.nodes[i].name for i in ids], spring)
    assert not len(overlapping_pairs(placed.pos, d, MARGIN - 1e-6))
    return {i: (float(x), float(y)) for i, (x, y) in zip(ids, placed.pos, strict=True)}


def graph(nodes: list[Node], edges: list[Edge]) -> Subgraph:
    return Subgraph({n.id: n for n in nodes}, edges)


def test_three_nodes_at_one_point_end_exactly_apart() -> None:
    diam = np.array([20.0, 40.0, 60.0])
    pos = remove_overlaps(np.zeros((3, 2)), diam, margin=0.0)
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        distance = math.dist(pos[a], pos[b])
        assert distance >= (diam[a] + diam[b]) / 2 - 1e-9
    # and not blown apart: each pair within a few diameters
    assert max(math.dist(pos[a], pos[b]) for a, b in [(0, 1), (0, 2), (1, 2)]) < 200


def test_overlap_removal_keeps_the_margin_and_leaves_separate_nodes_alone() -> None:
    # two discs of diameter 20 whose centres are 10 apart, a third far away
    pos = np.array([[0.0, 0.0], [10.0, 0.0], [500.0, 500.0]])
    diam = np.array([20.0, 20.0, 20.0])
    assert overlapping_pairs(pos, diam).tolist() == [[0, 1]]
    out = remove_overlaps(pos, diam, margin=5.0)
    assert math.dist(out[0], out[1]) >= 25.0 - 1e-9
    # pushed apart along the line joining them, symmetrically
    assert out[0][1] == pytest.approx(0.0) and out[1][1] == pytest.approx(0.0)
    assert out[0][0] + out[1][0] == pytest.approx(10.0)
    assert out[2].tolist() == [500.0, 500.0]
    assert overlapping_pairs(out, diam, 5.0 - 1e-6).tolist() == []


def test_overlap_removal_on_a_crowd_is_exact_and_deterministic() -> None:
    rng = np.random.default_rng(3)
    pos = rng.random((400, 2)) * 50  # 400 discs of 10..50 thrown in a 50 x 50 square
    diam = 10 + rng.random(400) * 40
    a = remove_overlaps(pos, diam)
    b = remove_overlaps(pos, diam)
    assert (a == b).all()
    from scipy.spatial.distance import pdist, squareform

    gap = squareform(pdist(a)) - (diam[:, None] + diam[None, :]) / 2
    np.fill_diagonal(gap, np.inf)
    assert gap.min() >= MARGIN - 1e-6


def test_levels_put_national_above_subdistrict_and_read_vertical_ties_top_down() -> None:
    sub = graph(
        [
            organisation("fund", "กองทุน", admin_level="national"),
            organisation("team", "ทีมกลาง", admin_level="national"),
            organisation("tambon", "อบต.", admin_level="subdistrict"),
            organisation("provider", "หน่วยพัฒนาอาชีพ"),
            person("villager", "ชาวบ้าน"),
            person("loner", "คนเดียว"),
        ],
        [
            Edge("fund", "FUNDS", "team"),
            Edge("team", "SUPPORTS", "provider"),
            Edge("provider", "SUPPORTS", "villager"),
            Edge("tambon", "REPORTS_TO", "team"),
        ],
    )
    ids = sorted(sub.nodes)
    depth, _ = level_rows(sub, ids)
    got = dict(zip(ids, depth, strict=True))
    # national is tier 1 (10), subdistrict tier 5 (50); the team one row below the fund
    # that funds it; the provider and the villager each one row below who supports them
    assert got == {
        "fund": 10.0,
        "team": 11.0,
        "provider": 12.0,
        "villager": 13.0,
        "tambon": 50.0,
        "loner": None,
    }
    pos = place(sub, "levels")
    ys = [pos[i][1] for i in ("fund", "team", "provider", "villager", "tambon", "loner")]
    assert ys == sorted(ys) and len(set(ys)) == 6  # six rows, top-down in that order


def test_inn_bands_networks_nodes_individuals_then_the_rest() -> None:
    sub = graph(
        [
            person("p", "คน"),
            organisation("o", "องค์กร"),
            network("n", "เครือข่าย"),
            area("a", "ตำบล"),
            Node("f", "Fund", {"name": "กองทุน"}),
        ],
        [Edge("p", "MEMBER_OF", "o"), Edge("o", "MEMBER_OF", "n"), Edge("f", "FUNDS", "o")],
    )
    pos = place(sub, "inn")
    assert pos["n"][1] < pos["o"][1] < pos["p"][1] < pos["a"][1]
    assert pos["a"][1] == pos["f"][1]  # not actors: one band


def test_geographic_puts_a_subdistrict_at_its_projected_coordinates() -> None:
    # Lampam, Phatthalung (930109: 7.651 N, 100.141 E) and Si Phum, Chiang Mai
    # (500101: 18.796 N, 98.985 E), from graph_service/data/thai-admin/sub_districts.csv
    sub = graph(
        [
            area("lampam", "ลำปำ", admin_level="subdistrict", code="930109"),
            area("si-phum", "ศรีภูมิ", admin_level="subdistrict", code="500101"),
            organisation("office", "อบต.ลำปำ"),
            person("nobody", "ไม่มีที่อยู่"),
        ],
        [Edge("office", "LOCATED_IN", "lampam")],
    )
    pos = place(sub, "geographic")
    lam, phu = pos["lampam"], pos["si-phum"]
    assert lam[0] > phu[0] and lam[1] > phu[1]  # east of it and south (y points down)
    # equirectangular: dx / dy = (Δlong × cos(mean latitude)) / -Δlat
    lat0 = (7.651 + 18.796) / 2
    expected = (100.141 - 98.985) * math.cos(math.radians(lat0)) / (18.796 - 7.651)
    assert (lam[0] - phu[0]) / (lam[1] - phu[1]) == pytest.approx(expected, rel=2e-3)
    # the office sits next to its subdistrict, nobody in the column at the right
    assert math.dist(pos["office"], lam) < 60
    assert pos["nobody"][0] > max(x for i, (x, _) in pos.items() if i != "nobody")


def test_areas_are_found_by_code_source_id_or_thai_name_within_their_province() -> None:
    geo = geography()
    by_name = area_point({"name": "ต.ลำปำ", "admin_level": "subdistrict"}, "93", geo)
    assert by_name == (7.651, 100.141)
    assert area_point({"name": "x", "code": "930109"}, None, geo) == (7.651, 100.141)
    # a district at the mean of its subdistricts; the southern region (source id 6) at the
    # mean of its provinces
    d = area_point({"name": "เมืองพัทลุง", "code": "9301"}, None, geo)
    assert d is not None and 7.4 < d[0] < 7.7 and 99.9 < d[1] < 100.2
    south = area_point({"name": "ภาคใต้", "admin_level": "regional"}, None, geo)
    assert south == area_point(
        {"name": "?", "admin_level": "regional", "thai_admin_id": "6"}, None, geo
    )
    assert south is not None and 6 < south[0] < 10
    # the samples' "ภาคอีสาน" is the geography's ภาคตะวันออกเฉียงเหนือ (north-east: east of 102 E)
    isan = area_point({"name": "ภาคอีสาน", "admin_level": "regional"}, None, geo)
    assert isan is not None and isan[1] > 102
    assert area_point({"name": "ประเทศ", "admin_level": "national"}, None, geo) is None


def test_every_layout_is_deterministic_and_unknown_ones_are_refused() -> None:
    sub = graph(
        [person(f"p{k}", f"คน {k}") for k in range(12)],
        [Edge(f"p{k}", "KNOWS", f"p{(k + 1) % 12}") for k in range(12)],
    )
    for name in ("force", "levels", "inn", "geographic"):
        assert place(sub, name) == place(sub, name)
    with pytest.raises(InvalidInput, match="unknown layout 'grid'"):
        place(sub, "grid")


def test_labels_are_hidden_smallest_first_and_all_shown_zoomed_in() -> None:
    # three nodes in a row 50 apart with 10-character labels, 13 px high on the screen
    # whatever the zoom: 10 × 0.55 × 13 = 71.5 px wide
    x = np.array([0.0, 50.0, 100.0])
    y = np.zeros(3)
    diam = np.array([20.0, 40.0, 20.0])
    labels = ["abcdefghij"] * 3
    assert label_width(labels[0]) == pytest.approx(71.5)
    # at zoom 1 the centres are 50 px apart: the middle (biggest) node's label wins and
    # hides both neighbours
    assert shown_labels(x, y, diam, labels, 1.0).tolist() == [False, True, False]
    # the outer two alone, 100 px apart, do not meet
    assert shown_labels(x[[0, 2]], y[:2], diam[[0, 2]], labels[:2], 1.0).tolist() == [True, True]
    # zoomed in to 1.5 the centres are 75 px apart: every label fits
    assert shown_labels(x, y, diam, labels, 1.5).tolist() == [True, True, True]
    # zoomed out to 0.5 (25 px apart) only the biggest node's label is left
    assert shown_labels(x, y, diam, labels, 0.5).tolist() == [False, True, False]


def test_the_fit_keeps_every_label_inside_the_canvas() -> None:
    # two nodes 1,000 apart, labels 71.5 px wide: at zoom s the drawing is 1000 s + 71.5
    # wide (each label overhangs its node by 35.75 px); a 600 px canvas with 24 px padding
    # holds 552 px, so s = (552 - 71.5) / 1000
    x, y = np.array([0.0, 1000.0]), np.zeros(2)
    diam = np.array([20.0, 20.0])
    scale, centre = fit_scale(x, y, diam, ["abcdefghij"] * 2, 600, 600)
    assert scale == pytest.approx(0.4805, abs=1e-6)
    assert centre[0] == pytest.approx(500.0)


def test_a_long_label_does_not_shrink_the_map_and_is_hidden_at_the_edge() -> None:
    # the same two nodes, the first label 60 characters long (60 * 0.55 * 13 = 429 px): it
    # counts 60 px to the left only (the short one its 35.75), so the fit is
    # (552 - 60 - 35.75) / 1000 = 0.45625 rather than (552 - 214.5 - 35.75) / 1000; at that
    # zoom the long label passes the canvas's left edge and is hidden, the short one shown
    x, y = np.array([0.0, 1000.0]), np.zeros(2)
    diam = np.array([20.0, 20.0])
    labels = ["x" * 60, "abcdefghij"]
    scale, centre = fit_scale(x, y, diam, labels, 600, 600)
    assert scale == pytest.approx(0.45625, abs=1e-6)
    view = visible_box(scale, centre, 600, 600)
    assert shown_labels(x, y, diam, labels, scale, view).tolist() == [False, True]
    assert shown_labels(x, y, diam, labels, scale).tolist() == [True, True]  # no edge

"""``overlap --among FILTER`` on both stores (questions W4 "which of our areas coincide with
another programme's?" and W9 "which communities are served by more than one provider?"):
the overlap rules applied to the entities a filter chooses instead of the Funds, on a small
hand-made graph worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.overlap import overlap
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import organisation


def among_graph() -> tuple[list[Node], list[Edge]]:
    """Programmes p1 (in a1, a2) and p2 (in a2, a3; it FUNDS o1 with 500 baht); providers o1
    and o2 (tag provider) both LOCATED_IN a1, o3 (no tag) too; fund f1 FUNDS o3."""
    areas = [
        Node(a, "Area", {"name": n})
        for a, n in (("a1", "ลำปำ"), ("a2", "นาท่อม"), ("a3", "เกาะหมาก"))
    ]
    nodes = [
        *areas,
        Node("p1", "Programme", {"name": "แผนงานหนึ่ง"}),
        Node("p2", "Programme", {"name": "แผนงานสอง"}),
        organisation("o1", "ชมรมผู้สูงอายุ", tags=["provider"]),
        organisation("o2", "ศูนย์เด็กเล็ก", tags=["provider"]),
        organisation("o3", "อบต."),
        Node("f1", "Fund", {"name": "กองทุน"}),
    ]
    edges = [
        Edge("p1", "OPERATES_IN", "a1"),
        Edge("p1", "OPERATES_IN", "a2"),
        Edge("p2", "OPERATES_IN", "a2"),
        Edge("p2", "OPERATES_IN", "a3"),
        Edge("p2", "FUNDS", "o1", {"amount_thb": 500}),
        Edge("o1", "LOCATED_IN", "a1"),
        Edge("o2", "LOCATED_IN", "a1"),
        Edge("o3", "LOCATED_IN", "a1"),
        Edge("f1", "FUNDS", "o3"),
    ]
    return nodes, edges


def pairs(doc: dict) -> list[tuple[str, str, list[str]]]:
    return [(p["fund_a"], p["fund_b"], p["shared"]) for p in doc["pairs"]]


def test_programmes_sharing_areas(store: GraphStore) -> None:
    store.write(*among_graph())
    doc = overlap(store, among=["kind=Programme"])
    json.dumps(doc, allow_nan=False)
    # p1 reaches a1, a2; p2 reaches a2, a3 and, through o1, a1: shared a1 and a2 of 3 areas
    assert pairs(doc) == [("p1", "p2", ["a1", "a2"])]
    pair = doc["pairs"][0]
    assert (pair["jaccard"], pair["overlap"]) == (round(2 / 3, 10), 1.0)  # rounded to 10 places
    assert (doc["among"], doc["funds"]) == (["kind=Programme"], 2)
    assert "1 FUNDS relationship(s) start at an entity that among= leaves out" in doc["notes"][0]
    by_recipient = overlap(store, by="beneficiary", among=["kind=Programme"])
    assert pairs(by_recipient) == []  # only p2 funds anybody
    assert by_recipient["funds_per_target"] == {"o1": 1}


def test_communities_served_by_two_providers(store: GraphStore) -> None:
    store.write(*among_graph())
    doc = overlap(store, among=["tag=provider"])
    assert pairs(doc) == [("o1", "o2", ["a1"])]
    assert doc["funds_per_target"] == {"a1": 2}
    # without among, the funds are compared: f1 alone, no pair
    plain = overlap(store)
    assert "among" not in plain and plain["funds"] == 1 and pairs(plain) == []


def test_a_filter_matching_nothing_says_so(store: GraphStore) -> None:
    store.write(*among_graph())
    doc = overlap(store, among=["tag=nobody"])
    assert (doc["funds"], doc["pairs"]) == (0, [])
    assert "no entity matches among=tag=nobody: there is nothing to compare" in doc["notes"]


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*among_graph())
    expected = overlap(store, among=["kind=Programme"])
    runner = CliRunner()
    got = runner.invoke(
        main, ["--store", str(db), "overlap", "--among", "kind=Programme", "--json"]
    )
    assert got.exit_code == 0, got.output
    assert json.loads(got.output) == expected
    text = runner.invoke(main, ["--store", str(db), "overlap", "--among", "kind=Programme"])
    assert text.output.splitlines()[0] == (
        "1 คู่ของ kind=Programme มีพื้นที่ร่วมกัน / 1 pair(s) of kind=Programme share areas."
    )
    bad = runner.invoke(main, ["--store", str(db), "overlap", "--among", "kind"])
    assert bad.exit_code == 1 and "no '='" in bad.output
    with TestClient(create_app(store=store)) as client:
        assert client.get("/api/overlap", params={"among": "kind=Programme"}).json() == expected

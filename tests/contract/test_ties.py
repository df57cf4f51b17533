"""``ties`` on both stores (question A7, "which ties have reached local policy?"): the
relationships whose own properties match a filter, on a small hand-made graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.ties import ties
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import network, organisation


def ties_graph() -> tuple[list[Node], list[Edge]]:
    """net (provincial) SUPPORTS tao1 and tao2 (subdistrict), the first with policy "Local"
    (formal), the second informal with no policy; tao1 PARTNERS_WITH tao2 (formal, year
    2551 = 2008); tao1 LOCATED_IN the area (placement: no direction)."""
    nodes = [
        network("net", "เครือข่ายสวัสดิการ", admin_level="provincial"),
        organisation("tao1", "อบต.ลำปำ", admin_level="subdistrict"),
        organisation("tao2", "เทศบาลนาท่อม", admin_level="subdistrict"),
        Node("area", "Area", {"name": "ลำปำ", "admin_level": "subdistrict"}),
    ]
    edges = [
        Edge("net", "SUPPORTS", "tao1", {"policy": "Local", "formality": "formal"}),
        Edge("net", "SUPPORTS", "tao2", {"formality": "informal"}),
        Edge("tao1", "PARTNERS_WITH", "tao2", {"formality": "formal", "year": 2008}),
        Edge("tao1", "LOCATED_IN", "area"),
    ]
    return nodes, edges


def listed(doc: dict) -> list[tuple[str, str, str]]:
    return [(t["source"], t["type"], t["target"]) for t in doc["ties"]]


def test_ties_by_their_own_properties(store: GraphStore) -> None:
    store.write(*ties_graph())
    doc = ties(store, ["policy=local"])
    json.dumps(doc, allow_nan=False)
    assert listed(doc) == [("net", "SUPPORTS", "tao1")]
    first = doc["ties"][0]
    assert (first["source_name"], first["target_name"]) == ("เครือข่ายสวัสดิการ", "อบต.ลำปำ")
    assert first["direction"] == "vertical"  # provincial to subdistrict
    assert first["properties"] == {"formality": "formal", "policy": "Local"}
    assert (doc["count"], doc["truncated"], doc["where"]) == (1, False, ["policy=local"])
    # a Buddhist Era year matches the stored Common Era one; terms all hold
    assert listed(ties(store, ["year=2551"])) == [("tao1", "PARTNERS_WITH", "tao2")]
    assert listed(ties(store, ["formality=formal", "type=supports"])) == [
        ("net", "SUPPORTS", "tao1")
    ]
    assert listed(ties(store, ["direction=horizontal"])) == [("tao1", "PARTNERS_WITH", "tao2")]


def test_types_breakdown_and_limit(store: GraphStore) -> None:
    store.write(*ties_graph())
    doc = ties(store, types=["SUPPORTS", "PARTNERS_WITH"], breakdown="formality", limit=1)
    assert (doc["count"], doc["truncated"], len(doc["ties"])) == (3, True, 1)
    assert doc["breakdown"] == {"formal": 2, "informal": 1}
    everything = ties(store, breakdown="policy")
    assert everything["count"] == 4
    assert everything["breakdown"] == {"Local": 1, None: 3}
    placement = [t for t in everything["ties"] if t["type"] == "LOCATED_IN"]
    assert placement[0]["direction"] is None


def test_an_entity_term_is_refused(store: GraphStore) -> None:
    store.write(*ties_graph())
    with pytest.raises(InvalidInput, match="kind= chooses entities, not ties"):
        ties(store, ["kind=Organisation"])
    with pytest.raises(InvalidInput, match="no '='"):
        ties(store, ["policy"])


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*ties_graph())
    expected = ties(store, ["policy=local"])
    runner = CliRunner()
    got = runner.invoke(main, ["--store", str(db), "ties", "--where", "policy=local", "--json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.output) == expected
    text = runner.invoke(main, ["--store", str(db), "ties", "--where", "policy=local"])
    assert text.output.splitlines()[0] == (
        "พบ 1 ความสัมพันธ์ที่ตรงกับ policy=local / 1 tie(s) match policy=local."
    )
    assert "เครือข่ายสวัสดิการ [net]" in text.output and "อบต.ลำปำ [tao1]" in text.output
    bad = runner.invoke(main, ["--store", str(db), "ties", "--where", "tag=x"])
    assert bad.exit_code == 1 and "not ties" in bad.output
    with TestClient(create_app(store=store)) as client:
        assert client.get("/api/ties", params={"where": "policy=local"}).json() == expected
        both = client.get("/api/ties", params={"types": "SUPPORTS", "breakdown": "formality"})
        assert both.json()["breakdown"] == {"formal": 1, "informal": 1}
        refused = client.get("/api/ties", params={"where": "kind=Person"})
        assert refused.status_code == 422

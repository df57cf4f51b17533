"""``funds`` on both stores (questions W2 and W11): every fund touching an area, with its
funders, administrators, amount and recipients, and who is paid by more than one source,
on a small hand-made graph whose answers are worked out by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.funds import funds
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import organisation


def area(id: str, name: str, level: str) -> Node:
    return Node(id, "Area", {"name": name, "admin_level": level})


def fund(id: str, name: str, **props: object) -> Node:
    return Node(id, "Fund", {"name": name, **props})  # type: ignore[dict-item]


def funds_graph() -> tuple[list[Node], list[Edge]]:
    """p a province with district d, whose subdistricts are s1 and s2; q another province.

    f1 (100 baht) OPERATES_IN p; org-a PROVIDES it and org-b ADMINISTERS it.
    f2 (1,000) FUNDS org-c (300, purpose สวัสดิการ), which is LOCATED_IN s1.
    f3 (no amount; origin community) FUNDS the area s2 (50).
    f4 (10) OPERATES_IN q. prog-1, a programme, FUNDS org-c too (20).
    """
    nodes = [
        area("p", "พัทลุง", "provincial"),
        area("d", "ควนขนุน", "district"),
        area("s1", "ทะเลน้อย", "subdistrict"),
        area("s2", "พนางตุง", "subdistrict"),
        area("q", "ตรัง", "provincial"),
        fund("f1", "กองทุนจังหวัด", amount_thb=100, year=2008),
        fund("f2", "กองทุนสอง", amount_thb=1000),
        fund("f3", "กองทุนออมทรัพย์", origin="community"),
        fund("f4", "กองทุนตรัง", amount_thb=10),
        organisation("org-a", "ผู้ให้ทุน"),
        organisation("org-b", "ผู้บริหารกองทุน"),
        organisation("org-c", "ชมรมผู้สูงอายุ"),
        Node("prog-1", "Programme", {"name": "แผนงาน"}),
    ]
    edges = [
        Edge("d", "PART_OF", "p"),
        Edge("s1", "PART_OF", "d"),
        Edge("s2", "PART_OF", "d"),
        Edge("f1", "OPERATES_IN", "p"),
        Edge("org-a", "PROVIDES", "f1"),
        Edge("org-b", "ADMINISTERS", "f1"),
        Edge("f2", "FUNDS", "org-c", {"amount_thb": 300, "purpose": "สวัสดิการ"}),
        Edge("org-c", "LOCATED_IN", "s1"),
        Edge("f3", "FUNDS", "s2", {"amount_thb": 50}),
        Edge("f4", "OPERATES_IN", "q"),
        Edge("prog-1", "FUNDS", "org-c", {"amount_thb": 20}),
    ]
    return nodes, edges


def touches(doc: dict) -> dict[str, str | None]:
    return {f["id"]: f["touches"] for f in doc["funds"]}


def test_funds_touching_an_area_direct_within_or_containing(store: GraphStore) -> None:
    store.write(*funds_graph())
    # the district: f1's province contains it, f2 and f3 pay inside it, f4 is elsewhere
    doc = funds(store, within="d")
    json.dumps(doc, allow_nan=False)
    assert touches(doc) == {"f1": "containing", "f2": "within", "f3": "within"}
    assert (doc["count"], doc["total_thb"], doc["amount_unknown"]) == (3, 1100, 1)
    # a subdistrict: f2 pays in it; f3's s2 is a neighbour, never counted
    assert touches(funds(store, within="s1")) == {"f1": "containing", "f2": "direct"}
    assert touches(funds(store, within="p")) == {"f1": "direct", "f2": "within", "f3": "within"}
    only_q = funds(store, within="q")
    assert touches(only_q) == {"f4": "direct"}
    assert only_q["recipients"] == []  # f4 pays nobody


def test_funders_administrators_recipients_and_sources(store: GraphStore) -> None:
    store.write(*funds_graph())
    doc = funds(store)
    by_id = {f["id"]: f for f in doc["funds"]}
    assert sorted(by_id) == ["f1", "f2", "f3", "f4"]
    assert all(f["touches"] is None for f in doc["funds"])
    assert (by_id["f1"]["funders"], by_id["f1"]["administrators"]) == (["org-a"], ["org-b"])
    assert (by_id["f1"]["amount_thb"], by_id["f1"]["year"]) == (100, 2008)
    assert by_id["f2"]["recipients"] == [
        {"id": "org-c", "amount_thb": 300, "need_thb": None, "purpose": "สวัสดิการ", "year": None}
    ]
    assert by_id["f2"]["areas"] == ["s1"]  # through its recipient's place
    assert by_id["f3"]["properties"] == {"origin": "community"}
    assert (doc["total_thb"], doc["amount_unknown"]) == (1110, 1)
    # org-c is paid by a fund and by a programme: the "also from elsewhere" of W11
    assert doc["recipients"] == [
        {
            "id": "org-c",
            "name": "ชมรมผู้สูงอายุ",
            "kind": "Organisation",
            "sources": ["f2", "prog-1"],
            "amount_thb": 320,
        },
        {"id": "s2", "name": "พนางตุง", "kind": "Area", "sources": ["f3"], "amount_thb": 50},
    ]


def test_a_filter_keeps_the_matching_funds_and_their_recipients(store: GraphStore) -> None:
    store.write(*funds_graph())
    doc = funds(store, where=["origin=community"])
    assert [f["id"] for f in doc["funds"]] == ["f3"]
    assert [r["id"] for r in doc["recipients"]] == ["s2"]
    assert (doc["where"], doc["total_thb"], doc["amount_unknown"]) == (
        ["origin=community"],
        None,
        1,
    )


def test_within_must_be_an_area_that_exists(store: GraphStore) -> None:
    store.write(*funds_graph())
    with pytest.raises(NotFound, match="no entity has the id 'nowhere'"):
        funds(store, within="nowhere")
    with pytest.raises(InvalidInput, match="'org-a' is a Organisation, not an Area"):
        funds(store, within="org-a")


def test_the_cli_and_the_api_give_the_library_answer(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    store.write(*funds_graph())
    expected = funds(store, within="d")
    runner = CliRunner()
    # a name works where an id does (ควนขนุน is d)
    got = runner.invoke(main, ["--store", str(db), "funds", "--within", "ควนขนุน", "--json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.output) == expected
    text = runner.invoke(main, ["--store", str(db), "funds", "--within", "d"])
    assert text.exit_code == 0, text.output
    first = text.output.splitlines()[0]
    assert first.startswith("พบ 3 กองทุนที่เกี่ยวกับ ควนขนุน [d] รวม 1,100 บาท (ไม่ทราบยอด 1)")
    assert "3 fund(s) touch ควนขนุน [d], 1,100 baht in all (1 without an amount)." in first
    assert "ชมรมผู้สูงอายุ [org-c] <- f2, prog-1" in text.output
    wrong = runner.invoke(main, ["--store", str(db), "funds", "--within", "ควนขนน"])
    assert wrong.exit_code == 1
    assert "did you mean d (ควนขนุน)" in wrong.output
    with TestClient(create_app(store=store)) as client:
        assert client.get("/api/funds", params={"within": "d"}).json() == expected
        assert client.get("/api/funds").json() == funds(store)
        missing = client.get("/api/funds", params={"within": "nowhere"})
        assert missing.status_code == 404
        assert missing.json()["error"]["code"]

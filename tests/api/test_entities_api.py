"""``/api/entities`` and ``/api/relationships``: create, read, change, delete, list and
search, over both stores. Every write moves the graph's version by exactly one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.domain import Node, edge_key
from graph_service.settings import Settings
from graph_service.store.base import GraphStore
from tests.factories import chain_graph, network, organisation, person


@pytest.fixture
def api(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store)) as client:
        yield client


def version(api: TestClient) -> int:
    v: int = api.get("/api/stats").json()["version"]
    return v


def locations(response: Any) -> list[list[Any]]:
    return [d["location"] for d in response.json()["error"]["details"]]


def ids(response: Any) -> list[str]:
    return [item["id"] for item in response.json()["items"]]


# -- entities: the whole life of one --------------------------------------------------------


def test_create_read_patch_delete_an_entity(api: TestClient) -> None:
    base = version(api)  # a cleared Neo4j store keeps counting
    created = api.post(
        "/api/entities",
        json={
            "id": " org-๑ ",
            "kind": "Organisation",
            "name": "  สำนักงาน   สาธารณสุข ",
            "properties": {
                "admin_level": "Provincial",
                "start_year": "๒๕๖๖",
                "amount_thb": "3,000",
                "tags": "อสม. | | ชุมชน",
                "members": 12,
                "consent": "ใช่",
                "note": "ทดลอง",
                "blank": "  ",
            },
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/entities/org-1"
    document = {
        "id": "org-1",
        "kind": "Organisation",
        "name": "สำนักงาน สาธารณสุข",
        "level": "node",
        "properties": {
            "name": "สำนักงาน สาธารณสุข",
            "admin_level": "provincial",
            "start_year": 2023,
            "amount_thb": 3000,
            "tags": ["อสม.", "ชุมชน"],
            "members": "12",
            "consent": True,
            "note": "ทดลอง",
        },
        "relationships": [],
        "relationships_total": 0,
        "relationships_next": None,
    }
    assert created.json() == document
    assert version(api) == base + 1
    assert api.get("/api/entities/org-1").json() == document

    assert api.post("/api/entities", json={"id": "p1", "kind": "person", "name": "สมศรี"}).json()[
        "kind"
    ] == ("Person")
    assert version(api) == base + 2
    rel = api.post(
        "/api/relationships",
        json={"source": "p1", "type": "MEMBER_OF", "target": "org-๑", "properties": {}},
    )
    assert rel.status_code == 201, rel.text
    assert version(api) == base + 3

    patched = api.patch(
        "/api/entities/org-1",
        json={"name": "ศูนย์ประสานงาน เขต ๑๒", "properties": {"note": None, "year": 2551}},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["name"] == "ศูนย์ประสานงาน เขต ๑๒"
    assert "note" not in body["properties"]
    assert body["properties"]["year"] == 2008
    assert body["properties"]["tags"] == ["อสม.", "ชุมชน"]  # not named: kept
    assert body["relationships"] == [
        {
            "type": "MEMBER_OF",
            "direction": None,
            "other": "p1",
            "outgoing": False,
            "properties": {},
        }
    ]
    assert version(api) == base + 4
    # the new name is found, the old one no longer
    assert ids(api.get("/api/entities", params={"q": "ศูนย์ประสานงาน เขต 12"})) == ["org-1"]
    assert api.get("/api/entities", params={"q": "สาธารณสุข"}).json()["total"] == 0

    same = api.patch("/api/entities/org-1", json={"properties": {"year": "2008"}})
    assert same.status_code == 200
    assert version(api) == base + 4  # nothing changed: the version stays

    deleted = api.delete("/api/entities/org-1")
    assert deleted.status_code == 200
    assert deleted.json() == {
        "deleted": {"entities": 1, "relationships": 1},
        "version": base + 5,
    }
    assert api.get("/api/entities/org-1").status_code == 404
    stats = api.get("/api/stats").json()
    assert stats == {"nodes": {"Person": 1}, "relationships": {}, "version": base + 5}
    again = api.delete("/api/entities/org-1")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"
    assert api.patch("/api/entities/org-1", json={"name": "x"}).status_code == 404
    assert version(api) == base + 5


def test_a_kind_change_and_a_property_removed(api: TestClient, store: GraphStore) -> None:
    base = store.version()
    store.write([organisation("o1", "กลุ่มออมทรัพย์", sector="community")], [])
    response = api.patch(
        "/api/entities/o1", json={"kind": "Network", "properties": {"sector": None}}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["level"]) == ("Network", "network")
    assert store.get_nodes(["o1"])["o1"] == Node("o1", "Network", {"name": "กลุ่มออมทรัพย์"})
    assert store.stats().nodes == {"Network": 1}
    assert store.version() == base + 2


def test_an_existing_id_is_a_conflict(api: TestClient) -> None:
    base = version(api)
    body = {"id": "net-12", "kind": "Network", "name": "เครือข่าย"}
    assert api.post("/api/entities", json=body).status_code == 201
    for same_id in ("net-12", "net-๑๒", " net-12 "):
        response = api.post("/api/entities", json={**body, "id": same_id, "name": "อื่น"})
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "conflict"
        assert "net-12" in error["message"]
    assert api.get("/api/entities/net-12").json()["name"] == "เครือข่าย"
    assert version(api) == base + 1


@pytest.mark.parametrize(
    ("body", "location", "words"),
    [
        ({"id": "x", "kind": "Company", "name": "n"}, ["body", "kind"], "not one of Person"),
        ({"id": "x", "kind": "Person"}, ["body", "name"], "Field required"),
        ({"id": "x", "kind": "Person", "name": "   "}, ["body", "name"], "missing name"),
        ({"id": " ", "kind": "Person", "name": "n"}, ["body", "id"], "missing id"),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"name_key": "k"}},
            ["body", "properties", "name_key"],
            "keeps for itself",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"id": "y"}},
            ["body", "properties", "id"],
            "keeps for itself",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"key": "y"}},
            ["body", "properties", "key"],
            "keeps for itself",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"year": "ปีที่แล้ว"}},
            ["body", "properties", "year"],
            "not a year",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"readiness": 7}},
            ["body", "properties", "readiness"],
            "readiness must be 1 to 4",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"o": {"a": 1}}},
            ["body", "properties", "o"],
            "not an object",
        ),
        (
            {
                "id": "x",
                "kind": "Person",
                "name": "n",
                "properties": {"start": ["2551", "1/5/2551"]},
            },
            ["body", "properties", "start"],
            "of one type",
        ),
        (
            {"id": "x", "kind": "Person", "name": "n", "properties": {"organisation_id": "o"}},
            ["body", "properties", "organisation_id"],
            "POST /api/relationships",
        ),
    ],
)
def test_an_invalid_entity_names_the_field(
    api: TestClient, body: dict[str, Any], location: list[str], words: str
) -> None:
    base = version(api)
    response = api.post("/api/entities", json=body)
    assert response.status_code == 422
    assert locations(response) == [location]
    assert words in response.json()["error"]["details"][0]["reason"]
    assert version(api) == base


def test_every_problem_of_a_body_at_once(api: TestClient) -> None:
    response = api.post(
        "/api/entities",
        json={"id": "x", "kind": "Thing", "name": "", "properties": {"key": 1, "year": "x"}},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert locations(response) == [
        ["body", "kind"],
        ["body", "name"],
        ["body", "properties", "key"],
        ["body", "properties", "year"],
    ]
    assert error["message"].startswith("the entity is not valid: kind: kind 'Thing'")


def test_an_invalid_patch_changes_nothing(api: TestClient, store: GraphStore) -> None:
    store.write([person("p1", "สมชาย", role="อสม.")], [])
    base = store.version()
    for body, location in (
        ({"name": None}, ["body", "name"]),
        ({"kind": "Robot"}, ["body", "kind"]),
        ({"properties": {"name_key": None}}, ["body", "properties", "name_key"]),
        ({"properties": {"start": "31/2/2566"}}, ["body", "properties", "start"]),
    ):
        response = api.patch("/api/entities/p1", json=body)
        assert response.status_code == 422, body
        assert locations(response) == [location]
    unknown = api.patch("/api/entities/p1", json={"colour": "red"})
    assert unknown.status_code == 422
    assert locations(unknown) == [["body", "colour"]]
    assert store.get_nodes(["p1"])["p1"].props == {"name": "สมชาย", "role": "อสม."}
    assert store.version() == base


# -- search and pages -----------------------------------------------------------------------


@pytest.fixture
def named(store: GraphStore) -> GraphStore:
    store.write(
        [
            network("z-exact", "สุขภาพ"),
            organisation("m-2", "สุขภาพดี ทุกวัย"),
            organisation("m-1", "สุขภาพชุมชน"),
            organisation("a-contains", "ระบบสุขภาพ อำเภอ"),
            network("kp-12", "กขป.เขต ๑๒"),
            network("kp-1", "กขป.เขต ๑"),
            person("other", "สมหญิง"),
        ],
        [],
    )
    return store


def test_search_ranks_exact_then_prefix_then_contains(api: TestClient, named: GraphStore) -> None:
    response = api.get("/api/entities", params={"q": "สุขภาพ"})
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"id": "z-exact", "kind": "Network", "name": "สุขภาพ", "level": "network"},
            {"id": "m-1", "kind": "Organisation", "name": "สุขภาพชุมชน", "level": "node"},
            {"id": "m-2", "kind": "Organisation", "name": "สุขภาพดี ทุกวัย", "level": "node"},
            {
                "id": "a-contains",
                "kind": "Organisation",
                "name": "ระบบสุขภาพ อำเภอ",
                "level": "node",
            },
        ],
        "total": 4,
        "offset": 0,
        "limit": 50,
        "version": named.version(),
    }
    organisations = api.get("/api/entities", params={"q": "สุขภาพ", "kind": "Organisation"})
    assert ids(organisations) == ["m-1", "m-2", "a-contains"]
    assert ids(api.get("/api/entities", params={"q": "other"})) == ["other"]  # by id


def test_thai_digits_and_spaces_find_the_same_entity(api: TestClient, named: GraphStore) -> None:
    for q in ("กขป.เขต ๑๒", "กขป.เขต 12", "  กขป.เขต   12 ", "กขป.เขต\u00a0๑๒"):
        assert ids(api.get("/api/entities", params={"q": q})) == ["kp-12"], q
    # "เขต 1" is the whole name of kp-1 but only the start of kp-12's
    assert ids(api.get("/api/entities", params={"q": "กขป.เขต ๑"})) == ["kp-1", "kp-12"]


def test_pages_cover_every_match_once(api: TestClient, store: GraphStore) -> None:
    store.write(
        [organisation(f"c{i}", f"ชมรม ผู้สูงอายุ {i}") for i in (5, 3, 7, 1, 6, 2, 4)]
        + [person("p1", "ผู้สูงอายุ")],
        [],
    )
    pages = [
        api.get("/api/entities", params={"q": "ชมรม", "offset": offset, "limit": 3}).json()
        for offset in (0, 3, 6, 9)
    ]
    assert [p["total"] for p in pages] == [7, 7, 7, 7]
    assert [(p["offset"], p["limit"]) for p in pages] == [(0, 3), (3, 3), (6, 3), (9, 3)]
    assert [[i["id"] for i in p["items"]] for p in pages] == [
        ["c1", "c2", "c3"],
        ["c4", "c5", "c6"],
        ["c7"],
        [],
    ]
    everything = api.get("/api/entities", params={"limit": 1000}).json()
    assert everything["total"] == 8
    assert [i["id"] for i in everything["items"]] == [f"c{i}" for i in range(1, 8)] + ["p1"]
    people = api.get("/api/entities", params={"kind": "Person"}).json()
    assert (people["total"], [i["id"] for i in people["items"]]) == (1, ["p1"])


def test_a_page_beyond_the_limit_is_refused(api: TestClient, store: GraphStore) -> None:
    for limit in (0, 1001):
        response = api.get("/api/entities", params={"limit": limit})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["location"] == ["query", "limit"]
    assert api.get("/api/entities", params={"offset": -1}).status_code == 422
    assert api.get("/api/relationships", params={"limit": 1001}).status_code == 422
    # an offset past the stores' 64-bit integers is refused, not a server error; the
    # largest allowed one is an empty page
    for path in ("/api/entities", "/api/relationships"):
        huge = api.get(path, params={"offset": 2**63})
        assert huge.status_code == 422
        assert huge.json()["error"]["details"][0]["location"] == ["query", "offset"]
        assert api.get(path, params={"offset": 10**12}).json()["items"] == []
    assert api.get("/api/entities/p1", params={"rel_offset": 2**63}).status_code == 422
    assert api.get("/api/entities", params={"kind": "Robot"}).status_code == 422
    with TestClient(create_app(Settings(max_page=5), store)) as small:
        assert small.get("/api/entities", params={"limit": 5}).status_code == 200
        refused = small.get("/api/entities", params={"limit": 6})
        assert refused.status_code == 422
        assert "limit must be 1 to 5" in refused.json()["error"]["message"]


# -- relationships --------------------------------------------------------------------------


@pytest.fixture
def chain(store: GraphStore) -> GraphStore:
    store.write(*chain_graph())
    return store


def keys(response: Any) -> list[str]:
    return [item["key"] for item in response.json()["items"]]


def test_relationships_by_source_type_and_target(api: TestClient, chain: GraphStore) -> None:
    everything = api.get("/api/relationships").json()
    assert everything["total"] == 5
    assert everything["version"] == chain.version()
    assert keys(api.get("/api/relationships", params={"source": "o1"})) == [
        edge_key("o1", "LOCATED_IN", "a1"),
        edge_key("o1", "MEMBER_OF", "n1"),
    ]
    assert keys(api.get("/api/relationships", params={"type": "MEMBER_OF"})) == [
        edge_key("o1", "MEMBER_OF", "n1"),
        edge_key("o2", "MEMBER_OF", "n1"),
        edge_key("p1", "MEMBER_OF", "o1"),
    ]
    assert keys(api.get("/api/relationships", params={"target": "n1"})) == [
        edge_key("o1", "MEMBER_OF", "n1"),
        edge_key("o2", "MEMBER_OF", "n1"),
    ]
    one = api.get("/api/relationships", params={"source": "o1", "type": "MEMBER_OF"}).json()
    assert one["items"] == [
        {
            "key": edge_key("o1", "MEMBER_OF", "n1"),
            "source": "o1",
            "type": "MEMBER_OF",
            "target": "n1",
            "direction": "horizontal",
            "properties": {"capacity": "institutional"},
        }
    ]
    second_page = api.get("/api/relationships", params={"offset": 2, "limit": 2}).json()
    assert (second_page["total"], len(second_page["items"])) == (5, 2)
    assert keys(api.get("/api/relationships", params={"source": "nobody"})) == []
    wrong_type = api.get("/api/relationships", params={"type": "member_of"})
    assert wrong_type.status_code == 422
    assert "UPPER_SNAKE_CASE" in wrong_type.json()["error"]["message"]


def test_a_relationship_created_read_patched_and_deleted(
    api: TestClient, chain: GraphStore
) -> None:
    base = chain.version()
    created = api.post(
        "/api/relationships",
        json={
            "source": "o2",
            "type": "SUPPORTS",
            "target": "o1",
            "properties": {"weight": "๒.๕", "start": "1/10/2566", "direction": "แนวดิ่ง"},
        },
    )
    assert created.status_code == 201, created.text
    key = edge_key("o2", "SUPPORTS", "o1")
    assert created.headers["location"] == "/api/relationships/" + quote(key, safe="")
    assert created.json() == {
        "key": key,
        "source": "o2",
        "type": "SUPPORTS",
        "target": "o1",
        "direction": "vertical",
        "properties": {"weight": 2.5, "start": "2023-10-01", "direction": "vertical"},
    }
    assert chain.version() == base + 1
    url = created.headers["location"]
    assert api.get(url).json() == created.json()

    patched = api.patch(url, json={"properties": {"direction": None, "amount_thb": "฿1,500"}})
    assert patched.status_code == 200, patched.text
    assert patched.json()["properties"] == {
        "weight": 2.5,
        "start": "2023-10-01",
        "amount_thb": 1500,
    }
    assert patched.json()["direction"] == "vertical"  # derived: subdistrict vs provincial
    assert chain.version() == base + 2

    refused = api.patch(url, json={"properties": {"key": "x", "capacity": "friend"}})
    assert refused.status_code == 422
    assert locations(refused) == [["body", "properties", "key"], ["body", "properties", "capacity"]]
    assert chain.version() == base + 2

    deleted = api.delete(url)
    assert deleted.json() == {
        "deleted": {"entities": 0, "relationships": 1},
        "version": base + 3,
    }
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404
    assert chain.stats().relationships == {"MEMBER_OF": 3, "WORKS_FOR": 1, "LOCATED_IN": 1}


def test_relationships_with_their_own_id_and_conflicts(api: TestClient, chain: GraphStore) -> None:
    base = chain.version()
    grant = {"source": "n1", "type": "FUNDS", "target": "o2", "properties": {"amount_thb": 1000}}
    first = api.post("/api/relationships", json={**grant, "id": "grant-๑"})
    assert first.status_code == 201
    assert first.json()["key"] == edge_key("", "", "", "grant-1")
    assert first.json()["properties"] == {"id": "grant-1", "amount_thb": 1000}
    second = api.post("/api/relationships", json={**grant, "id": "grant-2"})
    assert second.status_code == 201
    assert api.post("/api/relationships", json={**grant, "id": "grant-1"}).status_code == 409
    existing = {"source": "p1", "type": "MEMBER_OF", "target": "o1"}
    conflict = api.post("/api/relationships", json=existing)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "conflict"
    assert keys(api.get("/api/relationships", params={"type": "FUNDS"})) == [
        edge_key("", "", "", "grant-1"),
        edge_key("", "", "", "grant-2"),
    ]
    assert chain.version() == base + 2


@pytest.mark.parametrize(
    ("body", "location", "words"),
    [
        ({"source": "p1", "type": "member_of", "target": "o1"}, ["body", "type"], "MEMBER_OF"),
        ({"source": "p1", "type": "MEMBER_OF", "target": "nobody"}, ["body", "target"], "nobody"),
        ({"source": "ghost", "type": "MEMBER_OF", "target": "o1"}, ["body", "source"], "ghost"),
        ({"source": "p1", "type": "MEMBER_OF", "target": "p1"}, ["body", "target"], "itself"),
        (
            {"source": "p1", "type": "KNOWS", "target": "p2", "properties": {"key": "k"}},
            ["body", "properties", "key"],
            "keeps for itself",
        ),
        (
            {"source": "p1", "type": "KNOWS", "target": "p2", "properties": {"source": "x"}},
            ["body", "properties", "source"],
            "field of the body",
        ),
    ],
)
def test_an_invalid_relationship_names_the_field(
    api: TestClient, chain: GraphStore, body: dict[str, Any], location: list[str], words: str
) -> None:
    base = chain.version()
    response = api.post("/api/relationships", json=body)
    assert response.status_code == 422
    assert locations(response) == [location]
    assert words in response.json()["error"]["details"][0]["reason"]
    assert chain.version() == base


def test_keys_with_slashes_and_thai_travel_in_the_path(api: TestClient, store: GraphStore) -> None:
    base = store.version()
    store.write([network("เครือข่าย/ภาคใต้"), organisation("อบต./1")], [])
    created = api.post(
        "/api/relationships",
        json={"source": "อบต./๑", "type": "MEMBER_OF", "target": "เครือข่าย/ภาคใต้"},
    )
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert api.get(url).json()["source"] == "อบต./1"
    assert api.delete("/api/entities/" + quote("อบต./1", safe="")).json() == {
        "deleted": {"entities": 1, "relationships": 1},
        "version": base + 3,
    }


def test_openapi_documents_the_shapes(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/entities", "/api/entities/{id}", "/api/relationships"} <= set(paths)
    assert "/api/relationships/{key}" in paths
    post = paths["/api/entities"]["post"]
    assert post["summary"] == "Create an entity"
    assert set(post["responses"]) >= {"201", "409", "422"}
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EntityDocument"
    }
    assert post["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert examples["organisation"]["value"]["kind"] == "Organisation"
    listing = paths["/api/entities"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listing["schema"] == {"$ref": "#/components/schemas/EntityPage"}
    schemas = spec["components"]["schemas"]
    assert set(schemas["RelationshipDocument"]["properties"]) == {
        "key",
        "source",
        "type",
        "target",
        "direction",
        "properties",
    }
    for method in ("get", "patch", "delete"):
        assert "404" in paths["/api/relationships/{key}"][method]["responses"]


# -- writes checked against the version --------------------------------------------------


def test_if_match_writes_only_at_the_version_read(api: TestClient) -> None:
    api.post("/api/entities", json={"id": "o1", "kind": "Organisation", "name": "หนึ่ง"})
    read = api.get("/api/entities/o1")
    tag = read.headers["etag"]
    ok = api.patch("/api/entities/o1", json={"name": "หนึ่ง ก"}, headers={"If-Match": tag})
    assert ok.status_code == 200, ok.text
    # the same tag again: the graph has moved on since it was read
    stale = api.patch("/api/entities/o1", json={"name": "หนึ่ง ข"}, headers={"If-Match": tag})
    assert stale.status_code == 412
    error = stale.json()["error"]
    assert error["code"] == "version_changed"
    assert error["details"] == {"version": int(ok.headers["x-graph-version"])}
    assert api.get("/api/entities/o1").json()["name"] == "หนึ่ง ก"
    gone = api.delete("/api/entities/o1", headers={"If-Match": tag})
    assert gone.status_code == 412
    bad = api.delete("/api/entities/o1", headers={"If-Match": "yesterday"})
    assert bad.status_code == 422
    fresh = api.get("/api/entities/o1").headers["etag"]
    assert api.delete("/api/entities/o1", headers={"If-Match": fresh}).status_code == 200


def test_a_write_landing_between_check_and_write_is_checked_again(store: GraphStore) -> None:
    """Two creates of one id racing: the first checks (free), then another write lands
    before it writes. Its write at the version it checked is refused, the check runs again
    and finds the id taken: 409, and the other's entity stays as it was."""
    from graph_service.errors import Conflict
    from graph_service.routes.entities import checked_write

    calls = []

    def create(version: int) -> None:
        calls.append(version)
        if store.get_nodes(["o7"]):
            raise Conflict("o7 exists already")
        if len(calls) == 1:  # the other writer lands now
            store.write([organisation("o7", "ของอีกคน")], [])
        store.write([organisation("o7", "ของเรา")], [], expected_version=version)

    with pytest.raises(Conflict):
        checked_write(store, None, create)
    assert calls == [calls[0], calls[0] + 1]
    assert store.get_nodes(["o7"])["o7"].name == "ของอีกคน"

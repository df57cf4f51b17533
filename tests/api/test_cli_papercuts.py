"""Command-line papercuts of issue 12: a missing store is not an empty graph, an empty graph
is refused by every analysis verb, an unknown id says "did you mean", a space inside a Thai
word does not hide a name, and ``--json`` writes Thai as UTF-8."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import normalise_name
from graph_service.entities import resolve_entity
from graph_service.errors import NotFound
from graph_service.settings import Settings
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.neo4j_store import Neo4jStore
from tests.conftest import SAMPLES
from tests.factories import network, organisation


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env or {"GRAPH_STORE": ""})


@pytest.fixture
def api(store: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(), store)) as client:
        yield client


# -- (a) a mistyped --store is not an empty graph -----------------------------------------

READ_VERBS = [
    ["stats"],
    ["show", "org-eef"],
    ["reach", "org-eef"],
    ["brokerage"],
    ["overlap"],
    ["gaps"],
    ["map", "-o", "{tmp}/map.html"],
    ["export", "--format", "csv", "-o", "{tmp}/out"],
]


@pytest.mark.parametrize("verb", READ_VERBS, ids=lambda v: v[0])
def test_a_read_verb_refuses_a_store_that_does_not_exist(tmp_path: Path, verb: list[str]) -> None:
    missing = tmp_path / "grpah.db"  # mistyped
    args = [a.replace("{tmp}", str(tmp_path)) for a in verb]
    result = cli("--store", str(missing), *args)
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        f"graph-service: no such store: '{missing}' (no file there; check --store or "
        "GRAPH_STORE, or create it with `graph-service import`)\n"
    )
    assert not missing.exists()
    as_json = cli(*args, "--store", str(missing), "--json") if args[0] in ("stats",) else None
    if as_json is not None:
        error = json.loads(as_json.stdout)["error"]
        assert (error["code"], error["details"]) == ("invalid_input", {"store": str(missing)})


def test_the_environment_store_and_serve_are_checked_too(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.db"
    result = cli("stats", env={"GRAPH_STORE": str(missing)})
    assert (result.exit_code, "no such store: '" + str(missing) + "'" in result.stderr) == (1, True)
    # serve of a named file that is not there refuses before it listens
    result = cli("serve", "--store", str(missing), "--port", "1")
    assert (result.exit_code, "no such store" in result.stderr) == (1, True)
    assert not missing.exists()


def test_the_writing_verbs_create_the_store(tmp_path: Path) -> None:
    db = tmp_path / "new" / "g.db"
    assert cli("--store", str(db), "import", str(SAMPLES / "district-qol")).exit_code == 0
    assert db.exists()
    geo = tmp_path / "geo.db"
    assert cli("--store", str(geo), "import-geography", "--province", "93").exit_code == 0
    assert json.loads(cli("--store", str(geo), "stats", "--json").stdout)["nodes"] == {"Area": 79}


# -- (b) an empty graph: every analysis verb says so, exit 1 ------------------------------


@pytest.mark.parametrize(
    "verb", [["overlap"], ["brokerage"], ["gaps"], ["reach", "org-eef"]], ids=lambda v: v[0]
)
def test_every_analysis_verb_refuses_an_empty_graph(tmp_path: Path, verb: list[str]) -> None:
    db = tmp_path / "empty.db"
    EmbeddedStore(db).close()  # a store with nothing in it
    result = cli("--store", str(db), *verb)
    assert (result.exit_code, result.stderr) == (
        1,
        "graph-service: the graph is empty: import a dataset first\n",
    )
    as_json = cli("--store", str(db), *verb, "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["error"] == {
        "code": "invalid_input",
        "message": "the graph is empty: import a dataset first",
        "details": None,
    }


# -- (c) did you mean ----------------------------------------------------------------------


@pytest.fixture
def typos(store: GraphStore) -> GraphStore:
    store.write(
        [
            organisation("org-provider", "หน่วยพัฒนา"),
            organisation("org-province", "สำนักงานจังหวัด"),
            network("net-kkp", "กขป."),
        ]
        + [organisation(f"org-a{i}", f"กลุ่ม {i}") for i in range(7, 0, -1)],
        [],
    )
    return store


def test_an_unknown_id_says_did_you_mean(typos: GraphStore) -> None:
    with pytest.raises(NotFound) as caught:
        resolve_entity(typos, "org-provder")
    # difflib ratios: org-provider 22/23, org-province 18/23
    assert caught.value.message == (
        "no entity has the id or name 'org-provder'; did you mean org-provider (หน่วยพัฒนา), "
        "org-province (สำนักงานจังหวัด)?"
    )
    assert caught.value.details == {
        "ref": "org-provder",
        "did_you_mean": [
            {"id": "org-provider", "name": "หน่วยพัฒนา"},
            {"id": "org-province", "name": "สำนักงานจังหวัด"},
        ],
    }
    # by the normalised name: a letter missing from a Thai name
    with pytest.raises(NotFound) as caught:
        resolve_entity(typos, "หน่วยพฒนา")
    assert caught.value.details["did_you_mean"] == [{"id": "org-provider", "name": "หน่วยพัฒนา"}]
    # at most five, best first, ties by id: org-a1 .. org-a7 all score 10/11
    with pytest.raises(NotFound) as caught:
        resolve_entity(typos, "org-a")
    assert [c["id"] for c in caught.value.details["did_you_mean"]] == [
        "org-a1",
        "org-a2",
        "org-a3",
        "org-a4",
        "org-a5",
    ]
    # nothing close: no suggestion
    with pytest.raises(NotFound) as caught:
        resolve_entity(typos, "zzzzzz")
    assert caught.value.message == "no entity has the id or name 'zzzzzz'"
    assert caught.value.details is None


def test_did_you_mean_in_the_http_404_body(api: TestClient, typos: GraphStore) -> None:
    response = api.get("/api/entities/org-provder")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["details"]["did_you_mean"][0] == {"id": "org-provider", "name": "หน่วยพัฒนา"}
    reach = api.get("/api/reach/org-provder")
    assert reach.status_code == 404
    assert [c["id"] for c in reach.json()["error"]["details"]["did_you_mean"]] == [
        "org-provider",
        "org-province",
    ]


def test_did_you_mean_on_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    assert cli("--store", db, "import", str(SAMPLES / "community-occupation")).exit_code == 0
    result = cli("--store", db, "show", "org-eeff")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "graph-service: no entity has the id or name 'org-eeff'; did you mean org-eef ("
    )


# -- (d) a space inside a Thai word --------------------------------------------------------


@pytest.fixture
def villagers(store: GraphStore) -> GraphStore:
    store.write(
        [
            organisation("o1", "ชาวบ้าน"),
            organisation("o2", "กลุ่ม ชาวบ้าน ทุ่งนา"),
            organisation("o3", "Chon Buri group"),
            network("o4", "กขป.เขต ๑๒"),
        ],
        [],
    )
    return store


def test_spaces_inside_thai_are_ignored_when_matching(
    api: TestClient, villagers: GraphStore
) -> None:
    assert resolve_entity(villagers, "ชาว  บ้าน").id == "o1"
    assert resolve_entity(villagers, "กลุ่มชาวบ้านทุ่งนา").id == "o2"
    assert resolve_entity(villagers, "กลุ่ม ชาว บ้าน ทุ่ง นา").id == "o2"

    def found(q: str) -> list[str]:
        return [i["id"] for i in api.get("/api/entities", params={"q": q}).json()["items"]]

    assert found("ชาว  บ้าน") == ["o1", "o2"]
    assert found("บ้าน ทุ่ง") == ["o2"]
    # a space next to a Latin letter or a digit still counts
    assert found("chon  buri") == ["o3"]
    assert found("chonburi") == []
    assert found("กขป.เขต  ๑๒") == ["o4"]


def test_older_search_keys_are_made_again_when_the_store_opens(
    store: GraphStore, villagers: GraphStore, request: pytest.FixtureRequest
) -> None:
    """A store written before the change keeps "กลุ่ม ชาวบ้าน ทุ่งนา" as the key of o2; the
    next opening makes it "กลุ่มชาวบ้านทุ่งนา" once, on both stores."""
    old_key = "กลุ่ม ชาวบ้าน ทุ่งนา"
    if isinstance(store, EmbeddedStore):
        with store._transaction() as db:
            db.execute("UPDATE nodes SET name_key = ? WHERE id = 'o2'", (old_key,))
            db.execute("DELETE FROM meta WHERE key = 'name_keys'")
        assert store.find_by_name(normalise_name("กลุ่มชาวบ้านทุ่งนา")) == []
        reopened: GraphStore = EmbeddedStore(store.path, query_timeout=0)
    else:
        assert isinstance(store, Neo4jStore)
        with store._driver.session(database=store.database) as session:
            session.run("MATCH (n:Entity {id: 'o2'}) SET n.name_key = $k", k=old_key).consume()
            session.run("MATCH (m:GraphMeta {id: 'graph'}) REMOVE m.name_keys").consume()
        assert store.find_by_name(normalise_name("กลุ่มชาวบ้านทุ่งนา")) == []
        url, user, password = request.getfixturevalue("neo4j_server")
        reopened = Neo4jStore(url, user, password, query_timeout=0)
    try:
        assert [n.id for n in reopened.find_by_name("กลุ่มชาวบ้านทุ่งนา")] == ["o2"]
        assert sorted(reopened.search_names("ชาวบ้าน")) == [
            ("o1", "ชาวบ้าน"),
            ("o2", "กลุ่มชาวบ้านทุ่งนา"),
        ]
        assert ("o3", "chon buri group") in reopened.search_names("chon")
    finally:
        reopened.close()


# -- (e) --json writes UTF-8 ---------------------------------------------------------------


def test_json_writes_thai_as_utf8(tmp_path: Path) -> None:
    db = str(tmp_path / "g.db")
    imported = cli("--store", db, "import", str(SAMPLES / "district-qol"), "--json")
    assert imported.exit_code == 0
    verbs = [
        ["stats"],
        ["show", "org-ministry"],
        ["reach", "org-ministry"],
        ["brokerage"],
        ["overlap"],
        ["gaps"],
        ["show", "กระทรวน"],  # an error document: did you mean กระทรวง
    ]
    for verb in verbs:
        result = cli("--store", db, *verb, "--json")
        raw = result.stdout_bytes
        assert b"\\u0e" not in raw.lower(), verb
        json.loads(raw.decode("utf-8"))
    assert "กระทรวง".encode() in cli("--store", db, "show", "org-ministry", "--json").stdout_bytes
    error = cli("--store", db, "show", "กระทรวน", "--json").stdout_bytes
    assert "did you mean org-ministry (กระทรวง)?".encode() in error

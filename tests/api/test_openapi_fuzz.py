"""API fuzzing: schemathesis generates requests from the OpenAPI document and checks each
answer: never a server error, and the status code, content type and JSON body the document
promises.

The service runs with keys over the embedded store loaded with the community-occupation
sample. Random strings seldom name an entity, so in the fuzzing phase each parameter that
names something (an entity, a relationship type, a group attribute...), in the query, the
path or a JSON body, takes a value of the sample half the time: the documents of real
answers are then checked too, not only the 404s and 422s. Every write (``DELETE /api/graph``
included) is followed by a reload of the sample (a few milliseconds), so each request meets
the same graph. With the read key every write must be refused with 403, never answered
with a server error. With ``GRAPH_PUBLIC_READS`` every read without a key is fuzzed too: the
public view (people without consent under pseudonyms) must give the same shapes.

Hypothesis runs derandomised (the same requests on every run) without its example
database, so the file gives the same result everywhere.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graph_service.app import create_app
from graph_service.domain import Edge, Node
from graph_service.routes import models
from graph_service.security import READ_METHODS
from graph_service.settings import Settings
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "community-occupation"
KEYS = "read:reader-key-1,write:writer-key-1,admin:admin-key-01"
READ = {"Authorization": "Bearer reader-key-1"}
ADMIN = {"Authorization": "Bearer admin-key-01"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

settings.register_profile(
    "openapi-fuzz",
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = settings.get_profile("openapi-fuzz")


def load_sample(store: GraphStore) -> None:
    store.clear()
    import_dataset(store, SAMPLE)


# The schema is read when the tests are collected, so the store is made at import and
# removed by the module fixture below.
_FOLDER = Path(tempfile.mkdtemp(prefix="graph-service-fuzz-"))
STORE = EmbeddedStore(_FOLDER / "graph.db")
load_sample(STORE)
APP = create_app(Settings(api_keys=KEYS), STORE)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# reads without a key, in public mode: people without consent under pseudonyms
PUBLIC_APP = create_app(Settings(api_keys=KEYS, public_reads=True), STORE)
public_schema = schemathesis.openapi.from_asgi("/openapi.json", PUBLIC_APP)

ENTITIES = [
    "person-coordinator",
    "org-provider",
    "net-node-network",
    "org-central-team",
    "area-target-communities",
    "area-north",
    "fund-skills-grant",
    "ka-module-1",
    "prog-cbod",
    "ผู้ประสานงาน",  # a unique name: refs take names too
]
#: parameter name -> values that mean something in the sample
REAL: dict[str, list[Any]] = {
    "ref": ENTITIES,
    "id": ENTITIES,
    "source": ENTITIES,
    "target": ENTITIES,
    "scope": ["area-national", "area-north", "org-provider"],
    "ids": ["person-coordinator,org-provider", "net-node-network", "area-north,prog-cbod"],
    "key": sorted(e.key for e in STORE.find_edges())[::12],
    "depth": [1, 2, 3],
    "types": ["MEMBER_OF", "MEMBER_OF,PARTNERS_WITH", "USES,PRODUCES"],
    "type": ["MEMBER_OF", "FUNDS", "USES"],
    "kinds": ["Person", "Organisation,Network", "Area"],
    "kind": ["Person", "Organisation,Network", "Area"],
    "targets": ["Area", "Organisation"],
    "group_by": ["admin_level", "sector", "kind", "level", "member_of", "member_of:net-partners"],
    "by": ["area", "beneficiary", "admin_level", "sector", "kind", "level"],
    "level": ["individual", "node", "network", "regional", "national", "subdistrict"],
    "colour_by": ["kind", "level", "sector", "admin_level"],
    "size_by": ["degree", "betweenness", "brokerage", "reach"],
    "format": ["gexf", "graphml", "cyjs", "kumu", "csv", "xlsx", "svg"],
    "q": ["ผู้", "org", "เครือข่าย"],
    "offset": [0, 3],
    "limit": [1, 10],
    "encoding": ["utf-8", "cp874"],
}


@st.composite
def _real_values(draw: st.DrawFn, case: schemathesis.Case) -> schemathesis.Case:
    for location, parameters in (
        ("path_parameters", case.operation.path_parameters),
        ("query", case.operation.query),
    ):
        values = dict(getattr(case, location) or {})
        for name in (p.name for p in parameters):
            if name in REAL and draw(st.booleans()):
                values[name] = draw(st.sampled_from(REAL[name]))
        setattr(case, location, values)
    if isinstance(case.body, dict):  # the JSON bodies of corrections
        for name in ("id", "source", "type", "target"):
            if name in case.body and draw(st.booleans()):
                case.body[name] = draw(st.sampled_from(REAL[name]))
    return case


@schema.hook
def flatmap_case(context: schemathesis.HookContext, case: schemathesis.Case) -> Any:
    return _real_values(case)


public_schema.hook(flatmap_case)


@pytest.fixture(scope="module", autouse=True)
def _store_lifetime() -> Iterator[None]:
    yield
    STORE.close()
    shutil.rmtree(_FOLDER, ignore_errors=True)


def with_key(case: schemathesis.Case, headers: dict[str, str]) -> schemathesis.Case:
    """The case with our key: the document declares the bearer scheme, so schemathesis
    makes up Authorization headers of its own, which would only ever meet 401."""
    case.headers.update(headers)
    return case


def writes(case: schemathesis.Case) -> bool:
    return case.method.upper() not in READ_METHODS


@schema.parametrize()
@settings(FUZZ)
def test_admin_requests_get_documented_answers(case: schemathesis.Case) -> None:
    try:
        with_key(case, ADMIN).call_and_validate(checks=CHECKS)
    finally:
        if writes(case):
            load_sample(STORE)


@schema.parametrize()
@settings(FUZZ)
def test_a_read_key_never_writes(case: schemathesis.Case) -> None:
    version = STORE.version()
    response = with_key(case, READ).call()
    assert response.status_code < 500, response.text
    # the operation's own method: schemathesis also probes others (TRACE, ...), answered 405
    if case.method == case.operation.method and writes(case):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    assert STORE.version() == version


@public_schema.include(method="GET").parametrize()
@settings(FUZZ)
def test_public_reads_get_documented_answers(case: schemathesis.Case) -> None:
    case.headers.pop("Authorization", None)  # case-insensitive
    version = STORE.version()
    case.call_and_validate(checks=CHECKS)
    assert STORE.version() == version


def test_the_admin_key_empties_the_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    import_dataset(store, SAMPLE)
    try:
        with TestClient(create_app(Settings(api_keys=KEYS), store)) as client:
            assert client.delete("/api/graph", headers=READ).status_code == 403
            response = client.delete("/api/graph", headers=ADMIN)
            assert response.status_code == 200
            assert response.json() == {
                "deleted": {"entities": 74, "relationships": 125},
                "version": 2,
            }
            assert client.get("/api/stats", headers=READ).json() == {
                "nodes": {},
                "relationships": {},
                "version": 2,
            }
    finally:
        store.close()


@pytest.mark.parametrize(
    "path",
    [
        "/api/entities/org%2Fa",
        "/api/reach/org%2Fa?depth=1",
        "/api/brokerage/org%2Fa/impact",
        "/map/focus/org%2Fa",
        "/map/reach/org%2Fa",
    ],
)
def test_an_id_holding_a_slash_is_found_by_each_route_that_names_one(
    tmp_path: Path, path: str
) -> None:
    store = EmbeddedStore(tmp_path / "graph.db")
    store.write(
        [
            Node("org/a", "Organisation", {"name": "A", "admin_level": "district"}),
            Node("net/b", "Network", {"name": "B", "admin_level": "provincial"}),
            Node("p/c", "Person", {"name": "C", "admin_level": "district"}),
        ],
        [Edge("org/a", "MEMBER_OF", "net/b"), Edge("p/c", "MEMBER_OF", "org/a")],
    )
    try:
        with TestClient(create_app(Settings(), store)) as client:
            response = client.get(path)
    finally:
        store.close()
    assert response.status_code == 200, response.text
    if path.startswith("/api/"):
        assert response.json()["id"] == "org/a"
    if "/reach/" in path and path.startswith("/api/"):
        assert [n["id"] for n in response.json()["nodes"]] == ["net/b", "p/c"]
    if "impact" in path:
        # ties read both ways (issue 12): org/a alone joins p/c and net/b, either way
        assert response.json()["pairs"] == [
            {"from": "net/b", "to": "p/c", "from_group": "provincial", "to_group": "district"},
            {"from": "p/c", "to": "net/b", "from_group": "district", "to_group": "provincial"},
        ]
        assert response.json()["cut_off"] == ["p/c"]


def test_refusals_of_the_framework_come_in_the_error_shape() -> None:
    with TestClient(APP) as client:
        missing = client.get("/api/nothing-here", headers=ADMIN)
        wrong_method = client.put("/api/stats", headers=ADMIN)
        unreadable = client.post(
            "/api/entities",
            content=b"\xc3\x28",  # not UTF-8
            headers={**ADMIN, "Content-Type": "application/json"},
        )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "GET"
    assert unreadable.status_code == 400
    assert unreadable.json() == {
        "error": {
            "code": "bad_request",
            "message": "There was an error parsing the body",
            "details": None,
        }
    }


DOCUMENTED = [
    model
    for model in vars(models).values()
    if isinstance(model, type)
    and issubclass(model, models.Open)
    and model.model_config.get("json_schema_extra")
]


@pytest.mark.parametrize("model", DOCUMENTED, ids=lambda model: model.__name__)
def test_each_documented_example_fits_its_model(model: type[models.Open]) -> None:
    (example,) = model.model_json_schema(mode="serialization")["examples"]
    assert model.model_validate(example).model_dump(by_alias=True, exclude_unset=True) == example


def test_the_document_declares_the_bearer_scheme_and_the_error_shape() -> None:
    document = APP.openapi()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    paths = document["paths"]
    assert paths["/api/stats"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/health"]["get"]
    clear = paths["/api/graph"]["delete"]["responses"]
    assert {"200", "401", "403"} <= set(clear)
    reach = paths["/api/reach/{ref}"]["get"]["responses"]
    assert reach["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReachDocument"
    }
    error = reach["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("ErrorBody")
    assert "HTTPValidationError" not in document["components"]["schemas"]
    page_error = paths["/map/focus/{ref}"]["get"]["responses"]["404"]["content"]
    assert list(page_error) == ["application/json"]

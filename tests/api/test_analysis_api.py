"""The four questions over HTTP: the same JSON as the library (and so as ``--json``), the
options as query parameters, errors as 4xx with the one error shape, answers cached per
graph version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph_service.analysis.brokerage import broker_impact, brokerage
from graph_service.analysis.gaps import gaps
from graph_service.analysis.overlap import overlap
from graph_service.analysis.reach import reach, reach_group
from graph_service.app import create_app
from graph_service.domain import Edge
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import person


@pytest.fixture
def loaded(tmp_path: Path) -> Iterator[tuple[TestClient, EmbeddedStore]]:
    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    with TestClient(create_app(store=store)) as client:
        yield client, store
    store.close()


def test_each_endpoint_serves_the_library_answer(
    loaded: tuple[TestClient, EmbeddedStore],
) -> None:
    client, store = loaded
    pairs = [
        ("/api/reach/person-coordinator?depth=1", reach(store, "person-coordinator", 1)),
        (
            "/api/reach/org-provider?depth=1&types=PRODUCES,USES,SHARES_KNOWLEDGE_WITH",
            reach(store, "org-provider", 1, ["PRODUCES", "USES", "SHARES_KNOWLEDGE_WITH"]),
        ),
        (
            "/api/reach?ids=org-node-north,org-node-south&depth=1&targets=Area",
            reach_group(store, ["org-node-north", "org-node-south"], 1, targets=["Area"]),
        ),
        ("/api/brokerage", brokerage(store)),
        (
            "/api/brokerage?group_by=sector&undirected=true&betweenness=false",
            brokerage(store, "sector", undirected=True, with_betweenness=False),
        ),
        (
            "/api/brokerage/net-node-network/impact?group_by=kind",
            broker_impact(store, "net-node-network", "kind"),
        ),
        ("/api/overlap?by=beneficiary", overlap(store, by="beneficiary")),
        ("/api/overlap", overlap(store, by="area")),
        ("/api/gaps?by=sector", gaps(store, by="sector")),
        ("/api/gaps", gaps(store)),
    ]
    for url, expected in pairs:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        assert response.json() == expected, url


def test_betweenness_off_on_request(loaded: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = loaded
    body = client.get("/api/brokerage?betweenness=false").json()
    assert {r["betweenness"] for r in body["nodes"]} == {None}
    assert any("betweenness not computed" in n for n in body["notes"])


def test_errors_are_4xx_with_the_error_shape(loaded: tuple[TestClient, EmbeddedStore]) -> None:
    client, _ = loaded
    cases = [
        ("/api/reach/nobody", 404, "not_found"),
        ("/api/reach/org-provider?depth=11", 422, "invalid_input"),
        ("/api/reach/org-provider?depth=two", 422, "invalid_request"),
        ("/api/reach?ids=", 422, "invalid_input"),
        ("/api/brokerage?group_by=colour", 422, "invalid_input"),
        ("/api/brokerage/area-north/impact", 422, "invalid_input"),
        ("/api/brokerage/nobody/impact", 404, "not_found"),
        ("/api/overlap?by=colour", 422, "invalid_input"),
        ("/api/gaps?by=colour", 422, "invalid_input"),
        ("/api/gaps?types=not%20a%20type", 422, "invalid_input"),
    ]
    for url, status, code in cases:
        response = client.get(url)
        assert response.status_code == status, (url, response.text)
        assert response.json()["error"]["code"] == code, url
        assert response.json()["error"]["message"]


def test_answers_follow_the_graph_version(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "g.db")
    store.write(
        [person("a", sector="x"), person("b", sector="y"), person("c", sector="x")],
        [Edge("a", "MENTORS", "b"), Edge("b", "MENTORS", "c")],
    )
    with TestClient(create_app(store=store)) as client:
        first = client.get("/api/brokerage?group_by=sector").json()
        assert first["nodes"][0]["id"] == "b"
        assert first["nodes"][0]["itinerant"] == 1
        # a new tie a -> c closes the two-path: the cached answer must not be served
        store.write([], [Edge("a", "MENTORS", "c")])
        second = client.get("/api/brokerage?group_by=sector").json()
        assert second["nodes"][0]["total"] == 0
    store.close()


def test_home_page_and_api_share_one_answer(
    loaded: tuple[TestClient, EmbeddedStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    from graph_service.analysis import brokerage as brokerage_mod

    client, _ = loaded
    calls = []
    real = brokerage_mod.brokerage

    @functools.wraps(real)
    def counted(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(brokerage_mod, "brokerage", counted)
    assert client.get("/api/brokerage?group_by=admin_level&undirected=false").status_code == 200
    assert client.get("/").status_code == 200  # its brokerage and reach tables
    assert client.get("/api/brokerage").status_code == 200
    assert len(calls) == 1
    client.get("/api/brokerage?group_by=sector")
    assert len(calls) == 2

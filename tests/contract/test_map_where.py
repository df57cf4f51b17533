"""``map --where`` and ``/map?where=`` (issue 12: filters on maps): only the matching entities
are drawn (and the focus), with the relationships among them, and the page says how many of
how many. On the community-occupation sample, both stores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import page_data
from viz.maps import build_map

NETWORKS = [
    "net-cbr",
    "net-kinship",
    "net-node-network",
    "net-partners",
    "net-provider-regional",
    "net-support-ecosystem",
]


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    import_dataset(store, SAMPLES / "community-occupation")
    return store


def test_a_filtered_map_draws_only_the_matching_entities(sample: GraphStore) -> None:
    page = build_map(sample, where=("kind=Network",))
    data = page_data(page)
    assert sorted(n["id"] for n in data["nodes"]) == NETWORKS
    drawn = set(NETWORKS)
    assert all(e["from"] in drawn and e["to"] in drawn for e in data["edges"])
    assert "กรองตาม kind=Network: แสดง 6 จาก 74 หน่วย" in page
    assert "Filtered by kind=Network: 6 of 74 entities drawn" in build_map(
        sample, where=("kind=Network",), lang="en"
    )


def test_a_filtered_focus_map_keeps_its_focus(sample: GraphStore) -> None:
    page = build_map(sample, focus="person-coordinator", depth=1, where=("kind=Network",))
    ids = {n["id"] for n in page_data(page)["nodes"]}
    assert "person-coordinator" in ids
    assert ids - {"person-coordinator"} <= set(NETWORKS)
    assert ids - {"person-coordinator"}  # the coordinator belongs to at least one network


def test_a_filter_that_leaves_nothing_is_refused(sample: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="no entity of this map matches kind=Fund; tag=none"):
        build_map(sample, where=("kind=Fund", "tag=none"))


def test_the_map_page_takes_where(sample: GraphStore) -> None:
    with TestClient(create_app(store=sample)) as client:
        response = client.get("/map", params={"where": "kind=Network"})
        assert response.status_code == 200
        assert sorted(n["id"] for n in page_data(response.text)["nodes"]) == NETWORKS
        bad = client.get("/map", params={"where": "kind"})
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "invalid_input"

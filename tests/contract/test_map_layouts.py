"""The map's layouts (``map --json --layout``, ``GET /api/map?layout=``) on both stores and
on the bundled samples: no two node discs overlap in any layout; the levels layout reads the
community programme's funder-to-villager chain top-down as five rows; the geographic layout
puts Phatthalung's subdistricts in their real order (north/south, east/west, from the
shipped coordinates); the CLI and the API give the library's answer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import RECORD_KINDS
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import by_id
from viz.layouts import LAYOUTS, overlapping_pairs
from viz.maps import build_map_json

# the datasets (a sample of yearly snapshots is a folder of datasets, not one)
ALL = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir() and any(p.glob("*.csv")))


def overlaps(doc: dict) -> list[list[int]]:
    pos = np.array([[n["x"], n["y"]] for n in doc["nodes"]], dtype=float)
    diam = np.array([n["size"] for n in doc["nodes"]], dtype=float)
    return overlapping_pairs(pos, diam).tolist()


@pytest.mark.parametrize("sample", [*ALL, "all"])
def test_no_node_overlaps_on_any_sample_in_any_layout(store: GraphStore, sample: str) -> None:
    for name in ALL if sample == "all" else [sample]:
        import_dataset(store, SAMPLES / name)
    # every entity but the records of meetings and Outcome Mapping (viz.maps.without_records)
    count = sum(n for kind, n in store.stats().nodes.items() if kind not in RECORD_KINDS)
    for layout in LAYOUTS:
        doc = build_map_json(store, layout=layout)
        assert doc["layout"] == layout
        assert len(doc["nodes"]) == count
        assert overlaps(doc) == [], layout
        assert len({(n["x"], n["y"]) for n in doc["nodes"]}) == count


def test_levels_read_the_funder_to_villager_chain_as_five_rows(store: GraphStore) -> None:
    import_dataset(store, SAMPLES / "community-occupation")
    doc = build_map_json(store, layout="levels")
    nodes = by_id(doc["nodes"])
    chain = ["org-eef", "org-central-team", "net-node-network", "org-provider", "person-villager"]
    ys = [nodes[i]["y"] for i in chain]
    assert ys == sorted(ys) and len(set(ys)) == 5
    # the national band's label sits on the funder's row; entities with no level and no
    # vertical tie in a labelled band at the bottom
    bands = {b["key"]: b for b in doc["bands"]}
    assert bands["national"]["y"] == nodes["org-eef"]["y"]
    assert bands["national"]["label"] == {"th": "ประเทศ", "en": "national"}
    assert bands["none"]["y"] > ys[-1]
    assert bands["none"]["label"]["th"] == "ไม่ระบุระดับ"


def test_geographic_puts_phatthalung_subdistricts_in_their_real_order(store: GraphStore) -> None:
    # Thale Noi 7.824 N 100.145 E; Lampam 7.651 N 100.141 E; Ko Mak 7.435 N 100.329 E
    # (graph_service/data/thai-admin/sub_districts.csv): north to south, Ko Mak to the east
    import_dataset(store, SAMPLES / "phatthalung-welfare")
    nodes = by_id(build_map_json(store, layout="geographic")["nodes"])
    thale_noi, lampam, ko_mak = (nodes[f"area-{k}"] for k in ("thale-noi", "lampam", "ko-mak"))
    assert thale_noi["y"] < lampam["y"] < ko_mak["y"]
    assert ko_mak["x"] > lampam["x"]


def test_inn_bands_on_a_sample(store: GraphStore) -> None:
    import_dataset(store, SAMPLES / "community-occupation")
    doc = build_map_json(store, layout="inn")
    y = {
        k: {n["y"] for n in doc["nodes"] if n["kind"] in kinds}
        for k, kinds in (
            ("network", {"Network"}),
            ("node", {"Organisation"}),
            ("individual", {"Person"}),
            ("rest", {"Fund", "Area", "Programme", "KnowledgeAsset"}),
        )
    }
    assert max(y["network"]) < min(y["node"])
    assert max(y["node"]) < min(y["individual"])
    assert max(y["individual"]) < min(y["rest"])


def test_the_cli_and_the_api_give_the_library_answer_for_each_layout(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    import_dataset(store, SAMPLES / "district-qol")
    with TestClient(create_app(store=store)) as client:
        for layout in LAYOUTS:
            expected = build_map_json(store, layout=layout)
            got = CliRunner().invoke(
                main, ["--store", str(db), "map", "--json", "--layout", layout]
            )
            assert got.exit_code == 0, got.output
            assert json.loads(got.output) == expected
            assert client.get("/api/map", params={"layout": layout}).json() == expected
        assert client.get("/api/map").json()["layout"] == "force"
        bad = client.get("/api/map", params={"layout": "grid"})
        assert bad.status_code in (400, 422)
        assert "unknown layout 'grid'" in bad.json()["error"]["message"]
        page = client.get("/map", params={"layout": "levels"})
        assert page.status_code == 200 and '"layout":"levels"' in page.text
    wrong = CliRunner().invoke(main, ["--store", str(db), "map", "--json", "--layout", "grid"])
    assert wrong.exit_code == 2 and "grid" in wrong.output

"""``export --where FILTER`` and ``/api/export?where=`` (issue 12: filters everywhere): only
the matching entities and the relationships among them, in every format, on both stores.

A hand-made graph (counts checked by hand):

    o1 (state) -PARTNERS_WITH- o2 (state) -COORDINATES-> o3 (academic)
    p1 -MEMBER_OF-> o1 -MEMBER_OF-> n1 -OPERATES_IN-> a1 (province)
    o3 -LOCATED_IN-> a2 -PART_OF-> a1

- ``kind=Organisation``: o1, o2, o3 and 2 relationships (o1-o2, o2-o3);
- ``kind=Organisation`` and ``sector=state``: o1, o2 and 1 relationship;
- ``within=a1``: a1, a2 (PART_OF a1), o3 (LOCATED_IN a2), n1 (OPERATES_IN a1) and 3
  relationships (o3-a2, a2-a1, n1-a1);
- ``kind=Organisation,Network``: o1, o2, o3, n1 and 3 relationships (o1-o2, o2-o3, o1-n1).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES
from tests.factories import network, organisation, person
from viz.export import export

CASES = [
    (("kind=Organisation",), {"o1", "o2", "o3"}, 2),
    (("kind=Organisation", "sector=state"), {"o1", "o2"}, 1),
    (("within=a1",), {"a1", "a2", "o3", "n1"}, 3),
    (("kind=Organisation,Network",), {"o1", "o2", "o3", "n1"}, 3),
]


def small(store: GraphStore) -> None:
    store.write(
        [
            organisation("o1", "สำนักงานสาธารณสุขจังหวัด", sector="state"),
            organisation("o2", "โรงพยาบาลอำเภอ", sector="state"),
            organisation("o3", "มหาวิทยาลัยทักษิณ", sector="academic"),
            person("p1", "นาง ก", consent="yes"),
            network("n1", "เครือข่ายสุขภาพ"),
            Node("a1", "Area", {"name": "พัทลุง", "admin_level": "provincial"}),
            Node("a2", "Area", {"name": "เมืองพัทลุง", "admin_level": "district"}),
        ],
        [
            Edge("o1", "PARTNERS_WITH", "o2"),
            Edge("o2", "COORDINATES", "o3"),
            Edge("p1", "MEMBER_OF", "o1"),
            Edge("o1", "MEMBER_OF", "n1"),
            Edge("n1", "OPERATES_IN", "a1"),
            Edge("o3", "LOCATED_IN", "a2"),
            Edge("a2", "PART_OF", "a1"),
        ],
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_counts(path: Path) -> tuple[set[str], int]:
    """The node ids and the number of edges of a GEXF or GraphML file, read as XML."""
    root = ElementTree.parse(path).getroot()
    ids = {el.get("id", "") for el in root.iter() if _local(el.tag) == "node"}
    edges = sum(1 for el in root.iter() if _local(el.tag) == "edge")
    return ids, edges


def written(fmt: str, path: Path) -> tuple[set[str], int]:
    """What a file of ``fmt`` holds: its entity ids and number of relationships."""
    if fmt in ("gexf", "graphml"):
        return xml_counts(path)
    if fmt == "cyjs":
        doc = json.loads(path.read_text(encoding="utf-8"))["elements"]
        return {n["data"]["id"] for n in doc["nodes"]}, len(doc["edges"])
    if fmt == "kumu":
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {e["id"] for e in doc["elements"]}, len(doc["connections"])
    if fmt == "csv":
        ids: set[str] = set()
        edges = 0
        for f in path.glob("*.csv"):
            rows = list(csv.DictReader(io.StringIO(f.read_text(encoding="utf-8-sig"))))
            if f.stem == "relationships":
                edges = len(rows)
            else:
                ids |= {r["id"] for r in rows}
        return ids, edges
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        entities = list(book["entities"].iter_rows(values_only=True))
        head = list(entities[0])
        relationships = list(book["relationships"].iter_rows(values_only=True))
        return {str(r[head.index("id")]) for r in entities[1:]}, len(relationships) - 1
    if fmt == "svg":
        text = path.read_text(encoding="utf-8")
        return set(), text.count('id="node-label-')
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "cyjs", "kumu", "csv", "xlsx"])
def test_every_file_format_holds_only_the_matching_entities(
    store: GraphStore, tmp_path: Path, fmt: str
) -> None:
    small(store)
    for n, (where, ids, edges) in enumerate(CASES):
        target = tmp_path / f"{n}.{fmt}"
        result = export(store, fmt, target, where=where)
        assert (result.nodes, result.edges) == (len(ids), edges), where
        assert written(fmt, target) == (ids, edges), where
        text = "; ".join(where)
        assert f"filtered by {text}: {len(ids)} of 7 entities, {edges} of 7 relationships" in (
            result.notes
        )


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_pictures_draw_only_the_matching_entities(
    store: GraphStore, tmp_path: Path, fmt: str
) -> None:
    small(store)
    target = tmp_path / f"o.{fmt}"
    result = export(store, fmt, target, where=("kind=Organisation",))
    assert (result.nodes, result.edges) == (3, 2)
    if fmt == "svg":
        assert written("svg", target) == (set(), 3)  # one label per entity drawn
        assert "มหาวิทยาลัยทักษิณ" in target.read_text(encoding="utf-8")
        assert "เครือข่ายสุขภาพ" not in target.read_text(encoding="utf-8")
    else:
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_filter_that_matches_nothing_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    small(store)
    with pytest.raises(InvalidInput, match="no entity matches kind=Fund: nothing to export"):
        export(store, "gexf", tmp_path / "x.gexf", where=("kind=Fund",))
    assert not (tmp_path / "x.gexf").exists()
    with pytest.raises(InvalidInput, match="filter term 'kind'"):
        export(store, "gexf", tmp_path / "x.gexf", where=("kind",))


def test_the_download_takes_where(store: GraphStore, tmp_path: Path) -> None:
    small(store)
    with TestClient(create_app(store=store)) as client:
        got = client.get("/api/export", params={"format": "graphml", "where": "within=a1"})
        assert got.status_code == 200
        (tmp_path / "w.graphml").write_bytes(got.content)
        assert xml_counts(tmp_path / "w.graphml") == ({"a1", "a2", "o3", "n1"}, 3)
        two = client.get(
            "/api/export",
            params=[("format", "csv"), ("where", "kind=Organisation"), ("where", "sector=state")],
        )
        with zipfile.ZipFile(io.BytesIO(two.content)) as zf:
            zf.extractall(tmp_path / "two")
        assert written("csv", tmp_path / "two") == ({"o1", "o2"}, 1)
        nothing = client.get("/api/export", params={"format": "gexf", "where": "kind=Fund"})
        assert nothing.status_code == 422
        assert "nothing to export" in nothing.json()["error"]["message"]


def test_a_filtered_csv_folder_imports_back_to_the_filtered_counts(
    store: GraphStore, tmp_path: Path
) -> None:
    """The community-occupation sample holds 17 organisations and 8 relationships between
    two of them (counted from its organisations.csv and relationships.csv: no shorthand
    column joins two organisations)."""
    import_dataset(store, SAMPLES / "community-occupation")
    folder = tmp_path / "orgs"
    result = export(store, "csv", folder, where=("kind=Organisation",))
    assert (result.nodes, result.edges) == (17, 8)
    fresh = EmbeddedStore(tmp_path / "fresh.db")
    import_dataset(fresh, folder)
    stats = fresh.stats()
    assert stats.nodes == {"Organisation": 17}
    assert sum(stats.relationships.values()) == 8
    whole = store.subgraph()
    orgs = {i for i, n in whole.nodes.items() if n.kind == "Organisation"}
    expected = sorted(e.key for e in whole.edges if e.source in orgs and e.target in orgs)
    assert sorted(e.key for e in fresh.subgraph().edges) == expected
    fresh.close()


def test_export_where_on_the_command_line_with_and_without_public(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    sample = EmbeddedStore(db)
    import_dataset(sample, SAMPLES / "community-occupation")
    people = {i: n.name for i, n in sample.subgraph(kinds=["Person"]).nodes.items()}
    sample.close()
    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(main, ["--store", str(db), "export", *args])
        assert done.exit_code == 0, done.output
        return done.output

    out = run("--where", "kind=Organisation", "--format", "csv", "-o", str(tmp_path / "orgs"))
    assert "17 entities, 8 relationships" in out
    assert "filtered by kind=Organisation: 17 of 74 entities, 8 of 125 relationships" in out
    fresh = tmp_path / "fresh.db"
    runner.invoke(main, ["--store", str(fresh), "import", str(tmp_path / "orgs")])
    stats = runner.invoke(main, ["--store", str(fresh), "stats", "--json"])
    assert json.loads(stats.stdout)["nodes"] == {"Organisation": 17}
    assert sum(json.loads(stats.stdout)["relationships"].values()) == 8
    # --public: the same filter, people under pseudonyms (the sample's people have no consent)
    out = run("--public", "--where", "kind=Person", "--format", "cyjs", "-o", str(tmp_path / "p"))
    assert f"{len(people)} entities" in out
    doc = json.loads((tmp_path / "p").read_text(encoding="utf-8"))["elements"]
    assert len(doc["nodes"]) == len(people) == 6
    shown = {n["data"]["id"] for n in doc["nodes"]} | {n["data"]["label"] for n in doc["nodes"]}
    assert not shown & (set(people) | set(people.values()))
    out = run(
        "--public", "--where", "kind=Organisation", "--format", "gexf", "-o", str(tmp_path / "o")
    )
    assert xml_counts(tmp_path / "o")[1] == 8 and len(xml_counts(tmp_path / "o")[0]) == 17
    bad = runner.invoke(
        main,
        [
            "--store",
            str(db),
            "export",
            "--where",
            "sector=nonsense",
            "--format",
            "gexf",
            "-o",
            str(tmp_path / "n.gexf"),
        ],
    )
    assert bad.exit_code == 1 and "no entity matches sector=nonsense" in bad.output

"""Issue 11, point 6: every export is valid for any stored text, on both stores.

The importer refuses control characters, but text reaches a store other ways (the store
API, an older import), so the store here is written directly, bypassing the importer, with
a NUL, other C0 and C1 controls, DEL and the non-character U+FFFE in ids, names, property
names (no NUL there: Neo4j refuses it in a name) and values; each output is then read back
by a strict reader.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from viz.export import export

NAME = "ชื่อ\x00มี\x01ศูนย์\x1f"  # NUL and two more C0 controls
CLEAN_NAME = "ชื่อมีศูนย์"


@pytest.fixture
def dirty(store: GraphStore) -> GraphStore:
    store.write(
        [
            Node("o\x02x", "Organisation", {"name": NAME, "note": "a\x0bb\x7fc\x85d\ufffe"}),
            Node("o2", "Organisation", {"name": "สอง", "bad\x01key": "v\x08"}),
            Node("p1", "Person", {"name": "คน\x0c", "tags": ["t\x00", "u"]}),
        ],
        [
            Edge("o\x02x", "PARTNERS_WITH", "o2", {"note": "\x00หมายเหตุ"}),
            Edge("p1", "MEMBER_OF", "o2", {}),
        ],
    )
    return store


def test_gexf_and_graphml_parse_back_without_the_controls(dirty: GraphStore, tmp_path: Path):
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        path = tmp_path / f"g.{fmt}"
        export(dirty, fmt, path)
        g = read(path)
        assert sorted(g.nodes) == ["o2", "ox", "p1"], fmt
        assert g.nodes["ox"]["label"] == CLEAN_NAME, fmt
        assert g.nodes["ox"]["note"] == "abcd", fmt
        assert g.nodes["o2"]["badkey"] == "v", fmt
        assert g.nodes["p1"]["tags"] == "t|u", fmt
        notes = sorted(d.get("note", "") for _, _, d in g.edges(data=True))
        assert notes == ["", "หมายเหตุ"], fmt


def test_svg_parses_and_keeps_the_name(dirty: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "g.svg"
    export(dirty, "svg", path)
    root = ET.parse(path).getroot()  # raises on a character XML 1.0 forbids
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert CLEAN_NAME in texts


def test_xlsx_opens_with_the_names_cleaned(dirty: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    export(dirty, "xlsx", path)
    wb = openpyxl.load_workbook(path)
    rows = list(wb["entities"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[3]) for r in rows) == [("o2", "สอง"), ("ox", CLEAN_NAME), ("p1", "คน")]
    rels = list(wb["relationships"].iter_rows(values_only=True))
    note = rels[0].index("note")
    assert sorted(r[note] or "" for r in rels[1:]) == ["", "หมายเหตุ"]


def test_json_formats_carry_the_text_escaped(dirty: GraphStore, tmp_path: Path) -> None:
    for fmt in ("cyjs", "kumu"):
        path = tmp_path / f"g.{fmt}.json"
        export(dirty, fmt, path)
        doc = json.loads(path.read_text(encoding="utf-8"))  # strict: raw controls would fail
        if fmt == "cyjs":
            labels = {n["data"]["id"]: n["data"]["label"] for n in doc["elements"]["nodes"]}
        else:
            labels = {e["id"]: e["label"] for e in doc["elements"]}
        assert labels["o\x02x"] == NAME, fmt  # JSON carries any text, escaped
        assert "\\u0000" in path.read_text(encoding="utf-8"), fmt


def test_csv_imports_back_with_the_controls_dropped_and_noted(
    dirty: GraphStore, tmp_path: Path
) -> None:
    folder = tmp_path / "ds"
    result = export(dirty, "csv", folder)
    assert any("control characters in 'name' (dropped)" in n for n in result.notes)
    assert any("control characters in an id (dropped)" in n for n in result.notes)
    again = EmbeddedStore(tmp_path / "again.db")
    report = import_dataset(again, folder)
    assert report.problems == []
    sub = again.subgraph()
    assert sorted(sub.nodes) == ["o2", "ox", "p1"]
    assert sub.nodes["ox"].name == CLEAN_NAME
    assert sub.nodes["ox"].props["note"] == "abcd"
    assert sub.nodes["o2"].props["badkey"] == "v"
    again.close()

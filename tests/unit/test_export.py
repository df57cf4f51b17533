"""viz.export: every format written from the bundled samples and read back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, UsageError
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from viz.export import FORMATS, ExportResult, export
from viz.formats import to_networkx

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "graph_service" / "data" / "samples"
SAMPLE_NAMES = ("community-occupation", "district-qol", "informal-workers-km")
EEF_NAME = "กองทุนเพื่อความเสมอภาคทางการศึกษา"
NASTY = "ชื่อ <script>alert(\"x\")</script> & 'quotes'"


def loaded(tmp_path: Path, name: str) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / f"{name}.db")
    import_dataset(store, SAMPLES / name)
    return store


def counts(store: EmbeddedStore) -> tuple[int, int]:
    stats = store.stats()
    return sum(stats.nodes.values()), sum(stats.relationships.values())


def snapshot(store: EmbeddedStore) -> tuple[list, list]:
    sub = store.subgraph()
    nodes = sorted((n.id, n.kind, sorted(n.props.items())) for n in sub.nodes.values())
    edges = sorted((e.key, e.source, e.type, e.target, sorted(e.props.items())) for e in sub.edges)
    return nodes, edges


@pytest.fixture(scope="module")
def co_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    return loaded(tmp_path_factory.mktemp("co"), "community-occupation")


def write_dataset(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


# -- gexf and graphml ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_formats_keep_every_node_and_edge(tmp_path: Path, name: str, fmt: str) -> None:
    store = loaded(tmp_path, name)
    out = tmp_path / f"g.{fmt}"
    result = export(store, fmt, out)
    n_nodes, n_edges = counts(store)
    assert (result.format, result.nodes, result.edges, result.files) == (
        fmt,
        n_nodes,
        n_edges,
        [out],
    )
    g = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    assert g.number_of_nodes() == n_nodes
    assert g.number_of_edges() == n_edges
    keys = {k for _, _, k in g.edges(keys=True)}
    assert keys == {e.key for e in store.subgraph().edges}


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_xml_formats_attributes(tmp_path: Path, co_store: EmbeddedStore, fmt: str) -> None:
    out = tmp_path / f"g.{fmt}"
    result = export(co_store, fmt, out)
    assert result.notes == []
    g = nx.read_gexf(out) if fmt == "gexf" else nx.read_graphml(out)
    eef = g.nodes["org-eef"]
    assert eef["kind"] == "Organisation"
    assert eef["level"] == "node"
    assert eef["label"] == EEF_NAME
    assert eef["name_en"] == "Equitable Education Fund (EEF)"
    assert eef["abbreviation"] == "กสศ."
    assert eef["sector"] == "funder"
    assert eef["degree"] == 12
    assert eef["brokerage"] == 0
    assert eef["constraint"] == 1.0
    provider = g.nodes["org-provider"]
    assert provider["brokerage"] == 60
    assert provider["betweenness"] == pytest.approx(0.175154321)
    assert g.nodes["person-coordinator"]["level"] == "individual"
    area = g.nodes["area-central"]
    assert (area["kind"], area["level"], area["label"]) == ("Area", "", "ภาคกลาง")
    assert "brokerage" not in area  # measures of actors only; no None is written
    assert g.nodes["org-central-team"]["tags"] == "team"
    key = '["area-central", "PART_OF", "area-national"]'
    edge = g.edges["area-central", "area-national", key]
    assert edge["direction"] == ""  # placement is neither horizontal nor vertical
    assert edge["note"] == "L131"
    assert edge["rel_type" if fmt == "gexf" else "type"] == "PART_OF"
    if fmt == "gexf":
        assert edge["label"] == "PART_OF"
    else:
        assert edge["key"] == key


def test_to_networkx_without_measures_has_degree_only(co_store: EmbeddedStore) -> None:
    g = to_networkx(co_store.subgraph(), None)
    assert g.nodes["org-eef"]["degree"] == 12
    assert "brokerage" not in g.nodes["org-eef"]
    for _, data in g.nodes(data=True):
        assert None not in data.values()


def test_measures_false_leaves_out_brokerage(tmp_path: Path, co_store: EmbeddedStore) -> None:
    out = tmp_path / "g.graphml"
    export(co_store, "graphml", out, measures=False)
    node = nx.read_graphml(out).nodes["org-eef"]
    assert node["degree"] == 12
    assert "brokerage" not in node and "betweenness" not in node


def test_measures_skipped_without_actors_or_groups(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "a.db")
    store.write(
        [Node("a1", "Area", {"name": "ตำบลหนึ่ง"}), Node("a2", "Area", {"name": "อำเภอ"})],
        [Edge("a1", "PART_OF", "a2")],
    )
    result = export(store, "gexf", tmp_path / "a.gexf")
    assert result.notes == [
        "brokerage, betweenness and constraint not computed: the graph has no actors"
    ]
    g = nx.read_gexf(tmp_path / "a.gexf")
    assert g.nodes["a1"]["degree"] == 1 and "brokerage" not in g.nodes["a1"]

    one = EmbeddedStore(tmp_path / "b.db")
    one.write(
        [
            Node("o1", "Organisation", {"name": "A", "admin_level": "district"}),
            Node("o2", "Organisation", {"name": "B", "admin_level": "district"}),
        ],
        [Edge("o1", "PARTNERS_WITH", "o2")],
    )
    result = export(one, "graphml", tmp_path / "b.graphml")
    assert len(result.notes) == 1
    assert result.notes[0].startswith("brokerage, betweenness and constraint not computed:")
    assert "one group" in result.notes[0]
    g = nx.read_graphml(tmp_path / "b.graphml")
    assert g.nodes["o1"]["degree"] == 1 and "brokerage" not in g.nodes["o1"]
    edge = next(iter(g.edges(data=True)))[2]
    assert (edge["type"], edge["direction"]) == ("PARTNERS_WITH", "horizontal")


def test_mixed_types_become_one_type(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "m.db")
    store.write(
        [
            Node("a", "Organisation", {"name": "A", "score": 1, "x": 1, "start": "2020"}),
            Node("b", "Organisation", {"name": "B", "score": 2.5, "x": "many", "flag": True}),
        ],
        [Edge("a", "SUPPORTS", "b", {"weight": 2, "start": 2008, "end": "2010-01-31"})],
    )
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        out = tmp_path / f"m.{fmt}"
        export(store, fmt, out)
        g = read(out)
        assert g.nodes["a"]["score"] == 1.0 and g.nodes["b"]["score"] == 2.5
        assert (g.nodes["a"]["x"], g.nodes["b"]["x"]) == ("1", "many")
        assert g.nodes["b"]["flag"] is True
        edge = next(iter(g.edges(data=True)))[2]
        if fmt == "gexf":  # GEXF keeps start/end for time: ours are renamed
            assert (edge["prop_start"], edge["prop_end"]) == (2008, "2010-01-31")
            assert g.nodes["a"]["prop_start"] == "2020"
            assert edge["weight"] == 2.0
        else:
            assert (edge["start"], edge["end"], edge["weight"]) == (2008, "2010-01-31", 2)


# -- csv ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_csv_round_trip_of_each_sample(tmp_path: Path, name: str) -> None:
    store = loaded(tmp_path, name)
    folder = tmp_path / "dataset"
    result = export(store, "csv", folder)
    assert result.notes == []
    assert sorted(p.name for p in result.files) == sorted(
        f"{n}.csv"
        for n in (
            "people",
            "organisations",
            "networks",
            "funds",
            "knowledge_assets",
            "areas",
            "programmes",
            "relationships",
        )
    )
    again = EmbeddedStore(tmp_path / "again.db")
    import_dataset(again, folder)
    assert snapshot(again) == snapshot(store)
    assert counts(again) == counts(store)


def test_csv_files_are_utf8_with_bom_and_have_no_shorthand(
    tmp_path: Path, co_store: EmbeddedStore
) -> None:
    folder = tmp_path / "ds"
    export(co_store, "csv", folder)
    raw = (folder / "organisations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    header = rows[0]
    assert header[:2] == ["id", "name"]
    assert "area_id" not in header and "organisation_id" not in header
    eef = next(r for r in rows if r[0] == "org-eef")
    assert eef[1] == EEF_NAME
    with (folder / "relationships.csv").open(encoding="utf-8-sig", newline="") as fh:
        rel = list(csv.DictReader(fh))
    assert len(rel) == 125
    assert {"source", "target", "type"} <= set(rel[0])


def test_csv_round_trip_of_typed_values(tmp_path: Path) -> None:
    source = write_dataset(
        tmp_path / "src",
        {
            "organisations": (
                "id,name,sector,admin_level,tags,note,code,consent,need_thb,phone\n"
                'o1,"' + NASTY.replace('"', '""') + '",Local government,District,'
                '"a | ชุมชน | a","เขต ๑๒ ราคา 3,000",๐๑๒๓,ใช่,"1,234.50",0812345678\n'
                "o2,องค์กร 2,สาธารณสุข,ตำบล,,,,no,๒๐๐,\n"
            ),
            "funds": (
                "id,name,funder_id,amount_thb,year,purpose\n"
                'f1,กองทุน,o1,"3,000,000",2551,อาชีพ\n'
                "f2,กองทุน 2,o2,12.75,ค.ศ. 2010,\n"
            ),
            "areas": (
                "id,name,admin_level,parent_id\na1,ตำบล ก,subdistrict,a2\na2,อำเภอ ข,district,\n"
            ),
            "relationships": (
                "source,target,type,id,amount_thb,year,start,end,capacity,direction,weight,note\n"
                "f1,o2,FUNDS,g-1,500,2552,1/5/2551,2009-12-31,Institutional,แนวดิ่ง,-1.5,ปี ๒๕๕๑\n"
                "f1,o2,FUNDS,g-2,600,2553,,,,,,\n"
                "o1,o2,PARTNERS_WITH,,,,,,,horizontal,2,\n"
                "o1,a1,OPERATES_IN,,,,,,,,,\n"
            ),
        },
    )
    store = EmbeddedStore(tmp_path / "s.db")
    import_dataset(store, source)
    sub = store.subgraph()
    o1 = sub.nodes["o1"].props
    assert o1["name"] == NASTY
    assert o1["tags"] == ["a", "ชุมชน", "a"]
    assert (o1["consent"], o1["need_thb"], o1["code"]) == (True, 1234.5, "0123")
    assert sub.nodes["f1"].props["year"] == 2008
    assert {e.key for e in sub.edges} >= {'["id", "g-1"]', '["id", "g-2"]'}

    folder = tmp_path / "out"
    result = export(store, "csv", folder)
    assert result.notes == []
    again = EmbeddedStore(tmp_path / "again.db")
    import_dataset(again, folder)
    assert snapshot(again) == snapshot(store)
    back = again.subgraph().nodes
    assert back["o1"].props["name"] == NASTY
    assert (back["o1"].props["note"], back["o1"].props["phone"]) == (
        "เขต ๑๒ ราคา 3,000",
        "0812345678",
    )
    assert (back["o2"].props["need_thb"], back["o2"].props["sector"]) == (200, "สาธารณสุข")
    assert (back["f2"].props["amount_thb"], back["f2"].props["year"]) == (12.75, 2010)
    with (folder / "relationships.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["id"] for r in rows) == ["", "", "", "", "", "g-1", "g-2"]
    assert {(r["source"], r["type"], r["target"]) for r in rows} >= {
        ("o1", "PROVIDES", "f1"),
        ("a1", "PART_OF", "a2"),
    }


def test_csv_notes_values_that_cannot_round_trip(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    store.write(
        [
            Node(
                "p1", "Person", {"name": "คน", "population": 12, "area_id": "x", "aka": ["a", "b"]}
            ),
            Node("o1", "Organisation", {"name": "  spaced  ", "organisation_id": "kept"}),
        ],
        [],
    )
    folder = tmp_path / "out"
    result = export(store, "csv", folder)
    text = "\n".join(result.notes)
    assert "'population' reads back as str '12'" in text
    assert "'aka' reads back as str 'a|b'" in text
    assert "'area_id' is a shorthand or reserved column here (not written)" in text
    assert "'name' reads back as str 'spaced'" in text
    with (folder / "people.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.reader(fh)) == ["id", "name", "aka", "population"]
    with (folder / "organisations.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.reader(fh)) == ["id", "name", "organisation_id"]


def test_csv_refuses_a_folder_with_other_files(tmp_path: Path, co_store: EmbeddedStore) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("keep me")
    with pytest.raises(InvalidInput, match="not empty"):
        export(co_store, "csv", folder)
    assert (folder / "thesis.docx").read_text() == "keep me"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.docx"]

    (folder / "thesis.docx").unlink()
    (folder / "People.csv").write_text("id,name\n")  # not our spelling: refused too
    with pytest.raises(InvalidInput):
        export(co_store, "csv", folder)

    a_file = tmp_path / "file.csv"
    a_file.write_text("x")
    with pytest.raises(InvalidInput, match="is a file"):
        export(co_store, "csv", a_file)


def test_csv_overwrites_an_earlier_export(tmp_path: Path, co_store: EmbeddedStore) -> None:
    folder = tmp_path / "ds"
    export(co_store, "csv", folder)
    small = EmbeddedStore(tmp_path / "small.db")
    small.write([Node("o1", "Organisation", {"name": "หนึ่ง"})], [])
    result = export(small, "csv", folder)
    assert (result.nodes, result.edges) == (1, 0)
    again = EmbeddedStore(tmp_path / "again.db")
    import_dataset(again, folder)
    assert snapshot(again) == snapshot(small)  # no stale rows from the first export


# -- cyjs and kumu ------------------------------------------------------------------------------


def test_cyjs(tmp_path: Path, co_store: EmbeddedStore) -> None:
    out = tmp_path / "g.cyjs"
    export(co_store, "cyjs", out)
    text = out.read_text(encoding="utf-8")
    assert EEF_NAME in text  # not \u-escaped
    doc = json.loads(text)
    nodes = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    edges = [e["data"] for e in doc["elements"]["edges"]]
    assert (len(nodes), len(edges)) == counts(co_store)
    eef = nodes["org-eef"]
    assert (eef["label"], eef["kind"], eef["level"], eef["degree"]) == (
        EEF_NAME,
        "Organisation",
        "node",
        12,
    )
    assert nodes["org-central-team"]["tags"] == ["team"]
    assert nodes["org-provider"]["brokerage"] == 60
    assert len({e["id"] for e in edges}) == len(edges)
    part = next(e for e in edges if e["id"] == '["area-central", "PART_OF", "area-national"]')
    assert (part["source"], part["target"], part["type"], part["direction"]) == (
        "area-central",
        "area-national",
        "PART_OF",
        "",  # placement is neither horizontal nor vertical
    )
    assert all(e["source"] in nodes and e["target"] in nodes for e in edges)


def test_kumu(tmp_path: Path, co_store: EmbeddedStore) -> None:
    out = tmp_path / "g.json"
    export(co_store, "kumu", out)
    doc = json.loads(out.read_text(encoding="utf-8"))
    elements = {e["id"]: e for e in doc["elements"]}
    connections = doc["connections"]
    assert (len(elements), len(connections)) == counts(co_store)
    eef = elements["org-eef"]
    assert (eef["label"], eef["type"], eef["level"]) == (EEF_NAME, "Organisation", "node")
    ids = [e["id"] for e in doc["elements"]] + [c["id"] for c in connections]
    assert len(set(ids)) == len(ids)  # Kumu: unique across elements and connections
    assert all(c["from"] in elements and c["to"] in elements for c in connections)
    partners = [c for c in connections if c["type"] == "PARTNERS_WITH"]
    assert partners and all(c["direction"] == "mutual" for c in partners)
    part = next(c for c in connections if c["id"] == '["area-central", "PART_OF", "area-national"]')
    # placement is neither horizontal nor vertical
    assert (part["direction"], part["link_direction"]) == ("directed", "")


def test_kumu_repeated_labels_stay_apart(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    store.write(
        [Node("t1", "Network", {"name": "ทีมกลาง"}), Node("t2", "Network", {"name": "ทีมกลาง"})],
        [Edge("t1", "COORDINATES", "t2")],
    )
    export(store, "kumu", tmp_path / "k.json")
    doc = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert [(e["id"], e["label"]) for e in doc["elements"]] == [
        ("t1", "ทีมกลาง"),
        ("t2", "ทีมกลาง"),
    ]
    assert [(c["from"], c["to"]) for c in doc["connections"]] == [("t1", "t2")]


# -- xlsx ---------------------------------------------------------------------------------------


def test_xlsx_tables(tmp_path: Path, co_store: EmbeddedStore) -> None:
    out = tmp_path / "report.xlsx"
    result = export(co_store, "xlsx", out)
    assert result.notes == []
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["entities", "relationships", "brokerage", "overlap", "gaps"]
    assert wb["brokerage"]["A1"].font.bold
    sheets = pd.read_excel(out, sheet_name=None, dtype=object)
    entities = sheets["entities"]
    assert list(entities.columns) == [
        "id",
        "kind",
        "level",
        "name",
        "name_en",
        "sector",
        "admin_level",
    ]
    eef = entities[entities["id"] == "org-eef"].iloc[0]
    assert (eef["kind"], eef["level"], eef["name"], eef["sector"]) == (
        "Organisation",
        "node",
        EEF_NAME,
        "funder",
    )
    assert len(entities) == 74 and len(sheets["relationships"]) == 125
    brokerage = sheets["brokerage"]
    assert list(brokerage.columns[:10]) == [
        "id",
        "name",
        "kind",
        "group",
        "roles",
        "total",
        "z_total",
        "constraint",
        "effective_size",
        "betweenness",
    ]
    top = brokerage.iloc[0]
    assert (top["id"], top["name"], top["total"]) == ("org-provider", "หน่วยพัฒนาอาชีพ", 60)
    assert top["roles"].startswith("coordinator 29, itinerant 1")
    overlap = sheets["overlap"]
    assert overlap.iloc[0][["fund_a", "fund_b", "shared"]].tolist() == [
        "fund-project-budget",
        "fund-skills-grant",
        "area-target-communities",
    ]
    gaps = sheets["gaps"]
    assert set(gaps["by"]) == {"admin_level", "sector"}
    first = gaps.iloc[0]
    assert (first["from"], first["to"], first["direction"]) == ("national", "regional", "vertical")


def test_xlsx_notes_when_analyses_cannot_run(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    store.write([Node("a1", "Area", {"name": "ตำบล"})], [])
    out = tmp_path / "r.xlsx"
    result = export(store, "xlsx", out)
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets["brokerage"].columns) == ["note"]
    assert sheets["brokerage"].iloc[0]["note"] == "brokerage not computed: the graph has no actors"
    assert list(sheets["overlap"].columns) == ["note"]
    assert sheets["gaps"]["note"].str.contains("no actors").all()
    assert sheets["relationships"].iloc[0]["note"] == "the graph has no relationships"
    assert any("brokerage" in n for n in result.notes)


# -- errors and odd names -----------------------------------------------------------------------


def test_unknown_format(tmp_path: Path, co_store: EmbeddedStore) -> None:
    with pytest.raises(UsageError) as info:
        export(co_store, "pdf", tmp_path / "x.pdf")
    assert "gexf, graphml, cyjs, kumu, csv, xlsx" in info.value.message
    assert info.value.details["formats"] == list(FORMATS)
    assert not (tmp_path / "x.pdf").exists()


def test_format_name_is_case_insensitive(tmp_path: Path, co_store: EmbeddedStore) -> None:
    result = export(co_store, " GEXF ", tmp_path / "g.gexf")
    assert isinstance(result, ExportResult) and result.format == "gexf"
    assert result.to_dict()["files"] == [str(tmp_path / "g.gexf")]


def test_file_formats_refuse_a_folder(tmp_path: Path, co_store: EmbeddedStore) -> None:
    with pytest.raises(InvalidInput, match="is a folder"):
        export(co_store, "graphml", tmp_path)


def test_markup_and_quotes_survive(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "s.db")
    source = write_dataset(
        tmp_path / "src",
        {
            "organisations": 'id,name,note\no1,"'
            + NASTY.replace('"', '""')
            + '","a ""b"" <c>"\no2,B,\n',
            "relationships": 'source,target,type,note\no1,o2,SUPPORTS,"</edge> ""x"""\n',
        },
    )
    import_dataset(store, source)
    assert store.subgraph().nodes["o1"].name == NASTY
    for fmt, read in (("gexf", nx.read_gexf), ("graphml", nx.read_graphml)):
        out = tmp_path / f"g.{fmt}"
        export(store, fmt, out)
        g = read(out)
        assert g.nodes["o1"]["label"] == NASTY
        assert g.nodes["o1"]["note"] == 'a "b" <c>'
        edge = next(iter(g.edges(data=True)))[2]
        assert edge["note"] == '</edge> "x"'
    folder = tmp_path / "csv"
    export(store, "csv", folder)
    again = EmbeddedStore(tmp_path / "again.db")
    import_dataset(again, folder)
    assert snapshot(again) == snapshot(store)
    assert again.subgraph().nodes["o1"].name == NASTY

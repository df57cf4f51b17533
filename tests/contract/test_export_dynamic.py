"""``export --format gexf --dynamic`` and ``/api/export?format=gexf&dynamic=1`` (issue 14,
point 6): the whole history as GEXF 1.3 ``mode="dynamic"``, on both stores.

Three snapshots (``store.write(..., at=DAY, snapshot=True)``), the spells worked out by
hand (days included at both ends; a version recorded on D and closed on D' holds D … D'-1):

    2022-01-01: o1 {income 100}, o2 {year 2010}, l, r {start 2022-07-01};
                o1 -PARTNERS_WITH-> o2, o1 -COORDINATES-> o2 {year 2023},
                l -MEMBER_OF-> o1, r -MEMBER_OF-> o2
    2023-01-01: o1 {income 150}, o2, j {role member}, r {start 2022-07-01};
                o1 -PARTNERS_WITH-> o2, o1 -COORDINATES-> o2 {year 2023},
                j -MEMBER_OF-> o1 {capacity personal}, r -MEMBER_OF-> o2
    2024-01-01: o1 {income 150}, o2, j {role chair}, l;
                o1 -PARTNERS_WITH-> o2 {weight 3}, o1 -COORDINATES-> o2 {year 2023},
                j -MEMBER_OF-> o1 {capacity personal}, l -MEMBER_OF-> o2

- o1 holds from 2022-01-01 on; its income is 100 from 2022-01-01 to 2022-12-31 and 150
  from 2023-01-01 on; o2 holds from 2022-01-01 on and never changes (its ``year`` 2010 is
  its year of record: an entity's year does not narrow it);
- l holds 2022-01-01 … 2022-12-31 (left in 2023) and from 2024-01-01 on (came back);
- j joined on 2023-01-01: its role is member 2023-01-01 … 2023-12-31, chair from
  2024-01-01 on;
- r was recorded on 2022-01-01 but its data says it started on 2022-07-01, and it left in
  2024: 2022-07-01 … 2023-12-31;
- o1-o2 PARTNERS_WITH from 2022-01-01 on, its weight 3 from 2024-01-01 on (so no static
  weight); o1-o2 COORDINATES only in its own year: 2023-01-01 … 2023-12-31;
- l-o1 2022-01-01 … 2022-12-31; r-o2 as r: 2022-07-01 … 2023-12-31; j-o1 from
  2023-01-01 on (capacity personal all its life: a static value); l-o2 from 2024-01-01.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.cli import main
from graph_service.domain import Edge, edge_key
from graph_service.errors import UsageError
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.history import as_of
from graph_service.store.public import public_fields, public_view
from tests.factories import organisation, person
from viz.export import export

NS = {"g": "http://gexf.net/1.3"}
PARTNERS = edge_key("o1", "PARTNERS_WITH", "o2")
COORDINATES = edge_key("o1", "COORDINATES", "o2")

NODE_SPELLS = {
    "o1": [("2022-01-01", None)],
    "o2": [("2022-01-01", None)],
    "l": [("2022-01-01", "2022-12-31"), ("2024-01-01", None)],
    "j": [("2023-01-01", None)],
    "r": [("2022-07-01", "2023-12-31")],
}
EDGE_SPELLS = {
    PARTNERS: [("2022-01-01", None)],
    COORDINATES: [("2023-01-01", "2023-12-31")],
    edge_key("l", "MEMBER_OF", "o1"): [("2022-01-01", "2022-12-31")],
    edge_key("r", "MEMBER_OF", "o2"): [("2022-07-01", "2023-12-31")],
    edge_key("j", "MEMBER_OF", "o1"): [("2023-01-01", None)],
    edge_key("l", "MEMBER_OF", "o2"): [("2024-01-01", None)],
}


def three_snapshots(store: GraphStore) -> None:
    partners = Edge("o1", "PARTNERS_WITH", "o2")
    coordinates = Edge("o1", "COORDINATES", "o2", {"year": 2023})
    store.write(
        [
            organisation("o1", "สำนักงานสาธารณสุขจังหวัด", income=100),
            organisation("o2", "โรงพยาบาลอำเภอ", year=2010),
            person("l", "นาง ลา"),
            person("r", "นาย ริน", start="2022-07-01"),
        ],
        [
            partners,
            coordinates,
            Edge("l", "MEMBER_OF", "o1"),
            Edge("r", "MEMBER_OF", "o2"),
        ],
        at="2022-01-01",
        snapshot=True,
    )
    store.write(
        [
            organisation("o1", "สำนักงานสาธารณสุขจังหวัด", income=150),
            organisation("o2", "โรงพยาบาลอำเภอ", year=2010),
            person("j", "นางสาว จันทร์", role="member"),
            person("r", "นาย ริน", start="2022-07-01"),
        ],
        [
            partners,
            coordinates,
            Edge("j", "MEMBER_OF", "o1", {"capacity": "personal"}),
            Edge("r", "MEMBER_OF", "o2"),
        ],
        at="2023-01-01",
        snapshot=True,
    )
    store.write(
        [
            organisation("o1", "สำนักงานสาธารณสุขจังหวัด", income=150),
            organisation("o2", "โรงพยาบาลอำเภอ", year=2010),
            person("j", "นางสาว จันทร์", role="chair"),
            person("l", "นาง ลา"),
        ],
        [
            Edge("o1", "PARTNERS_WITH", "o2", {"weight": 3}),
            coordinates,
            Edge("j", "MEMBER_OF", "o1", {"capacity": "personal"}),
            Edge("l", "MEMBER_OF", "o2"),
        ],
        at="2024-01-01",
        snapshot=True,
    )


def _spells(el: ElementTree.Element) -> list[tuple[str | None, str | None]]:
    return [(s.get("start"), s.get("end")) for s in el.findall("g:spells/g:spell", NS)]


def read(path: Path) -> dict[str, Any]:
    """The file as plain data: the graph's attributes, the declared attributes per class
    and mode, and per node and edge its spells and its values ``{title: [(value, start,
    end)]}``."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("g:graph", NS)
    assert graph is not None
    titles: dict[str, str] = {}
    declared: dict[tuple[str, str], set[str]] = {}
    for block in graph.findall("g:attributes", NS):
        key = (block.get("class", ""), block.get("mode", ""))
        for a in block.findall("g:attribute", NS):
            titles[a.get("id", "")] = a.get("title", "")
            declared.setdefault(key, set()).add(a.get("title", ""))

    def values(el: ElementTree.Element) -> dict[str, list[tuple[str, str | None, str | None]]]:
        out: dict[str, list[tuple[str, str | None, str | None]]] = {}
        for v in el.findall("g:attvalues/g:attvalue", NS):
            out.setdefault(titles[v.get("for", "")], []).append(
                (v.get("value", ""), v.get("start"), v.get("end"))
            )
        return out

    nodes = {
        n.get("id"): {"label": n.get("label"), "spells": _spells(n), "values": values(n)}
        for n in graph.findall("g:nodes/g:node", NS)
    }
    edges = {
        e.get("id"): {
            "ends": (e.get("source"), e.get("label"), e.get("target")),
            "kind": e.get("kind"),
            "weight": e.get("weight"),
            "spells": _spells(e),
            "values": values(e),
        }
        for e in graph.findall("g:edges/g:edge", NS)
    }
    return {"graph": dict(graph.attrib), "declared": declared, "nodes": nodes, "edges": edges}


def check_three_snapshots(path: Path) -> None:
    doc = read(path)
    assert doc["graph"] == {"mode": "dynamic", "timeformat": "date", "defaultedgetype": "directed"}
    nodes, edges = doc["nodes"], doc["edges"]
    assert {i: n["spells"] for i, n in nodes.items()} == NODE_SPELLS
    assert {k: e["spells"] for k, e in edges.items()} == EDGE_SPELLS
    # values that changed carry their days; the others none
    assert nodes["o1"]["values"]["income"] == [
        ("100", "2022-01-01", "2022-12-31"),
        ("150", "2023-01-01", None),
    ]
    assert nodes["j"]["values"]["role"] == [
        ("member", "2023-01-01", "2023-12-31"),
        ("chair", "2024-01-01", None),
    ]
    assert nodes["o1"]["values"]["name"] == [("สำนักงานสาธารณสุขจังหวัด", None, None)]
    assert nodes["l"]["values"]["kind"] == [("Person", None, None)]
    assert nodes["r"]["values"]["prop_start"] == [("2022-07-01", None, None)]
    assert nodes["o2"]["values"]["year"] == [("2010", None, None)]
    assert nodes["j"]["label"] == "นางสาว จันทร์"
    assert doc["declared"][("node", "dynamic")] == {"income", "role"}
    assert {"kind", "level", "name", "name_en", "prop_start"} <= doc["declared"][("node", "static")]
    partners = edges[PARTNERS]
    assert partners["ends"] == ("o1", "PARTNERS_WITH", "o2") and partners["kind"] == "PARTNERS_WITH"
    assert partners["values"]["prop_weight"] == [("3", "2024-01-01", None)]
    assert partners["weight"] is None  # the weight changed (absent, then 3): no static weight
    assert edges[COORDINATES]["values"]["year"] == [("2023", None, None)]
    assert edges[edge_key("j", "MEMBER_OF", "o1")]["values"]["capacity"] == [
        ("personal", None, None)
    ]
    assert doc["declared"][("edge", "dynamic")] == {"prop_weight"}


def test_spells_of_three_snapshots_are_the_hand_worked_ones(
    store: GraphStore, tmp_path: Path
) -> None:
    three_snapshots(store)
    result = export(store, "gexf", tmp_path / "h.gexf", dynamic=True)
    assert (result.format, result.nodes, result.edges) == ("gexf", 5, 6)
    check_three_snapshots(tmp_path / "h.gexf")


def test_each_day_of_the_spells_is_the_graph_as_of_that_day(
    store: GraphStore, tmp_path: Path
) -> None:
    """Read back with networkx (which reads GEXF's dynamic mode): the entities and
    relationships whose spells hold a day are exactly those of ``as_of`` that day, on
    days inside, at and next to every bound."""
    three_snapshots(store)
    export(store, "gexf", tmp_path / "h.gexf", dynamic=True)
    g = nx.read_gexf(tmp_path / "h.gexf")
    assert g.graph["mode"] == "dynamic"

    def holds(data: dict[str, Any], day: str) -> bool:
        spells = data.get("spells") or [("None", "None")]
        return any(
            (start == "None" or start <= day) and (end == "None" or day <= end)
            for start, end in spells
        )

    import datetime as dt

    days = ["2021-12-31", "2022-01-01", "2022-06-30", "2022-07-01", "2022-12-31"]
    days += ["2023-01-01", "2023-06-15", "2023-12-31", "2024-01-01", "2030-01-01"]
    seen_edges = set()
    for day in days:
        view = as_of(store, dt.date.fromisoformat(day))
        assert {n for n, d in g.nodes(data=True) if holds(d, day)} == set(view.ids_of()), day
        got = {d["id"] for _, _, d in g.edges(data=True) if holds(d, day)}
        assert got == {e.key for e in view.find_edges()}, day
        seen_edges |= got
    assert seen_edges == set(EDGE_SPELLS)
    assert g.nodes["o1"]["income"] == [
        (100, "2022-01-01", "2022-12-31"),
        (150, "2023-01-01", "None"),
    ]


def test_dynamic_is_refused_with_as_of_where_public_or_another_format(
    store: GraphStore, tmp_path: Path
) -> None:
    import datetime as dt

    three_snapshots(store)
    target = tmp_path / "x.gexf"
    with pytest.raises(UsageError, match="--as-of one day"):
        export(as_of(store, dt.date(2023, 6, 1)), "gexf", target, dynamic=True)
    with pytest.raises(UsageError, match="--where is not taken"):
        export(store, "gexf", target, dynamic=True, where=("kind=Person",))
    with pytest.raises(UsageError, match="not graphml"):
        export(store, "graphml", target, dynamic=True)
    with pytest.raises(UsageError, match="public view keeps no history"):
        export(public_view(store, public_fields("")), "gexf", target, dynamic=True)
    assert not target.exists()


def test_a_store_without_dates_holds_everything_always(store: GraphStore, tmp_path: Path) -> None:
    """One ordinary write (dated 2021-03-04): everything holds from that day on (``p``'s
    own ``start`` 2020 is before it), no value changes, so every attribute is static."""
    store.write(
        [organisation("o1", income=5), person("p", start=2020)],
        [Edge("p", "MEMBER_OF", "o1", {"weight": 2})],
        at="2021-03-04",
    )
    export(store, "gexf", tmp_path / "d.gexf", dynamic=True)
    doc = read(tmp_path / "d.gexf")
    assert doc["nodes"]["o1"]["spells"] == [("2021-03-04", None)]
    assert doc["nodes"]["p"]["spells"] == [("2021-03-04", None)]
    assert doc["nodes"]["o1"]["values"]["income"] == [("5", None, None)]
    assert ("node", "dynamic") not in doc["declared"]
    member = doc["edges"][edge_key("p", "MEMBER_OF", "o1")]
    assert member["spells"] == [("2021-03-04", None)]
    assert member["weight"] == "2.0"  # one number all its life: Gephi's edge weight
    assert member["values"]["prop_weight"] == [("2", None, None)]


def test_the_command_line_and_the_download_write_the_same_history(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    three_snapshots(store)
    runner = CliRunner()
    done = runner.invoke(
        main,
        [
            "--store",
            str(db),
            "export",
            "--format",
            "gexf",
            "--dynamic",
            "-o",
            str(tmp_path / "c.gexf"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "5 entities, 6 relationships" in done.output
    check_three_snapshots(tmp_path / "c.gexf")
    refused = runner.invoke(
        main,
        [
            "--store",
            str(db),
            "export",
            "--format",
            "gexf",
            "--dynamic",
            "--as-of",
            "2566",
            "-o",
            str(tmp_path / "n.gexf"),
        ],
    )
    assert refused.exit_code != 0 and "use one of them" in refused.output
    with TestClient(create_app(store=store)) as client:
        got = client.get("/api/export", params={"format": "gexf", "dynamic": "1"})
        assert got.status_code == 200, got.text
        (tmp_path / "a.gexf").write_bytes(got.content)
        check_three_snapshots(tmp_path / "a.gexf")
        static = client.get("/api/export", params={"format": "gexf"})
        (tmp_path / "s.gexf").write_bytes(static.content)
        assert 'mode="dynamic"' not in static.text and read_static_nodes(tmp_path / "s.gexf") == {
            "o1",
            "o2",
            "j",
            "l",
        }
        wrong = client.get("/api/export", params={"format": "cyjs", "dynamic": "true"})
        assert wrong.status_code == 400
        assert wrong.json()["error"]["code"] == "usage"
    store.close()


def read_static_nodes(path: Path) -> set[str]:
    g = nx.read_gexf(path)
    return set(g.nodes)


def test_names_are_found_in_the_graph_as_of_a_day(store: GraphStore) -> None:
    """The as-of view makes its name keys on first use (bench/history.py): looking a name
    up still finds exactly the entities of that day."""
    import datetime as dt

    from graph_service.domain import normalise_name

    three_snapshots(store)
    view = as_of(store, dt.date(2023, 6, 1))
    assert [n.id for n in view.find_by_name(normalise_name("นางสาว จันทร์"))] == ["j"]
    assert view.find_by_name(normalise_name("นาง ลา")) == []  # l had left in 2023
    assert sorted(i for i, _ in view.search_names(normalise_name("นาย ริน"))) == ["r"]
    earlier = as_of(store, dt.date(2022, 3, 1))
    assert [n.id for n in earlier.find_by_name(normalise_name("นาง ลา"))] == ["l"]
    assert earlier.search_names(normalise_name("นาย ริน")) == []  # r starts on 2022-07-01


def test_the_yearly_sample_plays_day_by_day_as_its_as_of_graphs(
    store: GraphStore, tmp_path: Path
) -> None:
    """The bundled three-year sample (phatthalung-welfare-years, imported as snapshots
    2565, 2566 and 2567): on every day where anything could change (each recorded day,
    each valid-time bound in the data, and the day before each), and in the middle of each
    year, the entities and relationships whose spells hold that day are exactly those of
    the graph as of that day."""
    import datetime as dt

    from graph_service.store.history import valid_interval
    from importers.load import import_dataset
    from tests.conftest import SAMPLES

    years = SAMPLES / "phatthalung-welfare-years"
    for year in ("2565", "2566", "2567"):
        import_dataset(store, years / year, snapshot=f"{int(year) - 543}-01-01")
    export(store, "gexf", tmp_path / "y.gexf", dynamic=True)
    doc = read(tmp_path / "y.gexf")
    days = {dt.date.fromisoformat(d) for d in store.change_days()}  # type: ignore[attr-defined]
    for thing in [*store.subgraph().nodes.values(), *store.subgraph().edges]:
        for bound in valid_interval(thing.props):
            if bound is not None:
                days |= {bound, bound + dt.timedelta(days=1)}
    days |= {d - dt.timedelta(days=1) for d in days}
    days |= {dt.date(y, 7, 1) for y in range(2020, 2027)}

    def holds(spells: list[tuple[str | None, str | None]], day: str) -> bool:
        return not spells or any(
            (a is None or a <= day) and (b is None or day <= b) for a, b in spells
        )

    assert len(days) > 10
    for day in sorted(days):
        view = as_of(store, day)
        text = day.isoformat()
        assert {i for i, n in doc["nodes"].items() if holds(n["spells"], text)} == set(
            view.ids_of()
        ), text
        assert {k for k, e in doc["edges"].items() if holds(e["spells"], text)} == {
            e.key for e in view.find_edges()
        }, text
    # the Na Thom villager's occupation changed in 2566 (the sample's README): its values
    # carry their own days, one after the other
    changing = [
        values
        for n in doc["nodes"].values()
        for title, values in n["values"].items()
        if title == "occupation" and len(values) > 1
    ]
    assert changing and all(v[0][2] is not None and v[-1][2] is None for v in changing)

"""The embedded store's arrays snapshot (``arrays_snapshot``: the graph's arrays kept in the
file per graph version) is never stale: after every write path (import, an edit, deleting
an entity, deleting the graph, importing the geography) the answers equal a fresh
computation from the tables; a damaged snapshot is ignored and written again; a snapshot of
another version is never used. And the filters, now evaluated over the arrays' columns,
select exactly what the per-entity evaluation selects, on a generated graph with Thai
values, on both stores."""

from __future__ import annotations

import random
import sqlite3
from typing import Any

import pytest

from graph_service.analysis import filters, paths
from graph_service.domain import KINDS, Edge, Node, normalise_name
from graph_service.editing import EntityPatch, patched_entity
from graph_service.store.arrays import graph_arrays_of
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset, import_geography
from importers.thai_admin import read_geography
from tests.conftest import SAMPLES

FILTERS = [
    ["kind=Organisation"],
    ["admin_level=regional"],
    ["kind=Person", "tag=team"],
    ["within=area-north"],
    ["level=network"],
]


class Tables:
    """The store without ``graph_arrays``: every question reads ``subgraph`` (the tables),
    the fresh computation the snapshot's answers must equal."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        if name == "graph_arrays":
            raise AttributeError(name)
        return getattr(self._store, name)


def rows(arrays: Any) -> list[tuple[str, str, str]]:
    return [
        (arrays.ids[a], arrays.types[t], arrays.ids[b])
        for a, b, t in zip(
            arrays.src.tolist(), arrays.dst.tolist(), arrays.type.tolist(), strict=True
        )
    ]


def answers(store: Any) -> dict[str, Any]:
    """Arrays, filters, a missing link and a chain to the nearest match, as documents."""
    arrays = filters.read_arrays(store)
    doc: dict[str, Any] = {
        "ids": arrays.ids,
        "rows": rows(arrays),
        "nodes": dict(arrays.nodes),
        "actors": filters.read_arrays(store, ["Person", "Organisation"], ["MEMBER_OF"]).ids,
    }
    if not arrays.ids:
        return doc
    for where in FILTERS:
        if "within=area-north" in where and "area-north" not in arrays.nodes:
            continue
        doc[";".join(where)] = filters.find(store, where)
    if "th-93" in arrays.nodes:
        doc["within=th-93"] = filters.find(store, "within=th-93")
    doc["unlinked"] = paths.unlinked(store, "kind=Person", "admin_level=national", depth=2)
    if "org-eef" in arrays.nodes:
        doc["path"] = paths.path(store, "org-eef", to_where="admin_level=regional")
    return doc


def snapshot_versions(store: EmbeddedStore) -> list[int]:
    with sqlite3.connect(store.path) as db:
        try:
            return [r[0] for r in db.execute("SELECT version FROM arrays_snapshot")]
        except sqlite3.OperationalError:  # no table yet
            return []


def check_fresh(store: EmbeddedStore) -> dict[str, Any]:
    """The answers from the store equal those from the tables, and the file keeps the
    snapshot of this version only."""
    got = answers(store)
    assert got == answers(Tables(store))
    assert snapshot_versions(store) == [store.version()]
    again = EmbeddedStore(store.path, query_timeout=0)  # another process, the same file
    try:
        assert answers(again) == got
    finally:
        again.close()
    return got


def sample(store: EmbeddedStore) -> dict[str, Any]:
    import_dataset(store, SAMPLES / "community-occupation")
    before = check_fresh(store)
    assert before["kind=Organisation"]["count"] > 0
    assert before["unlinked"]["sources"] > 0
    return before


def test_an_import_drops_the_snapshot(embedded_store: EmbeddedStore) -> None:
    before = sample(embedded_store)
    import_dataset(embedded_store, SAMPLES / "informal-workers-km")
    assert snapshot_versions(embedded_store) == []
    after = check_fresh(embedded_store)
    assert len(after["ids"]) > len(before["ids"])


def test_an_edit_drops_the_snapshot(embedded_store: EmbeddedStore) -> None:
    before = sample(embedded_store)
    node = embedded_store.get_nodes(["org-eef"])["org-eef"]
    edited = patched_entity(node, EntityPatch(properties={"admin_level": "regional"}))
    embedded_store.write([edited], [], replace=True, expected_version=embedded_store.version())
    assert snapshot_versions(embedded_store) == []
    after = check_fresh(embedded_store)
    regional = [e["id"] for e in after["admin_level=regional"]["entities"]]
    assert "org-eef" in regional
    assert "org-eef" not in [e["id"] for e in before["admin_level=regional"]["entities"]]
    assert after["nodes"]["org-eef"].props["admin_level"] == "regional"


def test_deleting_an_entity_drops_the_snapshot(embedded_store: EmbeddedStore) -> None:
    before = sample(embedded_store)
    embedded_store.delete(["org-central-team"])
    assert snapshot_versions(embedded_store) == []
    after = check_fresh(embedded_store)
    assert "org-central-team" in before["ids"]
    assert "org-central-team" not in after["ids"]
    assert len(after["rows"]) < len(before["rows"])


def test_deleting_the_graph_drops_the_snapshot(embedded_store: EmbeddedStore) -> None:
    sample(embedded_store)
    embedded_store.clear()
    assert snapshot_versions(embedded_store) == []
    after = check_fresh(embedded_store)
    assert after == {"ids": [], "rows": [], "nodes": {}, "actors": []}


def test_importing_the_geography_drops_the_snapshot(embedded_store: EmbeddedStore) -> None:
    before = sample(embedded_store)
    nodes, edges = read_geography(province="93")
    import_geography(embedded_store, nodes, edges, "thai-admin")
    assert snapshot_versions(embedded_store) == []
    after = check_fresh(embedded_store)
    assert "th-93" not in before["ids"]
    assert after["within=th-93"]["count"] > 1
    assert all(e["id"].startswith("th-") for e in after["within=th-93"]["entities"])


def corrupt(store: EmbeddedStore, sql: str, *params: Any) -> None:
    with sqlite3.connect(store.path) as db:
        db.execute(sql, params)


@pytest.mark.parametrize(
    "damage",
    [
        ("UPDATE arrays_snapshot SET src = substr(src, 1, length(src) - 4)",),  # truncated
        ("UPDATE arrays_snapshot SET ids = substr(ids, 1, length(ids) / 2)",),
        (
            "UPDATE arrays_snapshot SET props = CAST(replace(CAST(props AS TEXT), 'a', 'b') "
            "AS BLOB)",
        ),  # same length, other bytes
        ("UPDATE arrays_snapshot SET header = '{\"format\": 99}'",),
        ("UPDATE arrays_snapshot SET header = 'not json'",),
        ("UPDATE arrays_snapshot SET type = x''",),
        ("UPDATE arrays_snapshot SET kinds = NULL",),
    ],
)
def test_a_damaged_snapshot_is_ignored_and_written_again(
    embedded_store: EmbeddedStore, damage: tuple[str]
) -> None:
    before = sample(embedded_store)
    with sqlite3.connect(embedded_store.path) as db:
        if "NULL" in damage[0]:  # the column is NOT NULL: make the table anew without it
            db.execute("ALTER TABLE arrays_snapshot RENAME TO old")
            db.execute(
                "CREATE TABLE arrays_snapshot (version INTEGER PRIMARY KEY, header, ids, "
                "kinds, props, src, dst, type)"
            )
            db.execute("INSERT INTO arrays_snapshot SELECT * FROM old")
            db.execute("DROP TABLE old")
        db.execute(damage[0])
        good = db.execute("SELECT * FROM arrays_snapshot").fetchone()
    reopened = EmbeddedStore(embedded_store.path, query_timeout=0)
    try:
        assert answers(reopened) == before == answers(Tables(reopened))
    finally:
        reopened.close()
    with sqlite3.connect(embedded_store.path) as db:
        written = db.execute("SELECT * FROM arrays_snapshot").fetchone()
    assert written != good  # written again, whole
    assert snapshot_versions(embedded_store) == [embedded_store.version()]


def test_a_snapshot_of_another_version_is_never_used(embedded_store: EmbeddedStore) -> None:
    sample(embedded_store)
    with sqlite3.connect(embedded_store.path) as db:
        old = db.execute("SELECT * FROM arrays_snapshot").fetchone()
    assert old[0] == embedded_store.version()
    embedded_store.delete(["org-central-team"])
    version = embedded_store.version()
    assert version == old[0] + 1
    # the old row put back as it was (version v), then relabelled as the current version
    corrupt(embedded_store, "INSERT INTO arrays_snapshot VALUES (?, ?, ?, ?, ?, ?, ?, ?)", *old)
    assert "org-central-team" not in answers(embedded_store)["ids"]
    assert "org-central-team" not in answers(Tables(embedded_store))["ids"]
    corrupt(embedded_store, "DELETE FROM arrays_snapshot")
    corrupt(
        embedded_store,
        "INSERT INTO arrays_snapshot VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        version,
        *old[1:],
    )
    got = answers(embedded_store)
    assert "org-central-team" not in got["ids"]
    assert got == answers(Tables(embedded_store))
    assert snapshot_versions(embedded_store) == [version]


def test_a_later_store_reads_the_snapshot_not_the_tables(
    embedded_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = sample(embedded_store)
    later = EmbeddedStore(embedded_store.path, query_timeout=0)

    def refuse() -> None:
        raise AssertionError("read the tables although the snapshot of this version is there")

    monkeypatch.setattr(later, "_read_arrays", refuse)
    try:
        assert answers(later) == before
    finally:
        later.close()


# -- filters over the columns equal the per-entity evaluation --------------------------

SECTORS = ["สาธารณสุข", "ภาคประชาสังคม", "Academic", " academic ", "ท้องถิ่น", "", "state"]
LEVELS = ["provincial", "Provincial", "district", "ระดับชาติ", None]
TAGS = [["สุขภาพ", "ชุมชน"], ["ชุมชน"], ["อาชีพ"], [], None]
YEARS = [2008, "๒๕๕๑", 2551, "2008", 2009.0, True, None]


def thai_graph(seed: int = 12) -> tuple[list[Node], list[Edge]]:
    """Entities of every kind with Thai values (and the same value written several ways:
    case, spaces, Thai digits, numbers as text, a Buddhist Era year), areas PART_OF each
    other, things LOCATED_IN and OPERATES_IN them, and ties among the actors."""
    rng = random.Random(seed)
    nodes = [Node("area-0", "Area", {"name": "ประเทศ", "admin_level": "national"})]
    for i in range(1, 30):
        parent = rng.randrange(i)
        nodes.append(Node(f"area-{i}", "Area", {"name": f"พื้นที่ {i}", "parent": parent}))
    edges = [
        Edge(f"area-{i}", "PART_OF", f"area-{n.props.pop('parent')}")
        for i, n in enumerate(nodes)
        if i
    ]
    kinds = sorted(KINDS)
    for i in range(400):
        props: dict[str, Any] = {"name": f"หน่วย {i}"}
        for key, choices in (
            ("sector", SECTORS),
            ("admin_level", LEVELS),
            ("tags", TAGS),
            ("year", YEARS),
        ):
            value = rng.choice(choices)
            if value is not None:
                props[key] = value
        nodes.append(Node(f"e{i:03d}", rng.choice(kinds), props))
    for _ in range(400):
        kind = rng.choice(["LOCATED_IN", "OPERATES_IN", "PARTNERS_WITH", "MEMBER_OF"])
        a = f"e{rng.randrange(400):03d}"
        b = (
            f"area-{rng.randrange(30)}"
            if kind != "PARTNERS_WITH" and kind != "MEMBER_OF"
            else (f"e{rng.randrange(400):03d}")
        )
        edges.append(Edge(a, kind, b))
    return nodes, edges


def inside(nodes: list[Node], edges: list[Edge], area: str) -> set[str]:
    """Plain reference for within=: the area, the areas PART_OF it (transitively), and
    what is LOCATED_IN or OPERATES_IN one of those."""
    areas = {area}
    grew = True
    while grew:
        grew = False
        for e in edges:
            if e.type == "PART_OF" and e.target in areas and e.source not in areas:
                areas.add(e.source)
                grew = True
    placed = {
        e.source for e in edges if e.type in ("LOCATED_IN", "OPERATES_IN") and e.target in areas
    }
    return areas | placed


def reference(nodes: list[Node], edges: list[Edge], where: list[str]) -> list[str]:
    """The entities the filter holds for, one entity at a time (``Filter.matches_node``,
    the evaluation the columns replace), ``within`` from the plain reference above."""
    flt = filters.parse_filter(where)
    assert flt is not None
    for term in flt.terms:
        if term.attribute == "within":
            flt.within[term.text] = set().union(*(inside(nodes, edges, a) for a in term.values))
    return sorted(n.id for n in nodes if flt.matches_node(n))


THAI_FILTERS: list[tuple[list[str], int | None]] = [
    (["sector=academic"], None),
    (["sector=สาธารณสุข,state"], None),
    (["admin_level=provincial"], None),
    (["admin_level=ระดับชาติ"], None),
    (["tag=ชุมชน"], None),
    (["tag=สุขภาพ", "kind=Person,Organisation"], None),
    (["year=2551"], None),
    (["year=๒๕๕๑"], None),
    (["year=2009"], None),
    (["level=node,network"], None),
    (["kind=Area"], None),
    (["within=area-3"], None),
    (["within=area-0", "sector=ท้องถิ่น"], None),
    (["id=e001,e399,area-2,nobody"], 3),
    (["sector=ไม่มีใคร"], 0),
]


@pytest.mark.parametrize(("where", "count"), THAI_FILTERS)
def test_filters_over_columns_equal_the_per_entity_evaluation(
    store: GraphStore, where: list[str], count: int | None
) -> None:
    nodes, edges = thai_graph()
    store.write(nodes, edges)
    stored = list(store.subgraph().nodes.values())  # as the store gives them back
    expected = reference(stored, edges, where)
    flt = filters.parse_filter(where)
    assert flt is not None
    assert filters.select(store, flt) == expected
    assert [e["id"] for e in filters.find(store, where)["entities"]] == expected
    # the arrays of a subgraph (no NodeTable: Neo4j's, the public view's) give the same
    sub = store.subgraph()
    plain = graph_arrays_of(sub.nodes.values(), [(e.source, e.type, e.target) for e in sub.edges])
    assert filters.select(store, filters.parse_filter(where), plain) == expected  # type: ignore[arg-type]
    if count is not None:
        assert len(expected) == count


def test_the_generated_values_are_compared_as_the_importer_reads_them() -> None:
    """Hand-checked on the generator's values: case, spaces and Thai digits do not matter;
    a filter's value is read as a cell is (a year of 2551 is 2008)."""
    nodes = [
        Node("a", "Organisation", {"sector": "Academic", "year": "๒๕๕๑", "code": "๙๓"}),
        Node("b", "Organisation", {"sector": " academic ", "year": 2008, "code": 93}),
        Node("c", "Person", {"sector": "สาธารณสุข", "year": True, "tags": ["ชุมชน"]}),
        Node("d", "Network", {"sector": "", "year": 2009.0, "tags": []}),
    ]
    plain = graph_arrays_of(nodes, [])
    assert normalise_name(" academic ") == normalise_name("Academic")
    for where, ids in (
        (["sector=academic"], ["a", "b"]),
        (["year=2008"], ["b"]),  # a text "๒๕๕๑" is the number 2551 (only a cell is read as BE)
        (["year=2551"], ["b"]),  # the filter's 2551 is read as a cell: 2008
        (["code=93"], ["a", "b"]),  # Thai digits are digits
        (["year=2009"], ["d"]),
        (["tag=ชุมชน"], ["c"]),
        (["sector=สาธารณสุข"], ["c"]),
        (["level=individual"], ["c"]),
        (["level=network"], ["d"]),
    ):
        flt = filters.parse_filter(where)
        assert flt is not None
        assert filters.select(None, flt, plain) == ids, where  # type: ignore[arg-type]
        assert reference(nodes, [], where) == ids

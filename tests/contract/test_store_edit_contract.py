"""The store's editing contract (replace, delete, relationship lookups, name search, the
secret) and the query timeout, run unchanged against the embedded store and a real Neo4j.

The graph is ``factories.chain_graph``: p1 -MEMBER_OF-> o1 -MEMBER_OF-> n1 <-MEMBER_OF- o2
<-WORKS_FOR- p2, and o1 -LOCATED_IN-> a1 (six entities, five relationships).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_service.domain import Edge, Node, edge_key, normalise_name
from graph_service.errors import QueryTimeout, StoreUnavailable
from graph_service.settings import Settings
from graph_service.store import open_store
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from tests.factories import chain_graph, person

P1_O1 = edge_key("p1", "MEMBER_OF", "o1")
O1_N1 = edge_key("o1", "MEMBER_OF", "n1")
O2_N1 = edge_key("o2", "MEMBER_OF", "n1")
P2_O2 = edge_key("p2", "WORKS_FOR", "o2")
O1_A1 = edge_key("o1", "LOCATED_IN", "a1")
NOWHERE = edge_key("x", "MEMBER_OF", "y")


@pytest.fixture
def chain(store: GraphStore) -> GraphStore:
    store.write(*chain_graph())
    return store


def ends(edges: list[Edge]) -> list[tuple[str, str, str]]:
    return [(e.source, e.type, e.target) for e in edges]


# -- replace ----------------------------------------------------------------------------


def test_replace_makes_an_entity_exactly_the_given_properties(store: GraphStore) -> None:
    store.write([person("p1", "ก", role="leader", year=2008)], [])
    merged = store.write([person("p1", "ก", sector="state")], [])
    assert merged.nodes_updated == 1
    assert store.get_nodes(["p1"])["p1"].props == {
        "name": "ก",
        "role": "leader",
        "year": 2008,
        "sector": "state",
    }
    version = store.version()
    replaced = store.write([person("p1", "ข", year=2009)], [], replace=True)
    assert (replaced.nodes_updated, replaced.nodes_unchanged) == (1, 0)
    assert replaced.version == store.version() == version + 1
    assert store.get_nodes(["p1"])["p1"].props == {"name": "ข", "year": 2009}
    again = store.write([person("p1", "ข", year=2009)], [], replace=True)
    assert (again.nodes_updated, again.nodes_unchanged, again.version) == (0, 1, version + 1)


def test_replace_without_a_name_drops_it_from_name_lookups(store: GraphStore) -> None:
    store.write([person("p1", "นาง สมศรี", role="leader")], [])
    store.write([Node("p1", "Person", {"role": "leader"})], [], replace=True)
    assert store.get_nodes(["p1"])["p1"].props == {"role": "leader"}
    assert store.find_by_name(normalise_name("นาง สมศรี")) == []
    assert store.search_names("สมศรี") == []
    assert store.search_names("p1") == [("p1", "")]


def test_replace_makes_a_relationship_exactly_the_given_properties(chain: GraphStore) -> None:
    version = chain.version()
    merged = chain.write([], [Edge("p1", "MEMBER_OF", "o1", {"since": 2010})])
    assert merged.edges_updated == 1
    assert chain.get_edges([P1_O1])[P1_O1].props == {"capacity": "personal", "since": 2010}
    replaced = chain.write([], [Edge("p1", "MEMBER_OF", "o1", {"role": "chair"})], replace=True)
    assert (replaced.edges_created, replaced.edges_updated) == (0, 1)
    assert replaced.version == version + 2
    assert chain.get_edges([P1_O1])[P1_O1].props == {"role": "chair"}
    emptied = chain.write([], [Edge("p1", "MEMBER_OF", "o1")], replace=True)
    assert emptied.edges_updated == 1
    assert chain.get_edges([P1_O1])[P1_O1].props == {}
    # the other relationships keep theirs
    assert chain.get_edges([O1_N1])[O1_N1].props == {"capacity": "institutional"}
    assert chain.stats().relationships == {"MEMBER_OF": 3, "WORKS_FOR": 1, "LOCATED_IN": 1}


# -- delete -----------------------------------------------------------------------------


def test_deleting_an_entity_takes_every_relationship_it_has(chain: GraphStore) -> None:
    version = chain.version()
    result = chain.delete(node_ids=["o1"])
    # o1 had three: p1 -> o1, o1 -> n1, o1 -> a1
    assert result.to_dict() == {
        "nodes": {"created": 0, "updated": 0, "unchanged": 0, "deleted": 1},
        "relationships": {"created": 0, "updated": 0, "unchanged": 0, "deleted": 3},
        "version": version + 1,
    }
    assert chain.version() == version + 1
    assert chain.get_nodes(["o1", "p1"]).keys() == {"p1"}
    assert chain.edges_of("p1") == []
    stats = chain.stats()
    assert stats.nodes == {"Person": 2, "Organisation": 1, "Network": 1, "Area": 1}
    assert stats.relationships == {"MEMBER_OF": 1, "WORKS_FOR": 1}


def test_a_relationship_between_two_deleted_entities_counts_once(chain: GraphStore) -> None:
    # o2: o2 -> n1, p2 -> o2; n1: o1 -> n1, o2 -> n1 (the same one as o2's): three in all
    result = chain.delete(node_ids=["o2", "n1", "o2"])
    assert (result.nodes_deleted, result.edges_deleted) == (2, 3)
    assert sorted(chain.ids_of()) == ["a1", "o1", "p1", "p2"]
    assert chain.stats().relationships == {"MEMBER_OF": 1, "LOCATED_IN": 1}


def test_deleting_relationships_by_key_keeps_their_ends(chain: GraphStore) -> None:
    version = chain.version()
    result = chain.delete(edge_keys=[P1_O1, O1_A1, NOWHERE])
    assert (result.nodes_deleted, result.edges_deleted) == (0, 2)
    assert result.version == chain.version() == version + 1
    assert len(chain.ids_of()) == 6
    assert chain.get_edges([P1_O1, O1_A1]) == {}
    assert chain.stats().relationships == {"MEMBER_OF": 2, "WORKS_FOR": 1}


def test_a_relationship_named_and_attached_counts_once(chain: GraphStore) -> None:
    result = chain.delete(node_ids=["o2"], edge_keys=[P2_O2])
    assert (result.nodes_deleted, result.edges_deleted) == (1, 2)
    assert chain.stats().relationships == {"MEMBER_OF": 2, "LOCATED_IN": 1}


def test_deleting_nothing_that_exists_keeps_the_version(chain: GraphStore) -> None:
    version = chain.version()
    for result in (
        chain.delete(node_ids=["nobody"], edge_keys=[NOWHERE]),
        chain.delete(),
    ):
        assert (result.nodes_deleted, result.edges_deleted, result.changed) == (0, 0, 0)
        assert result.version == version
    assert chain.version() == version
    assert len(chain.ids_of()) == 6


def test_a_relationship_with_its_own_id_is_deleted_by_that_key(store: GraphStore) -> None:
    own = edge_key("f1", "FUNDS", "o1", "r2008")
    store.write(
        [Node("f1", "Fund", {"name": "กองทุน"}), Node("o1", "Organisation", {"name": "o1"})],
        [Edge("f1", "FUNDS", "o1", {"id": "r2008", "year": 2008}, own)],
    )
    assert store.delete(edge_keys=[edge_key("f1", "FUNDS", "o1")]).edges_deleted == 0
    assert store.delete(edge_keys=[own]).edges_deleted == 1
    assert store.stats().relationships == {}


# -- relationship lookups ---------------------------------------------------------------


def test_get_edges_returns_the_ones_that_exist(chain: GraphStore) -> None:
    found = chain.get_edges([P1_O1, O1_A1, NOWHERE, P1_O1])
    assert sorted(found) == sorted([P1_O1, O1_A1])
    assert ends([found[P1_O1]]) == [("p1", "MEMBER_OF", "o1")]
    assert found[P1_O1].props == {"capacity": "personal"}
    assert found[O1_A1].props == {}
    assert found[O1_A1].key == O1_A1
    assert chain.get_edges([]) == {}


def test_find_edges_by_each_filter_sorted_by_key(chain: GraphStore) -> None:
    everything = chain.find_edges()
    assert [e.key for e in everything] == sorted([P1_O1, O1_N1, O2_N1, P2_O2, O1_A1])
    assert ends(chain.find_edges(source="o1")) == [
        ("o1", "LOCATED_IN", "a1"),
        ("o1", "MEMBER_OF", "n1"),
    ]
    assert ends(chain.find_edges(target="n1")) == [
        ("o1", "MEMBER_OF", "n1"),
        ("o2", "MEMBER_OF", "n1"),
    ]
    assert ends(chain.find_edges(type="MEMBER_OF")) == [
        ("o1", "MEMBER_OF", "n1"),
        ("o2", "MEMBER_OF", "n1"),
        ("p1", "MEMBER_OF", "o1"),
    ]
    assert ends(chain.find_edges(source="o1", type="MEMBER_OF")) == [("o1", "MEMBER_OF", "n1")]
    assert ends(chain.find_edges(source="o1", target="a1")) == [("o1", "LOCATED_IN", "a1")]
    assert ends(chain.find_edges(type="WORKS_FOR", target="o2")) == [("p2", "WORKS_FOR", "o2")]
    assert ends(chain.find_edges("p2", "WORKS_FOR", "o2")) == [("p2", "WORKS_FOR", "o2")]
    assert chain.find_edges(source="o1", type="WORKS_FOR") == []
    assert chain.find_edges(type="WORKS_FOR", target="n1") == []
    assert chain.find_edges(source="nobody") == []
    assert chain.find_edges(type="FUNDS") == []
    assert chain.find_edges(source="o1")[1].props == {"capacity": "institutional"}


# -- name search ------------------------------------------------------------------------


def test_search_names_finds_thai_names_that_contain_the_text(chain: GraphStore) -> None:
    assert sorted(chain.search_names(normalise_name("สม"))) == [
        ("p1", normalise_name("นางสาว สมศรี ใจดี")),
        ("p2", normalise_name("นาย สมชาย")),
    ]
    assert chain.search_names(normalise_name("ใจดี")) == [("p1", "นางสาวสมศรีใจดี")]
    # Thai digits are normalised on both sides
    assert chain.search_names(normalise_name("กขป.เขต ๑๒")) == [("n1", "เครือข่ายกขป.เขต 12")]
    assert chain.search_names(normalise_name("ไม่มีชื่อนี้")) == []
    # the text is matched as it is, never as a pattern
    assert chain.search_names("%") == []
    assert chain.search_names("_") == []


def test_search_names_finds_an_exact_id(chain: GraphStore) -> None:
    assert chain.search_names("o2") == [("o2", normalise_name("อบต. ลาโละ"))]
    assert chain.search_names("o") == []


def test_search_names_only_in_the_kinds_given(chain: GraphStore) -> None:
    text = normalise_name("สม")
    assert sorted(i for i, _ in chain.search_names(text, kinds=["Person"])) == ["p1", "p2"]
    assert chain.search_names(text, kinds=["Organisation", "Network"]) == []
    assert chain.search_names("a1", kinds=["Area"]) == [("a1", "พัทลุง")]
    assert chain.search_names("a1", kinds=["Person"]) == []
    assert chain.search_names("a1", kinds=[]) == []


# -- secret -----------------------------------------------------------------------------


def reopen(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    """The same store opened a second time (a restart, or another process)."""
    if isinstance(store, EmbeddedStore):
        return EmbeddedStore(store.path)
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = request.getfixturevalue("neo4j_server")
    return Neo4jStore(url, user, password)


def test_the_secret_is_made_once_and_kept(
    store: GraphStore, request: pytest.FixtureRequest
) -> None:
    secret = store.secret()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert store.secret() == secret
    store.write(*chain_graph())
    store.clear()
    again = reopen(store, request)
    try:
        assert again.secret() == secret
    finally:
        again.close()


# -- query timeout ----------------------------------------------------------------------

SLOW_SQL = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c"
)


def assert_timeout_error(error: QueryTimeout, seconds: str) -> None:
    assert isinstance(error, StoreUnavailable)
    assert (error.code, error.http_status, error.exit_code) == ("query_timeout", 503, 3)
    assert f"query timeout of {seconds} s" in error.message
    assert "GRAPH_QUERY_TIMEOUT" in error.message


def test_embedded_store_stops_a_query_past_the_timeout(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "slow.db", query_timeout=0.05)
    try:
        store.write(*chain_graph())
        with pytest.raises(QueryTimeout) as raised:
            store._query(SLOW_SQL)
        assert_timeout_error(raised.value, "0.05")
        # the next statement has its own allowance
        store.ping()
        assert len(store.ids_of()) == 6
        assert store.delete(node_ids=["p2"]).nodes_deleted == 1
        # other errors stay plain StoreUnavailable
        with pytest.raises(StoreUnavailable) as other:
            store._query("SELECT * FROM no_such_table")
        assert not isinstance(other.value, QueryTimeout)
    finally:
        store.close()


def test_open_store_passes_the_query_timeout(tmp_path: Path) -> None:
    settings = Settings(query_timeout=0.25)
    store = open_store(str(tmp_path / "g.db"), settings)
    try:
        assert isinstance(store, EmbeddedStore)
        assert store.query_timeout == 0.25
    finally:
        store.close()
    from graph_service.store.neo4j_store import Neo4jStore

    neo = open_store("bolt://127.0.0.1:9", Settings(query_timeout=0))
    try:
        assert isinstance(neo, Neo4jStore)
        assert neo.query_timeout == 0
    finally:
        neo.close()


@pytest.mark.neo4j
def test_neo4j_store_stops_a_transaction_past_the_timeout(
    neo4j_server: tuple[str, str, str],
) -> None:
    from graph_service.store.catalog import Catalog, parse_query
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = neo4j_server
    store = Neo4jStore(url, user, password, query_timeout=0.5)
    slow = parse_query(
        "test/slow_sum",
        "// Returns the sum of a billion numbers' odd sevenths: slow on purpose.\n"
        "// mode: read\n// params: none\n"
        "UNWIND range(1, 1000000000) AS i WITH i WHERE i % 7 = 3 RETURN sum(i) AS n",
    )
    names = store.catalog.names()
    store.catalog = Catalog({**{n: store.catalog[n] for n in names}, slow.name: slow})
    try:
        with pytest.raises(QueryTimeout) as raised:
            store._execute("test/slow_sum")  # one statement (execute_query)
        assert_timeout_error(raised.value, "0.5")
        with pytest.raises(QueryTimeout):  # a managed transaction (execute_read)
            store._transaction(lambda tx: store._run(tx, "test/slow_sum"), "test/slow_sum")
        store.ping()
    finally:
        store.close()


# -- writes at an expected version -----------------------------------------------------


def test_a_write_at_a_stale_version_writes_nothing(chain: GraphStore) -> None:
    from graph_service.errors import VersionChanged

    version = chain.version()
    written = chain.write([person("p9", "เก้า")], [], expected_version=version)
    assert written.version == version + 1
    with pytest.raises(VersionChanged) as stale:
        chain.write([person("p10", "สิบ")], [], expected_version=version)
    assert stale.value.details == {"version": version + 1}
    assert stale.value.http_status == 412
    assert chain.get_nodes(["p10"]) == {}
    with pytest.raises(VersionChanged):
        chain.delete(node_ids=["p9"], expected_version=version)
    assert set(chain.get_nodes(["p9"])) == {"p9"}
    assert chain.version() == version + 1
    gone = chain.delete(node_ids=["p9"], expected_version=version + 1)
    assert (gone.nodes_deleted, gone.version) == (1, version + 2)

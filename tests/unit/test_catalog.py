"""The Cypher catalog: headers checked against bodies, and the mode picks the routing."""

from __future__ import annotations

import pytest

from graph_service.store.catalog import Catalog, CatalogError, parse_query


def query(body: str, params: str = "none", mode: str = "read", bound: str = "") -> str:
    header = f"// Returns something.\n// mode: {mode}\n// params: {params}\n"
    if bound:
        header += f"// bound: {bound}\n"
    return header + body


def test_a_string_holding_two_slashes_is_not_a_comment() -> None:
    q = parse_query("t/url", query("RETURN 'http://x' AS u, $a", "$a"))
    assert q.params == {"a"}
    q = parse_query("t/url2", query('RETURN "http://x" AS u, $a // and $b', "$a"))
    assert q.params == {"a"}


def test_parameters_inside_strings_names_and_comments_are_not_parameters() -> None:
    body = "RETURN '$no' AS a, `$nor` AS b, $yes AS c /* $neither */ // $nor_this"
    assert parse_query("t/quoted", query(body, "$yes")).params == {"yes"}
    with pytest.raises(CatalogError, match=r"declared but not used: \['no'\]"):
        parse_query("t/quoted2", query("RETURN '$no' AS a", "$no"))


def test_a_quote_inside_a_comment_does_not_open_a_string() -> None:
    body = "MATCH (n) // the entity's id\nWHERE n.id = $id RETURN n"
    assert parse_query("t/apostrophe", query(body, "$id")).params == {"id"}


def test_a_parameter_used_but_not_declared_fails() -> None:
    with pytest.raises(CatalogError, match=r"used but not declared: \['b'\]"):
        parse_query("t/missing", query("RETURN $a, $b", "$a"))


def catalog_of(**sources: str) -> Catalog:
    return Catalog({n: parse_query(n, s) for n, s in sources.items()})


def test_the_mode_picks_the_routing() -> None:
    catalog = catalog_of(
        read=query("MATCH (n) RETURN n"),
        write=query("CREATE (n) RETURN n", mode="write"),
        schema=query("CREATE INDEX i IF NOT EXISTS FOR (n:X) ON (n.id)", mode="schema"),
    )
    assert catalog.routing("read") == "read"
    assert catalog.routing("write") == "write"
    assert catalog.routing("schema") == "write"
    assert catalog.routing("read", "write") == "write"
    assert catalog.routing("read", "read") == "read"
    with pytest.raises(ValueError):
        catalog.routing()


def test_every_statement_of_the_store_routes_as_its_mode_says() -> None:
    catalog = Catalog.load()
    for name in catalog.names():
        want = "read" if catalog[name].mode == "read" else "write"
        assert catalog.routing(name) == want, name
    assert catalog.routing("graph/distances") == "read"
    assert catalog.routing("write/upsert_nodes") == "write"
    assert catalog.routing("meta/lock_graph") == "write"


def test_a_bound_is_written_into_the_text_as_a_whole_number() -> None:
    q = parse_query(
        "t/bound", query("MATCH p = (s {id: $id})-[*1..$d]-() RETURN p", "$id", bound="$d")
    )
    assert (q.params, q.bounds) == ({"id"}, {"d"})
    catalog = Catalog({q.name: q})
    assert catalog.check_params("t/bound", {"id": "x", "d": 3}) is q
    assert q.render({"id": "x", "d": 3}) == (
        "MATCH p = (s {id: $id})-[*1..3]-() RETURN p",
        {"id": "x"},
    )
    for bad in ("3", 2.0, -1, True, 101):
        with pytest.raises(ValueError, match="whole number"):
            q.render({"id": "x", "d": bad})
    with pytest.raises(ValueError, match="takes"):
        catalog.check_params("t/bound", {"id": "x"})
    with pytest.raises(CatalogError, match="not used"):
        parse_query("t/unused", query("RETURN 1 AS n", bound="$d"))

"""Plain factory functions for small graphs that can be checked by hand."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from graph_service.domain import Edge, Node


def person(id: str, name: str | None = None, **props: object) -> Node:
    return Node(id, "Person", {"name": name or id, **props})  # type: ignore[dict-item]


def organisation(id: str, name: str | None = None, **props: object) -> Node:
    return Node(id, "Organisation", {"name": name or id, **props})  # type: ignore[dict-item]


def network(id: str, name: str | None = None, **props: object) -> Node:
    return Node(id, "Network", {"name": name or id, **props})  # type: ignore[dict-item]


def chain_graph() -> tuple[list[Node], list[Edge]]:
    """p1 -MEMBER_OF-> o1 -MEMBER_OF-> n1 <-MEMBER_OF- o2 <-WORKS_FOR- p2, and o1 -PART_OF-> a1.

    Distances from p1 (ties read both ways): o1 1; n1, a1 2; o2 3; p2 4.
    """
    nodes = [
        person("p1", "นางสาว สมศรี ใจดี"),
        person("p2", "นาย สมชาย"),
        organisation("o1", "สำนักงานพัฒนาสังคมจังหวัด", admin_level="provincial"),
        organisation("o2", "อบต. ลาโละ", admin_level="subdistrict"),
        network("n1", "เครือข่าย กขป.เขต ๑๒", admin_level="provincial"),
        Node("a1", "Area", {"name": "พัทลุง", "admin_level": "provincial", "code": "93"}),
    ]
    edges = [
        Edge("p1", "MEMBER_OF", "o1", {"capacity": "personal"}),
        Edge("o1", "MEMBER_OF", "n1", {"capacity": "institutional"}),
        Edge("o2", "MEMBER_OF", "n1"),
        Edge("p2", "WORKS_FOR", "o2"),
        Edge("o1", "LOCATED_IN", "a1"),
    ]
    return nodes, edges


_GRAPH_DATA = re.compile(r'<script type="application/json" id="graph-data">(.*?)</script>', re.S)


def page_data(page: str) -> dict:
    """The graph JSON a map page embeds (exactly one block), parsed back."""
    found = _GRAPH_DATA.findall(page)
    assert len(found) == 1, f"{len(found)} graph-data blocks in the page"
    return json.loads(found[0])  # type: ignore[no-any-return]


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


# -- datasets on disk and the command line, for the fault, concurrency and fuzz tests --------


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A UTF-8 CSV file as a spreadsheet program would save it."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def people_dataset(folder: Path, people: range, orgs: int, tag: str) -> Path:
    """A dataset folder: organisations ``o0``…``o{orgs-1}``; the people ``p{i}`` for ``i`` in
    ``people``, each MEMBER_OF ``o{i % orgs}`` (the ``organisation_id`` shorthand); and a
    KNOWS chain ``p{i} -> p{i+1}`` along ``people``.

    So it holds ``len(people) + orgs`` entities, ``len(people)`` MEMBER_OF and
    ``len(people) - 1`` KNOWS relationships. Every entity's name, ``role`` (people) and
    ``note``, and every KNOWS ``note``, carry ``tag``, so two datasets over the same ids
    differ in every property but the id.
    """
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "organisations.csv",
        ["id", "name", "note"],
        ([f"o{j}", f"องค์กร {j} {tag}", tag] for j in range(orgs)),
    )
    write_csv(
        folder / "people.csv",
        ["id", "name", "role", "note", "organisation_id"],
        ([f"p{i}", f"คน {i} {tag}", f"role-{tag}", tag, f"o{i % orgs}"] for i in people),
    )
    write_csv(
        folder / "relationships.csv",
        ["source", "target", "type", "note"],
        ([f"p{i}", f"p{i + 1}", "KNOWS", tag] for i in people if i + 1 in people),
    )
    return folder


def cli_path() -> str:
    """The ``graph-service`` command of the running interpreter's environment."""
    return str(Path(sys.executable).parent / "graph-service")


def distinct_counts(location: str | Path, password: str | None = None) -> dict[str, int]:
    """Entities and relationships counted straight from the database, each twice: all of
    them, and the distinct ids / keys. ``location``: an embedded store's file, or a Neo4j
    ``bolt://`` URL (user neo4j, ``password``)."""
    if str(location).startswith(("bolt://", "neo4j://")):
        import neo4j

        with neo4j.GraphDatabase.driver(str(location), auth=("neo4j", password or "")) as d:
            n = d.execute_query(
                "MATCH (n:Entity) RETURN count(n) AS all, count(DISTINCT n.id) AS distinct"
            ).records[0]
            r = d.execute_query(
                "MATCH (:Entity)-[r]->(:Entity) "
                "RETURN count(r) AS all, count(DISTINCT r.key) AS distinct"
            ).records[0]
            return {
                "entities": n["all"],
                "entity_ids": n["distinct"],
                "relationships": r["all"],
                "relationship_keys": r["distinct"],
            }
    db = sqlite3.connect(location)
    try:
        n = db.execute("SELECT count(*), count(DISTINCT id) FROM nodes").fetchone()
        r = db.execute("SELECT count(*), count(DISTINCT key) FROM edges").fetchone()
    finally:
        db.close()
    return {
        "entities": n[0],
        "entity_ids": n[1],
        "relationships": r[0],
        "relationship_keys": r[1],
    }

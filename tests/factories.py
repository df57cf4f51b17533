"""Plain factory functions for small graphs that can be checked by hand."""

from __future__ import annotations

import json
import re

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

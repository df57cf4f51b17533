"""Ties by their own properties: which relationships reached local policy, which are formal,
which request is still waiting (QUESTIONS.md A7; the tie-attribute filter).

A tie filter is one or more terms ``ATTR=V1,V2`` (CONTRACT.md section 2b's filter syntax),
all of which must hold; a term holds when the relationship's property ``ATTR`` is any of the
values, compared as the importer reads a cell (case, spacing and Thai digits do not matter;
numbers as numbers). ``type=T1,T2`` holds for relationships of those types; ``direction=``
for the stated or derived direction (``horizontal``, ``vertical``; placement has none).
``--types`` restricts the types as in the other verbs. With no term every relationship of
those types is listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from graph_service import budget
from graph_service.analysis.common import check_types
from graph_service.analysis.filters import Term, parse_filter, value_holds
from graph_service.domain import Edge, Node, direction_of
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

#: how many ties the document lists by default (the count is always complete)
DEFAULT_LIMIT = 1000


def _holds(term: Term, edge: Edge, nodes: dict[str, Node]) -> bool:
    if term.attribute == "type":
        return any(edge.type == str(v).upper() for v in term.values)
    if term.attribute == "direction":
        return value_holds(term, direction_of(edge, nodes))
    return value_holds(term, edge.props.get(term.attribute))


def ties(
    store: GraphStore,
    where: str | Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    breakdown: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The ``ties`` document: ``{"where", "types", "count", "truncated", "ties": [{"source",
    "source_name", "type", "target", "target_name", "direction", "properties"}],
    "breakdown"}``, ties sorted by (source, type, target, key); ``breakdown`` (with an
    attribute): ``{value: count}`` over every matching tie, ``null`` for those without it.
    """
    if limit < 0:
        raise InvalidInput(f"limit must be 0 or more, not {limit}", {"limit": limit})
    flt = parse_filter(where)
    kinds = check_types(types)
    terms = flt.terms if flt is not None else ()
    for term in terms:
        if term.attribute in ("kind", "level", "tag", "within", "id"):
            raise InvalidInput(
                f"filter term {term.text!r}: {term.attribute}= chooses entities, not ties; "
                "a tie term names a property of the relationship (e.g. formality=formal), "
                "type= or direction=",
                {"term": term.text},
            )
    edges: list[Edge] = []
    wanted: list[str | None] = list(kinds) if kinds else [None]
    for type_ in wanted:
        edges.extend(store.find_edges(type=type_))
        budget.check()
    need_nodes = any(t.attribute == "direction" for t in terms)
    ends = sorted({x for e in edges for x in (e.source, e.target)}) if need_nodes else []
    nodes = store.get_nodes(ends) if need_nodes else {}
    found = [e for e in edges if all(_holds(t, e, nodes) for t in terms)]
    found.sort(key=lambda e: (e.source, e.type, e.target, e.key))
    shown = found[:limit]
    names = store.get_nodes(sorted({x for e in shown for x in (e.source, e.target)}))
    if not need_nodes:
        nodes = names
    doc: dict[str, Any] = {
        "where": flt.text if flt is not None else [],
        "types": kinds,
        "count": len(found),
        "truncated": len(found) > len(shown),
        "ties": [
            {
                "source": e.source,
                "source_name": names[e.source].name if e.source in names else None,
                "type": e.type,
                "target": e.target,
                "target_name": names[e.target].name if e.target in names else None,
                "direction": direction_of(e, nodes) if e.source in nodes else None,
                "properties": dict(sorted(e.props.items())),
            }
            for e in shown
        ],
        "breakdown": None,
    }
    if breakdown:
        counts: Counter[str | None] = Counter()
        for e in found:
            value = e.props.get(breakdown)
            values = value if isinstance(value, list) else [value]
            for v in values:
                counts[None if v is None or v == "" else str(v)] += 1
        doc["breakdown"] = {
            k: counts[k] for k in sorted(counts, key=lambda k: (k is None, k or ""))
        }
    return doc

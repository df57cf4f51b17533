"""Entity look-ups shared by the command line and the HTTP API."""

from __future__ import annotations

from typing import Any

from graph_service.domain import Node, direction_of, normalise_name
from graph_service.errors import NotFound
from graph_service.store.base import GraphStore


def resolve_entity(store: GraphStore, ref: str) -> Node:
    """The entity whose id is ``ref``, or else the one entity whose normalised name is."""
    node = store.get_nodes([ref]).get(ref)
    if node is None:
        matches = store.find_by_name(normalise_name(ref))
        if len(matches) > 1:
            ids = ", ".join(m.id for m in matches[:10])
            raise NotFound(
                f"no entity has the id {ref!r}; {len(matches)} entities have that name: {ids}",
                {"candidates": [m.id for m in matches]},
            )
        if not matches:
            raise NotFound(f"no entity has the id or name {ref!r}")
        node = matches[0]
    return node


def describe_entity(
    store: GraphStore, ref: str, offset: int = 0, limit: int | None = None
) -> dict[str, Any]:
    """The ``show`` document (CONTRACT.md section 3) for an id, or else a unique name.

    With ``limit``, ``relationships`` holds only that many (after the first ``offset``, in
    the order of the document: type, source, target, key), read so from the store, and
    ``relationships_total`` counts them all: a hub's million relationships are paged, not
    sent at once."""
    node = resolve_entity(store, ref)
    edges = store.edges_of(node.id, offset, limit)
    others = store.get_nodes({e.target if e.source == node.id else e.source for e in edges})
    others[node.id] = node
    relationships = []
    if limit is None:  # the whole list, in the document's order of the ids shown
        edges = sorted(edges, key=lambda e: (e.type, e.source, e.target, e.key))
    for edge in edges:
        outgoing = edge.source == node.id
        relationships.append(
            {
                "type": edge.type,
                "direction": direction_of(edge, others),
                "other": edge.target if outgoing else edge.source,
                "outgoing": outgoing,
                "properties": edge.props,
            }
        )
    document: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "level": node.level,
        "properties": node.props,
        "relationships": relationships,
    }
    if limit is not None:
        whole = offset == 0 and len(edges) < limit  # the first page holds them all
        document["relationships_total"] = len(edges) if whole else store.count_edges_of(node.id)
    return document

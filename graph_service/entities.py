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


def describe_entity(store: GraphStore, ref: str) -> dict[str, Any]:
    """The ``show`` document (CONTRACT.md section 3) for an id, or else a unique name."""
    node = resolve_entity(store, ref)
    edges = store.edges_of(node.id)
    others = store.get_nodes({e.target if e.source == node.id else e.source for e in edges})
    others[node.id] = node
    relationships = []
    for edge in sorted(edges, key=lambda e: (e.type, e.source, e.target, e.key)):
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
    return {
        "id": node.id,
        "kind": node.kind,
        "name": node.name,
        "level": node.level,
        "properties": node.props,
        "relationships": relationships,
    }

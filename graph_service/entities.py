"""Entity look-ups shared by the command line and the HTTP API."""

from __future__ import annotations

import difflib
from typing import Any

from graph_service.domain import Node, direction_of, normalise_name
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

#: the message of a question asked of a graph with no entity at all (every analysis verb)
EMPTY_GRAPH = "the graph is empty: import a dataset first"
#: how many close ids or names "did you mean" offers
SUGGESTIONS = 5


def require_graph(store: GraphStore) -> None:
    """Raise ``InvalidInput`` (exit status 1, HTTP 422) when the store holds no entity: an
    analysis of an empty graph answers nothing, whichever verb asks."""
    if not any(store.stats().nodes.values()):
        raise InvalidInput(EMPTY_GRAPH)


def suggest_entities(store: GraphStore, ref: str, n: int = SUGGESTIONS) -> list[dict[str, str]]:
    """The entities whose id or normalised name is closest to ``ref`` (at most ``n``,
    ``{"id", "name"}``), best first and ties by id: ``difflib.SequenceMatcher`` 's ratio
    (Ratcliff/Obershelp, as ``difflib.get_close_matches``) of at least 0.6 between ``ref``
    and the id, or between ``normalise_name(ref)`` and the normalised name."""
    pairs = store.search_names("")  # every entity: (id, name key)
    scored: dict[str, float] = {}
    for i, score in _close(ref, [i for i, _ in pairs]):
        scored[i] = max(scored.get(i, 0.0), score)
    by_key: dict[str, list[str]] = {}
    for i, key in pairs:
        if key:
            by_key.setdefault(key, []).append(i)
    for key, score in _close(normalise_name(ref), list(by_key)):
        for i in by_key[key]:
            scored[i] = max(scored.get(i, 0.0), score)
    best = sorted(scored, key=lambda i: (-scored[i], i))[:n]
    nodes = store.get_nodes(best)
    return [{"id": i, "name": nodes[i].name} for i in best if i in nodes]


def _close(word: str, candidates: list[str], cutoff: float = 0.6) -> list[tuple[str, float]]:
    """Every candidate whose similarity ratio to ``word`` is at least ``cutoff``, with it
    (the cheap upper bounds first, as ``difflib.get_close_matches`` does)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    found = []
    for text in candidates:
        matcher.set_seq1(text)
        if (
            matcher.real_quick_ratio() >= cutoff
            and matcher.quick_ratio() >= cutoff
            and (ratio := matcher.ratio()) >= cutoff
        ):
            found.append((text, ratio))
    return found


def not_found(store: GraphStore, ref: str, what: str = "the id or name") -> NotFound:
    """The error for an unknown id or name, with "did you mean" the closest entities (in its
    message and in ``details.did_you_mean``; no details when nothing is close). On an empty
    graph it raises ``InvalidInput`` (``EMPTY_GRAPH``) instead."""
    close = suggest_entities(store, ref)
    if not close:
        require_graph(store)
        return NotFound(f"no entity has {what} {ref!r}")
    shown = ", ".join(f"{c['id']} ({c['name']})" if c["name"] else c["id"] for c in close)
    return NotFound(
        f"no entity has {what} {ref!r}; did you mean {shown}?",
        {"ref": ref, "did_you_mean": close},
    )


def resolve_entity(store: GraphStore, ref: str) -> Node:
    """The entity whose id is ``ref``, or else the one entity whose normalised name is; an
    unknown ``ref`` is ``NotFound`` with the closest ids and names (``not_found``)."""
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
            matches = find_by_alias(store, ref)
        if len(matches) > 1:
            ids = ", ".join(m.id for m in matches[:10])
            raise NotFound(
                f"no entity has the id or name {ref!r}; {len(matches)} entities have it as "
                f"an alias: {ids}",
                {"candidates": [m.id for m in matches]},
            )
        if not matches:
            raise not_found(store, ref)
        node = matches[0]
    return node


def find_by_alias(store: GraphStore, ref: str) -> list[Node]:
    """The areas that list ``ref`` in their ``aliases`` (other ids and names,
    ``|``-separated: the id and name of a dataset's area merged into the geography's, or the
    other names a dataset gives), compared as ids and as normalised names.

    Only Area entities are read (no store indexes aliases, and the merge of places is what
    makes them): a scan of the areas, about 8,500 with the whole geography, made only when
    no id or name matched."""
    wanted = normalise_name(ref)
    found = []
    for node in store.get_nodes(store.ids_of(["Area"])).values():
        value = node.props.get("aliases")
        if not value:
            continue
        parts = value if isinstance(value, list) else str(value).split("|")
        texts = [str(p).strip() for p in parts]
        if ref in texts or wanted in (normalise_name(t) for t in texts):
            found.append(node)
    return sorted(found, key=lambda n: n.id)


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


def _spans(versions: list[tuple[str | None, str | None, Any]]) -> list[dict[str, Any]]:
    """Consecutive versions with the same value as one span ``{"value", "from", "to"}``
    (``to`` None: still holds); versions without the value leave a gap."""
    spans: list[dict[str, Any]] = []
    for start, end, value in versions:
        if value is None:
            continue
        last = spans[-1] if spans else None
        if last is not None and last["value"] == value and last["to"] == start:
            last["to"] = end
        else:
            spans.append({"value": value, "from": start, "to": end})
    return spans


def entity_history(store: GraphStore, ref: str) -> dict[str, Any]:
    """``show ID --history``: every version of the entity (by id or unique name; one that
    has left the network is found by its id) and of its relationships, in recorded time
    (``store.history``): ``{"id", "name", "kind", "versions": [{"from", "to", "kind",
    "properties"}], "properties": {key: [{"value", "from", "to"}]}, "relationships":
    [{"key", "source", "type", "target", "versions": [{"from", "to", "properties"}]}]}``,
    oldest first; ``to`` null is the version that holds now, ``from`` null one recorded
    before history was kept."""
    from graph_service.store.history import history_of

    history = history_of(store)
    try:
        id_ = resolve_entity(store, ref).id
    except NotFound:
        id_ = ref
    node_versions, edge_versions = history.versions_of(id_)
    if not node_versions:
        raise not_found(store, ref)

    def order(start: str | None) -> str:
        return start or ""

    node_versions = sorted(node_versions, key=lambda v: (order(v.rec_from), v.rec_to or "~"))
    keys = sorted({k for v in node_versions for k in v.node.props})
    latest = node_versions[-1].node
    relationships: dict[str, dict[str, Any]] = {}
    for ev in sorted(edge_versions, key=lambda v: (order(v.rec_from), v.rec_to or "~")):
        e = ev.edge
        row = relationships.setdefault(
            e.key,
            {"key": e.key, "source": e.source, "type": e.type, "target": e.target, "versions": []},
        )
        row.update(source=e.source, type=e.type, target=e.target)
        row["versions"].append({"from": ev.rec_from, "to": ev.rec_to, "properties": e.props})
    return {
        "id": id_,
        "name": latest.name,
        "kind": latest.kind,
        "versions": [
            {"from": v.rec_from, "to": v.rec_to, "kind": v.node.kind, "properties": v.node.props}
            for v in node_versions
        ],
        "properties": {
            k: _spans([(v.rec_from, v.rec_to, v.node.props.get(k)) for v in node_versions])
            for k in keys
        },
        "relationships": sorted(
            relationships.values(), key=lambda r: (r["type"], r["source"], r["target"], r["key"])
        ),
    }

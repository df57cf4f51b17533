"""Editing and browsing the graph: ``/api/entities`` and ``/api/relationships``.

Create (POST, 201 with a ``Location``), change (PATCH: only what is given; null removes a
property), delete, and list or search a page at a time. Bodies are checked and normalised by
:mod:`graph_service.editing`, so a value reads as the importer reads the same cell. Each write
is one store transaction and moves the graph's version by one (nothing changed: no move).
``GET /api/entities/{ref}`` (the ``show`` document) is in :mod:`graph_service.routes.graph`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from graph_service.analysis.common import check_kinds, check_types, parse_list
from graph_service.domain import Edge, Node, direction_of, normalise_id, normalise_name
from graph_service.editing import (
    EntityCreate,
    EntityPatch,
    RelationshipCreate,
    RelationshipPatch,
    new_entity,
    new_relationship,
    patched_entity,
    patched_relationship,
)
from graph_service.entities import describe_entity
from graph_service.errors import Conflict, InvalidInput, NotFound, VersionChanged
from graph_service.routes.deps import Store
from graph_service.routes.models import (
    Deleted,
    Direction,
    EntityDocument,
    Open,
    error_responses,
    responses,
)
from graph_service.store.base import GraphStore, WriteResult

router = APIRouter(prefix="/api", tags=["entities and relationships"])


# -- documented shapes (graph_service.routes.models holds the shared ones) ----------------


class EntitySummary(Open):
    id: str
    kind: str
    name: str
    level: Literal["individual", "node", "network"] | None = Field(
        description="the INN level of the kind"
    )


class EntityPage(Open):
    """One page of entities: ``total`` counts every match, ``version`` is the graph's."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "net-node-network",
                            "kind": "Network",
                            "name": "เครือข่ายศูนย์ประสานงาน",
                            "level": "network",
                        }
                    ],
                    "total": 1,
                    "offset": 0,
                    "limit": 50,
                    "version": 1,
                }
            ]
        },
    )

    items: list[EntitySummary]
    total: int = Field(description="every match, on all pages")
    offset: int
    limit: int
    version: int = Field(description="the graph's version when the page was read")


class RelationshipDocument(Open):
    """One relationship: its key (identity), ends, type, direction and properties."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "key": '["area-central", "PART_OF", "area-national"]',
                    "source": "area-central",
                    "type": "PART_OF",
                    "target": "area-national",
                    "direction": "vertical",
                    "properties": {"confidence": "stated", "note": "L131"},
                }
            ]
        },
    )

    key: str = Field(description="its identity; URL-encoded in /api/relationships/{key}")
    source: str
    type: str
    target: str
    direction: Direction | None = Field(
        description="the stated direction, else derived from the admin levels of its ends; "
        "null when neither tells"
    )
    properties: dict[str, Any]


class RelationshipPage(Open):
    """One page of relationships, by key."""

    items: list[RelationshipDocument]
    total: int = Field(description="every match, on all pages")
    offset: int
    limit: int
    version: int = Field(description="the graph's version when the page was read")


def created(model: type[BaseModel], description: str, *errors: int) -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a route that answers 201 with ``model``."""
    return {201: {"model": model, "description": description}} | error_responses(*errors, 503)


# -- parameters ----------------------------------------------------------------------------

#: the most items a page may skip: far beyond any graph, and within the stores' 64-bit integers
MAX_OFFSET = 10**12
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip", examples=[0])]
Limit = Annotated[
    int,
    Query(description="items on the page: 1 to GRAPH_MAX_PAGE (default 1000)", examples=[50]),
]
EntityId = Annotated[str, PathParam(description="the entity's id", examples=["org-eef"])]
RelationshipKey = Annotated[
    str,
    PathParam(
        description="the relationship's key as the list gives it, URL-encoded",
        examples=['["org-eef", "ADMINISTERS", "fund-skills-grant"]'],
    ),
]


#: relationships a show document holds when the request does not say (at most max_page)
SHOW_RELATIONSHIPS = 1000


def check_page(request: Request, limit: int | None, name: str = "limit") -> int:
    """``limit`` when it is 1 to ``GRAPH_MAX_PAGE``; None: the default page (1000, or
    ``GRAPH_MAX_PAGE`` when smaller)."""
    max_page: int = request.app.state.settings.max_page
    if limit is None:
        return min(SHOW_RELATIONSHIPS, max_page)
    if not 1 <= limit <= max_page:
        raise InvalidInput(
            f"{name} must be 1 to {max_page}, got {limit} (GRAPH_MAX_PAGE sets the largest page)",
            [{"location": ["query", name], "reason": f"must be 1 to {max_page}"}],
        )
    return limit


def show_page(
    request: Request, store: GraphStore, ref: str, offset: int = 0, limit: int | None = None
) -> dict[str, Any]:
    """The ``show`` document (CONTRACT.md section 3) with one page of its relationships,
    read so from the store: ``relationships_total`` counts them all and
    ``relationships_next`` is the URL of the next page (null on the last)."""
    limit = check_page(request, limit, "rel_limit")
    document = describe_entity(store, ref, offset, limit)
    following = offset + len(document["relationships"])
    document["relationships_next"] = (
        f"/api/entities/{quote(document['id'], safe='')}?rel_offset={following}&rel_limit={limit}"
        if following < document["relationships_total"]
        else None
    )
    return document


def _deleted(result: WriteResult) -> dict[str, Any]:
    return {
        "deleted": {"entities": result.nodes_deleted, "relationships": result.edges_deleted},
        "version": result.version,
    }


def summary_of(node: Node) -> dict[str, Any]:
    return {"id": node.id, "kind": node.kind, "name": node.name, "level": node.level}


def relationship_doc(edge: Edge, nodes: dict[str, Node]) -> dict[str, Any]:
    """``{"key", "source", "type", "target", "direction", "properties"}``; ``nodes`` holds
    the ends (for the derived direction)."""
    return {
        "key": edge.key,
        "source": edge.source,
        "type": edge.type,
        "target": edge.target,
        "direction": direction_of(edge, nodes),
        "properties": edge.props,
    }


def _relationship_docs(store: GraphStore, edges: list[Edge]) -> list[dict[str, Any]]:
    ends = store.get_nodes({i for e in edges for i in (e.source, e.target)})
    return [relationship_doc(e, ends) for e in edges]


def rank_matches(text: str, matches: list[tuple[str, str]]) -> list[str]:
    """Ids of the matches of a normalised search text, best first: the name is the text (or
    the id is), then the name starts with it, then it is inside the name; ties by id.

    >>> rank_matches("ab", [("x", "cab"), ("b", "abc"), ("a", "abd"), ("y", "ab")])
    ['y', 'a', 'b', 'x']
    """

    def rank(match: tuple[str, str]) -> tuple[int, str]:
        id_, key = match
        if key == text or id_ == text:
            return 0, id_
        return (1 if key.startswith(text) else 2), id_

    best = {m[0]: m for m in sorted(matches, key=rank, reverse=True)}  # keep each id's best
    return [id_ for id_, _ in sorted(best.values(), key=rank)]


# -- entities ------------------------------------------------------------------------------


# -- writes checked against the version ----------------------------------------------------

IfMatch = Annotated[
    str | None,
    Header(
        description='the ETag of a read (W/"12-full") or a version number: write only if '
        "the graph is still at that version, else 412",
        examples=['W/"12-full"'],
    ),
]
#: how often a write is checked again when another write lands between check and write
ATTEMPTS = 3
_ETAG = re.compile(r'\s*(?:W/)?"?(\d+)(?:-[a-z]+)*"?\s*')

T = TypeVar("T")


def checked_write(store: GraphStore, if_match: str | None, attempt: Callable[[int], T]) -> T:
    """``attempt(version)`` makes its checks (the id is free, the ends exist) and writes
    with ``expected_version=version``, so check and write hold together: a write by someone
    else in between refuses it (``VersionChanged``) and it is checked again, up to
    ``ATTEMPTS`` times. With ``If-Match`` the client's version is the one: a graph that
    moved past it is 412 at once."""
    wanted = None
    if if_match is not None:
        match = _ETAG.fullmatch(if_match)
        if match is None:
            raise InvalidInput(
                f"If-Match: {if_match!r} is neither an ETag of this service nor a version"
            )
        wanted = int(match.group(1))
    for _ in range(ATTEMPTS):
        version = store.version()
        if wanted is not None and version != wanted:
            raise VersionChanged(
                f"the graph is at version {version}, not {wanted} (If-Match): read it again "
                "and repeat the change if it still applies",
                {"version": version},
            )
        try:
            return attempt(version)
        except VersionChanged:
            if wanted is not None:
                raise
    raise VersionChanged(
        f"the graph changed {ATTEMPTS} times while this change was checked; send it again"
    )


@router.get(
    "/entities",
    summary="List or search entities, a page at a time",
    description="Without `q`: every entity (of `kind`), by id. With `q`: the entities whose "
    "name holds it, compared as normalised names (Thai digits as ASCII digits, runs of "
    "spaces as one, any case), or whose id is it; an exact name first, then names that "
    "start with it, then names that contain it, ties by id. `total` counts every match; "
    "`version` is the graph's, so a client can tell when pages may have shifted.",
    responses=responses(EntityPage, "a page of entities", 422),
)
def list_entities(
    request: Request,
    store: Store,
    q: Annotated[
        str | None, Query(description="text to find in names", examples=["กขป.เขต ๑๒"])
    ] = None,
    kind: Annotated[
        str | None,
        Query(description="only these kinds, comma-separated", examples=["Organisation,Network"]),
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    check_page(request, limit)
    kinds = check_kinds(parse_list(kind))
    version = store.version()
    text = normalise_name(q or "")
    ids = rank_matches(text, store.search_names(text, kinds)) if text else store.ids_of(kinds)
    page = ids[offset : offset + limit]
    nodes = store.get_nodes(page)
    return {
        "items": [summary_of(nodes[i]) for i in page if i in nodes],
        "total": len(ids),
        "offset": offset,
        "limit": limit,
        "version": version,
    }


@router.post(
    "/entities",
    status_code=201,
    summary="Create an entity",
    description="Creates the entity and answers with its `show` document and a `Location` "
    "header. 409 when the id is taken (change it with PATCH instead). Values are read as the "
    "importer reads a cell: Thai digits, Buddhist Era years, thousands separators.",
    responses=created(EntityDocument, "the new entity's show document", 409, 412, 422),
)
def create_entity(
    request: Request,
    store: Store,
    response: Response,
    body: Annotated[
        EntityCreate,
        Body(
            openapi_examples={
                "organisation": {
                    "summary": "a sub-district health-promoting hospital",
                    "value": {
                        "id": "org-pho-tambon",
                        "kind": "Organisation",
                        "name": "รพ.สต. บ้านนา",
                        "properties": {"admin_level": "subdistrict", "sector": "state"},
                    },
                },
                "person": {
                    "summary": "a person, with consent to be shown",
                    "value": {
                        "id": "person-somsri",
                        "kind": "Person",
                        "name": "สมศรี ใจดี",
                        "properties": {"role": "อสม.", "consent": "ใช่", "tags": "อสม. | ผู้นำ"},
                    },
                },
            }
        ),
    ],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    node = new_entity(body)

    def create(version: int) -> None:
        if store.get_nodes([node.id]):
            raise Conflict(
                f"an entity with the id {node.id!r} exists already; change it with "
                f"PATCH /api/entities/{quote(node.id, safe='')}",
                [{"location": ["body", "id"], "reason": "exists already"}],
            )
        store.write([node], [], expected_version=version)

    checked_write(store, if_match, create)
    response.headers["Location"] = f"/api/entities/{quote(node.id, safe='')}"
    return show_page(request, store, node.id)


@router.patch(
    "/entities/{id:path}",
    summary="Change an entity",
    description="Changes only what the body gives: a new name (the old one is no longer "
    "found by search), a new kind, and properties (null or a blank string removes one). "
    "Answers with the `show` document. The version moves by one when anything changed.",
    responses=responses(EntityDocument, "the changed entity's show document", 404, 412, 422),
)
def update_entity(
    request: Request,
    id: EntityId,
    store: Store,
    body: Annotated[
        EntityPatch,
        Body(
            openapi_examples={
                "rename": {
                    "summary": "a new name, one property removed (null or a blank string)",
                    "value": {
                        "name": "โรงพยาบาลส่งเสริมสุขภาพตำบลบ้านนา",
                        "properties": {"sector": ""},
                    },
                },
                "year": {
                    "summary": "a Buddhist Era year (stored as 2023)",
                    "value": {"properties": {"start_year": "๒๕๖๖"}},
                },
            }
        ),
    ],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    def update(version: int) -> Node:
        node = patched_entity(_entity(store, id), body)
        store.write([node], [], replace=True, expected_version=version)
        return node

    return show_page(request, store, checked_write(store, if_match, update).id)


@router.delete(
    "/entities/{id:path}",
    summary="Delete an entity and its relationships",
    description="Deletes the entity together with every relationship it has, in one "
    "transaction, and says how many of each went.",
    responses=responses(Deleted, "what was deleted, and the version after it", 404, 412),
)
def delete_entity(id: EntityId, store: Store, if_match: IfMatch = None) -> dict[str, Any]:
    def delete(version: int) -> WriteResult:
        node = _entity(store, id)
        return store.delete(node_ids=[node.id], expected_version=version)

    return _deleted(checked_write(store, if_match, delete))


def _entity(store: GraphStore, id: str) -> Node:
    ref = normalise_id(id)
    node = store.get_nodes([ref]).get(ref)
    if node is None:
        raise NotFound(f"no entity has the id {id!r}")
    return node


# -- relationships -------------------------------------------------------------------------


@router.get(
    "/relationships",
    summary="List relationships, a page at a time",
    description="The relationships from `source`, of `type` and to `target` (each optional), "
    "by key. Each item's `key` is its identity: use it, URL-encoded, in "
    "`/api/relationships/{key}`.",
    responses=responses(RelationshipPage, "a page of relationships", 422),
)
def list_relationships(
    request: Request,
    store: Store,
    source: Annotated[
        str | None, Query(description="the source entity's id", examples=["org-eef"])
    ] = None,
    type: Annotated[
        str | None, Query(description="UPPER_SNAKE_CASE type", examples=["MEMBER_OF"])
    ] = None,
    target: Annotated[
        str | None, Query(description="the target entity's id", examples=["net-cbr"])
    ] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    check_page(request, limit)
    types = check_types([type]) if type else None
    version = store.version()
    match = {
        "source": normalise_id(source) if source else None,
        "type": types[0] if types else None,
        "target": normalise_id(target) if target else None,
    }
    # the page is cut in the store (a hub's million relationships are never read out),
    # and counted there
    edges = store.find_edges(**match, offset=offset, limit=limit)
    whole = offset == 0 and len(edges) < limit  # the first page holds every match
    return {
        "items": _relationship_docs(store, edges),
        "total": len(edges) if whole else store.count_edges(**match),
        "offset": offset,
        "limit": limit,
        "version": version,
    }


@router.post(
    "/relationships",
    status_code=201,
    summary="Create a relationship",
    description="Both ends must exist. Without `id` a relationship is its (source, type, "
    "target): 409 when that one exists. With `id` several of one type may join the same "
    "two entities. Answers with the relationship and a `Location` header.",
    responses=created(RelationshipDocument, "the new relationship", 409, 412, 422),
)
def create_relationship(
    store: Store,
    response: Response,
    body: Annotated[
        RelationshipCreate,
        Body(
            openapi_examples={
                "member": {
                    "summary": "a person is a member of an organisation",
                    "value": {
                        "source": "person-somsri",
                        "type": "MEMBER_OF",
                        "target": "org-pho-tambon",
                        "properties": {"capacity": "personal", "start": "2566"},
                    },
                },
                "grant": {
                    "summary": "one of several grants, with its own id",
                    "value": {
                        "source": "fund-skills-grant",
                        "type": "FUNDS",
                        "target": "org-pho-tambon",
                        "id": "grant-2566-01",
                        "properties": {"amount_thb": "๑,๕๐๐,๐๐๐", "year": 2566},
                    },
                },
            }
        ),
    ],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    def create(version: int) -> Edge:
        edge = new_relationship(body, lambda ids: set(store.get_nodes(ids)))
        if store.get_edges([edge.key]):
            raise Conflict(
                f"the relationship {edge.source} -[{edge.type}]-> {edge.target} exists already"
                + (f" with the id {edge.props['id']!r}" if "id" in edge.props else "")
                + "; change it with PATCH, or give the new one its own id",
                [
                    {
                        "location": ["body", "id" if "id" in edge.props else "type"],
                        "reason": "exists",
                    }
                ],
            )
        store.write([], [edge], expected_version=version)
        return edge

    edge = checked_write(store, if_match, create)
    response.headers["Location"] = f"/api/relationships/{quote(edge.key, safe='')}"
    return _relationship_docs(store, [_relationship(store, edge.key)])[0]


@router.get(
    "/relationships/{key:path}",
    summary="One relationship, by its key",
    description="The key as the list gives it, URL-encoded.",
    responses=responses(RelationshipDocument, "the relationship", 404),
)
def get_relationship(key: RelationshipKey, store: Store) -> dict[str, Any]:
    return _relationship_docs(store, [_relationship(store, key)])[0]


@router.patch(
    "/relationships/{key:path}",
    summary="Change a relationship's properties",
    description="Only the properties given change (null or a blank string removes one); "
    "source, type and target are the relationship's identity: delete it and create another "
    "to change them.",
    responses=responses(RelationshipDocument, "the changed relationship", 404, 412, 422),
)
def update_relationship(
    key: RelationshipKey,
    store: Store,
    body: Annotated[
        RelationshipPatch,
        Body(
            openapi_examples={
                "amount": {
                    "summary": "a new amount, a note removed (null or a blank string)",
                    "value": {"properties": {"amount_thb": "1,500,000", "note": ""}},
                }
            }
        ),
    ],
    if_match: IfMatch = None,
) -> dict[str, Any]:
    def update(version: int) -> None:
        edge = patched_relationship(_relationship(store, key), body)
        store.write([], [edge], replace=True, expected_version=version)

    checked_write(store, if_match, update)
    return _relationship_docs(store, [_relationship(store, key)])[0]


@router.delete(
    "/relationships/{key:path}",
    summary="Delete a relationship",
    description="Deletes the one relationship; its ends stay.",
    responses=responses(Deleted, "what was deleted, and the version after it", 404, 412),
)
def delete_relationship(
    key: RelationshipKey, store: Store, if_match: IfMatch = None
) -> dict[str, Any]:
    def delete(version: int) -> WriteResult:
        edge = _relationship(store, key)
        return store.delete(edge_keys=[edge.key], expected_version=version)

    return _deleted(checked_write(store, if_match, delete))


def _relationship(store: GraphStore, key: str) -> Edge:
    edge = store.get_edges([key]).get(key)
    if edge is None:
        raise NotFound(
            f"no relationship has the key {key!r} (keys come from GET /api/relationships)"
        )
    return edge

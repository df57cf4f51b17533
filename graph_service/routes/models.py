"""The shapes of the JSON documents the API answers with, for its OpenAPI page.

They document; they never check at run time. The routes return plain dictionaries (the
brokerage document of 100,000 actors must not pass through pydantic), and the models reach
the routes only as ``responses={200: {"model": ...}}`` in their decorators, never as
``response_model``. Each model names the fields the code always gives (CONTRACT.md section 3
and the extensions of the analysis modules), marks null where the code can give null, and
allows more fields (``extra="allow"``), so the contract can grow without breaking clients.
Each document model carries an example cut from a real answer on the community-occupation
sample (lists shortened to one or two items).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    """A response shape: the fields named are always there; more may come."""

    model_config = ConfigDict(extra="allow")


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="allow", json_schema_extra={"examples": [example]})


Direction = Literal["horizontal", "vertical"]

# -- errors --------------------------------------------------------------------------------


class ErrorDetail(Open):
    code: str = Field(
        description="a stable word: invalid_input, invalid_request, not_found, conflict, "
        "usage, unauthorized, forbidden, payload_too_large, store_unavailable, query_timeout"
    )
    message: str = Field(description="what is wrong and how to put it right, for a person")
    details: Any = Field(
        description="null, or what the code knows: the problems of an invalid request (each "
        "with its location and reason), the candidates of an ambiguous name, ..."
    )


class ErrorBody(Open):
    """Every error: ``{"error": {"code", "message", "details"}}``."""

    model_config = _example(
        {
            "error": {
                "code": "not_found",
                "message": "no entity has the id or name 'org-nowhere'",
                "details": None,
            }
        }
    )

    error: ErrorDetail


ERROR_TEXT = {
    400: "wrong usage, e.g. an unknown export format (code usage)",
    401: "an API key is needed, or the key sent is not valid (code unauthorized)",
    403: "the key's role is too weak for this request (code forbidden)",
    404: "no such entity (code not_found); details.candidates when a name fits several",
    409: "the id or key exists already (code conflict)",
    412: "the graph's version is not the one If-Match names: someone else wrote since it "
    "was read (code version_changed; details.version is the current one)",
    413: "the request body is larger than its limit (code payload_too_large)",
    422: "the request is not valid: a parameter of the wrong type (code invalid_request, "
    "details lists each problem) or a value the question cannot take (code invalid_input)",
    503: "the store does not answer (code store_unavailable) or a query ran longer than "
    "GRAPH_QUERY_TIMEOUT (code query_timeout)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, all with the one error shape."""
    return {s: {"model": ErrorBody, "description": ERROR_TEXT[s]} for s in statuses}


def responses(model: type[BaseModel], description: str, *errors: int) -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a JSON route: 200 with ``model`` (documentation only: the
    route's answer is not validated), the ``errors`` given and 503, which every route that
    reads the store can answer. 401 and 403 are added to every operation by
    :func:`graph_service.openapi.document`, from the access rules."""
    return {200: {"model": model, "description": description}} | error_responses(*errors, 503)


def file_responses(
    description: str, media_types: Iterable[str], *errors: int
) -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a download: 200 in any of ``media_types``, the ``errors``
    given and 503."""
    ok: dict[int | str, Any] = {
        200: {"description": description, "content": {m: {} for m in sorted(set(media_types))}}
    }
    return ok | error_responses(*errors, 503)


def page_responses(*errors: int) -> dict[int | str, Any]:
    """OpenAPI ``responses`` of an HTML page (its 200 comes from ``response_class``)."""
    return error_responses(*errors, 503)


# -- stats and health ------------------------------------------------------------------------


class StatsDocument(Open):
    """``stats``: counts by kind and by relationship type, and the graph's version."""

    model_config = _example(
        {
            "nodes": {"Area": 6, "Fund": 3, "Network": 6, "Organisation": 17, "Person": 6},
            "relationships": {"FUNDS": 7, "MEMBER_OF": 12, "USES": 22},
            "version": 1,
        }
    )

    nodes: dict[str, int] = Field(description="entities by kind")
    relationships: dict[str, int] = Field(description="relationships by type")
    version: int = Field(description="grows by one with every write that changes something")


class StoreInfo(Open):
    engine: str = Field(description="embedded or neo4j")
    location: str = Field(
        description="where the data lives: the embedded store's file name (not its folder), "
        "or the Neo4j URL (never with a password)"
    )


class HealthDocument(Open):
    """``/health``: which store, and whether it answers (``version`` then) or not
    (``error`` then, with status 503)."""

    model_config = _example(
        {
            "store": {"engine": "embedded", "location": "graph.db"},
            "status": "ok",
            "version": 1,
        }
    )

    store: StoreInfo
    status: Literal["ok", "unavailable"]
    version: int | None = Field(None, description="the graph's version, when the store answers")
    error: str | None = Field(None, description="why the store does not answer")


# -- entities --------------------------------------------------------------------------------


class ShownRelationship(Open):
    type: str
    direction: Direction | None = Field(
        description="the relationship's stated direction, else derived from the admin levels "
        "of its ends; null when neither tells"
    )
    other: str = Field(description="the id of the entity at the other end")
    outgoing: bool = Field(description="true when the shown entity is the source")
    properties: dict[str, Any]


class EntityDocument(Open):
    """``show``: one entity with every relationship it has."""

    model_config = _example(
        {
            "id": "org-provider",
            "kind": "Organisation",
            "name": "หน่วยพัฒนาอาชีพ",
            "level": "node",
            "properties": {
                "name": "หน่วยพัฒนาอาชีพ",
                "name_en": "Occupational development units (providers)",
                "aliases": "Provider|หน่วยพัฒนา",
                "tags": ["category"],
            },
            "relationships": [
                {
                    "type": "FUNDS",
                    "direction": None,
                    "other": "fund-skills-grant",
                    "outgoing": False,
                    "properties": {"confidence": "stated", "note": "L100"},
                }
            ],
        }
    )

    id: str
    kind: str
    name: str
    level: Literal["individual", "node", "network"] | None = Field(
        description="the INN level of the kind"
    )
    properties: dict[str, Any]
    relationships: list[ShownRelationship] = Field(
        description="a page of its relationships (`rel_offset`, `rel_limit`; the first 1000 "
        "by default), in the order type, source, target, key"
    )
    relationships_total: int | None = Field(
        None, description="every relationship it has, on all pages"
    )
    relationships_next: str | None = Field(
        None, description="the URL of the next page of its relationships; null on the last"
    )


class DeletedCounts(Open):
    entities: int
    relationships: int


class Deleted(Open):
    """What a delete removed, and the graph's version after it."""

    model_config = _example({"deleted": {"entities": 74, "relationships": 126}, "version": 2})

    deleted: DeletedCounts
    version: int


# -- reach -----------------------------------------------------------------------------------


class ReachedEntity(Open):
    id: str
    kind: str
    name: str
    distance: int = Field(description="steps from the start (from the nearest member)")


class ReachDocument(Open):
    """``reach``: the entities within ``depth`` steps of one entity (ties read both ways);
    ``weighted_reach`` is the sum of 1/distance over them."""

    model_config = _example(
        {
            "id": "person-coordinator",
            "name": "ผู้ประสานงาน",
            "kind": "Person",
            "depth": 1,
            "types": None,
            "kinds": None,
            "direction": "both",
            "where": None,
            "reach": 7,
            "weighted_reach": 7.0,
            "by_kind": {"Person": 2, "Organisation": 2, "Network": 3},
            "by_level": {"individual": 2, "node": 2, "network": 3},
            "by_distance": {"1": 7},
            "nodes": [
                {
                    "id": "net-node-network",
                    "kind": "Network",
                    "name": "เครือข่ายศูนย์ประสานงาน",
                    "distance": 1,
                },
                {
                    "id": "org-provider",
                    "kind": "Organisation",
                    "name": "หน่วยพัฒนาอาชีพ",
                    "distance": 1,
                },
            ],
        }
    )

    id: str
    name: str
    kind: str
    depth: int
    types: list[str] | None = Field(description="the relationship types walked (null: all)")
    kinds: list[str] | None = Field(description="the kinds walked through (null: all)")
    reach: int = Field(description="distinct entities within depth steps, the start excluded")
    weighted_reach: float = Field(description="Σ 1/distance over them")
    by_kind: dict[str, int]
    by_level: dict[str, int] = Field(description="by INN level")
    by_distance: dict[str, int] = Field(description="by distance, keyed by the distance")
    nodes: list[ReachedEntity] = Field(description="by distance, then id")
    direction: Literal["both", "out", "in"] = Field(
        description="arcs read from source to target (out), the other way (in) or both; "
        "placement never goes down again after going up (no sibling areas)"
    )
    where: list[str] | None = Field(description="the filter's terms (null: none)")
    breakdown: dict[str, int] | None = Field(
        None,
        description="with breakdown=ATTR: counts of what was reached by that attribute "
        "(null: without it); absent otherwise",
    )


class GroupMember(Open):
    id: str
    name: str
    kind: str
    reach: int = Field(description="what this member reaches alone")


class GroupReachedEntity(ReachedEntity):
    reached_by: list[str] = Field(description="the members that reach it")


class GroupReachDocument(Open):
    """What a group of actors reaches together within ``depth`` steps, and which targets
    none of them reaches."""

    model_config = _example(
        {
            "ids": ["person-coordinator", "org-provider"],
            "depth": 1,
            "types": None,
            "kinds": None,
            "targets": ["Area"],
            "reach": 1,
            "weighted_reach": 1.0,
            "by_kind": {"Area": 1},
            "members": [
                {"id": "person-coordinator", "name": "ผู้ประสานงาน", "kind": "Person", "reach": 7},
                {"id": "org-provider", "name": "หน่วยพัฒนาอาชีพ", "kind": "Organisation", "reach": 25},
            ],
            "nodes": [
                {
                    "id": "area-target-communities",
                    "kind": "Area",
                    "name": "ชุมชนเป้าหมาย",
                    "distance": 1,
                    "reached_by": ["org-provider"],
                }
            ],
            "not_reached": ["area-central", "area-national"],
        }
    )

    ids: list[str] = Field(description="the members, as resolved ids")
    depth: int
    types: list[str] | None
    kinds: list[str] | None
    targets: list[str] | None = Field(description="the kinds that count (null: every kind)")
    reach: int
    weighted_reach: float
    by_kind: dict[str, int]
    members: list[GroupMember]
    nodes: list[GroupReachedEntity]
    not_reached: list[str] = Field(description="targets no member reaches")


# -- brokerage -------------------------------------------------------------------------------


class RoleValues(Open):
    """A value per Gould–Fernandez role and the total; null where it is undefined (a
    z-score whose standard deviation is 0)."""

    coordinator: float | None
    itinerant: float | None
    representative: float | None
    gatekeeper: float | None
    liaison: float | None
    total: float | None


class RoleTotal(Open):
    observed: int
    expected: float | None
    sd: float | None
    z: float | None


class RoleTotals(Open):
    coordinator: RoleTotal
    itinerant: RoleTotal
    representative: RoleTotal
    gatekeeper: RoleTotal
    liaison: RoleTotal
    total: RoleTotal


class GroupSize(Open):
    group: str | None = Field(description="null: the actors without the attribute")
    actors: int


class Broker(Open):
    id: str
    name: str
    kind: str
    group: str | None
    coordinator: int
    itinerant: int
    representative: int
    gatekeeper: int
    liaison: int
    total: int
    constraint: float | None = Field(description="Burt's constraint; null for an isolate")
    effective_size: float | None = Field(description="Burt's effective size; null for an isolate")
    betweenness: float | None = Field(
        description="normalised betweenness; null when not computed (over 5,000 actors "
        "without betweenness=true)"
    )
    sole_broker_pairs: int = Field(description="ordered pairs only this actor connects")
    expected: RoleValues = Field(description="R sna::brokerage's expected counts")
    z: RoleValues


class BrokerageDocument(Open):
    """``brokerage``: Gould–Fernandez roles of every actor (counts of ordered pairs), with
    R ``sna``'s expected values and z-scores, Burt's constraint and betweenness; actors by
    total, then id."""

    model_config = _example(
        {
            "group_by": "admin_level",
            "directed": True,
            "types": None,
            "actors": 29,
            "ties": 51,
            "groups": [{"group": "national", "actors": 2}, {"group": None, "actors": 16}],
            "totals": {
                role: {"observed": obs, "expected": exp, "sd": sd, "z": z}
                for role, obs, exp, sd, z in (
                    ("coordinator", 44, 12.9545108397, 6.9220628287, 4.4850053992),
                    ("itinerant", 12, 15.3945728129, 6.5999028916, -0.5143367817),
                    ("representative", 53, 15.3945728129, 6.120573869, 6.144101516),
                    ("gatekeeper", 14, 15.3945728129, 6.120573869, -0.2278500093),
                    ("liaison", 12, 21.9161929959, 9.0429767171, -1.0965629246),
                    ("total", 135, 81.0544222743, 22.8929100501, 2.3564316466),
                )
            },
            "notes": ["16 actor(s) have no 'admin_level'; they form the group null"],
            "nodes": [
                {
                    "id": "org-central-team",
                    "name": "ทีมกลาง",
                    "kind": "Organisation",
                    "group": "national",
                    "coordinator": 0,
                    "itinerant": 2,
                    "representative": 3,
                    "gatekeeper": 0,
                    "liaison": 1,
                    "total": 6,
                    "constraint": 0.2871669501,
                    "effective_size": 4.1666666667,
                    "betweenness": 0.0426587302,
                    "sole_broker_pairs": 5,
                    "expected": {
                        "coordinator": 0.0,
                        "itinerant": 1.042571934,
                        "representative": 0.0998207171,
                        "gatekeeper": 0.0998207171,
                        "liaison": 1.5527667102,
                        "total": 2.7949800784,
                    },
                    "z": {
                        "coordinator": None,
                        "itinerant": 0.6094419173,
                        "representative": 5.8878412534,
                        "gatekeeper": -0.2026524841,
                        "liaison": -0.2640138921,
                        "total": 0.9751475095,
                    },
                }
            ],
        }
    )

    group_by: str
    directed: bool
    types: list[str] | None
    actors: int
    ties: int = Field(description="arcs between actors")
    groups: list[GroupSize]
    totals: RoleTotals = Field(description="over the whole graph")
    notes: list[str]
    nodes: list[Broker]


class LostPair(Open):
    from_: str = Field(alias="from")
    to: str
    from_group: str | None
    to_group: str | None


class GroupPair(Open):
    from_: str | None = Field(alias="from")
    to: str | None


class RemovalComponents(Open):
    before: int = Field(description="components among the other actors, with it")
    after: int = Field(description="components among the other actors, without it")


class BrokerImpactDocument(Open):
    """What breaks if a broker leaves: the actors cut off from the rest (chains of any
    length, ties read both ways), the groups that lose every chain between them; and the
    ordered pairs of actors whose only route of one or two steps runs through it, and the
    pairs of groups that lose every such route."""

    model_config = _example(
        {
            "id": "net-node-network",
            "name": "เครือข่ายศูนย์ประสานงาน",
            "group_by": "admin_level",
            "group": "regional",
            "directed": False,
            "brokered_pairs": 98,
            "lost_pairs": 90,
            "pairs": [
                {
                    "from": "net-cbr",
                    "to": "org-central-team",
                    "from_group": None,
                    "to_group": "national",
                }
            ],
            "truncated": False,
            "lost_group_pairs": [],
            "cut_off": [
                "net-cbr",
                "org-node-central",
                "org-node-north",
                "org-node-northeast",
                "org-node-south",
                "person-assistant-coordinator",
            ],
            "cut_off_groups": ["regional", None],
            "disconnected_group_pairs": [],
            "components": {"before": 2, "after": 8},
        }
    )

    id: str
    name: str
    group_by: str
    group: str | None
    brokered_pairs: int
    lost_pairs: int
    pairs: list[LostPair] = Field(description="the first 200 lost pairs")
    truncated: bool = Field(description="true when there are more lost pairs than listed")
    lost_group_pairs: list[GroupPair]
    directed: bool = Field(description="false: the short routes read ties both ways (default)")
    cut_off: list[str] = Field(
        description="the actors its leaving separates from the largest part left of its "
        "component (chains of any length, ties read both ways)"
    )
    cut_off_groups: list[str | None] = Field(description="the groups of those actors, null last")
    disconnected_group_pairs: list[GroupPair] = Field(
        description="pairs of groups with a chain between two members before, none after"
    )
    components: RemovalComponents


class FragilityCutPoint(Open):
    id: str
    name: str
    cut_off: list[str] = Field(
        description="every actor its removal separates from the largest remaining part of "
        "its component"
    )
    groups: list[str | None] = Field(description="the groups of those actors, null last")


class FragilityDocument(Open):
    """``fragility``: the actor graph with ties read both ways; its cut points (most cut off
    first), what each would cut off; bridges; components (largest first, isolates included);
    isolates (actors with no tie to another actor)."""

    model_config = _example(
        {
            "group_by": "admin_level",
            "actors": 29,
            "ties": 43,
            "cut_points": [
                {
                    "id": "person-villager",
                    "name": "ชาวบ้าน",
                    "cut_off": ["net-kinship", "org-community-org"],
                    "groups": ["community"],
                }
            ],
            "bridges": [["net-cbr", "net-node-network"], ["net-kinship", "person-villager"]],
            "components": [["net-cbr", "net-kinship"], ["org-community-shop"]],
            "isolates": ["org-community-shop"],
        }
    )

    group_by: str
    actors: int
    ties: int = Field(description="pairs of actors tied, either way")
    cut_points: list[FragilityCutPoint]
    bridges: list[list[str]] = Field(description="[smaller id, larger id], sorted")
    components: list[list[str]]
    isolates: list[str]


# -- overlap ---------------------------------------------------------------------------------

PairKind = Literal["duplication", "complementary", "unknown"]


class SharedActivity(Open):
    target: str = Field(description="the FUNDS recipient")
    purpose: str | None
    amount_a: float | None = Field(description="baht fund_a pays (null: a figure is missing)")
    amount_b: float | None
    need: float | None = Field(description="need_thb of the activity, when known")
    kind: PairKind


class FundingPath(Open):
    via: str | None = Field(description="the recipient through which the fund reaches it")
    type: str


class SharedPaths(Open):
    target: str
    fund_a: list[FundingPath]
    fund_b: list[FundingPath]


class OverlapPair(Open):
    fund_a: str
    fund_b: str
    shared: list[str]
    jaccard: float
    overlap: float
    weighted_jaccard: float | None = Field(description="null when an amount_thb is missing")
    kind: PairKind
    reason: str
    activities: list[SharedActivity]
    paths: list[SharedPaths]


class CoverageBreakdown(Open):
    by: str = Field(description="the attribute, or the admin level, given")
    level: str | None = Field(
        description="the admin level whose containing area is the value (null: the area's "
        "own attribute)"
    )
    reached: dict[str, int] = Field(description="reached areas per value (null: without it)")
    unreached: dict[str, int]
    names: dict[str, str] = Field(description="the containing areas' names, by id")


class OverlapDocument(Open):
    """``overlap``: pairs of funds that reach the same areas or recipients, most overlapping
    first, each judged duplication, complementary or unknown."""

    model_config = _example(
        {
            "by": "area",
            "scope": None,
            "level": None,
            "funds": 3,
            "pairs": [
                {
                    "fund_a": "fund-project-budget",
                    "fund_b": "fund-skills-grant",
                    "shared": ["area-target-communities"],
                    "jaccard": 1.0,
                    "overlap": 1.0,
                    "weighted_jaccard": None,
                    "kind": "unknown",
                    "reason": "unknown: no shared activity is a duplication and the one shared "
                    "activity lacks a figure (org-provider: no amount_thb from "
                    "fund-project-budget or fund-skills-grant, no need_thb)",
                    "activities": [
                        {
                            "target": "org-provider",
                            "purpose": None,
                            "amount_a": None,
                            "amount_b": None,
                            "need": None,
                            "kind": "unknown",
                        }
                    ],
                    "paths": [
                        {
                            "target": "area-target-communities",
                            "fund_a": [{"via": "org-provider", "type": "OPERATES_IN"}],
                            "fund_b": [{"via": "org-provider", "type": "OPERATES_IN"}],
                        }
                    ],
                }
            ],
            "funds_per_target": {"area-target-communities": 2},
            "unfunded": ["area-central", "area-national"],
            "notes": [
                "weighted_jaccard is null for 1 pair(s): a FUNDS relationship that reaches "
                "their targets has no amount_thb (or every amount is 0)"
            ],
        }
    )

    by: Literal["area", "beneficiary"]
    scope: str | None
    level: str | None
    funds: int = Field(description="Fund entities in the graph")
    pairs: list[OverlapPair]
    funds_per_target: dict[str, int]
    unfunded: list[str] = Field(
        description="areas (recipients in need, by beneficiary) no fund reaches"
    )
    notes: list[str]
    breakdown: CoverageBreakdown | None = Field(
        None, description="with breakdown=ATTR (by area): reached and unreached areas by ATTR"
    )


# -- gaps ------------------------------------------------------------------------------------


class GroupTies(Open):
    group: str | None
    actors: int
    internal: int
    external: int
    ei_index: float | None = Field(description="null when the group has no tie")


class Block(Open):
    from_: str | None = Field(alias="from")
    to: str | None
    direction: Direction | None
    ties: int
    possible: int
    density: float | None = Field(description="null when no pair is possible")


class BrokerCandidate(Open):
    id: str
    name: str
    group: str | None
    new_ties: int = Field(description="ties it needs to join both groups")
    degree: int


class MissingLink(Open):
    from_: str | None = Field(alias="from")
    to: str | None
    direction: Direction | None
    level: str | None = Field(None, description="by sector: the admin level compared within")
    status: Literal["none", "one_actor"]
    ties: int
    through: str | None = Field(description="the actor every tie runs through (one_actor)")
    fragile: list[str]
    brokers: list[str]
    candidates: list[BrokerCandidate]


class IsolatedNetwork(Open):
    id: str
    name: str
    admin_level: str | None


class UnusedKnowledge(Open):
    id: str
    name: str
    readiness: int
    producers: list[str]
    users: list[str]


class PersonalOnly(Open):
    organisation: str
    network: str
    people: list[str]


class GapReports(Open):
    isolated_networks: list[IsolatedNetwork]
    unused_mature_knowledge: list[UnusedKnowledge]
    personal_only_organisations: list[PersonalOnly]


class TieShareGroup(Open):
    group: str | None
    total: int = Field(description="relationships with an end in the group")
    values: dict[str, int] = Field(description="relationships per value (null: without it)")
    shares: dict[str, float | None] = Field(description="values / total")


class TieShareBlock(Open):
    from_: str | None = Field(alias="from")
    to: str | None
    direction: Direction | None
    total: int = Field(description="relationships with one end in each group")
    values: dict[str, int]
    shares: dict[str, float | None]


class TieShares(Open):
    attribute: str
    total: int = Field(description="relationships between two actors")
    values: dict[str, int]
    shares: dict[str, float | None]
    groups: list[TieShareGroup]
    blocks: list[TieShareBlock] = Field(description="only the blocks with a relationship")


class GapsDocument(Open):
    """``gaps``: ties within and between groups of actors (undirected), the E-I index, the
    missing horizontal and vertical links with the actors best placed to close them, and
    the named gap reports."""

    model_config = _example(
        {
            "by": "admin_level",
            "types": None,
            "actors": 29,
            "ties": 43,
            "groups_note": "groups defined by 'admin_level': 29 actors in 5 groups; 16 actor(s) "
            "have no 'admin_level'; they form the group null",
            "notes": ["the group null is never part of a missing link"],
            "groups": [
                {
                    "group": "national",
                    "actors": 2,
                    "internal": 1,
                    "external": 4,
                    "ei_index": 0.6,
                }
            ],
            "internal": 26,
            "external": 17,
            "ei_index": -0.2093023256,
            "blocks": [
                {
                    "from": "national",
                    "to": "regional",
                    "direction": "vertical",
                    "ties": 1,
                    "possible": 12,
                    "density": 0.0833333333,
                },
                {
                    "from": "village",
                    "to": "village",
                    "direction": "horizontal",
                    "ties": 0,
                    "possible": 0,
                    "density": None,
                },
            ],
            "missing": [
                {
                    "from": "regional",
                    "to": "village",
                    "direction": "vertical",
                    "status": "none",
                    "ties": 0,
                    "through": None,
                    "fragile": [],
                    "brokers": ["org-provider"],
                    "candidates": [
                        {
                            "id": "org-provider",
                            "name": "หน่วยพัฒนาอาชีพ",
                            "group": None,
                            "new_ties": 0,
                            "degree": 15,
                        }
                    ],
                }
            ],
            "reports": {
                "isolated_networks": [],
                "unused_mature_knowledge": [],
                "personal_only_organisations": [],
            },
        }
    )

    by: str
    types: list[str] | None
    actors: int
    ties: int = Field(description="tied pairs of actors, undirected")
    groups_note: str
    notes: list[str]
    groups: list[GroupTies]
    internal: int
    external: int
    ei_index: float | None = Field(description="(E − I) / (E + I); null without ties")
    blocks: list[Block]
    missing: list[MissingLink]
    reports: GapReports
    tie_where: list[str] | None = Field(
        None, description="with tie_where: the tie filter's terms (only matching ties count)"
    )
    tie_shares: TieShares | None = Field(
        None, description="with tie_attr=ATTR: the ties by the value of that property"
    )


# -- chains and missing links (CONTRACT.md section 2b) -------------------------------------


class FoundEntity(Open):
    id: str
    kind: str
    name: str


class FundsDocument(Open):
    """``funds``: every fund, or those touching an area (``direct``: placed or paying in it;
    ``within``: in an area inside it; ``containing``: in an area containing it), with its
    funders (PROVIDES), administrators (ADMINISTERS), amount and FUNDS recipients; and every
    recipient with the sources that pay it, most sources first."""

    model_config = _example(
        {
            "within": "area-lampam",
            "where": [],
            "count": 1,
            "total_thb": 1000000,
            "amount_unknown": 0,
            "funds": [
                {
                    "id": "fund-village-lampam",
                    "name": "กองทุนหมู่บ้านตำบลลำปำ",
                    "amount_thb": 1000000,
                    "year": 2008,
                    "purpose": "village loans",
                    "properties": {"origin": "external"},
                    "funders": ["org-moi"],
                    "administrators": ["org-tao-lampam"],
                    "recipients": [],
                    "areas": ["area-lampam"],
                    "touches": "direct",
                }
            ],
            "recipients": [],
        }
    )

    within: str | None = Field(description="the area asked about, or null")
    where: list[str]
    count: int
    total_thb: int | float | None = Field(description="the listed funds' amount_thb summed")
    amount_unknown: int = Field(description="listed funds without an amount_thb")
    funds: list[dict[str, Any]]
    recipients: list[dict[str, Any]]


class TiesDocument(Open):
    """``ties``: the relationships whose own properties match every term, sorted by
    (source, type, target); ``count`` all of them, ``ties`` at most ``limit``."""

    model_config = _example(
        {
            "where": ["policy=local"],
            "types": None,
            "count": 1,
            "truncated": False,
            "ties": [
                {
                    "source": "net-welfare-network",
                    "source_name": "เครือข่ายสวัสดิการชุมชนจังหวัดพัทลุง",
                    "type": "SUPPORTS",
                    "target": "org-tao-lampam",
                    "target_name": "องค์การบริหารส่วนตำบลลำปำ",
                    "direction": "vertical",
                    "properties": {"policy": "local"},
                }
            ],
            "breakdown": None,
        }
    )

    where: list[str]
    types: list[str] | None
    count: int
    truncated: bool
    ties: list[dict[str, Any]]
    breakdown: dict[str, int] | None


class AreaCount(Open):
    id: str
    name: str
    count: int
    entities: list[str] = Field(description="the found within the area (within= rule)")


class FindDocument(Open):
    """``find``: the entities matching a filter, sorted by id."""

    model_config = _example(
        {
            "where": ["kind=Network"],
            "count": 1,
            "entities": [{"id": "net-partners", "kind": "Network", "name": "ภาคีเครือข่าย"}],
        }
    )

    where: list[str] = Field(description="the filter's terms, all of which hold")
    count: int
    entities: list[FoundEntity]
    breakdown_by: str | None = Field(None, description="with breakdown=ATTR: the attribute")
    breakdown: dict[str, int] | None = Field(
        None, description="with breakdown=ATTR: the found per value (null: without it)"
    )
    level: str | None = Field(None, description="with per_area=LEVEL: the admin level")
    per_area: list[AreaCount] | None = Field(
        None, description="with per_area=LEVEL: every area at that level, most found first"
    )
    areas_without: list[str] | None = Field(
        None, description="with per_area=LEVEL: the areas of that level holding none"
    )
    unplaced: list[str] | None = Field(
        None, description="with per_area=LEVEL: the found within no area of that level"
    )


class PathDocument(Open):
    """``path``: the shortest chains from one entity to another (ties read both ways), or
    to the nearest entity matching ``to_where``."""

    model_config = _example(
        {
            "from": "person-villager",
            "to": "org-community-college",
            "length": 2,
            "paths": [["person-villager", "org-provider", "org-community-college"]],
            "truncated": False,
            "count": 1,
            "actors_only": False,
            "types": None,
            "upward": False,
        }
    )

    from_: str = Field(alias="from")
    to: str | None = Field(description="null when no entity matching to_where is reachable")
    length: int | None = Field(description="steps of the shortest chain; null: no chain")
    paths: list[list[str]] = Field(description="the shortest chains, ids in order")
    truncated: bool = Field(description="true when more shortest chains exist than listed")
    count: int = Field(description="how many shortest chains there are")


class LinkedEntity(Open):
    id: str
    reaches: list[str] = Field(description="the targets within depth steps")


class UnlinkedDocument(Open):
    """``unlinked``: the entities matching ``from`` with no chain of at most ``depth`` steps
    to any entity matching ``to``; for the others, the targets they reach."""

    model_config = _example(
        {
            "from": ["kind=Person"],
            "to": ["kind=Network"],
            "depth": 1,
            "types": None,
            "actors_only": False,
            "sources": 6,
            "targets": 6,
            "unlinked": ["person-expert", "person-sage"],
            "linked": [{"id": "person-coordinator", "reaches": ["net-node-network"]}],
        }
    )

    from_: list[str] = Field(alias="from")
    to: list[str]
    depth: int
    unlinked: list[str]
    linked: list[LinkedEntity]


# -- structure (issue 12) ----------------------------------------------------------------------


class ProfileActor(Open):
    id: str
    name: str
    horizontal: int = Field(description="ties to actors at the same admin_level (or stated)")
    vertical: int = Field(description="ties to actors at another admin_level (or stated)")
    other: int = Field(description="ties whose direction cannot be told; placement not counted")


class ProfileDocument(Open):
    """``profile``: each actor's horizontal, vertical and other ties (each relationship
    counted at both ends; LOCATED_IN, OPERATES_IN and PART_OF are not ties); the actors whose
    ties are all vertical (silos) and all horizontal. With ``group_by``: each actor's
    ``group`` and ``groups``, the sums per group."""

    model_config = _example(
        {
            "group_by": None,
            "only": None,
            "actors": [
                {
                    "id": "net-node-network",
                    "name": "เครือข่ายศูนย์ประสานงาน",
                    "horizontal": 4,
                    "vertical": 5,
                    "other": 5,
                }
            ],
            "only_vertical": [],
            "only_horizontal": ["org-eef", "org-node-central"],
        }
    )

    group_by: str | None
    only: Literal["vertical", "horizontal"] | None
    actors: list[ProfileActor]
    only_vertical: list[str]
    only_horizontal: list[str]


class Layer(Open):
    depth: int
    count: int
    by_kind: dict[str, int]


class StructureDocument(Open):
    """``structure``: the actor graph (ties read both ways), its Freeman degree
    centralisation (null under three actors) and, with ``from``, the layers of what that
    entity reaches along arcs out (placement excluded), depth 1 first."""

    model_config = _example(
        {
            "actors": 29,
            "ties": 43,
            "degree_centralisation": 0.4616402116,
            "from": "org-eef",
            "layers": [
                {
                    "depth": 1,
                    "count": 6,
                    "by_kind": {"Fund": 3, "Organisation": 1, "Programme": 2},
                }
            ],
        }
    )

    actors: int
    ties: int = Field(description="pairs of actors tied, either way")
    degree_centralisation: float | None
    layers: list[Layer] | None


class Cluster(Open):
    id: int = Field(description="1 for the largest cluster")
    size: int
    members: list[str]


class ClustersDocument(Open):
    """``clusters``: Leiden communities (Traag et al. 2019) of the actor graph (ties read
    both ways) with a fixed seed, largest first, and their modularity (null with no tie).
    An answer, not a truth: another seed may group differently."""

    model_config = _example(
        {
            "seed": 1,
            "method": "leiden",
            "actors": 29,
            "ties": 43,
            "modularity": 0.3447809627,
            "clusters": [{"id": 6, "size": 1, "members": ["org-community-shop"]}],
        }
    )

    seed: int
    modularity: float | None
    clusters: list[Cluster]


# -- knowledge (issue 12) ----------------------------------------------------------------------


class KnowledgeCell(Open):
    row: str | None = Field(description="the row value (as text); null: without the attribute")
    col: str | None = Field(description="the column value (as text); null: without it")
    count: int
    assets: list[str]


class KnowledgeAssetRow(Open):
    id: str
    name: str
    row: str | list[str] | None = Field(description="its row value, null, or several values")
    col: str | list[str] | None = Field(description="its column value, null, or several")
    producers: list[str] = Field(description="(producer) PRODUCES (asset)")
    users: list[str] = Field(description="(user) USES (asset)")
    adopters: list[str] = Field(description="(asset) ADOPTED_BY (adopter), either way round")
    evidence: list[str] = Field(description="the other ends of its evidence relationships")


class KnowledgeDocument(Open):
    """``knowledge``: the KnowledgeAsset entities matching ``where`` by two attributes
    (``rows`` × ``cols``, default asset_type × readiness), each with its producers, users and
    adopters; ``no_adopter``: nobody USES it and nobody adopts it; ``no_evidence``: no
    relationship of ``evidence_types`` (default EVIDENCE_FOR). With ``above`` N: the row
    values whose every asset has a numeric column value ≤ N (``nothing_above``), and those
    with none known above N (``nothing_known_above``, some without a number); ``below``
    mirrors it."""

    model_config = _example(
        {
            "rows": "asset_type",
            "cols": "readiness",
            "where": [],
            "evidence_types": ["EVIDENCE_FOR"],
            "count": 10,
            "row_values": ["lesson", "study"],
            "col_values": ["3", "4", None],
            "table": [
                {"row": "study", "col": "4", "count": 1, "assets": ["ka-iw-org-study"]},
            ],
            "assets": [
                {
                    "id": "ka-iw-org-study",
                    "name": "ผลการศึกษาเรื่ององค์กรแรงงานนอกระบบ",
                    "row": "study",
                    "col": "4",
                    "producers": ["prog-iw-programme"],
                    "users": [],
                    "adopters": [],
                    "evidence": [],
                }
            ],
            "no_adopter": ["ka-iw-org-study"],
            "no_evidence": ["ka-iw-org-study"],
            "above": 3,
            "nothing_above": [],
            "nothing_known_above": ["lesson"],
            "below": None,
            "nothing_below": None,
            "nothing_known_below": None,
        }
    )

    rows: str
    cols: str
    where: list[str]
    evidence_types: list[str]
    count: int
    table: list[KnowledgeCell]
    assets: list[KnowledgeAssetRow]
    no_adopter: list[str]
    no_evidence: list[str]
    above: float | None
    nothing_above: list[str | None] | None
    nothing_known_above: list[str | None] | None


# -- pairs sharing an attribute with no tie (issue 12, question S28) ---------------------------


class SharedPair(Open):
    a: str
    b: str
    value: Any = Field(description="the value of the attribute they share")
    nearest: str | None = Field(
        description="the actor nearest to both (smallest larger distance, then sum, then id); "
        "null when none is within depth steps of both"
    )
    distance: list[int] | None = Field(description="[steps from a, steps from b] to nearest")


class SharedValue(Open):
    value: Any
    actors: int = Field(description="actors with this value")
    ties: int = Field(description="tied pairs among them, either way")
    density: float = Field(description="ties / possible pairs")
    unlinked_pairs: int
    could_form: bool = Field(description="3 or more actors and density below density_below")


class PairsDocument(Open):
    """``pairs``: for each value of ``share`` held by two actors or more (matching ``where``),
    the pairs of them with no tie (ties read both ways), each with the actor nearest to both;
    ``total`` counts every such pair, ``pairs`` lists at most ``limit``; per value, its actors,
    ties and density; ``could_form`` the values where a group could form."""

    model_config = _example(
        {
            "share": "sector",
            "where": [],
            "types": None,
            "depth": 3,
            "limit": 2,
            "density_below": 0.5,
            "actors": 29,
            "with_value": 13,
            "total": 14,
            "truncated": True,
            "pairs": [
                {
                    "a": "net-kinship",
                    "b": "org-community-org",
                    "value": "community",
                    "nearest": "person-villager",
                    "distance": [1, 1],
                }
            ],
            "values": [
                {
                    "value": "community",
                    "actors": 5,
                    "ties": 0,
                    "density": 0.0,
                    "unlinked_pairs": 10,
                    "could_form": True,
                }
            ],
            "values_alone": 3,
            "could_form": ["community", "academic"],
        }
    )

    share: str
    where: list[str]
    total: int
    truncated: bool
    pairs: list[SharedPair]
    values: list[SharedValue]
    could_form: list[Any]

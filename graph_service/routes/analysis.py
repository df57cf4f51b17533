"""The four questions over HTTP: ``/api/reach``, ``/api/brokerage``, ``/api/overlap`` and
``/api/gaps``. Each serves the same JSON as the command line's ``--json`` (CONTRACT.md
section 3); the options are query parameters of the same names.

Answers are cached per graph version: a write moves the version, so a cached answer is never
stale, and repeated requests for a large graph's brokerage cost one computation, even when
they arrive together (:class:`AnswerShelf`: bounded in bytes, one computation per key).
"""

from __future__ import annotations

import copy
import inspect
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from graph_service import budget
from graph_service.analysis import brokerage as brokerage_mod
from graph_service.analysis import filters as filters_mod
from graph_service.analysis import fragility as fragility_mod
from graph_service.analysis import funds as funds_mod
from graph_service.analysis import gaps as gaps_mod
from graph_service.analysis import knowledge as knowledge_mod
from graph_service.analysis import overlap as overlap_mod
from graph_service.analysis import pairs as pairs_mod
from graph_service.analysis import paths as paths_mod
from graph_service.analysis import reach as reach_mod
from graph_service.analysis import structure as structure_mod
from graph_service.analysis import ties as ties_mod
from graph_service.analysis.common import parse_list
from graph_service.budget import Abandoned
from graph_service.errors import GraphServiceError
from graph_service.routes.deps import Store
from graph_service.routes.models import (
    BrokerageDocument,
    BrokerImpactDocument,
    ClustersDocument,
    FindDocument,
    FragilityDocument,
    FundsDocument,
    GapsDocument,
    GroupReachDocument,
    KnowledgeDocument,
    OverlapDocument,
    PairsDocument,
    PathDocument,
    ProfileDocument,
    ReachDocument,
    StructureDocument,
    TiesDocument,
    UnlinkedDocument,
    responses,
)
from graph_service.store.base import GraphStore
from graph_service.versioning import GRAPH_VERSION

router = APIRouter(prefix="/api", tags=["the four questions"])

Types = Annotated[
    str | None,
    Query(description="only relationships of these types, comma-separated", examples=["USES"]),
]
GroupBy = Annotated[
    str,
    Query(
        description="admin_level, sector, kind, level, member_of, member_of:NETWORK_ID, or any "
        "property the data gave; actors without it form the group null"
    ),
]

Where = Annotated[
    list[str] | None,
    Query(
        description="a filter term ATTR=V1,V2 (kind=, level=, tag=, within=AREA_ID or any "
        "property); repeat for more terms, all must hold",
        examples=[["kind=Organisation"]],
    ),
]
Direction = Annotated[
    str,
    Query(
        description="out (source to target), in, or both; placement never goes down again "
        "after going up"
    ),
]


class AnswerShelf:
    """The service's cached answers and map pages, bounded by their estimated size in bytes
    (``GRAPH_CACHE_MB``), the least recently used dropped first. An answer larger than the
    whole bound is not kept.

    **One computation per key at a time** (single flight): the first request for a key
    computes it; requests for the same key that arrive meanwhile wait for that answer
    rather than compute it again (each still within its own budget: a waiter that times out
    or is abandoned stops waiting). If the first request was abandoned by its client, a
    waiter computes in its place; any other error is the answer for everyone who waited.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(int(max_bytes), 0)
        self.bytes = 0
        self.computed = 0  # answers computed (not taken from the shelf or from a flight)
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._flights: dict[tuple[Any, ...], _Flight] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: tuple[Any, ...]) -> bool:
        return key in self._items

    @property
    def computing(self) -> int:
        """Answers being computed now (one per key, however many wait for it)."""
        return len(self._flights)

    def held_keys(self) -> list[tuple[Any, ...]]:
        """The keys on the shelf, least recently used first; a key starts with the kind of
        answer (``answers``, ``pages``)."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Drop every answer (the service ran out of memory)."""
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The answer filed under ``key``, computed by ``compute()`` when there is none:
        once, however many ask at the same time."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key][0]
                flight = self._flights.get(key)
                leader = flight is None
                if flight is None:
                    flight = self._flights[key] = _Flight()
            if leader:
                return self._lead(key, flight, compute)
            with self._lock:
                flight.waiters += 1
            while not flight.landed.wait(0.05):
                budget.check()  # this waiter's own deadline and client
            if flight.error is None:
                return flight.value
            if not isinstance(flight.error, Abandoned):
                raise _again(flight.error)
            # the first asker left: this one computes in its place (loop)

    def _lead(self, key: tuple[Any, ...], flight: _Flight, compute: Callable[[], Any]) -> Any:
        try:
            budget.check()
            value = compute()
        except BaseException as exc:
            flight.error = exc
            raise
        else:
            flight.value = value
            self.computed += 1
            self._put(key, value)
            return value
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
            flight.landed.set()

    def _put(self, key: tuple[Any, ...], value: Any) -> None:
        size = estimate_bytes(key) + estimate_bytes(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                self.bytes -= self._items.pop(key)[1]
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped


class _Flight:
    """One computation in progress, and its result for those who wait for it."""

    def __init__(self) -> None:
        self.landed = threading.Event()
        self.waiters = 0  # requests that came while it computed, waiting for its answer
        self.value: Any = None
        self.error: BaseException | None = None


def _again(error: BaseException) -> BaseException:
    """The leader's error for a waiter: a fresh copy of a service error (each request
    raises its own), any other error as it is."""
    if isinstance(error, GraphServiceError):
        fresh = copy.copy(error)
        fresh.__traceback__ = None
        return fresh
    return error


def estimate_bytes(value: Any) -> int:
    """The memory ``value`` takes, roughly: ``sys.getsizeof`` summed over its containers
    (dicts, lists, tuples, sets) and their items, each object counted once. Text and bytes
    cost their size, so a map page counts its length.

    >>> estimate_bytes("x" * 1000) - estimate_bytes("")
    1000
    >>> estimate_bytes([1, 1]) == sys.getsizeof([1, 1]) + sys.getsizeof(1)
    True
    """
    seen: set[int] = set()
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return total


class AnswerCache:
    """A view of the app's :class:`AnswerShelf` for one kind of answer (``answers``, the JSON
    of the questions, or ``pages``), keyed by (kind, graph version, privacy mode, as-of day,
    question, options).

    ``at(version)`` is the same cache for a request whose version is already known (the
    version middleware read it for the ETag): its answers are filed under that version
    rather than one read again from the store, one round trip less per request."""

    def __init__(self, shelf: AnswerShelf, name: str = "answers") -> None:
        self.shelf = shelf
        self.name = name
        self._version: int | None = None

    def at(self, version: int | None) -> AnswerCache:
        """This cache, with ``version`` as the graph's version (None: read it each time)."""
        pinned = AnswerCache(self.shelf, self.name)
        pinned._version = version
        return pinned

    def answer(self, store: GraphStore, question: Callable[..., Any], **options: Any) -> Any:
        """``question(store, **options)``, computed once per graph version. The key holds
        every option with its default filled in, so callers that spell the same question
        differently (the API, the home page) share one answer."""
        bound = inspect.signature(question).bind(store, **options)
        bound.apply_defaults()
        key = (
            question.__module__,
            question.__qualname__,
            *((name, _frozen(value)) for name, value in list(bound.arguments.items())[1:]),
        )
        return self._get(store, key, lambda: question(store, **options))

    def _get(self, store: GraphStore, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        # the version is read before the answer is computed (as the ETag is), so a write
        # that lands meanwhile can only file a newer answer under an older version; the
        # public view answers with pseudonyms: never share its answers with full reads
        # the version is the store's, not the day's: an answer as of a day is filed under
        # that day too (``?as_of=``), so two days never share an answer
        version = self._version if self._version is not None else store.version()
        mode = getattr(store, "privacy_mode", "full")
        full = (self.name, version, mode, as_of_key(store), *key)
        return self.shelf.get(full, compute)


def as_of_key(store: GraphStore) -> str | None:
    """The day of the graph ``store`` reads (an as-of view, or a public view of one) as an
    ISO day; None for the store itself (now)."""
    from graph_service.store.history import AsOfView

    seen = 0
    current: object = store
    while current is not None and seen < 4:
        if isinstance(current, AsOfView):
            # a view with more than the day's graph (the co-attendance ties) says so
            return current.day.isoformat() + getattr(current, "cache_suffix", "")
        current = getattr(current, "store", None)
        seen += 1
    return None


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return tuple(value) if isinstance(value, list) else value


#: the cache's bound when the app has none (an app made without ``create_app``)
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


def cache_of(request: Request, name: str = "answers") -> AnswerCache:
    """The app's cache for ``name``: ``answers`` (the JSON of the four questions) or
    ``pages`` (map pages). Both share one bound in bytes (``GRAPH_CACHE_MB``)."""
    shelf = getattr(request.app.state, "answers", None)
    if shelf is None:
        shelf = request.app.state.answers = AnswerShelf(DEFAULT_CACHE_BYTES)
    return AnswerCache(shelf, name).at(request_version(request))


def request_version(request: Request) -> int | None:
    """The graph's version the version middleware read for this request (None when it
    did not: a write, or an app without the middleware)."""
    version = request.scope.get("state", {}).get(GRAPH_VERSION)
    return version if isinstance(version, int) else None


@router.get(
    "/reach/{ref:path}",
    summary="Who and what an entity reaches within K steps",
    responses=responses(ReachDocument, "the reach document", 404, 422),
)
def get_reach(
    ref: str,
    store: Store,
    depth: Annotated[int, Query(description="steps, 1 to 10")] = reach_mod.DEFAULT_DEPTH,
    types: Types = None,
    kinds: Annotated[str | None, Query(description="only through these kinds")] = None,
    direction: Direction = "both",
    where: Where = None,
    breakdown: Annotated[
        str | None, Query(description="counts of what was reached by this attribute")
    ] = None,
) -> dict[str, Any]:
    """The ``reach`` document: distinct entities within ``depth`` steps (ties read both ways),
    the distance-weighted reach, counts by kind, INN level and distance."""
    return reach_mod.reach(
        store,
        ref,
        depth,
        parse_list(types),
        parse_list(kinds),
        direction=direction,
        where=where or None,
        breakdown=breakdown,
    )


@router.get(
    "/reach",
    summary="What a group of actors reaches together, and what it cannot",
    responses=responses(GroupReachDocument, "what the group reaches", 404, 422),
)
def get_group_reach(
    store: Store,
    ids: Annotated[str, Query(description="comma-separated ids", examples=["p1,p2"])],
    depth: Annotated[int, Query(description="steps, 1 to 10")] = reach_mod.DEFAULT_DEPTH,
    types: Types = None,
    kinds: Annotated[str | None, Query(description="only through these kinds")] = None,
    targets: Annotated[
        str | None, Query(description="the kinds that count as destinations, e.g. Area")
    ] = None,
    direction: Direction = "both",
) -> dict[str, Any]:
    return reach_mod.reach_group(
        store,
        parse_list(ids) or [],
        depth,
        parse_list(types),
        parse_list(kinds),
        parse_list(targets),
        direction=direction,
    )


@router.get(
    "/brokerage",
    summary="Gould–Fernandez roles, constraint and betweenness",
    responses=responses(BrokerageDocument, "the brokerage document", 422),
)
def get_brokerage(
    request: Request,
    store: Store,
    group_by: GroupBy = brokerage_mod.DEFAULT_GROUP_BY,
    types: Types = None,
    undirected: bool = False,
    betweenness: Annotated[
        bool | None, Query(description="compute betweenness (default: up to 5,000 actors)")
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store,
        brokerage_mod.brokerage,
        group_by=group_by,
        types=parse_list(types),
        undirected=undirected,
        with_betweenness=betweenness,
    )


@router.get(
    "/brokerage/{ref:path}/impact",
    summary="What breaks if this broker leaves",
    responses=responses(BrokerImpactDocument, "the pairs that lose their only route", 404, 422),
)
def get_broker_impact(
    ref: str,
    store: Store,
    group_by: GroupBy = brokerage_mod.DEFAULT_GROUP_BY,
    types: Types = None,
    undirected: Annotated[
        bool,
        Query(
            description="read ties both ways for the short routes (default; the actors cut "
            "off are always found with ties read both ways); false: along arc direction"
        ),
    ] = True,
) -> dict[str, Any]:
    return brokerage_mod.broker_impact(store, ref, group_by, parse_list(types), undirected)


@router.get(
    "/fragility",
    summary="Cut points, what each would cut off, bridges, components, isolates",
    responses=responses(FragilityDocument, "the fragility document", 422),
)
def get_fragility(
    request: Request,
    store: Store,
    group_by: Annotated[
        str | None,
        Query(
            description="the groups of what each cut point cuts off: admin_level (default, "
            "when actors have it, else kind), sector, kind, level, member_of, or any property"
        ),
    ] = None,
    types: Types = None,
) -> dict[str, Any]:
    """The ``fragility`` document (CONTRACT.md section 2b): the actor graph, ties read both
    ways; each cut point with the actors its leaving separates from the largest part left."""
    return cache_of(request).answer(
        store, fragility_mod.fragility, group_by=group_by, types=parse_list(types)
    )


@router.get(
    "/overlap",
    summary="Pairs of funds that cover the same areas or recipients",
    responses=responses(OverlapDocument, "the overlap document", 404, 422),
)
def get_overlap(
    request: Request,
    store: Store,
    by: Annotated[str, Query(description="area or beneficiary")] = "area",
    scope: Annotated[str | None, Query(description="only areas within this area")] = None,
    level: Annotated[str | None, Query(description="only areas at this admin_level")] = None,
    breakdown: Annotated[
        str | None,
        Query(
            description="reached and unreached areas counted by an area attribute, or by "
            "the area containing them at an admin level (provincial, regional, ...)"
        ),
    ] = None,
    among: Annotated[
        list[str] | None,
        Query(description="compare the entities matching this filter instead of the funds"),
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store,
        overlap_mod.overlap,
        by=by,
        scope=scope,
        level=level,
        breakdown=breakdown,
        among=among or None,
    )


@router.get(
    "/gaps",
    summary="Missing horizontal and vertical links",
    responses=responses(GapsDocument, "the gaps document", 422),
)
def get_gaps(
    request: Request,
    store: Store,
    by: Annotated[str, Query(description="admin_level, sector or any attribute")] = "admin_level",
    types: Types = None,
    tie_attr: Annotated[
        str | None,
        Query(description="shares of the ties by this relationship property (e.g. formality)"),
    ] = None,
    tie_where: Annotated[
        list[str] | None,
        Query(
            description="a tie filter term: type=T1,T2 or a relationship property "
            "(policy=local); repeat for more terms, all must hold"
        ),
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store,
        gaps_mod.gaps,
        by=by,
        types=parse_list(types),
        tie_attr=tie_attr,
        tie_where=tie_where or None,
    )


# -- chains and missing links (issue 12, CONTRACT.md section 2b) -----------------------------
# cached per graph version like the four questions: each reads the whole graph's arrays


@router.get(
    "/find",
    summary="The entities matching a filter",
    responses=responses(FindDocument, "the matching entities", 404, 422),
)
def get_find(
    request: Request,
    store: Store,
    where: Where = None,
    breakdown: Annotated[
        str | None, Query(description="counts of the found by this attribute")
    ] = None,
    per_area: Annotated[
        str | None,
        Query(description="for every area at this admin level: the found within it"),
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store, filters_mod.find, where=where or [], breakdown=breakdown, per_area=per_area
    )


@router.get(
    "/path",
    summary="The shortest chains between two entities, or to the nearest match of a filter",
    responses=responses(PathDocument, "the shortest chains", 404, 422),
)
def get_path(
    request: Request,
    store: Store,
    from_: Annotated[str, Query(alias="from", description="an id or a unique name")],
    to: Annotated[str | None, Query(description="an id or a unique name")] = None,
    to_where: Annotated[
        list[str] | None, Query(description="instead of to: the nearest entity matching this")
    ] = None,
    actors_only: bool = False,
    types: Types = None,
    upward: Annotated[
        bool, Query(description="each step to the same or a higher admin_level")
    ] = False,
    all_: Annotated[
        bool, Query(alias="all", description="every shortest chain (default: at most 20)")
    ] = False,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store,
        paths_mod.path,
        source=from_,
        target=to,
        to_where=to_where or None,
        actors_only=actors_only,
        types=parse_list(types),
        upward=upward,
        all_paths=all_,
    )


@router.get(
    "/unlinked",
    summary="The entities with no chain of at most K steps to any entity matching a filter",
    responses=responses(UnlinkedDocument, "the unlinked and the linked entities", 404, 422),
)
def get_unlinked(
    request: Request,
    store: Store,
    from_: Annotated[
        list[str], Query(alias="from", description="a filter term: the entities to check")
    ],
    to: Annotated[list[str], Query(description="a filter term: the entities to reach")],
    depth: Annotated[int, Query(description="steps, 1 to 10")] = paths_mod.DEFAULT_UNLINKED_DEPTH,
    types: Types = None,
    actors_only: bool = False,
    breakdown: Annotated[
        str | None, Query(description="counts of the unlinked by this attribute")
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(
        store,
        paths_mod.unlinked,
        from_where=from_,
        to_where=to,
        depth=depth,
        types=parse_list(types),
        actors_only=actors_only,
        breakdown=breakdown,
    )


# -- structure (issue 12, questions S4, S27, S28) ----------------------------------------------


@router.get(
    "/profile",
    summary="Each actor's horizontal and vertical ties; the silos and the only-horizontal",
    responses=responses(ProfileDocument, "the tie profile", 422),
)
def get_profile(
    request: Request,
    store: Store,
    group_by: Annotated[
        str | None,
        Query(description="also sum the profile per group (admin_level, sector, any property)"),
    ] = None,
    only: Annotated[
        str | None,
        Query(description="vertical or horizontal: list only the actors with only those ties"),
    ] = None,
) -> dict[str, Any]:
    """The ``profile`` document (CONTRACT.md section 2b); placement is neither direction."""
    return cache_of(request).answer(store, structure_mod.profile, group_by=group_by, only=only)


@router.get(
    "/structure",
    summary="Freeman degree centralisation, and the layers below a funder",
    responses=responses(StructureDocument, "the structure document", 404, 422),
)
def get_structure(
    request: Request,
    store: Store,
    from_: Annotated[
        str | None,
        Query(alias="from", description="an id or a unique name: count the layers below it"),
    ] = None,
) -> dict[str, Any]:
    return cache_of(request).answer(store, structure_mod.structure, from_=from_)


@router.get(
    "/clusters",
    summary="Leiden clusters of the actor graph with a fixed seed, and their modularity",
    responses=responses(ClustersDocument, "the clusters document", 422),
)
def get_clusters(
    request: Request,
    store: Store,
    seed: Annotated[
        int, Query(ge=0, le=structure_mod.MAX_SEED, description="Leiden's random seed")
    ] = structure_mod.DEFAULT_SEED,
) -> dict[str, Any]:
    return cache_of(request).answer(store, structure_mod.clusters, seed=seed)


@router.get(
    "/funds",
    summary="Every fund (touching an area): funders, administrators, amounts, recipients",
    responses=responses(FundsDocument, "the funds document", 404, 422),
)
def get_funds(
    request: Request,
    store: Store,
    within: Annotated[
        str | None, Query(description="an area's id or name: only the funds touching it")
    ] = None,
    where: Where = None,
) -> dict[str, Any]:
    """The ``funds`` document: see ``graph_service.analysis.funds``."""
    if within is not None and within.strip():
        from graph_service.entities import resolve_entity

        within = resolve_entity(store, within.strip()).id
    return cache_of(request).answer(store, funds_mod.funds, within=within, where=where or None)


@router.get(
    "/ties",
    summary="The relationships whose own properties match a filter (policy=local, ...)",
    responses=responses(TiesDocument, "the matching ties", 422),
)
def get_ties(
    request: Request,
    store: Store,
    where: Annotated[
        list[str] | None,
        Query(description="a term on the tie's properties ATTR=V1,V2, type= or direction="),
    ] = None,
    types: Types = None,
    breakdown: Annotated[str | None, Query(description="counts by a tie property")] = None,
    limit: Annotated[int, Query(ge=0, le=100000, description="list at most this many")] = 1000,
) -> dict[str, Any]:
    """The ``ties`` document: see ``graph_service.analysis.ties``."""
    return cache_of(request).answer(
        store,
        ties_mod.ties,
        where=where or None,
        types=parse_list(types),
        breakdown=breakdown,
        limit=limit,
    )


# -- knowledge (issue 12, questions K1, K2, K4) ------------------------------------------------


@router.get(
    "/knowledge",
    summary="Knowledge assets by two attributes, with producers, users and adopters",
    responses=responses(KnowledgeDocument, "the knowledge document", 404, 422),
)
def get_knowledge(
    request: Request,
    store: Store,
    rows: Annotated[
        str | None, Query(description="the rows' attribute (default asset_type)")
    ] = None,
    cols: Annotated[
        str | None, Query(description="the columns' attribute (default readiness)")
    ] = None,
    where: Where = None,
    evidence_type: Annotated[
        list[str] | None,
        Query(description="relationship types that count as evidence (default EVIDENCE_FOR)"),
    ] = None,
    above: Annotated[
        str | None, Query(description="a number: the row values with nothing above it")
    ] = None,
    below: Annotated[
        str | None, Query(description="a number: the row values with nothing below it")
    ] = None,
) -> dict[str, Any]:
    """The ``knowledge`` document (``analysis.knowledge.knowledge``)."""
    return cache_of(request).answer(
        store,
        knowledge_mod.knowledge,
        rows=rows,
        cols=cols,
        where=where or None,
        evidence_types=parse_list(evidence_type),
        above=above,
        below=below,
    )


# -- pairs sharing an attribute with no tie (issue 12, question S28) ---------------------------


@router.get(
    "/pairs",
    summary="Pairs of actors with the same value of an attribute and no tie, and who could "
    "introduce them",
    responses=responses(PairsDocument, "the pairs and the values they share", 404, 422),
)
def get_pairs(
    request: Request,
    store: Store,
    share: Annotated[str, Query(description="the attribute the pairs share", examples=["tags"])],
    where: Where = None,
    types: Types = None,
    limit: Annotated[
        int, Query(description="pairs listed, 0 to 100,000 (the total is exact)")
    ] = pairs_mod.DEFAULT_LIMIT,
    depth: Annotated[
        int, Query(description="the furthest the actor nearest to both may be from each")
    ] = pairs_mod.NEAREST_DEPTH,
    density_below: Annotated[
        float, Query(description="a group could form where 3 or more share a value below this")
    ] = pairs_mod.GROUP_DENSITY,
) -> dict[str, Any]:
    """The ``pairs`` document (CONTRACT.md section 2b; ``graph_service.analysis.pairs``)."""
    return cache_of(request).answer(
        store,
        pairs_mod.pairs,
        share=share,
        where=where or None,
        types=parse_list(types),
        limit=limit,
        depth=depth,
        density_below=density_below,
    )

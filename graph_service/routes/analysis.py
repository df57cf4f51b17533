"""The four questions over HTTP: ``/api/reach``, ``/api/brokerage``, ``/api/overlap`` and
``/api/gaps``. Each serves the same JSON as the command line's ``--json`` (CONTRACT.md
section 3); the options are query parameters of the same names.

Answers are cached per graph version: a write moves the version, so a cached answer is never
stale, and repeated requests for a large graph's brokerage cost one computation.
"""

from __future__ import annotations

import copy
import inspect
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from graph_service.analysis import brokerage as brokerage_mod
from graph_service.analysis import gaps as gaps_mod
from graph_service.analysis import overlap as overlap_mod
from graph_service.analysis import reach as reach_mod
from graph_service.analysis.common import parse_list
from graph_service.routes.deps import Store
from graph_service.routes.models import (
    BrokerageDocument,
    BrokerImpactDocument,
    GapsDocument,
    GroupReachDocument,
    OverlapDocument,
    ReachDocument,
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


class AnswerCache:
    """The last answers, keyed by (graph version, privacy mode, question, options).

    ``at(version)`` is the same cache for a request whose version is already known (the
    version middleware read it for the ETag): its answers are filed under that version
    rather than one read again from the store, one round trip less per request."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._version: int | None = None

    def at(self, version: int | None) -> AnswerCache:
        """This cache, with ``version`` as the graph's version (None: read it each time)."""
        pinned = copy.copy(self)  # shares the items and the lock
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
        version = self._version if self._version is not None else store.version()
        full = (version, getattr(store, "privacy_mode", "full"), *key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                return self._items[full]
        value = compute()
        with self._lock:
            self._items[full] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return tuple(value) if isinstance(value, list) else value


def cache_of(request: Request, name: str = "answers", size: int = 64) -> AnswerCache:
    """The app's cache called ``name``: ``answers`` (the JSON of the four questions) or
    ``pages`` (map pages, fewer: a page of a large graph weighs megabytes)."""
    cache = getattr(request.app.state, name, None)
    if cache is None:
        cache = AnswerCache(size)
        setattr(request.app.state, name, cache)
    return cache.at(request_version(request))


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
) -> dict[str, Any]:
    """The ``reach`` document: distinct entities within ``depth`` steps (ties read both ways),
    the distance-weighted reach, counts by kind, INN level and distance."""
    return reach_mod.reach(store, ref, depth, parse_list(types), parse_list(kinds))


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
) -> dict[str, Any]:
    return reach_mod.reach_group(
        store,
        parse_list(ids) or [],
        depth,
        parse_list(types),
        parse_list(kinds),
        parse_list(targets),
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
    undirected: bool = False,
) -> dict[str, Any]:
    return brokerage_mod.broker_impact(store, ref, group_by, parse_list(types), undirected)


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
) -> dict[str, Any]:
    return cache_of(request).answer(store, overlap_mod.overlap, by=by, scope=scope, level=level)


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
) -> dict[str, Any]:
    return cache_of(request).answer(store, gaps_mod.gaps, by=by, types=parse_list(types))

"""Dependencies shared by the routes.

``?as_of=DATE`` (CONTRACT.md 2c) is read here, once for every route that takes the store:
with it the store a route gets is the graph as it was on that day
(``graph_service.store.history.as_of``), so every answer, map and page is the as-of one
without the route knowing. A write asked ``as_of`` is refused by the view itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request

from graph_service import i18n
from graph_service.errors import InvalidInput
from graph_service.store import GraphStore

#: the query parameter, and where the day it names goes in ``request.state``
AS_OF = "as_of"
#: public views of as-of graphs kept per app (their pseudonym maps are built once each)
PUBLIC_AS_OF_VIEWS = 4

AsOfParam = Annotated[
    str | None,
    Query(
        alias=AS_OF,
        description="the network as it was on this date: 2024-06-30, a Buddhist Era date "
        "30/6/2567, or a year (2567: its last day); default now",
        examples=["2567"],
    ),
]

_public_lock = threading.Lock()


def parse_as_of(text: str | None) -> dt.date | None:
    """The day ``?as_of=`` names (CONTRACT.md 2c dates; a year is its last day), None
    when absent or empty (now); a value that is no date is ``InvalidInput`` (422) naming
    the parameter.

    >>> parse_as_of("2567"), parse_as_of(""), parse_as_of(None)
    (datetime.date(2024, 12, 31), None, None)
    """
    from graph_service.store.history import parse_day

    return parse_day(text, AS_OF)


def as_of_of(request: Request) -> dt.date | None:
    """The as-of day of this request (None: now), as :func:`get_store` read it."""
    day = getattr(request.state, AS_OF, None)
    return day if isinstance(day, dt.date) else None


def public_store_of(request: Request) -> GraphStore:
    """The app's public view of its store: people without consent under pseudonyms
    (graph_service.store.public). One per app, so its pseudonym maps are built once per graph
    version, not once per request. With ``?as_of=`` the public view wraps the as-of graph:
    one view per (graph version, day), the last few kept, never one shared by two days."""
    from graph_service.store.public import public_fields, public_view

    store: GraphStore = request.app.state.store
    fields = public_fields(request.app.state.settings.public_person_fields)
    day = as_of_of(request)
    if day is None:
        view = getattr(request.app.state, "public_store", None)
        if view is None or view.store is not store:
            view = request.app.state.public_store = public_view(store, fields)
        return view
    from graph_service.store.history import as_of

    graph = as_of(store, day)
    key = (id(store), graph.version(), day)
    with _public_lock:
        kept: OrderedDict[tuple[int, int, dt.date], GraphStore] | None = getattr(
            request.app.state, "public_as_of", None
        )
        if kept is None:
            kept = request.app.state.public_as_of = OrderedDict()
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
        view = kept[key] = public_view(graph, fields)
        while len(kept) > PUBLIC_AS_OF_VIEWS:
            kept.popitem(last=False)
    return view


OnParam = Annotated[
    str | None,
    Query(
        description="meetings and Outcome Mapping: ask as on this date (the current period "
        "holds it, later events and journal entries are ignored, overdue counts from it), "
        "reading the graph as it is now: 2024-12-31, 31/12/2567 or a year; default as_of, "
        "else today",
        examples=["31/12/2567"],
    ),
]


def question_day(request: Request, on: str | None) -> dt.date:
    """The day a meetings or Outcome Mapping question is asked on: ``on``, else the
    ``as_of`` day, else today; a value that is no date is ``InvalidInput`` (422)."""
    from graph_service.store.history import parse_day

    return parse_day(on, "on") or as_of_of(request) or dt.date.today()


CoAttendanceParam = Annotated[
    bool,
    Query(
        description="add a CO_ATTENDED tie between every two actors who attended the same "
        "events (weight: how many), computed from the attendance rows"
    ),
]


def get_store(
    request: Request, as_of: AsOfParam = None, co_attendance: CoAttendanceParam = False
) -> GraphStore:
    """The store, or in public mode (a read without a key, ``GRAPH_PUBLIC_READS``) its
    public view; with ``?as_of=DATE`` the graph as it was on that day (a write asked as of
    a day is refused: 422); with ``?co_attendance=true`` the graph with the ties attending
    the same meetings makes (``analysis.meetings.with_co_attendance``)."""
    graph = _store_as_of(request, as_of)
    if not co_attendance:
        return graph
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        raise InvalidInput(
            "co_attendance: the co-attendance ties are computed for reading, not written; "
            "send the write without co_attendance",
            {"parameter": "co_attendance"},
        )
    from graph_service.analysis.meetings import with_co_attendance

    return with_co_attendance(graph)


def _store_as_of(request: Request, as_of: str | None) -> GraphStore:
    day = parse_as_of(as_of)
    if day is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        raise InvalidInput(
            "as_of: a write changes the network now; it cannot be made as of a day (the "
            "past is kept as it was recorded): send it without as_of",
            {"parameter": AS_OF, "value": as_of},
        )
    setattr(request.state, AS_OF, day)
    if getattr(request.state, "privacy", "full") == "public":
        return public_store_of(request)
    store: GraphStore = request.app.state.store
    if day is None:
        return store
    from graph_service.store.history import as_of as graph_as_of

    return graph_as_of(store, day)


Store = Annotated[GraphStore, Depends(get_store)]


def switch_href(request: Request, lang: str) -> str:
    """This page in the other language (the rest of the query kept): every page's
    language switch."""
    other = next(x for x in i18n.LANGUAGES if x != lang)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != i18n.LANGUAGE_PARAM]
    return request.url.path + "?" + urlencode([*query, (i18n.LANGUAGE_PARAM, other)])


def recorded_days_of(request: Request, store: GraphStore) -> list[str]:
    """The days the app's store recorded something (``viz.views.recorded_days``: the time
    slider's stops, the home card's last two days), read once per graph version and kept
    beside the app's answers (not among them: a map page stays one cached answer)."""
    from graph_service.versioning import GRAPH_VERSION
    from viz.views import history_store, recorded_days

    base = history_store(store) or store
    version = request.scope.get("state", {}).get(GRAPH_VERSION)
    if not isinstance(version, int):
        version = base.version()
    key = (id(base), version)
    kept = getattr(request.app.state, "recorded_days", None)
    if kept is not None and kept[0] == key:
        return list(kept[1])
    days = recorded_days(base)
    request.app.state.recorded_days = (key, tuple(days))
    return days


def language_of(request: Request) -> str:
    """The reader's language, chosen by graph_service.i18n.LanguageMiddleware."""
    from graph_service.i18n import DEFAULT_LANGUAGE

    return str(getattr(request.state, "lang", DEFAULT_LANGUAGE))


Lang = Annotated[str, Depends(language_of)]

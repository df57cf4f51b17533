"""Outcome Mapping over HTTP (CONTRACT.md 2d; issue 15): ``GET /api/om/ladder``,
``/api/om/silent`` and ``/api/om/contributors`` (the ``om`` verbs' ``--json`` documents, the
same options as query parameters), and the pages ``/om/ladder`` (the progress ladder),
``/om/strategies`` (the strategy map) and ``/om/contributors``. ``?as_of=`` is
graph_service.routes.deps': the graph as of that day, and that day is the reports' "today".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from graph_service.analysis import om as om_mod
from graph_service.routes.analysis import cache_of
from graph_service.routes.deps import Lang, OnParam, Store, as_of_of, question_day, switch_href
from graph_service.routes.models import Open, _example, page_responses, responses
from graph_service.store.base import GraphStore

router = APIRouter()

Period = Annotated[
    str,
    Query(description="month, quarter (default) or year: calendar periods"),
]
Partner = Annotated[str | None, Query(description="only this boundary partner (an id)")]
Periods = Annotated[int, Query(description="how many periods back, the current one included")]


class LadderDocument(Open):
    """``om ladder --json``: per boundary partner, its progress markers by stage × rating
    in the current period and the previous one (every stage and rating a key), with each
    marker's latest rating in each of the last four periods."""

    model_config = _example(
        {
            "period": "quarter",
            "as_of": "2024-12-31",
            "current": "2024-Q4",
            "previous": "2024-Q3",
            "periods": ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"],
            "partners": [
                {
                    "id": "net-hw",
                    "name": "เครือข่ายแรงงานนอกระบบ",
                    "current": {
                        "expect": {"low": 0, "medium": 1, "high": 1},
                        "like": {"low": 1, "medium": 0, "high": 0},
                        "love": {"low": 0, "medium": 0, "high": 0},
                    },
                    "previous": {
                        "expect": {"low": 1, "medium": 1, "high": 0},
                        "like": {"low": 0, "medium": 0, "high": 0},
                        "love": {"low": 0, "medium": 0, "high": 0},
                    },
                    "unrated": {"current": 1, "previous": 2},
                    "markers": [],
                }
            ],
        }
    )

    period: str = Field(description="month, quarter or year")
    current: str = Field(description="the period holding as_of: 2024-Q4, 2024-11 or 2024")
    previous: str = Field(description="the period before it")
    partners: list[dict[str, Any]] = Field(
        description='[{"id", "current": {stage: {rating: count}}, "previous": {...}}]'
    )


class SilentDocument(Open):
    """``om silent --json``: markers and strategies with no journal entry in the last N
    periods, and strategy follow-ups past due."""

    model_config = _example(
        {
            "period": "quarter",
            "periods": 2,
            "as_of": "2024-12-31",
            "since": "2024-07-01",
            "markers": ["pm-3"],
            "strategies": ["st-2"],
            "overdue": [
                {
                    "strategy": "st-1",
                    "follow_up": "2024-11-30",
                    "name": "อบรมแกนนำ",
                    "last_entry": "2024-10-15",
                    "days": 31,
                }
            ],
            "last_entry": {"pm-3": "2024-03-10", "st-2": None},
            "names": {"pm-3": "เข้าร่วมประชุม", "st-1": "อบรมแกนนำ", "st-2": "จัดเวที"},
        }
    )

    markers: list[str] = Field(description="silent progress markers, sorted")
    strategies: list[str] = Field(description="silent strategies, sorted")
    overdue: list[dict[str, Any]] = Field(description='[{"strategy", "follow_up"}]')


class ContributorsDocument(Open):
    """``om contributors --json``: the actors outcome journals name, most named first."""

    model_config = _example(
        {
            "as_of": "2024-12-31",
            "contributors": [
                {"id": "org-u", "name": "คณะสาธารณสุขศาสตร์", "mentions": 3, "markers": ["pm-1"]}
            ],
        }
    )

    contributors: list[dict[str, Any]] = Field(description='[{"id", "mentions", "markers"}]')


def _today(request: Request, on: str | None) -> dt.date:
    """The reports' "today": ``on``, else the ``as_of`` day, else the calendar's."""
    return question_day(request, on)


@router.get(
    "/api/om/ladder",
    summary="The progress ladder per boundary partner (om ladder --json)",
    tags=["outcome mapping"],
    responses=responses(LadderDocument, "the ladder document", 404, 422),
)
def get_ladder(
    request: Request,
    store: Store,
    partner: Partner = None,
    period: Period = om_mod.DEFAULT_PERIOD,
    on: OnParam = None,
) -> dict[str, Any]:
    """Per boundary partner, its progress markers by stage and rating in the current period
    (the one holding ``as_of``, default today) and the previous one; a marker counts once
    per period, with its latest rating there."""
    doc: dict[str, Any] = cache_of(request).answer(
        store, om_mod.ladder, partner=partner, period=period, today=_today(request, on)
    )
    return doc


@router.get(
    "/api/om/silent",
    summary="Markers and strategies with no journal entry lately; follow-ups past due",
    tags=["outcome mapping"],
    responses=responses(SilentDocument, "the silent document", 422),
)
def get_silent(
    request: Request,
    store: Store,
    periods: Periods = om_mod.DEFAULT_SILENT_PERIODS,
    period: Period = om_mod.DEFAULT_PERIOD,
    on: OnParam = None,
) -> dict[str, Any]:
    """``om silent --json``: no journal entry dated in the last ``periods`` periods (the
    current one included), and each strategy's latest follow-up when it is past due."""
    doc: dict[str, Any] = cache_of(request).answer(
        store, om_mod.silent, periods=periods, period=period, today=_today(request, on)
    )
    return doc


@router.get(
    "/api/om/contributors",
    summary="The actors outcome journals name as contributors (om contributors --json)",
    tags=["outcome mapping"],
    responses=responses(ContributorsDocument, "the contributors document"),
)
def get_contributors(request: Request, store: Store, on: OnParam = None) -> dict[str, Any]:
    """Most named first (ties by id), each with the progress markers its entries rate."""
    doc: dict[str, Any] = cache_of(request).answer(
        store, om_mod.contributors, today=_today(request, on)
    )
    return doc


# -- the pages -----------------------------------------------------------------------------------


def _page(
    request: Request,
    store: GraphStore,
    lang: str,
    doc: dict[str, Any],
    render: Callable[..., str],
    on: str | None,
    stale_columns: int = 0,
) -> HTMLResponse:
    """A page with its day bar (``viz.om_pages.day_bar``): ``stale_columns`` periods shown
    (the ladder's), to say when they hold no entry while older ones exist."""
    from viz.om_pages import day_bar

    day = as_of_of(request)
    asked = _today(request, on)
    latest = cache_of(request).answer(store, om_mod.latest_entry)
    stale = False
    if stale_columns and latest:
        period = doc.get("period", om_mod.DEFAULT_PERIOD)
        first_shown = om_mod.period_index(asked, period) - (stale_columns - 1)
        stale = om_mod.period_index(dt.date.fromisoformat(latest), period) < first_shown
    top = day_bar(lang, request.url.path, asked.isoformat(), on or None, latest, stale)
    shown = dict(doc, on=asked.isoformat()) if on else doc
    return HTMLResponse(
        render(shown, lang, switch_href(request, lang), day.isoformat() if day else None, top=top)
    )


@router.get(
    "/om/ladder",
    response_class=HTMLResponse,
    summary="The progress ladder: markers by stage as rows, periods as columns",
    responses=page_responses(404, 422),
)
def ladder_page(
    request: Request,
    store: Store,
    lang: Lang,
    partner: Partner = None,
    period: Period = om_mod.DEFAULT_PERIOD,
    on: OnParam = None,
) -> HTMLResponse:
    from viz.om_pages import ladder_page as render

    doc = cache_of(request).answer(
        store, om_mod.ladder, partner=partner, period=period, today=_today(request, on)
    )
    return _page(request, store, lang, doc, render, on, om_mod.LADDER_COLUMNS)


@router.get(
    "/om/strategies",
    response_class=HTMLResponse,
    summary="The strategy map: a 3 × 2 grid per boundary partner with journal counts",
    responses=page_responses(),
)
def strategies_page(request: Request, store: Store, lang: Lang, on: OnParam = None) -> HTMLResponse:
    from viz.om_pages import strategies_page as render

    doc = cache_of(request).answer(store, om_mod.strategy_map, today=_today(request, on))
    return _page(request, store, lang, doc, render, on)


@router.get(
    "/om/contributors",
    response_class=HTMLResponse,
    summary="The contributors to change, ranked by how often journals name them",
    responses=page_responses(),
)
def contributors_page(
    request: Request, store: Store, lang: Lang, on: OnParam = None
) -> HTMLResponse:
    from viz.om_pages import contributors_page as render

    doc = cache_of(request).answer(store, om_mod.contributors, today=_today(request, on))
    return _page(request, store, lang, doc, render, on)

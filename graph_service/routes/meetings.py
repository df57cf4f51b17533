"""Meetings (CONTRACT.md 2d; issue 15): ``GET /api/attendance`` (who came to a body's
meetings, who keeps missing, agencies present only through individuals, the rhythm),
``GET /api/visits`` (what a visiting team never reached), ``GET /api/co-attendance`` (who
attends the same meetings as whom), and the page ``/attendance`` (the attendance matrix).
The answers are ``graph_service.analysis.meetings``'; ``?as_of=`` works as on every read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from graph_service.analysis import meetings
from graph_service.routes.analysis import cache_of
from graph_service.routes.deps import Lang, OnParam, Store, question_day, switch_href
from graph_service.routes.models import Open, _example, page_responses, responses
from graph_service.store.history import parse_day

router = APIRouter()

Body = Annotated[str, Query(description="the id of the network or committee that meets")]
Last = Annotated[int, Query(ge=1, le=1000, description="the last M events of the body")]
MinMissed = Annotated[
    int, Query(ge=1, le=1000, description="keeps missing: missed at least N of the last M")
]
Every = Annotated[
    str | None,
    Query(description="the rhythm the body should keep: 3m, 6m, 1y, 90d (also 3 เดือน)"),
]
Since = Annotated[str | None, Query(description="only events from this day (CONTRACT 2c dates)")]
Until = Annotated[str | None, Query(description="only events up to this day")]


class AttendanceDocument(Open):
    """``attendance --json`` (CONTRACT.md 2d), with the extensions the page uses."""

    model_config = _example(
        {
            "body": "n1",
            "events": ["e1", "e2"],
            "members": [
                {"id": "p1", "attended": 1, "absent": 1, "invited": 0, "missed_last": 1},
            ],
            "keeps_missing": [],
            "individual_only": ["o1"],
        }
    )

    body: str
    events: list[str] = Field(description="the body's events, oldest first")
    members: list[dict[str, Any]] = Field(
        description="{id, attended, absent, invited, missed_last} and name, kind, member, "
        "not_listed, missed, expected_last, statuses {event: status}"
    )
    keeps_missing: list[str] = Field(description="missed at least min_missed of the last M")
    individual_only: list[str] = Field(description="organisations present only through individuals")


@router.get(
    "/api/attendance",
    summary="Who came to a body's meetings, who keeps missing, the agencies present only "
    "through individuals, the rhythm",
    tags=["meetings"],
    responses=responses(AttendanceDocument, "the attendance document", 404, 422),
)
def get_attendance(
    request: Request,
    store: Store,
    body: Body,
    last: Last = meetings.DEFAULT_LAST,
    min_missed: MinMissed = meetings.DEFAULT_MIN_MISSED,
    every: Every = None,
    since: Since = None,
    until: Until = None,
    on: OnParam = None,
) -> dict[str, Any]:
    """The ``attendance`` document (CONTRACT.md 2d); ``every`` adds ``rhythm``."""
    return cache_of(request).answer(
        store,
        meetings.attendance,
        body=body,
        last=last,
        min_missed=min_missed,
        every=every or None,
        since=parse_day(since, "since", first=True),
        until=parse_day(until, "until"),
        today=question_day(request, on),
    )


@router.get(
    "/api/rhythm",
    summary="Did each body that meets keep its rhythm (the late intervals, the overdue ones)",
    tags=["meetings"],
    responses=responses(Open, "the rhythm document", 404, 422),
)
def get_rhythm(
    request: Request,
    store: Store,
    every: Annotated[str, Query(description="the rhythm: 3m, 6m, 1y, 90d (also 3 เดือน)")],
    body: Annotated[list[str] | None, Query(description="only these bodies")] = None,
    on: OnParam = None,
) -> dict[str, Any]:
    """``{"every", "as_of", "bodies": [{"body", "name", "events", "intervals", "late",
    "kept", "last", "next_due", "overdue"}], "not_kept": [ids]}``."""
    return cache_of(request).answer(
        store, meetings.rhythms, every=every, bodies_=body or None, today=question_day(request, on)
    )


@router.get(
    "/api/visits",
    summary="The bodies (or anything a filter names) a visiting team never reached",
    tags=["meetings"],
    responses=responses(Open, "the visits document", 404, 422),
)
def get_visits(
    request: Request,
    store: Store,
    team: Annotated[str, Query(description="the id of the visiting team")],
    where: Annotated[
        list[str] | None,
        Query(description="what the team should reach (default kind=Network); ATTR=V1,V2"),
    ] = None,
    on: OnParam = None,
) -> dict[str, Any]:
    """``{"team", "where", "events", "reached": [{"id", "name", "events"}], "not_reached"}``."""
    return cache_of(request).answer(
        store, meetings.visits, team=team, where=where or None, today=question_day(request, on)
    )


@router.get(
    "/api/co-attendance",
    summary="Who attends the same meetings as whom, and how often",
    tags=["meetings"],
    responses=responses(Open, "the co-attendance document", 404, 422),
)
def get_co_attendance(
    request: Request,
    store: Store,
    body: Annotated[str | None, Query(description="only the events of this body")] = None,
    min: Annotated[int, Query(ge=1, description="only pairs with this many events")] = 1,
    on: OnParam = None,
) -> dict[str, Any]:
    """``{"body", "min_events", "pairs": [{"a", "b", "weight", "events"}]}``, heaviest first."""
    return cache_of(request).answer(
        store, meetings.co_attendance, body=body, min_events=min, today=question_day(request, on)
    )


@router.get(
    "/attendance",
    response_class=HTMLResponse,
    summary="The attendance matrix of a body (members × meetings), or the bodies to choose",
    responses=page_responses(404, 422),
)
def attendance_page(
    request: Request,
    store: Store,
    lang: Lang,
    body: Annotated[str | None, Query(description="the body; none: the list")] = None,
    last: Last = meetings.DEFAULT_LAST,
    min_missed: MinMissed = meetings.DEFAULT_MIN_MISSED,
    every: Every = None,
    on: OnParam = None,
) -> HTMLResponse:
    from viz.meetings import render_attendance, render_choose

    day = question_day(request, on)
    bodies = cache_of(request).answer(store, meetings.bodies, today=day)
    if not body:
        return HTMLResponse(render_choose(bodies, lang, switch_href(request, lang)))
    doc = cache_of(request).answer(
        store,
        meetings.attendance,
        body=body,
        last=last,
        min_missed=min_missed,
        every=every or None,
        today=day,
    )
    known = (
        bodies
        if any(b["id"] == body for b in bodies)
        else [
            *bodies,
            {"id": body, "name": doc["name"], "events": 0},
        ]
    )
    return HTMLResponse(
        render_attendance(doc, lang, switch_href(request, lang), every or None, known)
    )

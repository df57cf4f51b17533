"""``/health``: which store, and whether it answers (200) or not (503); and the work in
flight (``work``: expensive reads running and queued, answers being computed, and how many
requests were abandoned by their clients, timed out or refused as busy since the start)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from graph_service.errors import StoreUnavailable
from graph_service.routes.deps import Store
from graph_service.routes.models import HealthDocument

router = APIRouter()


@router.get(
    "/health",
    summary="Which store the service uses and whether it answers",
    responses={
        200: {"model": HealthDocument, "description": "the store answers"},
        503: {"model": HealthDocument, "description": "the store does not answer"},
    },
)
def get_health(request: Request, store: Store) -> JSONResponse:
    # the embedded store's file name only: its folder is nobody's business (issue 11)
    location = Path(store.location).name if store.engine == "embedded" else store.location
    body: dict[str, Any] = {"store": {"engine": store.engine, "location": location}}
    work = getattr(request.app.state, "work", None)
    if work is not None:
        body["work"] = work.report()
        shelf = getattr(request.app.state, "answers", None)
        body["work"]["computing"] = 0 if shelf is None else shelf.computing
    try:
        store.ping()
        body.update(status="ok", version=store.version())
        return JSONResponse(body)
    except StoreUnavailable as exc:
        body.update(status="unavailable", error=exc.message)
        return JSONResponse(body, status_code=503)

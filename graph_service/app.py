"""The HTTP service: ``create_app(settings=None, store=None)``.

The lifespan owns the store: it opens the one the settings name unless a store is given
(tests and the command line pass theirs and keep ownership). Errors are one JSON shape,
``{"error": {"code", "message", "details"}}`` with the error's own HTTP status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from graph_service import __version__
from graph_service.errors import GraphServiceError
from graph_service.routes import analysis, graph, health, home, maps
from graph_service.settings import Settings
from graph_service.store import GraphStore, open_store

DESCRIPTION = """Maps the networks of Thai health-promotion and welfare work
(Individual – Node – Network) and answers questions about them. The JSON shapes are those
of the `graph-service` command's `--json` output."""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(None, settings)
        try:
            yield
        finally:
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="graph-service",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings

    @app.exception_handler(GraphServiceError)
    async def service_error(request: Request, exc: GraphServiceError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"location": list(e.get("loc", ())), "reason": e.get("msg", "")} for e in exc.errors()
        ]
        body = {
            "error": {
                "code": "invalid_request",
                "message": "the request is not valid",
                "details": details,
            }
        }
        return JSONResponse(body, status_code=422)

    app.include_router(health.router)
    app.include_router(graph.router)
    app.include_router(analysis.router)
    app.include_router(maps.router)
    app.include_router(home.router)
    return app

"""The HTTP service: ``create_app(settings=None, store=None)``.

The lifespan owns the store: it opens the one the settings name unless a store is given
(tests and the command line pass theirs and keep ownership). Errors are one JSON shape,
``{"error": {"code", "message", "details"}}`` with the error's own HTTP status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_service import __version__
from graph_service.errors import GraphServiceError, UsageError
from graph_service.i18n import LanguageMiddleware
from graph_service.openapi import install as install_openapi
from graph_service.routes import (
    analysis,
    docs,
    entities,
    graph,
    health,
    home,
    imports,
    login,
    maps,
    meetings,
    om,
    report,
    timeline,
    upload,
)
from graph_service.routes.errorpage import error_page, wants_page
from graph_service.routes.work import InternalError, OutOfMemory, Work, WorkMiddleware
from graph_service.security import AccessMiddleware, BodyLimitMiddleware, KeyRing
from graph_service.settings import Settings
from graph_service.store import GraphStore, open_store
from graph_service.versioning import VersionMiddleware

#: the error code of FastAPI's and Starlette's own HTTP errors
HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}

DESCRIPTION = """Maps the networks of Thai health-promotion and welfare work
(Individual – Node – Network) and answers questions about them. The JSON shapes are those
of the `graph-service` command's `--json` output."""


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    """The service. Keys are parsed here, so a malformed key setting fails at start-up
    (``UsageError``) rather than on the first request."""
    settings = settings or Settings()
    keys = KeyRing.from_settings(settings)
    if settings.public_reads and not keys.enabled:
        raise UsageError(
            "GRAPH_PUBLIC_READS needs API keys (GRAPH_API_KEYS or GRAPH_API_KEYS_FILE): "
            "without them every request is already allowed, with full data"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store if store is not None else open_store(None, settings)
        # sync routes run in AnyIO's thread pool: room for every expensive turn and the
        # cheap reads besides, so /health and entity reads always find a thread
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, app.state.work.threads_needed())
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
        # /docs and /redoc are served from a packaged copy (routes/docs.py), never a CDN
        docs_url=None,
        redoc_url=None,
        # no default_response_class: FastAPI 0.165 writes the JSON of a route with a return
        # type straight to bytes with pydantic-core's Rust serializer (faster than orjson
        # after a dict round trip; ORJSONResponse is deprecated and would turn that off)
    )
    app.state.settings = settings
    app.state.keys = keys
    app.state.work = Work(settings)
    app.state.answers = analysis.AnswerShelf(settings.cache_mb * 1024 * 1024)

    @app.exception_handler(GraphServiceError)
    async def service_error(request: Request, exc: GraphServiceError) -> Response:
        if wants_page(request):
            return error_page(request, exc.http_status, exc.code, exc.message)
        return JSONResponse(exc.to_dict(), status_code=exc.http_status)

    @app.exception_handler(MemoryError)
    async def out_of_memory(request: Request, exc: MemoryError) -> JSONResponse:
        """Out of memory: drop every cached answer (the memory most likely to be spare) and
        say so in the error shape; the next request starts from a lighter service."""
        app.state.answers.clear()
        error = OutOfMemory(
            "the service ran out of memory computing this answer and stopped it; its cached "
            "answers were dropped. Ask for less (a smaller focus, fewer options) or give "
            "the service more memory"
        )
        return JSONResponse(error.to_dict(), status_code=error.http_status)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        """Anything else is a fault of the service: the error shape, never a plain-text
        traceback (the traceback goes to the log)."""
        error = InternalError(
            f"the service failed answering {request.method} {request.url.path} "
            f"({type(exc).__name__}); the details are in the service's log"
        )
        return JSONResponse(error.to_dict(), status_code=error.http_status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
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
        if wants_page(request):
            reasons = "; ".join(
                f"{'.'.join(map(str, d['location']))}: {d['reason']}" for d in details
            )
            return error_page(request, 422, "invalid_request", reasons)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """FastAPI's and Starlette's own refusals (no such route, a method the route does
        not take, a body that cannot be read) in the service's error shape."""
        code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code in (404, 405):
            message = f"{message}: {request.method} {request.url.path}"
        if wants_page(request) and exc.status_code >= 400:
            return error_page(request, exc.status_code, code, message)
        body = {"error": {"code": code, "message": message, "details": None}}
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    # the last added runs first: access, then the body limit, then the version headers,
    # then each read's budget and turn (graph_service.routes.work)
    app.add_middleware(WorkMiddleware, get_work=lambda: app.state.work)
    app.add_middleware(VersionMiddleware, get_version=lambda: app.state.store.version())
    app.add_middleware(BodyLimitMiddleware, limit_for=lambda path: body_limit(settings, path))
    app.add_middleware(AccessMiddleware, keys=keys, public_reads=settings.public_reads)
    # before all of them: the reader's language (query, then cookie, then Thai)
    app.add_middleware(LanguageMiddleware)

    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(login.router)
    app.include_router(graph.router)
    app.include_router(entities.router)
    app.include_router(imports.router)
    app.include_router(analysis.router)
    app.include_router(maps.router)
    app.include_router(home.router)
    app.include_router(upload.router)
    app.include_router(report.router)
    app.include_router(timeline.router)
    app.include_router(meetings.router)
    app.include_router(om.router)
    # the bearer scheme, the access responses and the error shape (graph_service.openapi)
    install_openapi(app, keys_enabled=keys.enabled, public_reads=settings.public_reads)
    return app


def body_limit(settings: Settings, path: str) -> int:
    """Bytes a request body may hold: ``GRAPH_MAX_UPLOAD_MB`` for uploads, 1 MiB for the
    JSON bodies of corrections."""
    if path.rstrip("/") == "/api/import" or path.startswith("/upload"):
        return int(settings.max_upload_mb) * 1024 * 1024
    return 1024 * 1024

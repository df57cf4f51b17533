"""The OpenAPI pages (``/docs``, Swagger UI; ``/redoc``) served whole by the service: their
scripts and styles come from a packaged copy (the ``fastapi-offline`` package: Swagger UI 5,
Apache-2.0, and ReDoc, MIT), never from a CDN, so the pages work on a machine with no
internet (issue 13: "`/docs` offline"). FastAPI's own ``/docs`` and ``/redoc`` are turned off
in ``app.create_app``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)

ASSETS = "/static/docs/"
#: the files the pages load, and their media types
MEDIA = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}


@lru_cache(maxsize=1)
def assets_dir() -> Path:
    """The packaged copy of Swagger UI and ReDoc."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    app = request.app
    return get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} – API",
        oauth2_redirect_url="/docs/oauth2-redirect",
        swagger_js_url=ASSETS + "swagger-ui-bundle.js",
        swagger_css_url=ASSETS + "swagger-ui.css",
        swagger_favicon_url=ASSETS + "favicon.png",
    )


@router.get("/docs/oauth2-redirect")
def swagger_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    app = request.app
    return get_redoc_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} – API",
        redoc_js_url=ASSETS + "redoc.standalone.js",
        redoc_favicon_url=ASSETS + "favicon.png",
        with_google_fonts=False,
    )


@router.get(ASSETS + "{name}")
def asset(name: str) -> Response:
    if name not in MEDIA:
        return Response(status_code=404)
    return FileResponse(
        assets_dir() / name,
        media_type=MEDIA[name],
        headers={"Cache-Control": "public, max-age=86400"},
    )

"""``/report``: the print view, the home page's answers with their maps on A4 pages
(:mod:`viz.report`), with a print button that printing hides. Thai unless the reader chose
English (``lang``). ``graph-service report -o FILE.pdf`` prints the same page to PDF.

The page is built once per graph version, privacy mode, language and day (the cover names
the date) and kept with the map pages in the app's answer cache.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from graph_service.routes.analysis import cache_of
from graph_service.routes.deps import Lang, Store
from graph_service.routes.models import page_responses

router = APIRouter()


@router.get(
    "/report",
    response_class=HTMLResponse,
    summary="The print view: the home page's answers with their maps, on A4 pages",
    responses=page_responses(),
)
def report_page(request: Request, store: Store, lang: Lang) -> HTMLResponse:
    from viz.report import empty_page, print_view

    if not store.stats().nodes:
        return HTMLResponse(empty_page(lang))
    today = dt.date.today().isoformat()
    page = cache_of(request, "pages").answer(store, print_view, lang=lang, day=today)
    return HTMLResponse(page)

"""The maps in the browser (``/map``…) and ``/api/export``.

Pages reference vis-network and the map script under ``/static/`` (served from the
package), so a page for a large graph stays small; ``graph-service map`` writes the
standalone form with everything inlined.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from graph_service.errors import InvalidInput
from graph_service.routes.analysis import AnswerCache, cache_of
from graph_service.routes.deps import (
    AS_OF,
    Lang,
    Store,
    as_of_of,
    public_store_of,
    recorded_days_of,
)
from graph_service.routes.models import file_responses, page_responses
from graph_service.store.base import GraphStore

router = APIRouter()

#: links in a map's details panel: {id} is the selected entity's id; each name is a word of
#: maps.toml (``maps.link.<name>``)
PANEL_LINKS = {
    "neighbourhood": "/map/focus/{id}?depth=2",
    "reach": "/map/reach/{id}?depth=2",
    "impact": "/api/brokerage/{id}/impact",
    "open": "/map/focus/{id}?depth=1&level=individual",
}

Level = Annotated[str, Query(description="individual, node or network (INN)")]
ColourBy = Annotated[str, Query(description="kind, level, sector, admin_level or any property")]
SizeBy = Annotated[
    str,
    Query(description="degree, betweenness, brokerage, reach or mentions (outcome journals)"),
]
Layout = Annotated[str, Query(description="force (default), levels, inn or geographic")]
Where = Annotated[
    list[str] | None,
    Query(
        description="draw only the entities matching ATTR=V1,V2 (kind=, level=, tag=, "
        "within=AREA, any property); repeat for more terms"
    ),
]


@router.get(
    "/map",
    response_class=HTMLResponse,
    summary="The whole network as a map",
    responses=page_responses(422),
)
def whole_map(
    request: Request,
    store: Store,
    lang: Lang,
    level: Level = "individual",
    colour_by: ColourBy = "kind",
    size_by: SizeBy = "degree",
    where: Where = None,
    layout: Layout = "force",
) -> HTMLResponse:
    return _map_page(request, store, lang, None, 2, level, colour_by, size_by, where, layout)


@router.get(
    "/map/focus/{ref:path}",
    response_class=HTMLResponse,
    summary="An entity's neighbourhood as a map",
    responses=page_responses(404, 422),
)
def focus_map(
    request: Request,
    ref: str,
    store: Store,
    lang: Lang,
    depth: Annotated[int, Query(description="steps, 1 to 10")] = 2,
    level: Level = "individual",
    colour_by: ColourBy = "kind",
    size_by: SizeBy = "degree",
    where: Where = None,
    layout: Layout = "force",
) -> HTMLResponse:
    return _map_page(request, store, lang, ref, depth, level, colour_by, size_by, where, layout)


@router.get(
    "/api/map",
    summary="The laid-out map that /map draws (CONTRACT.md section 2: map --json)",
    responses=page_responses(404, 422),
)
def map_json(
    request: Request,
    store: Store,
    lang: Lang,
    focus: Annotated[str | None, Query(description="an entity: map its neighbourhood")] = None,
    depth: Annotated[int, Query(description="steps, 1 to 10")] = 2,
    level: Level = "individual",
    colour_by: ColourBy = "kind",
    size_by: SizeBy = "degree",
    where: Where = None,
    layout: Layout = "force",
) -> dict[str, Any]:
    """``{"title", "notes", "nodes": [{"id", "label", "kind", "x", "y", "size"}], "edges":
    [{"from", "to", "type"}]}``: the positions the page draws, ``size`` the node's diameter
    in the units of ``x`` and ``y``; the same options as ``/map`` and ``/map/focus``."""
    from viz.maps import build_map_json

    return cache_of(request).answer(
        store,
        build_map_json,
        focus=focus,
        depth=depth,
        level=level,
        colour_by=colour_by,
        size_by=size_by,
        where=tuple(where or ()),
        layout=layout,
        lang=lang,
    )


def _pages(request: Request) -> AnswerCache:
    """Map pages, built once per graph version (and privacy mode) and options, the page's
    language among them (every builder takes ``lang``, so a Thai page and an English page
    of one URL are two entries); they share the cache's bound in bytes with the answers (a
    page of a large graph weighs megabytes)."""
    return cache_of(request, "pages")


def served_page(
    request: Request, store: GraphStore, lang: str, build: Any, /, **options: Any
) -> HTMLResponse:
    """A map page: ``build(store, **options)`` from the page cache, with the time bar of
    its request (:func:`time_bar_of`). Asked as of a day on which nothing was recorded
    yet, the page says so rather than that the graph is empty."""
    try:
        page = _pages(request).answer(store, build, **options)
    except InvalidInput as exc:
        raise _explained(request, store, lang, exc) from None
    return HTMLResponse(_with_time_bar(page, request, store, lang))


def _with_time_bar(page: str, request: Request, store: GraphStore, lang: str) -> str:
    from viz.maps import with_time

    return with_time(page, time_bar_of(request, store, lang))


def time_bar_of(request: Request, store: GraphStore, lang: str) -> str:
    """The as-of banner and the time slider of this request's map page
    (``viz.maps.time_bar``): the days the store recorded, the day asked, and this page's
    address without ``as_of`` (now)."""
    from urllib.parse import urlencode

    from viz.maps import time_bar

    day = as_of_of(request)
    days = recorded_days_of(request, store)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != AS_OF]
    now = request.url.path + ("?" + urlencode(query) if query else "")
    return str(time_bar(days, day.isoformat() if day else None, lang, now))


def _explained(request: Request, store: GraphStore, lang: str, exc: InvalidInput) -> Exception:
    """``exc``, or when the page was asked as of a day before anything was recorded, an
    ``InvalidInput`` that says so (and when the first record was)."""
    from graph_service import i18n

    day = as_of_of(request)
    if day is None or store.ids_of():
        return exc
    days = recorded_days_of(request, store)
    if not days:
        return exc
    return InvalidInput(
        i18n.text(
            lang,
            "time.web.nothing_as_of",
            date=i18n.date(day.isoformat(), lang),
            first=i18n.date(days[0], lang),
        ),
        {"parameter": AS_OF, "value": day.isoformat(), "first_record": days[0]},
    )


def _map_page(
    request: Request,
    store: GraphStore,
    lang: str,
    focus: str | None,
    depth: int,
    level: str,
    colour_by: str,
    size_by: str,
    where: list[str] | None = None,
    layout: str = "force",
) -> HTMLResponse:
    from viz.maps import build_map

    return served_page(
        request,
        store,
        lang,
        build_map,
        focus=focus,
        depth=depth,
        level=level,
        colour_by=colour_by,
        size_by=size_by,
        links=PANEL_LINKS,
        standalone=False,
        where=tuple(where or ()),
        layout=layout,
        lang=lang,
    )


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    from viz.maps import static_files

    files = static_files()
    if name not in files:
        return Response(status_code=404)
    return FileResponse(files[name], headers={"Cache-Control": "public, max-age=3600"})


MEDIA = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
    "cyjs": "application/json",
    "kumu": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
    "png": "image/png",
    "svg": "image/svg+xml",
}
SUFFIX = {"gexf": ".gexf", "graphml": ".graphml", "cyjs": ".cyjs.json", "kumu": ".kumu.json"}


@router.get(
    "/api/export",
    summary="The graph in another tool's format",
    tags=["exports"],
    responses=file_responses("the file, as an attachment", MEDIA.values(), 400, 422),
)
def get_export(
    request: Request,
    store: Store,
    format: Annotated[
        str, Query(description="gexf, graphml, cyjs, kumu, csv (a zip), xlsx, png, svg")
    ],
    measures: bool = True,
    public: Annotated[
        bool,
        Query(
            description="a file to share: people without consent under pseudonyms, with only "
            "the fields of GRAPH_PUBLIC_PERSON_FIELDS (PDPA); a read without a key always is"
        ),
    ] = False,
    where: Annotated[
        list[str] | None,
        Query(
            description="only the entities matching ATTR=V1,V2 (kind=, level=, tag=, "
            "within=AREA, any property) and the relationships among them; repeat for more terms"
        ),
    ] = None,
    dynamic: Annotated[
        bool,
        Query(
            description="gexf only: the whole history for Gephi's timeline (GEXF 1.3 "
            "mode=dynamic: every entity and relationship with the days it held, and each "
            "value's days); not with where, nor on the public view"
        ),
    ] = False,
) -> FileResponse:
    """A download: GEXF or GraphML (Gephi, Cytoscape), Cytoscape.js JSON, a Kumu blueprint,
    the dataset as a zip of CSV files that imports back to the same graph, or an ``.xlsx``
    workbook of the analysis tables. With ``public=true`` people without consent appear
    under pseudonyms (``graph_service.privacy``)."""
    from viz.export import export

    if public:
        store = public_store_of(request)

    work = Path(tempfile.mkdtemp(prefix="graph-service-export-"))
    cleanup = BackgroundTask(shutil.rmtree, work, ignore_errors=True)
    try:
        if format == "csv":
            folder = work / "dataset"
            export(store, format, folder, measures=measures, where=where or (), dynamic=dynamic)
            target = work / "graph-service-dataset.zip"
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in sorted(folder.iterdir()):
                    zf.write(f, f.name)
        else:
            target = work / f"graph-service{SUFFIX.get(format, '.' + format)}"
            export(store, format, target, measures=measures, where=where or (), dynamic=dynamic)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(
        target,
        media_type=MEDIA.get(format, "application/octet-stream"),
        filename=target.name,
        background=cleanup,
    )


@router.get(
    "/map/brokerage",
    response_class=HTMLResponse,
    summary="Brokers and their groups",
    responses=page_responses(422),
)
def brokerage_view(
    request: Request,
    store: Store,
    lang: Lang,
    group_by: Annotated[str, Query(description="admin_level, sector, ... (as /api/brokerage)")] = (
        "admin_level"
    ),
    undirected: bool = False,
) -> HTMLResponse:
    from viz.views import brokerage_map

    return served_page(
        request,
        store,
        lang,
        brokerage_map,
        group_by=group_by,
        undirected=undirected,
        links=PANEL_LINKS,
        standalone=False,
        lang=lang,
    )


@router.get(
    "/map/overlap",
    response_class=HTMLResponse,
    summary="Funds and what they share",
    responses=page_responses(422),
)
def overlap_view(
    request: Request,
    store: Store,
    lang: Lang,
    by: Annotated[str, Query(description="area or beneficiary")] = "area",
) -> HTMLResponse:
    from viz.views import overlap_map

    return served_page(
        request, store, lang, overlap_map, by=by, links=PANEL_LINKS, standalone=False, lang=lang
    )


@router.get(
    "/map/gaps",
    response_class=HTMLResponse,
    summary="Missing links as ghost edges",
    responses=page_responses(422),
)
def gaps_view(
    request: Request,
    store: Store,
    lang: Lang,
    by: Annotated[str, Query(description="admin_level, sector, ...")] = "admin_level",
) -> HTMLResponse:
    from viz.views import gaps_map

    return served_page(
        request, store, lang, gaps_map, by=by, links=PANEL_LINKS, standalone=False, lang=lang
    )


@router.get(
    "/map/fragility",
    response_class=HTMLResponse,
    summary="Cut points and what each would cut off",
    responses=page_responses(422),
)
def fragility_view(
    request: Request,
    store: Store,
    lang: Lang,
    group_by: Annotated[
        str | None, Query(description="admin_level, sector, ... (as /api/fragility)")
    ] = None,
) -> HTMLResponse:
    from viz.views import fragility_map

    return served_page(
        request,
        store,
        lang,
        fragility_map,
        group_by=group_by,
        links=PANEL_LINKS,
        standalone=False,
        lang=lang,
    )


@router.get(
    "/map/reach/{ref:path}",
    response_class=HTMLResponse,
    summary="What an entity reaches",
    responses=page_responses(404, 422),
)
def reach_view(
    request: Request,
    ref: str,
    store: Store,
    lang: Lang,
    depth: Annotated[int, Query(description="steps, 1 to 10")] = 2,
) -> HTMLResponse:
    from viz.views import reach_map

    return served_page(
        request,
        store,
        lang,
        reach_map,
        ref=ref,
        depth=depth,
        links=PANEL_LINKS,
        standalone=False,
        lang=lang,
    )


# -- a chain drawn as a chain (issue 12) -------------------------------------------------------


@router.get(
    "/map/path",
    response_class=HTMLResponse,
    summary="The shortest chains between two entities, drawn left to right",
    responses=page_responses(404, 422),
)
def chain_view_page(
    request: Request,
    store: Store,
    lang: Lang,
    from_: Annotated[
        str | None, Query(alias="from", description="an id or a unique name (none: a form)")
    ] = None,
    to: Annotated[str | None, Query(description="an id or a unique name")] = None,
    to_where: Annotated[
        list[str] | None, Query(description="instead of to: the nearest entity matching this")
    ] = None,
    actors_only: bool = False,
    types: Annotated[
        str | None, Query(description="only relationships of these types, comma-separated")
    ] = None,
    upward: Annotated[
        bool, Query(description="each step to the same or a higher admin_level")
    ] = False,
    all_: Annotated[
        bool, Query(alias="all", description="every shortest chain (default: at most 20)")
    ] = False,
) -> HTMLResponse:
    """The chains of ``/api/path`` (same options) drawn left to right: FROM at the left, TO
    at the right, one column per step, each tie labelled with its type; no chain: a page
    that says so. Without ``from``: a form asking for the two ends."""
    from graph_service import i18n
    from graph_service.analysis.common import parse_list
    from viz.chain import build_chain_map, chain_form

    if not from_:
        return HTMLResponse(chain_form({"to": to}, lang=lang))
    if not to and not to_where:
        values = {"from": from_, "types": types, "actors_only": actors_only, "upward": upward}
        error = i18n.text(lang, "maps.chain.missing_to")
        return HTMLResponse(chain_form({**values, "all": all_}, error, lang=lang))
    return served_page(
        request,
        store,
        lang,
        build_chain_map,
        source=from_,
        target=to or None,
        to_where=tuple(to_where or ()),
        actors_only=actors_only,
        types=parse_list(types),
        upward=upward,
        all_paths=all_,
        links=PANEL_LINKS,
        standalone=False,
        lang=lang,
    )


# -- the network over time (issue 14) ----------------------------------------------------------

DayFrom = Annotated[
    str | None,
    Query(
        alias="from",
        description="the earlier date: 2023-01-01, 1/1/2566 or a year (its first day); "
        "default the day before the last one the store recorded",
    ),
]
DayTo = Annotated[
    str | None,
    Query(
        description="the later date: 2024-12-31, 31/12/2567 or a year (its last day); "
        "default the last day the store recorded",
    ),
]


@router.get(
    "/map/diff",
    response_class=HTMLResponse,
    summary="The before/after map: the network at two dates drawn together",
    responses=page_responses(400, 422),
)
def diff_view(
    request: Request, store: Store, lang: Lang, from_: DayFrom = None, to: DayTo = None
) -> HTMLResponse:
    """The network as of ``from`` and as of ``to`` in one map: ties added green, ended red
    and dashed, kept grey; entities that joined green, that left red. The banner sums up
    the change in a sentence with the measures that moved (``GET /api/diff`` gives the
    whole document). A store with fewer than two recorded days gives a page that says so."""
    from viz.views import diff_days, diff_map

    first, last = cache_of(request).answer(store, diff_days, day_from=from_, day_to=to)
    page = _pages(request).answer(
        store,
        diff_map,
        day_from=first.isoformat() if first else None,
        day_to=last.isoformat() if last else None,
        links=PANEL_LINKS,
        standalone=False,
        lang=lang,
    )
    return HTMLResponse(page)

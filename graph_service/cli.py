"""The ``graph-service`` command (CONTRACT.md section 2).

Exit status: 0 success, 1 invalid input, 2 wrong usage, 3 store unreachable.
``--store URL`` (or ``GRAPH_STORE``) chooses the store and may stand before or after the verb.

A question on the command line should cost what its computation costs, so each verb imports
what it needs when it runs: importing this module loads click, orjson and the store's
protocol, never FastAPI, pydantic-settings, pandas, networkx, matplotlib or the Neo4j driver
(tests/api/test_cli_imports.py checks it). The settings come from
:func:`~graph_service.cli_settings.read_settings`, equal to ``Settings()`` without its cost;
``serve`` and ``demo`` build the service's ``Settings`` themselves.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import orjson

from graph_service import __version__
from graph_service.cli_settings import CliSettings, read_settings
from graph_service.domain import KINDS
from graph_service.entities import require_graph
from graph_service.errors import GraphServiceError, UsageError
from graph_service.i18n import DEFAULT_LANGUAGE, LANGUAGES
from graph_service.store import GraphStore, open_store

if TYPE_CHECKING:
    from graph_service.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

SAMPLES_DIR = Path(__file__).parent / "data" / "samples"
#: what `make demo` loads: the delivery network, and the meetings and Outcome Mapping journals
DEFAULT_SAMPLE = "community-occupation,informal-workers-om"
DEMO_STORE_FILE = "graph-service-demo.db"


def emit_json(doc: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def fail(exc: GraphServiceError, as_json: bool) -> None:
    if as_json:
        emit_json(exc.to_dict())
    click.echo(f"graph-service: {exc.message}", err=True)
    sys.exit(exc.exit_code)


def store_option(func: F) -> F:
    """``--store`` accepted after the verb too; it wins over the one before it."""
    return click.option(
        "--store",
        "store_url",
        default=None,
        metavar="URL",
        help="file path (embedded store) or bolt://… / neo4j://… (default: GRAPH_STORE, "
        "else graph-service.db here)",
    )(func)


def _remember_day(key: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    """A date option's callback: the day (CONTRACT.md 2c dates; a year is its last day)
    kept in ``ctx.obj[key]``, or a usage error saying how to write one."""

    def remember(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is None:
            return
        from graph_service.dataset import parse_when

        try:
            ctx.ensure_object(dict)[key] = parse_when(value)
        except ValueError as exc:
            raise click.BadParameter(
                f"{exc} (วันที่เช่น 2024-06-30, 30/6/2567 หรือปี 2567)", ctx, param
            ) from None

    return remember


def as_of_option(func: F) -> F:
    """``--as-of DATE``: the answer as the network was on DATE (CONTRACT.md 2c:
    ``2024-06-30``, ``30/6/2567``, or a year: its last day). ``opened_store`` then gives
    the graph as of that day (``store.history.as_of``) instead of the store."""

    remember = _remember_day("as_of")

    def co_attendance(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(dict)["co_attendance"] = True

    func = click.option(
        "--co-attendance",
        is_flag=True,
        expose_value=False,
        callback=co_attendance,
        help="add a CO_ATTENDED tie between every two actors who attended the same events "
        "(weight: how many), computed from the attendance rows (issue 15)",
    )(func)
    return click.option(
        "--as-of",
        default=None,
        metavar="DATE",
        expose_value=False,
        callback=remember,
        help="the network as it was on DATE: 2024-06-30, 30/6/2567 or a year (2567: its "
        "last day); default now",
    )(func)


def on_option(func: F) -> F:
    """``--on DATE``: the day a meetings or Outcome Mapping question is asked on (its
    current period holds DATE, later events and journal entries are ignored, overdue counts
    from DATE), reading the graph as it is now; default the ``--as-of`` day, else today.
    Unlike ``--as-of`` it does not read history: data imported today about 2024 is asked
    about 2024 with ``--on 31/12/2567``."""

    remember = _remember_day("on")

    return click.option(
        "--on",
        default=None,
        metavar="DATE",
        expose_value=False,
        callback=remember,
        help="ask as on DATE (2024-12-31, 31/12/2567 or a year: its last day): the current "
        "period holds it, later events and entries are ignored; default --as-of, else today",
    )(func)


def question_day(ctx: click.Context) -> Any:
    """The ``--on`` day, else the ``--as-of`` day, else None (today)."""
    obj = ctx.obj or {}
    return obj.get("on") or obj.get("as_of")


def handles_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GraphServiceError as exc:
            fail(exc, bool(kwargs.get("as_json")))

    return wrapper  # type: ignore[return-value]


@contextmanager
def opened_store(
    ctx: click.Context,
    store_url: str | None,
    default_file: str | None = None,
    create: bool | None = False,
) -> Iterator[GraphStore]:
    """The store of ``--store`` (after or before the verb), ``GRAPH_STORE`` or the default.

    Only the verbs that write (``import``, ``import-geography``, ``demo``: ``create=True``)
    make a new embedded store file; every other verb refuses a file that does not exist,
    naming it, so that a mistyped ``--store`` is not an empty graph. ``create=None``
    (``serve``): the default store file is made, a named one must exist."""
    settings: CliSettings = ctx.obj["settings"]
    named = store_url or ctx.obj.get("store_url") or settings.store
    url = named or default_file
    if create is None:
        create = not named
    store = open_store(url, settings, create=create)
    try:
        day = ctx.obj.get("as_of")
        graph = store if day is None else as_of_store(store, day)
        if ctx.obj.get("co_attendance"):
            from graph_service.analysis.meetings import with_co_attendance

            graph = with_co_attendance(graph)
        yield graph
    finally:
        store.close()


def as_of_store(store: GraphStore, day: Any) -> GraphStore:
    """The graph of ``store`` as of ``day``; when nothing was recorded by then but the
    store holds data, a line on stderr says so and how to date data
    (``import --snapshot``)."""
    from graph_service.store.history import as_of, recorded_since

    view = as_of(store, day)
    if not view.ids_of():
        first = recorded_since(store)
        if first is not None and first > day.isoformat():
            click.echo(
                f"graph-service: ไม่มีข้อมูลที่บันทึกไว้ ณ {day.isoformat()} (บันทึกครั้งแรก "
                f"{first}; ใช้ import --snapshot DATE เพื่อระบุวันที่ของข้อมูล) / nothing was "
                f"recorded by {day.isoformat()} (first record {first}; date a dataset with "
                "import --snapshot DATE)",
                err=True,
            )
    return view


class ProgressBars:
    """A tqdm bar per phase on stderr; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.bars: dict[str, Any] = {}

    def __call__(self, what: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self.bars.get(what)
        if bar is None:
            bar = self.bars[what] = tqdm(
                total=total,
                desc=f"writing {what}",
                unit=" rows",
                file=sys.stderr,
                disable=None,
                leave=False,
            )
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="file path (embedded store) or bolt://… / neo4j://…",
)
@click.version_option(__version__, prog_name="graph-service")
@click.pass_context
def main(ctx: click.Context, store_url: str | None) -> None:
    """Map and question the networks of Thai health-promotion and welfare work.

    Entities are organised as Individual – Node – Network (INN). With no --store and no
    GRAPH_STORE, everything lives in the embedded store graph-service.db in this folder.
    """
    ctx.ensure_object(dict)
    ctx.obj["settings"] = read_settings()
    ctx.obj["store_url"] = store_url


def print_import(report: Any, as_json: bool) -> None:
    if as_json:
        emit_json(report.to_dict())
        return
    w = report.written
    click.echo(
        f"Imported {report.source}: {report.entities} entities "
        f"({w.nodes_created} new, {w.nodes_updated} updated, {w.nodes_unchanged} unchanged), "
        f"{report.relationships} relationships ({w.edges_created} new, {w.edges_updated} "
        f"updated, {w.edges_unchanged} unchanged); graph version {w.version}."
    )
    if report.rejects_file:
        click.echo(
            f"{len(report.problems)} problem(s); the rejected rows and their reasons are in "
            f"{report.rejects_file}",
            err=True,
        )
        for p in report.problems[:20]:
            click.echo(f"  {p}", err=True)
    for p in report.warnings[:20]:
        click.echo(f"  {p}", err=True)


@main.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="write the valid rows; write the rejected ones to a report file",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(path_type=Path),
    default=None,
    help="where --skip-invalid writes rejected rows (default: import-rejects-DATE.csv here)",
)
@click.option(
    "--encoding",
    default=None,
    help="the CSV files' encoding (default: detect UTF-8 or CP874/TIS-620)",
)
@click.option(
    "--snapshot",
    default=None,
    metavar="DATE",
    help="the dataset is the whole network on DATE (2024-06-30, 30/6/2567, or a year: its "
    "first day, so that diff --from 2566 --to 2567 compares two yearly snapshots): what "
    "the store holds and the dataset lacks ends on DATE (kept in the history)",
)
@click.option("--json", "as_json", is_flag=True, help="print the import report as JSON")
@store_option
@click.pass_context
@handles_errors
def import_cmd(
    ctx: click.Context,
    path: Path,
    skip_invalid: bool,
    rejects_path: Path | None,
    encoding: str | None,
    snapshot: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Load a dataset: a folder of CSV files, one CSV file, or one .xlsx workbook.
    Nothing is lost: a value it changes keeps its old version in the store's history."""
    from importers.load import import_dataset
    from importers.read import WorkbookLimits

    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"unknown encoding {encoding!r} (try utf-8 or cp874)") from None
    day = None
    if snapshot is not None:
        from graph_service.dataset import parse_when

        try:
            day = parse_when(snapshot, first=True).isoformat()
        except ValueError as exc:
            raise UsageError(f"--snapshot: {exc} (2024-06-30, 30/6/2567 or a year)") from None
    bars = ProgressBars()
    with opened_store(ctx, store_url, create=True) as store:
        try:
            report = import_dataset(
                store,
                path,
                encoding=encoding,
                skip_invalid=skip_invalid,
                rejects_path=rejects_path,
                progress=bars,
                limits=WorkbookLimits.from_settings(ctx.obj["settings"]),
                snapshot=day,
            )
        finally:
            bars.close()
    print_import(report, as_json)


@main.command("import-geography")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option(
    "--province", default=None, help="only this province: DOPA code (93), Thai or English name"
)
@click.option("--json", "as_json", is_flag=True, help="print the import report as JSON")
@store_option
@click.pass_context
@handles_errors
def import_geography_cmd(
    ctx: click.Context,
    folder: Path | None,
    province: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Load the Thai administrative geography (regions, provinces, districts,
    subdistricts) as Area entities with PART_OF up the hierarchy. Ids: th (the country),
    th-region-N, and th-<DOPA code> (th-93 Phatthalung, th-9301, th-930101)."""
    from importers.load import import_geography
    from importers.thai_admin import read_geography

    try:
        nodes, edges = read_geography(folder, province=province)
    except (ValueError, FileNotFoundError) as exc:
        from graph_service.errors import InvalidInput

        raise InvalidInput(str(exc)) from exc
    bars = ProgressBars()
    with opened_store(ctx, store_url, create=True) as store:
        try:
            report = import_geography(store, nodes, edges, str(folder or "Thai geography"), bars)
        finally:
            bars.close()
    print_import(report, as_json)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def stats(ctx: click.Context, as_json: bool, store_url: str | None) -> None:
    """Counts of entities by kind and of relationships by type, and the graph's version."""
    with opened_store(ctx, store_url) as store:
        result = store.stats()
        location = f"{store.engine}: {store.location}"
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"Graph version {result.version} ({location})")
    click.echo(f"Entities: {sum(result.nodes.values())}")
    for kind in sorted(result.nodes, key=lambda k: (-result.nodes[k], k)):
        level = KINDS.get(kind)
        click.echo(f"  {kind:<16}{result.nodes[kind]:>8}" + (f"  ({level})" if level else ""))
    click.echo(f"Relationships: {sum(result.relationships.values())}")
    for type_ in sorted(result.relationships, key=lambda t: (-result.relationships[t], t)):
        click.echo(f"  {type_:<24}{result.relationships[type_]:>8}")


@main.command()
@click.option("--from", "day_from", required=True, metavar="DATE", help="the earlier day")
@click.option("--to", "day_to", required=True, metavar="DATE", help="the later day")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@store_option
@click.pass_context
@handles_errors
def diff(
    ctx: click.Context, day_from: str, day_to: str, as_json: bool, store_url: str | None
) -> None:
    """What changed between two days (2024-06-30, 30/6/2567, or a year: --from its first
    day, --to its last): entities that joined and left, relationships added, ended and
    changed, and the measures that matter (CONTRACT.md 2c)."""
    from graph_service.analysis.change import diff as diff_of
    from viz.timeline import diff_sentence, measure_lines

    first, last = _day_option(day_from, True), _day_option(day_to, False)
    with opened_store(ctx, store_url) as store:
        doc = diff_of(store, first, last)
    if as_json:
        emit_json(doc)
        return
    names = doc["names"]
    for lang in ("th", "en"):
        click.echo(diff_sentence(doc, lang))
    for line in measure_lines(doc, "th"):
        click.echo(f"  {line}")
    for title, ids in (("joined", doc["entities"]["added"]), ("left", doc["entities"]["removed"])):
        if ids:
            click.echo(
                f"{title} ({len(ids)}): " + ", ".join(f"{names.get(i, i)} [{i}]" for i in ids[:20])
            )
    for title, rels in (
        ("added", doc["relationships"]["added"]),
        ("ended", doc["relationships"]["removed"]),
        ("changed", doc["relationships"]["changed"]),
    ):
        if rels:
            click.echo(f"relationships {title} ({len(rels)}):")
            for r in rels[:20]:
                extra = ""
                if "changes" in r:
                    extra = "  " + "; ".join(
                        f"{k}: {a} → {b}" for k, (a, b) in r["changes"].items()
                    )
                click.echo(f"  {r['source']} -[{r['type']}]-> {r['target']}{extra}")
    for c in doc["entities"]["changed"][:20]:
        changes = "; ".join(f"{k}: {a} → {b}" for k, (a, b) in c["changes"].items())
        click.echo(f"changed {c['id']}: {changes}")


@main.command()
@click.argument("ref", metavar="ID")
@click.option(
    "--history", is_flag=True, help="each value of the entity and its relationships over time"
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def show(ctx: click.Context, ref: str, history: bool, as_json: bool, store_url: str | None) -> None:
    """One entity (by id, or by its name when no id matches): properties and relationships."""
    from graph_service.entities import describe_entity

    if history:
        from graph_service.entities import entity_history

        with opened_store(ctx, store_url) as store:
            doc = entity_history(store, ref)
        if as_json:
            emit_json(doc)
            return
        click.echo(f"{doc['name']}  [{doc['id']}]")
        for key, values in doc["properties"].items():
            click.echo(f"  {key}:")
            for v in values:
                click.echo(f"    {v['from'] or '…'} – {v['to'] or 'now'}: {v['value']}")
        for rel in doc["relationships"]:
            spans = ", ".join(f"{v['from'] or '…'}–{v['to'] or 'now'}" for v in rel["versions"])
            click.echo(f"  {rel['source']} -[{rel['type']}]-> {rel['target']}: {spans}")
        return
    with opened_store(ctx, store_url) as store:
        doc = describe_entity(store, ref)
        names = {
            i: n.name
            for i, n in store.get_nodes([r["other"] for r in doc["relationships"]]).items()
        }
    if as_json:
        emit_json(doc)
        return
    level = f", {doc['level']} level" if doc["level"] else ""
    click.echo(f"{doc['name']}  [{doc['id']}]  {doc['kind']}{level}")
    for key, value in sorted(doc["properties"].items()):
        if key != "name":
            shown = " | ".join(map(str, value)) if isinstance(value, list) else value
            click.echo(f"  {key}: {shown}")
    click.echo(f"Relationships ({len(doc['relationships'])}):")
    for rel in doc["relationships"]:
        arrow = f"-[{rel['type']}]->" if rel["outgoing"] else f"<-[{rel['type']}]-"
        extra = f"  ({rel['direction']})" if rel["direction"] else ""
        click.echo(f"  {arrow} {names.get(rel['other'], '')} [{rel['other']}]{extra}")


def lang_option(func: F) -> F:
    """``--lang``: the language of a page or report's words (graph_service.i18n), Thai by
    default; names stay as the data writes them."""
    return click.option(
        "--lang",
        type=click.Choice(list(LANGUAGES)),
        default=DEFAULT_LANGUAGE,
        show_default=True,
        help="the language of the words (names stay as the data writes them)",
    )(func)


def layout_option(func: F) -> F:
    """``--layout``: the map's layouts (viz.layouts), for ``map`` and the pictures of
    ``export``."""
    return click.option(
        "--layout",
        "layout_name",
        type=click.Choice(["force", "levels", "inn", "geographic"]),
        default="force",
        show_default=True,
        help="force (links), levels (admin levels top down), inn (networks, nodes, "
        "individuals) or geographic (real coordinates); for export: png and svg",
    )(func)


@main.command("map")
@click.option("--focus", default=None, metavar="ID", help="an entity: map its neighbourhood")
@click.option("--depth", "-k", default=2, show_default=True, type=int, help="steps from --focus")
@click.option(
    "--level",
    type=click.Choice(["individual", "node", "network"]),
    default="individual",
    show_default=True,
    help="INN level: node folds people into their organisations, network folds those into "
    "their networks",
)
@click.option(
    "--colour-by", default="kind", show_default=True, help="kind, level, sector, admin_level..."
)
@click.option(
    "--size-by",
    type=click.Choice(["degree", "betweenness", "brokerage", "reach", "mentions"]),
    default="degree",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    "output",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="the HTML file to write (standalone: works offline); required but with --path --json",
)
@click.option(
    "--public",
    is_flag=True,
    help="a map to share: people without consent under pseudonyms, with only the fields "
    "of GRAPH_PUBLIC_PERSON_FIELDS (PDPA)",
)
@click.option(
    "--where",
    multiple=True,
    metavar="FILTER",
    help="draw only the entities matching ATTR=V1,V2 (kind=, level=, tag=, within=AREA, any "
    "property); repeat for more terms",
)
@click.argument("ends", metavar="[FROM [TO]]", nargs=-1)
@click.option(
    "--path",
    "chain",
    is_flag=True,
    help="map --path FROM TO: the shortest chains from FROM to TO (ids or names) drawn left "
    "to right, as the path verb finds them",
)
@click.option(
    "--to-where",
    multiple=True,
    metavar="ATTR=V1,V2",
    help="with --path, instead of TO: to the nearest entity matching this filter; repeat for "
    "more terms",
)
@click.option("--all", "all_paths", is_flag=True, help="with --path: every shortest chain")
@click.option(
    "--from",
    "day_from",
    default=None,
    metavar="DATE",
    help="a before/after map from DATE (a year: its first day) to --to: ties added green, "
    "ended red dashed, kept grey",
)
@click.option(
    "--to",
    "day_to",
    default=None,
    metavar="DATE",
    help="with --from: the later date (a year: its last day; default the last recorded)",
)
@click.option("--actors-only", is_flag=True, help="with --path: only through actors")
@click.option(
    "--types", default=None, metavar="T1,T2", help="with --path: only relationships of these types"
)
@click.option("--upward", is_flag=True, help="with --path: each step to the same or higher level")
@click.option(
    "--json", "as_json", is_flag=True, help="print the laid-out map (nodes with x, y, size)"
)
@layout_option
@lang_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def map_cmd(
    ctx: click.Context,
    focus: str | None,
    depth: int,
    level: str,
    colour_by: str,
    size_by: str,
    output: Path | None,
    public: bool,
    where: tuple[str, ...],
    ends: tuple[str, ...],
    chain: bool,
    to_where: tuple[str, ...],
    all_paths: bool,
    day_from: str | None,
    day_to: str | None,
    actors_only: bool,
    types: str | None,
    upward: bool,
    as_json: bool,
    layout_name: str,
    lang: str,
    store_url: str | None,
) -> None:
    """An interactive map (vis-network) as one standalone HTML file; with --path FROM TO,
    the shortest chains between two entities drawn as chains; with --from DATE --to DATE,
    the network at the two dates drawn together (what changed)."""
    from graph_service.store.public import public_fields, public_view
    from viz.maps import build_map

    if day_from or day_to:
        from viz.views import diff_map

        if output is None:
            raise click.UsageError("Missing option '--output' / '-o': the HTML file to write", ctx)
        with opened_store(ctx, store_url) as store:
            if public:
                fields = public_fields(ctx.obj["settings"].public_person_fields)
                store = public_view(store, fields)
            page = diff_map(store, day_from=day_from, day_to=day_to, standalone=True, lang=lang)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
        click.echo(f"Wrote {output}; open it in a browser.")
        return

    if chain or ends or to_where or all_paths or actors_only or types or upward:
        _chain_map_cmd(
            ctx,
            ends=ends,
            chain=chain,
            to_where=to_where,
            all_paths=all_paths,
            actors_only=actors_only,
            types=types,
            upward=upward,
            as_json=as_json,
            output=output,
            public=public,
            others={"--focus": focus, "--where": where},
            store_url=store_url,
            lang=lang,
        )
        return
    if as_json:
        from viz.maps import build_map_json

        with opened_store(ctx, store_url) as store:
            if public:
                settings_: CliSettings = ctx.obj["settings"]
                store = public_view(store, public_fields(settings_.public_person_fields))
            doc = build_map_json(
                store,
                focus=focus,
                depth=depth,
                level=level,
                colour_by=colour_by,
                size_by=size_by,
                where=where,
                layout=layout_name,
                lang=lang,
            )
        emit_json(doc)
        return
    if output is None:
        raise click.UsageError("Missing option '--output' / '-o': the HTML file to write", ctx)
    settings: CliSettings = ctx.obj["settings"]
    with opened_store(ctx, store_url) as store:
        if public:
            store = public_view(store, public_fields(settings.public_person_fields))
        page = build_map(
            store,
            focus=focus,
            depth=depth,
            level=level,
            colour_by=colour_by,
            size_by=size_by,
            standalone=True,
            where=where,
            layout=layout_name,
            lang=lang,
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    click.echo(f"Wrote {output} ({len(page.encode('utf-8')) / 1e6:.1f} MB); open it in a browser.")


def _chain_map_cmd(
    ctx: click.Context,
    *,
    ends: tuple[str, ...],
    chain: bool,
    to_where: tuple[str, ...],
    all_paths: bool,
    actors_only: bool,
    types: str | None,
    upward: bool,
    as_json: bool,
    output: Path | None,
    public: bool,
    others: dict[str, Any],
    store_url: str | None,
    lang: str = "th",
) -> None:
    """``map --path FROM TO``: the chains of ``path`` drawn left to right (viz.chain)."""
    from graph_service.analysis.common import parse_list
    from graph_service.store.public import public_fields, public_view
    from viz.chain import chain_map_json, chain_view, render_chain

    if not chain:
        raise UsageError(
            "FROM, TO, --to-where, --all, --actors-only, --types, --upward and --json go with "
            "--path: map --path FROM TO -o FILE.html"
        )
    wrong = [name for name, value in others.items() if value]
    if wrong:
        raise UsageError(f"{', '.join(wrong)} cannot be combined with --path")
    want_to = not to_where
    if len(ends) != 1 + want_to:
        raise UsageError(
            "map --path FROM TO (or map --path FROM --to-where FILTER): "
            f"{len(ends)} entit{'y' if len(ends) == 1 else 'ies'} given"
        )
    if output is None and not as_json:
        raise click.UsageError(
            "Missing option '--output' / '-o': the HTML file to write (or --json)", ctx
        )
    settings: CliSettings = ctx.obj["settings"]
    with opened_store(ctx, store_url) as store:
        if public:
            store = public_view(store, public_fields(settings.public_person_fields))
        view = chain_view(
            store,
            ends[0],
            ends[1] if want_to else None,
            to_where=list(to_where) or None,
            actors_only=actors_only,
            types=parse_list(types),
            upward=upward,
            all_paths=all_paths,
            lang=lang,
        )
    if output is not None:
        page = render_chain(view, standalone=True, lang=lang)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    if as_json:
        emit_json(chain_map_json(view))
        return
    click.echo(view.title)
    click.echo(f"Wrote {output}; open it in a browser.")


@main.command("export")
@click.option(
    "--format",
    "fmt",
    required=True,
    type=click.Choice(["gexf", "graphml", "cyjs", "kumu", "csv", "xlsx", "png", "svg"]),
    help="gexf/graphml (Gephi, Cytoscape), cyjs (Cytoscape.js), kumu, csv (a dataset folder "
    "that imports back), xlsx (the analysis tables), png/svg (a static picture, Thai font)",
)
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(path_type=Path),
    help="the file to write (a folder for csv)",
)
@click.option("--no-measures", is_flag=True, help="gexf/graphml: leave out the measures")
@click.option(
    "--dynamic",
    is_flag=True,
    help="gexf: the whole history for Gephi's timeline (every entity and relationship with "
    "the days it held, and each value's days); not with --as-of or --where",
)
@click.option(
    "--public",
    is_flag=True,
    help="a file to share: people without consent under pseudonyms, with only the fields "
    "of GRAPH_PUBLIC_PERSON_FIELDS (PDPA)",
)
@click.option(
    "--where",
    multiple=True,
    metavar="FILTER",
    help="export only the entities matching ATTR=V1,V2 (kind=, level=, tag=, within=AREA, any "
    "property) and the relationships among them; repeat for more terms",
)
@layout_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def export_cmd(
    ctx: click.Context,
    fmt: str,
    output: Path,
    no_measures: bool,
    dynamic: bool,
    public: bool,
    where: tuple[str, ...],
    layout_name: str,
    store_url: str | None,
) -> None:
    """The graph in another tool's format."""
    from graph_service.store.public import public_fields, public_view
    from viz.export import export

    settings: CliSettings = ctx.obj["settings"]
    with opened_store(ctx, store_url) as store:
        if public:
            store = public_view(store, public_fields(settings.public_person_fields))
        result = export(
            store,
            fmt,
            output,
            measures=not no_measures,
            where=where,
            layout=layout_name,
            dynamic=dynamic,
        )
    click.echo(
        f"Wrote {result.path} ({fmt}): {result.nodes} entities, {result.edges} relationships."
    )
    for note in getattr(result, "notes", []) or []:
        click.echo(f"Note: {note}", err=True)


def types_option(func: F) -> F:
    return click.option(
        "--types",
        default=None,
        metavar="T1,T2",
        help="only relationships of these types (e.g. PRODUCES,USES,SHARES_KNOWLEDGE_WITH)",
    )(func)


def where_option(text: str, name: str = "--where", dest: str | None = None) -> Callable[[F], F]:
    """A filter option (CONTRACT.md 2b): ``ATTR=V1,V2``, repeated for more terms."""
    return click.option(  # type: ignore[return-value]
        name,
        dest or name.lstrip("-").replace("-", "_"),
        multiple=True,
        metavar="ATTR=V1,V2",
        help=f"{text}; a term ATTR=V1,V2 (kind=, level=, tag=, within=AREA_ID, member_of=ID "
        "or any property); repeat for more terms, all must hold",
    )


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _group(label: Any) -> str:
    return "null" if label is None else str(label)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Thai vowel and tone marks above and below a
    letter (combining, category Mn) take none, wide East Asian characters two.

    >>> display_width("ชาวบ้าน"), len("ชาวบ้าน"), display_width("org-1")
    (6, 7, 5)
    """
    import unicodedata

    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


def _table(headers: list[str], rows: list[list[Any]]) -> None:
    """Rows under headers in columns that line up in a terminal, Thai names included."""
    cells = [[_fmt(c) for c in r] for r in rows]
    widths = [
        max([display_width(h), *(display_width(r[i]) for r in cells)])
        for i, h in enumerate(headers)
    ]
    click.echo("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())


@main.command()
@click.argument("refs", metavar="ID [ID...]", nargs=-1, required=True)
@click.option("--depth", "-k", default=2, show_default=True, type=int, help="steps (1 to 10)")
@types_option
@click.option("--kinds", default=None, metavar="K1,K2", help="only through these kinds")
@click.option(
    "--targets",
    default=None,
    metavar="K1,K2",
    help="with several ids: the kinds that count as destinations (e.g. Area); also lists "
    "those none of them reaches",
)
@click.option(
    "--direction",
    type=click.Choice(["both", "out", "in"]),
    default="both",
    show_default=True,
    help="read arcs from source to target (out), the other way (in) or both; placement "
    "(LOCATED_IN, OPERATES_IN, PART_OF) never goes down again after going up",
)
@where_option("only the entities matching count as reached")
@click.option(
    "--breakdown",
    default=None,
    metavar="ATTR",
    help="counts of what was reached by kind, level or any property",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def reach(
    ctx: click.Context,
    refs: tuple[str, ...],
    depth: int,
    types: str | None,
    kinds: str | None,
    targets: str | None,
    direction: str,
    where: tuple[str, ...],
    breakdown: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Who and what ID reaches within K steps (ties read both ways); with several ids, what
    the group reaches together and what it cannot."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.reach import reach as reach_one
    from graph_service.analysis.reach import reach_group

    with opened_store(ctx, store_url) as store:  # an empty graph: resolving the id says so
        if len(refs) == 1 and not targets:
            doc = reach_one(
                store,
                refs[0],
                depth,
                parse_list(types),
                parse_list(kinds),
                direction=direction,
                where=list(where) or None,
                breakdown=breakdown,
            )
        else:
            if where or breakdown:
                raise UsageError("--where and --breakdown take one ID (not a group)")
            doc = reach_group(
                store,
                list(refs),
                depth,
                parse_list(types),
                parse_list(kinds),
                parse_list(targets),
                direction=direction,
            )
    if as_json:
        emit_json(doc)
        return
    who = f"{doc['name']} [{doc['id']}]" if "id" in doc else ", ".join(doc["ids"])
    click.echo(
        f"{who} เข้าถึง {doc['reach']} รายการภายใน {doc['depth']} ขั้น / reaches "
        f"{doc['reach']} entities within {doc['depth']} step(s) ({doc['direction']}); "
        f"weighted reach {_fmt(doc['weighted_reach'])}"
    )
    if doc.get("breakdown") is not None:
        click.echo(
            f"By {doc['breakdown_by']}: "
            + ", ".join(f"{k} {v}" for k, v in doc["breakdown"].items())
        )
    if doc["by_kind"] and doc.get("breakdown_by") != "kind":  # said once, not twice
        click.echo("By kind: " + ", ".join(f"{k} {v}" for k, v in doc["by_kind"].items()))
    if doc.get("by_level"):
        click.echo("By INN level: " + ", ".join(f"{k} {v}" for k, v in doc["by_level"].items()))
    for m in doc.get("members", []):
        click.echo(f"  member {m['name']} [{m['id']}] reaches {m['reach']}")
    _table(
        ["distance", "id", "kind", "name"],
        [[r["distance"], r["id"], r["kind"], r["name"]] for r in doc["nodes"]],
    )
    if "not_reached" in doc:
        click.echo(f"Not reached ({len(doc['not_reached'])}): " + ", ".join(doc["not_reached"]))


@main.command()
@click.option(
    "--group-by",
    default="admin_level",
    show_default=True,
    metavar="ATTR",
    help="admin_level, sector, kind, level, member_of, member_of:NETWORK_ID, or any property",
)
@types_option
@click.option("--undirected", is_flag=True, help="read every tie both ways")
@click.option(
    "--betweenness/--no-betweenness",
    default=None,
    help="compute betweenness (default: only up to 5,000 actors)",
)
@click.option(
    "--without",
    "without",
    default=None,
    metavar="ID",
    help="what breaks if this broker leaves: the actors cut off from the rest, and the pairs "
    "that lose their only short route (ties read both ways)",
)
@click.option(
    "--directed",
    is_flag=True,
    help="with --without: count the short routes along arc direction (default: both ways)",
)
@click.option("--top", default=20, show_default=True, help="rows in the table (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def brokerage(
    ctx: click.Context,
    group_by: str,
    types: str | None,
    undirected: bool,
    betweenness: bool | None,
    without: str | None,
    directed: bool,
    top: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Gould-Fernandez brokerage roles of every actor, with R sna's expected values and
    z-scores, Burt's constraint and effective size, and betweenness."""
    from graph_service.analysis import brokerage as b
    from graph_service.analysis.common import parse_list

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        if without:
            doc = b.broker_impact(store, without, group_by, parse_list(types), not directed)
        else:
            doc = b.brokerage(store, group_by, parse_list(types), undirected, betweenness)
    if as_json:
        emit_json(doc)
        return
    if without:
        _print_cut_off(doc["name"], doc["id"], doc["cut_off"], doc["cut_off_groups"], top)
        if doc["disconnected_group_pairs"]:
            click.echo(f"Groups (by {group_by}) left with no chain between them at all:")
            for p in doc["disconnected_group_pairs"]:
                click.echo(f"  {_group(p['from'])} - {_group(p['to'])}")
        click.echo(
            f"Short routes ({'along arcs' if directed else 'ties read both ways'}): "
            f"{doc['lost_pairs']} of the {doc['brokered_pairs']} pairs it brokers lose their "
            "only route of one or two steps."
        )
        for p in doc["pairs"][:top]:
            click.echo(
                f"  {p['from']} ({_group(p['from_group'])}) -> {p['to']} ({_group(p['to_group'])})"
            )
        if len(doc["pairs"]) > top:
            click.echo(f"  ... {len(doc['pairs']) - top} more (--top N, or --json)")
        if doc["lost_group_pairs"]:
            click.echo(f"Groups (by {group_by}) left with no route of one or two steps:")
            for p in doc["lost_group_pairs"]:
                click.echo(f"  {_group(p['from'])} -> {_group(p['to'])}")
        return
    click.echo(
        f"{doc['actors']} actors, {doc['ties']} ties ({'undirected' if undirected else 'directed'}"
        f"); groups by {group_by}: "
        + ", ".join(f"{_group(g['group'])} {g['actors']}" for g in doc["groups"])
    )
    for note in doc["notes"]:
        click.echo(f"Note: {note}")
    _table(
        [
            "id",
            "group",
            "coord",
            "itin",
            "repr",
            "gate",
            "liais",
            "total",
            "z",
            "constraint",
            "betweenness",
        ],
        [
            [
                r["id"],
                _group(r["group"]),
                r["coordinator"],
                r["itinerant"],
                r["representative"],
                r["gatekeeper"],
                r["liaison"],
                r["total"],
                r["z"]["total"],
                r["constraint"],
                r["betweenness"],
            ]
            for r in doc["nodes"][:top]
        ],
    )
    if len(doc["nodes"]) > top:
        click.echo(f"... {len(doc['nodes']) - top} more (--top N, or --json for all)")


def _print_cut_off(name: str, id_: str, cut_off: list[str], groups: list[Any], top: int) -> None:
    """The answer to "what if X leaves", in Thai and in English, then who is cut off."""
    who = f"{name} [{id_}]"
    if not cut_off:
        click.echo(f"ถ้า {who} ออกไป ไม่มีใครขาดการเชื่อมต่อกับเครือข่าย")
        click.echo(f"If {who} leaves, no actor is cut off from the rest of the network.")
        return
    in_groups = ", ".join(_group(g) for g in groups)
    click.echo(f"ถ้า {who} ออกไป จะมี {len(cut_off)} รายขาดการเชื่อมต่อกับเครือข่ายส่วนที่เหลือ")
    click.echo(
        f"If {who} leaves, {len(cut_off)} actor(s) are cut off from the rest of the network"
        + (f" (groups: {in_groups})" if groups else "")
        + ": "
        + ", ".join(cut_off[:top])
        + (f" ... {len(cut_off) - top} more (--top N, or --json)" if len(cut_off) > top else "")
    )


@main.command()
@click.option(
    "--group-by",
    default=None,
    metavar="ATTR",
    help="the groups of what each cut point cuts off: admin_level (default, when actors have "
    "it, else kind), sector, kind, level, member_of, or any property",
)
@types_option
@click.option("--top", default=20, show_default=True, help="cut points shown (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def fragility(
    ctx: click.Context,
    group_by: str | None,
    types: str | None,
    top: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Cut points: the actors whose leaving splits the actor graph (ties read both ways),
    each with the actors and groups it would cut off; bridges; components; isolates."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.fragility import fragility as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, group_by, parse_list(types))
    if as_json:
        emit_json(doc)
        return
    cuts = doc["cut_points"]
    click.echo(
        f"{doc['actors']} actors, {doc['ties']} ties (read both ways): "
        f"{len(doc['components'])} component(s), {len(doc['isolates'])} isolate(s), "
        f"{len(cuts)} cut point(s), {len(doc['bridges'])} bridge(s); groups by {doc['group_by']}."
    )
    for cut in cuts[:top]:
        _print_cut_off(cut["name"], cut["id"], cut["cut_off"], cut["groups"], top)
    if len(cuts) > top:
        click.echo(f"... {len(cuts) - top} more cut points (--top N, or --json for all)")
    if doc["isolates"]:
        shown = ", ".join(doc["isolates"][:top])
        more = f" ... {len(doc['isolates']) - top} more" if len(doc["isolates"]) > top else ""
        click.echo(f"Isolates (no tie to another actor): {shown}{more}")


@main.command()
@click.option(
    "--by",
    type=click.Choice(["area", "beneficiary"]),
    default="area",
    show_default=True,
    help="compare funds by the areas they reach or by their recipients",
)
@click.option("--scope", default=None, metavar="AREA_ID", help="only areas within this area")
@click.option("--level", default=None, help="only areas at this admin_level (e.g. subdistrict)")
@click.option(
    "--breakdown",
    default=None,
    metavar="ATTR",
    help="reached and unreached areas counted by an area attribute (admin_level, any "
    "property) or by the area containing them at a level (provincial, regional, ...)",
)
@where_option(
    "compare the entities matching this instead of the funds (kind=Programme: programmes "
    "sharing areas; tag=provider: communities served by two providers)",
    "--among",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def overlap(
    ctx: click.Context,
    by: str,
    scope: str | None,
    level: str | None,
    breakdown: str | None,
    among: tuple[str, ...],
    as_json: bool,
    store_url: str | None,
) -> None:
    """Pairs of funds that cover the same areas or recipients: duplication or complementary
    support (DOMAIN.md section 4), the funds per target and the areas no fund reaches."""
    from graph_service.analysis.overlap import overlap as run

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        doc = run(
            store, by=by, scope=scope, level=level, breakdown=breakdown, among=list(among) or None
        )
    if as_json:
        emit_json(doc)
        return
    if doc.get("breakdown") is not None:
        _print_coverage_breakdown(doc)
    what = "areas" if by == "area" else "recipients"
    if "among" in doc:
        terms = "; ".join(doc["among"])
        click.echo(
            f"{len(doc['pairs'])} คู่ของ {terms} มี{'พื้นที่' if by == 'area' else 'ผู้รับ'}ร่วมกัน"
            f" / {len(doc['pairs'])} pair(s) of {terms} share {what}."
        )
    else:
        click.echo(f"{len(doc['pairs'])} pair(s) of funds share {what}.")
    for note in doc.get("notes", []):
        click.echo(f"Note: {note}")
    _table(
        ["fund_a", "fund_b", "kind", "shared", "jaccard", "overlap", "weighted"],
        [
            [
                p["fund_a"],
                p["fund_b"],
                p["kind"],
                len(p["shared"]),
                p["jaccard"],
                p["overlap"],
                p["weighted_jaccard"],
            ]
            for p in doc["pairs"]
        ],
    )
    counts = doc.get("coverage_counts")
    if counts:
        reached = counts["direct"] + counts["containing"] + counts["within"]
        click.echo(
            f"Reached ({reached}): {counts['direct']} directly, {counts['containing']} through "
            f"an area containing it, {counts['within']} through an area within it (in part)"
        )
    click.echo(f"Unfunded ({len(doc['unfunded'])}): " + ", ".join(doc["unfunded"][:50]))


def _print_coverage_breakdown(doc: dict[str, Any]) -> None:
    """overlap --breakdown: one sentence, then reached / unreached per value."""
    bd = doc["breakdown"]
    names = bd.get("names") or {}
    values = list(dict.fromkeys([*bd["reached"], *bd["unreached"]]))
    reached, unreached = len(doc["coverage"]), len(doc["unfunded"])
    click.echo(
        f"กองทุนเข้าถึง {reached} พื้นที่ ยังไม่เข้าถึง {unreached} พื้นที่ แยกตาม {bd['by']} / "
        f"{reached} area(s) reached by a fund and {unreached} not, by {bd['by']}"
        + (f" (the {bd['level']} area containing each)" if bd.get("level") else "")
        + ":"
    )
    _table(
        ["value", "name", "reached", "unreached"],
        [[v, names.get(v, ""), bd["reached"].get(v, 0), bd["unreached"].get(v, 0)] for v in values],
    )


@main.command()
@click.option(
    "--by",
    default="admin_level",
    show_default=True,
    metavar="ATTR",
    help="admin_level (vertical), sector (horizontal) or any other attribute",
)
@types_option
@click.option(
    "--tie-attr",
    default=None,
    metavar="ATTR",
    help="shares of the ties by this relationship property, per group and block (e.g. formality)",
)
@click.option(
    "--tie-where",
    "tie_where",
    multiple=True,
    metavar="ATTR=V1,V2",
    help="only the relationships matching are ties: type=T1,T2 or a relationship property "
    "(e.g. policy=local); repeat for more terms, all must hold",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def gaps(
    ctx: click.Context,
    by: str,
    types: str | None,
    tie_attr: str | None,
    tie_where: tuple[str, ...],
    as_json: bool,
    store_url: str | None,
) -> None:
    """Missing horizontal and vertical links, with the actors who could close them, and the
    named gap reports."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.gaps import gaps as run

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        doc = run(
            store,
            by=by,
            types=parse_list(types),
            tie_attr=tie_attr,
            tie_where=list(tie_where) or None,
        )
    if as_json:
        emit_json(doc)
        return
    if doc.get("tie_shares") is not None:
        _print_tie_shares(doc["tie_shares"], by)
    click.echo(f"Ties between groups by {by}; E-I index {_fmt(doc['ei_index'])}")
    for note in doc.get("notes", []):
        click.echo(f"Note: {note}")
    _table(
        ["from", "to", "direction", "ties", "horiz", "vert", "undecided", "possible", "density"],
        [
            [
                b["from"],
                b["to"],
                b["direction"],
                b["ties"],
                *(
                    b.get("ties_by_direction", {}).get(d)
                    for d in ("horizontal", "vertical", "undecided")
                ),
                b["possible"],
                b["density"],
            ]
            for b in doc["blocks"]
        ],
    )
    click.echo(f"Missing links ({len(doc['missing'])}):")
    for m in doc["missing"]:
        at = f" at {m['level']} level" if m.get("level") else ""
        if m.get("undecided"):
            at = f" (direction undecided: {m['undecided']})"
        click.echo(
            f"  {m['from']} - {m['to']}{at}: {m.get('status', 'none')}; could close it: "
            + (", ".join(m["brokers"]) or "-")
        )
    for name, items in (doc.get("reports") or {}).items():
        click.echo(f"{name.replace('_', ' ')}: {len(items)}")


def _print_tie_shares(ts: dict[str, Any], by: str) -> None:
    """gaps --tie-attr: one sentence on the whole network, then a row per group and block."""

    def line(values: dict[str, int], shares: dict[str, Any]) -> str:
        return ", ".join(f"{v} {c} ({_fmt(shares[v], 2)})" for v, c in values.items()) or "-"

    click.echo(
        f"สัดส่วนความสัมพันธ์ตาม {ts['attribute']} แยกตามกลุ่ม {by} / Shares of the "
        f"{ts['total']} tie(s) by {ts['attribute']}, per {by}: " + line(ts["values"], ts["shares"])
    )
    _table(
        ["group", "ties", ts["attribute"]],
        [[_group(g["group"]), g["total"], line(g["values"], g["shares"])] for g in ts["groups"]],
    )
    _table(
        ["from", "to", "direction", "ties", ts["attribute"]],
        [
            [_group(b["from"]), _group(b["to"]), b["direction"], b["total"]]
            + [line(b["values"], b["shares"])]
            for b in ts["blocks"]
        ],
    )


# -- chains and missing links (issue 12, CONTRACT.md section 2b) ----------------------------


def _names(store: GraphStore, ids: Any) -> dict[str, str]:
    return {i: n.name for i, n in store.get_nodes(sorted(set(ids))).items()}


@main.command()
@where_option("the filter")
@click.option(
    "--breakdown", default=None, metavar="ATTR", help="counts of the found by this attribute"
)
@click.option(
    "--per-area",
    "per_area",
    default=None,
    metavar="LEVEL",
    help="for every area at this admin level (provincial, district, ...): how many of the "
    "found are within it, and the areas with none",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def find(
    ctx: click.Context,
    where: tuple[str, ...],
    breakdown: str | None,
    per_area: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """The entities matching a filter: --where kind=Organisation --where sector=academic."""
    from graph_service.analysis.filters import find as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, list(where), breakdown=breakdown, per_area=per_area)
    if as_json:
        emit_json(doc)
        return
    terms = "; ".join(doc["where"])
    click.echo(f"พบ {doc['count']} รายการที่ตรงกับ {terms} / {doc['count']} entities match {terms}.")
    if doc.get("per_area") is not None:
        _print_per_area(doc)
        return
    if doc.get("breakdown") is not None:
        click.echo(
            f"By {doc['breakdown_by']}: "
            + ", ".join(f"{k} {v}" for k, v in doc["breakdown"].items())
        )
    _table(["id", "kind", "name"], [[e["id"], e["kind"], e["name"]] for e in doc["entities"]])


def _print_per_area(doc: dict[str, Any]) -> None:
    """find --per-area: which areas hold the found entities, how many, and which hold none."""
    rows = [r for r in doc["per_area"] if r["count"]]
    without, level = doc["areas_without"], doc["level"]
    click.echo(
        f"พื้นที่ระดับ {level} ที่มีอย่างน้อยหนึ่งรายการ {len(rows)} แห่ง ไม่มีเลย {len(without)} "
        f"แห่ง / {len(rows)} {level} area(s) have at least one, {len(without)} have none."
    )
    if doc.get("breakdown") is not None:
        click.echo(
            f"By {doc['breakdown_by']}: "
            + ", ".join(f"{k} {v}" for k, v in doc["breakdown"].items())
        )
    _table(
        ["area", "name", "count", "entities"],
        [[r["id"], r["name"], r["count"], ", ".join(r["entities"][:10])] for r in rows],
    )
    names = {r["id"]: r["name"] for r in doc["per_area"]}
    click.echo(f"None ({len(without)}): " + ", ".join(f"{names[a]} [{a}]" for a in without[:50]))
    if doc["unplaced"]:
        click.echo(
            f"Within no {level} area ({len(doc['unplaced'])}): " + ", ".join(doc["unplaced"][:50])
        )


@main.command()
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO", required=False)
@where_option("instead of TO: to the nearest entity matching this filter", "--to-where")
@click.option("--actors-only", is_flag=True, help="only people, organisations and networks")
@types_option
@click.option(
    "--upward",
    is_flag=True,
    help="each step to the same or a higher admin_level (every entity needs one)",
)
@click.option("--all", "all_paths", is_flag=True, help="every shortest chain (default: 20)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def path(
    ctx: click.Context,
    source: str,
    target: str | None,
    to_where: tuple[str, ...],
    actors_only: bool,
    types: str | None,
    upward: bool,
    all_paths: bool,
    as_json: bool,
    store_url: str | None,
) -> None:
    """The shortest chains from FROM to TO (ids or names), ties read both ways."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.paths import path as run

    if (target is None) == (not to_where):
        raise UsageError("give either TO or --to-where FILTER")
    with opened_store(ctx, store_url) as store:
        doc = run(
            store,
            source,
            target,
            to_where=list(to_where) or None,
            actors_only=actors_only,
            types=parse_list(types),
            upward=upward,
            all_paths=all_paths,
        )
        names = _names(store, [doc["from"], doc["to"] or doc["from"], *sum(doc["paths"], [])])
    if as_json:
        emit_json(doc)
        return
    a = f"{names.get(doc['from'], '')} [{doc['from']}]"
    if doc["to"] is None:
        click.echo(
            f"ไม่พบรายการที่ตรงกับ {'; '.join(doc['to_where'])} ที่เชื่อมถึงได้ / no entity "
            f"matching {'; '.join(doc['to_where'])} can be reached from {a}."
        )
        return
    b = f"{names.get(doc['to'], '')} [{doc['to']}]"
    if doc["length"] is None:
        click.echo(f"ไม่มีเส้นทางจาก {a} ถึง {b} / there is no chain from {a} to {b}.")
        return
    more = f" (showing {len(doc['paths'])}; --all for every one)" if doc["truncated"] else ""
    click.echo(
        f"เส้นทางสั้นที่สุดจาก {a} ถึง {b} ยาว {doc['length']} ขั้น มี {doc['count']} เส้นทาง / "
        f"the shortest chain from {a} to {b} takes {doc['length']} step(s); "
        f"{doc['count']} such chain(s){more}."
    )
    for chain in doc["paths"]:
        click.echo("  " + " -> ".join(f"{names.get(i, '')} [{i}]" for i in chain))


@main.command()
@where_option("the entities to check", "--from", "from_")
@where_option("the entities to reach", "--to")
@click.option("--depth", "-k", default=1, show_default=True, type=int, help="steps (1 to 10)")
@types_option
@click.option("--actors-only", is_flag=True, help="only through people, organisations, networks")
@click.option(
    "--breakdown", default=None, metavar="ATTR", help="counts of the unlinked by this attribute"
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def unlinked(
    ctx: click.Context,
    from_: tuple[str, ...],
    to: tuple[str, ...],
    depth: int,
    types: str | None,
    actors_only: bool,
    breakdown: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """The entities matching --from with no chain of at most K steps to any matching --to."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.paths import unlinked as run

    if not from_ or not to:
        raise UsageError("give both --from FILTER and --to FILTER")
    with opened_store(ctx, store_url) as store:
        doc = run(store, list(from_), list(to), depth, parse_list(types), actors_only, breakdown)
        names = _names(store, doc["unlinked"])
    if as_json:
        emit_json(doc)
        return
    n, total = len(doc["unlinked"]), doc["sources"]
    click.echo(
        f"{n} จาก {total} รายการไม่มีเส้นทางภายใน {depth} ขั้นถึง {'; '.join(doc['to'])} / "
        f"{n} of {total} entities matching {'; '.join(doc['from'])} have no chain of at "
        f"most {depth} step(s) to one matching {'; '.join(doc['to'])}."
    )
    if doc.get("breakdown") is not None:
        click.echo(
            f"By {doc['breakdown_by']}: "
            + ", ".join(f"{k} {v}" for k, v in doc["breakdown"].items())
        )
    themselves = set(doc.get("targets_themselves", ()))
    for i in doc["unlinked"]:
        note = " (เป็นเป้าหมายเอง / itself a target)" if i in themselves else ""
        click.echo(f"  {names.get(i, '')} [{i}]{note}")
    if doc["linked"]:
        click.echo(f"Linked ({len(doc['linked'])}):")
        for row in doc["linked"]:
            click.echo(f"  {row['id']} -> " + ", ".join(row["reaches"]))


# -- structure (issue 12, questions S4, S27, S28) ----------------------------------------------


@main.command()
@click.option(
    "--group-by",
    default=None,
    metavar="ATTR",
    help="also sum the profile per group: admin_level, sector, kind, level, member_of, or any "
    "property",
)
@click.option(
    "--only",
    type=click.Choice(["vertical", "horizontal"]),
    default=None,
    help="list only the actors whose ties are all vertical (silos) or all horizontal",
)
@click.option("--top", default=20, show_default=True, help="actors shown (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def profile(
    ctx: click.Context,
    group_by: str | None,
    only: str | None,
    top: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Each actor's horizontal and vertical ties; the actors whose ties are only vertical
    (silos) and only horizontal. Placement (LOCATED_IN, OPERATES_IN, PART_OF) is neither."""
    from graph_service.analysis.structure import profile as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, group_by, only)
    if as_json:
        emit_json(doc)
        return
    v, h = len(doc["only_vertical"]), len(doc["only_horizontal"])
    click.echo(
        f"มี {v} รายที่มีแต่ความสัมพันธ์แนวดิ่ง (ไซโล) และ {h} รายที่มีแต่แนวราบ / "
        f"{v} actor(s) have only vertical ties (silos) and {h} only horizontal ties."
    )
    rows = doc["actors"]
    _table(
        ["id", "name", "horizontal", "vertical", "other"] + (["group"] if group_by else []),
        [
            [r["id"], r["name"], r["horizontal"], r["vertical"], r["other"]]
            + ([_group(r["group"])] if group_by else [])
            for r in rows[:top]
        ],
    )
    if len(rows) > top:
        click.echo(f"... {len(rows) - top} more (--top N, or --json for all)")
    for g in doc.get("groups", []):
        click.echo(
            f"  {_group(g['group'])}: {g['actors']} actors, {g['horizontal']} horizontal, "
            f"{g['vertical']} vertical, {g['other']} other; only vertical "
            f"{g['only_vertical']}, only horizontal {g['only_horizontal']}"
        )


@main.command()
@click.option(
    "--from",
    "from_",
    default=None,
    metavar="FUNDER_ID",
    help="also count the layers below this entity (along arcs out)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def structure(ctx: click.Context, from_: str | None, as_json: bool, store_url: str | None) -> None:
    """Freeman degree centralisation of the actor graph (ties read both ways) and, with
    --from, the layers between a funder and what it reaches downward."""
    from graph_service.analysis.structure import structure as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, from_)
    if as_json:
        emit_json(doc)
        return
    c = _fmt(doc["degree_centralisation"])
    click.echo(
        f"ความรวมศูนย์ตามระดับขั้น (Freeman) {c} จาก {doc['actors']} ราย {doc['ties']} "
        f"ความสัมพันธ์ / Degree centralisation (Freeman 1979) is {c} over {doc['actors']} "
        f"actors and {doc['ties']} ties (1 a star, 0 all equal)."
    )
    if doc["layers"] is not None:
        n = len(doc["layers"])
        click.echo(
            f"ใต้ {doc['from']} มี {n} ชั้น / {n} layer(s) below {doc['from']} (along arcs out):"
        )
        for layer in doc["layers"]:
            kinds = ", ".join(f"{k} {v}" for k, v in layer["by_kind"].items())
            click.echo(f"  {layer['depth']}: {layer['count']} ({kinds})")


@main.command()
@click.option(
    "--seed",
    default=1,
    show_default=True,
    type=click.IntRange(0, 2**63 - 1),
    help="Leiden's random seed (0 or more)",
)
@click.option("--top", default=20, show_default=True, help="members shown (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def clusters(ctx: click.Context, seed: int, top: int, as_json: bool, store_url: str | None) -> None:
    """Leiden clusters (Traag et al. 2019) of the actor graph (ties read both ways) with a
    fixed seed, and the modularity they reach: an answer, not a truth."""
    from graph_service.analysis.structure import clusters as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, seed)
    if as_json:
        emit_json(doc)
        return
    k, q = len(doc["clusters"]), _fmt(doc["modularity"])
    click.echo(
        f"พบ {k} กลุ่ม (Leiden, seed {seed}) modularity {q} / {k} cluster(s) by Leiden "
        f"with seed {seed}, modularity {q}; another seed or method may group differently."
    )
    for c in doc["clusters"]:
        shown = ", ".join(c["members"][:top])
        more = f" ... {c['size'] - top} more" if c["size"] > top else ""
        click.echo(f"  {c['id']} ({c['size']}): {shown}{more}")


# -- pairs sharing an attribute with no tie (issue 12, question S28) ---------------------------


@main.command()
@click.option(
    "--share", required=True, metavar="ATTR", help="the attribute the pairs share (e.g. problem)"
)
@where_option("only the actors matching this (default: every actor)")
@types_option
@click.option(
    "--limit", default=200, show_default=True, type=int, help="pairs listed (the total is exact)"
)
@click.option(
    "--depth",
    "-k",
    default=3,
    show_default=True,
    type=int,
    help="the furthest the actor nearest to both may be from each (1 to 10)",
)
@click.option(
    "--density-below",
    default=0.5,
    show_default=True,
    type=float,
    help="a group could form where 3 or more actors share a value with a density below this",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def pairs(
    ctx: click.Context,
    share: str,
    where: tuple[str, ...],
    types: str | None,
    limit: int,
    depth: int,
    density_below: float,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Pairs of actors with the same value of ATTR and no tie, each with the actor nearest
    to both (who could introduce them); per value, its actors, ties and density."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.pairs import pairs as run

    with opened_store(ctx, store_url) as store:
        doc = run(store, share, list(where) or None, parse_list(types), limit, depth, density_below)
        listed = [p[k] for p in doc["pairs"] for k in ("a", "b", "nearest") if p[k]]
        names = _names(store, listed)
    if as_json:
        emit_json(doc)
        return

    def who(id_: str | None) -> str:
        return "-" if id_ is None else f"{names.get(id_, '')} [{id_}]"

    total, shown = doc["total"], len(doc["pairs"])
    more = f"; the first {shown} listed (--limit N)" if doc["truncated"] else ""
    click.echo(
        f"{total} คู่มี {share} เดียวกันแต่ยังไม่มีความสัมพันธ์กัน / {total} pair(s) of actors "
        f"have the same {share} but no tie{more}."
    )
    forming = doc["could_form"]
    bound = _fmt(doc["density_below"], 2)
    click.echo(
        f"กลุ่มใหม่อาจเกิดได้ที่ / a group could form around ({len(forming)}; 3 or more actors, "
        f"density below {bound}): " + (", ".join(map(str, forming)) or "none")
    )
    if doc["pairs"]:
        _table(
            [share, "a", "b", "nearest to both", "steps"],
            [
                [
                    p["value"],
                    who(p["a"]),
                    who(p["b"]),
                    who(p["nearest"]),
                    "-" if p["distance"] is None else f"{p['distance'][0]}, {p['distance'][1]}",
                ]
                for p in doc["pairs"]
            ],
        )
    if doc["values"]:
        click.echo("")
        _table(
            [share, "actors", "ties", "density", "unlinked pairs", "group could form"],
            [
                [
                    v["value"],
                    v["actors"],
                    v["ties"],
                    v["density"],
                    v["unlinked_pairs"],
                    "yes" if v["could_form"] else "",
                ]
                for v in doc["values"]
            ],
        )


def run_server(store: GraphStore, settings: Settings, host: str, port: int) -> None:
    """Serve; refuse an address beyond this machine unless API keys guard it (CONTRACT §4)."""
    import uvicorn

    from graph_service.app import create_app
    from graph_service.security import KeyRing

    keys = KeyRing.from_settings(settings)
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback and not keys.enabled:
        raise UsageError(
            f"refusing to listen on {host}: without access control the service listens on "
            "127.0.0.1 only; set GRAPH_API_KEYS or GRAPH_API_KEYS_FILE (see "
            "`graph-service new-key`)"
        )
    app = create_app(settings, store)
    if keys.enabled:
        roles = sorted({role for role, _ in keys.entries})
        access = f"API keys required ({len(keys.entries)} key(s); roles {', '.join(roles)})"
        if settings.public_reads:
            access += "; reads without a key are public, people without consent pseudonymised"
    else:
        access = "listening on 127.0.0.1 only: no API keys are set"
    click.echo(
        f"graph-service {__version__} on http://{host}:{port}/ (store: {store.engine} "
        f"{store.location}); {access}",
        err=True,
    )
    config = uvicorn.Config(
        app, host=host, port=port, log_level="info", timeout_graceful_shutdown=SHUTDOWN_GRACE
    )
    stop_work = app.state.work.stop_all

    class StoppingServer(uvicorn.Server):
        """uvicorn's server, but SIGTERM (or Ctrl-C) also cancels the work in flight at once,
        and the process exits a few seconds after ``SHUTDOWN_GRACE`` even if some work never
        checks its budget (Python would otherwise wait for its worker thread)."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            stop_work()
            if not self.should_exit:
                import threading

                watchdog = threading.Timer(SHUTDOWN_GRACE + 5, _exit_now)
                watchdog.daemon = True
                watchdog.start()
            super().handle_exit(sig, frame)

    StoppingServer(config).run()


#: seconds the service lets requests in flight finish after SIGTERM before it cancels them
#: (their work is cancelled at once, so work that checks its budget ends well before)
SHUTDOWN_GRACE = 3


def _exit_now() -> None:
    """The last resort of a stop: work still running long after SIGTERM."""
    import os

    click.echo("graph-service: work still running after SIGTERM; exiting now", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


@main.command()
@click.option("--host", default=None, help="address to listen on (default 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default 8000)")
@store_option
@click.pass_context
@handles_errors
def serve(ctx: click.Context, host: str | None, port: int | None, store_url: str | None) -> None:
    """The HTTP service: the API under /api/, /health and the OpenAPI page at /docs."""
    from graph_service.settings import Settings

    settings = Settings()
    with opened_store(ctx, store_url, create=None) as store:
        store.ping()
        run_server(store, settings, host or settings.host, port or settings.port)


def _yearly_folders(folder: Path) -> list[Path]:
    """The year folders (``2565``, ``2566`` …) of a sample of yearly snapshots, in order;
    none for an ordinary sample."""
    return sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


@main.command()
@click.option(
    "--sample",
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="which bundled samples, comma-separated: community-occupation, district-qol, "
    "informal-workers-km, informal-workers-om (meetings and Outcome Mapping journals), "
    "phatthalung-welfare, all (those five), or phatthalung-welfare-years (three yearly "
    "snapshots, for the time slider and diff)",
)
@click.option("--host", default=None, help="address to listen on (default 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default 8000)")
@click.option("--no-serve", is_flag=True, help="load the sample and stop")
@store_option
@click.pass_context
@handles_errors
def demo(
    ctx: click.Context,
    sample: str,
    host: str | None,
    port: int | None,
    no_serve: bool,
    store_url: str | None,
) -> None:
    """Load a bundled sample into the embedded store graph-service-demo.db and serve it."""
    from importers.load import import_dataset

    names = sorted(p.name for p in SAMPLES_DIR.iterdir() if p.is_dir())
    yearly = {n for n in names if _yearly_folders(SAMPLES_DIR / n)}
    wanted = [part.strip() for part in sample.split(",") if part.strip()]
    chosen = [n for n in names if n not in yearly] if wanted == ["all"] else wanted
    for name in chosen:
        if name not in names:
            raise UsageError(f"no sample {name!r}; the samples are: {', '.join(names)}, all")
    from graph_service.settings import Settings

    settings = Settings()
    with opened_store(ctx, store_url, DEMO_STORE_FILE, create=True) as store:
        for name in chosen:
            folders = _yearly_folders(SAMPLES_DIR / name)
            if not folders:
                print_import(import_dataset(store, SAMPLES_DIR / name), False)
                continue
            from graph_service.dataset import parse_when

            for folder in folders:  # one snapshot a year, in order
                day = parse_when(folder.name, first=True).isoformat()
                print_import(import_dataset(store, folder, snapshot=day), False)
        if not no_serve:
            run_server(store, settings, host or settings.host, port or settings.port)


@main.command()
@click.option("--within", default=None, metavar="AREA_ID", help="only the funds touching this area")
@where_option("only the funds matching this filter")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def funds(
    ctx: click.Context,
    within: str | None,
    where: tuple[str, ...],
    as_json: bool,
    store_url: str | None,
) -> None:
    """Every fund (touching an area): its funders, administrators, amount and recipients,
    and who is paid by more than one source."""
    from graph_service.analysis.funds import funds as run

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        if within is not None and within.strip():
            from graph_service.entities import resolve_entity

            within = resolve_entity(store, within.strip()).id  # an id or a name; did you mean
        doc = run(store, within=within, where=list(where) or None)
        names = _names(store, [doc["within"]] if doc["within"] else [])
    if as_json:
        emit_json(doc)
        return
    place = f" {names.get(doc['within'], doc['within'])} [{doc['within']}]" if doc["within"] else ""
    total = f"{doc['total_thb']:,}" if doc["total_thb"] is not None else "-"
    unknown = doc["amount_unknown"]
    click.echo(
        f"พบ {doc['count']} กองทุน{'ที่เกี่ยวกับ' + place if place else ''} รวม {total} บาท"
        f"{f' (ไม่ทราบยอด {unknown})' if unknown else ''} / {doc['count']} fund(s)"
        f"{' touch' + place if place else ''}, {total} baht in all"
        f"{f' ({unknown} without an amount)' if unknown else ''}."
    )
    _table(
        ["id", "name", "amount_thb", "touches", "funders", "administrators", "recipients"],
        [
            [
                f["id"],
                f["name"],
                f"{f['amount_thb']:,}" if f["amount_thb"] is not None else None,
                f["touches"],
                ", ".join(f["funders"]) or None,
                ", ".join(f["administrators"]) or None,
                len(f["recipients"]),
            ]
            for f in doc["funds"]
        ],
    )
    several = [r for r in doc["recipients"] if len(r["sources"]) > 1]
    click.echo(
        f"ผู้รับเงินจากหลายแหล่ง {len(several)} ราย / paid by more than one source: {len(several)}"
    )
    for r in several:
        click.echo(f"  {r['name']} [{r['id']}] <- {', '.join(r['sources'])}")


@main.command()
@click.option(
    "--where",
    multiple=True,
    metavar="ATTR=V1,V2",
    help="a term on the tie's own properties (formality=formal, policy=local, status=...), "
    "type= or direction=horizontal|vertical; repeat for more terms, all must hold",
)
@types_option
@click.option("--breakdown", default=None, metavar="ATTR", help="counts by a tie property")
@click.option(
    "--limit", default=1000, show_default=True, type=int, help="list at most this many ties"
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def ties(
    ctx: click.Context,
    where: tuple[str, ...],
    types: str | None,
    breakdown: str | None,
    limit: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """The relationships whose own properties match a filter: --where policy=local."""
    from graph_service.analysis.common import parse_list
    from graph_service.analysis.ties import ties as run

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        doc = run(store, list(where) or None, parse_list(types), breakdown=breakdown, limit=limit)
    if as_json:
        emit_json(doc)
        return
    typed = [f"type={','.join(doc['types'])}"] if doc["types"] else []
    terms = "; ".join(doc["where"] + typed)
    n = doc["count"]
    if terms:
        click.echo(f"พบ {n} ความสัมพันธ์ที่ตรงกับ {terms} / {n} tie(s) match {terms}.")
    else:
        click.echo(f"ความสัมพันธ์ทั้งหมด {n} รายการ / {n} tie(s) in all.")
    if doc["breakdown"] is not None:
        shown = ", ".join(f"{_group(k)} {v}" for k, v in doc["breakdown"].items())
        click.echo(f"By {breakdown}: {shown}")
    _table(
        ["source", "type", "target", "direction"],
        [
            [
                f"{t['source_name'] or t['source']} [{t['source']}]",
                t["type"],
                f"{t['target_name'] or t['target']} [{t['target']}]",
                t["direction"],
            ]
            for t in doc["ties"]
        ],
    )
    if doc["truncated"]:
        click.echo(f"... {doc['count'] - len(doc['ties'])} more (--limit N, or --json)")


def _day_option(value: str | None, first: bool) -> Any:
    """A ``--since``/``--until`` day (CONTRACT.md 2c dates), None when not given."""
    if value is None:
        return None
    from graph_service.dataset import parse_when

    try:
        return parse_when(value, first=first)
    except ValueError as exc:
        raise UsageError(f"{exc} (2024-06-30, 30/6/2567 or a year)") from None


@main.command()
@click.option("--body", required=True, metavar="ID", help="the network or committee that meets")
@click.option(
    "--last", default=3, show_default=True, metavar="M", help="the last M events of the body"
)
@click.option(
    "--min-missed",
    default=2,
    show_default=True,
    metavar="N",
    help="keeps missing: missed at least N of the last M",
)
@click.option(
    "--every",
    default=None,
    metavar="INTERVAL",
    help="the rhythm the body should keep (3m, 6m, 1y, 90d): the intervals between its "
    "events, the late ones, and whether the next is overdue",
)
@click.option("--since", default=None, metavar="DATE", help="only events from this day")
@click.option("--until", default=None, metavar="DATE", help="only events up to this day")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def attendance(
    ctx: click.Context,
    body: str,
    last: int,
    min_missed: int,
    every: str | None,
    since: str | None,
    until: str | None,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Who came to the body's meetings, who keeps missing them, which agencies were present
    only through individuals, and (--every) whether the body kept its rhythm
    (CONTRACT.md 2d; questions W17, K16)."""
    from graph_service.analysis.meetings import attendance as run
    from viz.meetings import attendance_lines

    first, end = _day_option(since, True), _day_option(until, False)
    with opened_store(ctx, store_url) as store:
        doc = run(store, body, last, min_missed, every, first, end, question_day(ctx))
    if as_json:
        emit_json(doc)
        return
    for line in attendance_lines(doc):
        click.echo(line)


@main.command()
@click.option(
    "--every",
    required=True,
    metavar="INTERVAL",
    help="the rhythm the bodies should keep: 3m, 6m, 1y, 90d (also 3 เดือน)",
)
@click.option(
    "--body", "bodies", multiple=True, metavar="ID", help="only these bodies (repeat); default all"
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def rhythm(
    ctx: click.Context, every: str, bodies: tuple[str, ...], as_json: bool, store_url: str | None
) -> None:
    """Did each body that meets keep its rhythm: the intervals between its events that ran
    longer than INTERVAL, and whether its next meeting is overdue (question K16)."""
    from graph_service.analysis.meetings import rhythms
    from viz.meetings import rhythms_lines

    with opened_store(ctx, store_url) as store:
        doc = rhythms(store, every, list(bodies) or None, question_day(ctx))
    if as_json:
        emit_json(doc)
        return
    for line in rhythms_lines(doc):
        click.echo(line)


@main.command()
@click.option("--team", required=True, metavar="ID", help="the visiting team")
@where_option(
    "the places or bodies the team should reach (default kind=Network), e.g. "
    "kind=Network --where within=AREA_ID",
    "--where",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def visits(ctx: click.Context, team: str, where: Any, as_json: bool, store_url: str | None) -> None:
    """The bodies (or anything a filter names) that a visiting team's events never
    reached."""
    from graph_service.analysis.meetings import visits as run
    from viz.meetings import visits_lines

    with opened_store(ctx, store_url) as store:
        doc = run(store, team, where or None, question_day(ctx))
        names = {i: n.name for i, n in store.get_nodes([team, *doc["not_reached"]]).items()}
    if as_json:
        emit_json(doc)
        return
    for line in visits_lines(doc, names):
        click.echo(line)


@main.command("co-attendance")
@click.option("--body", default=None, metavar="ID", help="only the events of this body")
@click.option(
    "--min", "min_events", default=1, show_default=True, help="only pairs with this many events"
)
@click.option("--top", default=20, show_default=True, help="pairs shown (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def co_attendance_cmd(
    ctx: click.Context,
    body: str | None,
    min_events: int,
    top: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Who attends the same meetings as whom, and how often (the two-mode projection of
    attendance). Every question takes --co-attendance to count these as ties."""
    from graph_service.analysis.meetings import co_attendance

    with opened_store(ctx, store_url) as store:
        doc = co_attendance(store, body, min_events, question_day(ctx))
        names = {
            i: n.name
            for i, n in store.get_nodes(
                [p["a"] for p in doc["pairs"][:top]] + [p["b"] for p in doc["pairs"][:top]]
            ).items()
        }
    if as_json:
        emit_json(doc)
        return
    count = len(doc["pairs"])
    click.echo(f"เข้าประชุมร่วมกัน {count} คู่ / {count} pair(s) who attended the same events")
    for p in doc["pairs"][:top]:
        click.echo(
            f"  {names.get(p['a'], p['a'])} [{p['a']}] – {names.get(p['b'], p['b'])} [{p['b']}]: "
            f"{p['weight']} ครั้ง / times"
        )


@main.command("new-key")
@click.option(
    "--role",
    type=click.Choice(["read", "write", "admin"]),
    default="read",
    show_default=True,
    help="what the key may do",
)
def new_key(role: str) -> None:
    """Make an API key: prints the key (give it to its user; it is not kept anywhere) and
    the line for GRAPH_API_KEYS_FILE, which holds only its SHA-256."""
    import secrets

    from graph_service.security import hash_key

    key = secrets.token_urlsafe(32)
    click.echo(f"key: {key}")
    click.echo(f"line for GRAPH_API_KEYS_FILE: {role}:{hash_key(key)}")


@main.command("template")
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="the .xlsx file to write",
)
@click.option("--example", is_flag=True, help="fill the sheets with a small example")
def template_cmd(output: str, example: bool) -> None:
    """Write the Excel template for a dataset (CONTRACT.md section 1): a sheet of
    instructions, one sheet per kind and one for relationships, Thai and English header
    names, drop-down lists for the controlled columns. It imports as it is (to nothing) and
    once filled in; --example fills it with a small example."""
    from importers.template import write_template

    path = write_template(output, example=example)
    click.echo(f"wrote {path}")


# -- knowledge (issue 12, questions K1, K2, K4) ------------------------------------------------


@main.command()
@click.option(
    "--rows",
    default=None,
    metavar="ATTR",
    help="the attribute of the table's rows (default asset_type), e.g. track",
)
@click.option(
    "--cols",
    default=None,
    metavar="ATTR",
    help="the attribute of the table's columns (default readiness: 1 = most mature)",
)
@where_option("only the knowledge assets matching")
@click.option(
    "--evidence-type",
    "evidence_type",
    default=None,
    metavar="T1,T2",
    help="relationship types that count as evidence for an asset (default EVIDENCE_FOR)",
)
@click.option(
    "--above",
    default=None,
    metavar="N",
    help="also list the row values with nothing above N in the column (e.g. --above 3)",
)
@click.option(
    "--below",
    default=None,
    metavar="N",
    help="also list the row values with nothing below N in the column",
)
@click.option("--top", default=20, show_default=True, help="assets shown (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@as_of_option
@store_option
@click.pass_context
@handles_errors
def knowledge(
    ctx: click.Context,
    rows: str | None,
    cols: str | None,
    where: tuple[str, ...],
    evidence_type: str | None,
    above: str | None,
    below: str | None,
    top: int,
    as_json: bool,
    store_url: str | None,
) -> None:
    """Knowledge assets by two attributes (default asset_type x readiness), with who
    produces, uses and adopts each; the assets nobody uses or adopts, and those with no
    evidence (no relationship of --evidence-type)."""
    from graph_service.analysis.knowledge import knowledge as run

    with opened_store(ctx, store_url) as store:
        require_graph(store)
        doc = run(store, rows, cols, list(where) or None, evidence_type, above, below)
        names = {a["id"]: a["name"] for a in doc["assets"]}
    if as_json:
        emit_json(doc)
        return
    _print_knowledge(doc, names, top)


def _print_knowledge(doc: dict[str, Any], names: dict[str, str], top: int) -> None:
    n, r, c = doc["count"], doc["rows"], doc["cols"]
    a, e = len(doc["no_adopter"]), len(doc["no_evidence"])
    types = ", ".join(doc["evidence_types"])
    scope = f" ที่ตรงกับ {'; '.join(doc['where'])}" if doc["where"] else ""
    scope_en = f" matching {'; '.join(doc['where'])}" if doc["where"] else ""
    click.echo(
        f"องค์ความรู้{scope} {n} ชิ้น จำแนกตาม {r} × {c}: {a} ชิ้นไม่มีผู้ใช้หรือผู้รับไปใช้ "
        f"{e} ชิ้นไม่มีหลักฐาน ({types}) / {n} knowledge asset(s){scope_en} by {r} × {c}: "
        f"{a} used or adopted by nobody, {e} with no evidence ({types})."
    )
    if not n:
        return
    counts = {(cell["row"], cell["col"]): cell["count"] for cell in doc["table"]}
    _table(
        [f"{r} \\ {c}", *(_group(v) for v in doc["col_values"]), "total"],
        [
            [
                _group(rv),
                *(counts.get((rv, cv)) for cv in doc["col_values"]),
                sum(counts.get((rv, cv), 0) for cv in doc["col_values"]),
            ]
            for rv in doc["row_values"]
        ],
    )
    click.echo("")
    assets = doc["assets"]

    def shown(value: Any) -> str:
        return "|".join(value) if isinstance(value, list) else _group(value)

    _table(
        ["id", "name", r, c, "producers", "users", "adopters"],
        [
            [
                x["id"],
                x["name"],
                shown(x["row"]),
                shown(x["col"]),
                len(x["producers"]),
                len(x["users"]),
                len(x["adopters"]),
            ]
            for x in assets[:top]
        ],
    )
    if len(assets) > top:
        click.echo(f"... {len(assets) - top} more (--top N, or --json for all)")
    for key, th, en in (
        ("no_adopter", "ไม่มีผู้ใช้หรือผู้รับไปใช้", "used or adopted by nobody"),
        ("no_evidence", "ไม่มีหลักฐาน", f"no evidence ({types})"),
    ):
        if doc[key]:
            click.echo(f"{th} / {en} ({len(doc[key])}):")
            for i in doc[key][:top]:
                click.echo(f"  {names.get(i, '')} [{i}]")
            if len(doc[key]) > top:
                click.echo(f"  ... {len(doc[key]) - top} more")
    for name, th, en in (("above", "สูงกว่า", "above"), ("below", "ต่ำกว่า", "below")):
        if doc[name] is None:
            continue
        sure = ", ".join(_group(v) for v in doc[f"nothing_{name}"]) or "-"
        known = [v for v in doc[f"nothing_known_{name}"] if v not in doc[f"nothing_{name}"]]
        click.echo(
            f"{r} ที่ไม่มีรายการใด{th}ระดับ {doc[name]} / {r} values with nothing {en} "
            f"{doc[name]} in {c}: {sure}"
        )
        if known:
            listed = ", ".join(_group(v) for v in known)
            click.echo(
                f"  ไม่พบรายการ{th} {doc[name]} แต่บางรายการไม่มีค่า {c} / nothing known {en} "
                f"{doc[name]}, but some assets have no {c}: {listed}"
            )


@main.command("report")
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="the file to write: FILE.pdf (printed by headless Chromium: GRAPH_CHROMIUM, else "
    "chromium on the PATH) or FILE.html (the same page, no Chromium needed)",
)
@lang_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def report_cmd(ctx: click.Context, output: Path, lang: str, store_url: str | None) -> None:
    """An A4 report of the home page's answers with their maps (PDF or HTML)."""
    from viz.report import stderr_progress, write_report

    with opened_store(ctx, store_url) as store:
        written = write_report(store, output, lang, progress=stderr_progress)
    click.echo(f"Wrote {written}")


# -- Outcome Mapping (CONTRACT.md 2d; issue 15) --------------------------------------------------


@main.group("om")
def om() -> None:
    """Outcome Mapping: the progress ladder per boundary partner, markers and strategies
    gone silent with follow-ups past due, and the contributors journals name."""


def period_option(func: F) -> F:
    return click.option(
        "--period",
        default="quarter",
        show_default=True,
        type=click.Choice(["month", "quarter", "year"]),
        help="the length of a period (calendar months, quarters or years)",
    )(func)


def _as_of_day(ctx: click.Context) -> Any:
    """The reports' "today": ``--on``, else ``--as-of``, else None (today)."""
    return question_day(ctx)


@om.command("ladder")
@click.option("--partner", default=None, metavar="ID", help="only this boundary partner")
@period_option
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def om_ladder(
    ctx: click.Context, partner: str | None, period: str, as_json: bool, store_url: str | None
) -> None:
    """Per boundary partner, its progress markers by stage (expect, like, love) and rating
    (low, medium, high) in the current period and the previous one; a marker counts once
    per period, with its latest rating there."""
    from graph_service.analysis.om import ladder
    from viz.om_pages import ladder_line, ladder_stage_lines, period_label

    with opened_store(ctx, store_url) as store:
        doc = ladder(store, partner, period, _as_of_day(ctx))
    if as_json:
        emit_json(doc)
        return
    if not doc["partners"]:
        for lang in ("th", "en"):
            click.echo(i18n_text(lang, "om.ladder_none"))
        return
    for row in doc["partners"]:
        for lang in ("th", "en"):
            click.echo(ladder_line(doc, row, lang))
        for line in ladder_stage_lines(doc, row, "th"):
            click.echo(f"  {line}")
        columns = doc["periods"]
        _table(
            ["id", "stage", *(period_label(c, "th") for c in columns)],
            [
                [m["id"], m["stage"] or "", *(m["ratings"].get(c) or "" for c in columns)]
                for m in row["markers"]
            ],
        )
        click.echo("")


@om.command("silent")
@click.option(
    "--periods",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="how many periods back (the current one included)",
)
@period_option
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def om_silent(
    ctx: click.Context, periods: int, period: str, as_json: bool, store_url: str | None
) -> None:
    """Progress markers and strategies with no journal entry in the last N periods, and
    strategy follow-ups past due."""
    from graph_service.analysis.om import silent
    from viz.om_pages import overdue_item, silent_item, silent_line, upcoming_item

    with opened_store(ctx, store_url) as store:
        doc = silent(store, periods, period, _as_of_day(ctx))
    if as_json:
        emit_json(doc)
        return
    for lang in ("th", "en"):
        click.echo(silent_line(doc, lang))
    for key, ids in (("silent_markers", doc["markers"]), ("silent_strategies", doc["strategies"])):
        if ids:
            click.echo(f"{i18n_text('th', f'om.{key}')} / {i18n_text('en', f'om.{key}')}:")
            for i in ids:
                click.echo(f"  {silent_item(doc, i, 'th')}")
    if doc["overdue"]:
        click.echo(
            f"{i18n_text('th', 'om.silent_overdue')} / {i18n_text('en', 'om.silent_overdue')}:"
        )
        for item in doc["overdue"]:
            click.echo(f"  {overdue_item(item, 'th')}")
    if doc.get("upcoming"):
        click.echo(
            f"{i18n_text('th', 'om.silent_upcoming')} / {i18n_text('en', 'om.silent_upcoming')}:"
        )
        for item in doc["upcoming"]:
            click.echo(f"  {upcoming_item(doc, item, 'th')}")


@om.command("contributors")
@click.option("--top", default=20, show_default=True, help="rows in the table (not in --json)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@on_option
@as_of_option
@store_option
@click.pass_context
@handles_errors
def om_contributors(ctx: click.Context, top: int, as_json: bool, store_url: str | None) -> None:
    """The actors outcome journals name as contributors to change, most named first, with
    the progress markers their entries rated."""
    from graph_service.analysis.om import contributors
    from viz.om_pages import contributors_lines

    with opened_store(ctx, store_url) as store:
        doc = contributors(store, _as_of_day(ctx))
    if as_json:
        emit_json(doc)
        return
    for lang in ("th", "en"):
        for line in contributors_lines(doc, lang):
            click.echo(line)
    rows = doc["contributors"]
    if rows:
        _table(
            ["id", "name", "mentions", "markers"],
            [[r["id"], r["name"], r["mentions"], ", ".join(r["markers"])] for r in rows[:top]],
        )
        if len(rows) > top:
            click.echo(f"... {len(rows) - top} more (--top N, or --json for all)")


def i18n_text(lang: str, key: str) -> str:
    from graph_service.i18n import text

    return text(lang, key)


if __name__ == "__main__":  # pragma: no cover
    main()

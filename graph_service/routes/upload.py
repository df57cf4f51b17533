"""``/upload``: bringing data in from the browser (issue 13, point 3), and ``/template.xlsx``.

The path a planner takes: ``GET /upload`` (a Thai-first page: drop or choose an ``.xlsx``
workbook, CSV files or a ``.zip``) -> ``POST /upload`` stages the files and checks them with
the importer's own reader and validator (``importers.check``), writing nothing. Clean: the
dataset is imported and the browser goes to ``/upload/{token}/done`` (a Thai line of what was
imported, by kind, above the map). With problems: ``/upload/{token}`` lists every one (file
and sheet, the row as Excel numbers it, the column, the cell, the reason in the reader's
language) and offers two ways on: fix the file and upload again, or
``POST /upload/{token}/import`` the valid rows only, with the rejected rows downloadable
(``/upload/{token}/rejects.csv``: file, row, column, code, reason, then the row's cells).

Staging: the upload is written by ``routes.imports.stage_upload`` (base names only, a zip's
unsafe entries refused, ``GRAPH_MAX_UPLOAD_MB`` counted as inflated) into a folder named by a
random token (``secrets.token_urlsafe``) under a private folder of this process; it is kept
:data:`KEEP_MINUTES` minutes (removed at the next upload after that) and at most
:data:`MAX_STAGED` uploads are kept at once (the oldest go first).

Writes: when keys are configured the page needs a write key, as ``POST /api/import`` does: a
program sends it in the ``Authorization`` header; a browser logs in at ``/login`` with a
write key, and its session counts for the ``/upload`` forms (``graph_service.security``), each
of which carries a token derived from the session (a page of another site can read neither
the cookie nor the token, and its POST is refused on its ``Origin`` anyway).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import shutil
import tempfile
import threading
import time
from html import escape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from graph_service import i18n
from graph_service.dataset import CONTRACT_COLUMNS, escape_formula, parse_when
from graph_service.domain import FILE_KINDS
from graph_service.errors import InvalidInput, PayloadTooLarge
from graph_service.routes.deps import Lang
from graph_service.routes.imports import stage_upload
from graph_service.security import COOKIE, RANK
from graph_service.store.base import GraphStore
from importers.check import Check, check_dataset, classify
from importers.load import import_dataset
from importers.read import Problem, WorkbookLimits
from importers.template import template_bytes, thai_name

router = APIRouter(include_in_schema=False)

#: how long an upload waits between its check and its import
KEEP_MINUTES = 60
#: uploads kept at once; beyond it the oldest is removed
MAX_STAGED = 64
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_LABEL = re.compile(r"^(?P<file>.*)\[(?P<sheet>[^\]]*)\]$")
_ROOT_LOCK = threading.Lock()
_IMPORT_LOCK = threading.Lock()

STYLE = """
*{box-sizing:border-box}
body{font-family:"Noto Sans Thai","Sarabun","Loma",Tahoma,sans-serif;margin:0;color:#222;
line-height:1.5;background:#fafafa}
header{display:flex;flex-wrap:wrap;gap:.5em 1.2em;align-items:center;padding:.6em 1.2em;
background:#fff;border-bottom:1px solid #ddd}
header .app{font-weight:bold;color:#1a4f8b;text-decoration:none}
header .lang{margin-left:auto}
main{max-width:62em;margin:0 auto;padding:1em 1.2em 3em}
h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.15em;margin:1.4em 0 .4em}
a{color:#1a4f8b}
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:1em 1.2em;margin:1em 0}
.templates a{display:inline-block;margin:.2em 1em .2em 0}
.drop{display:block;border:2px dashed #7a9cc6;border-radius:10px;padding:2em 1em;
text-align:center;background:#f3f7fc;cursor:pointer}
.drop.over{background:#dbe8f7;border-color:#1a4f8b}
.drop strong{display:block;font-size:1.2em}
.drop input{position:absolute;width:1px;height:1px;opacity:0}
.snapshot label{font-weight:600;margin-right:.5em}
.snapshot input{font:inherit;padding:.35em .6em;border:1px solid #7a9cc6;border-radius:6px;
width:13em;max-width:100%}
.drop .pick{display:inline-block;margin:.8em 0 .4em;padding:.4em 1.2em;border-radius:6px;
border:1px solid #1a4f8b;background:#fff;color:#1a4f8b}
.drop:focus-within .pick{outline:3px solid #7a9cc6}
#chosen{margin:.6em 0;color:#444;word-break:break-all}
button,.button{font:inherit;font-size:1.05em;padding:.55em 1.4em;border-radius:6px;
border:1px solid #1a4f8b;background:#1a4f8b;color:#fff;cursor:pointer;text-decoration:none;
display:inline-block;margin:.2em .3em .2em 0}
.button.plain{background:#fff;color:#1a4f8b}
button:disabled{opacity:.5;cursor:default}
.note{color:#555;font-size:.95em}
.bad{border-left:5px solid #c0392b}.good{border-left:5px solid #2e8b57}
.warn{color:#8a5a00}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{border:1px solid #ccc;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#eef2f7}td.num{text-align:right;white-space:nowrap}
td.value{font-family:monospace;overflow-wrap:anywhere;min-width:7em}
.choices{display:flex;flex-wrap:wrap;gap:1em}
.choices .card{flex:1 1 18em;margin:0}
iframe{display:block;width:calc(100% - 2em);margin:0 1em 2em;height:calc(100vh - 4em);
min-height:30em;border:1px solid #ddd;border-radius:8px;background:#fff}
@media (max-width:600px){main{padding:.6em .7em 2em}h1{font-size:1.25em}
.drop{padding:1.2em .6em}iframe{width:calc(100% - 1em);margin:0 .5em 1em}
#problems thead{display:none}#problems,#problems tbody{display:block}
#problems tr{display:block;border:1px solid #ccc;border-radius:6px;margin:.6em 0;padding:.3em .5em}
#problems td{display:block;border:none;padding:.1em 0;text-align:left}
#problems td::before{content:attr(data-label) ": ";font-weight:bold;color:#555;
font-family:"Noto Sans Thai","Sarabun","Loma",Tahoma,sans-serif}}
"""

DROP_SCRIPT = """
(function () {
  var zone = document.getElementById('drop'), input = document.getElementById('files');
  var shown = document.getElementById('chosen'), send = document.getElementById('send');
  var form = document.getElementById('upload');
  function show() {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    shown.textContent = names.length ? zone.dataset.chosen + ' ' + names.join(', ')
                                     : zone.dataset.none;
    send.disabled = !names.length;
  }
  ['dragenter', 'dragover'].forEach(function (e) {
    zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (e) {
    zone.addEventListener(e, function (ev) { ev.preventDefault(); zone.classList.remove('over'); });
  });
  zone.addEventListener('drop', function (ev) {
    if (ev.dataTransfer && ev.dataTransfer.files.length) {
      input.files = ev.dataTransfer.files;
      show();
    }
  });
  input.addEventListener('change', show);
  form.addEventListener('submit', function () {
    send.disabled = true;
    send.textContent = send.dataset.busy;
  });
  show();
})();
"""


# -- the staging folder ----------------------------------------------------------------------


def staging_root(request: Request) -> Path:
    """This service's private folder of uploads (made on first use, mode 0700)."""
    root: Path | None = getattr(request.app.state, "upload_root", None)
    if root is None or not root.is_dir():
        with _ROOT_LOCK:
            root = getattr(request.app.state, "upload_root", None)
            if root is None or not root.is_dir():
                root = Path(tempfile.mkdtemp(prefix="graph-service-uploads-"))
                request.app.state.upload_root = root
    return root


def _purge(root: Path, keep: int = MAX_STAGED) -> None:
    """Remove the uploads older than :data:`KEEP_MINUTES`, and the oldest beyond ``keep``."""
    now = time.time()
    folders = sorted(
        (p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for i, folder in enumerate(folders):
        if i >= keep or now - folder.stat().st_mtime > KEEP_MINUTES * 60:
            shutil.rmtree(folder, ignore_errors=True)


def _staged(request: Request, token: str) -> tuple[Path, dict[str, Any]] | None:
    """(the upload's folder, its record), or None for a token that names no live upload."""
    if not _TOKEN.match(token):
        return None
    folder = staging_root(request) / token
    meta = folder / "upload.json"
    if not meta.is_file():
        return None
    if time.time() - folder.stat().st_mtime > KEEP_MINUTES * 60:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    record: dict[str, Any] = json.loads(meta.read_text("utf-8"))
    return folder, record


def _save_record(folder: Path, record: dict[str, Any]) -> None:
    (folder / "upload.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")


# -- who may write -------------------------------------------------------------------------


def may_write(request: Request) -> bool:
    """Whether this request may import: no keys configured, or a write (or admin) role from
    its key or its login session (``graph_service.security.AccessMiddleware`` decides)."""
    if not request.app.state.keys.enabled:
        return True
    role = getattr(request.state, "role", None)
    return role is not None and RANK[role] >= RANK["write"]


def form_token(request: Request) -> str:
    """The token the upload forms carry: derived from the login session's cookie (which a
    page of another site cannot read), empty without a session."""
    session = request.cookies.get(COOKIE, "")
    if not session:
        return ""
    return hashlib.sha256(f"graph-service upload form\x00{session}".encode()).hexdigest()


def _form_ok(request: Request, token: str) -> bool:
    """A form sent with a session cookie must carry its :func:`form_token`; a request with
    an ``Authorization`` header (a program) or on a service without keys needs none."""
    if not request.app.state.keys.enabled or "authorization" in request.headers:
        return True
    expected = form_token(request)
    return bool(expected) and hmac.compare_digest(expected, token)


# -- pages -----------------------------------------------------------------------------------


def _t(lang: str, key: str, **values: Any) -> str:
    return escape(i18n.text(lang, f"upload.{key}", **values))


def _page(lang: str, path: str, title: str, body: str, script: str = "", after: str = "") -> str:
    other = "en" if lang == "th" else "th"
    switch = escape(i18n.text(lang, "common.language_switch"))
    switch_title = escape(i18n.text(lang, "common.language_switch_title"))
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · {escape(i18n.text(lang, "common.app_name"))}</title>
<style>{STYLE}</style></head><body>
<header><a class="app" href="/?lang={lang}">{escape(i18n.text(lang, "common.app_name"))}</a>
<a href="/upload?lang={lang}">{_t(lang, "title")}</a>
<a class="lang" href="{escape(path)}?lang={other}" title="{switch_title}"
 hreflang="{other}">{switch}</a></header>
<main>{body}</main>{after}{f"<script>{script}</script>" if script else ""}</body></html>"""


def _mb(request: Request) -> int:
    return int(request.app.state.settings.max_upload_mb)


def _form(request: Request, lang: str) -> str:
    """The templates' links and the drop zone with its form (or, without the right to
    write, why not and where to log in)."""
    templates = (
        f'<p class="templates"><a href="/template.xlsx" download>{_t(lang, "template_link")}</a>'
        f'<a href="/template.xlsx?example=true" download>{_t(lang, "example_link")}</a></p>'
    )
    if not may_write(request):
        login = "/login?next=" + quote(f"/upload?lang={lang}", safe="")
        return f"""{templates}<div class="card bad" id="needs-key"><p>{_t(lang, "needs_key")}</p>
<p><a class="button" href="{escape(login)}">{_t(lang, "login_link")}</a></p></div>"""
    return f"""{templates}
<form id="upload" method="post" action="/upload?lang={lang}" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="{escape(form_token(request))}">
<label class="drop" id="drop" data-chosen="{_t(lang, "chosen")}" data-none="{_t(lang, "no_files")}">
<strong>{_t(lang, "drop_here")}</strong>{_t(lang, "or")}<br>
<span class="pick">{_t(lang, "choose_files")}</span>
<input type="file" id="files" name="files" multiple
 accept=".xlsx,.csv,.zip,application/zip,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">
<span class="note" style="display:block">{_t(lang, "accepted", mb=_mb(request))}</span></label>
<p id="chosen" aria-live="polite"></p>
<p class="snapshot"><label for="snapshot">{_t(lang, "snapshot_label")}</label>
<input id="snapshot" name="snapshot" type="text" inputmode="numeric" autocomplete="off"
 placeholder="{_t(lang, "snapshot_placeholder")}"></p>
<p class="note">{_t(lang, "snapshot_help")}</p>
<p><button id="send" type="submit" data-busy="{_t(lang, "checking")}">
{_t(lang, "check_button")}</button></p>
<p class="note">{_t(lang, "nothing_written")}</p>
</form>"""


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, lang: Lang) -> HTMLResponse:
    body = f"""<h1>{_t(lang, "title")}</h1><p>{_t(lang, "intro")}</p>
<div class="card">{_form(request, lang)}</div>"""
    return HTMLResponse(_page(lang, "/upload", i18n.text(lang, "upload.title"), body, DROP_SCRIPT))


def _message(lang: str, key: str, status: int, path: str = "/upload") -> HTMLResponse:
    text = _t(lang, key, minutes=KEEP_MINUTES) if key == "expired" else _t(lang, key)
    body = f"""<h1>{_t(lang, "title")}</h1><div class="card bad"><p>{text}</p>
<p><a href="/upload?lang={lang}">{_t(lang, "back")}</a></p></div>"""
    return HTMLResponse(
        _page(lang, path, i18n.text(lang, "upload.title"), body), status_code=status
    )


@router.post("/upload", response_model=None)
def upload(
    request: Request,
    lang: Lang,
    files: Annotated[list[UploadFile], File()],
    csrf: Annotated[str, Form()] = "",
    snapshot: Annotated[str, Form()] = "",
) -> Response:
    """Stage and check the files: clean, import them and go to the map; else list the
    problems (nothing is written). ``snapshot`` (a year or a date, optional): the files are
    the whole network on that day (``import --snapshot``)."""
    if not may_write(request):
        return _message(lang, "needs_key", 403)
    if not _form_ok(request, csrf):
        return _message(lang, "wrong_form", 403)
    day = None
    if snapshot.strip():
        try:
            day = parse_when(snapshot.strip(), first=True).isoformat()
        except ValueError:
            return _message(lang, "snapshot_bad", 422)
    root = staging_root(request)
    _purge(root, MAX_STAGED - 1)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir()
    limit = _mb(request) * 1024 * 1024
    try:
        path, label = stage_upload(files, folder, limit)
    except (InvalidInput, PayloadTooLarge) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _refused_upload(request, lang, exc)
    record: dict[str, Any] = {
        "label": label,
        "path": str(path.relative_to(folder)),
        "created": time.time(),
        "snapshot": day,
    }
    _save_record(folder, record)
    check = _check(request, folder, record)
    if check.problems:
        return RedirectResponse(f"/upload/{token}?lang={lang}", status_code=303)
    try:
        _import(request, folder, record, check)
    except InvalidInput as exc:  # a snapshot older than the newest one recorded
        return _refused_upload(request, lang, exc)
    return RedirectResponse(f"/upload/{token}/done?lang={lang}", status_code=303)


def _refused_upload(request: Request, lang: str, exc: InvalidInput | PayloadTooLarge) -> Response:
    """An upload that is not a dataset at all (a wrong file type, an unsafe zip, too big):
    its problems, with no way on but uploading again."""
    details = exc.details if isinstance(exc.details, list) else []
    problems = [
        Problem(d["file"], d.get("row"), d.get("column"), d["reason"])
        for d in details
        if isinstance(d, dict) and "file" in d
    ] or [Problem("-", None, None, exc.message)]
    check = Check(problems, [], None)
    status = 413 if isinstance(exc, PayloadTooLarge) else 422
    body = _problems_section(lang, check) + _fix_again(lang)
    return HTMLResponse(
        _page(lang, "/upload", i18n.text(lang, "upload.title"), body), status_code=status
    )


def _limits(request: Request) -> WorkbookLimits:
    return WorkbookLimits.from_settings(request.app.state.settings)


def _store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def _check(request: Request, folder: Path, record: dict[str, Any]) -> Check:
    return check_dataset(_store(request), folder / record["path"], limits=_limits(request))


def _import(request: Request, folder: Path, record: dict[str, Any], check: Check) -> None:
    """Import the staged dataset (its valid rows when ``check`` found problems), keep the
    rejects file and what was imported in the upload's record."""
    if check.problems:
        _write_rejects(check, folder / "rejects.csv")
    snapshot = record.get("snapshot")
    report = import_dataset(
        _store(request),
        folder / record["path"],
        skip_invalid=snapshot is None,
        snapshot=snapshot,
        rejects_path=folder / "importer-rejects.csv",
        limits=_limits(request),
    )
    record["imported"] = {
        "kinds": check.kinds,
        "relationships": report.relationships,
        "rejected": len(check.problems),
        "written": report.written.to_dict(),
    }
    _save_record(folder, record)


def _write_rejects(check: Check, path: Path) -> None:
    header, rows = check.rejected_rows()
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(header)
    out.writerows([[escape_formula(c) for c in row] for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


@router.get("/upload/{token}", response_class=HTMLResponse)
def problems_page(request: Request, token: str, lang: Lang) -> Response:
    staged = _staged(request, token)
    if staged is None:
        return _message(lang, "expired", 404, f"/upload/{token}")
    folder, record = staged
    if "imported" in record:
        return RedirectResponse(f"/upload/{token}/done?lang={lang}", status_code=303)
    check = _check(request, folder, record)
    body = _problems_section(lang, check)
    valid_entities = sum(check.kinds.values())
    valid_links = sum(check.types.values())
    if record.get("snapshot"):  # a snapshot is the whole network: every row or none
        import_valid = f'<p id="snapshot-needs-all">{_t(lang, "snapshot_needs_all")}</p>'
    elif may_write(request) and (valid_entities or valid_links):
        import_valid = f"""<form method="post" action="/upload/{token}/import?lang={lang}">
<input type="hidden" name="csrf" value="{escape(form_token(request))}">
<p>{
            _t(
                lang,
                "import_valid_note",
                entities=i18n.number(valid_entities),
                links=i18n.number(valid_links),
            )
        }</p>
<p><button id="import-valid" type="submit">{_t(lang, "import_valid")}</button></p></form>"""
    else:
        import_valid = f"<p>{_t(lang, 'no_valid_rows')}</p>"
    rejects = (
        f'<p><a id="rejects" href="/upload/{token}/rejects.csv" download>'
        f"{_t(lang, 'rejects_download')}</a></p>"
        if check.problems
        else ""
    )
    body += f"""<h2>{_t(lang, "choice_title")}</h2><div class="choices">
<div class="card">{_fix_again_inner(request, lang)}</div>
<div class="card">{import_valid}{rejects}</div></div>"""
    return HTMLResponse(
        _page(lang, f"/upload/{token}", i18n.text(lang, "upload.title"), body, DROP_SCRIPT)
    )


def _fix_again_inner(request: Request, lang: str) -> str:
    return f"""<h3 style="margin-top:0">{_t(lang, "fix_again")}</h3>
<p class="note">{_t(lang, "fix_again_note")}</p>{_form(request, lang)}"""


def _fix_again(lang: str) -> str:
    return f"""<p><a class="button" href="/upload?lang={lang}">{_t(lang, "fix_again")}</a></p>"""


def where_file(lang: str, label: str) -> str:
    """A problem's file as the reader knows it: ``book.xlsx ชีต บุคคล (people)``."""
    m = _LABEL.match(label)
    if m:
        return i18n.text(lang, "upload.sheet_of", file=m["file"], sheet=m["sheet"])
    return label


def where_column(lang: str, column: str | None) -> str:
    """A problem's column as the template heads it: ``ระดับ (admin_level)`` on a Thai page."""
    if not column:
        return "-"
    if lang == "th" and column in CONTRACT_COLUMNS:
        return f"{thai_name(column)} ({column})"
    return column


def reason_text(lang: str, reason: str) -> str:
    """The importer's reason in ``lang``, by its code (``importers.check.classify``)."""
    code, values = classify(reason)
    if "first" in values:  # where the first of two is: a sheet and a row, in words
        values["first"] = where_row(lang, values["first"])
    return i18n.text(lang, f"upload.reason.{code}", **values)


def where_row(lang: str, origin: str) -> str:
    """``book.xlsx[บุคคล (people)]:3`` (how the importer names a row) in words:
    ``book.xlsx ชีต บุคคล (people) แถว 3``."""
    file, _, row = origin.rpartition(":")
    if not file or not row.isdigit():
        return origin
    return i18n.text(lang, "upload.at_row", where=where_file(lang, file), row=row)


def _problems_section(lang: str, check: Check) -> str:
    rows = []
    label = {k: _t(lang, k) for k in ("th_file", "th_row", "th_column", "th_value", "th_reason")}
    for p in check.problems:
        code, _ = classify(p.reason)
        extra = f'<br><small class="note">{escape(p.reason)}</small>' if code == "other" else ""
        rows.append(
            f'<tr data-code="{code}">'
            f'<td data-label="{label["th_file"]}">{escape(where_file(lang, p.file))}</td>'
            f'<td class="num" data-label="{label["th_row"]}">'
            f"{'-' if p.row is None else p.row}</td>"
            f'<td data-label="{label["th_column"]}">{escape(where_column(lang, p.column))}</td>'
            f'<td class="value" data-label="{label["th_value"]}">{escape(check.cell(p))}</td>'
            f'<td data-label="{label["th_reason"]}" title="{escape(p.reason)}">'
            f"{escape(reason_text(lang, p.reason))}{extra}</td></tr>"
        )
    warnings = ""
    if check.warnings:
        items = "".join(
            f"<li>{escape(where_file(lang, w.file))}: {w.row} "
            f"{escape(where_column(lang, w.column))}: {escape(reason_text(lang, w.reason))}</li>"
            for w in check.warnings
        )
        title = _t(lang, "warnings_title", count=len(check.warnings))
        warnings = f'<p class="warn">{title}</p><ul>{items}</ul>'
    head = "".join(
        f"<th>{_t(lang, k)}</th>"
        for k in ("th_file", "th_row", "th_column", "th_value", "th_reason")
    )
    return f"""<h1>{_t(lang, "title")}</h1><div class="card bad">
<h2 id="problems-title" style="margin-top:0">
{_t(lang, "problems_title", count=i18n.number(len(check.problems)))}</h2>
<p class="note">{_t(lang, "problems_intro")}</p>
<div class="scroll"><table id="problems"><thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></div>{warnings}</div>"""


@router.post("/upload/{token}/import", response_model=None)
def import_valid_rows(
    request: Request, token: str, lang: Lang, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Import the valid rows of a checked upload; the rejected rows stay downloadable."""
    if not may_write(request):
        return _message(lang, "needs_key", 403)
    if not _form_ok(request, csrf):
        return _message(lang, "wrong_form", 403)
    with _IMPORT_LOCK:  # one import per upload, however often the button is pressed
        staged = _staged(request, token)
        if staged is None:
            return _message(lang, "expired", 404)
        folder, record = staged
        if record.get("snapshot"):
            return _message(lang, "snapshot_needs_all", 422)
        if "imported" not in record:
            _import(request, folder, record, _check(request, folder, record))
    return RedirectResponse(f"/upload/{token}/done?lang={lang}", status_code=303)


@router.get("/upload/{token}/rejects.csv", response_model=None)
def rejects(request: Request, token: str, lang: Lang) -> Response:
    """The rejected rows: file, row, column, code, reason, then the row's original cells
    (UTF-8 with a BOM, so Excel shows the Thai)."""
    staged = _staged(request, token)
    if staged is None:
        return _message(lang, "expired", 404)
    folder, record = staged
    path = folder / "rejects.csv"
    if not path.is_file():
        _write_rejects(_check(request, folder, record), path)
    return Response(
        path.read_bytes(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="rejected-rows.csv"'},
    )


def _kind_order(kind: str) -> tuple[int, str]:
    """The contract's order of the kinds: people, organisations, networks, funds, ..."""
    order = list(FILE_KINDS.values())
    return (order.index(kind) if kind in order else len(order), kind)


def success_line(lang: str, imported: dict[str, Any]) -> str:
    """What was imported, in words: ``นำเข้าแล้ว: องค์กร 3, บุคคล 2 ... ความสัมพันธ์ 15 เส้น``."""
    parts = [
        i18n.text(
            lang,
            "upload.kind_count",
            kind=i18n.word(lang, "kind_plural", kind),
            count=i18n.number(count),
        )
        for kind, count in sorted(imported["kinds"].items(), key=lambda kc: _kind_order(kc[0]))
    ]
    if imported["relationships"]:
        parts.append(
            i18n.text(lang, "upload.done_links", count=i18n.number(imported["relationships"]))
        )
    counts = ", ".join(parts) or i18n.text(lang, "upload.done_none")
    return i18n.text(lang, "upload.done_line", counts=counts)


@router.get("/upload/{token}/done", response_class=HTMLResponse)
def done(request: Request, token: str, lang: Lang) -> Response:
    staged = _staged(request, token)
    if staged is None or "imported" not in staged[1]:
        return _message(lang, "expired", 404)
    imported = staged[1]["imported"]
    day = staged[1].get("snapshot")
    snapshot = (
        f'<p id="done-snapshot">{_t(lang, "snapshot_done", date=i18n.date(day, lang))}</p>'
        if day
        else ""
    )
    rejected = ""
    if imported["rejected"]:
        count = i18n.number(imported["rejected"])
        rejected = f"""<p class="warn">{_t(lang, "done_rejected", count=count)}
<a href="/upload/{token}/rejects.csv" download>{_t(lang, "rejects_download")}</a></p>"""
    body = f"""<div class="card good">
<h1 id="done-title" style="margin-top:0">{_t(lang, "done_title")}</h1>
<p id="done-line">{escape(success_line(lang, imported))}</p>{rejected}{snapshot}
<p><a class="button" href="/map?lang={lang}">{_t(lang, "open_map")}</a>
<a class="button plain" href="/upload?lang={lang}">{_t(lang, "upload_more")}</a></p></div>"""
    frame = f'<iframe id="map" src="/map?lang={lang}" title="{_t(lang, "map_title")}"></iframe>'
    return HTMLResponse(
        _page(
            lang,
            f"/upload/{token}/done",
            i18n.text(lang, "upload.done_title"),
            body,
            after=frame,
        )
    )


@router.get("/template.xlsx", response_model=None)
def template(example: bool = False) -> Response:
    """The Excel template (``importers.template``); ``?example=true``: with the example."""
    name = "graph-service-example.xlsx" if example else "graph-service-template.xlsx"
    return Response(
        _template(example),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_TEMPLATES: dict[bool, bytes] = {}


def _template(example: bool) -> bytes:
    if example not in _TEMPLATES:
        _TEMPLATES[example] = template_bytes(example)
    return _TEMPLATES[example]

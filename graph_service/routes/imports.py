"""``POST /api/import``: a dataset uploaded as CSV files, one zip of them or one ``.xlsx``
workbook, imported exactly as ``graph-service import`` imports a folder or a workbook
(``importers.load.import_dataset``): all or nothing unless ``skip_invalid``, every problem
named by its file, row and column.

The upload lives in a temporary folder that is removed afterwards. Only base names are kept
(a zip's folders are ignored), so nothing is written outside that folder: a zip entry with an
absolute path or ``..`` refuses the whole upload. The upload, and a zip's content
uncompressed, may not exceed ``Settings.max_upload_mb`` (413). A workbook is then held to
``WorkbookLimits`` (its parts inflated, rows, columns, cells; 422 naming the setting).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from pydantic import Field

from graph_service.dataset import DATASET_SUFFIXES
from graph_service.errors import InvalidInput, PayloadTooLarge
from graph_service.routes.deps import Store
from graph_service.routes.models import Open, responses
from importers.load import import_dataset, problems_error
from importers.read import Problem, WorkbookLimits

router = APIRouter(prefix="/api", tags=["import"])

_CHUNK = 1 << 20
#: what a zip may hold that the dataset reader looks at; anything else in it is ignored
_ZIP_MEMBERS = DATASET_SUFFIXES
_DRIVE = re.compile(r"^[A-Za-z]:")
#: the longest file name (in UTF-8 bytes) kept on disk; file systems allow 255
_LONGEST_NAME = 200


class ImportProblem(Open):
    file: str
    row: int | None
    column: str | None
    reason: str


class WriteCounts(Open):
    created: int
    updated: int
    unchanged: int
    deleted: int = Field(description="always 0 for an import")


class Written(Open):
    nodes: WriteCounts
    relationships: WriteCounts
    version: int


class ImportResult(Open):
    """The import report of ``graph-service import --json``; ``rejects_file`` is null (the
    rejected rows are in ``problems``)."""

    source: str
    rows: int
    entities: int
    relationships: int
    written: Written
    rejected: int
    problems: list[ImportProblem]
    rejects_file: str | None


@router.post(
    "/import",
    summary="Import a dataset: CSV files, a zip of them, or an .xlsx workbook",
    description="The files of a dataset (CONTRACT.md section 1) in the multipart field "
    "`files`: one or more CSV files named after their tables (`people.csv`, "
    "`relationships.csv`, ...), or one `.zip` of them, or one `.xlsx` workbook whose "
    "sheets are the tables. Validated as the command line does: with any problem nothing "
    "is written and the answer is 422 with every problem (file, row, column, reason) in "
    "`details`; with `skip_invalid=true` the valid rows are written and the problems are "
    "listed in the report. Entities and relationships already in the store are updated "
    "(properties merged). Example: `curl -F files=@people.csv -F "
    "files=@relationships.csv http://127.0.0.1:8000/api/import`.",
    responses=responses(ImportResult, "the import report", 413, 422),
)
def post_import(
    request: Request,
    store: Store,
    files: Annotated[
        list[UploadFile],
        File(description="CSV files, or one .zip of them, or one .xlsx workbook"),
    ],
    skip_invalid: Annotated[
        bool, Query(description="write the valid rows and list the problems", examples=[False])
    ] = False,
    encoding: Annotated[
        str | None,
        Query(
            description="the CSV files' encoding (default: detect UTF-8 or CP874/TIS-620)",
            examples=["cp874"],
        ),
    ] = None,
) -> dict[str, Any]:
    limit = request.app.state.settings.max_upload_mb * 1024 * 1024
    work = Path(tempfile.mkdtemp(prefix="graph-service-import-"))
    try:
        path, label = stage_upload(files, work, limit)
        try:
            report = import_dataset(
                store,
                path,
                encoding=encoding,
                skip_invalid=skip_invalid,
                rejects_path=work / "rejects.csv",
                limits=WorkbookLimits.from_settings(request.app.state.settings),
            )
        except InvalidInput as exc:
            raise _relabelled(exc, path, label) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.source = label
    report.rejects_file = None
    return report.to_dict()


def stage_upload(files: list[UploadFile], work: Path, limit: int) -> tuple[Path, str]:
    """Write the uploaded files under ``work`` as a dataset the reader takes: (its path,
    the label messages name it by). Raises ``InvalidInput`` for an upload that is not a
    dataset and ``PayloadTooLarge`` past ``limit`` bytes."""
    names = [base_name(f.filename or "") for f in files]
    suffixes = [PurePosixPath(n).suffix.lower() for n in names]
    bad_names = [
        Problem(name or "(a file without a name)", None, None, reason)
        for name in names
        if (reason := unusable_name(name)) is not None
    ]
    if bad_names:
        raise _upload_error(", ".join(names), bad_names)
    dataset = work / "dataset"
    dataset.mkdir()
    if len(files) == 1 and suffixes[0] == ".zip":
        archive = work / "upload.zip"
        _save(files[0].file, archive, Budget(limit, names[0]))
        folder = dataset / names[0]
        extract_zip(archive, folder, Budget(limit, names[0]))
        return folder, names[0]
    if len(files) == 1 and suffixes[0] == ".xlsx":
        workbook = dataset / names[0]
        _save(files[0].file, workbook, Budget(limit, names[0]))
        return workbook, names[0]
    problems: list[Problem] = []
    seen: set[str] = set()
    for name, suffix in zip(names, suffixes, strict=True):
        if suffix in (".zip", ".xlsx"):
            problems.append(
                Problem(name, None, None, f"send a {suffix} alone, not with other files")
            )
        elif suffix != ".csv":
            problems.append(
                Problem(name, None, None, "not a .csv file, a .zip of them or an .xlsx workbook")
            )
        elif name in seen:
            problems.append(Problem(name, None, None, "sent twice; send each file once"))
        seen.add(name)
    if problems:
        raise _upload_error(", ".join(names), problems)
    folder = dataset / "upload"
    folder.mkdir()
    label = ", ".join(names)
    budget = Budget(limit, label)
    for upload, name in zip(files, names, strict=True):
        _save(upload.file, folder / name, budget)
    return folder, label


def base_name(name: str) -> str:
    """A file name without any folders (browsers on Windows may send ``C:\\x\\people.csv``).

    >>> base_name("C:\\\\data\\\\people.csv"), base_name("a/b/areas.csv")
    ('people.csv', 'areas.csv')
    """
    return PurePosixPath(name.replace("\\", "/")).name.strip()


def unusable_name(name: str) -> str | None:
    """Why a file's base name cannot be a file on disk, or None when it can.

    >>> unusable_name("people.csv") is None, unusable_name("a\\x00.csv")
    (True, 'a file name with control characters')
    """
    if not name or name in (".", ".."):
        return "a file without a name"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "a file name with control characters"
    if len(name.encode("utf-8")) > _LONGEST_NAME:
        return f"a file name longer than {_LONGEST_NAME} bytes"
    return None


def extract_zip(archive: Path, folder: Path, budget: Budget) -> None:
    """Extract the zip's CSV files (and workbooks, so the reader can point at them) into
    ``folder`` by base name. Every entry name is checked before anything is extracted; the
    content is counted as it is inflated, whatever sizes the zip declares."""
    label = budget.label
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _upload_error(
            label, [Problem(label, None, None, f"not a zip file that can be read: {exc}")]
        ) from None
    with zf:
        problems: list[Problem] = []
        chosen: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            name = info.filename
            parts = name.replace("\\", "/").split("/")
            if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts:
                problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        f"unsafe entry {name!r}: a path that is absolute or climbs out "
                        "with '..'; the zip was refused",
                    )
                )
                continue
            base = parts[-1].strip()
            if info.is_dir() or not base or base.startswith(".") or "__MACOSX" in parts:
                continue
            if PurePosixPath(base).suffix.lower() not in _ZIP_MEMBERS:
                continue
            if (reason := unusable_name(base)) is not None:
                problems.append(Problem(label, None, None, f"entry {name!r}: {reason}"))
                continue
            if base in chosen:
                problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        f"two entries are named {base!r} ({chosen[base].filename!r} and "
                        f"{name!r}); keep one",
                    )
                )
                continue
            chosen[base] = info
        if problems:
            raise _upload_error(label, problems)
        if sum(i.file_size for i in chosen.values()) > budget.limit:
            raise budget.refusal()  # as declared; _save counts what really comes out
        folder.mkdir()
        for base, info in chosen.items():
            try:
                with zf.open(info) as src:
                    _save(src, folder / base, budget)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                # a damaged entry, an encrypted one, an unknown compression method
                raise _upload_error(
                    label,
                    [Problem(label, None, None, f"cannot extract {info.filename!r}: {exc}")],
                ) from None


class Budget:
    """The bytes an upload may still write: ``Settings.max_upload_mb`` in all."""

    def __init__(self, limit: int, label: str) -> None:
        self.limit = limit
        self.label = label
        self.used = 0

    def take(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise self.refusal()

    def refusal(self) -> PayloadTooLarge:
        mb = self.limit // (1024 * 1024)
        return PayloadTooLarge(
            f"{self.label}: the upload is larger than the {mb} MB the service accepts (a zip "
            "counts uncompressed); split the dataset, or raise GRAPH_MAX_UPLOAD_MB",
            {"max_upload_mb": mb},
        )


def _save(source: IO[bytes], target: Path, budget: Budget) -> None:
    """Copy ``source`` to ``target`` within the budget."""
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            budget.take(len(chunk))
            out.write(chunk)


def _upload_error(label: str, problems: list[Problem]) -> InvalidInput:
    return InvalidInput(
        f"{label}: not a dataset upload:\n" + "\n".join(str(p) for p in problems),
        [p.to_dict() for p in problems],
    )


def _relabelled(exc: InvalidInput, path: Path, label: str) -> InvalidInput:
    """The importer's error, naming the upload instead of the temporary folder, and the
    API's option instead of the command line's."""
    details = exc.details
    if isinstance(details, list) and details and all(isinstance(d, dict) for d in details):
        problems = [Problem(d["file"], d["row"], d["column"], d["reason"]) for d in details]
        message = problems_error(label, problems).message.replace(
            "--skip-invalid", "skip_invalid=true"
        )
        return InvalidInput(message, details)
    return InvalidInput(exc.message.replace(str(path), label), details)

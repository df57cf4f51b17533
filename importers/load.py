"""Loading: read -> validate -> write, all or nothing (CONTRACT.md section 1).

By default a dataset with any problem writes nothing and raises ``InvalidInput`` whose
details list every problem as ``file:row:column: reason``. With ``skip_invalid`` the valid
rows are written and the rejected ones go, each with its reason and its original cells, to
a CSV report whose path is returned.
"""

from __future__ import annotations

import csv
import gc
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graph_service.dataset import escape_formula
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, UsageError
from graph_service.store.base import GraphStore, Progress, WriteResult
from importers.read import Problem, WorkbookLimits, read_dataset
from importers.thai_admin import (
    geography_id,
    merge_dataset_areas,
    merge_edges,
    merge_stored_areas,
    move_edge,
    stored_aliases,
)
from importers.validate import Dataset, validate

#: how many problems a message prints before "and N more"
SHOWN_PROBLEMS = 50


@dataclass
class ImportReport:
    source: str
    rows: int
    entities: int
    relationships: int
    written: WriteResult
    problems: list[Problem] = field(default_factory=list)
    rejects_file: str | None = None
    #: what the reader fixed and says so (an invisible character removed from an id)
    warnings: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON; ``warnings`` only when there are any."""
        doc = {
            "source": self.source,
            "rows": self.rows,
            "entities": self.entities,
            "relationships": self.relationships,
            "written": self.written.to_dict(),
            "rejected": len(self.problems),
            "problems": [p.to_dict() for p in self.problems],
            "rejects_file": self.rejects_file,
        }
        if self.warnings:
            doc["warnings"] = [p.to_dict() for p in self.warnings]
        return doc


def known_lookup(
    store: GraphStore, aliases: dict[str, str] | None = None
) -> Callable[[list[str]], dict[str, str]]:
    """The kinds of the stored entities among some ids; ``aliases`` (alias -> stored id):
    an alias counts as its entity (``thai_admin.stored_aliases``)."""

    def lookup(ids: list[str]) -> dict[str, str]:
        found = {i: n.kind for i, n in store.get_nodes(ids).items()}
        if aliases:
            named = {i: aliases[i] for i in ids if i not in found and i in aliases}
            kinds = {i: n.kind for i, n in store.get_nodes(set(named.values())).items()}
            found.update({i: kinds[t] for i, t in named.items() if t in kinds})
        return found

    return lookup


def stored_areas(store: GraphStore) -> dict[str, Node]:
    """Every Area the store holds, by id (the geography has about 8,500)."""
    return store.get_nodes(store.ids_of(["Area"]))


def problems_error(source: str, problems: list[Problem]) -> InvalidInput:
    lines = [str(p) for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"... and {len(problems) - SHOWN_PROBLEMS} more")
    message = (
        f"{source}: {len(problems)} problem(s); nothing was imported "
        "(fix them, or use --skip-invalid to import the valid rows):\n" + "\n".join(lines)
    )
    return InvalidInput(message, [p.to_dict() for p in problems])


_gc_lock = threading.Lock()
#: imports under way in this process, and whether the collector was on before the first
_gc_pause = {"imports": 0, "resume": False}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an import builds its rows.

    An import creates a few objects per cell and frees none of them until it ends; the
    collector, triggered every few hundred allocations, walks that whole growing heap again
    and again (about 40 % of an import's time) to find nothing, as the rows hold no cycles.
    Reference counting still frees everything as usual. The collector runs again once the
    last import in the process has ended (imports may overlap in the service's threads).
    """
    with _gc_lock:
        if _gc_pause["imports"] == 0:
            _gc_pause["resume"] = gc.isenabled()
            gc.disable()
        _gc_pause["imports"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pause["imports"] -= 1
            if _gc_pause["imports"] == 0 and _gc_pause["resume"]:
                gc.enable()


def import_dataset(
    store: GraphStore,
    path: str | Path,
    *,
    encoding: str | None = None,
    skip_invalid: bool = False,
    rejects_path: str | Path | None = None,
    progress: Progress | None = None,
    limits: WorkbookLimits | None = None,
    snapshot: str | None = None,
) -> ImportReport:
    """Import a dataset folder, one CSV file or one ``.xlsx`` workbook into ``store``.
    ``limits``: what a workbook may hold (default ``WorkbookLimits()``). ``snapshot`` (an
    ISO day): the dataset is the whole network on that day (``GraphStore.write``); a
    snapshot is all or nothing, so it refuses ``skip_invalid`` (a rejected row would end
    what it describes)."""
    if snapshot is not None and skip_invalid:
        raise UsageError(
            "--snapshot กับ --skip-invalid ใช้ร่วมกันไม่ได้: แถวที่ถูกปฏิเสธจะทำให้สิ่งที่แถวนั้น"
            "บรรยายสิ้นสุดลง แก้แถวที่มีปัญหาก่อน / --snapshot cannot be combined with "
            "--skip-invalid: a rejected row would end what it describes; fix the rows first"
        )
    source = str(path)
    with collector_paused():
        try:
            tables, found = read_dataset(path, encoding=encoding, limits=limits)
        except (FileNotFoundError, ValueError, LookupError) as exc:
            raise InvalidInput(str(exc)) from exc
        problems = [p for p in found if not p.warning]
        warnings = [p for p in found if p.warning]
        areas = stored_areas(store)
        dataset = validate(tables, known_lookup(store, stored_aliases(areas)))
        del tables  # the rows: their cells live on in dataset.rejected_rows if needed
        problems = problems + dataset.problems
        if problems and not skip_invalid:
            raise problems_error(source, problems)
        rejects_file = None
        if problems:
            rejects_file = str(write_rejects(dataset, problems, rejects_path))
        # an area with a DOPA code is the geography's area when the store holds it
        nodes, edges, _ = merge_dataset_areas(dataset.nodes, dataset.edges, areas)
        if snapshot is None:
            written = store.write(nodes, edges, progress)
        else:
            written = store.write(nodes, edges, progress, at=snapshot, snapshot=True)
    return ImportReport(
        source,
        dataset.rows_read,
        len(dataset.nodes),
        len(dataset.edges),
        written,
        problems,
        rejects_file,
        warnings,
    )


def write_rejects(dataset: Dataset, problems: list[Problem], path: str | Path | None) -> Path:
    """Write every problem with the cells of its row (as JSON) to a CSV file, UTF-8 with a
    BOM so that Excel shows the Thai text; a text a spreadsheet would run as a formula is
    marked as text (``dataset.escape_formula``)."""
    if path is None:
        path = Path(f"import-rejects-{datetime.now():%Y%m%d-%H%M%S}.csv")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["file", "row", "column", "reason", "cells"])
        for p in problems:
            cells = dataset.rejected_rows.get((p.file, p.row)) if p.row is not None else None
            out.writerow(
                [
                    escape_formula(p.file),
                    p.row if p.row is not None else "",
                    escape_formula(p.column or ""),
                    escape_formula(p.reason),
                    json.dumps(cells, ensure_ascii=False) if cells else "",
                ]
            )
    return path


def import_graph(
    store: GraphStore,
    nodes: list[Node],
    edges: list[Edge],
    source: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Write entities and relationships built in code (e.g. the Thai geography)."""
    written = store.write(nodes, edges, progress)
    return ImportReport(source, len(nodes) + len(edges), len(nodes), len(edges), written)


def import_geography(
    store: GraphStore,
    nodes: list[Node],
    edges: list[Edge],
    source: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Write the Thai geography (``thai_admin.read_geography``), one entity per place: a
    stored Area with a DOPA ``code`` (a dataset's ``area-93``, imported before) is merged
    into the geography's (``th-93``): its properties but the geography's own are kept, its
    id and name join ``aliases``, its relationships move to the geography's area, and then
    it is deleted. Two transactions (write, then delete): an import stopped between them
    leaves both entities, and running it again finishes the merge."""
    areas = stored_areas(store)
    nodes, edges, gone = merge_stored_areas(nodes, edges, areas)
    moved = {old: geography_id(areas[old]) or old for old in gone}
    kept = [move_edge(e, moved) for old in gone for e in store.edges_of(old)]
    edges = merge_edges(edges + kept)
    written = store.write(nodes, edges, progress)
    if gone:
        deleted = store.delete(gone)
        written.nodes_deleted, written.edges_deleted = deleted.nodes_deleted, deleted.edges_deleted
        written.version = max(written.version, deleted.version)
    return ImportReport(source, len(nodes) + len(edges), len(nodes), len(edges), written)

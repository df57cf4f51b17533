"""Export: the whole graph in another tool's format or as a picture (CONTRACT.md section 2,
``export``).

Every format is valid for any stored text: the file formats drop the control characters XML
1.0 forbids themselves (:mod:`viz.formats`); the SVG picture has them removed after drawing.

This module only picks the writer by ``--format``: the file formats (GEXF, GraphML,
Cytoscape.js, Kumu, the CSV dataset, the xlsx tables) are written by :mod:`viz.formats`, the
static pictures (PNG, SVG) drawn by :mod:`viz.picture`, the dynamic GEXF (``--dynamic``:
the whole history, for Gephi's timeline) by :mod:`viz.gexf_dynamic`. None imports this
module.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from graph_service.errors import UsageError
from graph_service.store.base import GraphStore
from viz.base import PICTURE_FORMATS, ExportResult, check_file_target
from viz.formats import FILE_FORMATS, write_format

FORMATS = (*FILE_FORMATS, *PICTURE_FORMATS)


def export(
    store: GraphStore,
    fmt: str,
    path: Path,
    *,
    measures: bool = True,
    where: Sequence[str] = (),
    layout: str = "force",
    dynamic: bool = False,
) -> ExportResult:
    """Write the whole graph in ``store`` to ``path`` in format ``fmt`` (one of
    ``FORMATS``; for ``csv`` ``path`` is a folder). ``measures``: add brokerage,
    betweenness and constraint to gexf, graphml, cyjs and kumu (degree is always there).
    ``where`` (CONTRACT.md 2b filter terms, as ``find --where``): only the matching
    entities and the relationships among them, in every format; the result's notes say
    how many of how many. A filter that matches nothing is an ``InvalidInput``.
    ``layout`` (png and svg: force, levels, inn, geographic, as the map's layouts).
    ``dynamic`` (gexf only, the whole graph only): every entity and relationship the store
    ever held, with the days each held and each value's days (:mod:`viz.gexf_dynamic`);
    a view of one day (``--as-of``) or without history (the public view) is a
    ``UsageError``.

    Raises ``UsageError`` for an unknown format and ``InvalidInput`` when ``path`` cannot
    be written (for ``csv``: a folder holding anything but dataset files).
    """
    name = str(fmt).strip().lower()
    if name not in FORMATS:
        raise UsageError(
            f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}",
            {"format": fmt, "formats": list(FORMATS)},
        )
    path = Path(path)
    if dynamic:
        return _export_dynamic(store, name, path, measures=measures, where=where)
    if name in PICTURE_FORMATS:
        from viz.picture import write_picture  # numpy and matplotlib only when drawing

        result = write_picture(store, path, name, where=where, layout_name=layout)
        if name == "svg":
            drop_xml_forbidden(path)
        return result
    return write_format(store, name, path, measures=measures, where=where)


def _export_dynamic(
    store: GraphStore, name: str, path: Path, *, measures: bool, where: Sequence[str]
) -> ExportResult:
    from viz.gexf_dynamic import write_dynamic_gexf

    if name != "gexf":
        raise UsageError(
            f"--dynamic is for gexf (Gephi's timeline), not {name}",
            {"format": name, "dynamic": True},
        )
    if where:
        raise UsageError(
            "--dynamic writes the whole history; --where is not taken with it (filter in "
            "Gephi, or export one day with --as-of and --where)",
            {"where": list(where), "dynamic": True},
        )
    check_file_target(path)
    nodes, edges = write_dynamic_gexf(store, path)
    notes = ["dynamic: no measures (Gephi's dynamic statistics compute them over the timeline)"]
    return ExportResult(name, path, nodes, edges, files=[path], notes=notes if measures else [])


#: the characters XML 1.0 forbids, as UTF-8 bytes: C0 controls but tab, line feed and
#: carriage return, and U+FFFE/U+FFFF (each a whole sequence, so no character is split)
_XML_FORBIDDEN_UTF8 = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def drop_xml_forbidden(path: Path) -> None:
    """Remove from an XML file in UTF-8 the characters XML 1.0 forbids: matplotlib writes
    a label's text as it is, so a name holding a NUL (stored before the importer refused
    them, or written through the API) would make the SVG unreadable. They are never part
    of the markup, so removing them leaves the rest as it was."""
    data = path.read_bytes()
    if _XML_FORBIDDEN_UTF8.search(data):
        path.write_bytes(_XML_FORBIDDEN_UTF8.sub(b"", data))


__all__ = ["FORMATS", "ExportResult", "export"]

"""Export: the whole graph in another tool's format or as a picture (CONTRACT.md section 2,
``export``).

This module only picks the writer by ``--format``: the file formats (GEXF, GraphML,
Cytoscape.js, Kumu, the CSV dataset, the xlsx tables) are written by :mod:`viz.formats`, the
static pictures (PNG, SVG) drawn by :mod:`viz.picture`. Neither imports this module.
"""

from __future__ import annotations

from pathlib import Path

from graph_service.errors import UsageError
from graph_service.store.base import GraphStore
from viz.base import PICTURE_FORMATS, ExportResult
from viz.formats import FILE_FORMATS, write_format

FORMATS = (*FILE_FORMATS, *PICTURE_FORMATS)


def export(store: GraphStore, fmt: str, path: Path, *, measures: bool = True) -> ExportResult:
    """Write the whole graph in ``store`` to ``path`` in format ``fmt`` (one of
    ``FORMATS``; for ``csv`` ``path`` is a folder). ``measures``: add brokerage,
    betweenness and constraint to gexf, graphml, cyjs and kumu (degree is always there).

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
    if name in PICTURE_FORMATS:
        from viz.picture import write_picture  # numpy and matplotlib only when drawing

        return write_picture(store, path, name)
    return write_format(store, name, path, measures=measures)


__all__ = ["FORMATS", "ExportResult", "export"]

"""What every module of ``viz`` shares, at the bottom of the package so that none of them
imports another to get it: the result of writing a file (:class:`ExportResult`), the check of
a file's target (:func:`check_file_target`), the degree every view sizes by
(:func:`degrees`) and the picture formats (``PICTURE_FORMATS``, here so that
:mod:`viz.export` can list them without importing the drawing code).

Imports within ``viz`` run one way: ``export`` -> {``formats``, ``picture``};
``views`` and ``picture`` -> ``maps``; every one of them -> ``base``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_service.domain import Subgraph
from graph_service.errors import InvalidInput

PICTURE_FORMATS = ("png", "svg")


@dataclass
class ExportResult:
    """What an export wrote: the format, the path (a file, or the folder for ``csv``),
    how many entities and relationships, every file written, and notes (a measure that
    was skipped, a value that cannot round-trip)."""

    format: str
    path: Path
    nodes: int
    edges: int
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": str(self.path),
            "nodes": self.nodes,
            "edges": self.edges,
            "files": [str(f) for f in self.files],
            "notes": list(self.notes),
        }


def check_file_target(path: Path) -> None:
    """Refuse (``InvalidInput``) a folder, and create the folder a file goes into."""
    if path.is_dir():
        raise InvalidInput(f"'{path}' is a folder: give a file name to write", {"path": str(path)})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder '{path.parent}': {exc}") from exc


def degrees(sub: Subgraph) -> dict[str, int]:
    """Relationships in and out of every entity (0 for none).

    >>> from graph_service.domain import Edge, Node
    >>> sub = Subgraph.of([Node("a", "Area", {}), Node("b", "Area", {}), Node("c", "Area", {})],
    ...                   [Edge("a", "PART_OF", "b")])
    >>> degrees(sub)
    {'a': 1, 'b': 1, 'c': 0}
    """
    count: Counter[str] = Counter()
    for e in sub.edges:
        count[e.source] += 1
        count[e.target] += 1
    return {id_: count[id_] for id_ in sub.nodes}


__all__ = ["PICTURE_FORMATS", "ExportResult", "check_file_target", "degrees"]

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_service.domain import Subgraph
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

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


def filter_subgraph(
    store: GraphStore,
    sub: Subgraph,
    where: Sequence[str],
    notes: list[str] | None = None,
    *,
    whole: bool = True,
) -> Subgraph:
    """The entities of ``sub`` matching the filter ``where`` (CONTRACT.md 2b, the language
    of ``find --where``: :mod:`graph_service.analysis.filters`) and the relationships among
    them; ``sub`` itself for no filter. ``whole``: ``sub`` is the whole graph, so
    ``within=`` reads the placement relationships in it (else from ``store``). ``notes``
    gets a line saying how many of how many were kept; a filter that keeps nothing is an
    ``InvalidInput`` (nothing would be written).
    """
    from graph_service.analysis.filters import parse_filter, select
    from graph_service.store.arrays import graph_arrays_of

    flt = parse_filter(list(where))
    if flt is None:
        return sub
    text = "; ".join(flt.text)
    arrays = (
        graph_arrays_of(sub.nodes.values(), [(e.source, e.type, e.target) for e in sub.edges])
        if whole
        else None
    )
    keep = set(select(store, flt, arrays)) & set(sub.nodes)
    if not keep:
        raise InvalidInput(
            f"no entity matches {text}: nothing to export", {"where": flt.text, "entities": 0}
        )
    edges = [e for e in sub.edges if e.source in keep and e.target in keep]
    if notes is not None:
        notes.append(
            f"filtered by {text}: {len(keep):,} of {len(sub.nodes):,} entities, "
            f"{len(edges):,} of {len(sub.edges):,} relationships"
        )
    return Subgraph({i: n for i, n in sub.nodes.items() if i in keep}, edges)


__all__ = ["PICTURE_FORMATS", "ExportResult", "check_file_target", "degrees", "filter_subgraph"]


#: the start of every plain page's style (the timeline, attendance and Outcome Mapping
#: pages): Thai fonts, the header bar with its title and links; each page adds its own
PAGE_STYLE = """
*{box-sizing:border-box}
body{font-family:"Noto Sans Thai","Sarabun","Loma","Garuda",Tahoma,sans-serif;margin:0;
color:#222;background:#f6f7f9;font-size:16px;line-height:1.55}
header{background:#fff;border-bottom:1px solid #dde;padding:.8em 1.2em;display:flex;
flex-wrap:wrap;gap:.4em 1.2em;align-items:center;justify-content:space-between}
header h1{font-size:1.3em;margin:0}nav a{margin-left:1em}
a{color:#1f5fa8}
"""

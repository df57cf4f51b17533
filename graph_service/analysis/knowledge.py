"""Knowledge assets by two attributes, with who produces, uses and adopts them (DOMAIN.md
section 5; CONTRACT.md section 2b; issue 12, questions K1, K2 and K4).

Definitions:

- **Assets**: the entities of kind KnowledgeAsset that match ``where`` (the filter language
  of ``find --where``, :mod:`~graph_service.analysis.filters`).
- **The cross-table**: each asset sits in the cell (row value, column value) of two
  attributes (defaults ``asset_type`` × ``readiness``: the attributes the bundled samples
  give their assets; CONTRACT.md section 1). Values are written as text, as the breakdowns
  write them (``readiness`` 3 is ``"3"``); an asset without the attribute sits under null,
  and so does every asset for an attribute no asset has (that is not an error). A property
  with several values (a list, or a ``tags`` cell ``a|b``) puts the asset under each value.
  Values are sorted numbers first (as numbers), then text, null last.
- **Producers**: the entities that PRODUCE the asset ((producer) PRODUCES (asset)).
  **Users**: the entities that USE it ((user) USES (asset)). **Adopters**: the other end of
  an ADOPTED_BY relationship, (asset) ADOPTED_BY (adopter); written the other way round
  ((adopter) ADOPTED_BY (asset), the adopter not itself an asset) it is read the same, as
  ``gaps`` reads it. A relationship of an asset to itself counts for nothing.
- **No adopter** (``no_adopter``): assets that nobody USES and nobody adopts (no USES into
  the asset, no ADOPTED_BY).
- **No evidence** (``no_evidence``): assets with no relationship, in either direction and
  to another entity, of the ``evidence_types`` (default EVIDENCE_FOR: the type the bundled
  samples use for "X is evidence for this asset", (evidence) EVIDENCE_FOR (asset)).
- **Nothing above N** (``above``, question K1 "tracks with nothing above level 3"): the row
  values whose every asset has a numeric column value of at most N (``nothing_above``);
  ``nothing_known_above`` adds the rows where no asset is above N but some asset has no
  number (so nobody can be sure). ``below`` is the mirror: every asset at least N
  (``nothing_below``, ``nothing_known_below``). On the readiness scale 1 is the most mature
  (DOMAIN.md section 5): "no asset more mature than level 3" is ``below=3``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph_service import budget
from graph_service.analysis.common import _values, check_types, parse_list
from graph_service.analysis.filters import (
    PLACEMENT_TYPES,
    parse_filter,
    prepare,
    prepare_members,
    read_arrays,
)
from graph_service.domain import Node, to_ascii_digits
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

KIND = "KnowledgeAsset"
DEFAULT_ROWS = "asset_type"
DEFAULT_COLS = "readiness"
DEFAULT_EVIDENCE_TYPES = ("EVIDENCE_FOR",)
ROLE_TYPES = ("PRODUCES", "USES", "ADOPTED_BY")


def knowledge(
    store: GraphStore,
    rows: str | None = None,
    cols: str | None = None,
    where: str | Sequence[str] | None = None,
    evidence_types: str | Sequence[str] | None = None,
    above: str | float | None = None,
    below: str | float | None = None,
) -> dict[str, Any]:
    """The ``knowledge`` document (definitions in the module's docstring)::

        {"rows", "cols", "where", "evidence_types", "count",
         "row_values": [v], "col_values": [v],
         "table": [{"row", "col", "count", "assets": [ids]}],
         "assets": [{"id", "name", "row", "col", "producers", "users", "adopters",
                     "evidence"}],
         "no_adopter": [ids], "no_evidence": [ids],
         "above", "nothing_above", "nothing_known_above",
         "below", "nothing_below", "nothing_known_below"}

    ``table`` has the non-empty cells, by row then column; ``assets`` and every id list are
    sorted by id. An asset's ``row`` (``col``) is its value, null, or the list of its values
    when it has several. ``above``/``below``: a number (Thai digits read); without it the
    three fields are null. A malformed ``where``, evidence type, ``above`` or ``below`` is
    an ``InvalidInput``."""
    rows = (rows or "").strip() or DEFAULT_ROWS
    cols = (cols or "").strip() or DEFAULT_COLS
    flt = parse_filter(where)
    evidence = check_types(parse_list(evidence_types)) or list(DEFAULT_EVIDENCE_TYPES)
    above_n = _number(above, "--above")
    below_n = _number(below, "--below")
    needs_placement = flt is not None and any(t.attribute == "within" for t in flt.terms)
    types = set(ROLE_TYPES) | set(evidence) | (set(PLACEMENT_TYPES) if needs_placement else set())
    # ends and types only: no relationship's properties are read (both stores)
    arrays = read_arrays(store, None, sorted(types))
    nodes, names, kinds = arrays.nodes, arrays.ids, arrays.types
    rels = [
        (names[a], kinds[t], names[b])
        for a, b, t in zip(
            arrays.src.tolist(), arrays.dst.tolist(), arrays.type.tolist(), strict=True
        )
    ]
    if flt is not None and needs_placement:
        prepare(flt, nodes, [r for r in rels if r[1] in PLACEMENT_TYPES])
    if flt is not None:
        prepare_members(store, flt)
    ids = sorted(
        i for i, n in nodes.items() if n.kind == KIND and (flt is None or flt.matches_node(n))
    )
    chosen = set(ids)
    producers: dict[str, set[str]] = {i: set() for i in ids}
    users: dict[str, set[str]] = {i: set() for i in ids}
    adopters: dict[str, set[str]] = {i: set() for i in ids}
    proof: dict[str, set[str]] = {i: set() for i in ids}
    wanted = set(evidence)
    for step, (source, type_, target) in enumerate(rels):
        if not step & 4095:
            budget.check()
        if source == target:
            continue
        if type_ in wanted:
            if source in chosen:
                proof[source].add(target)
            if target in chosen:
                proof[target].add(source)
        if type_ == "PRODUCES" and target in chosen:
            producers[target].add(source)
        elif type_ == "USES" and target in chosen:
            users[target].add(source)
        elif type_ == "ADOPTED_BY":
            if nodes[source].kind == KIND:
                if source in chosen:
                    adopters[source].add(target)
            elif target in chosen:
                adopters[target].add(source)
    row_of = {i: _values(_attribute(nodes[i], rows), rows) for i in ids}
    col_of = {i: _values(_attribute(nodes[i], cols), cols) for i in ids}
    cells: dict[tuple[str | None, str | None], list[str]] = {}
    nothing: list[str | None] = [None]
    for i in ids:
        for r in row_of[i] or nothing:
            for c in col_of[i] or nothing:
                cells.setdefault((r, c), []).append(i)
    row_values = sorted({r for r, _ in cells}, key=_order)
    col_values = sorted({c for _, c in cells}, key=_order)
    table = [
        {"row": r, "col": c, "count": len(cells[(r, c)]), "assets": cells[(r, c)]}
        for r in row_values
        for c in col_values
        if (r, c) in cells
    ]
    assets = [
        {
            "id": i,
            "name": nodes[i].name,
            "row": _one(row_of[i]),
            "col": _one(col_of[i]),
            "producers": sorted(producers[i]),
            "users": sorted(users[i]),
            "adopters": sorted(adopters[i]),
            "evidence": sorted(proof[i]),
        }
        for i in ids
    ]
    doc: dict[str, Any] = {
        "rows": rows,
        "cols": cols,
        "where": flt.text if flt is not None else [],
        "evidence_types": evidence,
        "count": len(ids),
        "row_values": row_values,
        "col_values": col_values,
        "table": table,
        "assets": assets,
        "no_adopter": [i for i in ids if not users[i] and not adopters[i]],
        "no_evidence": [i for i in ids if not proof[i]],
    }
    numeric = _numeric_column(ids, col_of, cols, above_n is not None or below_n is not None)
    for name, bound, beyond in (
        ("above", above_n, lambda x, n: x > n),
        ("below", below_n, lambda x, n: x < n),
    ):
        sure: list[str | None] | None = None
        unsure: list[str | None] | None = None
        if bound is not None:
            sure, unsure = [], []
            for r in row_values:
                members = sorted({i for (rv, _), got in cells.items() if rv == r for i in got})
                values = [numeric.get(i) for i in members]
                if any(v is not None and any(beyond(x, bound) for x in v) for v in values):
                    continue
                (sure if all(v is not None for v in values) else unsure).append(r)
            unsure = sure + unsure
            unsure.sort(key=_order)
        doc[name] = _plain(bound)
        doc[f"nothing_{name}"] = sure
        doc[f"nothing_known_{name}"] = unsure
    return doc


def _attribute(node: Node, attribute: str) -> Any:
    if attribute == "kind":
        return node.kind
    return node.props.get(attribute)


def _one(values: list[str]) -> str | list[str] | None:
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _as_number(text: str) -> float | None:
    try:
        return float(to_ascii_digits(text).strip().replace(",", ""))
    except ValueError:
        return None


def _order(value: str | None) -> tuple[int, float, str]:
    """Numbers first (as numbers), then text, None last."""
    if value is None:
        return (2, 0.0, "")
    number = _as_number(value)
    return (0, number, value) if number is not None else (1, 0.0, value)


def _number(value: str | float | None, option: str) -> float | None:
    """``--above``/``--below`` as a number; None when not given; anything else an error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{option} must be a number (a level such as 3), not {value!r}")
    if isinstance(value, (int, float)):
        number: float | None = float(value)
    else:
        number = _as_number(str(value))
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise InvalidInput(
            f"{option} must be a number (a level such as 3), not {value!r}", {option: value}
        )
    return number


def _plain(number: float | None) -> int | float | None:
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def _numeric_column(
    ids: list[str], col_of: dict[str, list[str]], cols: str, asked: bool
) -> dict[str, list[float] | None]:
    """Each asset's column values as numbers (None: it has none). With ``asked``, a
    column whose values are all text is an error: there is nothing to compare with N."""
    out: dict[str, list[float] | None] = {}
    text: list[str] = []
    for i in ids:
        numbers = [_as_number(v) for v in col_of[i]]
        text.extend(v for v, n in zip(col_of[i], numbers, strict=True) if n is None)
        kept = [n for n in numbers if n is not None]
        out[i] = kept or None
    if asked and text and not any(v is not None for v in out.values()):
        shown = ", ".join(sorted(set(text))[:10])
        raise InvalidInput(
            f"--above/--below compare numbers, but the values of {cols!r} are text "
            f"({shown}); choose a numeric column, e.g. --cols readiness",
            {"cols": cols, "values": sorted(set(text))[:10]},
        )
    return out

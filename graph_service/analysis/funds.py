"""Funds in an area: every fund touching a place, who gives it, who administers it, what it
pays, and who receives money from more than one source (QUESTIONS.md W2, W11).

Definitions (DOMAIN.md section 4; the areas rule is the one of ``overlap --by area``,
CONTRACT.md section 2b):

- A *fund* is an entity of kind ``Fund``. Its *funders* are the sources of PROVIDES
  relationships to it (a fund row's ``funder_id`` makes one); its *administrators* the
  sources of ADMINISTERS relationships to it; its *recipients* the targets of its FUNDS
  relationships, each with the ``amount_thb``, ``need_thb``, ``purpose`` and ``year`` of
  that relationship.
- A fund's *areas* are the Areas it OPERATES_IN or is LOCATED_IN itself, its recipients that
  are Areas, and the Areas its recipients OPERATES_IN or are LOCATED_IN.
- A fund *touches* the area A when one of its areas is A (``direct``), lies inside A
  (``within``: A PART_OF-contains it, transitively) or contains A (``containing``: a
  province-wide fund touches each of its subdistricts). The strongest holds: direct, then
  within, then containing.
- ``recipients`` lists every target of a FUNDS relationship from any source (a fund, a
  programme, an organisation) with the sources that pay it, most sources first: "who gets
  the programme's money and who also gets money from elsewhere" is the recipients with
  more than one source.

With ``within``, funds that do not touch the area are left out, and so are the recipients
paid only by them. ``where`` (a filter, CONTRACT.md section 2b) keeps only the funds it holds
for. The total counts each listed fund's ``amount_thb`` once; funds without one are counted
in ``amount_unknown``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from graph_service import budget
from graph_service.analysis.filters import parse_filter, select
from graph_service.dataset import parse_entity_value
from graph_service.domain import Node, Subgraph
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

LOAD_TYPES = ("FUNDS", "PROVIDES", "ADMINISTERS", "LOCATED_IN", "OPERATES_IN", "PART_OF")
AREA_LINKS = ("OPERATES_IN", "LOCATED_IN")
#: fund properties shown under their own key, not under ``properties``
OWN_KEYS = ("name", "name_en", "amount_thb", "year", "purpose")


def _number(value: Any) -> int | float | None:
    """A baht amount as the importer reads it, or None (missing or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    parsed = parse_entity_value("amount_thb", value)
    return parsed if isinstance(parsed, int | float) and not isinstance(parsed, bool) else None


def _closure(start: str, step_of: Mapping[str, Sequence[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(step_of.get(start, ()))
    while stack:
        x = stack.pop()
        if x not in seen:
            seen.add(x)
            stack.extend(step_of.get(x, ()))
    return seen


def funds(
    store: GraphStore, within: str | None = None, where: str | Sequence[str] | None = None
) -> dict[str, Any]:
    """The ``funds`` document for the graph in ``store`` (see the module docstring):

    ``{"within", "where", "count", "total_thb", "amount_unknown", "funds": [{"id", "name",
    "amount_thb", "year", "purpose", "properties", "funders", "administrators", "recipients":
    [{"id", "amount_thb", "need_thb", "purpose", "year"}], "areas", "touches"}],
    "recipients": [{"id", "name", "kind", "sources": [ids], "amount_thb"}]}``.

    Funds sorted by id; ``touches`` is ``direct``, ``within`` or ``containing`` with
    ``within`` given, else null. Recipients by number of sources (most first), then id.
    """
    within = (within.strip() or None) if isinstance(within, str) else None
    flt = parse_filter(where)
    sub = store.subgraph(types=LOAD_TYPES)
    keep = set(select(store, flt)) if flt is not None else None
    return funds_report(sub, within, keep, flt.text if flt is not None else [])


def funds_report(
    sub: Subgraph, within: str | None, keep: set[str] | None, where_text: list[str]
) -> dict[str, Any]:
    """:func:`funds` on a subgraph holding the entities and the ``LOAD_TYPES`` relationships;
    ``keep``: the ids the filter holds for (None: no filter)."""
    nodes = sub.nodes
    if within is not None:
        area = nodes.get(within)
        if area is None:
            raise NotFound(f"within: no entity has the id {within!r}", {"within": within})
        if area.kind != "Area":
            raise InvalidInput(
                f"within: {within!r} is a {area.kind}, not an Area", {"within": within}
            )
    fund_ids = sorted(i for i, n in nodes.items() if n.kind == "Fund")
    is_fund = set(fund_ids)
    funders: dict[str, list[str]] = defaultdict(list)
    admins: dict[str, list[str]] = defaultdict(list)
    paid: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[str, dict[str, float | None]] = defaultdict(dict)
    placed: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, list[str]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.source not in nodes or e.target not in nodes:
            continue
        if e.type == "PROVIDES" and e.target in is_fund:
            funders[e.target].append(e.source)
        elif e.type == "ADMINISTERS" and e.target in is_fund:
            admins[e.target].append(e.source)
        elif e.type == "FUNDS":
            amount = _number(e.props.get("amount_thb"))
            if e.source in is_fund:
                paid[e.source].append(
                    {
                        "id": e.target,
                        "amount_thb": amount,
                        "need_thb": _number(e.props.get("need_thb")),
                        "purpose": e.props.get("purpose"),
                        "year": e.props.get("year"),
                    }
                )
            before = sources[e.target].get(e.source)
            sources[e.target][e.source] = (
                amount if before is None else (before if amount is None else before + amount)
            )
        elif e.type in AREA_LINKS and nodes[e.target].kind == "Area":
            placed[e.source].add(e.target)
        elif (
            e.type == "PART_OF"
            and nodes[e.source].kind == "Area"
            and nodes[e.target].kind == "Area"
            and e.source != e.target
        ):
            parents[e.source].append(e.target)
            children[e.target].append(e.source)

    inside = _closure(within, children) if within is not None else set()
    above = _closure(within, parents) if within is not None else set()

    def areas_of(fund: str) -> set[str]:
        found = set(placed.get(fund, ()))
        for r in paid.get(fund, ()):
            if nodes[r["id"]].kind == "Area":
                found.add(r["id"])
            found |= placed.get(r["id"], set())
        return found

    def touch(areas: set[str]) -> str | None:
        if within in areas:
            return "direct"
        if areas & inside:
            return "within"
        if areas & above:
            return "containing"
        return None

    listed: list[dict[str, Any]] = []
    for fid in fund_ids:
        if keep is not None and fid not in keep:
            continue
        areas = areas_of(fid)
        touches = touch(areas) if within is not None else None
        if within is not None and touches is None:
            continue
        node = nodes[fid]
        listed.append(_fund_doc(node, funders, admins, paid, areas, touches))
    shown = {f["id"] for f in listed}
    recipients: list[dict[str, Any]] = []
    for rid, by in sources.items():
        fund_sources = [s for s in by if s in is_fund]
        if (within is not None or keep is not None) and not (set(fund_sources) & shown):
            continue
        amounts = [a for a in by.values() if a is not None]
        recipients.append(
            {
                "id": rid,
                "name": nodes[rid].name,
                "kind": nodes[rid].kind,
                "sources": sorted(by),
                "amount_thb": sum(amounts) if amounts else None,
            }
        )
    recipients.sort(key=lambda r: (-len(r["sources"]), r["id"]))
    known = [f["amount_thb"] for f in listed if f["amount_thb"] is not None]
    return {
        "within": within,
        "where": where_text,
        "count": len(listed),
        "total_thb": sum(known) if known else None,
        "amount_unknown": len(listed) - len(known),
        "funds": listed,
        "recipients": recipients,
    }


def _fund_doc(
    node: Node,
    funders: Mapping[str, list[str]],
    admins: Mapping[str, list[str]],
    paid: Mapping[str, list[dict[str, Any]]],
    areas: set[str],
    touches: str | None,
) -> dict[str, Any]:
    props = node.props
    return {
        "id": node.id,
        "name": node.name,
        "amount_thb": _number(props.get("amount_thb")),
        "year": props.get("year"),
        "purpose": props.get("purpose"),
        "properties": {k: v for k, v in sorted(props.items()) if k not in OWN_KEYS},
        "funders": sorted(set(funders.get(node.id, ()))),
        "administrators": sorted(set(admins.get(node.id, ()))),
        "recipients": sorted(
            paid.get(node.id, ()), key=lambda r: (r["id"], str(r["purpose"] or ""))
        ),
        "areas": sorted(areas),
        "touches": touches,
    }

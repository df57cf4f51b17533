"""Meetings: who came, who keeps missing, which agencies send only individuals, whether a
body kept its rhythm, which places a visiting team never reached, and the ties that
attending the same meetings makes (CONTRACT.md section 2d; issue 15, questions W17 and K16).

The graph (CONTRACT.md section 1b, ``docs/meetings-om.md``): an Event has a ``date``;
(event) MEETING_OF (body) names the network or committee that meets; (actor) ATTENDED
(event) carries ``status`` (invited, attended, absent) and ``capacity`` (personal,
institutional); (organiser) ORGANISES (event); (event) LOCATED_IN (area).

Definitions (``attendance``):

- **The body's events**: the Events MEETING_OF the body dated on or before the day asked
  (``--as-of``, default today), within ``since``/``until`` when given, in date order (then
  by id). The **last M** are the M latest of them.
- **Members**: the actors MEMBER_OF the body, and every actor with an attendance row at one
  of its events (a guest is listed too, and is expected only where a row lists them).
- **Expected**: a member of the body is expected at every event of the body; anyone else
  at the events whose attendance rows list them. **Missed**: expected and not recorded as
  attended (absent, invited only, or, for a member of the body, not on the list at all:
  minutes usually list only who came). ``attended``, ``absent`` and ``invited`` count the
  rows of each status; ``not_listed`` the events a member of the body has no row for.
- **Keeps missing**: members who missed at least N (``min_missed``, default 2) of the last
  M (``last``, default 3) events.
- **Present only through individuals** (``individual_only``): organisations (agencies)
  that some person linked to them (WORKS_FOR or MEMBER_OF them) attended the body's events
  for, while the organisation was never present as itself: it has no attendance of its own
  with status attended, and none of those people attended in an ``institutional``
  capacity. ``through`` names the people. A network (a team, another committee) counts
  only when it is itself expected at the body (MEMBER_OF it, or on an attendance row): a
  person who sits on the committee and also on a team does not make the team absent.
- **Rhythm** (``every``, e.g. ``3m``): each interval between two consecutive events is kept
  when the later one came no later than the earlier one plus ``every`` (calendar months
  and years; ``90d``, ``2w`` in days); the next event is due ``every`` after the last one,
  and overdue when that day has passed.

``visits``: the entities matching a filter (default: networks) that no event of a team
reached. A team's events are those it ORGANISES or itself ATTENDED; an event reaches the
body it is MEETING_OF, the actors that attended it, the area it is LOCATED_IN, and the
entities LOCATED_IN or OPERATES_IN that area.

``co_attendance``: the two-mode projection of attendance. Two actors are tied when both
attended (status attended) the same event, weighted by how many; computed from the
ATTENDED relationships when asked, never stored, so it follows imports and ``--as-of``.
``with_co_attendance`` gives the graph with these ties added as CO_ATTENDED relationships
(symmetric), so that every question can use them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from typing import Any

from graph_service.analysis.om import today_of
from graph_service.domain import ACTOR_KINDS, Edge, Node, edge_key
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.history import AsOfView

EVENT = "Event"
ATTENDED = "ATTENDED"
CO_ATTENDED = "CO_ATTENDED"
STAFF_TYPES = ("WORKS_FOR", "MEMBER_OF")
DEFAULT_LAST = 3
DEFAULT_MIN_MISSED = 2
_TYPES = (ATTENDED, "MEETING_OF", "MEMBER_OF", "WORKS_FOR", "ORGANISES", "LOCATED_IN")


def _date(node: Node) -> dt.date | None:
    value = node.props.get("date")
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _meeting_graph(store: GraphStore) -> tuple[dict[str, Node], list[Edge]]:
    sub = store.subgraph(kinds=(*ACTOR_KINDS, EVENT), types=_TYPES)
    return sub.nodes, sub.edges


def _held(
    nodes: dict[str, Node],
    edges: list[Edge],
    today: dt.date,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, list[tuple[str, dt.date]]]:
    """Body -> its events held by ``today`` (within ``since``/``until`` when given), each
    with its day, in date order (then by id); an event without a date is none of them."""
    held: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    for e in edges:
        if e.type != "MEETING_OF" or e.source not in nodes or e.target not in nodes:
            continue
        day = _date(nodes[e.source])
        if day is None or day > today or (since and day < since) or (until and day > until):
            continue
        held[e.target].append((e.source, day))
    for dated in held.values():
        dated.sort(key=lambda pair: (pair[1], pair[0]))
    return held


def _entity(store: GraphStore, id_: str, what: str) -> Node:
    found = store.get_nodes([id_]).get(id_)
    if found is None:
        raise NotFound(f"ไม่พบ '{id_}' / no entity '{id_}' ({what})", {"id": id_})
    return found


# -- the rhythm ------------------------------------------------------------------------------

_EVERY = re.compile(r"^\s*(\d+)\s*(d|w|m|y|วัน|สัปดาห์|เดือน|ปี)\s*$", re.IGNORECASE)
_UNITS = {"วัน": "d", "สัปดาห์": "w", "เดือน": "m", "ปี": "y"}


def parse_every(text: str) -> tuple[int, str]:
    """``3m`` -> (3, "m"): a count and a unit (d days, w weeks, m months, y years; also
    Thai ``3 เดือน``).

    >>> parse_every("3m"), parse_every("6 เดือน"), parse_every("90d")
    ((3, 'm'), (6, 'm'), (90, 'd'))
    """
    m = _EVERY.match(text or "")
    if not m or int(m[1]) < 1:
        raise InvalidInput(
            f"every: ใช้รูปแบบเช่น 3m (ทุก 3 เดือน), 6m, 1y, 90d / write e.g. 3m, 6m, 1y or "
            f"90d, got {text!r}",
            {"parameter": "every", "value": text},
        )
    unit = m[2].lower()
    return int(m[1]), _UNITS.get(unit, unit)


def add_every(day: dt.date, every: tuple[int, str]) -> dt.date:
    """``day`` plus the interval; a month later than 31 January is the last of February.

    >>> add_every(dt.date(2024, 1, 31), (1, "m")), add_every(dt.date(2024, 2, 29), (1, "y"))
    (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28))
    """
    n, unit = every
    if unit == "d":
        return day + dt.timedelta(days=n)
    if unit == "w":
        return day + dt.timedelta(weeks=n)
    months = n * (12 if unit == "y" else 1)
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rhythm(days: Sequence[tuple[str, dt.date]], every: str, today: dt.date) -> dict[str, Any]:
    """Whether events on ``days`` ((id, date), in date order) kept the rhythm ``every``."""
    step = parse_every(every)
    intervals = []
    for (a, day_a), (b, day_b) in zip(days, days[1:], strict=False):
        due = add_every(day_a, step)
        intervals.append(
            {
                "from": a,
                "to": b,
                "from_date": day_a.isoformat(),
                "to_date": day_b.isoformat(),
                "days": (day_b - day_a).days,
                "due": due.isoformat(),
                "kept": day_b <= due,
            }
        )
    next_due = add_every(days[-1][1], step) if days else None
    return {
        "every": every,
        "intervals": intervals,
        "late": [i["to"] for i in intervals if not i["kept"]],
        "kept": all(i["kept"] for i in intervals),
        "last": days[-1][1].isoformat() if days else None,
        "next_due": next_due.isoformat() if next_due else None,
        "overdue": bool(next_due and next_due < today),
    }


# -- attendance ------------------------------------------------------------------------------


def attendance(
    store: GraphStore,
    body: str,
    last: int = DEFAULT_LAST,
    min_missed: int = DEFAULT_MIN_MISSED,
    every: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Each member's attendance at the body's events (see the module's definitions), as on
    ``today`` (default: the as-of day, else today)."""
    if last < 1 or min_missed < 1:
        raise InvalidInput(
            "last and min_missed must be 1 or more / --last and --min-missed must be 1 or more",
            {"last": last, "min_missed": min_missed},
        )
    if every is not None:
        parse_every(every)  # a bad rhythm is said before the graph is read
    body_node = _entity(store, body, "body")
    today = today_of(store, today)
    nodes, edges = _meeting_graph(store)
    dated = _held(nodes, edges, today, since, until).get(body, [])
    events = [i for i, _ in dated]
    event_set = set(events)
    recent = events[-last:]
    body_members = {
        e.source
        for e in edges
        if e.type == "MEMBER_OF"
        and e.target == body
        and nodes.get(e.source, body_node).kind in ACTOR_KINDS
    }
    rows: dict[str, dict[str, str]] = defaultdict(dict)  # actor -> event -> status
    capacity: dict[tuple[str, str], Any] = {}
    for e in edges:
        if e.type == ATTENDED and e.target in event_set and e.source in nodes:
            rows[e.source][e.target] = str(e.props.get("status", "attended"))
            capacity[(e.source, e.target)] = e.props.get("capacity")
    members: list[dict[str, Any]] = []
    for id_ in sorted(body_members | rows.keys()):
        statuses = rows.get(id_, {})
        expected = events if id_ in body_members else [ev for ev in events if ev in statuses]
        missed = [ev for ev in expected if statuses.get(ev) != "attended"]
        counts = {s: sum(1 for v in statuses.values() if v == s) for s in ("attended", "absent")}
        members.append(
            {
                "id": id_,
                "name": nodes[id_].name if id_ in nodes else id_,
                "kind": nodes[id_].kind if id_ in nodes else None,
                "member": id_ in body_members,
                "attended": counts["attended"],
                "absent": counts["absent"],
                "invited": sum(1 for v in statuses.values() if v == "invited"),
                "not_listed": sum(1 for ev in expected if ev not in statuses),
                "missed": len(missed),
                "missed_last": sum(1 for ev in recent if ev in missed),
                "expected_last": sum(1 for ev in recent if ev in expected),
                "statuses": {ev: statuses.get(ev) for ev in events},
            }
        )
    keeps_missing = [m["id"] for m in members if m["missed_last"] >= min_missed]
    through = _individual_only(nodes, edges, body, rows, capacity, body_members)
    out: dict[str, Any] = {
        "body": body,
        "name": body_node.name,
        "as_of": today.isoformat(),
        "last": last,
        "min_missed": min_missed,
        "events": events,
        "event_details": [
            {
                "id": ev,
                "name": nodes[ev].name,
                "date": day.isoformat(),
                "event_kind": nodes[ev].props.get("event_kind"),
                "expected": sum(
                    1 for m in members if m["member"] or m["statuses"].get(ev) is not None
                ),
                "attended": sum(1 for m in members if m["statuses"].get(ev) == "attended"),
            }
            for ev, day in dated
        ],
        "members": members,
        "keeps_missing": keeps_missing,
        "individual_only": sorted(through),
        "through": {org: sorted(people) for org, people in sorted(through.items())},
        "names": {
            i: nodes[i].name
            for i in sorted({*through, *(p for ps in through.values() for p in ps)})
            if i in nodes
        },
    }
    if every is not None:
        out["rhythm"] = rhythm(dated, every, today)
    return out


def _individual_only(
    nodes: dict[str, Node],
    edges: list[Edge],
    body: str,
    rows: dict[str, dict[str, str]],
    capacity: dict[tuple[str, str], Any],
    body_members: set[str],
) -> dict[str, set[str]]:
    """Organisation or network -> the people through whom alone it was present. An
    organisation (an agency) counts whenever its people came; a network only when it is
    itself expected at the body (a member of it, or on an attendance row): a team whose
    member sits on the committee in their own right is not an absent agency."""
    employers: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if (
            e.type in STAFF_TYPES
            and e.target != body
            and e.source in nodes
            and e.target in nodes
            and nodes[e.source].kind == "Person"
            and nodes[e.target].kind != "Person"
        ):
            employers[e.source].add(e.target)
    through: dict[str, set[str]] = defaultdict(set)
    institutional: set[str] = set()
    for actor, statuses in rows.items():
        came = [ev for ev, status in statuses.items() if status == "attended"]
        if not came:
            continue
        if nodes[actor].kind != "Person":
            institutional.add(actor)
            continue
        for org in employers.get(actor, ()):
            if any(capacity.get((actor, ev)) == "institutional" for ev in came):
                institutional.add(org)
            else:
                through[org].add(actor)
    return {
        org: people
        for org, people in through.items()
        if org not in institutional
        and (nodes[org].kind == "Organisation" or org in body_members or org in rows)
    }


def bodies(store: GraphStore, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The bodies with events (MEETING_OF), most events first: ``{"id", "name", "events"}``."""
    nodes, edges = _meeting_graph(store)
    held = _held(nodes, edges, today_of(store, today))
    return [
        {"id": i, "name": nodes[i].name, "events": len(dated)}
        for i, dated in sorted(held.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def rhythms(
    store: GraphStore,
    every: str,
    bodies_: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Whether each body with events (or each of ``bodies_``) met every ``every``: per body
    its events and :func:`rhythm`; ``not_kept`` the bodies with a late interval or an
    overdue next meeting (question K16: "did the steering committee meet every 3 months;
    did partner meetings keep their rhythm?")."""
    parse_every(every)
    nodes, edges = _meeting_graph(store)
    today = today_of(store, today)
    wanted = set(bodies_) if bodies_ else None
    for id_ in sorted(wanted or ()):
        if id_ not in nodes:
            _entity(store, id_, "body")
    days = _held(nodes, edges, today)
    out = []
    for body in sorted(days if wanted is None else wanted):
        dated = days.get(body, [])
        out.append(
            {
                "body": body,
                "name": nodes[body].name if body in nodes else body,
                "events": len(dated),
                **rhythm(dated, every, today),
            }
        )
    return {
        "every": every,
        "as_of": today.isoformat(),
        "bodies": out,
        "not_kept": [b["body"] for b in out if not b["kept"] or b["overdue"]],
    }


# -- visits ----------------------------------------------------------------------------------


def visits(
    store: GraphStore,
    team: str,
    where: str | Sequence[str] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The entities matching ``where`` (default ``kind=Network``) that no event of the
    ``team`` reached (see the module's definitions)."""
    from graph_service.analysis.filters import parse_filter, select

    _entity(store, team, "team")
    today = today_of(store, today)
    sub = store.subgraph()
    nodes = sub.nodes
    flt = parse_filter(where or "kind=Network")
    assert flt is not None
    candidates = [i for i in select(store, flt) if i != team]
    team_events = set()
    for e in sub.edges:
        if e.source != team or e.target not in nodes or nodes[e.target].kind != EVENT:
            continue
        if e.type == "ORGANISES" or (e.type == ATTENDED and e.props.get("status") == "attended"):
            day = _date(nodes[e.target])
            if day is None or day <= today:
                team_events.add(e.target)
    placed: dict[str, set[str]] = defaultdict(set)  # area -> entities there
    for e in sub.edges:
        if e.type in ("LOCATED_IN", "OPERATES_IN"):
            placed[e.target].add(e.source)
    reached: dict[str, set[str]] = defaultdict(set)
    for e in sub.edges:
        if e.source in team_events:
            if e.type == "MEETING_OF":
                reached[e.target].add(e.source)
            elif e.type == "LOCATED_IN":
                reached[e.target].add(e.source)
                for other in placed.get(e.target, ()):
                    if other not in team_events:
                        reached[other].add(e.source)
        if e.target in team_events and e.type == ATTENDED and e.props.get("status") == "attended":
            reached[e.source].add(e.target)
    return {
        "team": team,
        "where": where or "kind=Network",
        "events": sorted(team_events, key=lambda i: (str(nodes[i].props.get("date", "")), i)),
        "reached": [
            {"id": i, "name": nodes[i].name, "events": sorted(reached[i])}
            for i in candidates
            if reached.get(i)
        ],
        "not_reached": [i for i in candidates if not reached.get(i)],
    }


# -- the two-mode projection -----------------------------------------------------------------


def _projection(
    store: GraphStore, body: str | None, min_events: int, today: dt.date | None
) -> tuple[list[str], list[tuple[int, int, int]], list[str], list[tuple[int, int]]]:
    """The two-mode projection: (actors, [(i, j, weight)] with i < j in actor order and
    weight at least ``min_events``, the events, the attended (actor, event) numbers)."""
    import numpy as np
    from scipy import sparse

    nodes, edges = _meeting_graph(store)
    today = today_of(store, today)
    events = {
        i
        for i, n in nodes.items()
        if n.kind == EVENT and ((day := _date(n)) is None or day <= today)
    }
    if body is not None:
        _entity(store, body, "body")
        events &= {e.source for e in edges if e.type == "MEETING_OF" and e.target == body}
    pairs = {
        (e.source, e.target)
        for e in edges
        if e.type == ATTENDED
        and e.target in events
        and e.props.get("status", "attended") == "attended"
        and nodes[e.source].kind in ACTOR_KINDS
    }
    if not pairs:
        return [], [], [], []
    actors = sorted({a for a, _ in pairs})
    event_ids = sorted({ev for _, ev in pairs})
    a_index = {a: i for i, a in enumerate(actors)}
    e_index = {ev: i for i, ev in enumerate(event_ids)}
    numbered = [(a_index[a], e_index[ev]) for a, ev in pairs]
    rows = np.fromiter((r for r, _ in numbered), dtype=np.int32, count=len(numbered))
    cols = np.fromiter((c for _, c in numbered), dtype=np.int32, count=len(numbered))
    incidence = sparse.csr_matrix(
        (np.ones(len(numbered), dtype=np.int32), (rows, cols)),
        shape=(len(actors), len(event_ids)),
    )
    shared = sparse.triu(incidence @ incidence.T, k=1).tocsr()
    shared.sort_indices()
    coo = shared.tocoo()
    keep = coo.data >= min_events
    triples = list(
        zip(coo.row[keep].tolist(), coo.col[keep].tolist(), coo.data[keep].tolist(), strict=True)
    )
    return actors, triples, event_ids, numbered


def co_attendance_edges(
    store: GraphStore, body: str | None = None, min_events: int = 1, today: dt.date | None = None
) -> list[Edge]:
    """CO_ATTENDED ties between actors who attended the same events (of ``body`` when
    given), ``weight`` the number of those events; one edge per pair, from the smaller id
    to the larger (the type is symmetric), in that order."""
    actors, triples, _, _ = _projection(store, body, min_events, today)
    out = []
    for i, j, w in triples:
        a, b = actors[i], actors[j]
        out.append(Edge(a, CO_ATTENDED, b, {"weight": w}, edge_key(a, CO_ATTENDED, b)))
    return out


def co_attendance(
    store: GraphStore, body: str | None = None, min_events: int = 1, today: dt.date | None = None
) -> dict[str, Any]:
    """The projection as a document: ``{"body", "min_events", "pairs": [{"a", "b",
    "weight", "events"}]}``, heaviest first."""
    if min_events < 1:
        raise InvalidInput("min_events must be 1 or more / --min must be 1 or more", {})
    actors, triples, event_ids, numbered = _projection(store, body, min_events, today)
    sets: list[set[int]] = [set() for _ in actors]
    for r, c in numbered:
        sets[r].add(c)
    triples.sort(key=lambda t: (-t[2], actors[t[0]], actors[t[1]]))
    pairs = [
        {
            "a": actors[i],
            "b": actors[j],
            "weight": w,
            "events": [event_ids[k] for k in sorted(sets[i] & sets[j])],
        }
        for i, j, w in triples
    ]
    return {"body": body, "min_events": min_events, "pairs": pairs}


class CoAttendanceView(AsOfView):
    """The graph with the CO_ATTENDED ties added: read-only, in memory; its cached answers
    are filed apart from the graph's own (``cache_suffix``)."""

    cache_suffix = "+co-attendance"


#: by (engine, location, version, "day:min_events:privacy mode")
_views: OrderedDict[tuple[str, str, int, str], CoAttendanceView] = OrderedDict()
_views_lock = threading.Lock()
_VIEWS = 4


def with_co_attendance(store: GraphStore, min_events: int = 1) -> GraphStore:
    """The graph of ``store`` with the CO_ATTENDED ties added (read-only, in memory): every
    question asked of it counts two people who attend the same meetings as tied. The last
    few are kept per process, by store, version and day."""
    if isinstance(store, CoAttendanceView):
        return store
    day = today_of(store, None)
    version = store.version()
    mode = getattr(store, "privacy_mode", "full")
    key = (store.engine, store.location, version, f"{day.isoformat()}:{min_events}:{mode}")
    with _views_lock:
        found = _views.get(key)
        if found is not None and found.store is store:
            _views.move_to_end(key)
            return found  # type: ignore[return-value]
    sub = store.subgraph()
    extra = co_attendance_edges(store, None, min_events)
    view = CoAttendanceView(store, day, sub.nodes.values(), [*sub.edges, *extra], version)
    # the graph's privacy travels with it: a public view's answers are never filed as full
    view.privacy_mode = getattr(store, "privacy_mode", "full")  # type: ignore[attr-defined]
    with _views_lock:
        _views[key] = view
        while len(_views) > _VIEWS:
            _views.popitem(last=False)
    return view  # type: ignore[return-value]

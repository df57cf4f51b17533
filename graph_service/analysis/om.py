"""Outcome Mapping reports (Earl, Carden and Smutylo, IDRC 2001; DOMAIN.md section 6b;
CONTRACT.md section 2d; issue 15, questions K12 to K15): the progress ladder per boundary
partner, the markers and strategies gone silent with the follow-ups past due, and the
contributors the outcome journals name.

What they read (docs/meetings-om.md): ProgressMarker ``{stage, order}`` -[MARKER_OF]->
partner; Strategy ``{cell}`` -[AIMED_AT]-> partner; JournalEntry ``{journal, date, rating,
follow_up}`` -[RATES]-> marker, strategy or practice; contributor -[CONTRIBUTED]-> outcome
entry.

Definitions:

- **Periods** are calendar quarters (``2024-Q4``), months (``2024-11``) or years
  (``2024``). The **current** period holds ``today`` (the ``--as-of`` day, else today), the
  **previous** one is the period before it.
- **Today**: entries dated after it are ignored everywhere, as if not yet written.
- A **boundary partner** is an entity that some ProgressMarker is MARKER_OF.
- **Ladder**: in each period a marker counts once, with its *latest* rating there: the
  rated outcome entry with the latest ``date``; on the same date the one whose id sorts
  last (journal ids are ``oj-<marker>-<date>``, so two entries share a date only when the
  sheet gave its own ids). A marker with no rated entry in the period is ``unrated``.
- **Silent**: markers and strategies with no journal entry (any RATES into them) dated in
  the last N periods (the current one and the N-1 before it).
- **Overdue**: a strategy whose latest strategy-journal entry (same order as above) has a
  ``follow_up`` before today, with no strategy entry dated on or after that follow-up.
- **Contributors**: entities that CONTRIBUTED to an outcome entry; ``mentions`` is how many
  entries name them, ``markers`` the distinct markers those entries rate; most mentioned
  first, ties by id.

A worked example (two quarters of one marker, rated low then twice in Q4)::

    >>> import os, tempfile
    >>> from graph_service.domain import Edge, Node
    >>> from graph_service.store.embedded import EmbeddedStore
    >>> s = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
    >>> _ = s.write(
    ...     [Node("net", "Network", {"name": "เครือข่าย"}),
    ...      Node("m1", "ProgressMarker", {"name": "m1", "stage": "expect"}),
    ...      Node("oj-1", "JournalEntry", {"journal": "outcome", "date": "2024-08-01",
    ...                                   "rating": "low"}),
    ...      Node("oj-2", "JournalEntry", {"journal": "outcome", "date": "2024-10-01",
    ...                                   "rating": "low"}),
    ...      Node("oj-3", "JournalEntry", {"journal": "outcome", "date": "2024-11-01",
    ...                                   "rating": "high"})],
    ...     [Edge("m1", "MARKER_OF", "net"), Edge("oj-1", "RATES", "m1"),
    ...      Edge("oj-2", "RATES", "m1"), Edge("oj-3", "RATES", "m1")])
    >>> doc = ladder(s, today=dt.date(2024, 12, 31))
    >>> doc["current"], doc["previous"]
    ('2024-Q4', '2024-Q3')
    >>> doc["partners"][0]["current"]["expect"], doc["partners"][0]["previous"]["expect"]
    ({'low': 0, 'medium': 0, 'high': 1}, {'low': 1, 'medium': 0, 'high': 0})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graph_service.domain import RATINGS, STAGES, STRATEGY_CELLS, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore

PERIODS = ("month", "quarter", "year")
DEFAULT_PERIOD = "quarter"
#: periods shown as the ladder's columns (``periods`` and each marker's ``ratings``)
LADDER_COLUMNS = 4
DEFAULT_SILENT_PERIODS = 2
OM_KINDS = ("ProgressMarker", "Strategy", "JournalEntry")


# -- periods --------------------------------------------------------------------------------


def check_period(period: str | None) -> str:
    """``month``, ``quarter`` or ``year`` (None or blank: quarter); anything else is
    ``InvalidInput``.

    >>> check_period(None), check_period(" Month ")
    ('quarter', 'month')
    """
    name = (period or "").strip().lower() or DEFAULT_PERIOD
    if name not in PERIODS:
        raise InvalidInput(
            f"period ต้องเป็น month, quarter หรือ year / period must be month, quarter or "
            f"year, not {period!r}",
            {"parameter": "period", "value": period},
        )
    return name


def period_index(day: dt.date, period: str) -> int:
    """A number per period, consecutive periods consecutive numbers.

    >>> q4, q3 = dt.date(2024, 11, 5), dt.date(2024, 9, 30)
    >>> period_index(q4, "quarter") - period_index(q3, "quarter")
    1
    """
    if period == "month":
        return day.year * 12 + day.month - 1
    if period == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def period_name(index: int, period: str) -> str:
    """The name of a period number: ``2024-11``, ``2024-Q4`` or ``2024``.

    >>> [period_name(period_index(dt.date(2024, 11, 5), p), p) for p in PERIODS]
    ['2024-11', '2024-Q4', '2024']
    """
    if period == "month":
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if period == "quarter":
        return f"{index // 4:04d}-Q{index % 4 + 1}"
    return f"{index:04d}"


def period_bounds(index: int, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period number.

    >>> period_bounds(period_index(dt.date(2024, 11, 5), "quarter"), "quarter")
    (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))
    >>> period_bounds(period_index(dt.date(2024, 2, 5), "month"), "month")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> period_bounds(-5, "year")  # before year 1: no day at all
    (datetime.date(9999, 12, 31), datetime.date(1, 1, 1))
    """
    first_index = period_index(dt.date.min, period)
    if index < first_index:  # before the calendar's first day: an empty interval
        return dt.date.max, dt.date.min
    if period == "year":
        return dt.date(index, 1, 1), dt.date(index, 12, 31)
    months = 1 if period == "month" else 3
    year, first_month = (
        (index // 12, index % 12 + 1) if months == 1 else (index // 4, index % 4 * 3 + 1)
    )
    start = dt.date(year, first_month, 1)
    after = first_month + months
    end = dt.date(year, 12, 31) if after > 12 else dt.date(year, after, 1) - dt.timedelta(days=1)
    return start, end


def day_of(value: Any) -> dt.date | None:
    """An ISO day from a property (``"2024-11-05"``, a datetime's first ten characters);
    None for anything else.

    >>> day_of("2024-11-05"), day_of("soon"), day_of(None)
    (datetime.date(2024, 11, 5), None, None)
    """
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def today_of(store: GraphStore, today: dt.date | None) -> dt.date:
    """``today`` when given, else the day of an as-of view (``store.history.as_of``, also
    under a public view), else the calendar's today."""
    if today is not None:
        return today
    current: object = store
    for _ in range(4):  # an as-of view, or a public view of one
        day = getattr(current, "day", None)
        if isinstance(day, dt.date):
            return day
        current = getattr(current, "store", None)
        if current is None:
            break
    return dt.date.today()


# -- reading the graph --------------------------------------------------------------------------


@dataclass
class _Entry:
    id: str
    journal: str
    day: dt.date
    rating: str | None
    follow_up: dt.date | None
    subjects: list[str] = field(default_factory=list)


@dataclass
class _OM:
    """The Outcome Mapping part of a graph as the reports read it."""

    markers: dict[str, Node]
    strategies: dict[str, Node]
    #: entries dated on or before today, by id
    entries: dict[str, _Entry]
    #: marker or strategy id -> its entries (dated on or before today), latest last
    entries_of: dict[str, list[_Entry]]
    #: partner id -> its markers
    markers_of: dict[str, list[str]]
    #: partner id -> the strategies AIMED_AT it
    strategies_of: dict[str, list[str]]
    #: contributor id -> the outcome entries it CONTRIBUTED to
    contributions: dict[str, list[str]]
    names: dict[str, str]


def _latest_key(entry: _Entry) -> tuple[dt.date, str]:
    return entry.day, entry.id


def read_om(store: GraphStore, today: dt.date) -> _OM:
    """Markers, strategies and journal entries (one subgraph read), then the MARKER_OF,
    AIMED_AT and CONTRIBUTED relationships and the names of the entities they name."""
    sub = store.subgraph(kinds=list(OM_KINDS), types=["RATES"])
    markers = {i: n for i, n in sub.nodes.items() if n.kind == "ProgressMarker"}
    strategies = {i: n for i, n in sub.nodes.items() if n.kind == "Strategy"}
    entries: dict[str, _Entry] = {}
    for i, n in sub.nodes.items():
        if n.kind != "JournalEntry":
            continue
        day = day_of(n.props.get("date"))
        if day is None or day > today:
            continue
        rating = n.props.get("rating")
        entries[i] = _Entry(
            i,
            str(n.props.get("journal") or ""),
            day,
            str(rating) if rating in RATINGS else None,
            day_of(n.props.get("follow_up")),
        )
    entries_of: dict[str, list[_Entry]] = {i: [] for i in (*markers, *strategies)}
    for e in sub.edges:
        entry = entries.get(e.source)
        if entry is not None and e.target in entries_of:
            entry.subjects.append(e.target)
            entries_of[e.target].append(entry)
    for found in entries_of.values():
        found.sort(key=_latest_key)
    markers_of: dict[str, list[str]] = {}
    for e in store.find_edges(type="MARKER_OF"):
        if e.source in markers:
            markers_of.setdefault(e.target, []).append(e.source)
    strategies_of: dict[str, list[str]] = {}
    for e in store.find_edges(type="AIMED_AT"):
        if e.source in strategies:
            strategies_of.setdefault(e.target, []).append(e.source)
    contributions: dict[str, list[str]] = {}
    for e in store.find_edges(type="CONTRIBUTED"):
        entry = entries.get(e.target)
        if entry is not None and entry.journal == "outcome":
            contributions.setdefault(e.source, []).append(e.target)
    others = set(markers_of) | set(strategies_of) | set(contributions)
    names = {i: n.name for i, n in sub.nodes.items() if n.kind != "JournalEntry"}
    names.update({i: n.name for i, n in store.get_nodes(sorted(others)).items()})
    return _OM(
        markers, strategies, entries, entries_of, markers_of, strategies_of, contributions, names
    )


def _stage_order(markers: dict[str, Node], ids: Iterable[str]) -> list[str]:
    """Markers by stage (expect, like, love, then any other), their ``order``, then id."""

    def key(i: str) -> tuple[int, float, str]:
        props = markers[i].props
        stage = props.get("stage")
        rank = STAGES.index(stage) if stage in STAGES else len(STAGES)
        try:
            order = float(props.get("order"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            order = float("inf")
        return rank, order, i

    return sorted(set(ids), key=key)


def _empty_table() -> dict[str, dict[str, int]]:
    return {stage: dict.fromkeys(RATINGS, 0) for stage in STAGES}


def _rating_in(entries: list[_Entry], first: dt.date, last: dt.date) -> str | None:
    """The latest rating among ``entries`` (latest last) dated within [first, last]."""
    for entry in reversed(entries):
        if first <= entry.day <= last and entry.journal == "outcome" and entry.rating:
            return entry.rating
    return None


# -- the reports ---------------------------------------------------------------------------------


def latest_entry(store: GraphStore) -> str | None:
    """The day (ISO) of the latest journal entry of any journal, or None: a page that
    shows nothing for the periods it shows says when the latest entry is."""
    days = [
        d
        for n in store.subgraph(kinds=["JournalEntry"]).nodes.values()
        if (d := day_of(n.props.get("date")))
    ]
    return max(days).isoformat() if days else None


def ladder(
    store: GraphStore,
    partner: str | None = None,
    period: str | None = DEFAULT_PERIOD,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The progress ladder (CONTRACT.md 2d ``om ladder``, question K12)::

        {"period", "as_of", "current", "previous", "periods": [names, oldest first],
         "partners": [{"id", "name",
                       "current": {stage: {rating: count}}, "previous": {...},
                       "unrated": {"current": n, "previous": n},
                       "markers": [{"id", "name", "stage", "order",
                                    "ratings": {period: rating or null}}]}]}

    Every stage and every rating is a key (0 when none), so the tables are regular;
    ``periods`` are the last four periods up to the current one (the ladder page's
    columns), ``ratings`` each marker's latest rating in each of them. Partners by id;
    markers by stage, ``order``, id. ``partner``: only that one (an id no entity has is
    ``NotFound``, an entity no marker is MARKER_OF is ``InvalidInput``)."""
    period = check_period(period)
    day = today_of(store, today)
    om = read_om(store, day)
    current = period_index(day, period)
    columns = list(range(current - LADDER_COLUMNS + 1, current + 1))
    bounds = {k: period_bounds(k, period) for k in columns}
    partners = sorted(om.markers_of)
    partner = (partner or "").strip() or None
    if partner is not None:
        if partner not in om.markers_of:
            if not store.get_nodes([partner]):
                raise NotFound(
                    f"ไม่มีหน่วยที่มีรหัส {partner!r} / no entity has the id {partner!r}",
                    {"partner": partner},
                )
            raise InvalidInput(
                f"{partner!r} ไม่ใช่ภาคีหุ้นส่วนที่มีเครื่องหมายความก้าวหน้า / {partner!r} is "
                "not a boundary partner: no progress marker is MARKER_OF it",
                {"partner": partner},
            )
        partners = [partner]
    rows = []
    for p in partners:
        tables = {"current": _empty_table(), "previous": _empty_table()}
        unrated = {"current": 0, "previous": 0}
        markers = []
        for m in _stage_order(om.markers, om.markers_of[p]):
            props = om.markers[m].props
            ratings = {
                period_name(k, period): _rating_in(om.entries_of[m], *bounds[k]) for k in columns
            }
            for which, k in (("current", current), ("previous", current - 1)):
                rating = ratings[period_name(k, period)]
                stage = props.get("stage")
                if rating is None:
                    unrated[which] += 1
                elif stage in STAGES:
                    tables[which][str(stage)][rating] += 1
            markers.append(
                {
                    "id": m,
                    "name": om.markers[m].name,
                    "stage": props.get("stage"),
                    "order": props.get("order"),
                    "ratings": ratings,
                }
            )
        rows.append(
            {
                "id": p,
                "name": om.names.get(p, ""),
                "current": tables["current"],
                "previous": tables["previous"],
                "unrated": unrated,
                "markers": markers,
            }
        )
    return {
        "period": period,
        "as_of": day.isoformat(),
        "current": period_name(current, period),
        "previous": period_name(current - 1, period),
        "periods": [period_name(k, period) for k in columns],
        "partners": rows,
    }


def check_count(value: Any, name: str) -> int:
    """A whole number of at least 1 (``--periods``); anything else ``InvalidInput``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if number < 1 or isinstance(value, bool):
        raise InvalidInput(
            f"{name} ต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป / {name} must be a whole number of at "
            f"least 1, not {value!r}",
            {"parameter": name, "value": value},
        )
    return number


def _overdue(om: _OM, day: dt.date) -> list[dict[str, Any]]:
    """The follow-ups past due (module docstring), by follow-up day then strategy id."""
    overdue = []
    for s in sorted(om.strategies):
        own = [e for e in om.entries_of[s] if e.journal == "strategy"]
        if not own or own[-1].follow_up is None:
            continue
        due = own[-1].follow_up
        if due < day and not any(e.day >= due for e in own):
            overdue.append(
                {
                    "strategy": s,
                    "follow_up": due.isoformat(),
                    "name": om.names.get(s, ""),
                    "last_entry": own[-1].day.isoformat(),
                    "days": (day - due).days,
                }
            )
    overdue.sort(key=lambda o: (o["follow_up"], o["strategy"]))
    return overdue


def silent(
    store: GraphStore,
    periods: int = DEFAULT_SILENT_PERIODS,
    period: str | None = DEFAULT_PERIOD,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Markers and strategies gone silent, and follow-ups past due (CONTRACT.md 2d ``om
    silent``, questions K13 and K15)::

        {"period", "periods", "as_of", "since", "markers": [ids], "strategies": [ids],
         "overdue": [{"strategy", "follow_up", "name", "last_entry", "days"}],
         "upcoming": [{"strategy", "follow_up", "days"}],
         "last_entry": {id: day or null}, "names": {id: name}}

    ``since`` is the first day of the oldest of the N periods looked at; ``last_entry``
    each silent marker's and strategy's latest entry before that (null: never);
    ``days`` how many days the follow-up is past due; ``upcoming`` the follow-ups not yet
    due (each strategy's latest strategy entry's ``follow_up``, on or after today), the
    soonest first, ``days`` how many days until then (question K15: "when is the next
    follow-up due"). Ids sorted; ``overdue`` by
    follow-up day, then strategy id."""
    period = check_period(period)
    n = check_count(periods, "periods")
    day = today_of(store, today)
    om = read_om(store, day)
    current = period_index(day, period)
    oldest = max(current - n + 1, period_index(dt.date.min, period))
    since = period_bounds(oldest, period)[0]

    def quiet(ids: Iterable[str]) -> list[str]:
        return sorted(i for i in ids if not any(e.day >= since for e in om.entries_of[i]))

    markers, strategies = quiet(om.markers), quiet(om.strategies)
    overdue = _overdue(om, day)
    late = {o["strategy"] for o in overdue}
    upcoming = []  # question K15: when is the next follow-up due
    for s in sorted(om.strategies):
        own = [e for e in om.entries_of[s] if e.journal == "strategy"]
        if own and own[-1].follow_up is not None and s not in late and own[-1].follow_up >= day:
            due = own[-1].follow_up
            upcoming.append({"strategy": s, "follow_up": due.isoformat(), "days": (due - day).days})
    upcoming.sort(key=lambda o: (o["follow_up"], o["strategy"]))
    last = {
        i: (om.entries_of[i][-1].day.isoformat() if om.entries_of[i] else None)
        for i in (*markers, *strategies)
    }
    shown = {*markers, *strategies, *late, *(o["strategy"] for o in upcoming)}
    return {
        "period": period,
        "periods": n,
        "as_of": day.isoformat(),
        "since": since.isoformat(),
        "markers": markers,
        "strategies": strategies,
        "overdue": overdue,
        "upcoming": upcoming,
        "last_entry": last,
        "names": {i: om.names.get(i, "") for i in sorted(shown)},
    }


def contributors(store: GraphStore, today: dt.date | None = None) -> dict[str, Any]:
    """The entities outcome journals name as contributors (CONTRACT.md 2d ``om
    contributors``, question K14)::

        {"as_of", "contributors": [{"id", "name", "mentions", "markers": [ids]}]}

    most mentioned first, ties by id; ``markers`` sorted."""
    day = today_of(store, today)
    om = read_om(store, day)
    rows: list[dict[str, Any]] = []
    for c, entry_ids in om.contributions.items():
        marked = {m for i in set(entry_ids) for m in om.entries[i].subjects if m in om.markers}
        rows.append(
            {
                "id": c,
                "name": om.names.get(c, ""),
                "mentions": len(set(entry_ids)),
                "markers": sorted(marked),
            }
        )
    rows.sort(key=lambda r: (-r["mentions"], r["id"]))
    return {"as_of": day.isoformat(), "contributors": rows}


def strategy_map(store: GraphStore, today: dt.date | None = None) -> dict[str, Any]:
    """The strategy map per partner (the page ``/om/strategies``)::

        {"as_of", "cells": [I-1 … E-3],
         "partners": [{"id", "name", "cells": {cell: [{"id", "name", "entries"}]}}],
         "unaimed": {cell: [...]}, "overdue": [{"strategy", "follow_up", …}]}

    ``entries`` counts the strategy's strategy-journal entries up to today; every cell is
    a key (an empty list when no strategy sits in it); a strategy AIMED_AT nobody sits
    under ``unaimed``; ``overdue`` the follow-ups past due, as :func:`silent` gives them.
    Partners are the entities strategies are AIMED_AT, by id."""
    day = today_of(store, today)
    om = read_om(store, day)

    def cells(ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {c: [] for c in STRATEGY_CELLS}
        for s in sorted(set(ids)):
            cell = str(om.strategies[s].props.get("cell", ""))
            if cell in out:
                out[cell].append(
                    {
                        "id": s,
                        "name": om.strategies[s].name,
                        "entries": sum(e.journal == "strategy" for e in om.entries_of[s]),
                    }
                )
        return out

    aimed = {s for ids in om.strategies_of.values() for s in ids}
    return {
        "as_of": day.isoformat(),
        "cells": list(STRATEGY_CELLS),
        "partners": [
            {"id": p, "name": om.names.get(p, ""), "cells": cells(om.strategies_of[p])}
            for p in sorted(om.strategies_of)
        ],
        "unaimed": cells(s for s in om.strategies if s not in aimed),
        "overdue": _overdue(om, day),
    }

"""Outcome Mapping reports on both stores (CONTRACT.md 2d, issue 15, questions K12 to K15):
the ladder per partner and period, markers and strategies gone silent, overdue follow-ups
and contributors ranked, on a hand-made graph whose answers are counted by hand below.

Today is 31 December 2024 (2024-Q4; the previous quarter is 2024-Q3, Jul–Sep).

Partner ``net-hw`` (a network) has six markers; partner ``org-u`` one; ``pm-orphan`` is
MARKER_OF nobody. Outcome entries (date rating; contributors):

============ ====== =====================================================================
marker       stage  entries
============ ====== =====================================================================
pm-e1        expect 2024-05-10 low (org-b); 2024-08-10 medium; 2024-10-05 medium
                    (p-somchai); 2024-11-20 high (p-somchai)  → Q4 high, Q3 medium, Q2 low
pm-e2        expect 2024-09-01 high (org-u); 2024-12-01 high   → Q4 high, Q3 high
pm-l1        like   2024-07-15 low; 2024-10-20 medium (p-somchai) → Q4 medium, Q3 low
pm-l2        like   2024-06-01 low (org-b)                     → Q2 low only
pm-v1        love   2024-12-15 low (org-u); 2025-01-10 high (p-future: after today,
                    ignored)                                    → Q4 low
pm-v2        love   none
pm-u1        expect (org-u's) oj-u1-a and oj-u1-b both 2024-11-01, low and high: the same
                    day, so the id that sorts last wins         → Q4 high
pm-orphan    like   none (no partner)
============ ====== =====================================================================

So net-hw in 2024-Q4: expect high 2; like medium 1; love low 1; unrated 2 (pm-l2,
pm-v2). In 2024-Q3: expect medium 1, high 1; like low 1; love nothing; unrated 3 (pm-l2,
pm-v1, pm-v2).

Strategies (cell, aimed at; strategy-journal entries with their follow-up):

- st-1 I-1 net-hw: 2024-08-01 (follow-up 2024-09-15), 2024-10-01 (follow-up 2024-11-30):
  the latest follow-up is past, nothing since: overdue, 31 days.
- st-2 E-2 net-hw: 2024-10-10 (follow-up 2025-01-15): not due yet.
- st-5 I-2 net-hw: 2024-12-01 (follow-up 2024-12-31, today): not overdue (due today).
- st-3 I-3 org-u: 2024-03-01 (follow-up 2024-04-01): overdue, 274 days; silent.
- st-4 E-1 org-u: 2024-06-01 (follow-up 2024-07-01), 2024-07-05 (no follow-up): the
  latest entry came after the follow-up: not overdue.
- st-6 E-3 aimed at nobody, no entry: silent.

Silent in the last two quarters (since 2024-07-01): markers pm-l2, pm-orphan, pm-v2;
strategies st-3, st-6.

Contributors: p-somchai 3 entries (pm-e1 twice, pm-l1); org-b 2 (pm-e1, pm-l2); org-u 2
(pm-e2, pm-v1); p-future only after today and p-strat only to a strategy entry: not
counted. Ties by id: org-b before org-u.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from graph_service.analysis.om import contributors, ladder, silent, strategy_map
from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.history import as_of
from tests.factories import network, organisation, person

TODAY = dt.date(2024, 12, 31)
RECORDED = "2024-01-01"


def marker(id_: str, stage: str, order: int) -> Node:
    return Node(id_, "ProgressMarker", {"name": f"เครื่องหมาย {id_}", "stage": stage, "order": order})


def outcome(id_: str, day: str, rating: str) -> Node:
    return Node(id_, "JournalEntry", {"journal": "outcome", "date": day, "rating": rating})


def strategy(id_: str, cell: str) -> Node:
    return Node(id_, "Strategy", {"name": f"กลยุทธ์ {id_}", "cell": cell})


def sj(id_: str, day: str, follow_up: str | None = None) -> Node:
    props: dict[str, Any] = {"journal": "strategy", "date": day}
    if follow_up:
        props["follow_up"] = follow_up
    return Node(id_, "JournalEntry", props)


def om_graph() -> tuple[list[Node], list[Edge]]:
    """The graph of the module's docstring."""
    nodes = [
        network("net-hw", "เครือข่ายผู้ทำงานที่บ้าน"),
        organisation("org-u", "คณะสาธารณสุขศาสตร์"),
        organisation("org-b", "สำนักโรคจากการประกอบอาชีพ"),
        person("p-somchai", "นาย สมชาย"),
        person("p-future", "นาง อนาคต"),
        person("p-strat", "นาง กลยุทธ์"),
        marker("pm-e1", "expect", 1),
        marker("pm-e2", "expect", 2),
        marker("pm-l1", "like", 1),
        marker("pm-l2", "like", 2),
        marker("pm-v1", "love", 1),
        marker("pm-v2", "love", 2),
        marker("pm-u1", "expect", 1),
        marker("pm-orphan", "like", 1),
        outcome("oj-e1-0510", "2024-05-10", "low"),
        outcome("oj-e1-0810", "2024-08-10", "medium"),
        outcome("oj-e1-1005", "2024-10-05", "medium"),
        outcome("oj-e1-1120", "2024-11-20", "high"),
        outcome("oj-e2-0901", "2024-09-01", "high"),
        outcome("oj-e2-1201", "2024-12-01", "high"),
        outcome("oj-l1-0715", "2024-07-15", "low"),
        outcome("oj-l1-1020", "2024-10-20", "medium"),
        outcome("oj-l2-0601", "2024-06-01", "low"),
        outcome("oj-v1-1215", "2024-12-15", "low"),
        outcome("oj-v1-2025", "2025-01-10", "high"),
        outcome("oj-u1-a", "2024-11-01", "low"),
        outcome("oj-u1-b", "2024-11-01", "high"),
        strategy("st-1", "I-1"),
        strategy("st-2", "E-2"),
        strategy("st-3", "I-3"),
        strategy("st-4", "E-1"),
        strategy("st-5", "I-2"),
        strategy("st-6", "E-3"),
        sj("sj-1-0801", "2024-08-01", "2024-09-15"),
        sj("sj-1-1001", "2024-10-01", "2024-11-30"),
        sj("sj-2-1010", "2024-10-10", "2025-01-15"),
        sj("sj-3-0301", "2024-03-01", "2024-04-01"),
        sj("sj-4-0601", "2024-06-01", "2024-07-01"),
        sj("sj-4-0705", "2024-07-05"),
        sj("sj-5-1201", "2024-12-01", "2024-12-31"),
    ]
    edges = [
        *(
            Edge(m, "MARKER_OF", "net-hw")
            for m in ("pm-e1", "pm-e2", "pm-l1", "pm-l2", "pm-v1", "pm-v2")
        ),
        Edge("pm-u1", "MARKER_OF", "org-u"),
        *(Edge(n.id, "RATES", "pm-" + n.id.split("-")[1]) for n in nodes if n.id.startswith("oj-")),
        *(Edge(s, "AIMED_AT", "net-hw") for s in ("st-1", "st-2", "st-5")),
        *(Edge(s, "AIMED_AT", "org-u") for s in ("st-3", "st-4")),
        *(Edge(n.id, "RATES", "st-" + n.id.split("-")[1]) for n in nodes if n.id.startswith("sj-")),
        Edge("org-b", "CONTRIBUTED", "oj-e1-0510"),
        Edge("p-somchai", "CONTRIBUTED", "oj-e1-1005"),
        Edge("p-somchai", "CONTRIBUTED", "oj-e1-1120"),
        Edge("org-u", "CONTRIBUTED", "oj-e2-0901"),
        Edge("p-somchai", "CONTRIBUTED", "oj-l1-1020"),
        Edge("org-b", "CONTRIBUTED", "oj-l2-0601"),
        Edge("org-u", "CONTRIBUTED", "oj-v1-1215"),
        Edge("p-future", "CONTRIBUTED", "oj-v1-2025"),
        Edge("p-strat", "CONTRIBUTED", "sj-1-1001"),
    ]
    return nodes, edges


def write_om(store: GraphStore) -> GraphStore:
    store.write(*om_graph(), at=RECORDED)
    return store


def table(**cells: dict[str, int]) -> dict[str, dict[str, int]]:
    """A stage × rating table, every key there, 0 unless given."""
    out = {s: {"low": 0, "medium": 0, "high": 0} for s in ("expect", "like", "love")}
    for stage, counts in cells.items():
        out[stage].update(counts)
    return out


def test_the_graph_rates_what_the_docstring_says() -> None:
    nodes, edges = om_graph()
    rates = {e.source: e.target for e in edges if e.type == "RATES"}
    assert rates["oj-e1-0510"] == "pm-e1" and rates["oj-u1-b"] == "pm-u1"
    assert rates["sj-4-0705"] == "st-4" and len(rates) == 20


def test_the_ladder_counted_by_hand(store: GraphStore) -> None:
    write_om(store)
    doc = ladder(store, today=TODAY)
    assert (doc["period"], doc["current"], doc["previous"]) == ("quarter", "2024-Q4", "2024-Q3")
    assert doc["as_of"] == "2024-12-31"
    assert doc["periods"] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert [p["id"] for p in doc["partners"]] == ["net-hw", "org-u"]
    hw, u = doc["partners"]
    assert hw["name"] == "เครือข่ายผู้ทำงานที่บ้าน"
    assert hw["current"] == table(expect={"high": 2}, like={"medium": 1}, love={"low": 1})
    assert hw["previous"] == table(expect={"medium": 1, "high": 1}, like={"low": 1})
    assert hw["unrated"] == {"current": 2, "previous": 3}
    # markers by stage, then order
    assert [m["id"] for m in hw["markers"]] == [
        "pm-e1",
        "pm-e2",
        "pm-l1",
        "pm-l2",
        "pm-v1",
        "pm-v2",
    ]
    ratings = {m["id"]: m["ratings"] for m in hw["markers"]}
    assert ratings["pm-e1"] == {
        "2024-Q1": None,
        "2024-Q2": "low",
        "2024-Q3": "medium",
        "2024-Q4": "high",  # medium on 5 Oct, high on 20 Nov: the latest wins
    }
    assert ratings["pm-l2"] == {"2024-Q1": None, "2024-Q2": "low", "2024-Q3": None, "2024-Q4": None}
    assert ratings["pm-v1"]["2024-Q4"] == "low"  # the high of 2025 is after today
    assert ratings["pm-v2"] == dict.fromkeys(doc["periods"])
    # the same day twice: the id that sorts last (oj-u1-b, high) wins
    assert u["current"] == table(expect={"high": 1}) and u["previous"] == table()
    assert u["unrated"] == {"current": 0, "previous": 1}


def test_the_ladder_by_month_year_partner_and_an_earlier_today(store: GraphStore) -> None:
    write_om(store)
    month = ladder(store, "net-hw", "month", TODAY)
    assert (month["current"], month["previous"]) == ("2024-12", "2024-11")
    assert month["periods"] == ["2024-09", "2024-10", "2024-11", "2024-12"]
    (hw,) = month["partners"]
    assert hw["current"] == table(expect={"high": 1}, love={"low": 1})  # pm-e2, pm-v1
    assert hw["previous"] == table(expect={"high": 1})  # pm-e1 on 20 Nov
    year = ladder(store, "net-hw", "year", TODAY)
    assert (year["current"], year["previous"]) == ("2024", "2023")
    assert year["partners"][0]["current"] == table(
        expect={"high": 2}, like={"medium": 1, "low": 1}, love={"low": 1}
    )
    assert year["partners"][0]["previous"] == table()
    # as of 30 September: Q3 against Q2
    then = ladder(store, today=dt.date(2024, 9, 30))
    assert (then["current"], then["previous"]) == ("2024-Q3", "2024-Q2")
    assert then["partners"][0]["current"] == table(expect={"medium": 1, "high": 1}, like={"low": 1})
    assert then["partners"][0]["previous"] == table(expect={"low": 1}, like={"low": 1})
    assert [p["id"] for p in ladder(store, "org-u", today=TODAY)["partners"]] == ["org-u"]


def test_the_as_of_view_is_today(store: GraphStore) -> None:
    write_om(store)
    view = as_of(store, dt.date(2024, 9, 30))
    assert ladder(view) == ladder(store, today=dt.date(2024, 9, 30))
    assert silent(view) == silent(store, today=dt.date(2024, 9, 30))
    assert contributors(view) == contributors(store, today=dt.date(2024, 9, 30))
    # nothing was recorded before RECORDED: no partner at all
    assert ladder(as_of(store, dt.date(2023, 12, 31)))["partners"] == []


def test_wrong_input_is_refused_with_a_clear_message(store: GraphStore) -> None:
    write_om(store)
    with pytest.raises(NotFound, match="no entity has the id 'nobody'"):
        ladder(store, "nobody", today=TODAY)
    with pytest.raises(InvalidInput, match="not a boundary partner"):
        ladder(store, "p-somchai", today=TODAY)
    with pytest.raises(InvalidInput, match="period must be month, quarter or year"):
        ladder(store, period="week", today=TODAY)
    with pytest.raises(InvalidInput, match="periods must be a whole number"):
        silent(store, periods=0, today=TODAY)
    # a blank partner is no filter; more periods than the calendar holds go back to its start
    assert [p["id"] for p in ladder(store, "  ", today=TODAY)["partners"]] == ["net-hw", "org-u"]
    ever = silent(store, periods=100_000, today=TODAY)
    assert ever["since"] == "0001-01-01"
    assert ever["markers"] == ["pm-orphan", "pm-v2"] and ever["strategies"] == ["st-6"]


def test_silent_markers_and_strategies_and_overdue_follow_ups(store: GraphStore) -> None:
    write_om(store)
    doc = silent(store, today=TODAY)
    assert doc["since"] == "2024-07-01" and doc["periods"] == 2
    assert doc["markers"] == ["pm-l2", "pm-orphan", "pm-v2"]
    assert doc["strategies"] == ["st-3", "st-6"]
    assert [(o["strategy"], o["follow_up"]) for o in doc["overdue"]] == [
        ("st-3", "2024-04-01"),
        ("st-1", "2024-11-30"),
    ]
    assert [o["days"] for o in doc["overdue"]] == [274, 31]
    assert doc["last_entry"] == {
        "pm-l2": "2024-06-01",
        "pm-orphan": None,
        "pm-v2": None,
        "st-3": "2024-03-01",
        "st-6": None,
    }
    # one quarter back (since 1 October): the same markers; st-4 (5 July) is silent too
    one = silent(store, periods=1, today=TODAY)
    assert one["markers"] == ["pm-l2", "pm-orphan", "pm-v2"]
    assert one["strategies"] == ["st-3", "st-4", "st-6"]
    # three quarters back (since 1 April): pm-l2 (1 June) speaks; st-3 (1 March) does not
    three = silent(store, periods=3, today=TODAY)
    assert three["markers"] == ["pm-orphan", "pm-v2"] and three["strategies"] == ["st-3", "st-6"]
    # on 1 December st-1's follow-up (30 November) is past already; st-5's is not yet written
    early = silent(store, today=dt.date(2024, 12, 1))
    assert [o["strategy"] for o in early["overdue"]] == ["st-3", "st-1"]
    # on 20 September st-1's latest entry is 1 August, its follow-up 15 September: overdue
    sept = silent(store, today=dt.date(2024, 9, 20))
    assert [(o["strategy"], o["follow_up"]) for o in sept["overdue"]] == [
        ("st-3", "2024-04-01"),
        ("st-1", "2024-09-15"),
    ]


def test_contributors_ranked(store: GraphStore) -> None:
    write_om(store)
    doc = contributors(store, today=TODAY)
    assert [(c["id"], c["mentions"], c["markers"]) for c in doc["contributors"]] == [
        ("p-somchai", 3, ["pm-e1", "pm-l1"]),
        ("org-b", 2, ["pm-e1", "pm-l2"]),
        ("org-u", 2, ["pm-e2", "pm-v1"]),
    ]
    assert doc["contributors"][0]["name"] == "นาย สมชาย"
    # after 2025-01-10, p-future's entry counts
    later = contributors(store, today=dt.date(2025, 6, 30))
    assert ("p-future", 1, ["pm-v1"]) in [
        (c["id"], c["mentions"], c["markers"]) for c in later["contributors"]
    ]


def test_the_strategy_map(store: GraphStore) -> None:
    write_om(store)
    doc = strategy_map(store, today=TODAY)
    assert [p["id"] for p in doc["partners"]] == ["net-hw", "org-u"]
    hw = doc["partners"][0]["cells"]
    assert {c: [(s["id"], s["entries"]) for s in hw[c]] for c in hw} == {
        "I-1": [("st-1", 2)],
        "I-2": [("st-5", 1)],
        "I-3": [],
        "E-1": [],
        "E-2": [("st-2", 1)],
        "E-3": [],
    }
    u = doc["partners"][1]["cells"]
    assert [(s["id"], s["entries"]) for s in u["E-1"]] == [("st-4", 2)]
    assert [s["id"] for s in doc["unaimed"]["E-3"]] == ["st-6"]
    assert [o["strategy"] for o in doc["overdue"]] == ["st-3", "st-1"]


def write_sheets(folder: Path) -> None:
    """A tiny dataset as people fill in the templates (CONTRACT.md 1b): ratings as words,
    letters and Thai, dates in พ.ศ. and ISO.

    net-a has three markers: pm-1 (expect) rated L on 10/8/2567 (Q3) and มาก on 1/11/2567
    (Q4); pm-2 (like) rated medium on 2024-12-20 (Q4); pm-3 (love) never. st-1 (I-2,
    aimed at net-a) has one entry on 2024-09-01 with its follow-up on 1/10/2567 (past,
    nothing since: overdue as of 31 December 2024). p-1 contributed to both entries of
    pm-1, o-1 to pm-2's."""
    sheets = {
        "networks.csv": "id,name\nnet-a,เครือข่ายผู้ทำงานที่บ้านภาคเหนือ\n",
        "organisations.csv": "id,name\no-1,มหาวิทยาลัย\n",
        "people.csv": "id,name\np-1,นางสาว สมศรี\n",
        "progress_markers.csv": "id,partner_id,stage,text,order\n"
        "pm-1,net-a,expect,เข้าร่วมประชุมสม่ำเสมอ,1\n"
        "pm-2,net-a,like to see,จัดเวทีเอง,1\n"
        "pm-3,net-a,love,ผลักดันนโยบาย,1\n",
        "outcome_journal.csv": "date,marker_id,rating,contributors\n"
        "10/8/2567,pm-1,L,p-1\n"
        "1/11/2567,pm-1,มาก,p-1\n"
        "2024-12-20,pm-2,medium,o-1\n",
        "strategies.csv": "id,cell,text,partner_id\nst-1,I-2,ชวนคุยกับผู้บริหาร,net-a\n",
        "strategy_journal.csv": "date,strategy_id,activities,follow_up\n"
        "2024-09-01,st-1,ประชุม,1/10/2567\n",
    }
    for name, text in sheets.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_the_reports_read_an_imported_dataset(store: GraphStore, tmp_path: Path) -> None:
    from importers.load import import_dataset

    write_sheets(tmp_path)
    report = import_dataset(store, tmp_path)
    assert not report.problems, report.problems
    doc = ladder(store, today=TODAY)
    (row,) = doc["partners"]
    assert row["id"] == "net-a"
    assert row["current"] == table(expect={"high": 1}, like={"medium": 1})
    assert row["previous"] == table(expect={"low": 1})
    assert row["unrated"] == {"current": 1, "previous": 2}
    quiet = silent(store, today=TODAY)
    assert quiet["markers"] == ["pm-3"] and quiet["strategies"] == []
    assert [(o["strategy"], o["follow_up"]) for o in quiet["overdue"]] == [("st-1", "2024-10-01")]
    named = contributors(store, today=TODAY)["contributors"]
    assert [(c["id"], c["mentions"], c["markers"]) for c in named] == [
        ("p-1", 2, ["pm-1"]),
        ("o-1", 1, ["pm-2"]),
    ]

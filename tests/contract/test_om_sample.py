"""The bundled Outcome Mapping and meetings sample (graph_service/data/samples/informal-workers-om,
issue 15) and the template's meetings and Outcome Mapping sheets, on both stores.

The counts are those of the sample's CSV files, counted by hand (its README lists them); the
planted facts (who keeps missing, which agency comes only through a person, the silent
markers, the overdue follow-up, the top contributor) are read straight from the graph, with
no report in between, so that the reports' own tests can rely on them.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl

from graph_service.domain import Edge, Node, Subgraph
from graph_service.store.base import GraphStore
from importers.load import import_dataset
from importers.template import sheet_name, template_bytes
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "informal-workers-om"

KINDS = {
    "Area": 8,
    "Event": 12,
    "JournalEntry": 73,  # outcome 43, strategy 25, performance 5
    "Network": 8,
    "Organisation": 10,
    "OutcomeChallenge": 3,
    "Person": 9,
    "Practice": 8,
    "Programme": 1,
    "ProgressMarker": 16,
    "Strategy": 14,
}
TYPES = {
    "AIMED_AT": 14,  # strategies.csv, one partner each
    "ATTENDED": 71,  # attendance.csv: 6 meetings x 8 members, 23 rows at the other events
    "CHALLENGE_OF": 3,
    "CONTRIBUTED": 66,  # the ids in outcome_journal.csv's contributors
    "COORDINATES": 2,
    "FUNDS": 1,  # programmes.csv funder_id
    # area_id: 6 organisations, 8 networks, 8 people, 12 events
    "LOCATED_IN": 34,
    "MARKER_OF": 16,
    "MEETING_OF": 6,
    "MEMBER_OF": 18,
    "ORGANISES": 12,
    "PARTNERS_WITH": 4,
    # 7 areas' parent_id, 4 rows of relationships.csv, 3 challenges, 16 markers,
    # 14 strategies, 8 practices
    "PART_OF": 52,
    "RATES": 73,
    "SUPPORTS": 2,
    "WORKS_FOR": 5,
}
MEETINGS = [f"ev-sc-2567-{i}" for i in range(1, 7)]
YEAR_END = "2024-12-31"


def load(store: GraphStore) -> Subgraph:
    report = import_dataset(store, SAMPLE)
    assert report.problems == []
    return store.subgraph()


def edges(graph: Subgraph, type_: str) -> list[Edge]:
    return [e for e in graph.edges if e.type == type_]


def journal(graph: Subgraph, name: str) -> list[Node]:
    return [
        n for n in graph.nodes.values() if n.kind == "JournalEntry" and n.props["journal"] == name
    ]


def rated(graph: Subgraph) -> dict[str, str]:
    """journal entry -> the marker, strategy or practice it rates."""
    return {e.source: e.target for e in edges(graph, "RATES")}


def test_the_sample_imports_with_its_counts(store: GraphStore) -> None:
    report = import_dataset(store, SAMPLE)
    assert (report.entities, report.relationships, report.problems) == (162, 379, [])
    stats = store.stats()
    assert stats.nodes == KINDS
    assert stats.relationships == TYPES
    graph = store.subgraph()
    assert Counter(
        n.props["journal"] for n in graph.nodes.values() if n.kind == "JournalEntry"
    ) == {
        "outcome": 43,
        "strategy": 25,
        "performance": 5,
    }
    # importing it again changes nothing
    again = import_dataset(store, SAMPLE)
    assert (again.written.nodes_created, again.written.nodes_updated) == (0, 0)
    assert store.stats().relationships == TYPES


def test_the_steering_committee_and_who_keeps_missing(store: GraphStore) -> None:
    graph = load(store)
    meetings = sorted(e.source for e in edges(graph, "MEETING_OF") if e.target == "net-steering")
    assert meetings == MEETINGS
    dates = [graph.nodes[m].props["date"] for m in MEETINGS]
    assert dates == [
        "2024-01-18",
        "2024-03-14",
        "2024-05-16",
        "2024-09-19",
        "2024-11-14",
        "2024-12-19",
    ]
    assert {graph.nodes[m].props["event_kind"] for m in MEETINGS} == {"meeting"}
    status: dict[str, dict[str, str]] = defaultdict(dict)
    capacity: dict[str, set[str]] = defaultdict(set)
    for e in edges(graph, "ATTENDED"):
        if e.target in MEETINGS:
            status[e.source][e.target] = e.props["status"]
            capacity[e.source].add(e.props["capacity"])
    # eight members, each listed at every meeting
    assert sorted(status) == [
        "org-bod",
        "org-labour-cm",
        "org-nursing-cmu",
        "org-ppho-cm",
        "org-sso-cm",
        "person-network-coordinator",
        "person-programme-manager",
        "person-pso-officer",
    ]
    assert all(len(by_meeting) == 6 for by_meeting in status.values())
    # org-sso-cm misses 3 of the last 4 meetings (2 of the last 3); nobody else more than 1
    assert [status["org-sso-cm"][m] for m in MEETINGS[-4:]] == [
        "absent",
        "absent",
        "attended",
        "absent",
    ]
    missed_last_4 = {a: sum(s[m] == "absent" for m in MEETINGS[-4:]) for a, s in status.items()}
    assert {a: n for a, n in missed_last_4.items() if n > 1} == {"org-sso-cm": 3}
    attended = {a: sum(v == "attended" for v in s.values()) for a, s in status.items()}
    assert attended == {
        "person-programme-manager": 6,
        "person-network-coordinator": 6,
        "org-nursing-cmu": 5,
        "person-pso-officer": 5,
        "org-bod": 4,
        "org-labour-cm": 4,
        "org-ppho-cm": 4,
        "org-sso-cm": 3,
    }
    invited = {(a, m) for a, s in status.items() for m, v in s.items() if v == "invited"}
    assert invited == {("org-labour-cm", "ev-sc-2567-1"), ("org-ppho-cm", "ev-sc-2567-2")}
    # people in a personal capacity, agencies in an institutional one
    assert {a: sorted(c) for a, c in capacity.items() if a.startswith("person-")} == {
        "person-network-coordinator": ["personal"],
        "person-programme-manager": ["personal"],
        "person-pso-officer": ["personal"],
    }
    # the provincial social development office never attends; its officer does, personally
    assert "org-pso-cm" not in status
    assert not [e for e in edges(graph, "ATTENDED") if e.source == "org-pso-cm"]
    works_for = {e.source: e.target for e in edges(graph, "WORKS_FOR")}
    assert works_for["person-pso-officer"] == "org-pso-cm"
    # every other agency whose staff attend also attends in its own name
    staff_agencies = {works_for[a] for a in status if a in works_for}
    assert staff_agencies == {"org-pso-cm", "org-nursing-cmu"}
    assert "institutional" in capacity["org-nursing-cmu"]
    # one gap longer than 3 months: 2024-05-16 to 2024-09-19
    from datetime import date

    days = [
        (date.fromisoformat(b) - date.fromisoformat(a)).days
        for a, b in zip(dates, dates[1:], strict=False)
    ]
    assert days == [56, 63, 126, 56, 35]
    # the manager and the coordinator attended the same six meetings, the only such pair
    went: dict[str, set[str]] = defaultdict(set)
    for e in edges(graph, "ATTENDED"):
        if e.props["status"] == "attended":
            went[e.source].add(e.target)
    shared = Counter(
        {
            (a, b): len(went[a] & went[b])
            for a in went
            for b in went
            if a < b and len(went[a] & went[b]) > 0
        }
    )
    assert sorted(pair for pair, n in shared.items() if n == 6) == [
        ("person-network-coordinator", "person-programme-manager")
    ]
    assert sorted(pair for pair, n in shared.items() if n == 5) == [
        ("org-nursing-cmu", "person-network-coordinator"),
        ("org-nursing-cmu", "person-programme-manager"),
        ("person-network-coordinator", "person-pso-officer"),
        ("person-programme-manager", "person-pso-officer"),
    ]


def test_the_visiting_team_reached_three_districts(store: GraphStore) -> None:
    graph = load(store)
    visits = sorted(e.target for e in edges(graph, "ORGANISES") if e.source == "net-visit-team")
    assert [graph.nodes[v].props["event_kind"] for v in visits] == ["visit"] * 4
    place = {e.source: e.target for e in edges(graph, "LOCATED_IN")}
    reached = {place[v] for v in visits}
    assert reached == {"area-san-kamphaeng", "area-saraphi", "area-hang-dong"}
    groups = {
        n.id: place[n.id]
        for n in graph.nodes.values()
        if n.kind == "Network" and "home_workers" in n.props.get("tags", [])
    }
    assert sorted(g for g, area in groups.items() if area not in reached) == [
        "net-hw-doi-saket",
        "net-hw-san-pa-tong",
    ]


def test_the_partners_markers_and_strategy_maps(store: GraphStore) -> None:
    graph = load(store)
    partner = {e.source: e.target for e in edges(graph, "MARKER_OF")}
    ladder = Counter((partner[m], graph.nodes[m].props["stage"]) for m in partner)
    assert ladder == {
        ("net-homeworkers-north", "expect"): 3,
        ("net-homeworkers-north", "like"): 2,
        ("net-homeworkers-north", "love"): 1,
        ("org-nursing-cmu", "expect"): 2,
        ("org-nursing-cmu", "like"): 2,
        ("org-nursing-cmu", "love"): 1,
        ("org-bod", "expect"): 2,
        ("org-bod", "like"): 2,
        ("org-bod", "love"): 1,
    }
    assert [graph.nodes[f"mk-hw-{s}"].props["order"] for s in ("e1", "e3", "l2", "v1")] == [
        1,
        3,
        5,
        6,
    ]
    challenge = {e.source: e.target for e in edges(graph, "CHALLENGE_OF")}
    assert challenge == {
        "oc-homeworkers": "net-homeworkers-north",
        "oc-nursing": "org-nursing-cmu",
        "oc-bod": "org-bod",
    }
    aimed = {e.source: e.target for e in edges(graph, "AIMED_AT")}
    cells: dict[str, set[str]] = defaultdict(set)
    for s, p in aimed.items():
        cells[p].add(graph.nodes[s].props["cell"])
    every = {"I-1", "I-2", "I-3", "E-1", "E-2", "E-3"}
    assert {p: sorted(every - c) for p, c in cells.items()} == {
        "net-homeworkers-north": ["E-1"],
        "org-nursing-cmu": ["E-3", "I-2"],
        "org-bod": ["I-1"],
    }
    practices = sorted(
        graph.nodes[n].props["number"] for n in graph.nodes if graph.nodes[n].kind == "Practice"
    )
    assert practices == list(range(1, 9))


def test_the_outcome_journal_silent_markers_and_the_top_contributor(store: GraphStore) -> None:
    graph = load(store)
    rates = rated(graph)
    entries = journal(graph, "outcome")
    # the ratings written low/medium/high, L/M/H and น้อย/ปานกลาง/มาก are stored as words
    assert Counter(n.props["rating"] for n in entries) == {"low": 20, "medium": 14, "high": 9}
    markers = sorted(n for n in graph.nodes if graph.nodes[n].kind == "ProgressMarker")
    last_half = {rates[n.id] for n in entries if n.props["date"] >= "2024-07-01"}
    assert sorted(set(markers) - last_half) == ["mk-bod-l2", "mk-hw-v1", "mk-nu-v1"]
    assert sorted(n.props["date"] for n in entries if rates[n.id] == "mk-hw-v1") == [
        "2024-03-28",
        "2024-06-27",
    ]
    # the B.E. days read as the same days as the ISO ones
    assert graph.nodes["oj-mk-hw-e1-2024-03-28"].props["rating"] == "low"
    # mk-hw-e2 has two entries in 2024-Q4: medium, then high
    q4 = sorted(
        (n.props["date"], n.props["rating"])
        for n in entries
        if rates[n.id] == "mk-hw-e2" and n.props["date"] >= "2024-10-01"
    )
    assert q4 == [("2024-10-24", "medium"), ("2024-12-19", "high")]

    # the ladder: per partner and stage, each marker's latest rating in the quarter
    def ladder(start: str, end: str) -> dict[tuple[str, str], Counter[str]]:
        latest: dict[str, tuple[str, str]] = {}
        for n in entries:
            day, marker = n.props["date"], rates[n.id]
            if start <= day <= end and (marker not in latest or latest[marker][0] < day):
                latest[marker] = (day, n.props["rating"])
        out: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for marker, (_, rating) in latest.items():
            out[(partner[marker], graph.nodes[marker].props["stage"])][rating] += 1
        return out

    partner = {e.source: e.target for e in edges(graph, "MARKER_OF")}
    assert ladder("2024-10-01", "2024-12-31") == {
        ("net-homeworkers-north", "expect"): {"high": 2, "medium": 1},
        ("net-homeworkers-north", "like"): {"medium": 1, "low": 1},
        ("org-nursing-cmu", "expect"): {"high": 2},
        ("org-nursing-cmu", "like"): {"medium": 2},
        ("org-bod", "expect"): {"high": 1, "medium": 1},
        ("org-bod", "like"): {"low": 1},
        ("org-bod", "love"): {"low": 1},
    }
    assert ladder("2024-07-01", "2024-09-30") == {
        ("net-homeworkers-north", "expect"): {"high": 1, "medium": 2},
        ("net-homeworkers-north", "like"): {"low": 2},
        ("org-nursing-cmu", "expect"): {"high": 2},
        ("org-nursing-cmu", "like"): {"medium": 1, "low": 1},
        ("org-bod", "expect"): {"medium": 1, "low": 1},
        ("org-bod", "like"): {"low": 1},
    }
    # contributors: the network's coordinator is named most often
    named = Counter(e.source for e in edges(graph, "CONTRIBUTED"))
    assert named.most_common(4) == [
        ("person-network-coordinator", 21),
        ("person-nursing-lecturer", 15),
        ("person-bod-officer", 9),
        ("person-programme-manager", 6),
    ]
    assert sum(named.values()) == 66
    coordinator_markers = {
        rates[e.target]
        for e in edges(graph, "CONTRIBUTED")
        if e.source == "person-network-coordinator"
    }
    assert len(coordinator_markers) == 8


def test_the_strategy_journal_and_the_overdue_follow_up(store: GraphStore) -> None:
    graph = load(store)
    rates = rated(graph)
    entries = journal(graph, "strategy")
    by_strategy: dict[str, list[Node]] = defaultdict(list)
    for n in entries:
        by_strategy[rates[n.id]].append(n)
    strategies = {n for n in graph.nodes if graph.nodes[n].kind == "Strategy"}
    assert sorted(strategies - set(by_strategy)) == ["st-bod-e3", "st-hw-e3"]
    latest = {s: max(ns, key=lambda n: n.props["date"]) for s, ns in by_strategy.items()}
    overdue = {
        s: n.props["follow_up"]
        for s, n in latest.items()
        if n.props.get("follow_up") and n.props["follow_up"] <= YEAR_END
    }
    assert overdue == {"st-bod-e1": "2024-11-15"}  # written 15/11/2567
    assert latest["st-bod-e1"].id == "sj-st-bod-e1-2024-09-23"
    assert latest["st-bod-e1"].props["activities"].startswith("ส่งร่างข้อเสนอเชิงนโยบาย")
    # every earlier entry's follow-up was met by a later entry
    for ns in by_strategy.values():
        ordered = sorted(ns, key=lambda n: n.props["date"])
        for before, after in zip(ordered, ordered[1:], strict=False):
            assert before.props["follow_up"] < after.props["date"]
    # st-nu-i3's last entry is in 2024-Q2 and names no follow-up
    assert latest["st-nu-i3"].props["date"] == "2024-05-02"
    assert "follow_up" not in latest["st-nu-i3"].props
    performance = journal(graph, "performance")
    assert sorted((rates[n.id], n.props["date"]) for n in performance) == [
        ("pr-2", "2024-03-30"),
        ("pr-3", "2024-09-10"),
        ("pr-6", "2024-10-15"),
        ("pr-8", "2024-06-30"),
        ("pr-8", "2024-12-20"),
    ]


# -- the template's meetings and Outcome Mapping sheets -------------------------------------


def test_the_templates_example_imports_its_meetings_and_om_rows(
    store: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "ตัวอย่าง.xlsx"
    path.write_bytes(template_bytes(example=True))
    report = import_dataset(store, path)
    assert (report.entities, report.relationships, report.problems) == (27, 45, [])
    stats = store.stats()
    assert {k: stats.nodes[k] for k in ("Event", "JournalEntry", "Strategy")} == {
        "Event": 2,
        "JournalEntry": 5,
        "Strategy": 2,
    }
    nodes = store.get_nodes(
        [
            "ev-elder-1",
            "ev-visit-1",
            "mk-elder-1",
            "mk-elder-2",
            "mk-elder-3",
            "st-elder-1",
            "st-elder-2",
            "pr-ltc-8",
            "oj-mk-elder-1-2024-06-30",
            "sj-st-elder-1-2024-01-20",
            "pj-pr-ltc-8-2024-06-30",
        ]
    )
    # every Thai drop-down word the example uses reads back as the contract's value
    assert (nodes["ev-elder-1"].props["date"], nodes["ev-elder-1"].props["event_kind"]) == (
        "2024-01-15",
        "meeting",
    )
    assert nodes["ev-visit-1"].props["event_kind"] == "visit"
    assert [nodes[f"mk-elder-{i}"].props["stage"] for i in (1, 2, 3)] == [
        "expect",
        "like",
        "love",
    ]
    assert [nodes[f"mk-elder-{i}"].props["order"] for i in (1, 2, 3)] == [1, 2, 3]
    assert (nodes["st-elder-1"].props["cell"], nodes["st-elder-2"].props["cell"]) == ("I-2", "E-3")
    assert nodes["pr-ltc-8"].props["number"] == 8
    assert nodes["oj-mk-elder-1-2024-06-30"].props["rating"] == "medium"
    assert nodes["sj-st-elder-1-2024-01-20"].props["follow_up"] == "2024-04-20"
    assert nodes["pj-pr-ltc-8-2024-06-30"].props["journal"] == "performance"
    attended = {
        (e.source, e.target): (e.props["status"], e.props.get("capacity"))
        for e in store.find_edges(type="ATTENDED")
    }
    assert attended == {
        ("p-somchai", "ev-elder-1"): ("attended", "personal"),
        ("org-sao", "ev-elder-1"): ("absent", "institutional"),
        ("org-ppho", "ev-elder-1"): ("invited", None),
        ("p-somchai", "ev-visit-1"): ("attended", None),
    }
    contributed = sorted((e.source, e.target) for e in store.find_edges(type="CONTRIBUTED"))
    assert contributed == [
        ("org-hph", "oj-mk-elder-1-2024-03-31"),
        ("org-hph", "oj-mk-elder-1-2024-06-30"),
        ("p-somchai", "oj-mk-elder-1-2024-03-31"),
        ("p-somchai", "oj-mk-elder-2-2024-06-30"),
    ]


def test_the_template_with_only_om_sheets_filled_in_imports(
    store: GraphStore, tmp_path: Path
) -> None:
    """A planner who fills in only the meetings sheets, naming actors already in the store:
    the other sheets stay empty and are skipped."""
    import_dataset(store, SAMPLE)
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    events = wb[sheet_name("events")]
    events.append(["ev-sc-2568-1", "ประชุมคณะกรรมการอำนวยการ ครั้งที่ 1/2568", "16/1/2568", "ประชุม"])
    events["H2"] = "net-steering"
    attendance = wb[sheet_name("attendance")]
    attendance.append(["ev-sc-2568-1", "org-sso-cm", "ขาด", "ในนามหน่วยงาน"])
    attendance.append(["ev-sc-2568-1", "person-pso-officer", "เข้าร่วม", "ในนามตนเอง"])
    path = tmp_path / "ประชุม.xlsx"
    wb.save(path)
    report = import_dataset(store, path)
    assert (report.entities, report.relationships, report.problems) == (1, 3, [])
    (meeting,) = store.find_edges(source="ev-sc-2568-1", type="MEETING_OF")
    assert meeting.target == "net-steering"
    statuses = {e.source: e.props["status"] for e in store.find_edges(target="ev-sc-2568-1")}
    assert statuses == {"org-sso-cm": "absent", "person-pso-officer": "attended"}


def test_the_pages_say_when_the_latest_entry_is_and_ask_as_on_a_day(store: GraphStore) -> None:
    """Asked today (2026 or later), the ladder's four quarters hold none of the sample's
    2024 entries: the page says the latest is of 20 Dec 2024 (a performance journal entry)
    and links to the page as on that day, which shows 2024-Q1..Q4 with the traffic lights;
    ``?on=`` reaches the API and
    every Outcome Mapping and meetings page."""
    from fastapi.testclient import TestClient

    from graph_service.app import create_app

    load(store)
    with TestClient(create_app(store=store)) as client:
        page = client.get("/om/ladder", params={"lang": "th"}).text
        assert "บันทึกล่าสุดเมื่อ 20 ธ.ค. 2567" in page
        assert 'href="/om/ladder?on=2024-12-20"' in page
        assert 'data-rating="high"' not in page
        on = client.get("/om/ladder", params={"on": "2024-12-20", "lang": "th"}).text
        assert "บันทึกล่าสุดเมื่อ" not in on and 'value="2024-12-20"' in on
        assert "ไตรมาส 4/2567" in on and on.count('data-rating="high"') > 0
        contributors = client.get("/om/contributors", params={"on": "2024-12-31"}).text
        answer = contributors.split('<p class="answer">')[1].split("</p>")[0]
        assert "ผู้ประสานงานเครือข่ายผู้รับงานไปทำที่บ้านภาคเหนือ" in answer
        assert "person-network-coordinator" not in answer  # names on a page, ids on hover
        ladder = client.get("/api/om/ladder", params={"on": "31/12/2567"}).json()
        assert (ladder["current"], ladder["previous"]) == ("2024-Q4", "2024-Q3")
        bad = client.get("/api/om/ladder", params={"on": "soon"})
        assert bad.status_code == 422 and "on" in bad.json()["error"]["message"]
        rhythm = client.get("/api/rhythm", params={"every": "3m", "on": "31/12/2567"}).json()
        assert rhythm["not_kept"] == ["net-steering"] and not rhythm["bodies"][0]["overdue"]
        now = client.get("/api/rhythm", params={"every": "3m"}).json()
        assert now["bodies"][0]["overdue"] is True  # asked today, 2025-03-19 has passed
        attendance = client.get(
            "/attendance", params={"body": "net-steering", "on": "30/6/2567", "lang": "th"}
        ).text
        assert attendance.count('<th title="ev-sc-2567-') == 3  # held by 30 June 2024

"""Meetings on both stores (CONTRACT.md sections 1b and 2d; issue 15, questions W17, K16):
the events and attendance sheets as a graph, ``attendance`` (who came, who keeps missing,
agencies present only through individuals, the rhythm), ``visits``, the co-attendance
projection and ``--co-attendance`` on a question, on a small hand-made dataset whose
answers are counted by hand in :func:`meeting_dataset`'s docstring."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from graph_service.analysis import meetings
from graph_service.app import create_app
from graph_service.cli import main
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.factories import write_csv


def meeting_dataset(folder: Path) -> Path:
    """A committee ``com`` with five members (p1–p4 and the organisation o-pm, MEMBER_OF
    com) and four meetings in 2024, plus one dated 2099 (not yet held) and one of another
    body. Attendance ("att" attended, "abs" absent, "inv" invited, "-" no row):

    ====== ======= ======= ======= =======
    actor  e1 1/10 e2 3/20 e3 8/01 e4 10/15
    ====== ======= ======= ======= =======
    p1     att     att     att     att
    p2     att     abs     abs     att       (and att at e-future, 2099)
    p3     att     inv     -       abs
    p4     abs     -       att     att
    o-pm   att     att     att     -
    p5     att(personal) att  -    att       not a member; WORKS_FOR o-off
    p6     att     -       -       -         not a member
    p7     -       -       -       att(institutional)  not a member; WORKS_FOR o-inst
    ====== ======= ======= ======= =======

    By hand, the last 3 meetings (e2, e3, e4), N = 2:

    - missed (expected and not attended; a member with no row missed it): p1 0, p2 2
      (e2, e3), p3 3 (e2 invited only, e3 not listed, e4), p4 2 (e1, e2 not listed), o-pm 1
      (e4 not listed); the guests p5, p6, p7 are expected only where listed: 0.
    - missed in the last 3: p2 2, p3 3, p4 1 (e2), o-pm 1 (e4): keeps missing = p2, p3.
    - present only through individuals: o-off (its p5 came, in a personal capacity or
      none); not o-inst (p7 came in an institutional capacity), not o-pm (it came itself),
      not com (the body), not team-x (a network p1 and p2 belong to, not expected at com).
    - per meeting, expected / attended: e1 7 (5 members + p5, p6) / 6; e2 6 / 3; e3 5 / 3;
      e4 7 (+ p5, p7) / 5.
    - every 3 months: e1 → e2 kept (due 10 Apr), e2 → e3 late (due 20 Jun, held 1 Aug),
      e3 → e4 kept (due 1 Nov); next due 15 Jan 2025: overdue.

    A visiting team ``t1`` and three district committees c1–c3 LOCATED_IN the districts
    d1–d3 of province prov: v1 (organised by t1) is held in d1, v2 is MEETING_OF c2, so c1
    and c2 were reached and c3 never was."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "networks.csv",
        ["id", "name", "area_id"],
        [
            ["com", "คณะกรรมการสนับสนุนจังหวัด", ""],
            ["other", "คณะอื่น", ""],
            ["t1", "ทีมเยี่ยมเสริมพลัง", ""],
            ["c1", "พชอ. หนึ่ง", "d1"],
            ["c2", "พชอ. สอง", "d2"],
            ["c3", "พชอ. สาม", "d3"],
            ["team-x", "ทีมงานโครงการ", ""],
        ],
    )
    write_csv(
        folder / "areas.csv",
        ["id", "name", "admin_level", "parent_id"],
        [
            ["prov", "จังหวัดหนึ่ง", "provincial", ""],
            ["d1", "อำเภอหนึ่ง", "district", "prov"],
            ["d2", "อำเภอสอง", "district", "prov"],
            ["d3", "อำเภอสาม", "district", "prov"],
        ],
    )
    write_csv(
        folder / "organisations.csv",
        ["id", "name"],
        [["o-pm", "สำนักงาน พมจ."], ["o-off", "สำนักงานพัฒนาสังคม"], ["o-inst", "สสจ."]],
    )
    write_csv(
        folder / "people.csv",
        ["id", "name"],
        [[f"p{i}", f"คนที่ {i}"] for i in range(1, 8)],
    )
    write_csv(
        folder / "relationships.csv",
        ["source", "target", "type"],
        [
            *([p, "com", "MEMBER_OF"] for p in ("p1", "p2", "p3", "p4", "o-pm")),
            ["p1", "o-pm", "MEMBER_OF"],
            ["p5", "o-off", "WORKS_FOR"],
            ["p7", "o-inst", "WORKS_FOR"],
            ["p2", "team-x", "MEMBER_OF"],
            ["p1", "team-x", "MEMBER_OF"],
        ],
    )
    write_csv(
        folder / "events.csv",
        ["id", "name", "date", "kind", "body_id", "organiser_id", "area_id"],
        [
            ["e1", "ประชุมครั้งที่ 1/2567", "10/1/2567", "ประชุม", "com", "o-pm", ""],
            ["e2", "ประชุมครั้งที่ 2/2567", "2024-03-20", "meeting", "com", "", ""],
            ["e3", "ประชุมครั้งที่ 3/2567", "1/8/2567", "ประชุม", "com", "", ""],
            ["e4", "ประชุมครั้งที่ 4/2567", "15/10/2567", "ประชุม", "com", "", ""],
            ["e-future", "ประชุมปี 2642", "1/1/2642", "ประชุม", "com", "", ""],
            ["e0", "ประชุมคณะอื่น", "2024-02-01", "", "other", "", ""],
            ["v1", "ลงพื้นที่อำเภอหนึ่ง", "2024-05-01", "ลงพื้นที่", "", "t1", "d1"],
            ["v2", "ประชุมกับ พชอ. สอง", "2024-06-01", "visit", "c2", "t1", ""],
        ],
    )
    rows = []
    table = {
        "e1": {"p1": "att", "p2": "att", "p3": "att", "p4": "abs", "o-pm": "att", "p5": "att"},
        "e2": {"p1": "att", "p2": "abs", "p3": "inv", "o-pm": "att", "p5": "att"},
        "e3": {"p1": "att", "p2": "abs", "p4": "att", "o-pm": "att"},
        "e4": {"p1": "att", "p2": "att", "p3": "abs", "p4": "att", "p5": "att", "p7": "att"},
        "e-future": {"p2": "att"},
    }
    words = {"att": ["attended", "มา", "เข้าร่วม"], "abs": ["absent", "ขาด"], "inv": ["เชิญ"]}
    for event, statuses in table.items():
        for k, (actor, status) in enumerate(statuses.items()):
            options = words[status]
            capacity = ""
            if (event, actor) == ("e1", "p5"):
                capacity = "personal"
            if (event, actor) == ("e4", "p7"):
                capacity = "institutional"
            rows.append([event, actor, options[k % len(options)], capacity])
    rows.append(["e1", "p6", "attended", ""])
    write_csv(folder / "attendance.csv", ["event_id", "actor_id", "status", "capacity"], rows)
    return folder


@pytest.fixture
def loaded(store: GraphStore, tmp_path: Path) -> GraphStore:
    report = import_dataset(store, meeting_dataset(tmp_path / "data"))
    assert report.entities == 8 + 3 + 7 + 7 + 4  # events, orgs, people, networks, areas
    return store


@pytest.fixture
def cli(loaded: GraphStore, request: pytest.FixtureRequest) -> Callable[..., Result]:
    """Runs the command line against the store under test."""
    location, env = loaded.location, {}
    if loaded.engine == "neo4j":
        location, _user, password = request.getfixturevalue("neo4j_server")
        env = {"GRAPH_NEO4J_PASSWORD": password}

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["--store", location, *args], env=env)

    return run


def test_the_sheets_become_events_and_attended_relationships(loaded: GraphStore) -> None:
    stats = loaded.stats()
    assert stats.nodes["Event"] == 8
    assert stats.relationships["ATTENDED"] == 23  # 6 + 5 + 4 + 6 + 1 (e-future) + p6
    assert stats.relationships["MEETING_OF"] == 7  # v1 names no body
    assert stats.relationships["ORGANISES"] == 3
    e1 = loaded.get_nodes(["e1"])["e1"]
    assert e1.props["date"] == "2024-01-10"
    assert e1.props["event_kind"] == "meeting"  # ประชุม
    assert loaded.get_nodes(["v1"])["v1"].props["event_kind"] == "visit"  # ลงพื้นที่
    att = {e.source: e.props for e in loaded.find_edges(None, "ATTENDED", "e1")}
    assert att["p5"] == {"status": "attended", "capacity": "personal"}
    assert att["p4"] == {"status": "absent"}
    (inv,) = [e for e in loaded.find_edges("p3", "ATTENDED", None) if e.target == "e2"]
    assert inv.props["status"] == "invited"  # เชิญ


def test_attendance_counted_by_hand(loaded: GraphStore) -> None:
    doc = meetings.attendance(loaded, "com", last=3, min_missed=2, every="3m")
    assert doc["body"] == "com"
    assert doc["events"] == ["e1", "e2", "e3", "e4"]  # e-future not held yet, e0 another body
    rows = {m["id"]: m for m in doc["members"]}
    assert sorted(rows) == ["o-pm", "p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    expect = {  # attended, absent, invited, not_listed, missed, missed_last
        "p1": (4, 0, 0, 0, 0, 0),
        "p2": (2, 2, 0, 0, 2, 2),
        "p3": (1, 1, 1, 1, 3, 3),
        "p4": (2, 1, 0, 1, 2, 1),
        "o-pm": (3, 0, 0, 1, 1, 1),
        "p5": (3, 0, 0, 0, 0, 0),
        "p6": (1, 0, 0, 0, 0, 0),
        "p7": (1, 0, 0, 0, 0, 0),
    }
    for id_, counts in expect.items():
        m = rows[id_]
        got = tuple(
            m[k] for k in ("attended", "absent", "invited", "not_listed", "missed", "missed_last")
        )
        assert got == counts, id_
    assert [m["member"] for m in doc["members"]] == [True] * 5 + [False] * 3
    assert rows["p3"]["statuses"] == {"e1": "attended", "e2": "invited", "e3": None, "e4": "absent"}
    assert doc["keeps_missing"] == ["p2", "p3"]
    assert doc["individual_only"] == ["o-off"]
    assert doc["through"] == {"o-off": ["p5"]}
    assert [(e["id"], e["expected"], e["attended"]) for e in doc["event_details"]] == [
        ("e1", 7, 6),
        ("e2", 6, 3),
        ("e3", 5, 3),
        ("e4", 7, 5),
    ]
    r = doc["rhythm"]
    assert [(i["from"], i["to"], i["kept"]) for i in r["intervals"]] == [
        ("e1", "e2", True),
        ("e2", "e3", False),
        ("e3", "e4", True),
    ]
    assert r["intervals"][1]["due"] == "2024-06-20" and r["intervals"][1]["days"] == 134
    assert (r["late"], r["kept"], r["next_due"], r["overdue"]) == (
        ["e3"],
        False,
        "2025-01-15",
        True,
    )


def test_attendance_options_change_the_answer(loaded: GraphStore) -> None:
    # the last 2 (e3, e4), at least 1 missed: p2 (e3), p3 (e3 not listed, e4), p4 none,
    # o-pm (e4)
    doc = meetings.attendance(loaded, "com", last=2, min_missed=1)
    assert doc["keeps_missing"] == ["o-pm", "p2", "p3"]
    assert "rhythm" not in doc
    # only the first half of the year: e1 and e2; every 6 months kept, last 3 = both
    import datetime as dt

    half = meetings.attendance(
        loaded, "com", until=dt.date(2024, 6, 30), every="6 เดือน", min_missed=2
    )
    assert half["events"] == ["e1", "e2"]
    assert half["keeps_missing"] == ["p4"]  # p4: e1 absent, e2 not listed; p3 missed e2 only
    assert half["rhythm"]["kept"] is True
    since = meetings.attendance(loaded, "com", since=dt.date(2024, 7, 1))
    assert since["events"] == ["e3", "e4"]


def test_attendance_refuses_what_it_cannot_answer(loaded: GraphStore) -> None:
    with pytest.raises(NotFound, match="nobody"):
        meetings.attendance(loaded, "nobody")
    with pytest.raises(InvalidInput, match="3m"):
        meetings.attendance(loaded, "com", every="quarterly")
    with pytest.raises(InvalidInput):
        meetings.attendance(loaded, "com", last=0)
    empty = meetings.attendance(loaded, "c3")
    assert (empty["events"], empty["members"], empty["keeps_missing"]) == ([], [], [])


def test_rhythm_of_every_body(loaded: GraphStore, cli: Callable[..., Result]) -> None:
    """Every 3 months: com is late once (e2 → e3) and overdue; other, c2 (one event each)
    have no interval but are overdue since 2024; every 5 years: every body kept it, and
    only com's next (15 Oct 2029) is not yet due."""
    doc = meetings.rhythms(loaded, "3m")
    assert [(b["body"], b["events"], b["late"]) for b in doc["bodies"]] == [
        ("c2", 1, []),
        ("com", 4, ["e3"]),
        ("other", 1, []),
    ]
    assert doc["not_kept"] == ["c2", "com", "other"]
    five = meetings.rhythms(loaded, "5y", ["com", "c3"])
    assert [(b["body"], b["events"], b["kept"], b["overdue"]) for b in five["bodies"]] == [
        ("c3", 0, True, False),
        ("com", 4, True, False),
    ]
    assert five["bodies"][1]["next_due"] == "2029-10-15"
    assert five["not_kept"] == []
    out = cli("rhythm", "--every", "3m", "--body", "com", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["bodies"][0]["late"] == ["e3"]
    with pytest.raises(NotFound):
        meetings.rhythms(loaded, "3m", ["nobody"])


def test_visits_counted_by_hand(loaded: GraphStore) -> None:
    doc = meetings.visits(loaded, "t1", ["kind=Network", "within=prov"])
    assert doc["events"] == ["v1", "v2"]
    assert [(r["id"], r["events"]) for r in doc["reached"]] == [("c1", ["v1"]), ("c2", ["v2"])]
    assert doc["not_reached"] == ["c3"]
    # by default every network but the team: com and other were never visited either
    assert meetings.visits(loaded, "t1")["not_reached"] == ["c3", "com", "other", "team-x"]


def test_co_attendance_counted_by_hand(loaded: GraphStore) -> None:
    """e1 gives C(6,2) = 15 pairs; e2's three attendees are all in e1; e3 adds p1–p4 and
    o-pm–p4; e4 adds p1–p7, p2–p4, p2–p7, p4–p5, p4–p7, p5–p7: 23 pairs. Twice or more:
    o-pm–p1 (e1, e2, e3), p1–p5 (e1, e2, e4), then o-pm–p5, p1–p2, p1–p4, p2–p5."""
    doc = meetings.co_attendance(loaded)
    assert len(doc["pairs"]) == 23
    heavy = meetings.co_attendance(loaded, min_events=2)["pairs"]
    assert [(p["a"], p["b"], p["weight"]) for p in heavy] == [
        ("o-pm", "p1", 3),
        ("p1", "p5", 3),
        ("o-pm", "p5", 2),
        ("p1", "p2", 2),
        ("p1", "p4", 2),
        ("p2", "p5", 2),
    ]
    assert heavy[0]["events"] == ["e1", "e2", "e3"]
    assert meetings.co_attendance(loaded, body="other")["pairs"] == []


def test_co_attendance_ties_join_every_question(loaded: GraphStore) -> None:
    """Without co-attendance p6 (a guest) has no tie to another actor; with it p6 is tied
    to the five others who came to e1."""
    from graph_service.analysis.fragility import fragility

    assert "p6" in fragility(loaded)["isolates"]
    view = meetings.with_co_attendance(loaded)
    assert "p6" not in fragility(view)["isolates"]
    ties = [e for e in view.edges_of("p6") if e.type == "CO_ATTENDED"]
    assert sorted({e.source, e.target} - {"p6"} for e in ties) == [
        {"o-pm"},
        {"p1"},
        {"p2"},
        {"p3"},
        {"p5"},
    ]
    with pytest.raises(Exception, match="cannot be changed"):
        view.clear()


def test_cli_and_api_give_the_same_documents(
    loaded: GraphStore, cli: Callable[..., Result]
) -> None:
    args = ["attendance", "--body", "com", "--every", "3m", "--json"]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    cli_doc = json.loads(result.output)
    with TestClient(create_app(store=loaded)) as client:
        _same_over_http(client, cli, cli_doc)


def _same_over_http(client: TestClient, cli: Callable[..., Result], cli_doc: dict) -> None:
    api = client.get("/api/attendance", params={"body": "com", "every": "3m"})
    assert api.status_code == 200
    assert api.json() == cli_doc
    assert cli_doc["keeps_missing"] == ["p2", "p3"]
    text = cli("attendance", "--body", "com", "--every", "3m")
    assert text.exit_code == 0
    assert "ขาดประชุมบ่อย" in text.output and "คนที่ 2" in text.output
    assert "สำนักงานพัฒนาสังคม (ผ่าน คนที่ 5)" in text.output
    assert "เลยกำหนดประชุมครั้งต่อไปแล้ว" in text.output
    visits = cli("visits", "--team", "t1", "--where", "within=prov")
    assert visits.exit_code == 0 and "พชอ. สาม [c3]" in visits.output
    where = {"team": "t1", "where": ["kind=Network", "within=prov"]}
    api_visits = client.get("/api/visits", params=where)
    assert api_visits.json()["not_reached"] == ["c3"]
    co = client.get("/api/co-attendance", params={"min": 3}).json()
    assert [(p["a"], p["b"]) for p in co["pairs"]] == [("o-pm", "p1"), ("p1", "p5")]
    # every question over HTTP takes co_attendance too; its answer is cached apart
    assert "p6" in client.get("/api/fragility").json()["isolates"]
    tied = client.get("/api/fragility", params={"co_attendance": "true"}).json()
    assert "p6" not in tied["isolates"]
    assert "p6" in client.get("/api/fragility").json()["isolates"]
    write = client.post("/api/entities?co_attendance=true", json={"id": "x", "kind": "Person"})
    assert write.status_code == 422 and "co_attendance" in write.json()["error"]["message"]
    missing = client.get("/api/attendance", params={"body": "nobody"})
    assert missing.status_code == 404
    bad = client.get("/api/attendance", params={"body": "com", "every": "often"})
    assert bad.status_code == 422
    # a question with --co-attendance: p6 is no isolate any more
    frag = cli("fragility", "--co-attendance", "--json")
    assert frag.exit_code == 0, frag.output
    assert "p6" not in json.loads(frag.output)["isolates"]


def test_attendance_page_in_thai_and_english(loaded: GraphStore) -> None:
    with TestClient(create_app(store=loaded)) as client:
        _pages(client)


def _pages(client: TestClient) -> None:
    page = client.get("/attendance", params={"body": "com", "every": "3m"})
    assert page.status_code == 200
    html = page.text
    assert "คณะกรรมการสนับสนุนจังหวัด" in html and "ตารางการเข้าประชุม" in html
    assert html.count('class="badge"') == 2  # p2 and p3 keep missing
    assert html.count('class="c attended"') == 17  # attended at e1..e4: 6 + 3 + 3 + 5
    assert html.count('class="c not_listed"') == 3  # p3 e3, p4 e2, o-pm e4
    assert "Attendance" not in html
    english = client.get("/attendance", params={"body": "com", "lang": "en"}).text
    assert "Attendance matrix" in english and "keeps missing" in english
    home = client.get("/", params={"lang": "th"}).text
    assert "ใครขาดประชุมบ่อย?" in home
    assert (
        "ในการประชุม คณะกรรมการสนับสนุนจังหวัด 3 ครั้งล่าสุด มี 2 รายขาดอย่างน้อย 2 ครั้ง: "
        "คนที่ 2 และ คนที่ 3" in home
    )
    assert 'href="/attendance?body=com"' in home
    # one import recorded one day: the timeline says so once, not "X and X"
    timeline = client.get("/timeline", params={"lang": "th"}).text
    assert "บันทึกไว้ 1 ช่วงเวลา:" in timeline and " และ " not in timeline.split("บันทึกไว้")[1][:80]
    chooser = client.get("/attendance", params={"lang": "th"}).text
    assert '<a href="/attendance?body=com">คณะกรรมการสนับสนุนจังหวัด</a> (ประชุม 4 ครั้ง)' in chooser


def test_member_of_filters_who_belongs_to_a_body(
    loaded: GraphStore, cli: Callable[..., Result]
) -> None:
    """``member_of=`` holds for the entities MEMBER_OF one of its ids; two terms: on both
    teams (p1 and p2 are MEMBER_OF com and team-x; p1 also MEMBER_OF o-pm)."""
    from graph_service.analysis.filters import find
    from graph_service.analysis.reach import reach

    def ids(*where: str) -> list[str]:
        return [e["id"] for e in find(loaded, list(where))["entities"]]

    assert ids("member_of=com") == ["o-pm", "p1", "p2", "p3", "p4"]
    assert ids("member_of=com", "member_of=team-x") == ["p1", "p2"]
    assert ids("member_of=team-x,o-pm") == ["p1", "p2"]
    assert ids("member_of=com", "kind=Organisation") == ["o-pm"]
    # reach counts only the matching ones: com's neighbours that are its members
    assert sorted(n["id"] for n in reach(loaded, "com", 1, where="member_of=com")["nodes"]) == [
        "o-pm",
        "p1",
        "p2",
        "p3",
        "p4",
    ]
    with pytest.raises(NotFound, match="nobody"):
        find(loaded, ["member_of=nobody"])
    out = cli("find", "--where", "member_of=com", "--where", "member_of=team-x", "--json")
    assert out.exit_code == 0, out.output
    assert [e["id"] for e in json.loads(out.output)["entities"]] == ["p1", "p2"]


def test_co_attendance_in_public_mode_keeps_people_private(loaded: GraphStore) -> None:
    """No person in the hand-made committee gave consent: a public read with
    ``co_attendance=true`` shows pseudonyms, and its answer is never the one a reader with a
    key got (the two are cached apart), in either order."""
    from graph_service.settings import Settings

    app = create_app(Settings(api_keys="read:reader-key-1", public_reads=True), loaded)
    key = {"Authorization": "Bearer reader-key-1"}
    query = {"co_attendance": "true"}
    with TestClient(app) as client:
        full = client.get("/api/fragility", params=query, headers=key).json()
        public = client.get("/api/fragility", params=query).json()
        again = client.get("/api/fragility", params=query, headers=key).json()
    names = {c["name"] for c in full["cut_points"]}
    assert full == again
    public_text = json.dumps(public, ensure_ascii=False)
    assert not any(f"คนที่ {i}" in public_text for i in range(1, 8))
    assert names and all(n not in public_text for n in names if n.startswith("คนที่"))


def test_import_problems_name_file_row_and_column(store: GraphStore, tmp_path: Path) -> None:
    folder = meeting_dataset(tmp_path / "bad")
    write_csv(
        folder / "events.csv",
        ["id", "name", "date", "body_id"],
        [["e1", "ประชุม", "2567", "com"], ["e2", "ประชุม", "31/2/2567", "nobody"]],
    )
    write_csv(
        folder / "attendance.csv",
        ["event_id", "actor_id", "status", "capacity"],
        [["e1", "p1", "มาสาย", ""], ["e1", "p2", "attended", "ในนามตัวเอง"], ["e1", "p1", "มา", ""]],
    )
    with pytest.raises(InvalidInput) as caught:
        import_dataset(store, folder)
    text = str(caught.value)
    assert "events.csv:2:date: a day is needed, not only a year: '2567'" in text
    assert "events.csv:3:date: not a real date: '31/2/2567'" in text
    assert "attendance.csv:2:status: status must be one of invited, attended, absent" in text
    assert "attendance.csv:3:capacity:" in text
    assert store.stats().nodes == {}  # all or nothing


def test_csv_export_imports_back_to_the_same_graph(loaded: GraphStore, tmp_path: Path) -> None:
    from viz.export import export

    out = tmp_path / "exported"
    result = export(loaded, "csv", out)
    assert result.notes == []
    names = sorted(p.name for p in out.iterdir())
    assert "events.csv" in names and "attendance.csv" in names
    assert "outcome_journal.csv" not in names  # no rows: not written
    again = EmbeddedStore(tmp_path / "again.db", query_timeout=0)
    try:
        import_dataset(again, out)
        a, b = loaded.subgraph(), again.subgraph()
        assert {i: (n.kind, n.props) for i, n in a.nodes.items()} == {
            i: (n.kind, n.props) for i, n in b.nodes.items()
        }
        assert sorted((e.key, sorted(e.props.items())) for e in a.edges) == sorted(
            (e.key, sorted(e.props.items())) for e in b.edges
        )
    finally:
        again.close()

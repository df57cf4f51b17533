"""Pairs that share an attribute but have no tie, and the actor nearest to both (issue 12,
question S28; ``graph_service.analysis.pairs``), on both stores: a hand-made graph of
villagers and their problems whose answers are worked out by hand below, and random graphs
whose every pair, count and nearest actor are checked against networkx
(``single_source_shortest_path_length``) and a brute-force count."""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from click.testing import CliRunner

from graph_service.analysis.pairs import pairs
from graph_service.cli import display_width, main
from graph_service.domain import Edge, normalise_name
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.base import GraphStore
from tests.factories import organisation, person

DEBT, HEALTH, LAND, FLOOD = "หนี้สิน", "สุขภาพ", "ที่ดินทำกิน", "น้ำท่วม"


def villages(store: GraphStore) -> None:
    """Villagers and their problems (ties read both ways):

    - v1, v2 and v3 have debt (v3 typed "หนี้ สิน", the same once normalised; v2's cell
      is the value list debt|health); v1 KNOWS v2 (a tied pair: left out); v1 and v3 are
      MEMBER_OF o1 and o2 (two common neighbours: o1, the smaller id, is nearest);
    - v2 - k1 - a0 - k2 - v3, so for (v2, v3) a0 is 2 steps from each (sum 4), while o1, o2
      (2 from v2, 1 from v3) and v1 (1, 2) sum 3: the sum beats a0's smaller id, and o1 wins
      among the three by id;
    - v4 and the organisation o9 have health, with no tie at all: their pairs have nobody
      near (null);
    - v5 and v6 have land, joined only by the chain v5 - c1 - m9 - c2 - v6 (no common
      neighbour): m9 is 2 steps from each; c1 (1, 3) has the same sum and a smaller id but
      a larger maximum;
    - v8 alone has floods.
    """
    problem = {"v1": DEBT, "v2": f"{DEBT}|{HEALTH}", "v3": "หนี้ สิน", "v4": HEALTH}
    problem |= {"v5": LAND, "v6": LAND, "v8": FLOOD}
    nodes = [person(i, f"ชาวบ้าน {i}", problem=p) for i, p in problem.items()]
    nodes += [person(i, f"คนกลาง {i}") for i in ("a0", "k1", "k2", "c1", "c2", "m9")]
    nodes += [organisation("o1", "กลุ่มออมทรัพย์"), organisation("o2", "อสม.")]
    nodes += [organisation("o9", "รพ.สต.", problem=HEALTH)]
    chain = [("v2", "k1"), ("k1", "a0"), ("a0", "k2"), ("k2", "v3")]
    chain += [("v5", "c1"), ("c1", "m9"), ("m9", "c2"), ("c2", "v6")]
    edges = [Edge("v1", "KNOWS", "v2")]
    edges += [Edge(v, "MEMBER_OF", o) for v in ("v1", "v3") for o in ("o1", "o2")]
    edges += [Edge(a, "KNOWS", b) for a, b in chain]
    store.write(nodes, edges)


def rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(p["value"], p["a"], p["b"], p["nearest"], p["distance"]) for p in doc["pairs"]]


def value_rows(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (v["value"], v["actors"], v["ties"], v["density"], v["could_form"]) for v in doc["values"]
    ]


EXPECTED_PAIRS = [
    # health first: as large as debt (3) and sorted before it (ส before ห)
    (HEALTH, "o9", "v2", None, None),
    (HEALTH, "o9", "v4", None, None),
    (HEALTH, "v2", "v4", None, None),
    (DEBT, "v1", "v3", "o1", [1, 1]),
    (DEBT, "v2", "v3", "o1", [2, 1]),
    (LAND, "v5", "v6", "m9", [2, 2]),
]


def test_pairs_with_the_same_problem_and_who_could_introduce_them(store: GraphStore) -> None:
    villages(store)
    doc = pairs(store, "problem")
    assert rows(doc) == EXPECTED_PAIRS
    assert (doc["total"], doc["truncated"]) == (6, False)
    assert value_rows(doc) == [
        (HEALTH, 3, 0, 0.0, True),
        (DEBT, 3, 1, 0.3333333333, True),  # v1 - v2, of 3 possible
        (LAND, 2, 0, 0.0, False),  # two are not a group
    ]
    assert [v["unlinked_pairs"] for v in doc["values"]] == [3, 2, 1]
    assert doc["could_form"] == [HEALTH, DEBT]
    assert (doc["actors"], doc["with_value"], doc["values_alone"]) == (16, 8, 1)


def test_only_the_actors_matching_where_and_the_ties_of_types(store: GraphStore) -> None:
    villages(store)
    doc = pairs(store, "problem", where="kind=Person")
    assert rows(doc) == [
        EXPECTED_PAIRS[3],
        EXPECTED_PAIRS[4],
        EXPECTED_PAIRS[5],  # land before health now: both have two (ท before ส)
        (HEALTH, "v2", "v4", None, None),
    ]
    assert (doc["total"], doc["could_form"], doc["where"]) == (4, [DEBT], ["kind=Person"])
    # KNOWS only: v1 and v3 are no longer members of o1 and o2; v1 - v2 - k1 - a0 - k2 - v3:
    # a0 (3, 2) and k1 (2, 3) have the same maximum and sum, a0 the smaller id
    doc = pairs(store, "problem", where=["kind=Person"], types=["KNOWS"])
    assert rows(doc)[:2] == [(DEBT, "v1", "v3", "a0", [3, 2]), (DEBT, "v2", "v3", "a0", [2, 2])]
    # MEMBER_OF only: v1 and v2 are not tied any more; v2 has no tie left
    doc = pairs(store, "problem", where=["kind=Person"], types=["MEMBER_OF"])
    assert rows(doc)[:3] == [
        (DEBT, "v1", "v2", None, None),
        (DEBT, "v1", "v3", "o1", [1, 1]),
        (DEBT, "v2", "v3", None, None),
    ]
    assert doc["values"][0]["ties"] == 0


def test_nobody_nearer_than_depth_is_null_and_the_list_is_bounded(store: GraphStore) -> None:
    villages(store)
    doc = pairs(store, "problem", depth=1)
    assert [r[3:] for r in rows(doc)] == [
        (None, None),
        (None, None),
        (None, None),
        ("o1", [1, 1]),
        (None, None),  # o1 is 2 steps from v2
        (None, None),  # m9 is 2 steps from each
    ]
    doc = pairs(store, "problem", limit=2)
    assert rows(doc) == EXPECTED_PAIRS[:2]
    assert (doc["total"], doc["truncated"], doc["limit"]) == (6, True, 2)
    doc = pairs(store, "problem", limit=0)
    assert (doc["pairs"], doc["total"], doc["truncated"]) == ([], 6, True)
    assert value_rows(doc) == value_rows(pairs(store, "problem"))


def test_a_tags_list_counts_each_tag(store: GraphStore) -> None:
    store.write(
        [
            person("p1", tags=["ประมง", "เกษตร"]),
            person("p2", tags=["ประมง"]),
            person("p3", tags=["เกษตร ", "ค้าขาย"]),
            person("p4", tags=["ค้าขาย"]),
        ],
        [Edge("p3", "KNOWS", "p4"), Edge("p2", "KNOWS", "p3")],
    )
    doc = pairs(store, "tags")
    # p1 and p2 fish, p1 and p3 farm, p3 and p4 trade (tied); values of the same size in
    # the order of their code points (เ, a vowel written first, after the consonants)
    assert rows(doc) == [
        ("ประมง", "p1", "p2", None, None),  # p1 has no tie
        ("เกษตร", "p1", "p3", None, None),
    ]
    assert value_rows(doc) == [
        ("ค้าขาย", 2, 1, 1.0, False),
        ("ประมง", 2, 0, 0.0, False),
        ("เกษตร", 2, 0, 0.0, False),
    ]
    store.write([], [Edge("p1", "KNOWS", "p4")])  # p1 - p4 - p3, and p1 - p4 - p3 - p2
    assert rows(pairs(store, "tags")) == [
        ("ประมง", "p1", "p2", "p3", [2, 1]),  # p4 (1, 2): same sum and maximum, larger id
        ("เกษตร", "p1", "p3", "p4", [1, 1]),
    ]


def test_bad_questions_say_what_is_wrong(store: GraphStore) -> None:
    villages(store)
    with pytest.raises(InvalidInput, match="no actor has 'problems'; the actors' attributes are"):
        pairs(store, "problems")
    with pytest.raises(InvalidInput, match="limit must be a whole number from 0 to 100,000"):
        pairs(store, "problem", limit=-1)
    with pytest.raises(InvalidInput, match="--share ATTR"):
        pairs(store, " ")
    with pytest.raises(InvalidInput, match="density_below"):
        pairs(store, "problem", density_below=0)
    with pytest.raises(NotFound, match="within=nowhere"):
        pairs(store, "problem", where="within=nowhere")
    assert pairs(store, "problem", where="kind=Person;problem=nothing")["total"] == 0


# -- against networkx ---------------------------------------------------------------------------


def nearest_by_networkx(
    graph: nx.Graph, a: str, b: str, depth: int
) -> tuple[str | None, list[int] | None]:
    """The rule, from networkx's distances: the actor other than a and b within ``depth``
    of both with the smallest (larger distance, sum, id)."""
    da = nx.single_source_shortest_path_length(graph, a)
    db = nx.single_source_shortest_path_length(graph, b)
    best = min(
        (
            (max(da[c], db[c]), da[c] + db[c], c)
            for c in graph
            if c not in (a, b) and c in da and c in db and max(da[c], db[c]) <= depth
        ),
        default=None,
    )
    if best is None:
        return None, None
    c = best[2]
    assert nx.shortest_path_length(graph, a, c) == da[c]
    return c, [da[c], db[c]]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_graphs_agree_with_networkx(store: GraphStore, seed: int) -> None:
    rng = random.Random(seed)
    words = [DEBT, HEALTH, LAND, "หนี้ สิน", FLOOD]
    nodes, values = [], {}
    for i in range(40):
        id_ = f"p{i:02d}"
        cell = "|".join(rng.sample(words, rng.choice([0, 1, 1, 1, 2])))
        nodes.append(person(id_, problem=cell) if cell else person(id_))
        values[id_] = {normalise_name(w) for w in cell.split("|") if w}  # หนี้ สิน is หนี้สิน
    ties = {tuple(sorted(rng.sample(range(40), 2))) for _ in range(55)}
    edges = [Edge(f"p{a:02d}", rng.choice(["KNOWS", "HELPS"]), f"p{b:02d}") for a, b in ties]
    store.write(nodes, edges)
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in nodes)
    graph.add_edges_from((e.source, e.target) for e in edges)

    doc = pairs(store, "problem", limit=100_000, depth=3)
    expected = []
    for v in {w for s in values.values() for w in s}:
        members = sorted(i for i in values if v in values[i])
        untied = [(a, b) for a, b in combinations(members, 2) if not graph.has_edge(a, b)]
        tied = len(list(combinations(members, 2))) - len(untied)
        expected.append((v, members, untied, tied))
    assert doc["total"] == sum(len(e[2]) for e in expected)
    # the value is shown in the spelling most of its actors use: compare normalised
    by_value = {normalise_name(v["value"]): v for v in doc["values"]}
    for v, members, _, tied in expected:
        if len(members) >= 2:
            assert (by_value[v]["actors"], by_value[v]["ties"]) == (len(members), tied)
    listed = [(normalise_name(p["value"]), p["a"], p["b"]) for p in doc["pairs"]]
    assert sorted(listed) == sorted((v, a, b) for v, _, untied, _ in expected for a, b in untied)
    for p in doc["pairs"]:
        assert (p["nearest"], p["distance"]) == nearest_by_networkx(graph, p["a"], p["b"], 3)


# -- the command line and the HTTP API ---------------------------------------------------------


def test_pairs_on_the_command_line(tmp_path: Path) -> None:
    from graph_service.store.embedded import EmbeddedStore

    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    villages(store)
    expected = pairs(store, "problem", where=["kind=Person"], limit=3)
    store.close()
    runner = CliRunner()
    args = ["--store", str(db), "pairs", "--share", "problem", "--where", "kind=Person"]
    result = runner.invoke(main, [*args, "--limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected
    assert "หนี้สิน" in result.stdout  # Thai as itself, not \\uXXXX

    result = runner.invoke(main, [*args, "--limit", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "4 คู่มี problem เดียวกันแต่ยังไม่มีความสัมพันธ์กัน / 4 pair(s) of actors have the "
        "same problem but no tie; the first 3 listed (--limit N)."
    )
    assert lines[1].endswith(f"(1; 3 or more actors, density below 0.50): {DEBT}")
    table = lines[2:6]
    assert table[0].split() == ["problem", "a", "b", "nearest", "to", "both", "steps"]
    assert table[1].split() == [DEBT, "ชาวบ้าน", "v1", "[v1]", "ชาวบ้าน", "v3", "[v3]"] + [
        "กลุ่มออมทรัพย์",
        "[o1]",
        "1,",
        "1",
    ]
    # the columns line up on screen, Thai marks taking no width
    column = display_width(table[0].split("nearest")[0])
    for line in table[1:]:
        cut = line.index("กลุ่มออมทรัพย์") if "[o1]" in line else line.index(" คนกลาง") + 1
        assert display_width(line[:cut]) == column

    bad = runner.invoke(main, ["--store", str(db), "pairs", "--share", "nothing"])
    assert bad.exit_code == 1 and "no actor has 'nothing'" in bad.output
    bad = runner.invoke(main, ["--store", str(db), "pairs"])
    assert bad.exit_code == 2


def test_pairs_over_http(store: GraphStore) -> None:
    from fastapi.testclient import TestClient

    from graph_service.app import create_app

    villages(store)
    with TestClient(create_app(store=store)) as client:
        got = client.get("/api/pairs", params={"share": "problem", "limit": 2})
        assert got.status_code == 200
        assert got.json() == pairs(store, "problem", limit=2)
        got = client.get(
            "/api/pairs",
            params={"share": "problem", "where": ["kind=Person"], "types": "KNOWS", "depth": 3},
        ).json()
        assert rows(got)[1] == (DEBT, "v2", "v3", "a0", [2, 2])
        bad = client.get("/api/pairs", params={"share": "problem", "limit": -1})
        assert bad.status_code == 422
        assert bad.json()["error"]["details"] == {"limit": -1}
        assert client.get("/api/pairs").status_code == 422
        bad = client.get("/api/pairs", params={"share": "problem", "density_below": "nan"})
        assert bad.status_code == 422  # and JSON: nan is not a JSON number
        assert bad.json()["error"]["details"] == {"density_below": "nan"}

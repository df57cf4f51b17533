"""Fund overlap (graph_service.analysis.overlap): pairs of funds over the same areas or
recipients, duplication or complementary activity by activity (DOMAIN.md section 4,
CONTRACT.md section 3). Every expected figure below is worked out by hand in the comments."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest

from graph_service.analysis.overlap import overlap, overlap_report
from graph_service.domain import Edge, Node, Subgraph, edge_key
from graph_service.errors import InvalidInput, NotFound
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.factories import organisation

SAMPLES = Path(__file__).resolve().parents[2] / "graph_service" / "data" / "samples"
DIRECT = {"via": None, "type": "FUNDS"}


def fund(id: str, **props: Any) -> Node:
    return Node(id, "Fund", {"name": id, **props})


def area(id: str, level: str = "subdistrict", **props: Any) -> Node:
    return Node(id, "Area", {"name": id, "admin_level": level, **props})


def funds(source: str, target: str, own_id: str | None = None, **props: Any) -> Edge:
    """A FUNDS relationship; ``own_id`` lets two of them join the same ends (two years)."""
    return Edge(source, "FUNDS", target, props, edge_key(source, "FUNDS", target, own_id))


def graph(nodes: list[Node], edges: list[Edge]) -> Subgraph:
    return Subgraph.of(nodes, edges)


def only_pair(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["pairs"]) == 1, doc["pairs"]
    return doc["pairs"][0]


# -- the kind of a pair ------------------------------------------------------------------------


def test_duplication_pair() -> None:
    # Both pay area s1; the need is 500,000 (on f1's FUNDS). max(600,000, 300,000) ≥ 500,000:
    # f1 alone was enough.
    sub = graph(
        [fund("f1"), fund("f2"), area("s1")],
        [
            funds("f1", "s1", amount_thb=600_000, need_thb=500_000),
            funds("f2", "s1", amount_thb=300_000),
        ],
    )
    doc = overlap_report(sub, by="area")
    assert doc["by"] == "area"
    assert doc["funds"] == 2
    pair = only_pair(doc)
    assert pair["fund_a"] == "f1" and pair["fund_b"] == "f2"
    assert pair["shared"] == ["s1"]
    assert pair["jaccard"] == 1.0 and pair["overlap"] == 1.0
    # min(600k, 300k) / max(600k, 300k)
    assert pair["weighted_jaccard"] == 0.5
    assert pair["kind"] == "duplication"
    assert pair["activities"] == [
        {
            "target": "s1",
            "purpose": None,
            "amount_a": 600000,
            "amount_b": 300000,
            "need": 500000,
            "kind": "duplication",
        }
    ]
    assert pair["paths"] == [{"target": "s1", "fund_a": [DIRECT], "fund_b": [DIRECT]}]
    assert "600,000" in pair["reason"] and "500,000" in pair["reason"]
    assert pair["reason"].startswith("duplication")
    assert doc["funds_per_target"] == {"s1": 2}
    assert doc["unfunded"] == []


def test_complementary_pair_with_need_from_the_target() -> None:
    # No FUNDS carries a need, so N is org-1's own need_thb, 1,000,000;
    # max(400,000, 500,000) < 1,000,000: both were needed.
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1", need_thb=1_000_000)],
        [funds("f1", "org-1", amount_thb=400_000), funds("f2", "org-1", amount_thb=500_000)],
    )
    pair = only_pair(overlap_report(sub, by="beneficiary"))
    assert pair["kind"] == "complementary"
    assert pair["activities"][0]["need"] == 1_000_000
    assert pair["activities"][0]["kind"] == "complementary"
    assert pair["weighted_jaccard"] == 0.8  # 400k / 500k
    assert pair["reason"].startswith("complementary: in the one shared activity")


def test_need_on_a_funds_relationship_wins_over_the_targets_need() -> None:
    # The same graph, but f2's FUNDS says the activity needs 450,000 (the largest need on the
    # FUNDS relationships): it replaces org-1's own 1,000,000, and 500,000 ≥ 450,000.
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1", need_thb=1_000_000)],
        [
            funds("f1", "org-1", amount_thb=400_000, need_thb=300_000),
            funds("f2", "org-1", amount_thb=500_000, need_thb=450_000),
        ],
    )
    pair = only_pair(overlap_report(sub, by="beneficiary"))
    assert pair["activities"][0]["need"] == 450_000
    assert pair["kind"] == "duplication"


def test_unknown_pair_when_an_amount_is_missing() -> None:
    # f2 gives no amount: the activity and the pair are unknown, and so is the weighted
    # Jaccard (it cannot be computed), which a note says.
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1", need_thb=1000)],
        [funds("f1", "org-1", amount_thb=100), funds("f2", "org-1")],
    )
    doc = overlap_report(sub, by="beneficiary")
    pair = only_pair(doc)
    assert pair["kind"] == "unknown"
    assert pair["activities"] == [
        {
            "target": "org-1",
            "purpose": None,
            "amount_a": 100,
            "amount_b": None,
            "need": 1000,
            "kind": "unknown",
        }
    ]
    assert pair["weighted_jaccard"] is None
    assert "no amount_thb from f2" in pair["reason"]
    assert any("weighted_jaccard is null for 1 pair" in n for n in doc["notes"])


def test_non_numeric_amount_is_missing() -> None:
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1", need_thb=1000)],
        [funds("f1", "org-1", amount_thb="a lot"), funds("f2", "org-1", amount_thb=2000)],
    )
    pair = only_pair(overlap_report(sub, by="beneficiary"))
    assert pair["activities"][0]["amount_a"] is None
    assert pair["kind"] == "unknown"


def test_two_purposes_at_one_target_are_two_activities() -> None:
    # (org-1, health): 300 and 300 against 500 -> complementary;
    # (org-1, training): 200 and 100 against 250 -> complementary. Both: complementary.
    nodes = [fund("f1"), fund("f2"), organisation("org-1")]
    edges = [
        funds("f1", "org-1", "f1-h", purpose="health", amount_thb=300, need_thb=500),
        funds("f1", "org-1", "f1-t", purpose="training", amount_thb=200),
        funds("f2", "org-1", "f2-h", purpose="health", amount_thb=300),
        funds("f2", "org-1", "f2-t", purpose="training", amount_thb=100, need_thb=250),
    ]
    pair = only_pair(overlap_report(graph(nodes, edges), by="beneficiary"))
    assert [
        (a["purpose"], a["amount_a"], a["amount_b"], a["need"]) for a in pair["activities"]
    ] == [
        ("health", 300, 300, 500),
        ("training", 200, 100, 250),
    ]
    assert pair["kind"] == "complementary"
    assert "each of the 2 shared activities" in pair["reason"]
    # w_f1(org-1) = 300 + 200, w_f2(org-1) = 300 + 100: 400 / 500
    assert pair["weighted_jaccard"] == 0.8

    # A second year of f2's health funding: b = 300 + 250 = 550 ≥ 500, a duplication.
    edges.append(funds("f2", "org-1", "f2-h-2", purpose="health", amount_thb=250))
    pair = only_pair(overlap_report(graph(nodes, edges), by="beneficiary"))
    assert pair["activities"][0]["amount_b"] == 550
    assert pair["activities"][0]["kind"] == "duplication"
    assert pair["activities"][1]["kind"] == "complementary"
    assert pair["kind"] == "duplication"
    assert "health" in pair["reason"]


def test_a_shared_target_without_a_shared_activity_is_unknown() -> None:
    # f1 pays org-1 (which works in s1), f2 pays s1 itself: they meet in s1 but pay no
    # activity in common.
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1"), area("s1")],
        [
            funds("f1", "org-1", amount_thb=100),
            funds("f2", "s1", amount_thb=50),
            Edge("org-1", "OPERATES_IN", "s1"),
        ],
    )
    pair = only_pair(overlap_report(sub, by="area"))
    assert pair["activities"] == []
    assert pair["kind"] == "unknown"
    assert "share 1 area(s) but pay no activity in common" in pair["reason"]


# -- reach by area -----------------------------------------------------------------------------


def test_pair_sharing_an_area_through_a_recipient_records_the_paths() -> None:
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1"), area("s1"), area("s2")],
        [
            funds("f1", "org-1", amount_thb=100),
            funds("f2", "s1", amount_thb=50),
            Edge("org-1", "OPERATES_IN", "s1"),
            Edge("org-1", "LOCATED_IN", "s1"),
            Edge("org-1", "OPERATES_IN", "s2"),
        ],
    )
    doc = overlap_report(sub, by="area")
    pair = only_pair(doc)
    assert pair["shared"] == ["s1"]
    # f1 reaches {s1, s2}, f2 {s1}
    assert pair["jaccard"] == 0.5 and pair["overlap"] == 1.0
    assert pair["paths"] == [
        {
            "target": "s1",
            "fund_a": [
                {"via": "org-1", "type": "LOCATED_IN"},
                {"via": "org-1", "type": "OPERATES_IN"},
            ],
            "fund_b": [DIRECT],
        }
    ]
    # w_f1 = 100 on s1 and on s2 (one relationship reaches both, counted once per area),
    # w_f2 = 50 on s1: Σ min = 50, Σ max = 100 + 100
    assert pair["weighted_jaccard"] == 0.25
    assert doc["funds_per_target"] == {"s1": 2, "s2": 1}
    assert doc["unfunded"] == []


def test_by_beneficiary_and_by_area_on_the_same_graph() -> None:
    sub = graph(
        [fund("f1"), fund("f2"), organisation("org-1"), organisation("org-2"), area("s1")],
        [
            funds("f1", "org-1"),
            funds("f2", "org-2"),
            Edge("org-1", "OPERATES_IN", "s1"),
            Edge("org-2", "LOCATED_IN", "s1"),
        ],
    )
    by_area = overlap_report(sub, by="area")
    assert [(p["fund_a"], p["fund_b"], p["shared"]) for p in by_area["pairs"]] == [
        ("f1", "f2", ["s1"])
    ]
    assert by_area["pairs"][0]["paths"][0]["fund_b"] == [{"via": "org-2", "type": "LOCATED_IN"}]
    by_recipient = overlap_report(sub, by="beneficiary")
    assert by_recipient["pairs"] == []
    assert by_recipient["funds_per_target"] == {"org-1": 1, "org-2": 1}


def test_part_of_is_not_climbed() -> None:
    # f1 pays s1, f2 pays d1 which s1 is PART_OF: by area they do not meet.
    sub = graph(
        [fund("f1"), fund("f2"), area("s1"), area("d1", "district")],
        [funds("f1", "s1"), funds("f2", "d1"), Edge("s1", "PART_OF", "d1")],
    )
    assert overlap_report(sub)["pairs"] == []


def test_weighted_jaccard_exact_value() -> None:
    # f1: s1 100, s2 200, s3 300; f2: s2 50, s3 400, s4 10.
    # Σ min = 0 + 50 + 300 + 0 = 350; Σ max = 100 + 200 + 400 + 10 = 710; 350/710 = 35/71.
    nodes = [fund("f1"), fund("f2")] + [area(f"s{i}") for i in range(1, 5)]
    edges = [
        funds("f1", "s1", amount_thb=100),
        funds("f1", "s2", amount_thb=200),
        funds("f1", "s3", amount_thb=300),
        funds("f2", "s2", amount_thb=50),
        funds("f2", "s3", amount_thb=400),
        funds("f2", "s4", amount_thb=10),
    ]
    pair = only_pair(overlap_report(graph(nodes, edges)))
    assert pair["shared"] == ["s2", "s3"]
    assert pair["jaccard"] == 0.5  # 2 / 4
    assert pair["overlap"] == 0.6666666667  # 2 / 3
    assert pair["weighted_jaccard"] == 0.4929577465  # 35 / 71 = 0.49295774647...
    # s2: 200 vs 50, no need anywhere -> unknown; s3: 300 vs 400, unknown
    assert [a["kind"] for a in pair["activities"]] == ["unknown", "unknown"]
    assert pair["kind"] == "unknown"


# -- coverage ----------------------------------------------------------------------------------


def coverage_graph() -> Subgraph:
    """p (province) > d1 > {s1, s2}; p > d2 > s3; q (another province) > s4.
    f1 pays s1; f2 pays s1 and org-1, which is LOCATED_IN d2."""
    nodes = [
        area("p", "provincial"),
        area("q", "provincial"),
        area("d1", "district"),
        area("d2", "district"),
        area("s1"),
        area("s2"),
        area("s3"),
        area("s4"),
        organisation("org-1", need_thb=10),
        organisation("org-2", need_thb=5),
        fund("f1"),
        fund("f2"),
    ]
    edges = [
        Edge("d1", "PART_OF", "p"),
        Edge("d2", "PART_OF", "p"),
        Edge("s1", "PART_OF", "d1"),
        Edge("s2", "PART_OF", "d1"),
        Edge("s3", "PART_OF", "d2"),
        Edge("s4", "PART_OF", "q"),
        Edge("org-1", "LOCATED_IN", "d2"),
        funds("f1", "s1"),
        funds("f2", "s1"),
        funds("f2", "org-1"),
    ]
    return graph(nodes, edges)


def test_funds_per_target_and_unfunded() -> None:
    doc = overlap_report(coverage_graph(), by="area")
    assert doc["funds_per_target"] == {"d2": 1, "s1": 2}
    # coverage rolls up along PART_OF: s1 and d2 are paid; p and d1 hold a paid area, s3
    # lies in one; s2 is s1's sibling and q, s4 another province: none of them is reached
    assert doc["coverage"] == {
        "d1": "within",
        "d2": "direct",
        "p": "within",
        "s1": "direct",
        "s3": "containing",
    }
    assert doc["unfunded"] == ["q", "s2", "s4"]
    assert doc["coverage_counts"] == {"direct": 2, "containing": 1, "within": 2, "none": 3}
    pair = only_pair(doc)
    # f1 {s1}, f2 {s1, d2}
    assert (pair["jaccard"], pair["overlap"]) == (0.5, 1.0)


def test_unfunded_with_scope_and_level() -> None:
    sub = coverage_graph()
    assert overlap_report(sub, scope="p")["unfunded"] == ["s2"]
    assert overlap_report(sub, scope="d1")["unfunded"] == ["s2"]
    assert overlap_report(sub, scope="p", level="subdistrict")["unfunded"] == ["s2"]
    assert overlap_report(sub, level="subdistrict")["unfunded"] == ["s2", "s4"]
    doc = overlap_report(sub, scope="p", level="district")
    assert doc["unfunded"] == []
    assert doc["coverage"] == {"d1": "within", "d2": "direct"}
    assert (doc["scope"], doc["level"]) == ("p", "district")


def test_unfunded_by_beneficiary_lists_entities_with_a_need() -> None:
    doc = overlap_report(coverage_graph(), by="beneficiary")
    # org-1 (need 10) is paid by f2; org-2 (need 5) by nobody
    assert doc["unfunded"] == ["org-2"]
    assert doc["funds_per_target"] == {"org-1": 1, "s1": 2}


def test_an_organisation_that_funds_is_not_a_fund() -> None:
    # The funder's FUNDS (and the need it states) are left out: f1 and f2 are compared, the
    # activity's need is org-1's own (none), so the pair is unknown, not duplication.
    sub = graph(
        [fund("f1"), fund("f2"), organisation("funder"), organisation("org-1")],
        [
            Edge("funder", "FUNDS", "org-1", {"amount_thb": 999, "need_thb": 100}),
            funds("f1", "org-1", amount_thb=300),
            funds("f2", "org-1", amount_thb=200),
        ],
    )
    doc = overlap_report(sub, by="beneficiary")
    assert doc["funds"] == 2
    pair = only_pair(doc)
    assert (pair["fund_a"], pair["fund_b"]) == ("f1", "f2")
    assert pair["activities"][0]["need"] is None
    assert pair["kind"] == "unknown"
    assert doc["funds_per_target"] == {"org-1": 2}
    assert any(n.startswith("1 FUNDS relationship(s) start at an entity") for n in doc["notes"])


def test_organisation_funder_alone_gives_no_pair() -> None:
    sub = graph(
        [fund("f1"), organisation("funder"), area("s1")],
        [Edge("funder", "FUNDS", "s1"), funds("f1", "s1")],
    )
    doc = overlap_report(sub)
    assert doc["pairs"] == [] and doc["funds_per_target"] == {"s1": 1}


# -- errors, empty graphs, determinism ---------------------------------------------------------


class NoStore:
    """A store that must not be asked: the arguments are checked first."""

    def subgraph(self, kinds: Any = None, types: Any = None) -> Subgraph:
        raise AssertionError("the store was read before the arguments were checked")


def test_bad_by_value() -> None:
    with pytest.raises(InvalidInput) as err:
        overlap(NoStore(), by="province")  # type: ignore[arg-type]
    assert "area" in err.value.message and "beneficiary" in err.value.message
    assert err.value.details["allowed"] == ["area", "beneficiary"]
    with pytest.raises(InvalidInput):
        overlap_report(Subgraph(), by="funds")


def test_unknown_scope_and_bad_scope() -> None:
    sub = coverage_graph()
    with pytest.raises(NotFound):
        overlap_report(sub, scope="nowhere")
    with pytest.raises(InvalidInput, match="not an Area"):
        overlap_report(sub, scope="org-1")
    with pytest.raises(InvalidInput, match="unknown admin level"):
        overlap_report(sub, level="subdistict")
    with pytest.raises(InvalidInput, match="by area only"):
        overlap_report(sub, by="beneficiary", scope="p")


def test_empty_graph_is_a_valid_document() -> None:
    for by in ("area", "beneficiary"):
        doc = overlap_report(Subgraph(), by=by)
        assert doc["pairs"] == [] and doc["funds_per_target"] == {} and doc["unfunded"] == []
        assert doc["funds"] == 0
        assert any("no Fund" in n for n in doc["notes"])
        json.dumps(doc, allow_nan=False)


def test_funds_without_funds_relationships() -> None:
    doc = overlap_report(graph([fund("f1"), area("s1")], []))
    assert doc["pairs"] == [] and doc["unfunded"] == ["s1"]
    assert any("no Fund has a FUNDS relationship" in n for n in doc["notes"])


def test_pairs_sorted_by_jaccard_then_ids_and_output_independent_of_input_order() -> None:
    # f1 {s1}, f2 {s1}, f3 {s1, s2}: (f1, f2) 1.0, then (f1, f3) and (f2, f3) 0.5
    nodes = [fund("f3"), fund("f1"), fund("f2"), area("s2"), area("s1")]
    edges = [funds("f3", "s2"), funds("f1", "s1"), funds("f3", "s1"), funds("f2", "s1")]
    doc = overlap_report(graph(nodes, edges))
    assert [(p["fund_a"], p["fund_b"], p["jaccard"]) for p in doc["pairs"]] == [
        ("f1", "f2", 1.0),
        ("f1", "f3", 0.5),
        ("f2", "f3", 0.5),
    ]
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(nodes)
        rng.shuffle(edges)
        assert overlap_report(graph(nodes, edges)) == doc


# -- against a plain reading of the rules on random graphs -------------------------------------


def reference(sub: Subgraph, by: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    """The rules of DOMAIN.md section 4 written out as loops over Python sets."""
    nodes = sub.nodes
    fund_ids = sorted(i for i, n in nodes.items() if n.kind == "Fund")
    rels = [e for e in sub.edges if e.type == "FUNDS" and e.source in fund_ids]

    def reached_by(e: Edge) -> set[str]:
        if by == "beneficiary":
            return {e.target}
        out = {e.target} if nodes[e.target].kind == "Area" else set()
        for x in sub.edges:
            linked = x.source == e.target and x.type in ("OPERATES_IN", "LOCATED_IN")
            if linked and nodes[x.target].kind == "Area":
                out.add(x.target)
        return out

    def num(v: Any) -> float | None:
        ok = isinstance(v, int | float) and not isinstance(v, bool)
        return float(v) if ok else None

    weight: dict[str, dict[str, float | None]] = {f: {} for f in fund_ids}
    for e in rels:
        for t in reached_by(e):
            old, amt = weight[e.source].get(t, 0.0), num(e.props.get("amount_thb"))
            weight[e.source][t] = None if old is None or amt is None else old + amt

    def activity(e: Edge) -> tuple[str, Any]:
        return (e.target, e.props.get("purpose"))

    need: dict[tuple[str, Any], float | None] = {}
    for e in rels:
        n = num(e.props.get("need_thb"))
        if n is not None:
            old = need.get(activity(e))
            need[activity(e)] = n if old is None else max(old, n)
    out = {}
    for a, b in itertools.combinations(fund_ids, 2):
        wa, wb = weight[a], weight[b]
        shared = set(wa) & set(wb)
        if not shared:
            continue
        union = set(wa) | set(wb)
        xa = [wa.get(t, 0.0) for t in sorted(union)]
        xb = [wb.get(t, 0.0) for t in sorted(union)]
        wj: float | None = None
        if None not in xa and None not in xb:
            pairs = [(x, y) for x, y in zip(xa, xb, strict=True) if x is not None and y is not None]
            top = sum(min(x, y) for x, y in pairs)
            bottom = sum(max(x, y) for x, y in pairs)
            wj = round(top / bottom, 10) if bottom else None
        acts_a = {activity(e) for e in rels if e.source == a}
        acts_b = {activity(e) for e in rels if e.source == b}
        kinds = []
        for act in sorted(acts_a & acts_b, key=lambda k: (k[0], k[1] is not None, k[1] or "")):

            def paid(f: str, act: tuple[str, Any] = act) -> float | None:
                amounts = [
                    num(e.props.get("amount_thb"))
                    for e in rels
                    if e.source == f and activity(e) == act
                ]
                return None if None in amounts else sum(amounts)  # type: ignore[arg-type]

            n = need.get(act)
            if n is None:
                n = num(nodes[act[0]].props.get("need_thb"))
            x, y = paid(a), paid(b)
            if n is None or x is None or y is None:
                kinds.append("unknown")
            else:
                kinds.append("duplication" if max(x, y) >= n else "complementary")
        if "duplication" in kinds:
            kind = "duplication"
        elif kinds and all(k == "complementary" for k in kinds):
            kind = "complementary"
        else:
            kind = "unknown"
        out[(a, b)] = (
            sorted(shared),
            round(len(shared) / len(union), 10),
            round(len(shared) / min(len(wa), len(wb)), 10),
            wj,
            kind,
            kinds,
        )
    return out


def random_graph(seed: int) -> Subgraph:
    rng = random.Random(seed)
    areas = [area(f"s{i}", need_thb=rng.choice([None, 100, 300])) for i in range(8)]
    orgs = [organisation(f"org-{i}", need_thb=rng.choice([None, 200])) for i in range(5)]
    fs = [fund(f"f{i}") for i in range(7)]
    edges = []
    for o in orgs:
        for s in rng.sample(areas, rng.randint(0, 2)):
            edges.append(Edge(o.id, rng.choice(["OPERATES_IN", "LOCATED_IN"]), s.id))
    for n, f in enumerate(fs):
        for k, r in enumerate(rng.sample(areas + orgs, rng.randint(0, 5))):
            for year in range(rng.choice([1, 1, 2])):
                props: dict[str, Any] = {}
                if rng.random() < 0.85:
                    props["amount_thb"] = rng.choice([50, 100, 150, 250])
                if rng.random() < 0.3:
                    props["need_thb"] = rng.choice([100, 200])
                if rng.random() < 0.5:
                    props["purpose"] = rng.choice(["a", "b"])
                edges.append(funds(f.id, r.id, f"{n}-{k}-{year}", **props))
    nodes = [Node(n.id, n.kind, {k: v for k, v in n.props.items() if v is not None}) for n in areas]
    nodes += [Node(n.id, n.kind, {k: v for k, v in n.props.items() if v is not None}) for n in orgs]
    return graph(nodes + fs, edges)


@pytest.mark.parametrize("by", ["area", "beneficiary"])
def test_agrees_with_a_plain_reading_of_the_rules(by: str) -> None:
    for seed in range(40):
        sub = random_graph(seed)
        doc = overlap_report(sub, by=by)
        ours = {
            (p["fund_a"], p["fund_b"]): (
                p["shared"],
                p["jaccard"],
                p["overlap"],
                p["weighted_jaccard"],
                p["kind"],
                [a["kind"] for a in p["activities"]],
            )
            for p in doc["pairs"]
        }
        assert ours == reference(sub, by), f"seed {seed}"
        json.dumps(doc, allow_nan=False)


# -- the bundled samples, through a store ------------------------------------------------------


@pytest.fixture
def sample_store(tmp_path: Path):  # type: ignore[no-untyped-def]
    stores = []

    def load(name: str) -> EmbeddedStore:
        store = EmbeddedStore(tmp_path / f"{name}.db")
        import_dataset(store, SAMPLES / name)
        stores.append(store)
        return store

    yield load
    for store in stores:
        store.close()


def test_community_occupation_sample(sample_store) -> None:  # type: ignore[no-untyped-def]
    store = sample_store("community-occupation")
    doc = overlap(store, by="beneficiary")
    pair = only_pair(doc)
    assert (pair["fund_a"], pair["fund_b"]) == ("fund-project-budget", "fund-skills-grant")
    assert pair["shared"] == ["org-provider"]
    assert pair["jaccard"] == 1.0 and pair["overlap"] == 1.0
    assert pair["kind"] == "unknown"
    assert pair["weighted_jaccard"] is None  # the text gives no amounts
    assert doc["funds"] == 3
    assert doc["funds_per_target"] == {"org-central-team": 1, "org-provider": 2}
    # org-eef FUNDS prog-cbod, org-central-team and (funder_id) prog-pilot-system;
    # org-central-team FUNDS net-node-network: four relationships from funders, not funds
    assert any(n.startswith("4 FUNDS relationship(s)") for n in doc["notes"])
    json.dumps(doc, allow_nan=False)

    by_area = overlap(store, by="area")
    pair = only_pair(by_area)
    assert pair["shared"] == ["area-target-communities"]
    assert pair["paths"][0]["fund_a"] == [{"via": "org-provider", "type": "OPERATES_IN"}]
    assert pair["activities"][0]["target"] == "org-provider"  # activities stay at the recipient
    assert "area-target-communities" not in by_area["unfunded"]
    assert "area-national" in by_area["unfunded"]


def test_informal_workers_sample_has_no_pairs(sample_store) -> None:  # type: ignore[no-untyped-def]
    store = sample_store("informal-workers-km")
    for by in ("area", "beneficiary"):
        doc = overlap(store, by=by)
        assert doc["pairs"] == []
        assert doc["funds"] == 2

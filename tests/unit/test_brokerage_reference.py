"""graph_service's brokerage measures against their references (DOMAIN.md section 6).

- Gould–Fernandez roles, expected values, standard deviations and z-scores against R's
  ``sna::brokerage`` 2.7: the golden files in ``tests/reference/golden`` (always, no R
  needed; ``tests/reference/make_golden.py`` regenerates them) and, when ``Rscript`` is on
  the PATH, fresh graphs compared on the fly. In CI (``CI`` set) a missing Rscript fails the
  run instead of skipping: CI installs ``r-cran-sna``.
- Burt's constraint and effective size against ``nx.constraint`` / ``nx.effective_size``.
- Betweenness against ``nx.betweenness_centrality`` (normalised).

Tolerances: counts equal exactly; floats to 1e-9 relative (with 1e-12 absolute for values
that are 0 up to rounding). Where R's z-score is NaN, NA or ±Inf (a standard deviation of
0), ours is NaN from the functions and null in the brokerage() document.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest

from graph_service.analysis import brokerage as br
from graph_service.analysis.common import group_actors
from graph_service.domain import Edge, Node
from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.reference import make_golden as mg

SAMPLE = Path(br.__file__).resolve().parents[1] / "data" / "samples" / "community-occupation"
GOLDEN_NAMES = sorted(p.name.removesuffix(".graph.csv") for p in mg.GOLDEN.glob("*.graph.csv"))
RTOL, ATOL = 1e-9, 1e-12
#: brokerage() rounds floats to 10 decimals (clean_float), so its document is compared
#: to R with this absolute tolerance besides the relative one
JSON_ATOL = 1e-9
COLUMNS = (*br.ROLES, "total")


# -- ours, in R's shape ---------------------------------------------------------------------


def ours(graph: mg.Graph) -> mg.SnaResult:
    """What R's brokerage() returns, computed by graph_service's functions."""
    codes, _ = graph.codes()
    raw = br.gould_fernandez(graph.n, graph.src, graph.dst, codes)
    ebr, vbr, eg, vg = br.sna_expectations(graph.n, graph.m, np.bincount(codes))
    observed = raw.sum(axis=0).astype(np.float64)
    return mg.SnaResult(
        raw=raw,
        exp=ebr[codes],
        sd=np.sqrt(vbr[codes]),
        z=br._z(raw.astype(np.float64), ebr[codes], vbr[codes]),
        g_raw=raw.sum(axis=0),
        g_exp=eg,
        g_sd=np.sqrt(vg),
        g_z=br._z(observed, eg, vg),
    )


def assert_close(ours_: np.ndarray, ref: np.ndarray, what: str) -> None:
    np.testing.assert_allclose(ours_, ref, rtol=RTOL, atol=ATOL, err_msg=what)


def assert_z(ours_: np.ndarray, ref: np.ndarray, what: str) -> None:
    undefined = ~np.isfinite(ref)  # NaN (0/0), NA, or ±Inf (x/0) in R
    assert np.array_equal(np.isnan(ours_), undefined), (
        f"{what}: NaN where R is not finite, and only there"
    )
    assert_close(ours_[~undefined], ref[~undefined], what)


def assert_same_as_sna(graph: mg.Graph, ref: mg.SnaResult) -> None:
    got = ours(graph)
    assert ref.raw.shape == (graph.n, 6)
    assert np.array_equal(got.raw, ref.raw), "raw counts differ from sna"
    assert np.array_equal(got.g_raw, ref.g_raw), "graph totals differ from sna"
    assert_close(got.exp, ref.exp, "expected values")
    assert_close(got.sd, ref.sd, "standard deviations")
    assert_z(got.z, ref.z, "z-scores")
    assert_close(got.g_exp, ref.g_exp, "graph expected values")
    assert_close(got.g_sd, ref.g_sd, "graph standard deviations")
    assert_z(got.g_z, ref.g_z, "graph z-scores")


def json_close(value: float | None, ref: float) -> bool:
    if not math.isfinite(ref):
        return value is None
    return value is not None and math.isclose(value, ref, rel_tol=RTOL, abs_tol=JSON_ATOL)


def assert_report_same_as_sna(doc: dict[str, Any], ids: list[str], ref: mg.SnaResult) -> None:
    """The brokerage() document against R, node by node and for the whole graph."""
    json.dumps(doc, allow_nan=False)  # no NaN or Infinity anywhere
    rows = {r["id"]: r for r in doc["nodes"]}
    assert sorted(rows) == sorted(ids)
    for i, id_ in enumerate(ids):
        row = rows[id_]
        for j, col in enumerate(COLUMNS):
            assert row[col] == ref.raw[i, j], (id_, col)
            assert json_close(row["expected"][col], ref.exp[i, j]), (id_, col, "expected")
            assert json_close(row["z"][col], ref.z[i, j]), (id_, col, "z", row["z"][col])
    for j, col in enumerate(COLUMNS):
        total = doc["totals"][col]
        assert total["observed"] == ref.g_raw[j], col
        assert json_close(total["expected"], ref.g_exp[j]), (col, "expected")
        assert json_close(total["sd"], ref.g_sd[j]), (col, "sd")
        assert json_close(total["z"], ref.g_z[j]), (col, "z")


def store_graph(store: GraphStore, graph: mg.Graph) -> list[str]:
    """The graph as organisations with a ``grp`` property tied by SUPPORTS (a directed
    type); returns the ids in node order (sorted, so that index i is node i)."""
    ids = [f"n{i + 1:03d}" for i in range(graph.n)]
    nodes = [
        Node(id_, "Organisation", {"name": id_, "grp": g})
        for id_, g in zip(ids, graph.groups, strict=True)
    ]
    edges = [
        Edge(ids[a], "SUPPORTS", ids[b])
        for a, b in zip(graph.src.tolist(), graph.dst.tolist(), strict=True)
    ]
    store.write(nodes, edges)
    return ids


# -- golden files (no R needed) ---------------------------------------------------------------


def test_golden_files_are_there() -> None:
    assert set(GOLDEN_NAMES) == set(mg.GOLDEN_CASES), "run tests/reference/make_golden.py"
    for name in GOLDEN_NAMES:
        assert (mg.GOLDEN / f"{name}.sna.csv").is_file(), name


@pytest.mark.parametrize("name", sorted(mg.GOLDEN_CASES))
def test_golden_graph_files_match_their_generator(name: str) -> None:
    """The stored graph is the one make_golden.py builds (seeds unchanged)."""
    stored = mg.read_graph_csv(mg.GOLDEN / f"{name}.graph.csv")
    made = mg.GOLDEN_CASES[name]()
    assert stored.n == made.n and stored.groups == made.groups
    assert np.array_equal(stored.src, made.src) and np.array_equal(stored.dst, made.dst)


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_functions(name: str) -> None:
    graph = mg.read_graph_csv(mg.GOLDEN / f"{name}.graph.csv")
    assert_same_as_sna(graph, mg.read_sna_csv(mg.GOLDEN / f"{name}.sna.csv"))


@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden_report(name: str, embedded_store: GraphStore) -> None:
    graph = mg.read_graph_csv(mg.GOLDEN / f"{name}.graph.csv")
    ids = store_graph(embedded_store, graph)
    doc = br.brokerage(embedded_store, group_by="grp")
    assert doc["actors"] == graph.n and doc["ties"] == graph.m
    assert_report_same_as_sna(doc, ids, mg.read_sna_csv(mg.GOLDEN / f"{name}.sna.csv"))


def test_golden_hand_graph_counts() -> None:
    """The hand-made graph's counts as its docstring works them out, and R agrees."""
    want = [
        [0, 0, 0, 1, 0, 1],
        [1, 0, 2, 0, 0, 3],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 0, 2],
        [0, 0, 0, 0, 0, 0],
        [0, 2, 0, 0, 1, 3],
    ]
    graph = mg.hand_graph()
    codes, _ = graph.codes()
    assert br.gould_fernandez(graph.n, graph.src, graph.dst, codes).tolist() == want
    assert mg.read_sna_csv(mg.GOLDEN / "hand6.sna.csv").raw.tolist() == want


def test_golden_files_hold_undefined_z_scores() -> None:
    """The golden set exercises the 0/0 case (groups of one and two nodes)."""
    ref = mg.read_sna_csv(mg.GOLDEN / "random55.sna.csv")
    assert np.isnan(ref.z).any()


# -- live comparison with R ------------------------------------------------------------------


@pytest.fixture(scope="module")
def rscript() -> str:
    path = shutil.which("Rscript")
    if path is None:
        reason = "Rscript not found: install R and sna (Debian: apt-get install r-cran-sna)"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the comparison with R)")
        pytest.skip(reason + " (outside CI only)")
    return path


LIVE_RANDOM = [
    # seed, nodes, group weights, density, reciprocity
    (101, 20, [1, 1], 0.25, 0.5),
    (202, 120, [5, 3, 2, 1], 0.03, 0.3),
    (303, 200, [1] * 7, 0.02, 0.1),
    (404, 60, [3, 2, 1], 0.45, 0.6),
]


@pytest.mark.parametrize(("seed", "n", "weights", "density", "recip"), LIVE_RANDOM)
def test_live_random_graphs(
    rscript: str,
    tmp_path: Path,
    seed: int,
    n: int,
    weights: list[float],
    density: float,
    recip: float,
) -> None:
    graph = mg.random_graph(seed, n, weights, density, recip)
    assert_same_as_sna(graph, mg.sna_of(graph, tmp_path, rscript=rscript))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(tmp_path_factory.mktemp("sample") / "graph.db")
    import_dataset(store, SAMPLE)
    yield store
    store.close()


@pytest.mark.parametrize("undirected", [False, True], ids=["directed", "undirected"])
@pytest.mark.parametrize("group_by", ["admin_level", "sector", "kind"])
def test_live_sample_actor_ties(
    rscript: str, sample_store: EmbeddedStore, tmp_path: Path, group_by: str, undirected: bool
) -> None:
    """The community-occupation sample's actor ties (null group included) through R."""
    sub, ties = br.load_ties(sample_store, None, undirected)
    codes, labels = group_actors(sub.nodes, ties.ids, group_by, sub).codes()
    graph = mg.Graph(ties.n, [f"g{c}" for c in codes], ties.src, ties.dst)
    ref = mg.sna_of(graph, tmp_path, rscript=rscript)
    assert ref.g_raw[5] > 0
    assert_same_as_sna(graph, ref)
    doc = br.brokerage(sample_store, group_by=group_by, undirected=undirected)
    assert_report_same_as_sna(doc, ties.ids, ref)


# -- Burt's constraint and effective size vs networkx -----------------------------------------


def arcs_of(G: nx.Graph, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, de-duplicated arcs; an undirected edge gives both arcs."""
    pairs = list(G.edges())
    if not G.is_directed():
        pairs += [(b, a) for a, b in pairs]
    codes = np.unique(np.array([a * n + b for a, b in pairs if a != b], dtype=np.int64))
    return codes // n, codes % n


def random_nx(seed: int, n: int, p: float, directed: bool) -> nx.Graph:
    """A G(n, p) graph (directed ones have reciprocated pairs by chance) with node n - 1
    isolated, so it has at least one isolate."""
    G = nx.gnp_random_graph(n, p, seed=seed, directed=directed)
    G.remove_edges_from(list(G.edges(n - 1)))
    if directed:
        G.remove_edges_from(list(G.in_edges(n - 1)))
    assert G.degree(n - 1) == 0
    return G


def values(d: dict[int, float], n: int) -> np.ndarray:
    return np.array([d[i] for i in range(n)], dtype=np.float64)


def effective_size_per_node(G: nx.Graph) -> np.ndarray:
    """Effective size by networkx's per-node path (``nodes=`` given), the reference for
    directed graphs: networkx 3.6's default sparse path divides each mutual weight by the
    wrong row's maximum (``max(axis=1).toarray()`` is 1-D and broadcasts over columns;
    networkx pull request 8906), which is wrong on directed graphs that mix one-way and
    reciprocated ties (and on weighted graphs). The per-node path's isolate check looks at
    successors only, so a node with only in-arcs is computed on the reversed graph, which
    has the same mutual weights and neighbours."""
    n = G.number_of_nodes()
    forward = nx.effective_size(G, nodes=list(G))
    if G.is_directed():
        only_in = [v for v in G if G.out_degree(v) == 0 and G.in_degree(v) > 0]
        forward.update(nx.effective_size(G.reverse(), nodes=only_in))
    return values(forward, n)


BURT_CASES = [(1, 40, 0.08), (2, 60, 0.05), (3, 25, 0.3), (4, 120, 0.02), (5, 15, 0.5)]


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
@pytest.mark.parametrize(("seed", "n", "p"), BURT_CASES)
def test_burt_matches_networkx(seed: int, n: int, p: float, directed: bool) -> None:
    """Constraint: networkx's default call, directed and undirected. Effective size: the
    default call on undirected graphs, the per-node path on directed ones (see
    ``effective_size_per_node`` and the next tests)."""
    G = random_nx(seed, n, p, directed)
    src, dst = arcs_of(G, n)
    constraint, esize = br.burt(n, src, dst)
    want_c = values(nx.constraint(G), n)
    np.testing.assert_allclose(constraint, want_c, rtol=RTOL, atol=ATOL, equal_nan=True)
    want_e = effective_size_per_node(G)
    np.testing.assert_allclose(esize, want_e, rtol=RTOL, atol=ATOL, equal_nan=True)
    if not directed:
        default_e = values(nx.effective_size(G), n)
        np.testing.assert_allclose(esize, default_e, rtol=RTOL, atol=ATOL, equal_nan=True)
    isolated = np.array([G.degree(i) == 0 for i in range(n)])
    assert isolated[n - 1]
    assert np.array_equal(np.isnan(constraint), isolated)
    assert np.array_equal(np.isnan(esize), isolated)


@pytest.mark.parametrize(("seed", "n", "p"), BURT_CASES)
def test_burt_directed_one_way_ties_match_networkx_default(seed: int, n: int, p: float) -> None:
    """Without reciprocated arcs every mutual weight is 1, networkx's two paths agree, and
    burt() matches the default effective_size call on directed graphs too."""
    G = random_nx(seed, n, p, directed=True)
    G.remove_edges_from([(a, b) for a, b in list(G.edges()) if a > b and G.has_edge(b, a)])
    src, dst = arcs_of(G, n)
    _, esize = br.burt(n, src, dst)
    want = values(nx.effective_size(G), n)
    np.testing.assert_allclose(esize, want, rtol=RTOL, atol=ATOL, equal_nan=True)


def test_effective_size_directed_mixed_weights_hand_checked() -> None:
    """0↔1 reciprocated (mutual weight 2), 0→2 and 1→2 one-way (weight 1).

    Node 0: p_01 = 2/3, p_02 = 1/3; row maxima 2 (node 1) and 1 (node 2), so m_12 = 1/2 and
    m_21 = 1; e(0) = (1 − p_02·m_12) + (1 − p_01·m_21) = 5/6 + 1/3 = 7/6. Node 2 (only
    in-arcs): p_20 = p_21 = 1/2, m_01 = m_10 = 1: e(2) = 1/2 + 1/2 = 1; constraint(2) =
    2·(1/2 + 1/2·2/3)^2 = 25/18. networkx 3.6's default call gives 4/3 for e(0) (the row
    maximum bug, networkx pull request 8906); its per-node path gives 7/6 and NaN for node 2
    (it checks successors only)."""
    G = nx.DiGraph([(0, 1), (1, 0), (0, 2), (1, 2)])
    src, dst = arcs_of(G, 3)
    constraint, esize = br.burt(3, src, dst)
    assert esize[0] == pytest.approx(7 / 6, rel=RTOL)
    assert esize[1] == pytest.approx(7 / 6, rel=RTOL)
    assert esize[2] == pytest.approx(1.0, rel=RTOL)
    assert constraint[2] == pytest.approx(25 / 18, rel=RTOL)
    per_node = nx.effective_size(G, nodes=[0, 1, 2])
    assert per_node[0] == pytest.approx(7 / 6, rel=RTOL)
    assert math.isnan(per_node[2])
    np.testing.assert_allclose(esize, effective_size_per_node(G), rtol=RTOL)
    np.testing.assert_allclose(constraint, values(nx.constraint(G), 3), rtol=RTOL)


def test_burt_node_with_only_in_arcs_follows_networkx_default_path() -> None:
    """networkx has two code paths. The default one (``nodes`` not given, sparse matrices)
    reads a directed node's ties both ways, so a node with only in-arcs has a constraint
    and an effective size. The per-node loop (``nodes=`` given) tests ``len(G[v]) == 0``,
    the successors only, and returns NaN for that node. burt() matches the default path,
    which is also what the definition (mutual weights p_uv + p_vu) gives; on every other
    node the two paths agree (here: no tie is reciprocated, so networkx's effective-size
    bug below does not show)."""
    G = nx.DiGraph([(0, 1), (2, 1), (0, 2), (2, 3), (3, 0)])
    G.add_node(4)  # an isolate: NaN on every path
    n = G.number_of_nodes()
    src, dst = arcs_of(G, n)
    constraint, esize = br.burt(n, src, dst)
    default_c, default_e = nx.constraint(G), nx.effective_size(G)
    loop_c = nx.constraint(G, nodes=list(G))
    loop_e = nx.effective_size(G, nodes=list(G))
    assert G.out_degree(1) == 0 and G.in_degree(1) == 2
    assert math.isnan(loop_c[1]) and math.isnan(loop_e[1])
    assert math.isfinite(default_c[1]) and math.isfinite(default_e[1])
    assert constraint[1] == pytest.approx(default_c[1], rel=RTOL)
    assert esize[1] == pytest.approx(default_e[1], rel=RTOL)
    # node 1: both neighbours (0 and 2) tied to each other: p = 1/2 each,
    # constraint 2 * (1/2 + 1/2 * 1/3)^2 = 8/9 (p_02 = 1/3 since 0 has three neighbours)
    assert constraint[1] == pytest.approx(8 / 9, rel=RTOL)
    for v in (0, 2, 3):
        assert loop_c[v] == pytest.approx(default_c[v], rel=RTOL)
        assert loop_e[v] == pytest.approx(default_e[v], rel=RTOL)
        assert constraint[v] == pytest.approx(default_c[v], rel=RTOL)
        assert esize[v] == pytest.approx(default_e[v], rel=RTOL)
    assert math.isnan(constraint[4]) and math.isnan(esize[4])
    assert math.isnan(default_c[4]) and math.isnan(loop_c[4])


def test_burt_reciprocated_arc_weighs_double() -> None:
    """A reciprocated tie has mutual weight 2, a one-way tie 1 (networkx's definition)."""
    G = nx.DiGraph([(0, 1), (1, 0), (0, 2)])
    src, dst = arcs_of(G, 3)
    constraint, esize = br.burt(3, src, dst)
    # node 0: p_01 = 2/3, p_02 = 1/3, no ties between 1 and 2
    assert constraint[0] == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2, rel=RTOL)
    assert esize[0] == pytest.approx(2.0, rel=RTOL)
    np.testing.assert_allclose(constraint, values(nx.constraint(G), 3), rtol=RTOL)
    np.testing.assert_allclose(esize, values(nx.effective_size(G), 3), rtol=RTOL)


# -- betweenness vs networkx ------------------------------------------------------------------


BETWEENNESS_CASES = [(11, 30, 0.1), (12, 80, 0.04), (13, 150, 0.015), (14, 20, 0.4)]


@pytest.mark.parametrize("directed", [True, False], ids=["directed", "undirected"])
@pytest.mark.parametrize(("seed", "n", "p"), BETWEENNESS_CASES)
def test_betweenness_matches_networkx(seed: int, n: int, p: float, directed: bool) -> None:
    G = random_nx(seed, n, p, directed)
    src, dst = arcs_of(G, n)
    got = br.betweenness(n, src, dst)
    want = values(nx.betweenness_centrality(G, normalized=True), n)
    assert want.max() > 0
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_betweenness_tiny_graphs(n: int) -> None:
    G = nx.complete_graph(n, create_using=nx.DiGraph)
    src, dst = arcs_of(G, n) if n else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    got = br.betweenness(n, src, dst)
    assert got.tolist() == [0.0] * n == list(nx.betweenness_centrality(G).values())

"""Fixtures shared by every layer of tests.

Neo4j: ``GRAPH_TEST_NEO4J_URL`` (set by ``make test``, which starts a real Neo4j 5.26) names
the server; without it, testcontainers runs ``neo4j:5.26-community`` when Docker is there.
With ``CI`` set, a Neo4j that cannot be reached fails the run: it never skips.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph_service.store.base import GraphStore
from graph_service.store.embedded import EmbeddedStore

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "graph_service" / "data" / "samples"
SAMPLE_NAMES = ("community-occupation", "district-qol", "informal-workers-km")


def _docker_works() -> bool:
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[tuple[str, str, str]]:
    """(url, user, password) of a real Neo4j server."""
    url = os.environ.get("GRAPH_TEST_NEO4J_URL")
    password = os.environ.get("GRAPH_TEST_NEO4J_PASSWORD", "graph-service-dev")
    if url:
        yield url, "neo4j", password
        return
    if _docker_works():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community", password=password) as container:
            yield container.get_connection_url(), "neo4j", password
        return
    reason = "no Neo4j: set GRAPH_TEST_NEO4J_URL (make test starts one) or install Docker"
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must run the Neo4j tests)")
    pytest.skip(reason + " (outside CI only)")


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: tuple[str, str, str]) -> Iterator[GraphStore]:
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = neo4j_server
    # no query timeout: a test's own checks must not depend on how busy the machine is
    store = Neo4jStore(url, user, password, query_timeout=0)
    store.ping()  # unreachable with a URL given: an error, never a skip
    yield store
    store.clear()
    store.close()


@pytest.fixture
def neo4j_store(neo4j_session_store: GraphStore) -> GraphStore:
    neo4j_session_store.clear()
    return neo4j_session_store


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = EmbeddedStore(tmp_path / "graph.db", query_timeout=0)
    yield store
    store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> GraphStore:
    """Each store in turn, empty: the contract suite runs unchanged against both."""
    name = request.param
    return request.getfixturevalue(f"{name}_store")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many store-parametrised tests ran on each store, so a run shows that the
    contract suite ran against both (and that the Neo4j half was not skipped)."""
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if getattr(report, "when", "call") not in ("call", "setup"):
                continue
            if outcome == "passed" and report.when != "call":
                continue
            for store in ("embedded", "neo4j"):
                if f"[{store}" in nodeid or f"-{store}]" in nodeid:
                    counts.setdefault(store, {}).setdefault(outcome, 0)
                    counts[store][outcome] += 1
    if counts:
        terminalreporter.section("tests per store")
        for store, outcomes in sorted(counts.items()):
            text = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
            terminalreporter.write_line(f"{store}: {text}")

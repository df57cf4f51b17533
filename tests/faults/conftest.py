"""A Neo4j of the fault tests' own, which they may kill and start again.

``scripts/neo4j.sh`` runs it as ``NEO4J_NAME=faults`` on a free port (retried on another if a
program takes it first; ``GRAPH_TEST_FAULT_NEO4J_PORT`` names a fixed one), never the suite's
shared server; after a kill it comes back on the same port. With ``CI`` set, a server that cannot be
started fails the tests that need it: they never skip there.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.servers import wait_until

SCRIPT = REPO / "scripts" / "neo4j.sh"
NAME = "faults"


@dataclass
class FaultNeo4j:
    """A Neo4j server the test owns: ``kill()`` is a crash (SIGKILL of the JVM, no clean
    shutdown), ``start()`` brings it back on the same port with the same data."""

    password: str
    #: None until the first start, which picks a free port (or GRAPH_TEST_FAULT_NEO4J_PORT)
    port: int | None = None

    @property
    def url(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """The environment for a ``graph-service`` process that uses this server (with the
        default query timeout: imports are not subject to it)."""
        return {**os.environ, "GRAPH_NEO4J_PASSWORD": self.password}

    @property
    def folder(self) -> Path:
        return REPO / ".neo4j" / NAME

    def _script(self, verb: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "NEO4J_NAME": NAME,
            "NEO4J_PORT": str(self.port or os.environ.get("GRAPH_TEST_FAULT_NEO4J_PORT", "auto")),
            "GRAPH_NEO4J_PASSWORD": self.password,
            "NEO4J_HEAP": os.environ.get("GRAPH_TEST_FAULT_NEO4J_HEAP", "1g"),
        }
        return subprocess.run(
            [str(SCRIPT), verb], env=env, capture_output=True, text=True, timeout=600
        )

    def start(self) -> None:
        done = self._script("start")
        if done.returncode != 0:
            raise RuntimeError(f"scripts/neo4j.sh start failed:\n{done.stderr}")
        self.port = int((self.folder / "port").read_text())

    def stop(self) -> None:
        self._script("stop")

    def kill(self) -> int:
        """SIGKILL the server's JVM, wait until its port is closed; return its pid.

        The JVM is not this process's child, so after the kill it may linger as a zombie
        that ``kill -0`` still finds; the pid file goes too, as a crashed server leaves no
        running process behind, so that ``start`` starts a new one."""
        pid_file = self.folder / "pid"
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 9)
        port = self.port or 0
        wait_until(lambda: not (_alive(pid) or _port_open(port)), f"Neo4j (pid {pid}) to die")
        pid_file.unlink(missing_ok=True)
        (self.folder / "data" / "ready").unlink(missing_ok=True)
        return pid


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie has exited: False)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def fault_neo4j() -> Iterator[FaultNeo4j]:
    server = FaultNeo4j(os.environ.get("GRAPH_TEST_NEO4J_PASSWORD", "graph-service-dev"))
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        reason = f"cannot start the fault tests' own Neo4j on port {server.port}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run the fault tests)")
        pytest.skip(reason + " (outside CI only)")
    try:
        yield server
    finally:
        server.stop()

"""A Neo4j of the fault tests' own, which they may kill and start again.

``scripts/neo4j.sh`` runs it as ``NEO4J_NAME=faults`` on ``GRAPH_TEST_FAULT_NEO4J_PORT``
(default 17696), never the suite's shared server. With ``CI`` set, a server that cannot be
started fails the tests that need it: they never skip there.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "neo4j.sh"
NAME = "faults"


@dataclass
class FaultNeo4j:
    """A Neo4j server the test owns: ``kill()`` is a crash (SIGKILL of the JVM, no clean
    shutdown), ``start()`` brings it back on the same port with the same data."""

    port: int
    password: str

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
            "NEO4J_PORT": str(self.port),
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
        deadline = time.monotonic() + 60
        while _alive(pid) or _port_open(self.port):
            if time.monotonic() > deadline:
                raise AssertionError(f"Neo4j (pid {pid}) still runs 60 s after SIGKILL")
            time.sleep(0.1)
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
    server = FaultNeo4j(
        int(os.environ.get("GRAPH_TEST_FAULT_NEO4J_PORT", "17696")),
        os.environ.get("GRAPH_TEST_NEO4J_PASSWORD", "graph-service-dev"),
    )
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

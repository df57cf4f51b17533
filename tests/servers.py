"""Waiting for things and starting servers in tests, without depending on an idle machine.

- ``wait_until`` waits for a condition with a generous deadline, checking often at first and
  less often later; it fails with what it waited for and what it last saw. No test compares
  how long something took.
- ``serving`` starts ``graph-service serve`` as its own process on a free port. A free port
  can be taken by another program between the check and the bind: then the service exits
  saying so, and ``serving`` starts it again on another port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

#: how long a test waits for a server or a process before it gives up (never a check of speed)
PATIENCE = 180.0
CLI = str(Path(sys.executable).parent / "graph-service")
_PORT_TAKEN = ("address already in use", "errno 98")
SLOW_SERVE = (sys.executable, "-m", "tests.slow_serve")

T = TypeVar("T")


def wait_until(
    check: Callable[[], T | None],
    what: str,
    patience: float = PATIENCE,
    still: Callable[[], str | None] | None = None,
    every: float | None = None,
) -> T:
    """Call ``check`` until it returns something other than None or False, and return that.

    ``still``, when given, is asked between tries: a message from it means waiting is
    pointless (the process died) and fails at once. ``every``, when given, is a fixed pause
    between tries (for a state that lasts only a moment); without it the pause grows from
    20 ms to 0.5 s. After ``patience`` seconds: an AssertionError naming ``what`` and the
    last exception seen."""
    deadline = time.monotonic() + patience
    pause, last = every or 0.02, None
    while True:
        try:
            found = check()
            if found is not None and found is not False:
                return found
        except (OSError, ValueError) as exc:
            last = exc
        if still is not None and (gone := still()):
            raise AssertionError(f"while waiting for {what}: {gone}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {patience:g} s (last: {last!r})")
        time.sleep(pause)
        if every is None:
            pause = min(pause * 1.5, 0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str, timeout: float = PATIENCE) -> tuple[int, Any]:
    """(status, JSON body) of a GET; an HTTP error status is an answer, not an exception."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _healthy(base: str) -> dict[str, Any] | None:
    status, body = get_json(base + "/health", timeout=30)
    return body if status == 200 else None


class Served:
    """A running ``graph-service serve``: its base URL and its process."""

    def __init__(self, base: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base, self.process, self.log = base, process, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(
    store: str,
    log: Path,
    env: dict[str, str] | None = None,
    extra: Sequence[str] = (),
    attempts: int = 5,
    command: Sequence[str] = (CLI,),
) -> Iterator[Served]:
    """``graph-service --store STORE serve`` on a free port; yields once /health is 200.

    The service's output goes to ``log``. When it exits because another program took the
    port first, it is started again on another one (at most ``attempts`` times); any other
    exit fails with its output. On leaving, SIGTERM, then SIGKILL if it lingers.
    ``command`` replaces the ``graph-service`` command (``SLOW_SERVE``: the CLI with a read
    that never ends by itself, tests/slow_serve.py)."""
    environment = {**os.environ, **(env or {})}
    for _ in range(attempts):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--store", store, "serve", "--port", str(port), *extra],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        served = Served(f"http://127.0.0.1:{port}", process, log)

        def exited(process: subprocess.Popen[bytes] = process) -> str | None:
            code = process.poll()
            return None if code is None else f"the service exited ({code})"

        try:
            wait_until(partial(_healthy, served.base), f"/health of {served.base}", still=exited)
        except AssertionError:
            text = served.output()
            stop(process)
            if process.returncode not in (None, 0) and any(t in text.lower() for t in _PORT_TAKEN):
                continue  # the port went to another program: another port
            raise AssertionError(f"the service did not start:\n{text[-3000:]}") from None
        try:
            yield served
        finally:
            stop(process)
        return
    raise AssertionError(f"no free port for the service after {attempts} attempts")


def stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, and SIGKILL if the process has not ended after a generous wait."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

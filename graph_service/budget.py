"""A request's budget: one deadline for all of its work, and a way to stop it when its client
has gone.

``GRAPH_QUERY_TIMEOUT`` bounds a request's whole work, not each statement: the service opens
a budget per request (``with limit(seconds):``), every store statement gets at most the
time that is left (``remaining()``), and long loops in the analyses and maps call
``check()`` now and then, which raises ``QueryTimeout`` once the deadline has passed and
``Abandoned`` once the request was cancelled (its client disconnected). Outside a budget
(the command line, library use) ``check()`` does nothing and ``remaining()`` is None.

The budget lives in a context variable, so it follows the request into the worker thread
that runs it (Starlette copies the context into its thread pool).

>>> check()  # no budget: nothing to check
>>> with limit(30) as budget:
...     0 < remaining() <= 30
True
>>> with limit(0):
...     remaining() is None  # 0: no limit
True
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from graph_service.errors import GraphServiceError, QueryTimeout


class Abandoned(GraphServiceError):
    """The request's client went away; its work stopped. Nobody reads this answer."""

    code = "abandoned"
    http_status = 499
    exit_code = 3


class Budget:
    """The deadline of one piece of work (None: no limit) and its cancellation flag."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if seconds and seconds > 0 else None
        self.deadline = None if self.seconds is None else time.monotonic() + self.seconds
        self.cancelled = threading.Event()

    def remaining(self) -> float | None:
        """Seconds left (never below a millisecond, so a store's timeout stays valid), or
        None without a limit."""
        if self.deadline is None:
            return None
        return max(self.deadline - time.monotonic(), 0.001)

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Abandoned("the request was abandoned by its client; its work stopped")
        if self.deadline is not None and time.monotonic() > self.deadline:
            assert self.seconds is not None
            raise QueryTimeout.after(self.seconds)

    def cancel(self) -> None:
        self.cancelled.set()


_current: ContextVar[Budget | None] = ContextVar("graph_service_budget", default=None)


@contextmanager
def limit(seconds: float | None) -> Iterator[Budget]:
    """Run the block under a budget of ``seconds`` (0 or None: no deadline, still
    cancellable). A budget inside another keeps the earlier deadline and is cancelled with
    it."""
    budget = Budget(seconds)
    outer = _current.get()
    if outer is not None:
        budget.cancelled = outer.cancelled  # cancelling the request stops the inner work too
    if (
        outer is not None
        and outer.deadline is not None
        and (budget.deadline is None or outer.deadline < budget.deadline)
    ):
        budget.deadline, budget.seconds = outer.deadline, outer.seconds
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def current() -> Budget | None:
    return _current.get()


def check() -> None:
    """Raise ``QueryTimeout`` past the current budget's deadline, ``Abandoned`` when it was
    cancelled; nothing outside a budget. Cheap: call it every few thousand steps of a loop."""
    budget = _current.get()
    if budget is not None:
        budget.check()


def remaining() -> float | None:
    """Seconds left in the current budget, None without one (or without a deadline)."""
    budget = _current.get()
    return None if budget is None else budget.remaining()

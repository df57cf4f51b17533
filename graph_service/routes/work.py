"""What one read may cost the service, and what the others keep while it runs.

:class:`WorkMiddleware` runs every read of the data (``/``, ``/map…``, ``/api/…``) under a
budget (:mod:`graph_service.budget`) of ``GRAPH_QUERY_TIMEOUT`` seconds for its whole work:

- **Deadline.** When the budget runs out before the answer has started, the client gets 503
  ``query_timeout`` at once; the work is cancelled, stops at its next ``budget.check()`` (or
  store statement) and its late answer goes nowhere.
- **Abandoned.** When the client disconnects, the budget is cancelled: the work stops at its
  next check, and a request still waiting for its turn leaves the queue without running.
- **Expensive reads take turns** (:class:`Turns`): the analyses, the maps, the exports and the
  home page run at most ``GRAPH_MAX_EXPENSIVE`` at once (default twice the cores), with at
  most ``GRAPH_EXPENSIVE_QUEUE`` more waiting in the event loop (no thread held); beyond that
  503 ``busy`` with ``Retry-After``. Cheap reads (``/health``, ``/api/stats``, entities,
  relationships) never wait for a turn, and the thread pool is made larger than the turns,
  so they always find a thread.

Writes (imports, corrections) run to their end, as the settings promise; they are not
bounded here. :meth:`Work.stop_all` cancels every budget (the service is shutting down).
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from graph_service import budget
from graph_service.budget import Abandoned, Budget
from graph_service.errors import GraphServiceError, QueryTimeout
from graph_service.security import READ_METHODS, ASGIApp, Message, Receive, Scope, Send, send_error
from graph_service.settings import Settings

#: the reads that compute (analyses, maps, exports, the home page): they take turns
EXPENSIVE_PREFIXES = (
    "/api/reach",
    "/api/brokerage",
    "/api/overlap",
    "/api/gaps",
    "/api/export",
    "/api/home",
    "/api/fragility",
    "/api/clusters",
    "/api/structure",
    "/api/profile",
    "/api/path",
    "/api/unlinked",
    "/api/pairs",
    "/api/find",
    "/api/funds",
    "/api/knowledge",
    "/api/ties",
    "/map",
    "/report",
)
#: the paths whose reads run under a budget (those that read the graph)
BOUNDED_PREFIXES = ("/api/", "/map", "/report")


class Busy(GraphServiceError):
    """Every turn for expensive reads is taken and the queue is full: try again later."""

    code = "busy"
    http_status = 503
    exit_code = 3


class OutOfMemory(GraphServiceError):
    """The service ran out of memory computing the answer; its caches were emptied."""

    code = "out_of_memory"
    http_status = 503
    exit_code = 3


class InternalError(GraphServiceError):
    """A fault of the service itself (a bug): the error shape rather than a traceback."""

    code = "internal"
    http_status = 500
    exit_code = 1


def is_expensive(path: str) -> bool:
    return path == "/" or path.startswith(EXPENSIVE_PREFIXES)


def is_bounded(path: str) -> bool:
    return path == "/" or path.startswith(BOUNDED_PREFIXES)


class Turns:
    """At most ``slots`` holders at once and ``queue`` waiting, first come first served.

    Lives in the event loop (no lock: every method runs on the loop's thread). A holder that
    leaves hands its turn straight to the first waiter."""

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = max(slots, 1)
        self.queue = max(queue, 0)
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return len(self._waiting)

    async def enter(self, stop: asyncio.Event, retry_after: int) -> None:
        """Take a turn, waiting in the queue if needed; ``Busy`` when the queue is full.
        Returns without a turn only by raising: when ``stop`` is set while waiting (the
        caller raises its budget's error)."""
        if self.running < self.slots and not self._waiting:
            self.running += 1
            return
        if len(self._waiting) >= self.queue:
            raise Busy(
                f"the service is computing {self.running} expensive reads and "
                f"{len(self._waiting)} more wait; try again in {retry_after} s",
                {"running": self.running, "queued": len(self._waiting)},
            )
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        stopped: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait([turn, stopped], return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # the request's task was cancelled (the server stops)
            self._give_up(turn)
            raise
        finally:
            stopped.cancel()
        if turn.done() and not stop.is_set():
            return
        self._give_up(turn)
        raise _Stopped

    def _give_up(self, turn: asyncio.Future[None]) -> None:
        """Leave the queue; a turn handed over meanwhile passes on to the next."""
        if turn.done() and not turn.cancelled():
            self.leave()
        else:
            turn.cancel()
            if turn in self._waiting:
                self._waiting.remove(turn)

    def leave(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the turn passes on: running stays the same
                return
        self.running -= 1


class _Stopped(Exception):
    """A wait for a turn ended because the request's budget was cancelled or ran out."""


class Work:
    """The service's work in flight: its turns, its budgets and what happened to them (shown
    by ``/health`` under ``work``)."""

    def __init__(self, settings: Settings) -> None:
        self.timeout = float(settings.query_timeout)
        slots = settings.max_expensive if settings.max_expensive > 0 else 2 * (os.cpu_count() or 1)
        self.turns = Turns(slots, settings.expensive_queue)
        #: seconds a refused client is told to wait
        self.retry_after = max(1, min(math.ceil(self.timeout or 5.0), 5))
        self.budgets: set[Budget] = set()
        self._lock = threading.Lock()
        self.abandoned = 0  # requests whose clients went away before their answer
        self.timed_out = 0  # requests answered 503 query_timeout
        self.refused = 0  # requests answered 503 busy

    def threads_needed(self) -> int:
        """Threads the pool needs so that cheap reads always find one: every turn, plus
        room for the cheap reads and the version reads of queued requests."""
        return self.turns.slots + 40

    def stop_all(self) -> None:
        """Cancel every budget in flight: each piece of work stops at its next check."""
        with self._lock:
            budgets = list(self.budgets)
        for b in budgets:
            b.cancel()

    def report(self) -> dict[str, int]:
        return {
            "running": self.turns.running,
            "queued": self.turns.queued,
            "max_expensive": self.turns.slots,
            "expensive_queue": self.turns.queue,
            "abandoned": self.abandoned,
            "timed_out": self.timed_out,
            "refused": self.refused,
        }

    def _track(self, b: Budget, on: bool) -> None:
        with self._lock:
            if on:
                self.budgets.add(b)
            else:
                self.budgets.discard(b)


class WorkMiddleware:
    """Runs each read of the data under its budget; see the module's docstring."""

    def __init__(self, app: ASGIApp, get_work: Callable[[], Work]) -> None:
        self.app = app
        self.get_work = get_work

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in READ_METHODS or not is_bounded(path):
            await self.app(scope, receive, send)
            return
        work = self.get_work()
        with budget.limit(work.timeout) as request_budget:
            work._track(request_budget, True)
            try:
                await self._bounded(work, request_budget, is_expensive(path), scope, receive, send)
            finally:
                work._track(request_budget, False)

    async def _bounded(
        self,
        work: Work,
        request_budget: Budget,
        expensive: bool,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        stop = asyncio.Event()
        started = answered = done = False
        inbox: asyncio.Queue[Message] = asyncio.Queue()

        async def guarded_send(message: Message) -> None:
            nonlocal started, done
            if answered:
                return  # the client already has its answer (503): the late one goes nowhere
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                done = True
            await send(message)

        async def watch() -> None:
            """Own the client's messages: pass them on, and notice a disconnect at once
            (the route never reads after the request, so nobody else would)."""
            while True:
                message = await receive()
                await inbox.put(message)
                if message["type"] == "http.disconnect":
                    if not done:
                        request_budget.cancel()
                        stop.set()
                        work.abandoned += 1
                    return

        async def app_receive() -> Message:
            return await inbox.get()

        async def run() -> None:
            if expensive:
                try:
                    await work.turns.enter(stop, work.retry_after)
                except Busy as exc:
                    work.refused += 1
                    await send_error(guarded_send, exc, {"retry-after": str(work.retry_after)})
                    return
                except _Stopped:
                    try:
                        request_budget.check()
                    except (Abandoned, QueryTimeout) as exc:
                        await send_error(guarded_send, exc)
                    return
                try:
                    await self.app(scope, app_receive, guarded_send)
                finally:
                    work.turns.leave()
            else:
                await self.app(scope, app_receive, guarded_send)

        watcher = asyncio.ensure_future(watch())
        task = asyncio.ensure_future(run())
        try:
            await asyncio.wait({task}, timeout=request_budget.remaining())
            if not task.done():
                # out of time: answer now; the work stops at its next check (the deadline has
                # passed) and its late answer goes nowhere
                stop.set()
                if not started:
                    answered = True
                    work.timed_out += 1
                    assert request_budget.seconds is not None
                    await send_error(send, QueryTimeout.after(request_budget.seconds))
                try:
                    await task
                except Exception:
                    if not answered:
                        raise
            else:
                task.result()
        finally:
            watcher.cancel()
            if not task.done():
                task.cancel()  # this request was cancelled itself (the server stops)

"""The service's cache of answers (graph_service.routes.analysis.AnswerShelf): bounded by
bytes, least recently used dropped first, and one computation per key at a time (issue 11,
point 4)."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest

from graph_service import budget
from graph_service.budget import Abandoned
from graph_service.errors import InvalidInput
from graph_service.routes.analysis import AnswerShelf, estimate_bytes
from tests.servers import wait_until


def test_estimate_counts_text_by_its_length_and_containers_by_their_items() -> None:
    # CPython: an ASCII str is 49 bytes of header plus one byte a character
    assert estimate_bytes("x" * 1000) == 1049
    assert estimate_bytes(("a", "b")) == sys.getsizeof(("a", "b")) + 2 * 50
    # an object held twice counts once
    shared = "y" * 500
    assert estimate_bytes([shared, shared]) == sys.getsizeof([shared, shared]) + 549
    doc = {"nodes": [{"id": "p1"}]}
    assert estimate_bytes(doc) == (
        sys.getsizeof(doc)
        + sys.getsizeof("nodes")
        + sys.getsizeof(doc["nodes"])
        + sys.getsizeof(doc["nodes"][0])
        + sys.getsizeof("id")
        + sys.getsizeof("p1")
    )


def test_the_shelf_is_bounded_by_bytes_and_drops_the_least_recently_used() -> None:
    keys = [("pages", 1, "full", name) for name in ("a", "b", "c")]
    pages = ["x" * 10_000, "y" * 20_000, "z" * 30_000]
    sizes = [estimate_bytes(k) + estimate_bytes(p) for k, p in zip(keys, pages, strict=True)]
    # room for the first two, not for three
    shelf = AnswerShelf(sizes[0] + sizes[1] + sizes[2] - 1)
    for key, page in zip(keys, pages, strict=True):
        assert shelf.get(key, lambda page=page: page) == page
    assert shelf.held_keys() == [keys[1], keys[2]]  # a, the oldest, was dropped
    assert shelf.bytes == sizes[1] + sizes[2]

    # reading b makes it recent: a new a pushes c out, not b
    assert shelf.get(keys[1], _never) == pages[1]
    shelf.get(keys[0], lambda: pages[0])
    assert shelf.held_keys() == [keys[1], keys[0]]
    assert shelf.bytes == sizes[1] + sizes[0]

    # an answer larger than the whole bound is given but not kept
    huge = "h" * (sizes[0] + sizes[1] + sizes[2])
    assert shelf.get(("pages", 1, "full", "huge"), lambda: huge) is huge
    assert shelf.held_keys() == [keys[1], keys[0]]

    shelf.clear()
    assert len(shelf) == 0 and shelf.bytes == 0


def _never() -> Any:
    raise AssertionError("computed again")


def _ask_together(shelf: AnswerShelf, key: tuple[Any, ...], compute: Any, n: int) -> list[Any]:
    """``n`` threads ask ``shelf`` for ``key`` at the same time; what each got (or raised)."""
    results: list[Any] = [None] * n

    def ask(i: int) -> None:
        try:
            results[i] = shelf.get(key, compute)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    return results


def test_many_asking_at_once_compute_once() -> None:
    shelf = AnswerShelf(0)  # nothing is kept: only the single flight can share the answer
    key = ("answers", 1, "full", "brokerage")
    calls = []

    def compute() -> dict[str, int]:
        calls.append(1)
        # every other asker is waiting for this flight before it lands
        wait_until(lambda: shelf._flights[key].waiters == 7, "seven waiters")
        return {"answer": 42}

    results = _ask_together(shelf, key, compute, 8)
    assert len(calls) == 1
    assert results == [{"answer": 42}] * 8
    assert all(r is results[0] for r in results)  # the one answer, shared
    assert shelf.computed == 1


def test_an_error_is_the_answer_for_every_waiter() -> None:
    shelf = AnswerShelf(1 << 20)
    key = ("answers", 1, "full", "gaps")
    calls = []

    def compute() -> Any:
        calls.append(1)
        wait_until(lambda: shelf._flights[key].waiters == 3, "three waiters")
        raise InvalidInput("no such attribute", {"by": "colour"})

    results = _ask_together(shelf, key, compute, 4)
    assert len(calls) == 1
    assert [type(r) for r in results] == [InvalidInput] * 4
    assert {r.details["by"] for r in results} == {"colour"}
    assert len(shelf) == 0


def test_when_the_first_asker_is_abandoned_a_waiter_computes_in_its_place() -> None:
    shelf = AnswerShelf(1 << 20)
    key = ("answers", 1, "full", "overlap")
    calls = []
    first = threading.Event()

    def compute() -> Any:
        calls.append(1)
        if len(calls) == 1:
            wait_until(lambda: shelf._flights[key].waiters == 2, "two waiters")
            first.set()
            raise Abandoned("the client left")
        return "computed by a waiter"

    results = _ask_together(shelf, key, compute, 3)
    assert first.is_set()
    assert len(calls) == 2
    assert sorted(map(repr, results)) == sorted(
        [repr(Abandoned("the client left"))] + [repr("computed by a waiter")] * 2
    )
    assert shelf.held_keys() == [key]


def test_a_waiter_stops_waiting_when_its_own_budget_is_cancelled() -> None:
    shelf = AnswerShelf(1 << 20)
    key = ("answers", 1, "full", "reach")
    release = threading.Event()
    outcome: list[Any] = []

    def compute() -> str:
        release.wait(180)
        return "late"

    leader = threading.Thread(target=lambda: outcome.append(shelf.get(key, compute)))
    leader.start()
    wait_until(lambda: key in shelf._flights, "the first asker computing")
    with budget.limit(0) as mine:
        mine.cancel()
        with pytest.raises(Abandoned):
            shelf.get(key, _never)
    release.set()
    leader.join(timeout=180)
    assert outcome == ["late"]

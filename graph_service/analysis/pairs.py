"""Pairs that share an attribute but have no tie, and who could introduce them (issue 12,
question S28: "villagers with the same problem, not yet connected; where could a group form?").

Definitions (CONTRACT.md section 2b; the actor graph of section 2, ties read both ways):

- **Members.** The actors (Person, Organisation, Network) matching ``where`` (a filter of
  section 2b; none: every actor) that have the attribute ``share``.
- **Values.** An actor's values of ``share`` are each item of a list (``tags``: a cell
  ``a|b`` is the two values a and b), each ``|``-separated part of a text (a ``problem``
  cell ``หนี้สิน|สุขภาพ`` counts for both problems), or the one value. Two values are the
  same when the importer's normalised forms are (``filters`` compares them so: case, spacing
  and Thai digits do not matter, numbers as numbers); a value is shown in the spelling most
  of its actors use (ties: the first in sort order).
- **A tie** joins two different actors when any relationship (of ``types``, if given) joins
  them, either way.
- **Pairs.** For each value, the unordered pairs of its members with no tie between them. A
  pair that shares two values is a row under each ("the same problem" is a statement about
  one problem). ``total`` counts those rows without listing them: Σ over values of
  n_v (n_v − 1) / 2 − t_v, where n_v is the value's members and t_v the ties among them.
  At most ``limit`` rows are listed, values in the order of ``values``, then by the ids of
  ``a`` and ``b`` (``a`` < ``b``); ``truncated`` says when some were left out.
- **Nearest** (the one who could introduce them): the actor ``c`` other than ``a`` and ``b``
  that minimises max(d(a, c), d(b, c)), then d(a, c) + d(b, c), then its id, where d is the
  number of steps of the shortest chain in the actor graph (ties read both ways, through
  ``types`` only; any actor may be on the chain or be ``c``, whether or not it matches
  ``where`` or shares the value). ``distance`` is [d(a, c), d(b, c)]. ``nearest`` is null
  when no actor is within ``depth`` steps of both (default :data:`NEAREST_DEPTH`: three
  steps, "a friend of a friend of a friend"; further than that nobody is in a position to
  introduce anyone).
- **Per value**: ``actors`` n_v, ``ties`` t_v, ``density`` t_v / (n_v (n_v − 1) / 2) (the
  share of possible ties that exist, as in ``gaps``), ``unlinked_pairs``. A value with one
  member has no pair and is not listed (``values_alone`` counts them). **Where a group could
  form**: the values shared by at least :data:`GROUP_MIN_ACTORS` members whose density is
  below ``density_below`` (default :data:`GROUP_DENSITY`: fewer than half the possible ties
  exist), largest first.

Cost, with n actors, m ties, V values and L = ``limit``: reading and grouping O(n + m);
the ties within each value group one sparse product over the ties, O(m); ``total`` from the
counts, without listing a pair. Each listed pair's nearest actor is searched from both ends
at once, one level at a time, stopping at the first level where the two searches meet (a
common neighbour: one level), at most ``depth`` levels: O(L · b) where b is the number of
actors within ``depth`` steps of a pair's ends (the search of ``a`` is kept while it is paired
with the next ``b``). Listing the untied pairs of a group skips the tied ones by a sorted
search in each ``a``'s neighbours, so it costs O(L + m) whatever the group's size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graph_service import budget
from graph_service.analysis.common import (
    actor_attributes,
    check_depth,
    check_types,
    clean_float,
)
from graph_service.analysis.filters import _key, parse_filter, read_arrays, select
from graph_service.analysis.paths import _distinct, _expand, build_steps
from graph_service.domain import ACTOR_KINDS, clean_text
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

if TYPE_CHECKING:
    from collections.abc import Iterator

    import numpy as np

    from graph_service.analysis.paths import Steps

#: the pairs listed unless ``limit`` says otherwise
DEFAULT_LIMIT = 200
#: the most pairs one answer lists
MAX_LIMIT = 100_000
#: the furthest (in steps from each of the pair) an actor may be to count as nearest
NEAREST_DEPTH = 3
#: "where a group could form": at least this many members ...
GROUP_MIN_ACTORS = 3
#: ... and a density below this
GROUP_DENSITY = 0.5
#: the searches from one end of a pair kept for the next pairs
_KEPT = 8


def pairs(
    store: GraphStore,
    share: str,
    where: str | Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    depth: int = NEAREST_DEPTH,
    density_below: float = GROUP_DENSITY,
) -> dict[str, Any]:
    """The ``pairs`` document: the pairs of actors matching ``where`` that have the same value
    of ``share`` and no tie, each with the actor nearest to both; per value, its members, the
    ties among them and their density; the values where a group could form. See the module's
    docstring for the definitions.

    ``{"share", "where", "types", "depth", "limit", "density_below", "actors", "with_value",
    "total", "truncated", "pairs": [{"a", "b", "value", "nearest", "distance"}], "values":
    [{"value", "actors", "ties", "density", "unlinked_pairs", "could_form"}], "values_alone",
    "could_form": [values]}``; ``actors`` counts the actors matching ``where``, ``with_value``
    those of them with a value of ``share``; ``distance`` is null when ``nearest`` is.

    >>> from graph_service.store.embedded import EmbeddedStore
    >>> from graph_service.domain import Node, Edge
    >>> import tempfile, os
    >>> st = EmbeddedStore(os.path.join(tempfile.mkdtemp(), "g.db"))
    >>> problem = {"a": "หนี้สิน", "b": "หนี้สิน|สุขภาพ", "c": "หนี้สิน", "d": "สุขภาพ"}
    >>> _ = st.write([Node(i, "Person", {"name": i, "problem": p}) for i, p in problem.items()]
    ...              + [Node("h", "Person", {"name": "h"})],
    ...              [Edge("a", "KNOWS", "b"), Edge("h", "HELPS", "a"), Edge("c", "KNOWS", "h")])
    >>> doc = pairs(st, "problem")
    >>> doc["total"], doc["truncated"]
    (3, False)
    >>> for p in doc["pairs"]:
    ...     print(p["a"], p["b"], p["value"], p["nearest"], p["distance"])
    a c หนี้สิน h [1, 1]
    b c หนี้สิน a [1, 2]
    b d สุขภาพ None None
    >>> [(v["value"], v["actors"], v["ties"], v["density"]) for v in doc["values"]]
    [('หนี้สิน', 3, 1, 0.3333333333), ('สุขภาพ', 2, 0, 0.0)]
    >>> doc["could_form"]
    ['หนี้สิน']
    """
    import numpy as np

    share = (share or "").strip()
    if not share:
        raise InvalidInput("give the attribute to share: --share ATTR (e.g. --share problem)")
    types = check_types(types)
    depth = check_depth(depth)
    limit = _check_limit(limit)
    density_below = _check_density(density_below)
    flt = parse_filter(where)
    arrays = read_arrays(store, ACTOR_KINDS, types)
    if not arrays.n:
        raise InvalidInput(
            "the graph has no actors (people, organisations or networks): import a dataset first"
        )
    if flt is None:
        chosen = list(range(arrays.n))
    else:
        inside = any(t.attribute == "within" for t in flt.terms)  # needs the placement ties
        matched = set(select(store, flt, None if inside else arrays))
        chosen = [k for k, id_ in enumerate(arrays.ids) if id_ in matched]

    # each member's values, grouped by their normalised key: the actors are first bucketed by
    # their cell as stored, so that each distinct cell is split and normalised once
    by_cell: dict[Any, list[int]] = {}
    for step, k in enumerate(chosen):
        if not step & 8191:
            budget.check()
        raw = arrays.nodes[arrays.ids[k]].props.get(share)
        if raw is not None:
            by_cell.setdefault(tuple(raw) if isinstance(raw, list) else raw, []).append(k)
    found: dict[Any, list[list[int]]] = {}
    spellings: dict[Any, Counter[Any]] = {}
    with_value = 0
    for cell, positions in by_cell.items():
        values_here = _values_of(list(cell) if isinstance(cell, tuple) else cell)
        with_value += len(positions) if values_here else 0
        for key, spelled in values_here.items():
            found.setdefault(key, []).append(positions)
            spellings.setdefault(key, Counter())[spelled] += len(positions)
    groups = {
        key: lists[0] if len(lists) == 1 else sorted(p for ps in lists for p in ps)
        for key, lists in found.items()
    }
    if chosen and not groups:
        present = actor_attributes(arrays.nodes, [arrays.ids[k] for k in chosen])
        raise InvalidInput(
            f"no actor{' matching the filter' if flt else ''} has {share!r}; the actors' "
            f"attributes are {', '.join(present[:30]) or '(none)'}",
            {"share": share, "attributes": present[:30]},
        )
    steps = build_steps(arrays)  # the arrays hold actors only: every step is between actors
    shared = {k: v for k, v in groups.items() if len(v) >= 2}
    keys = sorted(shared, key=lambda k: (-len(shared[k]), k))
    shown = {k: _shown(spellings[k]) for k in keys}
    ties = _ties_within(steps, [shared[k] for k in keys])

    values: list[dict[str, Any]] = []
    total = 0
    for k, t in zip(keys, ties, strict=True):
        n = len(shared[k])
        possible = n * (n - 1) // 2
        density = clean_float(t / possible)
        total += possible - t
        values.append(
            {
                "value": shown[k],
                "actors": n,
                "ties": t,
                "density": density,
                "unlinked_pairs": possible - t,
                "could_form": n >= GROUP_MIN_ACTORS and (density or 0.0) < density_below,
            }
        )

    rows: list[dict[str, Any]] = []
    nearest = _Nearest(steps, depth)
    for k, row in zip(keys, values, strict=True):
        if len(rows) >= limit:
            break
        if not row["unlinked_pairs"]:
            continue
        members = np.asarray(shared[k], dtype=np.int64)  # ascending: ids are sorted
        for a, b in _untied(steps, members, limit - len(rows)):
            c, da, db = nearest.of(a, b)
            rows.append(
                {
                    "a": steps.ids[a],
                    "b": steps.ids[b],
                    "value": shown[k],
                    "nearest": None if c is None else steps.ids[c],
                    "distance": None if c is None else [da, db],
                }
            )
    return {
        "share": share,
        "where": flt.text if flt else [],
        "types": types,
        "depth": depth,
        "limit": limit,
        "density_below": density_below,
        "actors": len(chosen),
        "with_value": with_value,
        "total": total,
        "truncated": total > len(rows),
        "pairs": rows,
        "values": values,
        "values_alone": len(groups) - len(shared),
        "could_form": [row["value"] for row in values if row["could_form"]],
    }


def _check_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            f"limit must be a whole number from 0 to {MAX_LIMIT:,}, not {limit!r}",
            {"limit": limit},
        )
    return limit


def _check_density(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise InvalidInput(
            f"density_below must be a number above 0 and at most 1, not {value!r}",
            {"density_below": str(value)},  # as text: nan and inf are not JSON
        )
    return float(value)


def _values_of(raw: Any) -> dict[Any, Any]:
    """The values of one cell: normalised key -> the spelling as stored (see the module's
    docstring).

    >>> sorted(_values_of(" หนี้สิน | สุขภาพ|หนี้ สิน ").values())
    ['สุขภาพ', 'หนี้สิน']
    >>> _values_of(["Fisher", "fisher "]), _values_of(2.0), _values_of(""), _values_of(None)
    ({('s', 'fisher'): 'Fisher'}, {('n', 2.0): 2}, {}, {})
    """
    if raw is None:
        return {}
    items: list[Any]
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, str):
        items = raw.split("|")
    else:
        items = [raw]
    out: dict[Any, Any] = {}
    for item in items:
        if isinstance(item, str):
            item = clean_text(item)
            if not item:
                continue
        elif item is None:
            continue
        elif isinstance(item, float) and item.is_integer():
            item = int(item)
        out.setdefault(_key(item), item)
    return out


def _shown(spellings: Counter[Any]) -> Any:
    """The spelling most members use; ties: the first in sort order (as text)."""
    return min(spellings.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]


def _ties_within(steps: Steps, groups: list[list[int]]) -> list[int]:
    """For each group (positions), the tied unordered pairs inside it: Σ over the ties
    (u, w), u < w, of the groups holding both, as one sparse product."""
    import numpy as np
    from scipy import sparse

    if not groups:
        return []
    sizes = [len(g) for g in groups]
    member = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups])
    group = np.repeat(np.arange(len(groups)), sizes)
    incidence = sparse.csr_matrix(
        (np.ones(member.size, dtype=np.int64), (member, group)), shape=(steps.n, len(groups))
    )
    origin = np.repeat(np.arange(steps.n), np.diff(steps.fwd_ptr))
    once = origin < steps.fwd_dst  # each tie once
    u, w = origin[once], steps.fwd_dst[once]
    in_some = np.diff(incidence.indptr) > 0
    keep = in_some[u] & in_some[w]
    u, w = u[keep], w[keep]
    if not u.size:
        return [0] * len(groups)
    both = incidence[u].multiply(incidence[w])
    return np.asarray(both.sum(axis=0)).ravel().astype(np.int64).tolist()  # type: ignore[no-any-return]


def _untied(steps: Steps, members: np.ndarray, most: int) -> Iterator[tuple[int, int]]:
    """The pairs (a, b), a < b, of ``members`` (ascending) with no tie, in order, at most
    ``most``: each ``a``'s later members less its neighbours (a sorted search)."""
    import numpy as np

    given = 0
    for i, a in enumerate(members.tolist()[:-1]):
        budget.check()
        later = members[i + 1 :]
        neighbours = steps.fwd_dst[steps.fwd_ptr[a] : steps.fwd_ptr[a + 1]]  # ascending
        if neighbours.size:
            at = np.searchsorted(neighbours, later)
            tied = neighbours[np.minimum(at, neighbours.size - 1)] == later
            later = later[~tied]
        for b in later[: most - given].tolist():
            yield a, b
            given += 1
        if given >= most:
            return


class _Ball:
    """A breadth-first search from one actor, grown a level at a time on demand, up to
    ``depth``; ``dist`` (-1: not reached yet) is its own or a scratch array that
    :meth:`clear` gives back as it found it."""

    def __init__(self, steps: Steps, origin: int, depth: int, dist: np.ndarray) -> None:
        import numpy as np

        self.steps, self.depth, self.dist = steps, depth, dist
        dist[origin] = 0
        self.frontiers = [np.array([origin], dtype=np.int64)]
        self.done = False

    def level(self, r: int) -> np.ndarray:
        """The actors exactly ``r`` steps away (grown as far as needed)."""
        while len(self.frontiers) <= r and not self.done:
            if len(self.frontiers) > self.depth:
                self.done = True
                break
            budget.check()
            _, reached = _expand(self.steps.fwd_ptr, self.steps.fwd_dst, self.frontiers[-1])
            new = _distinct(reached[self.dist[reached] < 0])
            if not new.size:
                self.done = True
                break
            self.dist[new] = len(self.frontiers)
            self.frontiers.append(new)
        return self.frontiers[r] if r < len(self.frontiers) else self.frontiers[0][:0]

    def clear(self) -> None:
        for frontier in self.frontiers:
            self.dist[frontier] = -1


class _Nearest:
    """The actor nearest to both ends of a pair (the rule of the module's docstring); the
    searches from the last few ``a`` ends are kept for the pairs that follow, the one from
    ``b`` runs on a scratch array."""

    def __init__(self, steps: Steps, depth: int) -> None:
        import numpy as np

        self.steps = steps
        self.depth = depth
        self.kept: dict[int, _Ball] = {}
        self.scratch = np.full(steps.n, -1, dtype=np.int64)

    def _ball(self, origin: int) -> _Ball:
        import numpy as np

        ball = self.kept.pop(origin, None)
        if ball is None:
            dist = np.full(self.steps.n, -1, dtype=np.int64)
            ball = _Ball(self.steps, origin, self.depth, dist)
        self.kept[origin] = ball
        while len(self.kept) > _KEPT:
            del self.kept[next(iter(self.kept))]
        return ball

    def of(self, a: int, b: int) -> tuple[int | None, int | None, int | None]:
        """(nearest, d(a, nearest), d(b, nearest)), or (None, None, None) beyond ``depth``.

        At level r the actors with max(d(a, c), d(b, c)) = r are those r from a and at most
        r from b, or r from b and at most r from a; the first level that has one (other than
        a and b) holds the smallest maximum, and among them the smallest sum, then the
        smallest position (ids are sorted), wins."""
        ball_a, ball_b = self._ball(a), _Ball(self.steps, b, self.depth, self.scratch)
        try:
            return self._meet(a, b, ball_a, ball_b)
        finally:
            ball_b.clear()

    def _meet(
        self, a: int, b: int, ball_a: _Ball, ball_b: _Ball
    ) -> tuple[int | None, int | None, int | None]:
        import numpy as np

        for r in range(1, self.depth + 1):
            budget.check()
            fa, fb = ball_a.level(r), ball_b.level(r)
            da, db = ball_a.dist, ball_b.dist
            near_b = fa[(db[fa] >= 0) & (db[fa] <= r)]  # r from a, at most r from b
            near_a = fb[(da[fb] >= 0) & (da[fb] <= r)]  # r from b, at most r from a
            cand = np.concatenate([near_b, near_a])
            cand = cand[(cand != a) & (cand != b)]
            if cand.size:
                total = da[cand] + db[cand]
                best = int(cand[np.lexsort((cand, total))[0]])
                return best, int(da[best]), int(db[best])
            if not fa.size and not fb.size and ball_a.done and ball_b.done:
                break
        return None, None, None

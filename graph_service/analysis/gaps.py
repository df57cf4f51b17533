"""Gaps: the missing horizontal and vertical links, and the actors best placed to close
them (DOMAIN.md sections 2, 3 and 5; CONTRACT.md section 3, the ``gaps`` document).

Ties are between actors (Person, Organisation, Network) and undirected: two actors are tied
when any relationship (of ``types``, if given) joins them, either way; self-ties are ignored
and a pair is counted once however many relationships join it. Actors fall into groups by an
attribute (``by``: ``admin_level`` by default, ``sector``, or any attribute
:func:`~graph_service.analysis.common.group_actors` knows); actors without it form the group
null.

- ``blocks``: for every unordered pair of groups (g, h), g = h included, the tied pairs with
  one actor in g and the other in h, the possible pairs (n_g·n_h, or n_g(n_g − 1)/2 within a
  group) and the density.
- ``ei_index``: Krackhardt's E-I index (E − I) / (E + I), E the ties between groups and I
  those within, for the whole network and (``groups``) for each group, over the ties with
  one end in it.
- ``missing``: pairs of groups with no tie at all (status ``none``) or whose every tie runs
  through one actor (status ``one_actor``, that actor in ``through``). Which pairs are
  looked at depends on ``by``: adjacent administrative levels (vertical gaps); every pair of
  sectors within one administrative level (horizontal gaps); every pair of groups otherwise.
  The null group is never part of a missing pair: nobody can act on a gap to "actors whose
  attribute is unknown". Each gap lists its ``brokers``: the actors that need the fewest new
  ties to join both groups (one for each group they are neither in nor tied to).
- ``reports``: the gap reports strategists asked for by name (networks with no route to a
  provincial or higher agency, mature knowledge no organisation uses, organisations present
  in a network only through people in their personal capacity).

Everything over actor pairs is sparse linear algebra: with A the actor adjacency and G the
actor × group membership matrix, M = A·G holds every actor's tie count to every group and
T = Gᵀ·A·G every block's tie count, so 100,000 actors cost a few sparse products.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graph_service import budget
from graph_service.analysis.common import (
    TieGraph,
    actor_ties,
    check_types,
    clean_float,
    group_actors,
    parse_list,
    require_two_groups,
)
from graph_service.analysis.filters import parse_tie_filter, value_text
from graph_service.domain import ADMIN_LEVELS, Edge, Node, Subgraph, to_ascii_digits
from graph_service.errors import InvalidInput
from graph_service.store.base import GraphStore

DEFAULT_BY = "admin_level"
#: the levels a local network should be able to reach: provincial and above
HIGH_LEVELS = ADMIN_LEVELS[: ADMIN_LEVELS.index("provincial") + 1]
#: readiness levels that count as mature (DOMAIN.md section 5)
MATURE_READINESS = (1, 2)
#: brokers listed per missing link
MAX_BROKERS = 10
#: relationship types that tie a person to an organisation
PERSON_ORG_TYPES = ("WORKS_FOR", "MEMBER_OF")
#: relationships that put a knowledge asset in use: (user) USES (asset), and (adopter)
#: ADOPTED_BY read the wrong way round; (asset) ADOPTED_BY (adopter) is read separately
USE_TYPES = ("USES", "ADOPTED_BY")
#: how the users' sheets say a membership's capacity (compared case-folded)
CAPACITY_WORDS = {
    "personal": "personal",
    "individual": "personal",
    "ส่วนบุคคล": "personal",
    "ส่วนตัว": "personal",
    "บุคคล": "personal",
    "institutional": "institutional",
    "ในนามองค์กร": "institutional",
    "ในนามหน่วยงาน": "institutional",
    "องค์กร": "institutional",
}

NO_ACTORS = "the graph has no actors (people, organisations or networks): import a dataset first"


# -- entry points ----------------------------------------------------------------------------


def gaps(
    store: GraphStore,
    by: str = DEFAULT_BY,
    types: Sequence[str] | str | None = None,
    tie_attr: str | None = None,
    tie_where: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``gaps`` document (CONTRACT.md section 3, extended) for the whole graph.

    Loads every entity and relationship (the named reports need knowledge assets and all
    relationship types); ties are still among actors only, and of ``types`` when given.
    ``tie_attr`` and ``tie_where``: see :func:`gaps_report`.
    """
    types = check_types(parse_list(types))
    return gaps_report(store.subgraph(), by, types, tie_attr, tie_where)


def gaps_report(
    sub: Subgraph,
    by: str = DEFAULT_BY,
    types: Sequence[str] | str | None = None,
    tie_attr: str | None = None,
    tie_where: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ``gaps`` document of a subgraph; pure, so both stores give the same answer.

    ``by``: the attribute that defines the groups. ``types``: only relationships of these
    types are ties (the named reports about knowledge and membership read their own types).
    ``tie_where`` (a tie filter, ``policy=local``; :func:`~graph_service.analysis.filters.
    parse_tie_filter`): likewise, only the relationships it holds for are ties
    (``"tie_where"`` in the document). ``tie_attr`` (a relationship property, e.g.
    ``formality``): ``"tie_shares"``, the ties by the value of that property, per group and
    per block (:func:`tie_shares`).

    >>> from graph_service.domain import Edge, Node
    >>> nodes = [Node("a", "Organisation", {"name": "A", "admin_level": "district"}),
    ...          Node("b", "Organisation", {"name": "B", "admin_level": "district"}),
    ...          Node("c", "Organisation", {"name": "C", "admin_level": "provincial"})]
    >>> doc = gaps_report(Subgraph.of(nodes, [Edge("a", "PARTNERS_WITH", "b")]))
    >>> for b in doc["blocks"]:
    ...     print(b["from"], b["to"], b["direction"], b["ties"], b["possible"], b["density"])
    provincial provincial horizontal 0 0 None
    provincial district vertical 0 2 0.0
    district district horizontal 1 1 1.0
    >>> doc["ei_index"], [(m["from"], m["to"], m["status"]) for m in doc["missing"]]
    (-1.0, [('provincial', 'district', 'none')])
    """
    types = check_types(parse_list(types))
    by = by.strip() if isinstance(by, str) else by
    tie_filter = parse_tie_filter(tie_where)
    tie_attr = tie_attr.strip() or None if isinstance(tie_attr, str) else None
    tied_sub = sub
    if tie_filter is not None:
        tied_sub = Subgraph(sub.nodes, [e for e in sub.edges if tie_filter.matches(e, sub.nodes)])
    ties = actor_ties(tied_sub, types, undirected=True)
    if ties.n == 0:
        raise InvalidInput(NO_ACTORS)
    groups = group_actors(sub.nodes, ties.ids, by, sub)
    labels = order_groups(by, groups.labels)
    require_two_groups(labels, ties.n, by, "gaps")
    code_of = {lab: i for i, lab in enumerate(labels)}
    codes = np.array([code_of[lab] for lab in groups.labels], dtype=np.int64)
    adjacency = tie_matrix(ties)
    degree = np.diff(adjacency.indptr)
    part = Partition(adjacency, codes, len(labels))
    level_labels = _admin_levels(sub, ties)

    group_rows, internal, external = _group_rows(part, labels)
    groups_note = f"groups defined by {by!r}: {ties.n} actors in {len(labels)} groups"
    if groups.missing:
        groups_note += f"; {groups.describe()['note']}"
    notes = [groups_note]
    known_levels: list[str | None] = [lab if lab in ADMIN_LEVELS else None for lab in level_labels]
    undecided = sum(1 for lab in known_levels if lab is None)
    if by == "sector":
        notes.append(
            "missing horizontal links compare every pair of sectors within each admin_level"
        )
    if undecided:
        notes.append(
            f"{undecided} actor(s) have no admin_level (or a level that is not one of "
            f"{', '.join(ADMIN_LEVELS)}): whether their ties are horizontal or vertical "
            "cannot be decided, so each block counts them as undecided (ties_by_direction)"
            + (
                "; a pair of sectors with such actors is also compared on all its ties, "
                "with direction null and the reason in undecided"
                if by == "sector"
                else ""
            )
        )
    elif by == "admin_level":
        notes.append(
            "missing links compare adjacent admin levels among the levels present, from the "
            f"top down ({', '.join(lab for lab in labels if lab in ADMIN_LEVELS)})"
        )
    if groups.missing:
        notes.append("the group null is never part of a missing link")

    finder = _GapFinder(ties, adjacency, degree, labels, codes)
    if by == "sector":
        missing = finder.sector_gaps(known_levels, code_of)
        missing += finder.undecided_gaps(part, known_levels)
    else:
        missing = finder.group_gaps(part, by)

    doc: dict[str, Any] = {
        "by": by,
        "types": list(types) if types else None,
        "actors": ties.n,
        "ties": ties.m // 2,
        "groups_note": groups_note,
        "notes": notes,
        "groups": group_rows,
        "internal": internal,
        "external": external,
        "ei_index": ei_index(external, internal),
        "blocks": _blocks(part, labels, by, _ties_by_direction(adjacency, part, known_levels)),
        "missing": missing,
        "reports": {
            "isolated_networks": isolated_networks(ties, adjacency, level_labels),
            "unused_mature_knowledge": unused_mature_knowledge(sub),
            "personal_only_organisations": personal_only_organisations(sub),
        },
    }
    if tie_filter is not None:
        doc["tie_where"] = tie_filter.text
        notes.append(
            f"only the relationships matching {'; '.join(tie_filter.text)} are ties "
            f"({doc['ties']} tied pair(s) of actors)"
        )
    if tie_attr is not None:
        doc["tie_shares"] = tie_shares(
            tied_sub, ties, codes, labels, doc["blocks"], tie_attr, types
        )
    return doc


# -- groups, blocks and the E-I index ---------------------------------------------------------


def order_groups(by: str, labels: Sequence[str | None]) -> list[str | None]:
    """The distinct group labels in report order: for ``admin_level`` the known levels from
    the top down, then other words alphabetically; for any other attribute alphabetically;
    None (the group null) last.

    >>> order_groups("admin_level", ["village", None, "x", "national", "village"])
    ['national', 'village', 'x', None]
    >>> order_groups("sector", ["state", None, "academic"])
    ['academic', 'state', None]
    """
    present = set(labels)
    known = [lab for lab in ADMIN_LEVELS if lab in present] if by == "admin_level" else []
    others = sorted(lab for lab in present if lab is not None and lab not in known)
    out: list[str | None] = [*known, *others]
    if None in present:
        out.append(None)
    return out


def ei_index(external: int, internal: int) -> float | None:
    """Krackhardt's E-I index (E − I) / (E + I); None when there are no ties.

    >>> ei_index(3, 1), ei_index(0, 2), ei_index(0, 0) is None
    (0.5, -1.0, True)
    """
    total = external + internal
    return clean_float((external - internal) / total) if total else None


def block_direction(by: str, g: str | None, h: str | None) -> str | None:
    """``horizontal`` or ``vertical`` for a block of admin levels (None if either is unknown),
    ``horizontal`` for sectors (peers across sectors), None for any other attribute.

    >>> block_direction("admin_level", "district", "provincial")
    'vertical'
    >>> block_direction("admin_level", "district", None) is None
    True
    """
    if by == "admin_level":
        if g not in ADMIN_LEVELS or h not in ADMIN_LEVELS:
            return None
        return "horizontal" if g == h else "vertical"
    if by == "sector":
        return "horizontal"
    return None


def tie_matrix(ties: TieGraph) -> sp.csr_matrix:
    """The symmetric 0/1 actor adjacency of an undirected tie graph (arcs both ways)."""
    n = ties.n
    data = np.ones(ties.m, dtype=np.int64)
    mat = sp.csr_matrix((data, (ties.src, ties.dst)), shape=(n, n), dtype=np.int64)
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


class Partition:
    """Actors split into ``k`` parts (``codes``): ``M`` (n × k, CSC) holds each actor's tie
    count to each part, ``T`` (k × k, dense) the ties between parts (ordered: within a part
    every tie is counted twice)."""

    def __init__(self, adjacency: sp.csr_matrix, codes: np.ndarray, k: int) -> None:
        n = adjacency.shape[0]
        self.codes = codes
        self.k = k
        member = sp.csr_matrix(
            (np.ones(n, dtype=np.int64), (np.arange(n), codes)), shape=(n, k), dtype=np.int64
        )
        self.M = (adjacency @ member).tocsc()
        self.M.eliminate_zeros()
        self.M.sort_indices()
        self.T = np.asarray((member.T @ self.M).toarray(), dtype=np.int64)
        self.sizes = np.bincount(codes, minlength=k)
        order = np.argsort(codes, kind="stable")
        ptr = np.concatenate(([0], np.cumsum(self.sizes)))
        self._members = [order[ptr[g] : ptr[g + 1]] for g in range(k)]
        self._touch: dict[int, np.ndarray] = {}

    def members(self, g: int) -> np.ndarray:
        """The actors of part ``g`` (sorted indices)."""
        return self._members[g]

    def column(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """The actors with ties into part ``g`` and how many (sorted by actor)."""
        lo, hi = self.M.indptr[g], self.M.indptr[g + 1]
        return self.M.indices[lo:hi], self.M.data[lo:hi]

    def ties(self, g: int, h: int) -> int:
        """Tied unordered pairs with one actor in g and the other in h (g = h: within)."""
        return int(self.T[g, h] // 2) if g == h else int(self.T[g, h])

    def touching(self, g: int) -> np.ndarray:
        """The actors in part ``g`` or tied to it (sorted, unique)."""
        if g not in self._touch:
            self._touch[g] = np.union1d(self.column(g)[0], self.members(g))
        return self._touch[g]

    def fragile(self) -> dict[tuple[int, int], list[int]]:
        """For each pair of distinct parts (g < h) with ties, the actors that are an end of
        every one of them: removing such an actor leaves the pair with no tie. One actor when
        the pair has two ties or more, both ends when it has one."""
        coo = self.M.tocoo()
        x, h, v = coo.row, coo.col, coo.data
        g = self.codes[x]
        hit = (g != h) & (v == self.T[g, h])
        out: dict[tuple[int, int], list[int]] = defaultdict(list)
        for xi, gi, hi in zip(x[hit].tolist(), g[hit].tolist(), h[hit].tolist(), strict=True):
            out[(min(gi, hi), max(gi, hi))].append(xi)
        return out


def _group_rows(part: Partition, labels: list[str | None]) -> tuple[list[dict], int, int]:
    """Per group: its actors, internal and external ties and E-I index; and the totals."""
    diag = np.diag(part.T)
    internal = diag // 2
    external = part.T.sum(axis=1) - diag
    rows = [
        {
            "group": lab,
            "actors": int(part.sizes[g]),
            "internal": int(internal[g]),
            "external": int(external[g]),
            "ei_index": ei_index(int(external[g]), int(internal[g])),
        }
        for g, lab in enumerate(labels)
    ]
    total_internal = int(internal.sum())
    total_external = int((part.T.sum() - diag.sum()) // 2)
    return rows, total_internal, total_external


def _ties_by_direction(
    adjacency: sp.csr_matrix, part: Partition, levels: Sequence[str | None]
) -> np.ndarray:
    """(k, k, 3) counts of the tied pairs between parts g ≤ h that are horizontal (both ends
    at one admin level), vertical (two different levels) or undecided (an end without a
    known level), as :func:`~graph_service.domain.derive_direction` reads the two ends."""
    order = {lab: i for i, lab in enumerate(ADMIN_LEVELS)}
    lev = np.array([order.get(lab, -1) if lab else -1 for lab in levels], dtype=np.int64)
    upper = sp.triu(adjacency, k=1).tocoo()
    i, j = upper.row.astype(np.int64), upper.col.astype(np.int64)
    li, lj = lev[i], lev[j]
    kind = np.where((li < 0) | (lj < 0), 2, np.where(li == lj, 0, 1))
    gi, gj = part.codes[i], part.codes[j]
    g, h = np.minimum(gi, gj), np.maximum(gi, gj)
    k = part.k
    counts = np.bincount((g * k + h) * 3 + kind, minlength=k * k * 3)
    return counts.reshape(k, k, 3)


def _blocks(
    part: Partition, labels: list[str | None], by: str, by_direction: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """One row per pair of groups g ≤ h; ``ties_by_direction`` splits its ties into
    horizontal, vertical and undecided (see :func:`_ties_by_direction`). By sector, the
    direction is ``horizontal`` (peers across sectors) unless some ties are not: then
    ``vertical`` when all of them are, else null (mixed, or undecided)."""
    out = []
    sizes = part.sizes.tolist()
    for g in range(part.k):
        for h in range(g, part.k):
            possible = sizes[g] * (sizes[g] - 1) // 2 if g == h else sizes[g] * sizes[h]
            n_ties = part.ties(g, h)
            out.append(
                {
                    "from": labels[g],
                    "to": labels[h],
                    "direction": block_direction(by, labels[g], labels[h]),
                    "ties": n_ties,
                    "possible": possible,
                    "density": clean_float(n_ties / possible) if possible else None,
                }
            )
            if by_direction is not None:
                h_, v_, u_ = by_direction[g, h].tolist()
                out[-1]["ties_by_direction"] = {"horizontal": h_, "vertical": v_, "undecided": u_}
                if by == "sector" and (v_ or u_):
                    # what the ties are: sectors are compared as peers (horizontal), but
                    # a block whose ties cross levels, or cannot be placed, is not that
                    out[-1]["direction"] = "vertical" if not h_ and not u_ else None
    return out


def _admin_levels(sub: Subgraph, ties: TieGraph) -> list[str | None]:
    """Each actor's admin_level label (None for all when no actor has one)."""
    try:
        return group_actors(sub.nodes, ties.ids, "admin_level", sub).labels
    except InvalidInput:
        return [None] * ties.n


# -- tie shares (issue 12: gaps --tie-attr) --------------------------------------------------


def _shares(counts: dict[str, int], total: int) -> dict[str, Any]:
    """``{"total", "values": {value: count}, "shares": {value: fraction}}``, most first,
    then by value; shares of ``total`` (null when there is no tie)."""
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "total": total,
        "values": ordered,
        "shares": {v: clean_float(c / total) if total else None for v, c in ordered.items()},
    }


def tie_shares(
    sub: Subgraph,
    ties: TieGraph,
    codes: np.ndarray,
    labels: Sequence[str | None],
    blocks: Sequence[dict[str, Any]],
    attribute: str,
    types: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The ties by the value of a relationship property ``attribute`` (S14: "what share of
    ties are formal or informal, per region?"), for the whole network, for each group and
    for each block of groups.

    Here a tie is one relationship between two different actors (of ``types`` when given):
    unlike ``blocks``, which count tied *pairs*, two relationships joining one pair count
    twice, each with its own value, since the property belongs to the relationship. A
    relationship without the property counts under ``"null"``; one whose property holds a
    list counts once under each of its values (so ``values`` may sum to more than
    ``total``). A group's row counts the relationships with at least one end in it (within
    the group once); a block's row those with one end in each of its two groups (the same
    group twice: within it), with the block's ``direction`` as ``blocks`` gives it; only
    blocks with a relationship are listed. ``shares`` are count / total.

    >>> from graph_service.domain import Edge, Node
    >>> nodes = [Node(i, "Organisation", {"name": i, "region": r}) for i, r in
    ...          (("a", "north"), ("b", "north"), ("c", "south"))]
    >>> edges = [Edge("a", "PARTNERS_WITH", "b", {"formality": "formal"}),
    ...          Edge("a", "SUPPORTS", "c", {"formality": "informal"}),
    ...          Edge("b", "MENTORS", "c")]
    >>> doc = gaps_report(Subgraph.of(nodes, edges), "region", tie_attr="formality")
    >>> shares = doc["tie_shares"]
    >>> shares["values"], shares["shares"]["formal"]
    ({'formal': 1, 'informal': 1, 'null': 1}, 0.3333333333)
    >>> for g in shares["groups"]:
    ...     print(g["group"], g["total"], g["values"])
    north 3 {'formal': 1, 'informal': 1, 'null': 1}
    south 2 {'informal': 1, 'null': 1}
    >>> [(b["from"], b["to"], b["values"]) for b in shares["blocks"]]
    [('north', 'north', {'formal': 1}), ('north', 'south', {'informal': 1, 'null': 1})]
    """
    from collections import Counter

    wanted = set(types) if types else None
    k = len(labels)
    every: Counter[str] = Counter()
    per_group: list[Counter[str]] = [Counter() for _ in range(k)]
    group_total = [0] * k
    per_block: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    block_total: Counter[tuple[int, int]] = Counter()
    total = 0
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if wanted is not None and e.type not in wanted:
            continue
        a, b = ties.index.get(e.source), ties.index.get(e.target)
        if a is None or b is None or a == b:
            continue
        stored = e.props.get(attribute)
        found = stored if isinstance(stored, list) else [stored]
        values = [value_text(v) for v in found if v is not None and v != ""] or ["null"]
        distinct = list(dict.fromkeys(values))
        g, h = int(codes[a]), int(codes[b])
        key = (min(g, h), max(g, h))
        total += 1
        block_total[key] += 1
        for x in {g, h}:
            group_total[x] += 1
        for v in distinct:
            every[v] += 1
            per_block[key][v] += 1
            for x in {g, h}:
                per_group[x][v] += 1
    direction = {(blk["from"], blk["to"]): blk["direction"] for blk in blocks}
    return {
        "attribute": attribute,
        **_shares(every, total),
        "groups": [{"group": labels[g], **_shares(per_group[g], group_total[g])} for g in range(k)],
        "blocks": [
            {
                "from": labels[g],
                "to": labels[h],
                "direction": direction.get((labels[g], labels[h])),
                **_shares(per_block[(g, h)], block_total[(g, h)]),
            }
            for g, h in sorted(per_block)
        ],
    }


# -- missing links ---------------------------------------------------------------------------


class _GapFinder:
    """Finds the missing pairs of a partition and ranks the brokers who could close them."""

    def __init__(
        self,
        ties: TieGraph,
        adjacency: sp.csr_matrix,
        degree: np.ndarray,
        labels: list[str | None],
        codes: np.ndarray,
    ) -> None:
        self.ties = ties
        self.adjacency = adjacency
        self.degree = degree
        self.labels = labels
        self.codes = codes
        # every actor, by degree descending then id (ids are sorted, so index order is id order)
        self.rank = np.lexsort((np.arange(ties.n), -degree))

    # which pairs -----------------------------------------------------------------------------

    def group_gaps(self, part: Partition, by: str) -> list[dict[str, Any]]:
        """Adjacent levels for ``admin_level``; every pair of non-null groups otherwise."""
        fragile = part.fragile()
        known = [g for g, lab in enumerate(self.labels) if lab is not None]
        if by == "admin_level":
            levels = [g for g in known if self.labels[g] in ADMIN_LEVELS]
            pairs = list(zip(levels, levels[1:], strict=False))
            direction: str | None = "vertical"
        else:
            idx = np.array(known, dtype=np.int64)
            a, b = np.triu_indices(idx.size, k=1)
            ga, gb = idx[a], idx[b]
            gap = part.T[ga, gb] == 0
            if fragile:
                keys = np.array([g * part.k + h for g, h in fragile], dtype=np.int64)
                gap |= np.isin(ga * part.k + gb, keys)
            pairs = list(zip(ga[gap].tolist(), gb[gap].tolist(), strict=True))
            direction = None
        out = []
        for g, h in pairs:
            entry = self._gap(part, fragile, g, h)
            if entry is not None:
                out.append(
                    {"from": self.labels[g], "to": self.labels[h], "direction": direction} | entry
                )
        return out

    def sector_gaps(
        self, level_labels: list[str | None], sector_code: dict[str | None, int]
    ) -> list[dict[str, Any]]:
        """Every pair of (non-null) sectors present within each admin level; actors without
        an admin level form one unknown level."""
        level_order = order_groups("admin_level", level_labels)
        level_code = {lab: i for i, lab in enumerate(level_order)}
        lev = np.array([level_code[lab] for lab in level_labels], dtype=np.int64)
        k = len(self.labels)
        cells, cell_codes = np.unique(lev * k + self.codes, return_inverse=True)
        cell_codes = np.asarray(cell_codes, dtype=np.int64).ravel()
        part = Partition(self.adjacency, cell_codes, int(cells.size))
        fragile = part.fragile()
        null_sector = sector_code.get(None, -1)
        by_level: dict[int, list[tuple[int, int]]] = defaultdict(list)  # level -> (sector, cell)
        for cell, code in enumerate(cells.tolist()):
            level, sector = divmod(code, k)
            if sector != null_sector:
                by_level[level].append((sector, cell))
        out = []
        for level in sorted(by_level):
            if level_order[level] is None:  # no known level: see undecided_gaps
                continue
            present = sorted(by_level[level])
            for i, (sg, cg) in enumerate(present):
                for sh, ch in present[i + 1 :]:
                    entry = self._gap(part, fragile, cg, ch)
                    if entry is not None:
                        out.append(
                            {
                                "from": self.labels[sg],
                                "to": self.labels[sh],
                                "direction": "horizontal",
                                "level": level_order[level],
                            }
                            | entry
                        )
        return out

    def undecided_gaps(
        self, part: Partition, level_labels: list[str | None]
    ) -> list[dict[str, Any]]:
        """The pairs of (non-null) sectors where an actor has no known admin level: whether
        their ties are horizontal cannot be decided, so the pair is compared on all its
        ties, the very ties the block table counts (direction null, ``undecided`` says
        why)."""
        no_level = np.array([lab is None for lab in level_labels], dtype=bool)
        if not no_level.any():
            return []
        counts = np.bincount(self.codes[no_level], minlength=len(self.labels))
        fragile = part.fragile()
        known = [g for g, lab in enumerate(self.labels) if lab is not None]
        out = []
        for i, g in enumerate(known):
            for h in known[i + 1 :]:
                n_without = int(counts[g] + counts[h])
                if not n_without:
                    continue
                entry = self._gap(part, fragile, g, h)
                if entry is None:
                    continue
                why = (
                    f"{n_without} actor(s) of {self.labels[g]} and {self.labels[h]} have no "
                    "admin_level, so whether their ties are horizontal or vertical cannot be "
                    "decided: compared on all their ties"
                )
                out.append(
                    {
                        "from": self.labels[g],
                        "to": self.labels[h],
                        "direction": None,
                        "level": None,
                        "undecided": why,
                    }
                    | entry
                )
        return out

    # one pair --------------------------------------------------------------------------------

    def _gap(
        self, part: Partition, fragile: dict[tuple[int, int], list[int]], g: int, h: int
    ) -> dict[str, Any] | None:
        """The gap between parts g and h, or None when they are tied robustly."""
        n_ties = part.ties(g, h)
        ends = fragile.get((min(g, h), max(g, h)), []) if n_ties else []
        if n_ties and not ends:
            return None
        ends = sorted(ends, key=lambda i: (-int(self.degree[i]), i))
        through = ends[0] if ends else None
        best, chosen = self._brokers(part, g, h, through, np.array(ends, dtype=np.int64))
        ids = self.ties.ids
        return {
            "status": "one_actor" if n_ties else "none",
            "ties": n_ties,
            "through": ids[through] if through is not None else None,
            "fragile": [ids[i] for i in ends],
            "brokers": [ids[i] for i in chosen],
            "candidates": [
                {
                    "id": ids[i],
                    "name": self.ties.nodes[ids[i]].name,
                    "group": self.labels[self.codes[i]],
                    "new_ties": best,
                    "degree": int(self.degree[i]),
                }
                for i in chosen
            ],
        }

    def _brokers(
        self, part: Partition, g: int, h: int, gone: int | None, exclude: np.ndarray
    ) -> tuple[int, list[int]]:
        """The fewest new ties any actor needs to join parts g and h, and the actors that
        need that many (degree descending, then id; at most ``MAX_BROKERS``).

        new_ties(x) = [x not in g and not tied to g] + [x not in h and not tied to h]. When
        the pair hangs on one actor (``gone``), it is counted as if that actor had left: its
        ties do not count, and the ``exclude``d actors (it, and the other end of a single
        tie) are never brokers."""
        in_g = self._touching(part, g, gone)
        in_h = self._touching(part, h, gone)
        if exclude.size:
            in_g = np.setdiff1d(in_g, exclude, assume_unique=True)
            in_h = np.setdiff1d(in_h, exclude, assume_unique=True)
        both = np.intersect1d(in_g, in_h, assume_unique=True)
        if both.size:
            return 0, self._top(both)
        either = np.union1d(in_g, in_h)
        if either.size:
            return 1, self._top(either)
        head = self.rank[: MAX_BROKERS + exclude.size]
        head = head[~np.isin(head, exclude)]
        return 2, head[:MAX_BROKERS].tolist()

    def _touching(self, part: Partition, g: int, gone: int | None) -> np.ndarray:
        """The actors in part g or tied to it, without the ties of ``gone``."""
        touch = part.touching(g)
        if gone is None or part.codes[gone] != g:
            return touch
        rows, counts = part.column(g)
        neighbours = self.adjacency.indices[
            self.adjacency.indptr[gone] : self.adjacency.indptr[gone + 1]
        ]
        only_via_gone = rows[(counts == 1) & np.isin(rows, neighbours)]
        only_via_gone = only_via_gone[part.codes[only_via_gone] != g]
        return np.setdiff1d(touch, only_via_gone, assume_unique=True)

    def _top(self, candidates: np.ndarray) -> list[int]:
        order = np.lexsort((candidates, -self.degree[candidates]))
        return candidates[order][:MAX_BROKERS].tolist()


# -- named reports ---------------------------------------------------------------------------


def isolated_networks(
    ties: TieGraph, adjacency: sp.csr_matrix, level_labels: Sequence[str | None]
) -> list[dict[str, Any]]:
    """Networks with no route (actor ties, either way, any length) to any actor at provincial
    level or above. A network that is itself provincial or above is never isolated."""
    if ties.n == 0:
        return []
    _, component = connected_components(adjacency, directed=False)
    high = np.array([lab in HIGH_LEVELS for lab in level_labels], dtype=bool)
    reached = np.zeros(int(component.max()) + 1, dtype=bool)
    reached[np.unique(component[high])] = True
    out = []
    for i, id_ in enumerate(ties.ids):
        if not i & 4095:
            budget.check()
        node = ties.nodes[id_]
        if node.kind == "Network" and not reached[component[i]]:
            out.append({"id": id_, "name": node.name, "admin_level": level_labels[i]})
    return out


def readiness_of(value: Any) -> int | None:
    """A readiness level stored as an int, a float or a digit string (Thai digits too), as
    a whole number; None when it is missing or not a whole number.

    >>> readiness_of(2), readiness_of(1.0), readiness_of(" ๒ "), readiness_of("2.5")
    (2, 1, 2, None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    try:
        number = float(to_ascii_digits(str(value)).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def unused_mature_knowledge(sub: Subgraph) -> list[dict[str, Any]]:
    """Knowledge assets at readiness 1 or 2 (DOMAIN.md section 5) that nobody uses: no
    entity USES them and they are ADOPTED_BY nobody (the asset ADOPTED_BY an adopter; the
    other way round is read too), with who produced them. ``users`` is kept for the shape
    and is always empty: an asset with a user or an adopter is in use."""
    nodes = sub.nodes
    producers: dict[str, set[str]] = defaultdict(set)
    used: set[str] = set()
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        if e.type == "ADOPTED_BY":
            source = nodes.get(e.source)
            if source is not None and source.kind == "KnowledgeAsset" and e.target in nodes:
                used.add(e.source)
        target = nodes.get(e.target)
        if target is None or target.kind != "KnowledgeAsset" or e.source not in nodes:
            continue
        if e.type == "PRODUCES":
            producers[e.target].add(e.source)
        elif e.type in USE_TYPES and e.source != e.target:
            used.add(e.target)
    out = []
    for id_ in sorted(nodes):
        node = nodes[id_]
        if node.kind != "KnowledgeAsset" or id_ in used:
            continue
        readiness = readiness_of(node.props.get("readiness"))
        if readiness not in MATURE_READINESS:
            continue
        out.append(
            {
                "id": id_,
                "name": node.name,
                "readiness": readiness,
                "producers": sorted(producers.get(id_, ())),
                "users": [],
            }
        )
    return out


def _capacity(edge: Edge) -> str | None:
    """``personal``, ``institutional`` or None, from the relationship's ``capacity``
    (English or Thai words, see ``CAPACITY_WORDS``).

    >>> _capacity(Edge("o", "MEMBER_OF", "n", {"capacity": " ส่วนบุคคล "}))
    'personal'
    """
    value = edge.props.get("capacity")
    if value is None:
        return None
    text = str(value).strip().casefold()
    return CAPACITY_WORDS.get(text, text)


def personal_only_organisations(sub: Subgraph) -> list[dict[str, Any]]:
    """Organisations present in a network only in a personal capacity (DOMAIN.md section
    2: "the agency takes part only through individuals, not as an agency"), in two ways:

    - the organisation is itself MEMBER_OF network N with ``capacity`` personal
      (``own_membership``: ``personal``);
    - a person of organisation X (WORKS_FOR or MEMBER_OF it) is a personal MEMBER_OF
      network N (listed in ``people``);

    and in either case X has no other relationship of its own with N (either way) and no
    person of X sits in N in an institutional capacity."""
    nodes = sub.nodes

    def kind(id_: str) -> str | None:
        node: Node | None = nodes.get(id_)
        return node.kind if node is not None else None

    personal: dict[str, set[str]] = defaultdict(set)  # person -> networks
    institutional: dict[str, set[str]] = defaultdict(set)
    organisations: dict[str, set[str]] = defaultdict(set)  # person -> organisations
    linked: set[tuple[str, str]] = set()  # (organisation, network) with a tie of their own
    own_personal: set[tuple[str, str]] = set()  # organisation MEMBER_OF network, personally
    for step, e in enumerate(sub.edges):
        if not step & 4095:
            budget.check()
        ks, kt = kind(e.source), kind(e.target)
        if ks == "Person" and kt == "Network" and e.type == "MEMBER_OF":
            capacity = _capacity(e)
            if capacity == "personal":
                personal[e.source].add(e.target)
            elif capacity == "institutional":
                institutional[e.source].add(e.target)
        elif ks == "Person" and kt == "Organisation" and e.type in PERSON_ORG_TYPES:
            organisations[e.source].add(e.target)
        elif ks == "Organisation" and kt == "Network":
            if e.type == "MEMBER_OF" and _capacity(e) == "personal":
                own_personal.add((e.source, e.target))
            else:
                linked.add((e.source, e.target))
        elif ks == "Network" and kt == "Organisation":
            linked.add((e.target, e.source))
    seated = {
        (org, net)
        for person, nets in institutional.items()
        for org in organisations.get(person, ())
        for net in nets
    }
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in own_personal:
        found[key]  # noqa: B018 (creates the entry: the organisation itself, no person)
    for person, nets in personal.items():
        for org in organisations.get(person, ()):
            for net in nets:
                found[(org, net)].add(person)
    return [
        {
            "organisation": org,
            "network": net,
            "people": sorted(people),
            "own_membership": "personal" if (org, net) in own_personal else None,
        }
        for (org, net), people in sorted(found.items())
        if (org, net) not in linked and (org, net) not in seated
    ]


__all__ = [
    "DEFAULT_BY",
    "Partition",
    "block_direction",
    "ei_index",
    "gaps",
    "gaps_report",
    "isolated_networks",
    "order_groups",
    "personal_only_organisations",
    "readiness_of",
    "tie_matrix",
    "tie_shares",
    "unused_mature_knowledge",
]

"""The public view of a store (PDPA): a read-only GraphStore over another one, with the
people who have not consented under pseudonyms.

Thailand's Personal Data Protection Act (PDPA, B.E. 2562) treats a person's name and
whatever identifies them as personal data. A Person is *disclosed* when its ``consent`` or
``public`` property is truthy (:func:`is_disclosed`); every other Person is *private*.
:func:`public_view` wraps a store so that every read shows a private person

- under a stable pseudonym id ``anon-<10 hex>`` and the name ``บุคคลนิรนาม <same hex>``,
  where the hex digits are the start of HMAC-SHA256 of the real id keyed by the store's
  secret (``GraphStore.secret()``, kept in the store, so the pseudonyms survive restarts and
  are the same in every view and every export of that store, and cannot be recomputed, or a
  real id guessed from them, without the secret);
- with only the properties named in ``fields`` (``Settings.public_person_fields``, by default
  ``role``, ``admin_level`` and ``sector``) besides the pseudonym name;

and every relationship touching a private person with only the contract properties
(``EDGE_FIELDS``) and a key rebuilt from its visible ends. The view maps the pseudonyms it
is given back to the real ids, so links between pages, ``show``, ``reach`` and the maps work
on it as on the store; a private person's *real* id or real name given to it finds nothing,
so nobody can test whether someone is in the graph. Analyses over the view give the real
answers with the ids renamed: the structure is untouched.

Decisions (see also :class:`PublicView`):

- Relationships with their own id (key ``["id", X]``) touching a private person: ``X`` is
  free text that may hold the person's name or id (``"fund-somchai-2020"``), so the view
  shows the key ``["id", "anon-rel-<16 hex>"]`` (HMAC of the real key) instead. Such a key
  given to the view is looked up in a map built on first use by one scan of the
  relationships, kept until the graph's version moves. Keys ``[source, type, target]`` are
  rebuilt with :func:`graph_service.domain.edge_key` from the visible ends, so they need
  no map.
- Free text of *other* entities that mentions a private person (an organisation's
  ``description`` naming its director) is not rewritten: the view cannot tell a person's
  name from the same words in an organisation's name. Data keepers must not put personal
  data outside people's rows.
- The pseudonym hex is 10 digits (40 bits). When two private people share those 10 digits
  (a birthday collision: about 0.5 % for 100,000 private people), each of them gets the
  shortest longer prefix (12, 14, ... digits) that tells them apart, so that a pseudonym
  always names one person.
- An entity whose real id happens to equal a private person's pseudonym (data whose ids
  start with ``anon-``) is shadowed by that person in the view: ids given to the view are
  read as pseudonyms first.
- Consistency: the real-id <-> pseudonym maps are cached per graph version. Every read runs
  against the cached maps and is followed by one ``version()`` read; when the version
  moved meanwhile (a write between), the maps are rebuilt and the read is repeated, so a
  read never mixes a new person with old maps (which could show a person whose consent was
  just withdrawn under their real id).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph_service.domain import (
    YES_WORDS,
    Edge,
    Node,
    Stats,
    Subgraph,
    edge_key,
    normalise_name,
)
from graph_service.errors import StoreUnavailable, UsageError
from graph_service.store.base import GraphStore, Progress, WriteResult

T = TypeVar("T")

#: the kind whose entities can be private
PERSON = "Person"
#: the properties that disclose a person when truthy
DISCLOSURE_KEYS = ("consent", "public")
#: what a private person keeps by default (``Settings.public_person_fields``)
DEFAULT_FIELDS = ("role", "admin_level", "sector")
#: the properties a relationship touching a private person keeps (CONTRACT.md section 1)
EDGE_FIELDS = frozenset(
    {
        "type",
        "role",
        "capacity",
        "amount_thb",
        "need_thb",
        "purpose",
        "year",
        "start",
        "end",
        "weight",
        "direction",
    }
)
PSEUDONYM_PREFIX = "anon-"
PSEUDONYM_NAME = "บุคคลนิรนาม "
EDGE_PSEUDONYM_PREFIX = "anon-rel-"
#: hex digits of a pseudonym (more only to tell two people apart) and of a relationship's
HEX_DIGITS = 10
EDGE_HEX_DIGITS = 16
#: reads repeated when the graph keeps changing under them
ATTEMPTS = 5


def _is_yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    if isinstance(value, str):
        return normalise_name(value) in YES_WORDS
    return False


def is_disclosed(node: Node) -> bool:
    """True unless ``node`` is a Person without a truthy ``consent`` or ``public``.

    Truthy: a word of ``domain.YES_WORDS`` (``true``, ``yes``, ``ใช่``, ``ยินยอม``, …; any
    case, spaces trimmed; as the importer reads a yes/no cell), the boolean true, the
    number 1. Entities of other kinds are always disclosed.

    >>> is_disclosed(Node("p1", "Person", {"name": "สมศรี", "consent": "ยินยอม"}))
    True
    >>> is_disclosed(Node("p2", "Person", {"name": "สมชาย", "consent": "no"}))
    False
    >>> is_disclosed(Node("o1", "Organisation", {"name": "อบต. ลาโละ"}))
    True
    """
    if node.kind != PERSON:
        return True
    return any(_is_yes(node.props.get(key)) for key in DISCLOSURE_KEYS)


class Pseudonyms:
    """Stable pseudonyms from a secret: HMAC-SHA256 of the real id, keyed by ``secret``.

    >>> p = Pseudonyms("s3cret")
    >>> p.pseudonym_id("person-1")
    'anon-c7046cef5a'
    >>> p.pseudonym_name("person-1")
    'บุคคลนิรนาม c7046cef5a'
    """

    def __init__(self, secret: str) -> None:
        self._key = secret.encode("utf-8")

    def digest(self, real: str, salt: str = "") -> str:
        """The full HMAC-SHA256 hex digest of ``salt + real``."""
        message = (salt + real).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def pseudonym_id(self, real: str, hex_: str | None = None) -> str:
        return PSEUDONYM_PREFIX + (hex_ or self.digest(real)[:HEX_DIGITS])

    def pseudonym_name(self, real: str, hex_: str | None = None) -> str:
        return PSEUDONYM_NAME + (hex_ or self.digest(real)[:HEX_DIGITS])

    def edge_id(self, real_key: str) -> str:
        """The own id shown for a relationship whose real own id may hold personal data."""
        return EDGE_PSEUDONYM_PREFIX + self.digest(real_key, "relationship\x00")[:EDGE_HEX_DIGITS]

    def assign(self, reals: Iterable[str]) -> dict[str, str]:
        """real id -> pseudonym hex for every one of ``reals``: ``HEX_DIGITS`` digits, or,
        for people whose first ``HEX_DIGITS`` collide, the shortest longer even length that
        tells each of them apart (so a pseudonym names exactly one person)."""
        digests = {real: self.digest(real) for real in dict.fromkeys(reals)}
        groups: dict[str, list[str]] = {}
        for real, d in digests.items():
            groups.setdefault(d[:HEX_DIGITS], []).append(real)
        out: dict[str, str] = {}
        for prefix, members in groups.items():
            if len(members) == 1:
                out[members[0]] = prefix
                continue
            length = HEX_DIGITS + 2
            while len({digests[m][:length] for m in members}) < len(members):
                length += 2
            out.update((m, digests[m][:length]) for m in members)
        return out


@dataclass
class _Maps:
    """The view's translation tables at one graph version."""

    version: int
    pseudonyms: Pseudonyms
    #: real id of a private person -> pseudonym id
    private: dict[str, str]
    #: pseudonym id -> real id
    reverse: dict[str, str]
    #: pseudonym id -> pseudonym name
    names: dict[str, str]
    #: normalised pseudonym name -> real id
    name_keys: dict[str, str]
    #: shown key of a relationship with its own id touching a private person -> real key
    #: (built on first use)
    edge_keys: dict[str, str] | None = field(default=None)


def _own_id(key: str) -> str | None:
    """``X`` when ``key`` is ``["id", X]`` (a relationship identified by its own id)."""
    if not key.startswith('["id"'):
        return None
    try:
        parts = json.loads(key)
    except ValueError:
        return None
    if isinstance(parts, list) and len(parts) == 2 and parts[0] == "id":
        return str(parts[1])
    return None


class PublicView:
    """A read-only :class:`~graph_service.store.base.GraphStore` over ``store`` in which
    private people appear under pseudonyms (see the module docstring).

    Ids given to it: a pseudonym reads as the real id behind it; a private person's real
    id reads as an id nobody has (``NotFound`` in ``show``, empty answers elsewhere); every
    other id as itself. Ids it returns: private people's real ids replaced by pseudonyms.
    ``close()`` leaves the store open (the store belongs to whoever opened it); ``write``,
    ``delete`` and ``clear`` raise ``UsageError``; ``secret()`` raises too, since the secret
    would let anyone recompute the pseudonyms of ids they guess.
    """

    privacy_mode = "public"

    def __init__(self, store: GraphStore, fields: Sequence[str] = DEFAULT_FIELDS) -> None:
        self.store = store
        self.fields = tuple(fields)
        self.engine = store.engine
        self.location = store.location
        self._maps: _Maps | None = None

    # -- what the store says about itself ------------------------------------------------

    def ping(self) -> None:
        self.store.ping()

    def version(self) -> int:
        return self.store.version()

    def stats(self) -> Stats:
        return self.store.stats()  # counts only: nothing personal

    def secret(self) -> str:
        raise UsageError("the public view does not give out the store's secret")

    # -- the translation tables ----------------------------------------------------------

    def _build_maps(self) -> _Maps:
        version = self.store.version()  # before the data: see _read
        pseudonyms = Pseudonyms(self.store.secret())  # read each time: clear() may renew it
        people = self.store.get_nodes(self.store.ids_of([PERSON]))
        private = sorted(i for i, n in people.items() if not is_disclosed(n))
        hexes = pseudonyms.assign(private)
        maps = _Maps(version, pseudonyms, {}, {}, {}, {})
        for real in private:
            pid = pseudonyms.pseudonym_id(real, hexes[real])
            name = pseudonyms.pseudonym_name(real, hexes[real])
            maps.private[real] = pid
            maps.reverse[pid] = real
            maps.names[pid] = name
            maps.name_keys[normalise_name(name)] = real
        return maps

    def _read(self, work: Callable[[_Maps], T]) -> T:
        """Run ``work`` with the maps of the graph's current version.

        The maps are read after the version they are filed under, and ``work`` reads the
        store after them; the version read after ``work`` then proves all of it saw that
        one version (versions only grow). Otherwise the maps are rebuilt and ``work`` runs
        again."""
        for _ in range(ATTEMPTS):
            maps = self._maps
            if maps is None:
                maps = self._maps = self._build_maps()
            result = work(maps)
            if self.store.version() == maps.version:
                return result
            self._maps = None
        raise StoreUnavailable(
            "the graph kept changing while the public view read it; try again",
            {"attempts": ATTEMPTS},
        )

    @staticmethod
    def _real(maps: _Maps, id_: str) -> str | None:
        """The real id behind an id given to the view; None for a private real id."""
        if id_ in maps.reverse:
            return maps.reverse[id_]
        if id_ in maps.private:
            return None
        return id_

    @classmethod
    def _reals(cls, maps: _Maps, ids: Iterable[str]) -> list[str]:
        return [r for r in (cls._real(maps, i) for i in ids) if r is not None]

    @staticmethod
    def _shown(maps: _Maps, id_: str) -> str:
        return maps.private.get(id_, id_)

    def _node(self, maps: _Maps, node: Node) -> Node:
        pid = maps.private.get(node.id)
        if pid is None:
            return node
        props: dict[str, Any] = {"name": maps.names[pid]}
        props.update((k, node.props[k]) for k in self.fields if k in node.props and k != "name")
        return Node(pid, node.kind, props)

    def _edge(self, maps: _Maps, edge: Edge) -> Edge:
        if edge.source not in maps.private and edge.target not in maps.private:
            return edge
        source, target = self._shown(maps, edge.source), self._shown(maps, edge.target)
        props = {k: v for k, v in edge.props.items() if k in EDGE_FIELDS}
        own = _own_id(edge.key)
        key = edge_key(
            source, edge.type, target, maps.pseudonyms.edge_id(edge.key) if own else None
        )
        return Edge(source, edge.type, target, props, key)

    def _nodes(self, maps: _Maps, nodes: Mapping[str, Node]) -> dict[str, Node]:
        out = (self._node(maps, n) for n in nodes.values())
        return {n.id: n for n in out}

    def _edges(self, maps: _Maps, edges: Iterable[Edge]) -> list[Edge]:
        return [self._edge(maps, e) for e in edges]

    def _edge_keys(self, maps: _Maps) -> dict[str, str]:
        """Shown key -> real key of every relationship with its own id that touches a
        private person: one scan of the relationships per graph version, on first use."""
        if maps.edge_keys is None:
            found: dict[str, str] = {}
            for e in self.store.find_edges():
                if (e.source in maps.private or e.target in maps.private) and _own_id(e.key):
                    found[self._edge(maps, e).key] = e.key
            maps.edge_keys = found
        return maps.edge_keys

    def _real_key(self, maps: _Maps, key: str) -> str | None:
        """The real key behind a key given to the view; None when it names nothing the
        view shows."""
        own = _own_id(key)
        if own is not None:
            if own.startswith(EDGE_PSEUDONYM_PREFIX):
                real = self._edge_keys(maps).get(key)
                if real is not None:
                    return real
            return key  # a real own id: refused in get_edges if it touches a private person
        try:
            parts = json.loads(key)
        except ValueError:
            return None
        if not (
            isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)
        ):
            return None
        source, target = self._real(maps, parts[0]), self._real(maps, parts[2])
        if source is None or target is None:
            return None
        return edge_key(source, parts[1], target)

    # -- reads ---------------------------------------------------------------------------

    def get_nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        wanted = list(ids)
        return self._read(lambda m: self._nodes(m, self.store.get_nodes(self._reals(m, wanted))))

    def find_by_name(self, name_key: str) -> list[Node]:
        def work(m: _Maps) -> list[Node]:
            found = [n for n in self.store.find_by_name(name_key) if n.id not in m.private]
            real = m.name_keys.get(name_key)
            if real is not None:
                found.extend(self.store.get_nodes([real]).values())
            return sorted((self._node(m, n) for n in found), key=lambda n: n.id)

        return self._read(work)

    def search_names(self, text: str, kinds: Sequence[str] | None = None) -> list[tuple[str, str]]:
        def work(m: _Maps) -> list[tuple[str, str]]:
            found = [
                (i, key) for i, key in self.store.search_names(text, kinds) if i not in m.private
            ]
            if kinds is None or PERSON in kinds:
                for pid, name in m.names.items():
                    key = normalise_name(name)
                    if text in key or text == pid:
                        found.append((pid, key))
            return found

        return self._read(work)

    def edges_of(self, id: str, offset: int = 0, limit: int | None = None) -> list[Edge]:
        """The store's page (in the store's order, of the real ids: pages follow one
        another without a gap or a repeat), pseudonyms shown."""

        def work(m: _Maps) -> list[Edge]:
            real = self._real(m, id)
            if real is None:
                return []
            return self._edges(m, self.store.edges_of(real, offset, limit))

        return self._read(work)

    def count_edges_of(self, id: str) -> int:
        def work(m: _Maps) -> int:
            real = self._real(m, id)
            return 0 if real is None else self.store.count_edges_of(real)

        return self._read(work)

    def expand(self, ids: Sequence[str], types: Sequence[str] | None = None) -> set[str]:
        def work(m: _Maps) -> set[str]:
            found = self.store.expand(self._reals(m, ids), types)
            return {self._shown(m, i) for i in found}

        return self._read(work)

    def edges_among(self, ids: Sequence[str], types: Sequence[str] | None = None) -> list[Edge]:
        return self._read(
            lambda m: self._edges(m, self.store.edges_among(self._reals(m, ids), types))
        )

    def distances(
        self,
        start: str,
        depth: int,
        types: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> dict[str, int]:
        def work(m: _Maps) -> dict[str, int]:
            real = self._real(m, start)
            if real is None:
                return {}
            found = self.store.distances(real, depth, types, kinds, limit)
            return {self._shown(m, i): d for i, d in found.items()}

        return self._read(work)

    def ids_of(self, kinds: Sequence[str] | None = None) -> list[str]:
        return self._read(lambda m: sorted(self._shown(m, i) for i in self.store.ids_of(kinds)))

    def subgraph(
        self, kinds: Sequence[str] | None = None, types: Sequence[str] | None = None
    ) -> Subgraph:
        def work(m: _Maps) -> Subgraph:
            sub = self.store.subgraph(kinds, types)
            out = Subgraph(self._nodes(m, sub.nodes), self._edges(m, sub.edges))
            out.distance = {self._shown(m, i): d for i, d in sub.distance.items()}
            return out

        return self._read(work)

    def get_edges(self, keys: Iterable[str]) -> dict[str, Edge]:
        wanted = list(dict.fromkeys(keys))

        def work(m: _Maps) -> dict[str, Edge]:
            reals = {k: self._real_key(m, k) for k in wanted}
            found = self.store.get_edges({r for r in reals.values() if r is not None})
            out: dict[str, Edge] = {}
            for key, real in reals.items():
                edge = found.get(real) if real is not None else None
                if edge is not None:
                    shown = self._edge(m, edge)
                    if shown.key == key:  # a key the view shows (never a hidden real key)
                        out[key] = shown
            return out

        return self._read(work)

    def find_edges(
        self,
        source: str | None = None,
        type: str | None = None,
        target: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[Edge]:
        """Every match sorted by the key shown; a page (``offset``, ``limit``) is cut in
        the store, in the order of the real keys (so pages follow one another without a gap
        or a repeat)."""

        def work(m: _Maps) -> list[Edge]:
            ends = self._real_ends(m, source, target)
            if ends is None:
                return []  # a private person's real id: nobody
            found = self._edges(m, self.store.find_edges(ends[0], type, ends[1], offset, limit))
            return found if limit is not None or offset else sorted(found, key=lambda e: e.key)

        return self._read(work)

    def count_edges(
        self, source: str | None = None, type: str | None = None, target: str | None = None
    ) -> int:
        def work(m: _Maps) -> int:
            ends = self._real_ends(m, source, target)
            return 0 if ends is None else self.store.count_edges(ends[0], type, ends[1])

        return self._read(work)

    def _real_ends(
        self, m: _Maps, source: str | None, target: str | None
    ) -> tuple[str | None, str | None] | None:
        """The real ids behind the ends given (None: any); None when one is a private
        person's real id (it matches nothing)."""
        real_source = None if source is None else self._real(m, source)
        real_target = None if target is None else self._real(m, target)
        if (source is not None and real_source is None) or (
            target is not None and real_target is None
        ):
            return None
        return real_source, real_target

    # -- writes: refused -----------------------------------------------------------------

    def write(
        self,
        nodes: Sequence[Node],
        edges: Sequence[Edge],
        progress: Progress | None = None,
        *,
        replace: bool = False,
        expected_version: int | None = None,
        at: str | None = None,
        snapshot: bool = False,
    ) -> WriteResult:
        raise UsageError("the public view is read-only")

    def delete(
        self,
        node_ids: Sequence[str] = (),
        edge_keys: Sequence[str] = (),
        *,
        expected_version: int | None = None,
        at: str | None = None,
    ) -> WriteResult:
        raise UsageError("the public view is read-only")

    def clear(self) -> None:
        raise UsageError("the public view is read-only")

    def close(self) -> None:
        """Nothing: the store stays open for whoever opened it."""


def public_fields(text: str) -> tuple[str, ...]:
    """The person fields a public view keeps, from ``Settings.public_person_fields``
    (comma-separated): ``"role, sector"`` -> ``("role", "sector")``."""
    return tuple(f.strip() for f in text.split(",") if f.strip())


def public_view(store: GraphStore, fields: Sequence[str] = DEFAULT_FIELDS) -> GraphStore:
    """``store`` as the public sees it: private people under pseudonyms, keeping only
    ``fields`` (see the module docstring). A view of a view is the view itself."""
    if isinstance(store, PublicView):
        return store
    return PublicView(store, fields)


__all__ = [
    "DEFAULT_FIELDS",
    "EDGE_FIELDS",
    "PublicView",
    "Pseudonyms",
    "is_disclosed",
    "public_fields",
    "public_view",
]

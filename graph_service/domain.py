"""The INN graph's vocabulary, shared by stores, importers, analysis and maps.

DOMAIN.md section 2: every Person is individual level, every Organisation node level,
every Network network level; Fund, KnowledgeAsset, Area and Programme carry no INN level.
Section 3: a link between two entities with an ``admin_level`` is *horizontal* when both
ends are at the same level and *vertical* when they differ, unless the data says otherwise;
a placement (LOCATED_IN, OPERATES_IN, PART_OF) is neither.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Property values the stores keep: scalars or lists of scalars (what Neo4j can store).
Scalar = str | int | float | bool
Value = Scalar | list[Scalar]
Props = dict[str, Value]

#: kind -> INN level (None: not an actor level)
KINDS: dict[str, str | None] = {
    "Person": "individual",
    "Organisation": "node",
    "Network": "network",
    "Fund": None,
    "KnowledgeAsset": None,
    "Area": None,
    "Programme": None,
    # meetings and Outcome Mapping (CONTRACT.md section 1b): not actors, no INN level
    "Event": None,
    "OutcomeChallenge": None,
    "ProgressMarker": None,
    "Strategy": None,
    "Practice": None,
    "JournalEntry": None,
}
ACTOR_KINDS = ("Person", "Organisation", "Network")
LEVELS = ("individual", "node", "network")

#: dataset file or sheet name -> kind (CONTRACT.md section 1)
FILE_KINDS: dict[str, str] = {
    "people": "Person",
    "organisations": "Organisation",
    "networks": "Network",
    "funds": "Fund",
    "knowledge_assets": "KnowledgeAsset",
    "areas": "Area",
    "programmes": "Programme",
}
RELATIONSHIPS_FILE = "relationships"
#: the meetings and Outcome Mapping sheets (CONTRACT.md section 1b) -> the kind each row
#: makes (None: the row is a relationship); their columns are ``dataset.SHEETS_1B``
SHEET_KINDS_1B: dict[str, str | None] = {
    "events": "Event",
    "attendance": None,
    "outcome_challenges": "OutcomeChallenge",
    "progress_markers": "ProgressMarker",
    "strategies": "Strategy",
    "practices": "Practice",
    "outcome_journal": "JournalEntry",
    "strategy_journal": "JournalEntry",
    "performance_journal": "JournalEntry",
}
DATASET_FILES = (*FILE_KINDS, RELATIONSHIPS_FILE, *SHEET_KINDS_1B)
#: the kinds the 1b sheets make: records of what happened (meetings, Outcome Mapping), not
#: who is in the network; maps leave them out unless asked (``viz.maps.without_records``)
RECORD_KINDS = frozenset(k for k in SHEET_KINDS_1B.values() if k)

#: administrative levels from the top down (CONTRACT.md section 1)
ADMIN_LEVELS = (
    "international",
    "national",
    "regional",
    "provincial",
    "district",
    "subdistrict",
    "village",
    "community",
)
SECTORS = (
    "state",
    "local_government",
    "civil_society",
    "community",
    "academic",
    "private",
    "funder",
)

#: relationship types with a meaning; any other UPPER_SNAKE_CASE type is kept as it is
KNOWN_TYPES = (
    "MEMBER_OF",
    "WORKS_FOR",
    "PARTNERS_WITH",
    "PROVIDES",
    "COORDINATES",
    "SUPPORTS",
    "MENTORS",
    "REPORTS_TO",
    "PART_OF",
    "FUNDS",
    "PRODUCES",
    "USES",
    "SHARES_KNOWLEDGE_WITH",
    "LOCATED_IN",
    "OPERATES_IN",
    # meetings and Outcome Mapping (CONTRACT.md section 1b, docs/meetings-om.md)
    "ORGANISES",
    "MEETING_OF",
    "ATTENDED",
    "CHALLENGE_OF",
    "MARKER_OF",
    "AIMED_AT",
    "RATES",
    "CONTRIBUTED",
    # two actors who attended the same events: computed when asked, never imported
    # (analysis.meetings.co_attendance)
    "CO_ATTENDED",
)
SYMMETRIC_TYPES = frozenset({"PARTNERS_WITH", "SHARES_KNOWLEDGE_WITH", "CO_ATTENDED"})
#: relationships that say where something is (DOMAIN.md section 3): placement is not
#: cooperation, so they are neither horizontal nor vertical
PLACEMENT_TYPES = frozenset({"LOCATED_IN", "OPERATES_IN", "PART_OF"})
DIRECTIONS = ("horizontal", "vertical")
#: how the users' sheets say yes and no (compared case-folded), e.g. in ``consent``
YES_WORDS = frozenset({"true", "yes", "y", "1", "ใช่", "จริง", "ยินยอม"})
NO_WORDS = frozenset({"false", "no", "n", "0", "ไม่ใช่", "เท็จ", "ไม่ยินยอม"})
CAPACITIES = ("personal", "institutional")
#: meetings and Outcome Mapping words as stored (CONTRACT.md section 1b)
EVENT_KINDS = ("meeting", "visit", "training", "forum")
ATTENDANCE_STATUSES = ("invited", "attended", "absent")
STAGES = ("expect", "like", "love")
RATINGS = ("low", "medium", "high")
STRATEGY_CELLS = ("I-1", "I-2", "I-3", "E-1", "E-2", "E-3")
JOURNALS = ("outcome", "strategy", "performance")

_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SPACES = re.compile(r"\s+")
#: a str as a JSON string literal, non-ASCII kept: what ``json.dumps(..., ensure_ascii=False)``
#: writes for it (the C encoder when Python has it)
_json_string = json.encoder.encode_basestring


def is_relationship_type(text: str) -> bool:
    """True for an UPPER_SNAKE_CASE relationship type such as ``MEMBER_OF``.

    >>> is_relationship_type("MEMBER_OF"), is_relationship_type("member of")
    (True, False)
    """
    return bool(_TYPE_RE.match(text))


def level_of(kind: str) -> str | None:
    """The INN level of a kind: ``individual``, ``node``, ``network`` or None."""
    return KINDS.get(kind)


def to_ascii_digits(text: str) -> str:
    """Thai digits (๐–๙) as ASCII digits: ``"เขต ๑๒"`` -> ``"เขต 12"``."""
    return text.translate(_THAI_DIGITS)


def clean_text(text: str) -> str:
    """A cell as stored for display: NFC (Thai marks composed), spaces trimmed, runs of
    white space folded to one. The spelling the user typed is otherwise kept."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


#: white space between two Thai letters or marks (U+0E00–U+0E7F; Thai digits are ASCII by then)
_THAI_SPACE = re.compile(r"(?<=[\u0e00-\u0e7f]) (?=[\u0e00-\u0e7f])")
#: the version of ``normalise_name`` the stores' search keys were made with; a store whose
#: keys are older makes them again when it opens (2: no space between Thai letters)
NAME_KEY_VERSION = 2


def normalise_name(text: str) -> str:
    """The key two spellings of one name share, for matching and search.

    Unicode NFKC, Thai digits as ASCII, white space folded, case folded, and no space
    between two Thai characters: Thai is written without spaces between words, so a space
    typed inside a Thai name ("ชาว  บ้าน") is not part of it. A space next to a Latin letter
    or a digit stays.

    >>> normalise_name("กขป.เขต ๑๒") == normalise_name("กขป.เขต  12")
    True
    >>> normalise_name("ชาว  บ้าน") == normalise_name("ชาวบ้าน") == "ชาวบ้าน"
    True
    >>> normalise_name("เขต 12 Chon  Buri")
    'เขต 12 chon buri'
    """
    if text.isascii():  # NFKC and the Thai digits change nothing: the common case, faster
        return " ".join(text.split()).lower()
    text = to_ascii_digits(unicodedata.normalize("NFKC", text))
    return _THAI_SPACE.sub("", _SPACES.sub(" ", text).strip().casefold())


def normalise_id(text: str) -> str:
    """An id as stored: NFKC, Thai digits as ASCII, spaces trimmed and folded.

    Case is kept (ids are case-sensitive), so ``"กขป-๑๒"`` and ``"กขป-12"`` are one id.
    """
    if text.isascii():  # NFKC and the Thai digits change nothing: the common case, faster
        return " ".join(text.split())
    text = to_ascii_digits(unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", text).strip()


#: the longest id or name, in characters; a longer one is refused by row (Neo4j indexes
#: ids and search keys, and refuses a value over 8 kB in an index)
MAX_KEY_CHARS = 1000
#: the longest search key in UTF-8 bytes (NFKC can make a name longer: one ligature
#: becomes up to 18 letters)
MAX_KEY_BYTES = 4000


def length_problem(text: str, what: str) -> str | None:
    """Why an id or a name is too long to store and index on every store, or None.

    >>> length_problem("กขป.เขต 12", "name") is None
    True
    >>> length_problem("ก" * 1001, "name")
    'the name has 1001 characters; at most 1000 are kept'
    """
    if len(text) > MAX_KEY_CHARS:
        return f"the {what} has {len(text)} characters; at most {MAX_KEY_CHARS} are kept"
    if text.isascii():  # its search key is ASCII too, and no longer: one byte a character
        return None
    if len(normalise_name(text).encode("utf-8")) > MAX_KEY_BYTES:
        return f"the {what} is too long once normalised for search ({MAX_KEY_BYTES} bytes at most)"
    return None


def derive_direction(level_a: Any, level_b: Any) -> str | None:
    """Horizontal when both ends sit at the same known admin level, vertical when at
    different known levels, None when either level is missing or not a known word.

    >>> derive_direction("district", "district"), derive_direction("district", "provincial")
    ('horizontal', 'vertical')
    >>> derive_direction("district", None) is None
    True
    """
    if level_a not in ADMIN_LEVELS or level_b not in ADMIN_LEVELS:
        return None
    return "horizontal" if level_a == level_b else "vertical"


def edge_key(source: str, type_: str, target: str, own_id: str | None = None) -> str:
    """The identity of a relationship: its own ``id`` when the data gives one, else
    (source, type, target). JSON keeps the three parts unambiguous whatever the ids hold.

    The text is exactly ``json.dumps([source, type_, target], ensure_ascii=False)`` (or
    ``["id", own_id]``), which the stores keep as the key; it is built from the JSON
    encoder's own string quoting, without a ``json.dumps`` call per relationship.

    >>> edge_key("p1", "MEMBER_OF", "o1")
    '["p1", "MEMBER_OF", "o1"]'
    >>> print(edge_key("p1", "MEMBER_OF", "o1", 'r"1'))
    ["id", "r\\"1"]
    """
    if own_id:
        return f'["id", {_json_string(own_id)}]'
    return f"[{_json_string(source)}, {_json_string(type_)}, {_json_string(target)}]"


@dataclass(frozen=True)
class Node:
    """An entity: ``props`` holds every property but ``id`` and ``kind`` (``name`` too)."""

    id: str
    kind: str
    props: Props = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.props.get("name", ""))

    @property
    def level(self) -> str | None:
        return level_of(self.kind)


@dataclass(frozen=True)
class Edge:
    """A typed relationship from ``source`` to ``target``; ``key`` is its identity."""

    source: str
    type: str
    target: str
    props: Props = field(default_factory=dict)
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", edge_key(self.source, self.type, self.target))


def direction_of(edge: Edge, nodes: Mapping[str, Node]) -> str | None:
    """The edge's stated ``direction`` if the data gives one, else the derived one; None
    for a placement (LOCATED_IN, OPERATES_IN, PART_OF), whatever the data says: it tells
    where something is, not a tie between peers or across levels (DOMAIN.md section 3).

    >>> nodes = {i: Node(i, "Organisation", {"admin_level": "district"}) for i in "ab"}
    >>> direction_of(Edge("a", "PARTNERS_WITH", "b"), nodes)
    'horizontal'
    >>> direction_of(Edge("a", "LOCATED_IN", "b"), nodes) is None
    True
    """
    if edge.type in PLACEMENT_TYPES:
        return None
    stated = edge.props.get("direction")
    if stated in DIRECTIONS:
        return str(stated)
    a, b = nodes.get(edge.source), nodes.get(edge.target)
    if a is None or b is None:
        return None
    return derive_direction(a.props.get("admin_level"), b.props.get("admin_level"))


@dataclass
class Subgraph:
    """Nodes and the edges among them, as a store returns them.

    ``distance`` is filled by neighbourhood queries: steps from the focus (0 for it).
    """

    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    distance: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, nodes: Iterable[Node], edges: Iterable[Edge]) -> Subgraph:
        return cls({n.id: n for n in nodes}, list(edges))


@dataclass(frozen=True)
class Stats:
    """Counts by kind and by relationship type, and the graph's version (CONTRACT.md 3)."""

    nodes: dict[str, int]
    relationships: dict[str, int]
    version: int

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "relationships": self.relationships, "version": self.version}

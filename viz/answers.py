"""The home page's answers: for each question the users ask (DOMAIN.md section 1,
QUESTIONS.md), one card with a one-sentence answer in the reader's language, the figure that
answers it, a short explanation of the measure, its top rows by name, and links to its map
and to its full table (the JSON the API gives).

:func:`home_answers` is what the home page (``/``) and the printed report draw. Each answer is
computed by the analysis the CLI and the API use (through ``ask``, so the service can answer
from its cache); a question the data cannot answer (no fund, no actor) gives a card that says
why instead of failing the page.

Names are shown, never ids (the id goes in ``Row.ids`` for a tooltip); figures through
:func:`graph_service.i18n.number`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from graph_service import i18n
from graph_service.analysis import brokerage as brokerage_mod
from graph_service.analysis import fragility as fragility_mod
from graph_service.analysis import gaps as gaps_mod
from graph_service.analysis import knowledge as knowledge_mod
from graph_service.analysis import meetings as meetings_mod
from graph_service.analysis import overlap as overlap_mod
from graph_service.analysis import reach as reach_mod
from graph_service.domain import KINDS, RECORD_KINDS
from graph_service.errors import GraphServiceError
from graph_service.store.base import GraphStore

#: how a question is asked: ``ask(store, function, **options) -> document``; the service
#: passes its answer cache, the report and the tests call the function directly
Ask = Callable[..., Any]
#: rows a card lists (the map and the table have them all)
TOP = 5
#: how far the reach card looks
REACH_DEPTH = 2


def ask_directly(store: GraphStore, question: Callable[..., Any], **options: Any) -> Any:
    """``question(store, **options)``: the default ``ask``."""
    return question(store, **options)


@dataclass(frozen=True)
class Row:
    """One row of a card's table: the cells as text, and the ids of the entities named in
    it (shown on hover)."""

    cells: tuple[str, ...]
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One card of the home page."""

    key: str
    title: str
    sentence: str
    figure: str
    explain: str
    map_href: str | None
    table_href: str | None
    headers: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    #: the whole answer in the data's terms, for the report and the tests
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """What is loaded: counts by kind (in the reader's words), relationships, version."""

    total: int
    relationships: int
    version: int
    engine: str
    by_kind: tuple[tuple[str, str, int], ...]  # (kind, word, count)


def _t(lang: str, key: str, **values: Any) -> str:
    return i18n.text(lang, f"home.{key}", **values)


def _href(path: str, lang: str, **query: Any) -> str:
    params = {k: v for k, v in query.items() if v is not None}
    return path + ("?" + urlencode(params) if params else "")


class _Names:
    """Names of entities, read from the store once per id."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.known: dict[str, str] = {}

    def add(self, ids: Iterable[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.known]
        if wanted:
            for id_, node in self.store.get_nodes(wanted).items():
                self.known[id_] = str(node.props.get("name") or id_)

    def __call__(self, id_: str) -> str:
        if id_ not in self.known:
            self.add([id_])
        return self.known.get(id_, id_)

    def listed(self, ids: Sequence[str], lang: str, limit: int = 3) -> str:
        """The first ``limit`` names joined as a reader writes a list, with "and N more"."""
        self.add(ids[:limit])
        return i18n.listing(lang, [self(i) for i in ids[:limit]], total=len(ids))


def _group_word(lang: str, by: str, value: Any) -> str:
    if value is None:
        return _t(lang, "no_group")
    group = {"admin_level": "admin_level", "sector": "sector"}.get(by)
    return i18n.word(lang, group, str(value)) if group else str(value)


def loaded(store: GraphStore, lang: str) -> Loaded:
    """What is loaded, in the reader's words, kinds in the domain's order."""
    stats = store.stats()
    order = [k for k in KINDS if stats.nodes.get(k)] + sorted(
        k for k in stats.nodes if k not in KINDS and stats.nodes[k]
    )
    return Loaded(
        total=sum(stats.nodes.values()),
        relationships=sum(stats.relationships.values()),
        version=stats.version,
        engine=store.engine,
        by_kind=tuple((k, i18n.word(lang, "kind_plural", k), stats.nodes[k]) for k in order),
    )


# -- the questions ---------------------------------------------------------------------------


def answer_brokers(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """Who connects the levels: the actors with the most Gould–Fernandez brokerage roles
    between admin levels."""
    doc = ask(store, brokerage_mod.brokerage, group_by="admin_level")
    top = [r for r in doc["nodes"] if r["total"] > 0][:TOP]
    if not top:
        sentence = _t(lang, "brokers.none")
    else:
        names = i18n.listing(lang, [r["name"] or r["id"] for r in top[:3]])
        sentence = _t(lang, "brokers.sentence", names=names, count=len(top[:3]))
    rows = tuple(
        Row(
            (
                r["name"] or r["id"],
                _group_word(lang, "admin_level", r["group"]),
                i18n.number(r["total"]),
                i18n.number(r["betweenness"]),
            ),
            (r["id"],),
        )
        for r in top
    )
    return Answer(
        key="brokers",
        title=_t(lang, "brokers.title"),
        sentence=sentence,
        figure=i18n.number(sum(1 for r in doc["nodes"] if r["total"] > 0)),
        explain=_t(lang, "brokers.explain"),
        map_href=_href("/map/brokerage", lang),
        table_href="/api/brokerage",
        headers=(
            _t(lang, "col.name"),
            _t(lang, "col.level"),
            _t(lang, "col.roles"),
            _t(lang, "col.betweenness"),
        ),
        rows=rows,
        facts={"brokers": [r["id"] for r in top]},
    )


def _missing_pairs(doc: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    return [m for m in doc["missing"] if m["direction"] == direction]


def answer_gaps(
    store: GraphStore, lang: str, by: str, direction: str, ask: Ask = ask_directly
) -> Answer:
    """Missing links between groups: vertical between admin levels (``by=admin_level``) or
    horizontal between sectors (``by=sector``)."""
    doc = ask(store, gaps_mod.gaps, by=by)
    missing = _missing_pairs(doc, direction)
    names = _Names(store)
    for m in missing[:TOP]:
        names.add(m["brokers"][:2])
    pairs = [
        f"{_group_word(lang, by, m['from'])}–{_group_word(lang, by, m['to'])}" for m in missing
    ]
    key = "vertical" if direction == "vertical" else "horizontal"
    if missing:
        sentence = _t(
            lang,
            f"{key}.sentence",
            count=len(missing),
            pairs=i18n.listing(lang, pairs[:3], total=len(pairs)),
        )
    else:
        sentence = _t(lang, f"{key}.none")
    rows = tuple(
        Row(
            (
                _group_word(lang, by, m["from"]),
                _group_word(lang, by, m["to"]),
                i18n.listing(lang, [names(b) for b in m["brokers"][:2]]) or _t(lang, "nobody"),
            ),
            tuple(m["brokers"][:2]),
        )
        for m in missing[:TOP]
    )
    return Answer(
        key=f"{key}_gaps",
        title=_t(lang, f"{key}.title"),
        sentence=sentence,
        figure=i18n.number(len(missing)),
        explain=_t(lang, f"{key}.explain", ei=i18n.number(doc["ei_index"])),
        map_href=_href("/map/gaps", lang, by=by),
        table_href=_href("/api/gaps", lang, by=by),
        headers=(_t(lang, "col.from"), _t(lang, "col.to"), _t(lang, "col.could_close")),
        rows=rows,
        facts={"missing": [(m["from"], m["to"]) for m in missing], "ei_index": doc["ei_index"]},
    )


def answer_overlap(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """Funds paying in the same areas: how many pairs duplicate, how many complement."""
    doc = ask(store, overlap_mod.overlap, by="area")
    pairs = doc["pairs"]
    kinds = {
        k: sum(1 for p in pairs if p["kind"] == k)
        for k in ("duplication", "complementary", "unknown")
    }
    names = _Names(store)
    for p in pairs[:TOP]:
        names.add([p["fund_a"], p["fund_b"], *p["shared"][:3]])
    if not doc["funds"]:
        sentence = _t(lang, "overlap.no_funds")
    elif not pairs:
        sentence = _t(lang, "overlap.none")
    else:
        first = next((p for p in pairs if p["kind"] == "duplication"), pairs[0])
        sentence = _t(
            lang,
            "overlap.sentence",
            pairs=len(pairs),
            a=names(first["fund_a"]),
            b=names(first["fund_b"]),
            areas=names.listed(first["shared"], lang, 2),
        )
        sentence += " " + _t(lang, "overlap.judged", **kinds)
    rows = tuple(
        Row(
            (
                names(p["fund_a"]),
                names(p["fund_b"]),
                names.listed(p["shared"], lang, 2),
                _t(lang, f"overlap.kind.{p['kind']}"),
            ),
            (p["fund_a"], p["fund_b"]),
        )
        for p in pairs[:TOP]
    )
    return Answer(
        key="overlap",
        title=_t(lang, "overlap.title"),
        sentence=sentence,
        figure=i18n.number(len(pairs)),
        explain=_t(lang, "overlap.explain"),
        map_href=_href("/map/overlap", lang),
        table_href="/api/overlap",
        headers=(
            _t(lang, "col.fund"),
            _t(lang, "col.fund"),
            _t(lang, "col.shared_areas"),
            _t(lang, "col.judgement"),
        ),
        rows=rows,
        facts={"pairs": len(pairs), **kinds},
    )


def answer_coverage(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """Areas no fund reaches (directly, through an area it contains, or one containing it)."""
    doc = ask(store, overlap_mod.overlap, by="area")
    unfunded = list(doc["unfunded"])
    names = _Names(store)
    names.add(unfunded[:TOP])
    if not doc["funds"]:
        sentence = _t(lang, "overlap.no_funds")
    elif unfunded:
        sentence = _t(
            lang, "coverage.sentence", count=len(unfunded), areas=names.listed(unfunded, lang, 3)
        )
    else:
        sentence = _t(lang, "coverage.none")
    counts = doc.get("coverage_counts") or {}
    rows = tuple(Row((names(a),), (a,)) for a in unfunded[:TOP])
    return Answer(
        key="coverage",
        title=_t(lang, "coverage.title"),
        sentence=sentence,
        figure=i18n.number(len(unfunded)),
        explain=_t(
            lang,
            "coverage.explain",
            direct=counts.get("direct", 0),
            containing=counts.get("containing", 0),
            within=counts.get("within", 0),
        ),
        map_href=_href("/map/overlap", lang),
        table_href=_href("/api/overlap", lang, scope="unfunded"),
        headers=(_t(lang, "col.area"),),
        rows=rows,
        facts={"unfunded": unfunded},
    )


def answer_cut_points(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """What breaks if one actor leaves: the cut points, the biggest first."""
    doc = ask(store, fragility_mod.fragility, group_by="admin_level")
    cuts = doc["cut_points"]
    if cuts:
        first = cuts[0]
        sentence = _t(
            lang, "cut.sentence", name=first["name"] or first["id"], count=len(first["cut_off"])
        )
    else:
        sentence = _t(lang, "cut.none")
    rows = tuple(
        Row((c["name"] or c["id"], i18n.number(len(c["cut_off"]))), (c["id"],)) for c in cuts[:TOP]
    )
    return Answer(
        key="cut_points",
        title=_t(lang, "cut.title"),
        sentence=sentence,
        figure=i18n.number(len(cuts)),
        explain=_t(lang, "cut.explain"),
        map_href=_href("/map/fragility", lang),
        table_href="/api/fragility",
        headers=(_t(lang, "col.name"), _t(lang, "col.cut_off")),
        rows=rows,
        facts={"cut_points": [c["id"] for c in cuts]},
    )


#: what the reach card counts: every kind but the records of meetings and Outcome Mapping
#: (a meeting or a journal entry is not someone reached; who attended it with you is)
_NOT_RECORDS = "kind=" + ",".join(k for k in KINDS if k not in RECORD_KINDS)


def answer_reach(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """How far the main brokers reach within two steps."""
    doc = ask(store, brokerage_mod.brokerage, group_by="admin_level")
    top = [r for r in doc["nodes"] if r["total"] > 0][:TOP] or doc["nodes"][:TOP]
    found = []
    for r in top:
        got = ask(store, reach_mod.reach, ref=r["id"], depth=REACH_DEPTH, where=_NOT_RECORDS)
        found.append((r["id"], got["name"] or r["id"], got["reach"], got["by_kind"].get("Area", 0)))
    found.sort(key=lambda f: (-f[2], f[0]))
    if found:
        best = found[0]
        sentence = _t(lang, "reach.sentence", name=best[1], count=best[2], depth=REACH_DEPTH)
    else:
        sentence = _t(lang, "reach.none")
    rows = tuple(Row((f[1], i18n.number(f[2]), i18n.number(f[3])), (f[0],)) for f in found)
    return Answer(
        key="reach",
        title=_t(lang, "reach.title"),
        sentence=sentence,
        figure=i18n.number(found[0][2]) if found else "0",
        explain=_t(lang, "reach.explain", depth=REACH_DEPTH),
        map_href="/map/reach/" + quote(found[0][0], safe="") if found else None,
        table_href="/api/reach/" + quote(found[0][0], safe="") if found else None,
        headers=(_t(lang, "col.name"), _t(lang, "col.reach"), _t(lang, "col.areas")),
        rows=rows,
        facts={"reach": {f[0]: f[2] for f in found}},
    )


def answer_knowledge(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer:
    """Knowledge nobody has adopted yet."""
    doc = ask(store, knowledge_mod.knowledge)
    idle = list(doc["no_adopter"])
    names = _Names(store)
    names.add(idle[:TOP])
    if not doc["count"]:
        sentence = _t(lang, "knowledge.no_assets")
    elif idle:
        sentence = _t(
            lang,
            "knowledge.sentence",
            count=len(idle),
            total=doc["count"],
            names=names.listed(idle, lang, 2),
        )
    else:
        sentence = _t(lang, "knowledge.none", total=doc["count"])
    rows = tuple(Row((names(a),), (a,)) for a in idle[:TOP])
    return Answer(
        key="knowledge",
        title=_t(lang, "knowledge.title"),
        sentence=sentence,
        figure=i18n.number(len(idle)),
        explain=_t(lang, "knowledge.explain"),
        map_href=_href("/map", lang, where="kind=KnowledgeAsset"),
        table_href="/api/knowledge",
        headers=(_t(lang, "col.asset"),),
        rows=rows,
        facts={"no_adopter": idle, "count": doc["count"]},
    )


def answer_meetings(store: GraphStore, lang: str, ask: Ask = ask_directly) -> Answer | None:
    """Who keeps missing the meetings of the body that meets most (question W17); None when
    no body has a recorded meeting."""
    bodies = ask(store, meetings_mod.bodies)
    if not bodies:
        return None
    body = bodies[0]
    doc = ask(store, meetings_mod.attendance, body=body["id"])
    members = {m["id"]: m for m in doc["members"]}
    missing = doc["keeps_missing"]
    shown = min(len(doc["events"]), doc["last"])
    if missing:
        names = i18n.listing(lang, [members[i]["name"] for i in missing[:2]], len(missing))
        sentence = _t(
            lang,
            "meetings.sentence",
            body=body["name"],
            last=shown,
            count=len(missing),
            min_missed=doc["min_missed"],
            names=names,
        )
    else:
        sentence = _t(
            lang, "meetings.none", body=body["name"], last=shown, min_missed=doc["min_missed"]
        )
    rows = tuple(
        Row(
            (members[i]["name"], f"{i18n.number(members[i]['missed_last'])}/{i18n.number(shown)}"),
            (i,),
        )
        for i in missing[:TOP]
    )
    query = {"body": body["id"]}
    return Answer(
        key="meetings",
        title=_t(lang, "meetings.title"),
        sentence=sentence,
        figure=i18n.number(len(missing)),
        explain=_t(lang, "meetings.explain"),
        map_href=_href("/attendance", lang, **query),
        table_href="/api/attendance?" + urlencode(query),
        headers=(_t(lang, "col.name"), _t(lang, "col.missed_last")),
        rows=rows,
        facts={"body": body["id"], "keeps_missing": missing},
    )


def answer_chains(lang: str) -> Answer:
    """Not an answer but a question to put: the chain map's form."""
    return Answer(
        key="chains",
        title=_t(lang, "chains.title"),
        sentence=_t(lang, "chains.sentence"),
        figure="",
        explain=_t(lang, "chains.explain"),
        map_href="/map/path",
        table_href=None,
    )


def answer_change(
    store: GraphStore, lang: str, days: Sequence[str], ask: Ask = ask_directly
) -> Answer | None:
    """How the network changed between the last two of ``days`` (the days the store
    recorded, ``viz.views.recorded_days``, up to the one the page shows): the diff's
    sentence (``viz.timeline.diff_sentence``), the ties added and ended as the figure, and
    the measures that moved. None for fewer than two days (no history)."""
    from viz.timeline import SHOWN_MEASURES, diff_sentence
    from viz.views import diff_document

    if len(days) < 2:
        return None
    first, last = days[-2], days[-1]
    doc = ask(store, diff_document, day_from=first, day_to=last)
    rels = doc["relationships"]
    added, ended = len(rels["added"]), len(rels["removed"])
    rows = []
    for key in SHOWN_MEASURES:
        old, new = doc["measures"].get(key, [None, None])
        if old == new or isinstance(old, list) or isinstance(new, list):
            continue
        rows.append(
            Row(
                (
                    i18n.text(lang, f"time.measure.{key}"),
                    "-" if old is None else i18n.number(old),
                    "-" if new is None else i18n.number(new),
                )
            )
        )
    query = {"from": first, "to": last}
    return Answer(
        key="change",
        title=i18n.text(lang, "time.card_question"),
        sentence=diff_sentence(doc, lang),
        figure=i18n.text(
            lang, "time.web.card_figure_text", added=i18n.number(added), ended=i18n.number(ended)
        ),
        explain=i18n.text(lang, "time.card_explain")
        + " "
        + i18n.text(lang, "time.web.card_figure"),
        map_href=_href("/map/diff", lang, **query),
        table_href=_href("/api/diff", lang, **query),
        headers=(
            i18n.text(lang, "time.web.col_measure"),
            i18n.text(lang, "time.web.col_before"),
            i18n.text(lang, "time.web.col_after"),
        ),
        rows=tuple(rows[:TOP]),
        facts={
            "from": first,
            "to": last,
            "added": added,
            "ended": ended,
            "joined": len(doc["entities"]["added"]),
            "left": len(doc["entities"]["removed"]),
        },
    )


#: the cards in the order the home page shows them
QUESTIONS: tuple[tuple[str, Callable[[GraphStore, str, Ask], Answer]], ...] = (
    ("brokers", answer_brokers),
    ("vertical_gaps", lambda s, lang, ask: answer_gaps(s, lang, "admin_level", "vertical", ask)),
    ("horizontal_gaps", lambda s, lang, ask: answer_gaps(s, lang, "sector", "horizontal", ask)),
    ("overlap", answer_overlap),
    ("coverage", answer_coverage),
    ("cut_points", answer_cut_points),
    ("reach", answer_reach),
    ("knowledge", answer_knowledge),
)


def home_answers(store: GraphStore, lang: str, ask: Ask = ask_directly) -> list[Answer]:
    """Every card of the home page, in order; a question the data cannot answer gives a card
    that says why (its ``figure`` is empty)."""
    out = []
    for key, build in QUESTIONS:
        try:
            out.append(build(store, lang, ask))
        except GraphServiceError as exc:
            out.append(
                Answer(
                    key=key,
                    title=_t(lang, f"{_TITLE_OF.get(key, key)}.title"),
                    sentence=_t(lang, "cannot_answer", reason=exc.message),
                    figure="",
                    explain="",
                    map_href=None,
                    table_href=None,
                )
            )
    meetings = answer_meetings(store, lang, ask)
    if meetings is not None:  # only where meetings are recorded
        out.append(meetings)
    out.append(answer_chains(lang))
    return out


_TITLE_OF = {"vertical_gaps": "vertical", "horizontal_gaps": "horizontal", "cut_points": "cut"}

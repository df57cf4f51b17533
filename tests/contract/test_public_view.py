"""graph_service.store.public: the public view (PDPA) and the exports and maps marked public.

A Person without a truthy ``consent`` or ``public`` is private: every read of the view shows
them as ``anon-<10 hex>`` (HMAC-SHA256 of the real id keyed by the store's secret) named
``บุคคลนิรนาม <hex>``, with only role, admin_level and sector. The leak checks search the
text of everything the view gives (subgraphs, every export format, a standalone map) for
every private person's real id and every value the view drops.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from graph_service.analysis.brokerage import brokerage
from graph_service.analysis.gaps import gaps
from graph_service.analysis.overlap import overlap
from graph_service.analysis.reach import reach
from graph_service.cli import main
from graph_service.domain import Edge, Node, edge_key, normalise_name
from graph_service.entities import describe_entity
from graph_service.errors import NotFound, StoreUnavailable, UsageError
from graph_service.store.base import GraphStore, neighbourhood
from graph_service.store.embedded import EmbeddedStore
from graph_service.store.public import (
    EDGE_FIELDS,
    Pseudonyms,
    PublicView,
    is_disclosed,
    public_fields,
    public_view,
)
from importers.load import import_dataset
from tests.conftest import SAMPLE_NAMES, SAMPLES
from tests.factories import page_data
from viz.maps import embed_json

FIELDS = ("role", "admin_level", "sector")
TEXT_FORMATS = ("csv", "gexf", "graphml", "cyjs", "kumu", "xlsx", "svg")

# -- a hand-made dataset ----------------------------------------------------------------------

SOMSRI = "นางสาว สมศรี ใจดี"
SOMCHAI = "นาย สมชาย มั่นคง"
WANDEE = "นาง วันดี ศรีสุข"
OWN_PRIVATE = "grant-somchai-2020"  # a relationship's own id that holds a person's name
OWN_PUBLIC = "grant-o2-2021"


def person(id_: str, name: str, **props: Any) -> Node:
    return Node(id_, "Person", {"name": name, **props})


def hand_graph() -> tuple[list[Node], list[Edge]]:
    """Two private people (somsri, somchai), three disclosed ones, an organisation each side
    of a network, an area and a fund.

    p-somsri -MEMBER_OF-> o1 -MEMBER_OF-> n1 <-MEMBER_OF- o2; p-somchai -MENTORS-> p-somsri;
    p-somchai -WORKS_FOR-> o2; p-wandee -WORKS_FOR-> o2; o1 -PARTNERS_WITH- o2;
    f1 -FUNDS-> p-somchai (own id grant-somchai-2020) and f1 -FUNDS-> o2 (grant-o2-2021);
    o1 -LOCATED_IN-> a1; p-flag -MEMBER_OF-> o1; p-one -MEMBER_OF-> n1.
    """
    nodes = [
        person(
            "p-somsri",
            SOMSRI,
            name_en="Somsri Jaidee",
            description="ครูอาสา บ้านเลขที่ 12 หมู่ 4",
            phone="081-234-5678",
            tags=["ครูอาสา", "แกนนำสตรี"],
            role="change_agent",
            admin_level="village",
            sector="community",
            consent="no",
        ),
        person("p-somchai", SOMCHAI, name_en="Somchai Mankong", role="leader", line_id="somchai99"),
        person("p-wandee", WANDEE, name_en="Wandee Srisuk", consent="ยินยอม", role="coordinator"),
        person("p-flag", "นาย ธงชัย เปิดเผย", public=True, phone="089-999-0000"),
        person("p-one", "นาง หนึ่ง ยินดี", consent=1),
        Node("o1", "Organisation", {"name": "สำนักงานพัฒนาสังคม", "admin_level": "provincial"}),
        Node("o2", "Organisation", {"name": "อบต. ลาโละ", "admin_level": "subdistrict"}),
        Node("n1", "Network", {"name": "เครือข่าย กขป.เขต ๑๒", "admin_level": "provincial"}),
        Node("a1", "Area", {"name": "พัทลุง", "admin_level": "provincial"}),
        Node("f1", "Fund", {"name": "กองทุนสุขภาพตำบล", "amount_thb": 200000}),
    ]
    edges = [
        Edge(
            "p-somsri",
            "MEMBER_OF",
            "o1",
            {"capacity": "personal", "since": "2020-05-01", "note": "เพื่อนของ สมชาย มั่นคง"},
        ),
        Edge("o1", "MEMBER_OF", "n1", {"capacity": "institutional", "note": "public note"}),
        Edge("o2", "MEMBER_OF", "n1"),
        Edge("p-somchai", "MENTORS", "p-somsri", {"weight": 2, "note": "นัดที่บ้าน ซอย 5"}),
        Edge("p-somchai", "WORKS_FOR", "o2", {"role": "ปลัด", "salary_note": "เงินเดือน 25000"}),
        Edge("p-wandee", "WORKS_FOR", "o2", {"note": "Wandee's own note"}),
        Edge("o1", "PARTNERS_WITH", "o2", {"note": "MoU 2564"}),
        Edge(
            "f1",
            "FUNDS",
            "p-somchai",
            {"amount_thb": 50000, "year": 2020, "purpose": "ทุนการศึกษา", "bank": "กสิกร 123-4"},
            edge_key("f1", "FUNDS", "p-somchai", OWN_PRIVATE),
        ),
        Edge(
            "f1",
            "FUNDS",
            "o2",
            {"amount_thb": 150000, "year": 2021},
            edge_key("f1", "FUNDS", "o2", OWN_PUBLIC),
        ),
        Edge("o1", "LOCATED_IN", "a1"),
        Edge("p-flag", "MEMBER_OF", "o1"),
        Edge("p-one", "MEMBER_OF", "n1"),
    ]
    return nodes, edges


PRIVATE_HAND = ("p-somchai", "p-somsri")


def load_hand(store: GraphStore) -> GraphStore:
    nodes, edges = hand_graph()
    store.write(nodes, edges)
    return store


def load_samples(store: GraphStore, names: Iterable[str] = SAMPLE_NAMES) -> GraphStore:
    for name in names:
        import_dataset(store, SAMPLES / name)
    return store


def pseudonym_hex(store: GraphStore, real: str) -> str:
    """The expected hex, computed here from the definition (not through store/public.py)."""
    key = store.secret().encode("utf-8")
    return hmac.new(key, real.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def renaming(store: GraphStore) -> dict[str, str]:
    """real id -> pseudonym id of every private person in ``store``, computed here."""
    people = store.get_nodes(store.ids_of(["Person"]))
    return {i: "anon-" + pseudonym_hex(store, i) for i, n in people.items() if not is_disclosed(n)}


def rename(doc: Any, names: dict[str, str]) -> Any:
    """``doc`` with every string that is a private real id replaced by its pseudonym."""
    if isinstance(doc, str):
        return names.get(doc, doc)
    if isinstance(doc, list):
        return [rename(x, names) for x in doc]
    if isinstance(doc, dict):
        return {rename(k, names): rename(v, names) for k, v in doc.items()}
    return doc


# -- what must never show, and what may -------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def hidden_texts(store: GraphStore) -> dict[str, str]:
    """What the public view must never show -> where it comes from: every private person's
    real id and every text value of a property the view drops (name, name_en, description,
    tags, ...), every dropped text property of their relationships and those relationships'
    own ids. Texts of fewer than four characters ("no") are left out: they say nothing."""
    sub = store.subgraph()
    private = {i for i, n in sub.nodes.items() if not is_disclosed(n)}
    out: dict[str, str] = {}
    for i in sorted(private):
        out[i] = f"{i}: id"
        for key, value in sub.nodes[i].props.items():
            if key not in FIELDS:
                out.update((s, f"{i}.{key}") for s in _strings(value) if len(s) >= 4)
    for e in sub.edges:
        if e.source in private or e.target in private:
            for key, value in e.props.items():
                if key not in EDGE_FIELDS:
                    out.update((s, f"{e.key}.{key}") for s in _strings(value) if len(s) >= 4)
            parts = json.loads(e.key)
            if parts[0] == "id" and len(parts) == 2:
                out[parts[1]] = f"{e.key}: own id"
    return out


def allowed_texts(store: GraphStore) -> set[str]:
    """Texts the view may show, from the real store: every id and text value of disclosed
    entities, of relationships between them, the contract properties of relationships
    touching a private person and the kept fields of private people."""
    sub = store.subgraph()
    private = {i for i, n in sub.nodes.items() if not is_disclosed(n)}
    out: set[str] = set()
    for i, node in sub.nodes.items():
        keep = FIELDS if i in private else tuple(node.props)
        if i not in private:
            out.add(i)
        for key in keep:
            out.update(_strings(node.props.get(key)))
    for e in sub.edges:
        touches = e.source in private or e.target in private
        if not touches:
            out.add(e.key)
            out.update(json.loads(e.key)[1:2])
        for key, value in e.props.items():
            if not touches or key in EDGE_FIELDS:
                out.update(_strings(value))
    return out


def _variants(text: str) -> set[str]:
    """How a text may be written: as it is or normalised (a map's search key), each
    XML-escaped, inside a JSON string, in CSV, in the JSON a map page embeds
    (``viz.maps.embed_json``)."""
    out = set()
    for form in (text, normalise_name(text)):
        out |= {
            form,
            html.escape(form),
            html.escape(form, quote=False),
            json.dumps(form, ensure_ascii=False)[1:-1],
            embed_json(form)[1:-1],
            form.replace('"', '""'),
        }
    return out


#: a label cut short by a picture or a map (``viz.maps.truncate``)
_CUT = re.compile(r"[^<>\"\n]*…")


def leaks(text: str, hidden: dict[str, str], allowed: set[str]) -> list[str]:
    """The hidden texts (as they are or normalised) found in ``text`` outside every allowed
    text that contains them (``ชาวบ้าน`` may be a private person's name and a word in an
    organisation's name), or outside a label cut short from an allowed text."""
    written = {v for a in allowed for v in _variants(a)}
    found = []
    for secret, where in hidden.items():
        for form in {secret, normalise_name(secret)}:
            if form not in text:
                continue
            masked = text
            for v in sorted((v for v in written if form in v), key=len, reverse=True):
                masked = masked.replace(v, "\x00")
            for cut in set(_CUT.findall(masked)):
                start = cut.rstrip("…").lstrip()
                if form in cut and any(a.startswith(start) for a in allowed):
                    masked = masked.replace(cut, "\x00")
            if form in masked:
                at = masked.index(form)
                found.append(f"{form!r} ({where}) in ...{masked[max(0, at - 80) : at + 80]}...")
    return found


def files_text(path: Path) -> str:
    """The text of an export: every file of a csv folder, every part of an xlsx."""
    if path.is_dir():
        return "\n".join(f.read_text(encoding="utf-8-sig") for f in sorted(path.iterdir()))
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as zf:
            return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    return path.read_text(encoding="utf-8")


def subgraph_text(sub: Any) -> str:
    nodes = [(n.id, n.kind, n.props) for n in sub.nodes.values()]
    edges = [(e.key, e.source, e.type, e.target, e.props) for e in sub.edges]
    return json.dumps([nodes, edges], ensure_ascii=False)


# -- is_disclosed and Pseudonyms ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "disclosed"),
    [
        ({}, False),
        ({"consent": "yes"}, True),
        ({"consent": " YES "}, True),
        ({"consent": "Y"}, True),
        ({"consent": "true"}, True),
        ({"consent": "1"}, True),
        ({"consent": "ใช่"}, True),
        ({"consent": "ยินยอม"}, True),
        ({"consent": True}, True),
        ({"consent": 1}, True),
        ({"public": "yes"}, True),
        ({"public": True, "consent": "no"}, True),
        ({"consent": "no"}, False),
        ({"consent": False}, False),
        ({"consent": 0}, False),
        ({"consent": 2}, False),
        ({"consent": "ไม่ยินยอม"}, False),
        ({"consent": ""}, False),
        ({"consent": ["yes"]}, False),
        ({"public": "false"}, False),
    ],
)
def test_is_disclosed(props: dict[str, Any], disclosed: bool) -> None:
    assert is_disclosed(Node("p", "Person", {"name": "x", **props})) is disclosed


def test_other_kinds_are_always_disclosed() -> None:
    for kind in ("Organisation", "Network", "Fund", "KnowledgeAsset", "Area", "Programme"):
        assert is_disclosed(Node("x", kind, {"name": "x", "consent": "no"}))


def test_pseudonyms_are_hmac_sha256_of_the_id() -> None:
    p = Pseudonyms("secret-1")
    digest = hmac.new(b"secret-1", b"p-somsri", hashlib.sha256).hexdigest()
    assert p.pseudonym_id("p-somsri") == "anon-" + digest[:10]
    assert p.pseudonym_name("p-somsri") == "บุคคลนิรนาม " + digest[:10]
    assert Pseudonyms("secret-2").pseudonym_id("p-somsri") != p.pseudonym_id("p-somsri")
    assert p.pseudonym_id("p-somchai") != p.pseudonym_id("p-somsri")


def test_colliding_pseudonyms_get_longer() -> None:
    """Find two ids whose first 10 hex digits collide (a search over 2**20 ids is enough
    with a 5-digit prefix, so the rule is checked on a shorter prefix by hand): the rule
    gives each the shortest longer even prefix that tells them apart."""
    p = Pseudonyms("collide")
    seen: dict[str, str] = {}
    pair = None
    for n in range(200000):
        real = f"p{n}"
        head = p.digest(real)[:5]
        if head in seen:
            pair = (seen[head], real)
            break
        seen[head] = real
    assert pair is not None
    import graph_service.store.public as privacy

    saved = privacy.HEX_DIGITS
    privacy.HEX_DIGITS = 5
    try:
        hexes = p.assign([*pair, "lonely"])
    finally:
        privacy.HEX_DIGITS = saved
    a, b = (p.digest(x) for x in pair)
    length = 7
    while a[:length] == b[:length]:
        length += 2
    assert hexes == {pair[0]: a[:length], pair[1]: b[:length], "lonely": p.digest("lonely")[:5]}


def test_public_fields() -> None:
    assert public_fields(" role, sector ,,") == ("role", "sector")
    assert public_fields("") == ()


# -- the view on a hand-made graph, on both stores ----------------------------------------------


def test_view_shows_private_people_under_pseudonyms(store: GraphStore) -> None:
    load_hand(store)
    view = public_view(store)
    names = renaming(store)
    assert sorted(names) == list(PRIVATE_HAND)
    somsri, somchai = names["p-somsri"], names["p-somchai"]
    hex_somsri = pseudonym_hex(store, "p-somsri")
    assert somsri == "anon-" + hex_somsri
    sub = view.subgraph()
    real = store.subgraph()
    assert len(sub.nodes) == len(real.nodes) == 10
    assert len(sub.edges) == len(real.edges) == 12
    assert sub.nodes[somsri] == Node(
        somsri,
        "Person",
        {
            "name": "บุคคลนิรนาม " + hex_somsri,
            "role": "change_agent",
            "admin_level": "village",
            "sector": "community",
        },
    )
    assert sub.nodes[somchai].props == {
        "name": "บุคคลนิรนาม " + pseudonym_hex(store, "p-somchai"),
        "role": "leader",
    }
    # disclosed people and every other entity: exactly as in the store
    for i in ("p-wandee", "p-flag", "p-one", "o1", "o2", "n1", "a1", "f1"):
        assert sub.nodes[i] == real.nodes[i]
    assert not set(PRIVATE_HAND) & set(sub.nodes)
    edges = {e.key: e for e in sub.edges}
    member = edges[edge_key(somsri, "MEMBER_OF", "o1")]
    assert (member.source, member.target, member.props) == (somsri, "o1", {"capacity": "personal"})
    assert edges[edge_key(somchai, "MENTORS", somsri)].props == {"weight": 2}
    assert edges[edge_key(somchai, "WORKS_FOR", "o2")].props == {"role": "ปลัด"}
    # own id holding a name: replaced; the other own id is kept
    grants = sorted((e for e in sub.edges if e.type == "FUNDS"), key=lambda e: e.target)
    assert [(e.source, e.target) for e in grants] == [("f1", somchai), ("f1", "o2")]
    hidden_key = json.loads(grants[0].key)
    assert hidden_key[0] == "id" and hidden_key[1].startswith("anon-rel-")
    assert len(hidden_key[1]) == len("anon-rel-") + 16
    assert grants[0].props == {"amount_thb": 50000, "year": 2020, "purpose": "ทุนการศึกษา"}
    assert grants[1].key == edge_key("f1", "FUNDS", "o2", OWN_PUBLIC)
    # relationships between disclosed entities keep everything
    assert edges[edge_key("p-wandee", "WORKS_FOR", "o2")].props == {"note": "Wandee's own note"}
    assert edges[edge_key("o1", "PARTNERS_WITH", "o2")].props == {"note": "MoU 2564"}
    # nothing of the private people anywhere
    assert leaks(subgraph_text(sub), hidden_texts(store), allowed_texts(store)) == []
    text = subgraph_text(sub)
    for secret in (SOMSRI, SOMCHAI, "Somsri", "สมชาย", "081-234-5678", "somchai99", OWN_PRIVATE):
        assert secret not in text
    for shown in (WANDEE, "p-wandee", "089-999-0000", "นาง หนึ่ง ยินดี", "Wandee's own note"):
        assert shown in text
    assert view.stats() == store.stats()
    assert view.version() == store.version()
    assert (view.engine, view.location) == (store.engine, store.location)


def test_pseudonyms_read_back_to_the_real_entities(store: GraphStore) -> None:
    load_hand(store)
    view = public_view(store)
    names = renaming(store)
    somsri, somchai = names["p-somsri"], names["p-somchai"]
    assert set(view.get_nodes([somsri, "o1", "nobody"])) == {somsri, "o1"}
    assert sorted(e.key for e in view.edges_of(somchai)) == sorted(
        [
            edge_key(somchai, "MENTORS", somsri),
            edge_key(somchai, "WORKS_FOR", "o2"),
            next(e.key for e in view.subgraph().edges if e.target == somchai),
        ]
    )
    assert view.expand([somchai]) == {somsri, "o2", "f1"}
    assert view.expand(["o1"]) == {somsri, "n1", "o2", "a1", "p-flag"}
    assert {e.key for e in view.edges_among([somsri, somchai, "o1"])} == {
        edge_key(somchai, "MENTORS", somsri),
        edge_key(somsri, "MEMBER_OF", "o1"),
    }
    assert view.distances(somchai, 2) == {
        somchai: 0,
        somsri: 1,
        "o2": 1,
        "f1": 1,
        "o1": 2,
        "n1": 2,
        "p-wandee": 2,
    }
    assert view.distances(somchai, 2, kinds=["Person"]) == {somchai: 0, somsri: 1}
    assert view.ids_of(["Person"]) == sorted([somsri, somchai, "p-wandee", "p-flag", "p-one"])
    # every key the view shows reads back to the same relationship
    shown = {e.key: e for e in view.subgraph().edges}
    assert view.get_edges(list(shown)) == shown
    assert view.find_edges(source=somchai) == sorted(
        (e for e in shown.values() if e.source == somchai), key=lambda e: e.key
    )
    assert [e.key for e in view.find_edges(type="FUNDS", target=somchai)] == [
        k for k, e in shown.items() if e.type == "FUNDS" and e.target == somchai
    ]
    assert len(view.find_edges()) == 12
    # show, by pseudonym id and by pseudonym name
    doc = describe_entity(view, somsri)
    assert (doc["id"], doc["name"]) == (somsri, "บุคคลนิรนาม " + somsri[5:])
    assert sorted(r["other"] for r in doc["relationships"]) == sorted(["o1", somchai])
    assert describe_entity(view, "บุคคลนิรนาม " + somsri[5:])["id"] == somsri
    assert [n.id for n in view.find_by_name(normalise_name(WANDEE))] == ["p-wandee"]
    found = view.search_names(normalise_name("บุคคลนิรนาม"), None)
    assert sorted(found) == sorted((names[i], "บุคคลนิรนาม " + names[i][5:]) for i in names)
    assert view.search_names(somsri, ["Person"]) == [(somsri, "บุคคลนิรนาม " + somsri[5:])]
    assert view.search_names(normalise_name("บุคคลนิรนาม"), ["Organisation"]) == []
    assert sorted(view.search_names(normalise_name("นาง"), None)) == [
        ("p-one", normalise_name("นาง หนึ่ง ยินดี")),
        ("p-wandee", normalise_name(WANDEE)),
    ]


def test_a_private_persons_real_id_or_name_finds_nothing(store: GraphStore) -> None:
    """Nobody can test whether someone is in the graph by asking for their id or name."""
    load_hand(store)
    view = public_view(store)
    for real in PRIVATE_HAND:
        assert view.get_nodes([real]) == {}
        assert view.edges_of(real) == []
        assert view.expand([real]) == set()
        assert view.edges_among([real, "o1", "o2"]) == [e for e in view.edges_among(["o1", "o2"])]
        assert view.distances(real, 3) == {}
        assert view.find_edges(source=real) == []
        assert view.find_edges(target=real) == []
        assert view.search_names(real, None) == []
        with pytest.raises(NotFound):
            describe_entity(view, real)
    for name in (SOMSRI, SOMCHAI):
        assert view.find_by_name(normalise_name(name)) == []
        with pytest.raises(NotFound):
            describe_entity(view, name)
    assert view.search_names(normalise_name("สมศรี"), None) == []
    assert view.search_names(normalise_name("somchai"), None) == []
    # the real keys of their relationships, and the hidden own id, find nothing either
    real_keys = [
        edge_key("p-somsri", "MEMBER_OF", "o1"),
        edge_key("p-somchai", "MENTORS", "p-somsri"),
        edge_key("f1", "FUNDS", "p-somchai", OWN_PRIVATE),
        edge_key("f1", "FUNDS", "p-somchai"),
    ]
    assert view.get_edges(real_keys) == {}
    assert set(view.get_edges([edge_key("f1", "FUNDS", "o2", OWN_PUBLIC)])) == {
        edge_key("f1", "FUNDS", "o2", OWN_PUBLIC)
    }
    with pytest.raises(NotFound):
        reach(view, "p-somsri", 2)


def test_disclosed_people_keep_their_name_and_id(store: GraphStore) -> None:
    load_hand(store)
    view = public_view(store)
    for i in ("p-wandee", "p-flag", "p-one"):
        assert view.get_nodes([i]) == store.get_nodes([i])
        assert describe_entity(view, i) == describe_entity(store, i)


def test_the_view_is_read_only_and_keeps_the_store_open(store: GraphStore) -> None:
    load_hand(store)
    view = public_view(store)
    assert isinstance(view, PublicView)
    assert view.privacy_mode == "public"
    assert not hasattr(store, "privacy_mode")
    assert public_view(view) is view
    nodes, edges = hand_graph()
    version = store.version()
    for call in (
        lambda: view.write(nodes, edges),
        lambda: view.write(nodes, [], replace=True),
        lambda: view.delete(["o1"]),
        view.clear,
    ):
        with pytest.raises(UsageError, match="read-only"):
            call()
    with pytest.raises(UsageError):
        view.secret()
    view.close()
    assert store.version() == version
    assert len(store.subgraph().nodes) == 10
    view.ping()


def test_fields_choose_what_private_people_keep(store: GraphStore) -> None:
    load_hand(store)
    somsri = renaming(store)["p-somsri"]
    view = public_view(store, ("sector", "phone"))
    assert view.get_nodes([somsri])[somsri].props == {
        "name": "บุคคลนิรนาม " + somsri[5:],
        "sector": "community",
        "phone": "081-234-5678",
    }
    bare = public_view(store, ())
    assert bare.get_nodes([somsri])[somsri].props == {"name": "บุคคลนิรนาม " + somsri[5:]}


def test_the_view_follows_the_graph_version(store: GraphStore) -> None:
    """The maps are cached per version: a consent given or withdrawn, a new person, shows in
    the next read of the same view."""
    load_hand(store)
    view = public_view(store)
    assert "p-wandee" in view.get_nodes(["p-wandee"])
    store.write(
        [
            person("p-wandee", WANDEE, consent="no"),
            person("p-somsri", SOMSRI, consent="yes"),
            person("p-new", "นาย ใหม่ เอี่ยม"),
        ],
        [Edge("p-new", "MEMBER_OF", "o2")],
    )
    names = renaming(store)
    assert sorted(names) == ["p-new", "p-somchai", "p-wandee"]
    sub = view.subgraph()
    assert set(names.values()) <= set(sub.nodes)
    assert "p-somsri" in sub.nodes and sub.nodes["p-somsri"].name == SOMSRI
    assert not {"p-wandee", "p-new"} & set(sub.nodes)
    assert view.get_nodes(["p-wandee"]) == {}
    assert view.expand(["o2"]) == {
        names["p-new"],
        names["p-wandee"],
        names["p-somchai"],
        "o1",
        "n1",
        "f1",
    }
    assert leaks(subgraph_text(sub), hidden_texts(store), allowed_texts(store)) == []


class WritesWhileRead:
    """A real store that, the first ``times`` times it is asked for a subgraph, withdraws
    a consent just before it answers: a write landing between the view's maps and its read.
    Everything else goes straight to the store."""

    def __init__(self, store: GraphStore, times: int) -> None:
        self._store, self._times = store, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def subgraph(self, *args: Any, **kwargs: Any) -> Any:
        if self._times > 0:
            self._times -= 1
            consent = (
                "no"
                if self._store.get_nodes(["p-wandee"])["p-wandee"].props["consent"] != "no"
                else "ยินยอม"
            )
            self._store.write([person("p-wandee", WANDEE, consent=consent)], [])
        return self._store.subgraph(*args, **kwargs)


def test_a_write_during_a_read_never_shows_a_person_under_old_maps(store: GraphStore) -> None:
    """The view reads the version after every read: a consent withdrawn between its maps
    and its read makes it rebuild the maps and read again."""
    load_hand(store)
    racing = WritesWhileRead(store, times=1)
    view = public_view(racing)  # type: ignore[arg-type]
    assert "p-wandee" in view.get_nodes(["p-wandee"])  # maps made: wandee disclosed
    sub = view.subgraph()  # wandee withdraws just before the store answers
    assert "p-wandee" not in sub.nodes
    assert WANDEE not in subgraph_text(sub)
    assert renaming(store)["p-wandee"] in sub.nodes


def test_a_graph_that_never_stops_changing_is_unavailable(store: GraphStore) -> None:
    load_hand(store)
    view = public_view(WritesWhileRead(store, times=100))  # type: ignore[arg-type]
    view.get_nodes(["o1"])
    with pytest.raises(StoreUnavailable, match="kept changing"):
        view.subgraph()


def test_pseudonyms_are_stable(store: GraphStore, request: pytest.FixtureRequest) -> None:
    """The same in two views, after reopening the store, and different between people."""
    load_hand(store)
    first = public_view(store).ids_of(["Person"])
    assert public_view(store).ids_of(["Person"]) == first
    again = reopen(store, request)
    try:
        assert public_view(again).ids_of(["Person"]) == first
        assert again.secret() == store.secret()
    finally:
        if again is not store:
            again.close()
    anon = [i for i in first if i.startswith("anon-")]
    assert len(anon) == len(set(anon)) == 2


def missing(item: dict[str, Any]) -> dict[str, Any]:
    """A missing link of ``gaps`` up to the order of ids: gaps breaks ties between brokers
    of equal degree (and between fragile ends) by id, which pseudonyms change, before it
    keeps the first ``MAX_BROKERS``. So: the degrees of the brokers kept, the brokers above
    the lowest degree kept (the same ones whatever the ids), the fragile ends as a set."""
    out = {k: v for k, v in item.items() if k not in ("brokers", "candidates", "through")}
    candidates = item.get("candidates", [])
    degrees = sorted((c["degree"] for c in candidates), reverse=True)
    out["degrees"] = degrees
    out["new_ties"] = sorted(c["new_ties"] for c in candidates)
    out["top"] = sorted(c["id"] for c in candidates if c["degree"] > min(degrees))
    assert [c["id"] for c in candidates] == item["brokers"]
    out["fragile"] = sorted(item["fragile"])
    assert item["through"] is None or item["through"] in item["fragile"]
    return out


def reopen(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    if isinstance(store, EmbeddedStore):
        return EmbeddedStore(store.path)
    from graph_service.store.neo4j_store import Neo4jStore

    url, user, password = request.getfixturevalue("neo4j_server")
    return Neo4jStore(url, user, password)


def test_analyses_over_the_view_are_the_real_answers_renamed(store: GraphStore) -> None:
    load_hand(store)
    load_samples(store)
    view = public_view(store)
    names = renaming(store)
    assert len(names) == 2 + 15  # the hand-made graph's two and every sample person
    for real in ("p-somsri", "p-somchai", "person-coordinator", "person-citizens", "o1"):
        shown = names.get(real, real)
        a, b = reach(store, real, 3), reach(view, shown, 3)
        assert (b["id"], b["reach"], b["weighted_reach"], b["by_kind"]) == (
            shown,
            a["reach"],
            a["weighted_reach"],
            a["by_kind"],
        )
        assert sorted((n["id"], n["kind"], n["distance"]) for n in b["nodes"]) == sorted(
            (names.get(n["id"], n["id"]), n["kind"], n["distance"]) for n in a["nodes"]
        )
    roles = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total")
    for group_by in ("admin_level", "kind", "sector"):
        real_rows = {r["id"]: r for r in brokerage(store, group_by)["nodes"]}
        view_rows = {r["id"]: r for r in brokerage(view, group_by)["nodes"]}
        assert set(view_rows) == {names.get(i, i) for i in real_rows}
        for i, r in real_rows.items():
            v = view_rows[names.get(i, i)]
            assert [v[k] for k in roles] == [r[k] for k in roles]
            assert v["group"] == r["group"]
            assert v["constraint"] == pytest.approx(r["constraint"])
            assert v["betweenness"] == pytest.approx(r["betweenness"])
        assert sum(r["total"] for r in view_rows.values()) == sum(
            r["total"] for r in real_rows.values()
        )
    for by in ("admin_level", "sector"):
        a, b = gaps(store, by=by), gaps(view, by=by)
        assert b["blocks"] == a["blocks"]
        assert b["ei_index"] == a["ei_index"]
        assert [missing(m) for m in b["missing"]] == [
            missing(m) for m in rename(a["missing"], names)
        ]
    for by in ("beneficiary", "area"):
        a, b = overlap(store, by=by), overlap(view, by=by)
        assert b["pairs"] == rename(a["pairs"], names)
        assert b["funds_per_target"] == rename(a["funds_per_target"], names)
        assert b["unfunded"] == rename(a["unfunded"], names)
    a_sub, b_sub = neighbourhood(store, "p-somsri", 2), neighbourhood(view, names["p-somsri"], 2)
    assert b_sub.distance == rename(a_sub.distance, names)


# -- the samples: none of their people has consent ----------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_people_are_all_private(tmp_path: Path, name: str) -> None:
    store = load_samples(EmbeddedStore(tmp_path / "g.db"), [name])
    try:
        view = public_view(store)
        people = store.ids_of(["Person"])
        expected = {"community-occupation": 6, "district-qol": 5, "informal-workers-km": 4}
        assert len(people) == expected[name]
        shown = view.ids_of(["Person"])
        assert len(shown) == len(people)
        assert all(i.startswith("anon-") and len(i) == 15 for i in shown)
        sub = view.subgraph()
        assert {n.name for n in sub.nodes.values() if n.kind == "Person"} == {
            "บุคคลนิรนาม " + i[5:] for i in shown
        }
        hidden = hidden_texts(store)
        assert set(people) <= set(hidden)
        assert leaks(subgraph_text(sub), hidden, allowed_texts(store)) == []
    finally:
        store.close()


# -- exports and maps marked public ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("samples") / "samples.db"
    store = EmbeddedStore(path)
    load_samples(store)
    store.close()
    return path


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hand") / "hand.db"
    store = EmbeddedStore(path)
    load_hand(store)
    store.close()
    return path


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def export_public(db: Path, fmt: str, out: Path) -> Path:
    target = out / ("dataset" if fmt == "csv" else f"graph.{fmt}")
    cli("--store", str(db), "export", "--format", fmt, "--public", "-o", str(target))
    return target


def truth(db: Path) -> tuple[dict[str, str], set[str], dict[str, str]]:
    """(hidden texts, allowed texts, real id -> pseudonym) of the store in ``db``."""
    store = EmbeddedStore(db)
    try:
        return hidden_texts(store), allowed_texts(store), renaming(store)
    finally:
        store.close()


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("which", ["samples", "hand"])
def test_public_exports_hide_private_people(
    tmp_path: Path, sample_db: Path, hand_db: Path, which: str, fmt: str
) -> None:
    db = sample_db if which == "samples" else hand_db
    hidden, allowed, names = truth(db)
    text = files_text(export_public(db, fmt, tmp_path))
    assert leaks(text, hidden, allowed) == []
    if fmt == "svg":  # a picture labels names, not ids
        assert "บุคคลนิรนาม" in text
    else:
        assert all(pid in text for pid in names.values())
    if which == "hand":
        assert WANDEE in text
        if fmt != "svg":
            assert "p-wandee" in text
        if fmt not in ("svg", "xlsx"):  # the workbook lists no phone numbers
            assert "089-999-0000" in text


@pytest.mark.parametrize("fmt", ["csv", "cyjs", "xlsx"])
def test_the_search_finds_what_an_export_without_public_shows(
    tmp_path: Path, hand_db: Path, fmt: str
) -> None:
    """The check above is not blind: the full export holds the private people's data."""
    hidden, allowed, _ = truth(hand_db)
    target = tmp_path / ("dataset" if fmt == "csv" else f"graph.{fmt}")
    cli("--store", str(hand_db), "export", "--format", fmt, "-o", str(target))
    found = leaks(files_text(target), hidden, allowed)
    assert any(SOMSRI in f for f in found) and any("p-somchai" in f for f in found)


@pytest.mark.parametrize("which", ["samples", "hand"])
def test_public_map_hides_private_people(
    tmp_path: Path, sample_db: Path, hand_db: Path, which: str
) -> None:
    db = sample_db if which == "samples" else hand_db
    hidden, allowed, names = truth(db)
    out = tmp_path / "map.html"
    cli("--store", str(db), "map", "--public", "-o", str(out))
    page = out.read_text(encoding="utf-8")
    data = page_data(page)
    assert leaks(page, hidden, allowed) == []
    assert leaks(json.dumps(data, ensure_ascii=False), hidden, allowed) == []
    ids = {n["id"] for n in data["nodes"]}
    assert set(names.values()) <= ids
    assert not set(names) & ids
    if which == "hand":  # the check is not blind: the full map shows them
        cli("--store", str(db), "map", "-o", str(tmp_path / "full.html"))
        full = (tmp_path / "full.html").read_text(encoding="utf-8")
        assert any(SOMSRI in f for f in leaks(full, hidden, allowed))
    # a neighbourhood map around a pseudonym
    pid = names["p-somchai" if which == "hand" else "person-coordinator"]
    cli("--store", str(db), "map", "--public", "--focus", pid, "-o", str(out))
    page = out.read_text(encoding="utf-8")
    assert pid in {n["id"] for n in page_data(page)["nodes"]}
    assert leaks(page, hidden, allowed) == []


def test_public_person_fields_come_from_the_settings(
    tmp_path: Path, hand_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPH_PUBLIC_PERSON_FIELDS", "sector,phone")
    _, _, names = truth(hand_db)
    doc = json.loads(files_text(export_public(hand_db, "cyjs", tmp_path)))
    data = {n["data"]["id"]: n["data"] for n in doc["elements"]["nodes"]}
    somsri = data[names["p-somsri"]]
    assert (somsri["sector"], somsri["phone"]) == ("community", "081-234-5678")
    assert "role" not in somsri and "admin_level" not in somsri
    assert "role" not in data[names["p-somchai"]]


def test_public_exports_are_stable(tmp_path: Path, sample_db: Path) -> None:
    """Two exports (two openings of the store) give the same pseudonyms, byte for byte."""
    for fmt in ("csv", "cyjs"):
        first = export_public(sample_db, fmt, tmp_path / "one")
        second = export_public(sample_db, fmt, tmp_path / "two")
        assert files_text(first) == files_text(second)


def test_public_csv_imports_back_with_pseudonyms(tmp_path: Path, sample_db: Path) -> None:
    folder = export_public(sample_db, "csv", tmp_path)
    _, _, names = truth(sample_db)
    store, copy = EmbeddedStore(sample_db), EmbeddedStore(tmp_path / "copy.db")
    try:
        view = public_view(store)
        report = import_dataset(copy, folder)
        assert report.problems == []
        assert copy.stats().nodes == store.stats().nodes
        assert copy.stats().relationships == store.stats().relationships
        assert copy.ids_of() == view.ids_of()
        assert not set(names) & set(copy.ids_of())
        assert sorted(copy.ids_of(["Person"])) == sorted(names.values())
        people = copy.get_nodes(copy.ids_of(["Person"]))
        assert {n.name for n in people.values()} == {"บุคคลนิรนาม " + i[5:] for i in people}
        assert {e.key for e in copy.subgraph().edges} == {e.key for e in view.subgraph().edges}
    finally:
        store.close()
        copy.close()


def test_public_export_over_http(tmp_path: Path, hand_db: Path) -> None:
    from graph_service.app import create_app

    hidden, allowed, names = truth(hand_db)
    store = EmbeddedStore(hand_db)
    try:
        with TestClient(create_app(store=store)) as client:
            public = client.get("/api/export", params={"format": "cyjs", "public": "true"})
            assert public.status_code == 200
            assert leaks(public.text, hidden, allowed) == []
            assert all(pid in public.text for pid in names.values())
            full = client.get("/api/export", params={"format": "cyjs"})
            assert SOMSRI in full.text and "p-somsri" in full.text
            zipped = client.get("/api/export", params={"format": "csv", "public": "true"})
            assert zipped.status_code == 200
            with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
                text = "\n".join(zf.read(n).decode("utf-8-sig") for n in zf.namelist())
            assert leaks(text, hidden, allowed) == []
            assert WANDEE in text
            assert (
                client.get("/api/export", params={"format": "cyjs", "public": "maybe"}).status_code
                == 422
            )
    finally:
        store.close()

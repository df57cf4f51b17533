"""viz.picture: static PNG and SVG pictures of the map, with Thai labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from graph_service.domain import Edge, Node
from graph_service.errors import InvalidInput, NotFound, UsageError
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from viz.picture import LABEL_TOP, THAI_FONTS, thai_font, write_picture

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "graph_service" / "data" / "samples" / "community-occupation"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
CENTRAL_TEAM = "ทีมกลาง"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    s = EmbeddedStore(tmp_path_factory.mktemp("picture") / "g.db")
    import_dataset(s, SAMPLE)
    return s


def node_count(store: EmbeddedStore) -> int:
    return sum(store.stats().nodes.values())


def groups(root: ET.Element, prefix: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("id", "").startswith(prefix)]


def marks(group: ET.Element) -> int:
    """Markers drawn in a scatter group: <use> elements, or else the paths outside <defs>."""
    uses = list(group.iter(f"{SVG}use"))
    if uses:
        return len(uses)
    defs = {id(p) for d in group.iter(f"{SVG}defs") for p in d.iter(f"{SVG}path")}
    return sum(1 for p in group.iter(f"{SVG}path") if id(p) not in defs)


def label_texts(root: ET.Element) -> list[str]:
    return [
        "".join(t.itertext()) for g in groups(root, "node-label-") for t in g.iter(f"{SVG}text")
    ]


def test_a_thai_font_is_installed() -> None:
    font = thai_font()
    assert font is not None, "install fonts-thai-tlwg"
    assert "".join(font.split()).casefold() in {"".join(f.split()).casefold() for f in THAI_FONTS}


@pytest.mark.parametrize(("width", "height"), [(1600, 1200), (1234, 777)])
def test_png_has_the_size_asked_and_is_drawn(
    tmp_path: Path, store: EmbeddedStore, width: int, height: int
) -> None:
    out = tmp_path / "map.png"
    result = write_picture(store, out, "png", width_px=width, height_px=height)
    assert out.read_bytes()[:8] == PNG_SIGNATURE
    assert (result.format, result.path, result.files) == ("png", out, [out])
    assert result.nodes == node_count(store)
    assert result.edges == sum(store.stats().relationships.values())
    assert result.notes == []  # the Thai font was found
    pixels = imread(out)
    assert pixels.shape[:2] == (height, width)
    rgb = pixels[:, :, :3]
    non_white = int(np.count_nonzero((rgb < 0.95).any(axis=2)))
    assert non_white > 20_000
    # the kind colours are there: Organisation orange #f28e2b
    orange = np.abs(rgb - np.array([0xF2, 0x8E, 0x2B]) / 255).max(axis=2) < 0.02
    assert int(orange.sum()) > 100


def test_svg_keeps_thai_text_names_the_font_and_draws_every_node(
    tmp_path: Path, store: EmbeddedStore
) -> None:
    out = tmp_path / "map.svg"
    result = write_picture(store, out, "svg")
    assert result.format == "svg"
    text = out.read_text(encoding="utf-8")
    assert f"font-family: '{thai_font()}'" in text
    root = ET.fromstring(text)
    labels = label_texts(root)
    n = node_count(store)
    assert len(labels) == n == result.nodes  # under the label limit every node is labelled
    assert CENTRAL_TEAM in labels
    assert all(len(label) <= 25 for label in labels)
    all_text = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert "แผนที่เครือข่าย / network map" in all_text
    # one marker per entity, in one group per kind
    kinds = store.stats().nodes
    drawn = {g.get("id"): marks(g) for g in groups(root, "nodes-")}
    assert drawn == {f"nodes-{k}": c for k, c in kinds.items() if c}
    assert sum(drawn.values()) == n
    # links by direction; the legend names the two directions in Thai
    assert groups(root, "links-horizontal") and groups(root, "links-vertical")
    assert any(t.startswith("แนวราบ / horizontal") for t in all_text)
    assert any(t.startswith("แนวดิ่ง / vertical") for t in all_text)


def test_focus_draws_the_neighbourhood_only(tmp_path: Path, store: EmbeddedStore) -> None:
    out = tmp_path / "focus.svg"
    result = write_picture(store, out, "svg", focus=CENTRAL_TEAM, depth=1, arrows=True)
    assert 1 < result.nodes < node_count(store)
    root = ET.parse(out).getroot()
    labels = label_texts(root)
    assert len(labels) == result.nodes
    assert CENTRAL_TEAM in labels
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert f"แผนที่รอบ {CENTRAL_TEAM} (1 ขั้น / steps)" in titles
    wider = write_picture(store, tmp_path / "focus2.png", "png", focus=CENTRAL_TEAM, depth=2)
    assert result.nodes < wider.nodes <= node_count(store)


def test_network_level_folds_people(tmp_path: Path, store: EmbeddedStore) -> None:
    result = write_picture(store, tmp_path / "net.png", "png", level="network")
    assert result.nodes < node_count(store)
    assert any("INN level: network" in note for note in result.notes)


def test_big_graph_labels_the_highest_degree_only(tmp_path: Path) -> None:
    big = EmbeddedStore(tmp_path / "big.db")
    people = [Node(f"p{i:03d}", "Person", {"name": f"คน {i}"}) for i in range(320)]
    hub = Node("hub", "Organisation", {"name": "ศูนย์กลาง"})
    edges = [Edge(p.id, "WORKS_FOR", hub.id) for p in people[:150]]
    edges += [Edge(people[i].id, "MENTORS", people[i + 1].id) for i in range(150, 250)]
    big.write([hub, *people], edges)
    out = tmp_path / "big.svg"
    result = write_picture(big, out, "svg")
    assert result.nodes == 321
    labels = label_texts(ET.parse(out).getroot())
    assert len(labels) == LABEL_TOP
    assert "ศูนย์กลาง" in labels  # the hub has the highest degree
    assert any("only the 100" in note for note in result.notes)


def test_empty_store_is_refused(tmp_path: Path) -> None:
    empty = EmbeddedStore(tmp_path / "empty.db")
    with pytest.raises(InvalidInput, match="the graph is empty: import a dataset first"):
        write_picture(empty, tmp_path / "x.png", "png")
    assert not (tmp_path / "x.png").exists()


def test_unknown_focus_is_not_found(tmp_path: Path, store: EmbeddedStore) -> None:
    with pytest.raises(NotFound):
        write_picture(store, tmp_path / "x.png", "png", focus="no-such-entity")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"fmt": "gif"}, UsageError),
        ({"level": "galaxy"}, InvalidInput),
        ({"depth": 0}, InvalidInput),
        ({"width_px": 50}, InvalidInput),
        ({"height_px": 1.5}, InvalidInput),
    ],
)
def test_bad_arguments(
    tmp_path: Path, store: EmbeddedStore, kwargs: dict, error: type[Exception]
) -> None:
    args = {"fmt": "png", **kwargs}
    with pytest.raises(error):
        write_picture(store, tmp_path / "x.png", **args)


def test_a_folder_is_not_a_file(tmp_path: Path, store: EmbeddedStore) -> None:
    with pytest.raises(InvalidInput, match="is a folder"):
        write_picture(store, tmp_path, "png")


def test_without_a_thai_font_the_notes_say_so(
    tmp_path: Path, store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import viz.picture

    monkeypatch.setattr(viz.picture, "thai_font", lambda: None)
    out = tmp_path / "map.svg"
    result = write_picture(store, out, "svg")
    assert any("Thai will not render" in n and "fonts-thai-tlwg" in n for n in result.notes)
    assert "font-family: 'DejaVu Sans'" in out.read_text(encoding="utf-8")


def test_a_picture_in_the_levels_layout(tmp_path: Path) -> None:
    """``export --format svg --layout levels``: the funder's marker above the villagers' (SVG
    y grows downwards), the same tiers as the map's levels layout."""
    import re as _re

    from graph_service.store.embedded import EmbeddedStore
    from importers.load import import_dataset
    from tests.conftest import SAMPLES
    from viz.export import export

    store = EmbeddedStore(tmp_path / "g.db")
    import_dataset(store, SAMPLES / "community-occupation")
    out = export(store, "svg", tmp_path / "a3.svg", layout="levels")
    store.close()
    assert (out.nodes, out.edges) == (74, 125)
    text = (tmp_path / "a3.svg").read_text(encoding="utf-8")

    y = {
        m.group(2): float(m.group(1))
        for m in _re.finditer(r'<text[^>]*\by="([\d.]+)"[^>]*>([^<]+)<', text)
    }
    # national area, central team, the regions (one tier), providers' unit, villagers
    assert y["ภาคกลาง"] == y["ภาคเหนือ"]
    assert y["ประเทศ"] < y["ทีมกลาง"] < y["ภาคกลาง"] < y["หน่วยพัฒนาอาชีพ"] < y["ชาวบ้าน"]

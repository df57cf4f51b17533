"""The Thai administrative geography as Area nodes joined by PART_OF (DOMAIN.md section 7).

Source: ``data/thai-admin`` (kongvut/thai-province-data, MIT): 6 regions, 77 provinces, 929
districts and 7,451 subdistricts. District and subdistrict ids there are DOPA codes; province
ids are the source's own sequence numbers, so a province's DOPA code is read off the first two
digits of its districts' ids (Phatthalung: sequence 73, DOPA 93).

Node ids follow the DOPA codes so that datasets can link to them: ``th`` (the country),
``th-region-{n}``, ``th-{2-digit province}``, ``th-{4-digit district}`` and
``th-{6-digit subdistrict}``; ``code`` holds the DOPA code as text (leading digits matter).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterator
from pathlib import Path

import graph_service
from graph_service.domain import (
    Edge,
    Node,
    Props,
    clean_text,
    edge_key,
    normalise_name,
    to_ascii_digits,
)

#: Where the package keeps its copy of the data (with its LICENSE).
GEOGRAPHY_DIR = Path(graph_service.__file__).resolve().parent / "data" / "thai-admin"

NATIONAL_ID = "th"
#: geographies.csv names the regions only in Thai; keyed by that name, not by the source's id.
REGION_NAMES_EN = {
    "ภาคเหนือ": "North",
    "ภาคกลาง": "Central",
    "ภาคตะวันออกเฉียงเหนือ": "Northeast",
    "ภาคตะวันตก": "West",
    "ภาคตะวันออก": "East",
    "ภาคใต้": "South",
}
_PROVINCE_PREFIXES = ("จังหวัด", "จ.")
#: Common short names (matching keys, see ``_key``) -> DOPA code.
_PROVINCE_ALIASES = {"กรุงเทพ": "10", "กรุงเทพฯ": "10", "กทม.": "10", "กทม": "10"}


def read_geography(
    folder: str | Path | None = None, province: str | None = None
) -> tuple[list[Node], list[Edge]]:
    """Area nodes for Thailand, its regions, provinces, districts and subdistricts.

    Each area has a ``PART_OF`` edge to its parent (subdistrict -> district -> province ->
    region -> ``th``), so the nodes form one tree. ``province`` keeps one province: a DOPA
    code (``"93"``), its Thai name (``"พัทลุง"``, ``"จังหวัดพัทลุง"``) or its English name
    (``"Phatthalung"``, any case or spacing); its region and ``th`` come along so that the
    tree stays connected. Rows with a ``deleted_at`` date are skipped.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` for an unknown
    ``province`` or a data problem (named by file and row).
    """
    base = Path(folder) if folder is not None else GEOGRAPHY_DIR
    nodes: list[Node] = [
        Node(
            NATIONAL_ID,
            "Area",
            {"name": "ประเทศไทย", "name_en": "Thailand", "admin_level": "national"},
        )
    ]
    edges: list[Edge] = []
    # the tree top down; a province's DOPA code is read off its districts' ids
    regions = _read_regions(base, nodes, edges)
    district_rows = list(_rows(base, "districts.csv", ("id", "name_th", "name_en", "province_id")))
    codes = _derive_province_codes(district_rows)
    province_nodes, provinces, region_of = _read_provinces(base, regions, codes, nodes, edges)
    districts = _read_districts(district_rows, provinces, nodes, edges)
    _read_subdistricts(base, districts, nodes, edges)
    if province is None:
        return nodes, edges
    found = _find_province(province, province_nodes, base)
    keep = {NATIONAL_ID, region_of[found.id]}
    prefix = found.id  # th-93: its districts are th-93xx, its subdistricts th-93xxxx
    nodes = [n for n in nodes if n.id in keep or n.id.startswith(prefix)]
    kept = {n.id for n in nodes}
    return nodes, [e for e in edges if e.source in kept]


def _read_regions(base: Path, nodes: list[Node], edges: list[Edge]) -> dict[str, str]:
    """Append the regions (PART_OF ``th``); returns source geography id -> node id."""
    regions: dict[str, str] = {}
    for where, row in _rows(base, "geographies.csv", ("id", "name")):
        name = clean_text(row["name"])
        if name not in REGION_NAMES_EN:
            raise ValueError(f"{where}: unknown region {name!r}")
        node_id = f"th-region-{row['id']}"
        regions[row["id"]] = node_id
        nodes.append(
            Node(
                node_id,
                "Area",
                {"name": name, "name_en": REGION_NAMES_EN[name], "admin_level": "regional"},
            )
        )
        edges.append(Edge(node_id, "PART_OF", NATIONAL_ID))
    return regions


def _derive_province_codes(district_rows: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """Source province id -> DOPA code, read off the first two digits of its districts."""
    codes: dict[str, str] = {}
    for where, row in district_rows:
        code = _code(row["id"], 4, where)
        known = codes.setdefault(row["province_id"], code[:2])
        if known != code[:2]:
            raise ValueError(
                f"{where}: district {code} is in province {row['province_id']}, whose other "
                f"districts start with {known}"
            )
    return codes


def _read_provinces(
    base: Path,
    regions: dict[str, str],
    codes: dict[str, str],
    nodes: list[Node],
    edges: list[Edge],
) -> tuple[list[Node], dict[str, str], dict[str, str]]:
    """Append the provinces (PART_OF their region); returns them, source province id ->
    node id, and province node id -> region node id."""
    province_nodes: list[Node] = []
    provinces: dict[str, str] = {}
    region_of: dict[str, str] = {}
    for where, row in _rows(base, "provinces.csv", ("id", "name_th", "name_en", "geography_id")):
        if row["geography_id"] not in regions:
            raise ValueError(f"{where}: unknown region (geography_id) {row['geography_id']!r}")
        if row["id"] not in codes:
            raise ValueError(f"{where}: province {row['id']} has no districts, so no DOPA code")
        code = codes[row["id"]]
        node_id = f"th-{code}"
        provinces[row["id"]] = node_id
        node = Node(
            node_id,
            "Area",
            {
                "name": clean_text(row["name_th"]),
                "name_en": clean_text(row["name_en"]),
                "admin_level": "provincial",
                "code": code,
                "thai_admin_id": row["id"],
            },
        )
        province_nodes.append(node)
        region_of[node_id] = regions[row["geography_id"]]
        nodes.append(node)
        edges.append(Edge(node_id, "PART_OF", regions[row["geography_id"]]))
    return province_nodes, provinces, region_of


def _read_districts(
    district_rows: list[tuple[str, dict[str, str]]],
    provinces: dict[str, str],
    nodes: list[Node],
    edges: list[Edge],
) -> set[str]:
    """Append the districts (PART_OF their province); returns their node ids."""
    districts: set[str] = set()
    for where, row in district_rows:
        if row["province_id"] not in provinces:
            raise ValueError(f"{where}: unknown province (province_id) {row['province_id']!r}")
        node_id = f"th-{row['id']}"
        districts.add(node_id)
        nodes.append(
            Node(
                node_id,
                "Area",
                {
                    "name": clean_text(row["name_th"]),
                    "name_en": clean_text(row["name_en"]),
                    "admin_level": "district",
                    "code": row["id"],
                },
            )
        )
        edges.append(Edge(node_id, "PART_OF", provinces[row["province_id"]]))
    return districts


def _read_subdistricts(
    base: Path, districts: set[str], nodes: list[Node], edges: list[Edge]
) -> None:
    """Append the subdistricts (PART_OF their district), with zip code and lat/long."""
    columns = ("id", "zip_code", "name_th", "name_en", "district_id")
    for where, row in _rows(base, "sub_districts.csv", columns):
        code = _code(row["id"], 6, where)
        parent = f"th-{row['district_id']}"
        if parent not in districts:
            raise ValueError(f"{where}: unknown district (district_id) {row['district_id']!r}")
        node_id = f"th-{code}"
        props: Props = {
            "name": clean_text(row["name_th"]),
            "name_en": clean_text(row["name_en"]),
            "admin_level": "subdistrict",
            "code": code,
        }
        if row["zip_code"]:
            props["zip_code"] = row["zip_code"]
        for column in ("lat", "long"):
            if row.get(column):
                try:
                    props[column] = float(row[column])
                except ValueError:
                    raise ValueError(f"{where}: {column} {row[column]!r} is not a number") from None
        nodes.append(Node(node_id, "Area", props))
        edges.append(Edge(node_id, "PART_OF", parent))


def _find_province(query: str, province_nodes: list[Node], base: Path) -> Node:
    """The province a DOPA code, Thai name or English name stands for."""
    text = query.strip()
    if text.casefold().startswith("th-"):
        text = text[3:]
    wanted = _key(text)
    for prefix in _PROVINCE_PREFIXES:
        if wanted.startswith(prefix) and len(wanted) > len(prefix):
            wanted = wanted[len(prefix) :]
    wanted = _PROVINCE_ALIASES.get(wanted, wanted)
    for node in province_nodes:
        if wanted in (node.props["code"], _key(node.name), _key(str(node.props["name_en"]))):
            return node
    names = [node.name for node in province_nodes]
    names += [str(node.props["name_en"]) for node in province_nodes]
    close = difflib.get_close_matches(query.strip(), names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"unknown province: {query!r}{hint}. Give its 2-digit DOPA code (e.g. 93), its Thai "
        f"name (e.g. พัทลุง) or its English name (e.g. Phatthalung), as listed in "
        f"{base / 'provinces.csv'}"
    )


def _key(text: str) -> str:
    """A name for matching: normalised, with spaces and hyphens dropped (Chon Buri = Chonburi)."""
    return normalise_name(to_ascii_digits(text)).replace(" ", "").replace("-", "")


def _code(text: str, digits: int, where: str) -> str:
    """A DOPA code, checked to be ``digits`` ASCII digits."""
    code = to_ascii_digits(text)
    if len(code) != digits or not code.isascii() or not code.isdigit():
        raise ValueError(f"{where}: {text!r} is not a {digits}-digit DOPA code")
    return code


def _rows(
    base: Path, file_name: str, required: tuple[str, ...]
) -> Iterator[tuple[str, dict[str, str]]]:
    """``("file:row", row)`` for each live row of one source file, cells stripped.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    path = base / file_name
    if not path.is_file():
        raise FileNotFoundError(f"the Thai geography file is missing: '{path}'")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().casefold() for h in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise ValueError(f"{path}:1: missing column(s) {', '.join(missing)}")
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)}
            if row.get("deleted_at"):
                continue
            yield f"{path}:{number}", row


# -- one entity per place: a dataset's area with a DOPA code is the geography's area ----------

#: the geography's own properties: where an area of a dataset and the geography's are merged,
#: the geography's values of these win (the dataset's other properties are kept)
GEOGRAPHY_FIELDS = ("name", "name_en", "admin_level", "code", "thai_admin_id", "zip_code")
#: the property that keeps the other ids and names an entity is known by, ``|``-separated
#: (as the bundled samples write it), resolvable by ``show`` and by a relationship's end
ALIASES = "aliases"


def geography_id(node: Node) -> str | None:
    """The id the geography gives an Area with a DOPA ``code`` of 2, 4 or 6 digits
    (``th-93``, ``th-9301``, ``th-930101``), else None.

    >>> geography_id(Node("area-93", "Area", {"name": "พัทลุง", "code": "๙๓"}))
    'th-93'
    >>> geography_id(Node("area-x", "Area", {"name": "x", "code": "9"})) is None
    True
    """
    if node.kind != "Area":
        return None
    code = to_ascii_digits(str(node.props.get("code", "")).strip())
    if len(code) in (2, 4, 6) and code.isascii() and code.isdigit():
        return f"th-{code}"
    return None


def split_aliases(value: object) -> list[str]:
    """The aliases a property value holds: a ``|``-separated text or a list of texts."""
    parts = value if isinstance(value, list) else str(value or "").split("|")
    return [text for text in (clean_text(str(p)) for p in parts) if text]


def with_aliases(props: Props, *extra: object) -> Props:
    """``props`` with ``extra`` ids and names added to its ``aliases`` (kept ``|``-separated,
    in order, without repeats, never the entity's own name)."""
    own = {str(props.get("name", ""))}
    merged: list[str] = []
    for value in (props.get(ALIASES), *extra):
        for alias in split_aliases(value):
            if alias not in merged and alias not in own:
                merged.append(alias)
    out = dict(props)
    if merged:
        out[ALIASES] = "|".join(merged)
    return out


def merge_into(geography: Node, other: Node) -> Node:
    """The geography's area with what ``other`` (a dataset's area of the same code) adds:
    the geography's own fields win, every other property of ``other`` is kept, and
    ``other``'s id (and its name, when different) join the ``aliases``."""
    props = {k: v for k, v in geography.props.items() if k != ALIASES}
    props.update(
        {k: v for k, v in other.props.items() if k not in GEOGRAPHY_FIELDS and k != ALIASES}
    )
    names = [other.name] if other.name and other.name != geography.name else []
    props = with_aliases(
        props, geography.props.get(ALIASES), other.props.get(ALIASES), other.id, *names
    )
    return Node(geography.id, geography.kind, props)


def move_edge(edge: Edge, moved: dict[str, str]) -> Edge:
    """``edge`` with its ends renamed by ``moved``; its key follows its ends unless the
    data gave the relationship its own id."""
    source, target = moved.get(edge.source, edge.source), moved.get(edge.target, edge.target)
    if (source, target) == (edge.source, edge.target):
        return edge
    derived = edge.key == edge_key(edge.source, edge.type, edge.target)
    key = "" if derived else edge.key
    return Edge(source, edge.type, target, edge.props, key)


def merge_edges(edges: list[Edge]) -> list[Edge]:
    """One relationship per key (two may meet once their ends are merged), the properties
    of the later added to the earlier's, in the order first seen."""
    by_key: dict[str, Edge] = {}
    for edge in edges:
        seen = by_key.get(edge.key)
        if seen is None:
            by_key[edge.key] = edge
        elif edge.props and edge.props != seen.props:
            by_key[edge.key] = Edge(
                seen.source, seen.type, seen.target, {**seen.props, **edge.props}, seen.key
            )
    return list(by_key.values())


def stored_aliases(stored: dict[str, Node]) -> dict[str, str]:
    """alias id -> the id of the stored entity that keeps it in its ``aliases`` (only aliases
    that are not themselves a stored id)."""
    out: dict[str, str] = {}
    for node in stored.values():
        for alias in split_aliases(node.props.get(ALIASES)):
            if alias not in stored:
                out.setdefault(alias, node.id)
    return out


def merge_dataset_areas(
    nodes: list[Node], edges: list[Edge], stored: dict[str, Node]
) -> tuple[list[Node], list[Edge], dict[str, str]]:
    """A dataset's entities and relationships with each Area whose DOPA ``code`` names a
    stored geography area (``th-<code>``) written as that area (``merge_into``), and the
    ids an earlier merge keeps as aliases read as the entity that keeps them; the
    relationships follow. ``stored``: the store's Area entities by id. Returns the nodes,
    the relationships and dataset id -> stored id for each id moved."""
    moved: dict[str, str] = {}
    aliases = stored_aliases(stored)
    out_nodes: dict[str, Node] = {}
    for node in nodes:
        target = geography_id(node)
        if target is None or target == node.id or target not in stored:
            target = aliases.get(node.id)
        if target is None or target == node.id or stored.get(target) is None:
            out_nodes[node.id] = node
            continue
        moved[node.id] = target
        base = out_nodes.get(target) or stored[target]
        out_nodes[target] = merge_into(base, node)
    for edge in edges if aliases else ():  # ends that only an alias names
        for end in (edge.source, edge.target):
            if end not in out_nodes and end in aliases and end not in stored:
                moved[end] = aliases[end]
    if not moved:
        return nodes, edges, moved
    return list(out_nodes.values()), merge_edges([move_edge(e, moved) for e in edges]), moved


def merge_stored_areas(
    nodes: list[Node], edges: list[Edge], stored: dict[str, Node]
) -> tuple[list[Node], list[Edge], list[str]]:
    """The geography's nodes with each stored Area of the same DOPA ``code`` (a dataset's,
    imported before the geography) merged into them (``merge_into``), and what the
    geography already holds kept (its aliases). ``stored``: the store's Area entities by
    id. Returns the nodes to write, the geography's edges, and the stored ids that now live
    on as aliases: their relationships must be moved (``move_edge``) and they deleted."""
    by_code: dict[str, list[Node]] = {}
    for node in stored.values():
        target = geography_id(node)
        if target is not None and target != node.id:
            by_code.setdefault(target, []).append(node)
    out: list[Node] = []
    gone: list[str] = []
    for node in nodes:
        kept = stored.get(node.id)
        if kept is not None and kept.props.get(ALIASES):
            node = Node(node.id, node.kind, with_aliases(dict(node.props), kept.props[ALIASES]))
        for other in by_code.get(node.id, []):
            node = merge_into(node, other)
            gone.append(other.id)
        out.append(node)
    return out, edges, gone

"""The Cypher catalog: every statement the Neo4j store runs, one per ``.cypher`` file.

Each file under ``cypher/`` holds one statement and a header of ``//`` comment lines::

    // Returns the entity with the given id.
    // mode: read
    // params: $id

The catalog loads every file once, by name (``"graph/get_node"`` for
``cypher/graph/get_node.cypher``), and checks each header against its body: the mode is
``read``, ``write`` or ``schema``, and the declared ``$params`` are exactly the parameters
the body uses. A bad file fails at start-up (and in a unit test), not in the middle of a
request. Values only ever reach Cypher as parameters; labels and relationship types that
vary use Neo4j 5.26's dynamic ``$(expression)`` syntax.

The one exception is a path length: Cypher takes no parameter as the bound of a
variable-length pattern (``-[*1..$depth]-``), so a header ``// bound: $depth`` names a
parameter the store writes into the text as a whole number (``Query.render``; checked,
never a string). A read runs with the routing its mode names (``Catalog.routing``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_MODES = ("read", "write", "schema")
#: the largest path-length bound a statement may be given (reach and maps stop at 10)
MAX_BOUND = 100


class CatalogError(ValueError):
    """A ``.cypher`` file whose header and body disagree."""


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    mode: str
    params: frozenset[str]
    summary: str
    bounds: frozenset[str] = frozenset()

    def render(self, params: dict[str, object]) -> tuple[str, dict[str, object]]:
        """(text, parameters) to send: each bound written into the text as a whole number.

        >>> q = parse_query("x", "// Paths.\\n// mode: read\\n// bound: $d\\n"
        ...                 "MATCH p = ()-[*1..$d]-() RETURN count(p) AS n")
        >>> q.render({"d": 2})
        ('MATCH p = ()-[*1..2]-() RETURN count(p) AS n', {})
        """
        if not self.bounds:
            return self.text, params
        text = self.text
        for name in self.bounds:
            value = params[name]
            if type(value) is not int or not 0 <= value <= MAX_BOUND:
                raise ValueError(f"{self.name}: ${name} must be a whole number 0..{MAX_BOUND}")
            text = re.sub(rf"\${name}\b", str(value), text)
        return text, {k: v for k, v in params.items() if k not in self.bounds}


def parse_query(name: str, source: str) -> Query:
    """Parse one ``.cypher`` file and check its header against its body.

    >>> q = parse_query("x", "// Counts.\\n// mode: read\\n// params: $k\\nRETURN $k")
    >>> q.mode, sorted(q.params)
    ('read', ['k'])
    """
    header: dict[str, str] = {}
    summary: list[str] = []
    body: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("//") and not body:
            text = stripped[2:].strip()
            key, sep, value = text.partition(":")
            if sep and key.strip() in ("mode", "params", "bound"):
                header[key.strip()] = value.strip()
            elif text:
                summary.append(text)
        elif stripped or body:
            body.append(line)
    text = "\n".join(body).strip()
    if not text:
        raise CatalogError(f"{name}: no statement")
    if not summary:
        raise CatalogError(f"{name}: the header must say what the statement returns")
    mode = header.get("mode")
    if mode not in _MODES:
        raise CatalogError(f"{name}: header needs 'mode: read|write|schema', got {mode!r}")
    declared_text = header.get("params", "")
    declared = set(_PARAM.findall(declared_text))
    if declared_text.strip() not in ("", "none") and not declared:
        raise CatalogError(f"{name}: 'params:' lists $names, got {declared_text!r}")
    bounds = set(_PARAM.findall(header.get("bound", "")))
    if bounds & declared:
        raise CatalogError(f"{name}: {sorted(bounds & declared)} is both a param and a bound")
    used = set(_PARAM.findall(_strip_comments_and_strings(text)))
    if not bounds <= used:
        raise CatalogError(f"{name}: bound {sorted(bounds - used)} is not used in the body")
    used -= bounds
    if declared != used:
        missing, extra = sorted(used - declared), sorted(declared - used)
        raise CatalogError(
            f"{name}: params header {sorted(declared)} does not match the body "
            f"(used but not declared: {missing}; declared but not used: {extra})"
        )
    if mode == "schema" and (used or bounds):
        raise CatalogError(f"{name}: schema statements cannot take parameters")
    return Query(name, text, mode, frozenset(declared), " ".join(summary), frozenset(bounds))


#: what Cypher reads as one token, left to right: a string, a quoted name or a comment. A
#: single scan, so ``//`` inside a string (``'http://x'``) is not a comment and ``'`` inside
#: a comment does not open a string.
_LITERAL_OR_COMMENT = re.compile(
    r"'(?:[^'\\]|\\.)*'"
    r"|\"(?:[^\"\\]|\\.)*\""
    r"|`[^`]*`"
    r"|//[^\n]*"
    r"|/\*.*?\*/",
    re.DOTALL,
)


def _strip_comments_and_strings(text: str) -> str:
    """``text`` with its strings and quoted names emptied and its comments removed, so only
    real ``$parameters`` are left.

    >>> _strip_comments_and_strings("RETURN 'http://x' AS u, $a // $b")
    "RETURN '' AS u, $a "
    """
    return _LITERAL_OR_COMMENT.sub(lambda m: "" if m.group().startswith("/") else "''", text)


class Catalog:
    """All statements under a folder, loaded and checked once."""

    def __init__(self, queries: dict[str, Query]) -> None:
        self._queries = queries

    @classmethod
    def load(cls, folder: Path | None = None) -> Catalog:
        root = Path(folder) if folder else Path(str(resources.files("cypher")))
        queries = {}
        for path in sorted(root.rglob("*.cypher")):
            name = path.relative_to(root).with_suffix("").as_posix()
            queries[name] = parse_query(name, path.read_text(encoding="utf-8"))
        if not queries:
            raise CatalogError(f"no .cypher files under {root}")
        return cls(queries)

    def __getitem__(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            raise KeyError(f"no Cypher statement named {name!r}") from None

    def names(self, prefix: str = "") -> list[str]:
        return sorted(n for n in self._queries if n.startswith(prefix))

    def check_params(self, name: str, params: dict[str, object]) -> Query:
        """The statement, after checking that ``params`` are exactly the ones it declares
        (its bounds included)."""
        query = self[name]
        given = set(params)
        if given != query.params | query.bounds:
            wanted = sorted(query.params | query.bounds)
            raise ValueError(f"{name} takes {wanted}, given {sorted(given)}")
        return query

    def routing(self, *names: str) -> str:
        """``"read"`` when every statement named is a read, else ``"write"``: the routing
        (and the kind of managed transaction) that runs them together.

        >>> catalog = Catalog.load()
        >>> catalog.routing("graph/get_nodes")
        'read'
        >>> catalog.routing("graph/get_nodes", "meta/lock_graph")
        'write'
        """
        if not names:
            raise ValueError("routing of no statement")
        return "read" if all(self[n].mode == "read" for n in names) else "write"

"""The command line imports what a verb needs and nothing more (issue 10, section 4).

Each check runs a fresh interpreter and reads its ``sys.modules``, so an eager import added
anywhere on the way (the CLI module, the store package, the settings, an analysis module)
fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import SAMPLES

#: never loaded by ``import graph_service.cli``
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "pydantic",
    "pydantic_settings",
    "pandas",
    "matplotlib",
    "networkx",
    "neo4j",
    "openpyxl",
    "numpy",
    "scipy",
    "importers",
    "viz",
)

#: runs the command in-process, then prints the top-level packages it loaded
RUN_VERB = """
import json, sys
from graph_service.cli import main
try:
    main(sys.argv[1:], prog_name="graph-service")
except SystemExit as exc:
    if exc.code:
        raise
sys.stderr.write("MODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def loaded_by(code: str, *args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def test_importing_the_command_loads_no_heavy_package() -> None:
    code = (
        "import json, sys, graph_service.cli\n"
        "sys.stderr.write('MODULES ' + json.dumps(sorted({m.split('.')[0] "
        "for m in sys.modules})))"
    )
    loaded = loaded_by(code)
    assert "graph_service" in loaded and "click" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    from graph_service.store import open_store
    from importers.load import import_dataset

    path = str(tmp_path_factory.mktemp("cli-imports") / "g.db")
    store = open_store(path)
    try:
        import_dataset(store, SAMPLES / "community-occupation")
    finally:
        store.close()
    return path


@pytest.mark.parametrize(
    ("verb", "allowed"),
    [
        (["stats", "--json"], set()),
        (["reach", "org-eef", "--json"], set()),
        (["brokerage", "--json", "--no-betweenness"], {"numpy"}),
        (["brokerage", "--json", "--group-by", "sector"], {"numpy", "rustworkx"}),
    ],
    ids=["stats", "reach", "brokerage", "brokerage-with-betweenness"],
)
def test_a_verb_loads_only_what_it_needs(store_file: str, verb: list[str], allowed: set) -> None:
    loaded = loaded_by(RUN_VERB, "--store", store_file, *verb)
    heavy = (loaded & set(HEAVY)) - allowed
    assert not heavy, sorted(heavy)
    assert "numpy" in loaded if "numpy" in allowed else "numpy" not in loaded

"""``graph-service map --lang``: a standalone map file in the reader's language (Thai by
default), the chain map too; the names stay as the data writes them."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from graph_service.cli import main
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_dataset
from tests.conftest import SAMPLES


def test_map_files_in_thai_or_english(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    store = EmbeddedStore(db)
    import_dataset(store, SAMPLES / "community-occupation")
    store.close()
    runner = CliRunner()

    def page(*args: str) -> str:
        out = tmp_path / "map.html"
        done = runner.invoke(main, ["--store", str(db), "map", *args, "-o", str(out)])
        assert done.exit_code == 0, done.output
        return out.read_text(encoding="utf-8")

    thai, english = page(), page("--lang", "en")
    assert '<html lang="th">' in thai and "<title>แผนที่เครือข่าย</title>" in thai
    assert '<html lang="en">' in english and "<title>Network map</title>" in english
    chain = page("--path", "org-eef", "person-villager", "--lang", "en")
    title = re.search(r"<title>([^<]*)</title>", chain)
    assert title is not None
    assert title.group(1) == (
        "Shortest chain from กองทุนเพื่อความเสมอภาคทางการศึกษา to ชาวบ้าน: 2 steps"
    )
    bad = runner.invoke(main, ["--store", str(db), "map", "--lang", "fr", "-o", "x.html"])
    assert bad.exit_code == 2

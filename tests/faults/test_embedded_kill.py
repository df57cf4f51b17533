"""The embedded store's process is killed (SIGKILL) in the middle of an import: the file
opens afterwards with the previous graph, passes SQLite's integrity check, and the same
import run again writes exactly the new graph."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from pathlib import Path

from graph_service.domain import Stats
from graph_service.store.embedded import EmbeddedStore
from tests.factories import cli_path, distinct_counts, people_dataset
from tests.servers import PATIENCE, wait_until

#: the write-ahead log past this size means the import's one transaction is writing (the
#: page cache spills to the log long before the commit; the store's file itself stays as
#: it was until a checkpoint after the commit)
WRITING = 256 * 1024


def _committed_version(db: Path) -> int:
    """The graph version a reader sees (only what a transaction has committed)."""
    reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(reader.execute("SELECT value FROM meta WHERE key='version'").fetchone()[0])
    finally:
        reader.close()


def _kill_while_writing(db: Path, dataset: Path) -> bool:
    """Start importing ``dataset``, stop the process (SIGSTOP) the moment its transaction is
    writing, and kill it (SIGKILL) if nothing has been committed yet. False when the import
    committed before it could be stopped (a busy machine can delay the check): the caller
    tries again on a fresh store rather than testing a kill that came too late."""
    wal = Path(f"{db}-wal")
    importer = subprocess.Popen(
        [cli_path(), "--store", str(db), "import", str(dataset)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(
            lambda: wal.exists() and wal.stat().st_size > WRITING,
            "the import to start writing",
            still=lambda: (
                None
                if importer.poll() is None
                else f"the import ended (exit {importer.returncode}) before it wrote "
                f"{WRITING} bytes to the log"
            ),
            every=0.002,
        )
        importer.send_signal(signal.SIGSTOP)
        if _committed_version(db) != 1:
            return False
        importer.send_signal(signal.SIGKILL)
        assert importer.wait(timeout=PATIENCE) == -signal.SIGKILL
        return True
    finally:
        if importer.poll() is None:
            importer.kill()
            importer.wait()


def _previous_graph(folder: Path) -> tuple[Path, Stats]:
    """A store holding the previous graph: 100 people p0..p99, each in its own
    organisation o0..o99 (MEMBER_OF p_i -> o_i), and a KNOWS chain of 99."""
    folder.mkdir()
    db = folder / "graph.db"
    old = people_dataset(folder / "old", range(100), 100, "old")
    first = subprocess.run(
        [cli_path(), "--store", str(db), "import", str(old)], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    store = EmbeddedStore(db)
    before = store.stats()
    store.close()
    assert before.nodes == {"Person": 100, "Organisation": 100}
    assert before.relationships == {"MEMBER_OF": 100, "KNOWS": 99}
    assert before.version == 1
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the last close checkpoints the log"
    return db, before


def test_import_killed_midway_leaves_the_previous_graph(tmp_path: Path) -> None:
    # the import to kill: 60,000 people p0..p59999 in the same 100 organisations
    # (p_i -> o_{i mod 100}), other values everywhere: 180,000 rows, seconds of writing
    big = people_dataset(tmp_path / "big", range(60_000), 100, "new")
    for attempt in range(5):
        db, before = _previous_graph(tmp_path / f"try{attempt}")
        if _kill_while_writing(db, big):
            break
    else:
        raise AssertionError("five imports in a row committed before they could be stopped")
    wal = Path(f"{db}-wal")
    assert wal.stat().st_size > WRITING, "the killed import leaves its uncommitted log behind"

    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    check.close()
    store = EmbeddedStore(db)
    assert store.stats() == before
    assert set(store.get_nodes(["p0", "p99", "p100", "p59999"])) == {"p0", "p99"}
    assert store.get_nodes(["p0"])["p0"].props == {
        "name": "คน 0 old",
        "role": "role-old",
        "note": "old",
    }
    store.close()

    again = subprocess.run(
        [cli_path(), "--store", str(db), "import", str(big)], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    # the 200 old entities all change; of the 199 old relationships the 99 KNOWS change
    # (their note) and the 100 MEMBER_OF (no properties) do not
    assert (
        "60100 entities (59900 new, 200 updated, 0 unchanged), "
        "119999 relationships (119800 new, 99 updated, 100 unchanged); graph version 2."
    ) in again.stdout, again.stdout
    store = EmbeddedStore(db)
    after = store.stats()
    p59999 = store.get_nodes(["p59999"])["p59999"]
    store.close()
    assert after.nodes == {"Person": 60_000, "Organisation": 100}
    assert after.relationships == {"MEMBER_OF": 60_000, "KNOWS": 59_999}
    assert after.version == 2
    assert p59999.props == {"name": "คน 59999 new", "role": "role-new", "note": "new"}
    assert distinct_counts(db) == {
        "entities": 60_100,
        "entity_ids": 60_100,
        "relationships": 119_999,
        "relationship_keys": 119_999,
    }

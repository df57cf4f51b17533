"""The command line's tables line up in a terminal with Thai names: a vowel or tone mark
above or below a letter takes no column."""

from __future__ import annotations

import pytest

from graph_service.cli import _table, display_width


def test_thai_marks_take_no_column() -> None:
    assert display_width("คณะกรรมการเขตสุขภาพเพื่อประชาชน") == 28  # 31 code points, 3 marks
    assert display_width("ทีม กขป.เขต ๑๒ ชุดเล็ก") == 19
    assert display_width("org-1") == 5
    assert display_width("中文") == 4


def test_columns_after_a_thai_name_start_at_one_place(capsys: pytest.CaptureFixture[str]) -> None:
    _table(
        ["id", "name", "ties"],
        [["a", "คณะกรรมการเขตสุขภาพเพื่อประชาชน", 1], ["bb", "กขป.เขต 12", 22]],
    )
    lines = capsys.readouterr().out.splitlines()
    starts = {display_width(line[: line.rindex(" ") + 1]) for line in lines}
    assert starts == {4 + 28 + 2}  # id column (2 wide + 2 spaces), the widest name, 2 spaces

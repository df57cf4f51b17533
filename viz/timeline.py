"""Change over time in words: the sentence that sums up a ``diff`` (the command line, the
home page, the before/after map), the measures that moved, and the days a store recorded
(the time slider). Words from the ``time`` catalogue (graph_service/messages/*/time.toml).
"""

from __future__ import annotations

from typing import Any

from graph_service import i18n

#: measures shown in words, in this order (the others stay in the JSON)
SHOWN_MEASURES = (
    "entities",
    "relationships",
    "actors",
    "ties",
    "horizontal_ties",
    "vertical_ties",
    "horizontal_vertical_ratio",
    "ei_index",
    "brokerage_total",
    "degree_centralisation",
    "funded_areas",
    "unfunded_areas",
    "overlap_pairs",
    "duplication_pairs",
)


def period(day_from: str, day_to: str, lang: str) -> str:
    """``ปี 2566–2567`` when the two days are a first and a last day of years, else the two
    dates.

    >>> period("2023-01-01", "2024-12-31", "th"), period("2023-01-01", "2024-12-31", "en")
    ('ปี 2566–2567', '2023–2024')
    >>> period("2023-06-30", "2024-06-30", "th")
    '30 มิ.ย. 2566 ถึง 30 มิ.ย. 2567'
    """
    if day_from.endswith("-01-01") and day_to.endswith("-12-31"):
        first, last = int(day_from[:4]), int(day_to[:4])
        if lang == "th":
            first, last = first + 543, last + 543
        return i18n.text(lang, "time.period_years", first=first, last=last)
    return i18n.text(
        lang, "time.period_days", first=i18n.date(day_from, lang), last=i18n.date(day_to, lang)
    )


def diff_sentence(doc: dict[str, Any], lang: str) -> str:
    """One plain sentence for a ``diff`` document (``analysis.change.diff``), e.g.
    ``ปี 2566–2567: สมาชิกใหม่ 5, ออกไป 2, ความสัมพันธ์แนวราบเพิ่ม 12, แนวดิ่งเพิ่ม 3,
    สิ้นสุด 4``."""
    ents, rels = doc["entities"], doc["relationships"]
    d = doc.get("directions", {})
    parts = []
    if ents["added"]:
        parts.append(i18n.text(lang, "time.joined", count=len(ents["added"])))
    if ents["removed"]:
        parts.append(i18n.text(lang, "time.left", count=len(ents["removed"])))
    horizontal, vertical = d.get("added_horizontal", 0), d.get("added_vertical", 0)
    if horizontal:
        parts.append(i18n.text(lang, "time.horizontal_added", count=horizontal))
    if vertical:
        parts.append(i18n.text(lang, "time.vertical_added", count=vertical))
    other = len(rels["added"]) - horizontal - vertical
    if other:
        parts.append(i18n.text(lang, "time.other_added", count=other))
    if rels["removed"]:
        parts.append(i18n.text(lang, "time.ended", count=len(rels["removed"])))
    if ents["changed"]:
        parts.append(i18n.text(lang, "time.entities_changed", count=len(ents["changed"])))
    if rels["changed"]:
        parts.append(i18n.text(lang, "time.relationships_changed", count=len(rels["changed"])))
    if not parts:
        parts.append(i18n.text(lang, "time.no_change"))
    return f"{period(doc['from'], doc['to'], lang)}: {', '.join(parts)}"


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return i18n.number(value)


def measure_lines(doc: dict[str, Any], lang: str, changed_only: bool = True) -> list[str]:
    """``name: old → new`` for the measures of :data:`SHOWN_MEASURES` (those that moved)."""
    lines = []
    for key in SHOWN_MEASURES:
        if key not in doc["measures"]:
            continue
        old, new = doc["measures"][key]
        if changed_only and old == new:
            continue
        lines.append(
            i18n.text(
                lang,
                "time.measure_line",
                name=i18n.text(lang, f"time.measure.{key}"),
                old=_shown(old),
                new=_shown(new),
            )
        )
    return lines


__all__ = ["SHOWN_MEASURES", "diff_sentence", "measure_lines", "period"]

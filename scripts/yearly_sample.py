"""Make the yearly sample: three snapshots (2565, 2566, 2567) of the phatthalung-welfare
sample, for issue 14 (time), the demo's time slider and the history tests.

    python scripts/yearly_sample.py   # writes graph_service/data/samples/phatthalung-welfare-years/

Each year is a whole dataset folder, as a planner who re-sends the full spreadsheet each
year would have it; import them in order with ``import 2565 --snapshot 2565`` and so on.
What changes, year by year (the tests check these by id):

- 2565: the sample without what joins later (a Ko Mak villager, the Trang change agent, the
  Thaksin University tie to the Khuan Khanun health committee, the welfare network's
  support of the PAO), with a tie that ends in 2566 (the Ko Mak TAO a member of the welfare
  network), the lakeside livelihood project running 2563–2565, a Na Thom villager who
  fishes, and the savings-group lessons at readiness 4.
- 2566: the Ko Mak villager joins the fisherfolk network (``start`` 2566 in the data), and
  Thaksin University joins the health committee; the Ko Mak TAO's membership and the
  livelihood project have ended; the Na Thom villager now taps rubber; the lessons are at
  readiness 3.
- 2567: the Trang change agent joins, and the welfare network supports the PAO; the Thale
  Noi villager has left (with her membership of the weavers); the informal workers'
  representative no longer sits with the weavers; the PSO's role on the governor's
  committee is now chair; a Lampam villager now trades.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "graph_service" / "data" / "samples" / "phatthalung-welfare"
TARGET = ROOT / "graph_service" / "data" / "samples" / "phatthalung-welfare-years"
YEARS = (2565, 2566, 2567)

#: entity id -> the first year it is listed (absent before)
JOINS = {"person-villager-5": 2566, "person-change-agent-trang": 2567}
#: entity id -> the first year it is no longer listed
LEAVES = {"person-villager-6": 2567, "prog-lake-livelihood": 2566}
#: (source, type, target) -> (first year listed, first year no longer listed or None)
TIES = {
    ("org-tsu", "MEMBER_OF", "net-pcho-khuan-khanun"): (2566, None),
    ("net-welfare-network", "SUPPORTS", "org-pao"): (2567, None),
    ("person-iw-rep", "MEMBER_OF", "net-weavers"): (2565, 2567),
}
#: a tie only the first year lists
EXTRA_TIE = {
    "source": "org-tao-ko-mak",
    "target": "net-welfare-network",
    "type": "MEMBER_OF",
    "capacity": "institutional",
    "formality": "informal",
}
#: (file, id, column) -> {year: value} from that year on
VALUES = {
    ("people.csv", "person-villager-3", "occupation"): {2565: "ประมง", 2566: "กรีดยาง"},
    ("people.csv", "person-villager-1", "occupation"): {2565: "ประมง", 2567: "ค้าขาย"},
    ("knowledge_assets.csv", "ka-savings-lessons", "readiness"): {2565: "4", 2566: "3"},
    ("programmes.csv", "prog-lake-livelihood", "start_year"): {2565: "2563"},
    ("programmes.csv", "prog-lake-livelihood", "end_year"): {2565: "2565"},
    ("programmes.csv", "prog-welfare-support", "start_year"): {2565: "2564"},
    ("programmes.csv", "prog-welfare-support", "end_year"): {2565: "2568"},
}
#: (source, type, target, column) -> {year: value}
TIE_VALUES = {
    ("org-pso", "MEMBER_OF", "net-governor-committee", "role"): {2565: "secretary", 2567: "chair"},
    ("person-villager-5", "MEMBER_OF", "net-fisherfolk", "start"): {2566: "2566"},
}
#: columns of other entities' rows that name an entity (an empty cell creates nothing)
REFERENCES = ("organisation_id", "area_id", "funder_id", "producer_id", "parent_id")


def _value(changes: dict[int, str], year: int) -> str | None:
    value = None
    for first in sorted(changes):
        if first <= year:
            value = changes[first]
    return value


def _listed(id_: str, year: int) -> bool:
    return JOINS.get(id_, 0) <= year < LEAVES.get(id_, 9999)


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SOURCE / name).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(folder: Path, name: str, header: list[str], rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (folder / name).write_text(out.getvalue(), encoding="utf-8")


def year_dataset(year: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(SOURCE.glob("*.csv")):
        header, rows = _read(path.name)
        if path.name == "relationships.csv":
            if "start" not in header:
                header.insert(header.index("type") + 1, "start")
            kept = []
            for row in rows:
                tie = (row["source"], row["type"], row["target"])
                first, gone = TIES.get(tie, (0, None))
                if not (first <= year and (gone is None or year < gone)):
                    continue
                if not (_listed(row["source"], year) and _listed(row["target"], year)):
                    continue
                row = dict(row)
                for (s, t, g, column), changes in TIE_VALUES.items():
                    if (s, t, g) == tie and (value := _value(changes, year)) is not None:
                        row[column] = value
                kept.append(row)
            if year == YEARS[0]:
                kept.append({**dict.fromkeys(header, ""), **EXTRA_TIE})
            _write(folder, path.name, header, kept)
            continue
        kept = []
        for row in rows:
            if not _listed(row["id"], year):
                continue
            row = dict(row)
            for ref in REFERENCES:
                if row.get(ref) and not _listed(row[ref], year):
                    row[ref] = ""
            for (name, id_, column), changes in VALUES.items():
                if name == path.name and id_ == row["id"]:
                    value = _value(changes, year)
                    if value is not None:
                        row[column] = value
            kept.append(row)
        _write(folder, path.name, header, kept)


def main() -> None:
    for year in YEARS:
        year_dataset(year, TARGET / str(year))
    print(f"wrote {', '.join(str(y) for y in YEARS)} under {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

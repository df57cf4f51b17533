"""Generate a dataset in the CONTRACT.md format: Thai names, every kind, many relationships.

    python -m bench.generate OUT_DIR [--rows 100000] [--seed 1]

About half the rows are entities and half relationships. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

SECTORS = ["state", "local_government", "civil_society", "community", "academic", "private"]
LEVELS = ["national", "regional", "provincial", "district", "subdistrict", "village"]
GIVEN = ["สมศรี", "สมชาย", "กัลยา", "ประยุทธ", "วิไล", "อนุชา", "มาลี", "ธนพล"]
FAMILY = ["ใจดี", "ศรีสุข", "บุญมา", "แก้วใส", "ทองดี", "รักไทย"]
ORG_WORDS = [
    "สำนักงานพัฒนาสังคม",
    "องค์การบริหารส่วนตำบล",
    "โรงพยาบาลส่งเสริมสุขภาพตำบล",
    "วิสาหกิจชุมชน",
    "มหาวิทยาลัย",
    "มูลนิธิ",
]
TYPES = ["PARTNERS_WITH", "SUPPORTS", "COORDINATES", "REPORTS_TO", "SHARES_KNOWLEDGE_WITH"]


def write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)


def generate(out: Path, rows: int = 100_000, seed: int = 1) -> dict[str, int]:
    """Write the dataset; return the number of rows per file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    entities = rows // 2
    n_people = entities * 70 // 100
    n_orgs = entities * 20 // 100
    n_nets = entities * 4 // 100
    n_funds = entities * 3 // 100
    n_areas = entities - n_people - n_orgs - n_nets - n_funds
    areas = [[f"a{i}", f"ตำบลที่ {i}", rng.choice(LEVELS), ""] for i in range(n_areas)]
    for i, row in enumerate(areas[1:], start=1):
        row[3] = f"a{rng.randrange(0, i)}"
    orgs = [
        [
            f"o{i}",
            f"{rng.choice(ORG_WORDS)} {i}",
            rng.choice(SECTORS),
            rng.choice(LEVELS),
            f"a{rng.randrange(n_areas)}",
        ]
        for i in range(n_orgs)
    ]
    nets = [
        [f"n{i}", f"เครือข่าย {i}", rng.choice(SECTORS), rng.choice(LEVELS)] for i in range(n_nets)
    ]
    people = [
        [
            f"p{i}",
            f"{rng.choice(['นาย', 'นาง', 'นางสาว'])} {rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            rng.choice(["leader", "coordinator", "change_agent"]),
            f"o{rng.randrange(n_orgs)}",
        ]
        for i in range(n_people)
    ]
    funds = [
        [
            f"f{i}",
            f"กองทุน {i}",
            f"o{rng.randrange(n_orgs)}",
            f"{rng.randrange(1, 300) * 10_000:,}",
            2550 + rng.randrange(15),
        ]
        for i in range(n_funds)
    ]
    write(out / "areas.csv", ["id", "name", "admin_level", "parent_id"], areas)
    write(out / "organisations.csv", ["id", "name", "sector", "admin_level", "area_id"], orgs)
    write(out / "networks.csv", ["id", "name", "sector", "admin_level"], nets)
    write(out / "people.csv", ["id", "name", "role", "organisation_id"], people)
    write(out / "funds.csv", ["id", "name", "funder_id", "amount_thb", "year"], funds)
    # shorthand columns already make one relationship per person, org, fund and area
    n_rels = rows - entities
    seen: set[tuple[str, str, str]] = set()
    rels: list[list[object]] = []
    while len(rels) < n_rels:
        kind = rng.random()
        if kind < 0.5:
            source, target, type_ = (
                f"o{rng.randrange(n_orgs)}",
                f"n{rng.randrange(n_nets)}",
                "MEMBER_OF",
            )
        elif kind < 0.6:
            source, target, type_ = (
                f"f{rng.randrange(n_funds)}",
                f"o{rng.randrange(n_orgs)}",
                "FUNDS",
            )
        else:
            source, target = f"o{rng.randrange(n_orgs)}", f"o{rng.randrange(n_orgs)}"
            type_ = rng.choice(TYPES)
        if source == target or (source, type_, target) in seen:
            continue
        seen.add((source, type_, target))
        rels.append(
            [
                source,
                target,
                type_,
                rng.choice(["", "personal", "institutional"]) if type_ == "MEMBER_OF" else "",
                2550 + rng.randrange(15),
            ]
        )
    write(out / "relationships.csv", ["source", "target", "type", "capacity", "year"], rels)
    return {
        "areas": n_areas,
        "organisations": n_orgs,
        "networks": n_nets,
        "people": n_people,
        "funds": n_funds,
        "relationships": n_rels,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = generate(args.out, args.rows, args.seed)
    print(f"wrote {sum(counts.values())} rows to {args.out}: {counts}")


if __name__ == "__main__":
    main()

"""A planner-sized workbook, generated: what a welfare planner in one province keeps in a
spreadsheet (20 to 200 entities), with Thai names and real places.

    python -m bench.planner_workbook 50 OUT_FOLDER [--seed 1]

One province (Phatthalung, DOPA 93) with real districts and subdistricts (their DOPA codes
from graph_service/data/thai-admin, so the geographic layout places them); in each
subdistrict an อบต., a รพ.สต., a school, a health fund and an elders' club; villagers and
volunteers who work for them or belong to them; a provincial committee and district
networks the organisations belong to; the provincial office and the health fund office
that fund and support them. Written as the dataset folder of CONTRACT.md section 1
(CSV files), which ``graph-service import`` reads. Deterministic for a size and seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

import graph_service

GEOGRAPHY = Path(graph_service.__file__).resolve().parent / "data" / "thai-admin"
PROVINCE = ("93", "พัทลุง")
FIRST = (
    "สมชาย",
    "สมศรี",
    "ประเสริฐ",
    "มาลี",
    "วิชัย",
    "สุนีย์",
    "บุญมี",
    "จันทร์เพ็ญ",
    "อำนวย",
    "กาญจนา",
    "ธีระ",
    "ละเอียด",
    "สมพร",
    "วันเพ็ญ",
    "ชาญ",
    "ปราณี",
)
LAST = (
    "ใจดี",
    "ทองคำ",
    "แก้วมณี",
    "ศรีสุข",
    "บุญมา",
    "รักษ์ไทย",
    "สายทอง",
    "ชูช่วย",
    "หนูแก้ว",
    "เพชรรัตน์",
    "ขุนทอง",
    "แสงจันทร์",
)
ORG_KINDS = (
    ("อบต.", "local_government"),
    ("รพ.สต.", "state"),
    ("โรงเรียนบ้าน", "state"),
    ("ชมรมผู้สูงอายุตำบล", "community"),
    ("กลุ่มออมทรัพย์ตำบล", "community"),
)


def _subdistricts() -> dict[str, list[tuple[str, str]]]:
    """district code -> its (subdistrict code, Thai name) in Phatthalung."""
    out: dict[str, list[tuple[str, str]]] = {}
    with (GEOGRAPHY / "sub_districts.csv").open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["id"].startswith(PROVINCE[0]) and not row["deleted_at"]:
                out.setdefault(row["district_id"], []).append((row["id"], row["name_th"]))
    return out


def _districts() -> dict[str, str]:
    with (GEOGRAPHY / "districts.csv").open(encoding="utf-8-sig") as f:
        return {
            r["id"]: r["name_th"]
            for r in csv.DictReader(f)
            if r["id"].startswith(PROVINCE[0]) and not r["deleted_at"]
        }


def generate(size: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write about ``size`` entities to the folder ``out``; returns counts by file."""
    rng = random.Random(seed * 1000 + size)
    out.mkdir(parents=True, exist_ok=True)
    subs = _subdistricts()
    districts = _districts()
    rows: dict[str, list[list[object]]] = {
        k: [] for k in ("areas", "organisations", "people", "networks", "funds", "relationships")
    }
    rel = rows["relationships"]
    # the province, then as many districts and subdistricts as the size calls for: about one
    # subdistrict per 10 entities, in at most 4 districts
    rows["areas"].append(["area-93", PROVINCE[1], "provincial", "", PROVINCE[0]])
    n_sub = max(1, size // 10)
    chosen_d = sorted(districts)[: min(4, max(1, n_sub // 2 + 1))]
    sub_list: list[tuple[str, str, str]] = []
    for d in chosen_d:
        rows["areas"].append([f"area-{d}", districts[d], "district", "area-93", d])
    k = 0
    while len(sub_list) < n_sub:
        d = chosen_d[k % len(chosen_d)]
        pool = subs[d]
        taken = sum(1 for s in sub_list if s[1] == d)
        if taken < len(pool):
            code, name = pool[taken]
            sub_list.append((code, d, name))
            rows["areas"].append([f"area-{code}", name, "subdistrict", f"area-{d}", code])
        k += 1
    # provincial actors
    rows["organisations"].append(["org-pso", "สำนักงานสาธารณสุขจังหวัดพัทลุง", "state", "provincial"])
    rows["organisations"].append(
        ["org-pao", "องค์การบริหารส่วนจังหวัดพัทลุง", "local_government", "provincial"]
    )
    rows["networks"].append(["net-province", "คณะกรรมการพัฒนาคุณภาพชีวิตจังหวัดพัทลุง", "provincial"])
    rows["funds"].append(["fund-pao", "กองทุนสวัสดิการจังหวัด", "org-pao"])
    rel += [["org-pso", "area-93", "LOCATED_IN"], ["org-pao", "area-93", "LOCATED_IN"]]
    rel += [["org-pso", "net-province", "MEMBER_OF"], ["org-pao", "net-province", "MEMBER_OF"]]
    for d in chosen_d:
        rows["networks"].append([f"net-{d}", f"พชอ.{districts[d]}", "district"])
        rel += [
            [f"net-{d}", "net-province", "REPORTS_TO"],
            [f"net-{d}", f"area-{d}", "OPERATES_IN"],
        ]
    entities = lambda: sum(len(v) for k_, v in rows.items() if k_ != "relationships")  # noqa: E731
    orgs: list[str] = []
    for code, d, name in sub_list:
        for prefix, sector in ORG_KINDS:
            if entities() >= size * 0.75:
                break
            oid = f"org-{len(orgs)}"
            orgs.append(oid)
            rows["organisations"].append([oid, f"{prefix}{name}", sector, "subdistrict"])
            rel.append([oid, f"area-{code}", "LOCATED_IN"])
            rel.append([oid, f"net-{d}", "MEMBER_OF"])
            if prefix == "อบต.":
                fid = f"fund-{code}"
                rows["funds"].append([fid, f"กองทุนหลักประกันสุขภาพตำบล{name}", oid])
                rel.append([fid, oid, "FUNDS"])
            if rng.random() < 0.4:
                rel.append(["org-pso", oid, "SUPPORTS"])
    n_people = 0
    while entities() < size:
        pid = f"person-{n_people}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        role = rng.choice(("อสม.", "ผู้นำชุมชน", "ครู", "นักวิชาการสาธารณสุข", "ผู้สูงอายุ"))
        rows["people"].append([pid, name, role])
        if orgs:
            org = rng.choice(orgs)
            rel.append([pid, org, "WORKS_FOR" if role != "ผู้สูงอายุ" else "MEMBER_OF"])
            if rng.random() < 0.3:
                rel.append([pid, rng.choice(orgs), "MEMBER_OF"])
        n_people += 1
    for a, b in zip(orgs, orgs[1:], strict=False):
        if rng.random() < 0.25:
            rel.append([a, b, "PARTNERS_WITH"])
    headers = {
        "areas": ["id", "name", "admin_level", "parent_id", "code"],
        "organisations": ["id", "name", "sector", "admin_level"],
        "people": ["id", "name", "role"],
        "networks": ["id", "name", "admin_level"],
        "funds": ["id", "name", "administrator_id"],
        "relationships": ["source", "target", "type"],
    }
    for name, header in headers.items():
        if name == "funds":
            body = [[f, n] for f, n, _ in rows["funds"]]
            header = ["id", "name"]
            rel += [[admin, f, "ADMINISTERS"] for f, _, admin in rows["funds"]]
        else:
            body = rows[name]
        if name == "areas":
            body = [r for r in body]
        if name == "relationships":
            continue
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
    with (out / "relationships.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers["relationships"])
        seen = set()
        for r in rel:
            if tuple(r) not in seen:
                seen.add(tuple(r))
                w.writerow(r)
    return {k: len(v) for k, v in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.size, args.out, args.seed))


if __name__ == "__main__":
    main()

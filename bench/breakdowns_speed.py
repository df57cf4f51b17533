"""``find --per-area``: every area of a level at once, against ``within=`` one area at a time.

    python -m bench.breakdowns_speed

Graph: the Thai administrative geography (``importers.thai_admin``: 6 regions, 77 provinces,
929 districts, 7,451 subdistricts, PART_OF up the hierarchy) in a fresh embedded store; the
"found" entities are all 8,464 areas, so every area of a level holds something.

- ``count_per_area`` (``analysis.filters``: each found entity's PART_OF ancestors read once,
  bottom-up) for the provincial and the district level;
- the peer: ``within_ids`` (the rule of ``--where within=AREA``, a walk down from one area)
  once per area of the level, intersected with the found; both answers checked equal;
- ``find --where kind=Area --per-area provincial`` end to end on the store (reading its
  arrays included).

Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from graph_service.analysis import filters
from graph_service.store.embedded import EmbeddedStore
from importers.load import import_geography
from importers.thai_admin import read_geography


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "geo.db", query_timeout=0)
        nodes, edges = read_geography(None)
        import_geography(store, nodes, edges, "Thai geography", None)
        arrays = filters.placement_arrays(store)
        rows = [
            (arrays.ids[s], arrays.types[t], arrays.ids[d])
            for s, d, t in zip(
                arrays.src.tolist(), arrays.dst.tolist(), arrays.type.tolist(), strict=True
            )
            if arrays.types[t] in filters.PLACEMENT_TYPES
        ]
        found = [i for i in arrays.ids if arrays.nodes[i].kind == "Area"]
        print("| level | areas | count_per_area (s) | within_ids per area (s) |")
        print("|---|---|---|---|")
        for level in ("provincial", "district"):
            start = time.perf_counter()
            doc = filters.count_per_area(arrays.nodes, rows, found, level)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            wanted = set(found)
            peer = {
                r["id"]: sorted(wanted & filters.within_ids(arrays.nodes, rows, r["id"]))
                for r in doc["per_area"]
            }
            theirs = time.perf_counter() - start
            assert all(peer[r["id"]] == r["entities"] for r in doc["per_area"])
            print(f"| {level} | {len(doc['per_area'])} | {ours:.3f} | {theirs:.3f} |")
        start = time.perf_counter()
        filters.find(store, ["kind=Area"], per_area="provincial")
        print(f"\nfind --per-area provincial on the store: {time.perf_counter() - start:.3f} s")
        store.close()


if __name__ == "__main__":
    main()

"""Reference data: Hà Nội's 126 commune-level units in force since 1 July 2025 (places/data)."""

from __future__ import annotations

import csv
from pathlib import Path

from graph.driver import Graph
from graph.places import upsert_communes

DESCRIPTION = "Load Hà Nội's 126 wards and communes (51 phường, 75 xã) from places/data/hanoi_communes_2025.csv."

STATEMENTS = [
    "CREATE CONSTRAINT commune_code_unique IF NOT EXISTS FOR (c:Commune) REQUIRE c.code IS UNIQUE",
    "CREATE CONSTRAINT commune_id_unique IF NOT EXISTS FOR (c:Commune) REQUIRE c.id IS UNIQUE",
    "CREATE INDEX commune_search_name IF NOT EXISTS FOR (c:Commune) ON (c.searchName)",
]

DATA = Path(__file__).resolve().parents[2] / "places" / "data" / "hanoi_communes_2025.csv"


async def apply(graph: Graph) -> None:
    with open(DATA, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != 126:
        raise RuntimeError(f"{DATA} should hold 126 communes, found {len(rows)}")
    await graph.write(upsert_communes, rows)

"""Cypher of reference geography: Hà Nội's communes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TypedDict

from neo4j import AsyncManagedTransaction

from core.pagination import Window
from core.text import fold
from graph.driver import run
from graph.paging import both_ways

#: Commune ids are derived from the official code, so they are the same in every database.
COMMUNE_NAMESPACE = uuid.UUID("6f1d2a6e-3c5b-4f0e-9a57-6b1f1c0d2e01")


def commune_id(code: str) -> str:
    return str(uuid.uuid5(COMMUNE_NAMESPACE, code))


UPSERT_COMMUNES = """
UNWIND $rows AS row
MERGE (c:Commune {code: row.code})
ON CREATE SET c.id = row.id, c.createdAt = datetime()
SET c:ReferenceData, c.name = row.name, c.kind = row.kind, c.nameAscii = row.nameAscii,
    c.searchName = row.searchName, c.province = 'Hà Nội', c.validFrom = date('2025-07-01')
"""


async def upsert_communes(tx: AsyncManagedTransaction, rows: list[Mapping[str, str]]) -> None:
    """Create or update the communes of ``rows`` (the columns of ``places/data/hanoi_communes_2025.csv``)."""
    params = [
        {
            "code": r["code"],
            "id": commune_id(r["code"]),
            "name": r["name"],
            "kind": r["kind"],
            "nameAscii": r["name_ascii"],
            "searchName": fold(r["name"]),
        }
        for r in rows
    ]
    await run(tx, UPSERT_COMMUNES, rows=params)


COMMUNE_FIELDS = "c {.id, .code, .name, .kind, .nameAscii, .province}"


class CommuneMap(TypedDict):
    """A commune as ``COMMUNE_FIELDS`` projects it (also nested in identity's person records, as their ward)."""

    id: str
    code: str
    name: str
    kind: str
    nameAscii: str
    province: str


#: Communes in code order, read either way (``graph.paging``).
COMMUNES_PAGE = both_ways(f"""
MATCH (c:Commune)
WHERE ($kind IS NULL OR c.kind = $kind)
  AND ($search IS NULL OR c.searchName CONTAINS $search)
  AND ($after IS NULL OR c.code > $after)
  AND ($before IS NULL OR c.code < $before)
RETURN {COMMUNE_FIELDS} AS commune
ORDER BY c.code {{ASC}}
LIMIT $limit
""")

COMMUNES_COUNT = """
MATCH (c:Commune)
WHERE ($kind IS NULL OR c.kind = $kind) AND ($search IS NULL OR c.searchName CONTAINS $search)
RETURN count(c) AS total
"""


async def communes_page(
    tx: AsyncManagedTransaction, *, kind: str | None, search: str | None, window: Window
) -> tuple[list[CommuneMap], int]:
    """One page of communes in reading order (``window.backwards``: from ``before``, highest code first), and how
    many the whole list holds."""
    rows = await run(
        tx,
        COMMUNES_PAGE.of(window.backwards),
        kind=kind,
        search=search,
        after=window.after[0] if window.after else None,
        before=window.before[0] if window.before else None,
        limit=window.limit,
    )
    total: int = (await run(tx, COMMUNES_COUNT, kind=kind, search=search))[0]["total"]
    return [r["commune"] for r in rows], total


COMMUNES_BY_IDS = f"""
UNWIND $ids AS id
MATCH (c:Commune {{id: id}})
RETURN {COMMUNE_FIELDS} AS commune
"""


async def communes_by_ids(tx: AsyncManagedTransaction, ids: list[str]) -> list[CommuneMap]:
    return [r["commune"] for r in await run(tx, COMMUNES_BY_IDS, ids=ids)]


COMMUNE_BY_CODE = f"MATCH (c:Commune {{code: $code}}) RETURN {COMMUNE_FIELDS} AS commune"


async def commune_by_code(tx: AsyncManagedTransaction, code: str) -> CommuneMap | None:
    rows = await run(tx, COMMUNE_BY_CODE, code=code)
    commune: CommuneMap | None = rows[0]["commune"] if rows else None
    return commune

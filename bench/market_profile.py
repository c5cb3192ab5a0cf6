"""PROFILE of marketplace browse and search on a synthetic market, next to raw-Cypher baselines.

Starts a throwaway Neo4j (as the test suite does: small heap, C1 JIT, so milliseconds are pessimistic; db hits do
not depend on that), applies the migrations, seeds ``--listings`` listings of 300 sellers (raw ``UNWIND`` batches:
a benchmark, not a fixture) and prints, for each query of ``graph/listings.py`` the API runs, its total db hits,
rows and p50 milliseconds, with the textbook query for the same page underneath (which skips the privacy, block
and visibility rules the product applies)::

    .venv/bin/python -m bench.market_profile            # make bench-market
    .venv/bin/python -m bench.market_profile --listings 20000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import uuid
from pathlib import Path

from bench.social_profile import line, profile
from core.pagination import Window
from core.settings import Settings
from core.text import fold
from graph import ledger
from graph import listings as queries
from graph.driver import Graph
from graph.local_neo4j import LocalNeo4j
from graph.migrations import apply_migrations
from marketplace.ledger import ESCROW, PROVIDER, actor_wallet, post_entry

WORDS = [
    "Điện thoại",
    "Máy giặt",
    "Tủ lạnh",
    "Xe máy",
    "Bàn học",
    "Áo dài",
    "Gạo ST25",
    "Sửa điều hòa",
    "Phòng trọ",
    "Căn hộ",
    "Laptop",
    "Xe đạp",
    "Nồi cơm điện",
    "Giày thể thao",
    "Cà phê",
]
ADJECTIVES = ["cũ", "mới", "giá rẻ", "chính hãng", "còn bảo hành", "đẹp", "nguyên hộp"]
CATEGORIES = [
    "electronics",
    "household",
    "fashion",
    "food",
    "vehicles",
    "real-estate",
    "education",
    "health",
    "tourism",
    "repairs",
    "transport",
    "agriculture",
    "technology",
    "manufacturing",
    "other",
]

SEED_SELLERS = """
UNWIND $rows AS r
CREATE (a:Actor {id: r.id, status: 'active', createdAt: datetime(), ratingTotal: r.total, ratingCount: r.count})
WITH a, r CALL (a, r) { WITH a WHERE r.org SET a:Organization }
CALL (a, r) { WITH a WHERE NOT r.org SET a:Person }
"""
SEED_LISTINGS = """
UNWIND $rows AS r
MATCH (s:Actor {id: r.seller})
CREATE (s)-[:LISTS]->(l:Listing)
SET l = r.props, l.createdAt = datetime() - duration({seconds: r.age}), l.updatedAt = datetime()
"""
COMMUNE_CODES = "MATCH (c:Commune) RETURN c.code AS code"

#: Textbook pages: the same order and filter, without the product's rules (blocks, visibility, seller views).
BASELINE_NEWEST = """
MATCH (l:Listing) WHERE l.status = 'active'
RETURN l.id AS id ORDER BY l.createdAt DESC, l.id DESC LIMIT $limit
"""
BASELINE_CATEGORY = """
MATCH (l:Listing {category: $category}) WHERE l.status = 'active'
RETURN l.id AS id ORDER BY l.createdAt DESC, l.id DESC LIMIT $limit
"""
BASELINE_RATING = """
MATCH (s:Actor)-[:LISTS]->(l:Listing) WHERE l.status = 'active'
RETURN l.id AS id
ORDER BY CASE WHEN s.ratingCount > 0 THEN toFloat(s.ratingTotal) / s.ratingCount ELSE 0.0 END DESC, l.id
LIMIT $limit
"""
BASELINE_SEARCH = """
CALL db.index.fulltext.queryNodes('listing_text_fulltext', $search) YIELD node
WHERE node.status = 'active'
RETURN node.id AS id ORDER BY node.createdAt DESC LIMIT $limit
"""
BASELINE_STATEMENT = """
MATCH (w:Wallet {id: $id})<-[r:DEBIT|CREDIT]-(e:LedgerEntry)
WITH e, CASE type(r) WHEN 'DEBIT' THEN e.debitSeq ELSE e.creditSeq END AS seq
RETURN e.id AS id, seq ORDER BY seq DESC LIMIT $limit
"""


async def seed(graph: Graph, count: int, rng: random.Random) -> tuple[str, list[str], str]:
    async def codes(tx):
        return [r["code"] async for r in await tx.run(COMMUNE_CODES)]

    wards = await graph.read(codes)
    sellers = []
    for i in range(300):
        reviews = rng.randint(0, 20)
        sellers.append(
            {"id": str(uuid.uuid4()), "org": i % 10 == 0, "count": reviews, "total": reviews * rng.randint(1, 5)}
        )
    await graph.write(lambda tx: tx.run(SEED_SELLERS, rows=sellers))
    rows = []
    for i in range(count):
        kind = rng.choices(["goods", "service", "rental", "investment"], [70, 15, 10, 5])[0]
        title = f"{rng.choice(WORDS)} {rng.choice(ADJECTIVES)} {i}"
        description = f"{rng.choice(WORDS)} {rng.choice(ADJECTIVES)}, giao hàng tận nơi"
        props = {
            "id": str(uuid.uuid4()),
            "kind": kind,
            "title": title,
            "searchTitle": fold(title),
            "description": description,
            "searchDescription": fold(description),
            "category": rng.choice(CATEGORIES),
            "wardCode": rng.choice(wards),
            "photoUrls": [],
            "priceOnRequest": False,
            "status": rng.choices(["active", "draft", "paused", "sold_out", "closed"], [80, 5, 5, 5, 5])[0],
        }
        if kind == "investment":
            low = rng.randint(1, 100) * 10_000_000
            props.update(priceMinDong=low, priceMaxDong=low * 3)
        else:
            props.update(priceDong=rng.randint(1, 5000) * 1000, stock=rng.randint(0, 50))
        rows.append({"seller": rng.choice(sellers)["id"], "props": props, "age": rng.randint(0, 90 * 86400)})
    for start in range(0, count, 2000):
        await graph.write(lambda tx, batch=rows[start : start + 2000]: tx.run(SEED_LISTINGS, rows=batch))
    await graph.write(lambda tx: tx.run("CALL db.awaitIndexes(300)"))
    viewer = next(s["id"] for s in sellers if not s["org"])
    return viewer, [r["props"]["id"] for r in rows[:20]], sellers[1]["id"]


def browse(viewer: str, sort: str = "newest", **overrides) -> dict:
    """The parameters of a browse statement's first page (``graph.listings.browse_bounds``) with these filters."""
    params = {
        "search": None,
        "viewerId": viewer,
        "viewerIsPerson": True,
        "sandboxAppId": None,
        "kinds": None,
        "category": None,
        "wardCode": None,
        "minPrice": None,
        "maxPrice": None,
        "sellerId": None,
        "sellerKind": None,
        **queries.browse_bounds(sort, Window(after=None, before=None, backwards=False, limit=21)),
    }
    params.update(overrides)
    return params


async def measure(graph: Graph, count: int, rounds: int) -> None:
    viewer, some_ids, seller = await seed(graph, count, random.Random(7))
    query = {case: both.forwards for case, both in queries.BROWSE_QUERIES.items()}
    cases = [
        ("browse NEWEST, no filter", query[("all", "newest")], browse(viewer)),
        ("  baseline: active listings newest first", BASELINE_NEWEST, {"limit": 21}),
        ("browse NEWEST, category", query[("category", "newest")], browse(viewer, category="electronics")),
        ("  baseline: category, newest first", BASELINE_CATEGORY, {"limit": 21, "category": "electronics"}),
        ("browse NEWEST, ward", query[("ward", "newest")], browse(viewer, wardCode="00070")),
        (
            "browse NEWEST, category + ward",
            query[("category", "newest")],
            browse(viewer, category="electronics", wardCode="00070"),
        ),
        ("browse NEWEST, kinds [investment]", query[("kinds", "newest")], browse(viewer, kinds=["investment"])),
        ("browse NEWEST, one seller", query[("seller", "newest")], browse(viewer, sellerId=seller)),
        (
            "browse PRICE_ASC, category",
            query[("category", "price_asc")],
            browse(viewer, "price_asc", category="electronics"),
        ),
        (
            "browse PRICE_ASC, 100k-200k đồng",
            query[("all", "price_asc")],
            browse(viewer, "price_asc", minPrice=100_000, maxPrice=200_000),
        ),
        ("browse RATING, no filter", query[("all", "rating")], browse(viewer, "rating")),
        ("  baseline: seller rating, no rules", BASELINE_RATING, {"limit": 21}),
        ("search 'dien thoai', newest", query[("search", "newest")], browse(viewer, search="dien* AND thoai*")),
        ("  baseline: full-text, active, newest", BASELINE_SEARCH, {"limit": 21, "search": "dien* AND thoai*"}),
        (
            "search 'dien thoai' + category",
            query[("search", "newest")],
            browse(viewer, search="dien* AND thoai*", category="electronics"),
        ),
        (
            "listings by id, 20 ids (Listing loader)",
            queries.LISTINGS_BY_IDS,
            {"ids": some_ids, "viewerId": viewer, "viewerIsPerson": True, "sandboxAppId": None},
        ),
    ]
    print(f"{count} listings of 300 sellers; p50 of {rounds} unprofiled runs")
    for label, statement, params in cases:
        print(line(label, *await profile(graph, statement, params, rounds)))

    # A busy seller's statement: 3,000 ledger entries, first page and a page deep in its history.
    async def trade(tx):
        for _ in range(100):
            await post_entry(tx, debit=PROVIDER, credit=actor_wallet(seller), amount=1000, kind="topup")
            await post_entry(tx, debit=actor_wallet(seller), credit=ESCROW, amount=500, kind="payment")

    for _ in range(15):
        await graph.write(trade)
    for label, statement, upper, lower in (
        ("statement of 3,000 entries, first page", ledger.STATEMENT.forwards, ledger.NEWEST, ledger.OLDEST),
        ("statement of 3,000 entries, page at entry 1,500", ledger.STATEMENT.forwards, 1500, ledger.OLDEST),
        ("statement of 3,000 entries, last page (backwards)", ledger.STATEMENT.backwards, ledger.NEWEST, ledger.OLDEST),
    ):
        params = {"id": actor_wallet(seller), "upperSeq": upper, "lowerSeq": lower, "limit": 21}
        print(line(label, *await profile(graph, statement, params, rounds)))
    print(
        line(
            "  baseline: expand the wallet's entries, sort",
            *await profile(graph, BASELINE_STATEMENT, {"id": actor_wallet(seller), "limit": 21}, rounds),
        )
    )


async def run(listings: int, rounds: int) -> None:
    settings = Settings(environment="test", neo4j_start_timeout_seconds=180)
    home = Path(tempfile.mkdtemp(prefix="hanoismart-bench-neo4j-"))
    server = LocalNeo4j.throwaway(settings, home)
    server.start()
    graph = Graph.connect(settings, uri=server.uri, password=server.password)
    try:
        await apply_migrations(graph)
        await measure(graph, listings, rounds)
    finally:
        await graph.close()
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.listings, args.rounds))


if __name__ == "__main__":
    main()

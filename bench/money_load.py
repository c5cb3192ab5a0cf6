"""Money under load: parallel wallet top-ups and parallel order payments through the API, in-process.

Prints (1) for ``--topups`` top-ups sent all at once: the share of responses by HTTP status and by outcome (OK or
the error code), and the wall time; (2) for ``--payments`` orders paid all at once by as many buyers: the wall time
and payments per second. Requests go through the ASGI app in-process (httpx ASGITransport: nothing leaves the
machine); the app talks to the Neo4j of the environment (NEO4J_URI, or the local one), like ``bench.run``::

    source env.sh && NEO4J_PASSWORD=$(cat var/neo4j-password) .venv/bin/python -m bench.money_load --wipe

``--wipe`` empties the graph first (except migrations and reference data): only for a throwaway/test database.
People are built through the API (register, verification approved by an officer), as the tests build them.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections import Counter

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.settings import get_settings
from tests import support
from tests.identity.people import make_officer, make_verified
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import acted, placed
from tests.marketplace.wallet_helpers import TOP_UP, top_up

PAY = """
mutation Pay($input: OrderPayInput!) { orderPay(input: $input) { order { status } errors { code } } }
"""


def outcome(response: httpx.Response, field: str) -> str:
    try:
        body = response.json()
    except ValueError:
        return "not JSON"
    if body.get("errors"):
        return body["errors"][0].get("extensions", {}).get("code", "?")
    errors = (body.get("data") or {}).get(field, {}).get("errors") or []
    return errors[0]["code"] if errors else "OK"


def shares(counter: Counter, total: int) -> str:
    return ", ".join(f"{key}: {n} ({100 * n / total:.1f}%)" for key, n in counter.most_common())


async def crowd(app, client, count: int, officer) -> list:
    people = []
    for start in range(0, count, 10):  # 10 registrations at a time: argon2 is the cost, not the database
        people += await asyncio.gather(
            *(
                make_verified(app, client, officer, fullName=f"Người Tải {i}")
                for i in range(start, min(count, start + 10))
            )
        )
    return people


async def topups(app, client, officer, total: int, people_count: int) -> None:
    people = await crowd(app, client, people_count, officer)

    async def one(i: int) -> httpx.Response:
        someone = people[i % len(people)]
        variables = {"input": {"amountDong": 10_000, "idempotencyKey": f"bench-{uuid.uuid4()}"}}
        return await client.post("/graphql", json={"query": TOP_UP, "variables": variables}, headers=someone.auth)

    started = time.perf_counter()
    responses = await asyncio.gather(*(one(i) for i in range(total)))
    elapsed = time.perf_counter() - started
    statuses = Counter(str(r.status_code) for r in responses)
    outcomes = Counter(outcome(r, "walletTopUp") for r in responses)
    errors = [r.json()["errors"][0] for r in responses if r.status_code in (200, 503) and r.json().get("errors")]
    retry = [e.get("extensions", {}).get("retryAfterSeconds") for e in errors]
    reasons = Counter(e["message"] for e in errors)
    print(f"{total} parallel top-ups by {len(people)} people: {elapsed:.2f} s wall time")
    print(f"  by HTTP status: {shares(statuses, total)}")
    print(f"  by outcome:     {shares(outcomes, total)}")
    if retry:
        print(f"  top-level errors carrying retryAfterSeconds: {sum(r is not None for r in retry)} of {len(retry)}")
        print(f"  by message:     {shares(reasons, len(errors))}")


async def payments(app, client, officer, count: int) -> None:
    sellers = await crowd(app, client, 4, officer)
    listings = [await create_listing(client, s, priceDong=50_000, stock=1_000_000) for s in sellers]
    buyers = await crowd(app, client, count, officer)
    await asyncio.gather(*(top_up(client, b, 100_000) for b in buyers))
    orders = []
    for i, buyer in enumerate(buyers):
        seller, listing = sellers[i % len(sellers)], listings[i % len(listings)]
        order = await placed(client, buyer, listing["id"])
        await acted(client, seller, "accept", order["id"])
        orders.append((buyer, order["id"]))

    async def pay(buyer, order_id) -> httpx.Response:
        variables = {"input": {"orderId": order_id, "idempotencyKey": f"bench-{uuid.uuid4()}"}}
        return await client.post("/graphql", json={"query": PAY, "variables": variables}, headers=buyer.auth)

    started = time.perf_counter()
    responses = await asyncio.gather(*(pay(b, o) for b, o in orders))
    elapsed = time.perf_counter() - started
    outcomes = Counter(outcome(r, "orderPay") for r in responses)
    ok = outcomes["OK"]
    print(
        f"{count} parallel payments (distinct buyers and orders, 4 sellers): {elapsed:.2f} s wall time, "
        f"{ok / elapsed:.1f} payments/s"
    )
    print(f"  by outcome: {shares(outcomes, count)}")


async def main(args: argparse.Namespace) -> None:
    settings = get_settings()
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=30):
        if args.wipe:
            await app.state.graph.write(support.wipe)
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        transport = httpx.ASGITransport(
            app=app, raise_app_exceptions=False
        )  # a crash is an HTTP 500, as a client sees it
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", limits=limits, timeout=120
        ) as client:
            officer = await make_officer(app, client)
            print(
                f"Neo4j pool {settings.neo4j_max_pool_size} connections, transaction timeout "
                f"{settings.neo4j_tx_timeout_seconds} s"
            )
            if args.topups:
                await topups(app, client, officer, args.topups, args.people)
            if args.payments:
                await payments(app, client, officer, args.payments)
        if args.wipe:
            await app.state.graph.write(support.wipe)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topups", type=int, default=400, help="parallel top-ups (0: skip)")
    parser.add_argument("--people", type=int, default=100, help="people sharing the top-ups")
    parser.add_argument("--payments", type=int, default=100, help="parallel order payments (0: skip)")
    parser.add_argument("--wipe", action="store_true", help="empty the graph before and after (test databases only)")
    asyncio.run(main(parser.parse_args()))

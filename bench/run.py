"""Prints latency figures of a few API reads next to the raw-Cypher baseline of the same data.

Needs a running Neo4j with migrations applied (``make neo4j-start`` then ``make migrate``, or
NEO4J_URI). Run: ``make bench`` (or ``.venv/bin/python -m bench.run --rounds 300``).
Requests go through the ASGI app in-process (no network), so the gap to the baseline is the cost of
HTTP handling, GraphQL parsing/validation/execution and our Python layers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.settings import get_settings
from graph import places
from graph.driver import Graph
from graph.local_neo4j import connection_target

COMMUNES = "query Page($after: String) { communes(first: 20, after: $after) { totalCount edges { cursor node { id code name kind } } } }"
SEARCH = 'query { communes(search: "hoan", first: 20) { edges { node { code name } } } }'
HEALTH = "{ health { ready migrationsApplied } }"


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
    return f"{name:<44} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   ({len(samples)} runs)"


async def timed(rounds: int, call) -> list[float]:
    for _ in range(min(20, rounds)):  # warm-up: caches, JIT of Neo4j's query plans
        await call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def main(rounds: int) -> None:
    settings = get_settings()
    uri, password = connection_target(settings)
    graph = Graph.connect(settings, uri=uri, password=password)
    app = create_app(settings)
    lines = []
    async with LifespanManager(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

            async def api(query: str):
                response = await client.post("/graphql", json={"query": query})
                assert "errors" not in response.json(), response.text

            lines.append(
                summary(
                    "raw Cypher: communes page (20) + count",
                    await timed(
                        rounds, lambda: graph.read(places.communes_page, kind=None, search=None, after=None, limit=21)
                    ),
                )
            )
            lines.append(
                summary("API: communes(first: 20) with totalCount", await timed(rounds, lambda: api(COMMUNES)))
            )
            lines.append(
                summary(
                    "raw Cypher: communes search 'hoan'",
                    await timed(
                        rounds, lambda: graph.read(places.communes_page, kind=None, search="hoan", after=None, limit=21)
                    ),
                )
            )
            lines.append(summary('API: communes(search: "hoan")', await timed(rounds, lambda: api(SEARCH))))
            lines.append(summary("API: health (one read)", await timed(rounds, lambda: api(HEALTH))))
    await graph.close()
    print(f"HanoiSmart bench against {uri}")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))

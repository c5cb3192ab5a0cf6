"""Managed transactions send BEGIN with their first statement (``graph.driver.pipelined_begin``): one round trip
fewer, same results, same errors, same retries."""

from __future__ import annotations

import pytest
from neo4j._async.io._bolt._base import AsyncBolt
from neo4j.exceptions import CypherSyntaxError, SessionExpired

from graph.driver import Graph, run


@pytest.fixture
def flushes(monkeypatch):
    """How many times the driver wrote queued messages to Neo4j (each write is followed by a wait: a round trip)."""
    counted = [0]
    original = AsyncBolt._send_all

    async def counting(self):
        counted[0] += 1
        await original(self)

    monkeypatch.setattr(AsyncBolt, "_send_all", counting)
    return counted


async def _two(tx):
    return [r["n"] for r in await run(tx, "UNWIND [1, 2] AS n RETURN n")]


async def test_begin_goes_with_the_first_statement(graph: Graph, flushes):
    plain = Graph(graph.driver, graph.database, graph.tx_timeout, pipeline_begin=False)
    assert await plain.read(_two) == [1, 2]  # a connection in the pool, warm
    flushes[0] = 0
    assert await plain.read(_two) == [1, 2]
    alone = flushes[0]
    flushes[0] = 0
    assert await graph.read(_two) == [1, 2]
    assert flushes[0] == alone - 1, "BEGIN went out with RUN and PULL"
    flushes[0] = 0
    assert await graph.write(_two) == [1, 2]
    assert flushes[0] == alone - 1


async def test_several_statements_and_none_in_one_transaction(graph: Graph):
    async def several(tx):
        first = await run(tx, "RETURN 1 AS n")
        second = await run(tx, "RETURN $n + 1 AS n", n=first[0]["n"])
        return second[0]["n"]

    async def nothing(tx):
        return "no statement"

    assert await graph.read(several) == 2
    assert await graph.write(several) == 2
    assert await graph.read(nothing) == "no statement"
    assert await graph.write(nothing) == "no statement"


async def test_a_failing_first_statement_raises_its_own_error_and_the_connection_serves_again(graph: Graph):
    async def broken(tx):
        return await run(tx, "RETURN nope(")

    for _ in range(2):
        with pytest.raises(CypherSyntaxError):
            await graph.read(broken)
    assert await graph.read(_two) == [1, 2]


async def test_a_retryable_failure_is_retried_whole(graph: Graph):
    attempts = []

    async def flaky(tx):
        attempts.append(1)
        rows = await run(tx, "RETURN 41 + $x AS n", x=len(attempts))
        if len(attempts) == 1:
            raise SessionExpired("the first attempt lost its server")
        return rows[0]["n"]

    assert await graph.read(flaky) == 43
    assert len(attempts) == 2


async def test_a_database_that_does_not_exist_fails_at_begin_as_before(graph: Graph):
    from neo4j.exceptions import ClientError

    elsewhere = Graph(graph.driver, "nosuchdatabase", graph.tx_timeout)
    with pytest.raises(ClientError) as raised:
        await elsewhere.read(_two)
    assert "Database" in (raised.value.code or "")

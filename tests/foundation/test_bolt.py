"""Managed transactions send BEGIN with their first statement (``graph.driver.pipelined_begin``): one round trip
fewer, same results, same errors, same retries. Every statement's parameters go as one map (``graph.driver.one_map``):
one plan per statement text, whatever the values."""

from __future__ import annotations

import pytest
from neo4j._async.io._bolt._base import AsyncBolt
from neo4j.exceptions import CypherSyntaxError, SessionExpired

from graph.driver import Graph, MissingParameter, one_map, run


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


def test_parameters_are_read_from_one_map():
    text, names = one_map("MATCH (p:Person {id: $id}) WHERE $afterId IS NULL OR p.id > $afterId RETURN p LIMIT $first")
    assert text == "MATCH (p:Person {id: $p.id}) WHERE $p.afterId IS NULL OR p.id > $p.afterId RETURN p LIMIT $p.first"
    assert names == {"id", "afterId", "first"}
    assert one_map("RETURN 1 AS n") == ("RETURN 1 AS n", frozenset())


async def test_a_parameter_left_out_fails_loudly_instead_of_reading_null(graph: Graph):
    async def forgetful(tx):
        return await run(tx, "RETURN $given + $forgotten AS n", given=1)

    with pytest.raises(MissingParameter, match="forgotten"):
        await graph.read(forgetful)
    with pytest.raises(MissingParameter):
        await graph.write(forgetful)


async def _plan(graph: Graph, statement: str, **params) -> list[str]:
    """The operators of Neo4j's plan for ``statement`` sent as ``run`` sends it."""

    async def explain(tx):
        text, _ = one_map(statement)
        summary = await (await tx.run("EXPLAIN " + text, {"p": params})).consume()

        def operators(plan) -> list[str]:
            return [
                plan["operatorType"].split("@")[0],
                *(op for child in plan.get("children", []) for op in operators(child)),
            ]

        return operators(summary.plan)

    return await graph.read(explain)


async def test_index_seeks_and_limits_plan_as_with_plain_parameters(graph: Graph):
    seek = await _plan(graph, "MATCH (p:Person {id: $id}) RETURN p SKIP $skip LIMIT $first", id="x", skip=0, first=2)
    assert "NodeUniqueIndexSeek" in seek and "Limit" in seek and "Skip" in seek
    many = await _plan(graph, "MATCH (p:Person) WHERE p.id IN $ids RETURN p", ids=["a", "b"])
    assert "NodeUniqueIndexSeek" in many
    prefix = await _plan(graph, "MATCH (c:Commune) WHERE c.searchName STARTS WITH $prefix RETURN c", prefix="ha")
    assert "NodeIndexSeekByRange" in prefix


async def _cached_after(graph: Graph, work) -> int:
    """How many plans Neo4j cached for ``work`` alone: the caches emptied before it, counted (and emptied) after."""

    async def clear(tx):
        message = (await run(tx, "CALL db.clearQueryCaches() YIELD value RETURN value"))[0]["value"]
        return int(message.split(" of ")[1].split()[0]) if " of " in message else 0

    await graph.write(clear)
    await work()
    return await graph.write(clear)


@pytest.mark.empties_plan_cache
async def test_one_plan_per_statement_whatever_the_values(graph: Graph):
    """A keyset cursor's parameters are null on the first page and strings after it; a list is empty or not; a text is
    short or long: Neo4j plans the statement once. (Sent as separate parameters, these five calls cost four plans.)"""
    statement = (
        "MATCH (p:Person) WHERE ($afterId IS NULL OR p.id > $afterId) AND NOT p.id IN $skip "
        "RETURN p.id ORDER BY p.id LIMIT $first"
    )
    values = [
        {"afterId": None, "skip": [], "first": 2},
        {"afterId": "a", "skip": [], "first": 2},
        {"afterId": "a" * 300, "skip": ["b"], "first": 2},
        {"afterId": None, "skip": ["b", "c"], "first": 20},
        {"afterId": "a", "skip": [], "first": 2},
    ]

    async def pages():
        for params in values:
            await graph.read(lambda tx, params=params: run(tx, statement, **params))

    # It runs first in a session (tests/conftest.py), before any app's background work; should another task of the
    # process plan a statement in between, the count can only grow from that: the fewest of three tries is ours.
    assert min([await _cached_after(graph, pages) for _ in range(3)]) == 1


def _statement_texts():
    """Every Cypher text held by a module of ``graph`` (constants, and the values of dicts of them): the statements and
    the pieces the compiled reads are built from."""
    import importlib
    import pkgutil

    import graph

    for module_info in pkgutil.walk_packages(graph.__path__, "graph."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if name.startswith("__"):
                continue
            values = value.values() if isinstance(value, dict) else (value,)
            for text in values:
                if isinstance(text, str) and "$" in text:
                    yield f"{module_info.name}.{name}", text


def test_no_statement_holds_a_dollar_one_map_would_misread():
    """``one_map`` rewrites every ``$name``: one inside a string literal, a quoted name or a comment would be rewritten
    too (or fail as a missing parameter). None of our texts has one."""
    import re

    quoted = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*")
    texts = dict(_statement_texts())
    assert len(texts) > 100, "the statements were found"
    offending = {where: part for where, text in texts.items() for part in quoted.findall(text) if "$" in part}
    assert offending == {}

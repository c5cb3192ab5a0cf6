"""The list form of the block rule (``graph.rules.actors_blocked_either_way``, for queries that test many actors
against one person: people you may know, trust paths) agrees with ``auth.rules.blocked_either_way`` on every
combination, in one seed and one read (as ``test_rules_agree``)."""

from __future__ import annotations

import uuid

from auth import rules
from graph import rules as cypher

BLOCKS = ((), (("a", "b"),), (("b", "a"),), (("a", "b"), ("b", "a")))


async def test_actors_blocked_either_way_agrees_with_the_rule(graph):
    cases = [{"a": str(uuid.uuid4()), "b": str(uuid.uuid4()), "blocks": [list(p) for p in blocks]} for blocks in BLOCKS]
    bystander = str(uuid.uuid4())  # blocked by every ``a``: in each a's list, never in b's

    async def seed(tx):
        await tx.run(
            """
            CREATE (x:Actor:Organization {id: $bystander})
            WITH x
            UNWIND $cases AS case
            CREATE (a:Actor:Person {id: case.a}), (b:Actor:Person {id: case.b}), (a)-[:BLOCKED]->(x)
            FOREACH (pair IN case.blocks |
              FOREACH (_ IN CASE WHEN pair = ['a', 'b'] THEN [1] ELSE [] END | CREATE (a)-[:BLOCKED]->(b))
              FOREACH (_ IN CASE WHEN pair = ['b', 'a'] THEN [1] ELSE [] END | CREATE (b)-[:BLOCKED]->(a)))
            """,
            bystander=bystander,
            cases=cases,
        )

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(
            f"""
            UNWIND $cases AS case
            MATCH (a:Person {{id: case.a}}), (b:Person {{id: case.b}})
            WITH case, a, b, {cypher.actors_blocked_either_way("a")} AS ofA, {cypher.actors_blocked_either_way("b")} AS ofB
            RETURN case.a AS a, b IN ofA AS ab, a IN ofB AS ba, [x IN ofA | x.id] AS listedA, [x IN ofB | x.id] AS listedB
            """,
            cases=cases,
        )
        return {r["a"]: r async for r in result}

    said = await graph.read(ask)
    for case in cases:
        blocks = frozenset((case[x], case[y]) for x, y in case["blocks"])
        expected = rules.blocked_either_way(blocks, case["a"], case["b"])
        answer = said[case["a"]]
        assert (answer["ab"], answer["ba"]) == (expected, expected), case
        # a pair blocked both ways is listed twice (once per relationship): a list for ``IN``, not a set
        assert set(answer["listedA"]) == ({case["b"], bystander} if expected else {bystander}), case
        assert set(answer["listedB"]) == ({case["a"]} if expected else set()), case

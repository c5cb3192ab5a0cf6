"""Each rule of ``auth.rules`` and its Cypher mirror in ``graph.rules`` agree on every combination of facts.

One graph holds every combination at once (a seed per rule, one statement each), and one read asks the Cypher
fragment about all of them, so the test is exhaustive and still fast.
"""

from __future__ import annotations

import itertools
import uuid

from auth import rules
from graph import rules as cypher

ORG_ROLES = (None, "member", "admin", "owner", "founder")  # "founder": a role the rule does not know
ORG_STATUSES = ("active", "closed", None)  # None: an organisation stored before status existed counts as active
COMMUNITY_ROLES = (None, "member", "moderator", "admin")
BLOCKS = ((), (("a", "b"),), (("b", "a"),), (("a", "b"), ("b", "a")))


async def test_acts_for_agrees_with_its_cypher_mirror(graph):
    person = str(uuid.uuid4())
    cases = []
    for role, status in itertools.product(ORG_ROLES, ORG_STATUSES):
        cases.append({"org": str(uuid.uuid4()), "role": role, "status": status})
    stranger = str(uuid.uuid4())

    async def seed(tx):
        await tx.run(
            """
            CREATE (p:Actor:Person {id: $person, status: 'active'})
            CREATE (:Actor:Person {id: $stranger, status: 'active'})
            WITH p
            UNWIND $cases AS case
            CREATE (o:Actor:Organization {id: case.org})
            SET o.status = case.status
            FOREACH (_ IN CASE WHEN case.role IS NULL THEN [] ELSE [1] END |
                     CREATE (p)-[:REPRESENTS {role: case.role}]->(o))
            """,
            person=person,
            stranger=stranger,
            cases=cases,
        )

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(
            f"""
            MATCH (viewer:Person {{id: $viewerId}})
            MATCH (a:Actor) WHERE a.id IN $ids
            RETURN a.id AS id, {cypher.acts_for("a")} AS actsFor, a.id IN {cypher.actors_acted_for("viewer")} AS listed
            """,
            viewerId=person,
            ids=[c["org"] for c in cases] + [person, stranger],
        )
        return {r["id"]: (r["actsFor"], r["listed"]) async for r in result}

    said = await graph.read(ask)
    for case in cases:
        expected = rules.acts_for(person, case["org"], case["role"], case["status"] in ("active", None))
        assert said[case["org"]] == (expected, expected), case
    assert said[person] == (True, True)  # a person acts for themself
    assert said[stranger] == (False, False)  # and for nobody else
    assert rules.acts_for(person, person, None, False)


async def test_runs_community_agrees_with_its_cypher_mirror(graph):
    cases = [{"person": str(uuid.uuid4()), "role": role} for role in COMMUNITY_ROLES]
    community = str(uuid.uuid4())

    async def seed(tx):
        await tx.run(
            """
            CREATE (c:Community {id: $community, kind: 'group'})
            WITH c
            UNWIND $cases AS case
            CREATE (p:Actor:Person {id: case.person, status: 'active'})
            FOREACH (_ IN CASE WHEN case.role IS NULL THEN [] ELSE [1] END |
                     CREATE (p)-[:MEMBER_OF {role: case.role}]->(c))
            """,
            community=community,
            cases=cases,
        )

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(
            f"""
            MATCH (c:Community {{id: $community}}), (p:Person) WHERE p.id IN $ids
            RETURN p.id AS id, {cypher.runs_community("p", "c")} AS runs
            """,
            community=community,
            ids=[c["person"] for c in cases],
        )
        return {r["id"]: r["runs"] async for r in result}

    said = await graph.read(ask)
    assert {c["role"]: said[c["person"]] for c in cases} == {c["role"]: rules.runs_community(c["role"]) for c in cases}
    assert [role for role in COMMUNITY_ROLES if rules.runs_community(role)] == ["moderator", "admin"]


async def test_blocked_either_way_agrees_with_its_cypher_mirror(graph):
    cases = [{"a": str(uuid.uuid4()), "b": str(uuid.uuid4()), "blocks": [list(p) for p in blocks]} for blocks in BLOCKS]

    async def seed(tx):
        await tx.run(
            """
            UNWIND $cases AS case
            CREATE (a:Actor:Person {id: case.a}), (b:Actor:Person {id: case.b})
            FOREACH (pair IN case.blocks |
              FOREACH (_ IN CASE WHEN pair = ['a', 'b'] THEN [1] ELSE [] END | CREATE (a)-[:BLOCKED]->(b))
              FOREACH (_ IN CASE WHEN pair = ['b', 'a'] THEN [1] ELSE [] END | CREATE (b)-[:BLOCKED]->(a)))
            """,
            cases=cases,
        )

    await graph.write(seed)

    async def ask(tx):
        result = await tx.run(
            f"""
            UNWIND $cases AS case
            MATCH (a:Person {{id: case.a}}), (b:Person {{id: case.b}})
            RETURN case.a AS a, {cypher.blocked_either_way("a", "b")} AS ab, {cypher.blocked_either_way("b", "a")} AS ba
            """,
            cases=cases,
        )
        return {r["a"]: (r["ab"], r["ba"]) async for r in result}

    said = await graph.read(ask)
    for case in cases:
        blocks = frozenset((case[x], case[y]) for x, y in case["blocks"])
        expected = rules.blocked_either_way(blocks, case["a"], case["b"])
        assert expected == rules.blocked_either_way(blocks, case["b"], case["a"])
        assert said[case["a"]] == (expected, expected), case


def test_fragments_take_names_never_values():
    for bad in ("a) DETACH DELETE (b", "x.id", "$p; MATCH", ""):
        try:
            cypher.acts_for(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted as a Cypher name")

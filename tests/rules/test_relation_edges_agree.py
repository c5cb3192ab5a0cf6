"""The compiled reads (people, posts, notifications, listings) read the viewer's relation to an actor as the edges
between them (``graph.identity.actor_map`` / ``graph.posts``) and turn them into ``Relation`` with
``graph.identity.relation_of_edges``; that must agree with ``graph.social.RELATIONS`` (one EXISTS per fact, the rule
``Actor.relation`` used alone) on every combination of the edges, each direction apart, for a person and for an
organisation. One seed, one read of each form."""

from __future__ import annotations

import itertools
import uuid

from graph import social
from graph.identity import RELATION_EDGES, relation_of_edges
from graph.rows import row

#: Each edge a viewer and an actor can share, by direction: (type, the viewer is its start).
EDGES = [("CONNECTED", True), ("REQUESTED", True), ("REQUESTED", False), ("FOLLOWS", True), ("BLOCKED", True),
         ("BLOCKED", False), ("MUTED", True)]  # fmt: skip


#: A relationship of a type named by a parameter without APOC (Community has none): one FOREACH per type.
CREATE_BY_TYPE = "\n".join(
    f"FOREACH (_ IN CASE WHEN type = '{t}' THEN [1] ELSE [] END | CREATE (src)-[:{t}]->(dst))"
    for t in ("CONNECTED", "REQUESTED", "FOLLOWS", "BLOCKED", "MUTED")
)


async def test_relation_of_edges_agrees_with_the_relations_rule(graph):
    cases = []
    for kind in ("Person", "Organization"):
        for size in range(len(EDGES) + 1):
            for chosen in itertools.combinations(EDGES, size):
                if kind == "Organization" and any(t in {"CONNECTED", "REQUESTED"} or not mine for t, mine in chosen):
                    continue  # an organisation neither connects, requests, blocks nor mutes
                cases.append({"me": str(uuid.uuid4()), "other": str(uuid.uuid4()), "kind": kind,
                              "edges": [[t, mine] for t, mine in chosen]})  # fmt: skip

    async def seed(tx):
        for kind in ("Person", "Organization"):
            await tx.run(
                f"""
                UNWIND $cases AS case
                CREATE (me:Actor:Person {{id: case.me, status: 'active'}}),
                       (other:Actor:{kind} {{id: case.other, status: 'active'}})
                WITH me, other, case
                UNWIND case.edges AS edge
                WITH edge[0] AS type, CASE WHEN edge[1] THEN [me, other] ELSE [other, me] END AS ends
                WITH type, ends[0] AS src, ends[1] AS dst
                {CREATE_BY_TYPE}
                """,
                cases=[c for c in cases if c["kind"] == kind],
            )

    await graph.write(seed)

    async def by_edges(tx):
        result = await tx.run(
            f"""
            UNWIND $cases AS case
            MATCH (me:Person {{id: case.me}}), (other:Actor {{id: case.other}})
            RETURN case.other AS other, {{isPerson: other:Person, status: other.status,
                   edges: [(me)-[e:{"|".join(RELATION_EDGES)}]-(other) | [type(e), startNode(e) = me]]}} AS found
            """,
            cases=cases,
        )
        return {r["other"]: row(social.Relation, relation_of_edges(r["found"])) async for r in result}

    edges_say = await graph.read(by_edges)
    for case in cases:
        rule_says = await graph.read(social.relations, case["me"], [case["other"]])
        assert edges_say[case["other"]] == rule_says[case["other"]], case
    assert len(cases) > 100

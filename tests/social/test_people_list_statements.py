"""Statement counts of the hot lists of people, every field selected: my connections and the actor search."""

from __future__ import annotations

from tests import statements
from tests.identity.people import make_officer, make_verified, register
from tests.identity.test_organizations import registered_org
from tests.social.helpers import connect

CONNECTIONS = (
    """
query Connections($first: Int) {
  me { connections(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...ActorFields } } } }
}
"""
    + statements.ACTOR
)
SEARCH = (
    """
query Search($search: String!, $first: Int) {
  actors(search: $search, first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { node { ...ActorFields } } }
}
"""
    + statements.ACTOR
)
#: Statements of a page with every field (tests.statements.ACTOR), whatever its length. Connections: the session,
#: me with the list (who may see it, the page with its people and my relations to them, its count and the owner's
#: count settings, read in my statement: ``graph.identity.FoldedList``; 5 before issue 14, 3 before the fold). Search: the session, the search, one batch each of people, organisations,
#: their representatives and those people, and my relations to them all.
CONNECTIONS_STATEMENTS = 2
SEARCH_STATEMENTS = 2


async def test_a_page_of_connections_with_every_field_costs_the_same_for_any_length(client):
    me = await register(client)
    for i in range(10):
        await connect(client, me, await register(client, wardCode=("00070", "00004", "00008")[i % 3]))
    small, _ = await statements.counted(client, CONNECTIONS, {"first": 2}, headers=me.auth)
    large, body = await statements.counted(client, CONNECTIONS, {"first": 10}, headers=me.auth)
    edges = body["data"]["me"]["connections"]["edges"]
    assert len(edges) == 10 and all(e["node"]["relation"]["connected"] and e["node"]["ward"] for e in edges)
    print(f"connections, every field: {small} statements for 2 people, {large} for 10")
    assert statements.same_for_any_length(small, large, CONNECTIONS_STATEMENTS), (small, large)


async def test_a_page_of_actor_search_with_every_field_costs_the_same_for_any_length(app, client):
    viewer = await register(client)
    officer = await make_officer(app, client, phone="0913999001")
    owner = await make_verified(app, client, officer, fullName="Chủ Doanh Nghiệp", phone="0913999002")
    await connect(client, viewer, owner)

    async def found(first: int, last: int) -> None:
        for i in range(first, last):  # people and organisations named alike, so that any page shows both kinds
            person = await register(client, fullName=f"Đặng Thu Hà {chr(65 + i)}")
            await connect(client, viewer, person)
            await registered_org(client, owner, name=f"Đặng Thu Hà {chr(75 + i)} JSC", taxCode=f"01098765{i:02d}")

    await found(0, 1)
    small, _ = await statements.counted(client, SEARCH, {"search": "dang thu ha", "first": 2}, headers=viewer.auth)
    await found(1, 5)
    large, body = await statements.counted(client, SEARCH, {"search": "dang thu ha", "first": 10}, headers=viewer.auth)
    edges = body["data"]["actors"]["edges"]
    assert len(edges) == 10 and {e["node"]["kind"] for e in edges} == {"PERSON", "ORGANIZATION"}
    assert all(e["node"]["relation"] for e in edges)
    print(f"actor search, every field: {small} statements for 2 actors, {large} for 10")
    assert statements.same_for_any_length(small, large, SEARCH_STATEMENTS), (small, large)

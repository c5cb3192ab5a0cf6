"""Statements per request of identity's hot reads, compiled from the selection into one statement each: ``node(id:)``
and ``nodes`` of people and organisations, ``me``. Every figure is the request's statements beyond what the same
caller's ``{ __typename }`` costs (the sign-in's own read of a session or of an app's grant): exactly one, for any
number of actors, with every field (``tests.statements.ACTOR``) as a resident and with every field an app may read
as a partner app."""

from __future__ import annotations

from typing import Any

import httpx

from graph import social as social_queries
from graph.identity import ActorShape, FoldedList, actors_statement
from tests import statements
from tests.identity.people import Someone, make_verified, register, uuid_of
from tests.identity.test_organizations import registered_org, set_role
from tests.partners.support import app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.social.helpers import BLOCK, FOLLOW, REQUEST, connect, set_edge
from tests.support import gql

NODE = "query N($id: ID!) { node(id: $id) { ...ActorFields } }" + statements.ACTOR
NODES = "query N($ids: [ID!]!) { nodes(ids: $ids) { ...ActorFields } }" + statements.ACTOR
ME = "query { me { ...ActorFields } }" + statements.ACTOR

#: Every field of an actor a partner app may read (``partners.fields``: relation, lists and own lists are refused to
#: apps), under every personal scope.
APP_ACTOR = """
fragment AppActorFields on Actor {
  id displayName kind verificationLevel createdAt
  ... on Person { roles closed phone email dateOfBirth sex ward { id code name } contacts { id kind value verifiedAt } }
  ... on Organization { organizationKind sector }
}
"""
#: A partner app's request that read personal data ends with one write: its reads, into the access log
#: (``schema.access_log``), beside its one read.
ACCESS_LOG_WRITE = 1
APP_SCOPES = ("openid", "profile.basic", "profile.verification", "contact.read", "ward.read", "birthdate.read")
APP_NODES = "query N($ids: [ID!]!) { nodes(ids: $ids) { ...AppActorFields } }" + APP_ACTOR
APP_ME = "query { me { ...AppActorFields } }" + APP_ACTOR


async def reads(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, headers: dict[str, str] | None
) -> tuple[int, dict[str, Any]]:
    """Statements a request runs beyond the caller's ``{ __typename }`` (the sign-in's reads), and its body."""
    base, _ = await statements.counted(client, "{ __typename }", headers=headers)
    count, body = await statements.counted(client, query, variables, headers=headers)
    return count - base, body


async def _city(app, client) -> tuple[Someone, list[Someone], list[str]]:
    """A resident, 19 people around them (connections, a follow, a block by one, closed-ward audiences) and two
    organisations with representatives."""
    me = await register(client)
    owner = await make_verified(app, client)
    member = await register(client)
    orgs = [await registered_org(client, owner, name=f"Công ty Thử {i}", taxCode=f"01077665{i:02d}") for i in range(2)]
    await set_role(client, owner, orgs[0], member, "ADMIN")
    people = [owner, member] + [await register(client) for _ in range(17)]
    for person in people[:8]:
        await connect(client, me, person)
    await set_edge(client, FOLLOW, me, people[9])
    await set_edge(client, BLOCK, people[10], me)
    return me, people, orgs


async def test_node_of_a_person_or_an_organisation_is_one_statement_with_every_field(app, client):
    me, people, orgs = await _city(app, client)
    for target in (people[0].id, orgs[0], me.id):
        count, body = await reads(client, NODE, {"id": target}, me.auth)
        assert body["data"]["node"]["id"] == target
        assert count == 1, (target, count)
    count, body = await reads(client, NODE, {"id": orgs[0]}, me.auth)
    representatives = body["data"]["node"]["representatives"]
    assert {r["person"]["id"] for r in representatives} == {people[0].id}  # an invited admin is no representative yet
    count, body = await reads(client, NODE, {"id": people[10].id}, me.auth)  # they blocked me
    assert body["data"]["node"] is None and count == 1
    count, body = await reads(client, NODE, {"id": me.id}, me.auth)
    mine = body["data"]["node"]
    assert mine["contacts"] and mine["organizations"] == [] and mine["verificationRequests"] == []
    assert mine["relation"] is None and mine["identityDocumentLast4"]
    count, body = await reads(client, NODE, {"id": people[0].id}, me.auth)
    owner = body["data"]["node"]
    assert owner["relation"]["connected"] and owner["contacts"] is None and owner["organizations"] is None
    assert owner["ward"] is not None  # a connection sees the ward (default audience: connections)


async def test_nodes_of_both_kinds_cost_one_statement_for_any_number(app, client):
    me, people, orgs = await _city(app, client)
    small, _ = await reads(client, NODES, {"ids": [people[0].id, orgs[0]]}, me.auth)
    ids = [p.id for p in people] + orgs
    large, body = await reads(client, NODES, {"ids": ids}, me.auth)
    found = body["data"]["nodes"]
    assert len(found) == 21 and found[10] is None and sum(n is not None for n in found) == 20
    assert {n["kind"] for n in found if n} == {"PERSON", "ORGANIZATION"}
    assert found[9]["relation"]["following"] and found[0]["relation"]["connected"]
    print(f"nodes, every field: {small} statement(s) for 2 actors, {large} for 21")
    assert small == large == 1
    # anonymous: the people behind organisations are not shown, and nothing is personal
    count, body = await reads(client, NODES, {"ids": ids}, None)
    assert count == 1 and body["data"]["nodes"][19]["representatives"] is None


async def test_me_is_one_statement_with_every_field(app, client):
    me, people, orgs = await _city(app, client)
    count, body = await reads(client, ME, None, me.auth)
    assert body["data"]["me"]["contacts"] and body["data"]["me"]["ward"]
    assert count == 1
    owner = people[0]
    count, body = await reads(client, ME, None, owner.auth)
    assert [o["organization"]["id"] for o in body["data"]["me"]["organizations"]] != []
    assert count == 1
    print(f"me, every field: {count} statement")


async def test_a_partner_app_reads_people_and_itself_in_one_statement(app, client):
    me, people, orgs = await _city(app, client)
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=APP_SCOPES)
    grant = await seed_grant(app, seeded, uuid_of(me.id))
    headers = app_token(app, seeded, grant)
    ids = [app_person_id(app, seeded, p.id) for p in people[:5]] + orgs
    count, body = await reads(client, APP_NODES, {"ids": ids}, headers)
    assert count == 1 + ACCESS_LOG_WRITE, count
    found = body["data"]["nodes"]
    assert found[0]["displayName"] and found[0]["phone"] is None and found[5]["organizationKind"]
    count, body = await reads(client, APP_ME, None, headers)
    assert count == 1 + ACCESS_LOG_WRITE and body["data"]["me"]["contacts"] and body["data"]["me"]["phone"]


MY_CONNECTIONS = (
    """
query C($first: Int) {
  me { id connections(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...ActorFields } } } }
}
"""
    + statements.ACTOR
)
MUTUAL = (
    """
query M($id: ID!, $first: Int) {
  node(id: $id) { ... on Person { mutualConnections(first: $first) { totalCount nodes { ...ActorFields } } } }
}
"""
    + statements.ACTOR
)
SUGGESTIONS = (
    """
query S($first: Int) {
  peopleYouMayKnow(first: $first) { score mutualCount sharedCommunities reason person { ...ActorFields } }
}
"""
    + statements.ACTOR
)
PATH = "query P($to: ID!) { trustPath(actorId: $to) { hops people { ...ActorFields } } }" + statements.ACTOR
SLIM_PATH = "query P($to: ID!) { trustPath(actorId: $to) { hops people { id displayName kind verificationLevel } } }"


async def test_a_page_of_connections_is_read_with_its_owner_in_one_statement_for_any_length(app, client):
    me, people, orgs = await _city(app, client)
    for person in people[11:]:
        await connect(client, me, person)  # 16 connections
    friends = [await register(client) for _ in range(4)]
    for friend in friends:
        await connect(client, me, friend)  # 20, the newest first
    small, _ = await reads(client, MY_CONNECTIONS, {"first": 2}, me.auth)
    large, body = await reads(client, MY_CONNECTIONS, {"first": 20}, me.auth)
    page = body["data"]["me"]["connections"]
    edges = page["edges"]
    assert len(edges) == 20 and page["totalCount"] == 20 and not page["pageInfo"]["hasNextPage"]
    assert [e["node"]["id"] for e in edges[:4]] == [f.id for f in reversed(friends)]
    assert all(e["node"]["relation"]["connected"] and e["node"]["ward"] for e in edges)
    print(f"my connections, every field: {small} statement for 2, {large} for 20 (me and the page together; 2 before)")
    assert small == large == 1
    # mutual connections of someone I am connected with: their node and the page with its people, together
    await connect(client, people[0], people[1])
    count, body = await reads(client, MUTUAL, {"id": people[0].id, "first": 5}, me.auth)
    mutual = body["data"]["node"]["mutualConnections"]
    assert [n["id"] for n in mutual["nodes"]] == [people[1].id] and mutual["nodes"][0]["relation"]["connected"]
    assert count == 1


#: Every list of people of mine at once, two pages of one under aliases, each read with me.
MY_LISTS = """
query L($after: String) {
  me {
    id
    newest: connections(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } }
    next: connections(first: 2, after: $after) { pageInfo { hasPreviousPage } nodes { id displayName } }
    oldest: connections(last: 1) { pageInfo { hasPreviousPage hasNextPage } nodes { id relation { connected } } }
    followers(first: 5) { totalCount nodes { id } }
    following(first: 5) { totalCount nodes { id kind ... on Organization { representatives { role } } } }
    connectionRequestsReceived(first: 5) { totalCount nodes { id } }
    connectionRequestsSent(first: 5) { totalCount nodes { id } }
  }
}
"""


async def test_every_list_of_mine_is_read_with_me_in_one_statement(app, client):
    me, people, orgs = await _city(app, client)
    await set_edge(client, FOLLOW, people[11], me)
    await gql(client, FOLLOW, {"id": orgs[0], "on": True}, headers=me.auth)
    asker = await register(client)
    await gql(client, REQUEST, {"id": me.id}, headers=asker.auth)
    await gql(client, REQUEST, {"id": people[12].id}, headers=me.auth)
    count, body = await reads(client, MY_LISTS, {"after": None}, me.auth)
    mine = body["data"]["me"]
    newest = [e["node"]["id"] for e in mine["newest"]["edges"]]
    assert newest == [people[7].id, people[6].id] and mine["newest"]["totalCount"] == 8
    assert mine["newest"]["pageInfo"]["hasNextPage"] and mine["next"]["pageInfo"]["hasPreviousPage"] is False
    assert [n["id"] for n in mine["oldest"]["nodes"]] == [people[0].id] and mine["oldest"]["nodes"][0]["relation"]
    assert mine["oldest"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    assert [n["id"] for n in mine["followers"]["nodes"]] == [people[11].id]
    assert {n["id"] for n in mine["following"]["nodes"]} == {people[9].id, orgs[0]}
    assert [n["id"] for n in mine["connectionRequestsReceived"]["nodes"]] == [asker.id]
    assert [n["id"] for n in mine["connectionRequestsSent"]["nodes"]] == [people[12].id]
    assert count == 1
    cursor = mine["newest"]["pageInfo"]["endCursor"]
    count, body = await reads(client, MY_LISTS, {"after": cursor}, me.auth)
    assert [n["id"] for n in body["data"]["me"]["next"]["nodes"]] == [people[5].id, people[4].id]
    assert body["data"]["me"]["next"]["pageInfo"]["hasPreviousPage"] and count == 1
    # another list's cursor is refused by the list's own resolver, as before; the rest of me is answered
    body = await gql(client, MY_LISTS, {"after": "bm90IGEgY3Vyc29y"}, headers=me.auth)
    assert body["data"]["me"]["next"] is None and body["data"]["me"]["newest"]["totalCount"] == 8
    assert [e["extensions"]["field"] for e in body["errors"]] == ["after"]


THEIR_LISTS = """
query T($id: ID!) {
  node(id: $id) {
    id
    ... on Person { connections(first: 5) { totalCount nodes { id } } followers(first: 5) { totalCount nodes { id } } }
  }
}
"""
THEIR_REQUESTS = "query T($id: ID!) { node(id: $id) { ... on Person { connectionRequestsReceived { totalCount } } } }"


async def test_someone_elses_lists_read_with_them_keep_their_audience_and_counts(app, client):
    me, people, orgs = await _city(app, client)
    friend, stranger = people[0], people[15]
    await connect(client, friend, people[14])
    await set_edge(client, FOLLOW, people[14], friend)
    count, body = await reads(client, THEIR_LISTS, {"id": friend.id}, me.auth)  # connected: their audience holds me
    lists = body["data"]["node"]
    assert lists["connections"]["totalCount"] == 2 and lists["followers"]["totalCount"] == 1 and count == 1
    count, body = await reads(client, THEIR_LISTS, {"id": friend.id}, stranger.auth)  # not connected: hidden
    assert body["data"]["node"]["connections"] is None and body["data"]["node"]["followers"] is None and count == 1
    count, body = await reads(client, THEIR_LISTS, {"id": people[10].id}, me.auth)  # they blocked me
    assert body["data"]["node"] is None and count == 1
    body = await gql(client, THEIR_REQUESTS, {"id": friend.id}, headers=me.auth)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


APP_CONNECTIONS = (
    "query C($first: Int) { me { id connections(first: $first) { totalCount edges { node { ...AppActorFields } } } } }"
    + APP_ACTOR
)


async def test_a_partner_app_reads_its_persons_connections_with_them_in_one_statement(app, client):
    me, people, orgs = await _city(app, client)
    for person in people[11:]:
        await connect(client, me, person)
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=(*APP_SCOPES, "connections.read"))
    grant = await seed_grant(app, seeded, uuid_of(me.id))
    headers = app_token(app, seeded, grant)
    small, _ = await reads(client, APP_CONNECTIONS, {"first": 2}, headers)
    large, body = await reads(client, APP_CONNECTIONS, {"first": 20}, headers)
    page = body["data"]["me"]["connections"]
    ids = {app_person_id(app, seeded, p.id) for p in people[:8] + people[11:]}
    assert page["totalCount"] == 16 and {e["node"]["id"] for e in page["edges"]} == ids
    print(f"an app's connections of its person: {small} statements for 2, {large} for 16 (the access log's write too)")
    assert small == large == 1 + ACCESS_LOG_WRITE


async def test_people_you_may_know_is_one_statement_with_every_field(app, client):
    me, people, orgs = await _city(app, client)
    for friend, candidate in zip(people[:6], people[11:17], strict=True):
        await connect(client, friend, candidate)
    small, _ = await reads(client, SUGGESTIONS, {"first": 2}, me.auth)
    large, body = await reads(client, SUGGESTIONS, {"first": 20}, me.auth)
    found = body["data"]["peopleYouMayKnow"]
    assert len(found) >= 6 and all(s["person"]["kind"] == "PERSON" for s in found)
    assert not any(s["person"]["id"] == people[10].id for s in found)  # they blocked me
    print(f"people you may know, every field: {small} statement for 2, {large} for {len(found)}")
    assert small == large == 1


async def test_a_trust_path_is_one_statement_with_every_field(app, client):
    me = await register(client)
    middle = await make_verified(app, client)
    target = await register(client)
    await connect(client, me, middle)
    await connect(client, middle, target)
    for document in (PATH, SLIM_PATH):
        count, body = await reads(client, document, {"to": target.id}, me.auth)
        path = body["data"]["trustPath"]
        assert path["hops"] == 2 and [p["id"] for p in path["people"]] == [me.id, middle.id, target.id]
        assert count == 1, (document, count)
    count, body = await reads(client, PATH, {"to": target.id}, me.auth)
    assert body["data"]["trustPath"]["people"][1]["relation"]["connected"]
    await set_edge(client, BLOCK, target, middle)  # the path now fails: nobody on it may be blocked with the end
    count, body = await reads(client, SLIM_PATH, {"to": target.id}, me.auth)
    assert count == 1


def test_a_folded_list_asks_the_one_rule_of_who_sees_lists():
    """A list read with its owner decides who sees it with ``graph.social.relations_shown``, the mirror of
    ``social.visibility.may_see_relations`` held to it by ``tests/rules``, spliced as the list's own statement does."""
    shape = ActorShape(display=True, lists=(FoldedList("connections", False, ActorShape(display=True)),))
    statement = actors_statement(shape)
    assert social_queries.relations_shown("a", "viewer", "$viewerId") in statement
    assert (
        social_queries.relations_shown("o", "viewer", "$viewerId")
        in social_queries.LIST_QUERIES["connections"].forwards
    )
    assert statement.count("$relationsAudienceDefault") == social_queries.RELATIONS_SHOWN.count(
        "$relationsAudienceDefault"
    )

"""Privacy defaults of a real-name network (issue 12), through the API.

- Signed out, nobody is found by name: ``actors(search:)`` finds organisations only. Public posts (with their
  author, who chose to publish them) and organisations stay visible to anonymous callers.
- A person's lists of relations (connections, followers, following, mutual connections) are seen by the audience
  they chose for the profile field CONNECTIONS: by default their connections. A list hidden from the caller is
  ``null`` (not an empty list), so a client can tell "hidden" from "none". Widening it to PUBLIC shows it to
  everyone; ONLY_ME hides it from connections too.
- An organisation's followers (people, each of whom keeps their own list of whom they follow) are seen by whoever
  acts for the organisation (its owners and admins).
"""

from __future__ import annotations

from tests.identity.people import make_verified, register
from tests.identity.test_organizations import registered_org
from tests.social.helpers import FOLLOW, connect, post, set_audience, set_edge
from tests.support import gql

SEARCH = "query S($search: String!) { actors(search: $search, first: 20) { edges { node { id kind displayName } } } }"
RELATIONS = """
query R($id: ID!) {
  node(id: $id) {
    ... on Person {
      connections { totalCount edges { node { id } } }
      followers { totalCount edges { node { id } } }
      following { totalCount edges { node { id } } }
      mutualConnections { totalCount edges { node { id } } }
    }
  }
}
"""
ORG_FOLLOWERS = (
    "query O($id: ID!) { node(id: $id) { ... on Organization { followers { totalCount edges { node { id } } } } } }"
)
MY_AUDIENCES = "{ me { audiences { connections ward } } }"
POSTS = "query P($id: ID!) { node(id: $id) { ... on Person { displayName posts { edges { node { id author { id } } } } } } }"
POST_SEARCH = "query S($text: String!) { postSearch(text: $text) { edges { node { id author { id displayName } } } } }"


def ids(connection: dict | None) -> list[str] | None:
    return None if connection is None else [e["node"]["id"] for e in connection["edges"]]


async def test_signed_out_search_finds_organisations_but_no_person(app, client):
    owner = await make_verified(app, client, fullName="Phạm Quang Huy")
    person = await register(client, fullName="Phạm Hồng Nhung")
    org = await registered_org(client, owner, name="Công ty Phạm Gia Hà Nội")
    anonymous = (await gql(client, SEARCH, {"search": "pham"}))["data"]["actors"]["edges"]
    assert [e["node"]["id"] for e in anonymous] == [org], "signed out: the organisation only"
    signed_in = {
        e["node"]["id"]
        for e in (await gql(client, SEARCH, {"search": "pham"}, headers=person.auth))["data"]["actors"]["edges"]
    }
    assert signed_in == {org, owner.id, person.id}
    by_name = (await gql(client, SEARCH, {"search": "Phạm Hồng Nhung"}))["data"]["actors"]["edges"]
    assert by_name == [], "not even by the exact name"


async def test_public_posts_stay_visible_signed_out_and_search_lists_no_one_else(client):
    author = await register(client, fullName="Lê Thị Mai")
    public = await post(client, author, "Lễ hội hoa sen Hồ Tây cuối tuần này")
    await post(client, author, "Chỉ bạn bè: lễ hội hoa sen", "CONNECTIONS")
    found = (await gql(client, POST_SEARCH, {"text": "le hoi hoa sen"}))["data"]["postSearch"]["edges"]
    assert [e["node"]["id"] for e in found] == [public]
    assert found[0]["node"]["author"] == {"id": author.id, "displayName": "Lê Thị Mai"}, "a public post's author"
    posts = (await gql(client, POSTS, {"id": author.id}))["data"]["node"]
    assert [e["node"]["id"] for e in posts["posts"]["edges"]] == [public]


async def test_a_persons_relations_are_for_their_connections_by_default(client):
    an, friend, stranger, followed = [await register(client) for _ in range(4)]
    await connect(client, an, friend)
    await set_edge(client, FOLLOW, stranger, an)
    await set_edge(client, FOLLOW, an, followed)
    assert (await gql(client, MY_AUDIENCES, headers=an.auth))["data"]["me"]["audiences"]["connections"] == "CONNECTIONS"

    for headers in (stranger.auth, None):  # a stranger (even one who follows an), and anyone signed out
        seen = (await gql(client, RELATIONS, {"id": an.id}, headers=headers))["data"]["node"]
        assert seen == {"connections": None, "followers": None, "following": None, "mutualConnections": None}

    by_friend = (await gql(client, RELATIONS, {"id": an.id}, headers=friend.auth))["data"]["node"]
    assert ids(by_friend["connections"]) == [friend.id]
    assert ids(by_friend["followers"]) == [stranger.id] and ids(by_friend["following"]) == [followed.id]
    by_an = (await gql(client, RELATIONS, {"id": an.id}, headers=an.auth))["data"]["node"]
    assert ids(by_an["connections"]) == [friend.id] and by_an["connections"]["totalCount"] == 1


async def test_widening_to_public_shows_the_lists_to_strangers_and_only_me_hides_them_from_connections(client):
    an, friend, stranger = [await register(client) for _ in range(3)]
    await connect(client, an, friend)

    await set_audience(client, an, "CONNECTIONS", "PUBLIC")
    for headers in (stranger.auth, None):
        seen = (await gql(client, RELATIONS, {"id": an.id}, headers=headers))["data"]["node"]
        assert ids(seen["connections"]) == [friend.id] and seen["connections"]["totalCount"] == 1
        assert ids(seen["followers"]) == [] and ids(seen["following"]) == []

    await set_audience(client, an, "CONNECTIONS", "ONLY_ME")
    by_friend = (await gql(client, RELATIONS, {"id": an.id}, headers=friend.auth))["data"]["node"]
    assert by_friend["connections"] is None and by_friend["followers"] is None, "hidden from connections too"
    assert (await gql(client, RELATIONS, {"id": an.id}, headers=stranger.auth))["data"]["node"]["connections"] is None
    assert ids((await gql(client, RELATIONS, {"id": an.id}, headers=an.auth))["data"]["node"]["connections"]) == [
        friend.id
    ], "the person always sees their own"

    await set_audience(client, an, "CONNECTIONS", "CONNECTIONS")
    back = (await gql(client, RELATIONS, {"id": an.id}, headers=friend.auth))["data"]["node"]
    assert ids(back["connections"]) == [friend.id], "narrowed back to connections"


async def test_an_organisations_followers_are_seen_by_those_who_act_for_it(app, client):
    owner = await make_verified(app, client, fullName="Đỗ Văn Chủ")
    org = await registered_org(client, owner, name="Hợp tác xã Rau sạch Gia Lâm")
    fan, stranger = await register(client), await register(client)
    followed = await gql(client, FOLLOW, {"id": org, "on": True}, headers=fan.auth)
    assert followed["data"]["followSet"]["errors"] == []
    assert ids((await gql(client, ORG_FOLLOWERS, {"id": org}, headers=owner.auth))["data"]["node"]["followers"]) == [
        fan.id
    ]
    for headers in (stranger.auth, fan.auth, None):
        assert (await gql(client, ORG_FOLLOWERS, {"id": org}, headers=headers))["data"]["node"]["followers"] is None

"""Connections, follows, blocks and mutes, and the lists they make."""

from __future__ import annotations

import asyncio

from strawberry.relay import GlobalID as relay_id

from tests.identity.people import register
from tests.social.helpers import (
    ACCEPT,
    BLOCK,
    FOLLOW,
    MUTE,
    REQUEST,
    connect,
    payload_errors,
    set_audience,
    set_edge,
    walk,
)
from tests.support import error_codes, gql

DECLINE = """
mutation D($id: ID!) {
  connectionDecline(input: {actorId: $id}) { relation { connected requestReceived } errors { code field } }
}
"""
CANCEL = "mutation C($id: ID!) { connectionCancel(input: {actorId: $id}) { relation { requestSent } errors { code } } }"
REMOVE = "mutation X($id: ID!) { connectionRemove(input: {actorId: $id}) { relation { connected } errors { code } } }"
PREFS = """
mutation P($input: SocialPreferencesSetInput!) {
  socialPreferencesSet(input: $input) {
    preferences { showFollowerCount showFollowingCount suggestionsOptOut } errors { code field message }
  }
}
"""
LISTS = """
query L($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Person {
      connections(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id displayName } } }
      followers { totalCount edges { node { id } } }
      following { totalCount edges { node { id } } }
      mutualConnections { totalCount edges { node { id } } }
      relation { connected requestSent requestReceived following blocked muted }
    }
  }
}
"""
REQUESTS = """
{ me { connectionRequestsReceived { totalCount edges { node { id } } } connectionRequestsSent { totalCount edges { node { id } } } } }
"""
OTHERS_REQUESTS = "query Q($id: ID!) { node(id: $id) { ... on Person { connectionRequestsReceived { totalCount } } } }"


async def test_request_accept_and_the_mutual_connection(client):
    an, binh = await register(client, fullName="Nguyễn Văn An"), await register(client, fullName="Trần Bình")
    asked = (await gql(client, REQUEST, {"id": binh.id}, headers=an.auth))["data"]["connectionRequest"]
    assert asked["relation"] == {"connected": False, "requestSent": True}
    pending = (await gql(client, REQUESTS, headers=binh.auth))["data"]["me"]
    assert [e["node"]["id"] for e in pending["connectionRequestsReceived"]["edges"]] == [an.id]
    sent = (await gql(client, REQUESTS, headers=an.auth))["data"]["me"]["connectionRequestsSent"]
    assert sent["totalCount"] == 1
    twice = (await gql(client, REQUEST, {"id": binh.id}, headers=an.auth))["data"]["connectionRequest"]
    assert twice["errors"][0]["code"] == "CONFLICT"
    accepted = (await gql(client, ACCEPT, {"id": an.id}, headers=binh.auth))["data"]["connectionAccept"]
    assert accepted["relation"]["connected"] is True
    for who, other in ((an, binh), (binh, an)):
        lists = (await gql(client, LISTS, {"id": who.id}, headers=other.auth))["data"]["node"]
        assert [e["node"]["id"] for e in lists["connections"]["edges"]] == [other.id]
        assert lists["relation"]["connected"] is True
    assert (await gql(client, REQUESTS, headers=binh.auth))["data"]["me"]["connectionRequestsReceived"][
        "totalCount"
    ] == 0


async def test_decline_cancel_remove_and_crossing_requests(client):
    an = await register(client)
    binh = await register(client)
    chi = await register(client)
    await gql(client, REQUEST, {"id": binh.id}, headers=an.auth)
    declined = (await gql(client, DECLINE, {"id": an.id}, headers=binh.auth))["data"]["connectionDecline"]
    assert declined["relation"] == {"connected": False, "requestReceived": False}
    await gql(client, REQUEST, {"id": chi.id}, headers=an.auth)
    cancelled = (await gql(client, CANCEL, {"id": chi.id}, headers=an.auth))["data"]["connectionCancel"]
    assert cancelled["relation"]["requestSent"] is False
    assert (await gql(client, CANCEL, {"id": chi.id}, headers=an.auth))["data"]["connectionCancel"]["errors"][0][
        "code"
    ] == "CONFLICT"
    await gql(client, REQUEST, {"id": chi.id}, headers=an.auth)
    crossing = (await gql(client, REQUEST, {"id": an.id}, headers=chi.auth))["data"]["connectionRequest"]
    assert crossing["relation"]["connected"] is True, "asking someone who asked me connects us"
    removed = (await gql(client, REMOVE, {"id": chi.id}, headers=an.auth))["data"]["connectionRemove"]
    assert removed["relation"]["connected"] is False
    assert (await gql(client, ACCEPT, {"id": binh.id}, headers=an.auth))["data"]["connectionAccept"]["errors"][0][
        "code"
    ] == "CONFLICT"


async def test_who_may_not_connect(client):
    an = await register(client)
    myself = (await gql(client, REQUEST, {"id": an.id}, headers=an.auth))["data"]["connectionRequest"]
    assert myself["errors"][0]["field"] == ["input", "actorId"]
    assert error_codes(await gql(client, REQUEST, {"id": an.id})) == ["UNAUTHENTICATED"]
    bad = await gql(client, REQUEST, {"id": "bm90LWFuLWlk"}, headers=an.auth)
    assert payload_errors(bad, "connectionRequest") == [("INVALID_INPUT", ["input", "actorId"])]
    post_id = str(relay_id("Post", "00000000-0000-4000-8000-000000000000"))
    wrong_type = await gql(client, REQUEST, {"id": post_id}, headers=an.auth)
    assert payload_errors(wrong_type, "connectionRequest") == [("INVALID_INPUT", ["input", "actorId"])]
    unknown = await gql(
        client, REQUEST, {"id": str(relay_id("Person", "00000000-0000-4000-8000-000000000000"))}, headers=an.auth
    )
    assert payload_errors(unknown, "connectionRequest") == [("NOT_FOUND", ["input", "actorId"])]
    others = await gql(client, OTHERS_REQUESTS, {"id": an.id}, headers=(await register(client)).auth)
    assert error_codes(others) == ["FORBIDDEN"], "pending requests are private"


async def test_outgoing_requests_are_capped_per_day(client, test_settings):
    an = await register(client)
    people = [await register(client) for _ in range(3)]
    settings = test_settings.model_copy(update={"connection_requests_per_day": 2})
    client_app = client._transport.app  # the shared app; its runtime reads settings per call
    runtime = client_app.state.runtime
    original = runtime.settings
    runtime.settings = settings
    try:
        for person in people[:2]:
            assert (await gql(client, REQUEST, {"id": person.id}, headers=an.auth))["data"]["connectionRequest"][
                "errors"
            ] == []
        capped = await gql(client, REQUEST, {"id": people[2].id}, headers=an.auth)
        assert error_codes(capped) == ["RATE_LIMITED"]
    finally:
        runtime.settings = original


async def test_parallel_requests_between_two_people_make_one_request(client, graph):
    an, binh = await register(client), await register(client)
    await asyncio.gather(*(gql(client, REQUEST, {"id": binh.id}, headers=an.auth) for _ in range(8)))

    async def count(tx):
        return (await (await tx.run("MATCH (:Person)-[r:REQUESTED]->(:Person) RETURN count(r) AS n")).single())["n"]

    assert await graph.read(count) == 1


async def test_follows_and_hidden_counts(client):
    an, binh, chi = await register(client), await register(client), await register(client)
    for who in (an, binh):  # their lists are seen by everyone (the default is their connections only)
        await set_audience(client, who, "CONNECTIONS", "PUBLIC")
    followed = (await set_edge(client, FOLLOW, binh, an))["data"]["followSet"]
    assert followed["relation"]["following"] is True
    await set_edge(client, FOLLOW, chi, an)
    lists = (await gql(client, LISTS, {"id": an.id}, headers=binh.auth))["data"]["node"]
    assert lists["followers"]["totalCount"] == 2
    prefs = (await gql(client, PREFS, {"input": {"showFollowerCount": False}}, headers=an.auth))["data"]
    assert prefs["socialPreferencesSet"] == {
        "preferences": {"showFollowerCount": False, "showFollowingCount": True, "suggestionsOptOut": False},
        "errors": [],
    }
    hidden = (await gql(client, LISTS, {"id": an.id}, headers=binh.auth))["data"]["node"]
    assert hidden["followers"]["totalCount"] is None, "the owner hid the count"
    assert len(hidden["followers"]["edges"]) == 2
    mine = (await gql(client, LISTS, {"id": an.id}, headers=an.auth))["data"]["node"]
    assert mine["followers"]["totalCount"] == 2, "the owner still sees it"
    following = (await gql(client, LISTS, {"id": binh.id}, headers=chi.auth))["data"]["node"]["following"]
    assert following["totalCount"] == 1, "following is shown or hidden separately"
    unfollowed = (await set_edge(client, FOLLOW, binh, an, on=False))["data"]["followSet"]
    assert unfollowed["relation"]["following"] is False


async def test_lists_paginate_with_cursors(client):
    hub = await register(client)
    friends = [await register(client) for _ in range(5)]
    for friend in friends:
        await connect(client, friend, hub)
    seen, after = [], None
    while True:
        page = (await gql(client, LISTS, {"id": hub.id, "first": 2, "after": after}, headers=hub.auth))["data"]["node"][
            "connections"
        ]
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(f.id for f in friends) and len(seen) == 5
    assert seen == [f.id for f in reversed(friends)], "newest connection first"


async def test_mutual_connections(client):
    an, binh, chi, dung = [await register(client) for _ in range(4)]
    for friend in (chi, dung):
        await connect(client, an, friend)
        await connect(client, binh, friend)
    hidden = (await gql(client, LISTS, {"id": binh.id}, headers=an.auth))["data"]["node"]["mutualConnections"]
    assert hidden is None, "binh's relations are for binh's connections; an is not one"
    by_connection = (await gql(client, LISTS, {"id": binh.id}, headers=chi.auth))["data"]["node"]
    assert by_connection["mutualConnections"] == {"totalCount": 0, "edges": []}, "shown to binh's connection chi"
    await set_audience(client, binh, "CONNECTIONS", "PUBLIC")
    mutual = (await gql(client, LISTS, {"id": binh.id}, headers=an.auth))["data"]["node"]["mutualConnections"]
    assert mutual["totalCount"] == 2 and {e["node"]["id"] for e in mutual["edges"]} == {chi.id, dung.id}
    anonymous = (await gql(client, LISTS, {"id": binh.id}))["data"]["node"]["mutualConnections"]
    assert anonymous["totalCount"] == 0 and anonymous["edges"] == [], "signed out, nobody is known in common"


async def test_blocking_ends_everything_and_hides_both_ways(client):
    an, binh, chi = await register(client), await register(client), await register(client)
    await connect(client, an, binh)
    await set_edge(client, FOLLOW, binh, an)
    await connect(client, an, chi)
    await connect(client, binh, chi)
    blocked = (await set_edge(client, BLOCK, an, binh))["data"]["blockSet"]
    assert blocked["relation"]["blocked"] is True
    mine = (await gql(client, LISTS, {"id": an.id}, headers=an.auth))["data"]["node"]
    assert binh.id not in [e["node"]["id"] for e in mine["connections"]["edges"]]
    assert mine["followers"]["totalCount"] == 0
    seen_by_binh = await gql(client, LISTS, {"id": an.id}, headers=binh.auth)
    assert seen_by_binh["data"]["node"] is None, "the blocker is invisible to the blocked"
    again = await gql(client, REQUEST, {"id": an.id}, headers=binh.auth)
    assert payload_errors(again, "connectionRequest") == [("NOT_FOUND", ["input", "actorId"])], (
        "no new requests, and no hint of the block"
    )
    mutual = (await gql(client, LISTS, {"id": chi.id}, headers=binh.auth))["data"]["node"]
    assert an.id not in [e["node"]["id"] for e in mutual["connections"]["edges"]]
    assert (await set_edge(client, BLOCK, an, binh, on=False))["data"]["blockSet"]["relation"]["blocked"] is False
    assert (await gql(client, LISTS, {"id": an.id}, headers=binh.auth))["data"]["node"] is not None


async def test_mute_is_private(client):
    an, binh = await register(client), await register(client)
    muted = (await set_edge(client, MUTE, an, binh))["data"]["muteSet"]
    assert muted["relation"]["muted"] is True
    seen_by_binh = (await gql(client, LISTS, {"id": an.id}, headers=binh.auth))["data"]["node"]["relation"]
    assert seen_by_binh["muted"] is False and seen_by_binh["blocked"] is False


def _capped(client, test_settings, cap: int):
    """Shorten the daily cap on the shared app's runtime (it reads settings per call); restore afterwards."""
    runtime = client._transport.app.state.runtime
    original = runtime.settings
    runtime.settings = test_settings.model_copy(update={"connection_requests_per_day": cap})

    class Restore:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            runtime.settings = original

    return Restore()


async def test_the_daily_cap_counts_requests_sent_not_pending(client, test_settings):
    an = await register(client)
    withdrawn, accepting, declining, last = [await register(client) for _ in range(4)]
    with _capped(client, test_settings, 3):
        await gql(client, REQUEST, {"id": withdrawn.id}, headers=an.auth)
        assert (await gql(client, CANCEL, {"id": withdrawn.id}, headers=an.auth))["data"]["connectionCancel"][
            "errors"
        ] == []
        await gql(client, REQUEST, {"id": accepting.id}, headers=an.auth)
        assert (await gql(client, ACCEPT, {"id": an.id}, headers=accepting.auth))["data"]["connectionAccept"][
            "errors"
        ] == []
        await gql(client, REQUEST, {"id": declining.id}, headers=an.auth)
        assert (await gql(client, DECLINE, {"id": an.id}, headers=declining.auth))["data"]["connectionDecline"][
            "errors"
        ] == []
        capped = await gql(client, REQUEST, {"id": last.id}, headers=an.auth)
        assert error_codes(capped) == ["RATE_LIMITED"], "three were sent today, although none is pending"
        assert 0 < capped["errors"][0]["extensions"]["retryAfterSeconds"] <= 24 * 3600
        again = await gql(client, REQUEST, {"id": withdrawn.id}, headers=an.auth)
        assert error_codes(again) == ["RATE_LIMITED"], "asking the same person again is one more request"
        answered = await gql(client, REQUEST, {"id": an.id}, headers=last.auth)
        assert answered["data"]["connectionRequest"]["errors"] == []
        crossing = await gql(client, REQUEST, {"id": last.id}, headers=an.auth)
        assert crossing["data"]["connectionRequest"]["relation"]["connected"] is True, "accepting is not sending"


async def test_forty_parallel_requests_never_pass_the_cap(client, test_settings):
    an = await register(client)
    people = [await register(client) for _ in range(40)]
    with _capped(client, test_settings, 5):
        results = await asyncio.gather(*(gql(client, REQUEST, {"id": p.id}, headers=an.auth) for p in people))
        # and withdrawing them all frees nothing
        await asyncio.gather(*(gql(client, CANCEL, {"id": p.id}, headers=an.auth) for p in people))
        after = await gql(client, REQUEST, {"id": people[0].id}, headers=an.auth)
    sent = [r for r in results if "errors" not in r and r["data"]["connectionRequest"]["errors"] == []]
    assert len(sent) == 5, [r.get("errors") for r in results]
    assert sorted(c for r in results for c in error_codes(r)) == ["RATE_LIMITED"] * 35
    assert error_codes(after) == ["RATE_LIMITED"]


PERSON = "query P($id: ID!) { node(id: $id) { ... on Person { id relation { blocked } } } }"


async def test_a_blocked_person_blocks_back_and_each_block_is_undone_by_its_owner_only(client):
    an, binh = await register(client), await register(client)
    await set_edge(client, BLOCK, an, binh)
    back = (await set_edge(client, BLOCK, binh, an))["data"]["blockSet"]
    assert back["errors"] == [] and back["relation"] == {"blocked": True}
    assert (await set_edge(client, BLOCK, an, binh, on=False))["data"]["blockSet"]["errors"] == []
    assert (await gql(client, PERSON, {"id": binh.id}, headers=an.auth))["data"]["node"] is None, "binh's block stands"
    assert payload_errors(await gql(client, REQUEST, {"id": binh.id}, headers=an.auth), "connectionRequest") == [
        ("NOT_FOUND", ["input", "actorId"])
    ]
    lifted = (await set_edge(client, BLOCK, binh, an, on=False))["data"]["blockSet"]
    assert lifted["errors"] == [] and lifted["relation"] == {"blocked": False}
    assert (await gql(client, PERSON, {"id": binh.id}, headers=an.auth))["data"]["node"] == {
        "id": binh.id,
        "relation": {"blocked": False},
    }
    # and the other order: the first blocker's block stands when the one who blocked back lifts theirs
    await set_edge(client, BLOCK, an, binh)
    assert (await set_edge(client, BLOCK, binh, an))["data"]["blockSet"]["errors"] == []
    assert (await set_edge(client, BLOCK, binh, an, on=False))["data"]["blockSet"]["errors"] == []
    assert (await gql(client, PERSON, {"id": an.id}, headers=binh.auth))["data"]["node"] is None, "an's block stands"
    again = (await set_edge(client, BLOCK, binh, an, on=False))["data"]["blockSet"]
    assert again == {"relation": {"blocked": False}, "errors": []}, "binh has no block left: nothing to do, no mistake"
    assert (await gql(client, PERSON, {"id": an.id}, headers=binh.auth))["data"]["node"] is None, "an's is not theirs"
    muted = await set_edge(client, MUTE, binh, an)
    assert payload_errors(muted, "muteSet") == [("NOT_FOUND", ["input", "actorId"])], (
        "only a block goes past the other's block"
    )


PAGE_FIELDS = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }"


def people_page(field: str) -> str:
    """A page of one of a person's lists, paged either way."""
    return (
        "query People($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {"
        f" node(id: $id) {{ ... on Person {{ {field}(first: $first, after: $after, last: $last, before: $before)"
        f" {{ {PAGE_FIELDS} }} }} }} }}"
    )


MUTUAL_PAGE = """
query Mutual($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) {
    ... on Person {
      mutualConnections(first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } }
      }
    }
  }
}
"""
REQUESTS_PAGE = """
query Requests($first: Int, $after: String, $last: Int, $before: String) {
  me {
    connectionRequestsReceived(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } }
    }
  }
}
"""


async def test_every_list_of_people_pages_both_ways_and_refuses_another_lists_cursor(client):
    hub, other = await register(client), await register(client)
    friends = [await register(client) for _ in range(5)]
    for friend in friends:
        await connect(client, friend, hub)
        await connect(client, friend, other)
        await set_edge(client, FOLLOW, friend, hub)
        await set_edge(client, FOLLOW, hub, friend)
    await set_audience(client, other, "CONNECTIONS", "PUBLIC")  # so that hub, a stranger, sees whom they both know
    askers = [await register(client) for _ in range(5)]
    for asker in askers:
        await gql(client, REQUEST, {"id": hub.id}, headers=asker.auth)
    newest_first = [f.id for f in reversed(friends)]
    for field in ("connections", "followers", "following"):
        page = people_page(field)
        forwards, pages = await walk(client, page, ["node", field], {"id": hub.id}, hub.auth, backwards=False)
        backwards, _ = await walk(client, page, ["node", field], {"id": hub.id}, hub.auth, backwards=True)
        assert forwards == backwards == newest_first and pages == 3, field
    mutual, _ = await walk(
        client, MUTUAL_PAGE, ["node", "mutualConnections"], {"id": other.id}, hub.auth, backwards=True
    )
    assert mutual == newest_first
    asked, _ = await walk(client, REQUESTS_PAGE, ["me", "connectionRequestsReceived"], {}, hub.auth, backwards=True)
    assert asked == [a.id for a in reversed(askers)]

    connections = people_page("connections")
    first = (await gql(client, connections, {"id": hub.id, "first": 4}, headers=hub.auth))["data"]["node"]
    edges = first["connections"]["edges"]
    between = await gql(
        client, connections, {"id": hub.id, "after": edges[0]["cursor"], "before": edges[3]["cursor"]}, headers=hub.auth
    )
    assert [e["node"]["id"] for e in between["data"]["node"]["connections"]["edges"]] == [
        e["node"]["id"] for e in edges[1:3]
    ], "after and before together: the items between"

    theirs = (await gql(client, connections, {"id": other.id, "first": 1}, headers=other.auth))["data"]["node"]
    followers = (await gql(client, people_page("followers"), {"id": hub.id, "first": 1}, headers=hub.auth))["data"]
    for variables in (
        {"first": 2, "after": theirs["connections"]["pageInfo"]["endCursor"]},  # the same list of another person
        {"last": 2, "before": followers["node"]["followers"]["pageInfo"]["endCursor"]},  # another list of mine
    ):
        refused = await gql(client, connections, {"id": hub.id, **variables}, headers=hub.auth)
        field = "after" if "after" in variables else "before"
        assert error_codes(refused) == ["INVALID_INPUT"] and refused["errors"][0]["extensions"]["field"] == field


async def test_switching_a_relation_off_twice_is_no_mistake(client):
    """``...Set`` is idempotent: unfollowing, unblocking or unmuting when there is nothing to take back succeeds and
    answers the relation as it now is."""
    an, binh = await register(client), await register(client)
    for document, name, key in (
        (FOLLOW, "followSet", "following"),
        (BLOCK, "blockSet", "blocked"),
        (MUTE, "muteSet", "muted"),
    ):
        await set_edge(client, document, an, binh)
        for _ in range(2):
            off = await set_edge(client, document, an, binh, on=False)
            assert off["data"][name] == {"relation": {key: False}, "errors": []}, off
    never = await set_edge(client, FOLLOW, binh, an, on=False)
    assert never["data"]["followSet"] == {"relation": {"following": False}, "errors": []}, "never followed: as well"
    unfollowed = await asyncio.gather(*(set_edge(client, FOLLOW, an, binh, on=False) for _ in range(8)))
    assert all(body["data"]["followSet"]["errors"] == [] for body in unfollowed), unfollowed

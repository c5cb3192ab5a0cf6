"""Each app sees a person under an id of its own (partners.app_ids): ``Person.id`` (me, a seller, a connection),
a notification's ``subjectId`` and every cursor. One app always gets the same id for one person; two apps get
unlinkable ids; no answer to an app holds the internal id or the person's normal global id, even inside a cursor.
The handle is read back by ``node(id:)``/``nodes(ids:)`` and any argument that takes a person's id; the normal
global id, or another app's handle, is refused for the app as any malformed id. A person still sees normal ids."""

from __future__ import annotations

import base64
import re
from unittest.mock import ANY

from strawberry import relay

from tests.identity.people import make_verified, register, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.social.helpers import connect
from tests.support import gql

SCOPES = ("openid", "profile.basic", "connections.read", "notifications.read", "marketplace.read")

READ = """
query ($listing: ID!) {
  me {
    id displayName
    connections(first: 1) { edges { cursor node { id } } pageInfo { startCursor endCursor } }
  }
  notifications(first: 5) { edges { cursor node { kind subjectId actor { id } } } pageInfo { endCursor } }
  node(id: $listing) { id ... on Listing { seller { id ... on Person { id displayName } } } }
  myWallet { id }
  myOrders(first: 5) { pageInfo { startCursor endCursor } }
}
"""


def _leaks(text: str, secrets: list[str]) -> list[str]:
    """Which of ``secrets`` appear in ``text``, as they are or inside any base64 (url-safe or not) run of it."""
    found = {s for s in secrets if s in text}
    for run in re.findall(r"[A-Za-z0-9_\-+/=]{12,}", text):
        for alphabet in (b"-_", b"+/"):
            try:
                decoded = base64.b64decode(run.rstrip("=") + "=" * (-len(run.rstrip("=")) % 4), altchars=alphabet)
            except ValueError:
                continue
            plain = decoded.decode("utf-8", "replace")
            found |= {s for s in secrets if s in plain}
    return sorted(found)


def _person(gid: str) -> str:
    parsed = relay.GlobalID.from_id(gid)
    assert parsed.type_name == "Person", gid
    return parsed.node_id


async def test_each_app_sees_a_person_under_its_own_stable_id_and_never_the_internal_one(app, client):
    partner = await make_partner(app, client)
    app_a = await seed_app(app, partner, name="Ứng dụng A", scopes=SCOPES)
    app_b = await seed_app(app, partner, name="Ứng dụng B", scopes=SCOPES)
    seller = await make_verified(app, client, fullName="Trần Văn Bán")
    buyer = await register(client, fullName="Lê Thị Mua")
    await connect(client, buyer, seller)  # the seller gets a notification about the buyer, and vice versa
    listing = await create_listing(client, seller)
    buyer_a = app_token(app, app_a, await seed_grant(app, app_a, uuid_of(buyer.id)))
    buyer_b = app_token(app, app_b, await seed_grant(app, app_b, uuid_of(buyer.id)))
    seller_a = app_token(app, app_a, await seed_grant(app, app_a, uuid_of(seller.id)))
    secrets = [uuid_of(buyer.id), uuid_of(seller.id), buyer.id, seller.id]

    answers = {}
    for name, headers in (("buyer_a", buyer_a), ("buyer_b", buyer_b), ("seller_a", seller_a)):
        response = await client.post("/graphql", json={"query": READ, "variables": {"listing": listing["id"]}},
                                     headers=headers)  # fmt: skip
        body = response.json()
        assert "errors" not in body, body
        assert _leaks(response.text, secrets) == [], (name, response.text)
        answers[name] = body["data"]

    a, b, s = answers["buyer_a"], answers["buyer_b"], answers["seller_a"]
    # two apps: different ids for the same people; one app: the same id for one person wherever it meets them
    assert a["me"]["id"] != b["me"]["id"] and a["me"]["id"] != buyer.id
    seller_in_a = a["node"]["seller"]["id"]
    assert seller_in_a == s["me"]["id"] == a["me"]["connections"]["edges"][0]["node"]["id"]
    assert seller_in_a != b["node"]["seller"]["id"]
    assert s["me"]["connections"]["edges"][0]["node"]["id"] == a["me"]["id"]
    (notice,) = [e["node"] for e in s["notifications"]["edges"] if e["node"]["kind"] == "CONNECTION_REQUESTED"]
    assert notice["subjectId"] == a["me"]["id"]
    # ids are unlinkable: the two handles share nothing; the Wallet id names its owner by the handle too
    assert _person(a["me"]["id"]) != _person(b["me"]["id"]) and len(_person(a["me"]["id"])) == 43
    again = await gql(client, READ, {"listing": listing["id"]}, headers=buyer_a)
    assert again["data"]["me"]["id"] == a["me"]["id"] and again["data"] == a  # stable, cursors included

    # the handle reads back: node(id:), nodes(ids:), an argument that takes a person's id; the normal id does not
    found = await gql(client, "query ($id: ID!) { node(id: $id) { id ... on Person { displayName } } }",
                      {"id": seller_in_a}, headers=buyer_a)  # fmt: skip
    assert found == {"data": {"node": {"id": seller_in_a, "displayName": "Trần Văn Bán"}}, "extensions": {"cost": ANY}}
    for refused, headers in ((seller.id, buyer_a), (seller_in_a, buyer_b)):
        body = await gql(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": refused}, headers=headers)
        assert body["data"]["node"] is None
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    body = await gql(client, "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                     {"ids": [seller_in_a, seller.id]}, headers=buyer_a)  # fmt: skip
    assert body["data"]["nodes"] == [{"id": seller_in_a}, None]
    assert [e["path"] for e in body["errors"]] == [["nodes", 1]]
    by_seller = "query ($id: ID!) { listings(filter: {sellerId: $id}) { nodes { id } } }"
    body = await gql(client, by_seller, {"id": seller_in_a}, headers=buyer_a)
    assert listing["id"] in [n["id"] for n in body["data"]["listings"]["nodes"]], body
    body = await gql(client, by_seller, {"id": seller.id}, headers=buyer_a)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    body = await gql(client, "query ($id: ID!) { reviews(sellerId: $id) { totalCount } }", {"id": seller.id},
                     headers=buyer_a)  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    body = await gql(client, "query ($id: ID!) { reviews(sellerId: $id) { totalCount } }", {"id": seller_in_a},
                     headers=buyer_a)  # fmt: skip
    assert "errors" not in body, body

    # a person still sees the normal ids and cursors
    mine = await gql(client, READ, {"listing": listing["id"]}, headers=buyer.auth)
    assert mine["data"]["me"]["id"] == buyer.id
    assert mine["data"]["node"]["seller"]["id"] == seller.id
    assert mine["data"]["me"]["connections"]["edges"][0]["node"]["id"] == seller.id


PAGE = "query ($after: String) { me { connections(first: 1, after: $after) { edges { node { id } } } } }"


async def test_an_apps_cursors_are_sealed_for_it_and_page_on(app, client):
    partner = await make_partner(app, client)
    app_a = await seed_app(app, partner, name="Ứng dụng A", scopes=SCOPES)
    app_b = await seed_app(app, partner, name="Ứng dụng B", scopes=SCOPES)
    me = await register(client, fullName="Phạm Văn Kết")
    friends = [await register(client, fullName=f"Bạn {n}") for n in range(2)]
    for friend in friends:
        await connect(client, me, friend)
    token_a = app_token(app, app_a, await seed_grant(app, app_a, uuid_of(me.id)))
    token_b = app_token(app, app_b, await seed_grant(app, app_b, uuid_of(me.id)))
    query = "query { me { connections(first: 1) { edges { cursor node { id } } pageInfo { endCursor } } } }"

    first = (await gql(client, query, headers=token_a))["data"]["me"]["connections"]
    cursor = first["pageInfo"]["endCursor"]
    assert cursor == first["edges"][0]["cursor"]
    second = await gql(client, PAGE, {"after": cursor}, headers=token_a)
    assert "errors" not in second, second
    (edge,) = second["data"]["me"]["connections"]["edges"]
    assert edge["node"]["id"] != first["edges"][0]["node"]["id"]

    # a person's (unsealed) cursor, and another app's sealed cursor, are not cursors this app was given
    person_cursor = (await gql(client, query, headers=me.auth))["data"]["me"]["connections"]["pageInfo"]["endCursor"]
    assert person_cursor != cursor
    for wrong, headers in ((person_cursor, token_a), (cursor, token_b), ("garbage", token_a)):
        body = await gql(client, PAGE, {"after": wrong}, headers=headers)
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT", body
    # and the person pages on with their own cursor as before
    body = await gql(client, PAGE, {"after": person_cursor}, headers=me.auth)
    assert "errors" not in body, body

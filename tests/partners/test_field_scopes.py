"""Scopes on fields for an app's token: a field outside the grant is null with FORBIDDEN naming the missing scope
(``extensions.requiredScope``) and the rest of the answer arrives; a non-null field's refusal nulls its nearest
nullable parent; a refused field nothing nullable could hold is refused before execution. Personal reads are recorded
once per request in the ReadSet (aliases and repeated paths collapse; a null is not recorded); a person's own
request records nothing and sees everything it did before. marketplace.write lets the app shop for its person."""

from __future__ import annotations

import uuid

from partners.reads import Read
from tests.identity.people import make_verified, register, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.partners.support import app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.support import gql

ALL_PERSONAL = (
    "openid", "profile.basic", "profile.verification", "contact.read", "ward.read", "birthdate.read",
    "connections.read", "marketplace.read", "marketplace.write", "notifications.read",
)  # fmt: skip


async def test_a_field_outside_the_grant_is_forbidden_naming_the_scope_and_the_rest_arrives(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=ALL_PERSONAL)
    person = await register(client, fullName="Lê Thị Phạm Vi")
    grant = await seed_grant(app, seeded, uuid_of(person.id), scopes=("openid", "profile.basic"))
    headers = app_token(app, seeded, grant)

    body = await gql(client, "query { me { displayName phone ward { code } } version { api } }", headers=headers)
    assert body["data"]["me"] == {"displayName": "Lê Thị Phạm Vi", "phone": None, "ward": None}
    assert body["data"]["version"]["api"]
    refused = {tuple(e["path"]): e for e in body["errors"]}
    assert set(refused) == {("me", "phone"), ("me", "ward")}
    assert refused[("me", "phone")]["extensions"] == {"code": "FORBIDDEN", "requiredScope": "contact.read"}
    assert refused[("me", "ward")]["extensions"]["requiredScope"] == "ward.read"
    assert "`contact.read`" in refused[("me", "phone")]["message"]

    # a non-null field (verificationLevel: Int!) refused: its null goes to the nullable `me`; the rest still arrives
    body = await gql(client, "query { me { displayName verificationLevel } communes(first: 1) { totalCount } }",
                     headers={**headers, "accept-language": "vi"})  # fmt: skip
    assert body["data"]["me"] is None and body["data"]["communes"]["totalCount"] > 0
    (error,) = body["errors"]
    assert error["path"] == ["me", "verificationLevel"]
    assert error["extensions"]["requiredScope"] == "profile.verification"
    assert error["message"].startswith("Ứng dụng này chưa được cấp phạm vi `profile.verification`")

    # a refused non-null field with nothing nullable above it (cart: Cart!) is refused before execution: no data
    response = await client.post("/graphql", json={"query": "query { cart { totalDong } version { api } }"},
                                 headers=headers)  # fmt: skip
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "requiredScope": "marketplace.read", "coordinate": "Query.cart"}


ME_ALL = """
query ($other: ID!) {
  me { displayName a: phone b: phone email ward { code } dateOfBirth sex verificationLevel contacts { value } }
  again: me { phone }
  node(id: $other) { ... on Person { displayName phone ward { code } verificationLevel } }
  isAdult
}
"""


async def test_personal_reads_are_recorded_once_each_and_nulls_never(app, client, contexts):
    partner = await make_partner(app, client)
    scopes = (*ALL_PERSONAL, "predicate.isAdult")
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client, fullName="Vũ Văn Ghi")
    other = await register(client, fullName="Hoàng Thị Khác")
    me, them = uuid_of(person.id), uuid_of(other.id)
    grant = await seed_grant(app, seeded, me)

    body = await gql(
        client, ME_ALL, {"other": app_person_id(app, seeded, other.id)}, headers=app_token(app, seeded, grant)
    )
    assert "errors" not in body, body
    assert body["data"]["me"]["a"] == body["data"]["me"]["b"] == body["data"]["again"]["phone"] is not None
    assert body["data"]["node"]["phone"] is None and body["data"]["node"]["ward"] is None  # a stranger's: hidden
    reads = contexts[-1].reads.reads
    expected = {
        Read(me, "Person.phone", "contact.read", "grant"),
        Read(me, "Person.email", "contact.read", "grant"),
        Read(me, "Person.contacts", "contact.read", "grant"),
        Read(me, "Contact.value", "contact.read", "grant"),  # each contact's value: one coordinate, one entry
        Read(me, "Person.ward", "ward.read", "grant"),
        Read(me, "Person.dateOfBirth", "birthdate.read", "grant"),
        Read(me, "Person.sex", "birthdate.read", "grant"),
        Read(me, "Person.verificationLevel", "profile.verification", "grant"),
        Read(me, "Query.isAdult", "predicate.isAdult", "grant"),
        # the other person: only what was shown (their verification level is public; phone and ward were null)
        Read(them, "Person.verificationLevel", "profile.verification", "grant"),
    }
    assert reads == expected
    # the person themself asking the same: everything as before, nothing recorded
    body = await gql(client, ME_ALL, {"other": other.id}, headers=person.auth)
    assert "errors" not in body and body["data"]["me"]["contacts"]
    assert not contexts[-1].reads


CART_SET = """
mutation ($input: CartItemSetInput!) {
  cartItemSet(input: $input) { cart { totalDong items { quantity } } errors { code field message } }
}
"""
PLACE = """
mutation ($input: OrderPlaceInput!) {
  orderPlace(input: $input) { order { id status buyer { displayName } } errors { code field message } }
}
"""
PAY = "mutation ($input: OrderPayInput!) { orderPay(input: $input) { order { status } errors { code message } } }"


async def test_marketplace_write_lets_the_app_shop_for_its_person_and_nothing_else(app, client):
    partner = await make_partner(app, client)
    seller = partner.owner
    listing = await create_listing(client, seller, priceDong=120_000, stock=5)
    buyer = await make_verified(app, client, officer=seller.extra["officer"], fullName="Đinh Văn Mua")
    seeded = await seed_app(app, partner, scopes=ALL_PERSONAL)
    grant = await seed_grant(app, seeded, uuid_of(buyer.id))
    headers = app_token(app, seeded, grant)

    body = await gql(client, CART_SET, {"input": {"listingId": listing["id"], "quantity": 2}}, headers=headers)
    assert body["data"]["cartItemSet"] == {"cart": {"totalDong": 240_000, "items": [{"quantity": 2}]}, "errors": []}
    # the cart is the buyer's own: they see what the app put there
    mine = await gql(client, "query { cart { totalDong } }", headers=buyer.auth)
    assert mine["data"]["cart"]["totalDong"] == 240_000

    input_ = {"listingId": listing["id"], "quantity": 1, "idempotencyKey": f"k-{uuid.uuid4()}"}
    body = await gql(client, PLACE, {"input": input_}, headers=headers)
    order = body["data"]["orderPlace"]["order"]
    assert body["data"]["orderPlace"]["errors"] == [] and order["buyer"]["displayName"] == "Đinh Văn Mua"

    # without marketplace.write: FORBIDDEN naming it, and nothing changes
    read_only = app_token(app, seeded, grant, scopes=("openid", "profile.basic", "marketplace.read"))
    body = await gql(client, CART_SET, {"input": {"listingId": listing["id"], "quantity": 5}}, headers=read_only)
    assert body["data"] == {"cartItemSet": None}
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "requiredScope": "marketplace.write"}
    body = await gql(client, PAY, {"input": {"orderId": order["id"], "idempotencyKey": f"k-{uuid.uuid4()}"}},
                     headers=read_only)  # fmt: skip
    assert (
        body["data"] == {"orderPay": None} and body["errors"][0]["extensions"]["requiredScope"] == "marketplace.write"
    )
    mine = await gql(client, "query { cart { totalDong } }", headers=buyer.auth)
    assert mine["data"]["cart"]["totalDong"] == 240_000
    # acting for an organisation its person owns is never the app's to do (the owner themself may)
    owner_grant = await seed_grant(app, seeded, uuid_of(seller.id))
    wallet = "query ($org: ID) { myWallet(asOrganization: $org) { balanceDong } }"
    body = await gql(client, wallet, {"org": partner.organization_id}, headers=app_token(app, seeded, owner_grant))
    assert "data" not in body or body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and "organisation" in body["errors"][0]["message"]
    body = await gql(client, wallet, {"org": partner.organization_id}, headers=seller.auth)
    assert body["data"]["myWallet"]["balanceDong"] == 0

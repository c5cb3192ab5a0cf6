"""Every list of the schema refuses a cursor it did not issue with INVALID_INPUT naming `after`, never INTERNAL.

A world with something in most lists is built through the API; then each list field is called with garbage, with
cursors of other lists, with cursors tampered by hand (a bad time, an integer past 2^63, a negative or out-of-range
position, a lone surrogate, the wrong number of parts) and with its own cursors, which must keep working.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re

from identity.city_roles import set_granted_role
from tests.identity.people import make_officer, make_verified, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import placed
from tests.marketplace.wallet_helpers import top_up
from tests.partners.support import Partner, seed_app, seed_grant
from tests.partners.test_apps import create_app
from tests.partners.test_persisted_operations import REGISTER as OPERATION_REGISTER
from tests.partners.test_personas import PERSONA_CREATE, persona_input
from tests.partners.webhook_support import CREATE as WEBHOOK_CREATE
from tests.partners.webhook_support import queue_delivery
from tests.social.helpers import comment, connect, post
from tests.support import error_codes, gql, raw_cursor

PAGE = "totalCount pageInfo { endCursor } edges { cursor }"
PAGE_NO_TOTAL = "pageInfo { endCursor } edges { cursor }"

#: Each list field of the schema: (type, field) -> a document taking $after (and $id where it needs one).
LISTS: dict[tuple[str, str], str] = {
    (
        "Query",
        "schemaMigrations",
    ): f"query($after: String) {{ schemaMigrations(first: 1, after: $after) {{ {PAGE} }} }}",
    ("Query", "communes"): f"query($after: String) {{ communes(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "actors",
    ): f'query($after: String) {{ actors(search: "nguyen", first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}',
    (
        "Query",
        "verificationRequests",
    ): f"query($after: String) {{ verificationRequests(status: APPROVED, first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "feed"): f"query($after: String) {{ feed(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    (
        "Query",
        "notifications",
    ): f"query($after: String) {{ notifications(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    (
        "Query",
        "postSearch",
    ): f'query($after: String) {{ postSearch(text: "xe", first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}',
    ("Query", "communities"): f"query($after: String) {{ communities(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "communityJoinRequests",
    ): f"query($after: String, $community: ID!) {{ communityJoinRequests(communityId: $community, first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "moderationQueue",
    ): f"query($after: String) {{ moderationQueue(status: OPEN, first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "myReports"): f"query($after: String) {{ myReports(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    (
        "Query",
        "myDataAccessLog",
    ): f"query($after: String) {{ myDataAccessLog(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "myCommunities"): f"query($after: String) {{ myCommunities(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Community",
        "posts",
    ): f"query($after: String, $community: ID!) {{ community(id: $community) {{ posts(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }} }}",
    (
        "Community",
        "members",
    ): f"query($after: String, $community: ID!) {{ community(id: $community) {{ members(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }} }}",
    ("Query", "walletStatement"): f"query($after: String) {{ walletStatement(first: 1, after: $after) {{ {PAGE} }} }}",
    ("Query", "listings"): f"query($after: String) {{ listings(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "myListings"): f"query($after: String) {{ myListings(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "myInvestmentInterests",
    ): f"query($after: String) {{ myInvestmentInterests(first: 1, after: $after) {{ {PAGE} }} }}",
    ("Query", "myOrders"): f"query($after: String) {{ myOrders(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "reviews",
    ): f"query($after: String, $seller: ID!) {{ reviews(sellerId: $seller, first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "disputes"): f"query($after: String) {{ disputes(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}",
    ("Query", "stuckPayments"): f"query($after: String) {{ stuckPayments(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Query",
        "myRepresentativeInvitations",
    ): f"query($after: String) {{ myRepresentativeInvitations(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Listing",
        "interests",
    ): f"query($after: String, $listing: ID!) {{ node(id: $listing) {{ ... on Listing {{ interests(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Post",
        "comments",
    ): f"query($after: String, $post: ID!) {{ node(id: $post) {{ ... on Post {{ comments(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Organization",
        "followers",
    ): f"query($after: String, $org: ID!) {{ node(id: $org) {{ ... on Organization {{ followers(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Organization",
        "pendingInvitations",
    ): f"query($after: String, $org: ID!) {{ node(id: $org) {{ ... on Organization {{ pendingInvitations(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Organization",
        "posts",
    ): f"query($after: String, $org: ID!) {{ node(id: $org) {{ ... on Organization {{ posts(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }} }} }}",
    (
        "Actor",
        "followers",
    ): f"query($after: String, $you: ID!) {{ node(id: $you) {{ ... on Actor {{ followers(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Actor",
        "posts",
    ): f"query($after: String, $you: ID!) {{ node(id: $you) {{ ... on Actor {{ posts(first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }} }} }}",
    ("Query", "myGrants"): f"query($after: String) {{ myGrants(first: 1, after: $after) {{ {PAGE} }} }}",
    ("Query", "appsForReview"): f"query($after: String) {{ appsForReview(first: 1, after: $after) {{ {PAGE} }} }}",
    (
        "Organization",
        "apps",
    ): f"query($after: String, $partner: ID!) {{ node(id: $partner) {{ ... on Organization {{ apps(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "App",
        "personas",
    ): f"query($after: String, $app: ID!) {{ node(id: $app) {{ ... on App {{ personas(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "App",
        "operations",
    ): f"query($after: String, $app: ID!) {{ node(id: $app) {{ ... on App {{ operations(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "App",
        "tokenFailures",
    ): f"query($after: String, $app: ID!) {{ node(id: $app) {{ ... on App {{ tokenFailures(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "App",
        "webhookSubscriptions",
    ): f"query($after: String, $app: ID!) {{ node(id: $app) {{ ... on App {{ webhookSubscriptions(first: 1, after: $after) {{ {PAGE} }} }} }} }}",
    (
        "Query",
        "webhookDeliveries",
    ): f"query($after: String, $app: ID!) {{ webhookDeliveries(appId: $app, first: 1, after: $after) {{ {PAGE} }} }}",
}
for _sort in ("PRICE_ASC", "PRICE_DESC", "RATING"):
    LISTS[("Query", f"listings:{_sort}")] = (
        f"query($after: String) {{ listings(sort: {_sort}, first: 1, after: $after) {{ {PAGE_NO_TOTAL} }} }}"
    )
for _field in (
    "followers",
    "posts",
    "connections",
    "following",
    "mutualConnections",
    "connectionRequestsReceived",
    "connectionRequestsSent",
):
    _page = PAGE_NO_TOTAL if _field == "posts" else PAGE
    LISTS[("Person", _field)] = (
        f"query($after: String, $you: ID!) {{ node(id: $you) {{ ... on Person {{ {_field}(first: 1, after: $after) {{ {_page} }} }} }} }}"
        if _field == "mutualConnections"
        else f"query($after: String) {{ me {{ {_field}(first: 1, after: $after) {{ {_page} }} }} }}"
    )

INTROSPECT_LISTS = """
{ __schema { types { name kind fields { name args { name } } } } }
"""
FOLLOW = "mutation($id: ID!) { followSet(input: {actorId: $id, following: true}) { errors { code } } }"
ORG = """
mutation($input: OrganizationRegisterInput!) { organizationRegister(input: $input) { organization { id } } }
"""
COMMUNITY = """
mutation($input: CommunityCreateInput!) { communityCreate(input: $input) { community { id } errors { code } } }
"""
JOIN = "mutation($id: ID!) { communityJoin(input: {communityId: $id}) { errors { code } } }"
ASK = "mutation($id: ID!) { connectionRequest(input: {actorId: $id}) { errors { code } } }"
REPORT = 'mutation($id: ID!) { reportCreate(input: {subjectId: $id, reason: "Spam"}) { errors { code } } }'
INVITE = """
mutation($org: ID!, $person: ID!) {
  representativeSet(input: {organizationId: $org, personId: $person, role: MEMBER}) { errors { code } }
}
"""
INTEREST = """
mutation($input: InvestmentInterestCreateInput!) { investmentInterestCreate(input: $input) { errors { code } } }
"""


def _decoded(cursor: str) -> list:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


#: Times that look like ISO 8601 but Neo4j's datetime() refuses (offsets beyond ±18:00), a year of five digits, and
#: a time that falls before year 1 once read as UTC.
_BAD_TIMES = [
    "2026-01-01T00:00:00+19:00",
    "2026-01-01T00:00:00-23:59",
    "99999-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00",
]


def _tampered(cursor: str) -> list[str]:
    """Hand-edited versions of an issued cursor: each part replaced by a value of another type, a time that is
    not one, an integer past 2^63 or negative, text that is not Unicode or too long; parts missing or added."""
    key = _decoded(cursor)
    edits = []
    for i, value in enumerate(key):
        if isinstance(value, str) and _TIME.match(value):
            bads = ["2026-13-45T25:61:00Z", "2026-02-30T00:00:00Z", 5, *_BAD_TIMES]
        elif isinstance(value, str):
            bads = [None, "\ud800", "x" * 5000]
        elif isinstance(value, bool) or value is None:
            bads = ["x", 2**64]
        else:  # a number: a position, a sequence number, a price, a rating
            bads = [2**64, -(2**64), "12", float("inf")]
            if isinstance(value, int):
                bads += [-1, 1.5]
            if not str(key[0]).startswith("listings.price"):  # a listing without a price sorts with null
                bads.append(None)
        for bad in bads:
            edits.append(raw_cursor([*key[:i], bad, *key[i + 1 :]]))
    return edits + [raw_cursor([*key, "extra"]), raw_cursor(key[1:])]


#: Cursors no list issues, in the shapes lists used to issue: garbage, time/id pairs with a bad time, positions
#: past 2^63 or negative, text that is not Unicode, nested JSON.
FOREIGN = [
    "not-a-cursor!",
    "a" * 3000,
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    raw_cursor({"a": 1}),
    raw_cursor(["2026-13-45T25:61:00Z", "x"]),
    raw_cursor(["2026-01-01T00:00:00Z", "00000000-0000-4000-8000-000000000000"]),
    raw_cursor([2**64]),
    raw_cursor([-1]),
    raw_cursor(["12"]),
    raw_cursor(["\ud800", "x"]),
    raw_cursor(["price_asc", 2**64, "x"]),
    raw_cursor(["postSearch", 10**6]),
    base64.urlsafe_b64encode(b"[" * 10000 + b"]" * 10000).decode(),
]


async def _world(app, client) -> tuple[dict, dict]:
    """Two verified people (``me`` also an officer) with something in most lists; returns (headers, variables)."""
    officer = await make_officer(app, client)
    me = await make_verified(app, client, officer, fullName="Nguyễn Thị Mai")
    you = await make_verified(app, client, officer, fullName="Nguyễn Văn Hùng")
    await set_granted_role(app.state.runtime, uuid_of(me.id), "officer", grant=True)
    await connect(client, me, you)
    friend = await make_verified(app, client, officer, fullName="Trần Văn Bình")
    await connect(client, friend, me)
    await connect(client, friend, you)
    stranger = await make_verified(app, client, officer, fullName="Lê Văn Cường")
    # The officer reads the approved requests' details on duty: an entry on each applicant's access log.
    await gql(client, APPROVED_DETAILS, headers=officer.auth)
    await gql(client, ASK, {"id": me.id}, headers=stranger.auth)
    await gql(client, ASK, {"id": officer.id}, headers=me.auth)
    await gql(client, FOLLOW, {"id": me.id}, headers=you.auth)
    await gql(client, FOLLOW, {"id": you.id}, headers=me.auth)
    org = (
        await gql(
            client,
            ORG,
            {"input": {"name": "Công ty Xe Đạp Hồ Tây", "kind": "BUSINESS", "taxCode": "0101234567"}},
            headers=me.auth,
        )
    )["data"]["organizationRegister"]
    org_id = org["organization"]["id"]
    await gql(client, FOLLOW, {"id": org_id}, headers=you.auth)
    await gql(client, INVITE, {"org": org_id, "person": friend.id}, headers=me.auth)
    their_org = await gql(
        client,
        ORG,
        {"input": {"name": "Hợp tác xã Xe Đạp Long Biên", "kind": "BUSINESS", "taxCode": "0107654321"}},
        headers=you.auth,
    )
    await gql(
        client,
        INVITE,
        {"org": their_org["data"]["organizationRegister"]["organization"]["id"], "person": me.id},
        headers=you.auth,
    )
    mine = await post(client, me, "Đạp xe quanh hồ Tây sáng nay")
    yours = await post(client, you, "Xe đạp mới cho cả nhà")
    await comment(client, you, mine, "Đẹp quá!")
    await comment(client, me, mine, "Cảm ơn bạn")
    community = (
        await gql(
            client, COMMUNITY, {"input": {"name": "Câu lạc bộ xe đạp", "joinPolicy": "APPROVAL"}}, headers=me.auth
        )
    )["data"]["communityCreate"]["community"]["id"]
    await gql(client, JOIN, {"id": community}, headers=you.auth)
    await post(client, me, "Hẹn đạp xe sáng Chủ nhật", "COMMUNITY", communityId=community)
    await gql(client, REPORT, {"id": mine}, headers=you.auth)
    await gql(client, REPORT, {"id": yours}, headers=me.auth)
    goods = await create_listing(client, me, title="Xe đạp Thống Nhất")
    await create_listing(client, me, title="Xe đạp điện", priceDong=5_000_000)
    investment = await create_listing(client, me, kind="INVESTMENT", title="Nhà xưởng xe đạp")
    for amount in (1_500_000_000, 2_000_000_000):
        await gql(
            client,
            INTEREST,
            {"input": {"listingId": investment["id"], "amountDong": amount, "message": "Quan tâm"}},
            headers=you.auth,
        )
    theirs = await create_listing(client, you, kind="INVESTMENT", title="Xưởng sửa xe")
    await gql(
        client,
        INTEREST,
        {"input": {"listingId": theirs["id"], "amountDong": 1_000_000_000, "message": "Có"}},
        headers=me.auth,
    )
    await top_up(client, me, 100_000)
    await top_up(client, me, 50_000)
    await placed(client, you, goods["id"])
    await placed(client, you, goods["id"])
    partner_org = await gql(
        client,
        ORG,
        {"input": {"name": "Công ty Đối tác Xe Đạp", "kind": "PARTNER", "taxCode": "0109876543"}},
        headers=me.auth,
    )
    partner_id = partner_org["data"]["organizationRegister"]["organization"]["id"]
    made = await create_app(client, me, partner_id)
    await gql(client, PERSONA_CREATE, {"input": persona_input(made["app"]["id"])}, headers=me.auth)
    for name in ("A", "B"):
        registered = await gql(
            client,
            OPERATION_REGISTER,
            {"input": {"appId": made["app"]["id"], "document": f"query {name} {{ version {{ api }} }}", "name": name}},
            headers=me.auth,
        )
        assert registered["data"]["appOperationRegister"]["errors"] == []
    for secret in ("hs_sk_wrong", "hs_sk_wrong-again"):  # two token-endpoint failures of its client (tokenFailures)
        token = {"grant_type": "client_credentials", "client_id": made["clientId"], "client_secret": secret}
        assert (await client.post("/oauth/token", data=token)).status_code == 401
    for _ in range(2):  # two webhook subscriptions of the app, two deliveries queued to the first
        hooked = await gql(
            client,
            WEBHOOK_CREATE,
            {"input": {"appId": made["app"]["id"], "url": "http://127.0.0.1:9/hook", "eventTypes": ["grant.revoked"]}},
            headers=me.auth,
        )
    subscription = uuid_of(hooked["data"]["webhookSubscriptionCreate"]["subscription"]["id"])
    for _ in range(2):
        await queue_delivery(app, subscription, event_type="grant.revoked")
    seeded = await seed_app(app, Partner(owner=me, organization_id=partner_id, name="Công ty Đối tác Xe Đạp"))
    await seed_grant(app, seeded, uuid_of(me.id))
    variables = {
        "partner": partner_id,
        "app": made["app"]["id"],
        "community": community,
        "seller": me.id,
        "listing": investment["id"],
        "post": mine,
        "org": org_id,
        "you": you.id,
    }
    return me.auth, variables


APPROVED_DETAILS = "{ verificationRequests(status: APPROVED, first: 10) { edges { node { applicantFullName } } } }"


def _list_name(key: tuple[str, str]) -> str:
    return key[1].split(":")[0]


async def test_the_probes_cover_every_list_field_of_the_schema(client):
    types = (await gql(client, INTROSPECT_LISTS))["data"]["__schema"]["types"]
    in_schema = {
        (t["name"], f["name"])
        for t in types
        if t["kind"] in ("OBJECT", "INTERFACE") and not t["name"].startswith("__")
        for f in t["fields"] or []
        if any(a["name"] == "after" for a in f["args"])
    }
    assert in_schema == {(t, _list_name((t, f))) for t, f in LISTS}


async def test_every_list_refuses_cursors_it_did_not_issue_and_takes_its_own(app, client):
    headers, variables = await _world(app, client)

    async def call(key, after):
        document = LISTS[key]
        used = {k: v for k, v in variables.items() if f"${k}" in document}
        return await gql(client, document, {**used, "after": after}, headers=headers)

    issued: dict[tuple[str, str], list[str]] = {}
    for key in LISTS:
        first = await call(key, None)
        assert "errors" not in first, (key, first)
        issued[key] = [e["cursor"] for e in _find_edges(first["data"])]
    empty = sorted(k for k, cursors in issued.items() if not cursors)
    # Organisations do not post; reviews and disputes need finished orders; nothing is stuck in a healthy world:
    # those take only the hand-made probes.
    assert empty == [
        ("Organization", "posts"),
        ("Query", "disputes"),
        ("Query", "reviews"),
        ("Query", "stuckPayments"),
    ], empty

    # One cursor of each shape from other lists: (time, id), a position, a sequence number, (name, id), a rating.
    samples = {
        ("Query", "feed"),
        ("Query", "walletStatement"),
        ("Query", "communities"),
        ("Query", "listings:RATING"),
        ("Person", "followers"),
    }
    probes = []
    for key in LISTS:
        for cursor in issued[key]:  # its own cursors keep working
            probes.append((key, cursor, True))
        others = [issued[other][0] for other in samples if issued[other] and not _same_list(key, other)]
        tampered = _tampered(issued[key][0]) if issued[key] else []
        probes += [(key, cursor, False) for cursor in FOREIGN + others + tampered]

    async def probe(key, cursor, own):
        body = await call(key, cursor)
        codes = error_codes(body)
        field = body["errors"][0].get("extensions", {}).get("field") if codes else None
        if (own and codes) or (not own and (codes != ["INVALID_INPUT"] or field != "after")):
            return (key, cursor, codes, field, [e["message"] for e in body.get("errors", [])])
        return None

    failures = []
    for start in range(0, len(probes), 8):
        found = await asyncio.gather(*(probe(*p) for p in probes[start : start + 8]))
        failures += [f for f in found if f]
    assert not failures, f"{len(failures)} failures, e.g. " + "\n".join(map(str, failures[:30]))


def _same_list(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Actor.followers, Person.followers and Organization.followers are one list (and so are their posts)."""
    actors = ("Actor", "Person", "Organization")
    return one == other or (one[0] in actors and other[0] in actors and one[1] == other[1])


def _find_edges(data) -> list[dict]:
    if isinstance(data, dict):
        if "edges" in data:
            return data["edges"]
        for value in data.values():
            found = _find_edges(value)
            if found:
                return found
    return []

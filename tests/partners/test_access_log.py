"""Who read my data: every read of a person's non-public data by an officer on duty or an app under a grant is on
the person's access log, once per request, before the answer leaves; a hidden (null) field is not; the person alone
pages through their log; if the log cannot be written the answer is 503 with no data."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from neo4j.exceptions import Neo4jError

import graph.access_log
from tests.both_ways import refuses_cursor, walk_both_ways
from tests.identity.people import REQUEST, make_officer, register, uuid_of
from tests.marketplace.listing_helpers import create_listing
from tests.marketplace.order_helpers import drive, people, placed
from tests.marketplace.wallet_helpers import top_up
from tests.partners.access_log_support import LOG, access_log_of, count_entries
from tests.partners.support import app_person_id, app_token, make_partner, seed_app, seed_grant
from tests.social.helpers import AUDIENCE, post
from tests.support import error_codes, gql, raw_cursor

# --- officers on duty: verification -----------------------------------------------------------------------------------

QUEUE = """
query Queue {
  verificationRequests(first: 10) {
    edges { node { id status applicantFullName born: applicantDateOfBirth again: applicantDateOfBirth documentLast4 } }
  }
}
"""
#: Two paths to one request in one document (the queue and node(id:)), fields overlapping, under aliases.
TWO_PATHS = """
query TwoPaths($id: ID!) {
  verificationRequests(first: 10) { edges { node { id applicantFullName applicantDateOfBirth } } }
  node(id: $id) { ... on VerificationRequest { name: applicantFullName sex: applicantSex documentKind } }
}
"""
STATUS_ONLY = "query { verificationRequests(first: 10) { edges { node { id status note } } } }"
MINE = "query { me { verificationRequests { applicantFullName applicantDateOfBirth documentLast4 } } }"
APPROVE = """
mutation Approve($id: ID!) {
  verificationRequestApprove(input: {verificationRequestId: $id}) {
    verificationRequest { status applicantFullName } errors { code }
  }
}
"""
NODE = "query Node($id: ID!) { node(id: $id) { id ... on DataAccessLogEntry { fields } } }"

VERIFICATION_FIELDS = [
    "VerificationRequest.applicantDateOfBirth",
    "VerificationRequest.applicantFullName",
    "VerificationRequest.applicantSex",
    "VerificationRequest.documentKind",
]


async def _applicant_with_request(client: httpx.AsyncClient, **overrides):
    applicant = await register(client, fullName="Lê Thị Hoa", **overrides)
    created = await gql(client, REQUEST, {"note": "Xin xác minh"}, headers=applicant.auth)
    return applicant, created["data"]["verificationRequestCreate"]["verificationRequest"]["id"]


async def test_an_officer_reading_a_verification_request_is_on_the_applicants_log_once(client, app):
    officer = await make_officer(app, client)
    applicant, request_id = await _applicant_with_request(client)

    before = datetime.now(UTC)
    read = await gql(client, TWO_PATHS, {"id": request_id}, headers=officer.auth)
    after = datetime.now(UTC)
    assert read["data"]["node"]["name"] == "Lê Thị Hoa", read

    (entry,) = await access_log_of(client, applicant)
    assert entry["fields"] == VERIFICATION_FIELDS  # each field once: two paths, aliases
    assert entry["basis"] == "DUTY" and entry["duty"] == "verification" and entry["scopes"] == []
    assert entry["officer"] == {"id": officer.id, "displayName": officer.name}
    assert entry["app"] is None and entry["grant"] is None
    assert before <= datetime.fromisoformat(entry["at"]) <= after

    # Nothing personal handed out (status, the note written for the officers): nothing logged, nothing written.
    assert "errors" not in await gql(client, STATUS_ONLY, headers=officer.auth)
    # The applicant reading their own request is no one else reading their data.
    mine = await gql(client, MINE, headers=applicant.auth)
    assert mine["data"]["me"]["verificationRequests"][0]["applicantFullName"] == "Lê Thị Hoa"
    assert len(await access_log_of(client, applicant)) == 1

    # Aliases of one field in one request: one entry, the field once.
    await gql(client, QUEUE, headers=officer.auth)
    # A mutation's payload discloses too.
    approved = await gql(client, APPROVE, {"id": request_id}, headers=officer.auth)
    assert approved["data"]["verificationRequestApprove"]["verificationRequest"]["applicantFullName"] == "Lê Thị Hoa"
    newest, queue, _ = await access_log_of(client, applicant)
    assert newest["fields"] == ["VerificationRequest.applicantFullName"]
    assert queue["fields"] == [
        "VerificationRequest.applicantDateOfBirth",
        "VerificationRequest.applicantFullName",
        "VerificationRequest.documentLast4",
    ]
    assert await count_entries(app) == 3  # the officer's own log holds nothing: they read no one's data of theirs
    assert await access_log_of(client, officer) == []

    # Only the person reads their log: not another person (node(id:) is null), not anonymously.
    assert (await gql(client, NODE, {"id": entry["id"]}, headers=officer.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": entry["id"]}, headers=applicant.auth))["data"]["node"]["fields"]
    assert error_codes(await gql(client, LOG, {"first": 5})) == ["UNAUTHENTICATED"]


# --- officers on duty: moderation -------------------------------------------------------------------------------------

REPORT = """
mutation Report($id: ID!) { reportCreate(input: {subjectId: $id, reason: "Spam"}) { report { id } errors { code } } }
"""
MODERATION_QUEUE = """
query { moderationQueue(first: 10) { edges { node { id subjectKind subjectText text: subjectText } } } }
"""


async def test_an_officer_reading_reported_content_is_on_its_authors_log_and_a_null_text_is_not(client, app):
    officer = await make_officer(app, client)
    author = await register(client, fullName="Phạm Văn Bình")
    reporter = await register(client, fullName="Đỗ Thị Mai")
    # A report about the person themself carries no text.
    about_person = await gql(client, REPORT, {"id": author.id}, headers=reporter.auth)
    assert about_person["data"]["reportCreate"]["errors"] == [], about_person
    seen = await gql(client, MODERATION_QUEUE, headers=officer.auth)
    assert [n["subjectText"] for n in (e["node"] for e in seen["data"]["moderationQueue"]["edges"])] == [None]
    assert await access_log_of(client, author) == []  # null: nothing disclosed, nothing logged

    public = await post(client, author, "Bán hàng giả giá rẻ")
    about_post = await gql(client, REPORT, {"id": public}, headers=reporter.auth)
    assert about_post["data"]["reportCreate"]["errors"] == [], about_post
    seen = await gql(client, MODERATION_QUEUE, headers=officer.auth)
    assert "Bán hàng giả giá rẻ" in [e["node"]["text"] for e in seen["data"]["moderationQueue"]["edges"]]
    (entry,) = await access_log_of(client, author)
    assert entry["fields"] == ["Report.subjectText"] and entry["duty"] == "moderation"
    assert entry["officer"]["id"] == officer.id
    assert await access_log_of(client, reporter) == []


# --- officers on duty: marketplace ------------------------------------------------------------------------------------

OVERSEE = """
query Oversee($order: ID!) {
  node(id: $order) { ... on Order { status totalDong items { title } again: items { quantity } events { to } } }
  disputes(first: 5) { edges { node { reason order { totalDong dispute { reason } } } } }
}
"""
OPEN_DISPUTE = """
mutation Open($input: DisputeOpenInput!) { disputeOpen(input: $input) { dispute { id } errors { code } } }
"""
BUYER_READS = (
    "query Own($order: ID!) { node(id: $order) { ... on Order { totalDong items { title } dispute { reason } } } }"
)


async def test_an_officer_overseeing_an_order_and_its_dispute_is_on_both_parties_logs_once(client, app):
    seller, buyer = await people(app, client, 2)
    officer = seller.extra["officer"]
    await top_up(client, buyer, 1_000_000)
    listing = await create_listing(client, seller, priceDong=200_000, stock=1)
    order = await placed(client, buyer, listing["id"])
    await drive(client, order["id"], "paid", buyer=buyer, seller=seller)
    opened = await gql(
        client, OPEN_DISPUTE, {"input": {"orderId": order["id"], "reason": "Hàng lỗi"}}, headers=buyer.auth
    )
    assert opened["data"]["disputeOpen"]["errors"] == [], opened
    assert "errors" not in await gql(client, BUYER_READS, {"order": order["id"]}, headers=buyer.auth)
    assert "errors" not in await gql(client, BUYER_READS, {"order": order["id"]}, headers=seller.auth)

    read = await gql(client, OVERSEE, {"order": order["id"]}, headers=officer.auth)
    assert read["data"]["disputes"]["edges"][0]["node"]["reason"] == "Hàng lỗi", read
    for party in (buyer, seller):
        (entry,) = await access_log_of(client, party)
        assert entry["fields"] == ["Dispute.reason", "Order.events", "Order.items", "Order.totalDong"], entry
        assert entry["duty"] == "marketplace" and entry["officer"]["id"] == officer.id


# --- the log pages both ways, scoped to its person ----------------------------------------------------------------------


async def test_the_log_pages_both_ways_newest_first_and_refuses_other_cursors(client, app):
    officer = await make_officer(app, client)
    applicant, request_id = await _applicant_with_request(client)
    other, _ = await _applicant_with_request(client)
    for _ in range(5):
        await gql(client, TWO_PATHS, {"id": request_id}, headers=officer.auth)
    ids = await walk_both_ways(client, LOG, lambda data: data["myDataAccessLog"], headers=applicant.auth, size=2)
    entries = await access_log_of(client, applicant)
    assert ids == [e["id"] for e in entries] and len(ids) == 5
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)

    # A cursor of my log is not one of someone else's; a cursor of another list is not one of this list.
    body = await gql(client, LOG, {"first": 1}, headers=applicant.auth)
    mine = body["data"]["myDataAccessLog"]["pageInfo"]["endCursor"]
    await refuses_cursor(client, LOG, mine, headers=other.auth)
    await refuses_cursor(
        client, LOG, raw_cursor(["notifications", "2026-05-01T08:00:00Z", "x"]), headers=applicant.auth
    )


# --- fail closed ------------------------------------------------------------------------------------------------------


async def test_a_log_that_cannot_be_written_withholds_the_answer_with_503_and_writes_nothing(client, app, monkeypatch):
    officer = await make_officer(app, client)
    applicant, request_id = await _applicant_with_request(client)
    real = graph.access_log.write_entries
    failures = [
        # Neo4j times the transaction out after the entries were created: rolled back, nothing half-written.
        Neo4jError._hydrate_neo4j(
            code="Neo.ClientError.Transaction.TransactionTimedOut", message="The transaction has been terminated."
        ),
        RuntimeError("anything else that goes wrong"),
    ]
    for failure in failures:

        async def failing(tx, *args, failure=failure, **kwargs):
            await real(tx, *args, **kwargs)
            raise failure

        monkeypatch.setattr(graph.access_log, "write_entries", failing)
        response = await client.post(
            "/graphql", json={"query": TWO_PATHS, "variables": {"id": request_id}}, headers=officer.auth
        )
        assert response.status_code == 503, response.text
        body = response.json()
        assert "data" not in body
        assert error_codes(body) == ["UNAVAILABLE"]
        assert "Lê Thị Hoa" not in response.text
        assert int(response.headers["retry-after"]) >= 1
        assert await count_entries(app) == 0
    vietnamese = await client.post(
        "/graphql",
        json={"query": TWO_PATHS, "variables": {"id": request_id}},
        headers={**officer.auth, "accept-language": "vi"},
    )
    assert vietnamese.status_code == 503 and "nhật ký truy cập" in vietnamese.json()["errors"][0]["message"]

    # Nothing to log: the request never touches the log, so a broken log does not stop it.
    assert "errors" not in await gql(client, STATUS_ONLY, headers=officer.auth)
    monkeypatch.setattr(graph.access_log, "write_entries", real)
    assert (await gql(client, TWO_PATHS, {"id": request_id}, headers=officer.auth))["data"]["node"]
    assert len(await access_log_of(client, applicant)) == 1


# --- apps under a grant -----------------------------------------------------------------------------------------------

APP_READS = """
query Person($id: ID!) {
  node(id: $id) { ... on Person { displayName ward { name } again: ward { code } phone dateOfBirth } }
  person: node(id: $id) { ... on Person { ward { name } phone } }
}
"""


async def test_an_apps_reads_are_logged_with_the_app_and_the_grant_once_and_hidden_fields_not(client, app):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "ward.read", "contact.read"))
    person = await register(client, fullName="Vũ Minh Khoa")
    grant = await seed_grant(app, seeded, uuid_of(person.id))
    headers = app_token(app, seeded, grant)

    # The grant's person through the real app viewer and field scopes: the app is them (identity.privacy), so their
    # phone and ward arrive; the birth date is outside the grant (FORBIDDEN, null) and not logged.
    read = await gql(client, APP_READS, {"id": app_person_id(app, seeded, person.id)}, headers=headers)
    assert read["data"]["node"]["ward"]["name"] and read["data"]["node"]["phone"] == "+84" + person.phone[1:], read
    assert read["data"]["node"]["dateOfBirth"] is None
    (refused,) = read["errors"]
    assert refused["extensions"]["code"] == "FORBIDDEN" and refused["extensions"]["requiredScope"] == "birthdate.read"

    (entry,) = await access_log_of(client, person)
    assert entry["fields"] == ["Person.phone", "Person.ward"]  # once each: aliases, two paths
    assert entry["scopes"] == ["contact.read", "ward.read"] and entry["basis"] == "GRANT" and entry["duty"] is None
    assert entry["app"]["name"] == "Đỗ Xe Hà Nội" and uuid_of(entry["app"]["id"]) == seeded.app_id
    assert uuid_of(entry["grant"]["id"]) == grant.grant_id
    assert {s["name"] for s in entry["grant"]["scopes"]} == set(grant.scopes)
    assert entry["officer"] is None

    # Someone else read through this person's grant: the app sees them as a stranger does (a public ward, no phone),
    # and it is on their log, without the grant (it is not theirs); the hidden phone is not.
    neighbour = await register(client, fullName="Hoàng Thu Trang")
    public_ward = await gql(client, AUDIENCE, {"field": "WARD", "audience": "PUBLIC"}, headers=neighbour.auth)
    assert public_ward["data"]["profileAudienceSet"]["errors"] == [], public_ward
    theirs_read = await gql(client, APP_READS, {"id": app_person_id(app, seeded, neighbour.id)}, headers=headers)
    assert theirs_read["data"]["node"]["phone"] is None and theirs_read["data"]["node"]["ward"], theirs_read
    (theirs,) = await access_log_of(client, neighbour)
    assert theirs["fields"] == ["Person.ward"] and theirs["scopes"] == ["ward.read"]
    assert theirs["app"]["name"] == "Đỗ Xe Hà Nội" and theirs["grant"] is None
    assert len(await access_log_of(client, person)) == 1

    # The log is the person's, never an app's.
    refused_log = await gql(client, LOG, {"first": 5}, headers=headers)
    assert error_codes(refused_log) == ["FORBIDDEN"] and "data" not in refused_log, refused_log


# --- userinfo ---------------------------------------------------------------------------------------------------------

ME = "query { me { phone email dateOfBirth } }"


async def _userinfo_app(app, client):
    partner = await make_partner(app, client)
    scopes = ("openid", "profile.basic", "contact.read", "birthdate.read")
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client, fullName="Trịnh Văn Nam")
    grant = await seed_grant(app, seeded, uuid_of(person.id))
    return seeded, person, grant, app_token(app, seeded, grant)


async def test_userinfo_is_logged_once_before_it_answers_and_agrees_with_me(client, app):
    seeded, person, grant, headers = await _userinfo_app(app, client)
    info = await client.get("/oauth/userinfo", headers=headers)
    assert info.status_code == 200, info.text
    claims = info.json()
    assert claims["phone_number"] == "+84" + person.phone[1:] and claims["email"] == person.email
    assert claims["birthdate"] == "1990-05-17" and claims["name"] == "Trịnh Văn Nam"

    (entry,) = await access_log_of(client, person)
    assert entry["fields"] == ["Person.dateOfBirth", "Person.email", "Person.phone"]  # not the name: not personal
    assert entry["scopes"] == ["birthdate.read", "contact.read"] and entry["basis"] == "GRANT"
    assert uuid_of(entry["app"]["id"]) == seeded.app_id and uuid_of(entry["grant"]["id"]) == grant.grant_id

    # /graphql's me, under the same token, answers the same values (one privacy exit, one liveness rule).
    me = (await gql(client, ME, headers=headers))["data"]["me"]
    assert (me["phone"], me["email"], me["dateOfBirth"]) == (
        claims["phone_number"],
        claims["email"],
        claims["birthdate"],
    )
    assert len(await access_log_of(client, person)) == 2


async def test_userinfo_whose_reads_cannot_be_logged_answers_503_with_no_claims(client, app, monkeypatch):
    seeded, person, grant, headers = await _userinfo_app(app, client)
    real = graph.access_log.write_entries

    async def failing(tx, *args, **kwargs):
        await real(tx, *args, **kwargs)
        raise RuntimeError("the log's disk is full")

    monkeypatch.setattr(graph.access_log, "write_entries", failing)
    refused = await client.get("/oauth/userinfo", headers=headers)
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["error"] == "temporarily_unavailable" and "access log" in body["error_description"]
    assert set(body) == {"error", "error_description"} and person.phone[1:] not in refused.text
    assert int(refused.headers["retry-after"]) >= 1 and refused.headers["cache-control"] == "no-store"
    assert await count_entries(app) == 0

    # Nothing personal to disclose, nothing to log: a broken log does not stop it.
    narrow = app_token(app, seeded, grant, scopes=("openid",))
    assert (await client.get("/oauth/userinfo", headers=narrow)).json() == {"sub": grant.sub}
    monkeypatch.setattr(graph.access_log, "write_entries", real)
    assert (await client.get("/oauth/userinfo", headers=headers)).status_code == 200
    assert len(await access_log_of(client, person)) == 1

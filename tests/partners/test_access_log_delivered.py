"""The access log records only what reached the answer: a personal value that resolved but was erased (a refused
non-null sibling nulled its parent) was never disclosed, so it is not logged (``ReadSet.keep_delivered``, applied by
``schema.access_log.AccessLogWriter`` to the final ``data`` of queries and mutations alike). A delivered read, an
app's or an officer's on duty, is still logged."""

from __future__ import annotations

from tests.identity.people import REQUEST, make_officer, make_verified, register, uuid_of
from tests.partners.access_log_support import access_log_of, logged_fields
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.support import gql

ERASED = "query { me { phone displayName } }"  # displayName: String!, refused without profile.basic: me is null
DELIVERED = "query { me { phone } }"
DUTY = "query N($id: ID!) { node(id: $id) { ... on VerificationRequest { applicantFullName } } }"


async def test_a_value_erased_from_the_answer_is_not_logged_and_a_delivered_one_is(app, client):
    partner = await make_partner(app, client)
    person = await make_verified(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "contact.read"))
    headers = app_token(app, seeded, await seed_grant(app, seeded, uuid_of(person.id)))

    erased = await gql(client, ERASED, headers=headers)
    assert erased["data"]["me"] is None
    assert [e["extensions"]["code"] for e in erased["errors"]] == ["FORBIDDEN"]
    assert await access_log_of(client, person) == []  # the app never received the phone

    delivered = await gql(client, DELIVERED, headers=headers)
    assert delivered["data"]["me"]["phone"]
    assert logged_fields(await access_log_of(client, person)) == ["Person.phone"]

    # An officer's duty read that reaches the answer is still logged.
    officer = await make_officer(app, client)
    applicant = await register(client, fullName="Lê Thị Hoa")
    created = await gql(client, REQUEST, {"note": "Xin xác minh"}, headers=applicant.auth)
    request_id = created["data"]["verificationRequestCreate"]["verificationRequest"]["id"]
    read = await gql(client, DUTY, {"id": request_id}, headers=officer.auth)
    assert read["data"]["node"]["applicantFullName"] == "Lê Thị Hoa"
    assert logged_fields(await access_log_of(client, applicant)) == ["VerificationRequest.applicantFullName"]

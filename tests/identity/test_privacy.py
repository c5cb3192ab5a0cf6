"""Who sees a person's personal fields, on every path that reaches a person (identity/privacy.py).

Defaults: date of birth, sex, phone and e-mail ONLY_ME; ward CONNECTIONS; investor sectors PUBLIC.
Paths: ``node(id:)``, ``actors(search:)``, ``Organization.representatives`` and
``Organization.representationHistory``; the person themself reads everything through ``me``. Signed out, search
finds no person and an organisation lists no representative (issue 12): the anonymous caller reaches a person
through ``node(id:)`` only.
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tests.identity.people import Someone, make_officer, make_verified, register, uuid_of
from tests.support import error_codes, gql

SEEN = """
fragment Seen on Person {
  id displayName closed dateOfBirth sex phone email ward { code name } investorSectors
}
"""

NODE_PERSON = (
    SEEN
    + """
query Node($id: ID!) { node(id: $id) { id ... on Person { ...Seen } } }
"""
)

ACTORS = (
    SEEN
    + """
query Actors($search: String!) {
  actors(search: $search, first: 50) { edges { node { id kind ... on Person { ...Seen } } } }
}
"""
)

REPRESENTATIVES = (
    SEEN
    + """
query Org($id: ID!) {
  node(id: $id) { ... on Organization { representatives { role person { ...Seen } } } }
}
"""
)

HISTORY = (
    SEEN
    + """
query History($id: ID!) {
  node(id: $id) { ... on Organization { representationHistory { action person { ...Seen } by { ...Seen } } } }
}
"""
)

ME = (
    SEEN
    + """
query { me { ...Seen audiences { dateOfBirth sex phone email ward investorSectors } } }
"""
)

ONLY_FOR_ME = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Person {
      identityDocumentKind identityDocumentLast4
      audiences { dateOfBirth sex phone email ward investorSectors }
      contacts { id kind value }
      verificationRequests { id status }
      organizations { role organization { id } }
    }
  }
}
"""

AUDIENCE_SET = (
    SEEN
    + """
mutation Audience($field: ProfileField!, $audience: Audience!) {
  profileAudienceSet(input: {field: $field, audience: $audience}) {
    person { ...Seen audiences { dateOfBirth sex phone email ward investorSectors } }
    errors { code field message }
  }
}
"""
)

ORG_REGISTER = """
mutation Org($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id } errors { code field message } }
}
"""

REPRESENTATIVE_SET = """
mutation Rep($org: ID!, $person: ID!, $role: RepresentativeRole!) {
  representativeSet(input: {organizationId: $org, personId: $person, role: $role}) {
    representatives { role person { id } }
    errors { code field message }
  }
}
"""

INVITATION_ACCEPT = """
mutation Accept($input: RepresentativeInvitationAcceptInput!) {
  representativeInvitationAccept(input: $input) { errors { code field message } }
}
"""

VERIFICATION_REQUEST = """
mutation { verificationRequestCreate(input: {}) { verificationRequest { id status } errors { code message } } }
"""

ACCOUNT_CLOSE = """
mutation Close($password: String!) { accountClose(input: {password: $password}) { errors { code field message } } }
"""

# Fields A hides by default (ward: connections only; the others: only A).
HIDDEN_BY_DEFAULT = ("dateOfBirth", "sex", "phone", "email", "ward")
SECTORS = ["Bất động sản", "Du lịch"]

#: ProfileField value -> the Person field it governs.
FIELDS = {
    "DATE_OF_BIRTH": "dateOfBirth",
    "SEX": "sex",
    "PHONE": "phone",
    "EMAIL": "email",
    "WARD": "ward",
}

CONNECT = """
MATCH (a:Person {id: $a}), (b:Person {id: $b})
CREATE (a)-[:CONNECTED {since: datetime()}]->(b)
"""


_phones = itertools.count(1)


def phone() -> str:
    """A valid Vietnamese mobile number, unique in this run (people.unique_phone may draw an invalid 0992...)."""
    return f"0912{next(_phones):06d}"


def e164(phone: str) -> str:
    return "+84" + phone[1:]


def a_values(a: Someone) -> dict:
    """A's personal fields as someone allowed to see them gets them."""
    return {
        "dateOfBirth": "1990-05-17",
        "sex": "MALE",
        "phone": e164(a.phone),
        "email": a.email,
        "ward": {"code": "00070", "name": "Hoàn Kiếm"},
        "investorSectors": SECTORS,
    }


async def register_a(client) -> Someone:
    return await register(
        client, roles=["RESIDENT", "INVESTOR"], investorSectors=list(reversed(SECTORS)), phone=phone()
    )


async def register_b(client) -> Someone:
    return await register(
        client, fullName="Phạm Thị Bình", sex="FEMALE", birth=date(1994, 11, 3), wardCode="00004", phone=phone()
    )


async def connect(graph, first: Someone, second: Someone) -> None:
    # There is no connection API yet (it comes with the next issue): the CONNECTED relationship is
    # created with raw Cypher, the way that feature will store it.
    async def work(tx):
        await tx.run(CONNECT, a=uuid_of(first.id), b=uuid_of(second.id))

    await graph.write(work)


async def org_represented_by(client, app, member: Someone) -> tuple[str, Someone]:
    """An organisation registered by a level-2 owner, with ``member`` as one of its representatives."""
    officer = await make_officer(app, client, phone=phone())
    owner = await make_verified(app, client, officer, fullName="Lê Văn Chủ", wardCode="00004", phone=phone())
    body = await gql(
        client,
        ORG_REGISTER,
        {"input": {"name": "Công ty Hồ Tây", "kind": "BUSINESS", "taxCode": "0101234567"}},
        headers=owner.auth,
    )
    result = body["data"]["organizationRegister"]
    assert result["errors"] == [], result["errors"]
    org_id = result["organization"]["id"]
    body = await gql(
        client, REPRESENTATIVE_SET, {"org": org_id, "person": member.id, "role": "MEMBER"}, headers=owner.auth
    )
    assert body["data"]["representativeSet"]["errors"] == []
    body = await gql(client, INVITATION_ACCEPT, {"input": {"organizationId": org_id}}, headers=member.auth)
    assert body["data"]["representativeInvitationAccept"]["errors"] == []
    return org_id, owner


# --- the paths, each returning A as the viewer sees them --------------------------------------------------------


async def through_node(client, a: Someone, org_id: str, headers) -> dict:
    body = await gql(client, NODE_PERSON, {"id": a.id}, headers=headers)
    assert "errors" not in body, body["errors"]
    assert body["data"]["node"] is not None, "a person is visible, only their personal fields are hidden"
    return body["data"]["node"]


async def through_search(client, a: Someone, org_id: str, headers) -> dict:
    body = await gql(client, ACTORS, {"search": "nguyen van an"}, headers=headers)
    assert "errors" not in body, body["errors"]
    people = [e["node"] for e in body["data"]["actors"]["edges"] if e["node"]["id"] == a.id]
    if headers is None:  # signed out, search finds no person at all (issue 12): A is seen through node(id:) only
        assert people == []
        return await through_node(client, a, org_id, headers)
    (found,) = people
    assert found["kind"] == "PERSON"
    return found


async def through_representatives(client, a: Someone, org_id: str, headers) -> dict:
    body = await gql(client, REPRESENTATIVES, {"id": org_id}, headers=headers)
    assert "errors" not in body, body["errors"]
    if headers is None:  # signed out, an organisation lists no representative (issue 12): A through node(id:) only
        assert body["data"]["node"] == {"representatives": None}
        return await through_node(client, a, org_id, headers)
    (found,) = [r for r in body["data"]["node"]["representatives"] if r["person"]["id"] == a.id]
    assert found["role"] == "MEMBER"
    return found["person"]


PATHS = {"node": through_node, "representatives": through_representatives, "actors": through_search}


def viewer_headers(viewer: str, b: Someone):
    return b.auth if viewer == "stranger" else None


# --- defaults -------------------------------------------------------------------------------------------------------------


async def test_a_sees_all_their_own_fields_and_the_default_audiences(client):
    a = await register_a(client)
    me = (await gql(client, ME, headers=a.auth))["data"]["me"]
    assert me["id"] == a.id and me["displayName"] == "Nguyễn Văn An" and me["closed"] is False
    assert {k: me[k] for k in a_values(a)} == a_values(a)
    assert me["audiences"] == {
        "dateOfBirth": "ONLY_ME",
        "sex": "ONLY_ME",
        "phone": "ONLY_ME",
        "email": "ONLY_ME",
        "ward": "CONNECTIONS",
        "investorSectors": "PUBLIC",
    }
    myself = await through_node(client, a, "", a.auth)
    assert {k: myself[k] for k in a_values(a)} == a_values(a), "node(id:) on myself shows me everything too"


@pytest.mark.parametrize("viewer", ["stranger", "anonymous"])
@pytest.mark.parametrize("path", list(PATHS))
async def test_hidden_fields_stay_hidden_on_every_path(client, app, path, viewer):
    a = await register_a(client)
    b = await register_b(client)
    org_id, _ = await org_represented_by(client, app, a)
    seen = await PATHS[path](client, a, org_id, viewer_headers(viewer, b))
    assert seen["id"] == a.id and seen["displayName"] == "Nguyễn Văn An" and seen["closed"] is False
    assert {f: seen[f] for f in HIDDEN_BY_DEFAULT} == dict.fromkeys(HIDDEN_BY_DEFAULT), (
        f"{viewer} sees too much via {path}"
    )
    assert seen["investorSectors"] == SECTORS, "investor sectors are public by default"


async def test_an_organisation_owner_who_is_a_stranger_sees_no_hidden_field_of_a_member(client, app):
    a = await register_a(client)
    org_id, owner = await org_represented_by(client, app, a)
    via_list = await through_representatives(client, a, org_id, owner.auth)
    body = await gql(client, HISTORY, {"id": org_id}, headers=owner.auth)
    assert "errors" not in body, body["errors"]
    (change,) = [c for c in body["data"]["node"]["representationHistory"] if c["person"]["id"] == a.id]
    assert change["action"] == "grant" and change["by"]["id"] == owner.id
    for seen in (via_list, change["person"]):
        assert {f: seen[f] for f in HIDDEN_BY_DEFAULT} == dict.fromkeys(HIDDEN_BY_DEFAULT)
        assert seen["investorSectors"] == SECTORS


async def test_signed_out_an_organisation_lists_no_representative(client, app):
    """Signed-out callers see organisations, not the people who act for them (issue 12): ``representatives`` is
    null for them, the organisation itself stays readable; anyone signed in sees the list."""
    a = await register_a(client)
    b = await register_b(client)
    org_id, owner = await org_represented_by(client, app, a)
    listed = (
        "query Org($id: ID!) { node(id: $id) { ... on Organization { id displayName representatives { role "
        "person { id } } } } }"
    )
    signed_out = await gql(client, listed, {"id": org_id})
    assert "errors" not in signed_out, signed_out["errors"]
    assert signed_out["data"]["node"]["id"] == org_id and signed_out["data"]["node"]["representatives"] is None
    for viewer in (b, a, owner):
        seen = (await gql(client, listed, {"id": org_id}, headers=viewer.auth))["data"]["node"]["representatives"]
        assert sorted((r["person"]["id"], r["role"]) for r in seen) == sorted([(owner.id, "OWNER"), (a.id, "MEMBER")])


@pytest.mark.parametrize("viewer", ["stranger", "connection", "anonymous"])
async def test_contacts_audiences_document_and_requests_are_only_for_me(client, app, graph, viewer):
    a = await register_a(client)
    b = await register_b(client)
    await connect(graph, a, b)
    await org_represented_by(client, app, a)
    assert (await gql(client, VERIFICATION_REQUEST, headers=a.auth))["data"]["verificationRequestCreate"][
        "errors"
    ] == []

    mine = (await gql(client, ONLY_FOR_ME, {"id": a.id}, headers=a.auth))["data"]["node"]
    assert mine["identityDocumentKind"] == "CCCD" and mine["identityDocumentLast4"] == a.document[-4:]
    assert mine["audiences"]["phone"] == "ONLY_ME"
    assert sorted(c["value"] for c in mine["contacts"]) == sorted([e164(a.phone), a.email])
    assert [r["status"] for r in mine["verificationRequests"]] == ["PENDING"]
    assert [o["role"] for o in mine["organizations"]] == ["MEMBER"]

    body = await gql(client, ONLY_FOR_ME, {"id": a.id}, headers=None if viewer == "anonymous" else b.auth)
    assert "errors" not in body, body["errors"]
    theirs = body["data"]["node"]
    assert theirs == {
        "id": a.id,
        "identityDocumentKind": None,
        "identityDocumentLast4": None,
        "audiences": None,
        "contacts": None,
        "verificationRequests": None,
        "organizations": None,
    }


# --- A chooses audiences ------------------------------------------------------------------------------------------------


async def set_audience(client, a: Someone, field: str, audience: str) -> dict:
    body = await gql(client, AUDIENCE_SET, {"field": field, "audience": audience}, headers=a.auth)
    result = body["data"]["profileAudienceSet"]
    assert result["errors"] == [], result["errors"]
    return result["person"]


@pytest.mark.parametrize("field", list(FIELDS))
async def test_a_field_made_public_is_seen_by_strangers_and_anonymous_and_only_that_field(client, field):
    a = await register_a(client)
    b = await register_b(client)
    name = FIELDS[field]
    person = await set_audience(client, a, field, "PUBLIC")
    assert person["id"] == a.id and person["audiences"][name] == "PUBLIC"
    assert person[name] == a_values(a)[name], "the payload shows my own value"
    still_hidden = {f: None for f in HIDDEN_BY_DEFAULT if f != name}
    for headers in (b.auth, None):
        seen = await through_node(client, a, "", headers)
        assert seen[name] == a_values(a)[name]
        assert {f: seen[f] for f in still_hidden} == still_hidden

    await set_audience(client, a, field, "ONLY_ME")
    for headers in (b.auth, None):
        assert (await through_node(client, a, "", headers))[name] is None, "hiding it again works at once"


@pytest.mark.parametrize("path", list(PATHS))
async def test_public_fields_show_on_every_path(client, app, path):
    a = await register_a(client)
    b = await register_b(client)
    org_id, _ = await org_represented_by(client, app, a)
    for field in FIELDS:
        await set_audience(client, a, field, "PUBLIC")
    for headers in (b.auth, None):
        seen = await PATHS[path](client, a, org_id, headers)
        assert {k: seen[k] for k in a_values(a)} == a_values(a)


async def test_investor_sectors_made_only_me_are_hidden(client):
    a = await register_a(client)
    b = await register_b(client)
    await set_audience(client, a, "INVESTOR_SECTORS", "ONLY_ME")
    for headers in (b.auth, None):
        assert (await through_node(client, a, "", headers))["investorSectors"] is None
    assert (await through_node(client, a, "", a.auth))["investorSectors"] == SECTORS


async def test_connections_audience_shows_a_field_to_a_connection_and_not_to_a_stranger(client, app, graph):
    a = await register_a(client)
    stranger = await register_b(client)
    friend = await register(client, fullName="Đỗ Minh Châu", birth=date(1988, 2, 14), phone=phone())
    await connect(graph, a, friend)
    org_id, _ = await org_represented_by(client, app, a)
    person = await set_audience(client, a, "PHONE", "CONNECTIONS")
    assert person["audiences"]["phone"] == "CONNECTIONS"
    await set_audience(client, a, "DATE_OF_BIRTH", "CONNECTIONS")

    for path, through in PATHS.items():
        by_friend = await through(client, a, org_id, friend.auth)
        assert by_friend["phone"] == e164(a.phone), path
        assert by_friend["dateOfBirth"] == "1990-05-17", path
        assert by_friend["ward"] == {"code": "00070", "name": "Hoàn Kiếm"}, (
            f"ward is for connections by default ({path})"
        )
        assert by_friend["email"] is None and by_friend["sex"] is None, (
            f"ONLY_ME stays hidden from a connection ({path})"
        )
        for headers in (stranger.auth, None):
            seen = await through(client, a, org_id, headers)
            assert {f: seen[f] for f in HIDDEN_BY_DEFAULT} == dict.fromkeys(HIDDEN_BY_DEFAULT), path

    # The connection runs from A to the friend; it counts both ways, but not for the friend's own fields.
    friend_seen_by_a = await through_node(client, friend, "", a.auth)
    assert friend_seen_by_a["ward"] == {"code": "00070", "name": "Hoàn Kiếm"}
    assert friend_seen_by_a["phone"] is None


# --- a closed account ----------------------------------------------------------------------------------------------------


async def test_a_closed_account_shows_no_personal_field_to_anyone(client):
    a = await register_a(client)
    b = await register_b(client)
    for field in [*FIELDS, "INVESTOR_SECTORS"]:
        await set_audience(client, a, field, "PUBLIC")
    before = await through_node(client, a, "", b.auth)
    assert {k: before[k] for k in a_values(a)} == a_values(a), "everything was public before closing"

    closed = (await gql(client, ACCOUNT_CLOSE, {"password": a.password}, headers=a.auth))["data"]["accountClose"]
    assert closed["errors"] == []

    for headers in (b.auth, None):
        seen = await through_node(client, a, "", headers)
        assert seen["closed"] is True
        assert "Nguyễn" not in seen["displayName"] and "An" not in seen["displayName"].split()
        assert {f: seen[f] for f in HIDDEN_BY_DEFAULT} == dict.fromkeys(HIDDEN_BY_DEFAULT)
        assert not seen["investorSectors"]


async def test_a_closed_account_is_no_longer_found_by_name(client):
    a = await register_a(client)
    b = await register_b(client)
    assert (await through_search(client, a, "", b.auth))["displayName"] == "Nguyễn Văn An"
    closed = (await gql(client, ACCOUNT_CLOSE, {"password": a.password}, headers=a.auth))["data"]["accountClose"]
    assert closed["errors"] == []
    for headers in (b.auth, None):
        body = await gql(client, ACTORS, {"search": "nguyen van an"}, headers=headers)
        assert "errors" not in body, body["errors"]
        assert a.id not in [e["node"]["id"] for e in body["data"]["actors"]["edges"]]


async def test_closing_needs_the_right_password(client):
    a = await register_a(client)
    refused = (await gql(client, ACCOUNT_CLOSE, {"password": "not my password at all"}, headers=a.auth))["data"][
        "accountClose"
    ]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("INVALID_CREDENTIALS", ["input", "password"])]
    assert (await gql(client, ME, headers=a.auth))["data"]["me"]["closed"] is False


async def test_the_audience_mutation_needs_a_signed_in_person(client):
    body = await gql(client, AUDIENCE_SET, {"field": "PHONE", "audience": "PUBLIC"})
    assert error_codes(body) == ["UNAUTHENTICATED"]

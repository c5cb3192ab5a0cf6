"""Partner apps through the API: created by a partner's owners and admins, checked all at once, their secret shown
once and rotated with an overlap, reviewed by officers; an app made with appCreate has the shape seed_app writes."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import UTC, datetime, timedelta

from tests.identity.people import make_officer, make_verified, register, uuid_of
from tests.identity.test_organizations import add_representative, register_org
from tests.identity.test_sessions import verify_phone
from tests.partners.support import make_partner, seed_app
from tests.support import error_codes, gql

APP_FIELDS = """
id name description homepageUrl privacyPolicyUrl logoUrl environment status createdAt approvedAt
partner { id }
requestedScopes { name title purpose }
client { clientId kind redirectUris allowedOrigins secrets { last4 createdAt expiresAt } }
"""

APP_CREATE = f"""
mutation Create($input: AppCreateInput!) {{
  appCreate(input: $input) {{ app {{ {APP_FIELDS} }} clientId clientSecret errors {{ code field message }} }}
}}
"""
APP_UPDATE = f"""
mutation Update($input: AppUpdateInput!) {{
  appUpdate(input: $input) {{ app {{ {APP_FIELDS} }} errors {{ code field message }} }}
}}
"""
ROTATE = f"""
mutation Rotate($id: ID!) {{
  clientSecretRotate(input: {{appId: $id}}) {{
    app {{ {APP_FIELDS} }} clientSecret previousSecretExpiresAt errors {{ code field message }}
  }}
}}
"""
APPROVE = (
    "mutation($id: ID!) { appApprove(input: {appId: $id}) { app { environment approvedAt } errors { code field } } }"
)
SUSPEND = """
mutation($id: ID!, $reason: String!) {
  appSuspend(input: {appId: $id, reason: $reason}) { app { status } errors { code field } }
}
"""
REINSTATE = "mutation($id: ID!) { appReinstate(input: {appId: $id}) { app { status } errors { code field } } }"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on App {{ {APP_FIELDS} }} }} }}"
FOR_REVIEW = "query($first: Int) { appsForReview(first: $first) { totalCount edges { node { id name } } } }"
ORG_APPS = """
query($id: ID!) { node(id: $id) { ... on Organization { apps(first: 10) { totalCount edges { node { id name } } } } } }
"""


def app_input(organization_id: str, **overrides) -> dict:
    data = {
        "organizationId": organization_id,
        "name": "Đỗ Xe Hà Nội",
        "description": "Tìm và trả tiền chỗ đỗ xe ở Hà Nội.",
        "homepageUrl": "https://app.example",
        "privacyPolicyUrl": "https://app.example/privacy",
        "clientKind": "CONFIDENTIAL",
        "redirectUris": ["https://app.example/callback"],
        "scopes": [
            {"scope": "openid", "purposeVi": "Để đăng nhập cho bạn.", "purposeEn": "To sign you in."},
            {"scope": "contact.read", "purposeVi": "Để gửi biên lai cho bạn.", "purposeEn": "To send you receipts."},
        ],
    }
    data.update(overrides)
    return data


async def create_app(client, by, organization_id: str, **overrides) -> dict:
    """appCreate by ``by``; the payload (its errors asserted empty)."""
    body = await gql(client, APP_CREATE, {"input": app_input(organization_id, **overrides)}, headers=by.auth)
    payload = body["data"]["appCreate"]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def read(graph, query: str, **params):
    async def work(tx):
        return [record.data() async for record in await tx.run(query, params)]

    return await graph.read(work)


# --- creation ---------------------------------------------------------------------------------------------------------


async def test_owner_and_admin_create_apps_whose_secret_is_shown_once_and_stored_hashed(client, app, graph):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id, logoUrl="https://app.example/logo.png")
    secret, made = created["clientSecret"], created["app"]
    assert secret.startswith("hs_sk_") and len(secret) == len("hs_sk_") + 43
    assert created["clientId"].startswith("hsc_") and len(created["clientId"]) == 4 + 22
    assert (made["environment"], made["status"], made["approvedAt"]) == ("SANDBOX", "ACTIVE", None)
    assert made["partner"]["id"] == partner.organization_id
    assert made["client"]["clientId"] == created["clientId"] and made["client"]["kind"] == "CONFIDENTIAL"
    assert made["client"]["secrets"] == [{"last4": secret[-4:], "createdAt": made["createdAt"], "expiresAt": None}]
    assert [s["name"] for s in made["requestedScopes"]] == ["openid", "contact.read"]
    assert made["requestedScopes"][1]["purpose"] == "To send you receipts."

    # Afterwards only the last 4 characters, to the partner; the consent page's facts to anyone; no client to others.
    again = await client.post("/graphql", json={"query": NODE, "variables": {"id": made["id"]}},
                              headers={**partner.owner.auth, "accept-language": "vi"})  # fmt: skip
    assert secret not in again.text and secret[:-4] not in again.text
    node = again.json()["data"]["node"]
    assert node["client"]["secrets"][0]["last4"] == secret[-4:]
    assert node["requestedScopes"][1]["purpose"] == "Để gửi biên lai cho bạn."
    anonymous = (await gql(client, NODE, {"id": made["id"]}))["data"]["node"]
    assert anonymous["client"] is None and anonymous["name"] == "Đỗ Xe Hà Nội" and anonymous["requestedScopes"]
    stranger = await register(client)
    assert (await gql(client, NODE, {"id": made["id"]}, headers=stranger.auth))["data"]["node"]["client"] is None

    stored = await read(graph, "MATCH (s:ClientSecret)-[:OF_CLIENT]->(:Client {clientId: $id}) RETURN s {.*} AS s",
                        id=created["clientId"])  # fmt: skip
    assert stored == [{"s": {**stored[0]["s"], "sha256": hashlib.sha256(secret.encode()).hexdigest(),
                             "last4": secret[-4:]}}]  # fmt: skip
    everything = await read(graph, "MATCH (n) RETURN properties(n) AS p")
    assert secret not in json.dumps(everything, default=str), "the secret itself is stored nowhere"

    # An admin of the partner creates one too (a public client: no secret); the owner sees both, others null.
    admin = await make_verified(app, client, officer=partner.owner.extra["officer"])
    await add_representative(client, partner.owner, partner.organization_id, admin, "ADMIN")
    public = await create_app(
        client, admin, partner.organization_id, name="Bản đồ Hồ Gươm", clientKind="PUBLIC",
        allowedOrigins=["https://map.example"], scopes=[{"scope": "openid", "purposeVi": "Đăng nhập.",
                                                          "purposeEn": "Sign-in."}],
    )  # fmt: skip
    assert public["clientSecret"] is None and public["app"]["client"]["secrets"] == []
    assert public["app"]["client"]["allowedOrigins"] == ["https://map.example"]
    listed = (await gql(client, ORG_APPS, {"id": partner.organization_id}, headers=partner.owner.auth))["data"]
    assert listed["node"]["apps"]["totalCount"] == 2
    assert [e["node"]["name"] for e in listed["node"]["apps"]["edges"]] == ["Bản đồ Hồ Gươm", "Đỗ Xe Hà Nội"]
    hidden = await gql(client, ORG_APPS, {"id": partner.organization_id}, headers=stranger.auth)
    assert hidden["data"]["node"]["apps"] is None


async def test_an_app_made_with_app_create_has_the_shape_seed_app_writes(client, app, graph):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id)
    seeded = await seed_app(app, partner, environment="sandbox", scopes=("openid", "contact.read"))
    shape = """
    MATCH (o:Organization)-[owns:OWNS_APP]->(a:App {id: $id})-[has:HAS_CLIENT]->(c:Client)<-[of:OF_CLIENT]-(s:ClientSecret)
    RETURN labels(o) AS org, type(owns) AS owns, labels(a) AS appLabels, type(has) AS has, labels(c) AS clientLabels,
           type(of) AS of, labels(s) AS secretLabels, properties(a) AS app, properties(c) AS client,
           properties(s) AS secret
    """

    def kinds(properties: dict) -> dict:
        return {key: type(value).__name__ for key, value in properties.items()}

    mine = (await read(graph, shape, id=uuid_of(created["app"]["id"])))[0]
    theirs = (await read(graph, shape, id=seeded.app_id))[0]
    for part in ("app", "client", "secret"):
        assert kinds(mine[part]) == kinds(theirs[part]), part
        mine[part], theirs[part] = None, None
    assert mine == theirs
    mine_app = (await read(graph, shape, id=uuid_of(created["app"]["id"])))[0]
    assert mine_app["app"]["sectorId"] == mine_app["app"]["id"] and mine_app["app"]["persistedOnly"] is False
    assert json.loads(mine_app["app"]["purposes"])["contact.read"] == {
        "vi": "Để gửi biên lai cho bạn.", "en": "To send you receipts."}  # fmt: skip
    assert mine_app["client"]["grantTypes"] == ["authorization_code", "refresh_token", "client_credentials"]
    assert (mine_app["client"]["authMethod"], mine_app["client"]["idTokenAlg"]) == ("client_secret_basic", "RS256")


async def test_only_owners_and_admins_of_a_partner_at_level_2_create_apps(client, app):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    business = await register_org(client, partner.owner, kind="BUSINESS", name="Công ty Bánh Mì Phố Cổ")
    refused = await gql(client, APP_CREATE, {"input": app_input(business["organization"]["id"])},
                        headers=partner.owner.auth)  # fmt: skip
    assert [(e["code"], e["field"]) for e in refused["data"]["appCreate"]["errors"]] == [
        ("INVALID_INPUT", ["input", "organizationId"])
    ]
    outsider = await make_verified(app, client, officer=officer)
    forbidden = await gql(client, APP_CREATE, {"input": app_input(partner.organization_id)}, headers=outsider.auth)
    assert error_codes(forbidden) == ["FORBIDDEN"] and forbidden["data"]["appCreate"] is None
    level_one = await register(client)
    await verify_phone(client, app, level_one)
    low = await gql(client, APP_CREATE, {"input": app_input(partner.organization_id)}, headers=level_one.auth)
    assert error_codes(low) == ["FORBIDDEN"]
    assert low["errors"][0]["extensions"]["requiredLevel"] == 2 and low["errors"][0]["extensions"]["currentLevel"] == 1
    member = await make_verified(app, client, officer=officer)
    await add_representative(client, partner.owner, partner.organization_id, member, "MEMBER")
    assert error_codes(await gql(client, APP_CREATE, {"input": app_input(partner.organization_id)},
                                 headers=member.auth)) == ["FORBIDDEN"]  # fmt: skip
    assert error_codes(await gql(client, APP_CREATE, {"input": app_input(partner.organization_id)})) == [
        "UNAUTHENTICATED"
    ]
    nowhere = await gql(
        client, APP_CREATE, {"input": app_input("T3JnYW5pemF0aW9uOjAwMDA=")}, headers=partner.owner.auth
    )
    assert [e["code"] for e in nowhere["data"]["appCreate"]["errors"]] == ["NOT_FOUND"]


async def test_every_mistake_of_an_app_is_reported_at_once_with_its_path(client, app):
    partner = await make_partner(app, client)
    body = await gql(
        client,
        APP_CREATE,
        {
            "input": app_input(
                partner.organization_id,
                name=" ",
                homepageUrl="http://app.example",
                privacyPolicyUrl="privacy",
                logoUrl="https://",
                clientKind="PUBLIC",
                redirectUris=["https://app.example/cb#top", "http://app.example/cb", "http://127.0.0.1:8765/cb",
                              "https://app.example:99999/cb"],
                scopes=[
                    {"scope": "openid", "purposeVi": "Đăng nhập.", "purposeEn": "Sign-in."},
                    {"scope": "secrets.everything", "purposeVi": "Vì.", "purposeEn": "Because."},
                    {"scope": "places.read", "purposeVi": "Danh mục.", "purposeEn": "Wards."},
                    {"scope": "openid", "purposeVi": "Lại.", "purposeEn": "Again."},
                    {"scope": "contact.read", "purposeVi": "", "purposeEn": "x" * 301},
                ],
                allowedOrigins=["https://spa.example/app", "https://spa.example", "http://spa.example"],
            )
        },
        headers={**partner.owner.auth, "accept-language": "vi"},
    )  # fmt: skip
    errors = body["data"]["appCreate"]["errors"]
    assert body["data"]["appCreate"]["app"] is None
    assert sorted(".".join(e["field"][1:]) for e in errors) == sorted([
        "name", "homepageUrl", "privacyPolicyUrl", "logoUrl",
        "redirectUris.0", "redirectUris.1", "redirectUris.3",
        "scopes.1.scope", "scopes.2.scope", "scopes.3.scope", "scopes.4.purposeVi", "scopes.4.purposeEn",
        "allowedOrigins.0", "allowedOrigins.2",
    ])  # fmt: skip
    assert {e["code"] for e in errors} == {"INVALID_INPUT"}
    unknown = next(e for e in errors if e["field"] == ["input", "scopes", "1", "scope"])
    assert "secrets.everything" in unknown["message"] and "Không có phạm vi quyền" in unknown["message"]
    confidential = await gql(
        client,
        APP_CREATE,
        {"input": app_input(partner.organization_id, allowedOrigins=["https://spa.example"], redirectUris=[])},
        headers=partner.owner.auth,
    )
    assert sorted(e["field"][1] for e in confidential["data"]["appCreate"]["errors"]) == [
        "allowedOrigins", "redirectUris"]  # fmt: skip


# --- changes and secrets -------------------------------------------------------------------------------------------


async def test_update_changes_only_what_is_given_and_checks_it_against_the_app(client, app):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id, logoUrl="https://app.example/l.png",
                               redirectUris=["https://app.example/callback", "http://127.0.0.1:8765/cb"])  # fmt: skip
    app_id = created["app"]["id"]
    changed = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "name": "Đỗ Xe Thủ Đô", "logoUrl": None}},
                        headers=partner.owner.auth)  # fmt: skip
    updated = changed["data"]["appUpdate"]
    assert updated["errors"] == []
    assert (updated["app"]["name"], updated["app"]["logoUrl"]) == ("Đỗ Xe Thủ Đô", None)
    assert updated["app"]["client"]["redirectUris"] == ["https://app.example/callback", "http://127.0.0.1:8765/cb"]
    assert updated["app"]["description"] == created["app"]["description"]
    wrong = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "allowedOrigins": ["https://spa.example"],
                                                     "homepageUrl": "ftp://x"}}, headers=partner.owner.auth)  # fmt: skip
    assert sorted(e["field"][1] for e in wrong["data"]["appUpdate"]["errors"]) == ["allowedOrigins", "homepageUrl"]
    # Not approved while a loopback redirect URI remains; once replaced, approved; in production, loopback redirect
    # URIs are no longer accepted.
    officer = partner.owner.extra["officer"]
    refused = (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]
    assert refused == {"app": None, "errors": [{"code": "CONFLICT", "field": ["input", "appId"]}]}
    https_only = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "redirectUris": ["https://app.example/cb"]}},
                           headers=partner.owner.auth)  # fmt: skip
    assert https_only["data"]["appUpdate"]["errors"] == []
    assert (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]["errors"] == []
    loopback = await gql(client, APP_UPDATE, {"input": {"appId": app_id, "redirectUris": ["http://[::1]:9000/cb"]}},
                         headers=partner.owner.auth)  # fmt: skip
    assert [e["field"] for e in loopback["data"]["appUpdate"]["errors"]] == [["input", "redirectUris", "0"]]
    stranger = await register(client)
    assert error_codes(await gql(client, APP_UPDATE, {"input": {"appId": app_id, "name": "X"}},
                                 headers=stranger.auth)) == ["FORBIDDEN"]  # fmt: skip


async def test_rotation_keeps_the_previous_secret_for_the_overlap_and_ends_older_ones(client, app, graph):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id)
    app_id, first = created["app"]["id"], created["clientSecret"]
    before = datetime.now(UTC)
    rotated = (await gql(client, ROTATE, {"id": app_id}, headers=partner.owner.auth))["data"]["clientSecretRotate"]
    second = rotated["clientSecret"]
    assert rotated["errors"] == [] and second.startswith("hs_sk_") and second != first
    expires = datetime.fromisoformat(rotated["previousSecretExpiresAt"])
    overlap = timedelta(days=app.state.runtime.settings.client_secret_overlap_days)
    assert before + overlap - timedelta(seconds=5) <= expires <= datetime.now(UTC) + overlap
    secrets = rotated["app"]["client"]["secrets"]
    assert [(s["last4"], s["expiresAt"]) for s in secrets] == [(second[-4:], None),
                                                               (first[-4:], rotated["previousSecretExpiresAt"])]  # fmt: skip

    stored_query = """
    MATCH (s:ClientSecret)-[:OF_CLIENT]->(:Client {clientId: $id})
    RETURN s.sha256 AS sha256, s.expiresAt AS expiresAt ORDER BY s.createdAt
    """
    stored = await read(graph, stored_query, id=created["clientId"])
    assert stored[0]["sha256"] == hashlib.sha256(first.encode()).hexdigest()
    assert stored[0]["expiresAt"].to_native() == expires and stored[1]["expiresAt"] is None

    third = (await gql(client, ROTATE, {"id": app_id}, headers=partner.owner.auth))["data"]["clientSecretRotate"]
    stored = await read(graph, stored_query, id=created["clientId"])
    assert stored[0]["expiresAt"].to_native() <= datetime.now(UTC), "the first secret ends now"
    assert stored[1]["expiresAt"].to_native() > datetime.now(UTC) + overlap - timedelta(seconds=5)
    assert stored[2]["expiresAt"] is None
    assert [s["last4"] for s in third["app"]["client"]["secrets"]] == [third["clientSecret"][-4:], second[-4:]]

    public = await create_app(client, partner.owner, partner.organization_id, clientKind="PUBLIC",
                              scopes=[{"scope": "openid", "purposeVi": "Đăng nhập.", "purposeEn": "Sign-in."}])  # fmt: skip
    refused = await gql(client, ROTATE, {"id": public["app"]["id"]}, headers=partner.owner.auth)
    assert [e["code"] for e in refused["data"]["clientSecretRotate"]["errors"]] == ["CONFLICT"]
    admin = await register(client)
    assert error_codes(await gql(client, ROTATE, {"id": app_id}, headers=admin.auth)) == ["FORBIDDEN"]


async def test_forty_parallel_rotations_leave_exactly_one_current_secret(client, app, graph):
    partner = await make_partner(app, client)
    created = await create_app(client, partner.owner, partner.organization_id)
    results = await asyncio.gather(
        *(gql(client, ROTATE, {"id": created["app"]["id"]}, headers=partner.owner.auth) for _ in range(40))
    )
    new = {r["data"]["clientSecretRotate"]["clientSecret"] for r in results}
    assert len(new) == 40 and all(r["data"]["clientSecretRotate"]["errors"] == [] for r in results)
    current = await read(graph, "MATCH (s:ClientSecret)-[:OF_CLIENT]->(:Client {clientId: $id}) "
                                "WHERE s.expiresAt IS NULL RETURN s.sha256 AS sha256", id=created["clientId"])  # fmt: skip
    assert len(current) == 1 and current[0]["sha256"] in {hashlib.sha256(s.encode()).hexdigest() for s in new}
    live = await read(graph, "MATCH (s:ClientSecret)-[:OF_CLIENT]->(:Client {clientId: $id}) "
                             "WHERE s.expiresAt IS NULL OR s.expiresAt > datetime() RETURN count(s) AS n",
                      id=created["clientId"])  # fmt: skip
    assert live == [{"n": 2}], "the current secret and the one rotated last; the first ended"


# --- officers ------------------------------------------------------------------------------------------------------


async def test_officers_approve_suspend_and_reinstate_apps(client, app, graph):
    partner = await make_partner(app, client)
    officer = partner.owner.extra["officer"]
    first = await create_app(client, partner.owner, partner.organization_id, name="Ứng dụng Một")
    second = await create_app(client, partner.owner, partner.organization_id, name="Ứng dụng Hai")
    queue = (await gql(client, FOR_REVIEW, {"first": 10}, headers=officer.auth))["data"]["appsForReview"]
    assert [e["node"]["name"] for e in queue["edges"]] == ["Ứng dụng Một", "Ứng dụng Hai"] and queue["totalCount"] == 2
    assert error_codes(await gql(client, FOR_REVIEW, {"first": 10}, headers=partner.owner.auth)) == ["FORBIDDEN"]
    # The officer sees the client, as the partner does.
    seen = (await gql(client, NODE, {"id": first["app"]["id"]}, headers=officer.auth))["data"]["node"]
    assert seen["client"]["clientId"] == first["clientId"]

    app_id = first["app"]["id"]
    for mutation, variables in ((APPROVE, {"id": app_id}), (SUSPEND, {"id": app_id, "reason": "Lừa đảo."}),
                                (REINSTATE, {"id": app_id})):  # fmt: skip
        assert error_codes(await gql(client, mutation, variables, headers=partner.owner.auth)) == ["FORBIDDEN"]
    approved = (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]
    assert approved["errors"] == [] and approved["app"]["environment"] == "PRODUCTION" and approved["app"]["approvedAt"]
    again = (await gql(client, APPROVE, {"id": app_id}, headers=officer.auth))["data"]["appApprove"]
    assert again["errors"] == [{"code": "CONFLICT", "field": ["input", "appId"]}]
    queue = (await gql(client, FOR_REVIEW, {"first": 10}, headers=officer.auth))["data"]["appsForReview"]
    assert [e["node"]["name"] for e in queue["edges"]] == ["Ứng dụng Hai"]

    blank = (await gql(client, SUSPEND, {"id": app_id, "reason": " "}, headers=officer.auth))["data"]["appSuspend"]
    assert blank["errors"] == [{"code": "INVALID_INPUT", "field": ["input", "reason"]}]
    suspended = (await gql(client, SUSPEND, {"id": app_id, "reason": "Thu thập dữ liệu quá mức."},
                           headers=officer.auth))["data"]["appSuspend"]  # fmt: skip
    assert suspended == {"app": {"status": "SUSPENDED"}, "errors": []}
    stored = await read(graph, "MATCH (a:App {id: $id}) RETURN a.status AS status, a.suspendedBy AS by, "
                               "a.suspendReason AS reason, a.suspendedAt IS NOT NULL AS at", id=uuid_of(app_id))  # fmt: skip
    assert stored == [{"status": "suspended", "by": uuid_of(officer.id), "reason": "Thu thập dữ liệu quá mức.",
                       "at": True}]  # fmt: skip
    twice = (await gql(client, SUSPEND, {"id": app_id, "reason": "Lại."}, headers=officer.auth))["data"]["appSuspend"]
    assert twice["errors"] == [{"code": "CONFLICT", "field": ["input", "appId"]}]
    reinstated = (await gql(client, REINSTATE, {"id": app_id}, headers=officer.auth))["data"]["appReinstate"]
    assert reinstated == {"app": {"status": "ACTIVE"}, "errors": []}
    assert (await read(graph, "MATCH (a:App {id: $id}) RETURN a.status AS s, a.suspendReason AS r",
                       id=uuid_of(app_id))) == [{"s": "active", "r": None}]  # fmt: skip
    missing = await gql(client, APPROVE, {"id": "QXBwOjAwMDA="}, headers=officer.auth)
    assert missing["data"]["appApprove"]["errors"] == [{"code": "NOT_FOUND", "field": ["input", "appId"]}]
    other = await make_officer(app, client)
    assert (await gql(client, REINSTATE, {"id": second["app"]["id"]}, headers=other.auth))["data"]["appReinstate"][
        "errors"
    ] == [{"code": "CONFLICT", "field": ["input", "appId"]}]

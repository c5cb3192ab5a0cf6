"""People's grants: listed by their person only (both ways, newest first), revoked by that person (another's is
NOT_FOUND), and all revoked when the account closes."""

from __future__ import annotations

from tests.both_ways import refuses_cursor, walk_both_ways
from tests.identity.people import register, uuid_of
from tests.partners.support import make_partner, seed_app, seed_grant
from tests.partners.test_apps import read
from tests.statements import counted, same_for_any_length
from tests.support import error_codes, gql

MY_GRANTS = """
query($first: Int, $after: String, $last: Int, $before: String, $includeRevoked: Boolean) {
  myGrants(first: $first, after: $after, last: $last, before: $before, includeRevoked: $includeRevoked) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id revokedAt createdAt expiresAt app { id name environment } scopes { name title purpose } } }
  }
}
"""
REVOKE = """
mutation($id: ID!) { grantRevoke(input: {grantId: $id}) { grant { id revokedAt } errors { code field message } } }
"""
NODE = "query($id: ID!) { node(id: $id) { ... on Grant { id app { name requestedScopes { name } } } } }"
#: The grants page with its count, and the apps of its grants (one loader for the page).
MY_GRANTS_STATEMENTS = 3
CLOSE = "mutation($p: String!) { accountClose(input: {password: $p}) { errors { code field } } }"


def global_grant_id(grant_id: str) -> str:
    import base64

    return base64.b64encode(f"Grant:{grant_id}".encode()).decode()


async def test_my_grants_newest_first_both_ways_and_revoked_ones_on_request(client, app, graph):
    partner = await make_partner(app, client)
    person = await register(client)
    apps = [await seed_app(app, partner, name=f"Ứng dụng {n}", scopes=("openid", "contact.read")) for n in range(3)]
    grants = [await seed_grant(app, seeded, uuid_of(person.id)) for seeded in apps]
    headers = {**person.auth, "accept-language": "vi"}
    listed = await walk_both_ways(client, MY_GRANTS, lambda d: d["myGrants"], headers=headers)
    assert listed == [global_grant_id(g.grant_id) for g in reversed(grants)]
    first = (await gql(client, MY_GRANTS, {"first": 1}, headers=headers))["data"]["myGrants"]
    node = first["edges"][0]["node"]
    assert first["totalCount"] == 3 and node["app"]["name"] == "Ứng dụng 2" and node["revokedAt"] is None
    assert node["scopes"][1] == {"name": "contact.read", "title": "Số điện thoại và địa chỉ e-mail của bạn",
                                 "purpose": "Để phục vụ bạn (contact.read)."}  # fmt: skip

    revoked = (await gql(client, REVOKE, {"id": listed[0]}, headers=person.auth))["data"]["grantRevoke"]
    assert revoked["errors"] == [] and revoked["grant"]["revokedAt"]
    live = (await gql(client, MY_GRANTS, {"first": 10}, headers=person.auth))["data"]["myGrants"]
    assert [e["node"]["id"] for e in live["edges"]] == listed[1:] and live["totalCount"] == 2
    everything = await gql(client, MY_GRANTS, {"first": 10, "includeRevoked": True}, headers=person.auth)
    assert [e["node"]["id"] for e in everything["data"]["myGrants"]["edges"]] == listed

    # A cursor of another list, of the same list under other filters, or of another person's grants is refused.
    other = await register(client)
    await seed_grant(app, apps[0], uuid_of(other.id))
    foreign = (await gql(client, MY_GRANTS, {"first": 1}, headers=other.auth))["data"]["myGrants"]["pageInfo"]
    await refuses_cursor(client, MY_GRANTS, foreign["endCursor"], headers=person.auth)
    with_revoked = everything["data"]["myGrants"]["edges"][0]["cursor"]
    await refuses_cursor(client, MY_GRANTS, with_revoked, headers=person.auth)
    assert error_codes(await gql(client, MY_GRANTS, {"first": 1})) == ["UNAUTHENTICATED"]


async def test_revoking_my_grant_ends_it_and_deletes_its_unused_refresh_tokens(client, app, graph):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner)
    person, other = await register(client), await register(client)
    grant = await seed_grant(app, seeded, uuid_of(person.id))
    others = await seed_grant(app, seeded, uuid_of(other.id))

    async def tokens(tx):
        await tx.run(
            "MATCH (g:Grant {id: $id}) "
            "CREATE (:AppRefreshToken {hash: 'unused-' + $id, scopes: g.scopes, createdAt: datetime(), "
            "        expiresAt: datetime() + duration({days: 30}), usedAt: null})-[:OF_GRANT]->(g) "
            "CREATE (:AppRefreshToken {hash: 'used-' + $id, scopes: g.scopes, createdAt: datetime(), "
            "        expiresAt: datetime() + duration({days: 30}), usedAt: datetime()})-[:OF_GRANT]->(g)",
            id=grant.grant_id,
        )

    await graph.write(tokens)
    grant_id = global_grant_id(grant.grant_id)
    # Another's grant is not mine to see or revoke.
    assert (await gql(client, NODE, {"id": grant_id}, headers=other.auth))["data"]["node"] is None
    stolen = (await gql(client, REVOKE, {"id": global_grant_id(grant.grant_id)}, headers=other.auth))["data"]
    assert stolen["grantRevoke"]["errors"][0]["code"] == "NOT_FOUND"
    assert stolen["grantRevoke"]["errors"][0]["field"] == ["input", "grantId"]
    mine = (await gql(client, NODE, {"id": grant_id}, headers=person.auth))["data"]["node"]
    assert mine["app"]["name"] == "Đỗ Xe Hà Nội" and [s["name"] for s in mine["app"]["requestedScopes"]] == [
        "openid",
        "profile.basic",
    ]

    done = (await gql(client, REVOKE, {"id": grant_id}, headers=person.auth))["data"]["grantRevoke"]
    assert done["errors"] == [] and done["grant"]["id"] == grant_id and done["grant"]["revokedAt"]
    stored = await read(
        graph,
        "MATCH (g:Grant {id: $id}) RETURN g.revokedAt IS NOT NULL AS revoked, g.revokedBy AS by, "
        "[(t:AppRefreshToken)-[:OF_GRANT]->(g) | t.hash] AS tokens",
        id=grant.grant_id,
    )
    assert stored == [{"revoked": True, "by": "person", "tokens": [f"used-{grant.grant_id}"]}]
    again = (await gql(client, REVOKE, {"id": grant_id}, headers=person.auth))["data"]["grantRevoke"]
    assert again["errors"][0]["code"] == "CONFLICT"
    untouched = await read(graph, "MATCH (g:Grant {id: $id}) RETURN g.revokedAt AS at", id=others.grant_id)
    assert untouched == [{"at": None}]


async def test_closing_my_account_revokes_every_grant(client, app, graph):
    partner = await make_partner(app, client)
    person = await register(client)
    grants = [await seed_grant(app, await seed_app(app, partner, name=f"App {n}"), uuid_of(person.id)) for n in (1, 2)]
    assert (await gql(client, CLOSE, {"p": person.password}, headers=person.auth))["data"]["accountClose"] == {
        "errors": []
    }
    stored = await read(
        graph,
        "MATCH (g:Grant) WHERE g.id IN $ids RETURN g.revokedBy AS by, g.revokedAt IS NOT NULL AS revoked",
        ids=[g.grant_id for g in grants],
    )
    assert stored == [{"by": "account_closed", "revoked": True}] * 2


async def test_my_grants_cost_the_same_statements_for_one_grant_or_four(client, app):
    partner = await make_partner(app, client)
    person = await register(client)
    apps = [await seed_app(app, partner, name=f"Ứng dụng {n}", scopes=("openid", "contact.read")) for n in range(4)]
    await seed_grant(app, apps[0], uuid_of(person.id))
    small, _ = await counted(client, MY_GRANTS, {"first": 10}, headers=person.auth)
    for seeded in apps[1:]:
        await seed_grant(app, seeded, uuid_of(person.id))
    large, body = await counted(client, MY_GRANTS, {"first": 10}, headers=person.auth)
    assert len(body["data"]["myGrants"]["edges"]) == 4
    assert same_for_any_length(small, large, MY_GRANTS_STATEMENTS), (small, large)

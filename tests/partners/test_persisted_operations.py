"""Persisted operations (docs/partners.md, "Persisted operations"): a partner registers documents with its app
(``appOperationRegister``), the app runs them by ``documentId`` (GraphQL-over-HTTP draft), and an app marked
``persistedOnly`` may send nothing else."""

from __future__ import annotations

import asyncio
import hashlib
import json

from strawberry import relay

from core.errors import UnavailableError
from graph import partners as partner_queries
from partners import operations
from tests.identity.people import make_officer, make_verified, register, uuid_of
from tests.partners.support import app_token, make_partner, seed_app, seed_grant
from tests.partners.test_apps import read
from tests.support import error_codes, gql

REGISTER = """
mutation Register($input: AppOperationRegisterInput!) {
  appOperationRegister(input: $input) {
    operation { documentId name document cost createdAt }
    created
    errors { code field message }
  }
}
"""
DELETE = """
mutation Delete($input: AppOperationDeleteInput!) {
  appOperationDelete(input: $input) { deletedDocumentId errors { code field message } }
}
"""
UPDATE = """
mutation Update($input: AppUpdateInput!) {
  appUpdate(input: $input) { app { persistedOnly } errors { code field message } }
}
"""
OPERATIONS = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) { ... on App { persistedOnly operations(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { documentId name } }
  } } }
}
"""
#: What the app registers: its person's name, and a catalogue read with a page size in a variable.
ME = "query Me { me { displayName } }"
COMMUNES = "query Communes($n: Int) { communes(first: $n) { totalCount edges { node { code } } } }"


def app_gid(app_id: str) -> str:
    return str(relay.GlobalID("App", app_id))


def sha(document: str) -> str:
    return "sha256:" + hashlib.sha256(document.encode("utf-8")).hexdigest()


async def _setup(app, client, *, scopes=("openid", "profile.basic")):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=scopes)
    person = await register(client, fullName="Nguyễn Thị Lưu Trữ")
    grant = await seed_grant(app, seeded, uuid_of(person.id), scopes=scopes)
    return partner, seeded, app_token(app, seeded, grant)


async def _register(client, partner, app_id: str, document: str, name: str = "op") -> dict:
    body = await gql(
        client, REGISTER, {"input": {"appId": app_gid(app_id), "document": document, "name": name}},
        headers=partner.owner.auth,
    )  # fmt: skip
    return body["data"]["appOperationRegister"]


async def _run(client, headers, document_id, variables=None, operation_name=None, *, get=False):
    if get:
        params = {"documentId": document_id}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        return await client.get("/graphql", params=params, headers={**headers, "accept": "application/json"})
    body = {"documentId": document_id, "variables": variables, "operationName": operation_name}
    return await client.post("/graphql", json=body, headers=headers)


async def test_a_registered_document_runs_by_its_hash_and_registering_it_again_returns_it(app, client, graph):
    partner, seeded, headers = await _setup(app, client)
    first = await _register(client, partner, seeded.app_id, ME, "Tên người dùng")
    assert first["errors"] == [] and first["created"] is True
    operation = first["operation"]
    assert operation["documentId"] == sha(ME) and operation["document"] == ME and operation["name"] == "Tên người dùng"

    answered = await _run(client, headers, sha(ME))
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"] == {"me": {"displayName": "Nguyễn Thị Lưu Trữ"}}
    assert "errors" not in answered.json() and answered.json()["extensions"]["cost"]["requested"] == 1
    by_get = await _run(client, headers, sha(ME), get=True)
    assert by_get.status_code == 200 and by_get.json()["data"]["me"]["displayName"] == "Nguyễn Thị Lưu Trữ"

    assert operation["cost"] == 1  # one object (schema.cost)

    # variables and operationName travel as with a query; the cost is the worst case: `first: $n` as `first: 100`
    communes = await _register(client, partner, seeded.app_id, COMMUNES)
    assert communes["errors"] == [] and communes["operation"]["cost"] == 300
    two = "query A { me { displayName } } query B($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    dearest = await _register(client, partner, seeded.app_id, two)
    assert dearest["errors"] == [] and dearest["operation"]["cost"] > 1  # the dearer of the two: B's ids at most
    paged = await _run(client, headers, sha(COMMUNES), {"n": 2}, "Communes")
    assert paged.status_code == 200 and len(paged.json()["data"]["communes"]["edges"]) == 2

    again = await _register(client, partner, seeded.app_id, ME, "another name")
    assert again["errors"] == [] and again["created"] is False
    assert again["operation"] == operation  # the first registration, name and time kept
    stored = await read(
        graph,
        "MATCH (:App {id: $appId})-[:HAS_OPERATION]->(op:PersistedOperation) RETURN op.id AS id, op.appId AS appId",
        appId=seeded.app_id,
    )
    assert sorted(r["id"] for r in stored) == sorted([sha(ME), sha(COMMUNES), sha(two)])
    assert {r["appId"] for r in stored} == {seeded.app_id}

    listed = await gql(client, OPERATIONS, {"id": app_gid(seeded.app_id), "first": 1}, headers=partner.owner.auth)
    page = listed["data"]["node"]["operations"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert page["edges"][0]["node"]["documentId"] == sha(two)  # newest first
    rest = await gql(
        client, OPERATIONS, {"id": app_gid(seeded.app_id), "first": 5, "after": page["pageInfo"]["endCursor"]},
        headers=partner.owner.auth,
    )  # fmt: skip
    assert [e["node"]["documentId"] for e in rest["data"]["node"]["operations"]["edges"]] == [sha(COMMUNES), sha(ME)]


async def test_a_persisted_only_app_is_refused_raw_queries_and_unknown_or_foreign_hashes(app, client):
    partner, seeded, headers = await _setup(app, client)
    assert (await _register(client, partner, seeded.app_id, ME))["errors"] == []
    # before: raw queries run
    assert (await gql(client, "{ me { displayName } }", headers=headers))["data"]["me"]
    updated = await gql(
        client, UPDATE, {"input": {"appId": app_gid(seeded.app_id), "persistedOnly": True}}, headers=partner.owner.auth
    )
    assert updated["data"]["appUpdate"] == {"app": {"persistedOnly": True}, "errors": []}

    raw = await client.post("/graphql", json={"query": "{ me { displayName } }"}, headers=headers)
    assert raw.status_code == 400
    assert error_codes(raw.json()) == ["PERSISTED_DOCUMENT_REQUIRED"] and "data" not in raw.json()
    raw_get = await client.get("/graphql", params={"query": "{ version { api } }"}, headers=headers)
    assert raw_get.status_code == 400 and error_codes(raw_get.json()) == ["PERSISTED_DOCUMENT_REQUIRED"]
    in_vietnamese = await client.post(
        "/graphql", json={"query": "{ version { api } }"}, headers={**headers, "accept-language": "vi"}
    )
    assert in_vietnamese.status_code == 400 and "documentId" in in_vietnamese.json()["errors"][0]["message"]

    assert (await _run(client, headers, sha(ME))).json()["data"]["me"]["displayName"]

    unknown = await _run(client, headers, sha("query { version { api } }"))
    assert unknown.status_code == 400 and error_codes(unknown.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    malformed = await _run(client, headers, "md5:abc")
    assert malformed.status_code == 400 and error_codes(malformed.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]

    # another app's operation is not this app's
    other_partner, other, other_headers = await _setup(app, client)
    assert (await _register(client, other_partner, other.app_id, COMMUNES))["errors"] == []
    foreign = await _run(client, headers, sha(COMMUNES), {"n": 1})
    assert foreign.status_code == 400 and error_codes(foreign.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    assert (await _run(client, other_headers, sha(COMMUNES), {"n": 1})).status_code == 200
    # the other app is not persisted-only: its raw queries run
    assert (await gql(client, "{ version { api } }", headers=other_headers))["data"]["version"]["api"]

    # null leaves it as it is
    kept = await gql(
        client, UPDATE, {"input": {"appId": app_gid(seeded.app_id), "persistedOnly": None}}, headers=partner.owner.auth
    )
    assert kept["data"]["appUpdate"] == {"app": {"persistedOnly": True}, "errors": []}
    # back off: raw queries run again on the next request
    await gql(client, UPDATE, {"input": {"appId": app_gid(seeded.app_id), "persistedOnly": False}},
              headers=partner.owner.auth)  # fmt: skip
    assert (await gql(client, "{ version { api } }", headers=headers))["data"]["version"]["api"]


async def test_a_client_credentials_token_of_a_persisted_only_app_is_refused_raw_queries_too(app, client):
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "places.read"))
    headers = app_token(app, seeded, None, scopes=("places.read",))
    assert (await _register(client, partner, seeded.app_id, COMMUNES))["errors"] == []
    await gql(client, UPDATE, {"input": {"appId": app_gid(seeded.app_id), "persistedOnly": True}},
              headers=partner.owner.auth)  # fmt: skip
    raw = await client.post("/graphql", json={"query": COMMUNES, "variables": {"n": 1}}, headers=headers)
    assert raw.status_code == 400 and error_codes(raw.json()) == ["PERSISTED_DOCUMENT_REQUIRED"]
    ran = await _run(client, headers, sha(COMMUNES), {"n": 1})
    assert ran.status_code == 200 and len(ran.json()["data"]["communes"]["edges"]) == 1


async def test_a_document_id_from_a_person_or_anonymous_or_beside_a_query_is_refused(app, client):
    partner, seeded, headers = await _setup(app, client)
    assert (await _register(client, partner, seeded.app_id, ME))["errors"] == []
    for caller in ({}, partner.owner.auth):
        refused = await _run(client, caller, sha(ME))
        assert refused.status_code == 400 and error_codes(refused.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    both = await client.post("/graphql", json={"documentId": sha(ME), "query": ME}, headers=headers)
    assert both.status_code == 400 and error_codes(both.json()) == ["BAD_REQUEST"]


async def test_a_document_that_does_not_validate_or_reaches_beyond_the_apps_scopes_is_refused_at_registration(
    app, client, graph
):
    partner, seeded, _ = await _setup(app, client)
    refused = {
        "query { me { displayName ": "not valid GraphQL",
        "query { me { nickname } }": "does not validate",
        "query { myGrants { totalCount } }": "Partner apps may not use `Query.myGrants`",
        "query { me { displayName phone } }": "`Person.phone` needs the scope contact.read",
        "mutation { cartCheckout(input: {}) { errors { code } } }": "does not validate",
        "query { isAdult }": "`Query.isAdult` needs the scope predicate.isAdult",
    }
    for document, said in refused.items():
        payload = await _register(client, partner, seeded.app_id, document)
        assert payload["operation"] is None, document
        assert payload["errors"] and all(e["code"] == "INVALID_INPUT" for e in payload["errors"]), payload
        assert all(e["field"] == ["input", "document"] for e in payload["errors"])
        assert any(said in e["message"] for e in payload["errors"]), (document, payload["errors"])
    blank = await _register(client, partner, seeded.app_id, "  ", name="")
    assert {tuple(e["field"]) for e in blank["errors"]} == {("input", "document"), ("input", "name")}

    # an app asking only app scopes never acts for a person: `me` is refused for it
    only_app = await seed_app(app, partner, scopes=("places.read",), redirect_uris=())
    payload = await _register(client, partner, only_app.app_id, ME)
    assert payload["errors"] and "is about a person" in payload["errors"][0]["message"]
    assert (await _register(client, partner, only_app.app_id, COMMUNES))["errors"] == []

    stored = await read(
        graph, "MATCH (:App {id: $appId})-[:HAS_OPERATION]->(op) RETURN count(op) AS n", appId=seeded.app_id
    )
    assert stored[0]["n"] == 0


async def test_only_the_partners_owners_and_admins_register_delete_and_list_operations(app, client):
    partner, seeded, headers = await _setup(app, client)
    stranger = await make_verified(app, client)
    refused = await gql(
        client, REGISTER, {"input": {"appId": app_gid(seeded.app_id), "document": ME, "name": "x"}},
        headers=stranger.auth,
    )  # fmt: skip
    assert refused["data"]["appOperationRegister"] is None and error_codes(refused) == ["FORBIDDEN"]
    by_app = await gql(
        client, REGISTER, {"input": {"appId": app_gid(seeded.app_id), "document": ME, "name": "x"}}, headers=headers
    )
    assert error_codes(by_app) == ["FORBIDDEN"]  # an app's token never manages its own operations
    assert (await _register(client, partner, seeded.app_id, ME))["errors"] == []
    listed = await gql(client, OPERATIONS, {"id": app_gid(seeded.app_id)}, headers=stranger.auth)
    assert listed["data"]["node"]["operations"] is None
    officer = await make_officer(app, client)
    seen = await gql(client, OPERATIONS, {"id": app_gid(seeded.app_id)}, headers=officer.auth)
    assert [e["node"]["documentId"] for e in seen["data"]["node"]["operations"]["edges"]] == [sha(ME)]
    by_officer = await gql(
        client, REGISTER, {"input": {"appId": app_gid(seeded.app_id), "document": COMMUNES, "name": "x"}},
        headers=officer.auth,
    )  # fmt: skip
    assert error_codes(by_officer) == ["FORBIDDEN"]  # officers read; only the partner registers
    turned = await gql(
        client, UPDATE, {"input": {"appId": app_gid(seeded.app_id), "persistedOnly": True}}, headers=stranger.auth
    )
    assert error_codes(turned) == ["FORBIDDEN"]
    deleted = await gql(
        client, DELETE, {"input": {"appId": app_gid(seeded.app_id), "documentId": sha(ME)}}, headers=stranger.auth
    )
    assert error_codes(deleted) == ["FORBIDDEN"]
    missing = await gql(
        client, REGISTER, {"input": {"appId": app_gid("00000000-0000-4000-8000-000000000000"), "document": ME,
                                     "name": "x"}}, headers=partner.owner.auth,
    )  # fmt: skip
    assert missing["data"]["appOperationRegister"]["errors"][0]["code"] == "NOT_FOUND"


async def test_a_deleted_operation_stops_running_at_once(app, client):
    partner, seeded, headers = await _setup(app, client)
    assert (await _register(client, partner, seeded.app_id, ME))["errors"] == []
    assert (await _run(client, headers, sha(ME))).status_code == 200  # now in this process's cache
    assert (seeded.app_id, sha(ME)) in operations.DOCUMENTS.found
    deleted = await gql(
        client, DELETE, {"input": {"appId": app_gid(seeded.app_id), "documentId": sha(ME)}}, headers=partner.owner.auth
    )
    assert deleted["data"]["appOperationDelete"] == {"deletedDocumentId": sha(ME), "errors": []}
    gone = await _run(client, headers, sha(ME))
    assert gone.status_code == 400 and error_codes(gone.json()) == ["PERSISTED_DOCUMENT_NOT_FOUND"]
    again = await gql(
        client, DELETE, {"input": {"appId": app_gid(seeded.app_id), "documentId": sha(ME)}}, headers=partner.owner.auth
    )
    assert again["data"]["appOperationDelete"]["errors"][0]["code"] == "NOT_FOUND"
    # registered again, it runs again
    assert (await _register(client, partner, seeded.app_id, ME))["created"] is True
    assert (await _run(client, headers, sha(ME))).status_code == 200


async def test_forty_parallel_registrations_of_one_document_make_one_operation(app, client, graph):
    partner, seeded, headers = await _setup(app, client)
    results = await asyncio.gather(*(_register(client, partner, seeded.app_id, ME, f"n{i}") for i in range(40)))
    assert all(r["errors"] == [] for r in results)
    assert {r["operation"]["documentId"] for r in results} == {sha(ME)}
    assert sum(r["created"] for r in results) == 1
    names = {r["operation"]["name"] for r in results}
    assert len(names) == 1  # every one answers the operation the first registration made
    stored = await read(
        graph,
        "MATCH (:App {id: $appId})-[:HAS_OPERATION]->(op:PersistedOperation) RETURN count(op) AS n",
        appId=seeded.app_id,
    )
    assert stored[0]["n"] == 1
    # and 40 parallel requests by hash all run
    ran = await asyncio.gather(*(_run(client, headers, sha(ME)) for _ in range(40)))
    assert {r.status_code for r in ran} == {200}


async def test_a_document_that_cannot_be_read_is_503_unavailable_with_retry_after(app, client, monkeypatch):
    """The database away while a document is looked up (not in the cache): 503 UNAVAILABLE with Retry-After, as any
    request that finds Neo4j away, never a 500."""
    partner, seeded, headers = await _setup(app, client)
    assert (await _register(client, partner, seeded.app_id, ME))["errors"] == []
    graph = app.state.runtime.graph
    real_read = graph.read

    async def read(work, *args, **kwargs):
        if work is partner_queries.operation_document:
            raise UnavailableError("The database is unreachable right now; try again shortly.", retry_after_seconds=2)
        return await real_read(work, *args, **kwargs)

    monkeypatch.setattr(graph, "read", read)
    for get in (False, True):
        answer = await _run(client, headers, sha(ME), get=get)
        assert answer.status_code == 503, answer.text
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "UNAVAILABLE" and error["extensions"]["retryAfterSeconds"] == 2
        assert answer.headers["retry-after"] == "2"
    monkeypatch.undo()
    assert (await _run(client, headers, sha(ME))).status_code == 200, "back once the database is"

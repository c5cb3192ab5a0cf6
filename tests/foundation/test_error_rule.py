"""The error rule of ``core.errors`` through the API, across domains (issue 12).

- Mutation fields are nullable: a refusal about the caller (``FORBIDDEN``, ``UNAUTHENTICATED``) is a top-level
  error that nulls only its own field; a mutation before it in the same request keeps its data (and its commit).
- An id that names nothing the caller may see is the payload error ``NOT_FOUND`` with ``field`` the path to that
  id in the input, in every domain.
- Every format mistake of an input comes back at once, each with its own path.
"""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import GlobalID

from tests.identity.people import REQUEST, make_officer, make_verified, register, registration_input
from tests.support import error_codes, gql

#: A well-formed UUID that names nothing.
NOBODY = "00000000-0000-4000-8000-000000000000"

TWO_MUTATIONS = """
mutation Two($post: PostCreateInput!, $approve: VerificationRequestApproveInput!) {
  first: postCreate(input: $post) { post { id text } errors { code field message } }
  second: verificationRequestApprove(input: $approve) { verificationRequest { id status } errors { code field } }
}
"""
REGISTER_THEN_POST = """
mutation Two($person: PersonRegisterInput!, $post: PostCreateInput!) {
  first: personRegister(input: $person) { person { id displayName } errors { code field message } }
  second: postCreate(input: $post) { post { id } errors { code field message } }
}
"""
POST_NODE = "query N($id: ID!) { node(id: $id) { id ... on Post { text } } }"


def unknown(type_name: str) -> str:
    return str(GlobalID(type_name, NOBODY))


def document(mutation: str) -> str:
    """A document running ``mutation`` with its input as the variable ``$input``, selecting only the errors."""
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    return f"""
mutation M($input: {input_type}!) {{ {mutation}(input: $input) {{ errors {{ code field message }} }} }}
"""


async def payload_errors(client, mutation: str, data: dict[str, Any], headers) -> list[tuple[str, list[str] | None]]:
    body = await gql(client, document(mutation), {"input": data}, headers=headers)
    assert "errors" not in body, body["errors"]
    return [(e["code"], e["field"]) for e in body["data"][mutation]["errors"]]


# --- one refusal nulls its own field only -------------------------------------------------------------------------


async def test_a_refused_mutation_nulls_only_its_own_field_and_the_one_before_it_commits(client):
    applicant = await register(client, fullName="Lê Thị Hoa")
    created = await gql(client, REQUEST, headers=applicant.auth)
    request_id = created["data"]["verificationRequestCreate"]["verificationRequest"]["id"]

    body = await gql(
        client,
        TWO_MUTATIONS,
        {
            "post": {"text": "Chợ phiên sáng Chủ nhật", "visibility": "PUBLIC"},
            "approve": {"verificationRequestId": request_id},  # only an officer decides: FORBIDDEN
        },
        headers=applicant.auth,
    )
    first = body["data"]["first"]
    assert first["errors"] == [] and first["post"]["text"] == "Chợ phiên sáng Chủ nhật"
    assert body["data"]["second"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["second"]
    kept = await gql(client, POST_NODE, {"id": first["post"]["id"]})
    assert kept["data"]["node"] == {"id": first["post"]["id"], "text": "Chợ phiên sáng Chủ nhật"}, "it committed"


async def test_signed_out_the_registration_commits_and_the_post_after_it_is_unauthenticated(client):
    body = await gql(
        client,
        REGISTER_THEN_POST,
        {
            "person": registration_input(fullName="Trần Quang Minh"),
            "post": {"text": "Xin chào", "visibility": "PUBLIC"},
        },
    )
    first = body["data"]["first"]
    assert first["errors"] == [] and first["person"]["displayName"] == "Trần Quang Minh"
    assert body["data"]["second"] is None
    assert error_codes(body) == ["UNAUTHENTICATED"] and body["errors"][0]["path"] == ["second"]
    person_id = first["person"]["id"]
    assert (await gql(client, "query N($id: ID!) { node(id: $id) { id } }", {"id": person_id}))["data"]["node"] == {
        "id": person_id
    }, "the account was created"


# --- an unknown id is NOT_FOUND in the payload, naming its path -----------------------------------------------------

#: (domain, mutation, input, path of the id): an id of the right type that names nothing.
UNKNOWN_IDS = [
    ("social", "postDelete", {"postId": unknown("Post")}, ["input", "postId"]),
    ("communities", "communityJoin", {"communityId": unknown("Community")}, ["input", "communityId"]),
    ("moderation", "reportCreate", {"subjectId": unknown("Post"), "reason": "Spam"}, ["input", "subjectId"]),
    (
        "marketplace",
        "orderPay",
        {"orderId": unknown("Order"), "idempotencyKey": "pay-00000001"},
        ["input", "orderId"],
    ),
    (
        "identity",
        "verificationRequestApprove",
        {"verificationRequestId": unknown("VerificationRequest")},
        ["input", "verificationRequestId"],
    ),
]


@pytest.mark.parametrize(("domain", "mutation", "data", "path"), UNKNOWN_IDS, ids=[u[0] for u in UNKNOWN_IDS])
async def test_an_unknown_id_is_not_found_in_the_payload_with_its_path(app, client, domain, mutation, data, path):
    caller = await make_officer(app, client) if domain == "identity" else await register(client)
    assert await payload_errors(client, mutation, data, caller.auth) == [("NOT_FOUND", path)]


# --- every format mistake at once, each with its path ---------------------------------------------------------------

#: (domain, mutation, input, the two paths): two cheap mistakes in one input.
TWO_MISTAKES = [
    ("social", "postUpdate", {"postId": "rác", "text": "x" * 5001}, [["input", "postId"], ["input", "text"]]),
    (
        "communities",
        "communityCreate",
        {"name": "ab", "description": "x" * 2001, "joinPolicy": "OPEN"},
        [["input", "name"], ["input", "description"]],
    ),
    ("moderation", "reportCreate", {"subjectId": "rác", "reason": " "}, [["input", "subjectId"], ["input", "reason"]]),
    (
        "marketplace",
        "orderPay",
        {"orderId": unknown("Order"), "idempotencyKey": "short", "reason": "x" * 1001},
        [["input", "idempotencyKey"], ["input", "reason"]],
    ),
    (
        "identity",
        "verificationRequestReject",
        {"verificationRequestId": "not-an-id", "reason": " "},
        [["input", "verificationRequestId"], ["input", "reason"]],
    ),
]


@pytest.mark.parametrize(("domain", "mutation", "data", "paths"), TWO_MISTAKES, ids=[t[0] for t in TWO_MISTAKES])
async def test_two_format_mistakes_are_two_payload_errors_with_their_paths(app, client, domain, mutation, data, paths):
    if domain == "identity":
        caller = await make_officer(app, client)
    elif domain == "communities":  # creating a community needs level 2
        caller = await make_verified(app, client)
    else:
        caller = await register(client)
    errors = await payload_errors(client, mutation, data, caller.auth)
    assert [code for code, _ in errors] == ["INVALID_INPUT", "INVALID_INPUT"], errors
    assert sorted(path for _, path in errors) == sorted(paths)

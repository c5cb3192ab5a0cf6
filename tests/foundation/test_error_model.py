"""The error model of contract v1 (``core/errors.py``, ``resolvers.common.mutate``), on a schema of this test's own:
every mistake of an input at once with its path, a refusal about the caller nulling only its own mutation, a
field that is not in the input refused in development, messages in the caller's language."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import strawberry
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.errors import (
    ConflictError,
    ForbiddenError,
    InputErrors,
    NotFoundError,
    Problems,
    UserInputError,
)
from core.i18n import catalog
from core.pagination import NOT_ISSUED
from core.text import checked_text
from resolvers.common import _existing_prefix, _user_error, mutate
from schema.assemble import Query, build_schema
from schema.common import UserError
from tests.support import error_codes, gql

#: What the test mutations wrote, in order: the first mutation of a document commits before the second is refused.
COMMITTED: list[str] = []


@strawberry.input(description="A document of the test input.")
class DocumentInput:
    number: str = strawberry.field(description="Its number.")


@strawberry.input(description="An item of the test input.")
class ItemInput:
    quantity: int = strawberry.field(description="How many.")


@strawberry.input(description="Input of noteAdd.")
class NoteAddInput:
    text: str = strawberry.field(description="The note (at most 5 characters).")
    document: DocumentInput | None = strawberry.field(default=None, description="A document.")
    items: list[ItemInput] | None = strawberry.field(default=None, description="Items.")
    note_id: strawberry.ID | None = strawberry.field(default=None, description="A note to look up.")
    wrong_field: str | None = strawberry.field(default=None, description="A field name to blame, to test the check.")


@strawberry.type(description="Payload of noteAdd.")
class NoteAddPayload:
    note: str | None = strawberry.field(default=None, description="The note written.")
    errors: list[UserError] = strawberry.field(default_factory=list, description="Mistakes of the input.")


@strawberry.input(description="Input of noteForbidden.")
class NoteForbiddenInput:
    reason: str = strawberry.field(description="Anything.")


@strawberry.type(description="Payload of noteForbidden.")
class NoteForbiddenPayload:
    errors: list[UserError] = strawberry.field(default_factory=list, description="Mistakes of the input.")


@strawberry.type(description="Mutations of this test only.")
class NoteMutation:
    @strawberry.mutation(description="Checks its input the contract's way, then writes the note.")
    async def note_add(self, info: strawberry.Info, input: NoteAddInput) -> NoteAddPayload | None:
        async def work() -> dict[str, Any]:
            if input.wrong_field is not None:
                raise UserInputError("Blamed.", field=input.wrong_field)
            if input.note_id == "unknown":
                raise NotFoundError("No note has this id.", field="noteId")
            if input.note_id == "unnamed":
                raise NotFoundError("No note has this id.")
            if input.note_id == "taken":
                raise ConflictError("This note is taken.")
            problems = Problems()
            text = problems.take(lambda: checked_text(input.text, field="text", max_length=5, required=True))
            if input.document is not None and not input.document.number.isdigit():
                problems.add(UserInputError("Digits only.", field="document.number"))
            for position, item in enumerate(input.items or []):
                if item.quantity < 1:
                    problems.add(UserInputError("At least one.", field=["items", str(position), "quantity"]))
            problems.raise_if_any()
            assert text is not None
            COMMITTED.append(text)
            return {"note": text}

        return await mutate(info, NoteAddPayload, work)

    @strawberry.mutation(description="Always refused: the caller may not.")
    async def note_forbidden(self, info: strawberry.Info, input: NoteForbiddenInput) -> NoteForbiddenPayload | None:
        async def work() -> dict[str, Any]:
            raise ForbiddenError("Officers only: this needs the officer role.")

        return await mutate(info, NoteForbiddenPayload, work)


@pytest.fixture(scope="module")
async def notes(test_settings):
    app = create_app(test_settings, schema=build_schema(test_settings, query=Query, mutation=NoteMutation))
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            yield http


ADD = """
mutation Add($input: NoteAddInput!) { noteAdd(input: $input) { note errors { code field message } } }
"""
TWO = """
mutation Two($first: NoteAddInput!, $second: NoteForbiddenInput!) {
  first: noteAdd(input: $first) { note errors { code field } }
  second: noteForbidden(input: $second) { errors { code field } }
}
"""


async def test_a_refused_mutation_nulls_only_its_own_field(notes):
    COMMITTED.clear()
    body = await gql(notes, TWO, {"first": {"text": "chợ"}, "second": {"reason": "x"}})
    assert body["data"] == {"first": {"note": "chợ", "errors": []}, "second": None}
    assert error_codes(body) == ["FORBIDDEN"] and body["errors"][0]["path"] == ["second"]
    assert COMMITTED == ["chợ"], "the first mutation committed"


async def test_every_mistake_of_an_input_comes_back_at_once_with_its_path(notes):
    COMMITTED.clear()
    wrong = {"text": "", "document": {"number": "12a"}, "items": [{"quantity": 0}, {"quantity": 2}, {"quantity": -1}]}
    body = await gql(notes, ADD, {"input": wrong})
    result = body["data"]["noteAdd"]
    assert result["note"] is None and "errors" not in body
    assert [(e["code"], e["field"]) for e in result["errors"]] == [
        ("INVALID_INPUT", ["input", "text"]),
        ("INVALID_INPUT", ["input", "document", "number"]),
        ("INVALID_INPUT", ["input", "items", "0", "quantity"]),
        ("INVALID_INPUT", ["input", "items", "2", "quantity"]),
    ]
    assert COMMITTED == [], "nothing is written when the input is refused"


async def test_not_found_and_conflict_are_payload_errors(notes):
    found = (await gql(notes, ADD, {"input": {"text": "a", "noteId": "unknown"}}))["data"]["noteAdd"]
    assert found["errors"] == [{"code": "NOT_FOUND", "field": ["input", "noteId"], "message": "No note has this id."}]
    taken = (await gql(notes, ADD, {"input": {"text": "a", "noteId": "taken"}}))["data"]["noteAdd"]
    assert taken["errors"] == [{"code": "CONFLICT", "field": None, "message": "This note is taken."}]


@pytest.mark.parametrize("blamed", ["nope", "document.nope", "items.x", "text.deeper"])
async def test_a_field_that_is_not_in_the_input_is_a_bug_in_development(notes, blamed, caplog):
    caplog.set_level(logging.ERROR)
    body = await gql(notes, ADD, {"input": {"text": "a", "wrongField": blamed}})
    assert body["data"] == {"noteAdd": None}
    assert error_codes(body) == ["INTERNAL"]


async def test_not_found_without_its_field_is_a_bug_in_development(notes, caplog):
    caplog.set_level(logging.ERROR)
    body = await gql(notes, ADD, {"input": {"text": "a", "noteId": "unnamed"}})
    assert error_codes(body) == ["INTERNAL"]


async def test_payload_messages_follow_accept_language(notes):
    vi = {"accept-language": "vi-VN,vi;q=0.9,en;q=0.5"}
    body = await gql(notes, ADD, {"input": {"text": "quá dài rồi"}}, headers=vi)
    assert body["data"]["noteAdd"]["errors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "text"], "message": "Tối đa 5 ký tự."}
    ]
    english = await gql(notes, ADD, {"input": {"text": "quá dài rồi"}})
    assert english["data"]["noteAdd"]["errors"][0]["message"] == "At most 5 characters."


async def test_top_level_messages_follow_accept_language(client):
    query = "query M($after: String) { schemaMigrations(first: 1, after: $after) { totalCount } }"
    body = await gql(client, query, {"after": "x"}, headers={"accept-language": "vi"})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "after"
    assert body["errors"][0]["message"] == catalog("vi")[NOT_ISSUED] != NOT_ISSUED
    english = await gql(client, query, {"after": "x"}, headers={"accept-language": "en-GB"})
    assert english["errors"][0]["message"] == NOT_ISSUED


async def test_a_refusal_before_graphql_runs_follows_accept_language(client):
    response = await client.post(
        "/graphql",
        json={"query": "{ health { ready } }"},
        headers={"authorization": "Basic x", "accept-language": "vi"},
    )
    assert response.status_code == 401
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["message"] == catalog("vi")["Send the access token as `Authorization: Bearer <accessToken>`."]


# --- units ---------------------------------------------------------------------------------------------------


def test_problems_collects_every_mistake_and_raises_them_together():
    problems = Problems()
    assert problems.take(lambda: 7) == 7
    problems.raise_if_any()  # nothing yet

    def refuse(field: str) -> int:
        raise UserInputError("Wrong {what}.", field=field, params={"what": field})

    assert problems.take(lambda: refuse("name")) is None
    with pytest.raises(UserInputError) as one:
        problems.raise_if_any()
    assert type(one.value) is UserInputError and one.value.field == "name", "one mistake is raised as itself"

    problems.add(ConflictError("Taken.", field="email"))
    problems.add(InputErrors([UserInputError("A.", field="a"), UserInputError("B.", field="b.0.c")]))
    with pytest.raises(InputErrors) as several:
        problems.raise_if_any()
    assert [(e.code, e.field) for e in several.value.errors] == [
        ("INVALID_INPUT", "name"),
        ("CONFLICT", "email"),
        ("INVALID_INPUT", "a"),
        ("INVALID_INPUT", "b.0.c"),
    ], "an InputErrors added is flattened"
    assert (several.value.code, several.value.field, several.value.message) == ("INVALID_INPUT", "name", "Wrong name.")


def test_a_problem_that_is_not_about_the_input_is_not_collected():
    problems = Problems()
    with pytest.raises(ForbiddenError):
        problems.take(lambda: (_ for _ in ()).throw(ForbiddenError("No.")))
    assert problems.errors == []


def test_an_error_names_its_field_as_a_dotted_path_and_fills_its_template():
    error = UserInputError("At most {limit} items.", field=["items", "2", "quantity"], params={"limit": 3})
    assert (error.field, error.path, error.message, error.template) == (
        "items.2.quantity",
        ["items", "2", "quantity"],
        "At most 3 items.",
        "At most {limit} items.",
    )
    assert UserInputError("Whole input.").path == []


def _input_type(test_settings):
    schema = build_schema(test_settings, query=Query, mutation=NoteMutation)._schema
    return schema, schema.mutation_type.fields["noteAdd"].args["input"].type


@pytest.mark.parametrize(
    ("parts", "prefix"),
    [
        (["text"], ["text"]),
        (["document", "number"], ["document", "number"]),
        (["items", "2", "quantity"], ["items", "2", "quantity"]),
        (["items", "x"], ["items"]),
        (["items", "2", "nope"], ["items", "2"]),
        (["document", "nope"], ["document"]),
        (["text", "deeper"], ["text"]),
        (["nope"], []),
        ([], []),
    ],
)
def test_existing_prefix_walks_the_input_type(test_settings, parts, prefix):
    _, input_type = _input_type(test_settings)
    assert _existing_prefix(input_type, parts) == prefix


def _fake_info(test_settings, environment: str) -> Any:
    schema, _ = _input_type(test_settings)
    return SimpleNamespace(
        _raw_info=SimpleNamespace(parent_type=schema.mutation_type),
        field_name="noteAdd",
        context=SimpleNamespace(settings=SimpleNamespace(environment=environment), language="en"),
    )


def test_in_production_a_field_outside_the_input_is_cut_to_what_exists(test_settings):
    info = _fake_info(test_settings, "production")
    built = _user_error(info, UserInputError("Digits only.", field="document.nope"))
    assert (built.field, built.message) == (["input", "document"], "Digits only.")
    nowhere = _user_error(info, UserInputError("Digits only.", field="nope"))
    assert nowhere.field == ["input"]
    with pytest.raises(AssertionError, match="not a path into its input"):
        _user_error(_fake_info(test_settings, "development"), UserInputError("x", field="document.nope"))

"""Resolvers of persisted operations (``partners.operations``): thin glue from fields to the service, which gets the
schema layer's check of a document (``schema.persisted``) to run against the app's scopes."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from core.errors import Problems
from core.pagination import PageRequest
from partners import operations as partner_operations
from partners.operations import CheckedDocument
from resolvers.common import decode_input_id, mutate, runtime, viewer
from schema.partners import (
    AppOperationDeleteInput,
    AppOperationDeletePayload,
    AppOperationRegisterInput,
    AppOperationRegisterPayload,
    PersistedOperation,
    PersistedOperationConnection,
)
from schema.persisted import check_document


async def app_operations(
    info: strawberry.Info,
    app_id: str,
    manages: bool,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PersistedOperationConnection | None:
    page = await partner_operations.operations_of_app(
        runtime(info),
        viewer(info),
        app_id,
        manages,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return PersistedOperationConnection.from_page(page, PersistedOperation.of) if page is not None else None


async def app_operation_register(
    info: strawberry.Info,
    input: Annotated[AppOperationRegisterInput, strawberry.argument(description="The app, the document, its name.")],
) -> AppOperationRegisterPayload | None:
    schema = info.schema._schema
    settings = runtime(info).settings

    def check(document: str, scopes: frozenset[str]) -> CheckedDocument:
        return check_document(schema, settings, document, scopes)

    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        operation, created = await partner_operations.register_operation(
            runtime(info), viewer(info), app_id, input.document, input.name, check=check, problems=problems
        )
        return {"operation": PersistedOperation.of(operation), "created": created}

    return await mutate(info, AppOperationRegisterPayload, work)


async def app_operation_delete(
    info: strawberry.Info,
    input: Annotated[AppOperationDeleteInput, strawberry.argument(description="The app and the document id.")],
) -> AppOperationDeletePayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()
        app_id = decode_input_id(problems, input.app_id, "App", "appId")
        problems.raise_if_any()
        await partner_operations.delete_operation(runtime(info), viewer(info), app_id, input.document_id)
        return {"deleted_document_id": input.document_id}

    return await mutate(info, AppOperationDeletePayload, work)

"""Persisted operations: the GraphQL documents an app registers, and runs by their hash (docs/partners.md,
"Persisted operations").

A partner's owners and admins register a document with their app (``appOperationRegister``). Its id is
content-addressed, ``sha256:<hex>`` of the document's UTF-8 bytes exactly as given, so registering the same text
again finds the same operation (idempotent), and the app sends ``{"documentId": "sha256:<hex>", "variables": ...}``
instead of the text. The document must parse and validate against the schema and against the scopes the app asks
for (the same default-deny rules an app's request meets, and no field under a scope the app never asks for): the
schema layer checks it (``Checker``, given by the caller; this package imports no GraphQL layer) inside the
registration's transaction, against the app's scopes read under the app's write lock.

An app marked ``persistedOnly`` (by its managers, ``appUpdate``) may send only document ids: a raw ``query`` is
refused (``PERSISTED_DOCUMENT_REQUIRED``). ``registered_document`` answers the document of a request's
``documentId`` for the app that sent it; another app's operation, an unknown or deleted one is
``PERSISTED_DOCUMENT_NOT_FOUND``. Documents are kept in an in-process LRU keyed by (app, id): a document id names
one text forever, so an entry is only ever wrong once its operation is deleted, and ``delete_operation``
invalidates it after commit (a generation counter per app keeps a lookup that raced with the deletion from putting
it back). One process serves the API (as for the rate limits' memory storage); several processes would each keep
a deleted operation runnable until their cache drops it.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize, holds
from auth.viewer import Viewer
from core.errors import AppError, ConflictError, NotFoundError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import checked_text, is_unicode
from graph import partners as queries
from graph.driver import native
from partners.apps import managed_app

#: A document id as the GraphQL-over-HTTP draft's persisted documents write it.
DOCUMENT_ID = re.compile(r"^sha256:[0-9a-f]{64}$")
MAX_NAME = 100
#: Longest document registered (characters); the parser's token limit applies too.
MAX_DOCUMENT = 50_000
#: Operations one app may hold.
MAX_OPERATIONS = 500
#: Documents kept in memory, over all apps.
CACHE_SIZE = 2048

NO_OPERATION = "This app has no operation with this document id."
NOT_AN_ID = "A document id is `sha256:` and the 64 lowercase hex digits of the SHA-256 of the document's UTF-8 bytes."
REQUIRED = (
    "This app runs registered operations only: send the operation's `documentId` (sha256:<hex>) with its "
    "`variables` instead of a `query`."
)
NOT_FOUND = "No operation with this document id is registered for this app; register it with appOperationRegister."
NOT_AN_APP = (
    "Only a partner app's token runs registered operations (documentId); a person's or anonymous request sends its "
    "`query`."
)


@dataclass(frozen=True)
class CheckedDocument:
    """What the schema layer found of a document: the mistakes (each an INVALID_INPUT naming ``document``) and its
    cost in the worst case (None while no cost model exists)."""

    problems: list[UserInputError]
    cost: int | None


#: The schema layer's check of a document against the scopes an app asks for.
Checker = Callable[[str, frozenset[str]], CheckedDocument]


@dataclass(frozen=True)
class OperationView:
    """A registered operation, for the app's managers and city officers."""

    id: str  # sha256:<hex>
    app_id: str
    name: str
    document: str
    cost: int | None
    created_at: datetime


def document_id(document: str) -> str:
    """The id of a document: ``sha256:`` and the hex SHA-256 of its UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(document.encode("utf-8")).hexdigest()


def operation_view(app_id: str, found: dict[str, Any]) -> OperationView:
    return OperationView(
        id=found["id"],
        app_id=app_id,
        name=found["name"],
        document=found["document"],
        cost=found.get("cost"),
        created_at=native(found["createdAt"]),
    )


# --- the documents of requests (api.graphql_view) ------------------------------------------------------------------


class _Documents:
    """The in-process LRU of registered documents, keyed by (app id, document id)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.generation: dict[str, int] = {}

    def get(self, key: tuple[str, str]) -> str | None:
        document = self.found.get(key)
        if document is not None:
            self.found.move_to_end(key)
        return document

    def put(self, key: tuple[str, str], document: str, generation: int) -> None:
        if self.generation.get(key[0], 0) != generation:
            return  # an operation of the app was deleted while this one was read: do not keep what was read
        self.found[key] = document
        self.found.move_to_end(key)
        while len(self.found) > self.size:
            self.found.popitem(last=False)

    def forget(self, app_id: str, id: str) -> None:
        self.generation[app_id] = self.generation.get(app_id, 0) + 1
        self.found.pop((app_id, id), None)


DOCUMENTS = _Documents(CACHE_SIZE)


class PersistedDocumentError(AppError):
    """A request's persisted document refused at the HTTP level (400, before anything runs)."""


async def registered_document(rt: Runtime, viewer: Viewer, id: object) -> str:
    """The document the app of ``viewer`` registered under ``id`` (a request's ``documentId``);
    ``PERSISTED_DOCUMENT_NOT_FOUND`` for anything else: a caller that is not an app, a malformed id, another app's
    operation, one never registered or deleted."""
    if not viewer.is_app or viewer.app_id is None:
        raise PersistedDocumentError(NOT_AN_APP, code="PERSISTED_DOCUMENT_NOT_FOUND")
    if not isinstance(id, str) or not DOCUMENT_ID.match(id):
        raise PersistedDocumentError(NOT_AN_ID, code="PERSISTED_DOCUMENT_NOT_FOUND")
    key = (viewer.app_id, id)
    document = DOCUMENTS.get(key)
    if document is not None:
        return document
    generation = DOCUMENTS.generation.get(viewer.app_id, 0)
    document = await rt.graph.read(queries.operation_document, viewer.app_id, id)
    if document is None:
        raise PersistedDocumentError(NOT_FOUND, code="PERSISTED_DOCUMENT_NOT_FOUND")
    DOCUMENTS.put(key, document, generation)
    return document


def raw_query_refusal(viewer: Viewer) -> PersistedDocumentError | None:
    """The refusal of a raw ``query`` from a ``persistedOnly`` app (None: anyone else may send one)."""
    if viewer.is_app and viewer.persisted_only:
        return PersistedDocumentError(REQUIRED, code="PERSISTED_DOCUMENT_REQUIRED")
    return None


# --- use cases -----------------------------------------------------------------------------------------------------


def _check_document(document: str, problems: Problems) -> str | None:
    if not isinstance(document, str) or not document.strip():
        problems.add(UserInputError("Give the operation's GraphQL document.", field="document"))
        return None
    if len(document) > MAX_DOCUMENT:
        problems.add(UserInputError("At most {limit} characters.", field="document", params={"limit": MAX_DOCUMENT}))
        return None
    if not is_unicode(document):
        problems.add(UserInputError("Text must be valid Unicode.", field="document"))
        return None
    return document


async def register_operation(
    rt: Runtime,
    viewer: Viewer,
    app_id: str,
    document: str,
    name: str,
    *,
    check: Checker,
    problems: Problems,
) -> tuple[OperationView, bool]:
    """Register ``document`` with the app (its owners and admins do); the operation and whether it is new.

    The document is kept exactly as given (its id is the hash of these bytes). Registering a document registered
    already returns the operation as it is (its first name kept). Refused in the payload: a document that does not
    parse or validate, or that reaches a field the app may not (default deny) or under a scope it does not ask for;
    past ``MAX_OPERATIONS`` a CONFLICT."""
    authorize(viewer, "partners.operation.manage")
    checked_name = problems.take(
        lambda: checked_text(name, field="name", max_length=MAX_NAME, required=True, empty="Name the operation.")
    )
    text = _check_document(document, problems)
    problems.raise_if_any()
    assert text is not None and checked_name is not None
    id = document_id(text)

    async def work(tx: AsyncManagedTransaction) -> tuple[OperationView, bool]:
        current = await managed_app(tx, viewer, "partners.operation.manage", app_id)
        checked = check(text, frozenset(current.scopes or ()))
        refused = Problems()
        for problem in checked.problems:
            refused.add(problem)
        refused.raise_if_any()
        found = await queries.register_operation(
            tx, app_id, id=id, name=checked_name, document=text, cost=checked.cost, max_operations=MAX_OPERATIONS
        )
        if found is None:
            raise ConflictError(
                "An app holds at most {limit} operations; delete some first.",
                field="appId",
                params={"limit": MAX_OPERATIONS},
            )
        return operation_view(app_id, found.operation), found.created

    registered: tuple[OperationView, bool] = await rt.graph.write(work)
    return registered


async def delete_operation(rt: Runtime, viewer: Viewer, app_id: str, id: str) -> None:
    """Delete one of the app's operations (its owners and admins do); its document id stops running at once (this
    process's cache forgets it after commit). NOT_FOUND naming ``documentId`` when the app has no such operation."""
    authorize(viewer, "partners.operation.manage")
    if not DOCUMENT_ID.match(id or ""):
        raise UserInputError(NOT_AN_ID, field="documentId")

    async def work(tx: AsyncManagedTransaction) -> None:
        await managed_app(tx, viewer, "partners.operation.manage", app_id)
        if not await queries.delete_operation(tx, app_id, id):
            raise NotFoundError(NO_OPERATION, field="documentId")

    try:
        await rt.graph.write(work)
    finally:
        DOCUMENTS.forget(app_id, id)


#: Cursors of App.operations (createdAt, document id), scoped to the app.
OPERATIONS_CURSOR = keyset_kind("appOperations")


def shows_operations(viewer: Viewer, manages: bool) -> bool:
    """The app's operations are shown to its partner's owners and admins (``manages``) and to city officers."""
    return manages or holds(viewer, "partners.app.review")


async def operations_of_app(
    rt: Runtime, viewer: Viewer, app_id: str, manages: bool, request: PageRequest
) -> Page[OperationView] | None:
    """The app's operations, newest first, for its managers and city officers (None for anyone else)."""
    if not shows_operations(viewer, manages):
        return None
    kind = OPERATIONS_CURSOR.scoped(app_id)
    found, total = await rt.graph.read(queries.operations_of_app, app_id, request.window(kind))
    page = request.page(found, kind, lambda r: (r.operation["createdAt"], r.operation["id"]), total_count=total)
    return Page(
        items=[operation_view(app_id, r.operation) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )

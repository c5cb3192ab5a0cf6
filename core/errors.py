"""The one error hierarchy of the platform (see DESIGN.md, "Errors", and docs/app-developers.md, "Errors").

The rule, applied by every mutation (``resolvers.common.mutate``) and every query:
- In a **mutation**, everything about the *input* comes back inside the payload as ``errors: [UserError!]!``
  (``code`` from ``UserErrorCode``, ``field`` a path into the input such as ``["input", "document", "number"]``,
  ``message``): a malformed value, an id that names nothing the caller can see (``NOT_FOUND``), a duplicate or a
  state that does not allow the change (``CONFLICT``), money or code problems. Every mistake of an input is reported
  at once (``Problems`` collects them; ``InputErrors`` carries them).
- Everything about the *caller or the server* is a top-level GraphQL error with ``extensions.code``:
  ``UNAUTHENTICATED``, ``FORBIDDEN``, ``RATE_LIMITED``, ``UNAVAILABLE``, ``INTERNAL`` (and the ``GRAPHQL_*`` codes of
  a document the schema refuses). Mutation fields are nullable, so such an error nulls only its own field.
- In a **query**, an argument mistake is a top-level ``INVALID_INPUT`` (``extensions.field`` names the argument);
  an object that is not there is ``null`` (``node``, ``community``) or a top-level ``NOT_FOUND`` for a list asked of
  it.
- Anything that is not an ``AppError`` is unexpected: logged with the request id, shown as ``INTERNAL``.

Messages are English templates with ``{name}`` placeholders filled from ``params``; ``core.i18n`` translates the
template (Vietnamese catalogs under ``core/locales/vi/``) for the caller's ``Accept-Language``. Codes, not
messages, are the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: A field as services name it: a dotted camelCase path relative to the mutation's ``input`` ("document.number",
#: "items.0.quantity") or the argument of a query ("after"); or the path's parts.
Field = str | Sequence[str]


class AppError(Exception):
    """Base of every error the platform raises on purpose."""

    code: str = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        field: Field | None = None,
        code: str | None = None,
        extensions: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        #: The English template (the key of the translation catalogs) and the values of its placeholders.
        self.template = message
        self.params = params or {}
        self.message = message.format(**self.params) if self.params else message
        super().__init__(self.message)
        self.field: str | None = ".".join(field) if field is not None and not isinstance(field, str) else field
        if code is not None:
            self.code = code
        self.extensions = extensions or {}

    @property
    def path(self) -> list[str]:
        """``field`` as a list of parts (empty when no field is named)."""
        return self.field.split(".") if self.field else []


# --- user-fixable: returned in mutation payloads -----------------------------------------------
class UserInputError(AppError):
    """Invalid input the user can correct; names the offending field."""

    code = "INVALID_INPUT"


class InputErrors(UserInputError):
    """Several mistakes of one input, reported at once; raised by ``Problems.raise_if_any``."""

    def __init__(self, errors: Sequence[UserInputError]) -> None:
        super().__init__(errors[0].template, field=errors[0].field, code=errors[0].code, params=errors[0].params)
        self.errors = list(errors)


class Problems:
    """Collects every mistake of an input before refusing it, so the client fixes them all in one go::

    problems = Problems()
    name = problems.take(lambda: clean_name(data.name))        # None when it failed
    born = problems.take(lambda: clean_birth_date(data.born))
    problems.raise_if_any()                                     # InputErrors (or the one error)
    """

    def __init__(self) -> None:
        self.errors: list[UserInputError] = []

    def add(self, error: UserInputError) -> None:
        self.errors.extend(error.errors if isinstance(error, InputErrors) else [error])

    def take(self, check: Callable[[], T]) -> T | None:
        """``check()``'s result, or None after recording the ``UserInputError`` it raised."""
        try:
            return check()
        except UserInputError as error:
            self.add(error)
            return None

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InputErrors(self.errors)


class ConflictError(UserInputError):
    """Duplicate, or the thing is in a state that does not allow the change."""

    code = "CONFLICT"


class InsufficientFundsError(UserInputError):
    """A wallet holds less than the amount to pay or withdraw; nothing was written."""

    code = "INSUFFICIENT_FUNDS"


class PaymentDeclinedError(UserInputError):
    """The payment provider declined a top-up (card or bank refused); nothing was recorded."""

    code = "PAYMENT_DECLINED"


# --- top-level errors ----------------------------------------------------------------------------
class UnauthenticatedError(AppError):
    code = "UNAUTHENTICATED"


class ForbiddenError(AppError):
    code = "FORBIDDEN"


class NotFoundError(AppError):
    """Nothing with this id exists, or the viewer may not know it exists. In a mutation it is a payload error
    and must name the input field that holds the id (``field="postId"``); in a query it is top-level."""

    code = "NOT_FOUND"


class RateLimitedError(AppError):
    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after_seconds: float) -> None:
        super().__init__(message, extensions={"retryAfterSeconds": round(retry_after_seconds, 3)})
        self.retry_after_seconds = retry_after_seconds


class UnavailableError(AppError):
    """A dependency (Neo4j) cannot be reached right now; the client may retry later: after
    ``retry_after_seconds`` when given (``extensions.retryAfterSeconds``, as ``RateLimitedError``)."""

    code = "UNAVAILABLE"

    def __init__(self, message: str, *, retry_after_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after_seconds = retry_after_seconds
        if retry_after_seconds is not None:
            self.extensions = {**self.extensions, "retryAfterSeconds": round(retry_after_seconds, 3)}


#: The codes of payload errors (``UserErrorCode`` in the schema), with what each means. The docs' tables and the
#: schema's enum descriptions are generated from these two dictionaries.
USER_ERROR_CODES: dict[str, str] = {
    "INVALID_INPUT": "A value of the input is malformed or breaks a rule; `field` names it. In a query: a top-level "
    "error naming the argument in `extensions.field`.",
    "NOT_FOUND": "An id in the input names nothing that exists or that the caller may see; `field` names the id.",
    "CONFLICT": "A duplicate, or the object's state does not allow this change (already accepted, closed...).",
    "INSUFFICIENT_FUNDS": "The wallet holds less than the amount; nothing was written.",
    "PAYMENT_DECLINED": "The payment provider declined the top-up; nothing was recorded.",
    "INVALID_CREDENTIALS": "The sign-in identifier or the password is wrong (the same answer for both).",
    "INVALID_CODE": "The one-time code is wrong, expired or used; ask for a new one.",
}

#: The codes of top-level errors (``extensions.code``; ``ErrorCode`` in the schema), with what each means.
TOP_LEVEL_CODES: dict[str, str] = {
    "UNAUTHENTICATED": "Sign-in is required, or the access token is missing, invalid or expired.",
    "FORBIDDEN": "The viewer may not do this (role, assurance level or ownership).",
    "NOT_FOUND": "Query only: the object a list was asked of does not exist or is hidden from the viewer.",
    "INVALID_INPUT": "Query only: an argument is malformed (`extensions.field` names it); in a mutation this is a "
    "payload error.",
    "RATE_LIMITED": "Too many attempts; `extensions.retryAfterSeconds` says when to try again.",
    "UNAVAILABLE": "The database is unreachable or overloaded, or the provider did not answer; retry after "
    "`extensions.retryAfterSeconds`.",
    "BAD_REQUEST": "HTTP level: not GraphQL over HTTP (bad JSON, no query, wrong method, no single operation chosen).",
    "PAYLOAD_TOO_LARGE": "HTTP level: the request body exceeds the configured limit.",
    "GRAPHQL_PARSE_FAILED": "The document is not valid GraphQL syntax.",
    "GRAPHQL_VALIDATION_FAILED": "The document does not match the schema or its variables are wrong.",
    "QUERY_TOO_COMPLEX": "The document exceeds the depth, alias, token or field limit, or its operation costs more "
    "than one operation may (`extensions.cost`: `requested`, `maximum`).",
    "INTROSPECTION_DISABLED": "Introspection is switched off on this server.",
    "PERSISTED_DOCUMENT_REQUIRED": "HTTP level: this app runs registered operations only; send "
    '`{"documentId": "sha256:<hex>", "variables": ...}` instead of a `query`.',
    "PERSISTED_DOCUMENT_NOT_FOUND": "HTTP level: no operation with this `documentId` is registered for the app.",
    "INTERNAL": "An unexpected server error; quote `extensions.requestId` when reporting it.",
}

#: Every code a client can meet, payload and top-level.
ERROR_CODES: dict[str, str] = {**USER_ERROR_CODES, **TOP_LEVEL_CODES}


def error_code_tables() -> str:
    """The two code tables in Markdown, generated from ``USER_ERROR_CODES`` and ``TOP_LEVEL_CODES`` (README,
    "Errors", and docs/app-developers.md; ``hanoismart docs`` writes them)."""
    lines = ["Payload errors: `UserError.code` (enum `UserErrorCode`), in a mutation's `errors`.", ""]
    lines += ["| code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in USER_ERROR_CODES.items()]
    lines += ["", "Top-level errors: `extensions.code` of an entry of `errors` (enum `ErrorCode`).", ""]
    lines += ["| code | meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in TOP_LEVEL_CODES.items()]
    return "\n".join(lines) + "\n"

"""The one error hierarchy of the platform (see DESIGN.md, "Errors").

Two channels, one hierarchy:
- ``UserInputError`` and its subclasses are mistakes the user can fix. Mutations catch them and return
  them inside the payload as ``errors: [UserError!]!`` (code, field, message).
- Every other ``AppError`` becomes a top-level GraphQL error whose ``extensions.code`` is ``code``.
- Anything that is not an ``AppError`` is unexpected: logged with the request id, shown as ``INTERNAL``.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error the platform raises on purpose."""

    code: str = "INTERNAL"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        self.extensions = extensions or {}


# --- user-fixable: returned in mutation payloads -----------------------------------------------
class UserInputError(AppError):
    """Invalid input the user can correct; names the offending field."""

    code = "INVALID_INPUT"


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


#: Every code a client can meet, with what it means; the README's table is generated from this.
ERROR_CODES: dict[str, str] = {
    "INVALID_INPUT": "Payload error: an argument is malformed or breaks a rule; `field` names it.",
    "CONFLICT": "Payload error: a duplicate, or the object's state does not allow this change.",
    "INSUFFICIENT_FUNDS": "Payload error: the wallet holds less than the amount; nothing was written.",
    "PAYMENT_DECLINED": "Payload error: the payment provider declined the top-up; nothing was recorded.",
    "INVALID_CREDENTIALS": "Payload error: the sign-in identifier or the password is wrong (same answer for both).",
    "INVALID_CODE": "Payload error: the one-time code is wrong, expired or used; ask for a new one.",
    "UNAUTHENTICATED": "Sign-in is required, or the access token is missing, invalid or expired.",
    "FORBIDDEN": "The viewer may not do this (role, assurance level or ownership).",
    "NOT_FOUND": "No object with this id exists, or the viewer may not know it exists.",
    "RATE_LIMITED": "Too many attempts; `extensions.retryAfterSeconds` says when to try again.",
    "UNAVAILABLE": "The database is unreachable or overloaded, or the provider did not answer; retry after "
    "`extensions.retryAfterSeconds`.",
    "BAD_REQUEST": "HTTP level: not GraphQL over HTTP (bad JSON, no query, wrong method, no single operation chosen).",
    "PAYLOAD_TOO_LARGE": "HTTP level: the request body exceeds the configured limit.",
    "GRAPHQL_PARSE_FAILED": "The document is not valid GraphQL syntax.",
    "GRAPHQL_VALIDATION_FAILED": "The document does not match the schema or its variables are wrong.",
    "QUERY_TOO_COMPLEX": "The document exceeds the depth, alias, token or field limit.",
    "INTROSPECTION_DISABLED": "Introspection is switched off on this server.",
    "INTERNAL": "An unexpected server error; quote `extensions.requestId` when reporting it.",
}

"""Turns GraphQL errors into the two-channel convention of DESIGN.md (top-level part).

- an ``AppError`` raised on purpose keeps its message and gets ``extensions.code``;
- a GraphQL syntax/validation/limit error gets a ``GRAPHQL_*`` or ``QUERY_TOO_COMPLEX`` code;
- anything else is unexpected: logged with the request id and stack trace, shown as ``INTERNAL``
  with only the request id, never the exception text.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from core.errors import AppError
from core.i18n import translate
from core.logs import get_logger

log = get_logger("api.errors")

#: Messages of graphql-core and Strawberry's limiters, mapped to our codes (checked by tests).
_LIMIT_MARKERS = (
    "exceeds maximum operation depth",
    "aliases found. Allowed",
    "Document contains more than",
    "fields (a fragment counts at each use)",
)
#: The message of every unexpected error (its text never reaches the client).
INTERNAL_MESSAGE = "Internal server error. Quote the requestId when you report it."
#: graphql-core's hints (" Did you mean 'me'?") end a message; they reveal the schema.
_SUGGESTION = re.compile(r" Did you mean [^\n]*\?$")


def _code_without_original(error: GraphQLError) -> str:
    message = error.message
    if any(marker in message for marker in _LIMIT_MARKERS):
        return "QUERY_TOO_COMPLEX"
    if "introspection has been disabled" in message:
        return "INTROSPECTION_DISABLED"
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    return "GRAPHQL_VALIDATION_FAILED"


def format_error(
    error: GraphQLError, request_id: str, *, hide_suggestions: bool = False, language: str = "en"
) -> dict[str, Any]:
    """``hide_suggestions`` (introspection off) drops graphql-core's "Did you mean" hints; an ``AppError``'s
    message is shown in ``language`` (``core.i18n``)."""
    formatted: dict[str, Any] = {"message": _SUGGESTION.sub("", error.message) if hide_suggestions else error.message}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        formatted["path"] = error.path
    original = error.original_error
    # graphql-core wraps an input-coercion failure (a variable of the wrong type, a Dong that is not an
    # integer) around the scalar's own GraphQLError: a client mistake, said in the outer message.
    if original is None or isinstance(original, GraphQLError):
        formatted["extensions"] = {"code": _code_without_original(error)}
    elif isinstance(original, AppError):
        formatted["message"] = translate(original.template, original.params, language)
        extensions = {"code": original.code, **original.extensions}
        if original.field:
            extensions["field"] = original.field
        formatted["extensions"] = extensions
    else:
        log.error(
            "unexpected error in resolver",
            path=".".join(str(p) for p in error.path or []),
            exc_info=(type(original), original, original.__traceback__),
        )
        formatted["message"] = translate(INTERNAL_MESSAGE, {}, language)
        formatted["extensions"] = {"code": "INTERNAL", "requestId": request_id}
    return formatted

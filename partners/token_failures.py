"""The last failures of each app's OAuth client at the token endpoint, with their reasons, so that an
``invalid_client`` is never a mystery to the partner (docs/partners.md, "Usage").

``oauth.endpoints`` records a failed ``POST /oauth/token`` after its answer is sent (``record_failure``): the
``error``, the endpoint's own ``error_description`` and the ``grant_type`` asked for, for a ``client_id`` that names
a client of ours (from HTTP Basic or the form; an unknown id records nothing). Never a secret, a code or a token:
the description is the endpoint's text, which quotes none. The newest ``KEEP`` per client stay, the older ones are
deleted in the same transaction. Recording never changes the endpoint's answer: a failure to record is logged.

Read by the app's managers (owners and admins of its partner) as ``App.tokenFailures``, newest first.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from auth.permissions import Representation, authorize
from auth.viewer import Viewer
from core.errors import NotFoundError
from core.logs import get_logger
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from graph import usage as queries
from graph.driver import native
from graph.usage import TokenFailureRow
from partners.apps import NO_APP

log = get_logger(__name__)

#: Failures kept per client.
KEEP = 50
MAX_ERROR = 64
MAX_DESCRIPTION = 500
MAX_GRANT_TYPE = 64

#: Cursors of App.tokenFailures: the failure's number, scoped to the app.
CURSOR = CursorKind("tokenFailures", (INT,))


@dataclass(frozen=True)
class TokenFailureView:
    """A failed token request as its app's managers see it."""

    at: datetime
    error: str
    description: str | None
    grant_type: str | None


#: What could be a secret, a code or a token quoted back in a description (a description quotes some parameters, an
#: unknown scope for one): a run of 32 or more base64url characters. Our secrets (``hs_sk_`` + 43), codes and refresh
#: tokens (43) and every part of a JWT are such runs; ids quoted on purpose (``hsc_`` + 22) are shorter.
SECRET_LIKE = re.compile(r"[A-Za-z0-9_-]{32,}")


def _printable(value: str | None, limit: int) -> str | None:
    """``value`` as printable ASCII (what an OAuth error or grant type is), anything secret-like redacted, at most
    ``limit`` characters."""
    if value is None:
        return None
    cleaned = SECRET_LIKE.sub("[redacted]", "".join(c if " " <= c <= "~" else "?" for c in value))[:limit]
    return cleaned or None


async def record_failure(
    rt: Runtime, client_id: str | None, error: str, description: str | None, grant_type: str | None
) -> None:
    """Record a failed token request of ``client_id`` (nothing for an unknown or missing id). Never raises: the
    endpoint has answered already; a failure to record is logged."""
    if not client_id or len(client_id) > 200:
        return
    try:
        await rt.graph.write(
            queries.record_token_failure,
            failure_id=str(uuid.uuid4()),
            client_id=client_id,
            error=_printable(error, MAX_ERROR) or "unknown",
            description=_printable(description, MAX_DESCRIPTION),
            grant_type=_printable(grant_type, MAX_GRANT_TYPE),
            keep=KEEP,
        )
    except Exception:
        log.warning("token-endpoint failure not recorded", client_id=client_id, error=error, exc_info=True)


def _view(found: TokenFailureRow) -> TokenFailureView:
    return TokenFailureView(native(found.at), found.error, found.description, found.grant_type)


async def token_failures_of_app(
    rt: Runtime, viewer: Viewer, app_id: str, request: PageRequest
) -> Page[TokenFailureView]:
    """The app's last token-endpoint failures, newest first, for its partner's owners and admins
    (``partners.token_failure.read``): FORBIDDEN for anyone else."""
    person_id = authorize(viewer, "partners.token_failure.read")
    standing = await rt.graph.read(queries.app_standing, app_id, person_id)
    if standing is None:
        raise NotFoundError(NO_APP, field="appId")
    active = (standing.organization_status or "active") == "active"
    representation = Representation(standing.organization_id, standing.role, active, field="appId")
    authorize(viewer, "partners.token_failure.read", on=representation)
    kind = CURSOR.scoped(app_id)
    window = request.window(kind)
    if standing.client_id is None:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=False, total_count=0)
    found, total = await rt.graph.read(
        queries.token_failures,
        standing.client_id,
        after_seq=window.after[0] if window.after else None,
        before_seq=window.before[0] if window.before else None,
        backwards=window.backwards,
        limit=window.limit,
    )
    page = request.page(found, kind, lambda r: (r.seq,), total_count=total)
    return Page(
        items=[_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )

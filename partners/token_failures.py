"""The last failures of each app's OAuth client at the token endpoint, with their reasons, so that an
``invalid_client`` is never a mystery to the partner (docs/partners.md, "Usage").

``oauth.endpoints`` records a failed ``POST /oauth/token`` after its answer is sent (``record_failure``): the
``error``, the endpoint's own ``error_description`` and the ``grant_type`` asked for, for a ``client_id`` that names
a client of ours (from HTTP Basic or the form; an unknown id records nothing). Never a secret, a code or a token:
the description is the endpoint's text, which quotes none. The newest ``KEEP`` per client stay, the older ones are
deleted in the same transaction. A ``client_id`` is public, so at most ``token_failures_per_address`` failures of one
client from one client address are recorded a minute (a moving window on the limits storage), and the grant type is
recorded only when it is one the endpoint knows (``other`` otherwise). Recording never changes the endpoint's
answer: a failure to record is logged.

Read by the app's managers (owners and admins of its partner) as ``App.tokenFailures``, newest first.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.strategies import MovingWindowRateLimiter

from auth.limits import address_key
from auth.viewer import Viewer
from core.logs import get_logger
from core.pagination import INT, CursorKind, Page, PageRequest
from core.runtime import Runtime
from graph import usage as queries
from graph.driver import native
from graph.usage import TokenFailureRow
from partners.apps import readable_app

log = get_logger(__name__)

#: The namespace of the recording windows' keys in the limits storage.
NAMESPACE = "token_failures"
#: The grant types the token endpoint knows (``oauth.server.GRANT_TYPES``, which imports this package: a test keeps
#: the two the same).
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
#: What is recorded as the grant type of a request for one the endpoint does not know.
OTHER_GRANT_TYPE = "other"

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
    rt: Runtime,
    client_id: str | None,
    error: str,
    description: str | None,
    grant_type: str | None,
    address: str | None = None,
) -> None:
    """Record a failed token request of ``client_id`` (nothing for an unknown or missing id) from client
    ``address``: at most ``token_failures_per_address`` of one client from one address per minute (``_allowed``),
    so one caller who knows a public client id cannot flush the client's failures with its own. Never raises: the
    endpoint has answered already; a failure to record is logged."""
    if not client_id or len(client_id) > 200:
        return
    try:
        if not await _allowed(rt, client_id, address):
            return
        await rt.graph.write(
            queries.record_token_failure,
            failure_id=str(uuid.uuid4()),
            client_id=client_id,
            error=_printable(error, MAX_ERROR) or "unknown",
            description=_printable(description, MAX_DESCRIPTION),
            grant_type=known_grant_type(grant_type),
            keep=KEEP,
        )
    except Exception:
        log.warning("token-endpoint failure not recorded", client_id=client_id, error=error, exc_info=True)


def known_grant_type(grant_type: str | None) -> str | None:
    """The ``grant_type`` asked for as recorded: one the token endpoint knows, ``other`` for anything else (never a
    caller's own text), None when none was sent."""
    if not grant_type:
        return None
    return grant_type if grant_type in GRANT_TYPES else OTHER_GRANT_TYPE


async def _allowed(rt: Runtime, client_id: str, address: str | None) -> bool:
    """Whether one more failure of ``client_id`` from ``address`` is recorded: a moving window of
    ``token_failures_per_address`` a minute per (client, address), on the limits storage (the address as a keyed
    digest, never itself). Without a storage (a runtime outside the API), every failure is."""
    if rt.quota_storage is None:
        return True
    limiter = MovingWindowRateLimiter(rt.quota_storage)
    item = _item(rt.settings.token_failures_per_address)
    return await limiter.hit(item, client_id, address_key(rt, address))


@lru_cache(maxsize=8)
def _item(amount: int) -> RateLimitItem:
    return RateLimitItemPerMinute(amount, 1, namespace=NAMESPACE)


def _view(found: TokenFailureRow) -> TokenFailureView:
    return TokenFailureView(native(found.at), found.error, found.description, found.grant_type)


async def token_failures_of_app(
    rt: Runtime, viewer: Viewer, app_id: str, request: PageRequest
) -> Page[TokenFailureView]:
    """The app's last token-endpoint failures, newest first, for its partner's owners and admins
    (``partners.token_failure.read``): FORBIDDEN for anyone else."""
    standing = await rt.graph.read(readable_app, viewer, "partners.token_failure.read", app_id)
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

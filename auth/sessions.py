"""Sessions: opened at sign-in, each with a rotating refresh token; the viewer of an access token; signing out.

Each mutation is one write transaction. Outcomes that must be remembered even though the request fails (a refresh
token reused, which closes its session) are returned from the transaction and turned into errors after it commits.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.tokens import open_successor, seal_successor
from auth.viewer import Viewer
from core.errors import NotFoundError, UnauthenticatedError
from core.runtime import Runtime
from graph import auth as queries
from graph.auth import LockedRefreshToken, SessionRow
from identity.model import IssuedTokens, SessionView


def refresh_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def issue_tokens(rt: Runtime, person_id: str, session_id: str, level: int, refresh: str) -> IssuedTokens:
    access, claims = rt.keyring.issue(subject=person_id, session_id=session_id, assurance_level=level)
    return IssuedTokens(access, claims.expires_at, refresh, session_id)


async def open_session(
    tx: AsyncManagedTransaction, rt: Runtime, person_id: str, user_agent: str | None
) -> tuple[str, str]:
    """Create a session with its first refresh token inside the caller's transaction."""
    session_id, refresh = str(uuid.uuid4()), _new_refresh_token()
    await queries.create_session(
        tx,
        person_id=person_id,
        session_id=session_id,
        user_agent=(user_agent or "")[:300] or None,
        token_hash=refresh_token_hash(refresh),
        ttl_days=min(rt.settings.refresh_token_ttl_days, rt.settings.session_max_lifetime_days),
    )
    return session_id, refresh


# --- viewer ------------------------------------------------------------------------------------------------


async def viewer_from_token(rt: Runtime, token: str) -> Viewer:
    """The viewer of a bearer token; UNAUTHENTICATED when invalid, expired or its session is closed."""
    claims = rt.keyring.verify(token)
    found = await rt.graph.read(queries.viewer_of_session, claims.subject, claims.session_id)
    if found is None:
        raise UnauthenticatedError("This session has ended (signed out or account closed); sign in again.")
    return Viewer(
        kind="person",
        actor_id=claims.subject,
        session_id=claims.session_id,
        assurance_level=found.assurance_level,
        roles=frozenset(found.roles or []),
    )


# --- refresh and sessions --------------------------------------------------------------------------------------


async def refresh(rt: Runtime, refresh_token: str, *, user_agent: str | None) -> IssuedTokens:
    """Rotate a refresh token.

    Presenting an already-rotated one closes its whole session, except within the grace window
    (``refresh_reuse_grace_seconds``) by the same user agent while the successor is still unused: that is
    a client retrying after a lost response, and it gets the same successor back. A session older than
    ``session_max_lifetime_days`` cannot be refreshed, however regularly it was used."""
    settings = rt.settings
    old_hash = refresh_token_hash(refresh_token or "")
    agent = (user_agent or "")[:300] or None
    new_refresh = _new_refresh_token()

    async def work(tx: AsyncManagedTransaction) -> tuple[str, LockedRefreshToken | None, str | None]:
        found = await queries.lock_refresh_token(
            tx,
            old_hash,
            grace_seconds=settings.refresh_reuse_grace_seconds,
            max_lifetime_days=settings.session_max_lifetime_days,
        )
        if found is None:
            return "invalid", None, None
        live = not (found.revoked or found.expired or found.past_lifetime or found.status != "active")
        if found.used:
            if live and found.within_grace and found.successor_unused and found.rotated_for_agent == agent:
                successor = open_successor(refresh_token, found.sealed_successor or "")
                if successor is not None:
                    return "ok", found, successor
            await queries.revoke_sessions(
                tx, found.person_id, reason="refresh token reused", session_ids=[found.session_id]
            )
            return "reused", None, None
        if not live:
            return "expired" if found.past_lifetime else "invalid", None, None
        await queries.rotate_refresh_token(
            tx,
            old_hash,
            refresh_token_hash(new_refresh),
            sealed_successor=seal_successor(refresh_token, new_refresh),
            ttl_days=settings.refresh_token_ttl_days,
            max_lifetime_days=settings.session_max_lifetime_days,
            user_agent=agent,
        )
        return "ok", found, new_refresh

    status, found, successor = await rt.graph.write(work)
    if status == "reused":
        raise UnauthenticatedError(
            "This refresh token was already used, so the session was closed to protect the account; sign in again."
        )
    if status == "expired":
        raise UnauthenticatedError(
            "This session reached its maximum lifetime ({days} days); sign in again.",
            params={"days": settings.session_max_lifetime_days},
        )
    if status != "ok" or found is None or successor is None:
        raise UnauthenticatedError("This refresh token is invalid or expired; sign in again.")
    return issue_tokens(rt, found.person_id, found.session_id, found.assurance_level, successor)


async def logout(rt: Runtime, viewer: Viewer, session_id: str | None = None) -> None:
    """Close the session of this request, or (``session_id``) one of my open sessions: NOT_FOUND on
    ``sessionId`` when I have no open session with that id."""
    person_id = authorize(viewer, "auth.session.end")
    if session_id is None:
        session_ids = [viewer.session_id] if viewer.session_id is not None else []
        await rt.graph.write(queries.revoke_sessions, person_id, reason="signed out", session_ids=session_ids)
        return
    reason = "signed out" if session_id == viewer.session_id else "revoked by owner"
    if not await rt.graph.write(queries.revoke_sessions, person_id, reason=reason, session_ids=[session_id]):
        raise NotFoundError("You have no open session with this id.", field="sessionId")


async def logout_everywhere(rt: Runtime, viewer: Viewer, *, keep_current: bool = False) -> int:
    """Close every session of mine (all but this request's with ``keep_current``); how many were closed."""
    person_id = authorize(viewer, "auth.session.end")
    except_id = viewer.session_id if keep_current else None
    return await rt.graph.write(queries.revoke_sessions, person_id, reason="signed out everywhere", except_id=except_id)


def _session_view(s: SessionRow, viewer: Viewer) -> SessionView:
    return SessionView(
        id=s.id,
        user_agent=s.user_agent,
        created_at=s.created_at.to_native(),
        last_used_at=s.last_used_at.to_native(),
        current=s.id == viewer.session_id,
    )


async def my_sessions(rt: Runtime, viewer: Viewer) -> list[SessionView]:
    person_id = authorize(viewer, "auth.session.read")
    return [_session_view(s, viewer) for s in await rt.graph.read(queries.active_sessions, person_id)]


async def sessions_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[SessionView | None]:
    """The open sessions of ``ids`` as ``node(id:)`` shows them: only their owner sees them; None for anyone
    else's, a closed one or an unknown id (one read for the whole list)."""
    if viewer.kind != "person" or viewer.actor_id is None:
        return [None] * len(ids)
    person_id = authorize(viewer, "auth.session.read")
    found = {s.id: s for s in await rt.graph.read(queries.active_sessions, person_id, list(ids))}
    return [_session_view(found[i], viewer) if i in found else None for i in ids]

"""Changing my password while signed in: every other session is closed."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth import throttle
from auth.passwords import INVALID_CREDENTIALS, check_policy, hash_password
from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import UserInputError
from core.runtime import Runtime
from graph import auth as queries


async def change_password(rt: Runtime, viewer: Viewer, current: str, new: str, *, address: str | None = None) -> int:
    """Change the password; every other session is revoked. Returns how many were. The current password is
    checked under the sign-in throttle (a stolen access token must not allow unlimited guesses)."""
    person_id = authorize(viewer, "auth.password.change")
    check_policy(new, field="newPassword")
    wrong = UserInputError("The current password is wrong.", code=INVALID_CREDENTIALS, field="currentPassword")
    current_password = await throttle.check_current_password(rt, person_id, current, address=address, wrong=wrong)
    new_hash = await hash_password(new)

    async def work(tx: AsyncManagedTransaction) -> int | None:
        if not await current_password.confirm(tx):
            return None
        await queries.set_password_hash(tx, person_id, new_hash)
        return await queries.revoke_sessions(tx, person_id, reason="password changed", except_id=viewer.session_id)

    revoked = await rt.graph.write(work)
    if revoked is None:
        raise wrong
    return revoked

"""The leaf other domains import to check a ward or commune code inside their own transaction.

``require_commune(tx, code, field=...)`` is the one way a registration, a post or a listing learns that a code
names one of Hà Nội's wards and communes; the caller's transaction keeps the check and the change together.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from core.errors import UserInputError
from graph import places as queries


async def require_commune(tx: AsyncManagedTransaction, code: str, *, field: str = "wardCode") -> None:
    """Nothing when ``code`` names a ward or commune of Hà Nội; a UserInputError on ``field`` otherwise."""
    if await queries.commune_by_code(tx, code) is None:
        raise UserInputError("No ward or commune of Hà Nội has this code; see the `communes` list.", field=field)

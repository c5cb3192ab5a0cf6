"""What posts and comments share: their text, the people they mention, and who besides the author may remove them."""

from __future__ import annotations

import re

from neo4j import AsyncManagedTransaction

from auth.permissions import holds
from auth.rules import runs_community
from auth.viewer import Viewer
from core.runtime import Runtime
from core.text import checked_text, nfc
from graph import social as queries
from notifications import notify

#: The longest reason a moderator gives for removing a post or a comment.
MAX_REASON_LENGTH = 1000

_MENTION = re.compile(r"@\[([0-9a-f-]{36})\]")


def checked_body(text: str, limit: int, field: str) -> str:
    """Post and comment text: one line has its spaces collapsed; the rule itself is ``core.text.checked_text``."""
    single_line = nfc(text) if "\n" not in (text or "") else text
    return checked_text(single_line, field=field, max_length=limit, required=True) or ""


async def tell_mentioned(tx: AsyncManagedTransaction, rt: Runtime, author: str, text: str, post_id: str) -> None:
    """Mentions are written ``@[<person uuid>]`` by client apps; each mentioned person who may see the post
    is told once (``notifications``: a notice about a post reaches only who may see it)."""
    for mentioned in sorted(set(_MENTION.findall(text)) - {author}):
        await notify(tx, rt, mentioned, "mention", actor=author, subject=post_id, subject_type="Post")


async def may_remove_for_others(tx: AsyncManagedTransaction, viewer: Viewer, me: str, community_id: str | None) -> bool:
    """City officers remove any post or comment; a community's moderators and admins remove what was written in it
    (``auth.rules.runs_community``). The removal itself is moderation's (``record_removal``)."""
    if holds(viewer, "social.content.remove_any"):
        return True
    if community_id is None:
        return False
    member = await queries.membership(tx, me, community_id)
    return member is not None and runs_community(member.role)

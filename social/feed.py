"""The feed: posts of my connections, the actors I follow, my communities and my own, newest first (not of whom
I muted, and only those I may see: ``POST_VISIBLE``)."""

from __future__ import annotations

from core.pagination import keyset_kind

#: Cursors of the feed: (createdAt, id), scoped to the viewer (``FEED_CURSOR.scoped(me)``): a cursor of another
#: person's feed is refused.
FEED_CURSOR = keyset_kind("feed")

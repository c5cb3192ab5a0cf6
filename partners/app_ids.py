"""The ids a partner app sees in API results, and reads back from it (docs/partners.md, "Ids an app sees").

For a ``partner_app`` viewer every person is shown under a handle of the app's own
(``partners.pairwise.person_handle``): the value of their ``Person`` global id (``me { id }``, a seller, a
reviewer, a connection...), of the ``Wallet`` global id (a wallet's id names its owner), and of a notification's
``subjectId`` when it is a person. The same person always has the same handle for one app; two apps' handles of one
person share nothing; only we can open them. Every cursor an app receives is sealed with the app's key too
(``seal_cursor``): the keyset cursors of some lists carry a person's internal id (a person's connections, a
seller's reviews), so they are opaque for apps in this one place rather than list by list.

On the way in, an app's ``Person`` global id must hold one of its handles: the internal id (the global id a person
viewer sees) or another app's handle does not open, and is refused exactly like a malformed id. Organisations are
public actors: their ids are the same for every viewer. Person and anonymous viewers see the plain ids and cursors.

``sub`` (tokens, userinfo) is another value: the one-way pairwise subject (``partners.pairwise.subject``).
"""

from __future__ import annotations

from auth.viewer import Viewer
from core.runtime import Runtime
from partners import pairwise


def _sector(viewer: Viewer) -> str | None:
    """The sector whose key the viewer's ids are sealed with: the app's (``App.sectorId`` = the app's id); None for
    a viewer that sees plain ids."""
    return viewer.app_id if viewer.is_app and viewer.app_id else None


def person_out(rt: Runtime, viewer: Viewer, person_id: str) -> str:
    """The value of a person's global id as ``viewer`` sees it (a handle for an app)."""
    sector = _sector(viewer)
    return pairwise.person_handle(rt.pairwise_key, sector, person_id) if sector else person_id


def person_in(rt: Runtime, viewer: Viewer, value: str) -> str | None:
    """The internal id behind the value of a person's global id sent by ``viewer``; None when it is not one this
    viewer was shown (for an app: not one of its handles)."""
    sector = _sector(viewer)
    return pairwise.person_from_handle(rt.pairwise_key, sector, value) if sector else value


def cursor_out(rt: Runtime, viewer: Viewer, cursor: str | None) -> str | None:
    """A cursor as ``viewer`` receives it (sealed for an app)."""
    sector = _sector(viewer)
    if sector is None or cursor is None:
        return cursor
    return pairwise.seal(rt.pairwise_key, sector, pairwise.CURSOR, cursor)


def cursor_in(rt: Runtime, viewer: Viewer, cursor: str) -> str | None:
    """The cursor a list issued, inside what ``viewer`` sent (for an app: opened); None when it is not one this
    viewer was given (the caller refuses it as a cursor the list did not issue)."""
    sector = _sector(viewer)
    return pairwise.open_sealed(rt.pairwise_key, sector, pairwise.CURSOR, cursor) if sector else cursor

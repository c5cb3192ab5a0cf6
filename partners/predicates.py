"""Minimal disclosure: yes/no answers about the viewer's own person instead of the raw data (``isAdult``,
``livesInWard(code:)``, ``isVerifiedResident``).

Each is about the signed-in person, or for a partner app the person of its grant (scope ``predicate.*``, checked by
``schema.app_scope``, which records the read as the predicate's coordinate, e.g. ``Query.isAdult``: the person's
access log says "asked whether you are 18 or older", never their birth date). The person's record is read through
``identity.views`` as anyone's is (the app is the person themself there), so a sandbox app's token still sees only
its test personas. Signed out: UNAUTHENTICATED.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from auth.permissions import SIGN_IN_FIRST
from auth.viewer import Viewer
from core.errors import UnauthenticatedError
from core.runtime import Runtime
from identity.model import PersonView
from identity.views import persons_by_ids
from places.communes import require_commune

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ADULT_AGE = 18


def hanoi_today(now: datetime) -> date:
    """The date in Hà Nội at the instant ``now`` (an aware datetime)."""
    return now.astimezone(HANOI).date()


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today``; a birthday on 29 February is reached on 1 March in other years."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_adult(born: date, today: date) -> bool:
    """18 or older on ``today`` (from the 18th birthday itself)."""
    return age_on(born, today) >= ADULT_AGE


def is_verified_resident(person: PersonView) -> bool:
    """Identity checked by an officer (level 2) and the role resident."""
    return person.assurance_level >= 2 and "resident" in person.roles


async def _person(rt: Runtime, viewer: Viewer) -> PersonView | None:
    """The viewer's own person as they see themself; None when it is no longer visible (a closed account)."""
    if viewer.actor_id is None or viewer.kind not in ("person", "partner_app"):
        raise UnauthenticatedError(SIGN_IN_FIRST)
    (person,) = await persons_by_ids(rt, viewer, [viewer.actor_id])
    return person if person is not None and person.status == "active" else None


async def adult(rt: Runtime, viewer: Viewer) -> bool | None:
    """Whether the person is 18 or older by today's date in Hà Nội (the runtime's clock); null when they never
    gave their date of birth."""
    person = await _person(rt, viewer)
    if person is None or person.date_of_birth is None:
        return None
    return is_adult(person.date_of_birth, hanoi_today(rt.keyring.now()))


async def lives_in_ward(rt: Runtime, viewer: Viewer, code: str) -> bool | None:
    """Whether the person's ward or commune is the one with ``code`` (INVALID_INPUT on ``code`` when no ward or
    commune of Hà Nội has it)."""
    await rt.graph.read(lambda tx: require_commune(tx, code, field="code"))
    person = await _person(rt, viewer)
    if person is None:
        return None
    return person.ward is not None and person.ward.code == code


async def verified_resident(rt: Runtime, viewer: Viewer) -> bool | None:
    person = await _person(rt, viewer)
    return None if person is None else is_verified_resident(person)

"""``hanoismart dev verify``: raise a person's assurance level by hand, through the identity services, as the person
and an officer would, so the graph keeps the usual records.

- Level 1: each unverified phone and e-mail of the person gets a one-time code from the development sender, which is
  read back and entered (the contact's ``verifiedAt`` is set as with ``contactVerificationComplete``).
- Level 2: a verification request is made for the person (or their pending one is taken) and a city officer approves
  it; the request records the officer, the time and a reason naming this command and the operating-system user who
  ran it (``decidedBy``, ``decidedAt``, ``reason``, seen by the person and by officers).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from auth.viewer import Viewer
from core.errors import UserInputError
from core.runtime import Runtime
from graph import sandbox as queries
from graph.sandbox import PersonRef
from identity import account, contact_verification, verification
from sandbox.codes import destination
from sandbox.demo import last_code, operator
from sandbox.guard import SandboxRefused, require_development

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


@dataclass(frozen=True)
class LevelChange:
    person: PersonRef
    before: int
    after: int
    officer: PersonRef | None = None  # who approved (level 2)
    contacts: tuple[str, ...] = ()  # the contacts proven (level 1)


def _person_id(text: str) -> str | None:
    """The UUID a UUID or a global id (``Person:<uuid>`` in base64) names, or None."""
    if _UUID.match(text):
        return text.lower()
    try:
        decoded = base64.b64decode(text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, node_id = decoded.partition(":")
    return node_id if type_name == "Person" and _UUID.match(node_id) else None


async def find_person(rt: Runtime, who: str) -> PersonRef:
    """The one person ``who`` names: their UUID or global id, or a phone or e-mail of theirs (verified or not)."""
    who = who.strip()
    person_id = _person_id(who)
    contact = ""
    if person_id is None:
        try:
            contact = destination(who, field="person")
        except UserInputError as exc:
            raise SandboxRefused(f"{who!r} is not a person's id, global id, e-mail or phone number.") from exc
    found = await rt.graph.read(queries.persons_by_id_or_contact, id=person_id or "", contact=contact)
    if not found:
        raise SandboxRefused(f"No person has the id, e-mail or phone {who!r}.")
    if len(found) > 1:
        names = ", ".join(f"{p.display_name} ({p.id})" for p in found)
        raise SandboxRefused(f"Several people have {who!r} among their contacts: {names}. Name one by id.")
    if found[0].status != "active":
        raise SandboxRefused(f"{found[0].display_name}'s account is {found[0].status}.")
    return found[0]


async def find_officer(rt: Runtime, who: str | None, applicant: PersonRef) -> PersonRef:
    """The officer named (id, global id, e-mail or phone), or else the only active officer who is not the
    applicant."""
    if who is not None:
        officer = await find_person(rt, who)
        if "officer" not in officer.roles:
            raise SandboxRefused(
                f"{officer.display_name} is not a city officer; grant the role with "
                f"`hanoismart admin grant {officer.id} --role officer`."
            )
    else:
        candidates = [o for o in await rt.graph.read(queries.active_officers) if o.id != applicant.id]
        if len(candidates) != 1:
            listed = "; ".join(f"{o.display_name} ({o.id})" for o in candidates) or "none (never the applicant)"
            raise SandboxRefused(
                "Level 2 is approved by a city officer: name one with --officer (id, e-mail or phone); "
                f"officers who could: {listed}. Make one with `hanoismart admin grant <person id> --role officer`."
            )
        officer = candidates[0]
    if officer.id == applicant.id:
        raise SandboxRefused("An officer never decides their own verification; name another officer with --officer.")
    return officer


def as_viewer(person: PersonRef) -> Viewer:
    """The person as services see a signed-in caller (without a session: the CLI acts for them)."""
    return Viewer(
        kind="person", actor_id=person.id, assurance_level=person.assurance_level, roles=frozenset(person.roles)
    )


async def raise_level(rt: Runtime, who: str, level: int, *, officer: str | None = None) -> LevelChange:
    """Bring the person ``who`` names up to ``level`` (1 or 2); a person at that level or above is left as is."""
    require_development(rt.settings, "hanoismart dev verify")
    if level not in (1, 2):
        raise SandboxRefused("--level is 1 (phone and e-mail proven) or 2 (document checked by an officer).")
    person = await find_person(rt, who)
    if person.assurance_level >= level:
        return LevelChange(person, person.assurance_level, person.assurance_level)
    if level == 1:
        proven = await _prove_contacts(rt, person)
        return LevelChange(person, person.assurance_level, 1, contacts=proven)
    approver = await find_officer(rt, officer, person)
    applicant = as_viewer(person)
    pending = [r for r in await verification.my_verification_requests(rt, applicant) if r.status == "pending"]
    request = pending[0] if pending else await verification.request_verification(rt, applicant)
    assert request is not None  # the applicant sees their own request
    reason = f"Set to level 2 with `hanoismart dev verify` by {operator()} (development only)."
    await verification.decide_verification(rt, as_viewer(approver), request.id, approve=True, reason=reason)
    return LevelChange(person, person.assurance_level, 2, officer=approver)


async def _prove_contacts(rt: Runtime, person: PersonRef) -> tuple[str, ...]:
    viewer = as_viewer(person)
    unproven = [c for c in await account.my_contacts(rt, viewer) if c["verifiedAt"] is None]
    if not unproven:
        raise SandboxRefused(
            f"{person.display_name} has no phone or e-mail to prove; add one (contactAdd) or ask for level 2."
        )
    for contact in unproven:
        await contact_verification.start_contact_verification(rt, viewer, contact["id"])
        code = last_code(rt, contact["value"])
        await contact_verification.complete_contact_verification(rt, viewer, contact["id"], code)
    return tuple(c["value"] for c in unproven)

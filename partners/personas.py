"""Test personas: made-up people a sandbox app signs in and reads, so a partner can build and test it before an
officer lets real residents near it.

A persona is stored as identity stores a person (``:Actor:Person``, the same properties, its ward) with the extra
label ``TestPersona``, ``personaOfAppId`` and ``(:Person)-[:PERSONA_OF]->(:App)``; it has no identity document.
It signs in with a generated identifier, ``persona-<n>@<appId>.sandbox.invalid`` (a reserved domain: no mail ever
goes there, and it is not an e-mail address ``sessionLogin`` accepts), and a password shown once. Only the OAuth
login page of its own app signs it in (``auth.sign_in.login(..., persona_of_app=)``); people search and
suggestions never show it.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime

from neo4j import AsyncManagedTransaction

from auth.passwords import hash_password
from auth.viewer import Viewer
from core.errors import ConflictError, Problems, UserInputError
from core.pagination import Page, PageRequest, keyset_kind
from core.runtime import Runtime
from core.text import fold
from graph import partners as queries
from graph.driver import native
from graph.partners import PersonaRow
from identity.names import check_name
from identity.privacy import default_audience_properties
from partners.apps import managed_app
from partners.model import PersonaView
from places.communes import require_commune

SEXES = ("male", "female")


def persona_view(found: PersonaRow) -> PersonaView:
    return PersonaView(
        id=found.id,
        display_name=found.display_name,
        date_of_birth=native(found.date_of_birth),
        ward_code=found.ward_code,
        verification_level=found.verification_level,
        sign_in_identifier=found.sign_in_identifier,
        created_at=native(found.created_at),
    )


def _check_birth_date(born: date) -> date:
    if not date(1900, 1, 1) <= born <= datetime.now(UTC).date():
        raise UserInputError("The date of birth must be between 1900-01-01 and today.", field="dateOfBirth")
    return born


def _check_level(level: int) -> int:
    if level not in (0, 1, 2):
        raise UserInputError("A verification level is 0, 1 or 2.", field="verificationLevel")
    return level


async def create_persona(
    rt: Runtime,
    viewer: Viewer,
    app_id: str,
    *,
    display_name: str,
    date_of_birth: date,
    ward_code: str | None,
    verification_level: int,
    sex: str | None,
    problems: Problems,
) -> tuple[PersonaView, str]:
    """A test persona of the sandbox app ``app_id`` (its owners and admins make them), and its password, shown once."""
    name = problems.take(lambda: check_name(display_name, "displayName"))
    problems.take(lambda: _check_birth_date(date_of_birth))
    level = problems.take(lambda: _check_level(verification_level))
    if sex is not None and sex not in SEXES:
        problems.add(UserInputError("Sex is MALE or FEMALE.", field="sex"))
    problems.raise_if_any()
    password = secrets.token_urlsafe(18)
    password_hash = await hash_password(password)
    person_id = str(uuid.uuid4())
    props: dict[str, object] = {
        "displayName": name,
        "fullName": name,
        "searchName": fold(name or ""),
        "sex": sex,
        "roles": ["resident"] if ward_code else ["tourist"],
        "nationality": "VN",
        "investorSectors": [],
        "passwordHash": password_hash,
        "assuranceLevel": level,
        **default_audience_properties(),
    }

    async def work(tx: AsyncManagedTransaction) -> None:
        found = await managed_app(tx, viewer, "partners.persona.create", app_id)
        if found.environment != "sandbox":
            raise ConflictError(
                "Test personas are for sandbox apps; this app is in production, where real residents sign in.",
                field="appId",
            )
        if ward_code:
            await require_commune(tx, ward_code, field="wardCode")
        await queries.create_persona(
            tx,
            app_id=app_id,
            id=person_id,
            contact_id=str(uuid.uuid4()),
            props=props,
            date_of_birth=date_of_birth.isoformat(),
            ward_code=ward_code,
        )

    await rt.graph.write(work)
    found = await rt.graph.read(queries.persona, person_id)
    assert found is not None, "a persona is never deleted"
    return persona_view(found), password


#: Cursors of App.personas (createdAt, person id), scoped to the app.
PERSONAS_CURSOR = keyset_kind("appPersonas")


async def personas_of_app(
    rt: Runtime, viewer: Viewer, app_id: str, manages: bool, request: PageRequest
) -> Page[PersonaView] | None:
    """The app's test personas, newest first, for its partner's owners and admins (``manages``); None otherwise."""
    if not manages:
        return None
    kind = PERSONAS_CURSOR.scoped(app_id)
    found, total = await rt.graph.read(queries.personas_of_app, app_id, request.window(kind))
    page = request.page(found, kind, lambda r: (r.created_at, r.id), total_count=total)
    return Page(
        items=[persona_view(r) for r in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        total_count=total,
    )

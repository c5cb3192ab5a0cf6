"""My profile: who may see each personal field, my ward, my investor sectors, the roles I choose."""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import Problems, UserInputError
from core.runtime import Runtime
from core.text import checked_words
from graph import identity as queries
from identity import privacy
from identity.account import me
from identity.model import GRANTED_ROLES, PERSON_ROLES, PersonView
from social.wards import join_ward_community

#: Bounds of stored profile text (README "Input bounds"; the schema's descriptions say them too).
MAX_SECTORS, MAX_SECTOR_LENGTH = 20, 100


def check_sectors(sectors: list[str] | None) -> list[str]:
    """Investor sectors as stored: trimmed words within the bounds (registration and profile updates)."""
    return checked_words(sectors, field="investorSectors", max_items=MAX_SECTORS, max_length=MAX_SECTOR_LENGTH)


def check_roles(roles: list[str], *, field: str = "roles") -> list[str]:
    """The self-chosen roles, sorted; officer roles are granted (``identity.city_roles``), never chosen."""
    chosen = sorted(set(roles))
    if not chosen:
        raise UserInputError("Choose at least one role: resident, tourist or investor.", field=field)
    refused = [r for r in chosen if r not in PERSON_ROLES]
    if refused:
        raise UserInputError(
            "These roles cannot be chosen: {roles}. Officer roles are granted by an administrator.",
            field=field,
            params={"roles": ", ".join(refused)},
        )
    return chosen


async def set_audience(rt: Runtime, viewer: Viewer, field: str, audience: str) -> PersonView:
    person_id = authorize(viewer, "identity.profile.update")
    if field not in privacy.DEFAULT_AUDIENCES:
        raise UserInputError(
            "Unknown profile field; choose one of {fields}.",
            field="field",
            params={"fields": ", ".join(privacy.DEFAULT_AUDIENCES)},
        )
    await rt.graph.write(
        queries.update_person, person_id, {privacy.audience_property(field): privacy.Audience(audience).value}
    )
    return await me(rt, viewer)


async def update_profile(
    rt: Runtime,
    viewer: Viewer,
    *,
    ward_code: str | None,
    investor_sectors: list[str] | None,
    add_roles: list[str] | None,
) -> PersonView:
    """Move ward, change investor sectors, or add a self-chosen role (a tourist becoming a resident)."""
    person_id = authorize(viewer, "identity.profile.update")
    problems = Problems()  # every mistake of the input at once
    new_roles = None
    if add_roles:
        chosen = problems.take(
            lambda: check_roles(list(viewer.roles & set(PERSON_ROLES)) + add_roles, field="addRoles")
        )
        if chosen is not None:
            new_roles = sorted(set(chosen) | (viewer.roles & set(GRANTED_ROLES)))
    sectors = problems.take(lambda: check_sectors(investor_sectors)) if investor_sectors is not None else None
    problems.raise_if_any()

    async def work(tx: AsyncManagedTransaction) -> None:
        current = await queries.roles_of(tx, person_id)
        current_roles = (current.roles if current else None) or []
        if new_roles and "resident" in new_roles and "resident" not in current_roles and not ward_code:
            lives = await queries.persons_by_ids(tx, [person_id], person_id)
            if not lives or lives[0].record["ward"] is None:
                raise UserInputError("A resident names the ward or commune they live in (wardCode).", field="wardCode")
        if ward_code is not None:
            if not await queries.move_to_ward(tx, person_id, ward_code):
                raise UserInputError(
                    "No ward or commune of Hà Nội has this code; see the `communes` list.", field="wardCode"
                )
            await join_ward_community(tx, person_id)
        props: dict[str, object] = {}
        if sectors is not None:
            props["investorSectors"] = sectors
        if new_roles is not None:
            props["roles"] = new_roles
        if props:
            await queries.update_person(tx, person_id, props)

    await rt.graph.write(work)
    return await me(rt, viewer)

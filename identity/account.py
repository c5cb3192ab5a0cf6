"""My account: who I am to myself, my phones and e-mails, the organisations I represent, everything the platform
holds about me, and closing the account."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from neo4j import AsyncManagedTransaction

from auth import throttle
from auth.passwords import INVALID_CREDENTIALS
from auth.permissions import authorize
from auth.viewer import Viewer
from core.errors import AppError, UnauthenticatedError, UserInputError
from core.runtime import Runtime
from graph import identity as queries
from graph.identity import ActorRecord, Contact, OrganizationRow
from identity.model import CLOSED_NAME, ContactView, OrganizationView, PersonView
from identity.views import organization_view, organizations_by_ids, persons_by_ids
from partners.grants import revoke_every_grant
from social.wards import join_ward_community

#: Said to a signed-in viewer whose account is gone (closed by a parallel request): the caller's problem, not the
#: input's, so top-level UNAUTHENTICATED in a mutation too.
ACCOUNT_GONE = "Your account no longer exists."


async def me(
    rt: Runtime,
    viewer: Viewer,
    read: Callable[[str], Awaitable[PersonView | OrganizationView | None]] | None = None,
) -> PersonView:
    """The signed-in person as they see themself; ``read`` reads them by id when the caller compiles the read from the
    client's selection (``resolvers.identity.read_actors``), else the full view (``persons_by_ids``)."""
    person_id = authorize(viewer, "identity.account.read")
    if read is not None:
        view = await read(person_id)
    else:
        (view,) = await persons_by_ids(rt, viewer, [person_id])
    if not isinstance(view, PersonView):
        raise UnauthenticatedError(ACCOUNT_GONE)
    return view


def contact_view(c: Contact) -> ContactView:
    """One of my contacts as the API shows it to me."""
    return ContactView(
        id=c["id"],
        kind=c["kind"],
        value=c["value"],
        verifiedAt=c["verifiedAt"].to_native() if c["verifiedAt"] else None,
    )


async def my_contacts(rt: Runtime, viewer: Viewer) -> list[ContactView]:
    person_id = authorize(viewer, "identity.contact.read")
    found = await rt.graph.read(queries.persons_by_ids, [person_id], person_id)
    contacts = found[0].record["contacts"] if found else []
    return [contact_view(c) for c in contacts]


async def contacts_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[ContactView | None]:
    """My contacts of ``ids`` as ``node(id:)`` shows them: only their owner sees them; None for anyone else's or an
    unknown id (one read for the whole list)."""
    if viewer.kind != "person" or viewer.actor_id is None:
        return [None] * len(ids)
    mine = {c["id"]: c for c in await my_contacts(rt, viewer)}
    return [mine.get(i) for i in ids]


async def my_organizations(rt: Runtime, viewer: Viewer) -> list[tuple[OrganizationView, str]]:
    person_id = authorize(viewer, "identity.account.read")
    found = await rt.graph.read(queries.organizations_of_person, person_id)
    views = await organizations_by_ids(rt, viewer, [r.id for r in found])
    return [(v, r.role) for v, r in zip(views, found, strict=False) if v is not None]


def read_already(viewer: Viewer, action: str, record: ActorRecord) -> bool:
    """Whether what ``action`` reads of the viewer themself may be taken from ``record``, an actor a compiled statement
    read with their own lists: it is the viewer, and the viewer may do ``action`` (otherwise the field asks itself,
    and says why it refuses)."""
    try:
        return authorize(viewer, action) == record["id"]
    except AppError:
        return False


def contacts_read(viewer: Viewer, record: ActorRecord) -> list[ContactView] | None:
    """What ``my_contacts`` answers, from the viewer's own full record already read; None when it may not be taken
    from it."""
    person = record.get("person")
    if person is None or not read_already(viewer, "identity.contact.read", record):
        return None
    return [contact_view(c) for c in person["contacts"]]


def organizations_read(viewer: Viewer, record: ActorRecord) -> list[tuple[OrganizationView, str]] | None:
    """What ``my_organizations`` answers, from the viewer's own record read with their organisations (None when it
    may not be taken from it)."""
    found = record.get("organizations")
    if found is None or not read_already(viewer, "identity.account.read", record):
        return None
    return [
        (
            organization_view(
                OrganizationRow(
                    organization=o["organization"],
                    tax_code_last4=o["taxCodeLast4"],
                    viewer_role=o["viewerRole"],
                    blocked=False,
                )
            ),
            o["role"],
        )
        for o in found
    ]


def _jsonable(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    iso_format = getattr(value, "iso_format", None)
    if iso_format is not None:
        return iso_format()
    return value


async def my_data(rt: Runtime, viewer: Viewer) -> dict[str, object]:
    """Everything the platform holds about me, as JSON. Document numbers are not held, so not shown."""
    person_id = authorize(viewer, "identity.data.export")
    data = await rt.graph.read(queries.my_data, person_id)
    if data is None:
        raise UnauthenticatedError(ACCOUNT_GONE)
    exported = {k: _jsonable(v) for k, v in data.items() if v is not None}
    exported["exportedAt"] = datetime.now(UTC).isoformat()
    exported["note"] = (
        "Identity document numbers are never stored: only a keyed digest and the last 4 characters. "
        "Passwords are stored as argon2id hashes and not exported."
    )
    return exported


async def close_account(rt: Runtime, viewer: Viewer, password: str, *, address: str | None = None) -> None:
    """Erase personal fields, revoke sessions and every grant to an app; keep the identity digest so the document cannot open a
    second account. Content I wrote is anonymised (shown under the closed-account name). The password is
    checked under the sign-in throttle, outside any transaction."""
    person_id = authorize(viewer, "identity.account.close")
    wrong = UserInputError("The password is wrong.", code=INVALID_CREDENTIALS, field="password")
    current_password = await throttle.check_current_password(rt, person_id, password, address=address, wrong=wrong)

    async def work(tx: AsyncManagedTransaction) -> bool:
        if not await current_password.confirm(tx):
            return False
        await queries.close_account(tx, person_id, CLOSED_NAME)
        await join_ward_community(tx, person_id)  # a closed account leaves its ward's community
        await revoke_every_grant(tx, rt, person_id)  # no app keeps acting for a closed account
        return True

    if not await rt.graph.write(work):
        raise wrong

"""Views of people and organisations: the only way their records leave the identity domain.

Other domains import this leaf (never identity's use-case modules) to show an author, a seller or a member; every
personal field passes ``identity.privacy`` here, so no path can skip the rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from auth.viewer import Viewer
from core.runtime import Runtime
from graph import identity as queries
from graph.identity import ActorDisplay, OrganizationRow, PersonRecord, PersonRow

# What other domains' compiled reads hand to identity (their types, re-exported: only identity reads graph.identity).
from graph.identity import ActorRecord as ActorRecord
from graph.identity import ActorShape as ActorShape
from identity import privacy
from identity.model import OrganizationView, PersonView
from places.model import Commune


def person_view(record: PersonRecord, viewer: Viewer) -> PersonView:
    """A person as ``viewer`` may see them (privacy.py decides every personal field)."""
    person = record["person"]
    relation = privacy.relation_of(viewer, person["id"], connected=bool(record.get("connected")))

    def visible(field: str) -> bool:
        return person.get("status") == "active" and privacy.may_see(privacy.audience_of(person, field), relation)

    contacts = sorted(record.get("contacts") or [], key=lambda c: (c.get("verifiedAt") is not None, c["createdAt"]))
    # The one choice of a person's phone and e-mail (verified first, then the newest), for every viewer.
    phone_contact = next((c for c in reversed(contacts) if c["kind"] == "phone"), None)
    email_contact = next((c for c in reversed(contacts) if c["kind"] == "email"), None)
    phone = phone_contact["value"] if phone_contact is not None and visible("phone") else None
    email = email_contact["value"] if email_contact is not None and visible("email") else None
    ward_map = record.get("ward")
    ward = Commune.from_record(ward_map) if ward_map else None
    birth = person.get("dateOfBirth")
    is_self = relation is privacy.Relation.SELF
    document = record.get("document")
    return PersonView(
        id=person["id"],
        display_name=person["displayName"],
        roles=tuple(person.get("roles") or ()),
        assurance_level=person.get("assuranceLevel", 0),
        created_at=person["createdAt"].to_native(),
        status=person.get("status", "active"),
        is_self=is_self,
        date_of_birth=birth.to_native() if birth is not None and visible("dateOfBirth") else None,
        sex=person.get("sex") if visible("sex") else None,
        phone=phone,
        phone_verified=phone_contact.get("verifiedAt") is not None if phone is not None and phone_contact else None,
        email=email,
        email_verified=email_contact.get("verifiedAt") is not None if email is not None and email_contact else None,
        ward=ward if visible("ward") else None,
        investor_sectors=tuple(person.get("investorSectors") or ()) if visible("investorSectors") else None,
        document_kind=document["kind"] if is_self and document else None,
        document_last4=document["last4"] if is_self and document else None,
        audiences={f: privacy.audience_of(person, f).value for f in privacy.DEFAULT_AUDIENCES} if is_self else None,
    )


def organization_view(row: OrganizationRow) -> OrganizationView:
    org = row.organization
    return OrganizationView(
        id=org["id"],
        display_name=org["displayName"],
        kind=org["orgKind"],
        sector=org.get("sector"),
        tax_code_last4=row.tax_code_last4,
        assurance_level=org.get("assuranceLevel", 0),
        created_at=org["createdAt"].to_native(),
        status=org.get("status", "active"),
        viewer_role=row.viewer_role,
    )


# --- the slim display view -------------------------------------------------------------------------------------------

#: The fields of ``Actor``, ``Person`` and ``Organization`` that a display record (``graph.identity.display_projection``)
#: answers as the full projection would: the display fields themselves, and the fields resolved later from the actor's
#: id alone by their own resolvers and loaders (relation, lists, an owner's own requests...), which read nothing of the
#: view. Anything else (ward, roles, phone, sector, myRole...) needs the full projection; so do my ``contacts``, which
#: the full record holds (a display record would leave them to a statement of their own).
DISPLAY_FIELDS = frozenset(
    {
        "__typename",
        "id",
        "displayName",
        "kind",
        "verificationLevel",
        "createdAt",
        "closed",
        "organizationKind",
        # resolved from the id by their own resolvers
        "relation",
        "followers",
        "posts",
        "connections",
        "following",
        "mutualConnections",
        "connectionRequestsReceived",
        "connectionRequestsSent",
        "verificationRequests",
        "organizations",
        "representatives",
        "representationHistory",
        "pendingInvitations",
        "apps",
    }
)


def display_suffices(fields: Iterable[str]) -> bool:
    """Whether a selection of these field names (below an author, a seller, a connection: fragments looked through)
    is answered by a display view (``display_view``): they are all ``DISPLAY_FIELDS``."""
    return DISPLAY_FIELDS.issuperset(fields)


def display_view(record: ActorDisplay, viewer: Viewer) -> PersonView | OrganizationView | None:
    """The slim view of an actor shown in a list, from its display record: the same ``PersonView`` /
    ``OrganizationView`` type as the full views, with only the display fields filled (the others empty, as for a
    viewer who may not see them). Use it only when the client asked for nothing but ``DISPLAY_FIELDS``
    (``display_suffices``). None when the viewer may not know the actor: a block either way, or a person a sandbox
    app may not see (``hidden``'s rule, ``sandbox_admits``), exactly as ``actors_by_ids`` decides."""
    if record["blocked"]:
        return None
    created_at = record["createdAt"].to_native()
    level = record.get("assuranceLevel") or 0
    status = record.get("status") or "active"
    if record["isPerson"]:
        if not sandbox_admits(viewer, record.get("personaOfAppId")):
            return None
        relation = privacy.relation_of(viewer, record["id"], connected=False)
        return PersonView(
            id=record["id"],
            display_name=record["displayName"],
            roles=(),
            assurance_level=level,
            created_at=created_at,
            status=status,
            is_self=relation is privacy.Relation.SELF,
        )
    return OrganizationView(
        id=record["id"],
        display_name=record["displayName"],
        kind=record["orgKind"] or "",  # always set on an organisation
        sector=None,
        tax_code_last4=None,
        assurance_level=level,
        created_at=created_at,
        status=status,
    )


async def displays_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[PersonView | OrganizationView | None]:
    """Display views of these actors (people and organisations) in one statement, aligned with ``ids``; None for
    unknown ids and for actors the viewer may not know (``display_view``)."""
    if not ids:
        return []
    found = await rt.graph.read(queries.displays_by_ids, ids, viewer.actor_id)
    views = {r["id"]: display_view(r, viewer) for r in found}
    return [views.get(i) for i in ids]


def hidden(record: PersonRecord, viewer: Viewer) -> bool:
    """Whether ``viewer`` must not know this person at all: a sandbox app's token sees only the app's own test
    personas (``(:Person:TestPersona {personaOfAppId})``), so every real person (and every other app's persona) is
    unknown to it: null or NOT_FOUND by id, absent from lists, as a block hides two people from each other. Every
    path a partner app can reach (``partners.fields``) shows people through ``persons_by_ids`` or ``actors_by_ids``,
    so this is the one place it is decided."""
    return not sandbox_admits(viewer, record["person"].get("personaOfAppId"))


def sandbox_app_id(viewer: Viewer) -> str | None:
    """The app whose test personas are all ``viewer`` may know (a sandbox app's token); None when the sandbox rule
    does not apply (everyone else). The parameter ``$sandboxAppId`` of ``graph.listings.SANDBOX_ADMITS``."""
    if not (viewer.sandbox and viewer.is_app):
        return None
    return viewer.app_id or ""  # "" names no app: nobody is admitted


def sandbox_admits(viewer: Viewer, persona_of_app_id: str | None) -> bool:
    """THE sandbox rule: whether ``viewer`` may know (see, order from, pay) an actor that is a test persona of the
    app ``persona_of_app_id`` (None: a real resident or an organisation). A sandbox app's token knows only its own
    app's personas; anyone else knows everyone. Its Cypher mirror is ``graph.listings.SANDBOX_ADMITS``
    (``tests/partners/test_sandbox_marketplace.py`` holds them together); people pass it through ``hidden``, the
    marketplace's listings and orders (``marketplace.listings``, ``marketplace.orders``) through it or its mirror."""
    app_id = sandbox_app_id(viewer)
    return app_id is None or (persona_of_app_id is not None and persona_of_app_id == app_id)


async def persons_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[PersonView | None]:
    """Views of these people for ``viewer``; None for unknown ids and for people who blocked the
    viewer or whom the viewer blocked (a block hides the two from each other everywhere), and for people a sandbox
    app may not see (``hidden``)."""
    if not ids:
        return []
    found = await rt.graph.read(queries.persons_by_ids, ids, viewer.actor_id)
    views = {
        r.record["person"]["id"]: person_view(r.record, viewer)
        for r in found
        if not r.blocked and not hidden(r.record, viewer)
    }
    return [views.get(i) for i in ids]


async def organizations_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[OrganizationView | None]:
    if not ids:
        return []
    found = await rt.graph.read(queries.organizations_by_ids, ids, viewer.actor_id)
    views = {r.organization["id"]: organization_view(r) for r in found if not r.blocked}
    return [views.get(i) for i in ids]


def shown_actor(
    person: PersonRow | None, organization: OrganizationRow | None, viewer: Viewer
) -> PersonView | OrganizationView | None:
    """An actor a compiled read found with an item (an author, an actor of a notification, a seller), as
    ``actors_by_ids`` shows it: None across a block either way and for a person a sandbox app may not know."""
    if person is not None:
        return None if person.blocked or hidden(person.record, viewer) else person_view(person.record, viewer)
    if organization is not None:
        return None if organization.blocked else organization_view(organization)
    return None


def actor_view(record: ActorRecord, viewer: Viewer) -> PersonView | OrganizationView | None:
    """The view of an actor of either kind as ``graph.identity.actor_map`` read it: the display view
    (``display_view``) when it read the display record, else the full view (``person_view`` / ``organization_view``);
    None across a block either way and for a person a sandbox app may not know (``hidden``), as everywhere."""
    display = record.get("display")
    if display is not None:
        return display_view(display, viewer)
    if record.get("blocked"):
        return None
    person = record.get("person")
    if person is not None:
        return None if hidden(person, viewer) else person_view(person, viewer)
    organization = record.get("organization")
    if organization is not None:
        return organization_view(
            OrganizationRow(
                organization=organization["organization"],
                tax_code_last4=organization["taxCodeLast4"],
                viewer_role=organization["viewerRole"],
                blocked=False,
            )
        )
    return None


async def actors_by_ids(rt: Runtime, viewer: Viewer, ids: list[str]) -> list[PersonView | OrganizationView | None]:
    """People and organisations in one batch (authors of posts and comments), in one statement whatever their kind
    (``graph.identity.actors_by_ids``)."""
    if not ids:
        return []
    found = await rt.graph.read(queries.actors_by_ids, ids, viewer.actor_id)
    views = {r["id"]: actor_view(r, viewer) for r in found}
    return [views.get(i) for i in ids]

"""Resolvers of identity and sign-in: thin glue from fields to identity/ and auth/ services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar, overload

import strawberry
from graphql import OperationType
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types.nodes import SelectedField, Selection

from auth import password_change as auth_password_change
from auth import password_reset as auth_password_reset
from auth import sessions as auth_sessions
from auth import sign_in as auth_sign_in
from auth.viewer import Viewer
from core.errors import AppError, Problems, UserInputError
from core.pagination import NOT_ISSUED, PageRequest, Window
from core.runtime import Runtime
from graph import identity as identity_queries
from graph.identity import OWN_LISTS, ActorRecord, ActorShape, FoldedList, RepresentativeRecord
from graph.rows import row
from graph.social import Relation as RelationFacts
from graph.social import folded_list_parameters, people_list_of
from identity import account as identity_account
from identity import city_roles as identity_city_roles
from identity import contact_verification as identity_contact_verification
from identity import invitations as identity_invitations
from identity import organizations as identity_organizations
from identity import privacy
from identity import profile as identity_profile
from identity import registration as identity_registration
from identity import representatives as identity_representatives
from identity import search as identity_search
from identity import verification as identity_verification
from identity import views as identity_views
from identity.model import OrganizationView, PersonView
from identity.model import Representative as RepresentativeModel
from identity.registration import PersonRegistration
from partners import app_ids as partner_ids
from resolvers.common import client_address, decode_id, decode_input_id, mutate, runtime, user_agent, viewer
from schema.common import AFTER, BEFORE, FIRST, LAST
from schema.identity import (
    AccountCloseInput,
    AccountClosePayload,
    ActorConnection,
    AuthTokens,
    Contact,
    ContactAddInput,
    ContactAddPayload,
    ContactVerificationCompleteInput,
    ContactVerificationCompletePayload,
    ContactVerificationStartInput,
    ContactVerificationStartPayload,
    OfficerRoleSetInput,
    OfficerRoleSetPayload,
    Organization,
    OrganizationRegisterInput,
    OrganizationRegisterPayload,
    PasswordChangeInput,
    PasswordChangePayload,
    PasswordResetCompleteInput,
    PasswordResetCompletePayload,
    PasswordResetStartInput,
    PasswordResetStartPayload,
    Person,
    PersonRegisterInput,
    PersonRegisterPayload,
    ProfileAudienceSetInput,
    ProfileAudienceSetPayload,
    ProfileUpdateInput,
    ProfileUpdatePayload,
    Representation,
    RepresentationChange,
    Representative,
    RepresentativeInvitation,
    RepresentativeInvitationAcceptInput,
    RepresentativeInvitationAcceptPayload,
    RepresentativeInvitationConnection,
    RepresentativeInvitationDeclineInput,
    RepresentativeInvitationDeclinePayload,
    RepresentativeInvitationWithdrawInput,
    RepresentativeInvitationWithdrawPayload,
    RepresentativeRevokeInput,
    RepresentativeRevokePayload,
    RepresentativeRole,
    RepresentativeSetInput,
    RepresentativeSetPayload,
    Session,
    SessionLoginInput,
    SessionLoginPayload,
    SessionLogoutEverywhereInput,
    SessionLogoutEverywherePayload,
    SessionLogoutInput,
    SessionLogoutPayload,
    SessionRefreshInput,
    SessionRefreshPayload,
    VerificationRequest,
    VerificationRequestApproveInput,
    VerificationRequestApprovePayload,
    VerificationRequestConnection,
    VerificationRequestCreateInput,
    VerificationRequestCreatePayload,
    VerificationRequestRejectInput,
    VerificationRequestRejectPayload,
    VerificationStatus,
)
from schema.social import Relation
from social import people as social_people

T = TypeVar("T")

# --- nodes and loaders ------------------------------------------------------------------------------------------


# --- actors shown in lists: the slim display view ----------------------------------------------------------------

#: The loader of full actor views by id (``identity.views.actors_by_ids``): ``Post.author`` and the lists of people
#: read it. The same name and loader as ``resolvers.social``'s, whichever module creates it first.
ACTOR_LOADER = "ActorByIdLoader"
#: The loader of display views by id (``identity.views.displays_by_ids``), for an actor below which the client selected
#: only display fields. A loader of its own, so a display view primed for one place of a request never answers another
#: place that asked for more of the same actor.
DISPLAY_LOADER = "ActorDisplayByIdLoader"

AnyActorView = PersonView | OrganizationView


def actor_loader(context: Any) -> DataLoader[str, AnyActorView | None]:
    async def load(ids: list[str]) -> list[AnyActorView | None]:
        return await identity_views.actors_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


def display_loader(context: Any) -> DataLoader[str, AnyActorView | None]:
    async def load(ids: list[str]) -> list[AnyActorView | None]:
        return await identity_views.displays_by_ids(context.runtime, context.viewer, ids)

    return DataLoader(load_fn=load)


def _fields_of(selections: list[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # a fragment spread or inline fragment (``... on Person``): its fields count as selected here
            yield from _fields_of(selection.selections)


def selected_names(field: SelectedField | None) -> frozenset[str]:
    """The names of the fields selected directly below ``field``, looking through fragments (every selection of the
    same field merged is the caller's: pass each)."""
    return frozenset(f.name for f in _fields_of(field.selections)) if field is not None else frozenset()


def below(info: strawberry.Info, *path: str) -> frozenset[str] | None:
    """The names of the fields selected below the field at ``path`` under the current field, through fragments and
    over every selection of it (aliases included); None when it is not selected. ``path`` empty: below the current
    field itself (in a nested resolver, e.g. ``Post.author``)."""
    return _below([s for s in info.selected_fields if isinstance(s, SelectedField)], *path)


def _below(level: list[SelectedField], *path: str) -> frozenset[str] | None:
    """``below``, from the selections ``level`` of a field."""
    for name in path:
        level = [f for parent in level for f in _fields_of(parent.selections) if f.name == name]
        if not level:
            return None
    return frozenset(name for f in level for name in selected_names(f))


def display_only(info: strawberry.Info, *path: str) -> bool:
    """Whether the actor at ``path`` (an author, a seller, a connection) is selected with display fields only, so the
    slim display projection answers it (``identity.views.display_suffices``)."""
    names = below(info, *path)
    return names is not None and identity_views.display_suffices(names)


def prime_actors(info: strawberry.Info, views: Mapping[str, AnyActorView | None], *, display: bool) -> None:
    """Prime what one statement read of actors: display views into ``DISPLAY_LOADER``, full views into
    ``ACTOR_LOADER``; ``actor_shown`` then reads them without a query."""
    loader = (
        info.context.loader(DISPLAY_LOADER, display_loader)
        if display
        else info.context.loader(ACTOR_LOADER, actor_loader)
    )
    for actor_id, view in views.items():
        loader.prime(actor_id, view)


@overload
def actor_of(view: AnyActorView) -> Person | Organization: ...
@overload
def actor_of(view: AnyActorView | None) -> Person | Organization | None: ...
def actor_of(view: AnyActorView | None) -> Person | Organization | None:
    """The GraphQL actor of a view: a Person or an Organization (None for none)."""
    if view is None:
        return None
    return Organization.of(view) if isinstance(view, OrganizationView) else Person.of(view)


async def actor_shown(info: strawberry.Info, actor_id: str) -> Person | Organization | None:
    """The actor of a nested field (an author, a seller): through the display loader when the client selected only
    display fields below this field, through the full loader otherwise."""
    if display_only(info):
        return actor_of(await info.context.loader(DISPLAY_LOADER, display_loader).load(actor_id))
    return actor_of(await info.context.loader(ACTOR_LOADER, actor_loader).load(actor_id))


# --- compiled reads of actors: one statement, the nested fields primed ------------------------------------------------

#: Per request: what a compiled statement read for the nested fields of the actors it returned, by (field, actor id):
#: the viewer's relation, the viewer's own contacts, organisations and verification requests. Those fields' own
#: loaders do not cache (a mutation's payload reads them again after the change); only a query's root field primes
#: this, and a query changes nothing.
PRIMED = "PrimedByCompiledRead"


def _primed(info: strawberry.Info) -> dict[tuple[str, str], Any]:
    primed: dict[tuple[str, str], Any] = info.context.loader(PRIMED, lambda _context: {})
    return primed


def actor_shape(names: Iterable[str], representatives: Iterable[str] | None = None) -> ActorShape:
    """What a statement must read of each actor for a selection of these field names below it (fragments looked
    through): the display record alone when it suffices, the relation when selected, the viewer's own lists when
    selected."""
    names = frozenset(names)
    return ActorShape(
        display=identity_views.display_suffices(names),
        relation="relation" in names,
        own=names & frozenset(OWN_LISTS),
        representatives=actor_shape(representatives) if representatives is not None else None,
    )


def prime_records(
    info: strawberry.Info, records: Iterable[ActorRecord], shape: ActorShape
) -> dict[str, AnyActorView | None]:
    """The views of actors a compiled statement read as ``shape`` asked (``identity.views.actor_view``: privacy
    decided there), by id; primed into the loaders of the nested fields, so they run no query: the actor itself
    (``prime_actors``), the viewer's relation to it, and what the viewer reads of themself (their contacts, from the
    full record; their organisations and verification requests, when read)."""
    me = viewer(info)
    # A mutation's payload reads relations and my own lists again after its change: only a query primes them.
    primed = _primed(info) if info.operation.operation is OperationType.QUERY else {}
    views: dict[str, AnyActorView | None] = {}
    for record in records:
        actor_id = record["id"]
        view = views[actor_id] = identity_views.actor_view(record, me)
        if view is None:
            continue
        if shape.relation:
            facts = record.get("relation")
            primed[("relation", actor_id)] = (
                row(RelationFacts, identity_queries.relation_of_edges(facts)) if facts is not None else None
            )
        if not shape.display:
            contacts = identity_account.contacts_read(me, record)
            if contacts is not None:
                primed[("contacts", actor_id)] = contacts
        if "organizations" in shape.own:
            organizations = identity_account.organizations_read(me, record)
            if organizations is not None:
                primed[("organizations", actor_id)] = organizations
        if shape.representatives is not None and isinstance(view, OrganizationView):
            _prime_representatives(info, actor_id, record.get("representatives"), shape.representatives)
        if "verificationRequests" in shape.own:
            requests = identity_verification.requests_read(me, record)
            if requests is not None:
                primed[("verificationRequests", actor_id)] = requests
    prime_actors(info, views, display=shape.display)
    return views


def _prime_representatives(
    info: strawberry.Info, org_id: str, found: list[RepresentativeRecord] | None, shape: ActorShape
) -> None:
    """Prime ``Organization.representatives`` from what the statement read (None: a signed-out viewer, who is shown
    none), each person as the viewer may see them, nobody across a block (``identity.representatives``' rule)."""
    loader = info.context.loader(representatives_loader_name(display=shape.display), _representatives_loader)
    if found is None:
        loader.prime(org_id, None)
        return
    people = prime_records(info, [r["person"] for r in found], shape)
    representatives = [
        RepresentativeModel(person, org_id, r["role"], r["since"].to_native())
        for r in sorted(found, key=lambda r: r["since"])
        if isinstance(person := people.get(r["person"]["id"]), PersonView)
    ]
    loader.prime(org_id, representatives)


def shape_below(info: strawberry.Info, *path: str) -> ActorShape | None:
    """The shape (``actor_shape``) of the actors selected at ``path`` below the current field (empty: the current
    field's own), their organisations' representatives included; None when not selected."""
    names = below(info, *path)
    if names is None:
        return None
    representatives = (
        below(info, *path, "representatives", "person") or frozenset() if "representatives" in names else None
    )
    return actor_shape(names, representatives)


async def read_actors(info: strawberry.Info, ids: list[str], shape: ActorShape | None) -> list[AnyActorView | None]:
    """People and organisations by id, in ONE statement whatever their kind, reading what ``shape`` asks (the
    selection below them, ``shape_below``; None: the display record alone) with the lists of people selected below
    them (``_folds``), and priming their nested fields (``prime_records``, the lists' pages by ``_list_key``);
    aligned with ``ids``, None for unknown ids and for actors the viewer may not know."""
    if not ids:
        return []
    shape = shape or ActorShape(display=True)
    folds = _folds(info, ids)
    parameters = None
    if folds:
        shape = replace(shape, lists=tuple(f.folded for f in folds))
        context = social_people.list_context(viewer(info))
        parameters = folded_list_parameters([f.window for f in folds], context)
    records = await runtime(info).graph.read(
        identity_queries.actors_by_ids, ids, viewer(info).actor_id, shape, parameters
    )
    views = prime_records(info, records, shape)
    primed = _primed(info)
    for record in records:
        for fold, found in zip(folds, record.get("lists", []), strict=True):
            primed[fold.key(record["id"])] = people_list_of(found)
    return [views.get(i) for i in ids]


async def actors_by_ids(info: strawberry.Info, ids: list[str]) -> list[Person | Organization | None]:
    """``node(id:)``/``nodes`` of people and organisations together: one statement for both kinds, compiled from the
    selection below ``node`` (``read_actors``)."""
    return [actor_of(v) for v in await read_actors(info, ids, shape_below(info))]


async def persons_by_ids(info: strawberry.Info, ids: list[str]) -> list[Person | None]:
    return [a if isinstance(a, Person) else None for a in await actors_by_ids(info, ids)]


async def organizations_by_ids(info: strawberry.Info, ids: list[str]) -> list[Organization | None]:
    return [a if isinstance(a, Organization) else None for a in await actors_by_ids(info, ids)]


def relation_of(found: RelationFacts | None) -> Relation | None:
    """``Actor.relation`` from the relation facts (``graph.social.Relation``); None when signed out or for myself."""
    if found is None:
        return None
    return Relation(
        connected=found.connected,
        request_sent=found.requested_by_me,
        request_received=found.requested_by_them,
        following=found.following,
        blocked=found.blocked_by_me,
        muted=found.muted,
    )


async def relation(info: strawberry.Info, actor_id: str) -> Relation | None:
    """``Actor.relation``: primed by the statement that read the actor when it could, else through its loader."""
    key = ("relation", actor_id)
    primed = _primed(info)
    if key in primed:
        return relation_of(primed[key])
    from resolvers.social import relation as read  # noqa: PLC0415 (resolvers.social imports this module's shapes)

    return await read(info, actor_id)


# --- lists of people: one statement for the page and its people ---------------------------------------------------


def list_shape(info: strawberry.Info) -> ActorShape:
    """What a page of actors (an ``ActorConnection``) must read of each actor: the union of what is selected below
    ``edges { node }`` and ``nodes`` (the display record when nothing is)."""
    return _list_shape([s for s in info.selected_fields if isinstance(s, SelectedField)])


def _list_shape(level: list[SelectedField]) -> ActorShape:
    """``list_shape`` from the selections ``level`` of the page's field."""
    names: set[str] = set()
    representatives: set[str] | None = None
    for path in (("edges", "node"), ("nodes",)):
        below_node = _below(level, *path)
        if below_node is None:
            continue
        names |= below_node
        if "representatives" in below_node:
            representatives = (representatives or set()) | (_below(level, *path, "representatives", "person") or set())
    return actor_shape(names, representatives)


#: The fields of an actor that page through a list of people (``social.people``), and the list each reads.
PEOPLE_LISTS = {
    "connections": "connections",
    "followers": "followers",
    "following": "following",
    "mutualConnections": "mutual",
    "connectionRequestsReceived": "requests_in",
    "connectionRequestsSent": "requests_out",
}


@dataclass(frozen=True)
class _Fold:
    """A list of people selected below an actor read at the root, read in the actor's statement: the list's page
    arguments (cursors as its resolver gets them: opened for an app), its bounds and what it reads."""

    arguments: Mapping[str, Any]
    window: Window
    folded: FoldedList

    def key(self, owner_id: str) -> tuple[Any, ...]:
        """Where the list's resolver finds the page of ``owner_id`` (``_list_key``)."""
        return _list_key(owner_id, self.folded.kind, self.arguments, self.folded.actor)


def _list_key(owner_id: str, kind: str, arguments: Mapping[str, Any], shape: ActorShape | None) -> tuple[Any, ...]:
    """The key of a list's page read in its owner's statement: the owner, the list, the page's arguments and what it
    reads of each actor."""
    page = tuple(arguments.get(name) for name in ("first", "after", "last", "before"))
    return ("people", owner_id, kind, *page, shape)


def _folds(info: strawberry.Info, ids: list[str]) -> list[_Fold]:
    """The lists of people selected directly below the actors of ``ids`` (the current field's: ``me``, ``node``),
    read in the same statement as they are (``graph.identity.FoldedList``). A list is left to its own resolver (and
    statement) when its page cannot be told here: its arguments refused (the resolver then says why), or cursors
    that differ by owner; and in a mutation, whose payload reads after its change."""
    if not ids or info.operation.operation is not OperationType.QUERY:
        return []
    me, rt = viewer(info), runtime(info)
    fields: dict[str, list[SelectedField]] = {}
    for parent in info.selected_fields:
        if isinstance(parent, SelectedField):
            for field in _fields_of(parent.selections):
                if field.name in PEOPLE_LISTS:
                    fields.setdefault(field.alias or field.name, []).append(field)
    folds = []
    for selections in fields.values():
        kind = PEOPLE_LISTS[selections[0].name]
        given = selections[0].arguments
        try:
            # A literal argument arrives as its source text ("3"); a variable as its value.
            first, last = (int(given[n]) if given.get(n) is not None else None for n in ("first", "last"))
            after, before = (_opened(rt, me, given.get(n), n) for n in ("after", "before"))
            arguments = {"first": first, "after": after, "last": last, "before": before}
            request = PageRequest.from_args(first=first, after=after, last=last, before=before)
            windows = {social_people.list_window(me, owner, kind, request) for owner in ids}
        except (AppError, ValueError, TypeError):
            continue  # the list's own field reports the mistake
        if len(windows) != 1:
            continue
        shape = _list_shape(selections)
        folded = FoldedList(kind=kind, backwards=request.backwards, actor=shape)
        folds.append(_Fold(arguments=arguments, window=windows.pop(), folded=folded))
    return folds


def _opened(rt: Runtime, me: Viewer, cursor: str | None, field: str) -> str | None:
    """A list's cursor as its field's resolver gets it: an app's opened as its field's wrapper opens it
    (``schema.app_ids.open_cursors``); INVALID_INPUT for one the app was not given."""
    if not cursor:
        return cursor
    opened = partner_ids.cursor_in(rt, me, cursor)
    if opened is None:
        raise UserInputError(NOT_ISSUED, field=field)
    return opened


async def _people_page(
    info: strawberry.Info,
    owner_id: str,
    kind: str,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> ActorConnection | None:
    shape = list_shape(info)
    arguments = {"first": first, "after": after, "last": last, "before": before}
    page = await social_people.list_actors(
        runtime(info),
        viewer(info),
        owner_id,
        kind,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
        shape,
        lambda records: prime_records(info, records, shape),
        _primed(info).get(_list_key(owner_id, kind, arguments, shape)),  # read with its owner (``read_actors``)
    )
    return ActorConnection.from_page(page, actor_of) if page is not None else None


async def people_list(
    info: strawberry.Info,
    owner_id: str,
    kind: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> ActorConnection | None:
    """A list of an actor's relations (connections, followers, following, mutual connections) in one statement with
    the people on the page as selected; None when its owner does not show it to the viewer."""
    return await _people_page(info, owner_id, kind, first, after, last, before)


async def requests_list(
    info: strawberry.Info,
    owner_id: str,
    kind: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> ActorConnection:
    """My pending connection requests, received or sent (FORBIDDEN for anyone else's), in one statement."""
    found = await _people_page(info, owner_id, kind, first, after, last, before)
    assert found is not None, "the owner always sees their own requests"
    return found


async def verification_requests_by_ids(info: strawberry.Info, ids: list[str]) -> list[VerificationRequest | None]:
    views = await identity_verification.verification_requests_by_ids(runtime(info), viewer(info), ids)
    return [VerificationRequest.of(v) if v else None for v in views]


async def contacts_by_ids(info: strawberry.Info, ids: list[str]) -> list[Contact | None]:
    """``Contact`` nodes: only their owner sees them (null for anyone else)."""
    views = await identity_account.contacts_by_ids(runtime(info), viewer(info), ids)
    return [Contact.of(v) if v else None for v in views]


async def sessions_by_ids(info: strawberry.Info, ids: list[str]) -> list[Session | None]:
    """``Session`` nodes: only their owner sees them, while they are open (null otherwise)."""
    views = await auth_sessions.sessions_by_ids(runtime(info), viewer(info), ids)
    return [Session.of(v) if v else None for v in views]


def _representatives_loader(context) -> DataLoader:
    async def load(org_ids: list[str]):
        return await identity_representatives.representatives(context.runtime, context.viewer, org_ids)

    return DataLoader(load_fn=load)


def representatives_loader_name(*, display: bool) -> str:
    """The loader of ``Organization.representatives`` that a compiled read primes: representatives read with the slim
    display projection go to their own loader, so that a selection asking more of them (``phone``, ``ward``) in the
    same request never gets a slim view (the unprimed loader reads full views, which serve both)."""
    return "RepresentativesByOrganizationLoader" + (":display" if display else "")


async def representatives_of(info: strawberry.Info, org_id: str) -> list[Representative] | None:
    """``Organization.representatives``: through the display loader when the client selected only display fields of
    each person, or none (``role``, ``since`` alone), as the compiled reads that prime it decide."""
    people = below(info, "person")
    name = representatives_loader_name(display=people is None or identity_views.display_suffices(people))
    loader = info.context.loader(name, _representatives_loader)
    found = await loader.load(org_id)
    return None if found is None else [Representative.of(r) for r in found]


async def representation_history(info: strawberry.Info, org_id: str) -> list[RepresentationChange]:
    rows = await identity_representatives.representation_history(runtime(info), viewer(info), org_id)
    return [
        RepresentationChange(
            action=r["action"],
            role=RepresentativeRole(r["role"]),
            at=r["at"],
            by=Person.of(r["by"]) if r["by"] else None,
            person=Person.of(r["of"]) if r["of"] else None,
        )
        for r in rows
    ]


def _only_self(info: strawberry.Info, person: Person) -> bool:
    """The viewer is this person themself (``identity.privacy.relation_of``: or a partner app acting for them)."""
    return privacy.relation_of(viewer(info), person.uuid, connected=False) is privacy.Relation.SELF


def _own_loader(read: Callable[[Runtime, Viewer], Awaitable[T]]) -> Callable[[Any], DataLoader[str, T]]:
    """A loader of what only I see of myself (my contacts, requests, organisations): read once for all my posts
    or listings in a list. Not cached: read again after a mutation of the same request."""

    def factory(context) -> DataLoader[str, T]:
        async def load(person_ids: list[str]) -> list[T]:
            found = await read(context.runtime, context.viewer)
            return [found for _ in person_ids]

        return DataLoader(load_fn=load, cache=False)

    return factory


async def my_contacts(info: strawberry.Info, person: Person) -> list[Contact] | None:
    if not _only_self(info, person):
        return None
    primed = _primed(info).get(("contacts", person.uuid))
    if primed is not None:
        return [Contact.of(c) for c in primed]
    rows = await info.context.loader("ContactsByPersonLoader", _own_loader(identity_account.my_contacts)).load(
        person.uuid
    )
    return [Contact.of(c) for c in rows]


async def my_verification_requests(info: strawberry.Info, person: Person) -> list[VerificationRequest] | None:
    if not _only_self(info, person):
        return None
    primed = _primed(info).get(("verificationRequests", person.uuid))
    if primed is not None:
        return [VerificationRequest.of(v) for v in primed]
    loader = info.context.loader(
        "VerificationRequestsByPersonLoader", _own_loader(identity_verification.my_verification_requests)
    )
    return [VerificationRequest.of(v) for v in await loader.load(person.uuid)]


async def my_organizations(info: strawberry.Info, person: Person) -> list[Representation] | None:
    if not _only_self(info, person):
        return None
    primed = _primed(info).get(("organizations", person.uuid))
    if primed is not None:
        return [Representation(organization=Organization.of(o), role=RepresentativeRole(role)) for o, role in primed]
    loader = info.context.loader("RepresentationsByPersonLoader", _own_loader(identity_account.my_organizations))
    rows = await loader.load(person.uuid)
    return [Representation(organization=Organization.of(o), role=RepresentativeRole(role)) for o, role in rows]


# --- queries -----------------------------------------------------------------------------------------------------------


async def me(info: strawberry.Info) -> Person | None:
    if viewer(info).is_anonymous:
        return None

    async def read(person_id: str) -> AnyActorView | None:
        (view,) = await read_actors(info, [person_id], shape_below(info))
        return view

    return Person.of(await identity_account.me(runtime(info), viewer(info), read))


async def my_sessions(info: strawberry.Info) -> list[Session]:
    return [Session.of(s) for s in await auth_sessions.my_sessions(runtime(info), viewer(info))]


async def my_data(info: strawberry.Info) -> JSON:
    return JSON(await identity_account.my_data(runtime(info), viewer(info)))


async def actors(
    info: strawberry.Info,
    search: Annotated[
        str,
        strawberry.argument(
            description="Name to look for, with or without diacritics (at most 200 characters and 20 words)."
        ),
    ],
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> ActorConnection:
    shape = list_shape(info)
    page = await identity_search.search_actors(
        runtime(info),
        viewer(info),
        search,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
        shape,
        lambda records: prime_records(info, records, shape),
    )
    return ActorConnection.from_page(page, actor_of)


async def verification_requests(
    info: strawberry.Info,
    status: Annotated[
        VerificationStatus, strawberry.argument(description="Which requests (default PENDING).")
    ] = VerificationStatus.PENDING,
    first: FIRST = None,
    after: AFTER = None,
    last: LAST = None,
    before: BEFORE = None,
) -> VerificationRequestConnection:
    page = await identity_verification.verification_queue(
        runtime(info),
        viewer(info),
        status.value,
        PageRequest.from_args(first=first, after=after, last=last, before=before),
    )
    return VerificationRequestConnection.from_page(page, VerificationRequest.of)


async def my_representative_invitations(
    info: strawberry.Info, first: FIRST = None, after: AFTER = None, last: LAST = None, before: BEFORE = None
) -> RepresentativeInvitationConnection:
    page = await identity_invitations.my_representative_invitations(
        runtime(info), viewer(info), PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return RepresentativeInvitationConnection.from_page(page, RepresentativeInvitation.of)


async def pending_invitations(
    info: strawberry.Info,
    org_id: str,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> RepresentativeInvitationConnection:
    page = await identity_invitations.pending_invitations(
        runtime(info), viewer(info), org_id, PageRequest.from_args(first=first, after=after, last=last, before=before)
    )
    return RepresentativeInvitationConnection.from_page(page, RepresentativeInvitation.of)


# --- mutations: registration and sign-in ----------------------------------------------------------------------------


def _decoded(info: strawberry.Info, **ids: tuple[str, str]) -> dict[str, str]:
    """The UUIDs inside the global ids of an input (``field=(global id, type name)``), every malformed one reported
    at once (INVALID_INPUT naming its field)."""
    problems = Problems()
    found = {
        field: decode_input_id(problems, given, type_name, field, info) for field, (given, type_name) in ids.items()
    }
    problems.raise_if_any()
    return found


async def person_register(
    info: strawberry.Info,
    input: Annotated[PersonRegisterInput, strawberry.argument(description="Who I am, my document and my password.")],
) -> PersonRegisterPayload | None:
    async def work() -> dict[str, Any]:
        registration = PersonRegistration(
            full_name=input.full_name,
            date_of_birth=input.date_of_birth,
            sex=input.sex.value,
            roles=[r.value for r in input.roles],
            document_kind=input.document.kind.value,
            document_number=input.document.number,
            document_country=input.document.country,
            password=input.password,
            phone=input.phone,
            email=input.email,
            ward_code=input.ward_code,
            investor_sectors=input.investor_sectors,
        )
        view, tokens = await identity_registration.register_person(
            runtime(info), viewer(info), registration, user_agent=user_agent(info), address=client_address(info)
        )
        return {"person": Person.of(view), "tokens": AuthTokens.of(tokens)}

    return await mutate(info, PersonRegisterPayload, work)


async def session_login(
    info: strawberry.Info, input: Annotated[SessionLoginInput, strawberry.argument(description="How I sign in.")]
) -> SessionLoginPayload | None:
    async def work() -> dict[str, Any]:
        tokens = await auth_sign_in.login(
            runtime(info), input.identifier, input.password, user_agent=user_agent(info), address=client_address(info)
        )
        return {"tokens": AuthTokens.of(tokens)}

    return await mutate(info, SessionLoginPayload, work)


async def session_refresh(
    info: strawberry.Info,
    input: Annotated[SessionRefreshInput, strawberry.argument(description="The refresh token to trade.")],
) -> SessionRefreshPayload | None:
    async def work() -> dict[str, Any]:
        tokens = await auth_sessions.refresh(runtime(info), input.refresh_token, user_agent=user_agent(info))
        return {"tokens": AuthTokens.of(tokens)}

    return await mutate(info, SessionRefreshPayload, work)


async def session_logout(
    info: strawberry.Info,
    input: Annotated[SessionLogoutInput, strawberry.argument(description="Which session to close.")],
) -> SessionLogoutPayload | None:
    async def work() -> dict[str, Any]:
        session_id = decode_id(input.session_id, "Session", "sessionId") if input.session_id is not None else None
        await auth_sessions.logout(runtime(info), viewer(info), session_id)
        return {}

    return await mutate(info, SessionLogoutPayload, work)


async def session_logout_everywhere(
    info: strawberry.Info,
    input: Annotated[SessionLogoutEverywhereInput, strawberry.argument(description="Whether to keep this session.")],
) -> SessionLogoutEverywherePayload | None:
    async def work() -> dict[str, Any]:
        closed = await auth_sessions.logout_everywhere(
            runtime(info), viewer(info), keep_current=input.keep_current_session
        )
        return {"closed_session_count": closed}

    return await mutate(info, SessionLogoutEverywherePayload, work)


async def password_change(
    info: strawberry.Info,
    input: Annotated[PasswordChangeInput, strawberry.argument(description="My current and new passwords.")],
) -> PasswordChangePayload | None:
    async def work() -> dict[str, Any]:
        closed = await auth_password_change.change_password(
            runtime(info), viewer(info), input.current_password, input.new_password, address=client_address(info)
        )
        return {"closed_session_count": closed}

    return await mutate(info, PasswordChangePayload, work)


async def password_reset_start(
    info: strawberry.Info,
    input: Annotated[PasswordResetStartInput, strawberry.argument(description="Where to send the code.")],
) -> PasswordResetStartPayload | None:
    async def work() -> dict[str, Any]:
        await auth_password_reset.start_password_reset(runtime(info), input.contact, address=client_address(info))
        return {}

    return await mutate(info, PasswordResetStartPayload, work)


async def password_reset_complete(
    info: strawberry.Info,
    input: Annotated[PasswordResetCompleteInput, strawberry.argument(description="The code and the new password.")],
) -> PasswordResetCompletePayload | None:
    async def work() -> dict[str, Any]:
        await auth_password_reset.complete_password_reset(
            runtime(info), input.contact, input.code, input.new_password, address=client_address(info)
        )
        return {}

    return await mutate(info, PasswordResetCompletePayload, work)


# --- mutations: profile, contacts, verification ------------------------------------------------------------------------


async def profile_update(
    info: strawberry.Info,
    input: Annotated[ProfileUpdateInput, strawberry.argument(description="What to change.")],
) -> ProfileUpdatePayload | None:
    async def work() -> dict[str, Any]:
        view = await identity_profile.update_profile(
            runtime(info),
            viewer(info),
            ward_code=input.ward_code,
            investor_sectors=input.investor_sectors,
            add_roles=[r.value for r in input.add_roles] if input.add_roles else None,
        )
        return {"person": Person.of(view)}

    return await mutate(info, ProfileUpdatePayload, work)


async def profile_audience_set(
    info: strawberry.Info,
    input: Annotated[ProfileAudienceSetInput, strawberry.argument(description="Which field, and who sees it.")],
) -> ProfileAudienceSetPayload | None:
    async def work() -> dict[str, Any]:
        view = await identity_profile.set_audience(runtime(info), viewer(info), input.field.value, input.audience.value)
        return {"person": Person.of(view)}

    return await mutate(info, ProfileAudienceSetPayload, work)


async def contact_add(
    info: strawberry.Info,
    input: Annotated[ContactAddInput, strawberry.argument(description="The phone or e-mail to add.")],
) -> ContactAddPayload | None:
    async def work() -> dict[str, Any]:
        contact = await identity_contact_verification.add_contact(
            runtime(info), viewer(info), input.kind.value, input.value
        )
        return {"contact": Contact.of(contact)}

    return await mutate(info, ContactAddPayload, work)


async def contact_verification_start(
    info: strawberry.Info,
    input: Annotated[ContactVerificationStartInput, strawberry.argument(description="The contact to verify.")],
) -> ContactVerificationStartPayload | None:
    async def work() -> dict[str, Any]:
        contact_id = decode_id(input.contact_id, "Contact", "contactId")
        contact = await identity_contact_verification.start_contact_verification(
            runtime(info), viewer(info), contact_id
        )
        return {"contact": Contact.of(contact)}

    return await mutate(info, ContactVerificationStartPayload, work)


async def contact_verification_complete(
    info: strawberry.Info,
    input: Annotated[ContactVerificationCompleteInput, strawberry.argument(description="The contact and its code.")],
) -> ContactVerificationCompletePayload | None:
    async def work() -> dict[str, Any]:
        contact_id = decode_id(input.contact_id, "Contact", "contactId")
        person, contact = await identity_contact_verification.complete_contact_verification(
            runtime(info), viewer(info), contact_id, input.code
        )
        return {"person": Person.of(person), "contact": Contact.of(contact)}

    return await mutate(info, ContactVerificationCompletePayload, work)


async def verification_request_create(
    info: strawberry.Info,
    input: Annotated[VerificationRequestCreateInput, strawberry.argument(description="My note for the officer.")],
) -> VerificationRequestCreatePayload | None:
    async def work() -> dict[str, Any]:
        view = await identity_verification.request_verification(runtime(info), viewer(info), input.note)
        return {"verification_request": VerificationRequest.of(view) if view else None}

    return await mutate(info, VerificationRequestCreatePayload, work)


async def verification_request_approve(
    info: strawberry.Info,
    input: Annotated[VerificationRequestApproveInput, strawberry.argument(description="The request to approve.")],
) -> VerificationRequestApprovePayload | None:
    async def work() -> dict[str, Any]:
        request_id = decode_id(input.verification_request_id, "VerificationRequest", "verificationRequestId")
        view = await identity_verification.decide_verification(
            runtime(info), viewer(info), request_id, approve=True, reason=None
        )
        return {"verification_request": VerificationRequest.of(view) if view else None}

    return await mutate(info, VerificationRequestApprovePayload, work)


async def verification_request_reject(
    info: strawberry.Info,
    input: Annotated[VerificationRequestRejectInput, strawberry.argument(description="The request and why.")],
) -> VerificationRequestRejectPayload | None:
    async def work() -> dict[str, Any]:
        problems = Problems()  # a malformed id and a missing reason, reported together
        request_id = problems.take(
            lambda: decode_id(input.verification_request_id, "VerificationRequest", "verificationRequestId")
        )
        problems.take(lambda: identity_verification.check_reason(input.reason, approve=False))
        problems.raise_if_any()
        assert request_id is not None
        view = await identity_verification.decide_verification(
            runtime(info), viewer(info), request_id, approve=False, reason=input.reason
        )
        return {"verification_request": VerificationRequest.of(view) if view else None}

    return await mutate(info, VerificationRequestRejectPayload, work)


async def officer_role_set(
    info: strawberry.Info,
    input: Annotated[OfficerRoleSetInput, strawberry.argument(description="The person and the role's state.")],
) -> OfficerRoleSetPayload | None:
    async def work() -> dict[str, Any]:
        target = decode_id(input.person_id, "Person", "personId", info)
        view = await identity_city_roles.grant_role(runtime(info), viewer(info), target, "officer", grant=input.granted)
        return {"person": Person.of(view) if view else None}

    return await mutate(info, OfficerRoleSetPayload, work)


# --- mutations: organisations --------------------------------------------------------------------------------------------


async def organization_register(
    info: strawberry.Info,
    input: Annotated[OrganizationRegisterInput, strawberry.argument(description="The organisation.")],
) -> OrganizationRegisterPayload | None:
    async def work() -> dict[str, Any]:
        view = await identity_organizations.register_organization(
            runtime(info),
            viewer(info),
            name=input.name,
            kind=input.kind.value,
            tax_code=input.tax_code,
            sector=input.sector,
        )
        return {"organization": Organization.of(view)}

    return await mutate(info, OrganizationRegisterPayload, work)


async def representative_set(
    info: strawberry.Info,
    input: Annotated[RepresentativeSetInput, strawberry.argument(description="The organisation, person and role.")],
) -> RepresentativeSetPayload | None:
    async def work() -> dict[str, Any]:
        ids = _decoded(
            info, organizationId=(input.organization_id, "Organization"), personId=(input.person_id, "Person")
        )
        reps, invitation = await identity_representatives.set_representative(
            runtime(info), viewer(info), ids["organizationId"], ids["personId"], input.role.value
        )
        return {
            "representatives": [Representative.of(r) for r in reps],
            "representative_invitation": RepresentativeInvitation.of(invitation) if invitation else None,
        }

    return await mutate(info, RepresentativeSetPayload, work)


async def representative_revoke(
    info: strawberry.Info,
    input: Annotated[RepresentativeRevokeInput, strawberry.argument(description="The organisation and person.")],
) -> RepresentativeRevokePayload | None:
    async def work() -> dict[str, Any]:
        ids = _decoded(
            info, organizationId=(input.organization_id, "Organization"), personId=(input.person_id, "Person")
        )
        reps, _ = await identity_representatives.set_representative(
            runtime(info), viewer(info), ids["organizationId"], ids["personId"], None
        )
        return {"representatives": [Representative.of(r) for r in reps]}

    return await mutate(info, RepresentativeRevokePayload, work)


async def representative_invitation_accept(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationAcceptInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationAcceptPayload | None:
    async def work() -> dict[str, Any]:
        org = decode_id(input.organization_id, "Organization", "organizationId")
        view, role = await identity_invitations.accept_representative_invitation(runtime(info), viewer(info), org)
        representation = (
            Representation(organization=Organization.of(view), role=RepresentativeRole(role)) if view else None
        )
        return {"representation": representation}

    return await mutate(info, RepresentativeInvitationAcceptPayload, work)


async def representative_invitation_decline(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationDeclineInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationDeclinePayload | None:
    async def work() -> dict[str, Any]:
        org = decode_id(input.organization_id, "Organization", "organizationId")
        view = await identity_invitations.decline_representative_invitation(runtime(info), viewer(info), org)
        return {"organization": Organization.of(view) if view else None}

    return await mutate(info, RepresentativeInvitationDeclinePayload, work)


async def representative_invitation_withdraw(
    info: strawberry.Info,
    input: Annotated[RepresentativeInvitationWithdrawInput, strawberry.argument(description="The invitation.")],
) -> RepresentativeInvitationWithdrawPayload | None:
    async def work() -> dict[str, Any]:
        ids = _decoded(
            info, organizationId=(input.organization_id, "Organization"), personId=(input.person_id, "Person")
        )
        view = await identity_invitations.withdraw_representative_invitation(
            runtime(info), viewer(info), ids["organizationId"], ids["personId"]
        )
        return {"organization": Organization.of(view) if view else None}

    return await mutate(info, RepresentativeInvitationWithdrawPayload, work)


async def account_close(
    info: strawberry.Info,
    input: Annotated[AccountCloseInput, strawberry.argument(description="My password, to confirm.")],
) -> AccountClosePayload | None:
    async def work() -> dict[str, Any]:
        await identity_account.close_account(runtime(info), viewer(info), input.password, address=client_address(info))
        return {}

    return await mutate(info, AccountClosePayload, work)

"""Who may do what: every permission of the platform, named ``domain.noun.verb``, and the one check, ``authorize``.

A service asks ``authorize(viewer, "marketplace.listing.create", on=standing)`` before it changes or reveals
anything; the answer is the id of the actor the request acts as (the person, or the organisation they act for),
or a typed error: UNAUTHENTICATED (sign in first), FORBIDDEN (saying what is missing), NOT_FOUND (no such active
organisation). The rules it applies are the pure functions of ``auth.rules``, each with its Cypher mirror in
``graph.rules`` and a test that holds the two together (``tests/rules``).

``on`` is what the graph says of the viewer and the thing acted on, read by the owning domain inside the caller's
transaction: a ``Representation`` (the person's role in the organisation they would act for, read by
``identity.acting``) or a ``Membership`` (their role in a community, read by ``social.standing``). ``authorize``
itself never reads the graph, so it is the same rule for every caller and cheap to test over every combination.

The table ``PERMISSIONS`` is the single list of what exists; ``docs/architecture.md`` and the README carry it as a
table generated from here (``hanoismart docs``), and a test refuses an ``authorize`` call naming an action that
is not in it. Each domain keeps its permissions in its own tuple below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from auth.rules import ACTING_ROLES, acts_for, runs_community
from auth.viewer import Viewer
from core.errors import ForbiddenError, NotFoundError, UnauthenticatedError

LEVEL_NAMES: Final = {
    0: "level 0 (self-declared)",
    1: "level 1 (a phone or e-mail proven by a one-time code)",
    2: "level 2 (identity document checked by a city officer)",
}


@dataclass(frozen=True)
class Permission:
    """One thing a caller may do, and what it takes.

    ``does`` completes "To ... you need" and "Only ... may ..." in error messages ("sell", "decide reports").
    ``anyone``: no sign-in needed. ``level``: the assurance level the person needs. ``city_role``: a role the
    city grants (officer, admin). ``for_organization``: may also be done for an organisation the person owns or
    administers (``auth.rules.acts_for``), given as ``on=Representation``. ``in_community``: needs ``on=Membership``
    showing the person runs the community (``auth.rules.runs_community``). ``refusal`` is the FORBIDDEN message
    of a missing city role, organisation role, community role or ownership (otherwise one is composed from
    ``does``); every message is a whole sentence that ``core/locales/vi/auth.po`` translates.
    """

    name: str
    does: str
    level: int = 0
    anyone: bool = False
    city_role: str | None = None
    for_organization: bool = False
    in_community: bool = False
    refusal: str | None = None

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass(frozen=True)
class Representation:
    """What the graph says of a person and the organisation they would act for (``identity.acting`` reads it):
    ``role`` is their REPRESENTS role (None: they do not represent it); ``active`` whether the organisation is
    active; ``exists`` whether there is such an organisation at all."""

    organization_id: str
    role: str | None
    active: bool
    exists: bool = True
    #: The input field (in a mutation) or argument (in a query) that names the organisation, for NOT_FOUND.
    field: str | None = "asOrganization"


@dataclass(frozen=True)
class Membership:
    """The person's role in a community (None: not a member), read by ``social.standing``."""

    community_id: str
    role: str | None


def _table(*groups: tuple[Permission, ...]) -> dict[str, Permission]:
    table: dict[str, Permission] = {}
    for group in groups:
        for permission in group:
            if permission.name in table:
                raise ValueError(f"permission {permission.name} is declared twice")
            if permission.name.count(".") < 1:
                raise ValueError(f"permission {permission.name} is not named domain.action")
            table[permission.name] = permission
    return table


# Each domain's permissions, in the order its schema lists the fields. Names are ``domain.noun.verb``.
AUTH: Final[tuple[Permission, ...]] = (
    Permission("auth.session.read", does="see your open sessions"),
    Permission("auth.session.end", does="sign out (one session, or everywhere)"),
    Permission("auth.password.change", does="change your password"),
)
IDENTITY: Final[tuple[Permission, ...]] = (
    Permission("identity.account.read", does="see your own account and the organisations you represent"),
    Permission("identity.contact.read", does="see your phones and e-mails"),
    Permission("identity.verification.read", does="see your verification requests"),
    Permission("identity.invitation.read", does="see your invitations to represent an organisation"),
    Permission("identity.data.export", does="export your personal data"),
    Permission("identity.verification.queue", does="work the verification queue", city_role="officer"),
    Permission("identity.profile.update", does="change your profile and who sees each of its fields"),
    Permission("identity.contact.add", does="add a phone or e-mail"),
    Permission("identity.contact.verify", does="verify your phone or e-mail with a one-time code"),
    Permission("identity.verification.request", does="ask a city officer to check your identity document"),
    Permission("identity.verification.decide", does="decide verification requests", city_role="officer"),
    Permission("identity.officer.grant", does="grant or revoke officer roles", city_role="administrator"),
    Permission("identity.organization.register", does="register an organisation", level=2),
    Permission(
        "identity.representative.set",
        does="change an organisation's representatives (its owners only)",
        refusal="Only an owner of this organisation may change its representatives.",
    ),
    Permission(
        "identity.representation.read",
        does="see an organisation's representation history",
        for_organization=True,
        refusal="Only owners and admins of this organisation see its representation history.",
    ),
    Permission(
        "identity.invitation.list",
        does="see an organisation's pending invitations",
        for_organization=True,
        refusal="Only owners and admins of this organisation see its pending invitations.",
    ),
    Permission("identity.invitation.answer", does="accept or decline an invitation to represent an organisation"),
    Permission(
        "identity.invitation.withdraw",
        does="withdraw an organisation's invitations (its owners only)",
        refusal="Only an owner of this organisation may withdraw its invitations.",
    ),
    Permission("identity.account.close", does="close your account"),
)
SOCIAL: Final[tuple[Permission, ...]] = (
    Permission("social.connection.request", "ask someone to connect"),
    Permission("social.connection.answer", "accept or decline a request to connect"),
    Permission("social.connection.cancel", "withdraw a request to connect"),
    Permission("social.connection.remove", "remove a connection"),
    Permission("social.follow.set", "follow or unfollow an actor"),
    Permission("social.block.set", "block or unblock an actor"),
    Permission("social.mute.set", "mute or unmute an actor"),
    Permission("social.preferences.set", "choose what others see of my follows and whether I am suggested"),
    Permission("social.feed.read", "read my feed"),
    Permission("social.post.create", "post"),
    Permission("social.post.edit", "edit my posts"),
    Permission("social.post.delete", "delete my posts, or remove others' as a moderator"),
    Permission("social.comment.create", "comment on a post"),
    Permission("social.comment.delete", "delete my comments, or remove others' as a moderator"),
    Permission("social.content.remove_any", "remove any post or comment", city_role="officer"),
    Permission("social.reaction.set", "react to a post"),
    # communities and discovery
    Permission("social.community.create", "create a community", level=2),
    Permission("social.community.join", "join a community or ask to join it"),
    Permission("social.community.leave", "leave a community or withdraw a request to join it"),
    Permission(
        "social.community.read_join_requests",
        "see a community's requests to join",
        in_community=True,
        refusal="Only this community's moderators and admins see its requests to join.",
    ),
    Permission(
        "social.community.decide_join_request",
        "approve or decline a request to join a community",
        in_community=True,
        refusal="Only this community's moderators and admins decide requests to join.",
    ),
    Permission("social.community.set_role", "set a member's role (a group's admins; in a ward, city officers)"),
    Permission("social.community.read_mine", "see the communities you belong to"),
    Permission(
        "social.community.read_members",
        "see a community's members (an open group's; an approval group's or a ward's if you belong to it)",
    ),
    Permission(
        "social.community.appoint_ward_moderator",
        "appoint the moderators of a ward community",
        city_role="officer",
        refusal="City officers appoint the moderators of ward communities.",
    ),
    Permission("social.discovery.suggest_people", "see people you may know"),
    Permission("social.discovery.find_trust_path", "see a chain of verified connections to someone"),
)
NOTIFICATIONS: Final[tuple[Permission, ...]] = (
    Permission("notifications.inbox.read", "read my notifications"),
    Permission("notifications.inbox.mark_read", "mark my notifications read"),
)
MODERATION: Final[tuple[Permission, ...]] = (
    Permission("moderation.report.create", "report a post, a comment, a person or an organisation"),
    Permission("moderation.report.read_own", "see the reports you filed and how each ended"),
    Permission("moderation.queue.read_all", "work the whole moderation queue", city_role="officer"),
    Permission(
        "moderation.queue.read_community",
        "work the moderation queue of the communities they run",
        in_community=True,
        refusal="Only city officers and community moderators work the moderation queue.",
    ),
    Permission(
        "moderation.report.decide",
        "decide reports (city officers any; a community's moderators those about its posts and comments)",
    ),
    Permission("moderation.report.decide_any", "decide any report", city_role="officer"),
    Permission(
        "moderation.report.decide_in_community",
        "decide reports about the posts and comments of a community they run",
        in_community=True,
        refusal="Only city officers, and a community's moderators for its posts and comments, decide reports.",
    ),
    Permission(
        "moderation.account.suspend",
        "suspend an account",
        city_role="officer",
        refusal="Only city officers suspend accounts; community moderators remove content, warn or dismiss.",
    ),
)
MARKETPLACE: Final[tuple[Permission, ...]] = (
    # listings and investment interest
    Permission("marketplace.listing.create", "sell", level=2, for_organization=True),
    Permission("marketplace.listing.edit", "sell", level=2, for_organization=True),
    Permission("marketplace.listing.read_own", "see its listings", for_organization=True),
    Permission("marketplace.interest.create", "invest", level=2, for_organization=True),
    Permission("marketplace.interest.answer", "answer for this organisation", for_organization=True),
    Permission("marketplace.interest.withdraw", "withdraw an interest", for_organization=True),
    Permission("marketplace.interest.read_own", "see its investment interests", for_organization=True),
    # cart and orders
    Permission("marketplace.cart.read", "buy and sell in the marketplace", level=2, for_organization=True),
    Permission("marketplace.cart.change", "buy and sell in the marketplace", level=2, for_organization=True),
    Permission("marketplace.cart.checkout", "buy and sell in the marketplace", level=2, for_organization=True),
    Permission("marketplace.order.place", "buy and sell in the marketplace", level=2, for_organization=True),
    Permission("marketplace.order.read_own", "see orders", for_organization=True),
    Permission("marketplace.order.change", "change an order's state as its buyer or seller", for_organization=True),
    Permission("marketplace.review.create", "review an order as its buyer", for_organization=True),
    Permission("marketplace.review.reply", "reply to a review as the reviewed seller", for_organization=True),
    Permission("marketplace.dispute.open", "dispute an order as its buyer", for_organization=True),
    Permission("marketplace.order.oversee", "see and step into any order", city_role="officer"),
    Permission("marketplace.dispute.resolve", "resolve disputes", city_role="officer"),
    Permission("marketplace.dispute.list", "see the dispute queue", city_role="officer"),
    # money
    # Reading a wallet takes any signed-in person (level 0); moving money in or out a verified identity (level 2).
    # Each may be done for an organisation the person owns or administers.
    Permission("marketplace.wallet.see", "see a wallet", level=0, for_organization=True),
    Permission("marketplace.statement.see", "see a statement", level=0, for_organization=True),
    Permission("marketplace.wallet.top_up", "top up a wallet", level=2, for_organization=True),
    Permission("marketplace.wallet.withdraw", "withdraw money", level=2, for_organization=True),
    Permission("marketplace.ledger.see_totals", "see the ledger totals", city_role="officer"),
    Permission("marketplace.payment.see_stuck", "see stuck payments", city_role="officer"),
)
PARTNERS: Final[tuple[Permission, ...]] = (
    # apps of partner organisations (an owner or admin acts for the partner)
    Permission("partners.app.create", "create an app", level=2, for_organization=True),
    Permission("partners.app.edit", "change an app", level=2, for_organization=True),
    Permission("partners.secret.rotate", "rotate an app's client secret", level=2, for_organization=True),
    Permission("partners.app.read_private", "see an app's client and test personas", for_organization=True),
    Permission("partners.persona.create", "create test personas for an app", level=2, for_organization=True),
    Permission("partners.app.review", "review and approve apps for production", city_role="officer"),
    Permission("partners.app.suspend", "suspend or reinstate an app", city_role="officer"),
    # people's grants to apps
    Permission("partners.grant.read", "see the apps you gave access to"),
    Permission("partners.grant.revoke", "revoke an app's access"),
    # the access log ("who read my data", partners.access_log): only the person reads their own
    Permission("partners.access_log.read", "see who read your personal data"),
)
WEBHOOKS: Final[tuple[Permission, ...]] = (
    # an app's webhook subscriptions and delivery log (webhooks.subscriptions): its partner's owners and admins
    Permission("webhooks.subscription.manage", "manage an app's webhooks", level=2, for_organization=True),
    Permission("webhooks.subscription.read", "see an app's webhooks and their deliveries", for_organization=True),
    Permission("webhooks.oversee", "see every app's webhooks and deliveries", city_role="officer"),
)
PLACES: Final[tuple[Permission, ...]] = ()
HEALTH: Final[tuple[Permission, ...]] = ()

PERMISSIONS: Final = _table(
    AUTH, IDENTITY, SOCIAL, NOTIFICATIONS, MODERATION, MARKETPLACE, PARTNERS, WEBHOOKS, PLACES, HEALTH
)


def permission(action: str) -> Permission:
    """The declared permission ``action``; a name not in the table is a programming error (a test scans for it)."""
    try:
        return PERMISSIONS[action]
    except KeyError:
        raise LookupError(f"no permission is named {action!r}; declare it in auth/permissions.py") from None


#: The refusals ``authorize`` says. Each is composed from the permission (``does``, its level, its city role) into
#: one whole English sentence, which is the key of its Vietnamese translation (``core/locales/vi/auth.po``);
#: ``refusal_messages`` lists every sentence a permission can be refused with, and
#: ``tests/unit/test_permission_messages.py`` checks that each one is translated.
SIGN_IN_FIRST: Final = "Sign in first: send `Authorization: Bearer <accessToken>`."
NO_ACTIVE_ORGANIZATION: Final = "No active organisation has this id."


def level_refusal(rule: Permission, current: int) -> str:
    """Said to a person at level ``current`` when ``rule`` needs a higher one."""
    return f"To {rule.does} you need verification {LEVEL_NAMES[rule.level]}; yours is {LEVEL_NAMES[current]}."


def role_refusal(rule: Permission) -> str:
    """Said to a person without the city role ``rule`` needs."""
    return rule.refusal or f"Only a city {rule.city_role} may {rule.does}."


def personal_refusal(rule: Permission) -> str:
    """Said when ``rule``, which a person only does as themself, is asked for an organisation."""
    return f"To {rule.does} you act as yourself, not for an organisation."


def organization_refusal(rule: Permission) -> str:
    """Said to a person who neither owns nor administers the organisation they would do ``rule`` for."""
    return rule.refusal or f"To {rule.does} for this organisation you must be its owner or admin."


def community_refusal(rule: Permission) -> str:
    """Said to a person who does not run the community ``rule`` is done in."""
    return rule.refusal or f"Only this community's moderators and admins may {rule.does}."


def refusal_messages(rule: Permission) -> set[str]:
    """Every message ``authorize`` (and ``identity.ownership``, which says ``refusal``) can refuse ``rule`` with."""
    said = {SIGN_IN_FIRST, NO_ACTIVE_ORGANIZATION} if not rule.anyone else {NO_ACTIVE_ORGANIZATION}
    said |= {level_refusal(rule, current) for current in range(rule.level)}
    if rule.city_role is not None:
        said.add(role_refusal(rule))
    said.add(organization_refusal(rule) if rule.for_organization else personal_refusal(rule))
    if rule.in_community:
        said.add(community_refusal(rule))
    if rule.refusal:
        said.add(rule.refusal)
    return said


#: What a partner app acting for a person (under the person's grant) may do as that person: the actions behind the
#: fields ``partners.fields`` lets an app reach (each field's scope is checked there, before the resolver runs); the
#: app acts as the person themself, never for an organisation they represent, and never with their city roles.
APP_ACTIONS: Final = frozenset(
    {
        "identity.account.read",
        "identity.contact.read",
        "notifications.inbox.read",
        "marketplace.wallet.see",
        "marketplace.statement.see",
        "marketplace.listing.read_own",
        "marketplace.cart.read",
        "marketplace.cart.change",
        "marketplace.cart.checkout",
        "marketplace.order.place",
        "marketplace.order.read_own",
        "marketplace.order.change",
    }
)
APP_MAY_NOT: Final = "A partner app may not do this for you; only you can, signed in to HanoiSmart."
APP_ACTS_AS_PERSON: Final = "A partner app acts only as the person who granted it access, not for an organisation."


def authorize(viewer: Viewer, action: str, on: Representation | Membership | None = None) -> str:
    """The id of the actor ``viewer`` does ``action`` as, or UNAUTHENTICATED / FORBIDDEN / NOT_FOUND saying what
    is missing. Without ``on`` that actor is the signed-in person; with ``on=Representation`` it is the
    organisation, when the permission may be done for one and the person acts for it (NOT_FOUND then names
    ``Representation.field``, the input or argument that holds the organisation's id)."""
    rule = permission(action)
    if rule.anyone and on is None:
        return viewer.actor_id or ""
    if viewer.is_app and viewer.actor_id is not None:  # a partner app acting for its grant's person
        if action not in APP_ACTIONS:
            raise ForbiddenError(APP_MAY_NOT)
        if isinstance(on, Representation):
            raise ForbiddenError(APP_ACTS_AS_PERSON)
    elif viewer.kind != "person" or viewer.actor_id is None:
        raise UnauthenticatedError(SIGN_IN_FIRST)
    person_id = viewer.actor_id
    if viewer.assurance_level < rule.level:
        raise ForbiddenError(
            level_refusal(rule, viewer.assurance_level),
            extensions={"requiredLevel": rule.level, "currentLevel": viewer.assurance_level},
        )
    if rule.city_role is not None and not viewer.has_role(rule.city_role):
        raise ForbiddenError(role_refusal(rule), extensions={"requiredRole": rule.city_role})
    if isinstance(on, Representation):
        if not rule.for_organization:
            raise ForbiddenError(personal_refusal(rule))
        if not on.exists or not on.active:
            raise NotFoundError(NO_ACTIVE_ORGANIZATION, field=on.field)
        if not acts_for(person_id, on.organization_id, on.role, on.active):
            raise ForbiddenError(
                organization_refusal(rule), extensions={"requiredRepresentativeRole": list(ACTING_ROLES)}
            )
        return on.organization_id
    if rule.in_community and (not isinstance(on, Membership) or not runs_community(on.role)):
        raise ForbiddenError(community_refusal(rule))
    return person_id


def holds(viewer: Viewer, action: str, on: Representation | Membership | None = None) -> bool:
    """Whether ``authorize`` would let ``viewer`` do ``action`` (for views that show or hide a thing, not refuse)."""
    try:
        authorize(viewer, action, on)
    except (UnauthenticatedError, ForbiddenError, NotFoundError):
        return False
    return True


def permission_table() -> str:
    """The permission table in Markdown, generated from ``PERMISSIONS`` (README and docs/architecture.md)."""
    lines = [
        "| permission | what it allows | who | level | for an organisation |",
        "|---|---|---|---|---|",
    ]
    for rule in PERMISSIONS.values():
        if rule.anyone:
            who = "anyone"
        elif rule.city_role:
            who = f"a city {rule.city_role}"
        elif rule.in_community:
            who = "a community's moderators and admins"
        else:
            who = "a signed-in person"
        org = "owner or admin" if rule.for_organization else "no"
        lines.append(f"| `{rule.name}` | {rule.does} | {who} | {rule.level} | {org} |")
    return "\n".join(lines) + "\n"

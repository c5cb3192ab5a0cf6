"""``hanoismart seed --demo``: the demo data of ``sandbox.demo_data``, made through the services the API uses.

Every step is what a client app (or, for the officer role, the ``admin grant`` command) would do: people register
and sign in, prove their phone and e-mail with the code the development sender "sent", ask for verification and
the demo officer approves it, they connect, post, comment and react, the founder registers the organisation and
invites its admin, who accepts; listings are published, wallets topped up through the development payment provider,
orders placed, accepted, paid, fulfilled, completed and reviewed. So the demo cannot hold a state the product could
not reach, and it moves with the rules.

**Deterministic** means: on an empty database, every run makes the same people, relations, texts, amounts and
states, in the same order. The services generate ids (UUIDs) and timestamps themselves and take none from outside, so
those differ from run to run (``tests/sandbox/test_demo_seed.py`` compares a canonical projection of the whole graph
that leaves them out).
"""

from __future__ import annotations

import base64
import getpass
from dataclasses import dataclass, field

from auth.sessions import viewer_from_token
from auth.viewer import ANONYMOUS, Viewer
from core.pagination import PageRequest
from core.runtime import Runtime
from graph import sandbox as queries
from identity import account, contact_verification, invitations, organizations, profile, representatives, verification
from identity.city_roles import set_granted_role
from identity.messaging import DevelopmentSender
from identity.registration import PersonRegistration, register_person
from marketplace import listings, orders, reviews, topups
from marketplace.listings import ListingInput
from places.service import commune_by_code
from sandbox import demo_data as data
from sandbox.codes import code_in
from sandbox.guard import SandboxRefused, require_development
from social import comments, communities, connections, follows, posts, reactions

#: The reason recorded on each demo verification the officer approves (seen by the person and by officers).
APPROVAL_REASON = "Demo data: approved by `hanoismart seed --demo`."
#: Nodes deleted per transaction when ``--force`` clears a database.
WIPE_BATCH = 5_000


@dataclass
class DemoReport:
    """What was made: the accounts to sign in with, the organisations, and how many of each thing."""

    accounts: list[data.DemoAccount] = field(default_factory=list)
    organizations: list[data.DemoAccount] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    wiped: int = 0


def global_id(type_name: str, uuid: str) -> str:
    """The id the API shows for a node (Relay global id: base64 of ``Type:uuid``)."""
    return base64.b64encode(f"{type_name}:{uuid}".encode()).decode()


async def other_data(rt: Runtime) -> int:
    """Nodes that are neither migration records nor reference data."""
    return await rt.graph.read(queries.count_other_data)


async def wipe(rt: Runtime) -> int:
    """Delete everything but migration records and reference data, a batch per transaction; how many nodes went."""
    total = 0
    while deleted := await rt.graph.write(queries.wipe_other_data, WIPE_BATCH):
        total += deleted
    return total


async def seed_demo(rt: Runtime, *, force: bool = False) -> DemoReport:
    """Make the demo data. Refused in production, and on a database that holds other data unless ``force``, which
    first deletes everything but migration records and reference data (nothing is written when refused)."""
    require_development(rt.settings, "hanoismart seed --demo")
    if not isinstance(rt.sender, DevelopmentSender):
        raise SandboxRefused("The demo needs the development message sender to read the codes it sends.")
    found = await other_data(rt)
    wiped = 0
    if found:
        if not force:
            raise SandboxRefused(
                f"This database already holds {found} nodes besides migrations and reference data, so the demo data "
                "was not written. Use an empty database, or run `hanoismart seed --demo --force` to DELETE all of "
                "that data first and then seed."
            )
        wiped = await wipe(rt)
    report = await _Seeder(rt).run()
    report.wiped = wiped
    return report


class _Seeder:
    """One run of the demo: keeps each demo person's session and the ids the services returned, by key."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.access: dict[str, str] = {}  # person key -> access token
        self.ids: dict[str, str] = {}  # person, organisation, group, post, comment, listing or order key -> uuid
        self.counts: dict[str, int] = {}

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    async def viewer(self, key: str) -> Viewer:
        """The person signed in with their demo session: roles and level as the graph holds them now."""
        return await viewer_from_token(self.rt, self.access[key])

    async def run(self) -> DemoReport:
        for person in data.PEOPLE:
            await self.register(person)
        for person in data.PEOPLE:
            for role in person.granted:
                await set_granted_role(self.rt, self.ids[person.key], role, grant=True)
        for person in data.PEOPLE:
            if person.level >= 1:
                await self.prove_contacts(person.key)
        officer = next(p.key for p in data.PEOPLE if "officer" in p.granted)
        for person in data.PEOPLE:
            if person.level >= 2:
                await self.approve(person.key, officer)
            for name in person.public_fields:
                await profile.set_audience(self.rt, await self.viewer(person.key), name, "public")
        for asker, answerer in data.CONNECTIONS:
            await connections.request_connection(self.rt, await self.viewer(asker), self.ids[answerer])
            await connections.answer_request(self.rt, await self.viewer(answerer), self.ids[asker], accept=True)
            self.count("connections")
        for asker, answerer in data.PENDING_CONNECTIONS:
            await connections.request_connection(self.rt, await self.viewer(asker), self.ids[answerer])
            self.count("pending connection requests")
        for group in data.GROUPS:
            await self.make_group(group)
        for organization in data.ORGANIZATIONS:
            await self.make_organization(organization)
        for listing in data.LISTINGS:
            await self.make_listing(listing)
        for post in data.POSTS:
            await self.make_post(post)
        for comment in data.COMMENTS:
            await self.make_comment(comment)
        for post in data.POSTS:
            for who, kind in post.reactions:
                await reactions.react(self.rt, await self.viewer(who), self.ids[post.key], kind)
                self.count("reactions")
        for top_up in data.TOP_UPS:
            await topups.top_up(self.rt, await self.viewer(top_up.who), None, top_up.amount_dong, top_up.key)
            self.count("wallet top-ups")
        for order in data.ORDERS:
            await self.make_order(order)
        return self.report()

    # --- people ----------------------------------------------------------------------------------------------------

    async def register(self, person: data.DemoPerson) -> None:
        registration = PersonRegistration(
            full_name=person.full_name,
            date_of_birth=person.born,
            sex=person.sex,
            roles=list(person.roles),
            document_kind=person.document_kind,
            document_number=person.document_number,
            document_country=person.document_country,
            password=data.DEMO_PASSWORD,
            phone=person.phone,
            email=person.email,
            ward_code=person.ward_code,
        )
        view, tokens = await register_person(self.rt, ANONYMOUS, registration, user_agent=data.DEMO_USER_AGENT)
        self.ids[person.key] = view.id
        self.access[person.key] = tokens.access_token
        self.count("people")

    async def prove_contacts(self, key: str) -> None:
        """Level 1: each phone and e-mail proven with the code the development sender "sent"."""
        viewer = await self.viewer(key)
        for contact in await account.my_contacts(self.rt, viewer):
            if contact["verifiedAt"] is None:
                await contact_verification.start_contact_verification(self.rt, viewer, contact["id"])
                code = last_code(self.rt, contact["value"])
                await contact_verification.complete_contact_verification(self.rt, viewer, contact["id"], code)

    async def approve(self, key: str, officer: str) -> None:
        """Level 2: the person asks, the officer approves."""
        request = await verification.request_verification(self.rt, await self.viewer(key))
        assert request is not None  # the applicant sees their own request
        await verification.decide_verification(
            self.rt, await self.viewer(officer), request.id, approve=True, reason=APPROVAL_REASON
        )

    # --- communities and organisations --------------------------------------------------------------------------

    async def make_group(self, group: data.DemoGroup) -> None:
        created = await communities.create_community(
            self.rt,
            await self.viewer(group.founder),
            name=group.name,
            description=group.description,
            join_policy=group.join_policy,
        )
        self.ids[group.key] = created.id
        self.count("groups")
        for member in group.members:
            await communities.join_community(self.rt, await self.viewer(member), created.id)

    async def ward_community(self, key: str) -> str:
        """The id of the ward community the person belongs to (found as an app would: by the ward's name)."""
        person = next(p for p in data.PEOPLE if p.key == key)
        assert person.ward_code is not None
        commune = await commune_by_code(self.rt.graph, person.ward_code)
        assert commune is not None
        page = await communities.list_communities(
            self.rt,
            await self.viewer(key),
            search=commune.name,
            kind="ward",
            request=PageRequest.from_args(first=20, after=None),
        )
        return next(c.id for c in page.items if c.my_role is not None)

    async def make_organization(self, organization: data.DemoOrganization) -> None:
        founder = await self.viewer(organization.founder)
        created = await organizations.register_organization(
            self.rt,
            founder,
            name=organization.name,
            kind=organization.kind,
            tax_code=organization.tax_code,
            sector=organization.sector,
        )
        self.ids[organization.key] = created.id
        self.count("organisations")
        for admin in organization.admins:
            await representatives.set_representative(self.rt, founder, created.id, self.ids[admin], "admin")
            await invitations.accept_representative_invitation(self.rt, await self.viewer(admin), created.id)
        for follower in organization.followers:
            await follows.set_following(self.rt, await self.viewer(follower), created.id, True)

    # --- content ---------------------------------------------------------------------------------------------------

    async def make_listing(self, listing: data.DemoListing) -> None:
        for_organization = self.ids[listing.seller] if listing.seller != listing.by else None
        created = await listings.create_listing(
            self.rt,
            await self.viewer(listing.by),
            kind=listing.kind,
            given=ListingInput(
                title=listing.title,
                description=listing.description,
                price_dong=listing.price_dong,
                stock=listing.stock,
                category=listing.category,
                ward_code=listing.ward_code,
            ),
            publish=True,
            organization_id=for_organization,
        )
        self.ids[listing.key] = created.id
        self.count("listings")

    async def make_post(self, post: data.DemoPost) -> None:
        community = None
        if post.community == "ward":
            community = await self.ward_community(post.author)
        elif post.community is not None:
            community = self.ids[post.community]
        created = await posts.create_post(
            self.rt,
            await self.viewer(post.author),
            text=post.text,
            visibility=post.visibility,
            community_id=community,
            ward_code=post.ward_code,
            tags=list(post.tags),
        )
        self.ids[post.key] = created.id
        self.count("posts")

    async def make_comment(self, comment: data.DemoComment) -> None:
        created = await comments.comment(
            self.rt,
            await self.viewer(comment.author),
            self.ids[comment.post],
            comment.text,
            self.ids[comment.reply_to] if comment.reply_to else None,
        )
        self.ids[comment.key] = created.id
        self.count("comments")

    # --- money -------------------------------------------------------------------------------------------------------

    async def make_order(self, order: data.DemoOrder) -> None:
        placed = await orders.place_order(
            self.rt,
            await self.viewer(order.buyer),
            None,
            self.ids[order.listing],
            order.quantity,
            f"demo-order-{order.key}",
        )
        self.count("orders")
        for who, action in order.steps:
            key = f"demo-{action}-{order.key}" if action in ("pay", "complete") else None
            await orders.transition(self.rt, await self.viewer(who), placed.id, action, key=key)
        if order.review is not None:
            review = await reviews.create_review(
                self.rt, await self.viewer(order.buyer), placed.id, order.review.rating, order.review.text
            )
            self.count("reviews")
            if order.review.reply_by and order.review.reply:
                await reviews.reply_review(
                    self.rt, await self.viewer(order.review.reply_by), review.id, order.review.reply
                )

    # --- what to print -------------------------------------------------------------------------------------------------

    def report(self) -> DemoReport:
        report = DemoReport(counts=dict(self.counts))
        for person in data.PEOPLE:
            identifiers = [person.document_identifier]
            if person.level >= 1:
                identifiers += [c for c in (person.phone, person.email) if c]
            roles = ", ".join(person.granted + person.roles)
            report.accounts.append(
                data.DemoAccount(
                    name=person.full_name,
                    what=f"{roles}; level {person.level}; {person.about}",
                    identifiers=identifiers,
                    global_id=global_id("Person", self.ids[person.key]),
                )
            )
        for organization in data.ORGANIZATIONS:
            founder = next(p for p in data.PEOPLE if p.key == organization.founder)
            admins = [p.full_name for p in data.PEOPLE if p.key in organization.admins]
            report.organizations.append(
                data.DemoAccount(
                    name=organization.name,
                    what=f"{organization.kind}, owned by {founder.full_name}, admins: {', '.join(admins)}; "
                    "acts through its representatives' accounts",
                    identifiers=[],
                    password="",
                    global_id=global_id("Organization", self.ids[organization.key]),
                )
            )
        return report


def last_code(rt: Runtime, to: str) -> str:
    """The code in the last message the development sender "sent" to ``to`` (as stored: E.164, normalised e-mail)."""
    sender = rt.sender
    message = sender.last_to(to) if isinstance(sender, DevelopmentSender) else None
    code = code_in(message.text) if message is not None else None
    if code is None:
        raise SandboxRefused(f"No one-time code was sent to {to}.")
    return code


def operator() -> str:
    """Who runs a development command, for the records it leaves (the operating-system user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without /etc/passwd entry
        return "unknown"

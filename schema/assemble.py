"""The root types and the assembled Strawberry schema, with the safety extensions of every request."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

from core.settings import Settings
from resolvers import communities as community_resolvers
from resolvers import discovery as discovery_resolvers
from resolvers import health as health_resolvers
from resolvers import identity as identity_resolvers
from resolvers import listings as listing_resolvers
from resolvers import moderation as moderation_resolvers
from resolvers import node as node_resolvers
from resolvers import orders as order_resolvers
from resolvers import places as places_resolvers
from resolvers import social as social_resolvers
from resolvers import wallets as wallet_resolvers
from schema.common import SCALARS, UserError
from schema.communities import (
    Community,
    CommunityConnection,
    CommunityJoinRequestConnection,
    CommunityMemberPayload,
    CommunityPayload,
)
from schema.discovery import PersonSuggestion, TrustPath
from schema.health import Health, SchemaMigrationConnection, Version
from schema.identity import (
    ActorConnection,
    ContactPayload,
    DonePayload,
    Organization,
    OrganizationPayload,
    Person,
    PersonPayload,
    PersonRegisterPayload,
    RepresentativeInvitationAcceptPayload,
    RepresentativeInvitationConnection,
    RepresentativeInvitationDeclinePayload,
    RepresentativeInvitationWithdrawPayload,
    RepresentativesPayload,
    Session,
    SessionPayload,
    VerificationRequestConnection,
    VerificationRequestPayload,
)
from schema.limits import OperationChoice, max_fields_rule
from schema.listings import (
    InvestmentInterestConnection,
    InvestmentInterestPayload,
    ListingCategory,
    ListingConnection,
    ListingPayload,
)
from schema.moderation import ReportConnection, ReportPayload
from schema.orders import (
    Cart,
    CartCheckoutPayload,
    CartPayload,
    DisputeConnection,
    DisputePayload,
    OrderConnection,
    OrderPayload,
    ReviewConnection,
    ReviewPayload,
)
from schema.places import Commune, CommuneConnection
from schema.social import (
    Comment,
    CommentPayload,
    NotificationConnection,
    Post,
    PostConnection,
    PostPayload,
    ReactionPayload,
    RelationPayload,
)
from schema.wallets import LedgerEntryConnection, LedgerTotals, StuckPaymentConnection, Wallet, WalletPayload


@strawberry.type(description="Everything that can be read. Lists are Relay connections (`first`/`after`).")
class Query:
    node: relay.Node | None = strawberry.field(
        resolver=node_resolvers.node,
        description="Fetch any object by its global id (Relay). Null when it does not exist or is hidden from you.",
    )
    version: Version = strawberry.field(
        resolver=health_resolvers.version, description="Versions of the API and of its Neo4j server."
    )
    health: Health = strawberry.field(
        resolver=health_resolvers.health, description="Readiness: database reachable and migrations applied."
    )
    schema_migrations: SchemaMigrationConnection = strawberry.field(
        resolver=health_resolvers.schema_migrations,
        description="Migrations applied to the graph, in order.",
    )
    communes: CommuneConnection = strawberry.field(
        resolver=places_resolvers.communes,
        description="Hà Nội's 126 wards (phường) and communes (xã), by code; searchable with or without diacritics.",
    )
    commune: Commune | None = strawberry.field(
        resolver=places_resolvers.commune, description="One ward or commune by its official code."
    )
    me: Person | None = strawberry.field(
        resolver=identity_resolvers.me, description="The signed-in person (null when anonymous)."
    )
    my_sessions: list[Session] = strawberry.field(
        resolver=identity_resolvers.my_sessions, description="My open sessions (devices and apps signed in)."
    )
    my_data: JSON = strawberry.field(
        resolver=identity_resolvers.my_data,
        description="Everything the platform holds about me, as one JSON document (data portability).",
    )
    actors: ActorConnection = strawberry.field(
        resolver=identity_resolvers.actors,
        description="People and organisations by name ('Nguyen Van An' finds 'Nguyễn Văn An'), best match first.",
    )
    verification_requests: VerificationRequestConnection = strawberry.field(
        resolver=identity_resolvers.verification_requests,
        description="Officers: the queue of identity-verification requests, oldest first.",
    )
    my_representative_invitations: RepresentativeInvitationConnection = strawberry.field(
        resolver=identity_resolvers.my_representative_invitations,
        description="Invitations to represent an organisation that wait for my answer, newest first.",
    )
    feed: PostConnection = strawberry.field(
        resolver=social_resolvers.feed,
        description="Posts of my connections, the actors I follow and my communities, newest first.",
    )
    notifications: NotificationConnection = strawberry.field(
        resolver=social_resolvers.notifications, description="My notifications, newest first."
    )
    unread_notification_count: int = strawberry.field(
        resolver=social_resolvers.unread_notification_count, description="How many of my notifications are unread."
    )
    people_you_may_know: list[PersonSuggestion] = strawberry.field(
        resolver=discovery_resolvers.people_you_may_know,
        description="People I may know (friends of friends, shared communities), best first, each with why.",
    )
    trust_path: TrustPath | None = strawberry.field(
        resolver=discovery_resolvers.trust_path,
        description="The shortest chain (at most 4 connections) from me to a person or an organisation's "
        "representative through level-2 verified people only; null when there is none I may see.",
    )
    post_search: PostConnection = strawberry.field(
        resolver=discovery_resolvers.post_search,
        description="Posts I may see whose text matches ('Nguyen Van An' finds 'Nguyễn Văn An'), best match first.",
    )
    communities: CommunityConnection = strawberry.field(
        resolver=community_resolvers.communities,
        description="Ward communities and interest groups in name order, with member counts; `search` finds them by "
        "name with or without diacritics ('phuong hoan kiem' and 'hoàn kiếm' find 'Phường Hoàn Kiếm').",
    )
    community: Community | None = strawberry.field(
        resolver=community_resolvers.community, description="One community with its details; null when unknown."
    )
    community_join_requests: CommunityJoinRequestConnection = strawberry.field(
        resolver=community_resolvers.community_join_requests,
        description="A community's moderators and admins: pending requests to join, oldest first.",
    )
    moderation_queue: ReportConnection = strawberry.field(
        resolver=moderation_resolvers.moderation_queue,
        description="Officers: every report; community moderators: reports about their communities' content. Oldest first.",
    )
    my_reports: ReportConnection = strawberry.field(
        resolver=moderation_resolvers.my_reports, description="Reports I filed, newest first, with how each ended."
    )
    # --- marketplace: money ---
    my_wallet: Wallet = strawberry.field(
        resolver=wallet_resolvers.my_wallet,
        description="My wallet (or an organisation's I own or administer), in đồng.",
    )
    wallet_statement: LedgerEntryConnection = strawberry.field(
        resolver=wallet_resolvers.wallet_statement,
        description="The entries of my wallet (or my organisation's), newest first, each with the balance after it.",
    )
    ledger_totals: LedgerTotals = strawberry.field(
        resolver=wallet_resolvers.ledger_totals,
        description="Officers: sums of wallets, escrow and the provider side, and whether the ledger balances.",
    )
    stuck_payments: StuckPaymentConnection = strawberry.field(
        resolver=wallet_resolvers.stuck_payments,
        description="Officers: top-ups still pending and payouts not yet paid after the reconciliation threshold, "
        "oldest first.",
    )
    # --- marketplace: listings ---
    listings: ListingConnection = strawberry.field(
        resolver=listing_resolvers.listings_query,
        description="ACTIVE listings to browse or search ('dien thoai' finds 'Điện thoại'), filtered and sorted.",
    )
    my_listings: ListingConnection = strawberry.field(
        resolver=listing_resolvers.my_listings,
        description="My listings (or an organisation's I own or administer) in every status, newest first.",
    )
    listing_categories: list[ListingCategory] = strawberry.field(
        resolver=listing_resolvers.listing_categories, description="The marketplace's fixed categories."
    )
    my_investment_interests: InvestmentInterestConnection = strawberry.field(
        resolver=listing_resolvers.my_investment_interests,
        description="Interests I (or my organisation) stated in investment opportunities, newest first.",
    )
    # --- marketplace: orders ---
    cart: Cart = strawberry.field(
        resolver=order_resolvers.cart,
        description="My cart (or my organisation's): listings of one or several sellers, grouped by seller.",
    )
    my_orders: OrderConnection = strawberry.field(
        resolver=order_resolvers.my_orders,
        description="Orders I (or my organisation) bought or sold, newest first.",
    )
    reviews: ReviewConnection = strawberry.field(
        resolver=order_resolvers.reviews, description="A seller's reviews by buyers, newest first (public)."
    )
    disputes: DisputeConnection = strawberry.field(
        resolver=order_resolvers.disputes, description="Officers: the queue of order disputes, oldest first."
    )


def _mutation(resolver, description: str):
    return strawberry.mutation(resolver=resolver, description=description)


@strawberry.type(
    description="Everything that changes state. Each mutation is one transaction; fixable mistakes come back in `errors`."
)
class Mutation:
    person_register: PersonRegisterPayload = _mutation(
        identity_resolvers.person_register, "Open my one account (level 0) with my identity document; signs me in."
    )
    session_login: SessionPayload = _mutation(
        identity_resolvers.session_login,
        "Sign in with citizen ID, passport, verified phone or verified e-mail, and password.",
    )
    session_refresh: SessionPayload = _mutation(
        identity_resolvers.session_refresh, "Trade a refresh token for new tokens (the old refresh token dies)."
    )
    session_logout: DonePayload = _mutation(identity_resolvers.session_logout, "Close this session.")
    session_logout_everywhere: DonePayload = _mutation(
        identity_resolvers.session_logout_everywhere, "Close every session of mine, on every device."
    )
    session_revoke: DonePayload = _mutation(identity_resolvers.session_revoke, "Close one of my sessions.")
    password_change: DonePayload = _mutation(
        identity_resolvers.password_change, "Change my password; every other session is closed."
    )
    password_reset_start: DonePayload = _mutation(
        identity_resolvers.password_reset_start,
        "Send a reset code to a verified phone or e-mail (answers the same whether or not an account has it).",
    )
    password_reset_complete: DonePayload = _mutation(
        identity_resolvers.password_reset_complete, "Set a new password with the code; every session is closed."
    )
    profile_update: PersonPayload = _mutation(
        identity_resolvers.profile_update, "Change my ward, investor sectors, or add a role (tourist -> resident)."
    )
    profile_audience_set: PersonPayload = _mutation(
        identity_resolvers.profile_audience_set, "Choose who sees one of my personal fields."
    )
    contact_add: ContactPayload = _mutation(identity_resolvers.contact_add, "Add a phone or e-mail (unverified).")
    contact_verification_start: ContactPayload = _mutation(
        identity_resolvers.contact_verification_start, "Send a one-time code to one of my contacts."
    )
    contact_verification_complete: PersonPayload = _mutation(
        identity_resolvers.contact_verification_complete, "Prove a contact with its code: reaches verification level 1."
    )
    verification_request_create: VerificationRequestPayload = _mutation(
        identity_resolvers.verification_request_create, "Ask a city officer to check my identity document (level 2)."
    )
    verification_request_approve: VerificationRequestPayload = _mutation(
        identity_resolvers.verification_request_approve, "Officers: approve a request; the person reaches level 2."
    )
    verification_request_reject: VerificationRequestPayload = _mutation(
        identity_resolvers.verification_request_reject, "Officers: reject a request with a reason the person sees."
    )
    officer_role_set: PersonPayload = _mutation(
        identity_resolvers.officer_role_set, "Administrators: grant or revoke a person's officer role."
    )
    organization_register: OrganizationPayload = _mutation(
        identity_resolvers.organization_register, "Register an organisation (needs level 2); I become its owner."
    )
    representative_set: RepresentativesPayload = _mutation(
        identity_resolvers.representative_set,
        "Owners: change a representative's role (recorded), or invite a person who is not one yet or a "
        "representative offered OWNER; the invitation grants nothing until they accept it. Demotions apply at once.",
    )
    representative_invitation_accept: RepresentativeInvitationAcceptPayload = _mutation(
        identity_resolvers.representative_invitation_accept,
        "Accept an organisation's invitation: I represent it from now on, with the role offered (recorded).",
    )
    representative_invitation_decline: RepresentativeInvitationDeclinePayload = _mutation(
        identity_resolvers.representative_invitation_decline, "Decline an organisation's invitation to represent it."
    )
    representative_invitation_withdraw: RepresentativeInvitationWithdrawPayload = _mutation(
        identity_resolvers.representative_invitation_withdraw, "Owners: take back an invitation not answered yet."
    )
    representative_revoke: RepresentativesPayload = _mutation(
        identity_resolvers.representative_revoke, "Owners: take a person's representative role away (recorded)."
    )
    connection_request: RelationPayload = _mutation(
        social_resolvers.connection_request, "Ask a person to connect (if they asked me already, we connect)."
    )
    connection_accept: RelationPayload = _mutation(social_resolvers.connection_accept, "Accept a person's request.")
    connection_decline: RelationPayload = _mutation(social_resolvers.connection_decline, "Decline a person's request.")
    connection_cancel: RelationPayload = _mutation(social_resolvers.connection_cancel, "Withdraw my pending request.")
    connection_remove: RelationPayload = _mutation(social_resolvers.connection_remove, "End a connection.")
    follow_set: RelationPayload = _mutation(
        social_resolvers.follow_set, "Follow (or unfollow) a person, a business, an agency."
    )
    block_set: RelationPayload = _mutation(
        social_resolvers.block_set,
        "Block (or unblock): hides us from each other everywhere, ends connections, requests and follows.",
    )
    mute_set: RelationPayload = _mutation(
        social_resolvers.mute_set, "Mute (or unmute): private; hides their posts from my feed only."
    )
    social_preferences_set: list[UserError] = _mutation(
        social_resolvers.social_preferences_set,
        "Show or hide my follower and following counts; opt out of people-you-may-know suggestions.",
    )
    post_create: PostPayload = _mutation(social_resolvers.post_create, "Write a post.")
    post_edit: PostPayload = _mutation(social_resolvers.post_edit, "Authors: change a post's text or visibility.")
    post_delete: PostPayload = _mutation(
        social_resolvers.post_delete, "Delete my post; community moderators and officers remove others' posts."
    )
    comment_create: CommentPayload = _mutation(
        social_resolvers.comment_create, "Comment on a post I can see, or reply to a top-level comment."
    )
    comment_delete: CommentPayload = _mutation(
        social_resolvers.comment_delete, "Delete my comment; moderators remove others' comments."
    )
    reaction_set: ReactionPayload = _mutation(
        social_resolvers.reaction_set, "React to a post (one reaction per person per post; null takes it back)."
    )
    notifications_mark_read: int = _mutation(
        social_resolvers.notifications_mark_read, "Mark one notification, or all, read; returns how many changed."
    )
    community_create: CommunityPayload = _mutation(
        community_resolvers.community_create, "Create an interest group (needs level 2); I become its admin."
    )
    community_join: CommunityPayload = _mutation(
        community_resolvers.community_join, "Join an OPEN group, or ask to join one that needs APPROVAL."
    )
    community_leave: CommunityPayload = _mutation(
        community_resolvers.community_leave,
        "Leave a group, or withdraw my request to join it (a group's last admin stays).",
    )
    community_join_decide: CommunityMemberPayload = _mutation(
        community_resolvers.community_join_decide, "Moderators and admins: approve or decline a request to join."
    )
    community_role_set: CommunityMemberPayload = _mutation(
        community_resolvers.community_role_set,
        "Admins: make a member a moderator, an admin, or a member again (officers appoint ward moderators).",
    )
    report_create: ReportPayload = _mutation(
        moderation_resolvers.report_create, "Report a post, comment, person or organisation to the moderators."
    )
    moderation_act: ReportPayload = _mutation(
        moderation_resolvers.moderation_act,
        "Moderators: decide an open report (remove the content, warn, suspend, or dismiss), with a reason.",
    )
    account_close: DonePayload = _mutation(
        identity_resolvers.account_close,
        "Close my account: personal data erased, sessions closed; the document cannot open another account.",
    )
    # --- marketplace: money ---
    wallet_top_up: WalletPayload = _mutation(
        wallet_resolvers.wallet_top_up,
        "Add money to my wallet through the payment provider (needs level 2; idempotent by key).",
    )
    wallet_payout: WalletPayload = _mutation(
        wallet_resolvers.wallet_payout,
        "Withdraw money from my wallet to my bank account through the payment provider (needs level 2; idempotent).",
    )
    # --- marketplace: listings ---
    listing_create: ListingPayload = _mutation(
        listing_resolvers.listing_create,
        "Offer goods, a service, a rental or an investment opportunity (needs level 2), as a DRAFT or published.",
    )
    listing_update: ListingPayload = _mutation(
        listing_resolvers.listing_update,
        "Owners: change a listing's fields; restocking a SOLD_OUT listing re-opens it.",
    )
    listing_status_set: ListingPayload = _mutation(
        listing_resolvers.listing_status_set,
        "Owners: publish, pause, resume or close a listing (CONFLICT for a transition that is not allowed).",
    )
    investment_interest_create: InvestmentInterestPayload = _mutation(
        listing_resolvers.investment_interest_create,
        "Investors (level 2): state interest in an ACTIVE investment opportunity with an amount and a message.",
    )
    investment_interest_answer: InvestmentInterestPayload = _mutation(
        listing_resolvers.investment_interest_answer, "Listing owners: accept or decline a pending interest."
    )
    investment_interest_withdraw: InvestmentInterestPayload = _mutation(
        listing_resolvers.investment_interest_withdraw, "Investors: withdraw my pending interest."
    )
    # --- marketplace: orders ---
    cart_item_set: CartPayload = _mutation(
        order_resolvers.cart_item_set, "Put a listing in my cart, change its quantity, or take it out (quantity 0)."
    )
    cart_checkout: CartCheckoutPayload = _mutation(
        order_resolvers.cart_checkout,
        "Turn my cart into one order per seller, reserving stock, all or nothing (idempotent by key).",
    )
    order_place: OrderPayload = _mutation(
        order_resolvers.order_place, "Order one listing straight away, reserving stock (idempotent by key)."
    )
    order_accept: OrderPayload = _mutation(order_resolvers.order_accept, "Sellers: accept a placed order.")
    order_pay: OrderPayload = _mutation(
        order_resolvers.order_pay, "Buyers: pay an accepted order; the money goes into escrow (idempotent by key)."
    )
    order_fulfil: OrderPayload = _mutation(order_resolvers.order_fulfil, "Sellers: mark a paid order delivered.")
    order_complete: OrderPayload = _mutation(
        order_resolvers.order_complete,
        "Buyers: confirm a fulfilled order; the money in escrow goes to the seller (idempotent by key).",
    )
    order_cancel: OrderPayload = _mutation(
        order_resolvers.order_cancel,
        "Buyer or seller: cancel before fulfilment; stock is released and a paid order refunded (key when paid).",
    )
    order_refund: OrderPayload = _mutation(
        order_resolvers.order_refund,
        "Sellers: refund a paid or fulfilled order with a reason; escrow goes back to the buyer (idempotent by key).",
    )
    review_create: ReviewPayload = _mutation(
        order_resolvers.review_create, "Buyers: review the seller of a completed order (once per order)."
    )
    review_reply: ReviewPayload = _mutation(order_resolvers.review_reply, "Sellers: reply once to a review.")
    dispute_open: DisputePayload = _mutation(
        order_resolvers.dispute_open,
        "Buyers: dispute a paid or fulfilled order; it is frozen until an officer decides.",
    )
    dispute_resolve: DisputePayload = _mutation(
        order_resolvers.dispute_resolve,
        "Officers: resolve a dispute by refunding the buyer or releasing the money to the seller (idempotent by key).",
    )


def extensions(settings: Settings) -> list:
    """Schema extensions as classes or factories, so each request gets fresh instances."""
    chosen = [
        partial(ParserCache, maxsize=512),
        partial(ValidationCache, maxsize=512),
        partial(MaxTokensLimiter, max_token_count=settings.max_tokens),
        partial(QueryDepthLimiter, max_depth=settings.max_query_depth),
        partial(MaxAliasesLimiter, max_alias_count=settings.max_aliases),
    ]
    if not settings.introspection_enabled:
        chosen.append(DisableIntrospection)
    # Built once here, not per request, so the validation cache's key (the rules) stays the same.
    field_limit = max_fields_rule(settings.max_fields)
    chosen += [partial(AddValidationRules, [field_limit]), OperationChoice]
    return chosen


class HanoiSmartSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Errors are logged once, with the request id, by ``api.errors.format_error``."""


def build_schema(settings: Settings, *, query: type = Query, mutation: type | None = Mutation) -> strawberry.Schema:
    """The schema of the API. Tests may pass a ``query`` that extends ``Query``."""
    return HanoiSmartSchema(
        query=query,
        mutation=mutation,
        extensions=extensions(settings),
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        types=[Organization, Post, Comment, Community],
    )

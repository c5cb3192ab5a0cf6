"""What a partner app's token may reach in the GraphQL API: THE one map from every schema coordinate an app can
reach (``Type.field``) to its decision. Default deny: a field with no decision is refused for app tokens.

Decisions
- a scope name (``partners.scopes``): the app's token must hold it (and, for a person scope, act for a person);
  otherwise the field is null with a ``FORBIDDEN`` error on its path naming ``extensions.requiredScope``, and the
  rest of the answer arrives (``schema.app_scope``);
- ``PUBLIC``: no scope needed (the catalogue: communes, public listings and reviews, public organisation profiles;
  and the plumbing of connections and payloads, reached only through a decided field);
- ``PERSON``: any token that acts for a person (``me``: the grant's person; a client-credentials token has none);
- ``DENIED``: refused for every app, said on purpose.

A field with no decision at all is refused too (by the validation rule of ``schema.app_scope``, before any
resolver runs), exactly like ``DENIED``; ``tests/partners/test_default_deny.py`` walks every field an app can reach
and proves each one has a decision written here, so a field added to an app-reachable type fails that test until
someone decides it. A decision is per field (``FIELDS``) or for every field of a type (``TYPES``; a field entry
overrides it). A field of an interface (``Actor.displayName``) is decided when every type implementing it decides
it; the check at execution uses the concrete type.

The app surface (person scopes need the person's grant; ``PERSONAL`` ones are recorded in their access log)
- ``me`` (PERSON): ``Person.displayName``/``roles``/``createdAt``/``closed`` under ``profile.basic``,
  ``verificationLevel`` under ``profile.verification``, ``phone``/``email``/``contacts`` (and ``Contact``) under
  ``contact.read``, ``ward`` under ``ward.read``, ``dateOfBirth``/``sex`` under ``birthdate.read``,
  ``connections``/``following``/``followers`` under ``connections.read``. ``Person.kind`` is PUBLIC, as is every ``id``
  (and ``__typename``): an id names a thing and tells nothing about it.
  These hold for every person the app sees (a seller, a reviewer), and identity.privacy still decides first: an app
  sees another person as a stranger does (never as their connection).
- ``notifications``/``unreadNotificationCount`` and ``Notification`` under ``notifications.read``.
- ``myWallet``/``walletStatement``/``cart``/``myOrders``/``myListings`` and the wallet, cart and order types under
  ``marketplace.read``; ``cartItemSet``/``cartCheckout``/``orderPlace``/``orderPay``/``orderCancel`` under
  ``marketplace.write`` (reading what they return takes ``marketplace.read``, as any read does).
- ``isAdult``/``livesInWard``/``isVerifiedResident`` under ``predicate.*`` (yes/no instead of the raw data).
- PUBLIC: ``node``/``nodes`` (the object's type then decides each field), ``version``, ``communes``/``commune``,
  ``listings``, ``listingCategories``, ``reviews``, ``appAuthorization``, public ``Organization`` fields.
- Refused (DENIED or undecided): identity documents, sessions, verification, moderation, officer tools, account
  closing, password, profile and privacy changes, social posting and communities, investment, disputes,
  ``developmentMessages``, ``myData``; the partner platform's own records (a person's grants and access log, an
  app's client and test personas, app management); and every other mutation.
"""

from __future__ import annotations

import json
from typing import Final

PUBLIC: Final = "PUBLIC"
PERSON: Final = "PERSON"
DENIED: Final = "DENIED"


def _all(decision: str, *names: str) -> dict[str, str]:
    return {name: decision for text in names for name in text.split()}


def _fields(type_name: str, decision: str, names: str) -> dict[str, str]:
    return {f"{type_name}.{name}": decision for name in names.split()}


#: Every field of these types (unless ``FIELDS`` says otherwise for one of them).
TYPES: Final[dict[str, str]] = {
    # catalogue and plumbing (reached only through a decided field)
    **_all(PUBLIC, "Commune CommuneConnection CommuneEdge PageInfo Version ActorConnection ActorEdge"),
    **_all(PUBLIC, "ListingConnection ListingEdge ListingCategory SellerRating Review ReviewConnection ReviewEdge"),
    **_all(PUBLIC, "NotificationConnection NotificationEdge LedgerEntryConnection LedgerEntryEdge"),
    **_all(PUBLIC, "OrderConnection OrderEdge UserError"),
    **_all(PUBLIC, "CartItemSetPayload CartCheckoutPayload OrderPlacePayload OrderPayPayload OrderCancelPayload"),
    **_all(PUBLIC, "AppAuthorization App ScopeGrant"),
    # the person's own data
    "Contact": "contact.read",
    "Notification": "notifications.read",
    **_all("marketplace.read", "Wallet LedgerEntry Cart CartItem CartSellerGroup Order OrderItem OrderEvent"),
    # whole types no app reaches (reachable through node(id:) or a refused field's type)
    **_all(DENIED, "Session SchemaMigration VerificationRequest Report ModerationOutcome Dispute"),
    **_all(DENIED, "Post Comment Community InvestmentInterest Relation ProfileAudiences Representation"),
    **_all(DENIED, "Representative RepresentationChange"),
    # the partner platform's own records: a person's grants and access log, a partner's client and personas
    **_all(DENIED, "Grant DataAccessLogEntry OAuthClient AppPersonaConnection"),
    # webhooks: an app's subscriptions and delivery log are its partner's to manage, not its token's
    **_all(DENIED, "WebhookSubscription WebhookDelivery"),
}

#: Field by field (overrides ``TYPES``).
FIELDS: Final[dict[str, str]] = {
    # --- Query ---------------------------------------------------------------------------------------------------
    **_fields("Query", PUBLIC, "node nodes version communes commune listings listingCategories reviews"),
    **_fields("Query", PUBLIC, "appAuthorization"),
    "Query.me": PERSON,
    **_fields("Query", "notifications.read", "notifications unreadNotificationCount"),
    **_fields("Query", "marketplace.read", "myWallet walletStatement myListings cart myOrders"),
    "Query.isAdult": "predicate.isAdult",
    "Query.livesInWard": "predicate.livesInWard",
    "Query.isVerifiedResident": "predicate.isVerifiedResident",
    **_fields(
        "Query",
        DENIED,
        "health schemaMigrations mySessions myData actors verificationRequests myRepresentativeInvitations feed"
        " peopleYouMayKnow trustPath postSearch communities community myCommunities communityJoinRequests"
        " moderationQueue myReports ledgerTotals stuckPayments myInvestmentInterests disputes developmentMessages"
        " myGrants appsForReview myDataAccessLog webhookDeliveries",
    ),
    # --- Mutation ------------------------------------------------------------------------------------------------
    **_fields("Mutation", "marketplace.write", "cartItemSet cartCheckout orderPlace orderPay orderCancel"),
    **_fields(
        "Mutation",
        DENIED,
        "personRegister sessionLogin sessionRefresh sessionLogout sessionLogoutEverywhere passwordChange"
        " passwordResetStart passwordResetComplete profileUpdate profileAudienceSet contactAdd"
        " contactVerificationStart contactVerificationComplete verificationRequestCreate verificationRequestApprove"
        " verificationRequestReject officerRoleSet organizationRegister representativeSet"
        " representativeInvitationAccept representativeInvitationDecline representativeInvitationWithdraw"
        " representativeRevoke connectionRequest connectionAccept connectionDecline connectionCancel connectionRemove"
        " followSet blockSet muteSet socialPreferencesSet postCreate postUpdate postDelete commentCreate"
        " commentDelete reactionSet notificationsMarkRead communityCreate communityJoin communityLeave"
        " communityJoinDecide communityRoleSet reportCreate moderationAct accountClose walletTopUp walletPayout"
        " listingCreate listingUpdate listingStatusSet investmentInterestCreate investmentInterestAnswer"
        " investmentInterestWithdraw orderAccept orderFulfil orderComplete orderRefund reviewCreate reviewReply"
        " disputeOpen disputeResolve appCreate appUpdate clientSecretRotate appPersonaCreate appApprove appSuspend"
        " appReinstate grantRevoke webhookSubscriptionCreate webhookSubscriptionUpdate webhookSubscriptionDelete"
        " webhookSecretRotate webhookDeliveryRetry",
    ),
    # --- people ----------------------------------------------------------------------------------------------------
    "Person.kind": PUBLIC,
    **_fields("Person", "profile.basic", "displayName roles createdAt closed"),
    "Person.verificationLevel": "profile.verification",
    **_fields("Person", "contact.read", "phone email contacts"),
    "Person.ward": "ward.read",
    **_fields("Person", "birthdate.read", "dateOfBirth sex"),
    **_fields("Person", "connections.read", "connections following followers"),
    **_fields(
        "Person",
        DENIED,
        "relation posts investorSectors identityDocumentKind identityDocumentLast4 audiences verificationRequests"
        " organizations mutualConnections connectionRequestsReceived connectionRequestsSent",
    ),
    # --- organisations: the public profile ---------------------------------------------------------------------------
    **_fields("Organization", PUBLIC, "displayName kind verificationLevel createdAt organizationKind sector"),
    **_fields(
        "Organization",
        DENIED,
        "relation followers posts taxCodeMasked myRole representatives representationHistory pendingInvitations apps",
    ),
    # --- apps: their public face (the consent page's); a partner's client and test personas are not for apps --------
    **_fields("App", DENIED, "client personas webhookSubscriptions"),
    # --- the catalogue -----------------------------------------------------------------------------------------------
    "Commune.community": DENIED,
    **_fields(
        "Listing",
        PUBLIC,
        "id kind title description priceDong priceMinDong priceMaxDong priceOnRequest stock category wardCode"
        " photoUrls status createdAt updatedAt sellerRating viewerIsOwner seller ward",
    ),
    "Listing.interests": DENIED,
    # --- orders: whether a dispute exists is the parties' and the officers' business, not an app's ----------------
    "Order.dispute": DENIED,
    # --- introspection (the schema itself is public) -------------------------------------------------------------------
    **_fields("Query", PUBLIC, "__schema __type"),
}


#: Fields an app may select at most once in an operation (``schema.app_scope`` refuses a second selection before any
#: resolver runs): ``livesInWard(code:)`` asked for many wards in one request under aliases would tell the ward.
ONCE_PER_OPERATION: Final = frozenset({"Query.livesInWard"})

#: Fields whose arguments are part of what an app read, so the access log records them with the coordinate
#: (``Query.livesInWard(code: "00070")``: the person sees which ward the app asked about).
LOGGED_ARGUMENTS: Final[dict[str, tuple[str, ...]]] = {"Query.livesInWard": ("code",)}


def logged_coordinate(coordinate: str, arguments: dict[str, object]) -> str:
    """How the access log names a read of ``coordinate`` with these argument values: the coordinate itself, or
    with the arguments ``LOGGED_ARGUMENTS`` names, as GraphQL writes them (``Query.livesInWard(code: "00070")``)."""
    names = LOGGED_ARGUMENTS.get(coordinate, ())
    if not names:
        return coordinate
    given = ", ".join(f"{name}: {json.dumps(arguments.get(name), ensure_ascii=False)}" for name in names)
    return f"{coordinate}({given})"


def decision(type_name: str, field_name: str) -> str | None:
    """The decision for ``type_name.field_name`` (an object type's field), None when there is none."""
    if field_name in ("__typename", "id"):  # what a thing is, and the id the app already holds to ask for it
        return PUBLIC
    found = FIELDS.get(f"{type_name}.{field_name}")
    return found if found is not None else TYPES.get(type_name)


def is_scope(decision_: str | None) -> bool:
    """Whether a decision names a scope (rather than PUBLIC, PERSON, DENIED or none)."""
    return decision_ is not None and decision_ not in (PUBLIC, PERSON, DENIED)

"""Root fields about the caller that a partner app may ask: minimal disclosure and what its token holds."""

from __future__ import annotations

import strawberry

from resolvers import app_access as app_access_resolvers
from schema.app_access import AppAuthorization


@strawberry.type
class AppAccessQuery:
    """Query fields of minimal disclosure and of app tokens; merged into the root Query by schema.assemble."""

    is_adult: bool | None = strawberry.field(
        resolver=app_access_resolvers.is_adult,
        description="Whether I am 18 or older by today's date in Hà Nội, without telling my date of birth (a partner "
        "app: scope predicate.isAdult, about the person who granted it). Null when no date of birth is known.",
    )
    lives_in_ward: bool | None = strawberry.field(
        resolver=app_access_resolvers.lives_in_ward,
        description="Whether I live in this ward or commune, without telling which one I live in (a partner app: "
        "scope predicate.livesInWard). INVALID_INPUT when no ward or commune of Hà Nội has the code.",
    )
    is_verified_resident: bool | None = strawberry.field(
        resolver=app_access_resolvers.is_verified_resident,
        description="Whether I am a resident whose identity a city officer checked (level 2), without telling more "
        "(a partner app: scope predicate.isVerifiedResident).",
    )
    app_authorization: AppAuthorization | None = strawberry.field(
        resolver=app_access_resolvers.app_authorization,
        description="For a partner app's token: the app, the scopes the token may use and the grant's expiry; "
        "null for everyone else.",
    )

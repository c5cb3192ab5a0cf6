"""GraphQL shapes of partner apps' usage: daily figures (``appUsage``) and the last token-endpoint failures
(``App.tokenFailures``)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry import relay

from partners.token_failures import TokenFailureView
from partners.usage import AppUsageView, UsageFigures
from schema.common import CountedConnection


@strawberry.type(description="What an app did over a day or a range of days (Hà Nội days).")
class AppUsageFigures:
    requests: int = strawberry.field(
        description="Answers given to the app's tokens at /graphql, refused ones included."
    )
    cost: int = strawberry.field(description="The query cost of those requests, summed (0 for a request with none).")
    errors: int = strawberry.field(
        description="Answers that carried an error (an HTTP refusal or a GraphQL error), rate-limited ones included."
    )
    rate_limited: int = strawberry.field(
        description="Answers refused as RATE_LIMITED (HTTP 429: the request window or the cost budget was spent)."
    )

    @classmethod
    def of(cls, figures: UsageFigures) -> AppUsageFigures:
        return cls(
            requests=figures.requests, cost=figures.cost, errors=figures.errors, rate_limited=figures.rate_limited
        )


@strawberry.type(description="An app's figures on one Hà Nội day.")
class AppUsageDay:
    day: date = strawberry.field(description="The day (Hà Nội time, UTC+7).")
    figures: AppUsageFigures = strawberry.field(description="What the app did that day (zeros: nothing).")


@strawberry.type(
    description="An app's usage over a range of Hà Nội days. Counted as the API answers, written to the database "
    "every minute: the last minute may not show yet. A figure above 2147483647 shows as 2147483647."
)
class AppUsage:
    app_id: strawberry.ID = strawberry.field(description="Global id of the app.")
    from_: date = strawberry.field(name="from", description="The first day of the range (Hà Nội).")
    to: date = strawberry.field(description="The last day of the range (Hà Nội), included.")
    days: list[AppUsageDay] = strawberry.field(
        description="Every day of the range, oldest first, zeros included (at most 92 days)."
    )
    total: AppUsageFigures = strawberry.field(description="The figures of the whole range.")

    @classmethod
    def of(cls, view: AppUsageView) -> AppUsage:
        return cls(
            app_id=strawberry.ID(str(relay.GlobalID("App", view.app_id))),
            from_=view.start,
            to=view.end,
            days=[AppUsageDay(day=d.day, figures=AppUsageFigures.of(d.figures)) for d in view.days],
            total=AppUsageFigures.of(view.total),
        )


@strawberry.type(
    description="A request of the app's OAuth client that the token endpoint refused, with the reason it answered "
    "(never the secret, code or token sent)."
)
class TokenFailure:
    at: datetime = strawberry.field(description="When it was refused (UTC).")
    error: str = strawberry.field(description="The OAuth `error` answered (`invalid_client`, `invalid_grant`...).")
    description: str | None = strawberry.field(description="The `error_description` answered: what was wrong.")
    grant_type: str | None = strawberry.field(description="The `grant_type` the request asked for, if any.")

    @classmethod
    def of(cls, view: TokenFailureView) -> TokenFailure:
        return cls(at=view.at, error=view.error, description=view.description, grant_type=view.grant_type)


@strawberry.type(description="A page of an app's last token-endpoint failures (the newest 50 are kept), newest first.")
class TokenFailureConnection(CountedConnection[TokenFailure]):  # type: ignore[type-var]  # not nodes: see NodeType
    pass

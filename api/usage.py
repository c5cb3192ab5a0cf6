"""Counting partner apps' requests to ``/graphql`` (``partners.usage``): the route's ASGI app wraps the GraphQL view,
so every answer the view gives passes here, whichever way the view produced it (a GraphQL result, an HTTP refusal,
a 429 of the rate limits, a 503).

An answer is counted when its status line goes out and the request's viewer is a partner app's token
(``request.state.viewer``, set by the view once the token is verified; a request refused before, with no valid
token, names no app and is not counted). It counts as an error when its status is 400 or more or the GraphQL result
carried errors (``request.state.graphql_errors``), as rate limited when its status is 429 or an error's code was
``RATE_LIMITED`` (``request.state.graphql_rate_limited``), with the query cost ``request.state.query_cost`` (0 when
the request got none).
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth.viewer import Viewer
from partners.usage import UsageCounter


def count_answer(counter: UsageCounter, state: dict[str, Any], status: int) -> None:
    """Count one answer of ``/graphql`` whose request state is ``state`` (Starlette's ``scope["state"]``)."""
    viewer = state.get("viewer")
    if not isinstance(viewer, Viewer) or not viewer.is_app or viewer.app_id is None:
        return
    cost = state.get("query_cost")
    rate_limited = status == 429 or bool(state.get("graphql_rate_limited"))
    counter.count(
        viewer.app_id,
        cost=cost if isinstance(cost, int) and not isinstance(cost, bool) else 0,
        error=status >= 400 or bool(state.get("graphql_errors")) or rate_limited,
        rate_limited=rate_limited,
    )


class CountingView:
    """``view`` with partner apps' answers counted in ``app.state.usage`` (a ``UsageCounter``)."""

    def __init__(self, view: ASGIApp) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.view(scope, receive, send)
            return
        counter: UsageCounter | None = getattr(scope["app"].state, "usage", None)

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and counter is not None:
                count_answer(counter, scope.get("state") or {}, int(message["status"]))
            await send(message)

        await self.view(scope, receive, counting_send)

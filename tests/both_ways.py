"""Relay paging both ways, checked through the API the same way for every list of communities, moderation, places
and health: forwards with ``first`` to the end, backwards with ``last`` from the end, the items between two cursors
(``after`` and ``before`` together), and a cursor of another list refused.

A list's document takes ``$first``, ``$after``, ``$last`` and ``$before`` and selects
``pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ... } }``; ``connection`` picks
the connection out of a response's ``data``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.support import error_codes, gql

Connection = Callable[[dict[str, Any]], dict[str, Any]]


async def _page(client, document, connection, variables, headers) -> dict[str, Any]:
    body = await gql(client, document, variables, headers=headers)
    assert "errors" not in body, body["errors"]
    return connection(body["data"])


async def walk_both_ways(
    client: httpx.AsyncClient,
    document: str,
    connection: Connection,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    size: int = 2,
    key: Callable[[dict[str, Any]], Any] = lambda node: node["id"],
) -> list[Any]:
    """Every item of the list (``key`` of each node) in display order, read forwards and backwards ``size`` at a time;
    both readings must agree, and ``after`` with ``before`` must give the items between."""
    variables = variables or {}
    forwards: list[Any] = []
    cursors: list[str] = []
    after = None
    for _ in range(200):
        page = await _page(client, document, connection, {**variables, "first": size, "after": after}, headers)
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert len(page["edges"]) <= size
        forwards += [key(e["node"]) for e in page["edges"]]
        cursors += [e["cursor"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert len(page["edges"]) == size
        after = page["pageInfo"]["endCursor"]
    else:
        raise AssertionError("forward paging does not end")

    backwards: list[Any] = []
    before = None
    for _ in range(200):
        page = await _page(client, document, connection, {**variables, "last": size, "before": before}, headers)
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        assert len(page["edges"]) <= size
        backwards = [key(e["node"]) for e in page["edges"]] + backwards
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        assert len(page["edges"]) == size
        before = page["pageInfo"]["startCursor"]
    else:
        raise AssertionError("backward paging does not end")
    assert backwards == forwards, "forwards and backwards give the same items in the same order"

    if len(forwards) >= 2:
        inner = forwards[1:-1]
        first = max(1, min(100, len(inner)))
        between = await _page(
            client,
            document,
            connection,
            {**variables, "first": first, "after": cursors[0], "before": cursors[-1]},
            headers,
        )
        assert [key(e["node"]) for e in between["edges"]] == inner[:first]
        last_of_between = await _page(
            client,
            document,
            connection,
            {**variables, "last": 1, "after": cursors[0], "before": cursors[-1]},
            headers,
        )
        assert [key(e["node"]) for e in last_of_between["edges"]] == inner[-1:]
    return forwards


async def refuses_cursor(
    client: httpx.AsyncClient,
    document: str,
    cursor: str,
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> None:
    """A cursor this list did not issue (another list's) is INVALID_INPUT naming ``after``, and ``before``."""
    for field, paging in (("after", {"first": 2, "after": cursor}), ("before", {"last": 2, "before": cursor})):
        body = await gql(client, document, {**(variables or {}), **paging}, headers=headers)
        assert error_codes(body) == ["INVALID_INPUT"], body
        assert body["errors"][0]["extensions"]["field"] == field, body

"""Relay pagination both ways, checked through the API for every list of the marketplace (a foreign cursor:
``tests.both_ways.refuses_cursor``).

A list's document takes ``$first``, ``$after``, ``$last`` and ``$before`` (and its own variables) and selects
``edges { cursor node { id ... } }`` and ``pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`` at
``path`` under ``data``."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import gql

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"


def connection(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    found = body["data"]
    for name in path:
        found = found[name]
    return found


async def _page(client, document, path, variables, headers) -> dict[str, Any]:
    return connection(await gql(client, document, variables, headers=headers), path)


async def both_ways(
    client: httpx.AsyncClient,
    document: str,
    path: tuple[str, ...],
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    size: int = 2,
) -> list[dict[str, Any]]:
    """Page forwards with ``first: size`` to the end and backwards with ``last: size`` from the end: both give the
    same items (and cursors) in the same display order; ``after`` and ``before`` together give the items between,
    forwards and backwards. Returns the nodes in display order."""
    given = variables or {}
    forwards: list[tuple[str, dict[str, Any]]] = []
    after = None
    for _ in range(100):
        page = await _page(client, document, path, {**given, "first": size, "after": after}, headers)
        assert len(page["edges"]) <= size
        forwards += [(e["cursor"], e["node"]) for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backwards: list[tuple[str, dict[str, Any]]] = []
    before = None
    for _ in range(100):
        page = await _page(client, document, path, {**given, "last": size, "before": before}, headers)
        assert len(page["edges"]) <= size
        backwards = [(e["cursor"], e["node"]) for e in page["edges"]] + backwards
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert [n["id"] for _, n in backwards] == [n["id"] for _, n in forwards]
    assert [c for c, _ in backwards] == [c for c, _ in forwards]
    if len(forwards) >= 3:
        bounds = {"after": forwards[0][0], "before": forwards[-1][0]}
        between = [n["id"] for _, n in forwards[1:-1]]
        for direction in ({"first": 100}, {"last": 100}):
            page = await _page(client, document, path, {**given, **direction, **bounds}, headers)
            assert [e["node"]["id"] for e in page["edges"]] == between, direction
    return [node for _, node in forwards]


async def first_cursor(
    client: httpx.AsyncClient,
    document: str,
    path: tuple[str, ...],
    variables: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> str:
    """The cursor of the first item of a list (which must not be empty)."""
    page = await _page(client, document, path, {**(variables or {}), "first": 1}, headers)
    assert page["edges"], "an empty list has no cursor"
    return page["edges"][0]["cursor"]

"""Walking a Relay connection both ways through the API, as a client app pages a list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

Fetch = Callable[..., Awaitable[dict[str, Any]]]


async def forwards(fetch: Fetch, size: int = 2) -> list[dict[str, Any]]:
    """Every edge, paging with ``first: size`` from the start to the end."""
    edges: list[dict[str, Any]] = []
    after = None
    while True:
        page = await fetch(first=size, after=after)
        assert len(page["edges"]) <= size
        edges += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            return edges
        after = page["pageInfo"]["endCursor"]


async def backwards(fetch: Fetch, size: int = 2) -> list[dict[str, Any]]:
    """Every edge in display order, paging with ``last: size`` from the end to the start."""
    edges: list[dict[str, Any]] = []
    before = None
    while True:
        page = await fetch(last=size, before=before)
        assert len(page["edges"]) <= size
        edges = page["edges"] + edges
        if not page["pageInfo"]["hasPreviousPage"]:
            return edges
        before = page["pageInfo"]["startCursor"]


async def assert_pages_both_ways(fetch: Fetch, expected: list[Any], key: Callable[[dict[str, Any]], Any]) -> None:
    """Forwards with ``first: 2`` and backwards with ``last: 2`` give ``expected`` (keys of the nodes, in display
    order); ``after`` + ``before`` together give the items between, either way."""
    ahead = await forwards(fetch)
    assert [key(e["node"]) for e in ahead] == expected
    behind = await backwards(fetch)
    assert [key(e["node"]) for e in behind] == expected
    assert [e["cursor"] for e in behind] == [e["cursor"] for e in ahead]
    if len(ahead) >= 4:
        between = {"after": ahead[0]["cursor"], "before": ahead[3]["cursor"]}
        for size in ({"first": 10}, {"last": 10}):
            page = await fetch(**size, **between)
            assert [key(e["node"]) for e in page["edges"]] == expected[1:3], size

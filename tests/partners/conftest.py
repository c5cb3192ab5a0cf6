"""Fixtures of the partner-platform tests."""

from __future__ import annotations

import pytest

from api.graphql_view import GraphQLView


@pytest.fixture
def contexts(monkeypatch) -> list:
    """The RequestContext of each /graphql request of the test (to read its ReadSet after the answer)."""
    seen: list = []
    original = GraphQLView.get_context

    async def capturing(self, request, response):
        context = await original(self, request, response)
        seen.append(context)
        return context

    monkeypatch.setattr(GraphQLView, "get_context", capturing)
    return seen

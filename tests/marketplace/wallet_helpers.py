"""Money helpers for marketplace tests: fill a wallet through the public API (walletTopUp)."""

from __future__ import annotations

import uuid

import httpx

from tests.identity.people import Someone
from tests.support import gql

TOP_UP = """
mutation TopUp($input: WalletTopUpInput!) {
  walletTopUp(input: $input) {
    wallet { balanceDong }
    entry { id kind amountDong balanceAfterDong }
    errors { code field message }
  }
}
"""

MY_BALANCE = """
query Balance($org: ID) { myWallet(asOrganization: $org) { balanceDong } }
"""


async def top_up(
    client: httpx.AsyncClient, someone: Someone, amount: int, *, as_organization: str | None = None
) -> int:
    """Top up ``someone``'s wallet (or the organisation's they own/administer, by global id) by ``amount`` đồng
    through the simulated provider; returns the new balance. ``someone`` must be verified (level 2)."""
    body = await gql(
        client,
        TOP_UP,
        {"input": {"amountDong": amount, "idempotencyKey": f"test-{uuid.uuid4()}", "asOrganization": as_organization}},
        headers=someone.auth,
    )
    assert "errors" not in body, body["errors"]
    result = body["data"]["walletTopUp"]
    assert result["errors"] == [], result["errors"]
    return result["wallet"]["balanceDong"]


async def balance_of(client: httpx.AsyncClient, someone: Someone, *, as_organization: str | None = None) -> int:
    body = await gql(client, MY_BALANCE, {"org": as_organization}, headers=someone.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["myWallet"]["balanceDong"]

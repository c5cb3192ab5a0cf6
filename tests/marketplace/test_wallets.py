"""Wallets through the API: top-ups, payouts, idempotency keys, statements, organisations and the ledger totals."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid

from graph.driver import run
from marketplace.payments import PaymentProviderError, ProviderReceipt
from tests.both_ways import refuses_cursor
from tests.identity.people import make_officer, make_verified, register, uuid_of
from tests.marketplace import paging
from tests.marketplace.paging import PAGE_INFO
from tests.marketplace.wallet_helpers import TOP_UP, balance_of, top_up
from tests.support import error_codes, gql, raw_cursor

PAYOUT = """
mutation Payout($input: WalletPayoutInput!) {
  walletPayout(input: $input) {
    wallet { balanceDong }
    entry { id kind amountDong balanceAfterDong counterparty }
    payoutStatus
    errors { code field message }
  }
}
"""

STATEMENT = f"""
query Statement($org: ID, $first: Int, $after: String, $last: Int, $before: String) {{
  walletStatement(asOrganization: $org, first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    {PAGE_INFO}
    edges {{ cursor node {{ id kind amountDong balanceAfterDong at memo counterparty }} }}
  }}
}}
"""

WALLET = """
query Wallet($org: ID) { myWallet(asOrganization: $org) { id balanceDong currency updatedAt owner { id } } }
"""

TOTALS = "query { ledgerTotals { walletsDong escrowDong providerDong balanced entryCount } }"

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on LedgerEntry { amountDong }
    ... on Wallet { balanceDong }
  }
}
"""

ORG_REGISTER = """
mutation Org($input: OrganizationRegisterInput!) {
  organizationRegister(input: $input) { organization { id } errors { code message } }
}
"""

_phones = itertools.count(1)
_tax = itertools.count(1_234_567)


def phone() -> str:
    return f"0914{next(_phones):06d}"


async def people(app, client, n: int):
    officer = await make_officer(app, client, phone=phone())
    verified = [await make_verified(app, client, officer, phone=phone()) for _ in range(n)]
    return officer, verified


def key() -> str:
    return f"k-{uuid.uuid4()}"


async def topup_call(client, someone, amount, idem, org=None):
    body = await gql(
        client,
        TOP_UP,
        {"input": {"amountDong": amount, "idempotencyKey": idem, "asOrganization": org}},
        headers=someone.auth,
    )
    return body


async def payout_call(client, someone, amount, idem, org=None):
    body = await gql(
        client,
        PAYOUT,
        {"input": {"amountDong": amount, "idempotencyKey": idem, "asOrganization": org}},
        headers=someone.auth,
    )
    return body


async def statement(client, someone, first=100, after=None, org=None):
    body = await gql(client, STATEMENT, {"org": org, "first": first, "after": after}, headers=someone.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["walletStatement"]


async def totals(client, officer):
    body = await gql(client, TOTALS, headers=officer.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["ledgerTotals"]


async def test_top_up_and_balance(app, client):
    officer, (an,) = await people(app, client, 1)
    body = await gql(client, WALLET, headers=an.auth)
    assert body["data"]["myWallet"]["balanceDong"] == 0 and body["data"]["myWallet"]["currency"] == "VND"
    assert await top_up(client, an, 150_000) == 150_000
    assert await top_up(client, an, 2_500_000) == 2_650_000
    wallet = (await gql(client, WALLET, headers=an.auth))["data"]["myWallet"]
    assert wallet["balanceDong"] == 2_650_000 and wallet["owner"]["id"] == an.id and wallet["updatedAt"]
    assert await totals(client, officer) == {
        "walletsDong": 2_650_000,
        "escrowDong": 0,
        "providerDong": -2_650_000,
        "balanced": True,
        "entryCount": 2,
    }
    for amount in (999, 500_000_001, 0, -5):
        result = (await topup_call(client, an, amount, key()))["data"]["walletTopUp"]
        assert [(e["code"], e["field"]) for e in result["errors"]] == [("INVALID_INPUT", ["input", "amountDong"])]
    refused = await gql(client, TOP_UP, {"input": {"amountDong": 1.5, "idempotencyKey": key()}}, headers=an.auth)
    assert error_codes(refused) == ["GRAPHQL_VALIDATION_FAILED"]
    bad_key = (await topup_call(client, an, 5_000, "short"))["data"]["walletTopUp"]
    assert [(e["code"], e["field"]) for e in bad_key["errors"]] == [("INVALID_INPUT", ["input", "idempotencyKey"])]
    both = (await topup_call(client, an, 999, "short"))["data"]["walletTopUp"]
    assert [(e["code"], e["field"]) for e in both["errors"]] == [
        ("INVALID_INPUT", ["input", "amountDong"]),
        ("INVALID_INPUT", ["input", "idempotencyKey"]),
    ]
    assert await balance_of(client, an) == 2_650_000


async def test_ledger_totals_are_for_officers_only(app, client):
    someone = await register(client, phone=phone())
    assert error_codes(await gql(client, TOTALS, headers=someone.auth)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, TOTALS)) == ["UNAUTHENTICATED"]


async def test_level_0_person_cannot_top_up_or_pay_out(client):
    someone = await register(client, phone=phone())
    body = await topup_call(client, someone, 10_000, key())
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["extensions"]["requiredLevel"] == 2
    assert error_codes(await payout_call(client, someone, 10_000, key())) == ["FORBIDDEN"]
    assert (await gql(client, WALLET, headers=someone.auth))["data"]["myWallet"]["balanceDong"] == 0
    assert error_codes(await gql(client, WALLET)) == ["UNAUTHENTICATED"]


async def test_statement_running_balance_across_pages(app, client):
    _, (an,) = await people(app, client, 1)
    amounts = [10_000, 25_000, 7_000, 1_000, 40_000]
    for amount in amounts:
        await top_up(client, an, amount)
    assert (await payout_call(client, an, 30_000, key()))["data"]["walletPayout"]["payoutStatus"] == "PAID"
    assert (await payout_call(client, an, 3_000, key()))["data"]["walletPayout"]["errors"] == []
    nodes, after = [], None
    while True:
        page = await statement(client, an, first=3, after=after)
        assert page["totalCount"] == 7
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(nodes) == 7
    assert [n["kind"] for n in nodes] == ["PAYOUT", "PAYOUT"] + ["TOPUP"] * 5
    assert [n["amountDong"] for n in nodes] == [-3_000, -30_000, 40_000, 1_000, 7_000, 25_000, 10_000]
    oldest_first = list(reversed(nodes))
    running = 0
    for entry in oldest_first:
        running += entry["amountDong"]
        assert entry["balanceAfterDong"] == running
    assert running == await balance_of(client, an) == 50_000
    assert {n["counterparty"] for n in nodes} == {"Payment provider"}
    for cursor in ("not-a-cursor", raw_cursor(["2026-01-01T00:00:00Z", "x"]), raw_cursor([True])):
        bad = await gql(client, STATEMENT, {"first": 2, "after": cursor}, headers=an.auth)
        assert error_codes(bad) == ["INVALID_INPUT"], bad
    both_ways = await paging.both_ways(client, STATEMENT, ("walletStatement",), headers=an.auth)
    assert [n["id"] for n in both_ways] == [n["id"] for n in nodes]
    assert [
        n["amountDong"]
        for n in (await paging.both_ways(client, STATEMENT, ("walletStatement",), headers=an.auth, size=3))
    ] == [n["amountDong"] for n in nodes]


async def test_payout_with_insufficient_funds_writes_nothing(app, client, graph):
    officer, (an,) = await people(app, client, 1)
    await top_up(client, an, 20_000)
    before = await totals(client, officer)
    result = (await payout_call(client, an, 20_001, key()))["data"]["walletPayout"]
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("INSUFFICIENT_FUNDS", ["input", "amountDong"])]
    assert result["wallet"] is None and result["entry"] is None
    assert await balance_of(client, an) == 20_000
    assert (await statement(client, an))["totalCount"] == 1
    assert await totals(client, officer) == before
    count = await graph.read(lambda tx: run(tx, "MATCH (p:Payout) RETURN count(p) AS n"))
    assert count[0]["n"] == 0
    ok = (await payout_call(client, an, 20_000, key()))["data"]["walletPayout"]
    assert ok["errors"] == [] and ok["wallet"]["balanceDong"] == 0 and ok["payoutStatus"] == "PAID"
    assert ok["entry"]["amountDong"] == -20_000 and ok["entry"]["kind"] == "PAYOUT"


async def test_same_key_same_input_has_one_effect(app, client):
    officer, (an,) = await people(app, client, 1)
    idem = key()
    first = (await topup_call(client, an, 70_000, idem))["data"]["walletTopUp"]
    second = (await topup_call(client, an, 70_000, idem))["data"]["walletTopUp"]
    assert first["errors"] == [] and second["entry"]["id"] == first["entry"]["id"]
    assert await balance_of(client, an) == 70_000
    provider = app.state.runtime.payments
    collected = len(provider.collected)
    await topup_call(client, an, 70_000, idem)
    assert len(provider.collected) == collected, "a repeated key does not call the provider again"

    parallel = key()
    bodies = await asyncio.gather(*(topup_call(client, an, 5_000, parallel) for _ in range(20)))
    ids = {b["data"]["walletTopUp"]["entry"]["id"] for b in bodies}
    assert len(ids) == 1 and all(b["data"]["walletTopUp"]["errors"] == [] for b in bodies)
    assert await balance_of(client, an) == 75_000

    pay_key = key()
    payouts = await asyncio.gather(*(payout_call(client, an, 10_000, pay_key) for _ in range(20)))
    assert len({p["data"]["walletPayout"]["entry"]["id"] for p in payouts}) == 1
    assert await balance_of(client, an) == 65_000
    assert (await totals(client, officer))["entryCount"] == 3


async def test_same_key_different_input_is_a_conflict_and_keys_are_per_owner(app, client):
    _, (an, binh) = await people(app, client, 2)
    idem = key()
    await topup_call(client, an, 10_000, idem)
    conflict = (await topup_call(client, an, 11_000, idem))["data"]["walletTopUp"]
    assert [(e["code"], e["field"]) for e in conflict["errors"]] == [("CONFLICT", ["input", "idempotencyKey"])]
    other_operation = (await payout_call(client, an, 10_000, idem))["data"]["walletPayout"]
    assert [e["code"] for e in other_operation["errors"]] == ["CONFLICT"]
    theirs = (await topup_call(client, binh, 11_000, idem))["data"]["walletTopUp"]
    assert theirs["errors"] == [] and theirs["wallet"]["balanceDong"] == 11_000
    assert await balance_of(client, an) == 10_000


async def test_organisation_wallet_through_its_owner_only(app, client):
    officer, (owner, stranger) = await people(app, client, 2)
    body = await gql(
        client,
        ORG_REGISTER,
        {"input": {"name": "Công ty TNHH Ví Hồ Tây", "kind": "BUSINESS", "taxCode": f"0{next(_tax):09d}"}},
        headers=owner.auth,
    )
    org = body["data"]["organizationRegister"]["organization"]["id"]
    assert await top_up(client, owner, 300_000, as_organization=org) == 300_000
    assert await balance_of(client, owner) == 0
    paid = (await payout_call(client, owner, 100_000, key(), org))["data"]["walletPayout"]
    assert paid["errors"] == [] and paid["wallet"]["balanceDong"] == 200_000
    page = await statement(client, owner, org=org)
    assert [e["node"]["amountDong"] for e in page["edges"]] == [-100_000, 300_000]
    # The organisation's statement and the owner's are two lists: a cursor of one is refused by the other.
    await top_up(client, owner, 20_000)
    theirs = await paging.first_cursor(client, STATEMENT, ("walletStatement",), {"org": org}, headers=owner.auth)
    await refuses_cursor(client, STATEMENT, theirs, headers=owner.auth)
    mine = await paging.first_cursor(client, STATEMENT, ("walletStatement",), headers=owner.auth)
    await refuses_cursor(client, STATEMENT, mine, {"org": org}, headers=owner.auth)
    wallet = (await gql(client, WALLET, {"org": org}, headers=owner.auth))["data"]["myWallet"]
    assert wallet["owner"]["id"] == org
    assert error_codes(await topup_call(client, stranger, 10_000, key(), org)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, WALLET, {"org": org}, headers=stranger.auth)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, STATEMENT, {"org": org}, headers=stranger.auth)) == ["FORBIDDEN"]
    assert (await gql(client, NODE, {"id": wallet["id"]}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": wallet["id"]}, headers=owner.auth))["data"]["node"]["balanceDong"] == 200_000
    entry_id = page["edges"][0]["node"]["id"]
    assert (await gql(client, NODE, {"id": entry_id}, headers=stranger.auth))["data"]["node"] is None
    assert (await gql(client, NODE, {"id": entry_id}, headers=owner.auth))["data"]["node"]["amountDong"] == -100_000
    assert (await totals(client, officer))["balanced"] is True


async def test_statements_and_wallets_are_not_visible_to_others(app, client):
    _, (an, binh) = await people(app, client, 2)
    await top_up(client, an, 50_000)
    entry = (await statement(client, an))["edges"][0]["node"]
    wallet = (await gql(client, WALLET, headers=an.auth))["data"]["myWallet"]
    for viewer in (binh.auth, None):
        assert (await gql(client, NODE, {"id": entry["id"]}, headers=viewer))["data"]["node"] is None
        assert (await gql(client, NODE, {"id": wallet["id"]}, headers=viewer))["data"]["node"] is None
    mine = (await gql(client, NODE, {"id": entry["id"]}, headers=an.auth))["data"]["node"]
    assert mine == {"id": entry["id"], "amountDong": 50_000}
    assert (await statement(client, binh))["edges"] == []


class FailingProvider:
    """A provider whose disbursements fail (bank account closed)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        return await self.inner.collect(actor_id, amount, reference)

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        raise PaymentProviderError("beneficiary account closed")


class DecliningProvider:
    """A provider that refuses to collect (card declined)."""

    async def collect(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        raise PaymentProviderError("card declined")

    async def disburse(self, actor_id: str, amount: int, reference: str) -> ProviderReceipt:
        raise AssertionError("not called")


async def test_a_declined_top_up_records_nothing(app, client, monkeypatch):
    officer, (an,) = await people(app, client, 1)
    monkeypatch.setattr(app.state.runtime, "payments", DecliningProvider())
    idem = key()
    result = (await topup_call(client, an, 10_000, idem))["data"]["walletTopUp"]
    # The card was declined, not the amount: the error names no field.
    assert [(e["code"], e["field"]) for e in result["errors"]] == [("PAYMENT_DECLINED", None)]
    assert await balance_of(client, an) == 0
    assert (await totals(client, officer))["entryCount"] == 0
    monkeypatch.undo()
    retried = (await topup_call(client, an, 10_000, idem))["data"]["walletTopUp"]
    assert retried["errors"] == [] and retried["wallet"]["balanceDong"] == 10_000


async def test_a_payout_the_provider_fails_is_reversed(app, client, monkeypatch):
    officer, (an,) = await people(app, client, 1)
    await top_up(client, an, 80_000)
    runtime = app.state.runtime
    monkeypatch.setattr(runtime, "payments", FailingProvider(runtime.payments))
    result = (await payout_call(client, an, 50_000, key()))["data"]["walletPayout"]
    assert result["errors"] == [] and result["payoutStatus"] == "FAILED"
    assert result["wallet"]["balanceDong"] == 80_000
    nodes = [e["node"] for e in (await statement(client, an))["edges"]]
    assert [(n["kind"], n["amountDong"], n["balanceAfterDong"]) for n in nodes] == [
        ("REVERSAL", 50_000, 80_000),
        ("PAYOUT", -50_000, 30_000),
        ("TOPUP", 80_000, 80_000),
    ]
    assert (await totals(client, officer))["balanced"] is True


async def test_burst_of_parallel_top_ups_and_payouts_keeps_the_ledger_balanced(app, client):
    officer, crowd = await people(app, client, 4)
    for someone in crowd:
        await top_up(client, someone, 100_000)
    rng = random.Random(2026)
    keys = [
        (rng.choice(crowd), key(), rng.choice(["in", "out"]), rng.randrange(1_000, 90_000, 1_000)) for _ in range(40)
    ]
    calls = [rng.choice(keys) for _ in range(100)]  # 40 distinct requests, many repeated

    async def call(someone, idem, direction, amount):
        if direction == "in":
            return (await topup_call(client, someone, amount, idem))["data"]["walletTopUp"]
        return (await payout_call(client, someone, amount, idem))["data"]["walletPayout"]

    started = time.perf_counter()
    results = await asyncio.gather(*(call(*c) for c in calls))
    elapsed = time.perf_counter() - started
    by_key: dict[str, set] = {}
    for (_, idem, _, _), result in zip(calls, results, strict=False):
        assert all(e["code"] == "INSUFFICIENT_FUNDS" for e in result["errors"]), result["errors"]
        by_key.setdefault(idem, set()).add(result["entry"]["id"] if result["entry"] else None)
    # A key refused for INSUFFICIENT_FUNDS is not stored, so a later repeat of it may succeed: still one effect.
    effects = {idem for idem, ids in by_key.items() if ids - {None}}
    assert all(len(ids - {None}) <= 1 for ids in by_key.values()), "each key has at most one effect"
    state = await totals(client, officer)
    assert state["balanced"] is True
    assert state["entryCount"] == len(crowd) + len(effects)
    total = 0
    for someone in crowd:
        balance = await balance_of(client, someone)
        assert balance >= 0
        total += balance
    assert total == state["walletsDong"] == -state["providerDong"]
    print(f"burst: 100 parallel requests in {elapsed:.2f} s")
    assert elapsed < 30


async def test_anonymous_cannot_move_money(client):
    assert error_codes(await gql(client, TOP_UP, {"input": {"amountDong": 1_000, "idempotencyKey": key()}})) == [
        "UNAUTHENTICATED"
    ]
    assert error_codes(await gql(client, PAYOUT, {"input": {"amountDong": 1_000, "idempotencyKey": key()}})) == [
        "UNAUTHENTICATED"
    ]


async def test_a_lock_timeout_is_retryable_and_the_retry_has_one_effect(app, client, graph, monkeypatch):
    # Another transaction holds the wallet's lock longer than the transaction timeout: the top-up must come back as
    # UNAVAILABLE with a retry time (it was INTERNAL), and the retry with the same key credit it once.
    officer, (an,) = await people(app, client, 1)
    await top_up(client, an, 10_000)
    monkeypatch.setattr(app.state.graph, "tx_timeout", 1.0)
    async with graph.driver.session(database=graph.database) as session:
        holder = await session.begin_transaction()
        await holder.run("MATCH (w:Wallet {id: $id}) SET w.heldByTest = true", id="actor:" + uuid_of(an.id))
        idem = key()
        body = await topup_call(client, an, 25_000, idem)
        await holder.rollback()
    assert error_codes(body) == ["UNAVAILABLE"], body
    assert body["errors"][0]["extensions"]["retryAfterSeconds"] >= 1
    assert "Traceback" not in str(body)
    retried = (await topup_call(client, an, 25_000, idem))["data"]["walletTopUp"]
    assert retried["errors"] == [] and retried["wallet"]["balanceDong"] == 35_000
    again = (await topup_call(client, an, 25_000, idem))["data"]["walletTopUp"]
    assert again["entry"]["id"] == retried["entry"]["id"]
    assert await balance_of(client, an) == 35_000
    assert (await totals(client, officer))["entryCount"] == 2


async def test_wallet_messages_in_vietnamese(app, client):
    _, (an,) = await people(app, client, 1)
    await top_up(client, an, 20_000)
    body = await gql(
        client,
        PAYOUT,
        {"input": {"amountDong": 30_000, "idempotencyKey": key()}},
        headers={**an.auth, "Accept-Language": "vi"},
    )
    (error,) = body["data"]["walletPayout"]["errors"]
    assert (error["code"], error["field"]) == ("INSUFFICIENT_FUNDS", ["input", "amountDong"])
    assert error["message"] == "Ví chỉ còn 20,000 đồng, ít hơn số 30,000 đồng cần thiết."

"""Outside money across crashes: intent first, provider call, settlement; reconciliation settles or fails what a
crash (or a lost provider answer) left pending, exactly once; officers list what is stuck; idempotency keys expire
after their retention and are purged in batches. Everything through the API, except the reconciliation pass,
called as the background job and the CLI call it."""

from __future__ import annotations

import asyncio
import os
from contextlib import ExitStack

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.app import create_app, reconcile_money
from core.errors import UnavailableError
from core.settings import REPO_ROOT
from graph import ledger as queries
from graph.driver import run
from marketplace import idempotency, reconciliation
from marketplace.payments import PaymentProviderError, SimulatedProvider
from tests.both_ways import refuses_cursor
from tests.identity.people import make_officer, make_verified
from tests.marketplace import paging
from tests.marketplace.paging import PAGE_INFO
from tests.marketplace.test_wallets import STATEMENT, TOTALS, key, payout_call, phone, topup_call
from tests.marketplace.wallet_helpers import balance_of, top_up
from tests.support import error_codes, gql, settings_changed

STUCK = f"""
query Stuck($first: Int, $after: String, $last: Int, $before: String) {{
  stuckPayments(first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    {PAGE_INFO}
    edges {{ cursor node {{ id kind status amountDong reference createdAt owner {{ id }} }} }}
  }}
}}
"""

KEYS = "MATCH (k:IdempotencyKey) RETURN count(k) AS n"


@pytest.fixture
def settings_of(app):
    """Change the running app's settings for one test (``settings_changed`` until the test ends); the app's own
    periodic pass is paused meanwhile, so the test's calls are the only reconciliation."""
    with ExitStack() as changes:

        def change(**update):
            changes.enter_context(settings_changed(app, **{"payment_reconcile_interval_seconds": 0, **update}))

        yield change


@pytest.fixture
def provider(app, monkeypatch) -> SimulatedProvider:
    """A fresh simulated provider for this test (so counts start at zero)."""
    fresh = SimulatedProvider()
    monkeypatch.setattr(app.state.runtime, "payments", fresh)
    return fresh


async def people(app, client, n):
    officer = await make_officer(app, client, phone=phone())
    return officer, [await make_verified(app, client, officer, phone=phone()) for _ in range(n)]


async def stuck(client, officer, **variables) -> dict:
    body = await gql(client, STUCK, variables, headers=officer.auth)
    assert "errors" not in body, body["errors"]
    return body["data"]["stuckPayments"]


async def totals(client, officer) -> dict:
    return (await gql(client, TOTALS, headers=officer.auth))["data"]["ledgerTotals"]


async def test_a_top_up_whose_answer_was_lost_is_settled_exactly_once(app, client, provider, settings_of):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1  # the provider collects, then the answer never reaches us (a crash, a timeout)
    idem = key()
    body = await topup_call(client, an, 120_000, idem)
    assert error_codes(body) == ["UNAVAILABLE"], body
    assert body["errors"][0]["extensions"]["retryAfterSeconds"] >= 1
    assert len(provider.collected) == 1 and await balance_of(client, an) == 0
    # Recorded as pending before the provider was called; officers see it once it is older than the threshold.
    assert (await stuck(client, officer))["totalCount"] == 0
    settings_of(payment_reconcile_after_seconds=0)
    listed = await stuck(client, officer)
    assert listed["totalCount"] == 1
    node = listed["edges"][0]["node"]
    assert (node["kind"], node["status"], node["amountDong"], node["owner"]["id"]) == (
        "TOPUP",
        "pending",
        120_000,
        an.id,
    )
    # Five reconciliation passes and the client's own retry, all at once: the money arrives once.
    rt = app.state.runtime
    results = await asyncio.gather(
        *(reconciliation.reconcile(rt) for _ in range(5)), topup_call(client, an, 120_000, idem)
    )
    reports, retried = results[:5], results[5]["data"]["walletTopUp"]
    assert sum(r.settled for r in reports) <= 1, "settled once: by a pass or by the retry"
    assert retried["errors"] == [] and retried["wallet"]["balanceDong"] == 120_000
    assert await balance_of(client, an) == 120_000
    assert len(provider.collected) == 1, "the provider moved the money once"
    assert (await totals(client, officer))["entryCount"] == 1
    assert (await stuck(client, officer))["totalCount"] == 0
    again = (await topup_call(client, an, 120_000, idem))["data"]["walletTopUp"]
    assert again["entry"]["id"] == retried["entry"]["id"]
    assert (await totals(client, officer))["balanced"] is True


async def test_reconciliation_alone_settles_a_lost_top_up(app, client, provider, settings_of):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    idem = key()
    assert error_codes(await topup_call(client, an, 50_000, idem)) == ["UNAVAILABLE"]
    settings_of(payment_reconcile_after_seconds=0)
    report = await reconciliation.reconcile(app.state.runtime)
    assert (report.settled, report.failed, report.pending) == (1, 0, 0)
    assert (await reconciliation.reconcile(app.state.runtime)).settled == 0, "nothing left to settle"
    assert await balance_of(client, an) == 50_000
    replay = (await topup_call(client, an, 50_000, idem))["data"]["walletTopUp"]
    assert replay["errors"] == [] and replay["wallet"]["balanceDong"] == 50_000
    assert len(provider.collected) == 1 and (await totals(client, officer))["entryCount"] == 1


async def test_a_top_up_the_provider_never_received_is_failed_and_its_key_freed(
    app, client, provider, settings_of, monkeypatch
):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    idem = key()
    assert error_codes(await topup_call(client, an, 30_000, idem)) == ["UNAVAILABLE"]
    forgetful = SimulatedProvider()  # as after a crash before the call: the provider knows no such transfer
    monkeypatch.setattr(app.state.runtime, "payments", forgetful)
    settings_of(payment_reconcile_after_seconds=0)
    report = await reconciliation.reconcile(app.state.runtime)
    assert (report.settled, report.failed) == (0, 1)
    assert await balance_of(client, an) == 0 and (await stuck(client, officer))["totalCount"] == 0
    fresh = (await topup_call(client, an, 30_000, idem))["data"]["walletTopUp"]
    assert fresh["errors"] == [] and fresh["wallet"]["balanceDong"] == 30_000
    assert len(forgetful.collected) == 1 and (await totals(client, officer))["balanced"] is True


async def test_a_payout_left_sending_is_settled_once(app, client, provider, settings_of):
    officer, (an,) = await people(app, client, 1)
    await top_up(client, an, 90_000)
    provider.lose_answers = 1  # the provider pays, the answer is lost: the payout stays 'sending'
    idem = key()
    result = (await payout_call(client, an, 40_000, idem))["data"]["walletPayout"]
    assert result["errors"] == [] and result["payoutStatus"] == "SENDING"
    assert result["wallet"]["balanceDong"] == 50_000 and len(provider.disbursed) == 1
    settings_of(payment_reconcile_after_seconds=0)
    (node,) = [e["node"] for e in (await stuck(client, officer))["edges"]]
    assert (node["kind"], node["status"], node["amountDong"]) == ("PAYOUT", "sending", 40_000)
    reports = await asyncio.gather(*(reconciliation.reconcile(app.state.runtime) for _ in range(5)))
    assert sum(r.settled for r in reports) == 1 and sum(r.failed for r in reports) == 0
    assert len(provider.disbursed) == 1, "paid once, not sent again"
    replay = (await payout_call(client, an, 40_000, idem))["data"]["walletPayout"]
    assert replay["payoutStatus"] == "PAID" and replay["wallet"]["balanceDong"] == 50_000
    kinds = [
        e["node"]["kind"]
        for e in (await gql(client, STATEMENT, {}, headers=an.auth))["data"]["walletStatement"]["edges"]
    ]
    assert kinds == ["PAYOUT", "TOPUP"], "no reversal"
    assert (await stuck(client, officer))["totalCount"] == 0 and (await totals(client, officer))["balanced"]


async def test_stuck_payments_are_for_officers_and_paged(app, client, provider, settings_of):
    officer, (an, binh) = await people(app, client, 2)
    await top_up(client, binh, 10_000)
    provider.lose_answers = 3
    for amount in (11_000, 12_000):
        assert error_codes(await topup_call(client, an, amount, key())) == ["UNAVAILABLE"]
    assert (await payout_call(client, binh, 5_000, key()))["data"]["walletPayout"]["payoutStatus"] == "SENDING"
    settings_of(payment_reconcile_after_seconds=0)
    first = await stuck(client, officer, first=2)
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = await stuck(client, officer, first=2, after=first["pageInfo"]["endCursor"])
    assert rest["pageInfo"]["hasNextPage"] is False
    nodes = [e["node"] for e in first["edges"] + rest["edges"]]
    assert [n["amountDong"] for n in nodes] == [11_000, 12_000, 5_000], "oldest first"
    assert len({n["id"] for n in nodes}) == 3
    both_ways = await paging.both_ways(client, STUCK, ("stuckPayments",), headers=officer.auth)
    assert [n["id"] for n in both_ways] == [n["id"] for n in nodes]
    statement = await paging.first_cursor(client, STATEMENT, ("walletStatement",), headers=binh.auth)
    await refuses_cursor(client, STUCK, statement, headers=officer.auth)
    assert error_codes(await gql(client, STUCK, {}, headers=an.auth)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, STUCK, {})) == ["UNAUTHENTICATED"]


async def test_the_api_reconciles_in_the_background(test_settings, graph):
    settings = test_settings.model_copy(
        update={"payment_reconcile_after_seconds": 0, "payment_reconcile_interval_seconds": 0.2}
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            officer, (an,) = await people(app, client, 1)
            app.state.runtime.payments.lose_answers = 1
            assert error_codes(await topup_call(client, an, 70_000, key())) == ["UNAVAILABLE"]
            for _ in range(100):
                if await balance_of(client, an) == 70_000:
                    break
                await asyncio.sleep(0.1)
            assert await balance_of(client, an) == 70_000
            assert (await totals(client, officer))["entryCount"] == 1


async def test_the_reconcile_command(app, client, provider, test_settings):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    idem = key()
    assert error_codes(await topup_call(client, an, 20_000, idem)) == ["UNAVAILABLE"]
    # A separate process: its simulated provider never heard of the top-up, so the command fails it.
    env = {
        **os.environ,
        "NEO4J_URI": test_settings.neo4j_uri,
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value(),
        "HANOISMART_ENVIRONMENT": "test",
        "HANOISMART_VAR_DIR": str(test_settings.var_dir),
        "HANOISMART_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        str(REPO_ROOT / ".venv" / "bin" / "hanoismart"),
        "reconcile",
        "--older-than",
        "0",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    assert "settled 0, failed 1, still pending 0" in out.decode(), out.decode()
    retried = (await topup_call(client, an, 20_000, idem))["data"]["walletTopUp"]
    assert retried["errors"] == [] and retried["wallet"]["balanceDong"] == 20_000


# --- idempotency keys: retention and purge --------------------------------------------------------------------------

#: The retention these tests set. Keys do not wait it out: ``age_keys`` moves their ``createdAt`` back past it,
#: the state a key reaches by waiting (the product compares ``createdAt`` with the database's clock), so a replay
#: right after a call is inside the retention however loaded the machine is.
RETENTION = 60

AGE_KEYS = "MATCH (k:IdempotencyKey) SET k.createdAt = k.createdAt - duration({seconds: $seconds})"


async def age_keys(graph, seconds: float) -> None:
    """Every idempotency key as if ``seconds`` had passed since it was (re)claimed."""
    await graph.write(lambda tx: run(tx, AGE_KEYS, seconds=seconds))


async def test_a_key_reused_after_its_retention_is_a_new_request(app, client, graph, settings_of):
    officer, (an,) = await people(app, client, 1)
    settings_of(idempotency_key_retention_seconds=RETENTION)
    idem = key()
    first = (await topup_call(client, an, 10_000, idem))["data"]["walletTopUp"]
    assert (await topup_call(client, an, 10_000, idem))["data"]["walletTopUp"]["entry"]["id"] == first["entry"]["id"]
    conflict = (await topup_call(client, an, 11_000, idem))["data"]["walletTopUp"]
    assert [e["code"] for e in conflict["errors"]] == ["CONFLICT"]
    await age_keys(graph, RETENTION + 1)
    renewed = (await topup_call(client, an, 11_000, idem))["data"]["walletTopUp"]
    assert renewed["errors"] == [] and renewed["entry"]["id"] != first["entry"]["id"]
    assert renewed["wallet"]["balanceDong"] == 21_000
    # ... and within the new retention it replays again; payouts and orders keys expire the same way.
    again = (await topup_call(client, an, 11_000, idem))["data"]["walletTopUp"]
    assert again["entry"]["id"] == renewed["entry"]["id"]
    pay = key()
    paid = (await payout_call(client, an, 1_000, pay))["data"]["walletPayout"]
    await age_keys(graph, RETENTION + 1)
    paid_again = (await payout_call(client, an, 1_000, pay))["data"]["walletPayout"]
    assert paid_again["errors"] == [] and paid_again["entry"]["id"] != paid["entry"]["id"]
    assert await balance_of(client, an) == 19_000 and (await totals(client, officer))["balanced"] is True


async def test_expired_keys_are_purged_in_batches_but_pending_ones_are_kept(app, client, graph, provider, settings_of):
    _, (an,) = await people(app, client, 1)
    for _ in range(5):
        await top_up(client, an, 1_000)
    provider.lose_answers = 1
    assert error_codes(await topup_call(client, an, 1_000, key())) == ["UNAVAILABLE"]  # its key stays pending
    assert (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 6
    await age_keys(graph, 2)  # past the 1 s retention the purges below are given
    purged = await idempotency.purge_expired(graph, retention_seconds=1, batch=2, max_batches=2)
    assert purged == 4
    assert (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 2
    assert await idempotency.purge_expired(graph, retention_seconds=1, batch=2, max_batches=5) == 1
    assert (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 1, "the pending top-up keeps its key"
    assert await idempotency.purge_expired(graph, retention_seconds=3600, batch=2, max_batches=5) == 0


async def test_the_background_job_purges_expired_keys(test_settings, graph):
    settings = test_settings.model_copy(
        update={"idempotency_key_retention_seconds": 1, "payment_reconcile_interval_seconds": 0.2}
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            _, (an,) = await people(app, client, 1)
            await top_up(client, an, 1_000)
            await age_keys(graph, 2)  # past the 1 s retention: the next background pass purges it
            for _ in range(50):
                if (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 0:
                    break
                await asyncio.sleep(0.1)
            assert (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 0


# --- the provider misbehaving: racing answers, hanging, refusing lookups --------------------------------------------


class GatedProvider(SimulatedProvider):
    """Collections wait at a gate before they reach the provider: a test orders them against a reconciliation."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.gate = asyncio.Event(), asyncio.Event()

    async def collect(self, actor_id: str, amount: int, reference: str):
        self.entered.set()
        await self.gate.wait()
        return await super().collect(actor_id, amount, reference)


TOPUP_STATE = "MATCH (t:TopUp) RETURN t.status AS status, t.settledAfterFailure AS late, t.failure AS failure"


async def test_a_top_up_failed_by_reconciliation_but_collected_by_a_racing_retry_is_credited(
    app, client, graph, provider, settings_of, monkeypatch
):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    idem = key()
    assert error_codes(await topup_call(client, an, 40_000, idem)) == ["UNAVAILABLE"]
    gated = GatedProvider()  # as when the first call never reached the provider: it has no record of the top-up
    monkeypatch.setattr(app.state.runtime, "payments", gated)
    settings_of(payment_reconcile_after_seconds=0)
    retry = asyncio.create_task(topup_call(client, an, 40_000, idem))  # reads the top-up pending, calls the provider
    await asyncio.wait_for(gated.entered.wait(), 30)
    report = await reconciliation.reconcile(
        app.state.runtime
    )  # the provider has no record yet: the pass fails the top-up
    assert (report.settled, report.failed) == (0, 1)
    gated.gate.set()  # now the retry's call reaches the provider, which takes the money
    result = (await retry)["data"]["walletTopUp"]
    assert result["errors"] == [] and result["wallet"]["balanceDong"] == 40_000, result
    assert len(gated.collected) == 1 and await balance_of(client, an) == 40_000
    assert (await totals(client, officer))["entryCount"] == 1 and (await totals(client, officer))["balanced"]
    (state,) = await graph.read(lambda tx: run(tx, TOPUP_STATE))
    assert (state["status"], state["late"]) == ("settled", True) and state["failure"], "recorded for officers"
    assert (await stuck(client, officer))["totalCount"] == 0


async def test_a_top_up_failed_meanwhile_whose_retry_answer_was_lost_is_asked_about_again(
    app, client, graph, provider, settings_of, monkeypatch
):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    idem = key()
    assert error_codes(await topup_call(client, an, 25_000, idem)) == ["UNAVAILABLE"]
    gated = GatedProvider()
    monkeypatch.setattr(app.state.runtime, "payments", gated)
    settings_of(payment_reconcile_after_seconds=0)
    retry = asyncio.create_task(topup_call(client, an, 25_000, idem))
    await asyncio.wait_for(gated.entered.wait(), 30)
    assert (await reconciliation.reconcile(app.state.runtime)).failed == 1
    gated.lose_answers = 1  # the provider takes the money, and the retry never hears of it
    gated.gate.set()
    assert error_codes(await retry) == ["UNAVAILABLE"]
    assert len(gated.collected) == 1 and await balance_of(client, an) == 0
    assert (await stuck(client, officer))["totalCount"] == 1, "pending again, for the reconciliation"
    assert (await reconciliation.reconcile(app.state.runtime)).settled == 1
    assert await balance_of(client, an) == 25_000 and (await totals(client, officer))["balanced"]
    assert (await graph.read(lambda tx: run(tx, TOPUP_STATE)))[0]["late"] is True


class HungProvider(SimulatedProvider):
    """Never answers."""

    async def collect(self, actor_id: str, amount: int, reference: str):
        await asyncio.Event().wait()

    async def disburse(self, actor_id: str, amount: int, reference: str):
        await asyncio.Event().wait()

    async def lookup(self, reference: str):
        await asyncio.Event().wait()


async def test_a_hung_provider_stalls_neither_requests_nor_reconciliation(
    app, client, provider, settings_of, monkeypatch
):
    _, (an,) = await people(app, client, 1)
    await top_up(client, an, 50_000)
    monkeypatch.setattr(app.state.runtime, "payments", HungProvider())
    settings_of(payment_provider_timeout_seconds=0.3, payment_reconcile_after_seconds=0)
    body = await asyncio.wait_for(topup_call(client, an, 10_000, key()), 20)
    assert error_codes(body) == ["UNAVAILABLE"] and body["errors"][0]["extensions"]["retryAfterSeconds"] >= 1
    paid = (await asyncio.wait_for(payout_call(client, an, 20_000, key()), 20))["data"]["walletPayout"]
    assert paid["errors"] == [] and paid["payoutStatus"] == "SENDING"
    report = await asyncio.wait_for(reconciliation.reconcile(app.state.runtime), 20)
    assert (report.settled, report.failed, report.pending) == (0, 0, 2)
    assert await balance_of(client, an) == 30_000


class PoisonedProvider(SimulatedProvider):
    """Refuses lookups of some references, or fails them as a busy dependency would."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()
        self.busy: set[str] = set()

    async def lookup(self, reference: str):
        if reference in self.refused:
            raise PaymentProviderError("simulated: lookup refused")
        if reference in self.busy:
            raise UnavailableError("simulated: busy", extensions={"retryAfterSeconds": 1})
        return await super().lookup(reference)


async def test_one_bad_row_does_not_block_the_reconciliation_of_the_others(app, client, settings_of, monkeypatch):
    officer, (an,) = await people(app, client, 1)
    poisoned = PoisonedProvider()
    monkeypatch.setattr(app.state.runtime, "payments", poisoned)
    poisoned.lose_answers = 4
    for amount in (11_000, 12_000, 13_000, 14_000):
        assert error_codes(await topup_call(client, an, amount, key())) == ["UNAVAILABLE"]
    settings_of(payment_reconcile_after_seconds=0)
    oldest = [e["node"]["reference"] for e in (await stuck(client, officer))["edges"]]
    poisoned.refused.add(oldest[0])
    poisoned.busy.add(oldest[1])
    report = await reconciliation.reconcile(app.state.runtime)
    assert (report.settled, report.failed, report.pending) == (2, 0, 2)
    assert await balance_of(client, an) == 13_000 + 14_000
    assert (await stuck(client, officer))["totalCount"] == 2
    poisoned.refused.clear()
    poisoned.busy.clear()
    assert (await reconciliation.reconcile(app.state.runtime)).settled == 2
    assert await balance_of(client, an) == 50_000 and (await totals(client, officer))["balanced"]


async def test_the_key_purge_runs_when_the_reconciliation_fails(app, client, graph, settings_of, monkeypatch):
    _, (an,) = await people(app, client, 1)
    await top_up(client, an, 1_000)
    settings_of(idempotency_key_retention_seconds=1)
    await age_keys(graph, 2)

    async def unreadable(*_args, **_kwargs):
        raise UnavailableError("simulated: Neo4j busy", extensions={"retryAfterSeconds": 1})

    monkeypatch.setattr(reconciliation, "reconcile", unreadable)
    await reconcile_money(app.state.runtime)
    assert (await graph.read(lambda tx: run(tx, KEYS)))[0]["n"] == 0


async def test_a_key_reclaimed_while_the_purge_waits_for_its_lock_is_kept(graph):
    scope = f"purge-race:{key()}"
    await graph.write(
        lambda tx: run(
            tx,
            """
        CREATE (:IdempotencyKey {scope: $scope, createdAt: datetime() - duration({hours: 2}), operation: 'op',
                                 fingerprint: 'old', result: '{"old": true}'})""",
            scope=scope,
        )
    )
    async with graph.driver.session(database=graph.database) as session:
        tx = await session.begin_transaction()
        # A request re-claims the expired key (fresh createdAt, under its lock) and stores its new result ...
        claimed = await queries.claim_key(tx, scope, "claim-1", retention_seconds=3600)
        assert claimed.created is True
        await queries.finish_key(tx, scope, "op", "new", '{"new": true}')
        # ... while the purge reads the key as it was committed (expired, finished) and waits for its lock.
        purge = asyncio.create_task(idempotency.purge_expired(graph, retention_seconds=3600, batch=10, max_batches=1))
        await asyncio.sleep(1.5)
        assert not purge.done()
        await tx.commit()
    assert await asyncio.wait_for(purge, 30) == 0
    rows = await graph.read(
        lambda tx: run(tx, "MATCH (k:IdempotencyKey {scope: $scope}) RETURN k.result AS result", scope=scope)
    )
    assert [r["result"] for r in rows] == ['{"new": true}']


STUCK_ID_DOC = '{ __type(name: "StuckPayment") { fields { name description } } }'


async def test_a_stuck_payment_id_says_it_is_the_payment_own_id_not_a_global_id(app, client, provider, settings_of):
    officer, (an,) = await people(app, client, 1)
    provider.lose_answers = 1
    assert error_codes(await topup_call(client, an, 15_000, key())) == ["UNAVAILABLE"]
    settings_of(payment_reconcile_after_seconds=0)
    (node,) = [e["node"] for e in (await stuck(client, officer))["edges"]]
    assert node["reference"] == f"topup:{node['id']}", "the top-up's own id, as the provider's reference carries it"
    fields = (await gql(client, STUCK_ID_DOC, headers=officer.auth))["data"]["__type"]["fields"]
    (doc,) = [f["description"] for f in fields if f["name"] == "id"]
    assert "not a global id" in doc
    body = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": node["id"]}, headers=officer.auth)
    assert "errors" not in body or error_codes(body) != ["INTERNAL"]

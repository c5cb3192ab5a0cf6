"""The money primitives on their own: post_entry (double entry, locks, no negative balance) and once
(idempotency keys), run directly in write transactions of the session's graph."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from core.errors import ConflictError, InsufficientFundsError, UserInputError
from core.settings import Settings
from marketplace import idempotency
from marketplace.ledger import ESCROW, PROVIDER, actor_wallet, balance, post_entry
from marketplace.payments import SimulatedProvider, build_provider


def _actor() -> str:
    return actor_wallet(str(uuid.uuid4()))


async def test_post_entry_moves_money_and_keeps_the_sum(graph):
    buyer = _actor()
    top = await graph.write(lambda tx: post_entry(tx, debit=PROVIDER, credit=buyer, amount=50_000, kind="topup"))
    assert top.amount == 50_000 and top.debit_balance_after == -50_000 and top.credit_balance_after == 50_000
    pay = await graph.write(
        lambda tx: post_entry(tx, debit=buyer, credit=ESCROW, amount=20_000, kind="payment", memo="order")
    )
    assert pay.kind == "payment" and pay.memo == "order" and pay.debit_balance_after == 30_000
    assert pay.at.tzinfo is not None
    totals = {w: await graph.read(lambda tx, w=w: balance(tx, w)) for w in (buyer, ESCROW, PROVIDER)}
    assert totals == {buyer: 30_000, ESCROW: 20_000, PROVIDER: -50_000}
    assert await graph.read(lambda tx: balance(tx, _actor())) == 0


async def test_insufficient_funds_writes_nothing(graph):
    buyer = _actor()
    await graph.write(lambda tx: post_entry(tx, debit=PROVIDER, credit=buyer, amount=10_000, kind="topup"))
    with pytest.raises(InsufficientFundsError) as raised:
        await graph.write(lambda tx: post_entry(tx, debit=buyer, credit=ESCROW, amount=10_001, kind="payment"))
    assert raised.value.code == "INSUFFICIENT_FUNDS" and raised.value.field == "amountDong"
    assert await graph.read(lambda tx: balance(tx, buyer)) == 10_000
    assert await graph.read(lambda tx: balance(tx, ESCROW)) == 0
    with pytest.raises(UserInputError):
        await graph.write(lambda tx: post_entry(tx, debit=buyer, credit=ESCROW, amount=0, kind="payment"))


async def test_parallel_payments_never_overdraw(graph):
    buyer = _actor()
    await graph.write(lambda tx: post_entry(tx, debit=PROVIDER, credit=buyer, amount=10_000, kind="topup"))

    async def pay():
        try:
            await graph.write(lambda tx: post_entry(tx, debit=buyer, credit=ESCROW, amount=3_000, kind="payment"))
            return True
        except InsufficientFundsError:
            return False

    results = await asyncio.gather(*(pay() for _ in range(10)))
    assert sum(results) == 3
    assert await graph.read(lambda tx: balance(tx, buyer)) == 1_000
    assert await graph.read(lambda tx: balance(tx, ESCROW)) == 9_000


async def test_once_runs_work_once_and_refuses_a_different_request(graph):
    owner, calls = str(uuid.uuid4()), []

    async def work(tx):
        calls.append(1)
        entry = await post_entry(tx, debit=PROVIDER, credit=actor_wallet(owner), amount=5_000, kind="topup")
        return {"entryId": entry.id, "amount": 5_000}

    def call(request):
        return graph.write(
            lambda tx: idempotency.once(
                tx, owner=owner, key="key-0001", operation="walletTopUp", request=request, work=work
            )
        )

    first = await call({"amount": 5_000})
    assert await call({"amount": 5_000}) == first
    assert len(calls) == 1
    with pytest.raises(ConflictError) as raised:
        await call({"amount": 6_000})
    assert raised.value.field == "idempotencyKey"
    with pytest.raises(UserInputError) as bad:
        await graph.write(
            lambda tx: idempotency.once(tx, owner=owner, key="short", operation="x", request={}, work=work)
        )
    assert bad.value.field == "idempotencyKey"


async def test_once_under_concurrency_and_rollback(graph):
    owner = str(uuid.uuid4())

    async def work(tx):
        entry = await post_entry(tx, debit=PROVIDER, credit=actor_wallet(owner), amount=1_000, kind="topup")
        return {"entryId": entry.id}

    results = await asyncio.gather(
        *(
            graph.write(
                lambda tx: idempotency.once(
                    tx, owner=owner, key="parallel-key", operation="t", request={"a": 1}, work=work
                )
            )
            for _ in range(20)
        )
    )
    assert len({r["entryId"] for r in results}) == 1
    assert await graph.read(lambda tx: balance(tx, actor_wallet(owner))) == 1_000

    async def failing(tx):
        await post_entry(tx, debit=actor_wallet(owner), credit=ESCROW, amount=999_999, kind="payment")
        return {}

    with pytest.raises(InsufficientFundsError):
        await graph.write(
            lambda tx: idempotency.once(tx, owner=owner, key="retry-later", operation="p", request={}, work=failing)
        )
    # the key was not stored: the same key works once the request can succeed
    done = await graph.write(
        lambda tx: idempotency.once(tx, owner=owner, key="retry-later", operation="p", request={}, work=work)
    )
    assert "entryId" in done


def test_production_refuses_the_simulated_provider():
    assert isinstance(build_provider(Settings(environment="development")), SimulatedProvider)
    with pytest.raises(RuntimeError, match="simulated"):
        build_provider(Settings(environment="production"))

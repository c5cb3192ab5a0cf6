"""The periodic housekeeping (api.app.housekeeping) deletes spent sign-in records in bounded batches and keeps live
ones: login throttles, rate-limit windows, one-time codes."""

from __future__ import annotations

from api.app import housekeeping
from tests.identity.people import register, uuid_of
from tests.identity.test_sessions import CONTACTS, START, client_at, login, settings_changed
from tests.support import gql


async def _rows(graph, query: str, **params) -> list[dict]:
    async def read(tx):
        result = await tx.run(query, **params)
        return [record.data() async for record in result]

    return await graph.read(read)


async def _write(graph, query: str, **params) -> None:
    async def write(tx):
        await tx.run(query, **params)

    await graph.write(write)


async def _start_code(client, someone, kind: str) -> None:
    contacts = (await gql(client, CONTACTS, headers=someone.auth))["data"]["me"]["contacts"]
    contact = next(c for c in contacts if c["kind"] == kind)
    started = await gql(client, START, {"id": contact["id"]}, headers=someone.auth)
    assert started["data"]["contactVerificationStart"]["errors"] == []


THROTTLES = "MATCH (t:LoginThrottle) RETURN t.key AS key, t.signedInAt IS NOT NULL AS known, t.old AS old"
LIMITS = "MATCH (l:RateLimit) RETURN l.key AS key, l.windowStart > datetime() - duration('PT1H') AS live"
CODES = "MATCH (o:OneTimeCode) RETURN o.personId AS person, o.old AS old, o.expiresAt < datetime() AS expired"


async def test_housekeeping_purges_spent_sign_in_records_and_keeps_live_ones(app, client, graph):
    first = await register(client)
    async with client_at(app, "203.0.113.9") as guesser, client_at(app, "198.51.100.20") as home:
        assert (await login(guesser, first.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
        assert (await login(home, first.document, first.password))["errors"] == []  # a known address from now on
    await _start_code(client, first, "EMAIL")
    # time travel: all of that happened two days ago (every wait, window and code is over)
    await _write(
        graph,
        "MATCH (t:LoginThrottle) SET t.old = true, t.lastFailureAt = datetime() - duration('P2D'), "
        "t.pendingUntil = datetime() - duration('P2D'), t.lockedUntil = null",
    )
    await _write(graph, "MATCH (l:RateLimit) SET l.windowStart = datetime() - duration('P2D')")
    await _write(graph, "MATCH (l:RateLimit) WITH l LIMIT 1 REMOVE l.windowSeconds")  # claimed before it was stored
    await _write(
        graph,
        "MATCH (o:OneTimeCode) SET o.old = true, o.createdAt = datetime() - duration('P2D'), "
        "o.expiresAt = datetime() - duration('P2D') + duration('PT10M')",
    )
    old_limits = {r["key"] for r in await _rows(graph, LIMITS)}

    second = await register(client)  # live: its registration window, throttles, a live code and an expired young one
    async with client_at(app, "192.0.2.77") as other:
        assert (await login(other, second.document, "wrong password!"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    await _start_code(client, second, "EMAIL")
    await _start_code(client, second, "PHONE")
    await _write(
        graph,
        "MATCH (o:OneTimeCode {personId: $id}) WITH o ORDER BY o.createdAt DESC LIMIT 1 "
        "SET o.expiresAt = datetime() - duration('PT1S')",
        id=uuid_of(second.id),
    )
    live_limits = {r["key"] for r in await _rows(graph, LIMITS) if r["live"]}  # the registration's reopened
    assert live_limits and old_limits - live_limits

    with settings_changed(app, idempotency_purge_batch=2):  # bounded batches: several transactions per kind
        await housekeeping(app.state.runtime)

    throttles = await _rows(graph, THROTTLES)
    assert [t for t in throttles if t["old"]] == [
        {"key": t["key"], "known": True, "old": True} for t in throttles if t["old"]
    ]
    assert len([t for t in throttles if t["old"]]) == 1, "a known address stays known"
    assert len([t for t in throttles if not t["old"]]) == 3, "the live throttles stay"
    assert {r["key"] for r in await _rows(graph, LIMITS)} == live_limits, "passed windows go, open ones stay"
    codes = await _rows(graph, CODES)
    assert not [c for c in codes if c["old"]], "codes over a day old and spent go"
    assert sorted(c["expired"] for c in codes) == [False, True], "young codes stay, even expired"
    assert {c["person"] for c in codes} == {uuid_of(second.id)}

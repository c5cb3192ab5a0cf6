"""``hanoismart seed --demo``: the same data every time, never over other data unless told, never in production.

Determinism is checked on the whole graph: seed, take the canonical projection (``tests.sandbox.projection``: ids,
times, salts and digests left out, references by name), seed again with ``force`` (which wipes first), compare.
"""

from __future__ import annotations

import dataclasses

import pytest

from auth.sign_in import login
from core.errors import UserInputError
from graph.driver import run
from sandbox import demo_data
from sandbox.demo import other_data, seed_demo
from sandbox.guard import SandboxRefused
from tests.identity.people import register
from tests.sandbox.projection import canonical_projection, differences
from tests.support import gql


async def _run(tx, statement: str) -> None:
    await run(tx, statement)


ME = "query { me { displayName verificationLevel roles } }"


async def test_seeding_twice_gives_the_same_graph(app, graph) -> None:
    rt = app.state.runtime
    first_report = await seed_demo(rt)
    first = await graph.read(canonical_projection)
    assert await other_data(rt) > 0
    second_report = await seed_demo(rt, force=True)
    second = await graph.read(canonical_projection)
    assert differences(first, second) == []
    assert second_report.wiped > 0
    assert first_report.counts == second_report.counts
    without_ids = [dataclasses.replace(a, global_id=None) for a in first_report.accounts]
    assert without_ids == [dataclasses.replace(a, global_id=None) for a in second_report.accounts]
    # what the demo promises is there: the projection names it
    people = [t for t in first["nodes"] if t.startswith('[["Actor", "Person"]')]
    assert len(people) == len(demo_data.PEOPLE)
    assert sum(n for t, n in first["nodes"].items() if '"status": "completed"' in t and '"Order"' in t) == 2
    assert sum(n for t, n in first["relationships"].items() if '"CONNECTED"' in t) == len(demo_data.CONNECTIONS)
    # the comparison leaves generated times out, and sees a difference as small as one reaction's kind
    await graph.write(_run, "MATCH (p:Post) SET p.createdAt = datetime() - duration('P1D')")
    assert differences(first, await graph.read(canonical_projection)) == []
    await graph.write(_run, "MATCH (:Person)-[r:REACTED {kind: 'wow'}]->(:Post) SET r.kind = 'sad'")
    changed = differences(first, await graph.read(canonical_projection))
    assert len(changed) == 2 and all('"REACTED"' in line for line in changed), changed


async def test_demo_accounts_sign_in_with_what_the_seed_prints(app, client) -> None:
    report = await seed_demo(app.state.runtime)
    for account, person in zip(report.accounts, demo_data.PEOPLE, strict=True):
        for identifier in account.identifiers:  # through sessionLogin's service: the mutation's shape is changing
            tokens = await login(app.state.runtime, identifier, account.password, user_agent=None, address=None)
        token = tokens.access_token
        me = (await gql(client, ME, headers={"authorization": f"Bearer {token}"}))["data"]["me"]
        assert me["displayName"] == person.full_name
        assert me["verificationLevel"] == person.level
        assert set(me["roles"]) == {r.upper() for r in person.roles + person.granted}


async def test_a_database_holding_other_data_is_refused_and_left_as_it_was(app, client, graph) -> None:
    await register(client, fullName="Đỗ Văn Khách")
    before = await graph.read(canonical_projection)
    with pytest.raises(SandboxRefused, match=r"already holds \d+ nodes .*--force"):
        await seed_demo(app.state.runtime)
    assert differences(before, await graph.read(canonical_projection)) == []


async def test_force_replaces_other_data(app, client, graph) -> None:
    stranger = await register(client, fullName="Đỗ Văn Khách")
    report = await seed_demo(app.state.runtime, force=True)
    assert report.wiped > 0
    with pytest.raises(UserInputError) as refused:
        await login(app.state.runtime, stranger.document, stranger.password, user_agent=None, address=None)
    assert refused.value.code == "INVALID_CREDENTIALS"


async def test_production_is_refused_before_anything_is_read(app, graph) -> None:
    rt = app.state.runtime
    production = dataclasses.replace(rt, settings=rt.settings.model_copy(update={"environment": "production"}))
    with pytest.raises(SandboxRefused, match="development only"):
        await seed_demo(production)
    assert await other_data(rt) == 0

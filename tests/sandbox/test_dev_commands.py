"""``hanoismart dev codes`` and ``hanoismart dev verify`` through the CLI (typer's runner), against the test Neo4j,
and the seed's refusals as a developer sees them. The CLI runs in a thread of its own (it starts its own event loop
and driver, as the real command does) with the test session's Neo4j and var folder."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date

import pytest
from typer.testing import CliRunner, Result

from api import cli
from auth.sessions import viewer_from_token
from auth.sign_in import login
from core.settings import Settings, get_settings
from identity.account import my_contacts
from identity.contact_verification import start_contact_verification
from sandbox import demo_data
from tests.identity.people import make_officer, register, uuid_of
from tests.support import gql

ME = """
query { me { verificationLevel contacts { value verifiedAt } verificationRequests { status reason decidedBy } } }
"""


@pytest.fixture
def cli_env(test_settings: Settings) -> Iterator[dict[str, str]]:
    """What the CLI reads from the environment to use the test session's Neo4j and var folder (same identity key and
    outbox file as the app under test)."""
    env = {
        "HANOISMART_ENVIRONMENT": "test",
        "HANOISMART_VAR_DIR": str(test_settings.var_dir),
        "HANOISMART_PASSWORD_HASH_PROFILE": "test",
        "HANOISMART_LOG_FORMAT": "json",
        "HANOISMART_LOG_LEVEL": "WARNING",
        "NEO4J_URI": str(test_settings.neo4j_uri),
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value() if test_settings.neo4j_password else "",
    }
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


async def hanoismart(env: dict[str, str], *args: str) -> Result:
    """Run ``hanoismart ARGS`` in a thread (the command runs its own event loop), with ``env``."""

    def invoke() -> Result:
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(cli.app, list(args), env=env)
        finally:
            get_settings.cache_clear()

    return await asyncio.to_thread(invoke)


async def test_dev_codes_shows_the_code_sent_to_a_phone(app, client, cli_env) -> None:
    person = await register(client, phone="0912 000 444")
    rt = app.state.runtime
    viewer = await viewer_from_token(rt, person.access_token)
    phone = next(c for c in await my_contacts(rt, viewer) if c["kind"] == "phone")
    await start_contact_verification(rt, viewer, phone["id"])
    sent = rt.sender.last_to("+84912000444")

    shown = await hanoismart(cli_env, "dev", "codes", "--to", "0912000444")
    assert shown.exit_code == 0, shown.output
    code = sent.text.split("là ")[1][:6]
    assert f"+84912000444  code {code}" in shown.output

    as_json = await hanoismart(cli_env, "dev", "codes", "--to", "+84 912 000 444", "--json", "--last", "1")
    assert as_json.exit_code == 0, as_json.output
    line = json.loads(as_json.output.strip())
    assert (line["channel"], line["to"], line["code"]) == ("sms", "+84912000444", code)

    nothing = await hanoismart(cli_env, "dev", "codes", "--to", "nobody@example.vn")
    assert nothing.exit_code == 0 and "no message to nobody@example.vn" in nothing.output
    wrong = await hanoismart(cli_env, "dev", "codes", "--to", "12")
    assert wrong.exit_code == 1 and "--to:" in wrong.output


async def test_dev_verify_level_2_is_an_approved_request_recording_the_officer_and_the_command(
    app, client, cli_env
) -> None:
    officer = await make_officer(app, client)
    person = await register(client, email="khanh.do@example.vn", birth=date(1992, 1, 5))

    result = await hanoismart(cli_env, "dev", "verify", "khanh.do@example.vn", "--level", "2")
    assert result.exit_code == 0, result.output
    assert f"level 0 -> 2, approved by {officer.name}" in result.output

    me = (await gql(client, ME, headers=person.auth))["data"]["me"]
    assert me["verificationLevel"] == 2
    (request,) = me["verificationRequests"]
    assert request["status"] == "APPROVED"
    assert request["decidedBy"] == officer.name
    assert "hanoismart dev verify" in request["reason"]

    again = await hanoismart(cli_env, "dev", "verify", person.id, "--level", "2")
    assert again.exit_code == 0 and "at level 2 already" in again.output


async def test_dev_verify_level_1_proves_the_contacts_with_their_codes(client, cli_env) -> None:
    person = await register(client)
    result = await hanoismart(cli_env, "dev", "verify", uuid_of(person.id), "--level", "1")
    assert result.exit_code == 0, result.output
    me = (await gql(client, ME, headers=person.auth))["data"]["me"]
    assert me["verificationLevel"] == 1
    assert all(c["verifiedAt"] for c in me["contacts"]) and len(me["contacts"]) == 2


async def test_dev_verify_needs_an_officer_and_an_existing_person(app, client, cli_env) -> None:
    person = await register(client)
    no_officer = await hanoismart(cli_env, "dev", "verify", person.id, "--level", "2")
    assert no_officer.exit_code == 1
    assert "--role officer" in no_officer.output
    nobody = await hanoismart(cli_env, "dev", "verify", "0912999999", "--level", "2")
    assert nobody.exit_code == 1 and "No person has" in nobody.output
    not_officer = await hanoismart(cli_env, "dev", "verify", person.id, "--level", "2", "--officer", person.phone)
    assert not_officer.exit_code == 1 and "is not a city officer" in not_officer.output
    me = (await gql(client, ME, headers=person.auth))["data"]["me"]
    assert me["verificationLevel"] == 0 and me["verificationRequests"] == []


async def test_seed_prints_every_demo_account_with_its_identifiers_and_the_password(app, cli_env, client) -> None:
    result = await hanoismart(cli_env, "seed", "--demo")
    assert result.exit_code == 0, result.output
    assert f"Every demo account's password: {demo_data.DEMO_PASSWORD}" in result.output
    for person in demo_data.PEOPLE:
        block = result.output[result.output.index(person.full_name) :]
        sign_in = block[block.index("sign in with: ") :].splitlines()[0]
        assert person.document_identifier in sign_in
        assert (person.email in sign_in) == (person.email is not None and person.level >= 1)
    assert "Xưởng Gốm Bát Tràng Minh Anh" in result.output
    tokens = await login(
        app.state.runtime, "an.nguyen@example.vn", demo_data.DEMO_PASSWORD, user_agent=None, address=None
    )
    me = (await gql(client, ME, headers={"authorization": f"Bearer {tokens.access_token}"}))["data"]["me"]
    assert me["verificationLevel"] == 2


async def test_seed_on_a_database_with_data_says_so_and_writes_nothing(client, cli_env, graph) -> None:
    await register(client)
    result = await hanoismart(cli_env, "seed", "--demo")
    assert result.exit_code == 1
    assert "already holds" in result.output and "--force" in result.output
    without_demo = await hanoismart(cli_env, "seed")
    assert without_demo.exit_code == 1 and "seed --demo" in without_demo.output


@pytest.mark.parametrize(
    "args",
    [("seed", "--demo"), ("dev", "codes"), ("dev", "verify", "someone@example.vn", "--level", "2")],
    ids=["seed", "codes", "verify"],
)
async def test_every_development_command_refuses_production(cli_env, args) -> None:
    production = {**cli_env, "HANOISMART_ENVIRONMENT": "production", "HANOISMART_PASSWORD_HASH_PROFILE": "standard"}
    result = await hanoismart(production, *args)
    assert result.exit_code == 1
    assert "for development only" in result.output and "HANOISMART_ENVIRONMENT=production" in result.output

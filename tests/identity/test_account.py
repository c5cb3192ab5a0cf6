"""My data: the export, closing the account, and the CLI that makes the first administrator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from core.settings import REPO_ROOT
from tests.identity.people import REGISTER, register, registration_input
from tests.support import error_codes, gql

MY_DATA = "{ myData }"
CLOSE = "mutation Close($input: AccountCloseInput!) { accountClose(input: $input) { errors { code field } } }"
ME = "{ me { roles } }"


async def test_my_data_exports_everything_but_secrets(client):
    someone = await register(client)
    data = (await gql(client, MY_DATA, headers=someone.auth))["data"]["myData"]
    text = json.dumps(data, ensure_ascii=False)
    assert data["person"]["fullName"] == "Nguyễn Văn An"
    assert {c["kind"] for c in data["contacts"]} == {"phone", "email"}
    assert data["documents"] == [{**data["documents"][0], "kind": "cccd", "last4": someone.document[-4:]}]
    assert len(data["sessions"]) == 1 and data["wards"][0]["code"] == "00070"
    assert someone.document not in text and "passwordHash" not in text and "$argon2" not in text
    assert error_codes(await gql(client, MY_DATA)) == ["UNAUTHENTICATED"]


async def test_closing_the_account_erases_it_but_keeps_the_identity_taken(client):
    someone = await register(client)
    wrong = await gql(client, CLOSE, {"input": {"password": "not my password"}}, headers=someone.auth)
    assert wrong["data"]["accountClose"]["errors"] == [{"code": "INVALID_CREDENTIALS", "field": ["input", "password"]}]
    closed = await gql(client, CLOSE, {"input": {"password": someone.password}}, headers=someone.auth)
    assert closed["data"]["accountClose"] == {"errors": []}
    assert (await client.post("/graphql", json={"query": ME}, headers=someone.auth)).status_code == 401
    again = registration_input(document={"kind": "CCCD", "number": someone.document})
    result = (await gql(client, REGISTER, {"input": again}))["data"]["personRegister"]
    assert result["errors"][0]["code"] == "CONFLICT", "the kept digest stops a second account"
    node = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { ... on Person { displayName closed dateOfBirth ward { code } } } }",
        {"id": someone.id},
    )
    assert node["data"]["node"] == {
        "displayName": "Tài khoản đã đóng",
        "closed": True,
        "dateOfBirth": None,
        "ward": None,
    }


def cli(test_settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "NEO4J_URI": test_settings.neo4j_uri,
        "NEO4J_PASSWORD": test_settings.neo4j_password.get_secret_value(),
        "HANOISMART_VAR_DIR": str(test_settings.var_dir),
        "HANOISMART_LOG_FORMAT": "json",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


async def test_the_cli_makes_the_first_administrator(client, test_settings):
    someone = await register(client)
    result = cli(test_settings, "admin", "grant", someone.id)
    assert result.returncode == 0, result.stderr
    roles = (await gql(client, ME, headers=someone.auth))["data"]["me"]["roles"]
    assert "ADMINISTRATOR" in roles
    unknown = cli(test_settings, "admin", "grant", "00000000-0000-0000-0000-000000000000")
    assert unknown.returncode == 1 and "No active person" in unknown.stderr


async def test_content_of_a_closed_account_is_anonymised(client):
    from tests.social.helpers import post

    someone = await register(client, fullName="Đỗ Thị Hằng")
    reader = await register(client)
    written = await post(client, someone, "Chợ Đồng Xuân hôm nay đông vui")
    await gql(client, CLOSE, {"input": {"password": someone.password}}, headers=someone.auth)
    body = await gql(
        client,
        "query N($id: ID!) { node(id: $id) { ... on Post { text author { displayName } } } }",
        {"id": written},
        headers=reader.auth,
    )
    assert body["data"]["node"] == {
        "text": "Chợ Đồng Xuân hôm nay đông vui",
        "author": {"displayName": "Tài khoản đã đóng"},
    }
    assert "Hằng" not in json.dumps(body, ensure_ascii=False)

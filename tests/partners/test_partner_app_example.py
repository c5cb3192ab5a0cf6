"""docs/partners.md and its example app: the scope table is the catalogue's (``hanoismart docs``), every excerpt
the guide shows is the code of docs/examples/partner_app.py, and the example signs a person in against a live
server (the consent given in Chromium), as a partner runs it."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import textwrap

from graphql import build_schema as parse_sdl
from graphql import parse, validate
from strawberry import relay

from api import cli
from core.settings import REPO_ROOT
from partners.scopes import CATALOGUE, scope_table
from tests.partners.browser import browser, free_port, live_server  # noqa: F401 (fixtures)
from tests.partners.support import make_partner, seed_app
from tests.sandbox.test_guide_examples import region
from tests.support import gql

GUIDE = REPO_ROOT / "docs" / "partners.md"
EXAMPLES = REPO_ROOT / "docs" / "examples"
_EXCERPT = re.compile(r"<!-- example: (?P<file>[\w.]+)#(?P<region>[\w-]+) -->\n```\w+\n(?P<code>.*?)```", re.DOTALL)


def test_the_scope_table_of_the_guide_is_the_catalogue():
    text = GUIDE.read_text()
    assert cli.with_scope_table(text, scope_table()) == text, "run `hanoismart docs` and commit docs/partners.md"
    assert all(f"| `{scope.name}` |" in text for scope in CATALOGUE)


def test_every_excerpt_in_the_guide_is_the_code_of_the_example():
    excerpts = list(_EXCERPT.finditer(GUIDE.read_text()))
    assert len(excerpts) >= 6
    for excerpt in excerpts:
        expected = region(EXAMPLES / excerpt["file"], excerpt["region"])
        assert excerpt["code"].strip() + "\n" == expected, f"{excerpt['file']}#{excerpt['region']} differs"


def test_the_graphql_of_the_guide_is_valid_against_the_schema():
    schema = parse_sdl((REPO_ROOT / "schema.graphql").read_text())
    blocks = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    assert len(blocks) >= 5
    for block in blocks:
        assert [e.message for e in validate(schema, parse(textwrap.dedent(block)))] == [], block


PERSONA_CREATE = """
mutation Persona($input: AppPersonaCreateInput!) {
  appPersonaCreate(input: $input) {
    persona { signInIdentifier displayName } password errors { code field message }
  }
}
"""


async def test_the_example_app_signs_a_test_persona_in(app, client, live_server, browser):  # noqa: F811
    """docs/examples/partner_app.py as a partner runs it, against a live server, for a sandbox app on a loopback
    redirect URI: the person signs in and allows in Chromium, the browser comes back to the example's own callback,
    and the example exchanges the code, checks the ID token, reads userinfo, refreshes, calls /graphql with the app
    token, revokes. The /graphql step needs the app viewer (GraphQLView._viewer accepting app tokens, the scopes
    engineer's work): without it the example ends with UNAUTHENTICATED there and this test fails, as it should."""
    redirect_uri = f"http://127.0.0.1:{free_port()}/callback"
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, environment="sandbox", redirect_uris=(redirect_uri,),
                            scopes=("openid", "profile.basic", "offline_access"))  # fmt: skip
    made = await gql(client, PERSONA_CREATE, {"input": {"appId": str(relay.GlobalID("App", seeded.app_id)),
                     "displayName": "Persona Thử Nghiệm", "dateOfBirth": "1995-04-30"}}, headers=partner.owner.auth)  # fmt: skip
    persona = made["data"]["appPersonaCreate"]
    assert persona["errors"] == [], persona

    example = await asyncio.create_subprocess_exec(
        sys.executable,
        str(EXAMPLES / "partner_app.py"),
        env={
            **os.environ,
            "HANOISMART_ISSUER": live_server.url,
            "HANOISMART_CLIENT_ID": seeded.client_id,
            "HANOISMART_CLIENT_SECRET": seeded.client_secret or "",
            "HANOISMART_REDIRECT_URI": redirect_uri,
            "HANOISMART_OPEN_BROWSER": "0",
        },  # fmt: skip
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        printed: list[str] = []
        while not printed or not printed[-1].startswith("open in a browser: "):
            line = await asyncio.wait_for(example.stdout.readline(), 30)  # type: ignore[union-attr]
            assert line, f"the example stopped: {printed} {await example.stderr.read()}"  # type: ignore[union-attr]
            printed.append(line.decode().strip())
        authorize_url = printed[-1].removeprefix("open in a browser: ")

        context = await browser.new_context()
        page = await context.new_page()
        try:
            await page.goto(authorize_url)
            await page.get_by_label("Số CCCD, hộ chiếu, số điện thoại hoặc e-mail").fill(
                persona["persona"]["signInIdentifier"]
            )
            await page.get_by_label("Mật khẩu").fill(persona["password"])
            await page.get_by_role("button", name="Đăng nhập").click()
            assert await page.get_by_text("SANDBOX", exact=True).count() == 1
            await page.get_by_role("button", name="Đồng ý").click()
            await page.wait_for_url(f"{redirect_uri}?**")
            assert "Signed in" in await page.content()
        finally:
            await context.close()
        out, err = await asyncio.wait_for(example.communicate(), 60)
    finally:
        if example.returncode is None:
            example.kill()
            await example.wait()
    output = "\n".join(printed) + "\n" + out.decode()
    assert example.returncode == 0, output + err.decode()
    for expected in (
        f"discovered {live_server.url}",
        "ID token checked: sub=",
        "granted scopes: ",
        "userinfo: Persona Thử Nghiệm",
        "GraphQL me.displayName: Persona Thử Nghiệm",
        "refreshed: a new access token and a new refresh token",
        "signed out: the refresh token is revoked",
    ):
        assert expected in output, output + err.decode()

"""The OpenID Provider while Neo4j is away: the pages answer the error page with 503 and Retry-After in the page's
language, the JSON endpoints ``temporarily_unavailable`` with 503 and Retry-After, never a 500; an account closed
between the consent page and the decision is an error redirect to the app, not a 500."""

from __future__ import annotations

import pytest

import graph.app_access
import graph.oauth
from core.errors import UnavailableError
from tests.identity.people import register
from tests.partners import oauth_flow
from tests.partners.oauth_flow import ISSUER, redirect_of, request_for
from tests.partners.support import make_partner, seed_app

VI = "HanoiSmart tạm thời không truy cập được dữ liệu"
EN = "HanoiSmart cannot reach its data right now"


@pytest.fixture
async def seeded(app, client):
    partner = await make_partner(app, client)
    return await seed_app(app, partner, scopes=("openid", "profile.basic", "offline_access"))


def away(monkeypatch, name: str, retry_after: float | None = None, module=None) -> None:
    """``graph.oauth.<name>`` (or ``module.<name>``) raises UNAVAILABLE as the driver does when Neo4j cannot be
    reached."""

    async def unreachable(*args, **kwargs):
        raise UnavailableError("The database is unreachable right now.", retry_after_seconds=retry_after)

    monkeypatch.setattr(module or graph.oauth, name, unreachable)


def assert_unavailable_page(response, words: str) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["retry-after"]) >= 1
    assert words in response.text


async def test_the_pages_answer_503_with_retry_after_in_the_page_language(app, client, seeded, monkeypatch):
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        # authorize: the app cannot be read.
        request = request_for(seeded)
        with monkeypatch.context() as patched:
            away(patched, "client", retry_after=2.5)
            page = await who.get(request.url)
            assert_unavailable_page(page, VI)
            assert page.headers["retry-after"] == "3", "whole seconds, rounded up"
            assert page.headers["content-language"] == "vi"
            english = await who.get(request_for(seeded, ui_locales="en").url)
            assert_unavailable_page(english, EN)

        # login: the session cannot be stored after the password was checked.
        sign_in = await who.get(request_for(seeded, ui_locales="en").url)
        assert sign_in.status_code == 200 and 'name="password"' in sign_in.text
        with monkeypatch.context() as patched:
            away(patched, "mark_op_session")
            refused = await who.submit(sign_in, {"identifier": person.document, "password": person.password})
            assert_unavailable_page(refused, EN)
        signed = await who.submit(sign_in, {"identifier": person.document, "password": person.password})
        assert signed.status_code == 303

        # authorize with a session: the session cannot be read.
        with monkeypatch.context() as patched:
            away(patched, "op_session")
            assert_unavailable_page(await who.get(request.url), VI)

        # the consent form: the code cannot be stored.
        consent = await who.get(request.url)
        assert consent.status_code == 200 and 'name="decision"' in consent.text
        with monkeypatch.context() as patched:
            away(patched, "create_code")
            assert_unavailable_page(await who.submit(consent, {"decision": "approve"}), VI)
        # Back again, the same form goes through.
        assert "code" in redirect_of(await who.submit(consent, {"decision": "approve"})).params
    finally:
        await who.aclose()


async def test_an_account_closed_before_the_decision_is_an_error_redirect(app, client, seeded, monkeypatch):
    person = await register(client)
    who = oauth_flow.browser(app)
    try:
        request = request_for(seeded)
        page = await who.get(request.url)
        signed = await who.submit(page, {"identifier": person.document, "password": person.password})
        consent = await who.get(signed.headers["location"])
        assert 'name="decision"' in consent.text

        async def closed(tx, person_id):  # the account closed between the consent page and the decision
            return False

        monkeypatch.setattr(graph.oauth, "lock_person", closed)
        back = redirect_of(await who.submit(consent, {"decision": "approve"}))
        assert back.location.startswith(seeded.redirect_uris[0])
        assert back.params["error"] == "access_denied" and "closed" in back.params["error_description"]
        assert (back.params["state"], back.params["iss"]) == (request.params["state"], ISSUER)
        assert "code" not in back.params
    finally:
        await who.aclose()


async def test_token_revoke_and_introspect_answer_temporarily_unavailable(app, client, seeded, monkeypatch):
    person = await register(client)
    tokens = await oauth_flow.tokens_for(app, client, seeded, person)
    request = request_for(seeded)
    back = await oauth_flow.sign_in_and_consent(app, seeded, person, request)
    calls = [
        ("/oauth/token", {"grant_type": "authorization_code", "code": back.code, "code_verifier": request.verifier,
                          "redirect_uri": seeded.redirect_uris[0]}),
        ("/oauth/token", {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}),
        ("/oauth/token", {"grant_type": "client_credentials"}),
        ("/oauth/revoke", {"token": tokens["refresh_token"]}),
        ("/oauth/introspect", {"token": tokens["access_token"]}),
    ]  # fmt: skip
    # The client is read first (inside authlib's worker thread, hopping back to the event loop)...
    with monkeypatch.context() as patched:
        away(patched, "client", retry_after=1)
        for path, data in calls:
            response = await client.post(path, data=data, headers=oauth_flow.basic(seeded))
            assert response.status_code == 503, (path, response.status_code, response.text)
            assert response.json()["error"] == "temporarily_unavailable" and response.json()["error_description"]
            assert response.headers["retry-after"] == "1" and response.headers["cache-control"] == "no-store"
    # ... and each endpoint's own read or write after it.
    # (an access token is introspected with the app viewer's own grant read, graph.app_access.grant_viewer)
    for name, module, (path, data) in (("use_code", None, calls[0]), ("lock_refresh_token", None, calls[1]),
                                       ("refresh_token", None, calls[3]),
                                       ("grant_viewer", graph.app_access, calls[4])):  # fmt: skip
        with monkeypatch.context() as patched:
            away(patched, name, module=module)
            response = await client.post(path, data=data, headers=oauth_flow.basic(seeded))
            assert (response.status_code, response.json()["error"]) == (503, "temporarily_unavailable"), name
            assert response.headers["retry-after"] == "5"
    # Neo4j back: the code was never used, the refresh token never rotated.
    assert (await client.post(calls[0][0], data=calls[0][1], headers=oauth_flow.basic(seeded))).status_code == 200
    assert (await oauth_flow.refresh(client, seeded, tokens["refresh_token"])).status_code == 200

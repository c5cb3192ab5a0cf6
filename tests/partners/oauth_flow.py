"""The sign-in flow of a partner app over HTTP, as a browser and the app's back end run it: authorize -> sign-in page
-> consent page -> code -> ``/oauth/token``. Reusable by every partner-platform test that needs real tokens.

    tokens = await oauth_flow.tokens_for(app, client, seeded, person, scopes=("openid", "contact.read"))
    tokens["access_token"], tokens.get("refresh_token"), tokens.get("id_token")

Each ``Browser`` has its own cookie jar (the OP session), so two people never share a sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.identity.people import Someone
from tests.partners.support import SeededApp

ISSUER = "http://127.0.0.1:8000"  # settings.oauth_issuer in the tests
_TAG = re.compile(r"<(input|form|button)\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')


def pkce() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class Form:
    action: str
    fields: dict[str, str]


def forms(page: str) -> list[Form]:
    """The forms of a page with their hidden (and prefilled) fields, whatever the template's attribute order."""
    found: list[Form] = []
    for tag, raw in _TAG.findall(page):
        attrs = {name.lower(): html.unescape(value) for name, value in _ATTR.findall(raw)}
        if tag.lower() == "form":
            found.append(Form(action=attrs.get("action", ""), fields={}))
        elif tag.lower() == "input" and found and "name" in attrs and attrs.get("type", "text") == "hidden":
            found[-1].fields[attrs["name"]] = attrs.get("value", "")
    return found


@dataclass
class Request:
    """An authorization request's parameters and the PKCE verifier behind its challenge."""

    params: dict[str, str]
    verifier: str

    @property
    def url(self) -> str:
        return "/oauth/authorize?" + urlencode(self.params)


def request_for(seeded: SeededApp, scopes: tuple[str, ...] | None = None, **overrides: str | None) -> Request:
    """A valid authorization request of ``seeded`` (S256, state, nonce); ``overrides`` replace or (None) drop one."""
    verifier, challenge = pkce()
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": seeded.client_id,
        "redirect_uri": seeded.redirect_uris[0],
        "scope": " ".join(scopes if scopes is not None else seeded.scopes),
        "state": secrets.token_urlsafe(12),
        "nonce": secrets.token_urlsafe(12),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return Request({k: v for k, v in params.items() if v is not None}, verifier)


@dataclass
class Redirect:
    """Where the OP sent the browser back to the app, and the parameters it carried."""

    location: str
    params: dict[str, str]

    @property
    def code(self) -> str:
        return self.params["code"]


def redirect_of(response: httpx.Response) -> Redirect:
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    location = response.headers["location"]
    query = parse_qs(urlsplit(location).query)
    return Redirect(location, {k: v[0] for k, v in query.items()})


@dataclass
class Browser:
    """A person's browser at the OP: its own cookies."""

    http: httpx.AsyncClient
    pages: list[httpx.Response] = field(default_factory=list)

    async def get(self, url: str) -> httpx.Response:
        response = await self.http.get(url)
        self.pages.append(response)
        return response

    async def submit(self, page: httpx.Response, extra: dict[str, str], index: int = 0) -> httpx.Response:
        form = forms(page.text)[index]
        response = await self.http.post(form.action or "/oauth/authorize", data={**form.fields, **extra})
        self.pages.append(response)
        return response

    async def aclose(self) -> None:
        await self.http.aclose()


def browser(app) -> Browser:
    """A browser on the issuer's origin (the OP's cookies belong to it)."""
    return Browser(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER))


async def sign_in_and_consent(
    app, seeded: SeededApp, person: Someone, request: Request, *, decision: str = "approve", who: Browser | None = None
) -> Redirect:
    """Authorize -> sign in (unless ``who`` is signed in already) -> consent (when asked) -> the redirect to the app."""
    own = who is None
    who = who or browser(app)
    try:
        page = await who.get(request.url)
        if page.status_code == 200 and 'name="password"' in page.text:
            signed = await who.submit(page, {"identifier": person.document, "password": person.password})
            assert signed.status_code == 303, (signed.status_code, signed.text[:800])
            page = await who.get(signed.headers["location"])
        if page.status_code == 200:
            assert 'name="decision"' in page.text, page.text[:800]
            page = await who.submit(page, {"decision": decision})
        return redirect_of(page)
    finally:
        if own:
            await who.aclose()


def basic(seeded: SeededApp, secret: str | None = None) -> dict[str, str]:
    raw = f"{seeded.client_id}:{secret or seeded.client_secret}".encode()
    return {"authorization": "Basic " + base64.b64encode(raw).decode()}


async def redeem(
    client: httpx.AsyncClient, seeded: SeededApp, code: str, verifier: str, redirect_uri: str | None = None
) -> httpx.Response:
    """``POST /oauth/token`` with ``grant_type=authorization_code`` as the app's back end sends it."""
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": redirect_uri or seeded.redirect_uris[0]}  # fmt: skip
    headers: dict[str, str] = {}
    if seeded.client_secret:
        headers = basic(seeded)
    else:
        data["client_id"] = seeded.client_id
    return await client.post("/oauth/token", data=data, headers=headers)


async def tokens_for(
    app,
    client: httpx.AsyncClient,
    seeded: SeededApp,
    person: Someone,
    scopes: tuple[str, ...] | None = None,
    *,
    who: Browser | None = None,
) -> dict:
    """The whole flow: the token response (``access_token``, ``id_token`` with openid, ``refresh_token`` with
    offline_access). With ``who`` (a ``browser``), the person's browser stays signed in between flows."""
    request = request_for(seeded, scopes)
    back = await sign_in_and_consent(app, seeded, person, request, who=who)
    assert back.params.get("state") == request.params["state"] and back.params.get("iss") == ISSUER, back
    response = await redeem(client, seeded, back.code, request.verifier)
    assert response.status_code == 200, response.text
    return response.json()


async def refresh(client: httpx.AsyncClient, seeded: SeededApp, token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token}
    headers: dict[str, str] = {}
    if seeded.client_secret:
        headers = basic(seeded)
    else:
        data["client_id"] = seeded.client_id
    return await client.post("/oauth/token", data=data, headers=headers)

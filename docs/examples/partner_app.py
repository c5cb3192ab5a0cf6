"""A partner app that signs a person in with HanoiSmart ("Sign in with HanoiSmart", docs/partners.md), in Python
with httpx and authlib's OAuth helpers: discovery, authorization code + PKCE (S256), a local callback on
127.0.0.1, the code exchange, the ID token checked against the JWKS, userinfo, a GraphQL call with the app's token,
a refresh (the refresh token rotates), then a GraphQL call with the new access token, and the revocation of the
refresh token at the end.

Run it against a development server, with an app registered for the redirect URI below (docs/partners.md, "Get
an app"; a sandbox app may use http://127.0.0.1:<port>, RFC 8252) and one of its test personas to sign in with:

    export HANOISMART_ISSUER=http://127.0.0.1:8000            # the server (its issuer URL)
    export HANOISMART_CLIENT_ID=hsc_...                         # from appCreate
    export HANOISMART_CLIENT_SECRET=hs_sk_...                   # from appCreate; unset for a public client
    export HANOISMART_REDIRECT_URI=http://127.0.0.1:8765/callback
    .venv/bin/python docs/examples/partner_app.py               # opens the sign-in page in your browser

It prints the sign-in URL, waits for HanoiSmart to send the browser back to the callback, then prints what it
learnt. ``tests/partners/test_partner_app_example.py`` runs it against a live server and signs in in Chromium.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sys
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet

ISSUER = os.environ.get("HANOISMART_ISSUER", "http://127.0.0.1:8000").rstrip("/")
CLIENT_ID = os.environ.get("HANOISMART_CLIENT_ID", "")
CLIENT_SECRET = os.environ.get("HANOISMART_CLIENT_SECRET") or None  # None: a public client (PKCE alone)
REDIRECT_URI = os.environ.get("HANOISMART_REDIRECT_URI", "http://127.0.0.1:8765/callback")
SCOPES = os.environ.get("HANOISMART_SCOPES", "openid profile.basic offline_access")
LANGUAGE = os.environ.get("HANOISMART_UI_LOCALES", "vi")  # the sign-in and consent pages' language: vi or en
OPEN_BROWSER = os.environ.get("HANOISMART_OPEN_BROWSER", "1") == "1"

ME = "query Me { me { displayName } }"


class SignInFailed(Exception):
    """The sign-in did not end with tokens: the person refused, or a check failed."""


# [discovery]
def discover(http: httpx.Client) -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery); its issuer must be the one we trust."""
    metadata = http.get(f"{ISSUER}/.well-known/openid-configuration").raise_for_status().json()
    if metadata["issuer"] != ISSUER:
        raise SignInFailed(f"discovery names issuer {metadata['issuer']!r}, not {ISSUER!r}")
    assert "S256" in metadata["code_challenge_methods_supported"]
    return metadata


# [/discovery]


# [callback]
def wait_for_callback(redirect_uri: str) -> dict[str, str]:
    """Serve the redirect URI on 127.0.0.1 until the browser comes back to it once; the query it brought."""
    target = urlsplit(redirect_uri)
    received: dict[str, str] = {}

    class Callback(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != target.path:
                self.send_error(404)
                return
            received.update({name: values[0] for name, values in parse_qs(url.query).items()})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"Signed in: you can close this tab.\n")

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    with HTTPServer((target.hostname or "127.0.0.1", target.port or 80), Callback) as server:
        while not received:
            server.handle_request()
    return received


# [/callback]


def sign_in(http: httpx.Client, metadata: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The authorization code flow with PKCE; the token response and the nonce the ID token must carry."""
    # [authorize]
    verifier = secrets.token_urlsafe(48)  # PKCE: 64 characters, kept by the app
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = add_params_to_uri(
        metadata["authorization_endpoint"],
        [
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", SCOPES),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", create_s256_code_challenge(verifier)),
            ("code_challenge_method", "S256"),
            ("ui_locales", LANGUAGE),
        ],
    )
    # [/authorize]
    callback: dict[str, str] = {}
    waiting = threading.Thread(target=lambda: callback.update(wait_for_callback(REDIRECT_URI)), daemon=True)
    waiting.start()
    print(f"open in a browser: {url}", flush=True)
    if OPEN_BROWSER:
        webbrowser.open(url)
    waiting.join()
    # [redirect]
    if not hmac.compare_digest(callback.get("state", ""), state):
        raise SignInFailed("the state that came back is not ours")
    if callback.get("iss") != metadata["issuer"]:  # RFC 9207: the answer comes from the provider we asked
        raise SignInFailed(f"the answer names issuer {callback.get('iss')!r}")
    if "error" in callback:
        raise SignInFailed(f"{callback['error']}: {callback.get('error_description', '')}")
    # [/redirect]
    # [token]
    form = {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier}  # fmt: skip
    auth = (CLIENT_ID, CLIENT_SECRET) if CLIENT_SECRET else None  # client_secret_basic
    if auth is None:
        form["client_id"] = CLIENT_ID  # a public client names itself
    response = http.post(metadata["token_endpoint"], data=form, auth=auth)
    if response.status_code != 200:
        raise SignInFailed(f"token endpoint: {response.status_code} {response.text}")
    # [/token]
    return response.json(), nonce


# [id-token]
def check_id_token(http: httpx.Client, metadata: dict[str, Any], id_token: str, nonce: str) -> dict[str, Any]:
    """The ID token's claims, after checking its signature with the provider's JWKS, issuer, audience, expiry and
    nonce."""
    keys = KeySet.import_key_set(http.get(metadata["jwks_uri"]).raise_for_status().json())
    token = jwt.decode(id_token, keys, algorithms=metadata["id_token_signing_alg_values_supported"])
    jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce},
    ).validate(token.claims)
    return token.claims


# [/id-token]


# [graphql]
def graphql(http: httpx.Client, access_token: str, query: str) -> dict[str, Any]:
    """One GraphQL call with the app's access token (a field outside the grant comes back FORBIDDEN, naming the
    scope it needs in ``extensions.requiredScope``, beside the rest of the data)."""
    response = http.post(
        f"{ISSUER}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {access_token}", "Accept-Language": "en"},
    )
    body: dict[str, Any] = response.json()  # GraphQL answers its errors in the body, 200 or not
    for error in body.get("errors", []):
        print(f"GraphQL error at {error.get('path')}: {error['extensions']['code']} {error['message']}", flush=True)
    return body


# [/graphql]


def main() -> int:
    if not CLIENT_ID:
        print("set HANOISMART_CLIENT_ID (and HANOISMART_CLIENT_SECRET for a confidential client)", file=sys.stderr)
        return 2
    with httpx.Client(timeout=30) as http:
        metadata = discover(http)
        print(f"discovered {metadata['issuer']}", flush=True)
        try:
            tokens, nonce = sign_in(http, metadata)
        except SignInFailed as refused:
            print(f"not signed in: {refused}", flush=True)
            return 1
        claims = check_id_token(http, metadata, tokens["id_token"], nonce)
        print(f"ID token checked: sub={claims['sub']} acr={claims.get('acr')}", flush=True)
        print(f"granted scopes: {tokens['scope']}", flush=True)

        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        userinfo = http.get(metadata["userinfo_endpoint"], headers=bearer).raise_for_status().json()
        assert userinfo["sub"] == claims["sub"]
        print(f"userinfo: {userinfo.get('name')}", flush=True)

        access_token = tokens["access_token"]
        if "refresh_token" in tokens:
            # [refresh]
            auth = (CLIENT_ID, CLIENT_SECRET) if CLIENT_SECRET else None
            form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
            if auth is None:
                form["client_id"] = CLIENT_ID
            refreshed = http.post(metadata["token_endpoint"], data=form, auth=auth).raise_for_status().json()
            assert refreshed["refresh_token"] != tokens["refresh_token"]  # rotated: keep only the new one
            # [/refresh]
            print("refreshed: a new access token and a new refresh token", flush=True)
            tokens, access_token = refreshed, refreshed["access_token"]

        answer = graphql(http, access_token, ME)
        me = (answer.get("data") or {}).get("me")
        if me:
            print(f"GraphQL me.displayName: {me['displayName']}", flush=True)

        if "refresh_token" in tokens:
            # [revoke]
            form = {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}
            if auth is None:
                form["client_id"] = CLIENT_ID
            http.post(metadata["revocation_endpoint"], data=form, auth=auth).raise_for_status()
            # [/revoke]
            print("signed out: the refresh token is revoked", flush=True)
    return 0 if me else 1


if __name__ == "__main__":
    sys.exit(main())

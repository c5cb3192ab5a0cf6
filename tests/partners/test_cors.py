"""CORS for the registered origins of public (browser) apps: a preflight and a request from an origin an active
public client registered get the CORS headers; an unregistered origin, or the origin of a suspended app, gets none;
a known origin costs no read of the graph."""

from __future__ import annotations

import partners.origins
from api.middleware import AllowListCORSMiddleware
from tests.partners.support import make_partner
from tests.partners.test_apps import SUSPEND, create_app
from tests.support import error_codes, gql

HEALTH = "{ health { ready } }"
PREFLIGHT = {"access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization"}
SPA = "https://ban-do.example"


def cors_middleware(app) -> AllowListCORSMiddleware:
    """The app's CORS middleware (Starlette builds the stack at the first request)."""
    layer = app.middleware_stack
    while not isinstance(layer, AllowListCORSMiddleware):
        layer = layer.app
    return layer


def cors_headers(response) -> list[str]:
    return [h for h in response.headers if h.startswith("access-control-")]


async def test_public_clients_origins_are_allowed_while_their_app_is_active(client, app, monkeypatch):
    reads: list[int] = []
    read_origins = partners.origins.active_public_origins

    async def counted(runtime):
        reads.append(1)
        return await read_origins(runtime)

    monkeypatch.setattr(partners.origins, "active_public_origins", counted)
    partner = await make_partner(app, client)
    cors_middleware(app).partner_origins.clock = lambda: 0.0  # time stands still: only changes refresh the cache
    created = await create_app(
        client,
        partner.owner,
        partner.organization_id,
        clientKind="PUBLIC",
        allowedOrigins=[SPA],
        scopes=[{"scope": "openid", "purposeVi": "Đăng nhập.", "purposeEn": "Sign-in."}],
    )

    preflight = await client.options("/graphql", headers={"origin": SPA, **PREFLIGHT})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == SPA
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    simple = await client.post("/graphql", json={"query": HEALTH}, headers={"origin": SPA})
    assert simple.status_code == 200 and simple.headers["access-control-allow-origin"] == SPA
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()

    stranger = "https://lua-dao.example"
    refused = await client.options("/graphql", headers={"origin": stranger, **PREFLIGHT})
    assert refused.status_code == 400 and error_codes(refused.json()) == ["BAD_REQUEST"]
    assert cors_headers(refused) == []
    sneaky = await client.post("/graphql", json={"query": HEALTH}, headers={"origin": stranger})
    assert sneaky.status_code == 200 and cors_headers(sneaky) == []
    assert len(reads) == 1, "read once after the app was created; known and unknown origins alike cost nothing then"
    for _ in range(3):
        await client.post("/graphql", json={"query": HEALTH}, headers={"origin": SPA})
    assert len(reads) == 1

    # Suspended: its origin is refused from the next request.
    officer = partner.owner.extra["officer"]
    suspended = await gql(client, SUSPEND, {"id": created["app"]["id"], "reason": "Vi phạm."}, headers=officer.auth)
    assert suspended["data"]["appSuspend"]["errors"] == []
    after = await client.options("/graphql", headers={"origin": SPA, **PREFLIGHT})
    assert after.status_code == 400 and cors_headers(after) == []
    assert len(reads) == 2
    cors_middleware(app).partner_origins.clock = lambda: 60.0  # past the few seconds it is trusted: read again
    await client.post("/graphql", json={"query": HEALTH}, headers={"origin": SPA})
    assert len(reads) == 3

"""Unit tests of the client address behind trusted proxies (api.app.client_address_middleware, which uses
uvicorn's ProxyHeadersMiddleware) and of the ``trusted_proxies`` setting. No database needed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.app import client_address_middleware
from core.settings import Settings


async def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(request.client.host if request.client else "")


async def client_address(trusted: str, peer: str, forwarded: list[str] | None = None) -> str:
    app = Starlette(routes=[Route("/", _echo)], middleware=client_address_middleware(Settings(trusted_proxies=trusted)))
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded or []]
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": headers,
        "client": (peer, 40000),
        "server": ("api", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()


async def test_without_trusted_proxies_the_tcp_peer_is_the_client():
    assert await client_address("", "10.0.0.2", ["203.0.113.9"]) == "10.0.0.2"


async def test_a_trusted_proxy_gives_the_right_most_untrusted_forwarded_address():
    assert await client_address("10.0.0.0/8", "10.0.0.2", ["203.0.113.9"]) == "203.0.113.9"
    # the client wrote its own X-Forwarded-For; the proxy appended the real peer: the right-most counts
    assert await client_address("10.0.0.0/8", "10.0.0.2", ["198.51.100.20, 203.0.113.9"]) == "203.0.113.9"
    # two proxies in a row, both trusted
    assert (
        await client_address("10.0.0.0/8, 172.16.0.5", "10.0.0.2", ["198.51.100.20, 203.0.113.9, 172.16.0.5"])
        == "203.0.113.9"
    )
    # headers repeated are one list, in order
    assert await client_address("10.0.0.0/8", "10.0.0.2", ["198.51.100.20", "203.0.113.9"]) == "203.0.113.9"


async def test_forwarded_addresses_from_an_untrusted_peer_are_ignored():
    assert await client_address("10.0.0.0/8", "192.0.2.50", ["198.51.100.20"]) == "192.0.2.50"
    assert await client_address("10.0.0.1", "10.0.0.2", ["198.51.100.20"]) == "10.0.0.2"


async def test_a_network_written_with_host_bits_is_trusted_as_that_network():
    # the setting accepts "10.0.0.1/8" (it means 10.0.0.0/8); uvicorn alone would take it for a host name
    assert await client_address("10.0.0.1/8", "10.0.0.2", ["203.0.113.9"]) == "203.0.113.9"
    assert await client_address("fd00::1/8", "fd00::2", ["2001:db8::7"]) == "2001:db8::7"


async def test_ipv6_proxies_and_clients():
    assert await client_address("fd00::/8", "fd00::1", ["2001:db8::7"]) == "2001:db8::7"


@pytest.mark.parametrize("value", ["*", "10.0.0.1, *", "proxy.internal", "10.0.0.0/33"])
def test_the_setting_refuses_wildcards_and_names(value):
    with pytest.raises(ValidationError):
        Settings(trusted_proxies=value)

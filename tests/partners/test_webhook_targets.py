"""``webhooks.targets``: the URL rules as a table, and the send-time resolution (every address checked, the request
pinned to the checked address)."""

from __future__ import annotations

import pytest

from core.errors import UserInputError
from webhooks import targets

ALLOWED = [
    ("https://hooks.partner.example/x", "production"),
    ("https://93.184.216.34:8443/x", "production"),
    ("https://[2606:4700::1111]/x", "production"),
    ("https://[2002:5db8:d822::1]/x", "production"),  # 6to4 of a global IPv4 address (93.184.216.34)
    ("http://127.0.0.1:9000/hook", "test"),
    ("http://127.0.0.1:9000/hook", "development"),
]
REFUSED = [
    ("http://hooks.partner.example/x", "production"),
    ("http://127.0.0.1:9000/hook", "production"),
    ("https://127.0.0.1/x", "production"),
    ("https://[::1]/x", "production"),
    ("https://10.0.0.1/x", "test"),
    ("https://172.16.5.4/x", "production"),
    ("https://100.64.0.1/x", "production"),  # carrier-grade NAT: not global
    ("https://169.254.169.254/x", "production"),
    ("https://224.0.0.251/x", "production"),
    ("https://[ff02::1]/x", "production"),
    ("https://[2002:a00:1::1]/x", "production"),  # 6to4 of 10.0.0.1
    ("https://[2002:7f00:1::1]/x", "test"),  # 6to4 of 127.0.0.1: loopback through a relay, never allowed
    ("https://[2002:a9fe:a9fe::1]/x", "production"),  # 6to4 of 169.254.169.254 (cloud metadata)
    ("https://[2001:0:a00:1::f5ff:fffe]/x", "production"),  # Teredo with a private server address
    ("https://localhost/x", "test"),
    ("https://printer.local/x", "production"),
    ("https://intranet/x", "production"),
    ("https://a:b@hooks.partner.example/x", "production"),
    ("https://hooks.partner.example/x#frag", "production"),
    ("hooks.partner.example/x", "production"),
    ("", "production"),
]


@pytest.mark.parametrize(("url", "environment"), ALLOWED)
def test_allowed(url, environment):
    assert targets.check_url(url, environment) == url


@pytest.mark.parametrize(("url", "environment"), REFUSED)
def test_refused(url, environment):
    with pytest.raises(UserInputError) as refused:
        targets.check_url(url, environment)
    assert refused.value.field == "url"


def _resolver(*addresses: str):
    async def resolve(host, port):
        return [(2, 1, 6, "", (address, port)) for address in addresses]

    return resolve


async def test_every_resolved_address_is_checked_and_the_request_goes_to_the_checked_one(monkeypatch):
    monkeypatch.setattr(targets, "getaddrinfo", _resolver("93.184.216.34"))
    target = await targets.resolve_target("https://hooks.partner.example/in?x=1", "production")
    assert target == targets.Target(
        url="https://93.184.216.34/in?x=1", host="hooks.partner.example", address="93.184.216.34"
    )
    monkeypatch.setattr(targets, "getaddrinfo", _resolver("93.184.216.34", "10.0.0.7"))
    with pytest.raises(targets.TargetRefused, match="10.0.0.7"):
        await targets.resolve_target("https://hooks.partner.example/in", "production")
    monkeypatch.setattr(targets, "getaddrinfo", _resolver("127.0.0.1"))
    with pytest.raises(targets.TargetRefused):
        await targets.resolve_target("https://hooks.partner.example/in", "production")
    monkeypatch.setattr(targets, "getaddrinfo", _resolver("::ffff:192.168.1.1"))
    with pytest.raises(targets.TargetRefused):
        await targets.resolve_target("https://hooks.partner.example:8443/in", "production")
    monkeypatch.setattr(targets, "getaddrinfo", _resolver("2002:c0a8:101::1"))  # 6to4 of 192.168.1.1
    with pytest.raises(targets.TargetRefused, match="2002:c0a8:101::1"):
        await targets.resolve_target("https://hooks.partner.example/in", "production")


async def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    async def fails(host, port):
        raise OSError("Name or service not known")

    monkeypatch.setattr(targets, "getaddrinfo", fails)
    with pytest.raises(targets.TargetRefused, match="does not resolve"):
        await targets.resolve_target("https://nowhere.partner.example/", "production")

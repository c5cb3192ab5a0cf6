"""Where a webhook may be sent: no server-side request forgery through a subscription's URL.

Checked twice. When a subscription is created or changed (``check_url``): an absolute URL, https in production
(http is allowed only for ``http://127.0.0.1:<port>`` outside production: a developer's or the tests' receiver), no
user or password in it, and no literal IP or name that is private, loopback, link-local, multicast, reserved or
unspecified (``localhost`` and ``*.localhost`` count as loopback; a 6to4 or Teredo IPv6 address counts as what its
embedded IPv4 address is). And each time a delivery is sent
(``resolve_target``): the host name is resolved and **every** address it resolves to must be public, because a name
can point somewhere else after it was checked (DNS rebinding); the request then goes to the address that was
checked (``Target``: the URL with that address, the ``Host`` header and the TLS server name of the original host),
never to a second resolution.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from core.errors import UserInputError

MAX_URL = 2000

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MUST_BE_HTTPS = (
    "A webhook URL is an absolute https:// address of at most {limit} characters, without a user or password "
    "(outside production also http://127.0.0.1:<port>)."
)
NOT_PUBLIC = "A webhook URL must point to a public internet address, not a private, loopback or local one."


class TargetRefused(Exception):
    """A delivery's URL resolved to an address it may not be sent to (or did not resolve at all)."""


def _loopback_allowed(environment: str) -> bool:
    return environment != "production"


def _refused_address(address: IpAddress, environment: str) -> bool:
    """Whether a delivery may not go to ``address``: anything but a global unicast address (loopback 127.0.0.1 is
    allowed outside production only)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.sixtofour is not None and _refused_address(address.sixtofour, "production"):
            return True  # 6to4 (2002::/16) relays to its embedded IPv4 address: that one must be global too
        elif address.teredo is not None and any(_refused_address(a, "production") for a in address.teredo):
            return True  # Teredo (2001::/32): its server and client IPv4 addresses must be global too
    if address.is_loopback and _loopback_allowed(environment) and address == ipaddress.IPv4Address("127.0.0.1"):
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(value: str, environment: str, field: str = "url") -> str:
    """The webhook URL, checked as given (its scheme, and its host when it is a literal IP or a local name);
    INVALID_INPUT naming ``field`` otherwise."""
    cleaned = (value or "").strip()
    parts = urlsplit(cleaned) if 0 < len(cleaned) <= MAX_URL and " " not in cleaned else None
    try:
        port_ok = parts is not None and (parts.port is None or parts.port > 0)
    except ValueError:
        port_ok = False
    host = (parts.hostname or "").lower() if parts is not None else ""
    if parts is None or not host or "@" in parts.netloc or not port_ok or parts.fragment:
        raise UserInputError(MUST_BE_HTTPS, field=field, params={"limit": MAX_URL})
    literal = _literal(host)
    if parts.scheme == "http":
        local_receiver = literal == ipaddress.IPv4Address("127.0.0.1") and _loopback_allowed(environment)
        if not local_receiver:
            raise UserInputError(MUST_BE_HTTPS, field=field, params={"limit": MAX_URL})
    elif parts.scheme != "https":
        raise UserInputError(MUST_BE_HTTPS, field=field, params={"limit": MAX_URL})
    local_name = host == "localhost" or host.endswith((".localhost", ".local")) or "." not in host
    if literal is None and local_name:
        raise UserInputError(NOT_PUBLIC, field=field)
    if literal is not None and _refused_address(literal, environment):
        raise UserInputError(NOT_PUBLIC, field=field)
    return cleaned


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: ``url`` names the checked address, ``host`` is the original host (the ``Host``
    header, and the TLS server name for https)."""

    url: str
    host: str
    address: str


async def _getaddrinfo(host: str, port: int) -> list[tuple[object, ...]]:
    """The system resolver (the tests put a resolver of their own here to play a rebinding DNS)."""
    loop = asyncio.get_running_loop()
    return list(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))


getaddrinfo = _getaddrinfo


async def _addresses(host: str, port: int) -> list[IpAddress]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = await getaddrinfo(host, port)
    except OSError as error:
        raise TargetRefused(f"the host name {host} does not resolve ({error})") from error
    found: list[IpAddress] = []
    for info in infos:
        sockaddr = info[4]
        assert isinstance(sockaddr, tuple)
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def resolve_target(url: str, environment: str) -> Target:
    """The address a delivery to ``url`` goes to, resolved now; ``TargetRefused`` when the URL no longer passes
    ``check_url`` or any address the name resolves to may not be reached."""
    try:
        check_url(url, environment)
    except UserInputError as error:
        raise TargetRefused(error.message) from error
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await _addresses(host, port)
    if not addresses:
        raise TargetRefused(f"the host name {host} resolves to no address")
    refused = [str(a) for a in addresses if _refused_address(a, environment)]
    if refused:
        raise TargetRefused(f"{host} resolves to an address that is not public ({', '.join(refused)})")
    chosen = addresses[0]
    shown = f"[{chosen}]" if isinstance(chosen, ipaddress.IPv6Address) else str(chosen)
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = f"{host}:{parts.port}" if parts.port else host
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(url=pinned, host=host_header, address=str(chosen))

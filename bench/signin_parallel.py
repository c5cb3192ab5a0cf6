"""Parallel sign-in guesses on one account: how many passwords are checked (argon2 runs) and how each ends.

Registers fresh people through the API (in-process ASGI app, no network), then fires ``--parallel``
``sessionLogin`` requests at once on one account and prints, per scenario, the number of argon2
verifications and the outcomes by code (``ok``, ``INVALID_CREDENTIALS``, ``RATE_LIMITED``,
``INTERNAL`` ...). Scenarios:

- ``wrong``: every request has a wrong password;
- ``wrong+right``: all wrong but the last, which has the right password (it must be refused once the
  account is locked).

Needs a running Neo4j with migrations applied (``NEO4J_URI``/``NEO4J_PASSWORD`` or the local server);
it adds a few people to that database. Run::

    (source env.sh; NEO4J_PASSWORD=$(cat var/neo4j-password) .venv/bin/python -m bench.signin_parallel)
"""

from __future__ import annotations

import argparse
import asyncio
import random
import threading
from collections import Counter

import httpx
from argon2 import PasswordHasher
from asgi_lifespan import LifespanManager

import auth.passwords
from api.app import create_app
from core.settings import get_settings
from tests.identity.people import register

LOGIN = """
mutation Login($identifier: String!, $password: String!) {
  sessionLogin(input: {identifier: $identifier, password: $password}) { tokens { sessionId } errors { code } }
}
"""


class CountingHasher(PasswordHasher):
    """argon2-cffi's hasher that counts verifications (and the dummy hash run for a missing account)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.verifications = 0
        self.counting = False

    def verify(self, hash, password):
        with self.lock:
            self.verifications += self.counting
        return super().verify(hash, password)


def outcome(body: dict) -> str:
    if body.get("errors"):
        return body["errors"][0].get("extensions", {}).get("code", "?")
    result = body["data"]["sessionLogin"]
    return "ok" if result["tokens"] else result["errors"][0]["code"]


async def scenario(app, hasher: CountingHasher, parallel: int, right_last: bool) -> str:
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"  # a fresh client address
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
        return await _scenario(client, hasher, parallel, right_last)


async def _scenario(client: httpx.AsyncClient, hasher: CountingHasher, parallel: int, right_last: bool) -> str:
    number = f"001090{random.randint(0, 999_999):06d}"  # a fresh citizen ID (born 1990, male) each run
    someone = await register(client, document={"kind": "CCCD", "number": number})
    passwords = [f"wrong guess number {i}" for i in range(parallel)]
    if right_last:
        passwords[-1] = someone.password
    hasher.verifications, hasher.counting = 0, True

    async def attempt(password: str) -> str:
        response = await client.post(
            "/graphql", json={"query": LOGIN, "variables": {"identifier": someone.document, "password": password}}
        )
        return outcome(response.json()) if response.status_code == 200 else f"HTTP {response.status_code}"

    outcomes = await asyncio.gather(*(attempt(p) for p in passwords))
    hasher.counting = False
    counts = Counter(outcomes)
    right = f"; right password (last): {outcomes[-1]}" if right_last else ""
    name = "wrong+right" if right_last else "wrong"
    return (
        f"{name:<12} {parallel} parallel: argon2 verifications {hasher.verifications}; "
        + ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
        + right
    )


async def main(parallel: int, rounds: int) -> None:
    settings = get_settings()
    hasher = CountingHasher()
    auth.passwords.HASHER = hasher
    app = create_app(settings)
    async with LifespanManager(app):
        print(
            f"free failures: account {settings.login_free_failures}, address {settings.login_free_failures_per_address}"
        )
        for _ in range(rounds):
            print(await scenario(app, hasher, parallel, right_last=False))
            print(await scenario(app, hasher, parallel, right_last=True))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2, help="how many times to run each scenario")
    args = parser.parse_args()
    asyncio.run(main(args.parallel, args.rounds))

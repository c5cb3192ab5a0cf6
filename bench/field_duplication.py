"""Times the fuzzer's field-duplication request (480 x `me { id }`, 4.8 KB) and one at the field limit.

Needs a running Neo4j with migrations applied (``make neo4j-start``, or NEO4J_URI).
Run: ``.venv/bin/python -m bench.field_duplication``. Each round sends a new text (a trailing space
more), so the parser and validation caches never hit, as with a fuzzer.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from core.settings import get_settings


async def main(rounds: int = 3) -> None:
    settings = get_settings().model_copy(update={"var_dir": Path(tempfile.mkdtemp()), "log_level": "WARNING"})
    app = create_app(settings)
    at_limit = settings.max_fields // 2  # `me { id }` is two fields
    async with LifespanManager(app) as manager:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as http:
            for copies in (480, at_limit):
                document = "{ " + " ".join("me { id }" for _ in range(copies)) + " }"
                for round_ in range(rounds):
                    started = time.perf_counter()
                    response = await http.post("/graphql", json={"query": document + " " * round_})
                    elapsed = time.perf_counter() - started
                    codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
                    print(f"{copies} x me {{ id }} ({len(document):,} bytes): {elapsed:.3f} s {codes or 'ok'}")


if __name__ == "__main__":
    asyncio.run(main())

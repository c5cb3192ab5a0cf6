"""The API under uvicorn, as ``hanoismart serve`` runs it, for the bench: started by ``bench/run.py`` as a
subprocess (``python bench/server.py --port N``), with the Python and the code of the checkout under test (its
``.venv`` and its folder first on ``sys.path``), so one bench measures any checkout.

The only difference from ``hanoismart serve``: an outer ASGI layer counts the Cypher statements each request runs
(``graph.driver.statement_counter``, the counter the statement tests use) and returns the count in the response
header ``X-Bench-Statements``. It exists only in this process, which only the bench starts: the API never sends it.

Run as a script, not as ``bench.server``: the checkout under test has a ``bench`` package of its own.
"""

from __future__ import annotations

import argparse
import os
import sys

HEADER = b"x-bench-statements"


def _checkout_first() -> str:
    """Put the checkout under test (``BENCH_APP_DIR``, else the working folder) first on ``sys.path``, and this
    script's own folder off it (its modules must not shadow the checkout's)."""
    here = os.path.dirname(os.path.abspath(__file__))
    app_dir = os.path.abspath(os.environ.get("BENCH_APP_DIR") or os.getcwd())
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != here]
    sys.path.insert(0, app_dir)
    return app_dir


class CountStatements:
    """ASGI layer: the number of statements run for a request, in the ``X-Bench-Statements`` response header."""

    def __init__(self, app, counter_var) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.counter_var = counter_var

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or self.counter_var is None:
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = self.counter_var.set(counter)

        async def send_with_count(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (HEADER, str(counter[0]).encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            self.counter_var.reset(token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _checkout_first()

    import uvicorn

    from api.app import create_app
    from core.logs import configure_logging
    from core.settings import get_settings

    try:
        from graph.driver import statement_counter
    except ImportError:  # a checkout without the counter: no header, the bench prints n/a
        statement_counter = None

    settings = get_settings()
    configure_logging(settings)
    uvicorn.run(
        CountStatements(create_app(settings), statement_counter),
        host=args.host,
        port=args.port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        # The bench keeps its connections open between operations; uvicorn's 5 s default would close one
        # just as the client reuses it (a ReadError that is the harness's, not the API's).
        timeout_keep_alive=600,
    )


if __name__ == "__main__":
    main()

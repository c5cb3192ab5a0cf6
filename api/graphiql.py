"""GraphiQL served from this API: its page and the npm files ``scripts/fetch_graphiql.py`` unpacked.

A machine without internet gets a working GraphiQL (no CDN); when the files are missing the page says
how to fetch them instead of staying at "Loading…".
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response

from core.settings import Settings

STATIC_PATH = "/graphql/static"
#: The files the page loads, all produced by scripts/fetch_graphiql.py (a test checks they agree).
ASSETS = {
    "graphiql.min.css": "text/css; charset=utf-8",
    "react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom.production.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.js": "text/javascript; charset=utf-8",
}
_TEMPLATE = Path(__file__).parent / "static" / "graphiql.html"

MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL is not installed</title></head>
<body style="font-family: sans-serif; max-width: 44em; margin: 3em auto; line-height: 1.5">
<h1>GraphiQL's files are not installed</h1>
<p>This API serves GraphiQL from its own files (no CDN), and they are missing from
<code>{folder}</code>: {missing}.</p>
<p>Fetch them from the npm registry (checked against their pinned sha512) with
<code>make graphiql</code>, or <code>python scripts/fetch_graphiql.py</code> in the checkout;
<code>make serve</code> does it too. Then reload this page.</p>
<p>The API itself works: POST GraphQL to this URL.</p>
</body></html>
"""


def missing_assets(settings: Settings) -> list[str]:
    return [name for name in ASSETS if not (settings.graphiql_assets_dir / name).is_file()]


def page(settings: Settings) -> Response:
    """GraphiQL's page pointing at the local files, or a page saying how to get them."""
    missing = missing_assets(settings)
    if missing:
        text = MISSING.format(
            folder=html.escape(str(settings.graphiql_assets_dir)), missing=html.escape(", ".join(missing))
        )
        return HTMLResponse(text)
    return HTMLResponse(_TEMPLATE.read_text(encoding="utf-8").replace("{{ASSETS}}", STATIC_PATH))


async def asset(request: Request) -> Response:
    """``GET /graphql/static/{name}``: one of the four files, nothing else from that folder."""
    settings: Settings = request.app.state.settings
    name = request.path_params["name"]
    path = settings.graphiql_assets_dir / name
    if not settings.graphiql_enabled or name not in ASSETS or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=3600"})

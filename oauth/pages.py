"""The OpenID Provider's server-rendered pages: sign-in, consent and error (Jinja2, autoescaped, no JavaScript).

``render`` is the one way a page leaves: it picks the language (Vietnamese by default; English with
``ui_locales=en`` or ``Accept-Language``), and sends the security headers of every page: a Content-Security-Policy
whose ``form-action`` allows ``'self'`` and the client's redirect URI (a plain ``'self'`` blocks the redirect back
to the app after the form's POST), ``frame-ancestors 'none'``, ``no-store`` caching and no referrer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), auto_reload=False
)


def page_language(request: Request, ui_locales: str | None = None) -> str:
    """ "en" when ``ui_locales`` or ``Accept-Language`` prefers English; Vietnamese ("vi") otherwise."""
    for tag in (ui_locales or "").split():
        if tag.lower().startswith("en"):
            return "en"
        if tag.lower().startswith("vi"):
            return "vi"
    accept = request.headers.get("accept-language", "")
    first = accept.split(",", 1)[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    form_action = " ".join(["'self'", *form_targets])
    return (
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
        f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    status: int = 200,
    form_targets: Iterable[str] = (),
) -> HTMLResponse:
    """The page ``template`` with ``context`` in ``language``; ``form_targets`` are the URIs its forms may lead to
    (the client's redirect URI on the consent page)."""
    html = _environment.get_template(template).render({**context, "lang": language})
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": content_security_policy(form_targets),
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
        },
    )

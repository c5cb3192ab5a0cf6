"""The sign-in and consent pages in a real browser (Debian's Chromium through Playwright, tests/partners/browser.py)
against a real server on the test Neo4j: what a person reads and clicks, the redirect back to the app (captured
with ``page.route``, so no client app runs), the CSP not blocking it, and axe's accessibility check (0 violations).
"""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.async_api import Page, Route
from starlette.requests import Request

from oauth import pages
from tests.partners.browser import axe_violations, browser, fits_320_pixels, live_server  # noqa: F401 (fixtures)
from tests.partners.test_pages import app_context, consent_context

# A 1x1 PNG: the app's logo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000 1f15c4890000000d49444154789c6360f8cfc0f01f0005"
    "0001ff5a1d0e5a0000000049454e44ae426082".replace(" ", "")
)


async def serve_logo(route: Route) -> None:
    await route.fulfill(status=200, body=PNG, headers={"content-type": "image/png"})


def rendered(template: str, context: dict, language: str, status: int = 200) -> dict:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    response = pages.render(request, template, context, language=language, status=status,
                            form_targets=["https://app.example/callback"])  # fmt: skip
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return {"status": status, "headers": headers, "body": response.body}


async def open_rendered(page: Page, base: str, name: str, page_response: dict) -> None:
    """Show a page as ``render`` makes it (its headers too) at ``base``/__pages/``name``: its stylesheet comes from
    the live server."""

    async def fulfill(route: Route) -> None:
        await route.fulfill(**page_response)

    await page.route(f"{base}/__pages/{name}", fulfill)
    response = await page.goto(f"{base}/__pages/{name}")
    assert response is not None and response.status == page_response["status"]


async def test_every_page_as_rendered_passes_axe_and_reads_at_320_pixels(live_server, browser):  # noqa: F811
    """Each page in each state (sign-in with an error, consent of a sandbox app with a logo, error), both
    languages: axe finds nothing, the stylesheet loads under the CSP, nothing scrolls sideways at 320 px."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.route("https://app.example/**", serve_logo)
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        for language in ("vi", "en"):
            login = {"app": app_context(), "csrf_token": "c", "action": "/oauth/login", "hidden": {"r": "1"},
                     "error": "Sai thông tin đăng nhập." if language == "vi" else "Wrong sign-in details.",
                     "identifier": "0912345678"}  # fmt: skip
            consent = consent_context(language, sandbox=True) | {"expires_at": datetime(2027, 1, 1, tzinfo=UTC)}
            error = {"title": "Lỗi", "message": "Ứng dụng không tồn tại.", "app": app_context()}
            for name, page_response in (
                ("login", rendered("login.html", login, language, 401)),
                ("consent", rendered("consent.html", consent, language)),
                ("error", rendered("error.html", error, language, 400)),
            ):
                await page.set_viewport_size({"width": 1024, "height": 768})
                await open_rendered(page, live_server.url, f"{name}-{language}", page_response)
                primary = await page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
                assert primary == "rgb(255, 255, 255)", "the stylesheet loaded"
                assert await axe_violations(page) == "", f"{name} ({language})"
                assert await fits_320_pixels(page), f"{name} ({language}) scrolls sideways at 320 px"
        assert blocked == []
    finally:
        await context.close()

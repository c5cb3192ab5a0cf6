"""The sign-in and consent pages in a real browser (Debian's Chromium through Playwright, tests/partners/browser.py)
against a real server on the test Neo4j: what a person reads and clicks, the redirect back to the app (captured
with ``page.route``, so no client app runs), the CSP not blocking it, and axe's accessibility check (0 violations).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from playwright.async_api import Page, Route
from starlette.requests import Request

from oauth import pages
from tests.identity.people import Someone, register, uuid_of
from tests.partners.browser import axe_violations, browser, fits_320_pixels, live_server  # noqa: F401 (fixtures)
from tests.partners.support import Partner, SeededApp, make_partner, seed_app, seed_grant
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


# --- the flow on the live server -------------------------------------------------------------------------------

CALLBACK = "https://app.example/callback"


@dataclass
class Flow:
    """A partner's production app, a person who already granted it the basic scopes, and the PKCE pair."""

    seeded: SeededApp
    person: Someone
    partner: Partner
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    state: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    def authorize_url(self, base: str, **extra: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.seeded.client_id,
            "redirect_uri": CALLBACK,
            "scope": "openid profile.basic ward.read",
            "state": self.state,
            "nonce": "n-0S6_WzA2Mj",
            "code_challenge": create_s256_code_challenge(self.verifier),
            "code_challenge_method": "S256",
            **extra,
        }
        return f"{base}/oauth/authorize?{urlencode(query)}"


@pytest.fixture
async def flow(app, client) -> Flow:
    partner = await make_partner(app, client)
    seeded = await seed_app(app, partner, scopes=("openid", "profile.basic", "ward.read"), redirect_uris=(CALLBACK,))
    person = await register(client, fullName="Lê Thị Hồng")  # level 0 is enough for these scopes
    await seed_grant(app, seeded, uuid_of(person.id), scopes=("openid", "profile.basic"))
    return Flow(seeded, person, partner)


async def sign_in(page: Page, flow: Flow, url: str, button: str):
    """Open the authorization URL, sign in on the sign-in page; the consent page's response."""
    opened = await page.goto(url)
    assert opened is not None and opened.status == 200
    assert await axe_violations(page) == "", "sign-in page"
    await page.get_by_label(re.compile("CCCD|Citizen ID")).fill(flow.person.document)
    await page.get_by_label(re.compile("^(Mật khẩu|Password)$")).fill(flow.person.password)
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name=button).click()
    consent = await navigation.value
    assert consent is not None and consent.status == 200, await page.content()
    return consent


async def capture_redirects(page: Page) -> list[dict[str, str]]:
    """What the app receives at its redirect URI (no app runs: the browser's request is answered here)."""
    received: list[dict[str, str]] = []

    async def callback(route: Route) -> None:
        received.append({k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()})
        await route.fulfill(status=200, body="ok", headers={"content-type": "text/plain"})

    await page.route("https://app.example/**", callback)
    return received


async def test_vi_sign_in_read_the_consent_allow_and_exchange_the_code(live_server, browser, flow):  # noqa: F811
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    received = await capture_redirects(page)
    try:
        consent = await sign_in(page, flow, flow.authorize_url(live_server.url), "Đăng nhập")
        policy = consent.headers["content-security-policy"]
        assert f"form-action 'self' {CALLBACK}" in policy and "frame-ancestors 'none'" in policy
        assert consent.headers["cache-control"] == "no-store"

        main = page.get_by_role("main")
        assert await page.get_by_role("heading", level=1).inner_text() == (
            "Đỗ Xe Hà Nội muốn truy cập tài khoản HanoiSmart của bạn"
        )
        text = " ".join((await main.inner_text()).split())
        assert "Bạn đang đăng nhập là Lê Thị Hồng." in text
        assert "Tìm và trả tiền chỗ đỗ xe ở Hà Nội." in text
        assert re.search(rf"Phát triển bởi {flow.partner.name}, .*\(mã số thuế kết thúc bằng \d{{4}}", text)
        new = page.get_by_role("region", name="Ứng dụng xin các quyền sau")
        assert " ".join((await new.inner_text()).split()) == (
            "Ứng dụng xin các quyền sau Phường, xã nơi bạn sống Mục đích: Để phục vụ bạn (ward.read)."
        )
        granted = " ".join((await page.get_by_role("region", name="Bạn đã cho phép trước đây").inner_text()).split())
        assert "Tên hiển thị và vai trò của bạn" in granted and "ward.read" not in granted
        assert re.search(r"có hiệu lực đến \d\d:\d\d ngày \d+ tháng \d+ năm \d{4} \(giờ Hà Nội\)", text)
        assert await page.get_by_text("SANDBOX").count() == 0
        assert await axe_violations(page) == "", "consent page (vi)"

        await page.get_by_role("button", name="Đồng ý").click()
        await page.wait_for_url(f"{CALLBACK}?**")
    finally:
        await context.close()
    assert blocked == [], "the CSP let the redirect back to the app through"
    assert len(received) == 1
    answer = received[0]
    assert answer["state"] == flow.state and answer["iss"] == live_server.url and answer["code"]

    async with httpx.AsyncClient(base_url=live_server.url) as http:
        exchanged = await http.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": answer["code"],
                "redirect_uri": CALLBACK,
                "code_verifier": flow.verifier,
            },  # fmt: skip
            auth=(flow.seeded.client_id, flow.seeded.client_secret or ""),
        )
    assert exchanged.status_code == 200, exchanged.text
    tokens = exchanged.json()
    assert tokens["token_type"].lower() == "bearer" and tokens["access_token"] and tokens["id_token"]
    assert set(tokens["scope"].split()) == {"openid", "profile.basic", "ward.read"}


async def test_en_deny_sends_access_denied_back(live_server, browser, flow):  # noqa: F811
    context = await browser.new_context(locale="vi-VN")  # ui_locales wins over the browser's language
    page = await context.new_page()
    received = await capture_redirects(page)
    try:
        await sign_in(page, flow, flow.authorize_url(live_server.url, ui_locales="en"), "Sign in")
        assert await page.locator("html").get_attribute("lang") == "en"
        assert await page.get_by_role("heading", level=1).inner_text() == (
            "Đỗ Xe Hà Nội wants to access your HanoiSmart account"
        )
        text = " ".join((await page.get_by_role("main").inner_text()).split())
        assert "The ward or commune you live in Purpose: To serve you (ward.read)." in text
        assert "You allowed before" in text and re.search(r"lasts until \d+ \w+ \d{4} at \d\d:\d\d", text)
        assert await axe_violations(page) == "", "consent page (en)"
        await page.get_by_role("button", name="Deny").click()
        await page.wait_for_url(f"{CALLBACK}?**")
    finally:
        await context.close()
    assert len(received) == 1
    answer = received[0]
    assert answer["error"] == "access_denied" and "code" not in answer
    assert answer["state"] == flow.state and answer["iss"] == live_server.url

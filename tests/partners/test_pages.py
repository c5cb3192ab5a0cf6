"""The sign-in, consent and error pages of the OpenID Provider (oauth/pages.py), rendered without a browser: their
texts in both languages, what the consent page shows (app, partner, sandbox, new and granted scopes apart, the
expiry in Hà Nội time), the escaping of what a partner typed, the form fields the OAuth endpoints read, the
accessibility hooks and the security headers. tests/partners/test_consent_browser.py runs them in Chromium."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.requests import Request

from oauth import pages

REDIRECT_URI = "https://app.example/callback"
VOID = {"meta", "link", "input", "img", "br", "hr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            wanted = tag is None or child.tag == tag
            if wanted and all(child.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(child)
            found.extend(child.find_all(tag, **attrs))
        return found

    def find(self, tag: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> found"
        return found[0]

    @property
    def words(self) -> str:
        return " ".join(self.text.split())


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for open_element in self.stack:
            open_element.text += data


def parse(html: str) -> Element:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert tree.stack == [tree.root], "an element is left open"
    return tree.root


def request(accept_language: str | None = None) -> Request:
    headers = [(b"accept-language", accept_language.encode())] if accept_language else []
    return Request({"type": "http", "method": "GET", "path": "/oauth/authorize", "headers": headers})


def app_context(**overrides: Any) -> dict[str, Any]:
    app = {
        "name": "Đỗ Xe Hà Nội",
        "description": "Tìm và trả tiền chỗ đỗ xe ở Hà Nội.",
        "logo_url": "https://app.example/logo.png",
        "homepage_url": "https://app.example",
        "privacy_policy_url": "https://app.example/privacy",
        "sandbox": False,
        "partner_name": "Công ty Cổ phần Đỗ Xe Thông Minh",
        "partner_tax_last4": "4821",
    }
    app.update(overrides)
    return app


def consent_context(language: str, **app_overrides: Any) -> dict[str, Any]:
    vi = language == "vi"
    return {
        "app": app_context(**app_overrides),
        "csrf_token": "csrf-123",
        "action": "/oauth/authorize",
        "hidden": {"request_id": "req-9", "state": "s<t>"},
        "person_name": "Nguyễn Văn An",
        "new_scopes": [
            {
                "name": "ward.read",
                "title": "Phường, xã nơi bạn sống" if vi else "The ward or commune you live in",
                "purpose": "Gợi ý bãi đỗ gần nhà." if vi else "To suggest car parks near home.",
            },
            {
                "name": "contact.read",
                "title": "Số điện thoại và địa chỉ e-mail của bạn" if vi else "Your phone number and e-mail address",
                "purpose": "Gửi biên lai." if vi else "To send receipts.",
            },
        ],
        "granted_scopes": [
            {
                "name": "profile.basic",
                "title": "Tên hiển thị và vai trò của bạn" if vi else "Your display name and roles",
                "purpose": "Chào bạn." if vi else "To greet you.",
            }
        ],
        # 20:00 UTC on 30 November is 03:00 on 1 December in Hà Nội
        "expires_at": datetime(2027, 11, 30, 20, 0, tzinfo=UTC),
    }


def render(template: str, context: dict[str, Any], language: str, **kwargs: Any):
    response = pages.render(request(), template, context, language=language, **kwargs)
    html = response.body.decode()
    return response, html, parse(html)


def assert_accessible_basics(html: str, page: Element, language: str) -> None:
    """The hooks axe cannot all see from one render: one h1, landmarks, labels tied to inputs, no inline code."""
    assert page.find("html").attrs["lang"] == language
    assert len(page.find_all("h1")) == 1
    assert page.find_all("main") and page.find_all("header") and page.find_all("footer")
    assert page.find("meta", name="viewport").attrs["content"] == "width=device-width, initial-scale=1"
    labels = {label.attrs["for"] for label in page.find_all("label")}
    for field_ in page.find_all("input"):
        if field_.attrs.get("type") != "hidden":
            assert field_.attrs["id"] in labels, field_
    for button in page.find_all("button"):
        assert button.words, "every button says what it does"
    assert "<script" not in html and "style=" not in html, "CSP: no inline script or style"
    stylesheet = page.find("link", rel="stylesheet").attrs["href"]
    assert stylesheet.startswith("/oauth/static/pages.css?v=")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_consent_page_shows_the_app_its_partner_the_scopes_and_the_expiry(language):
    response, html, page = render("consent.html", consent_context(language), language, form_targets=[REDIRECT_URI])
    vi = language == "vi"
    assert response.status_code == 200
    assert response.headers["content-language"] == language
    assert_accessible_basics(html, page, language)
    words = page.words

    assert page.find("h1").words == (
        "Đỗ Xe Hà Nội muốn truy cập tài khoản HanoiSmart của bạn"
        if vi
        else "Đỗ Xe Hà Nội wants to access your HanoiSmart account"
    )
    assert ("Bạn đang đăng nhập là Nguyễn Văn An." if vi else "You are signed in as Nguyễn Văn An.") in words
    assert "Tìm và trả tiền chỗ đỗ xe ở Hà Nội." in words
    assert page.find("img").attrs["src"] == "https://app.example/logo.png"
    assert page.find("img").attrs["alt"] == ("Biểu trưng của Đỗ Xe Hà Nội" if vi else "Đỗ Xe Hà Nội logo")
    partner = page.find("p", class_="partner").words
    assert "Công ty Cổ phần Đỗ Xe Thông Minh" in partner
    assert ("mã số thuế kết thúc bằng 4821" if vi else "tax code ending in 4821") in partner
    # Registered by a verified person, the organisation itself is not verified: the page does not say it is.
    assert ("đối tác đã đăng ký với HanoiSmart" if vi else "a partner registered with HanoiSmart") in partner
    assert ("xác minh" if vi else "verified") not in partner
    links = {a.attrs["href"]: a.words for a in page.find_all("a")}
    assert links == {
        "https://app.example": "Trang chủ của Đỗ Xe Hà Nội" if vi else "Đỗ Xe Hà Nội home page",
        "https://app.example/privacy": (
            "Chính sách quyền riêng tư của Đỗ Xe Hà Nội" if vi else "Đỗ Xe Hà Nội privacy policy"
        ),
    }
    assert not page.find_all(class_="badge"), "a production app has no sandbox badge"

    new, granted = page.find_all("section", class_="scopes"), page.find_all("section", class_="scopes granted")
    assert len(new) == 1 and len(granted) == 1
    new_items = {li.attrs["data-scope"]: li.words for li in new[0].find_all("li")}
    if vi:
        assert new[0].find("h2").words == "Ứng dụng xin các quyền sau"
        assert new_items == {
            "ward.read": "Phường, xã nơi bạn sống Mục đích: Gợi ý bãi đỗ gần nhà.",
            "contact.read": "Số điện thoại và địa chỉ e-mail của bạn Mục đích: Gửi biên lai.",
        }
        assert granted[0].find("h2").words == "Bạn đã cho phép trước đây"
    else:
        assert new[0].find("h2").words == "The app asks for"
        assert new_items == {
            "ward.read": "The ward or commune you live in Purpose: To suggest car parks near home.",
            "contact.read": "Your phone number and e-mail address Purpose: To send receipts.",
        }
        assert granted[0].find("h2").words == "You allowed before"
    assert [li.attrs["data-scope"] for li in granted[0].find_all("li")] == ["profile.basic"]
    assert "profile.basic" not in new_items, "scopes already granted are shown apart"

    assert page.find("p", class_="expiry").words == (
        "Sự đồng ý này có hiệu lực đến 03:00 ngày 1 tháng 12 năm 2027 (giờ Hà Nội)."
        if vi
        else "This consent lasts until 1 December 2027 at 03:00 (Hà Nội time)."
    )

    form = page.find("form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/oauth/authorize"
    hidden = {i.attrs["name"]: i.attrs["value"] for i in form.find_all("input", type="hidden")}
    assert hidden == {"csrf_token": "csrf-123", "request_id": "req-9", "state": "s<t>"}
    buttons = [(b.attrs["name"], b.attrs["value"], b.words) for b in form.find_all("button")]
    assert buttons == [
        ("decision", "approve", "Đồng ý" if vi else "Allow"),
        ("decision", "deny", "Từ chối" if vi else "Deny"),
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_sandbox_app_wears_the_badge_and_the_page_says_what_it_means(language):
    _, _, page = render("consent.html", consent_context(language, sandbox=True), language)
    assert page.find(class_="badge").words == "SANDBOX"
    explained = page.find("p", class_="sandbox").words
    assert ("chưa duyệt nó cho người dùng thật" if language == "vi" else "not yet approved it for real users") in (
        explained
    )


def test_nothing_new_to_grant_is_said_and_no_granted_section_without_grants():
    context = consent_context("vi") | {"new_scopes": [], "granted_scopes": []}
    _, _, page = render("consent.html", context, "vi")
    assert "Ứng dụng không xin thêm quyền nào mới." in page.words
    assert page.find_all("section", class_="scopes granted") == []


def test_what_a_partner_typed_is_escaped_and_its_links_are_web_links_only():
    hostile = '<script>alert("x")</script>'
    context = consent_context("en", name=hostile, description=f"<b>{hostile}</b>", partner_name=hostile,
                              homepage_url="javascript:alert(1)", logo_url="data:text/html,<script>",
                              privacy_policy_url='https://app.example/p"onmouseover="x')  # fmt: skip
    context["new_scopes"][0]["purpose"] = hostile
    _, html, page = render("consent.html", context, "en")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; wants to access" in html
    assert page.find("h1").words == f"{hostile} wants to access your HanoiSmart account"
    assert page.find_all("img") == [], "a logo must be an http(s) URL"
    assert [a.attrs["href"] for a in page.find_all("a")] == ['https://app.example/p"onmouseover="x']
    assert "onmouseover=" not in re.sub(r'href="[^"]*"', "", html)


def test_the_security_headers_allow_forms_only_to_us_and_the_redirect_uri():
    response, _, _ = render("consent.html", consent_context("vi"), "vi", form_targets=[REDIRECT_URI])
    policy = dict(
        (directive.split(" ", 1) + [""])[:2] for directive in response.headers["content-security-policy"].split("; ")
    )
    assert policy["form-action"] == f"'self' {REDIRECT_URI}"
    assert policy["default-src"] == "'none'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "script-src" not in policy and "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_form_action_keeps_a_redirect_uri_a_policy_can_hold_and_nothing_else():
    assert pages.content_security_policy().count("form-action 'self';") == 1
    targets = [
        "https://app.example/cb?tenant=7#x",  # a query has no place in a source expression: path kept
        "http://127.0.0.1:8765/callback",
        "com.example.parking:/oauth",  # a native app's private-use scheme
        "https://evil.example/; script-src *",  # would add a directive
        "https://app.example/cb?tenant=7",  # the same source twice: once
    ]
    form_action = pages.content_security_policy(targets).split("form-action ")[1].split(";")[0]
    assert form_action == "'self' https://app.example/cb http://127.0.0.1:8765/callback com.example.parking:"


def test_the_login_page_asks_for_the_identifier_and_password_and_keeps_what_was_typed():
    context = {"app": app_context(), "csrf_token": "c1", "action": "/oauth/login", "hidden": {"request_id": "r"},
               "error": None, "identifier": ""}  # fmt: skip
    for language in ("vi", "en"):
        _, html, page = render("login.html", context, language)
        assert_accessible_basics(html, page, language)
        assert page.find("h1").words == ("Đăng nhập HanoiSmart" if language == "vi" else "Sign in to HanoiSmart")
        assert ("để tiếp tục vào Đỗ Xe Hà Nội" if language == "vi" else "to continue to Đỗ Xe Hà Nội") in page.words
        assert page.find_all(role="alert") == []
        fields = {i.attrs["name"]: i.attrs for i in page.find("form").find_all("input")}
        assert set(fields) == {"csrf_token", "request_id", "identifier", "password"}
        assert fields["identifier"]["autocomplete"] == "username"
        assert fields["password"]["type"] == "password" and fields["password"]["autocomplete"] == "current-password"
        assert page.find("label", for_="password").words == ("Mật khẩu" if language == "vi" else "Password")
        assert page.find("button").words == ("Đăng nhập" if language == "vi" else "Sign in")

    refused = context | {"error": "Sai thông tin đăng nhập.", "identifier": '0912"><b>'}
    _, html, page = render("login.html", refused, "vi", status=401)
    alert = page.find(role="alert")
    assert alert.words == "Sai thông tin đăng nhập." and alert.attrs["id"] == "login-error"
    for name in ("identifier", "password"):
        field_ = page.find("input", name=name)
        assert field_.attrs["aria-describedby"] == "login-error" and field_.attrs["aria-invalid"] == "true"
    assert page.find("input", name="identifier").attrs["value"] == '0912"><b>'
    assert "<b>" not in html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_error_page_says_what_went_wrong(language):
    context = {"title": "Ứng dụng không hợp lệ", "message": "Địa chỉ chuyển hướng <x> chưa được đăng ký.", "app": None}
    response, html, page = render("error.html", context, language, status=400)
    assert response.status_code == 400
    assert_accessible_basics(html, page, language)
    assert page.find("h1").words == "Ứng dụng không hợp lệ"
    assert "Địa chỉ chuyển hướng <x> chưa được đăng ký." in page.words and "<x>" not in html
    _, _, with_app = render("error.html", context | {"app": app_context()}, language)
    assert with_app.find("p", class_="app-name").words == "Đỗ Xe Hà Nội"


@pytest.mark.parametrize(
    ("ui_locales", "accept_language", "expected"),
    [
        (None, None, "vi"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "fr-FR, en;q=0.5, vi;q=0.8", "vi"),
        (None, "de", "vi"),
        (None, "en;q=0", "vi"),
        ("en", "vi", "en"),
        ("fr-CA en-GB", None, "en"),
        ("vi", "en", "vi"),
        ("fr", "en", "en"),
    ],
)
def test_the_page_language(ui_locales, accept_language, expected):
    assert pages.page_language(request(accept_language), ui_locales) == expected


def test_every_page_text_exists_in_both_languages_with_the_same_placeholders():
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert pages.TEXTS["vi"].keys() == pages.TEXTS["en"].keys()
    for key, vi in pages.TEXTS["vi"].items():
        if key != "date_format":
            assert placeholders(vi) == placeholders(pages.TEXTS["en"][key]), key
            assert "<" not in vi + pages.TEXTS["en"][key], f"{key}: page texts are plain text"


async def test_the_stylesheet_is_served_by_the_app(client):
    _, _, page = render("login.html", {"app": None, "csrf_token": "c", "action": "/", "hidden": {}}, "vi")
    href = page.find("link", rel="stylesheet").attrs["href"]
    response = await client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in response.text
    assert (await client.get("/oauth/static/../pages.py")).status_code == 404

"""The OpenID Provider's server-rendered pages: sign-in, consent and error (Jinja2, autoescaped, no JavaScript).

``render`` is the one way a page leaves: it picks the language (Vietnamese by default; English with
``ui_locales=en`` or ``Accept-Language``), and sends the security headers of every page: a Content-Security-Policy
whose ``form-action`` allows ``'self'`` and the client's redirect URI (a plain ``'self'`` blocks the redirect back
to the app after the form's POST), ``frame-ancestors 'none'``, ``no-store`` caching and no referrer.

Every text of the pages is in ``TEXTS`` (one dict per language, the same keys in both); the templates read it as
``t``. Texts are plain (never HTML): a value put into one with ``|fill`` is escaped with the rest. The page's one
stylesheet is served by the app under ``/oauth/static/`` (``static_route``), so the CSP allows ``style-src 'self'``
and no inline style or script at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/oauth/static"
#: Hà Nội's time zone: every date a page shows is in it.
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "brand": "HanoiSmart",
        "brand_tagline": "Tài khoản công dân số của Hà Nội",
        "footer": "HanoiSmart không bao giờ cho ứng dụng biết mật khẩu của bạn.",
        "login_title": "Đăng nhập",
        "login_heading": "Đăng nhập HanoiSmart",
        "login_for": "để tiếp tục vào {app}",
        "identifier": "Số CCCD, hộ chiếu, số điện thoại hoặc e-mail",
        "password": "Mật khẩu",
        "sign_in": "Đăng nhập",
        "consent_title": "Cho phép truy cập",
        "consent_heading": "{app} muốn truy cập tài khoản HanoiSmart của bạn",
        "signed_in_as": "Bạn đang đăng nhập là {person}.",
        "about_app": "Về ứng dụng",
        "app_logo": "Biểu trưng của {app}",
        "partner": "Phát triển bởi {partner}, đối tác đã đăng ký với HanoiSmart (mã số thuế kết thúc bằng {last4}).",
        "homepage": "Trang chủ của {app}",
        "privacy_policy": "Chính sách quyền riêng tư của {app}",
        "sandbox_badge": "SANDBOX",
        "sandbox_explained": (
            "Ứng dụng này đang ở môi trường thử nghiệm (sandbox): HanoiSmart chưa duyệt nó cho người dùng thật, "
            "và chỉ các tài khoản thử nghiệm của chính ứng dụng mới đăng nhập vào được."
        ),
        "new_scopes": "Ứng dụng xin các quyền sau",
        "purpose": "Mục đích:",
        "no_new_scopes": "Ứng dụng không xin thêm quyền nào mới.",
        "granted_scopes": "Bạn đã cho phép trước đây",
        "expires": "Sự đồng ý này có hiệu lực đến {date} (giờ Hà Nội).",
        "revoke_hint": "Bạn có thể rút lại sự đồng ý bất cứ lúc nào trong mục ứng dụng đã kết nối của tài khoản.",
        "decision": "Bạn có đồng ý không?",
        "approve": "Đồng ý",
        "deny": "Từ chối",
        "error_title": "Có lỗi xảy ra",
        "error_close": "Bạn có thể đóng trang này và thử lại từ ứng dụng.",
        "date_format": "HH:mm 'ngày' d 'tháng' M 'năm' y",
    },
    "en": {
        "brand": "HanoiSmart",
        "brand_tagline": "Hà Nội's digital resident account",
        "footer": "HanoiSmart never tells an app your password.",
        "login_title": "Sign in",
        "login_heading": "Sign in to HanoiSmart",
        "login_for": "to continue to {app}",
        "identifier": "Citizen ID, passport, phone number or e-mail",
        "password": "Password",
        "sign_in": "Sign in",
        "consent_title": "Allow access",
        "consent_heading": "{app} wants to access your HanoiSmart account",
        "signed_in_as": "You are signed in as {person}.",
        "about_app": "About the app",
        "app_logo": "{app} logo",
        "partner": "Made by {partner}, a partner registered with HanoiSmart (tax code ending in {last4}).",
        "homepage": "{app} home page",
        "privacy_policy": "{app} privacy policy",
        "sandbox_badge": "SANDBOX",
        "sandbox_explained": (
            "This app is in the sandbox: HanoiSmart has not yet approved it for real users, and only the app's own "
            "test accounts can sign in to it."
        ),
        "new_scopes": "The app asks for",
        "purpose": "Purpose:",
        "no_new_scopes": "The app asks for nothing new.",
        "granted_scopes": "You allowed before",
        "expires": "This consent lasts until {date} (Hà Nội time).",
        "revoke_hint": "You can withdraw it at any time from your account's connected apps.",
        "decision": "Do you allow it?",
        "approve": "Allow",
        "deny": "Deny",
        "error_title": "Something went wrong",
        "error_close": "You can close this page and try again from the app.",
        "date_format": "d MMMM y 'at' HH:mm",
    },
}


def _stylesheet_url() -> str:
    """The stylesheet's URL, versioned by its content (a changed file is never served from a stale cache)."""
    digest = hashlib.sha256((STATIC / "pages.css").read_bytes()).hexdigest()[:12]
    return f"{STATIC_PATH}/pages.css?v={digest}"


def format_moment(moment: datetime, language: str) -> str:
    """``moment`` in Hà Nội time, written out in ``language`` ("09:00 ngày 1 tháng 12 năm 2027")."""
    return format_datetime(moment, TEXTS[language]["date_format"], tzinfo=HANOI, locale=language)


def web_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL, else None: an app's links never become ``javascript:``."""
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def _fill(text: str, **values: Any) -> str:
    """A page text with its ``{placeholders}`` filled (the result is escaped by the template like any value)."""
    return text.format(**{name: "" if value is None else value for name, value in values.items()})


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    auto_reload=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["fill"] = _fill
_environment.filters["web_url"] = web_url
_environment.globals["stylesheet"] = _stylesheet_url()


def static_route() -> Mount:
    """``/oauth/static/*``: the pages' stylesheet (api/app.py mounts it)."""
    return Mount(STATIC_PATH, app=StaticFiles(directory=STATIC), name="oauth-static")


def _ranked_languages(header: str) -> list[str]:
    """The page languages an ``Accept-Language`` header accepts, best first (by quality, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:500].split(",")):
        tag, _, options = part.strip().partition(";")
        quality = 1.0
        for option in options.split(";"):
            name, _, value = option.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().lower().split("-", 1)[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return [language for _, _, language in sorted(ranked)]


def page_language(request: Request, ui_locales: str | None = None) -> str:
    """ "en" or "vi": the first of ``ui_locales`` (OIDC, space-separated tags) we have, else the best of
    ``Accept-Language`` we have; Vietnamese when neither names one."""
    for tag in (ui_locales or "").split():
        language = tag.lower().split("-", 1)[0]
        if language in LANGUAGES:
            return language
    ranked = _ranked_languages(request.headers.get("accept-language", ""))
    return ranked[0] if ranked else DEFAULT_LANGUAGE


def _form_source(uri: str) -> str | None:
    """The CSP source expression allowing a form to lead to ``uri``: scheme, host, port and path of an http(s)
    URI (a query has no place in a source expression), the scheme of a private-use one (``com.example.app:``);
    None when it cannot be written safely (whitespace, ``;``, ``,`` or quotes would break the policy)."""
    if any(c.isspace() or c in ";,'\"" for c in uri):
        return None
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}" if parts.netloc else None
    if parts.scheme and parts.scheme.replace(".", "").replace("+", "").replace("-", "").isalnum():
        return f"{parts.scheme}:"
    return None


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """The pages' CSP: nothing but our own stylesheet and images (an app's logo may be on https), forms only to
    ourselves and ``form_targets`` (the client's redirect URI: Chromium applies ``form-action`` to the redirect that
    follows the POST), never framed."""
    sources = dict.fromkeys(s for s in map(_form_source, form_targets) if s)
    form_action = " ".join(["'self'", *sources])
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
    (the client's redirect URI on the consent page). The template also gets ``lang``, its texts ``t`` and
    ``expires`` (``expires_at`` written out in the language, Hà Nội time)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    values: dict[str, Any] = {"app": None, "hidden": {}, "error": None, "identifier": "", "granted_scopes": []}
    values.update(context)
    values["lang"] = language
    values["t"] = TEXTS[language]
    expires_at = values.get("expires_at")
    values["expires"] = format_moment(expires_at, language) if isinstance(expires_at, datetime) else None
    html = _environment.get_template(template).render(values)
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": content_security_policy(form_targets),
            "Content-Language": language,
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
        },
    )

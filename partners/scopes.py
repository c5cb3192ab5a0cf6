"""The one catalogue of OAuth scopes (seeded as ``:Scope`` nodes; shown on the consent page and in the schema).

A **person** scope is granted by a person to an app (authorization code flow) and lets the app's token read or do
something *for that person*; ``personal`` marks the scopes whose reads are personal data, recorded in the person's
access log (``myDataAccessLog``). An **app** scope is for the app itself (client credentials): never person data.
``min_level`` is the assurance level a person needs before an app may ask them for that scope.

Scopes only narrow what the person could see: an app never sees more than its person would (identity.privacy
decides first; the scope decides whether the app may have it at all).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ScopeKind(StrEnum):
    PERSON = "person"  # granted by a person (authorization code + PKCE)
    APP = "app"  # the app's own calls (client credentials)


@dataclass(frozen=True)
class Scope:
    name: str
    title_vi: str
    title_en: str
    kind: ScopeKind
    personal: bool  # reads under it are the person's personal data: logged for them
    min_level: int = 0


CATALOGUE: tuple[Scope, ...] = (
    Scope("openid", "Đăng nhập bằng tài khoản HanoiSmart", "Sign you in with your HanoiSmart account",
          ScopeKind.PERSON, personal=False),
    Scope("profile.basic", "Tên hiển thị và vai trò của bạn", "Your display name and roles",
          ScopeKind.PERSON, personal=False),
    Scope("profile.verification", "Mức xác minh danh tính của bạn", "Your identity verification level",
          ScopeKind.PERSON, personal=True),
    Scope("contact.read", "Số điện thoại và địa chỉ e-mail của bạn", "Your phone number and e-mail address",
          ScopeKind.PERSON, personal=True),
    Scope("ward.read", "Phường, xã nơi bạn sống", "The ward or commune you live in",
          ScopeKind.PERSON, personal=True),
    Scope("birthdate.read", "Ngày sinh và giới tính của bạn", "Your date of birth and sex",
          ScopeKind.PERSON, personal=True),
    Scope("connections.read", "Danh sách kết nối và người bạn theo dõi", "Your connections and whom you follow",
          ScopeKind.PERSON, personal=True),
    Scope("marketplace.read", "Đơn hàng, giỏ hàng và ví của bạn trên chợ", "Your marketplace orders, cart and wallet",
          ScopeKind.PERSON, personal=True),
    Scope("marketplace.write", "Mua bán trên chợ thay cho bạn", "Buy and sell on the marketplace for you",
          ScopeKind.PERSON, personal=True, min_level=1),
    Scope("notifications.read", "Thông báo của bạn", "Your notifications", ScopeKind.PERSON, personal=True),
    Scope("predicate.isAdult", "Bạn đã đủ 18 tuổi hay chưa (không cho biết ngày sinh)",
          "Whether you are 18 or older (not your birth date)", ScopeKind.PERSON, personal=True),
    Scope("predicate.livesInWard", "Bạn có sống ở một phường, xã nhất định hay không (không cho biết phường, xã)",
          "Whether you live in a given ward (not which ward)", ScopeKind.PERSON, personal=True),
    Scope("predicate.isVerifiedResident", "Bạn có phải cư dân đã xác minh danh tính hay không",
          "Whether you are an identity-verified resident", ScopeKind.PERSON, personal=True),
    Scope("offline_access", "Tiếp tục truy cập khi bạn không dùng ứng dụng", "Keep access while you are away",
          ScopeKind.PERSON, personal=False),
    Scope("places.read", "Danh mục phường, xã của Hà Nội", "Hà Nội's wards and communes", ScopeKind.APP,
          personal=False),
    Scope("usage.read", "Số liệu sử dụng của ứng dụng", "The app's usage figures", ScopeKind.APP, personal=False),
)  # fmt: skip

BY_NAME: dict[str, Scope] = {scope.name: scope for scope in CATALOGUE}
PERSON_SCOPES = frozenset(s.name for s in CATALOGUE if s.kind is ScopeKind.PERSON)
APP_SCOPES = frozenset(s.name for s in CATALOGUE if s.kind is ScopeKind.APP)
PERSONAL_SCOPES = frozenset(s.name for s in CATALOGUE if s.personal)


def title(scope: str, language: str) -> str:
    """The scope's title in ``language`` ("vi" or "en")."""
    found = BY_NAME[scope]
    return found.title_vi if language == "vi" else found.title_en


def scope_table() -> str:
    """The catalogue as a Markdown table (docs/partners.md, written by ``hanoismart docs``)."""
    rows = [
        "| scope | granted by | title on the consent page (vi) | title (en) | personal (logged) | minimum level |",
        "|---|---|---|---|---|---|",
    ]
    for scope in CATALOGUE:
        who = "person" if scope.kind is ScopeKind.PERSON else "app"
        personal = "yes" if scope.personal else "no"
        rows.append(
            f"| `{scope.name}` | {who} | {scope.title_vi} | {scope.title_en} | {personal} | {scope.min_level} |"
        )
    return "\n".join(rows) + "\n"

"""What ``hanoismart seed --demo`` makes: the same people, relations, texts and amounts on every run.

Everything is named by a short key (``"an"``, ``"pottery"``, ``"egg-coffee"``) so the steps in ``sandbox.demo`` read
like a story. Ward codes are real (``places/data/hanoi_communes_2025.csv``); citizen IDs agree with the birth dates
and sexes as registration checks them (province 001 Hà Nội, century/sex digit, birth year); phone numbers are valid
VinaPhone numbers and e-mails use example domains. All of it is fiction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: The password of every demo account. It is printed and published: development data only.
DEMO_PASSWORD = "Phố cổ Hà Nội 36 phố phường"

#: The user agent of the demo sessions (shown in ``mySessions``).
DEMO_USER_AGENT = "hanoismart seed --demo"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    full_name: str
    sex: str  # male | female
    born: date
    roles: tuple[str, ...]
    document_kind: str  # cccd | passport
    document_number: str
    level: int  # 0, 1 (phone and e-mail proven with a code), 2 (document checked by the officer)
    ward_code: str | None = None
    phone: str | None = None
    email: str | None = None
    document_country: str | None = None
    granted: tuple[str, ...] = ()  # officer, administrator
    public_fields: tuple[str, ...] = ()  # profile fields shown to everyone
    about: str = ""

    @property
    def document_identifier(self) -> str:
        """How the person signs in with their document (a passport is written with its country)."""
        if self.document_kind == "passport":
            return f"{self.document_country} {self.document_number}"
        return self.document_number


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        key="an",
        full_name="Nguyễn Văn An",
        sex="male",
        born=date(1990, 5, 17),
        roles=("resident",),
        document_kind="cccd",
        document_number="001090001234",
        level=2,
        ward_code="00070",  # Hoàn Kiếm
        phone="0912000101",
        email="an.nguyen@example.vn",
        public_fields=("ward",),
        about="resident of Hoàn Kiếm; posts, buys, sells his old bicycle",
    ),
    DemoPerson(
        key="binh",
        full_name="Trần Thị Bình",
        sex="female",
        born=date(1988, 11, 2),
        roles=("resident",),
        document_kind="cccd",
        document_number="001188002345",
        level=2,
        ward_code="00004",  # Ba Đình
        phone="0912000102",
        email="binh.tran@example.vn",
        about="owner of the pottery workshop (an organisation); sells for it",
    ),
    DemoPerson(
        key="cuong",
        full_name="Lê Hoàng Cường",
        sex="male",
        born=date(1995, 2, 14),
        roles=("resident",),
        document_kind="cccd",
        document_number="001095003456",
        level=2,
        ward_code="00166",  # Cầu Giấy
        phone="0912000103",
        email="cuong.le@example.vn",
        public_fields=("ward",),
        about="admin of the pottery workshop; runs the West Lake running club",
    ),
    DemoPerson(
        key="ha",
        full_name="Phạm Thu Hà",
        sex="female",
        born=date(1999, 7, 30),
        roles=("resident",),
        document_kind="cccd",
        document_number="001199004567",
        level=1,
        ward_code="00103",  # Tây Hồ
        phone="0912000104",
        email="ha.pham@example.vn",
        about="resident of Tây Hồ at level 1; posts in her ward's community",
    ),
    DemoPerson(
        key="duc",
        full_name="Hoàng Minh Đức",
        sex="male",
        born=date(1985, 9, 9),
        roles=("investor", "resident"),
        document_kind="cccd",
        document_number="001085005678",
        level=2,
        ward_code="00235",  # Đống Đa
        phone="0912000105",
        email="duc.hoang@example.vn",
        about="buyer with completed orders and a review",
    ),
    DemoPerson(
        key="lan",
        full_name="Vũ Ngọc Lan",
        sex="female",
        born=date(2001, 12, 24),
        roles=("resident",),
        document_kind="cccd",
        document_number="001301006789",
        level=0,
        ward_code="00256",  # Hai Bà Trưng
        phone="0912000106",
        email="lan.vu@example.vn",
        about="newcomer at level 0 (contacts not verified: signs in with her citizen ID)",
    ),
    DemoPerson(
        key="trang",
        full_name="Đặng Thu Trang",
        sex="female",
        born=date(1980, 4, 12),
        roles=("resident",),
        document_kind="cccd",
        document_number="001180007890",
        level=1,
        ward_code="00145",  # Long Biên
        phone="0912000107",
        email="trang.dang@example.vn",
        granted=("officer",),
        about="city officer: approved the level-2 verifications",
    ),
    DemoPerson(
        key="yuki",
        full_name="Tanaka Yuki",
        sex="female",
        born=date(1993, 3, 3),
        roles=("tourist",),
        document_kind="passport",
        document_number="TZ1234567",
        document_country="JP",
        level=1,
        email="yuki.tanaka@example.jp",
        about="tourist with a passport",
    ),
)

#: (who asks, who accepts); ``PENDING_CONNECTIONS`` are asked and left unanswered.
CONNECTIONS: tuple[tuple[str, str], ...] = (
    ("an", "binh"),
    ("an", "cuong"),
    ("an", "ha"),
    ("binh", "cuong"),
    ("duc", "an"),
    ("ha", "trang"),
)
PENDING_CONNECTIONS: tuple[tuple[str, str], ...] = (("lan", "an"),)


@dataclass(frozen=True)
class DemoGroup:
    key: str
    founder: str
    name: str
    description: str
    join_policy: str
    members: tuple[str, ...]


GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup(
        key="runners",
        founder="cuong",
        name="CLB Chạy bộ Hồ Tây",
        description="Chạy bộ quanh Hồ Tây mỗi sáng thứ Bảy, 6 giờ, tập trung ở Phủ Tây Hồ.",
        join_policy="open",
        members=("an", "ha"),
    ),
)


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    founder: str
    name: str
    kind: str
    tax_code: str
    sector: str
    admins: tuple[str, ...]  # invited as admins by the founder, and accepting
    followers: tuple[str, ...]


ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        key="pottery",
        founder="binh",
        name="Xưởng Gốm Bát Tràng Minh Anh",
        kind="business",
        tax_code="0109876543",
        sector="Gốm sứ thủ công",
        admins=("cuong",),
        followers=("duc", "ha", "yuki"),
    ),
)


@dataclass(frozen=True)
class DemoListing:
    key: str
    seller: str  # a person's key, or an organisation's
    by: str  # the person who creates it (the seller, or a representative of the organisation)
    kind: str
    title: str
    description: str
    category: str
    price_dong: int
    ward_code: str
    stock: int | None = None


LISTINGS: tuple[DemoListing, ...] = (
    DemoListing(
        key="tea-set",
        seller="pottery",
        by="binh",
        kind="goods",
        title="Bộ ấm chén men lam Bát Tràng",
        description="Một ấm và sáu chén, men lam vẽ tay, nung ở 1.200 độ. Giao trong nội thành Hà Nội.",
        category="household",
        price_dong=450_000,
        stock=10,
        ward_code="00577",  # Bát Tràng
    ),
    DemoListing(
        key="vase",
        seller="pottery",
        by="binh",
        kind="goods",
        title="Bình hoa gốm men rạn",
        description="Bình cao 30 cm, men rạn cổ, hợp cắm sen và cúc họa mi.",
        category="household",
        price_dong=320_000,
        stock=5,
        ward_code="00577",
    ),
    DemoListing(
        key="pottery-class",
        seller="pottery",
        by="cuong",
        kind="service",
        title="Lớp học làm gốm cuối tuần (2 giờ)",
        description="Tự tay nặn và vẽ một chiếc cốc, có nghệ nhân hướng dẫn; nung xong gửi về tận nhà.",
        category="education",
        price_dong=250_000,
        ward_code="00577",
    ),
    DemoListing(
        key="bicycle",
        seller="an",
        by="an",
        kind="goods",
        title="Xe đạp Thống Nhất cũ, còn tốt",
        description="Xe đạp Thống Nhất khung sơn xanh, đã thay lốp mới, đi lại trong phố cổ rất tiện.",
        category="vehicles",
        price_dong=1_200_000,
        stock=1,
        ward_code="00070",
    ),
)


@dataclass(frozen=True)
class DemoPost:
    key: str
    author: str
    text: str
    visibility: str  # public | connections | community
    ward_code: str | None = None
    community: str | None = None  # a group's key, or "ward" for the author's ward community
    tags: tuple[str, ...] = ()
    reactions: tuple[tuple[str, str], ...] = ()  # (who, kind)


POSTS: tuple[DemoPost, ...] = (
    DemoPost(
        key="lake-morning",
        author="an",
        text="Sáng nay Hồ Gươm đông vui quá! Ai đi dạo thì ghé cầu Thê Húc chụp ảnh nhé.",
        visibility="public",
        ward_code="00070",
        tags=("hoguom", "hanoi"),
        reactions=(("binh", "love"), ("cuong", "like"), ("ha", "love"), ("duc", "like")),
    ),
    DemoPost(
        key="pottery-trip",
        author="binh",
        text="Cuối tuần này gia đình mình về Bát Tràng làm gốm, ai muốn đi cùng không?",
        visibility="connections",
        reactions=(("an", "like"), ("cuong", "love")),
    ),
    DemoPost(
        key="clean-up",
        author="ha",
        text="Thứ Bảy này 7 giờ sáng, phường mình dọn rác ven Hồ Tây. Mọi người cùng tham gia nhé!",
        visibility="community",
        community="ward",
        tags=("tayho",),
    ),
    DemoPost(
        key="pho",
        author="duc",
        text="Có ai biết quán phở bò ngon gần Văn Miếu không? Cuối tuần mình dẫn bạn nước ngoài đi ăn.",
        visibility="public",
        ward_code="00235",
        reactions=(("an", "like"), ("yuki", "wow")),
    ),
    DemoPost(
        key="communes",
        author="trang",
        text="Thông báo: từ ngày 1/7/2025, Hà Nội có 126 phường, xã. Mọi người tra cứu mã phường, xã của mình "
        "trong danh sách communes của ứng dụng nhé.",
        visibility="public",
        reactions=(("an", "like"), ("duc", "like")),
    ),
    DemoPost(
        key="saturday-run",
        author="cuong",
        text="Sáng thứ Bảy 6 giờ tập trung ở Phủ Tây Hồ, chạy một vòng hồ 5 km nhé.",
        visibility="community",
        community="runners",
        reactions=(("ha", "like"),),
    ),
    DemoPost(
        key="egg-coffee",
        author="yuki",
        text="Hà Nội thật tuyệt! Cà phê trứng ở phố cổ ngon quá. Hanoi is wonderful.",
        visibility="public",
        tags=("caphetrung",),
        reactions=(("an", "love"),),
    ),
)


@dataclass(frozen=True)
class DemoComment:
    key: str
    post: str
    author: str
    text: str
    reply_to: str | None = None  # a comment's key


COMMENTS: tuple[DemoComment, ...] = (
    DemoComment("see-you", "lake-morning", "ha", "Đẹp quá! Chiều nay mình cũng ra đó."),
    DemoComment("jacket", "lake-morning", "binh", "Nhớ mang áo khoác, trời đang se lạnh đấy."),
    DemoComment("ngoc-son", "lake-morning", "an", "Hẹn gặp Hà ở đền Ngọc Sơn nhé!", reply_to="see-you"),
    DemoComment("count-me-in", "pottery-trip", "cuong", "Cho mình đi với! Mình muốn học nặn bình."),
    DemoComment("bat-dan", "pho", "an", "Phở Bát Đàn hoặc phở Thìn Lò Đúc, đều ngon lắm anh ạ."),
    DemoComment("thanks", "pho", "yuki", "Cảm ơn! I want to try it too."),
    DemoComment("running-shoes", "saturday-run", "an", "Mình tham gia, nhớ mang nước nhé."),
)


@dataclass(frozen=True)
class DemoTopUp:
    who: str
    amount_dong: int
    key: str  # the idempotency key


TOP_UPS: tuple[DemoTopUp, ...] = (
    DemoTopUp("duc", 2_000_000, "demo-topup-duc"),
    DemoTopUp("an", 1_000_000, "demo-topup-an"),
)


@dataclass(frozen=True)
class DemoReview:
    rating: int
    text: str
    reply_by: str | None = None
    reply: str | None = None


@dataclass(frozen=True)
class DemoOrder:
    key: str
    buyer: str
    listing: str
    quantity: int
    #: The steps taken, in order, each by (who, action): accept/fulfil by a seller's person, pay/complete by the buyer.
    steps: tuple[tuple[str, str], ...]
    review: DemoReview | None = None


ORDERS: tuple[DemoOrder, ...] = (
    DemoOrder(
        key="tea-set-for-duc",
        buyer="duc",
        listing="tea-set",
        quantity=2,
        steps=(("binh", "accept"), ("duc", "pay"), ("binh", "fulfil"), ("duc", "complete")),
        review=DemoReview(
            5,
            "Ấm chén rất đẹp, men lam sáng, đóng gói cẩn thận.",
            reply_by="binh",
            reply="Cảm ơn anh Đức đã ủng hộ xưởng gốm!",
        ),
    ),
    DemoOrder(
        key="class-for-an",
        buyer="an",
        listing="pottery-class",
        quantity=1,
        steps=(("cuong", "accept"), ("an", "pay"), ("cuong", "fulfil"), ("an", "complete")),
        review=DemoReview(4, "Lớp học vui, nghệ nhân hướng dẫn tận tình. Hơi đông người."),
    ),
    DemoOrder(
        key="vase-for-an",
        buyer="an",
        listing="vase",
        quantity=1,
        steps=(("binh", "accept"), ("an", "pay")),  # paid: the money waits in escrow
    ),
    DemoOrder(
        key="bicycle-for-duc",
        buyer="duc",
        listing="bicycle",
        quantity=1,
        steps=(),  # placed: An has to accept it (and the bicycle is sold out)
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    """One line of what ``seed --demo`` prints."""

    name: str
    what: str
    identifiers: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD
    global_id: str | None = None

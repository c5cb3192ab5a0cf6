"""The vocabulary of ``hanoismart seed --people N``: Vietnamese names with their rough frequencies, organisation and
group names, and the texts people post, comment, list and review. All of it is fiction; the generator
(``sandbox.city``) combines these words deterministically for a seed.
"""

from __future__ import annotations

#: Family names and their approximate shares of the population (Nguyễn is about a third of Vietnamese people).
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Phan", 45), ("Vũ", 40),
    ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đào", 6),
    ("Đinh", 6), ("Trịnh", 5), ("Mai", 4), ("Tạ", 3), ("Lưu", 3), ("Cao", 3), ("Kiều", 2), ("Chu", 2),
    ("Lương", 3), ("Tô", 2), ("Hà", 3), ("Quách", 1), ("Thái", 2), ("Lại", 2), ("Khúc", 1),
)  # fmt: skip

MALE_MIDDLE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Thành", "Gia", "Duy", "Tuấn", "Hoàng", "Ngọc",
               "Trung", "Mạnh", "Đình", "Bá", "Tiến")  # fmt: skip
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Hồng", "Mai", "Khánh", "Diệu", "Kim",
                 "Thùy", "Hải", "Lan", "Quỳnh")  # fmt: skip
MALE_GIVEN = ("An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khoa",
              "Khôi", "Lâm", "Long", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng",
              "Thành", "Thịnh", "Toàn", "Trí", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hưng", "Kiên", "Lộc",
              "Đạt", "Duy", "Hậu", "Tâm", "Bảo", "Quý", "Thiện")  # fmt: skip
FEMALE_GIVEN = ("Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Hương",
                "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên",
                "Quỳnh", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Diệp",
                "Khánh", "Nhi", "Ánh", "Hoài", "Tâm")  # fmt: skip

#: Organisations: a kind of business and a name root; the generator adds a place or a family name.
BUSINESS_KINDS: tuple[tuple[str, str], ...] = (
    ("Quán cà phê", "Đồ uống"), ("Tiệm bánh", "Thực phẩm"), ("Xưởng gốm", "Gốm sứ thủ công"),
    ("Cửa hàng điện máy", "Điện tử"), ("Nhà sách", "Giáo dục"), ("Trung tâm tiếng Anh", "Giáo dục"),
    ("Phòng khám", "Y tế"), ("Tiệm sửa xe", "Sửa chữa"), ("Cửa hàng thời trang", "Thời trang"),
    ("Nhà hàng", "Ẩm thực"), ("Công ty du lịch", "Du lịch"), ("Hợp tác xã rau sạch", "Nông nghiệp"),
    ("Xưởng mộc", "Sản xuất"), ("Cửa hàng đồ gia dụng", "Đồ gia dụng"), ("Dịch vụ vận chuyển", "Vận tải"),
    ("Công ty phần mềm", "Công nghệ"), ("Tiệm hoa", "Bán lẻ"), ("Phòng tập yoga", "Sức khỏe"),
)  # fmt: skip
BUSINESS_FLAVOURS = ("Hồng Hà", "Sen Vàng", "Phố Cổ", "Tràng An", "Thăng Long", "Hoa Sữa", "Bát Tràng", "Hồ Tây",
                     "Long Biên", "Cốm Vòng", "Ngọc Lan", "Trúc Bạch", "Đông Đô", "Kinh Bắc", "Minh Anh", "An Phú",
                     "Phúc Lộc", "Bình An", "Hạnh Phúc", "Ba Vì")  # fmt: skip

GROUP_TOPICS: tuple[tuple[str, str], ...] = (
    ("CLB Chạy bộ", "Chạy bộ mỗi sáng cuối tuần, ai cũng có thể tham gia."),
    ("Hội yêu mèo", "Chia sẻ kinh nghiệm nuôi mèo, tìm nhà cho mèo con."),
    ("Nhóm đạp xe", "Đạp xe quanh hồ và ra ngoại thành vào Chủ nhật."),
    ("Hội phụ huynh", "Trao đổi chuyện học hành của con em trong phường."),
    ("CLB Cờ tướng", "Giao lưu cờ tướng buổi tối ở vườn hoa."),
    ("Nhóm trồng rau ban công", "Mẹo trồng rau sạch trên sân thượng và ban công."),
    ("Hội nấu ăn", "Công thức món ngon Hà Nội, từ phở đến bún chả."),
    ("CLB Nhiếp ảnh", "Chụp ảnh phố phường, chia sẻ góc đẹp của thành phố."),
    ("Nhóm đọc sách", "Mỗi tháng một cuốn sách, gặp nhau thảo luận."),
    ("Hội tình nguyện", "Dọn rác, trồng cây và giúp đỡ người khó khăn."),
    ("CLB Bóng đá phong trào", "Đá bóng tối thứ Tư và thứ Sáu."),
    ("Nhóm học tiếng Anh", "Luyện nói tiếng Anh mỗi tối thứ Năm."),
)  # fmt: skip

POST_OPENINGS = ("Sáng nay", "Chiều nay", "Tối qua", "Cuối tuần này", "Hôm nay", "Vừa rồi", "Tuần sau", "Sáng mai")
POST_SUBJECTS = ("đường phố", "chợ", "vườn hoa", "hồ", "quán phở đầu ngõ", "công viên", "trường học", "khu tập thể",
                 "bến xe buýt", "nhà văn hóa", "quán cà phê mới", "cây xăng", "bệnh viện", "siêu thị")  # fmt: skip
POST_REMARKS = ("đông vui quá!", "tắc đường kinh khủng.", "có hội chợ, mọi người ghé nhé.", "mất điện một lúc.",
                "được sửa lại rất đẹp.", "có ai đi cùng không?", "trời se lạnh, nhớ mặc ấm.",
                "có món ăn ngon lắm.", "đang tổ chức dọn vệ sinh.", "ngập nước sau mưa.",
                "có buổi biểu diễn ca trù.", "mở thêm làn cho xe đạp.")  # fmt: skip
POST_TAGS = ("hanoi", "phophuong", "giaothong", "amthuc", "suckhoe", "moitruong", "congdong", "sukien")

COMMENTS = ("Đẹp quá!", "Cảm ơn bạn đã chia sẻ.", "Mình cũng thấy vậy.", "Hay quá, để mình ghé thử.",
            "Ở đâu vậy bạn?", "Nhớ mang áo mưa nhé.", "Tuyệt vời!", "Mình đi cùng được không?",
            "Thông tin hữu ích.", "Chúc cả nhà cuối tuần vui vẻ.", "Sáng nay mình cũng đi qua đó.",
            "Cần phản ánh lên phường.")  # fmt: skip

#: Listings by category: (title roots, kind, price range in thousands of đồng).
LISTINGS: dict[str, tuple[tuple[str, ...], str, tuple[int, int]]] = {
    "electronics": (("Điện thoại cũ", "Tai nghe không dây", "Quạt điện", "Nồi cơm điện", "Máy tính bảng"), "goods", (150, 8000)),
    "household": (("Bộ ấm chén", "Chăn bông", "Bàn gỗ nhỏ", "Kệ sách", "Bình hoa gốm"), "goods", (80, 2500)),
    "fashion": (("Áo dài lụa", "Áo khoác", "Giày thể thao", "Nón lá", "Túi xách"), "goods", (90, 3000)),
    "food": (("Cốm làng Vòng", "Bánh chưng", "Chè Thái Nguyên", "Mật ong rừng", "Ô mai Hàng Đường"), "goods", (40, 600)),
    "vehicles": (("Xe đạp cũ", "Xe máy điện", "Mũ bảo hiểm", "Xe đạp trẻ em"), "goods", (300, 15000)),
    "education": (("Lớp tiếng Anh giao tiếp", "Gia sư toán", "Lớp vẽ thiếu nhi", "Khóa học lập trình"), "service", (150, 3000)),
    "health": (("Lớp yoga buổi sáng", "Xoa bóp bấm huyệt", "Tư vấn dinh dưỡng"), "service", (100, 1500)),
    "tourism": (("Tour phố cổ đi bộ", "Tour Ba Vì một ngày", "Thuê hướng dẫn viên"), "service", (200, 2500)),
    "repairs": (("Sửa điều hòa", "Sửa xe máy tại nhà", "Thay khóa cửa", "Sửa ống nước"), "service", (100, 1200)),
    "transport": (("Chuyển nhà trọn gói", "Giao hàng nội thành"), "service", (50, 3000)),
    "agriculture": (("Rau sạch theo tuần", "Gạo nếp cái hoa vàng", "Cây giống ăn quả"), "goods", (30, 800)),
    "technology": (("Cài đặt mạng gia đình", "Thiết kế trang web nhỏ"), "service", (300, 10000)),
    "other": (("Đồ cũ thanh lý", "Sách giáo khoa cũ"), "goods", (20, 400)),
}  # fmt: skip
LISTING_DESCRIPTIONS = ("Còn mới, dùng ít.", "Giao trong nội thành.", "Hàng làm thủ công.", "Bảo hành ba tháng.",
                        "Liên hệ để xem tận nơi.", "Giá đã bao gồm phí giao hàng trong phường.")  # fmt: skip

REVIEWS: dict[int, tuple[str, ...]] = {
    5: ("Rất hài lòng, sẽ ủng hộ tiếp.", "Tuyệt vời, đúng như mô tả.", "Người bán nhiệt tình, giao nhanh."),
    4: ("Hàng tốt, giao hơi chậm.", "Khá ổn so với giá.", "Hài lòng, đóng gói cẩn thận."),
    3: ("Tạm được.", "Đúng mô tả nhưng hơi đắt."),
    2: ("Giao chậm, hàng không như mong đợi.",),
    1: ("Không hài lòng.",),
}

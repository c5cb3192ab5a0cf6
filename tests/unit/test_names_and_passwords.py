"""The name rule and the password forms, without a database."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from auth.passwords import MAX_LENGTH, PROFILES, _candidates, check_policy, normalise_password
from core.errors import UserInputError
from core.settings import Settings
from identity.names import check_name


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        (unicodedata.normalize("NFD", "Đỗ Thị Ánh"), "Đỗ Thị Ánh"),
        ("  Lê   Thu\u00a0Hà ", "Lê Thu Hà"),
        ("Công ty TNHH Du lịch Hồ Tây (Chi nhánh 2)", "Công ty TNHH Du lịch Hồ Tây (Chi nhánh 2)"),
        ("Yuki Tanaka", "Yuki Tanaka"),
        ("O’Brien-Smith Jr.", "O’Brien-Smith Jr."),
        ("李小龙", "李小龙"),
    ],
)
def test_names_people_really_have_are_kept_in_nfc(raw, stored):
    assert check_name(raw, "fullName") == stored


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b",
        "An\u200d",
        "\u202eAn Văn",
        "An\u00ad",
        "An\u0007",
        "<script>",
        "An 😀",
        "12 34",
        "..",
        "A",
        "x" * 121,
    ],
)
def test_names_that_hide_or_spoof_are_refused(name):
    with pytest.raises(UserInputError) as refused:
        check_name(name, "fullName")
    assert refused.value.field == "fullName"


def test_password_forms_tried_are_nfc_then_one_older_form():
    phrase = "Hồ Gươm mùa thu"
    nfd = unicodedata.normalize("NFD", phrase)
    assert _candidates(phrase) == [phrase, nfd]
    assert _candidates(nfd) == [phrase, nfd]
    assert _candidates("plain ascii words") == ["plain ascii words"]
    assert normalise_password(nfd) == phrase


def test_the_password_maximum_is_counted_after_nfc():
    words = "Hồ Gươm mùa thu lá vàng "
    long_nfc = (words * 11)[:MAX_LENGTH]
    check_policy(unicodedata.normalize("NFD", long_nfc))  # longer than 256 in NFD, exactly 256 in NFC
    with pytest.raises(UserInputError, match=str(MAX_LENGTH)):
        check_policy(long_nfc + "x")


def test_the_cheap_test_hash_profile_is_refused_outside_the_test_environment():
    assert Settings(environment="development").password_hash_profile == "standard"
    assert PROFILES["standard"] == {}, "argon2-cffi's RFC 9106 low-memory defaults"
    for environment in ("development", "production"):
        with pytest.raises(ValidationError, match="test suite only"):
            Settings(environment=environment, password_hash_profile="test")
    assert Settings(environment="test", password_hash_profile="test").password_hash_profile == "test"

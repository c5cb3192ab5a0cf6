"""Per-app handles and sealed values (partners.pairwise): deterministic per sector, unlinkable across sectors, opened
only by us and only for the sector and purpose they were made for."""

from __future__ import annotations

import uuid

from partners.pairwise import CURSOR, HANDLE, open_sealed, person_from_handle, person_handle, seal, subject

KEY = b"k" * 32


def test_a_handle_is_stable_per_app_unlinkable_across_apps_and_opened_only_by_its_app():
    person = str(uuid.uuid4())
    a, b = person_handle(KEY, "app-a", person), person_handle(KEY, "app-b", person)
    assert a == person_handle(KEY, "app-a", person) and a != b and len(a) == 43
    assert a != subject(KEY, "app-a", person)  # not the one-way `sub`
    assert person_from_handle(KEY, "app-a", a) == person
    assert person_from_handle(KEY, "app-b", a) is None  # another app's handle
    assert person_from_handle(b"x" * 32, "app-a", a) is None  # another key
    for wrong in (person, "", "!!", "A" * 43, a[:-1] + ("A" if a[-1] != "A" else "B"), "é" * 50):
        assert person_from_handle(KEY, "app-a", wrong) is None, wrong
    assert person_from_handle(KEY, "app-a", person_handle(KEY, "app-a", "not-a-uuid")) == "not-a-uuid"


def test_a_sealed_cursor_opens_only_for_its_app_and_purpose():
    sealed = seal(KEY, "app-a", CURSOR, "WyJmZWVkIl0")
    assert sealed == seal(KEY, "app-a", CURSOR, "WyJmZWVkIl0")
    assert open_sealed(KEY, "app-a", CURSOR, sealed) == "WyJmZWVkIl0"
    assert open_sealed(KEY, "app-b", CURSOR, sealed) is None
    assert open_sealed(KEY, "app-a", HANDLE, sealed) is None
    assert open_sealed(KEY, "app-a", CURSOR, "WyJmZWVkIl0") is None

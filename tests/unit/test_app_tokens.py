"""App access tokens, pairwise subjects and the per-request read set: the pieces the partner platform stands on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auth import app_tokens
from auth.tokens import InvalidTokenError, KeyRing
from partners.pairwise import subject
from partners.reads import ReadSet

ISSUER = "https://id.hanoismart.example"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ring(tmp_path, clock) -> KeyRing:
    return KeyRing.load_or_create(tmp_path / "keys", access_ttl=timedelta(minutes=10), clock=clock)


def _issue(ring: KeyRing, **overrides) -> tuple[str, app_tokens.AppAccessClaims]:
    args = {
        "issuer": ISSUER,
        "subject": "pairwise-sub",
        "client_id": "hsc_client",
        "scopes": {"openid", "contact.read"},
        "grant_id": "grant-1",
        "assurance_level": 2,
        "ttl_seconds": 600,
    }
    args.update(overrides)
    return app_tokens.issue(ring, **args)


def test_an_app_token_carries_its_grant_scopes_and_client(ring):
    token, issued = _issue(ring)
    claims = app_tokens.verify(ring, token, issuer=ISSUER)
    assert claims == issued
    assert (claims.subject, claims.client_id, claims.grant_id, claims.assurance_level) == (
        "pairwise-sub",
        "hsc_client",
        "grant-1",
        2,
    )
    assert claims.scopes == {"openid", "contact.read"} and claims.scope == "contact.read openid"
    assert app_tokens.is_app_token(token)


def test_a_client_credentials_token_has_no_grant(ring):
    token, _ = _issue(ring, subject="hsc_client", grant_id=None, scopes={"places.read"}, assurance_level=0)
    assert app_tokens.verify(ring, token, issuer=ISSUER).grant_id is None


def test_person_and_app_tokens_never_pass_for_each_other(ring):
    person, _ = ring.issue(subject="person-1", session_id="session-1", assurance_level=1)
    app, _ = _issue(ring)
    assert not app_tokens.is_app_token(person)
    with pytest.raises(InvalidTokenError):
        app_tokens.verify(ring, person, issuer=ISSUER)
    with pytest.raises(InvalidTokenError):
        ring.verify(app)


def test_an_app_token_of_another_issuer_or_expired_is_refused(ring, clock):
    token, _ = _issue(ring)
    with pytest.raises(InvalidTokenError):
        app_tokens.verify(ring, token, issuer="https://elsewhere.example")
    clock.now += timedelta(seconds=600 + 31)
    with pytest.raises(InvalidTokenError):
        app_tokens.verify(ring, token, issuer=ISSUER)


def test_a_tampered_app_token_is_refused(ring):
    token, _ = _issue(ring)
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1], signature])
    with pytest.raises(InvalidTokenError):
        app_tokens.verify(ring, forged, issuer=ISSUER)
    assert not app_tokens.is_app_token("not a token")


def test_pairwise_subjects_are_stable_per_sector_and_differ_between_sectors():
    key = b"k" * 32
    first = subject(key, "app-a", "person-1")
    assert first == subject(key, "app-a", "person-1")
    assert first != subject(key, "app-b", "person-1")
    assert first != subject(key, "app-a", "person-2")
    assert "person-1" not in first and len(first) == 43
    with pytest.raises(ValueError):
        subject(b"", "app-a", "person-1")


def test_a_read_set_records_each_read_once():
    reads = ReadSet()
    assert not reads
    reads.record("p1", "Person.phone", scope="contact.read")
    reads.record("p1", "Person.phone", scope="contact.read")  # an alias of the same field
    reads.record("p2", "Person.ward", basis="duty")
    assert len(reads.reads) == 2 and reads
    assert [r.field for r in reads.by_person()["p1"]] == ["Person.phone"]
    with pytest.raises(ValueError):
        reads.record("p1", "Person.phone", basis="curiosity")

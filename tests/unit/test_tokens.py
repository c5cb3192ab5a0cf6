"""Unit tests of auth.tokens: Ed25519 access tokens and the rotating key ring (no database needed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from auth import tokens
from auth.tokens import AccessClaims, InvalidTokenError, KeyRing
from core.errors import UnauthenticatedError

TTL = timedelta(minutes=15)
SUBJECT = "0b6f6b8e-5d3a-4c1e-9a57-1f2d3c4b5a69"


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def ring(folder: Path, clock: Clock) -> KeyRing:
    return KeyRing.load_or_create(folder, access_ttl=TTL, clock=clock)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(obj: dict[str, Any]) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def private_key(folder: Path, kid: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((folder / f"{kid}.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def valid_payload(clock: Clock, **changes: Any) -> dict[str, Any]:
    iat = int(clock().timestamp())
    payload = {"iss": KeyRing.ISSUER, "aud": KeyRing.AUDIENCE, "sub": SUBJECT, "sid": "session-1",
               "jti": "a" * 32, "iat": iat, "exp": iat + 900, "acr": "1"}  # fmt: skip
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def sign(folder: Path, kid: str, payload: dict[str, Any]) -> str:
    """Sign any payload with one of the ring's own private keys (to test claim checks in isolation)."""
    return jwt.encode(payload, private_key(folder, kid), algorithm="EdDSA", headers={"kid": kid})


def issue(ring: KeyRing, level: int = 1) -> tuple[str, AccessClaims]:
    return ring.issue(subject=SUBJECT, session_id="session-1", assurance_level=level)


def refused(ring: KeyRing, token: str) -> None:
    with pytest.raises(InvalidTokenError):
        ring.verify(token)


# --- the happy path ------------------------------------------------------------------------------
def test_issued_token_verifies_and_carries_the_claims(ring: KeyRing, clock: Clock) -> None:
    token, claims = issue(ring, level=2)
    assert ring.verify(token) == claims
    assert claims.subject == SUBJECT and claims.session_id == "session-1" and claims.assurance_level == 2
    assert claims.issued_at == clock.now and claims.expires_at == clock.now + TTL
    assert claims.issued_at.tzinfo is not None and len(claims.token_id) == 32
    int(claims.token_id, 16)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "typ": "JWT", "kid": ring.current_kid}
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert payload["acr"] == "2"  # a string, per the OIDC acr convention
    assert {"iss": "hanoismart", "aud": "hanoismart-api"}.items() <= payload.items()


def test_each_token_gets_a_fresh_jti(ring: KeyRing) -> None:
    assert issue(ring)[1].token_id != issue(ring)[1].token_id


@pytest.mark.parametrize("level", [-1, 3, True, "1"])
def test_issue_rejects_an_assurance_level_outside_0_to_2(ring: KeyRing, level: Any) -> None:
    with pytest.raises(ValueError):
        ring.issue(subject=SUBJECT, session_id="s", assurance_level=level)


def test_kid_is_the_rfc7638_thumbprint() -> None:
    # RFC 8037, appendix A.1 to A.3
    d = base64.urlsafe_b64decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    public = Ed25519PrivateKey.from_private_bytes(d).public_key()
    assert tokens._thumbprint(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# --- the error ----------------------------------------------------------------------------------
def test_invalid_token_error_is_generic_and_never_echoes_the_token(ring: KeyRing, clock: Clock) -> None:
    token, _ = issue(ring)
    clock.advance(TTL + timedelta(minutes=1))
    with pytest.raises(InvalidTokenError) as expired:
        ring.verify(token)
    with pytest.raises(InvalidTokenError) as garbage:
        ring.verify("not-a-token")
    assert isinstance(expired.value, UnauthenticatedError) and expired.value.code == "UNAUTHENTICATED"
    assert expired.value.message == garbage.value.message == str(expired.value)
    assert "sign in again" in expired.value.message and token not in expired.value.message
    assert expired.value.__cause__ is None and expired.value.__suppress_context__


# --- header checks -------------------------------------------------------------------------------
def test_unknown_kid_is_refused(ring: KeyRing, clock: Clock) -> None:
    stranger = Ed25519PrivateKey.generate()
    forged = jwt.encode(valid_payload(clock), stranger, algorithm="EdDSA", headers={"kid": "x" * 43})
    refused(ring, forged)
    assert "x" * 43 not in {key["kid"] for key in ring.jwks()["keys"]}


def test_a_ring_key_under_an_unknown_kid_is_refused(ring: KeyRing, folder: Path, clock: Clock) -> None:
    # the signature is genuine: only the kid lookup can refuse this token
    current = private_key(folder, ring.current_kid)
    refused(ring, jwt.encode(valid_payload(clock), current, algorithm="EdDSA", headers={"kid": "y" * 43}))


def test_a_foreign_key_claiming_the_current_kid_is_refused(ring: KeyRing, clock: Clock) -> None:
    forged = jwt.encode(valid_payload(clock), Ed25519PrivateKey.generate(), algorithm="EdDSA",
                        headers={"kid": ring.current_kid})  # fmt: skip
    refused(ring, forged)


def test_missing_kid_is_refused(ring: KeyRing, folder: Path, clock: Clock) -> None:
    token = jwt.encode(valid_payload(clock), private_key(folder, ring.current_kid), algorithm="EdDSA")
    refused(ring, token)


def test_alg_none_is_refused(ring: KeyRing, clock: Clock) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": ring.current_kid}
    refused(ring, f"{segment(header)}.{segment(valid_payload(clock))}.")


def test_hs256_signed_with_the_public_key_pem_is_refused(ring: KeyRing, folder: Path, clock: Clock) -> None:
    public_pem = (
        private_key(folder, ring.current_kid)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': ring.current_kid})}." \
                    f"{segment(valid_payload(clock))}"  # fmt: skip
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    refused(ring, f"{signing_input}.{b64(mac)}")


def test_only_eddsa_with_the_kids_public_key_object_reaches_pyjwt(
    ring: KeyRing, folder: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pyjwt 2.15 would refuse "none" and PEM-as-HMAC-secret on its own; this pins our own layers.
    calls: list[tuple[Any, dict[str, Any]]] = []
    real_decode = jwt.decode

    def spy(token: str, key: Any, **kwargs: Any) -> Any:
        calls.append((key, kwargs))
        return real_decode(token, key, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", spy)
    ring.verify(issue(ring)[0])
    ((key, kwargs),) = calls
    assert isinstance(key, Ed25519PublicKey) and kwargs["algorithms"] == ["EdDSA"]
    assert key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == \
        private_key(folder, ring.current_kid).public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)  # fmt: skip
    assert set(tokens.REQUIRED_CLAIMS) <= set(kwargs["options"]["require"])
    payload = segment(valid_payload(clock))
    for alg in ("none", "HS256", "RS256"):
        refused(ring, f"{segment({'alg': alg, 'typ': 'JWT', 'kid': ring.current_kid})}.{payload}.")
    assert len(calls) == 1, "a token whose header is not EdDSA must be refused before decoding"


# --- signature and claims ------------------------------------------------------------------------
def test_tampered_payload_is_refused(ring: KeyRing) -> None:
    header, _, signature = issue(ring)[0].split(".")
    payload = json.loads(base64.urlsafe_b64decode(issue(ring)[0].split(".")[1] + "=="))
    payload["acr"] = "2"
    refused(ring, f"{header}.{segment(payload)}.{signature}")


def test_tampered_signature_is_refused(ring: KeyRing) -> None:
    token, _ = issue(ring)
    header, payload, signature = token.split(".")
    middle = len(signature) // 2  # not the last char: its low bits are padding
    flipped = signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    refused(ring, f"{header}.{payload}.{flipped}")


@pytest.mark.parametrize(("seconds_after_expiry", "accepted"), [(-1, True), (29, True), (31, False), (3600, False)])
def test_expiry_uses_the_injected_clock_with_at_most_30s_leeway(
    ring: KeyRing, clock: Clock, seconds_after_expiry: int, accepted: bool
) -> None:
    token, _ = issue(ring)
    clock.advance(TTL + timedelta(seconds=seconds_after_expiry))
    if accepted:
        ring.verify(token)
    else:
        refused(ring, token)


def test_a_token_issued_in_the_future_is_refused(ring: KeyRing, folder: Path, clock: Clock) -> None:
    iat = int(clock().timestamp()) + 120
    refused(ring, sign(folder, ring.current_kid, valid_payload(clock, iat=iat, exp=iat + 900)))


@pytest.mark.parametrize("changes", [{"iss": "someone-else"}, {"aud": "other-api"}, {"aud": ["other-api"]}], ids=str)
def test_wrong_issuer_or_audience_is_refused(ring: KeyRing, folder: Path, clock: Clock, changes: dict) -> None:
    assert ring.verify(sign(folder, ring.current_kid, valid_payload(clock)))  # control: the helper works
    refused(ring, sign(folder, ring.current_kid, valid_payload(clock, **changes)))


@pytest.mark.parametrize("claim", ["sub", "sid", "jti", "exp", "iat", "acr", "iss", "aud"])
def test_a_missing_required_claim_is_refused(ring: KeyRing, folder: Path, clock: Clock, claim: str) -> None:
    refused(ring, sign(folder, ring.current_kid, valid_payload(clock, **{claim: None})))


@pytest.mark.parametrize(
    "changes", [{"acr": "3"}, {"acr": 1}, {"sub": ""}, {"sid": 7}, {"exp": "soon"}, {"iat": 1.5}], ids=str
)
def test_malformed_claims_are_refused(ring: KeyRing, folder: Path, clock: Clock, changes: dict) -> None:
    refused(ring, sign(folder, ring.current_kid, valid_payload(clock, **changes)))


# --- rotation ------------------------------------------------------------------------------------
def test_rotation_keeps_old_tokens_valid_until_the_window_passes(ring: KeyRing, clock: Clock) -> None:
    old_kid = ring.current_kid
    old_token, _ = issue(ring)
    clock.advance(timedelta(minutes=1))
    new_kid = ring.rotate()
    assert new_kid == ring.current_kid != old_kid
    new_token, _ = issue(ring)
    assert jwt.get_unverified_header(new_token)["kid"] == new_kid
    ring.verify(old_token)
    ring.verify(new_token)
    assert {key["kid"] for key in ring.jwks()["keys"]} == {old_kid, new_kid}

    clock.advance(TTL + timedelta(minutes=2))
    assert [key["kid"] for key in ring.jwks()["keys"]] == [new_kid]
    refused(ring, old_token)


def test_a_retired_key_past_its_window_is_refused_even_for_an_unexpired_token(
    ring: KeyRing, folder: Path, clock: Clock
) -> None:
    old_kid = ring.current_kid
    old_key = private_key(folder, old_kid)
    ring.rotate()
    clock.advance(TTL + timedelta(minutes=2))
    forged = jwt.encode(valid_payload(clock), old_key, algorithm="EdDSA", headers={"kid": old_kid})
    refused(ring, forged)


def test_expired_keys_are_pruned_from_disk(ring: KeyRing, folder: Path, clock: Clock) -> None:
    first = ring.current_kid
    second = ring.rotate()
    assert (folder / f"{first}.pem").exists()
    clock.advance(TTL + timedelta(minutes=2))
    third = ring.rotate()
    assert not (folder / f"{first}.pem").exists()
    assert [entry["kid"] for entry in json.loads((folder / "keys.json").read_text())] == [second, third]
    clock.advance(TTL + timedelta(minutes=2))
    KeyRing.load_or_create(folder, access_ttl=TTL, clock=clock)  # pruning on load too
    assert not (folder / f"{second}.pem").exists()
    assert [entry["kid"] for entry in json.loads((folder / "keys.json").read_text())] == [third]


def test_keys_json_records_creation_and_retirement(ring: KeyRing, folder: Path, clock: Clock) -> None:
    first = ring.current_kid
    clock.advance(timedelta(minutes=5))
    second = ring.rotate()
    entries = json.loads((folder / "keys.json").read_text())
    assert entries == [
        {"kid": first, "created_at": "2030-01-01T12:00:00+00:00", "retired_at": "2030-01-01T12:05:00+00:00"},
        {"kid": second, "created_at": "2030-01-01T12:05:00+00:00", "retired_at": None},
    ]


# --- persistence ---------------------------------------------------------------------------------
def test_reloading_the_folder_reuses_the_keys(ring: KeyRing, folder: Path, clock: Clock) -> None:
    token, claims = issue(ring)
    again = KeyRing.load_or_create(folder, access_ttl=TTL, clock=clock)
    assert again.current_kid == ring.current_kid
    assert again.verify(token) == claims
    assert sorted(p.name for p in folder.glob("*.pem")) == [f"{ring.current_kid}.pem"]


def test_reload_after_rotation_keeps_the_retired_key(ring: KeyRing, folder: Path, clock: Clock) -> None:
    old_token, _ = issue(ring)
    new_kid = ring.rotate()
    again = KeyRing.load_or_create(folder, access_ttl=TTL, clock=clock)
    assert again.current_kid == new_kid
    again.verify(old_token)


def test_files_are_private(ring: KeyRing, folder: Path) -> None:
    ring.rotate()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = [folder / "keys.json", *folder.glob("*.pem")]
    assert len(files) == 3
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_existing_folder_is_tightened_to_0700(tmp_path: Path) -> None:
    folder = tmp_path / "mounted"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    KeyRing.load_or_create(folder, access_ttl=TTL)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_crash_while_writing_leaves_the_previous_keys_json(
    ring: KeyRing, folder: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (folder / "keys.json").read_bytes()
    real_replace = os.replace

    def crash_on_keys_json(src: Any, dst: Any) -> None:
        if Path(dst).name == "keys.json":
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_keys_json)
    with pytest.raises(OSError):
        ring.rotate()
    monkeypatch.undo()
    assert (folder / "keys.json").read_bytes() == before
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
    assert KeyRing.load_or_create(folder, access_ttl=TTL, clock=clock).current_kid == ring.current_kid


def _open_ring(folder: str) -> str:
    return KeyRing.load_or_create(Path(folder), access_ttl=TTL).current_kid


def test_processes_starting_together_share_one_key(folder: Path) -> None:
    with ProcessPoolExecutor(max_workers=6, mp_context=multiprocessing.get_context("fork")) as pool:
        kids = set(pool.map(_open_ring, [str(folder)] * 12))
    assert len(kids) == 1
    assert [entry["kid"] for entry in json.loads((folder / "keys.json").read_text())] == list(kids)
    assert len(list(folder.glob("*.pem"))) == 1


def test_a_pem_that_does_not_match_its_kid_is_rejected_on_load(ring: KeyRing, folder: Path) -> None:
    other = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / f"{ring.current_kid}.pem").write_bytes(other)
    with pytest.raises(ValueError):
        KeyRing.load_or_create(folder, access_ttl=TTL)


# --- what partner apps see -----------------------------------------------------------------------
def test_jwks_publishes_public_members_only(ring: KeyRing) -> None:
    ring.rotate()
    keys = ring.jwks()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert "d" not in key
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
        assert len(base64.urlsafe_b64decode(key["x"] + "=")) == 32 and "=" not in key["x"]


def test_a_partner_app_verifies_with_plain_pyjwt_and_the_jwks(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create(tmp_path / "keys", access_ttl=TTL)  # real clock: pyjwt checks exp itself
    token, claims = issue(ring)
    jwk = next(k for k in ring.jwks()["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])
    key = jwt.PyJWK(jwk).key
    payload = jwt.decode(token, key, algorithms=["EdDSA"], audience="hanoismart-api")
    assert payload["sub"] == claims.subject and payload["jti"] == claims.token_id


def test_a_rotation_made_by_another_process_is_followed(tmp_path, monkeypatch):
    import auth.tokens as tokens_module

    monkeypatch.setattr(tokens_module, "RELOAD_INTERVAL", 0.0)
    api_worker = KeyRing.load_or_create(tmp_path / "shared", access_ttl=timedelta(minutes=10))
    before, _ = api_worker.issue(subject="person", session_id="session", assurance_level=0)
    cli = KeyRing.load_or_create(tmp_path / "shared", access_ttl=timedelta(minutes=10))
    new_kid = cli.rotate()
    after, _ = api_worker.issue(subject="person", session_id="session", assurance_level=0)
    assert jwt.get_unverified_header(after)["kid"] == new_kid, "the worker signs with the rotated key"
    assert api_worker.verify(before).subject == "person", "tokens of the old key stay valid in their window"
    assert cli.verify(after).subject == "person"


# --- refresh-token successors --------------------------------------------------------------------------------------


def test_a_sealed_successor_opens_only_with_the_old_token():
    sealed = tokens.seal_successor("old-refresh-token", "the-successor")
    assert "the-successor" not in sealed
    assert tokens.open_successor("old-refresh-token", sealed) == "the-successor"
    assert tokens.open_successor("another-token", sealed) is None
    assert tokens.seal_successor("old-refresh-token", "the-successor") != sealed, "a fresh nonce each time"


def test_a_tampered_or_garbage_seal_does_not_open():
    sealed = tokens.seal_successor("old", "next")
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    for bad in (flipped, "", "!!!", sealed[:10]):
        assert tokens.open_successor("old", bad) is None

"""Key rings: generated once, stored privately, rotated with a grace period, published without private parts."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auth.keys import KeyRing, KeyRingError, KeyStore, load_keystore, thumbprint

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_first_load_generates_and_second_load_reuses(tmp_path: Path) -> None:
    first = KeyRing.load_or_create("access", tmp_path / "access", NOW)
    second = KeyRing.load_or_create("access", tmp_path / "access", NOW)
    assert first.active_kid == second.active_kid
    assert first.active_kid.startswith("access-")
    pem = tmp_path / "access" / f"{first.active_kid}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600


def test_kid_is_the_rfc7638_thumbprint_of_the_public_key(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create("documents", tmp_path, NOW)
    jwk = ring.active.public_jwk()
    assert ring.active_kid == "documents-" + thumbprint(jwk)[:24]


def test_rfc7638_example_thumbprint() -> None:
    # The EC public key of RFC 7517 Appendix A.1; its RFC 7638 thumbprint is a published vector.
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    }
    assert thumbprint(jwk) == "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"


def test_rotation_keeps_the_old_key_published_until_the_grace_ends(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create("access", tmp_path, NOW)
    old = ring.active_kid
    fresh = ring.rotate(NOW, timedelta(days=1))
    assert ring.active_kid == fresh.kid != old
    assert ring.find(old, NOW + timedelta(hours=23)) is not None
    assert ring.find(old, NOW + timedelta(days=1, seconds=1)) is None
    reloaded = KeyRing.load("access", tmp_path)
    assert reloaded.active_kid == fresh.kid
    assert {k.kid for k in reloaded.published(NOW)} == {old, fresh.kid}


def test_a_running_ring_picks_up_a_rotation_written_by_another_process(tmp_path: Path) -> None:
    running = KeyRing.load_or_create("access", tmp_path, NOW)
    operator = KeyRing.load("access", tmp_path)
    fresh = operator.rotate(NOW, timedelta(days=1))
    running.refresh()
    assert running.active_kid == fresh.kid


def test_jwks_has_public_members_only(tmp_path: Path) -> None:
    store = load_keystore(tmp_path, generate=True)
    document = store.jwks(datetime.now(UTC))
    assert len(document["keys"]) == 2
    for key in document["keys"]:
        assert set(key) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert "d" not in key


def test_production_refuses_to_invent_keys(tmp_path: Path) -> None:
    with pytest.raises(KeyRingError):
        load_keystore(tmp_path / "missing", generate=False)


def test_a_key_file_that_does_not_match_its_name_is_refused(tmp_path: Path) -> None:
    ring = KeyRing.load_or_create("access", tmp_path, NOW)
    other = KeyRing.load_or_create("access", tmp_path / "other", NOW)
    (tmp_path / f"{ring.active_kid}.pem").write_bytes(
        (tmp_path / "other" / f"{other.active_kid}.pem").read_bytes()
    )
    with pytest.raises(KeyRingError):
        KeyRing.load("access", tmp_path)


def test_pem_from_environment_is_used_as_is(tmp_path: Path) -> None:
    source = KeyRing.load_or_create("access", tmp_path / "src", NOW)
    store: KeyStore = load_keystore(
        tmp_path / "none",
        generate=False,
        access_pem=source.active.private_pem.decode(),
        documents_pem=source.active.private_pem.decode(),
    )
    assert store.access.active.public_jwk()["x"] == source.active.public_jwk()["x"]
    assert store.access.active_kid.startswith("access-")
    assert store.documents.active_kid.startswith("documents-")
    assert json.dumps(store.jwks(NOW))

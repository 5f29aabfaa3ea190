"""Wrapped data keys: newest KEK wraps, any KEK held unwraps, header bound, one opaque error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from parcelguard.crypto import Keyring, SealPolicy, WrappedKey, field_aad
from parcelguard.crypto.sealed_format import FORMAT, HEADER_BYTES, NONCE
from parcelguard.errors import IntegrityError
from tests.crypto.legacy import legacy_wrap
from tests.crypto.test_sealed_format import flip

DAY, OTHER_DAY = date(2027, 3, 1), date(2027, 3, 2)
AAD = field_aad("t1", "S1/recipient", "data_key")
DATA_KEY = bytes(range(32))


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    """Return a fresh local keyring (KEK version 1)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return Keyring.create(home / "keyring.json")


def reopened(keyring: Keyring, min_format: int) -> Keyring:
    """Return the same keyring file opened with another watermark (a restarted process)."""
    return Keyring.open(keyring.path, policy=SealPolicy(min_format))


def test_a_wrapped_key_carries_the_kek_version_in_its_header(keyring: Keyring) -> None:
    wrapped = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    assert wrapped.format == FORMAT and wrapped.kek_version == 1
    assert wrapped.blob[0] == FORMAT and int.from_bytes(wrapped.blob[1:5], "big") == 1
    assert keyring.unwrap_data_key(wrapped, AAD) == DATA_KEY


@pytest.mark.parametrize(
    ("what", "change"),
    [
        ("format version byte", lambda w: replace(w, blob=flip(0)(w.blob))),
        ("key id in the header", lambda w: replace(w, blob=flip(4)(w.blob))),
        ("nonce", lambda w: replace(w, blob=flip(HEADER_BYTES)(w.blob))),
        ("ciphertext", lambda w: replace(w, blob=flip(HEADER_BYTES + NONCE + 2)(w.blob))),
        ("tag", lambda w: replace(w, blob=flip(-1)(w.blob))),
        ("KEK version column", lambda w: replace(w, kek_version=1)),  # the header says 2
        ("format column", lambda w: replace(w, format=1)),
        ("epoch column", lambda w: replace(w, epoch=OTHER_DAY)),
        ("truncated", lambda w: replace(w, blob=w.blob[:20])),
    ],
)
def test_a_tampered_wrapped_key_gives_the_one_opaque_error(
    keyring: Keyring, what: str, change: Callable[[WrappedKey], WrappedKey]
) -> None:
    keyring.rotate()  # version 2 exists, so a changed version names a real KEK
    keyring.wrap_data_key(DATA_KEY, OTHER_DAY, AAD)  # and the other epoch a real key
    wrapped = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    with pytest.raises(IntegrityError) as caught:
        keyring.unwrap_data_key(change(wrapped), AAD)
    assert caught.value.code == "ciphertext_mismatch"


def test_a_wrapped_key_opens_only_for_its_own_row(keyring: Keyring) -> None:
    wrapped = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    with pytest.raises(IntegrityError) as caught:
        keyring.unwrap_data_key(wrapped, field_aad("t1", "S2/recipient", "data_key"))
    assert caught.value.code == "ciphertext_mismatch"


def test_the_newest_kek_wraps_and_an_older_one_still_unwraps(keyring: Keyring) -> None:
    old = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    assert keyring.rotate() == 2
    new = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    assert (old.kek_version, new.kek_version) == (1, 2)
    assert keyring.unwrap_data_key(old, AAD) == keyring.unwrap_data_key(new, AAD) == DATA_KEY
    moved = keyring.rewrap_data_key(old, AAD)
    assert moved.kek_version == 2 and keyring.unwrap_data_key(moved, AAD) == DATA_KEY


def test_a_key_under_a_destroyed_kek_gives_the_one_opaque_error(keyring: Keyring) -> None:
    old = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    keyring.rotate()
    keyring.remove_kek(1)
    with pytest.raises(IntegrityError) as caught:
        keyring.unwrap_data_key(old, AAD)
    assert caught.value.code == "ciphertext_mismatch"


def test_a_format_1_key_opens_until_the_watermark_refuses_it(keyring: Keyring) -> None:
    legacy = legacy_wrap(keyring, DATA_KEY, DAY, AAD)
    assert keyring.unwrap_data_key(legacy, AAD) == DATA_KEY
    upgraded = keyring.rewrap_data_key(legacy, AAD)
    assert upgraded.format == FORMAT
    strict = reopened(keyring, 2)
    with pytest.raises(IntegrityError) as caught:
        strict.unwrap_data_key(legacy, AAD)
    assert caught.value.code == "ciphertext_mismatch"
    assert strict.unwrap_data_key(upgraded, AAD) == DATA_KEY


def test_a_destroyed_epoch_is_shredded_not_tampered(keyring: Keyring) -> None:
    wrapped = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    keyring.destroy_epochs(OTHER_DAY)
    with pytest.raises(IntegrityError) as caught:
        keyring.unwrap_data_key(wrapped, AAD)
    assert caught.value.code == "shredded"


def test_a_process_that_missed_a_rotation_still_opens_every_epoch(keyring: Keyring) -> None:
    """Another process rotated and destroyed KEK 1: this one re-reads its epoch entries."""
    first = keyring.wrap_data_key(DATA_KEY, DAY, AAD)
    second = keyring.wrap_data_key(DATA_KEY, OTHER_DAY, AAD)
    other = Keyring.open(keyring.path)  # started before the rotation, nothing cached yet
    keyring.rotate()
    first, second = keyring.rewrap_data_key(first, AAD), keyring.rewrap_data_key(second, AAD)
    keyring.remove_kek(1)
    assert other.unwrap_data_key(first, AAD) == DATA_KEY  # its provider reloads the KEKs …
    assert other.unwrap_data_key(second, AAD) == DATA_KEY  # … and its epoch entries follow

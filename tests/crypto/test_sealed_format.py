"""The sealed-value recipe: format-2 header, first key seals, any key opens, one opaque error."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.crypto import FieldCipher, SealPolicy, field_aad
from parcelguard.crypto.sealed_format import FORMAT, HEADER_BYTES, NONCE, key_id
from parcelguard.errors import IntegrityError

OLD, NEW = bytes(range(32)), bytes(range(32, 64))
AAD = field_aad("t1", "S1/recipient", "phone")
PHONE = "13812345678"
FIXED_NONCE = bytes(range(100, 112))
# Test vectors: the same key, nonce, context and plaintext in both formats. Format 1 is what
# ParcelGuard wrote before the header (kept so stored data keeps opening); format 2 is pinned
# byte for byte so the documented layout cannot drift.
VECTOR_FORMAT_1 = bytes.fromhex(
    "6465666768696a6b6c6d6e6f7928e6574bda62ab08556700a2051ef8fe6cc8cfd34f00a0ecb9e3"
)
VECTOR_FORMAT_2 = bytes.fromhex(
    "02a782b084"  # format 2, key id of OLD
    "6465666768696a6b6c6d6e6f"  # nonce
    "7928e6574bda62ab0855675a7a2f39cdfb4e957418eb6dde6604be"  # ciphertext, tag
)


def flip(at: int) -> Callable[[bytes], bytes]:
    """Return a tamperer that flips one bit of the byte at `at` (negative: from the end)."""

    def tamper(blob: bytes) -> bytes:
        i = at % len(blob)
        return blob[:i] + bytes([blob[i] ^ 0x01]) + blob[i + 1 :]

    return tamper


def assert_opaque(caught: pytest.ExceptionInfo[IntegrityError]) -> None:
    """Every failure is the same error: same code, same message, no value named."""
    assert caught.value.code == "ciphertext_mismatch"
    assert str(caught.value) == str(_reference_error())
    assert PHONE not in str(caught.value)


def _reference_error() -> IntegrityError:
    with pytest.raises(IntegrityError) as caught:
        FieldCipher(NEW).open(b"\x02" + b"\x00" * 40, AAD)
    return caught.value


def test_format_2_layout_is_the_documented_one() -> None:
    sealed = FieldCipher(OLD).seal(PHONE, AAD, FIXED_NONCE)
    assert sealed == VECTOR_FORMAT_2
    assert sealed[0] == FORMAT and int.from_bytes(sealed[1:5], "big") == key_id(OLD)
    assert sealed[HEADER_BYTES : HEADER_BYTES + NONCE] == FIXED_NONCE
    assert len(sealed) == HEADER_BYTES + NONCE + len(PHONE) + 16


@pytest.mark.parametrize(
    "plaintext", ["", PHONE, "浙江省杭州市西湖区文三路 90 号 3 幢 201 室", "x" * 4096]
)
def test_round_trip(plaintext: str) -> None:
    cipher = FieldCipher(NEW)
    assert cipher.open(cipher.seal(plaintext, AAD), AAD).reveal() == plaintext


@pytest.mark.parametrize(
    ("what", "tamper"),
    [
        ("format version byte", flip(0)),
        ("key id", flip(2)),
        ("nonce", flip(HEADER_BYTES + 1)),
        ("ciphertext", flip(HEADER_BYTES + NONCE + 1)),
        ("tag", flip(-1)),
        ("truncated", lambda b: b[:-1]),
        ("header only", lambda b: b[:HEADER_BYTES]),
        ("header stripped", lambda b: b[HEADER_BYTES:]),
        ("empty", lambda b: b""),
        ("other key's id", lambda b: b[:1] + key_id(OLD).to_bytes(4, "big") + b[5:]),
    ],
)
def test_a_tampered_value_gives_the_one_opaque_error(
    what: str, tamper: Callable[[bytes], bytes]
) -> None:
    cipher = FieldCipher(NEW, OLD)
    with pytest.raises(IntegrityError) as caught:
        cipher.open(tamper(cipher.seal(PHONE, AAD)), AAD)
    assert_opaque(caught)


@pytest.mark.parametrize(
    "other",
    [
        field_aad("t2", "S1/recipient", "phone"),  # another tenant
        field_aad("t1", "S2/recipient", "phone"),  # another row
        field_aad("t1", "S1/sender", "phone"),  # the other party of the same parcel
        field_aad("t1", "S1/recipient", "name"),  # another field
        AAD + b"x",
    ],
)
def test_a_value_opens_only_under_its_own_context(other: bytes) -> None:
    cipher = FieldCipher(NEW)
    with pytest.raises(IntegrityError) as caught:
        cipher.open(cipher.seal(PHONE, AAD), other)
    assert_opaque(caught)


def test_the_first_key_seals_and_any_known_key_opens() -> None:
    under_old = FieldCipher(OLD).seal(PHONE, AAD)
    ring = FieldCipher(NEW, OLD)
    assert ring.open(under_old, AAD).reveal() == PHONE  # an old key still opens
    sealed = ring.seal(PHONE, AAD)
    assert int.from_bytes(sealed[1:5], "big") == key_id(NEW)  # the new key seals
    assert FieldCipher(NEW).open(sealed, AAD).reveal() == PHONE
    with pytest.raises(IntegrityError) as caught:  # a ring without the old key cannot
        FieldCipher(NEW).open(under_old, AAD)
    assert_opaque(caught)


def test_format_1_opens_until_the_watermark_refuses_it() -> None:
    assert FieldCipher(OLD).open(VECTOR_FORMAT_1, AAD).reveal() == PHONE
    assert FieldCipher(OLD).open(VECTOR_FORMAT_1, AAD, version=1).reveal() == PHONE
    refusing = FieldCipher(OLD, policy=SealPolicy(min_format=2))
    for version in (None, 1):
        with pytest.raises(IntegrityError) as caught:
            refusing.open(VECTOR_FORMAT_1, AAD, version=version)
        assert_opaque(caught)
    assert refusing.open(VECTOR_FORMAT_2, AAD).reveal() == PHONE


def test_a_format_1_value_whose_nonce_starts_like_a_header_still_opens() -> None:
    nonce = b"\x02" + bytes(11)  # one legacy value in 256 starts with the format byte
    legacy = nonce + AESGCM(OLD).encrypt(nonce, PHONE.encode(), AAD)
    assert FieldCipher(OLD).open(legacy, AAD).reveal() == PHONE


@pytest.mark.parametrize("version", [0, 3, 255])
def test_an_unknown_format_is_refused(version: int) -> None:
    sealed = FieldCipher(NEW).seal(PHONE, AAD)
    with pytest.raises(IntegrityError) as caught:
        FieldCipher(NEW).open(sealed, AAD, version=version)
    assert_opaque(caught)
    with pytest.raises(IntegrityError) as caught:
        FieldCipher(NEW).open(bytes([version]) + sealed[1:], AAD)
    assert_opaque(caught)


def test_a_format_2_value_passed_off_as_format_1_does_not_open() -> None:
    """Stripping the header cannot downgrade a value: its tag covered the header."""
    sealed = FieldCipher(NEW).seal(PHONE, AAD)
    with pytest.raises(IntegrityError) as caught:
        FieldCipher(NEW).open(sealed[HEADER_BYTES:], AAD, version=1)
    assert_opaque(caught)


def test_the_watermark_rejects_impossible_settings() -> None:
    for bad in (0, 3):
        with pytest.raises(ValueError):
            SealPolicy(min_format=bad)

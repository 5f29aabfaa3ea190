"""The sealed-value format: the header on every stored ciphertext, its AAD rule, its one error.

Format 2, the layout of every sealed field and every wrapped data key ParcelGuard writes:

    offset  bytes  field
    0       1      format version: 2
    1       4      key id, unsigned big-endian: for a wrapped data key the KEK version that
                   wraps it; for a sealed field the id of the data key (`key_id()`: a
                   4-byte keyed BLAKE2b of "parcelguard" 0x1F "key id" under the data key)
    5       12     nonce: fresh randomness for this seal, never a counter
    17      n+16   AES-256-GCM ciphertext of the n plaintext bytes, then the 16-byte tag

Associated data (the AAD convention, stated here and nowhere else): the 5 header bytes, then
the context `b"pg1" 0x1F tenant 0x1F owner 0x1F field` (UTF-8). The tag therefore covers the
format version, the key id, the tenant, the row (its owner id) and the field: a value changed,
moved to another row or field, or given another header fails to open.

Format 1, written before the header existed: nonce ‖ ciphertext ‖ tag, associated data = the
context alone, the key's version kept only in the row. It is read while the `min_format`
watermark admits it and rewritten as format 2 by `parcelguard keys rotate` and every rewrap.

Every failure (unknown format, format below the watermark, unknown key id, altered byte, wrong
row or field) is one `IntegrityError`, code `ciphertext_mismatch`, naming no value: like
Fernet's `InvalidToken`, it gives an attacker nothing to tell one failure from another.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.errors import IntegrityError

FORMAT_LEGACY = 1
FORMAT = 2
NONCE = 12
TAG = 16
HEADER = struct.Struct(">BI")
HEADER_BYTES = HEADER.size
CONTEXT_TAG = b"pg1"
_KEY_ID_LABEL = b"parcelguard\x1fkey id"


def context(tenant_id: str, owner_id: str, field: str) -> bytes:
    """Return the context that binds a sealed value to its tenant, row (owner) and field."""
    return b"\x1f".join((CONTEXT_TAG, tenant_id.encode(), owner_id.encode(), field.encode()))


def header(key_id: int) -> bytes:
    """Return the format-2 header naming `key_id`."""
    return HEADER.pack(FORMAT, key_id)


def read_header(blob: bytes) -> int:
    """Return the key id of a format-2 value; anything else is the opaque error."""
    if len(blob) < HEADER_BYTES + NONCE + TAG:
        raise opaque()
    version, key_id = HEADER.unpack_from(blob)
    if version != FORMAT:
        raise opaque()
    return int(key_id)


def key_id(key: bytes) -> int:
    """Return the 32-bit id of a data key: a MAC under it (keyed BLAKE2b), never the key."""
    mac = hashlib.blake2b(_KEY_ID_LABEL, key=key, digest_size=4)  # in-process, sub-µs
    return int.from_bytes(mac.digest(), "big")


def opaque() -> IntegrityError:
    """Return the one error every failure to open a sealed value raises."""
    return IntegrityError(
        "a sealed value failed to open: it was altered, moved to another row or field, "
        "or its key or format is retired",
        code="ciphertext_mismatch",
    )


def seal_with(
    aead: AESGCM, key_id: int, plaintext: bytes, ctx: bytes, nonce: bytes | None = None
) -> bytes:
    """Seal `plaintext` in format 2 under `aead`, whose id the header names."""
    head = header(key_id)
    nonce = nonce or os.urandom(NONCE)
    return head + nonce + aead.encrypt(nonce, plaintext, head + ctx)


def open_with(aead: AESGCM, blob: bytes, ctx: bytes) -> bytes:
    """Open a format-2 value under `aead` (the caller chose it by the header's key id)."""
    head, nonce = blob[:HEADER_BYTES], blob[HEADER_BYTES : HEADER_BYTES + NONCE]
    try:
        return aead.decrypt(nonce, blob[HEADER_BYTES + NONCE :], head + ctx)
    except (InvalidTag, ValueError):
        raise opaque() from None


def open_legacy(aead: AESGCM, blob: bytes, ctx: bytes) -> bytes:
    """Open a format-1 value: nonce, ciphertext and tag, bound to the context alone."""
    try:
        return aead.decrypt(blob[:NONCE], blob[NONCE:], ctx)
    except (InvalidTag, ValueError):
        raise opaque() from None


@dataclass(frozen=True)
class SealPolicy:
    """The minimum-decryption-version watermark: formats below `min_format` are refused."""

    min_format: int = FORMAT_LEGACY

    def __post_init__(self) -> None:
        if not FORMAT_LEGACY <= self.min_format <= FORMAT:
            raise ValueError(f"min_format must be between {FORMAT_LEGACY} and {FORMAT}")

    def check(self, version: int) -> None:
        """Raise the opaque error unless values of format `version` may be opened."""
        if not self.min_format <= version <= FORMAT:
            raise opaque()

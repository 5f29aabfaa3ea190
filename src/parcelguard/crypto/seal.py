"""Field sealing: AES-256-GCM under a per-party data key, bound to (tenant, shipment, field).

The associated data makes a ciphertext open only in the row and field it was sealed for, so a
copied or swapped ciphertext fails with one opaque `IntegrityError`.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.errors import IntegrityError
from parcelguard.sensitive import Sensitive

NONCE = 12
KEY_BYTES = 32


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return os.urandom(KEY_BYTES)


def field_aad(tenant_id: str, owner_id: str, field: str) -> bytes:
    """Return the associated data that binds a ciphertext to its row and field."""
    return f"pg1\x1f{tenant_id}\x1f{owner_id}\x1f{field}".encode()


class FieldCipher:
    """Seals and opens the fields of one party under its data key."""

    __slots__ = ("_aead",)

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(data_key)

    def seal(self, plaintext: str, aad: bytes, nonce: bytes | None = None) -> bytes:
        """Encrypt `plaintext`; the result is nonce followed by ciphertext and tag.

        `nonce` lets a caller draw several random nonces in one system call; each must be
        fresh randomness used once (never a counter or a reused value).
        """
        nonce = nonce or os.urandom(NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext.encode(), aad)

    def open(self, blob: bytes, aad: bytes) -> Sensitive:
        """Decrypt a sealed field or raise `IntegrityError` naming no value."""
        try:
            data = self._aead.decrypt(blob[:NONCE], blob[NONCE:], aad)
        except (InvalidTag, ValueError):
            raise IntegrityError(
                "a sealed field failed to open: it was altered or belongs to another row or field",
                code="ciphertext_mismatch",
            ) from None
        return Sensitive(data.decode())

"""Blind indexes: keyed HMAC-SHA256 of normalized values, for search without decryption.

Never an unkeyed hash: the space of mobile numbers is small enough to enumerate, so without
the index key a digest says nothing about the number behind it.
"""

from __future__ import annotations

import hashlib
import hmac

DIGEST_BYTES = 16


class BlindIndex:
    """Computes tenant-scoped keyed digests of normalized values."""

    __slots__ = ("_key", "_keyed")

    def __init__(self, key: bytes) -> None:
        self._key = key
        # The HMAC state with the key already absorbed: each digest copies it rather than
        # hashing the key again (an import computes seven digests a row).
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def digest(self, tenant_id: str, kind: str, normalized: str) -> bytes:
        """Return the 16-byte digest of `normalized` as a value of `kind` in `tenant_id`."""
        mac = self._keyed.copy()
        mac.update(f"{tenant_id}\x1f{kind}\x1f{normalized}".encode())
        return mac.digest()[:DIGEST_BYTES]

    def derive(self, purpose: str) -> bytes:
        """Return a subkey for another keyed-hash purpose (PII hash operator, exposure list)."""
        return hmac.new(self._key, f"derive\x1f{purpose}".encode(), hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "BlindIndex(key=***)"

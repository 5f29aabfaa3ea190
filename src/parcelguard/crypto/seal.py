"""Field sealing: AES-256-GCM under data keys, the first key seals and any key it holds opens.

The value's header (`sealed_format`) names the key and format; the associated data binds it to
(tenant, owner, field), so a copied or swapped ciphertext fails with the one opaque error.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.crypto.sealed_format import (
    FORMAT,
    FORMAT_LEGACY,
    NONCE,
    SealPolicy,
    context,
    key_id,
    opaque,
    open_legacy,
    open_with,
    read_header,
    seal_with,
)
from parcelguard.errors import IntegrityError
from parcelguard.sensitive import Sensitive

KEY_BYTES = 32
DEFAULT_POLICY = SealPolicy()

__all__ = ["KEY_BYTES", "NONCE", "FieldCipher", "field_aad", "new_data_key"]


def new_data_key() -> bytes:
    """Return a fresh random 256-bit data key."""
    return os.urandom(KEY_BYTES)


def field_aad(tenant_id: str, owner_id: str, field: str) -> bytes:
    """Return the context that binds a ciphertext to its row and field (`sealed_format`)."""
    return context(tenant_id, owner_id, field)


class FieldCipher:
    """A MultiFernet-like ring of data keys: the first seals, any of them opens."""

    __slots__ = ("_first", "_keys", "_policy")

    def __init__(self, *keys: bytes, policy: SealPolicy = DEFAULT_POLICY) -> None:
        if not keys:
            raise ValueError("a field cipher needs at least one key")
        self._keys: dict[int, AESGCM] = {}
        for key in keys:
            self._keys.setdefault(key_id(key), AESGCM(key))
        self._first = next(iter(self._keys))
        self._policy = policy

    def seal(self, plaintext: str | bytes, aad: bytes, nonce: bytes | None = None) -> bytes:
        """Encrypt under the first key; the result is header, nonce, ciphertext and tag.

        `nonce` lets a caller draw several random nonces in one system call; each must be
        fresh randomness used once (never a counter or a reused value).
        """
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        return seal_with(self._keys[self._first], self._first, data, aad, nonce)

    def open(self, blob: bytes, aad: bytes, *, version: int | None = None) -> Sensitive:
        """Decrypt a sealed text field; any failure is the one opaque `IntegrityError`."""
        data = self.open_bytes(blob, aad, version=version)
        try:
            return Sensitive(data.decode())
        except UnicodeDecodeError:
            raise opaque() from None

    def open_bytes(self, blob: bytes, aad: bytes, *, version: int | None = None) -> bytes:
        """Decrypt a sealed value of format `version` (the row's), or of either when not known.

        Without a version, a value that fails as format 2 is tried as format 1 while the
        watermark admits it: a format-2 tag never verifies as format 1 (its AAD held the
        header), so stripping a header cannot downgrade a value.
        """
        if version is None:
            try:
                return self._open_current(blob, aad)
            except IntegrityError:
                if self._policy.min_format > FORMAT_LEGACY:
                    raise
                return self._open_old(blob, aad)
        self._policy.check(version)
        return self._open_current(blob, aad) if version == FORMAT else self._open_old(blob, aad)

    def _open_current(self, blob: bytes, aad: bytes) -> bytes:
        self._policy.check(FORMAT)
        aead = self._keys.get(read_header(blob))
        if aead is None:
            raise opaque()
        return open_with(aead, blob, aad)

    def _open_old(self, blob: bytes, aad: bytes) -> bytes:
        self._policy.check(FORMAT_LEGACY)
        for aead in self._keys.values():  # format 1 names no key: try each, as MultiFernet
            try:
                return open_legacy(aead, blob, aad)
            except IntegrityError:
                continue
        raise opaque()

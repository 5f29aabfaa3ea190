"""KMS providers: whoever holds the key-encryption keys (KEKs) wraps and unwraps data keys.

The local file provider keeps versioned KEKs in the keyring file; an external KMS or Vault
transit implements the same five methods and nothing else of ours changes.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.errors import IntegrityError, NotFound

NONCE = 12


class KmsProvider(ABC):
    """Holds versioned KEKs; wraps and unwraps keys under one of them."""

    name: str = "abstract"

    @abstractmethod
    def versions(self) -> list[int]:
        """Return the KEK versions that still exist, oldest first."""

    @abstractmethod
    def active_version(self) -> int:
        """Return the version that wraps new keys."""

    @abstractmethod
    def wrap(self, version: int, key: bytes, aad: bytes) -> bytes:
        """Encrypt `key` under KEK `version`, bound to `aad`."""

    @abstractmethod
    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Decrypt a wrapped key; any failure is one opaque `IntegrityError`."""

    @abstractmethod
    def add_version(self) -> int:
        """Create a new KEK version, make it active and return it."""

    @abstractmethod
    def remove_version(self, version: int) -> None:
        """Destroy a retired KEK version that nothing uses any more."""


class AesKekSet:
    """Versioned AES-256-GCM KEKs held in memory; the mechanism both local providers share."""

    def __init__(self, keys: dict[int, bytes], active: int) -> None:
        self._ciphers = {v: AESGCM(k) for v, k in keys.items()}
        self._active = active

    def versions(self) -> list[int]:
        """Return the versions held, oldest first."""
        return sorted(self._ciphers)

    def active(self) -> int:
        """Return the active version."""
        return self._active

    def wrap(self, version: int, key: bytes, aad: bytes) -> bytes:
        """Encrypt under `version`: nonce followed by ciphertext and tag."""
        nonce = os.urandom(NONCE)
        return nonce + self._cipher(version).encrypt(nonce, key, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Decrypt under `version`."""
        cipher = self._cipher(version)
        try:
            return cipher.decrypt(wrapped[:NONCE], wrapped[NONCE:], aad)
        except (InvalidTag, ValueError):
            raise IntegrityError("a wrapped key failed to open: wrong key or tampered") from None

    def add(self, version: int, key: bytes) -> None:
        """Hold a new version and make it active."""
        self._ciphers[version] = AESGCM(key)
        self._active = version

    def remove(self, version: int) -> None:
        """Forget a version."""
        self._ciphers.pop(version, None)

    def _cipher(self, version: int) -> AESGCM:
        try:
            return self._ciphers[version]
        except KeyError:
            raise NotFound(
                f"KEK version {version} does not exist (removed or never made)"
            ) from None


class InMemoryKms(KmsProvider):
    """A real provider whose KEKs live only in this process: for tests and throwaway demos."""

    name = "memory"

    def __init__(self) -> None:
        self._keks = AesKekSet({1: AESGCM.generate_key(256)}, 1)
        self.calls = {"wrap": 0, "unwrap": 0}

    def versions(self) -> list[int]:
        """Return the versions held."""
        return self._keks.versions()

    def active_version(self) -> int:
        """Return the active version."""
        return self._keks.active()

    def wrap(self, version: int, key: bytes, aad: bytes) -> bytes:
        """Wrap and count the call."""
        self.calls["wrap"] += 1
        return self._keks.wrap(version, key, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Unwrap and count the call."""
        self.calls["unwrap"] += 1
        return self._keks.unwrap(version, wrapped, aad)

    def add_version(self) -> int:
        """Make a new active version."""
        version = max(self._keks.versions()) + 1
        self._keks.add(version, AESGCM.generate_key(256))
        return version

    def remove_version(self, version: int) -> None:
        """Forget a version (never the active one)."""
        if version == self._keks.active():
            raise ValueError("the active KEK version cannot be removed")
        self._keks.remove(version)

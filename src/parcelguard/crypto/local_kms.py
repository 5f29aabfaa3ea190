"""The default KMS provider: versioned AES-256 KEKs kept in the keyring file itself."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.crypto.keystore import KeyStore
from parcelguard.crypto.kms import AesKekSet, KmsProvider
from parcelguard.crypto.results import LocalKek, LocalKmsEntries


class LocalFileKms(KmsProvider):
    """KEKs in `keyring.json`; adequate for one machine, replaced by a KMS beyond it."""

    name = "local"

    def __init__(self, store: KeyStore) -> None:
        self._store = store
        self._keks = self._load(store.read())

    @staticmethod
    def initial_entries() -> LocalKmsEntries:
        """Return the keyring entries of a fresh local provider (KEK version 1)."""
        return {"keks": {"1": _new_kek()}, "active_kek": 1}

    def versions(self) -> list[int]:
        """Return the versions in the file."""
        return self._keks.versions()

    def active_version(self) -> int:
        """Return the active version."""
        return self._keks.active()

    def wrap(self, version: int, key: bytes, aad: bytes) -> bytes:
        """Wrap under a KEK of the file."""
        return self._keks.wrap(version, key, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Unwrap; reload once if another process added the version since we read the file."""
        if version not in self._keks.versions() and self._store.changed_since_read():
            self.reload()
        return self._keks.unwrap(version, wrapped, aad)

    def add_version(self) -> int:
        """Write a new active KEK version to the file."""
        added: dict[str, int] = {}

        def change(data: dict[str, Any]) -> None:
            version = max(int(v) for v in data["keks"]) + 1
            data["keks"][str(version)] = _new_kek()
            data["active_kek"] = version
            added["version"] = version

        self._keks = self._load(self._store.update(change))
        return added["version"]

    def remove_version(self, version: int) -> None:
        """Delete a retired KEK version from the file."""

        def change(data: dict[str, Any]) -> None:
            if int(data["active_kek"]) == version:
                raise ValueError("the active KEK version cannot be removed")
            data["keks"].pop(str(version), None)

        self._keks = self._load(self._store.update(change))

    def created_at(self) -> dict[int, str]:
        """Return when each KEK version was made."""
        data = self._store.read()
        return {int(v): e["created_at"] for v, e in data["keks"].items()}

    def reload(self) -> None:
        """Re-read the KEKs from the file."""
        self._keks = self._load(self._store.read())

    @staticmethod
    def _load(data: dict[str, Any]) -> AesKekSet:
        keys = {int(v): base64.b64decode(e["key"]) for v, e in data["keks"].items()}
        return AesKekSet(keys, int(data["active_kek"]))


def _new_kek() -> LocalKek:
    return {
        "key": base64.b64encode(AESGCM.generate_key(256)).decode(),
        "created_at": datetime.now(UTC).isoformat(),
    }

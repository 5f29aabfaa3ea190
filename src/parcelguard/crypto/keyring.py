"""The keyring: KEKs, the blind-index key, the audit keys and the retention epoch keys.

It holds the KEKs (through a KMS provider), the blind-index key, the audit log's checkpoint
signing key and event MAC key, and one retention epoch key per purge day.

Key hierarchy: a party's data key is wrapped by a KEK version (through the provider), and that
wrapped key is sealed again under the epoch key of the party's purge day. Destroying the epoch
key therefore makes every copy of those rows unreadable, backups included; rotating the KEK
rewraps the inner layer. The epoch keys live in the key store, never in the database.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parcelguard.crypto.blind_index import BlindIndex
from parcelguard.crypto.event_mac import EventMac
from parcelguard.crypto.keystore import KeyStore
from parcelguard.crypto.kms import KmsProvider
from parcelguard.crypto.local_kms import LocalFileKms
from parcelguard.crypto.note import NoteSigner
from parcelguard.crypto.results import KeyringEntry
from parcelguard.crypto.sealed_format import (
    FORMAT,
    FORMAT_LEGACY,
    SealPolicy,
    header,
    opaque,
    open_legacy,
    open_with,
    read_header,
    seal_with,
)
from parcelguard.crypto.signing import CheckpointSigner
from parcelguard.errors import ConfigError, IntegrityError, NotFound

ProviderFactory = Callable[[KeyStore], KmsProvider]


@dataclass(frozen=True)
class WrappedKey:
    """A data key as stored: the KEK version of its inner layer, its epoch, bytes and format."""

    kek_version: int
    epoch: date
    blob: bytes
    format: int = FORMAT


@dataclass(frozen=True)
class KeyringStatus:
    """What `keys status` shows (never key material)."""

    provider: str
    active: int
    versions: list[int]
    created_at: dict[int, str]
    epochs: int
    destroyed_epochs: int
    development: bool


class Keyring:
    """Every key ParcelGuard holds, behind methods that never hand out key bytes."""

    def __init__(self, store: KeyStore, kms: KmsProvider, policy: SealPolicy | None = None) -> None:
        self._store = store
        self.kms = kms
        self.policy = policy or SealPolicy()
        self._lock = threading.RLock()
        self._epochs: dict[date, AESGCM] = {}
        self._data = store.read()
        self.index = BlindIndex(self._secret("index"))
        self.signer = CheckpointSigner(self._secret("signing"))
        self.audit_mac = EventMac(self._secret("audit_mac"))

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        provider: ProviderFactory | None = None,
        development: bool = False,
        policy: SealPolicy | None = None,
    ) -> Keyring:
        """Create the keyring file if it is missing (idempotent) and open it."""
        store = KeyStore(path)
        if not store.exists():
            base: dict[str, Any] = {
                "created_at": datetime.now(UTC).isoformat(),
                "development": development,
                "secrets": {},
                "epochs": {},
                "destroyed_epochs": {},
            }
            if provider is None:
                base.update(LocalFileKms.initial_entries())
            base["provider"] = "local" if provider is None else "external"
            store.create(base)
        store.check_permissions()
        kms = provider(store) if provider else LocalFileKms(store)
        _ensure_secrets(store, kms)
        return cls(store, kms, policy)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        provider: ProviderFactory | None = None,
        policy: SealPolicy | None = None,
    ) -> Keyring:
        """Open an existing keyring; refuses a file others can read."""
        store = KeyStore(path)
        if not store.exists():
            raise ConfigError(f"no keyring at {path}: run `parcelguard init`")
        store.check_permissions()
        kms = provider(store) if provider else LocalFileKms(store)
        return cls(store, kms, policy)

    def log_signer(self, name: str) -> NoteSigner:
        """Return the audit log's checkpoint signer (the Ed25519 signing key) under `name`."""
        return NoteSigner(name, self._secret("signing"))

    # -- data keys ---------------------------------------------------------------------------

    def wrap_data_key(self, data_key: bytes, epoch: date, aad: bytes) -> WrappedKey:
        """Wrap a data key under the active (newest) KEK, then seal it under the epoch key.

        The result is a format-2 value whose header names the KEK version; the KMS binds the
        inner layer to the same header and context (`sealed_format`).
        """
        version = self.kms.active_version()
        bound = header(version) + aad
        inner = self.kms.wrap(version, data_key, bound)
        blob = seal_with(self._epoch_cipher(epoch, create=True), version, inner, aad)
        return WrappedKey(version, epoch, blob, FORMAT)

    def unwrap_data_key(self, wrapped: WrappedKey, aad: bytes) -> bytes:
        """Open both layers under any KEK version still held.

        A destroyed epoch is `IntegrityError` code `shredded`; every other failure (altered
        bytes, another row, a KEK version that is gone or disagrees with the header, a format
        below the watermark) is the one opaque error.
        """
        cipher = self._epoch_cipher(wrapped.epoch, create=False)
        self.policy.check(wrapped.format)
        if wrapped.format == FORMAT_LEGACY:
            inner, bound = open_legacy(cipher, wrapped.blob, aad), aad
        else:
            if read_header(wrapped.blob) != wrapped.kek_version:
                raise opaque()
            inner = open_with(cipher, wrapped.blob, aad)
            bound = header(wrapped.kek_version) + aad
        try:
            return self.kms.unwrap(wrapped.kek_version, inner, bound)
        except (IntegrityError, NotFound):
            raise opaque() from None

    def rewrap_data_key(
        self, wrapped: WrappedKey, aad: bytes, epoch: date | None = None
    ) -> WrappedKey:
        """Return the key rewrapped: active KEK, current format, the given (or same) epoch."""
        return self.wrap_data_key(self.unwrap_data_key(wrapped, aad), epoch or wrapped.epoch, aad)

    # -- retention epochs --------------------------------------------------------------------

    def live_epochs(self) -> list[date]:
        """Return the purge days whose keys still exist."""
        self._refresh_if_changed()
        return sorted(date.fromisoformat(d) for d in self._data.get("epochs", {}))

    def destroy_epochs(self, before: date) -> list[date]:
        """Destroy every epoch key whose purge day is before `before`; return those days."""
        destroyed: list[date] = []
        now = datetime.now(UTC).isoformat()

        def change(data: dict[str, Any]) -> None:
            for day in list(data.get("epochs", {})):
                if date.fromisoformat(day) < before:
                    del data["epochs"][day]
                    data.setdefault("destroyed_epochs", {})[day] = now
                    destroyed.append(date.fromisoformat(day))

        with self._lock:
            self._data = self._store.update(change)
            for day in destroyed:
                self._epochs.pop(day, None)
        return sorted(destroyed)

    def destroyed_epochs(self) -> list[date]:
        """Return the purge days whose keys were destroyed (their data is shredded)."""
        self._refresh_if_changed()
        return sorted(date.fromisoformat(d) for d in self._data.get("destroyed_epochs", {}))

    def is_destroyed(self, epoch: date) -> bool:
        """Return whether the epoch key of that day was destroyed."""
        self._refresh_if_changed()
        return epoch.isoformat() in self._data.get("destroyed_epochs", {})

    def _epoch_cipher(self, epoch: date, *, create: bool) -> AESGCM:
        cipher = self._epochs.get(epoch)
        if cipher is not None:
            return cipher
        with self._lock:
            entry = self._data.get("epochs", {}).get(epoch.isoformat())
            if entry is None or int(entry["v"]) not in self.kms.versions():
                # Another process may have made or destroyed it, or rotated the KEKs (and the
                # provider may have reloaded them already, so the file's stamp is no guide).
                self._data = self._store.read()
                if isinstance(self.kms, LocalFileKms):
                    self.kms.reload()
                entry = self._data.get("epochs", {}).get(epoch.isoformat())
            if entry is None:
                if not create or epoch.isoformat() in self._data.get("destroyed_epochs", {}):
                    raise IntegrityError(
                        f"the retention key of {epoch.isoformat()} is destroyed: data shredded",
                        code="shredded",
                    )
                entry = self._create_epoch(epoch)
            cipher = AESGCM(self._unwrap_entry(entry, f"epoch:{epoch.isoformat()}"))
            self._epochs[epoch] = cipher
            return cipher

    def _create_epoch(self, epoch: date) -> KeyringEntry:
        day = epoch.isoformat()

        def change(data: dict[str, Any]) -> None:
            if day in data.get("destroyed_epochs", {}):
                raise IntegrityError(
                    f"the retention key of {day} is already destroyed", code="shredded"
                )
            data.setdefault("epochs", {}).setdefault(
                day, self._wrap_entry(AESGCM.generate_key(256), f"epoch:{day}")
            )

        self._data = self._store.update(change)
        entry: KeyringEntry = self._data["epochs"][day]
        return entry

    # -- rotation ----------------------------------------------------------------------------

    def rotate(self) -> int:
        """Add a KEK version and rewrap the keyring's own secrets and epoch keys under it."""
        with self._lock:
            version = self.kms.add_version()
            self.rewrap_store_entries()
            return version

    def rewrap_store_entries(self) -> None:
        """Rewrap every secret and epoch key in the file under the active KEK."""

        def change(data: dict[str, Any]) -> None:
            active = self.kms.active_version()
            for name, entry in data.get("secrets", {}).items():
                if entry["v"] != active:
                    data["secrets"][name] = self._wrap_entry(self._unwrap_entry(entry, name), name)
            for day, entry in data.get("epochs", {}).items():
                if entry["v"] != active:
                    label = f"epoch:{day}"
                    data["epochs"][day] = self._wrap_entry(self._unwrap_entry(entry, label), label)

        self._data = self._store.update(change)

    def store_versions_in_use(self) -> set[int]:
        """Return the KEK versions that still wrap a secret or epoch key in the file."""
        self._refresh_if_changed()
        used = {int(e["v"]) for e in self._data.get("secrets", {}).values()}
        used |= {int(e["v"]) for e in self._data.get("epochs", {}).values()}
        return used

    def remove_kek(self, version: int) -> None:
        """Destroy a KEK version; the caller has checked that no data key uses it."""
        if version in self.store_versions_in_use():
            raise IntegrityError(f"KEK version {version} still wraps keyring entries")
        self.kms.remove_version(version)

    def status(self) -> KeyringStatus:
        """Describe the keyring without key material."""
        self._refresh_if_changed()
        created = self.kms.created_at() if isinstance(self.kms, LocalFileKms) else {}
        return KeyringStatus(
            provider=self.kms.name,
            active=self.kms.active_version(),
            versions=self.kms.versions(),
            created_at=created,
            epochs=len(self._data.get("epochs", {})),
            destroyed_epochs=len(self._data.get("destroyed_epochs", {})),
            development=bool(self._data.get("development")),
        )

    @property
    def path(self) -> Path:
        """Return the keyring file's path."""
        return self._store.path

    # -- internals ---------------------------------------------------------------------------

    def _secret(self, name: str) -> bytes:
        entry = self._data.get("secrets", {}).get(name)
        if entry is None:
            raise IntegrityError(f"the keyring has no {name} key: it was damaged or hand-edited")
        return self._unwrap_entry(entry, name)

    def _wrap_entry(self, key: bytes, label: str) -> KeyringEntry:
        return _wrap_entry(self.kms, key, label)

    def _unwrap_entry(self, entry: KeyringEntry, label: str) -> bytes:
        return self.kms.unwrap(
            int(entry["v"]), base64.b64decode(entry["w"]), f"keyring\x1f{label}".encode()
        )

    def _refresh_if_changed(self) -> None:
        if self._store.changed_since_read():
            with self._lock:
                self._data = self._store.read()
                if isinstance(self.kms, LocalFileKms):
                    self.kms.reload()
                live = set(self._data.get("epochs", {}))
                for day in [d for d in self._epochs if d.isoformat() not in live]:
                    del self._epochs[day]

    def __repr__(self) -> str:
        return f"Keyring(path={self._store.path}, provider={self.kms.name})"


def _wrap_entry(kms: KmsProvider, key: bytes, label: str) -> KeyringEntry:
    version = kms.active_version()
    wrapped = kms.wrap(version, key, f"keyring\x1f{label}".encode())
    return {"v": version, "w": base64.b64encode(wrapped).decode()}


def _ensure_secrets(store: KeyStore, kms: KmsProvider) -> None:
    """Add the blind-index, signing and audit MAC keys to a keyring that lacks them."""
    makers: dict[str, Callable[[], bytes]] = {
        "index": lambda: os.urandom(32),
        "signing": CheckpointSigner.generate,
        "audit_mac": lambda: os.urandom(32),
    }
    if all(name in store.read().get("secrets", {}) for name in makers):
        return

    def change(data: dict[str, Any]) -> None:
        secrets = data.setdefault("secrets", {})
        for name, make in makers.items():
            if name not in secrets:
                secrets[name] = _wrap_entry(kms, make(), name)

    store.update(change)

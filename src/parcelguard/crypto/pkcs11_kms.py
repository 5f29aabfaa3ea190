"""A KMS provider whose KEKs live in an HSM, reached through PKCS#11 (python-pkcs11).

Each KEK version is an AES-256 secret key generated inside the token as a persistent object
labelled `<key_label>-v<N>`, with CKA_SENSITIVE set and CKA_EXTRACTABLE cleared, so its bytes
can never leave the token: data keys are wrapped and unwrapped by the token itself
(CKM_AES_GCM, the associated data binding a wrapped key to its row). The newest version is the
active one; rotation generates a new key in the token, and a retired version is destroyed
there. The same code drives SoftHSM2, a network HSM or a cloud HSM's PKCS#11 library.

Chosen in config.toml with `kms_provider = "pkcs11"` and a `[pkcs11]` table; the PIN comes
from the environment (`PARCELGUARD_PKCS11_PIN` unless `pin_env` names another variable).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pkcs11
from pkcs11 import Attribute, GCMParams, KeyType, Mechanism, ObjectClass
from pydantic import BaseModel, ConfigDict, Field

from parcelguard.crypto.keystore import KeyStore
from parcelguard.crypto.kms import NONCE, KmsProvider
from parcelguard.crypto.results import KmsCustody
from parcelguard.errors import ConfigError, IntegrityError, NotFound
from parcelguard.settings import Settings

DEFAULT_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
_LIBS: dict[str, Any] = {}
_LIBS_LOCK = threading.Lock()
LIST_TTL = 30.0  # seconds; a KEK another process added is seen within this


class Pkcs11Config(BaseModel):
    """The `[pkcs11]` table of config.toml."""

    model_config = ConfigDict(extra="forbid")

    library: str = DEFAULT_LIBRARY
    token_label: str = Field(min_length=1, max_length=32)
    key_label: str = Field(default="parcelguard-kek", pattern=r"^[A-Za-z0-9_.-]{1,48}$")
    pin_env: str = "PARCELGUARD_PKCS11_PIN"

    def pin(self) -> str:
        """Return the user PIN from the environment."""
        value = os.environ.get(self.pin_env, "")
        if not value:
            raise ConfigError(f"the PKCS#11 user PIN is not set: export {self.pin_env}")
        return value


def _library(path: str) -> Any:
    """Load a PKCS#11 module once per process (C_Initialize may run only once)."""
    with _LIBS_LOCK:
        if path not in _LIBS:
            try:
                _LIBS[path] = pkcs11.lib(path)
            except (RuntimeError, OSError, pkcs11.PKCS11Error):
                raise ConfigError(f"cannot load the PKCS#11 library {path}") from None
        return _LIBS[path]


class Pkcs11Kms(KmsProvider):
    """KEKs as non-extractable AES keys in a PKCS#11 token; wrapping happens in the token."""

    name = "pkcs11"

    def __init__(self, config: Pkcs11Config) -> None:
        self.config = config
        self._lock = threading.RLock()
        try:
            token = _library(config.library).get_token(token_label=config.token_label)
            try:
                self._session = token.open(user_pin=config.pin(), rw=True)
            except pkcs11.UserAlreadyLoggedIn:
                # PKCS#11 logs in per process: another session of ours already did.
                self._session = token.open(rw=True)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned):
            raise ConfigError(f"no single PKCS#11 token labelled {config.token_label!r}") from None
        except pkcs11.PinIncorrect:
            raise ConfigError("the PKCS#11 token refused the PIN") from None
        self._pattern = re.compile(rf"^{re.escape(config.key_label)}-v(\d+)$")
        self._handles: dict[int, Any] = {}
        self._listed: tuple[float, list[int]] | None = None
        if not self.versions():
            self._generate(1)

    # -- the KmsProvider seam ----------------------------------------------------------------

    def versions(self) -> list[int]:
        """Return the KEK versions present in the token, oldest first (listed every 30 s)."""
        with self._lock:
            now = time.monotonic()
            if self._listed is None or now - self._listed[0] > LIST_TTL:
                found = self._session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})
                labels = [self._pattern.match(str(obj.label or "")) for obj in found]
                self._listed = (now, sorted(int(m.group(1)) for m in labels if m))
            return list(self._listed[1])

    def active_version(self) -> int:
        """Return the newest version: it wraps new keys."""
        versions = self.versions()
        if not versions:
            raise IntegrityError("the PKCS#11 token holds no ParcelGuard KEK")
        return versions[-1]

    def wrap(self, version: int, key: bytes, aad: bytes) -> bytes:
        """Encrypt `key` inside the token under KEK `version`: nonce, ciphertext and tag."""
        nonce = os.urandom(NONCE)
        with self._lock:
            sealed = self._key(version).encrypt(
                key, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad)
            )
        return nonce + bytes(sealed)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Decrypt inside the token; any failure is one opaque `IntegrityError`."""
        if len(wrapped) <= NONCE + 16:
            raise IntegrityError("a wrapped key failed to open: wrong key or tampered")
        with self._lock:
            kek = self._key(version)
            try:
                return bytes(
                    kek.decrypt(
                        wrapped[NONCE:],
                        mechanism=Mechanism.AES_GCM,
                        mechanism_param=GCMParams(wrapped[:NONCE], aad),
                    )
                )
            except pkcs11.PKCS11Error:
                raise IntegrityError(
                    "a wrapped key failed to open: wrong key or tampered"
                ) from None

    def add_version(self) -> int:
        """Generate a new KEK in the token; it becomes the active version."""
        with self._lock:
            self._listed = None  # another process may have rotated meanwhile
            version = max(self.versions(), default=0) + 1
            self._generate(version)
            return version

    def remove_version(self, version: int) -> None:
        """Destroy a retired KEK in the token (never the active one)."""
        with self._lock:
            if version == self.active_version():
                raise ValueError("the active KEK version cannot be removed")
            self._key(version).destroy()
            self._handles.pop(version, None)
            self._listed = None

    # -- what `doctor` and `keys status` show ------------------------------------------------

    def custody(self) -> KmsCustody:
        """Describe where the KEKs are and whether any of them could ever leave the token."""
        with self._lock:
            keys = {v: self._key(v) for v in self.versions()}
            extractable = {v: bool(k[Attribute.EXTRACTABLE]) for v, k in keys.items()}
            never = {v: bool(k[Attribute.NEVER_EXTRACTABLE]) for v, k in keys.items()}
            local = {v: bool(k[Attribute.LOCAL]) for v, k in keys.items()}
        return {
            "token": self.config.token_label,
            "library": self.config.library,
            "versions": sorted(keys),
            "extractable": any(extractable.values()),
            "never_extractable": all(never.values()),
            "generated_in_token": all(local.values()),
        }

    def close(self) -> None:
        """Close the token session."""
        with self._lock:
            self._session.close()

    # -- internals ---------------------------------------------------------------------------

    def _label(self, version: int) -> str:
        return f"{self.config.key_label}-v{version}"

    def _generate(self, version: int) -> None:
        self._listed = None
        self._session.generate_key(
            KeyType.AES,
            256,
            label=self._label(version),
            store=True,
            template={
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.ENCRYPT: True,
                Attribute.DECRYPT: True,
                Attribute.MODIFIABLE: False,
            },
        )

    def _key(self, version: int) -> Any:
        handle = self._handles.get(version)
        if handle is not None:
            return handle
        try:
            handle = self._session.get_key(
                object_class=ObjectClass.SECRET_KEY, label=self._label(version)
            )
        except pkcs11.NoSuchKey:
            raise NotFound(f"KEK version {version} does not exist in the token") from None
        self._handles[version] = handle
        if self._listed is not None and version not in self._listed[1]:
            self._listed = None  # a version another process made: list again
        return handle


def configured_provider(settings: Settings) -> Callable[[KeyStore], KmsProvider] | None:
    """Return the provider factory `kms_provider` asks for (None: the local key file)."""
    if settings.kms_provider in ("", "local"):
        return None
    if settings.kms_provider != "pkcs11":
        raise ConfigError(f"kms_provider {settings.kms_provider!r} is unknown; use local or pkcs11")
    config = settings.section("pkcs11", Pkcs11Config)
    return lambda _store: Pkcs11Kms(config)

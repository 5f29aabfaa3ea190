"""The running deployment: settings, database, keyring, clock and event bus, built once.

Entry points (the CLI, `create_app`) build one `Runtime` and hand its parts to services; no
module reads configuration or opens a database at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from parcelguard.clock import Clock
from parcelguard.crypto import Keyring, KmsProvider, SealingConfig
from parcelguard.crypto.keystore import KeyStore
from parcelguard.db import Database
from parcelguard.ratelimit import RateLimiter
from parcelguard.settings import Settings


class Publisher(Protocol):
    """Somewhere events go after their transaction commits (in-process bus or NATS)."""

    def publish(self, subject: str, payload: dict[str, Any]) -> None:
        """Deliver one event."""


class NullPublisher:
    """A publisher that keeps nothing; for tools that run without consumers."""

    def publish(self, subject: str, payload: dict[str, Any]) -> None:
        """Drop the event."""


@dataclass
class Runtime:
    """One deployment's collaborators; the keyring and schema are prepared on first use."""

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    publisher: Publisher = field(default_factory=NullPublisher)
    kms: Callable[[KeyStore], KmsProvider] | None = None
    _keyring: Keyring | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    extras: dict[str, Any] = field(default_factory=dict)
    # Every rate limit's windows: memory, or Redis with `PARCELGUARD_REDIS_URL` (built below).
    limiter: RateLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter.for_url(
            self.settings.redis_url, lambda: self.clock.now().timestamp()
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Runtime:
        """Build a runtime for `settings`; nothing is created on disk yet."""
        return cls(settings=settings, db=Database(settings.database), **kwargs)

    @property
    def tenant(self) -> str:
        """Return the tenant this runtime acts for."""
        return self.settings.tenant

    @property
    def keyring(self) -> Keyring:
        """Return the keyring, creating home and keyring on first use."""
        if self._keyring is None:
            with self._lock:
                if self._keyring is None:
                    self.settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
                    self._keyring = Keyring.create(
                        self.settings.keyring_path,
                        provider=self._provider(),
                        development=self.settings.demo_mode,
                        policy=self.settings.section("keys", SealingConfig).policy(),
                    )
        return self._keyring

    def _provider(self) -> Callable[[KeyStore], KmsProvider] | None:
        """Return the KMS provider: the one passed in, else `kms_provider` (pkcs11 or local)."""
        if self.kms is not None or self.settings.kms_provider in ("", "local"):
            return self.kms
        from parcelguard.crypto.pkcs11_kms import configured_provider  # needs python-pkcs11

        return configured_provider(self.settings)

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()

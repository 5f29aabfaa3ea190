"""The running deployment: settings, database, keyring, clock, event bus and hooks, built once.

Entry points (the CLI, `create_app`) build one `Runtime`, let the composition root
(`assembly.install`) subscribe every domain's reactions to its `hooks`, and hand it to services;
no module reads configuration or opens a database at import time. The runtime holds only what
every layer may know about: its fields are base types or protocols declared here. A domain's
own objects (sealers, the auditor, its configuration table) are built from these parts where
they are needed; see docs/development.md, "The composition root".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from parcelguard.clock import Clock
from parcelguard.crypto import Keyring, KmsProvider, SealingConfig
from parcelguard.crypto.keystore import KeyStore
from parcelguard.db import Database
from parcelguard.hooks import Hook, Hooks
from parcelguard.ratelimit import RateLimiter
from parcelguard.sensitive import Sensitive
from parcelguard.settings import Settings


class Publisher(Protocol):
    """Somewhere events go after their transaction commits (in-process bus or NATS)."""

    def publish(self, subject: str, payload: dict[str, Any]) -> None:
        """Deliver one event."""


class NullPublisher:
    """A publisher that keeps nothing; for tools that run without consumers."""

    def publish(self, subject: str, payload: dict[str, Any]) -> None:
        """Drop the event."""


class SmsSender(Protocol):
    """Where text messages to people go (a carrier adapter, the console, a test recorder)."""

    @property
    def name(self) -> str:
        """Return the provider's name (`console`, a carrier's)."""

    @property
    def for_production(self) -> bool:
        """Return whether real people may be sent messages through it."""

    def send(self, to: Sensitive, text: str) -> None:
        """Send `text` to the mobile number `to`; raise on failure."""


@dataclass(frozen=True)
class Committed:
    """A transaction of `rt` committed; what it wrote is durable."""

    rt: Runtime
    session: Session


@dataclass(frozen=True)
class RolledBack:
    """A transaction of `rt` rolled back; what it staged never happened."""

    rt: Runtime
    session: Session


COMMITTED: Hook[Committed, None] = Hook("runtime.committed", "after each commit")
ROLLED_BACK: Hook[RolledBack, None] = Hook("runtime.rolled_back", "after each rollback")


@dataclass(eq=False)
class Runtime:
    """One deployment's collaborators; the keyring and schema are prepared on first use.

    `sms` is the text-message seam: None means the provider `[portal] sms_provider` names.
    """

    settings: Settings
    db: Database
    clock: Clock = field(default_factory=Clock)
    publisher: Publisher = field(default_factory=NullPublisher)
    kms: Callable[[KeyStore], KmsProvider] | None = None
    sms: SmsSender | None = None
    hooks: Hooks = field(default_factory=Hooks)
    _keyring: Keyring | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Every rate limit's windows: memory, or Redis with `PARCELGUARD_REDIS_URL` (built below).
    limiter: RateLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter.for_url(
            self.settings.redis_url, lambda: self.clock.now().timestamp()
        )
        self.db.add_commit_hook(self._committed)
        self.db.add_rollback_hook(self._rolled_back)

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

    def _committed(self, session: Session) -> None:
        self.hooks.emit(COMMITTED, Committed(self, session))

    def _rolled_back(self, session: Session) -> None:
        self.hooks.emit(ROLLED_BACK, RolledBack(self, session))

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()

"""Who is asking: the authenticated caller of a use case, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from parcelguard.audit.service import Actor


@dataclass(frozen=True)
class Caller:
    """An authenticated principal as one request sees it (never holds secrets or PII)."""

    principal_id: str
    role: str
    station_id: str | None = None
    trained_until: date | None = None
    reveal_suspended: bool = False
    scopes: frozenset[str] = field(default_factory=frozenset)
    via: str = "api_key"  # "api_key", "session" (browser, passkey) or "person" (portal)
    key_id: str | None = None
    step_up_at: datetime | None = None
    phone_digest: bytes | None = None  # recipients and senders: their verified phone's index

    @property
    def actor(self) -> Actor:
        """Return the audit actor for this caller."""
        return Actor(self.principal_id, self.role, self.station_id)

    @property
    def is_person(self) -> bool:
        """Return whether this is a member of staff (not a service account or a recipient)."""
        return self.role not in ("service", "recipient")

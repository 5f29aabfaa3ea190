"""What callers record: who acted (`Actor`) and what happened (`Entry`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who did something: a principal id, its role and (for station staff) its station."""

    id: str
    role: str
    station_id: str | None = None


SYSTEM = Actor("system", "system")


@dataclass(frozen=True)
class Entry:
    """What happened, before it gets its place in the log. Never holds plaintext PII."""

    action: str
    target_type: str
    target_id: str | None = None
    decision: str | None = None
    reason: str | None = None
    purpose: str | None = None
    reference: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

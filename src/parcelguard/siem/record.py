"""One exported audit event, as the formats see it, with the id a SIEM deduplicates on."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from parcelguard.audit.results import EventColumns


@dataclass(frozen=True)
class Record(EventColumns):
    """An audit event (an alert is the `monitor.alert` event); never holds plaintext PII."""

    details: dict[str, Any] = field(default_factory=dict)

    @property
    def uid(self) -> str:
        """Return the stable id: the same event sent twice carries the same id."""
        return f"pg:{self.tenant_id}:{self.seq}"

    @property
    def is_alert(self) -> bool:
        """Return whether this event is the monitor raising an alert."""
        return self.action == "monitor.alert"

    @classmethod
    def of(cls, event: Any) -> Record:
        """Build a record from an `AuditEvent` row."""
        return cls(
            tenant_id=event.tenant_id,
            seq=int(event.seq),
            at=event.at,
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            station_id=event.station_id,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            decision=event.decision,
            reason=event.reason,
            purpose=event.purpose,
            reference=event.reference,
            details=json.loads(event.details or "{}"),
        )

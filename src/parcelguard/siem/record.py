"""One exported audit event, as the formats see it, with the id a SIEM deduplicates on."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from parcelguard.audit.results import EventFields, event_fields


class Record(EventFields[datetime]):
    """An audit event (an alert is the `monitor.alert` event); never holds plaintext PII."""

    details: dict[str, Any]


def record_of(event: Any) -> Record:
    """Build a record from an `AuditEvent` row (or any object with its columns)."""
    return {**event_fields(event), "details": json.loads(event.details or "{}")}


def uid(record: Record) -> str:
    """Return the stable id: the same event sent twice carries the same id."""
    return f"pg:{record['tenant_id']}:{record['seq']}"


def is_alert(record: Record) -> bool:
    """Return whether this event is the monitor raising an alert."""
    return record["action"] == "monitor.alert"

"""One record for what the detectors read: live audit events and replay lines, normalised.

Detectors never see an audit payload or a replay dict, only `AccessEvent`: a slotted record
with the time as epoch seconds, the normalised action and nothing personal (principal ids,
waybill numbers and reason codes only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parcelguard.clock import CHINA

ACCESS_ACTIONS = ("reveal", "deny", "scan", "export", "login", "pickup")
SIGNAL_KINDS = ("relay.canary_hit", "forensics.canary_hit", "relay.pool_exhausted")
LOCAL_OFFSET = 8 * 3600  # China Standard Time has no daylight saving
SUBJECT_KEYS = ("principal_id", "suspect_id", "holder_id", "holder")


@dataclass(slots=True)
class AccessEvent:
    """An access as the detectors see it; `ts` is epoch seconds, `action` is normalised."""

    ts: float
    principal_id: str
    role: str
    action: str
    kind: str
    station_id: str | None = None
    waybill: str | None = None
    fields: tuple[str, ...] = ()
    outcome: str | None = None
    assigned: bool | None = None
    seq: int | None = None
    tenant: str | None = None
    count: int = 1
    target: str | None = None
    key_id: str | None = None
    subject: str | None = None
    day: int = 0  # China-time day number and hour of day, set by the engine
    hour: int = 0

    @property
    def local_day(self) -> int:
        """Return the China-time day number (days since the epoch)."""
        return int((self.ts + LOCAL_OFFSET) // 86400)

    @property
    def local_hour(self) -> int:
        """Return the China-time hour of day, 0–23."""
        return int((self.ts + LOCAL_OFFSET) % 86400) // 3600

    def summary(self) -> dict[str, Any]:
        """Return what evidence keeps of the event: sequence, time, action, waybill, outcome."""
        return {
            "seq": self.seq,
            "at": iso(self.ts),
            "action": self.kind,
            "waybill": self.waybill,
            "outcome": self.outcome,
        }


def iso(ts: float) -> str:
    """Return an epoch instant as ISO 8601 in China time."""
    return datetime.fromtimestamp(ts, CHINA).isoformat()


def instant(text: str) -> float:
    """Parse ISO 8601 to epoch seconds; a time without a zone is China time."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)
    return value.timestamp()


def normalise_action(action: str, decision: str | None = None) -> str:
    """Map an audit action (or a replay action) to the detectors' vocabulary."""
    if action in ACCESS_ACTIONS:
        if action == "reveal" and decision == "deny":
            return "deny"
        return action
    if action == "label.scan":
        return "scan"
    if action in SIGNAL_KINDS:
        return "signal"
    head = action.split(".", 1)[0]
    if head == "export":
        return "export"
    if head == "pickup":
        return "pickup"
    if action.startswith("auth.login"):
        return "login"
    return "other"


def from_audit(payload: dict[str, Any]) -> AccessEvent | None:
    """Return the access an audit event describes, or None for events no detector reads."""
    kind = str(payload.get("action") or "")
    action = normalise_action(kind, payload.get("decision"))
    if action == "other":
        return None
    details = payload.get("details") or {}
    waybill = details.get("waybill") or details.get("token_id")
    outcome = payload.get("reason") or details.get("outcome") or payload.get("decision")
    return AccessEvent(
        ts=instant(payload["at"]),
        principal_id=str(payload.get("actor_id") or "unknown"),
        role=str(payload.get("actor_role") or "unknown"),
        action=action,
        kind=kind,
        station_id=payload.get("station_id"),
        waybill=str(waybill) if waybill else None,
        fields=tuple(details.get("fields") or ()),
        outcome=str(outcome) if outcome else None,
        assigned=_flag(details.get("assigned")),
        seq=payload.get("seq"),
        tenant=payload.get("tenant_id"),
        count=_count(details),
        target=_text(details.get("target") or details.get("client") or details.get("scanner")),
        key_id=_text(details.get("key_id")),
        subject=_subject(details) if action == "signal" else None,
    )


def from_replay(line: dict[str, Any]) -> AccessEvent | None:
    """Return the access one replay line describes (docs/monitor.md has the format)."""
    kind = str(line.get("action") or "")
    action = normalise_action(kind, line.get("decision"))
    if action == "other":
        return None
    waybill = line.get("waybill_no")
    fields = line.get("fields") or ()
    return AccessEvent(
        ts=instant(line["at"]),
        principal_id=str(line.get("principal_id") or "unknown"),
        role=str(line.get("role") or "unknown"),
        action=action,
        kind=kind,
        station_id=line.get("station_id"),
        waybill=str(waybill) if waybill else None,
        fields=(fields,) if isinstance(fields, str) else tuple(fields),
        outcome=_text(line.get("outcome")),
        assigned=_flag(line.get("assigned")),
        seq=line.get("seq"),
        tenant=line.get("tenant_id"),
        count=_count(line),
        target=_text(line.get("target")),
        key_id=_text(line.get("key_id")),
        subject=_subject(line.get("details") or line) if action == "signal" else None,
    )


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _count(values: dict[str, Any]) -> int:
    for key in ("count", "records", "rows"):
        value = values.get(key)
        if isinstance(value, int) and value > 0:
            return value
    return 1


def _subject(details: dict[str, Any]) -> str | None:
    for key in SUBJECT_KEYS:
        value = details.get(key)
        if value:
            return str(value)
    return None

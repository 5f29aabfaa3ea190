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
from parcelguard.monitor.results import EvidenceSummary

ACCESS_ACTIONS = ("reveal", "deny", "scan", "export", "login", "pickup")
# A parcel moved between stations: not an access, but it explains one (`foreign_station`).
TRANSFER_KINDS = ("shipment.transferred", "transfer")
# A lifecycle step someone recorded on a parcel: not an access, but work (`sustained_excess`
# counts a courier's parcels taken out as parcels handled).
STEP_KINDS = (
    "shipment.assigned",
    "shipment.out_for_delivery",
    "shipment.at_station",
    "shipment.delivered",
    "shipment.returned",
)
SIGNAL_KINDS = (
    "relay.canary_hit",
    "forensics.canary_hit",
    "relay.pool_exhausted",
    "relay.extension_miss",
    "relay.sms_pii",
    "auth.lockout",
)
# Insider signals the services record themselves (docs/threat-model.md): every privilege
# change, a refused self-serving act, lifecycle overreach, a delivery without proof.
PRIVILEGE_KINDS = (
    "principal.create",
    "principal.role_request",
    "principal.role_grant",
    "principal.role_change",
    "principal.role_refuse",
    "principal.training",
    "principal.suspend_reveal",
    "principal.restore_reveal",
    "apikey.issue",
    "apikey.revoke",
    "enrolment.issue",
    "passkey.revoke",
)
INSIDER_KINDS = (
    *PRIVILEGE_KINDS,
    "duties.refused",
    "lifecycle.refused",
    "shipment.delivered_unproven",
)
LOCAL_OFFSET = 8 * 3600  # China Standard Time has no daylight saving
SUBJECT_KEYS = ("principal_id", "suspect_id", "holder_id", "holder")
FAST_ACTIONS = {a: a for a in ACCESS_ACTIONS} | {"label.scan": "scan"}


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
    parcel_station: str | None = None  # the parcel's station (a transfer: the new one)
    from_station: str | None = None  # a transfer's old station

    @property
    def local_day(self) -> int:
        """Return the China-time day number (days since the epoch)."""
        return int((self.ts + LOCAL_OFFSET) // 86400)

    @property
    def local_hour(self) -> int:
        """Return the China-time hour of day, 0–23."""
        return int((self.ts + LOCAL_OFFSET) % 86400) // 3600

    def summary(self) -> EvidenceSummary:
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
    """Parse ISO 8601 to epoch seconds; a time without a zone is China time.

    The common replay form `YYYY-MM-DDTHH:MM:SS+08:00` is answered from two small caches
    (days, times of day): parsing dominates a replay otherwise.
    """
    if len(text) == 25 and text[19:] == "+08:00":
        day = _DAYS.get(text[:10])
        clock = _CLOCKS.get(text[11:19])
        if day is not None and clock is not None:
            return day + clock
        return _cache(text)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)
    return value.timestamp()


_DAYS: dict[str, float] = {}
_CLOCKS: dict[str, int] = {}


def _cache(text: str) -> float:
    value = datetime.fromisoformat(text)
    if len(_DAYS) > 10_000:
        _DAYS.clear()
    midnight = value.replace(hour=0, minute=0, second=0)
    _DAYS[text[:10]] = midnight.timestamp()
    _CLOCKS[text[11:19]] = value.hour * 3600 + value.minute * 60 + value.second
    return value.timestamp()


def normalise_action(action: str, decision: str | None = None) -> str:
    """Map an audit action (or a replay action) to the detectors' vocabulary."""
    if action in ACCESS_ACTIONS:
        if action == "reveal" and decision == "deny":
            return "deny"
        return action
    if action == "label.scan":
        return "scan"
    if action in TRANSFER_KINDS:
        return "transfer"
    if action in SIGNAL_KINDS:
        return "signal"
    if action in INSIDER_KINDS:
        return "signal"
    if action in STEP_KINDS:
        return "step"
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
        subject=(_subject(details) or _principal_target(payload)) if action == "signal" else None,
        parcel_station=_text(
            details.get("station_id") if action == "transfer" else details.get("parcel_station")
        ),
        from_station=_text(details.get("from_station")),
    )


def from_replay(line: dict[str, Any]) -> AccessEvent | None:
    """Return the access one replay line describes (docs/monitor.md has the format).

    This runs once per replayed line, so it avoids keyword calls and repeated conversions.
    """
    kind = line.get("action") or ""
    action = FAST_ACTIONS.get(kind) if line.get("decision") is None else None
    if action is None:
        action = normalise_action(str(kind), line.get("decision"))
        if action == "other":
            return None
    pid = line.get("principal_id") or "unknown"
    role = line.get("role") or "unknown"
    waybill = line.get("waybill_no") or None
    fields = line.get("fields") or ()
    outcome = line.get("outcome") or None
    assigned = line.get("assigned")
    event = AccessEvent(
        instant(line["at"]),
        pid if type(pid) is str else str(pid),
        role if type(role) is str else str(role),
        action,
        kind if type(kind) is str else str(kind),
        line.get("station_id"),
        waybill if waybill is None or type(waybill) is str else str(waybill),
        (fields,) if type(fields) is str else tuple(fields),
        outcome if outcome is None or type(outcome) is str else str(outcome),
        None if assigned is None else bool(assigned),
        line.get("seq"),
        line.get("tenant_id"),
        _count(line) if action == "export" else 1,
        line.get("target") or None,
        line.get("key_id") or None,
        _subject(line.get("details") or line) if action == "signal" else None,
    )
    if "parcel_station" in line or "details" in line or action == "transfer":
        _stations(event, line)
    return event


def _stations(event: AccessEvent, line: dict[str, Any]) -> None:
    """Set a replay line's parcel station (a transfer's new one) and a transfer's old one."""
    details = line.get("details") or {}
    station = line.get("parcel_station") or details.get("parcel_station")
    if station is None and event.action == "transfer":
        station = details.get("station_id")
    event.parcel_station = _text(station)
    event.from_station = _text(line.get("from_station") or details.get("from_station"))


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


def _principal_target(payload: dict[str, Any]) -> str | None:
    """Return the principal an audit event is about (a privilege change's target), if any."""
    if payload.get("target_type") == "principal" and payload.get("target_id"):
        return str(payload["target_id"])
    return None


def _subject(details: dict[str, Any]) -> str | None:
    for key in SUBJECT_KEYS:
        value = details.get(key)
        if value:
            return str(value)
    return None

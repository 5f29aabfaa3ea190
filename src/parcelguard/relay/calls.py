"""Call and SMS records, idempotent per provider call id.

Providers deliver status callbacks late, twice and out of order, so a record is upserted and
only ever moves forward: a state never replaces a later one, and the duration is taken from
the final callback alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from parcelguard.db import insert_ignoring_conflict
from parcelguard.errors import InvalidInput
from parcelguard.relay.inventory import find_number
from parcelguard.relay.models import CallRecord
from parcelguard.relay.numbers import canonical, mask_number, party_ref
from parcelguard.relay.results import CallView
from parcelguard.runtime import Runtime

if TYPE_CHECKING:
    from parcelguard.relay.decision import Decision

FINAL = 4
RANKS = {
    "pending": -1,
    "routed": 0,
    "queued": 1,
    "initiated": 1,
    "accepted": 1,
    "ringing": 2,
    "sending": 2,
    "in-progress": 3,
    "sent": 3,
    "completed": FINAL,
    "busy": FINAL,
    "no-answer": FINAL,
    "failed": FINAL,
    "canceled": FINAL,
    "rejected": FINAL,
    "delivered": FINAL,
    "undelivered": FINAL,
    "received": FINAL,
    "read": FINAL,
}
ALIASES = {"answered": "in-progress", "no_answer": "no-answer", "cancelled": "canceled"}
MAX_CALL_ID = 64


def normalize_status(raw: str) -> str:
    """Return the canonical status name, or raise `InvalidInput` for an unknown one."""
    status = raw.strip().lower().replace(" ", "-")
    status = ALIASES.get(status, status.replace("_", "-"))
    if status not in RANKS or status == "pending":
        raise InvalidInput("status is not a known call or message state", code="unknown_status")
    return status


def check_call_id(call_id: str) -> str:
    """Return the call id if it is usable as a record key."""
    call_id = call_id.strip()
    if not call_id or len(call_id) > MAX_CALL_ID or not call_id.isprintable():
        raise InvalidInput(f"call_id must be 1 to {MAX_CALL_ID} characters", code="invalid_call_id")
    return call_id


def _locked(
    rt: Runtime, session: Session, call_id: str, channel: str, provider: str, at: datetime
) -> CallRecord:
    """Insert the record if it is new, then return it locked (one row per call id)."""
    insert_ignoring_conflict(
        session,
        CallRecord.__table__,
        {
            "tenant_id": rt.tenant,
            "call_id": call_id,
            "channel": channel,
            "provider": provider[:16],
            "status": "pending",
            "status_rank": RANKS["pending"],
            "started_at": at,
            "updated_at": at,
        },
    )
    return session.scalars(_LOCKED, {"tenant_id": rt.tenant, "call_id": call_id}).one()


_LOCKED = (
    select(CallRecord)
    .where(
        CallRecord.tenant_id == bindparam("tenant_id"), CallRecord.call_id == bindparam("call_id")
    )
    .with_for_update()
    .execution_options(populate_existing=True)
)  # every webhook's call record: built once, its compiled form cached


def record_route(
    rt: Runtime,
    session: Session,
    decision: Decision,
    call_id: str,
    channel: str,
    provider: str,
    at: datetime,
) -> CallRecord:
    """Store what routing decided about a call; callbacks may already have arrived."""
    record = _locked(rt, session, check_call_id(call_id), channel, provider, at)
    record.number_id = decision.number_id
    record.virtual_number = decision.virtual_number
    record.binding_id = decision.binding_id
    record.shipment_id = decision.shipment_id
    record.principal_id = decision.principal_id
    record.direction = decision.direction
    record.caller_ref, record.caller_masked = decision.caller_ref, decision.caller_masked
    record.callee_ref, record.callee_masked = decision.callee_ref, decision.callee_masked
    record.decision, record.reason = decision.action, decision.audit_reason
    record.started_at = min(record.started_at, at)
    _advance(record, "routed" if decision.action == "connect" else "rejected", at, None)
    return record


def apply_status(
    rt: Runtime,
    session: Session,
    call_id: str,
    status: str,
    *,
    channel: str = "voice",
    provider: str = "neutral",
    at: datetime | None = None,
    duration: int | None = None,
    caller: str | None = None,
    to: str | None = None,
) -> CallRecord:
    """Apply one status callback; duplicates and stale callbacks leave the record as it is."""
    state = normalize_status(status)
    when = at or rt.clock.now()
    record = _locked(rt, session, check_call_id(call_id), channel, provider, when)
    if record.caller_ref is None and (number := canonical(caller)):
        record.caller_ref, record.caller_masked = party_ref(rt, number), mask_number(number)
    x = canonical(to) if record.virtual_number is None else None
    found = find_number(session, rt.tenant, x) if x else None
    if found is not None:  # only a pool number is kept: `to` of a leg may be a real one
        record.virtual_number, record.number_id = found.number, found.number_id
    _advance(record, state, when, duration)
    return record


def _advance(record: CallRecord, state: str, at: datetime, duration: int | None) -> None:
    rank = RANKS[state]
    if RANKS[state] == RANKS["in-progress"] and record.answered_at is None:
        record.answered_at = at  # a late "answered" still tells when it was picked up
    if rank == FINAL == record.status_rank and record.duration_s is None and duration is not None:
        record.duration_s = max(0, duration)  # a call record (话单) after the hang-up event
    if rank <= record.status_rank:
        return
    record.status, record.status_rank, record.updated_at = state, rank, at
    if rank == FINAL:
        record.ended_at = at
        record.duration_s = max(0, duration) if duration is not None else None


def view(record: CallRecord) -> CallView:
    """Return a call record as the API shows it (masked parties only)."""
    return {
        "call_id": record.call_id,
        "channel": record.channel,
        "virtual_number": record.virtual_number,
        "binding_id": record.binding_id,
        "direction": record.direction,
        "caller": record.caller_masked,
        "callee": record.callee_masked,
        "decision": record.decision,
        "reason": record.reason,
        "status": record.status,
        "started_at": record.started_at.isoformat(),
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
        "duration_s": record.duration_s,
    }

"""Forgetting a person: end their bindings and drop their references from the relay's records.

Called for a PIPL erasure (the vault's `erase --phone` deletes the parcels; this removes what
the relay still links to that phone: its keyed reference and masked form).
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.relay import bindings, recordings
from parcelguard.relay.models import Binding, CallRecord, Seat
from parcelguard.relay.numbers import party_ref, require_canonical
from parcelguard.runtime import Runtime

FORGOTTEN = bytes(16)  # what a binding keeps in place of an erased party's reference


def forget_phone(rt: Runtime, session: Session, actor: Actor, phone: str) -> dict[str, int]:
    """End the phone's bindings now and erase its references from bindings, seats and calls."""
    ref = party_ref(rt, require_canonical(phone, "phone"))
    now = rt.clock.now()
    mine = or_(Binding.a_ref == ref, Binding.b_ref == ref)
    active = session.scalars(
        select(Binding).where(Binding.tenant_id == rt.tenant, Binding.status == "active", mine)
    ).all()
    for binding in active:
        bindings.release(rt, session, None, binding, "erased", now)
    seats = session.execute(delete(Seat).where(Seat.tenant_id == rt.tenant, Seat.party_ref == ref))
    erased_recordings = recordings.forget(rt, session, ref)
    session.execute(
        update(Binding)
        .where(Binding.tenant_id == rt.tenant, Binding.a_ref == ref)
        .values(a_ref=None)
    )
    session.execute(
        update(Binding)
        .where(Binding.tenant_id == rt.tenant, Binding.b_ref == ref)
        .values(b_ref=FORGOTTEN)
    )
    calls = 0
    for side in ("caller", "callee"):
        column = getattr(CallRecord, f"{side}_ref")
        result = session.execute(
            update(CallRecord)
            .where(CallRecord.tenant_id == rt.tenant, column == ref)
            .values({f"{side}_ref": None, f"{side}_masked": None})
        )
        calls += int(getattr(result, "rowcount", 0) or 0)
    counts = {
        "ended": len(active),
        "seats": int(getattr(seats, "rowcount", 0) or 0),
        "calls": calls,
        "recordings": erased_recordings,
    }
    auditor_for(rt).record(
        session, actor, Entry("relay.forget", "relay_pool", None, details=counts)
    )
    return counts

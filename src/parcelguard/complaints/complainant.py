"""The complainant's side: their complaints, feedback on an answer, and the regulator appeal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.principals import Caller
from parcelguard.complaints import sla
from parcelguard.complaints.appeal import Appeal
from parcelguard.complaints.models import Complaint
from parcelguard.complaints.notify import Outbox
from parcelguard.complaints.results import ComplaintDetail, ComplaintSummary
from parcelguard.complaints.service import (
    add_step,
    audit_step,
    detail,
    parcel_views,
    queue_notice,
    sealer_for,
    summary,
)
from parcelguard.errors import Conflict, NotFound
from parcelguard.pii.masking import mask_phone
from parcelguard.runtime import Runtime
from parcelguard.vault.service import access_history


def _own(session: Session, rt: Runtime, person: Caller, complaint_id: str) -> Complaint:
    found = session.get(Complaint, (rt.tenant, complaint_id.strip()[:24]))
    if found is None or found.complainant_digest != person.phone_digest:
        raise NotFound("no such complaint among yours", code="complaint_not_found")
    return found


def mine(rt: Runtime, session: Session, person: Caller) -> list[ComplaintSummary]:
    """Return the person's complaints, newest first."""
    rows = session.scalars(
        select(Complaint)
        .where(
            Complaint.tenant_id == rt.tenant, Complaint.complainant_digest == person.phone_digest
        )
        .order_by(Complaint.created_at.desc())
    )
    now = rt.clock.now()
    return [summary(c, now) for c in rows]


def my_complaint(
    rt: Runtime, session: Session, person: Caller, complaint_id: str
) -> ComplaintDetail:
    """Return one of the person's complaints with their words, the answer and the timeline."""
    return detail(rt, session, _own(session, rt, person, complaint_id))


def feedback(rt: Runtime, person: Caller, complaint_id: str, satisfied: bool) -> ComplaintDetail:
    """Record whether the answer settled it: resolved, or unsatisfied (the appeal opens)."""
    outbox = Outbox()
    with rt.db.session() as session:
        complaint = _own(session, rt, person, complaint_id)
        if complaint.status != "answered":
            raise Conflict("only an answered complaint takes feedback", code="invalid_status")
        now = rt.clock.now()
        complaint.status = "resolved" if satisfied else "unsatisfied"
        complaint.updated_at = now
        complaint.closed_at = now if satisfied else None
        add_step(session, person.actor, complaint, complaint.status)
        audit_step(rt, session, person.actor, "complaint.feedback", complaint, satisfied=satisfied)
        queue_notice(rt, session, outbox, complaint, complaint.status)
        view = detail(rt, session, complaint)
    outbox.flush(rt)
    return view


def prepare_appeal(rt: Runtime, person: Caller, complaint_id: str) -> Appeal:
    """Gather the appeal to the regulator, when the clock or the complainant allows one."""
    with rt.db.session() as session:
        complaint = _own(session, rt, person, complaint_id)
        now = rt.clock.now()
        reason = sla.appeal_reason(complaint, now)
        if reason is None:
            raise Conflict("no appeal is open for this complaint", code="appeal_not_open")
        phone = sealer_for(rt).open(complaint, "phone")
        steps = detail(rt, session, complaint)["timeline"]
        if not any(step["type"] == "appeal_prepared" for step in steps):
            complaint.updated_at = now
            add_step(session, person.actor, complaint, "appeal_prepared", reason)
            audit_step(
                rt, session, person.actor, "complaint.appeal_prepared", complaint, reason=reason
            )
        view = detail(rt, session, complaint)
        accesses = []
        if phone is not None:
            rows = access_history(rt, session, phone.reveal())
            accesses = [r for r in rows if r["role"] != "recipient"]
        return Appeal(
            complaint=view,
            reason=reason,
            deadline=complaint.appeal_deadline,
            prepared_at=now,
            phone_masked=mask_phone(phone.reveal()) if phone is not None else "—",
            parcels=parcel_views(rt, session, view["waybills"]),
            accesses=accesses,
        )

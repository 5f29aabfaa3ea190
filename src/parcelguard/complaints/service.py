"""Complaint use cases: file, queue, show, answer, feedback, reveal under the ticket, appeal.

Every step is audited and lands on the complaint's timeline; status changes are told to the
complainant by SMS after the step commits. The complainant's words and the answer are
sealed; audit details and timeline notes hold codes and counts only.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import CHINA
from parcelguard.complaints import sla
from parcelguard.complaints.investigation import investigate
from parcelguard.complaints.models import KINDS as KINDS
from parcelguard.complaints.models import Complaint, ComplaintEvent
from parcelguard.complaints.notify import Outbox
from parcelguard.complaints.results import (
    ComplaintDetail,
    ComplaintStaffView,
    ComplaintSummary,
    TimelineStep,
)
from parcelguard.complaints.sealing import ComplaintSealer
from parcelguard.errors import Conflict, Denied, InvalidInput, NotFound, RateLimited
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import service as vault
from parcelguard.vault.results import MaskedShipment
from parcelguard.vault.reveal import reveal

STAFF_ROLES = ("customer_service", "security_officer")
LOCAL_ROLES = ("operator",)  # whoever holds the server's keyring, on the server (CLI)
MAX_TEXT = 2000
MAX_PARCELS = 20
PER_DAY = 5
RETENTION_DAYS = 3 * 365
ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def sealer_for(rt: Runtime) -> ComplaintSealer:
    """Return the complaint sealer of the runtime's tenant (it holds no state of its own)."""
    return ComplaintSealer(rt.keyring, rt.tenant)


def require_staff(actor: Actor) -> None:
    """Allow customer service, security officers and the local operator; else `Denied`."""
    if actor.role not in STAFF_ROLES + LOCAL_ROLES:
        raise Denied(f"a {actor.role} may not handle complaints", code="role_not_allowed")


def get_or_raise(session: Session, tenant_id: str, complaint_id: str) -> Complaint:
    """Return a complaint or raise `NotFound`."""
    found = session.get(Complaint, (tenant_id, complaint_id.strip()[:24]))
    if found is None:
        raise NotFound("no such complaint", code="complaint_not_found")
    return found


def waybills_of(complaint: Complaint) -> list[str]:
    """Return the waybills a complaint is about."""
    return list(json.loads(complaint.waybills or "[]"))


def _clean_text(text: str, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput(f"{what} is empty", code=f"{what}_required")
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters", code="too_long")
    return cleaned


def _new_id(rt: Runtime) -> str:
    day = rt.clock.now().astimezone(CHINA).strftime("%Y%m%d")
    return f"C{day}-" + "".join(secrets.choice(ID_ALPHABET) for _ in range(6))


def add_step(
    session: Session, actor: Actor, complaint: Complaint, kind: str, note: str = ""
) -> None:
    """Append a step to the complaint's timeline (a code and a short note, never PII)."""
    seq = session.scalar(
        select(func.coalesce(func.max(ComplaintEvent.seq), 0)).where(
            ComplaintEvent.tenant_id == complaint.tenant_id,
            ComplaintEvent.complaint_id == complaint.complaint_id,
        )
    )
    session.add(
        ComplaintEvent(
            tenant_id=complaint.tenant_id,
            complaint_id=complaint.complaint_id,
            seq=int(seq or 0) + 1,
            type=kind,
            at=complaint.updated_at,
            actor_role=actor.role[:24],
            note=note[:200] or None,
        )
    )
    session.flush()


def audit_step(
    rt: Runtime, session: Session, actor: Actor, action: str, complaint: Complaint, **details: Any
) -> None:
    """Record a complaint step in the audit log (details are codes and counts)."""
    auditor_for(rt).record(
        session, actor, Entry(action, "complaint", complaint.complaint_id, details=details)
    )


def file(
    rt: Runtime,
    person: Caller,
    phone: Sensitive,
    kind: str,
    waybills: list[str],
    text: str,
    lang: str = "zh",
) -> ComplaintSummary:
    """File a complaint for a verified person about their own parcels; tell them by SMS."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
    words = _clean_text(text, "text")
    wanted = list(dict.fromkeys(w.strip() for w in waybills if w.strip()))[:MAX_PARCELS]
    outbox = Outbox()
    with rt.db.session() as session:
        now = rt.clock.now()
        created = _own_parcel_dates(rt, session, phone, wanted)
        _check_daily_limit(session, rt.tenant, person.phone_digest or b"", now)
        complaint = Complaint(
            tenant_id=rt.tenant,
            complaint_id=_new_id(rt),
            complainant_digest=person.phone_digest,
            kind=kind,
            status="open",
            lang=lang if lang in ("zh", "en") else "zh",
            waybills=json.dumps(wanted),
            created_at=now,
            updated_at=now,
            due_at=sla.due_at(now),
            appeal_deadline=sla.appeal_deadline(min(created, default=now)),
        )
        epoch = (now + timedelta(days=RETENTION_DAYS)).astimezone(CHINA).date()
        sealer_for(rt).seal_new(complaint, epoch, phone.reveal(), words)
        session.add(complaint)
        session.flush()
        add_step(session, person.actor, complaint, "filed", kind)
        audit_step(
            rt, session, person.actor, "complaint.file", complaint, kind=kind, parcels=len(wanted)
        )
        due = complaint.due_at.astimezone(CHINA).strftime("%Y-%m-%d")
        queue_notice(rt, session, outbox, complaint, "filed", phone, due)
        view = summary(complaint, now)
    outbox.flush(rt)
    return view


def _own_parcel_dates(
    rt: Runtime, session: Session, phone: Sensitive, wanted: list[str]
) -> list[Any]:
    """Return the creation times of the named parcels, refusing any that is not the person's."""
    own = {}
    for shipment_id in vault.shipment_ids_for_phone(rt, session, phone.reveal()):
        shipment = vault.get_by_id(session, rt.tenant, shipment_id)
        if shipment is not None:
            own[shipment.waybill_no] = shipment.created_at
    if any(w not in own for w in wanted):
        raise InvalidInput("a complaint can only name your own parcels", code="parcel_not_yours")
    return [own[w] for w in wanted]


def _check_daily_limit(session: Session, tenant: str, digest: bytes, now: Any) -> None:
    count = session.scalar(
        select(func.count())
        .select_from(Complaint)
        .where(
            Complaint.tenant_id == tenant,
            Complaint.complainant_digest == digest,
            Complaint.created_at > now - timedelta(days=1),
        )
    )
    if int(count or 0) >= PER_DAY:
        raise RateLimited(f"at most {PER_DAY} complaints a day", code="complaint_limit")


def queue_notice(
    rt: Runtime,
    session: Session,
    outbox: Outbox,
    complaint: Complaint,
    event: str,
    phone: Sensitive | None = None,
    due: str = "",
) -> None:
    """Queue the SMS of a status change and note it on the timeline."""
    phone = phone or sealer_for(rt).open(complaint, "phone")
    queued = outbox.add(phone, event, complaint.complaint_id, complaint.lang, due)
    add_step(
        session,
        Actor("system", "system"),
        complaint,
        "notified",
        f"sms:{event}" if queued else "none",
    )


def summary(complaint: Complaint, now: Any) -> ComplaintSummary:
    """Return what a queue or a list shows of a complaint (no sealed fields)."""
    return {
        "id": complaint.complaint_id,
        "kind": complaint.kind,
        "status": complaint.status,
        "badge": sla.badge(complaint, now),
        "waybills": waybills_of(complaint),
        "created_at": complaint.created_at.isoformat(),
        "due_at": complaint.due_at.isoformat(),
        "answered_at": complaint.answered_at.isoformat() if complaint.answered_at else None,
        "appeal_deadline": complaint.appeal_deadline.isoformat(),
        "appeal_reason": sla.appeal_reason(complaint, now),
    }


def timeline(session: Session, complaint: Complaint) -> list[TimelineStep]:
    """Return the complaint's steps, oldest first."""
    rows = session.scalars(
        select(ComplaintEvent)
        .where(
            ComplaintEvent.tenant_id == complaint.tenant_id,
            ComplaintEvent.complaint_id == complaint.complaint_id,
        )
        .order_by(ComplaintEvent.seq)
    )
    return [
        {"type": e.type, "at": e.at.isoformat(), "actor_role": e.actor_role, "note": e.note}
        for e in rows
    ]


def detail(rt: Runtime, session: Session, complaint: Complaint) -> ComplaintDetail:
    """Return the complaint with its words and answer opened, and its timeline."""
    sealer = sealer_for(rt)
    text, answer = sealer.open(complaint, "text"), sealer.open(complaint, "answer")
    return {
        **summary(complaint, rt.clock.now()),
        "text": text.reveal() if text is not None else None,
        "answer": answer.reveal() if answer is not None else None,
        "answered_by_role": "company" if complaint.answered_by else None,
        "timeline": timeline(session, complaint),
    }


def queue(
    rt: Runtime, session: Session, actor: Actor, status: str | None = None
) -> list[ComplaintSummary]:
    """Return the complaints queue for staff, oldest due first (no sealed fields)."""
    require_staff(actor)
    query = select(Complaint).where(Complaint.tenant_id == rt.tenant)
    if status == "overdue":
        query = query.where(Complaint.status == "open", Complaint.due_at < rt.clock.now())
    elif status:
        query = query.where(Complaint.status == status)
    now = rt.clock.now()
    return [summary(c, now) for c in session.scalars(query.order_by(Complaint.due_at).limit(500))]


def staff_view(rt: Runtime, actor: Actor, complaint_id: str) -> ComplaintStaffView:
    """Return a complaint for staff: words, answer, parcels (masked), investigation; audited."""
    require_staff(actor)
    with rt.db.session() as session:
        complaint = get_or_raise(session, rt.tenant, complaint_id)
        found = detail(rt, session, complaint)
        phone = sealer_for(rt).open(complaint, "phone")
        view: ComplaintStaffView = {
            **found,
            "parcels": parcel_views(rt, session, found["waybills"]),
            "investigation": investigate(rt, session, phone, complaint),
        }
        audit_step(rt, session, actor, "complaint.view", complaint)
    return view


def parcel_views(rt: Runtime, session: Session, waybills: list[str]) -> list[MaskedShipment]:
    """Return the masked views of the parcels a complaint names (gone ones left out)."""
    found = []
    for waybill in waybills:
        shipment = vault.get(session, rt.tenant, waybill)
        if shipment is not None:
            found.append(vault.view(session, shipment))
    return found


def answer(rt: Runtime, actor: Actor, complaint_id: str, text: str) -> ComplaintDetail:
    """Record the company's answer (sealed), tell the complainant, return the complaint."""
    require_staff(actor)
    words = _clean_text(text, "answer")
    outbox = Outbox()
    with rt.db.session() as session:
        complaint = get_or_raise(session, rt.tenant, complaint_id)
        if complaint.status not in ("open", "unsatisfied"):
            raise Conflict(
                f"a complaint that is {complaint.status} takes no answer", code="invalid_status"
            )
        now = rt.clock.now()
        late = now > complaint.due_at
        sealer_for(rt).seal_answer(complaint, words)
        complaint.status, complaint.answered_at, complaint.answered_by = (
            "answered",
            now,
            actor.id[:64],
        )
        complaint.updated_at = now
        add_step(session, actor, complaint, "answered", "late" if late else "")
        audit_step(rt, session, actor, "complaint.answer", complaint, late=late)
        queue_notice(rt, session, outbox, complaint, "answered")
        view = detail(rt, session, complaint)
    outbox.flush(rt)
    return view


def reveal_for_complaint(
    rt: Runtime, caller: Caller, complaint_id: str, waybill: str, field: str
) -> dict[str, str]:
    """Reveal one field of a parcel the complaint names, with the complaint as the ticket."""
    require_staff(caller.actor)
    with rt.db.read_session() as session:
        complaint = get_or_raise(session, rt.tenant, complaint_id)
        if waybill.strip() not in waybills_of(complaint):
            raise InvalidInput("the complaint does not name this parcel", code="parcel_not_linked")
        if complaint.status == "resolved":
            raise Conflict("the complaint is closed", code="invalid_status")
        ticket = complaint.complaint_id
    fields = reveal(rt, caller, waybill, [field], "customer_service", ticket)
    with rt.db.session() as session:
        complaint = get_or_raise(session, rt.tenant, complaint_id)
        complaint.updated_at = rt.clock.now()
        add_step(session, caller.actor, complaint, "revealed", field)
    return fields

"""Complaints API for customer service and security officers: queue, detail, answer, reveal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query

from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.complaints import service
from parcelguard.complaints.results import (
    ComplaintDetail,
    ComplaintQueue,
    ComplaintReveal,
    ComplaintStaffView,
)
from parcelguard.complaints.schemas import AnswerIn, ComplaintRevealIn
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, get_runtime

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])
# Customer service and security officers (`service.STAFF_ROLES`, checked again there).
ComplaintStaff = Annotated[Caller, RequireRole(Role.CUSTOMER_SERVICE, Role.OFFICER)]


@router.get("")
def list_complaints(
    caller: ComplaintStaff,
    status: str | None = Query(
        default=None, pattern="^(open|overdue|answered|resolved|unsatisfied)$"
    ),
    rt: Runtime = Depends(get_runtime),
) -> ComplaintQueue:
    """Return the queue, oldest due first, with service-level badges."""
    with rt.db.read_session() as session:
        return {"complaints": service.queue(rt, session, caller.actor, status)}


@router.get("/{complaint_id}")
def show_complaint(
    caller: ComplaintStaff, complaint_id: str, rt: Runtime = Depends(get_runtime)
) -> ComplaintStaffView:
    """Return one complaint with its words, answer, parcels and investigation (audited)."""
    return service.staff_view(rt, caller.actor, complaint_id)


@router.post("/{complaint_id}/answer")
def answer_complaint(
    complaint_id: str,
    body: AnswerIn,
    caller: ComplaintStaff,
    rt: Runtime = Depends(get_runtime),
) -> ComplaintDetail:
    """Answer a complaint; the complainant is told by SMS."""
    return service.answer(rt, caller.actor, complaint_id, body.text)


@router.post("/{complaint_id}/reveal")
def reveal_under_complaint(
    complaint_id: str,
    body: ComplaintRevealIn,
    caller: ComplaintStaff,
    rt: Runtime = Depends(get_runtime),
) -> ComplaintReveal:
    """Reveal one field of a linked parcel with the complaint as ticket (policy decides)."""
    fields = service.reveal_for_complaint(rt, caller, complaint_id, body.waybill, body.field)
    return {"fields": fields}


def mount(app: FastAPI) -> None:
    """Add the complaints API."""
    app.include_router(router)

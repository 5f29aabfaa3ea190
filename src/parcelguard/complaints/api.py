"""Complaints API for customer service and security officers: queue, detail, answer, reveal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Query

from parcelguard.access.guards import require
from parcelguard.access.principals import Caller
from parcelguard.complaints import service
from parcelguard.complaints.schemas import AnswerIn, ComplaintRevealIn
from parcelguard.runtime import Runtime
from parcelguard.web.deps import get_caller, get_runtime

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])


@router.get("")
def list_complaints(
    status: str | None = Query(
        default=None, pattern="^(open|overdue|answered|resolved|unsatisfied)$"
    ),
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Return the queue, oldest due first, with service-level badges."""
    require(caller, roles=service.STAFF_ROLES)
    with rt.db.read_session() as session:
        return {"complaints": service.queue(rt, session, caller.actor, status)}


@router.get("/{complaint_id}")
def show_complaint(
    complaint_id: str, caller: Caller = Depends(get_caller), rt: Runtime = Depends(get_runtime)
) -> dict[str, Any]:
    """Return one complaint with its words, answer, parcels and investigation (audited)."""
    require(caller, roles=service.STAFF_ROLES)
    return service.staff_view(rt, caller.actor, complaint_id)


@router.post("/{complaint_id}/answer")
def answer_complaint(
    complaint_id: str,
    body: AnswerIn,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Answer a complaint; the complainant is told by SMS."""
    require(caller, roles=service.STAFF_ROLES)
    return service.answer(rt, caller.actor, complaint_id, body.text)


@router.post("/{complaint_id}/reveal")
def reveal_under_complaint(
    complaint_id: str,
    body: ComplaintRevealIn,
    caller: Caller = Depends(get_caller),
    rt: Runtime = Depends(get_runtime),
) -> dict[str, Any]:
    """Reveal one field of a linked parcel with the complaint as ticket (policy decides)."""
    require(caller, roles=service.STAFF_ROLES)
    fields = service.reveal_for_complaint(rt, caller, complaint_id, body.waybill, body.field)
    return {"fields": fields}


def mount(app: FastAPI) -> None:
    """Add the complaints API."""
    app.include_router(router)

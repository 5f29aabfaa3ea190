"""Bulk export of plaintext for an investigation: one officer asks, a second approves.

The requesting security officer names an open case, the waybills and the fields; another
security officer approves; only then can the requester run the export, once, within a day.
Each exported shipment is one `export.run` audit event (the leak tracer credits the export
with exactly those records) and the file is written through the formula-safe CSV writer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import cases, quota
from parcelguard.access.models import ExportRequest
from parcelguard.access.policy import FIELDS
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Conflict, Denied, InvalidInput, NotFound
from parcelguard.exportsafe import SafeCsvWriter
from parcelguard.runtime import Runtime
from parcelguard.vault.reveal import policy_for
from parcelguard.vault.service import get, open_fields

MAX_WAYBILLS = 10_000
VALID_FOR = timedelta(hours=24)
OFFICER = "security_officer"


def request_export(
    rt: Runtime, caller: Caller, case_id: str, waybills: Sequence[str], fields: Sequence[str]
) -> ExportRequest:
    """Ask for a bulk export under an open case; it waits for a second officer."""
    _officer(caller, rt)
    wanted = list(dict.fromkeys(f.strip() for f in fields))
    rule = policy_for(rt).rule(OFFICER)
    if not wanted or rule is None or any(f not in FIELDS or f not in rule.fields for f in wanted):
        raise InvalidInput(
            f"fields must be among {', '.join(sorted(FIELDS))}", code="unknown_field"
        )
    listed = list(dict.fromkeys(w.strip() for w in waybills if w.strip()))
    if not listed or len(listed) > MAX_WAYBILLS:
        raise InvalidInput(f"name between 1 and {MAX_WAYBILLS} waybills", code="invalid_waybills")
    with rt.db.session() as session:
        if not cases.is_open(session, rt.tenant, case_id):
            raise Denied("bulk export needs an open investigation case", code="case_not_open")
        request = ExportRequest(
            tenant_id=rt.tenant,
            request_id="X" + new_id()[-11:].upper(),
            case_id=case_id.strip(),
            requested_by=caller.principal_id,
            waybills=json.dumps(listed),
            fields=json.dumps(wanted),
            status="pending",
            created_at=rt.clock.now(),
        )
        session.add(request)
        _audit(
            rt, session, caller, "export.request", request, {"count": len(listed), "fields": wanted}
        )
    return request


def approve_export(rt: Runtime, caller: Caller, request_id: str) -> ExportRequest:
    """Approve as the second security officer (never the requester)."""
    _officer(caller, rt)
    with rt.db.session() as session:
        request = _get(session, rt.tenant, request_id)
        if request.requested_by == caller.principal_id:
            raise Denied("a second security officer must approve", code="second_officer_required")
        if request.status != "pending":
            raise Conflict(f"export {request_id} is {request.status}", code="export_not_pending")
        request.status, request.approved_by, request.decided_at = (
            "approved",
            caller.principal_id,
            rt.clock.now(),
        )
        _audit(rt, session, caller, "export.approve", request, {})
    return request


def run_export(rt: Runtime, caller: Caller, request_id: str, out: IO[str]) -> int:
    """Write the approved export as CSV to `out`, once; return the number of rows."""
    _officer(caller, rt)
    with rt.db.session() as session:
        request = _get(session, rt.tenant, request_id)
        if request.requested_by != caller.principal_id:
            raise Denied("only the requesting officer runs an export", code="not_requester")
        if request.status != "approved":
            raise Conflict(f"export {request_id} is {request.status}", code="export_not_approved")
        if request.decided_at is None or rt.clock.now() - request.decided_at > VALID_FOR:
            request.status = "expired"
            return_expired = True
        else:
            return_expired = False
            if not cases.is_open(session, rt.tenant, request.case_id):
                raise Denied("the case was closed", code="case_not_open")
            rows = _write(rt, session, caller, request, out)
            request.status = "done"
    if return_expired:
        raise Conflict(f"export {request_id} expired; ask again", code="export_expired")
    return rows


def list_exports(rt: Runtime, session: Session) -> list[dict[str, Any]]:
    """Return the tenant's export requests, newest first (no personal data)."""
    query = select(ExportRequest).where(ExportRequest.tenant_id == rt.tenant)
    return [
        {
            "id": r.request_id,
            "case_id": r.case_id,
            "status": r.status,
            "requested_by": r.requested_by,
            "approved_by": r.approved_by,
            "count": len(json.loads(r.waybills)),
            "fields": json.loads(r.fields),
            "created_at": r.created_at.isoformat(),
        }
        for r in session.scalars(query.order_by(ExportRequest.created_at.desc()))
    ]


def _write(
    rt: Runtime, session: Session, caller: Caller, request: ExportRequest, out: IO[str]
) -> int:
    fields: list[str] = json.loads(request.fields)
    writer = SafeCsvWriter(out)
    writer.writerow(["waybill_no", *fields])
    pairs = [tuple(f.split(".", 1)) for f in fields]
    rows = 0
    for waybill in json.loads(request.waybills):
        shipment = get(session, rt.tenant, waybill)
        if shipment is None or shipment.status == "purged":
            continue
        opened = open_fields(rt, session, shipment, pairs)  # type: ignore[arg-type]
        writer.writerow([waybill, *[_text(opened.get(p)) for p in pairs]])  # type: ignore[arg-type]
        auditor_for(rt).record(
            session,
            caller.actor,
            Entry(
                "export.run",
                "shipment",
                shipment.shipment_id,
                decision="allow",
                reason="approved_export",
                purpose="investigation",
                reference=request.case_id,
                details={"export_id": request.request_id, "fields": fields, "waybill": waybill},
            ),
        )
        rows += 1
    return rows


def _text(value: Any) -> str:
    return "" if value is None else str(value.reveal())


def _officer(caller: Caller, rt: Runtime | None = None) -> None:
    if caller.role != OFFICER:
        raise Denied("bulk export is for security officers", code="role_not_allowed")
    if caller.reveal_suspended:
        raise Denied("reveal rights are suspended", code="reveal_suspended")
    if rt is not None:
        today = quota.china_day(rt.clock.now())
        if caller.trained_until is None or caller.trained_until < today:
            raise Denied("privacy training has expired", code="training_expired")


def _get(session: Session, tenant: str, request_id: str) -> ExportRequest:
    request = session.get(ExportRequest, (tenant, request_id.strip()))
    if request is None:
        raise NotFound("no export request with this id", code="export_not_found")
    return request


def _audit(
    rt: Runtime,
    session: Session,
    caller: Caller,
    action: str,
    request: ExportRequest,
    details: dict[str, Any],
) -> None:
    auditor_for(rt).record(
        session,
        caller.actor,
        Entry(
            action,
            "export",
            request.request_id,
            purpose="investigation",
            reference=request.case_id,
            details={"export_id": request.request_id, **details},
        ),
    )

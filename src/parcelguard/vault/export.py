"""Bulk export of plaintext for an investigation: one officer asks, others approve.

The requesting security officer names an open case, the waybills and the fields; the policy's
`bulk_export_approvals` distinct other officers approve, none of them related to the
requester or to each other within the cool-off (`access.duties`); only then can the requester
run the export, once, within a day. From a browser every step needs a fresh passkey step-up,
and the exported records count toward the requester's daily reveal quota: a run that would
exceed it is refused before anything is written. Each exported shipment is one `export.run`
audit event (the leak tracer credits the export with exactly those records) and the file is
written through the formula-safe CSV writer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import IO, Any

from sqlalchemy.orm import Session

from parcelguard.access import cases, duties, exports, quota
from parcelguard.access.exports import ExportRequest, approvers_of
from parcelguard.access.policy import FIELDS, Rule, step_up_fresh
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Conflict, Denied, InvalidInput, NotFound
from parcelguard.exportsafe import SafeCsvWriter
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Shipment
from parcelguard.vault.results import ExportDecision, ExportView
from parcelguard.vault.reveal import policy_for
from parcelguard.vault.service import get, open_fields

MAX_WAYBILLS = 10_000
VALID_FOR = timedelta(hours=24)
OFFICER = "security_officer"


def request_export(
    rt: Runtime, caller: Caller, case_id: str, waybills: Sequence[str], fields: Sequence[str]
) -> ExportRequest:
    """Ask for a bulk export under an open case; it waits for other officers' approval."""
    rule = _officer(caller, rt)
    wanted = list(dict.fromkeys(f.strip() for f in fields))
    if not wanted or any(f not in FIELDS or f not in rule.fields for f in wanted):
        raise InvalidInput(
            f"fields must be among {', '.join(sorted(FIELDS))}", code="unknown_field"
        )
    listed = list(dict.fromkeys(w.strip() for w in waybills if w.strip()))
    if not listed or len(listed) > MAX_WAYBILLS:
        raise InvalidInput(f"name between 1 and {MAX_WAYBILLS} waybills", code="invalid_waybills")
    if len(listed) > rule.daily_quota:
        raise InvalidInput(
            f"an export counts toward the daily quota of {rule.daily_quota} records",
            code="export_exceeds_quota",
        )
    with rt.db.session() as session:
        if not cases.is_open(session, rt.tenant, case_id):
            raise Denied("bulk export needs an open investigation case", code="case_not_open")
        request = exports.add_request(
            session,
            rt.tenant,
            "X" + new_id()[-11:].upper(),
            case_id.strip(),
            caller.principal_id,
            listed,
            wanted,
            rt.clock.now(),
        )
        _audit(
            rt, session, caller, "export.request", request, {"count": len(listed), "fields": wanted}
        )
    return request


def approve_export(rt: Runtime, caller: Caller, request_id: str) -> ExportDecision:
    """Approve as one of the officers the policy asks for (never the requester, never twice)."""
    rule = _officer(caller, rt)
    actor = caller.actor
    with duties.audited_refusals(rt, actor, "export.approve"), rt.db.session() as session:
        duties.active_person(session, actor, rt.tenant, officer=True)
        request = _get(session, rt.tenant, request_id)
        if request.status != "pending":
            raise Conflict(f"export {request_id} is {request.status}", code="export_not_pending")
        if request.requested_by == caller.principal_id:
            raise duties.DutyRefused(
                "another security officer must approve", code="second_officer_required"
            )
        approvers = approvers_of(session, request)
        if caller.principal_id in approvers:
            raise Conflict("you already approved this export", code="already_approved")
        duties.require_unrelated(
            rt, session, caller.principal_id, [request.requested_by, *approvers], "bulk export"
        )
        now = rt.clock.now()
        exports.add_approval(session, request, caller.principal_id, now)
        approvers.append(caller.principal_id)
        needed = max(rule.bulk_export_approvals, 1)
        if len(approvers) >= needed:
            request.status, request.approved_by, request.decided_at = (
                "approved",
                caller.principal_id,
                now,
            )
        counts = {"approvals": len(approvers), "needed": needed}
        _audit(rt, session, caller, "export.approve", request, counts)
        return {
            "id": request.request_id,
            "status": request.status,
            "approvals": len(approvers),
            "needed": needed,
        }


def run_export(rt: Runtime, caller: Caller, request_id: str, out: IO[str]) -> int:
    """Write the approved export as CSV to `out`, once; return the number of rows.

    The rows count toward the requester's daily quota; a run that would exceed it is refused
    before anything is written.
    """
    rule = _officer(caller, rt)
    with rt.db.session() as session:
        request = _get(session, rt.tenant, request_id)
        if request.requested_by != caller.principal_id:
            raise Denied("only the requesting officer runs an export", code="not_requester")
        if request.status != "approved":
            raise Conflict(f"export {request_id} is {request.status}", code="export_not_approved")
        now = rt.clock.now()
        expired = request.decided_at is None or now - request.decided_at > VALID_FOR
        if expired:
            request.status = "expired"
        else:
            if not cases.is_open(session, rt.tenant, request.case_id):
                raise Denied("the case was closed", code="case_not_open")
            shipments = _live(rt, session, json.loads(request.waybills))
            used = quota.used_today(session, rt.tenant, caller.principal_id, now)
            if used + len(shipments) > rule.daily_quota:
                raise Denied(
                    f"the export's {len(shipments)} records would pass today's quota",
                    code="daily_quota_exceeded",
                )
            rows = _write(rt, session, caller, request, shipments, out)
            quota.count_one(session, rt.tenant, caller.principal_id, now, count=rows)
            request.status = "done"
    if expired:
        raise Conflict(f"export {request_id} expired; ask again", code="export_expired")
    return rows


def list_exports(rt: Runtime, session: Session) -> list[ExportView]:
    """Return the tenant's export requests, newest first (no personal data)."""
    return [
        {
            "id": r.request_id,
            "case_id": r.case_id,
            "status": r.status,
            "requested_by": r.requested_by,
            "approved_by": r.approved_by,
            "approvers": approvers_of(session, r),
            "count": len(json.loads(r.waybills)),
            "fields": json.loads(r.fields),
            "created_at": r.created_at.isoformat(),
        }
        for r in exports.newest_first(session, rt.tenant)
    ]


def _live(rt: Runtime, session: Session, waybills: list[str]) -> list[Shipment]:
    """Return the shipments of these waybills that still exist and are not purged."""
    found = (get(session, rt.tenant, waybill) for waybill in waybills)
    return [s for s in found if s is not None and s.status != "purged"]


def _write(
    rt: Runtime,
    session: Session,
    caller: Caller,
    request: ExportRequest,
    shipments: list[Shipment],
    out: IO[str],
) -> int:
    fields: list[str] = json.loads(request.fields)
    writer = SafeCsvWriter(out)
    writer.writerow(["waybill_no", *fields])
    pairs = [tuple(f.split(".", 1)) for f in fields]
    rows = 0
    for shipment in shipments:
        waybill = shipment.waybill_no
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


def _officer(caller: Caller, rt: Runtime) -> Rule:
    """Return the officers' rule if the caller may take part in an export now, else refuse."""
    if caller.role != OFFICER:
        raise Denied("bulk export is for security officers", code="role_not_allowed")
    if caller.reveal_suspended:
        raise Denied("reveal rights are suspended", code="reveal_suspended")
    now = rt.clock.now()
    if caller.trained_until is None or caller.trained_until < quota.china_day(now):
        raise Denied("privacy training has expired", code="training_expired")
    policy = policy_for(rt)
    rule = policy.rule(OFFICER)
    if rule is None:
        raise Denied("the policy gives security officers no fields", code="role_cannot_reveal")
    if not step_up_fresh(policy, rule, caller, now):
        raise Denied("confirm with your passkey first", code="step_up_required")
    return rule


def _get(session: Session, tenant: str, request_id: str) -> ExportRequest:
    request = exports.find(session, tenant, request_id.strip())
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

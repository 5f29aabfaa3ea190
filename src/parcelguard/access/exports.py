"""The records of bulk export requests and their approvals (the workflow is `vault.export`).

Other domains keep and read export requests only through these functions; the request row is
handed out as `ExportRequest` so the caller can read and move its status.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access.models import ExportApproval
from parcelguard.access.models import ExportRequest as ExportRequest


def add_request(
    session: Session,
    tenant_id: str,
    request_id: str,
    case_id: str,
    requested_by: str,
    waybills: Sequence[str],
    fields: Sequence[str],
    now: datetime,
) -> ExportRequest:
    """Store a new pending export request and return it."""
    request = ExportRequest(
        tenant_id=tenant_id,
        request_id=request_id,
        case_id=case_id,
        requested_by=requested_by,
        waybills=json.dumps(list(waybills)),
        fields=json.dumps(list(fields)),
        status="pending",
        created_at=now,
    )
    session.add(request)
    return request


def find(session: Session, tenant_id: str, request_id: str) -> ExportRequest | None:
    """Return an export request by id, or None."""
    return session.get(ExportRequest, (tenant_id, request_id))


def requested_by(session: Session, tenant_id: str, request_id: str) -> str | None:
    """Return who asked for an export (None: no such request)."""
    request = find(session, tenant_id, request_id)
    return request.requested_by if request else None


def newest_first(session: Session, tenant_id: str) -> list[ExportRequest]:
    """Return the tenant's export requests, newest first."""
    query = select(ExportRequest).where(ExportRequest.tenant_id == tenant_id)
    return list(session.scalars(query.order_by(ExportRequest.created_at.desc())))


def approvers_of(session: Session, request: ExportRequest) -> list[str]:
    """Return who approved an export so far, in order."""
    query = select(ExportApproval.approver_id).where(
        ExportApproval.tenant_id == request.tenant_id,
        ExportApproval.request_id == request.request_id,
    )
    return list(session.scalars(query.order_by(ExportApproval.at)))


def add_approval(session: Session, request: ExportRequest, approver_id: str, at: datetime) -> None:
    """Record one officer's approval of a request."""
    session.add(
        ExportApproval(
            tenant_id=request.tenant_id,
            request_id=request.request_id,
            approver_id=approver_id,
            at=at,
        )
    )

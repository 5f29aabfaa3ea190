"""Security centre: search the audit log and verify its hash chain (security officers).

Both are reads, so the page is a plain GET form that works without script: filters by actor,
action, target and a time range (China time), newest first; "verify" recomputes the chain and
the checkpoint signatures and names the first event that does not fit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from parcelguard.audit import service as audit
from parcelguard.audit.models import AuditEvent
from parcelguard.clock import CHINA
from parcelguard.runtime import Runtime
from parcelguard.web.console_security import OfficerPage, security_page
from parcelguard.web.deps import get_runtime

router = APIRouter(prefix="/console/security", include_in_schema=False)
LIMIT = 200


def _instant(text: str) -> datetime | None:
    """Parse a `datetime-local` value (China time) or ISO 8601; raise ValueError if neither."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CHINA)


def _row(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "station_id": event.station_id,
        "action": event.action,
        "target": f"{event.target_type}:{event.target_id}"
        if event.target_id
        else event.target_type,
        "decision": event.decision,
        "reason": event.reason,
        "purpose": event.purpose,
    }


@router.get("/audit", response_model=None)
def search(
    staff: OfficerPage,
    request: Request,
    actor: str = Query(default="", max_length=64),
    action: str = Query(default="", max_length=48),
    target: str = Query(default="", max_length=64),
    since: str = Query(default="", max_length=32),
    until: str = Query(default="", max_length=32),
    verify: bool = False,
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show the search form, the matching events and, when asked, the chain's verification."""
    bad_time = False
    bounds: list[datetime | None] = []
    for text in (since, until):
        try:
            bounds.append(_instant(text) if text.strip() else None)
        except ValueError:
            bounds.append(None)
            bad_time = True
    asked = any(v.strip() for v in (actor, action, target, since, until))
    with rt.db.read_session() as session:
        found = audit.search(
            session,
            rt.tenant,
            actor_id=actor.strip() or None,
            action=action.strip() or None,
            target_id=target.strip() or None,
            since=bounds[0],
            until=bounds[1],
            limit=LIMIT,
        )
        rows = [_row(e) for e in found]
    checked = audit.verify(rt) if verify else None
    context = {
        "form": {
            "actor": actor,
            "action": action,
            "target": target,
            "since": since,
            "until": until,
        },
        "rows": rows,
        "asked": asked,
        "bad_time": bad_time,
        "checked": checked.as_dict() if checked is not None else None,
    }
    return security_page(request, "console/security/audit.html", context, staff)

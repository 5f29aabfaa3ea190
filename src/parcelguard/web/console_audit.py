"""Security centre: search the audit log and verify its hash chain (security officers).

Both are reads, so the page is a plain GET form that works without script: filters by actor,
action, target and a time range (the tenant's zone), newest first; "verify" recomputes the chain and
the checkpoint signatures and names the first event that does not fit.

Search finds events by what the pages display: the actor as a full id or the short id a page
shows (8-31 hex digits, a prefix), a member of staff by employee number or name (resolved
to principal ids by the access service), a waybill number (the event's target or its details'
`waybill`), a target as shown (`shipment:…`), local dates in the tenant's zone, and the event
type in words (the zh/en wording of the catalogue mapped back to the action codes).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from parcelguard.access import service as access_service
from parcelguard.audit import service as audit
from parcelguard.audit.results import event_fields
from parcelguard.audit.service import AuditEvent
from parcelguard.runtime import Runtime
from parcelguard.web.console_security import OfficerPage, security_page
from parcelguard.web.deps import get_runtime
from parcelguard.web.results import AuditRow
from parcelguard.words import CATALOGUES
from parcelguard.words.formats import zone

router = APIRouter(prefix="/console/security", include_in_schema=False)
LIMIT = 200
SHORT_ID = re.compile(r"[0-9a-f]{8,31}")


def _instant(text: str, where: str | None = None) -> datetime | None:
    """Parse a `datetime-local` value (tenant zone) or ISO 8601; raise ValueError if neither."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone(where))


def _day_bounds(
    first: str, last: str, where: str | None
) -> tuple[datetime | None, datetime | None, bool]:
    """Return UTC bounds for local dates `first`..`last` (whole days) and whether one was bad."""
    tz = zone(where)
    bounds: list[datetime | None] = []
    bad = False
    for text, extra in ((first, 0), (last, 1)):
        try:
            day = date.fromisoformat(text.strip()) if text.strip() else None
        except ValueError:
            day, bad = None, True
        if day is None:
            bounds.append(None)
            continue
        local = datetime.combine(day + timedelta(days=extra), time(0), tzinfo=tz)
        bounds.append(local.astimezone(UTC))
    return bounds[0], bounds[1], bad


def actions_for(word: str) -> set[str]:
    """Return the action codes a typed word stands for, in either language (or the code itself).

    An exact wording wins; otherwise every action whose wording contains the word.
    """
    word = word.strip().casefold()
    if not word:
        return set()
    tables = [CATALOGUES[lang]["codes"]["action"] for lang in CATALOGUES]
    exact = {code for t in tables for code, text in t.items() if word in (text.casefold(), code)}
    if exact:
        return exact
    return {code for t in tables for code, text in t.items() if word in text.casefold()}


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(x for x in (a, b) if x is not None) if a or b else None


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(x for x in (a, b) if x is not None) if a or b else None


def _row(event: AuditEvent) -> AuditRow:
    target = f"{event.target_type}:{event.target_id}" if event.target_id else event.target_type
    return {**event_fields(event), "target": target}


@router.get("/audit", response_model=None)
def search(
    staff: OfficerPage,
    request: Request,
    actor: str = Query(default="", max_length=64),
    action: str = Query(default="", max_length=48),
    target: str = Query(default="", max_length=100),
    since: str = Query(default="", max_length=32),
    until: str = Query(default="", max_length=32),
    staff_no: str = Query(default="", max_length=80, alias="staff"),
    waybill: str = Query(default="", max_length=40),
    event: str = Query(default="", max_length=40),
    from_day: str = Query(default="", max_length=10, alias="from"),
    to_day: str = Query(default="", max_length=10, alias="to"),
    verify: bool = False,
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show the search form, the matching events and, when asked, the chain's verification."""
    bad_time = False
    bounds: list[datetime | None] = []
    for text in (since, until):
        try:
            bounds.append(_instant(text, rt.settings.timezone) if text.strip() else None)
        except ValueError:
            bounds.append(None)
            bad_time = True
    first, last, bad_day = _day_bounds(from_day, to_day, rt.settings.timezone)
    bad_time = bad_time or bad_day
    typed = [actor, action, target, since, until, staff_no, waybill, event, from_day, to_day]
    asked = any(v.strip() for v in typed)
    who = actor.strip()
    short = who.lower() if SHORT_ID.fullmatch(who.lower()) else None
    target_type, _, target_id = target.strip().rpartition(":")
    number = waybill.strip()
    with rt.db.read_session() as session:
        ids = (
            access_service.ids_for_staff(session, rt.tenant, staff_no) if staff_no.strip() else None
        )
        found = audit.search(
            session,
            rt.tenant,
            actor_id=who if who and short is None else None,
            actor_prefix=short,
            actor_ids=ids,
            action=action.strip() or None,
            actions=actions_for(event) if event.strip() else None,
            target_type=target_type or None,
            target_id=target_id or None,
            waybill=number or None,
            since=_later(bounds[0], first),
            until=_earlier(bounds[1], last),
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
            "staff": staff_no,
            "waybill": waybill,
            "event": event,
            "from": from_day,
            "to": to_day,
        },
        "rows": rows,
        "asked": asked,
        "bad_time": bad_time,
        "checked": checked.as_dict() if checked is not None else None,
    }
    return security_page(request, "console/security/audit.html", context, staff)

"""Security centre: trace a leaked file, read its report, and keep the canaries (officers).

The upload goes to the forensics API (`POST /api/v1/forensics/trace`, multipart, from
`static/console.js` with the session's CSRF token); the browser then opens the report here,
rendered from the stored trace document (masked forms, ids and counts only). The standalone
HTML report stays one link away for printing and filing. Seeding and rotating canaries post
to the canaries API; listing them is audited by the forensics service.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from parcelguard.access import service as access_service
from parcelguard.audit import service as audit
from parcelguard.forensics import service as forensics
from parcelguard.forensics.results import SuspectView
from parcelguard.runtime import Runtime
from parcelguard.web.console_security import OfficerPage, security_page, who
from parcelguard.web.deps import get_runtime

router = APIRouter(prefix="/console/security", include_in_schema=False)
RECENT = 20


@router.get("/leaks", response_model=None)
def leaks(staff: OfficerPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the upload form and the latest traces (from the audit log)."""
    with rt.db.read_session() as session:
        traced = audit.search(session, rt.tenant, action="forensics.trace", limit=RECENT)
        recent = [{"leak_id": e.target_id, "at": e.at, "by": e.actor_id} for e in traced]
    return security_page(request, "console/security/leaks.html", {"recent": recent}, staff)


@router.get("/leaks/{leak_id}", response_model=None)
def report(
    staff: OfficerPage,
    request: Request,
    leak_id: str = Path(max_length=64),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show a traced leak's report: canary hits, ranked suspects, matched records (masked)."""
    document = forensics.leak_report(rt, staff.caller.actor, leak_id)
    rows = document.pop("matched_records", [])
    with rt.db.read_session() as session:
        suspects = [
            {**s, "who": who(session, rt.tenant, s["principal_id"]), "coverage_pct": _pct(s)}
            for s in document.get("suspects", [])
        ]
    names = {s["channel"]: _channel_name(s) for s in suspects}
    for row in rows:
        row["channel_names"] = [names.get(c, c) for c in row.get("channels", [])]
    context = {"doc": document, "suspects": suspects, "rows": rows}
    return security_page(request, "console/security/report.html", context, staff)


def _channel_name(suspect: dict[str, Any]) -> str:
    """Return how the records table names a channel: the person (masked) or the station."""
    person = suspect["who"]
    if suspect.get("kind") == "principal" and person.get("role"):
        return f"{person['name']} {person['employee_no']}".strip()
    return str(suspect["channel"]).split(":", 1)[-1]


def _pct(suspect: SuspectView) -> str:
    return f"{float(suspect.get('coverage') or 0) * 100:.0f}%"


@router.get("/canaries", response_model=None)
def canaries(staff: OfficerPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """List the active canaries (audited) with the seed and rotate forms."""
    listed = forensics.list_canaries(rt, staff.caller.actor)
    with rt.db.read_session() as session:
        people = access_service.list_principals(session, rt.tenant)
        couriers = [(p.principal_id, p.name_masked) for p in people if p.role == "courier"]
        stations = sorted({p.station_id for p in people if p.station_id})
        names = {p.principal_id: f"{p.name_masked} {p.employee_no}" for p in people}
    rows: list[dict[str, Any]] = [{**canary} for canary in listed]
    for canary in rows:
        kind, _, ident = str(canary["channel"]).partition(":")
        canary["channel_kind"], canary["channel_name"] = kind, names.get(ident, ident)
    context = {
        "canaries": rows,
        "kinds": forensics.CHANNEL_KINDS,
        "couriers": couriers,
        "stations": stations,
    }
    return security_page(request, "console/security/canaries.html", context, staff)

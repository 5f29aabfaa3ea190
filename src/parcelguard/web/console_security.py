"""Security centre: the overview and the monitor's alerts (incidents) with their evidence.

Security officers see everything here; admins see the keys and the self-check only (the
alerts, audit and forensics use cases are for officers). Assigning and resolving post to the
alerts API (`/api/v1/alerts/{id}/assign|resolve`) from `static/console.js`, with the
session's CSRF token; the API decides and audits. Nothing on these pages is personal data:
alerts carry ids, rule codes, waybill numbers and reason codes only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from parcelguard.access import service as access_service
from parcelguard.access.results import StaffView
from parcelguard.access.roles import Role
from parcelguard.monitor import dashboard
from parcelguard.monitor import service as monitor
from parcelguard.runtime import Runtime
from parcelguard.vault import keys as vault_keys
from parcelguard.web import charts
from parcelguard.web.alert_words import detail_rows, evidence_rows
from parcelguard.web.console_shell import Staff, StaffSession, render
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language
from parcelguard.web.results import AlertRow, PersonRef
from parcelguard.words import both, say
from parcelguard.words.formats import zone

router = APIRouter(prefix="/console/security", include_in_schema=False)
SECURITY = both("security")
OFFICERS = (Role.OFFICER,)
READERS = (Role.OFFICER, Role.ADMIN)
OfficerPage = Annotated[Staff, StaffSession(*OFFICERS)]
ReaderPage = Annotated[Staff, StaffSession(*READERS)]
SEVERITIES = ("critical", "high", "medium", "low")
FILTERS = (*monitor.STATUSES, "all")
# The security centre's sections: (path, words key, roles that see it).
SECTIONS = (
    ("/console/security/alerts", "sec_alerts", OFFICERS),
    ("/console/security/audit", "sec_audit", OFFICERS),
    ("/console/security/leaks", "sec_leaks", OFFICERS),
    ("/console/security/canaries", "sec_canaries", OFFICERS),
    ("/console/security/keys", "sec_keys", READERS),
    ("/console/security/doctor", "sec_doctor", READERS),
)


def sections_for(role: str) -> list[tuple[str, str]]:
    """Return the sections a role sees: (path, words key)."""
    return [(path, key) for path, key, roles in SECTIONS if role in roles]


def security_page(
    request: Request,
    name: str,
    context: dict[str, Any],
    staff: Staff,
    *,
    status_code: int = 200,
) -> Response:
    """Render a security-centre page with its section menu."""
    context = {"sections": sections_for(staff.caller.role), **context}
    return render(request, name, SECURITY, context, staff, status_code=status_code)


def who(session: Session, tenant_id: str, principal_id: str) -> StaffView | PersonRef:
    """Return how a page names a principal: masked name, employee number, role (or the id)."""
    found = access_service.get(session, tenant_id, principal_id)
    if found is None:
        short = principal_id[:8] if len(principal_id) == 32 else principal_id
        return {"id": principal_id, "name": short, "employee_no": "", "role": ""}
    view = access_service.public_view(found)
    return {**view, "name": view["name_masked"]}


def _namer(session: Session, tenant_id: str) -> Callable[[str], str]:
    """Return a function naming a principal id as "name · employee no." (cached per page)."""
    known: dict[str, str] = {}

    def name_of(principal_id: str) -> str:
        if principal_id not in known:
            person = who(session, tenant_id, principal_id)
            parts = [person["name"], person.get("employee_no") or ""]
            known[principal_id] = " · ".join(p for p in parts if p)
        return known[principal_id]

    return name_of


@router.get("", response_model=None)
def overview(staff: ReaderPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show open alerts by severity and the latest ones; the key state in brief."""
    counts: dict[str, int] = {}
    latest: list[AlertRow] = []
    drawn: dict[str, charts.Chart] = {}
    if staff.caller.role in OFFICERS:
        with rt.db.read_session() as session:
            counts = monitor.open_counts(session, rt.tenant)
            latest = _alert_rows(session, rt.tenant, monitor.OPEN_STATUSES, 5)
            drawn = dashboard_charts(rt, session, language(request))
    context = {
        "charts": drawn,
        "counts": [(s, counts.get(s, 0)) for s in SEVERITIES],
        "latest": latest,
        "officer": staff.caller.role in OFFICERS,
        "keys": vault_keys.status(rt),
    }
    return security_page(request, "console/security/overview.html", context, staff)


def dashboard_charts(rt: Runtime, session: Session, lang: str) -> dict[str, charts.Chart]:
    """Return the overview's charts: reveals per hour (24 h) and alerts per rule (30 days)."""
    now = rt.clock.now()
    where = zone(rt.settings.timezone)
    hours = dashboard.reveals_per_hour(session, rt.tenant, now)
    buckets = [(start.astimezone(where).strftime("%H:00"), (ok, no)) for start, ok, no in hours]
    per_rule = dashboard.alerts_per_rule(session, rt.tenant, now - timedelta(days=30))
    return {
        "reveals": charts.columns(buckets, ("allow", "deny")),
        "alerts": charts.rows([(say(lang, "rule", r), n) for r, n in per_rule.items()]),
    }


def _alert_rows(
    session: Session, tenant_id: str, statuses: tuple[str, ...], limit: int
) -> list[AlertRow]:
    found = monitor.list_alerts(session, tenant_id, statuses, limit)
    return [
        {**monitor.alert_view(i), "who": who(session, tenant_id, i.principal_id)} for i in found
    ]


@router.get("/alerts", response_model=None)
def alerts(
    staff: OfficerPage,
    request: Request,
    status: str = Query(default="open", max_length=20),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """List alerts of one status (open by default), most recent activity first."""
    chosen = status if status in FILTERS else "open"
    wanted = monitor.STATUSES if chosen == "all" else (chosen,)
    with rt.db.read_session() as session:
        rows = _alert_rows(session, rt.tenant, wanted, 200)
    context = {"alerts": rows, "filters": FILTERS, "chosen": chosen}
    return security_page(request, "console/security/alerts.html", context, staff)


@router.get("/alerts/{alert_id}", response_model=None)
def alert(
    staff: OfficerPage,
    request: Request,
    alert_id: str = Path(max_length=64),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Show one alert with its evidence and the assign / resolve forms."""
    with rt.db.read_session() as session:
        incident, shown = monitor.show_alert(rt, session, alert_id)
        view: AlertRow = {
            **shown,
            "who": who(session, rt.tenant, incident.principal_id),
        }
        closer = who(session, rt.tenant, incident.resolved_by) if incident.resolved_by else None
        assignee = who(session, rt.tenant, incident.assignee) if incident.assignee else None
        lang = language(request)
        named = _namer(session, rt.tenant)
        facts = detail_rows(view["details"], lang, named)
        evidence = evidence_rows(view.get("evidence") or [], lang)
        held = monitor.suspension_held(session, incident)
    context = {
        "a": view,
        "closer": closer,
        "assignee": assignee,
        "facts": facts,
        "evidence": evidence,
        "is_open": view["status"] in monitor.OPEN_STATUSES,
        "held": held,
        "me": staff.caller.principal_id,
    }
    return security_page(request, "console/security/alert.html", context, staff)

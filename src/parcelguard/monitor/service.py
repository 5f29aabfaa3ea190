"""Monitor use cases: findings into incidents (`incidents`), list, show, assign, resolve, install.

`install()` starts the consumer that feeds the detectors from the event bus.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.access import duties
from parcelguard.access import service as access
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import as_utc
from parcelguard.errors import ConfigError, Conflict, Denied, InvalidInput, NotFound
from parcelguard.monitor import response
from parcelguard.monitor.config import MonitorConfig, monitor_config
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.monitor.incidents import record as record
from parcelguard.monitor.models import OPEN_STATUSES as OPEN_STATUSES
from parcelguard.monitor.models import STATUSES as STATUSES
from parcelguard.monitor.models import Evidence, Incident
from parcelguard.monitor.results import AlertView, ResolvedAlert
from parcelguard.runtime import Runtime

MONITOR = response.MONITOR
OFFICER = duties.OFFICER


def list_alerts(
    session: Session, tenant_id: str, statuses: Sequence[str] = OPEN_STATUSES, limit: int = 200
) -> list[Incident]:
    """Return incidents in these statuses, most recent activity first."""
    query = (
        select(Incident)
        .where(Incident.tenant_id == tenant_id, Incident.status.in_(list(statuses)))
        .order_by(Incident.last_at.desc(), Incident.incident_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def get_or_raise(session: Session, tenant_id: str, incident_id: str) -> Incident:
    """Return an incident or raise `NotFound`."""
    incident = session.get(Incident, (tenant_id, incident_id))
    if incident is None:
        raise NotFound("no alert with this id", code="alert_not_found")
    return incident


def evidence_of(session: Session, incident: Incident) -> list[Evidence]:
    """Return an incident's evidence in the order it was gathered."""
    query = (
        select(Evidence)
        .where(
            Evidence.tenant_id == incident.tenant_id, Evidence.incident_id == incident.incident_id
        )
        .order_by(Evidence.position)
    )
    return list(session.scalars(query))


def involved(incident: Incident) -> set[str]:
    """Return who an alert is about: its principal and whoever made the change it reports."""
    found = json.loads(incident.details or "{}").get("involved") or []
    return {incident.principal_id, *(str(p) for p in found)}


def _reviewer(rt: Runtime, session: Session, incident: Incident, actor: Actor) -> None:
    """Refuse anyone but an active, unsuspended officer who is not involved in the alert."""
    if actor.role != OFFICER:
        raise Denied("only a security officer handles alerts", code="officer_required")
    if actor.id in involved(incident):
        raise duties.DutyRefused(
            "nobody acts on an alert about themselves", code="own_alert", subject=actor.id
        )
    duties.active_person(session, actor, rt.tenant, officer=True)


def assign(
    rt: Runtime, session: Session, actor: Actor, incident_id: str, assignee: str
) -> Incident:
    """Give an incident to someone not involved in it; an open one becomes acknowledged."""
    assignee = assignee.strip()
    if not assignee or len(assignee) > 64:
        raise InvalidInput("the assignee must be 1 to 64 characters", code="invalid_assignee")
    incident = get_or_raise(session, rt.tenant, incident_id)
    _reviewer(rt, session, incident, actor)
    if assignee in involved(incident):
        raise duties.DutyRefused(
            "an alert goes to someone it is not about", code="own_alert", subject=assignee
        )
    if incident.status not in OPEN_STATUSES:
        raise Conflict(f"alert {incident_id} is {incident.status}", code="alert_closed")
    incident.assignee = assignee
    if incident.status == "open":
        incident.status = "acknowledged"
    incident.updated_at = rt.clock.now()
    auditor_for(rt).record(
        session,
        actor,
        Entry("monitor.assign", "incident", incident_id, details={"assignee": assignee}),
    )
    return incident


def resolve(
    rt: Runtime,
    session: Session,
    actor: Actor,
    incident_id: str,
    *,
    false_positive: bool = False,
    restore: bool | None = None,
) -> tuple[Incident, bool]:
    """Close an incident (resolved or false positive); maybe restore reveal rights.

    Only an active security officer who is not involved in the alert closes it; rights come
    back when asked (by default for a false positive). Return the incident and whether
    rights were restored.
    """
    incident = get_or_raise(session, rt.tenant, incident_id)
    _reviewer(rt, session, incident, actor)
    if incident.status not in OPEN_STATUSES:
        raise Conflict(f"alert {incident_id} is already {incident.status}", code="alert_closed")
    wants_restore = false_positive if restore is None else restore
    restored = False
    if wants_restore and incident.suspended:
        restored = response.restore(rt, session, actor, incident)
    now = rt.clock.now()
    incident.status = "false_positive" if false_positive else "resolved"
    incident.resolved_at, incident.resolved_by, incident.updated_at = now, actor.id, now
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "monitor.resolve",
            "incident",
            incident_id,
            reason=incident.status,
            details={"restored": restored, "principal_id": incident.principal_id},
        ),
    )
    return incident, restored


def resolve_alert(
    rt: Runtime,
    actor: Actor,
    incident_id: str,
    *,
    false_positive: bool = False,
    restore: bool | None = None,
) -> ResolvedAlert:
    """Resolve in its own transaction (API, CLI); a try on one's own alert is audited."""
    with duties.audited_refusals(rt, actor, "monitor.resolve"), rt.db.session() as session:
        incident, restored = resolve(
            rt, session, actor, incident_id, false_positive=false_positive, restore=restore
        )
        return {**alert_view(incident), "restored": restored}


def restore(rt: Runtime, session: Session, actor: Actor, incident_id: str) -> Incident:
    """Give back the reveal rights an alert suspended, leaving the alert as it is.

    The reviewer rules of `resolve` apply (an active, unsuspended officer not involved in the
    alert: nobody restores themselves); `access.service.restore_reveal` checks them again.
    Refused when the alert suspended nobody, the person is no longer suspended, or another
    open alert still holds the suspension.
    """
    incident = get_or_raise(session, rt.tenant, incident_id)
    _reviewer(rt, session, incident, actor)
    principal = access.get(session, rt.tenant, incident.principal_id)
    if not incident.suspended or principal is None or not principal.reveal_suspended:
        raise Conflict("this alert holds no suspension", code="not_suspended")
    if not response.restore(rt, session, actor, incident):
        raise Conflict("another open alert still holds the suspension", code="still_held")
    incident.updated_at = rt.clock.now()
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "monitor.restore",
            "incident",
            incident_id,
            details={"principal_id": incident.principal_id, "status": incident.status},
        ),
    )
    return incident


def restore_alert(rt: Runtime, actor: Actor, incident_id: str) -> ResolvedAlert:
    """Restore in its own transaction (API); a try on one's own alert is audited."""
    with duties.audited_refusals(rt, actor, "monitor.restore"), rt.db.session() as session:
        return {**alert_view(restore(rt, session, actor, incident_id)), "restored": True}


def suspension_held(session: Session, incident: Incident) -> bool:
    """Return whether the alert's person is still suspended by it (the restore button shows)."""
    if not incident.suspended:
        return False
    principal = access.get(session, incident.tenant_id, incident.principal_id)
    return principal is not None and bool(principal.reveal_suspended)


def assign_alert(rt: Runtime, actor: Actor, incident_id: str, assignee: str) -> AlertView:
    """Assign in its own transaction (API, CLI); a try on one's own alert is audited."""
    with duties.audited_refusals(rt, actor, "monitor.assign"), rt.db.session() as session:
        return alert_view(assign(rt, session, actor, incident_id, assignee))


def open_counts(session: Session, tenant_id: str) -> dict[str, int]:
    """Return how many open or acknowledged incidents each severity has."""
    rows = session.execute(
        select(Incident.severity, func.count())
        .where(Incident.tenant_id == tenant_id, Incident.status.in_(list(OPEN_STATUSES)))
        .group_by(Incident.severity)
    ).all()
    return {severity: int(n) for severity, n in rows}


def show_alert(rt: Runtime, session: Session, alert_id: str) -> tuple[Incident, AlertView]:
    """Return one alert and its view with the evidence (the API, the CLI and the console)."""
    incident = get_or_raise(session, rt.tenant, alert_id)
    return incident, alert_view(incident, evidence_of(session, incident))


def alert_view(incident: Incident, evidence: Sequence[Evidence] | None = None) -> AlertView:
    """Return the alert as the CLI and API show it (no PII: ids, codes, waybills)."""
    view: AlertView = {
        "id": incident.incident_id,
        "principal_id": incident.principal_id,
        "role": incident.role,
        "rule": incident.rule,
        "severity": incident.severity,
        "status": incident.status,
        "assignee": incident.assignee,
        "first_at": _iso(incident.first_at),
        "last_at": _iso(incident.last_at),
        "findings": incident.findings,
        "evidence_count": incident.evidence_count,
        "suspended": incident.suspended,
        "details": json.loads(incident.details or "{}"),
        "resolved_at": _iso(incident.resolved_at),
        "resolved_by": incident.resolved_by,
    }
    if evidence is not None:
        view["evidence"] = [json.loads(e.summary) for e in evidence]
    return view


def install(rt: Runtime, *, ensure_bus: bool = False, start_nats: bool = False) -> Any:
    """Start the monitor's consumer for this runtime; return it (or None).

    In-process: subscribe to `rt.publisher` when it has `subscribe` (with `ensure_bus`, a
    runtime without a bus gets an `InProcessBus`); the bus keeps one consumer per runtime, so
    a second call returns the first consumer. NATS (`[monitor].consumer` "nats", or "auto"
    with `PARCELGUARD_NATS_URL`): a JetStream durable consumer on a thread, only when
    `start_nats` (the server, once; one-shot commands do not start one). "external" and "off"
    start nothing: `parcelguard monitor run` processes, or nobody, do the work.
    """
    subscribe = getattr(rt.publisher, "subscribe", None)
    if subscribe is None and not ensure_bus and not start_nats:
        return None
    config = monitor_config(rt)
    if config.consumer in ("off", "external"):
        return None
    if config.consumer == "nats" or (config.consumer == "auto" and rt.settings.nats_url):
        return _install_nats(rt, config, start_nats)
    if subscribe is None:
        if not ensure_bus:
            return None
        from parcelguard.audit.bus import InProcessBus

        bus = InProcessBus()
        rt.publisher = bus
        subscribe = bus.subscribe
    return subscribe(LiveConsumer(rt, config))


def _install_nats(rt: Runtime, config: MonitorConfig, start: bool) -> Any:
    url = rt.settings.nats_url
    if not url:
        raise ConfigError("[monitor] consumer = 'nats' needs PARCELGUARD_NATS_URL")
    if not start:
        return None
    from parcelguard.monitor.nats_consumer import NatsMonitor

    monitor = NatsMonitor(rt, url, config=config)
    monitor.start()
    return monitor


def _iso(at: datetime | None) -> str | None:
    return None if at is None else as_utc(at).isoformat()

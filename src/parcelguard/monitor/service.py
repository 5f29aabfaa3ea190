"""Monitor use cases: findings into incidents, list, show, assign, resolve, install.

`install()` starts the consumer that feeds the detectors from the event bus.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import as_utc
from parcelguard.db import insert_ignoring_conflict, new_id
from parcelguard.errors import Conflict, InvalidInput, NotFound
from parcelguard.monitor import response
from parcelguard.monitor.config import MonitorConfig, monitor_config
from parcelguard.monitor.detectors.base import SEVERITIES, Finding
from parcelguard.monitor.models import OPEN_STATUSES, Evidence, Incident, IncidentHead
from parcelguard.runtime import Runtime

MONITOR = response.MONITOR


def record(rt: Runtime, session: Session, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Fold findings into incidents and respond to new ones; return their notifications.

    The same principal and rule within the window make one incident with growing evidence.
    The notifications are to be sent after the transaction commits.
    """
    config = monitor_config(rt)
    notes = []
    for finding in findings:
        incident, new = _incident_for(rt, session, config, finding)
        _add_evidence(session, config, incident, finding)
        if new:
            notes.append(response.respond(rt, session, incident, finding))
    session.flush()
    return notes


def _incident_for(
    rt: Runtime, session: Session, config: MonitorConfig, finding: Finding
) -> tuple[Incident, bool]:
    """Return the open incident this finding adds to, or a new one (head row locked)."""
    key = {"tenant_id": rt.tenant, "principal_id": finding.principal_id, "rule": finding.rule}
    insert_ignoring_conflict(session, IncidentHead.__table__, key)
    head = session.execute(
        select(IncidentHead)
        .filter_by(**key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    at = datetime.fromtimestamp(finding.ts, UTC)
    window = timedelta(minutes=config.incident_window_minutes)
    current = session.get(Incident, (rt.tenant, head.incident_id)) if head.incident_id else None
    new = (
        current is None
        or current.status not in OPEN_STATUSES
        or head.last_at is None
        or abs(at - head.last_at) > window
    )
    now = rt.clock.now()
    if new:
        current = _open(rt, finding, at)
        session.add(current)
        head.incident_id = current.incident_id
    else:
        assert current is not None
        current.findings += 1
        current.last_at = max(current.last_at, at)
        current.severity = max(current.severity, finding.severity, key=SEVERITIES.index)
        current.details = _json(finding.details)
        current.updated_at = now
    head.last_at = at if new or head.last_at is None else max(head.last_at, at)
    return current, new


def _open(rt: Runtime, finding: Finding, at: datetime) -> Incident:
    """Return a new open incident for a finding."""
    now = rt.clock.now()
    return Incident(
        tenant_id=rt.tenant,
        incident_id=new_id(),
        principal_id=finding.principal_id,
        role=finding.role or None,
        rule=finding.rule,
        severity=finding.severity,
        status="open",
        first_at=at,
        last_at=at,
        findings=1,
        evidence_count=0,
        suspended=False,
        details=_json(finding.details),
        created_at=now,
        updated_at=now,
    )


def _add_evidence(
    session: Session, config: MonitorConfig, incident: Incident, finding: Finding
) -> None:
    """Keep the finding's events (sequence numbers and summaries), each once, up to a cap."""
    session.flush()
    have = set(
        session.scalars(
            select(Evidence.seq).where(
                Evidence.tenant_id == incident.tenant_id,
                Evidence.incident_id == incident.incident_id,
                Evidence.seq.is_not(None),
            )
        )
    )
    for event in finding.evidence:
        if incident.evidence_count >= config.evidence_per_incident:
            return
        if event.seq is not None and event.seq in have:
            continue
        incident.evidence_count += 1
        session.add(
            Evidence(
                tenant_id=incident.tenant_id,
                incident_id=incident.incident_id,
                position=incident.evidence_count,
                seq=event.seq,
                at=datetime.fromtimestamp(event.ts, UTC),
                action=event.kind[:48],
                summary=_json(event.summary()),
            )
        )
        if event.seq is not None:
            have.add(event.seq)


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


def assign(
    rt: Runtime, session: Session, incident_id: str, assignee: str, actor: Actor
) -> Incident:
    """Give an incident to someone; an open one becomes acknowledged."""
    assignee = assignee.strip()
    if not assignee or len(assignee) > 64:
        raise InvalidInput("the assignee must be 1 to 64 characters", code="invalid_assignee")
    incident = get_or_raise(session, rt.tenant, incident_id)
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
    incident_id: str,
    actor: Actor,
    *,
    false_positive: bool = False,
    restore: bool | None = None,
) -> tuple[Incident, bool]:
    """Close an incident (resolved or false positive); maybe restore reveal rights.

    Rights come back when asked (by default for a false positive), which only a security
    officer may do. Return the incident and whether rights were restored.
    """
    incident = get_or_raise(session, rt.tenant, incident_id)
    if incident.status not in OPEN_STATUSES:
        raise Conflict(f"alert {incident_id} is already {incident.status}", code="alert_closed")
    wants_restore = false_positive if restore is None else restore
    restored = False
    if wants_restore and incident.suspended:
        restored = response.restore(rt, session, incident, actor)
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


def open_counts(session: Session, tenant_id: str) -> dict[str, int]:
    """Return how many open or acknowledged incidents each severity has."""
    rows = session.execute(
        select(Incident.severity, func.count())
        .where(Incident.tenant_id == tenant_id, Incident.status.in_(list(OPEN_STATUSES)))
        .group_by(Incident.severity)
    ).all()
    return {severity: int(n) for severity, n in rows}


def alert_view(incident: Incident, evidence: Sequence[Evidence] | None = None) -> dict[str, Any]:
    """Return the alert as the CLI and API show it (no PII: ids, codes, waybills)."""
    view: dict[str, Any] = {
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
    """Start feeding the detectors from this runtime's events (see `consumer.install`)."""
    from parcelguard.monitor.consumer import install as install_consumer

    return install_consumer(rt, ensure_bus=ensure_bus, start_nats=start_nats)


def _iso(at: datetime | None) -> str | None:
    return None if at is None else as_utc(at).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

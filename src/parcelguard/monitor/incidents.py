"""Incidents from findings: the same principal and rule within the window make one incident.

A new incident gets the automatic response (suspension, audit, notification); a repeat adds
its evidence, and everyone involved so far stays named in the incident's details.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.db import insert_ignoring_conflict, new_id
from parcelguard.monitor import response
from parcelguard.monitor.config import MonitorConfig, monitor_config
from parcelguard.monitor.detectors.base import SEVERITIES, Finding
from parcelguard.monitor.models import OPEN_STATUSES, Evidence, Incident, IncidentHead
from parcelguard.monitor.results import AlertNotification
from parcelguard.runtime import Runtime


def record(rt: Runtime, session: Session, findings: Sequence[Finding]) -> list[AlertNotification]:
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
        current.details = _json(_merged(current.details, finding.details))
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


def _merged(before: str | None, after: dict[str, Any]) -> dict[str, Any]:
    """Return the newest finding's details, keeping everyone involved so far."""
    people = json.loads(before or "{}").get("involved") or []
    if not people and "involved" not in after:
        return after
    return after | {"involved": sorted({*people, *(after.get("involved") or [])})}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)

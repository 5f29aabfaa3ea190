"""The automatic response to a new incident: suspension, audit, webhook notification.

Reveal rights are suspended when the rule says so; restoring them is a person's call.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import service as access
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import as_utc
from parcelguard.monitor.detectors.base import Finding
from parcelguard.monitor.models import OPEN_STATUSES, Incident
from parcelguard.monitor.results import AlertNotification
from parcelguard.runtime import Runtime

MONITOR = Actor("monitor", "system")
EVIDENCE_IN_AUDIT = 20


def respond(
    rt: Runtime, session: Session, incident: Incident, finding: Finding
) -> AlertNotification:
    """Suspend if the rule says so, audit the alert, return the webhook notification.

    Runs inside the transaction that opens the incident.
    """
    if finding.suspend:
        incident.suspended = _suspend(rt, session, incident)
    seqs = [e.seq for e in finding.evidence if e.seq is not None][:EVIDENCE_IN_AUDIT]
    auditor_for(rt).record(
        session,
        MONITOR,
        Entry(
            "monitor.alert",
            "incident",
            incident.incident_id,
            reason=incident.rule,
            details={
                "principal_id": incident.principal_id,
                "rule": incident.rule,
                "severity": incident.severity,
                "suspended": incident.suspended,
                "evidence_seqs": seqs,
            },
        ),
    )
    return notification(rt.tenant, incident, seqs)


def _suspend(rt: Runtime, session: Session, incident: Incident) -> bool:
    """Take the principal's reveal rights (access audits it); return whether it did.

    Not when there is no such principal (a parcel, the relay) or it was already suspended.
    """
    principal = access.get(session, rt.tenant, incident.principal_id)
    if principal is None or principal.reveal_suspended:
        return False
    reason = f"monitor:{incident.rule}"
    access.suspend_reveal(rt, session, MONITOR, incident.principal_id, reason)
    return True


def restore(rt: Runtime, session: Session, actor: Actor, incident: Incident) -> bool:
    """Give reveal rights back after review, unless another open incident still holds them.

    `access.service.restore_reveal` refuses anyone but a security officer.
    """
    others = session.scalars(
        select(Incident.incident_id).where(
            Incident.tenant_id == rt.tenant,
            Incident.principal_id == incident.principal_id,
            Incident.incident_id != incident.incident_id,
            Incident.status.in_(list(OPEN_STATUSES)),
            Incident.suspended.is_(True),
        )
    ).first()
    if others is not None:
        return False
    access.restore_reveal(rt, session, actor, incident.principal_id)
    return True


def notification(tenant: str, incident: Incident, seqs: list[int]) -> AlertNotification:
    """Return the webhook body of a new incident: ids, rule, severity, codes; never PII."""
    return {
        "type": "monitor.alert",
        "tenant_id": tenant,
        "incident_id": incident.incident_id,
        "principal_id": incident.principal_id,
        "role": incident.role,
        "rule": incident.rule,
        "severity": incident.severity,
        "suspended": incident.suspended,
        "first_at": as_utc(incident.first_at).isoformat(),
        "details": json.loads(incident.details or "{}"),
        "evidence_seqs": seqs,
    }

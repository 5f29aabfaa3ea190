"""What the security dashboard charts: reveals per hour and alerts per rule (counts only).

Both read what is already stored (the audit log's `reveal` events, the monitor's incidents)
and return numbers, never people: the charts show volume, the alert pages show who.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit import queries as audit_queries
from parcelguard.clock import as_utc
from parcelguard.monitor.models import Incident

HOUR = timedelta(hours=1)


def hour_starts(now: datetime, hours: int) -> list[datetime]:
    """Return the starts of the last `hours` whole hours, the current one last (UTC)."""
    current = as_utc(now).replace(minute=0, second=0, microsecond=0)
    return [current - HOUR * (hours - 1 - i) for i in range(hours)]


def reveals_per_hour(
    session: Session, tenant_id: str, now: datetime, hours: int = 24
) -> list[tuple[datetime, int, int]]:
    """Return (hour start, reveals allowed, reveals refused) for each of the last `hours` hours."""
    starts = hour_starts(now, hours)
    counts = {start: [0, 0] for start in starts}
    found = audit_queries.decisions_between(
        session, tenant_id, "reveal", starts[0], starts[-1] + HOUR
    )
    for at, decision in found:
        hour = as_utc(at).replace(minute=0, second=0, microsecond=0)
        if hour in counts:
            counts[hour][0 if decision == "allow" else 1] += 1
    return [(start, counts[start][0], counts[start][1]) for start in starts]


def alerts_per_rule(session: Session, tenant_id: str, since: datetime) -> dict[str, int]:
    """Return how many alerts each rule raised since `since` (by first finding)."""
    rows = session.execute(
        select(Incident.rule, func.count())
        .where(Incident.tenant_id == tenant_id, Incident.first_at >= since)
        .group_by(Incident.rule)
    ).all()
    return {rule: int(n) for rule, n in rows}

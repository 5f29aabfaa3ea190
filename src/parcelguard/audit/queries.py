"""What other domains may read from the audit tables: plain rows and values, never the models.

Every read of `audit_events`, `checkpoints` or `cosignatures` made on behalf of another domain
lives here, so the log's tables have one owner (import-linter: "A domain's tables are read
through its own functions").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Subquery

from parcelguard.audit.models import EVENT_COLUMNS as EVENT_COLUMNS
from parcelguard.audit.models import AuditEvent, AuditHead, Checkpoint, Cosignature


class SignedUpTo(NamedTuple):
    """The newest signed checkpoint: how many events it covers, and when it was signed."""

    size: int
    at: datetime | None


class Witnessed(NamedTuple):
    """How far the witnesses cosigned, and since when a newer checkpoint waits for them."""

    newest: int
    witnessed: int
    waiting_since: datetime | None


def newest_checkpoint(session: Session, tenant_id: str) -> SignedUpTo:
    """Return the newest signed checkpoint, read from the checkpoints themselves."""
    row = session.execute(
        select(Checkpoint.size, Checkpoint.at)
        .where(Checkpoint.tenant_id == tenant_id)
        .order_by(Checkpoint.size.desc())
        .limit(1)
    ).first()
    return SignedUpTo(int(row[0]), row[1]) if row else SignedUpTo(0, None)


def witnessed(session: Session, tenant_id: str) -> Witnessed:
    """Return the newest checkpoint, the newest cosigned one and the oldest waiting one."""
    newest = session.scalar(
        select(func.max(Checkpoint.size)).where(Checkpoint.tenant_id == tenant_id)
    )
    cosigned = session.scalar(
        select(func.max(Cosignature.size)).where(Cosignature.tenant_id == tenant_id)
    )
    waiting = None
    if newest and (cosigned or 0) < newest:
        waiting = session.scalar(
            select(func.min(Checkpoint.at)).where(
                Checkpoint.tenant_id == tenant_id, Checkpoint.size > (cosigned or 0)
            )
        )
    return Witnessed(int(newest or 0), int(cosigned or 0), waiting)


def events_after(
    session: Session, tenant_id: str, seq: int, limit: int, columns: Sequence[str]
) -> Sequence[Any]:
    """Return up to `limit` events after `seq`, in order, as plain rows of the named columns."""
    return session.execute(
        select(*(getattr(AuditEvent, name) for name in columns))
        .where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq > seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    ).all()


class LogPosition(NamedTuple):
    """How far the log has come: events appended, published on the bus, signed."""

    seq: int = 0
    published_seq: int = 0
    checkpoint_seq: int = 0


def position(session: Session, tenant_id: str) -> LogPosition:
    """Return the log's position (all zero before the first event)."""
    head = session.get(AuditHead, tenant_id)
    if head is None:
        return LogPosition()
    return LogPosition(head.seq or 0, head.published_seq or 0, head.checkpoint_seq or 0)


def allowed() -> ColumnElement[bool]:
    """Return the condition on events that showed data (denied decisions showed nothing)."""
    return or_(AuditEvent.decision.is_(None), AuditEvent.decision == "allow")


def shown_events(tenant_id: str, at: datetime) -> Subquery:
    """Return the tenant's events up to `at` that showed data, as a subquery to join on.

    Its columns: seq, at, actor_id, actor_role, station_id, action, target_id, details,
    purpose.
    """
    return (
        select(
            AuditEvent.seq,
            AuditEvent.at,
            AuditEvent.actor_id,
            AuditEvent.actor_role,
            AuditEvent.station_id,
            AuditEvent.action,
            AuditEvent.target_id,
            AuditEvent.details,
            AuditEvent.purpose,
        )
        .where(AuditEvent.tenant_id == tenant_id, AuditEvent.at <= at, allowed())
        .subquery("shown_events")
    )


def decisions_between(
    session: Session, tenant_id: str, action: str, start: datetime, end: datetime
) -> list[tuple[datetime, str | None]]:
    """Return (time, decision) of the tenant's `action` events in [start, end) (no people)."""
    query = select(AuditEvent.at, AuditEvent.decision).where(
        AuditEvent.tenant_id == tenant_id,
        AuditEvent.action == action,
        AuditEvent.at >= start,
        AuditEvent.at < end,
    )
    return [(at, decision) for at, decision in session.execute(query)]

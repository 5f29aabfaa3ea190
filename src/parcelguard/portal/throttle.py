"""Throttle counters kept in the database, so every server process sees the same limits.

A subject is a keyed hash of a phone or a client address (never the value itself). Rows are
locked for update on PostgreSQL; SQLite writers already queue behind `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.db import insert_ignoring_conflict
from parcelguard.portal.models import Throttle


@dataclass(frozen=True)
class Window:
    """At most `limit` events per `span`; reaching it locks the subject for `lockout`."""

    limit: int
    span: timedelta
    lockout: timedelta | None = None


def _row(session: Session, tenant: str, subject: bytes, action: str, now: datetime) -> Throttle:
    query = (
        select(Throttle)
        .where(Throttle.tenant_id == tenant, Throttle.subject == subject, Throttle.action == action)
        .with_for_update()
    )
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        insert_ignoring_conflict(
            session,
            Throttle.__table__,
            {
                "tenant_id": tenant,
                "subject": subject,
                "action": action,
                "window_start": now,
                "count": 0,
            },
        )
        row = session.execute(query.execution_options(populate_existing=True)).scalar_one()
    return row


def _roll(row: Throttle, window: Window, now: datetime) -> None:
    """Start a new window when the old one (and any lockout) is over."""
    if row.locked_until is not None and row.locked_until > now:
        return
    if row.locked_until is not None or now - row.window_start >= window.span:
        row.window_start, row.count, row.locked_until = now, 0, None


def locked_until(
    session: Session, tenant: str, subject: bytes, action: str, now: datetime
) -> datetime | None:
    """Return until when a subject is locked out of `action`, or None."""
    row = session.get(Throttle, (tenant, subject, action))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def take(
    session: Session, tenant: str, subject: bytes, action: str, window: Window, now: datetime
) -> datetime | None:
    """Count one event if the window has room; else return when the window frees up."""
    row = _row(session, tenant, subject, action, now)
    _roll(row, window, now)
    if row.count >= window.limit:
        return row.window_start + window.span
    row.count += 1
    return None


def count_failure(
    session: Session, tenant: str, subject: bytes, action: str, window: Window, now: datetime
) -> bool:
    """Count one failure; return whether this one reached the limit and locked the subject."""
    row = _row(session, tenant, subject, action, now)
    _roll(row, window, now)
    row.count += 1
    if row.count >= window.limit and window.lockout is not None:
        row.locked_until = now + window.lockout
        return True
    return False


def clear(session: Session, tenant: str, subject: bytes, action: str) -> None:
    """Forget a subject's count (after a successful sign-in)."""
    row = session.get(Throttle, (tenant, subject, action))
    if row is not None:
        row.count, row.locked_until = 0, None

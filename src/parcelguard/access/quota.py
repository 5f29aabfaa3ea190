"""Daily reveal quotas: one counter row per principal and day, bumped with each allowed reveal."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parcelguard.access.models import RevealCounter
from parcelguard.clock import CHINA
from parcelguard.db import insert_ignoring_conflict


def china_day(at: datetime) -> date:
    """Return the calendar day in China of an instant (quotas reset at midnight there)."""
    return at.astimezone(CHINA).date()


def used_today(session: Session, tenant_id: str, principal_id: str, now: datetime) -> int:
    """Return how many reveals the principal was allowed today."""
    query = select(RevealCounter.count).where(
        RevealCounter.tenant_id == tenant_id,
        RevealCounter.principal_id == principal_id,
        RevealCounter.day == china_day(now),
    )
    return int(session.scalar(query) or 0)


def count_one(
    session: Session, tenant_id: str, principal_id: str, now: datetime, count: int = 1
) -> None:
    """Add one allowed reveal (or `count` exported records) to today's counter."""
    day = china_day(now)
    insert_ignoring_conflict(
        session,
        RevealCounter.__table__,
        {"tenant_id": tenant_id, "principal_id": principal_id, "day": day, "count": 0},
    )
    session.execute(
        update(RevealCounter)
        .where(
            RevealCounter.tenant_id == tenant_id,
            RevealCounter.principal_id == principal_id,
            RevealCounter.day == day,
        )
        .values(count=RevealCounter.count + count)
    )

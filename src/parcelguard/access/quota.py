"""Daily reveal quotas: one counter row per principal and day, bumped with each allowed reveal."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from parcelguard.access.models import RevealCounter
from parcelguard.clock import CHINA


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
    """Add one allowed reveal (or `count` exported records) to today's counter.

    One statement (an upsert), inside the reveal's transaction: the first reveal of the day
    creates the row, the others add to it.
    """
    values = {"tenant_id": tenant_id, "principal_id": principal_id, "day": china_day(now)}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(RevealCounter).values(**values, count=count)
    table = statement.table
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.tenant_id, table.c.principal_id, table.c.day],
            set_={"count": table.c.count + statement.excluded.count},
        )
    )

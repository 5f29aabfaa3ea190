"""Daily reveal quotas: one counter row per principal and day, bumped with each allowed reveal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from parcelguard.access.models import RevealCounter
from parcelguard.clock import CHINA


def china_day(at: datetime) -> date:
    """Return the calendar day in China of an instant (quotas reset at midnight there)."""
    return at.astimezone(CHINA).date()


_counters = RevealCounter.__table__
_KEY = (
    (_counters.c.tenant_id == bindparam("tenant_id"))
    & (_counters.c.principal_id == bindparam("principal_id"))
    & (_counters.c.day == bindparam("day"))
)
# Built once: their compiled forms are cached, so each reveal only binds values.
_USED = select(_counters.c.count).where(_KEY)


def _bump(insert: Any) -> Any:
    statement = insert(_counters).values(
        tenant_id=bindparam("tenant_id"),
        principal_id=bindparam("principal_id"),
        day=bindparam("day"),
        count=bindparam("count"),
    )
    return statement.on_conflict_do_update(
        index_elements=[_counters.c.tenant_id, _counters.c.principal_id, _counters.c.day],
        set_={"count": _counters.c.count + statement.excluded.count},
    )


_BUMP = {"postgresql": _bump(pg_insert), "sqlite": _bump(sqlite_insert)}


def used_today(session: Session, tenant_id: str, principal_id: str, now: datetime) -> int:
    """Return how many reveals the principal was allowed today."""
    key = {"tenant_id": tenant_id, "principal_id": principal_id, "day": china_day(now)}
    return int(session.execute(_USED, key).scalar() or 0)


def count_one(
    session: Session, tenant_id: str, principal_id: str, now: datetime, count: int = 1
) -> None:
    """Add one allowed reveal (or `count` exported records) to today's counter.

    One statement (an upsert), inside the reveal's transaction: the first reveal of the day
    creates the row, the others add to it.
    """
    values = {
        "tenant_id": tenant_id,
        "principal_id": principal_id,
        "day": china_day(now),
        "count": count,
    }
    dialect = session.get_bind().dialect.name
    session.execute(_BUMP["postgresql" if dialect == "postgresql" else "sqlite"], values)

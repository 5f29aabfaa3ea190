"""Lasting relay conditions (the pool is exhausted): one alert per episode, not per parcel.

An exhausted pool refuses every parcel going out until numbers come back; the first refusal
opens the condition and records the `relay.pool_exhausted` event the monitor alerts on, the
next ones are counted on the condition (and audited as ordinary refused bindings). The first
binding that succeeds again closes it, so the next exhaustion is a new episode and alerts again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from parcelguard.db import insert_ignoring_conflict
from parcelguard.relay.models import Condition, RelayNumber

POOL_EXHAUSTED = "pool_exhausted"


def open_condition(session: Session, tenant_id: str, condition: str, now: datetime) -> bool:
    """Open `condition`; return True when it was not open yet (the caller alerts once)."""
    insert_ignoring_conflict(
        session,
        Condition.__table__,
        {"tenant_id": tenant_id, "condition": condition, "since": now, "count": 0},
    )
    row = session.scalars(
        select(Condition)
        .where(Condition.tenant_id == tenant_id, Condition.condition == condition)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    first = row.count == 0
    session.execute(
        update(Condition)
        .where(Condition.tenant_id == tenant_id, Condition.condition == condition)
        .values(count=Condition.count + 1)
    )
    return first


def close_condition(session: Session, tenant_id: str, condition: str) -> None:
    """Close `condition` (a binding succeeded again)."""
    session.execute(
        delete(Condition).where(Condition.tenant_id == tenant_id, Condition.condition == condition)
    )


def is_open(session: Session, tenant_id: str, condition: str) -> bool:
    """Say whether `condition` is open."""
    return session.get(Condition, (tenant_id, condition)) is not None


def has_pool(session: Session, tenant_id: str) -> bool:
    """Say whether the tenant has any pool number at all (whatever its state)."""
    query = select(RelayNumber.number_id).where(RelayNumber.tenant_id == tenant_id).limit(1)
    return session.execute(query).first() is not None

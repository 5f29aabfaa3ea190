"""The number pool: import, status, reservation, and allocation of an X for a binding.

Allocation is safe under concurrency: a candidate number is locked with
`SELECT … FOR UPDATE SKIP LOCKED` (busy numbers are skipped, never waited for), its seats are
re-read under the lock, and the seats' primary key (number, party) is the last word: two
bindings can never seat one party on one number. Exhaustion raises `PoolExhausted`, never
reuses a number.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, tuple_
from sqlalchemy.orm import Session

from parcelguard.errors import Conflict
from parcelguard.relay.config import RelayConfig
from parcelguard.relay.models import RelayNumber, Seat

PAGE = 64
LOCK_RETRIES = 5


class PoolExhausted(Conflict):
    """No number of the pool can carry this binding without reusing a party's seat."""

    code = "pool_exhausted"


def city_code(adcode: str | None) -> str | None:
    """Return the city-level adcode (330106 → 330100) a pool number can be tied to."""
    if not adcode:
        return None
    digits = adcode.strip()
    if not digits.isdigit() or len(digits) not in (4, 6):
        return None
    return digits[:4] + "00"


def live_seat() -> ColumnElement[bool]:
    """Return "the seat is live" for queries scoped to one number.

    Written through `coalesce` on purpose: a bare `until IS NULL` lets SQLite pick the
    `(tenant, until)` index and scan every live seat of the tenant for each number (seconds
    per sweep at 100k bindings); this way it walks the number's seats by primary key.
    """
    return func.coalesce(Seat.until, None).is_(None)


def allocatable(now: datetime, *, exclusive: bool) -> ColumnElement[bool]:
    """Return the condition on numbers that may take a new binding."""
    cooled = and_(RelayNumber.state == "cooling", RelayNumber.cooling_until <= now)
    if exclusive:
        return or_(RelayNumber.state == "free", cooled)
    shared = and_(RelayNumber.state.in_(("free", "bound")), RelayNumber.mode == "axb")
    return or_(shared, cooled)


def allocate(
    session: Session,
    tenant_id: str,
    refs: Sequence[bytes],
    now: datetime,
    *,
    city: str | None = None,
    exclusive: bool = False,
    exclude: frozenset[str] = frozenset(),
) -> RelayNumber:
    """Lock and return a number on which none of `refs` holds a seat; else `PoolExhausted`."""
    busy = set(exclude) | set(
        session.scalars(
            select(Seat.number_id).where(
                Seat.tenant_id == tenant_id,
                Seat.party_ref.in_(refs),
                or_(Seat.until.is_(None), Seat.until > now),
            )
        )
    )
    for attempt in range(LOCK_RETRIES):
        skipped = 0
        for number_id in _candidates(session, tenant_id, now, city, exclusive):
            if number_id in busy:
                continue
            number = _lock(session, tenant_id, number_id, now, exclusive)
            if number is None:
                skipped += 1
                continue
            if usable(session, number, refs, now, exclusive):
                return number
            busy.add(number_id)
        if not skipped:
            break
        time.sleep(0.005 * (attempt + 1))  # others hold the rest; they commit in milliseconds
    raise PoolExhausted(
        "no virtual number is free for this binding",
        details={"city": city, "kind": _kind(exclusive)},
    )


def allocate_group(session: Session, tenant_id: str, group: str, now: datetime) -> RelayNumber:
    """Lock and return an AXG number of `group` that carries no live or cooling seat."""
    ids = list(
        session.scalars(
            select(RelayNumber.number_id).where(
                RelayNumber.tenant_id == tenant_id,
                RelayNumber.state == "axg",
                RelayNumber.label == group,
            )
        )
    )
    random.shuffle(ids)
    for number_id in ids:
        number = lock(session, tenant_id, number_id)
        if number is None:
            continue
        seats = session.execute(
            select(Seat.until).where(Seat.tenant_id == tenant_id, Seat.number_id == number_id)
        ).all()
        if any(until is None or until > now for (until,) in seats):
            continue
        if seats:
            session.execute(
                delete(Seat).where(Seat.tenant_id == tenant_id, Seat.number_id == number_id)
            )
        number.updated_at = now
        return number
    raise PoolExhausted("no number of the group is free", details={"group": group, "kind": "axg"})


def _kind(exclusive: bool) -> str:
    return "axn" if exclusive else "axb"


def _candidates(
    session: Session, tenant_id: str, now: datetime, city: str | None, exclusive: bool
) -> Iterator[str]:
    """Yield allocatable number ids from a random point of the pool, wrapping around once."""
    condition = allocatable(now, exclusive=exclusive)
    if city is not None:
        condition = and_(condition, or_(RelayNumber.city == city, RelayNumber.city.is_(None)))
    pivot = random.randrange(2**31)  # noqa: S311 - spreading load, not a secret
    for lower, upper in ((pivot, None), (None, pivot)):
        last: tuple[int, str] | None = None
        while True:
            query = select(RelayNumber.slot, RelayNumber.number_id).where(
                RelayNumber.tenant_id == tenant_id, condition
            )
            if lower is not None:
                query = query.where(RelayNumber.slot >= lower)
            if upper is not None:
                query = query.where(RelayNumber.slot < upper)
            if last is not None:
                query = query.where(tuple_(RelayNumber.slot, RelayNumber.number_id) > last)
            rows = session.execute(
                query.order_by(RelayNumber.slot, RelayNumber.number_id).limit(PAGE)
            ).all()
            if not rows:
                break
            for row in rows:
                yield row.number_id
            last = (rows[-1].slot, rows[-1].number_id)


def _lock(
    session: Session, tenant_id: str, number_id: str, now: datetime, exclusive: bool
) -> RelayNumber | None:
    return lock(session, tenant_id, number_id, allocatable(now, exclusive=exclusive))


def lock(
    session: Session, tenant_id: str, number_id: str, *conditions: ColumnElement[bool]
) -> RelayNumber | None:
    """Lock one number (fresh from the database) unless another writer holds it, or None."""
    query = (
        select(RelayNumber)
        .where(RelayNumber.tenant_id == tenant_id, RelayNumber.number_id == number_id, *conditions)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return session.scalars(query).first()


def usable(
    session: Session, number: RelayNumber, refs: Sequence[bytes], now: datetime, exclusive: bool
) -> bool:
    """Under the number's lock: settle its state, then say whether `refs` may sit on it."""
    if number.state == "cooling":
        _free(session, number, now)
    if number.state == "bound" and not _has_active_seat(session, number):
        quiet_until = session.scalar(
            select(func.max(Seat.until)).where(
                Seat.tenant_id == number.tenant_id, Seat.number_id == number.number_id
            )
        )
        if quiet_until is not None and quiet_until > now:
            number.state, number.cooling_until, number.updated_at = "cooling", quiet_until, now
            return False  # its last binding ended: the whole number keeps quiet first
        _free(session, number, now)
    query = select(Seat.party_ref, Seat.until).where(
        Seat.tenant_id == number.tenant_id, Seat.number_id == number.number_id
    )
    if not exclusive:  # an AXN number must carry nobody else at all
        query = query.where(Seat.party_ref.in_(refs))
    seats = session.execute(query).all()
    if any(until is None or until > now for _ref, until in seats):
        return False
    if seats:  # cooled seats of these parties, not yet swept
        session.execute(
            delete(Seat).where(
                Seat.tenant_id == number.tenant_id,
                Seat.number_id == number.number_id,
                Seat.until <= now,
            )
        )
    return True


def _has_active_seat(session: Session, number: RelayNumber) -> bool:
    query = select(Seat.party_ref).where(
        Seat.tenant_id == number.tenant_id,
        Seat.number_id == number.number_id,
        live_seat(),
    )
    return session.execute(query.limit(1)).first() is not None


def _free(session: Session, number: RelayNumber, now: datetime) -> None:
    """Forget a quiet number's old seats and make it free again (caller holds its lock)."""
    session.execute(
        delete(Seat).where(Seat.tenant_id == number.tenant_id, Seat.number_id == number.number_id)
    )
    number.state, number.mode, number.cooling_until, number.updated_at = "free", "axb", None, now


def occupy(number: RelayNumber, now: datetime, *, exclusive: bool) -> None:
    """Mark a locked number as carrying a binding."""
    number.state, number.updated_at = "bound", now
    number.mode = "axn" if exclusive else "axb"


def quiet_until(config: RelayConfig, ended_at: datetime) -> datetime:
    """Return when a seat released at `ended_at` stops cooling."""
    return ended_at + timedelta(hours=config.cooling_hours)


def settle_numbers(session: Session, tenant_id: str, now: datetime, limit: int) -> dict[str, int]:
    """Move bound numbers without active seats to cooling, and cooled numbers back to free."""
    idle = select(RelayNumber.number_id).where(
        RelayNumber.tenant_id == tenant_id,
        RelayNumber.state == "bound",
        ~select(Seat.party_ref)
        .where(
            Seat.tenant_id == RelayNumber.tenant_id,
            Seat.number_id == RelayNumber.number_id,
            live_seat(),
        )
        .exists(),
    )
    cooled = select(RelayNumber.number_id).where(
        RelayNumber.tenant_id == tenant_id,
        RelayNumber.state == "cooling",
        RelayNumber.cooling_until <= now,
    )
    counts = {"cooling": 0, "freed": 0}
    for number_id in list(session.scalars(idle.limit(limit))) + list(
        session.scalars(cooled.limit(limit))
    ):
        number = lock(session, tenant_id, number_id)
        if number is None or number.state == "reserved":
            continue  # an allocation holds it; the next sweep sees it again
        before = number.state
        usable(session, number, (), now, exclusive=False)
        if number.state != before:
            counts["cooling" if number.state == "cooling" else "freed"] += 1
    return counts


def clear_cooled_seats(session: Session, tenant_id: str, now: datetime) -> int:
    """Delete seats whose quiet period is over (their parties may meet on the number again)."""
    result = session.execute(
        delete(Seat).where(Seat.tenant_id == tenant_id, Seat.until.is_not(None), Seat.until <= now)
    )
    return int(getattr(result, "rowcount", 0) or 0)

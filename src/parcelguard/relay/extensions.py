"""AXE: one virtual number X shared by many bindings, each behind an extension (X 转 1234).

Virtual numbers are scarce; an AXE number carries up to 10^digits live bindings at once. An
extension is given to one binding at a time and, once the binding ends, stays quiet for the
cooling period before another binding may have it, so a caller with an old label never
reaches a new recipient. The primary key (tenant, X, extension) is the guarantee: a live or
cooling row is never taken over, and two concurrent allocations of one free extension
collide on the key (one wins, the other draws again). Extensions are drawn with `secrets`:
a caller cannot predict the next one from the last.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from parcelguard.relay.models import Extension, RelayNumber
from parcelguard.relay.pool import PoolExhausted

RANDOM_DRAWS = 12  # random draws per number before listing its free extensions
LISTED_DRAWS = 8  # draws from the listed free extensions before trying the next number


def numbers(
    session: Session, tenant_id: str, mode: str, city: str | None = None
) -> list[tuple[str, str]]:
    """Return `(number_id, number)` of the tenant's AXE (or AXG) numbers, city ones first."""
    query = select(RelayNumber.number_id, RelayNumber.number, RelayNumber.city).where(
        RelayNumber.tenant_id == tenant_id, RelayNumber.state == mode
    )
    if city is not None:
        query = query.where(or_(RelayNumber.city == city, RelayNumber.city.is_(None)))
    rows = list(session.execute(query))
    random.shuffle(rows)  # spread load over the Xs
    rows.sort(key=lambda r: r.city is None)  # numbers of the parcel's own city first
    return [(r.number_id, r.number) for r in rows]


def draw(digits: int) -> str:
    """Return a random extension of `digits` digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def claim(
    session: Session, tenant_id: str, number_id: str, extension: str, binding_id: str, now: datetime
) -> bool:
    """Give `extension` of X to `binding_id` if nobody holds it and it is not cooling."""
    try:
        with session.begin_nested():
            session.add(
                Extension(
                    tenant_id=tenant_id,
                    number_id=number_id,
                    extension=extension,
                    binding_id=binding_id,
                    until=None,
                )
            )
            session.flush()
        return True
    except sa_exc.IntegrityError:
        pass
    taken = session.execute(  # a row whose quiet period is over is taken over in place
        update(Extension)
        .where(
            Extension.tenant_id == tenant_id,
            Extension.number_id == number_id,
            Extension.extension == extension,
            Extension.until.is_not(None),
            Extension.until <= now,
        )
        .values(binding_id=binding_id, until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(taken, "rowcount", 0) or 0) == 1


def held(session: Session, tenant_id: str, number_id: str, now: datetime) -> set[str]:
    """Return the extensions of X that are live or still cooling."""
    query = select(Extension.extension).where(
        Extension.tenant_id == tenant_id,
        Extension.number_id == number_id,
        or_(Extension.until.is_(None), Extension.until > now),
    )
    return set(session.scalars(query))


def allocate(
    session: Session,
    tenant_id: str,
    binding_id: str,
    now: datetime,
    *,
    digits: int,
    city: str | None = None,
    mode: str = "axe",
) -> tuple[str, str]:
    """Give the binding a free extension on one of the AXE numbers; else `PoolExhausted`."""
    for number_id, _number in numbers(session, tenant_id, mode, city):
        for _ in range(RANDOM_DRAWS):
            extension = draw(digits)
            if claim(session, tenant_id, number_id, extension, binding_id, now):
                return number_id, extension
        # A dense number: list what is free and draw from that instead.
        busy = held(session, tenant_id, number_id, now)
        free = [e for e in (f"{i:0{digits}d}" for i in range(10**digits)) if e not in busy]
        for extension in _sample(free, LISTED_DRAWS):
            if claim(session, tenant_id, number_id, extension, binding_id, now):
                return number_id, extension
    raise PoolExhausted(
        "no extension is free on the AXE numbers", details={"city": city, "kind": mode}
    )


def _sample(values: Sequence[str], count: int) -> list[str]:
    rng = secrets.SystemRandom()
    return rng.sample(list(values), min(count, len(values)))


def cool(
    session: Session, tenant_id: str, number_id: str, binding_id: str, until: datetime
) -> None:
    """Let the binding's extension cool until `until` (its binding ended)."""
    session.execute(
        update(Extension)
        .where(
            Extension.tenant_id == tenant_id,
            Extension.number_id == number_id,
            Extension.binding_id == binding_id,
            Extension.until.is_(None),
        )
        .values(until=until)
        .execution_options(synchronize_session=False)
    )


def find(session: Session, tenant_id: str, number_id: str, extension: str) -> Extension | None:
    """Return the row of X's extension (live or cooling), or None."""
    return session.get(Extension, (tenant_id, number_id, extension))


def clear_cooled(session: Session, tenant_id: str, now: datetime) -> int:
    """Delete extensions whose quiet period is over."""
    result = session.execute(
        delete(Extension).where(
            and_(
                Extension.tenant_id == tenant_id,
                Extension.until.is_not(None),
                Extension.until <= now,
            )
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)

"""Pool administration: import numbers from a file or the API, count them, set canaries aside."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import bulk_insert, new_id
from parcelguard.errors import Conflict, InvalidInput, NotFound
from parcelguard.relay import pool
from parcelguard.relay.config import config_for
from parcelguard.relay.models import NUMBER_STATES, Binding, RelayNumber
from parcelguard.relay.numbers import canonical
from parcelguard.relay.results import NumberRow, PoolImport, PoolProblem
from parcelguard.runtime import Runtime

NUMBER_HEADERS = ("number", "virtual_number", "phone", "号码", "虚拟号", "隐私号", "虚拟号码")
CITY_HEADERS = ("city", "adcode", "city_adcode", "城市", "城市编码", "城市代码")
BATCH = 2000
IMPORT_MODES = ("axb", "axe", "axg")


@dataclass(frozen=True)
class PoolRow:
    """One number offered to the pool, as the file or request had it."""

    row: int
    number: str
    city: str | None = None


@dataclass(frozen=True)
class CanaryNumber:
    """A number set aside for a canary record: calls to it are audited as canary hits."""

    number_id: str
    number: str
    label: str


def read_pool_file(path: Path) -> Iterator[PoolRow]:
    """Read a CSV (UTF-8, UTF-8 with BOM or GB18030) with a `number` and optional `city` column."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise InvalidInput(
                "the file is neither UTF-8 nor GB18030", code="bad_encoding"
            ) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    number_col = _column(header, NUMBER_HEADERS)
    if number_col is None:
        raise InvalidInput("the file needs a `number` column", code="missing_field")
    city_col = _column(header, CITY_HEADERS)
    for i, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        number = cells[number_col].strip() if number_col < len(cells) else ""
        city = cells[city_col].strip() if city_col is not None and city_col < len(cells) else ""
        yield PoolRow(i, number, city or None)


def _column(header: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in header:
            return header.index(alias)
    return None


def import_numbers(
    rt: Runtime,
    session: Session,
    actor: Actor,
    rows: Iterable[PoolRow],
    *,
    mode: str = "axb",
    group: str | None = None,
) -> PoolImport:
    """Add numbers to the tenant's pool; known numbers are skipped, bad rows reported by row.

    `mode` "axb" numbers serve AXB and AXN bindings; "axe" numbers carry extensions; "axg"
    numbers belong to one `group` (a station) for good.
    """
    if mode not in IMPORT_MODES:
        raise InvalidInput("mode must be axb, axe or axg", code="invalid_mode")
    if (mode == "axg") != bool(group):
        raise InvalidInput("an AXG number needs --group (a station), only it", code="invalid_group")
    now = rt.clock.now()
    errors: list[PoolProblem] = []
    imported = duplicates = 0
    seen: set[str] = set()
    batch: list[NumberRow] = []
    for row in rows:
        number = canonical(row.number)
        city = pool.city_code(row.city) if row.city else None
        if number is None:
            errors.append(_error(row.row, "number", "invalid_phone", "not a phone number"))
        elif row.city and city is None:
            errors.append(_error(row.row, "city", "invalid_city", "not a 4- or 6-digit adcode"))
        elif number in seen:
            duplicates += 1
        else:
            seen.add(number)
            batch.append(_new_row(rt.tenant, number, city, now, mode, group))
        if len(batch) >= BATCH:
            imported, duplicates = _flush(session, rt.tenant, batch, imported, duplicates)
    imported, duplicates = _flush(session, rt.tenant, batch, imported, duplicates)
    result: PoolImport = {
        "imported": imported,
        "duplicates": duplicates,
        "rejected": len(errors),
        "errors": errors,
    }
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.pool_import",
            "relay_pool",
            None,
            details={**{k: v for k, v in result.items() if k != "errors"}, "mode": mode},
        ),
    )
    return result


def _error(row: int, field: str, code: str, message: str) -> PoolProblem:
    return {"row": row, "field": field, "code": code, "message": message}


def _new_row(
    tenant_id: str, number: str, city: str | None, now: Any, mode: str, group: str | None
) -> NumberRow:
    return {
        "tenant_id": tenant_id,
        "number_id": new_id(),
        "number": number,
        "city": city,
        "state": "free" if mode == "axb" else mode,
        "mode": mode,
        "slot": random.randrange(2**31),  # noqa: S311 - spreading load, not a secret
        "cooling_until": None,
        "label": group[:64] if group else None,
        "created_at": now,
        "updated_at": now,
    }


def _flush(
    session: Session, tenant_id: str, batch: list[NumberRow], imported: int, duplicates: int
) -> tuple[int, int]:
    if not batch:
        return imported, duplicates
    known = set(
        session.scalars(
            select(RelayNumber.number).where(
                RelayNumber.tenant_id == tenant_id,
                RelayNumber.number.in_([r["number"] for r in batch]),
            )
        )
    )
    fresh = [r for r in batch if r["number"] not in known]
    bulk_insert(session, RelayNumber.__table__, fresh)
    batch.clear()
    return imported + len(fresh), duplicates + len(known)


def status(rt: Runtime, session: Session) -> dict[str, Any]:
    """Count the pool's numbers by state (overall and per city) and the active bindings."""
    now = rt.clock.now()
    rows = session.execute(
        select(RelayNumber.city, RelayNumber.state, RelayNumber.mode, func.count())
        .where(RelayNumber.tenant_id == rt.tenant)
        .group_by(RelayNumber.city, RelayNumber.state, RelayNumber.mode)
    ).all()
    totals = dict.fromkeys(NUMBER_STATES, 0)
    cities: dict[str, dict[str, int]] = {}
    axn = 0
    for city, state, mode, count in rows:
        totals[state] = totals.get(state, 0) + int(count)
        per_city = cities.setdefault(city or "any", dict.fromkeys(NUMBER_STATES, 0))
        per_city[state] = per_city.get(state, 0) + int(count)
        axn += int(count) if mode == "axn" and state == "bound" else 0
    cooled = session.scalar(
        select(func.count()).where(
            RelayNumber.tenant_id == rt.tenant,
            RelayNumber.state == "cooling",
            RelayNumber.cooling_until <= now,
        )
    )
    active = session.scalar(
        select(func.count()).where(Binding.tenant_id == rt.tenant, Binding.status == "active")
    )
    return {
        "total": sum(totals.values()),
        **totals,
        "axn": axn,
        "cooling_done": int(cooled or 0),
        "active_bindings": int(active or 0),
        "cities": cities,
    }


def reserve(
    rt: Runtime,
    session: Session,
    actor: Actor,
    *,
    count: int = 1,
    numbers: Iterable[str] = (),
    label: str = "canary",
    city: str | None = None,
) -> list[CanaryNumber]:
    """Set free numbers aside (canaries): they never carry a binding, calls to them are hits."""
    now = rt.clock.now()
    label = "".join(c for c in label if c.isprintable()).strip()[:64] or "canary"
    if city is not None and pool.city_code(city) is None:
        raise InvalidInput("city must be a 4- or 6-digit adcode", code="invalid_city")
    city = pool.city_code(city)
    wanted = list(numbers)
    reserved = []
    for i in range(len(wanted) if wanted else max(0, count)):
        number = (
            _take_named(session, rt.tenant, wanted[i], now)
            if wanted
            else _take_any(session, rt.tenant, now, city)
        )
        # Marked at once, so the next pick of this loop cannot take it again.
        number.state, number.label, number.updated_at = "reserved", label, now
        session.flush()
        reserved.append(CanaryNumber(number.number_id, number.number, label))
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "relay.pool_reserve",
                "relay_number",
                number.number_id,
                details={"number_id": number.number_id, "label": label},
            ),
        )
    session.flush()
    return reserved


def _take_any(session: Session, tenant_id: str, now: Any, city: str | None) -> RelayNumber:
    try:
        return pool.allocate(session, tenant_id, (), now, city=city, exclusive=True)
    except pool.PoolExhausted:
        raise pool.PoolExhausted(
            "no free number is left to reserve", details={"city": city}
        ) from None


def _take_named(session: Session, tenant_id: str, raw: str, now: Any) -> RelayNumber:
    number = canonical(raw)
    found = (
        session.scalars(
            select(RelayNumber).where(
                RelayNumber.tenant_id == tenant_id, RelayNumber.number == number
            )
        ).first()
        if number
        else None
    )
    if found is None:
        raise NotFound("no such number in the pool", code="number_not_found")
    locked = pool.lock(session, tenant_id, found.number_id, pool.allocatable(now, exclusive=True))
    if locked is None or not pool.usable(session, locked, (), now, exclusive=True):
        raise Conflict(
            "only a free number can be reserved",
            code="number_not_free",
            details={"number_id": found.number_id},
        )
    return locked


def unreserve(rt: Runtime, session: Session, actor: Actor, number_id: str) -> RelayNumber:
    """Return a reserved number to the pool, through a full quiet period first."""
    number = session.get(RelayNumber, (rt.tenant, number_id), with_for_update=True)
    if number is None:
        raise NotFound("no such number in the pool", code="number_not_found")
    if number.state != "reserved":
        raise Conflict("the number is not reserved", code="number_not_reserved")
    now = rt.clock.now()
    number.state, number.label, number.updated_at = "cooling", None, now
    number.cooling_until = pool.quiet_until(config_for(rt), now)
    auditor_for(rt).record(
        session,
        actor,
        Entry("relay.pool_unreserve", "relay_number", number_id, details={"number_id": number_id}),
    )
    return number


_BY_NUMBER = select(RelayNumber).where(
    RelayNumber.tenant_id == bindparam("tenant_id"), RelayNumber.number == bindparam("number")
)  # every webhook's first read: built once, its compiled form cached


def find_number(session: Session, tenant_id: str, number: str) -> RelayNumber | None:
    """Return the pool entry of a canonical number."""
    return session.scalars(_BY_NUMBER, {"tenant_id": tenant_id, "number": number}).first()

"""Pickup codes (取件码): allocated when a parcel arrives at a station, closed when it leaves.

A code reads `shelf-layer-number` (`3-2-0417`): the station's running number (0001–9999,
then round again), and the shelf and layer that number falls on when the station's shelves
are filled in turn. A code is unique among the parcels waiting at its station.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from parcelguard.db import insert_ignoring_conflict
from parcelguard.errors import Conflict, NotFound
from parcelguard.labels.config import LabelsConfig, config_for
from parcelguard.labels.content import ShelfLabelContent
from parcelguard.labels.models import PickupCode, PickupCounter
from parcelguard.runtime import Runtime
from parcelguard.vault.service import Party, Shipment

MAX_NUMBER = 9999
# Leaving the station another way than by code withdraws the code.
_WITHDRAW_ON = ("assigned", "out_for_delivery", "returned", "transferred")


def on_lifecycle(rt: Runtime, session: Session, shipment: Shipment, event_type: str) -> None:
    """Allocate a code on `at_station`; close the waiting code when the parcel moves on."""
    if event_type == "at_station":
        close(rt, session, shipment, "withdrawn", "system")
        if shipment.kind == "normal" and shipment.station_id:
            allocate(rt, session, shipment)
    elif event_type == "delivered":
        close(rt, session, shipment, "picked_up", "system")
    elif event_type in _WITHDRAW_ON:
        close(rt, session, shipment, "withdrawn", "system")


def proves_delivery(rt: Runtime, session: Session, shipment: Shipment, code: str) -> bool:
    """Return whether `code` is the pickup code the parcel waits under at its station."""
    if not shipment.station_id:
        return False
    waiting = waiting_by_code(session, rt.tenant, shipment.station_id, code)
    return waiting is not None and waiting.shipment_id == shipment.shipment_id


def allocate(rt: Runtime, session: Session, shipment: Shipment) -> PickupCode:
    """Give a parcel that just arrived at its station the next free pickup code."""
    station = shipment.station_id or ""
    config = config_for(rt)
    number = _next_number(session, rt.tenant, station)
    shelf, layer = slot(number, config)
    seq = session.scalar(
        select(func.max(PickupCode.seq)).where(
            PickupCode.tenant_id == rt.tenant, PickupCode.shipment_id == shipment.shipment_id
        )
    )
    code = PickupCode(
        tenant_id=rt.tenant,
        shipment_id=shipment.shipment_id,
        seq=(seq or 0) + 1,
        station_id=station,
        number=number,
        shelf=shelf,
        layer=layer,
        code=f"{shelf}-{layer}-{number:04d}",
        waybill_no=shipment.waybill_no,
        status="waiting",
        arrived_at=rt.clock.now(),
    )
    session.add(code)
    session.flush()
    return code


def slot(number: int, config: LabelsConfig) -> tuple[int, int]:
    """Return the (shelf, layer) a running number falls on: shelves fill in turn, layer by layer."""
    index = (number - 1) % (config.shelves * config.layers)
    return index // config.layers + 1, index % config.layers + 1


def _next_number(session: Session, tenant_id: str, station: str) -> int:
    """Take the station's next running number not held by a waiting parcel (counter row locked)."""
    insert_ignoring_conflict(
        session,
        PickupCounter.__table__,
        {"tenant_id": tenant_id, "station_id": station, "last_number": 0},
    )
    counter = session.execute(
        select(PickupCounter)
        .where(PickupCounter.tenant_id == tenant_id, PickupCounter.station_id == station)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    taken = set(
        session.scalars(
            select(PickupCode.number).where(
                PickupCode.tenant_id == tenant_id,
                PickupCode.station_id == station,
                PickupCode.status == "waiting",
            )
        )
    )
    number = counter.last_number
    for _ in range(MAX_NUMBER):
        number = number % MAX_NUMBER + 1
        if number not in taken:
            counter.last_number = number
            return number
    raise Conflict("every pickup number of this station is in use", code="station_full")


def close(rt: Runtime, session: Session, shipment: Shipment, status: str, by: str) -> int:
    """Close the shipment's waiting code (`picked_up` or `withdrawn`); return how many closed."""
    result = session.execute(
        update(PickupCode)
        .where(
            PickupCode.tenant_id == rt.tenant,
            PickupCode.shipment_id == shipment.shipment_id,
            PickupCode.status == "waiting",
        )
        .values(status=status, closed_at=rt.clock.now(), closed_by=by[:64])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def waiting_by_code(session: Session, tenant_id: str, station: str, code: str) -> PickupCode | None:
    """Return the parcel waiting at `station` under `code`, if any."""
    query = select(PickupCode).where(
        PickupCode.tenant_id == tenant_id,
        PickupCode.station_id == station,
        PickupCode.code == code.strip(),
        PickupCode.status == "waiting",
    )
    return session.scalars(query).first()


def waiting_at(
    session: Session, tenant_id: str, station: str, limit: int = 500
) -> list[PickupCode]:
    """Return the parcels waiting at `station`, by shelf, layer and number (the counter's list)."""
    query = (
        select(PickupCode)
        .where(
            PickupCode.tenant_id == tenant_id,
            PickupCode.station_id == station,
            PickupCode.status == "waiting",
        )
        .order_by(PickupCode.shelf, PickupCode.layer, PickupCode.number)
        .limit(limit)
    )
    return list(session.scalars(query))


def waiting_for(
    session: Session, tenant_id: str, shipment_ids: Sequence[str]
) -> dict[str, PickupCode]:
    """Return the waiting code of each of these shipments that has one."""
    query = select(PickupCode).where(
        PickupCode.tenant_id == tenant_id,
        PickupCode.shipment_id.in_(list(shipment_ids)),
        PickupCode.status == "waiting",
    )
    return {code.shipment_id: code for code in session.scalars(query)}


def shelf_content(rt: Runtime, code: PickupCode, recipient: Party | None) -> ShelfLabelContent:
    """Return the shelf label of a waiting parcel: code, masked name, shelf, waybill tail."""
    tail = "".join(ch for ch in code.waybill_no if ch.isalnum())[-4:]
    name = config_for(rt).station_names.get(code.station_id, code.station_id)
    return ShelfLabelContent(
        pickup_code=code.code,
        recipient_name=recipient.name_masked if recipient else "*",
        shelf=f"{code.shelf}号架{code.layer}层",
        waybill_tail=tail,
        station_name=name,
        arrived_at=code.arrived_at,
    )


def require_waiting(codes: dict[str, PickupCode], shipment: Shipment) -> PickupCode:
    """Return the shipment's waiting code or refuse, naming the waybill."""
    code = codes.get(shipment.shipment_id)
    if code is None:
        raise NotFound(
            "the shipment is not waiting at a station",
            code="no_pickup_code",
        )
    return code

"""Shipment lifecycle: assigned → out for delivery → at station → delivered / returned.

Delivery moves the parties' data keys to the retention epoch of the delivery date, and
lifecycle hooks (the relay binds and releases numbers) run inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import Conflict, InvalidInput
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Shipment, ShipmentEvent
from parcelguard.vault.service import get_or_raise, parties_of, sealer_for, view

EVENT_TYPES = ("assigned", "out_for_delivery", "at_station", "delivered", "returned")
ALLOWED_FROM = {
    "assigned": {"created", "assigned", "at_station"},
    "out_for_delivery": {"assigned", "at_station"},
    "at_station": {"created", "assigned", "out_for_delivery"},
    "delivered": {"out_for_delivery", "at_station"},
    "returned": {"created", "assigned", "out_for_delivery", "at_station"},
}
LifecycleHook = Callable[[Runtime, Session, Shipment, str], None]
HOOKS_KEY = "vault.lifecycle_hooks"


def add_hook(rt: Runtime, hook: LifecycleHook) -> None:
    """Run `hook(rt, session, shipment, type)` after each lifecycle step, in its transaction."""
    hooks: list[LifecycleHook] = rt.extras.setdefault(HOOKS_KEY, [])
    if hook not in hooks:
        hooks.append(hook)


def record_event(
    rt: Runtime,
    session: Session,
    waybill_no: str,
    event_type: str,
    actor: Actor,
    *,
    courier_id: str | None = None,
    station_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Apply one lifecycle step and return the shipment's masked view."""
    if event_type not in EVENT_TYPES:
        raise InvalidInput(
            f"event type must be one of {', '.join(EVENT_TYPES)}", code="invalid_event_type"
        )
    shipment = get_or_raise(session, rt.tenant, waybill_no)
    if shipment.status not in ALLOWED_FROM[event_type]:
        raise Conflict(
            f"a shipment that is {shipment.status} cannot become {event_type}",
            code="invalid_transition",
        )
    when = at or rt.clock.now()
    _apply(rt, session, shipment, event_type, when, courier_id, station_id)
    seq = (
        session.scalar(
            select(func.max(ShipmentEvent.seq)).where(
                ShipmentEvent.tenant_id == rt.tenant,
                ShipmentEvent.shipment_id == shipment.shipment_id,
            )
        )
        or 0
    )
    session.add(
        ShipmentEvent(
            tenant_id=rt.tenant,
            shipment_id=shipment.shipment_id,
            seq=seq + 1,
            type=event_type,
            at=when,
            courier_id=shipment.courier_id,
            station_id=shipment.station_id,
            actor_id=actor.id,
        )
    )
    details = {
        "waybill": shipment.waybill_no,
        "courier_id": shipment.courier_id,
        "station_id": shipment.station_id,
    }
    auditor_for(rt).record(
        session,
        actor,
        Entry(f"shipment.{event_type}", "shipment", shipment.shipment_id, details=details),
    )
    for hook in rt.extras.get(HOOKS_KEY, []):
        hook(rt, session, shipment, event_type)
    session.flush()
    return view(session, shipment)


def _apply(
    rt: Runtime,
    session: Session,
    shipment: Shipment,
    event_type: str,
    when: datetime,
    courier_id: str | None,
    station_id: str | None,
) -> None:
    if event_type == "assigned":
        if not courier_id:
            raise InvalidInput("an assignment needs --courier / courier_id", code="missing_courier")
        shipment.courier_id = courier_id
    elif courier_id:
        shipment.courier_id = courier_id
    if station_id:
        shipment.station_id = station_id
    if event_type == "out_for_delivery":
        if not shipment.courier_id:
            raise Conflict("assign a courier before the shipment goes out", code="no_courier")
        shipment.out_for_delivery_at = when
    if event_type == "at_station" and not shipment.station_id:
        raise InvalidInput(
            "arrival at a station needs --station / station_id", code="missing_station"
        )
    if event_type in ("delivered", "returned"):
        shipment.delivered_at = when
        _move_to_delivery_epoch(rt, session, shipment, when)
    shipment.status = event_type
    shipment.updated_at = rt.clock.now()


def _move_to_delivery_epoch(
    rt: Runtime, session: Session, shipment: Shipment, when: datetime
) -> None:
    """Rewrap the parties' keys under the epoch of delivery + retention."""
    epoch = max((when + timedelta(days=rt.settings.retention_days)).date(), rt.clock.now().date())
    sealer = sealer_for(rt)
    for party in parties_of(session, shipment).values():
        sealer.rewrap(party, epoch)
    shipment.purge_epoch = epoch

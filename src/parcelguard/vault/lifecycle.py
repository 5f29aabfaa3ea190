"""Shipment lifecycle: assigned → out for delivery → at station → delivered / returned.

Parcels move between stations by explicit transfers only. `record()` is the entry for
people and services (API, CLI, console): it owns its transaction and, when a step reaches
outside the caller's remit, records the refusal after the rollback so the monitor sees it.
`record_event()` applies a step inside a caller's transaction (the hand-over at the counter,
the demo); both check everything in `transitions`. Times are the server's: delivery moves
the parties' keys to the retention epoch of the server's delivery date, and a client's `at`
is kept as `reported_at` only. Lifecycle hooks (the relay binds and releases numbers, labels
allocate pickup codes) run inside the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from parcelguard.access.guards import require
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import Conflict, InvalidInput
from parcelguard.hooks import Hook
from parcelguard.runtime import Runtime
from parcelguard.vault import transitions
from parcelguard.vault.models import Shipment, ShipmentEvent
from parcelguard.vault.results import MaskedShipment, Transfer
from parcelguard.vault.service import get_or_raise, parties_of, sealer_for, view
from parcelguard.vault.transitions import EVENT_TYPES as EVENT_TYPES
from parcelguard.vault.transitions import Step

LIFECYCLE_ROLES = ("admin", "station_clerk", "courier", "operator")


@dataclass(frozen=True)
class Stepped:
    """A shipment took a lifecycle step; subscribers run inside the step's transaction."""

    rt: Runtime
    session: Session
    shipment: Shipment
    type: str


STEPPED: Hook[Stepped, None] = Hook("vault.stepped", "after each lifecycle step")


class StepFields(TypedDict, total=False):
    """What a step may carry besides its type: the keywords of `record` and `record_event`."""

    courier_id: str | None
    station_id: str | None
    at: datetime | None  # the client's time, kept as `reported_at` only
    pickup_code: str | None
    reason: str | None


def record(
    rt: Runtime,
    caller: Caller,
    waybill_no: str,
    event_type: str,
    **fields: Unpack[StepFields],
) -> MaskedShipment:
    """Apply one step for a person or a service key, in its own transaction.

    A step outside the caller's remit is refused, and the refusal is audited
    (`lifecycle.refused`) after the rollback; a service key needs the `events` scope.
    """
    require(caller, roles=LIFECYCLE_ROLES, scope="events")
    step = _step(event_type, fields)
    try:
        with rt.db.session() as session:
            return apply(rt, session, caller.actor, waybill_no, step)
    except transitions.Overreach as refused:
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                caller.actor,
                Entry(
                    "lifecycle.refused",
                    "shipment",
                    None,
                    decision="deny",
                    reason=refused.code,
                    details=refused.details,
                ),
            )
        raise


def record_event(
    rt: Runtime,
    session: Session,
    actor: Actor,
    waybill_no: str,
    event_type: str,
    **fields: Unpack[StepFields],
) -> MaskedShipment:
    """Apply one lifecycle step in the caller's transaction; return the masked view."""
    return apply(rt, session, actor, waybill_no, _step(event_type, fields))


def _step(event_type: str, fields: StepFields) -> Step:
    """Build the step asked for; an unknown keyword fails as on a spelled-out signature."""
    asked: dict[str, Any] = dict(fields)
    return Step(event_type, reported_at=asked.pop("at", None), **asked)


def apply(
    rt: Runtime, session: Session, actor: Actor, waybill_no: str, step: Step
) -> MaskedShipment:
    """Check and apply a step (see `transitions`); return the shipment's masked view."""
    transitions.check_request(actor, step)
    reported = transitions.reported_time(rt, step.reported_at)
    if step.type == "at_station" and not step.station_id and actor.role == "station_clerk":
        step = Step(step.type, step.courier_id, actor.station_id, reported_at=step.reported_at)
    shipment = get_or_raise(session, rt.tenant, waybill_no)
    transitions.check_step(rt, session, actor, shipment, step)
    proof = None
    if step.type == "delivered":
        proof = transitions.delivery_proof(rt, session, shipment, step)
    from_station = shipment.station_id
    _apply(rt, session, shipment, step)
    taken = _Taken(shipment, step, actor, reported, from_station, proof)
    _log_step(rt, session, taken)
    _audit(rt, session, taken)
    rt.hooks.emit(STEPPED, Stepped(rt, session, shipment, step.type))
    session.flush()
    return view(session, shipment)


@dataclass(frozen=True)
class _Taken:
    """A step just applied, as its event row and its audit entry record it."""

    shipment: Shipment
    step: Step
    actor: Actor
    reported: datetime | None  # the client's `at`
    from_station: str | None  # where the parcel stood before the step
    proof: str | None  # how a delivery was proven


def _apply(rt: Runtime, session: Session, shipment: Shipment, step: Step) -> None:
    now = rt.clock.now()
    if step.type == "assigned":
        shipment.courier_id = step.courier_id
    if step.type == "transferred":
        shipment.courier_id = None  # the old station's courier no longer holds it
        shipment.station_id = step.station_id
    elif step.station_id and shipment.station_id is None:
        shipment.station_id = step.station_id  # first placement, not a change
    if step.type == "out_for_delivery":
        if not shipment.courier_id:
            raise Conflict("assign a courier before the shipment goes out", code="no_courier")
        shipment.out_for_delivery_at = now
    if step.type == "at_station" and not shipment.station_id:
        raise InvalidInput(
            "arrival at a station needs --station / station_id", code="missing_station"
        )
    if step.type in ("delivered", "returned"):
        shipment.delivered_at = now
        _move_to_delivery_epoch(rt, session, shipment, now)
    shipment.status = step.type
    shipment.updated_at = now


def _log_step(rt: Runtime, session: Session, taken: _Taken) -> None:
    shipment, step, proof = taken.shipment, taken.step, taken.proof
    seq = session.scalar(
        select(func.max(ShipmentEvent.seq)).where(
            ShipmentEvent.tenant_id == rt.tenant,
            ShipmentEvent.shipment_id == shipment.shipment_id,
        )
    )
    session.add(
        ShipmentEvent(
            tenant_id=rt.tenant,
            shipment_id=shipment.shipment_id,
            seq=(seq or 0) + 1,
            type=step.type,
            at=rt.clock.now(),
            courier_id=shipment.courier_id,
            station_id=shipment.station_id,
            actor_id=taken.actor.id,
            reported_at=taken.reported,
            from_station_id=taken.from_station if step.type == "transferred" else None,
            proof=proof,
            reason=step.reason if proof == "stated_reason" else None,
        )
    )


def _audit(rt: Runtime, session: Session, taken: _Taken) -> None:
    shipment, step, proof = taken.shipment, taken.step, taken.proof
    details: dict[str, Any] = {
        "waybill": shipment.waybill_no,
        "courier_id": shipment.courier_id,
        "station_id": shipment.station_id,
    }
    if step.type == "transferred":
        details["from_station"] = taken.from_station
    if taken.reported is not None:
        details["reported_at"] = taken.reported.isoformat()
    if proof is not None:
        details["proof"] = proof
    entries = [Entry(f"shipment.{step.type}", "shipment", shipment.shipment_id, details=details)]
    if proof == "stated_reason":
        entries.append(
            Entry(
                "shipment.delivered_unproven",
                "shipment",
                shipment.shipment_id,
                reason=step.reason,
                details={"waybill": shipment.waybill_no, "reason": step.reason},
            )
        )
    auditor_for(rt).record_many(session, taken.actor, entries)


def _move_to_delivery_epoch(
    rt: Runtime, session: Session, shipment: Shipment, when: datetime
) -> None:
    """Rewrap the parties' keys under the epoch of delivery + retention."""
    epoch = max((when + timedelta(days=rt.settings.retention_days)).date(), rt.clock.now().date())
    sealer = sealer_for(rt)
    for party in parties_of(session, shipment).values():
        sealer.rewrap(party, epoch)
    shipment.purge_epoch = epoch


def transfers_at(session: Session, tenant_id: str, station: str, limit: int = 50) -> list[Transfer]:
    """Return the latest transfers into and out of a station (both stations see each one)."""
    query = (
        select(ShipmentEvent, Shipment.waybill_no)
        .join(
            Shipment,
            (Shipment.tenant_id == ShipmentEvent.tenant_id)
            & (Shipment.shipment_id == ShipmentEvent.shipment_id),
        )
        .where(
            ShipmentEvent.tenant_id == tenant_id,
            ShipmentEvent.type == "transferred",
            or_(ShipmentEvent.station_id == station, ShipmentEvent.from_station_id == station),
        )
        .order_by(ShipmentEvent.at.desc())
        .limit(limit)
    )
    return [
        {
            "waybill_no": waybill,
            "from_station": event.from_station_id,
            "to_station": event.station_id,
            "at": event.at,
            "direction": "in" if event.station_id == station else "out",
        }
        for event, waybill in session.execute(query).all()
    ]

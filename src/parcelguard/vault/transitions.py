"""The rules of a lifecycle step, checked in the service for every caller (docs/access.md).

Who may record it, on which parcel, to which courier, from which state, with which proof of
delivery, at what reported time:

- rights: the role may record this type at all (`RIGHTS`);
- ownership: a clerk acts on their own station's parcels only (arrival at their own station
  included), a courier on the parcels assigned to them;
- courier: an assignment names an existing, active, unsuspended courier of the parcel's
  station (any station while the parcel has none);
- station: a station never changes as a side effect: `transferred` is the only way;
- state: the step is legal from the current status (`ALLOWED_FROM`);
- proof: `delivered` carries a pickup code that the labels domain confirms, or a stated
  reason from `DELIVERY_REASONS` (which the monitor alerts on), or is refused;
- time: the rules use the server clock; a client's reported time is kept as information
  only, and refused outside `[duties] reported_skew_minutes` (default 15).

Ownership and courier refusals are `Overreach`: the caller records them in the audit log
after the refused transaction rolled back, and the monitor alerts (`lifecycle_overreach`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from parcelguard.access import service as access
from parcelguard.access.duties import duties_config
from parcelguard.audit.service import Actor
from parcelguard.clock import as_utc
from parcelguard.errors import Conflict, Denied, InvalidInput
from parcelguard.hooks import Hook
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Shipment

EVENT_TYPES = ("assigned", "out_for_delivery", "at_station", "delivered", "returned", "transferred")
ALLOWED_FROM = {
    "assigned": {"created", "assigned", "at_station", "transferred"},
    "out_for_delivery": {"assigned", "at_station"},
    "at_station": {"created", "assigned", "out_for_delivery", "transferred"},
    "delivered": {"out_for_delivery", "at_station"},
    "returned": {"created", "assigned", "out_for_delivery", "at_station", "transferred"},
    "transferred": {"created", "assigned", "at_station"},
}
EVERY = frozenset(EVENT_TYPES)
# Which role records which steps (a clerk on their own station's parcels, a courier on their
# own assigned ones; a service key needs the `events` scope; operator: the local CLI).
RIGHTS: dict[str, frozenset[str]] = {
    "admin": EVERY,
    "operator": EVERY,
    "system": EVERY,
    "service": EVERY,
    "station_clerk": EVERY,
    "courier": frozenset({"out_for_delivery"}),
}
DELIVERY_REASONS = ("handed_in_person", "left_at_door", "parcel_locker", "neighbour", "other")


@dataclass(frozen=True)
class Step:
    """One lifecycle step as asked for."""

    type: str
    courier_id: str | None = None
    station_id: str | None = None
    pickup_code: str | None = None
    reason: str | None = None
    reported_at: datetime | None = None


class Overreach(Denied):
    """A step outside the actor's remit (another station's parcel, an unfit courier)."""

    def __init__(self, message: str, *, code: str, details: dict[str, Any]) -> None:
        super().__init__(message, code=code)
        self.details = details


@dataclass(frozen=True)
class PickupCodeOffered:
    """A delivery offers a pickup code as its proof; a subscriber answers whether it matches."""

    rt: Runtime
    session: Session
    shipment: Shipment
    code: str


# Any subscriber answering True proves the delivery; with none, a pickup code proves nothing.
PICKUP_CODE: Hook[PickupCodeOffered, bool] = Hook("vault.pickup_code", "proof of delivery")


def check_request(actor: Actor, step: Step) -> None:
    """Refuse an unknown type, a role without the right, or proof where it does not belong."""
    if step.type not in EVENT_TYPES:
        raise InvalidInput(
            f"event type must be one of {', '.join(EVENT_TYPES)}", code="invalid_event_type"
        )
    allowed = RIGHTS.get(actor.role)
    if allowed is None:
        raise Denied(f"a {actor.role} may not record lifecycle steps", code="role_not_allowed")
    if step.type not in allowed:
        raise Denied(f"a {actor.role} may not record {step.type}", code="event_not_allowed")
    if step.reason is not None and step.reason not in DELIVERY_REASONS:
        raise InvalidInput(
            f"reason must be one of {', '.join(DELIVERY_REASONS)}", code="invalid_reason"
        )
    if step.type != "delivered" and (step.reason or step.pickup_code):
        raise InvalidInput("a pickup code or reason belongs to a delivery", code="not_a_delivery")


def reported_time(rt: Runtime, at: datetime | None) -> datetime | None:
    """Return the client's reported time if it is within the skew of the server clock."""
    if at is None:
        return None
    reported, now = as_utc(at), rt.clock.now()
    skew = timedelta(minutes=duties_config(rt).reported_skew_minutes)
    if abs(reported - now) > skew:
        raise InvalidInput(
            f"the reported time is more than {skew.seconds // 60} minutes from the server's "
            "clock; the server's time is what counts",
            code="reported_time_out_of_range",
        )
    return reported


def check_step(rt: Runtime, session: Session, actor: Actor, shipment: Shipment, step: Step) -> None:
    """Refuse a step on a parcel outside the actor's remit, or illegal from its state."""
    _ownership(actor, shipment, step)
    if shipment.status not in ALLOWED_FROM[step.type]:
        raise Conflict(
            f"a shipment that is {shipment.status} cannot become {step.type}",
            code="invalid_transition",
        )
    _station(shipment, step)
    if step.type == "assigned":
        _courier(rt, session, shipment, step)
    elif step.courier_id and step.courier_id != shipment.courier_id:
        raise InvalidInput(
            "change the courier with an assigned step", code="reassign_with_assigned"
        )


def delivery_proof(rt: Runtime, session: Session, shipment: Shipment, step: Step) -> str:
    """Return how a delivery is proven (`pickup_code` or `stated_reason`), or refuse."""
    if step.pickup_code:
        offered = PickupCodeOffered(rt, session, shipment, step.pickup_code)
        if any(check(offered) for check in rt.hooks.subscribers(PICKUP_CODE)):
            return "pickup_code"
        raise Denied("the pickup code does not match this parcel", code="wrong_pickup_code")
    if step.reason:
        return "stated_reason"
    raise Denied(
        "a delivery needs the recipient's pickup code, or a stated reason (which is alerted)",
        code="delivery_proof_required",
    )


def _ownership(actor: Actor, shipment: Shipment, step: Step) -> None:
    details: dict[str, Any] = {"waybill": shipment.waybill_no, "attempted": step.type}
    if actor.role == "courier" and shipment.courier_id != actor.id:
        raise Overreach("a courier acts on their own parcels", code="not_assigned", details=details)
    if actor.role != "station_clerk":
        return
    own = actor.station_id
    arriving = shipment.station_id is None and step.type == "at_station"
    target = step.station_id or own
    if not own or (shipment.station_id != own and not arriving) or (arriving and target != own):
        details["station_id"] = shipment.station_id
        raise Overreach(
            "a clerk acts on their own station's parcels", code="other_station", details=details
        )


def _station(shipment: Shipment, step: Step) -> None:
    if step.type == "transferred":
        if not step.station_id:
            raise InvalidInput("a transfer names the new station", code="missing_station")
        if shipment.station_id is None:
            raise Conflict("a parcel with no station arrives with at_station", code="no_station")
        if step.station_id == shipment.station_id:
            raise Conflict("the parcel already is at that station", code="same_station")
    elif step.station_id and shipment.station_id and step.station_id != shipment.station_id:
        raise Conflict(
            "a station changes only by an explicit transferred step",
            code="station_change_needs_transfer",
        )


def _courier(rt: Runtime, session: Session, shipment: Shipment, step: Step) -> None:
    """Refuse an assignment to anyone but an active courier of the parcel's station."""
    if not step.courier_id:
        raise InvalidInput("an assignment needs --courier / courier_id", code="missing_courier")
    courier = access.get(session, rt.tenant, step.courier_id)
    station = shipment.station_id or step.station_id
    problems = (
        (courier is None, "courier_not_found"),
        (courier is not None and courier.role != "courier", "not_a_courier"),
        (courier is not None and courier.status != "active", "courier_inactive"),
        (courier is not None and courier.reveal_suspended, "courier_suspended"),
        (courier is not None and station is not None and courier.station_id != station,
         "courier_other_station"),
    )  # fmt: skip
    for failed, code in problems:
        if failed:
            details: dict[str, Any] = {"waybill": shipment.waybill_no, "attempted": step.type}
            details |= {"courier_id": step.courier_id[:64], "station_id": station}
            raise Overreach(f"cannot assign this parcel: {code}", code=code, details=details)

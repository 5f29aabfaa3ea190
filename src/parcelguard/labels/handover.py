"""Hand-over at a station: by pickup code, optionally with the last four digits of the phone.

The clerk never reads a phone number: the code names the parcel, and the last four digits
the customer says are checked against the keyed digest the vault stored at import
(`PartySealer.last4_digest`), without decrypting anything. Wrong answers count against the
clerk at that station in a moving window of the runtime's rate limiter (shared by every
server process through Redis when `PARCELGUARD_REDIS_URL` is set); past the limit every
attempt is refused, right or wrong.
Every attempt is audited, and a refusal is committed before it is raised.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import Denied, InvalidInput, NotFound, RateLimited
from parcelguard.labels import pickup
from parcelguard.labels.config import config_for
from parcelguard.labels.models import PickupCode
from parcelguard.labels.results import Handover
from parcelguard.runtime import Runtime
from parcelguard.vault import queries as vault_queries
from parcelguard.vault.lifecycle import record_event
from parcelguard.vault.service import sealer_for

_LAST4 = re.compile(r"\d{4}")
_CODE = re.compile(r"[0-9A-Za-z-]{1,16}")
CLERK_ROLES = ("station_clerk", "admin")


@dataclass(frozen=True)
class PickupRequest:
    """What the clerk typed: the station, the pickup code and maybe the phone's last four."""

    station: str
    code: str
    last4: str | None = None


def check_station(caller: Caller, station: str) -> None:
    """Allow a clerk of this station, or an admin; refuse a clerk of another station."""
    if caller.role == "station_clerk" and caller.station_id != station:
        raise Denied("a clerk hands over parcels of their own station only", code="other_station")


def hand_over(rt: Runtime, actor: Actor, request: PickupRequest) -> Handover:
    """Hand the parcel waiting under `code` over; mark it picked up and delivered, or refuse.

    Only a clerk of that station, an admin or the local operator hands parcels over.
    """
    station, code = request.station.strip(), request.code.strip()
    if actor.role not in (*CLERK_ROLES, "operator"):
        raise Denied(f"a {actor.role} may not hand parcels over", code="role_not_allowed")
    if actor.role == "station_clerk" and actor.station_id != station:
        raise Denied("a clerk hands over parcels of their own station only", code="other_station")
    last4 = (request.last4 or "").strip() or None
    if not station or not _CODE.fullmatch(code):
        raise InvalidInput("a pickup code looks like 3-2-0417", code="invalid_pickup_code")
    if last4 is not None and not _LAST4.fullmatch(last4):
        raise InvalidInput("last4 must be four digits", code="invalid_last4")
    if last4 is None and config_for(rt).pickup_requires_last4:
        raise InvalidInput("this station needs the phone's last four digits", code="last4_required")
    with rt.db.session() as session:
        outcome, result = _attempt(rt, session, actor, station, code, last4)
    if outcome == "rate_limited":
        raise RateLimited("too many wrong pickup codes; wait and try again", code="rate_limited")
    if outcome == "wrong_code":
        raise NotFound("no parcel waits under this pickup code", code="wrong_pickup_code")
    if outcome == "wrong_last4":
        raise Denied("the last four digits do not match", code="wrong_last4")
    assert result is not None  # handed over: the only outcome left
    return result


def _attempt(
    rt: Runtime, session: Session, actor: Actor, station: str, code: str, last4: str | None
) -> tuple[str, Handover | None]:
    """Decide one attempt in its transaction; return the outcome and the answer if handed over."""
    config, key = config_for(rt), _failures_key(rt, station, actor.id)
    window = config.pickup_window_minutes * 60
    if rt.limiter.wait(key, config.pickup_failures, window):
        _audit_attempt(rt, session, actor, station, None, "rate_limited")
        return "rate_limited", None
    waiting = pickup.waiting_by_code(session, rt.tenant, station, code)
    if waiting is None:
        outcome = "wrong_code"
    elif last4 is not None and not _last4_matches(rt, session, waiting, last4):
        outcome = "wrong_last4"
    else:
        return "handed_over", _hand_over(rt, session, actor, waiting, last4 is not None)
    rt.limiter.record(key, config.pickup_failures, window)
    _audit_attempt(rt, session, actor, station, waiting, outcome)
    return outcome, None


def _hand_over(
    rt: Runtime, session: Session, actor: Actor, waiting: PickupCode, with_last4: bool
) -> Handover:
    """Record the delivery proven by the code, then close the code as picked up by the clerk."""
    station = waiting.station_id
    record_event(rt, session, actor, waiting.waybill_no, "delivered", pickup_code=waiting.code)
    waiting.status, waiting.closed_at, waiting.closed_by = (
        "picked_up",
        rt.clock.now(),
        actor.id[:64],
    )
    details = {
        "waybill": waiting.waybill_no,
        "station": station,
        "pickup_code": waiting.code,
        "with_last4": with_last4,
        "outcome": "handed_over",
    }
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "pickup.handover", "shipment", waiting.shipment_id, decision="allow", details=details
        ),
    )
    return {
        "waybill_no": waiting.waybill_no,
        "pickup_code": waiting.code,
        "station_id": station,
        "status": "delivered",
    }


def _last4_matches(rt: Runtime, session: Session, waiting: PickupCode, last4: str) -> bool:
    """Compare keyed digests of the last four digits; nothing is decrypted."""
    recipient = vault_queries.party(session, rt.tenant, waiting.shipment_id, "recipient")
    if recipient is None:
        return False
    expected = sealer_for(rt).last4_digest(waiting.shipment_id, "recipient", last4)
    return hmac.compare_digest(expected, recipient.last4_digest)


def _failures_key(rt: Runtime, station: str, principal_id: str) -> str:
    """Return the limiter key of a clerk's wrong answers at a station."""
    return f"pickup_fail:{rt.tenant}:{station}:{principal_id[:64]}"


def _audit_attempt(
    rt: Runtime,
    session: Session,
    actor: Actor,
    station: str,
    waiting: PickupCode | None,
    outcome: str,
) -> None:
    # The code typed is left out on purpose: a near miss may be another parcel's real code.
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "pickup.attempt",
            "shipment" if waiting is not None else "station",
            waiting.shipment_id if waiting is not None else station[:64],
            decision="deny",
            reason=outcome,
            details={
                "station": station,
                "outcome": outcome,
                "waybill": waiting.waybill_no if waiting is not None else None,
            },
        ),
    )

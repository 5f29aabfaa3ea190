"""Reveal: the one use case that returns plaintext, for every channel (CLI, API, console).

Policy decision → decrypt only the asked fields → audit event (allowed or denied, with the
reason) → published to the monitor after commit. A denied decision is committed too, and only
then raised, so every refusal leaves its trace.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from parcelguard.access import cases, quota
from parcelguard.access.policy import (
    FIELDS,
    PURPOSES,
    Policy,
    PolicyConfig,
    RevealRequest,
    ShipmentFacts,
    decide,
)
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Entry, auditor_for
from parcelguard.errors import Denied, InvalidInput, NotFound
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Shipment
from parcelguard.vault.service import get, open_fields, parties_of


def policy_for(rt: Runtime) -> Policy:
    """Return the tenant's policy (default, tightened by `[policy]` in config.toml)."""
    return rt.settings.section("policy", PolicyConfig).policy()


def reveal(
    rt: Runtime,
    caller: Caller,
    waybill_no: str,
    fields: Sequence[str],
    purpose: str,
    reference: str | None = None,
) -> dict[str, str]:
    """Return the asked fields in plaintext if the policy allows, else raise `Denied`."""
    wanted = tuple(dict.fromkeys(f.strip() for f in fields))
    unknown = [f for f in wanted if f not in FIELDS]
    if unknown:
        # The message lists what is allowed, never what was sent (it may be anything).
        raise InvalidInput(f"unknown field; use {', '.join(FIELDS)}", code="unknown_field")
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose must be one of {', '.join(PURPOSES)}", code="invalid_purpose")
    with rt.db.session() as session:
        shipment = get(session, rt.tenant, waybill_no)
        if shipment is None:
            _audit(
                rt,
                session,
                caller,
                None,
                waybill_no,
                wanted,
                purpose,
                reference,
                False,
                "shipment_not_found",
            )
            outcome: dict[str, str] | str = "shipment_not_found"
        else:
            outcome = _decide_and_open(rt, session, caller, shipment, wanted, purpose, reference)
    if outcome == "shipment_not_found":
        raise NotFound("no shipment with this waybill", code="shipment_not_found")
    if isinstance(outcome, str):
        raise Denied(f"reveal denied: {outcome}", code=outcome)
    return outcome


def _decide_and_open(
    rt: Runtime,
    session: Session,
    caller: Caller,
    shipment: Shipment,
    wanted: tuple[str, ...],
    purpose: str,
    reference: str | None,
) -> dict[str, str] | str:
    now = rt.clock.now()
    parties = parties_of(session, shipment)
    facts = ShipmentFacts(
        status=shipment.status,
        courier_id=shipment.courier_id,
        station_id=shipment.station_id,
        delivered_at=shipment.delivered_at,
        party_digests={role: p.phone_bidx for role, p in parties.items()},
    )
    request = RevealRequest(
        caller=caller,
        shipment=facts,
        fields=wanted,
        purpose=purpose,
        reference=reference,
        now=now,
        today_count=quota.used_today(session, rt.tenant, caller.principal_id, now),
        reference_ok=_reference_ok(session, rt.tenant, purpose, reference),
    )
    decision = decide(policy_for(rt), request)
    _audit(
        rt,
        session,
        caller,
        shipment,
        shipment.waybill_no,
        wanted,
        purpose,
        reference,
        decision.allowed,
        decision.reason,
    )
    if not decision.allowed:
        return decision.reason
    quota.count_one(session, rt.tenant, caller.principal_id, now)
    pairs = [tuple(f.split(".", 1)) for f in wanted]
    opened = open_fields(rt, session, shipment, pairs, parties)  # type: ignore[arg-type]
    return {f"{role}.{field}": value.reveal() for (role, field), value in opened.items()}


def _reference_ok(session: Session, tenant: str, purpose: str, reference: str | None) -> bool:
    if purpose == "investigation":
        return cases.is_open(session, tenant, reference)
    return True


def _audit(
    rt: Runtime,
    session: Session,
    caller: Caller,
    shipment: Shipment | None,
    waybill: str,
    fields: tuple[str, ...],
    purpose: str,
    reference: str | None,
    allowed: bool,
    reason: str,
) -> None:
    details = {
        "waybill": waybill.strip()[:40],
        "fields": list(fields),
        "assigned": bool(shipment is not None and shipment.courier_id == caller.principal_id),
        "via": caller.via,
        # The parcel's station beside the actor's own (the event's `station_id`): the monitor
        # tells access outside one's station without reading the vault (`foreign_station`).
        "parcel_station": shipment.station_id if shipment is not None else None,
    }
    if caller.key_id:
        details["key_id"] = caller.key_id
    auditor_for(rt).record(
        session,
        caller.actor,
        Entry(
            "reveal",
            "shipment",
            shipment.shipment_id if shipment else None,
            decision="allow" if allowed else "deny",
            reason=reason,
            purpose=purpose,
            # A reference that is no ticket may be anything, a phone number too: not kept.
            reference=None if reason == "ticket_invalid" else (reference or "")[:128] or None,
            details=details,
        ),
    )

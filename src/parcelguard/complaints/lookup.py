"""Customer-service lookup: a parcel by waybill, or a person's parcels by phone, under a ticket.

A customer-service agent on the phone with a customer finds the parcel the call is about,
masked, with its history: the lifecycle steps and who looked at it (masked name, employee
number, role). Nothing is decrypted: a phone is matched through the vault's blind index.

Rules the attacker tests hold it to (tests/security/test_cs_lookup.py):

* only customer service and security officers look up (`complaints.service.STAFF_ROLES`);
* every lookup names a ticket of the tenant's ticket system (the customer-service reveal
  rule's `reference_pattern`); a made-up one is refused, and audited without it (a phone
  typed as a "ticket" never reaches the log);
* every lookup, found or not, refused or not, is one `service.lookup` audit event with the
  ticket, how it looked (`by`) and what it found; never the phone;
* lookups are rate-limited per agent (`cs_lookup`), phone lookups more tightly
  (`cs_lookup_phone`): a phone book cannot be walked through the console.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from parcelguard.access import service as access
from parcelguard.access.policy import reference_ok
from parcelguard.audit.service import Actor, Entry, auditor_for, events_for_targets
from parcelguard.complaints.results import LookedUpParcel, LookupResult, StaffName
from parcelguard.complaints.service import require_staff
from parcelguard.errors import InvalidInput, RateLimited
from parcelguard.pii.normalize import normalize_phone
from parcelguard.ratelimit import Limit, config_for
from parcelguard.runtime import Runtime
from parcelguard.vault import queries as vault_queries
from parcelguard.vault import service as vault
from parcelguard.vault.reveal import policy_for
from parcelguard.vault.service import Shipment

ACTION = "service.lookup"
LOOKUP_LIMIT = Limit(limit=60, window=3600)  # `[ratelimit.limits.cs_lookup]` overrides it
PHONE_LIMIT = Limit(limit=20, window=3600)  # `[ratelimit.limits.cs_lookup_phone]`
MAX_PARCELS = 20
MAX_HISTORY = 50
MAX_TICKET = 64
# What "who looked" lists: the accesses of `vault.service.ACCESS_ACTIONS` and earlier lookups.
LOOKED = tuple(dict.fromkeys((*vault.ACCESS_ACTIONS, ACTION)))


def lookup(
    rt: Runtime,
    actor: Actor,
    *,
    ticket: str,
    waybill: str = "",
    phone: str = "",
) -> LookupResult:
    """Find parcels by waybill or by phone under a ticket; audit the lookup, refused or not.

    Return `{"by", "ticket", "parcels": [masked view + "steps" + "looked"]}`.
    """
    require_staff(actor)
    waybill, phone, ticket = waybill.strip(), phone.strip(), ticket.strip()
    by = "waybill" if waybill else "phone"
    if bool(waybill) == bool(phone):
        _refused(rt, actor, by, "lookup_one_key", None)
        raise InvalidInput("give either a waybill or a phone number", code="lookup_one_key")
    if not _ticket_ok(rt, ticket):
        _refused(rt, actor, by, "ticket_invalid", None)
        raise InvalidInput(
            "ticket: give the reference of the customer's ticket (e.g. CS-123456)",
            code="ticket_invalid",
        )
    if phone and normalize_phone(phone) is None:
        _refused(rt, actor, by, "invalid_phone", ticket)
        raise InvalidInput(
            "phone is not a mainland mobile or a landline with area code", code="invalid_phone"
        )
    try:
        _count(rt, actor, by)
    except RateLimited:
        _refused(rt, actor, by, "rate_limited", ticket)
        raise
    with rt.db.session() as session:
        if waybill:
            found = vault.get(session, rt.tenant, waybill)
            shipments = [found] if found is not None and found.kind == "normal" else []
        else:
            shipments = _by_phone(rt, session, phone)
        parcels = [_parcel(rt, session, s) for s in shipments[:MAX_PARCELS]]
        _record(session, rt, actor, by, ticket, shipments)
    return {"by": by, "ticket": ticket, "parcels": parcels}


def _ticket_ok(rt: Runtime, ticket: str) -> bool:
    """Return whether `ticket` is a ticket reference the customer-service rule accepts."""
    if not ticket or len(ticket) > MAX_TICKET:
        return False
    rule = policy_for(rt).rule("customer_service")
    return rule is not None and reference_ok(rule, ticket)


def _count(rt: Runtime, actor: Actor, by: str) -> None:
    """Count a lookup against the agent's limits (phone lookups against both)."""
    config = config_for(rt)
    if not config.enabled:
        return
    limits = [("cs_lookup", LOOKUP_LIMIT)]
    if by == "phone":
        limits.append(("cs_lookup_phone", PHONE_LIMIT))
    for name, default in limits:
        rule = config.limit_for(name, default)
        rt.limiter.hit(f"{name}:{actor.id}", rule.limit, rule.window)


def _refused(rt: Runtime, actor: Actor, by: str, reason: str, ticket: str | None) -> None:
    """Record a refused lookup in its own transaction (the refusal rolls nothing back)."""
    with rt.db.session() as session:
        _record(session, rt, actor, by, ticket, [], reason)


def _record(
    session: Session,
    rt: Runtime,
    actor: Actor,
    by: str,
    ticket: str | None,
    shipments: list[Shipment],
    refused: str | None = None,
) -> None:
    """Record one lookup: the ticket, how it looked and which waybills it found; no phone.

    One event per parcel found (its target the parcel), so the recipient's "who viewed" page
    lists the lookup like any other view of their parcel; one untargeted event when nothing
    was found or the lookup was refused.
    """
    details = {
        "by": by,
        "found": len(shipments),
        "waybills": [s.waybill_no for s in shipments[:MAX_PARCELS]],
    }
    targets: list[str | None] = [s.shipment_id for s in shipments[:MAX_PARCELS]] or [None]
    for target in targets:
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "service.lookup",  # ACTION, written out for the words test's scan of Entry(...)
                "shipment",
                target,
                decision="deny" if refused else "allow",
                reason=refused,
                purpose="customer_service",
                reference=ticket,
                details=details,
            ),
        )


def _by_phone(rt: Runtime, session: Session, phone: str) -> list[Shipment]:
    """Return the live parcels whose sender or recipient has this phone (blind index)."""
    ids = vault.shipment_ids_for_phone(rt, session, phone)
    if not ids:
        return []
    return vault_queries.live_shipments(session, rt.tenant, ids)


def _parcel(rt: Runtime, session: Session, shipment: Shipment) -> LookedUpParcel:
    """Return a parcel's masked view with its lifecycle steps and who looked at it."""
    steps = vault_queries.lifecycle_steps(session, rt.tenant, shipment.shipment_id, MAX_HISTORY)
    events = events_for_targets(session, rt.tenant, [shipment.shipment_id], LOOKED)
    names: dict[str, StaffName] = {}
    return {
        **vault.view(session, shipment),
        "steps": [
            {"type": e.type, "at": e.at.isoformat(), "station_id": e.station_id} for e in steps
        ],
        "looked": [
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "decision": e.decision,
                "purpose": e.purpose,
                **_person(session, rt.tenant, e.actor_id, e.actor_role, names),
            }
            for e in events[:MAX_HISTORY]
        ],
    }


def _person(
    session: Session, tenant: str, actor_id: str, role: str, known: dict[str, StaffName]
) -> StaffName:
    """Return how the history names a member of staff: masked name, employee number, role."""
    if actor_id not in known:
        principal = access.get(session, tenant, actor_id)
        known[actor_id] = {
            "name": principal.name_masked if principal is not None else "",
            "employee_no": (principal.employee_no or "") if principal is not None else "",
            "role": principal.role if principal is not None else role,
        }
    return known[actor_id]

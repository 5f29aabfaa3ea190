"""Bindings: AXB (courier A ↔ recipient B through X) and AXN (anyone on duty → B through X).

Created when a parcel goes out for delivery (a vault lifecycle hook) or on request; they end
at delivered + N hours or at their TTL, whichever comes first, and their seats then cool.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parcelguard.access import service as access_service
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import Conflict, InvalidInput, NotFound
from parcelguard.relay import conditions, extensions, pool, providers
from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.relay.models import BINDING_KINDS, Binding, RelayNumber, Seat
from parcelguard.relay.numbers import canonical, party_ref
from parcelguard.relay.providers.cloud import BindRequest
from parcelguard.relay.results import BindingView
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import service as vault_service
from parcelguard.vault.service import Shipment

log = logging.getLogger("parcelguard.relay")
BINDABLE = ("assigned", "out_for_delivery", "at_station")
SEAT_RETRIES = 3


def ttl_for(config: RelayConfig, kind: str, ttl_seconds: int | None) -> timedelta:
    """Return the binding's lifetime: the asked TTL (bounded) or the configured default."""
    if ttl_seconds is None:
        ttl_seconds = config.axn_ttl_seconds if kind == "axn" else config.default_ttl_seconds
    if not 60 <= ttl_seconds <= config.max_ttl_seconds:
        raise InvalidInput(
            f"ttl must be between 60 and {config.max_ttl_seconds} seconds", code="invalid_ttl"
        )
    return timedelta(seconds=ttl_seconds)


def active_for_shipment(
    session: Session, tenant_id: str, shipment_id: str, kind: str = "axb"
) -> list[Binding]:
    """Return the shipment's active bindings of one kind."""
    query = select(Binding).where(
        Binding.tenant_id == tenant_id,
        Binding.shipment_id == shipment_id,
        Binding.status == "active",
        Binding.kind == kind,
    )
    return list(session.scalars(query))


def courier_ref(rt: Runtime, session: Session, courier_id: str) -> bytes:
    """Return the reference of a courier's own phone (opened here, kept nowhere)."""
    courier = access_service.get(session, rt.tenant, courier_id)
    if courier is None or courier.role != "courier":
        raise NotFound("the assigned courier is not a known courier", code="courier_not_found")
    phone = access_service.open_phone(rt, courier)
    number = canonical(phone.reveal()) if phone is not None else None
    if number is None:
        raise Conflict("the courier has no phone on record", code="courier_has_no_phone")
    return party_ref(rt, number)


def bind_shipment(
    rt: Runtime,
    session: Session,
    actor: Actor,
    shipment: Shipment,
    *,
    kind: str = "axb",
    ttl_seconds: int | None = None,
    automatic: bool = False,
) -> Binding:
    """Bind a shipment's parties through a pool number; an existing binding is reused."""
    config = config_for(rt)
    if kind not in BINDING_KINDS:
        raise InvalidInput("kind must be axb, axn, axe or axg", code="invalid_kind")
    lifetime = ttl_for(config, kind, ttl_seconds)
    now = rt.clock.now()
    if shipment.status not in BINDABLE:
        raise Conflict(f"a shipment that is {shipment.status} cannot be bound", code="not_bindable")
    recipient = vault_service.parties_of(session, shipment).get("recipient")
    if recipient is None:
        raise Conflict("the shipment has no recipient on record", code="no_recipient")
    if kind in ("axn", "axg"):
        ask = _Recipient(shipment, recipient.phone_bidx, actor, now, lifetime)
        return (_bind_axn if kind == "axn" else _bind_axg)(rt, session, ask)
    if not shipment.courier_id:
        raise Conflict("assign a courier before binding", code="no_courier")
    for binding in active_for_shipment(session, rt.tenant, shipment.shipment_id, kind):
        if binding.courier_id == shipment.courier_id and binding.expires_at > now:
            if ttl_seconds is not None:
                binding.expires_at = now + lifetime
            return binding
        release(rt, session, actor, binding, "reassigned", now)
    a_ref, b_ref = courier_ref(rt, session, shipment.courier_id), recipient.phone_bidx
    if a_ref == b_ref:
        raise Conflict("courier and recipient share one phone", code="same_party")
    binding = _new_binding(
        rt, shipment, kind, actor, now, lifetime, b_ref, a_ref=a_ref, courier_id=shipment.courier_id
    )
    city = pool.city_code(recipient.adcode)
    if kind == "axe":
        binding.number_id, binding.extension = extensions.allocate(
            session, rt.tenant, binding.binding_id, now, digits=config.extension_digits, city=city
        )
        session.add(binding)
        session.flush()
        bound(session, rt.tenant, "axe")
    else:
        _seat(session, rt.tenant, binding, [a_ref, b_ref], now, city=city, exclusive=False)
    return _pushed(rt, session, actor, binding, shipment, automatic)


@dataclass(frozen=True)
class _Recipient:
    """A recipient-side binding (AXN, AXG) being made: for whom, by whom, when, how long."""

    shipment: Shipment
    b_ref: bytes
    actor: Actor
    now: datetime
    lifetime: timedelta


def _bind_axg(rt: Runtime, session: Session, ask: _Recipient) -> Binding:
    """Bind the recipient to the group (the parcel's station): one group number, one B."""
    group = ask.shipment.station_id
    if not group:
        raise Conflict("an AXG binding needs the parcel's station", code="no_station")
    for binding in active_for_shipment(session, rt.tenant, ask.shipment.shipment_id, "axg"):
        if binding.group_id == group and binding.expires_at > ask.now:
            return binding
        release(rt, session, ask.actor, binding, "reassigned", ask.now)
    binding = _new_binding(
        rt, ask.shipment, "axg", ask.actor, ask.now, ask.lifetime, ask.b_ref, group_id=group[:64]
    )
    number = pool.allocate_group(session, rt.tenant, group, ask.now)
    binding.number_id = number.number_id
    session.add(binding)
    session.add(
        Seat(
            tenant_id=rt.tenant,
            number_id=number.number_id,
            party_ref=ask.b_ref,
            binding_id=binding.binding_id,
            until=None,
        )
    )
    session.flush()
    bound(session, rt.tenant, "axg")
    return _pushed(rt, session, ask.actor, binding, ask.shipment, False)


def _bind_axn(rt: Runtime, session: Session, ask: _Recipient) -> Binding:
    """Give the recipient their own AXN number (kept across their parcels while live)."""
    existing = session.scalars(
        select(Binding).where(
            Binding.tenant_id == rt.tenant,
            Binding.b_ref == ask.b_ref,
            Binding.kind == "axn",
            Binding.status == "active",
            Binding.expires_at > ask.now,
        )
    ).first()
    if existing is not None:  # one AXN number per recipient; it follows their latest parcel
        existing.shipment_id = ask.shipment.shipment_id
        existing.expires_at = max(existing.expires_at, ask.now + ask.lifetime)
        return existing
    binding = _new_binding(rt, ask.shipment, "axn", ask.actor, ask.now, ask.lifetime, ask.b_ref)
    _seat(session, rt.tenant, binding, [ask.b_ref], ask.now, city=None, exclusive=True)
    return _pushed(rt, session, ask.actor, binding, ask.shipment, False)


def _new_binding(
    rt: Runtime,
    shipment: Shipment,
    kind: str,
    actor: Actor,
    now: datetime,
    lifetime: timedelta,
    b_ref: bytes,
    *,
    a_ref: bytes | None = None,
    courier_id: str | None = None,
    group_id: str | None = None,
) -> Binding:
    """Return a new active binding of `shipment` (not added yet: its number comes first)."""
    return Binding(
        tenant_id=rt.tenant,
        binding_id=new_id(),
        kind=kind,
        shipment_id=shipment.shipment_id,
        courier_id=courier_id,
        a_ref=a_ref,
        b_ref=b_ref,
        status="active",
        created_at=now,
        expires_at=now + lifetime,
        created_by=actor.id[:64],
        group_id=group_id,
    )


def _seat(
    session: Session,
    tenant_id: str,
    binding: Binding,
    refs: list[bytes],
    now: datetime,
    *,
    city: str | None,
    exclusive: bool,
) -> RelayNumber:
    """Allocate X and seat the parties on it; a seat clash (another writer won) tries again."""
    tried: set[str] = set()
    for _ in range(SEAT_RETRIES):
        number = pool.allocate(
            session, tenant_id, refs, now, city=city, exclusive=exclusive, exclude=frozenset(tried)
        )
        try:
            with session.begin_nested():
                session.add_all(
                    Seat(
                        tenant_id=tenant_id,
                        number_id=number.number_id,
                        party_ref=ref,
                        binding_id=binding.binding_id,
                        until=None,
                    )
                    for ref in refs
                )
                session.flush()
        except sa_exc.IntegrityError:
            tried.add(number.number_id)
            continue
        pool.occupy(number, now, exclusive=exclusive)
        binding.number_id = number.number_id
        session.add(binding)
        session.flush()
        bound(session, tenant_id, binding.kind)
        return number
    raise pool.PoolExhausted(
        "no virtual number is free for this binding",
        details={"city": city, "kind": binding.kind},
    )


def push(rt: Runtime, session: Session, binding: Binding, shipment: Shipment) -> None:
    """Push the binding to the configured cloud platform (none for neutral and Twilio).

    The real numbers are opened here for the platform only; a refusal raises, so the
    binding (and its number) is not kept either.
    """
    provider = providers.cloud_provider(rt)
    if provider is None:
        return
    number = session.get(RelayNumber, (rt.tenant, binding.number_id))
    opened = vault_service.open_fields(rt, session, shipment, [("recipient", "phone")])
    recipient = opened.get(("recipient", "phone"))
    if number is None or recipient is None:
        raise Conflict("the recipient has no phone to bind", code="no_recipient")
    courier = None
    if binding.courier_id:
        principal = access_service.get(session, rt.tenant, binding.courier_id)
        courier = access_service.open_phone(rt, principal) if principal is not None else None
    result = provider.bind(
        BindRequest(
            kind=binding.kind,
            x=number.number,
            b=Sensitive(canonical(recipient.reveal()) or recipient.reveal()),
            expires_at=binding.expires_at,
            out_id=binding.binding_id,
            a=Sensitive(canonical(courier.reveal()) or courier.reveal()) if courier else None,
            extension=binding.extension,
            group=binding.group_id,
            record=config_for(rt).record_calls,
        )
    )
    binding.provider_ref = result.ref[:64]


def _unpush(rt: Runtime, session: Session, binding: Binding) -> None:
    """End the binding on the platform too; a failure is logged (it expires there anyway)."""
    provider = providers.cloud_provider(rt)
    number = session.get(RelayNumber, (rt.tenant, binding.number_id))
    if provider is None or binding.provider_ref is None or number is None:
        return
    try:
        provider.unbind(binding.provider_ref, number.number, binding.kind)
    except Conflict as exc:
        log.warning("relay: the platform did not unbind a binding (%s)", exc.code)


def _pushed(
    rt: Runtime,
    session: Session,
    actor: Actor,
    binding: Binding,
    shipment: Shipment,
    automatic: bool,
) -> Binding:
    """Push a new binding to the cloud platform (if any), audit it, and return it."""
    push(rt, session, binding, shipment)
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.bind",
            "shipment",
            shipment.shipment_id,
            decision="allow",
            details={
                "binding_id": binding.binding_id,
                "number_id": binding.number_id,
                "kind": binding.kind,
                "extension": binding.extension,
                "group_id": binding.group_id,
                "waybill": shipment.waybill_no,
                "courier_id": binding.courier_id,
                "expires_at": binding.expires_at.isoformat(),
                "automatic": automatic,
                "provider": binding_provider(rt) if binding.provider_ref else None,
            },
        ),
    )
    return binding


def binding_provider(rt: Runtime) -> str:
    """Return the name of the platform bindings are pushed to."""
    return config_for(rt).provider


def record_refusal(
    rt: Runtime,
    session: Session,
    actor: Actor,
    shipment: Shipment,
    error: Conflict | NotFound | InvalidInput,
    *,
    automatic: bool,
) -> bool:
    """Audit a binding that could not be made; return True when it opened an exhaustion.

    The first exhaustion of an episode is its own event (`relay.pool_exhausted`, which the
    monitor alerts on); refusals while the pool stays exhausted are ordinary refused bindings.
    """
    exhausted = isinstance(error, pool.PoolExhausted)
    kind = error.details.get("kind", "axb") if isinstance(error.details, dict) else "axb"
    first = exhausted and conditions.open_condition(
        session, rt.tenant, f"{conditions.POOL_EXHAUSTED}:{kind}", rt.clock.now()
    )
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.pool_exhausted" if first else "relay.bind",
            "shipment",
            shipment.shipment_id,
            decision="deny",
            reason=error.code,
            details={
                "waybill": shipment.waybill_no,
                "courier_id": shipment.courier_id,
                "automatic": automatic,
                **(error.details if exhausted and isinstance(error.details, dict) else {}),
            },
        ),
    )
    return first


def bound(session: Session, tenant_id: str, kind: str) -> None:
    """Close the exhaustion episode of `kind`: a binding of that kind succeeded."""
    conditions.close_condition(session, tenant_id, f"{conditions.POOL_EXHAUSTED}:{kind}")


def release(
    rt: Runtime,
    session: Session,
    actor: Actor | None,
    binding: Binding,
    reason: str,
    at: datetime,
) -> None:
    """End a binding; its seats cool so X does not reach these parties again too soon."""
    if binding.status != "active":
        return
    ended = min(at, binding.expires_at) if reason == "expired" else at
    binding.status, binding.ended_at, binding.end_reason = "ended", ended, reason[:16]
    session.execute(
        update(Seat)
        .where(
            Seat.tenant_id == binding.tenant_id,
            Seat.number_id == binding.number_id,
            Seat.binding_id == binding.binding_id,
        )
        .values(until=pool.quiet_until(config_for(rt), ended))
    )
    _unpush(rt, session, binding)
    if binding.extension is not None:
        extensions.cool(
            session,
            binding.tenant_id,
            binding.number_id,
            binding.binding_id,
            pool.quiet_until(config_for(rt), ended),
        )
    if actor is not None:
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "relay.release",
                "shipment",
                binding.shipment_id,
                reason=reason[:64],
                details={"binding_id": binding.binding_id, "number_id": binding.number_id},
            ),
        )


def schedule_end(rt: Runtime, session: Session, shipment: Shipment, at: datetime) -> None:
    """Let the shipment's AXB bindings run until `at` + the configured hours, no longer."""
    end = at + timedelta(hours=config_for(rt).binding_hours_after_delivery)
    for kind in ("axb", "axe", "axg"):
        for binding in active_for_shipment(session, rt.tenant, shipment.shipment_id, kind):
            binding.expires_at = min(binding.expires_at, end)


def view(binding: Binding, number: RelayNumber | None, waybill: str | None) -> BindingView:
    """Return what the API and CLI show of a binding (no party, no real number)."""
    return {
        "binding_id": binding.binding_id,
        "kind": binding.kind,
        "virtual_number": number.number if number is not None else None,
        "extension": binding.extension,
        "group_id": binding.group_id,
        "expires_at": binding.expires_at.isoformat(),
        "status": binding.status,
        "waybill": waybill,
        "courier_id": binding.courier_id,
        "created_at": binding.created_at.isoformat(),
        "ended_at": binding.ended_at.isoformat() if binding.ended_at else None,
        "end_reason": binding.end_reason,
    }

"""Routing: who may talk to whom through X, and the real number the provider should dial.

The decision's `connect_to` is the only place a real number exists, as `Sensitive`; it goes
to the telephony provider and nowhere else. The audit log records the decision with masked
and referenced parties; a canary hit is recorded as such but answered like any unbound call.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import service as access_service
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import operator_time
from parcelguard.hooks import Hook
from parcelguard.pii.normalize import normalize_phone
from parcelguard.relay import bindings, calls, extensions, pool, sms
from parcelguard.relay.config import config_for
from parcelguard.relay.decision import Decision as Decision
from parcelguard.relay.inventory import find_number
from parcelguard.relay.models import Binding, RelayNumber, Seat
from parcelguard.relay.numbers import canonical, mask_number, party_ref
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import service as vault_service

log = logging.getLogger("parcelguard.relay")
CHANNELS = ("voice", "sms")
# Forensics may tell whose canary a number is; only these keys reach the audit event.
CANARY_KEYS = ("canary_id", "holder_id", "channel_kind")
# What a caller may learn: a canary answers exactly like a number nobody is bound to.
PUBLIC_REASON = {"canary": "unbound"}
# Who answers for an AXG group, in this order: the station's clerks, then its couriers.
GROUP_ROLES = ("station_clerk", "courier")


def provider_actor(provider: str) -> Actor:
    """Return the audit actor of a telephony provider's webhook."""
    return Actor(f"telephony:{provider}"[:64], "system")


def route(
    rt: Runtime,
    session: Session,
    actor: Actor,
    caller: str | None,
    to: str | None,
    *,
    channel: str = "voice",
    call_id: str | None = None,
    provider: str = "neutral",
    now: datetime | None = None,
    extension: str | None = None,
    attempt: int = 1,
    text: str | None = None,
) -> Decision:
    """Decide a call or SMS from `caller` to X, audit it, and keep the call record.

    For an AXE number, `extension` is what the caller keyed (None before the IVR asked) and
    `attempt` which ask it answered; a plain ask is neither audited nor recorded. An SMS
    (`text`) to an AXE number names its extension first; it is asked nothing, and a connected
    SMS carries its scrubbed text in `forward_text`.
    """
    clock_now = rt.clock.now()
    at = operator_time(clock_now, now)
    if channel == "sms":
        extension, text = _sms_extension(rt, session, to, text)
        attempt = config_for(rt).extension_attempts  # a text cannot be asked again
    decision = decide(rt, session, caller, to, at, extension=extension, attempt=attempt)
    if decision.action == "gather" and decision.extension_miss is None:
        return decision
    if channel == "sms" and decision.action == "connect":
        decision = _sms(rt, session, actor, decision, text, canonical(caller), at)
    _audit(rt, session, actor, decision, channel, call_id)
    if decision.expired is not None and decision.expired.expires_at <= clock_now:
        bindings.release(rt, session, None, decision.expired, "expired", clock_now)
    if call_id and decision.action != "gather":
        calls.record_route(rt, session, decision, call_id, channel, provider, clock_now)
    session.flush()
    return decision


def _sms_extension(
    rt: Runtime, session: Session, to: str | None, text: str | None
) -> tuple[str | None, str | None]:
    """Return the extension an SMS to an AXE number names first (else ""), and the rest."""
    x = canonical(to)
    number = find_number(session, rt.tenant, x) if x else None
    if number is None or number.state != "axe":
        return None, text
    extension, rest = sms.split_extension(text, config_for(rt).extension_digits)
    return (extension or ""), rest


def _sms(
    rt: Runtime,
    session: Session,
    actor: Actor,
    decision: Decision,
    text: str | None,
    sender: str | None,
    now: datetime,
) -> Decision:
    """Rate-limit a connected SMS and scrub its text; audit what was taken out."""
    config = config_for(rt)
    ref = decision.caller_ref
    binding_id = decision.binding_id
    if (
        ref is not None
        and binding_id is not None
        and sms.over_limit(session, rt.tenant, binding_id, ref, now, config.sms_per_hour)
    ):
        return replace(
            decision,
            action="reject",
            reason="rate_limited",
            audit_reason="rate_limited",
            connect_to=None,
            connect_digits=None,
        )
    scrubbed = sms.scrub(text, sender)
    if scrubbed.types:
        details = {
            "binding_id": decision.binding_id,
            "number_id": decision.number_id,
            "direction": decision.direction,
            # The staff member who sent it (the alert is about them), never a recipient.
            "principal_id": decision.principal_id if decision.direction != "b_to_a" else None,
            "caller": decision.caller_masked,
            "target": ref.hex()[:16] if ref else None,
        }
        sms.audit_pii(rt, session, actor, scrubbed, decision.shipment_id, details)
        log.info("relay: personal data scrubbed from a relayed text (%s)", ",".join(scrubbed.types))
    return replace(decision, forward_text=Sensitive(scrubbed.text))


def decide(
    rt: Runtime,
    session: Session,
    raw_caller: str | None,
    raw_to: str | None,
    now: datetime,
    *,
    extension: str | None = None,
    attempt: int = 1,
) -> Decision:
    """Return the decision for a call at `now`, without recording anything."""
    caller, x = canonical(raw_caller), canonical(raw_to)
    ref = party_ref(rt, caller) if caller else None
    base = Decision(
        "reject",
        "unknown_number",
        "unknown_number",
        virtual_number=x,
        caller_ref=ref,
        caller_masked=mask_number(caller) if caller else None,
    )
    number = find_number(session, rt.tenant, x) if x else None
    if number is None:
        return base
    base = replace(base, number_id=number.number_id)
    if number.state == "reserved":
        return _reject(base, "canary", label=number.label)
    if caller is None or ref is None:
        return _reject(base, "invalid_caller")
    if number.state == "axe":
        return _axe(rt, session, number, ref, base, now, extension, attempt)
    axn = number.mode == "axn" and number.state == "bound"
    shared = _axg if number.state == "axg" else _axn if axn else None
    if shared is not None:  # one live binding on the number, whoever calls
        found = _shared_binding(rt, session, number, base, now)
        return found if isinstance(found, Decision) else shared(rt, session, *found, caller, ref)
    seat = session.get(Seat, (rt.tenant, number.number_id, ref))
    if seat is None or (seat.until is not None and seat.until <= now):
        return _reject(base, "stranger" if number.state == "bound" else "unbound")
    binding = session.get(Binding, (rt.tenant, seat.binding_id))
    if binding is None:
        return _reject(base, "unbound")
    base = replace(base, binding_id=binding.binding_id, shipment_id=binding.shipment_id)
    if seat.until is not None or binding.status != "active" or binding.expires_at <= now:
        return _reject(base, "expired", expired=binding if binding.status == "active" else None)
    if binding.a_ref == ref:
        return _to_recipient(rt, session, binding, base, binding.courier_id, "a_to_b")
    return _to_courier(rt, session, binding, base)


def _reject(base: Decision, reason: str, **extra: Any) -> Decision:
    return replace(
        base,
        action="reject",
        reason=PUBLIC_REASON.get(reason, reason),
        audit_reason=reason,
        **extra,
    )


def _shared_binding(
    rt: Runtime, session: Session, number: RelayNumber, base: Decision, now: datetime
) -> tuple[Binding, Decision] | Decision:
    """Return the live binding seated on a shared (AXN, AXG) number, or why there is none."""
    seat = session.scalars(
        select(Seat).where(
            Seat.tenant_id == rt.tenant, Seat.number_id == number.number_id, pool.live_seat()
        )
    ).first()
    binding = session.get(Binding, (rt.tenant, seat.binding_id)) if seat else None
    if binding is None:
        return _reject(base, "unbound")
    base = replace(base, binding_id=binding.binding_id, shipment_id=binding.shipment_id)
    if binding.status != "active" or binding.expires_at <= now:
        return _reject(base, "expired", expired=binding if binding.status == "active" else None)
    return binding, base


def _axn(
    rt: Runtime, session: Session, binding: Binding, base: Decision, caller: str, ref: bytes
) -> Decision:
    """Route to an AXN number: any on-duty courier reaches its recipient, nobody else."""
    if ref == binding.b_ref:
        return _reject(base, "one_way")
    courier = access_service.find_by_phone(rt, session, caller)
    if courier is None or courier.role != "courier":
        return _reject(base, "stranger")
    if courier.status != "active":
        return _reject(base, "not_on_duty", principal_id=courier.principal_id)
    return _to_recipient(rt, session, binding, base, courier.principal_id, "axn")


def _axe(
    rt: Runtime,
    session: Session,
    number: RelayNumber,
    ref: bytes,
    base: Decision,
    now: datetime,
    extension: str | None,
    attempt: int,
) -> Decision:
    """Route a call to an AXE number: ask for the extension, retry once, then help."""
    config = config_for(rt)
    if extension is None:
        return replace(
            base, action="gather", reason="extension_needed", audit_reason="gather", attempt=1
        )
    keyed = extension.strip().rstrip("#")
    wellformed = keyed.isdigit() and len(keyed) == config.extension_digits
    row = extensions.find(session, rt.tenant, number.number_id, keyed) if wellformed else None
    binding = session.get(Binding, (rt.tenant, row.binding_id)) if row is not None else None
    live = (
        row is not None
        and row.until is None
        and binding is not None
        and binding.status == "active"
        and binding.expires_at > now
    )
    if binding is None or not live:
        miss = "no_input" if not keyed else ("expired" if row is not None else "unknown")
        stale = binding if binding is not None and binding.status == "active" else None
        base = replace(base, extension_miss=miss, attempt=attempt, expired=stale)
        if attempt < config.extension_attempts:
            return replace(
                base,
                action="gather",
                reason="wrong_extension",
                audit_reason=f"extension_{miss}",
                attempt=attempt + 1,
            )
        return replace(
            base, action="reject", reason="wrong_extension", audit_reason=f"extension_{miss}"
        )
    base = replace(base, binding_id=binding.binding_id, shipment_id=binding.shipment_id)
    if ref == binding.a_ref:
        return _to_recipient(rt, session, binding, base, binding.courier_id, "a_to_b")
    if ref == binding.b_ref:
        return _to_courier(rt, session, binding, base)
    return _reject(base, "stranger")


def _axg(
    rt: Runtime, session: Session, binding: Binding, base: Decision, caller: str, ref: bytes
) -> Decision:
    """Route a call to an AXG number: the recipient reaches the group, the group the recipient."""
    if ref == binding.b_ref:
        return _to_group(rt, session, binding, base)
    member = access_service.find_by_phone(rt, session, caller)
    if member is None or member.station_id != binding.group_id:
        return _reject(base, "stranger")
    if member.status != "active":
        return _reject(base, "not_on_duty", principal_id=member.principal_id)
    return _to_recipient(rt, session, binding, base, member.principal_id, "g_to_b")


def _to_group(rt: Runtime, session: Session, binding: Binding, base: Decision) -> Decision:
    """Connect the recipient to the first reachable member of the binding's group."""
    for role in GROUP_ROLES:
        for member in access_service.list_principals(session, rt.tenant, role=role):
            if member.station_id != binding.group_id or member.status != "active":
                continue
            phone = access_service.open_phone(rt, member)
            number = canonical(phone.reveal()) if phone is not None else None
            if number is not None:
                base = replace(base, principal_id=member.principal_id, direction="b_to_g")
                return _connect(base, number, None)
    return _reject(replace(base, direction="b_to_g"), "unreachable")


def _to_recipient(
    rt: Runtime,
    session: Session,
    binding: Binding,
    base: Decision,
    principal_id: str | None,
    direction: str,
) -> Decision:
    base = replace(base, principal_id=principal_id, direction=direction)
    shipment = vault_service.get_by_id(session, rt.tenant, binding.shipment_id)
    if shipment is None or shipment.status == "purged":
        return _reject(base, "unreachable")
    opened = vault_service.open_fields(rt, session, shipment, [("recipient", "phone")])
    phone = opened.get(("recipient", "phone"))
    number = canonical(phone.reveal()) if phone is not None else None
    if number is None or phone is None:
        return _reject(base, "unreachable")
    parsed = normalize_phone(phone.reveal())  # a privacy number keeps its extension
    return _connect(base, number, binding.b_ref, parsed.extension if parsed else "")


def _to_courier(rt: Runtime, session: Session, binding: Binding, base: Decision) -> Decision:
    base = replace(base, principal_id=binding.courier_id, direction="b_to_a")
    courier = access_service.get(session, rt.tenant, binding.courier_id or "")
    if courier is None or courier.status != "active":
        return _reject(base, "unreachable")
    phone = access_service.open_phone(rt, courier)
    number = canonical(phone.reveal()) if phone is not None else None
    if number is None:
        return _reject(base, "unreachable")
    return _connect(base, number, binding.a_ref)


def _connect(
    base: Decision, number: str, callee_ref: bytes | None, extension: str = ""
) -> Decision:
    masked = mask_number(number)
    return replace(
        base,
        action="connect",
        reason=None,
        audit_reason="bound",
        connect_to=Sensitive(number),
        connect_digits=Sensitive(extension) if extension else None,
        callee_ref=callee_ref,
        callee_masked=f"{masked} 转 {'*' * len(extension)}" if extension else masked,
    )


@dataclass(frozen=True)
class CanaryCalled:
    """A reserved (canary) number was called; a subscriber may say whose canary it is.

    A subscriber answers `canary_id`, `holder_id`, `channel_kind` (other keys are dropped) or
    None when the number is not one of its canaries; one that fails changes nothing.
    """

    rt: Runtime
    session: Session
    number_id: str
    label: str | None


CANARY: Hook[CanaryCalled, Mapping[str, Any] | None] = Hook("relay.canary_called")


def _canary(rt: Runtime, session: Session, decision: Decision) -> dict[str, str]:
    """Ask the subscribers whose canary the number is (ids only, never a person)."""
    found: dict[str, Any] = {}
    called = CanaryCalled(rt, session, decision.number_id or "", decision.label)
    for resolver in rt.hooks.subscribers(CANARY):
        try:
            found.update(resolver(called) or {})
        except Exception as exc:  # the hit is recorded whatever a resolver does
            log.warning("relay: canary resolver failed (%s)", type(exc).__name__)
    return {k: str(found[k])[:64] for k in CANARY_KEYS if found.get(k)}


def _audit(
    rt: Runtime,
    session: Session,
    actor: Actor,
    decision: Decision,
    channel: str,
    call_id: str | None,
) -> None:
    details: dict[str, Any] = {
        "number_id": decision.number_id,
        "channel": channel,
        "call_id": call_id,
        "caller": decision.caller_masked,
    }
    if decision.extension_miss is not None:
        entry = Entry(
            "relay.extension_miss",
            "relay_number",
            decision.number_id,
            decision="deny",
            reason=decision.extension_miss,
            details={
                **details,
                # The ask this answered (a gather decision carries the next one).
                "attempt": (decision.attempt or 1) - (decision.action == "gather"),
                "final": decision.action == "reject",
                # The caller's keyed reference, shortened: lets the monitor count one caller's
                # misses without a phone number in the event.
                "target": decision.caller_ref.hex()[:16] if decision.caller_ref else None,
            },
        )
    elif decision.audit_reason == "canary":
        entry = Entry(
            "relay.canary_hit",
            "relay_number",
            decision.number_id,
            decision="deny",
            reason="canary",
            details={**details, "label": decision.label, **_canary(rt, session, decision)},
        )
    elif decision.action == "connect":
        opened = {"b_to_a": "courier.phone", "b_to_g": "staff.phone"}.get(
            decision.direction or "", "recipient.phone"
        )
        entry = Entry(
            "relay.connect",
            "shipment",
            decision.shipment_id,
            decision="allow",
            reason="bound",
            purpose="relay",
            details={
                **details,
                "binding_id": decision.binding_id,
                "direction": decision.direction,
                "opened": opened,
                "courier_id": decision.principal_id,
            },
        )
    else:
        entry = Entry(
            "relay.route",
            "relay_number",
            decision.number_id,
            decision="deny",
            reason=decision.audit_reason,
            details={**details, "binding_id": decision.binding_id},
        )
    auditor_for(rt).record(session, actor, entry)

"""Caller verification: "is this really my courier?" answered from live bindings only.

Genuine when the number that called is a relay number bound to this recipient (now, or within
the grace period), or the own phone of the courier carrying one of their parcels. Otherwise
unknown, with a warning about impersonation scams; never a hint about who the caller is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parcelguard.access import service as access_service
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import InvalidInput
from parcelguard.relay.config import config_for
from parcelguard.relay.inventory import find_number
from parcelguard.relay.models import Binding, CallRecord
from parcelguard.relay.numbers import mask_number, mask_waybill, party_ref, require_canonical
from parcelguard.relay.results import CallerVerdict
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service

LIVE_STATUSES = ("assigned", "out_for_delivery", "at_station")
GENUINE = {
    "zh": "这是您包裹的快递员通过隐私号码联系您。请勿向任何人提供验证码、身份证号或银行卡信息。",
    "en": "This is the courier of your parcel calling through a privacy number. Never give "
    "anyone a verification code, ID number or bank card details.",
}
WARNING = {
    "zh": "该号码不是您任何包裹的快递员号码。冒充快递员的诈骗常以“理赔”“包裹丢失”“退款”为由"
    "索要验证码或银行卡信息：请挂断电话，通过快递公司官方渠道核实，切勿转账或透露验证码。",
    "en": "This number is not the courier of any of your parcels. Scammers posing as couriers "
    "ask for verification codes or bank details to 'compensate a lost parcel' or 'refund': "
    "hang up, check through the carrier's official channels, never transfer money or share codes.",
}


def verify(
    rt: Runtime, session: Session, actor: Actor, recipient: str, caller: str
) -> CallerVerdict:
    """Say whether `caller` is a courier of one of `recipient`'s parcels; audited."""
    recipient_number = require_canonical(recipient, "recipient")
    caller_number = require_canonical(caller, "caller")
    now = rt.clock.now()
    since = now - timedelta(hours=config_for(rt).verify_grace_hours)
    r_ref = party_ref(rt, recipient_number)
    found = _through_relay(rt, session, r_ref, caller_number, now, since)
    if found is None:
        found = _direct(rt, session, recipient_number, caller_number)
    answer = _answer(rt, session, found)
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.verify",
            "shipment",
            found[1] if found else None,
            decision=answer["verdict"],
            reason=answer["via"],
            details={
                "recipient": mask_number(recipient_number),
                "caller": mask_number(caller_number),
                "courier_id": found[0] if found else None,
            },
        ),
    )
    return answer


def _through_relay(
    rt: Runtime, session: Session, r_ref: bytes, x: str, now: datetime, since: datetime
) -> tuple[str | None, str, str] | None:
    """Return (courier id, shipment id, "relay") when X is bound to the recipient."""
    number = find_number(session, rt.tenant, x)
    if number is None or number.state == "reserved":
        return None
    binding = session.scalars(
        select(Binding)
        .where(
            Binding.tenant_id == rt.tenant,
            Binding.b_ref == r_ref,
            Binding.number_id == number.number_id,
            Binding.created_at <= now,
            or_(Binding.status == "active", Binding.ended_at >= since),
            Binding.expires_at >= since,
        )
        .order_by(Binding.created_at.desc())
    ).first()
    if binding is None:
        return None
    courier_id = binding.courier_id
    if courier_id is None:  # AXN: the courier is whoever last got through on it
        courier_id = session.scalar(
            select(CallRecord.principal_id)
            .where(
                CallRecord.tenant_id == rt.tenant,
                CallRecord.binding_id == binding.binding_id,
                CallRecord.decision == "connect",
            )
            .order_by(CallRecord.started_at.desc())
            .limit(1)
        )
    return courier_id, binding.shipment_id, "relay"


def _direct(
    rt: Runtime, session: Session, recipient: str, caller: str
) -> tuple[str | None, str, str] | None:
    """Return (courier id, shipment id, "direct") when the caller is the courier's own phone."""
    courier = access_service.find_by_phone(rt, session, caller)
    if courier is None or courier.role != "courier" or courier.status != "active":
        return None
    try:
        shipment_ids = vault_service.shipment_ids_for_phone(rt, session, recipient)
    except InvalidInput:  # not a mainland number: no parcel of ours can carry it
        return None
    for shipment_id in shipment_ids:
        shipment = vault_service.get_by_id(session, rt.tenant, shipment_id)
        if (
            shipment is not None
            and shipment.courier_id == courier.principal_id
            and shipment.status in LIVE_STATUSES
        ):
            return courier.principal_id, shipment.shipment_id, "direct"
    return None


def _answer(
    rt: Runtime, session: Session, found: tuple[str | None, str, str] | None
) -> CallerVerdict:
    if found is None:
        return {
            "verdict": "unknown",
            "genuine": False,
            "via": None,
            "courier": None,
            "waybill": None,
            "message": WARNING,
        }
    courier_id, shipment_id, via = found
    courier = access_service.get(session, rt.tenant, courier_id) if courier_id else None
    shipment = vault_service.get_by_id(session, rt.tenant, shipment_id)
    return {
        "verdict": "genuine",
        "genuine": True,
        "via": via,
        "courier": (
            {"name": courier.name_masked, "employee_no": courier.employee_no}
            if courier is not None
            else None
        ),
        "waybill": mask_waybill(shipment.waybill_no) if shipment is not None else None,
        "message": GENUINE,
    }

"""Scanning a label's QR code: who is looking, what they may see, and the audit of every scan.

A stranger learns that the parcel is protected, its carrier and a coarse status; an assigned
courier is sent on to the reveal flow; other staff are refused; a token that is unknown,
revoked or expired gets the same neutral answer. Each scan is audited as `label.scan` with the
token's short reference (never the token) and a keyed digest of the client address, so the
monitor sees a label being scanned again and again by strangers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from parcelguard import ratelimit
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import RateLimited
from parcelguard.labels import tokens
from parcelguard.runtime import Runtime
from parcelguard.vault.service import Shipment, get_by_id

ANONYMOUS = Actor("anonymous", "anonymous")
# Scans per client address; `[ratelimit.limits.label_scan]` in config.toml overrides it.
SCAN_LIMIT = ratelimit.Limit(limit=30, window=60)
# What a stranger may learn of the parcel's state: four words, no times, no places.
COARSE_STATUS = {
    "created": "in_transit",
    "assigned": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "at_station": "at_station",
    "delivered": "delivered",
    "returned": "returned",
}
NEUTRAL = ("unknown", "revoked", "expired")


@dataclass(frozen=True)
class ScanResult:
    """What the scan page may show; `waybill_no` only for the assigned courier."""

    outcome: str
    carrier: str | None = None
    status: str | None = None
    waybill_no: str | None = None


def ip_digest(rt: Runtime, client: str) -> str:
    """Return a keyed digest of the client address (the address itself is never stored)."""
    return rt.keyring.index.digest(rt.tenant, "scan_ip", client).hex()[:16]


def scan(rt: Runtime, caller: Caller | None, token: str, client: str) -> ScanResult:
    """Resolve a scanned token for this caller, audit the scan and return what to show."""
    client_ref = ip_digest(rt, client)
    allowed, first_refusal = _within_limit(rt, client_ref)
    if not allowed:
        if first_refusal:  # a flood is reported once per window, not once per hit
            with rt.db.session() as session:
                _audit(rt, session, caller, None, "-", "rate_limited", client_ref)
        return ScanResult("rate_limited")
    with rt.db.session() as session:
        row, ref = tokens.find(rt, session, token)
        shipment = get_by_id(session, rt.tenant, row.shipment_id) if row is not None else None
        if row is None or shipment is None:
            result = ScanResult("unknown")
        elif row.revoked_at is not None:
            result = ScanResult("revoked")
        elif tokens.is_expired(rt, row, shipment):
            result = ScanResult("expired")
        else:
            result = _for_caller(shipment, caller)
        _audit(rt, session, caller, shipment, ref, result.outcome, client_ref)
    return result


def _within_limit(rt: Runtime, client_ref: str) -> tuple[bool, bool]:
    """Count a scan for this client; return (allowed, first refusal of the window)."""
    config = ratelimit.config_for(rt)
    if not config.enabled:
        return True, False
    limit = config.limit_for("label_scan", SCAN_LIMIT)
    limiter = rt.limiter
    try:
        limiter.hit(f"label_scan:ip:{client_ref}", limit.limit, limit.window)
        return True, False
    except RateLimited:
        pass
    try:
        limiter.hit(f"label_scan_refused:ip:{client_ref}", 1, limit.window)
        return False, True
    except RateLimited:
        return False, False


def _for_caller(shipment: Shipment, caller: Caller | None) -> ScanResult:
    carrier, status = shipment.carrier, COARSE_STATUS.get(shipment.status, "in_transit")
    if caller is None or not caller.is_person:
        return ScanResult("anonymous", carrier, status)
    if caller.role == "courier" and shipment.courier_id == caller.principal_id:
        return ScanResult("assigned_courier", carrier, status, shipment.waybill_no)
    return ScanResult("staff_not_assigned")


def _audit(
    rt: Runtime,
    session: Session,
    caller: Caller | None,
    shipment: Shipment | None,
    ref: str,
    outcome: str,
    client_ref: str,
) -> None:
    details = {
        "token_ref": ref,
        "waybill": shipment.waybill_no if shipment is not None else None,
        "outcome": outcome,
        "ip_digest": client_ref,
        "parcel_station": shipment.station_id if shipment is not None else None,
    }
    if caller is not None:
        details["via"] = caller.via
    auditor_for(rt).record(
        session,
        caller.actor if caller is not None else ANONYMOUS,
        Entry(
            "label.scan",
            "shipment",
            shipment.shipment_id if shipment is not None else None,
            decision="deny"
            if outcome in (*NEUTRAL, "staff_not_assigned", "rate_limited")
            else "allow",
            reason=outcome,
            details=details,
        ),
    )

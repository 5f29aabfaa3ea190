"""Canary shipments in the vault: sealed like any parcel, `kind = "canary"`, shredded at retirement.

The only place forensics has vault rows written (through `vault.queries`). It seals through
the vault's own `PartySealer`, so a canary is indistinguishable from a parcel in the database
(ciphertexts, blind indexes, masked forms); what marks it is the shipment's `kind`, which every
normal view, statistic and label filters on. No `shipments.import` event is written: the
seeding is audited as `forensics.canary_seed`, for security officers only.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from parcelguard.db import new_id
from parcelguard.forensics.canary_identity import CanaryPerson, new_faker, range_number
from parcelguard.pii.divisions import resolve_regions
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import queries as vault_queries
from parcelguard.vault.results import ShipmentRow
from parcelguard.vault.rows import PartyInput
from parcelguard.vault.service import sealer_for

STATUS_FOR = {"courier": "assigned", "station": "at_station"}


def home_adcode(session: Session, tenant_id: str, kind: str, channel_id: str) -> str | None:
    """Return the district a courier's or station's parcels most often go to (canaries blend in)."""
    if kind not in STATUS_FOR:
        return None
    if kind == "courier":
        return vault_queries.most_frequent_adcode(session, tenant_id, courier_id=channel_id)
    return vault_queries.most_frequent_adcode(session, tenant_id, station_id=channel_id)


def create_shipment(
    rt: Runtime, session: Session, person: CanaryPerson, kind: str, channel_id: str
) -> tuple[str, str, dict[str, Any]]:
    """Store a canary parcel for `person`; return (shipment id, waybill, recipient row)."""
    now = rt.clock.now()
    epoch = (now + timedelta(days=rt.settings.undelivered_retention_days)).date()
    sid, waybill = new_id(), _new_waybill(session, rt.tenant)
    sealer = sealer_for(rt)
    recipient_input = PartyInput(person.name, person.phone, person.address)
    recipient = sealer.seal(sid, "recipient", recipient_input, person.region, epoch)
    sender_input, sender_region = _sender(rt, session)
    sender = sealer.seal(sid, "sender", sender_input, sender_region, epoch)
    row = _row(rt.tenant, sid, waybill, kind, channel_id, now, epoch)
    vault_queries.add_sealed_rows(session, row, [sender, recipient])
    return sid, waybill, recipient


def shred(rt: Runtime, session: Session, shipment_id: str) -> None:
    """Delete a retired canary's parties, mark its parcel purged; forensics keeps its digests."""
    vault_queries.shred_parties(session, rt.tenant, shipment_id, rt.clock.now())


def _row(
    tenant: str, sid: str, waybill: str, kind: str, channel_id: str, now: datetime, epoch: Any
) -> ShipmentRow:
    return {
        "tenant_id": tenant,
        "shipment_id": sid,
        "waybill_no": waybill,
        "carrier": None,
        "status": STATUS_FOR.get(kind, "created"),
        "created_at": now,
        "updated_at": now,
        "courier_id": channel_id if kind == "courier" else None,
        "station_id": channel_id if kind == "station" else None,
        "purge_epoch": epoch,
        "fingerprint": None,
        "kind": "canary",
    }


def _sender(rt: Runtime, session: Session) -> tuple[PartyInput, Any]:
    """Return a sender whose number is also from the canary range (it must match nobody)."""
    faker = new_faker()
    for _ in range(20):
        address = faker.address()
        region = resolve_regions([address])[0]
        if region is not None:
            phone = range_number(rt, session)
            return PartyInput(Sensitive(faker.name()), phone, Sensitive(address)), region
    raise RuntimeError("no resolvable sender address")  # the synthetic addresses always resolve


def _new_waybill(session: Session, tenant_id: str) -> str:
    while True:
        waybill = f"PG{secrets.randbelow(10**13):013d}"
        if not vault_queries.waybill_taken(session, tenant_id, waybill):
            return waybill

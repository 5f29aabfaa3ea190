"""Vault use cases: look shipments up, show them masked, find by phone, open fields for reveal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for, events_for_targets
from parcelguard.errors import InvalidInput, NotFound
from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault.models import Party as Party  # the record types other domains are handed
from parcelguard.vault.models import Shipment as Shipment
from parcelguard.vault.results import AccessRecord, MaskedShipment
from parcelguard.vault.sealing import PartySealer
from parcelguard.vault.views import shipment_view

PARTY_ROLES = ("recipient", "sender")


def sealer_for(rt: Runtime) -> PartySealer:
    """Return the party sealer of the runtime's tenant (it holds no state of its own)."""
    return PartySealer(rt.keyring, rt.tenant)


# The reveal path's two reads, built once (their compiled forms are cached).
_BY_WAYBILL = select(Shipment).where(
    Shipment.tenant_id == bindparam("tenant_id"), Shipment.waybill_no == bindparam("waybill_no")
)
_PARTIES = select(Party).where(
    Party.tenant_id == bindparam("tenant_id"), Party.shipment_id == bindparam("shipment_id")
)


def get(session: Session, tenant_id: str, waybill_no: str) -> Shipment | None:
    """Return the shipment with this waybill number, if any."""
    found = {"tenant_id": tenant_id, "waybill_no": waybill_no.strip()}
    return session.execute(_BY_WAYBILL, found).scalar_one_or_none()


def get_or_raise(session: Session, tenant_id: str, waybill_no: str) -> Shipment:
    """Return the shipment or raise `NotFound` naming the waybill."""
    shipment = get(session, tenant_id, waybill_no)
    if shipment is None:
        raise NotFound("no shipment with this waybill", code="shipment_not_found")
    return shipment


def get_by_id(session: Session, tenant_id: str, shipment_id: str) -> Shipment | None:
    """Return a shipment by its internal id."""
    return session.get(Shipment, (tenant_id, shipment_id))


def parties_of(session: Session, shipment: Shipment) -> dict[str, Party]:
    """Return the shipment's parties by role."""
    of = {"tenant_id": shipment.tenant_id, "shipment_id": shipment.shipment_id}
    return {p.role: p for p in session.scalars(_PARTIES, of)}


def view(session: Session, shipment: Shipment) -> MaskedShipment:
    """Return the masked view of a shipment."""
    return shipment_view(shipment, parties_of(session, shipment))


def show(rt: Runtime, session: Session, actor: Actor, waybill_no: str) -> MaskedShipment:
    """Return the masked view and record that `actor` looked."""
    shipment = get_or_raise(session, rt.tenant, waybill_no)
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "shipment.view",
            "shipment",
            shipment.shipment_id,
            details={"waybill": shipment.waybill_no},
        ),
    )
    return view(session, shipment)


def shipment_ids_for_phone(rt: Runtime, session: Session, phone: str) -> list[str]:
    """Return the ids of shipments where this phone is the sender's or recipient's."""
    normalized = normalize_phone(phone)
    if normalized is None:
        raise InvalidInput(
            "phone is not a mainland mobile or a landline with area code", code="invalid_phone"
        )
    digest = rt.keyring.index.digest(rt.tenant, "phone", normalized.e164)
    query = select(Party.shipment_id).where(
        Party.tenant_id == rt.tenant, Party.phone_bidx == digest
    )
    return list(dict.fromkeys(session.scalars(query)))


def find_by_phone(rt: Runtime, session: Session, actor: Actor, phone: str) -> list[str]:
    """Return the waybills whose sender or recipient has this phone (blind index, no decryption)."""
    ids = shipment_ids_for_phone(rt, session, phone)
    waybills: list[str] = []
    if ids:
        query = (
            select(Shipment.waybill_no)
            .where(
                Shipment.tenant_id == rt.tenant,
                Shipment.shipment_id.in_(ids),
                Shipment.status != "purged",
                Shipment.kind == "normal",
            )
            .order_by(Shipment.created_at)
        )
        waybills = list(session.scalars(query))
    auditor_for(rt).record(
        session,
        actor,
        Entry("shipment.search", "shipment", None, details={"by": "phone", "found": len(waybills)}),
    )
    return waybills


def open_fields(
    rt: Runtime,
    session: Session,
    shipment: Shipment,
    wanted: Sequence[tuple[str, str]],
    parties: dict[str, Party] | None = None,
) -> dict[tuple[str, str], Sensitive]:
    """Decrypt exactly the asked (role, field) pairs; policy and audit are the caller's job.

    `parties` are the shipment's, when the caller already read them in this session.
    """
    if parties is None:
        parties = parties_of(session, shipment)
    sealer = sealer_for(rt)
    opened: dict[tuple[str, str], Sensitive] = {}
    for role in PARTY_ROLES:
        fields = [f for r, f in wanted if r == role]
        if fields and role in parties:
            for field, value in sealer.open(parties[role], fields).items():
                opened[(role, field)] = value
    return opened


def list_for_courier(
    session: Session, tenant_id: str, courier_id: str, statuses: Iterable[str]
) -> list[Shipment]:
    """Return the shipments assigned to a courier in the given states."""
    query = select(Shipment).where(
        Shipment.tenant_id == tenant_id,
        Shipment.courier_id == courier_id,
        Shipment.status.in_(list(statuses)),
    )
    return list(session.scalars(query.order_by(Shipment.created_at)))


ACCESS_ACTIONS = (
    "reveal",
    "shipment.view",
    "label.scan",
    "label.print",
    "relay.connect",
    "export.run",
    "service.lookup",  # customer service found the parcel by waybill or phone (masked view)
)


def access_history(
    rt: Runtime, session: Session, phone: str, *, limit: int = 500
) -> list[AccessRecord]:
    """Return who accessed the parcels of the person with this phone ("who viewed my data").

    One row per access: when, the accessor's role and station, what they did, the purpose,
    the decision and the fields asked for. Staff identities stay out: a recipient learns the
    role and station, which is what PIPL art. 45 requires and what a complaint needs.
    """
    ids = shipment_ids_for_phone(rt, session, phone)
    if not ids:
        return []
    waybills = dict(
        session.execute(
            select(Shipment.shipment_id, Shipment.waybill_no).where(
                Shipment.tenant_id == rt.tenant, Shipment.shipment_id.in_(ids)
            )
        ).all()
    )
    rows: list[AccessRecord] = []
    for event in events_for_targets(session, rt.tenant, ids, ACCESS_ACTIONS)[:limit]:
        details = json.loads(event.details or "{}")
        rows.append(
            {
                "seq": event.seq,
                "at": event.at.isoformat(),
                "waybill_no": waybills.get(event.target_id or "", ""),
                "action": event.action,
                "role": event.actor_role,
                "station_id": event.station_id,
                "purpose": event.purpose,
                "decision": event.decision,
                "fields": details.get("fields", []),
            }
        )
    return rows

"""What other domains may read from the vault's tables, and the canary rows they may add.

Every query of `shipments` and `parties` made on behalf of another domain lives here (or in
`vault.service`), so the vault's tables have one owner (import-linter: "A domain's tables are
read through its own functions"). Other domains get the records (`vault.service.Shipment`,
`Party`) or plain values back, and SQL subqueries where the database must do the joining.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, delete, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Subquery

from parcelguard.db import bulk_insert
from parcelguard.vault.models import Party, Shipment, ShipmentEvent

CHUNK = 500


def by_waybills(session: Session, tenant_id: str, waybills: Sequence[str]) -> dict[str, Shipment]:
    """Return the tenant's shipments with these waybill numbers, by waybill (any kind)."""
    found: dict[str, Shipment] = {}
    for start in range(0, len(waybills), CHUNK):
        chunk = waybills[start : start + CHUNK]
        query = select(Shipment).where(
            Shipment.tenant_id == tenant_id, Shipment.waybill_no.in_(chunk)
        )
        found.update((s.waybill_no, s) for s in session.scalars(query))
    return found


def parties_by_shipment(
    session: Session, tenant_id: str, shipment_ids: Iterable[str]
) -> dict[str, dict[str, Party]]:
    """Return the parties of these shipments, by shipment id and role."""
    ids = list(shipment_ids)
    by_shipment: dict[str, dict[str, Party]] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(Party).where(
            Party.tenant_id == tenant_id, Party.shipment_id.in_(ids[start : start + CHUNK])
        )
        for party in session.scalars(query):
            by_shipment.setdefault(party.shipment_id, {})[party.role] = party
    return by_shipment


def live_shipments(session: Session, tenant_id: str, shipment_ids: Sequence[str]) -> list[Shipment]:
    """Return these shipments that are ordinary parcels and not purged, newest first."""
    query = (
        select(Shipment)
        .where(
            Shipment.tenant_id == tenant_id,
            Shipment.shipment_id.in_(shipment_ids),
            Shipment.status != "purged",
            Shipment.kind == "normal",
        )
        .order_by(Shipment.created_at.desc())
    )
    return list(session.scalars(query))


def lifecycle_steps(
    session: Session, tenant_id: str, shipment_id: str, limit: int
) -> list[ShipmentEvent]:
    """Return a shipment's newest lifecycle steps (scans, handovers), newest first."""
    query = (
        select(ShipmentEvent)
        .where(ShipmentEvent.tenant_id == tenant_id, ShipmentEvent.shipment_id == shipment_id)
        .order_by(ShipmentEvent.seq.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def party(session: Session, tenant_id: str, shipment_id: str, role: str) -> Party | None:
    """Return one party of a shipment, or None."""
    return session.get(Party, (tenant_id, shipment_id, role))


def normal_recipients(tenant_id: str) -> Subquery:
    """Return the tenant's ordinary (not canary) shipments with their recipient's district.

    A subquery to join on (the database does the aggregation), with the columns shipment_id,
    waybill_no, created_at, courier_id, station_id and adcode (the recipient's).
    """
    return (
        select(
            Shipment.shipment_id,
            Shipment.waybill_no,
            Shipment.created_at,
            Shipment.courier_id,
            Shipment.station_id,
            Party.adcode,
        )
        .join(Party, _recipient_of(Shipment, Party))
        .where(Shipment.tenant_id == tenant_id, Shipment.kind == "normal")
        .subquery("normal_recipients")
    )


class DigestHit(NamedTuple):
    """A party of an ordinary shipment whose keyed digest matched."""

    digest: bytes
    shipment_id: str
    role: str
    phone_masked: str
    adcode: str  # the recipient's district, whichever party matched
    created_at: datetime
    waybill_no: str


def parties_by_digest(
    session: Session, tenant_id: str, column: str, digests: Sequence[bytes]
) -> list[DigestHit]:
    """Return the parties of ordinary shipments whose blind index `column` is in `digests`."""
    recipient = aliased(Party)
    key = getattr(Party, column)
    query = (
        select(
            key,
            Party.shipment_id,
            Party.role,
            Party.phone_masked,
            recipient.adcode,
            Shipment.created_at,
            Shipment.waybill_no,
        )
        .join(Shipment, _same_shipment(Shipment, Party))
        .join(recipient, _recipient_of(Party, recipient))
        .where(Party.tenant_id == tenant_id, key.in_(digests), Shipment.kind == "normal")
    )
    return [DigestHit(bytes(row[0]), *row[1:]) for row in session.execute(query)]


def digest_taken(session: Session, tenant_id: str, column: str, digest: bytes) -> bool:
    """Return whether any party of the tenant has this digest in blind index `column`."""
    taken = exists().where(Party.tenant_id == tenant_id, getattr(Party, column) == digest)
    return bool(session.scalar(select(taken)))


def waybill_taken(session: Session, tenant_id: str, waybill: str) -> bool:
    """Return whether the tenant has a shipment (of any kind) with this waybill number."""
    taken = exists().where(Shipment.tenant_id == tenant_id, Shipment.waybill_no == waybill)
    return bool(session.scalar(select(taken)))


def most_frequent_adcode(
    session: Session,
    tenant_id: str,
    *,
    courier_id: str | None = None,
    station_id: str | None = None,
) -> str | None:
    """Return the district a courier's or station's ordinary parcels most often go to."""
    column = Shipment.courier_id if courier_id is not None else Shipment.station_id
    query = (
        select(Party.adcode, func.count())
        .join(Shipment, _same_shipment(Shipment, Party))
        .where(
            Party.tenant_id == tenant_id,
            Party.role == "recipient",
            column == (courier_id if courier_id is not None else station_id),
            Shipment.kind == "normal",
        )
        .group_by(Party.adcode)
        .order_by(func.count().desc(), Party.adcode)
        .limit(1)
    )
    row = session.execute(query).first()
    return str(row[0]) if row else None


def add_sealed_rows(
    session: Session, shipment: Mapping[str, Any], parties: Sequence[Mapping[str, Any]]
) -> None:
    """Insert one shipment row and its sealed party rows as they are (a canary parcel)."""
    bulk_insert(session, Shipment.__table__, [dict(shipment)])
    bulk_insert(session, Party.__table__, [dict(p) for p in parties])


def shred_parties(session: Session, tenant_id: str, shipment_id: str, now: datetime) -> None:
    """Delete a shipment's parties and mark it purged (a retired canary)."""
    session.execute(
        delete(Party).where(Party.tenant_id == tenant_id, Party.shipment_id == shipment_id)
    )
    shipment = session.get(Shipment, (tenant_id, shipment_id))
    if shipment is not None:
        shipment.status, shipment.purged_at, shipment.updated_at = "purged", now, now


def _same_shipment(one: Any, other: Any) -> ColumnElement[bool]:
    """Return the join condition of two rows (shipment or party) of one shipment."""
    return and_(one.tenant_id == other.tenant_id, one.shipment_id == other.shipment_id)


def _recipient_of(row: Any, party: Any) -> ColumnElement[bool]:
    """Return the join condition of a shipment's (or a party's) recipient party."""
    return and_(_same_shipment(row, party), party.role == "recipient")

"""Vault tables: shipments, their two parties (every PII field sealed), and lifecycle events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.crypto import SealedTable, register_sealed
from parcelguard.db import Base, SealedRow, UTCDateTime, owned_by

STATUSES = (
    "created",
    "assigned",
    "out_for_delivery",
    "at_station",
    "delivered",
    "returned",
    "purged",
)


class Shipment(Base):
    """A parcel: public routing facts in the clear, its people in `Party` rows."""

    __tablename__ = "shipments"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    waybill_no: Mapped[str] = mapped_column(String(40))
    carrier: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="created")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    courier_id: Mapped[str | None] = mapped_column(String(64))
    station_id: Mapped[str | None] = mapped_column(String(64))
    out_for_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    purge_epoch: Mapped[date] = mapped_column(Date)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    kind: Mapped[str] = mapped_column(String(12), default="normal")

    __table_args__ = (
        UniqueConstraint("tenant_id", "waybill_no"),
        UniqueConstraint("tenant_id", "fingerprint"),
        Index("ix_shipments_epoch", "tenant_id", "purge_epoch"),
        # Partial: most imported parcels have no courier or station yet, and lists only ever
        # ask for a given one, so the NULLs need no index entries.
        Index(
            "ix_shipments_courier",
            "tenant_id",
            "courier_id",
            "status",
            sqlite_where=text("courier_id IS NOT NULL"),
            postgresql_where=text("courier_id IS NOT NULL"),
        ),
        Index(
            "ix_shipments_station",
            "tenant_id",
            "station_id",
            "status",
            sqlite_where=text("station_id IS NOT NULL"),
            postgresql_where=text("station_id IS NOT NULL"),
        ),
    )


class Party(SealedRow, Base):
    """The recipient or sender of a shipment, sealed under the party's own data key."""

    __tablename__ = "parties"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_ct: Mapped[bytes] = mapped_column(LargeBinary)
    phone_ct: Mapped[bytes] = mapped_column(LargeBinary)
    address_ct: Mapped[bytes] = mapped_column(LargeBinary)
    id_no_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_bidx: Mapped[bytes] = mapped_column(LargeBinary(16))
    name_region_bidx: Mapped[bytes] = mapped_column(LargeBinary(16))
    last4_digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    name_masked: Mapped[str] = mapped_column(String(80))
    phone_masked: Mapped[str] = mapped_column(String(32))
    address_masked: Mapped[str] = mapped_column(String(160))
    id_no_masked: Mapped[str | None] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(32))
    district: Mapped[str] = mapped_column(String(32))
    adcode: Mapped[str] = mapped_column(String(12))

    __table_args__ = (
        owned_by("shipments", "shipment_id"),
        Index("ix_parties_phone", "tenant_id", "phone_bidx"),
        Index("ix_parties_name_region", "tenant_id", "name_region_bidx"),
    )


# Every PII field of a party, sealed under the party's data key; KEK rotation walks this.
PARTY_SEALING = register_sealed(
    SealedTable(
        Party,
        owner="{shipment_id}/{role}",
        fields={
            "name": "name_ct",
            "phone": "phone_ct",
            "address": "address_ct",
            "id_no": "id_no_ct",
        },
    )
)


class ShipmentEvent(Base):
    """One lifecycle step of a shipment (assigned, out for delivery, at station …)."""

    __tablename__ = "shipment_events"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    courier_id: Mapped[str | None] = mapped_column(String(64))
    station_id: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[str] = mapped_column(String(64))
    # What the client said the time was: information only, never used by a rule.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    from_station_id: Mapped[str | None] = mapped_column(String(64))  # transfers
    proof: Mapped[str | None] = mapped_column(String(24))  # deliveries: pickup_code / reason
    reason: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        owned_by("shipments", "shipment_id"),
        Index("ix_shipment_events_transfers", "tenant_id", "type", "at"),
    )

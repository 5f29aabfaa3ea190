"""Label tables: QR tokens (stored only as keyed digests) and station pickup codes.

A token's plaintext lives on the printed label and nowhere else: the table holds its keyed
digest, so a copy of the database cannot rebuild a single QR URL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime, owned_by

PICKUP_STATUSES = ("waiting", "picked_up", "withdrawn")


class LabelToken(Base):
    """One printed label's QR token: which shipment it opens, until when, revoked or not."""

    __tablename__ = "label_tokens"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_digest: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        owned_by("shipments", "shipment_id"),
        # Scans look a token up by its digest alone.
        Index("ix_label_tokens_digest", "tenant_id", "token_digest", unique=True),
    )


class PickupCode(Base):
    """A parcel waiting at a station under a pickup code (取件码) such as `3-2-0417`."""

    __tablename__ = "pickup_codes"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[int] = mapped_column(Integer)
    shelf: Mapped[int] = mapped_column(Integer)
    layer: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    waybill_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        owned_by("shipments", "shipment_id"),
        # A code names one waiting parcel at its station; picked-up codes are reused later.
        Index(
            "ix_pickup_codes_waiting",
            "tenant_id",
            "station_id",
            "code",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
    )


class PickupCounter(Base):
    """A station's running pickup number, locked while a code is allocated."""

    __tablename__ = "pickup_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)

"""Forensics tables: canaries (which channel got which), traced leaks, and exposed phones.

Nothing here holds a plaintext phone or name: canaries keep the same keyed digests the vault's
blind index uses (so a leak still matches a canary after its shipment is retired), exposed
phones keep a keyed digest for joins inside ParcelGuard and the public-salted SHA-256 that the
portal's range query answers from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime

CHANNEL_KINDS = ("courier", "station", "api_key", "export")
CANARY_STATES = ("active", "retired")


class Canary(Base):
    """A synthetic shipment seeded for one channel; its recipient exists nowhere else."""

    __tablename__ = "forensic_canaries"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    canary_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(32))
    waybill_no: Mapped[str] = mapped_column(String(40))
    channel_kind: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(64))
    principal_id: Mapped[str | None] = mapped_column(String(64))
    phone_bidx: Mapped[bytes] = mapped_column(LargeBinary(16))
    name_region_bidx: Mapped[bytes] = mapped_column(LargeBinary(16))
    phone_masked: Mapped[str] = mapped_column(String(32))
    number_source: Mapped[str] = mapped_column(String(12))  # "relay" or "range"
    relay_number_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12), default="active")
    seeded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seeded_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_forensic_canaries_phone", "tenant_id", "phone_bidx"),
        Index("ix_forensic_canaries_name_region", "tenant_id", "name_region_bidx"),
        Index("ix_forensic_canaries_channel", "tenant_id", "channel_kind", "channel_id", "status"),
    )


class Leak(Base):
    """A traced leaked file: when it leaked, what matched, and the PII-free report."""

    __tablename__ = "forensic_leaks"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    leak_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    leaked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    traced_at: Mapped[datetime] = mapped_column(UTCDateTime())
    traced_by: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    canary_hits: Mapped[int] = mapped_column(Integer, default=0)
    accused: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str] = mapped_column(Text, default="{}")


class ExposedPhone(Base):
    """One phone seen in one traced leak: a keyed digest and the public-salted hash."""

    __tablename__ = "forensic_exposed_phones"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    leak_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_hash: Mapped[str] = mapped_column(String(64))
    leaked_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (Index("ix_forensic_exposed_phones_public", "tenant_id", "public_hash"),)

"""Relay tables: pool numbers, bindings, per-number party seats, and call / SMS records.

No real phone number is stored here: parties are blind-index digests (`*_ref`) and masked
forms; the real numbers stay sealed in the vault and in staff records.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.crypto import SealedTable, register_sealed
from parcelguard.db import Base, UTCDateTime

NUMBER_STATES = ("free", "bound", "cooling", "reserved", "axe", "axg")
BINDING_KINDS = ("axb", "axn", "axe", "axg")
# Numbers dedicated to one mode for good: an AXE number carries extensions, an AXG number
# a station's group; neither is ever allocated to AXB or AXN.
DEDICATED_STATES = ("axe", "axg")


class RelayNumber(Base):
    """A virtual number (X) of the tenant's pool."""

    __tablename__ = "relay_numbers"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(20))  # canonical, +86… for mainland numbers
    city: Mapped[str | None] = mapped_column(String(12))  # adcode of the city it serves
    state: Mapped[str] = mapped_column(String(12), default="free")
    mode: Mapped[str] = mapped_column(String(4), default="axb")  # axn numbers are exclusive
    slot: Mapped[int] = mapped_column(Integer)  # random, spreads allocation over the pool
    cooling_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    label: Mapped[str | None] = mapped_column(String(64))  # why it is reserved (canary id …)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_relay_numbers_slot", "tenant_id", "slot"),
        Index("ix_relay_numbers_state", "tenant_id", "state", "city"),
    )


class Binding(Base):
    """Who may talk through X: courier A and recipient B (AXB), or anyone on duty to B (AXN)."""

    __tablename__ = "relay_bindings"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    binding_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))
    number_id: Mapped[str] = mapped_column(String(32))
    shipment_id: Mapped[str] = mapped_column(String(32))
    courier_id: Mapped[str | None] = mapped_column(String(64))
    a_ref: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    b_ref: Mapped[bytes] = mapped_column(LargeBinary(16))
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(8))  # AXE: the extension on X
    group_id: Mapped[str | None] = mapped_column(String(64))  # AXG: the station of the group
    # A cloud provider's id of the same binding (Alibaba SubsId, Huawei subscriptionId).
    provider_ref: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_relay_bindings_shipment", "tenant_id", "shipment_id", "status"),
        Index("ix_relay_bindings_expiry", "tenant_id", "status", "expires_at"),
        Index("ix_relay_bindings_recipient", "tenant_id", "b_ref"),
        Index("ix_relay_bindings_provider_ref", "tenant_id", "provider_ref"),
        # At most one active AXB binding per parcel, whatever races the callers run.
        Index(
            "uq_relay_bindings_active",
            "tenant_id",
            "shipment_id",
            unique=True,
            postgresql_where=text("status = 'active' AND kind = 'axb'"),
            sqlite_where=text("status = 'active' AND kind = 'axb'"),
        ),
    )


class Seat(Base):
    """One party's place on one number: at most one per (X, party), so calls route one way.

    `until` is NULL while the binding is active; afterwards the seat stays, cooling, until
    `until`, so X is not given to a new binding with that party during the quiet period.
    The primary key is the allocation guarantee: two bindings can never seat one party on
    one number, whatever the concurrency.
    """

    __tablename__ = "relay_seats"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_ref: Mapped[bytes] = mapped_column(LargeBinary(16), primary_key=True)
    binding_id: Mapped[str] = mapped_column(String(32))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_relay_seats_party", "tenant_id", "party_ref"),
        Index("ix_relay_seats_until", "tenant_id", "until"),
    )


class CallRecord(Base):
    """One call or SMS through the relay, idempotent per provider call id."""

    __tablename__ = "relay_calls"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(16))
    number_id: Mapped[str | None] = mapped_column(String(32))
    virtual_number: Mapped[str | None] = mapped_column(String(20))
    binding_id: Mapped[str | None] = mapped_column(String(32))
    shipment_id: Mapped[str | None] = mapped_column(String(32))
    principal_id: Mapped[str | None] = mapped_column(String(64))
    direction: Mapped[str | None] = mapped_column(String(8))
    caller_ref: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    caller_masked: Mapped[str | None] = mapped_column(String(32))
    callee_ref: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    callee_masked: Mapped[str | None] = mapped_column(String(32))
    decision: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_s: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_relay_calls_number", "tenant_id", "number_id", "started_at"),
        Index("ix_relay_calls_binding", "tenant_id", "binding_id"),
    )


class Extension(Base):
    """One extension of an AXE number: live (`until` NULL) or cooling until `until`.

    The primary key (number, extension) is the uniqueness guarantee: two live bindings can
    never hold one extension, whatever the concurrency; a cooled row is taken over in place.
    """

    __tablename__ = "relay_extensions"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    extension: Mapped[str] = mapped_column(String(8), primary_key=True)
    binding_id: Mapped[str] = mapped_column(String(32))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_relay_extensions_binding", "tenant_id", "binding_id"),
        Index("ix_relay_extensions_until", "tenant_id", "until"),
    )


class Condition(Base):
    """A relay condition that lasts (the pool is exhausted): alerted once, counted after."""

    __tablename__ = "relay_conditions"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    condition: Mapped[str] = mapped_column(String(48), primary_key=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer, default=1)


class Recording(Base):
    """A call recording the provider made, sealed like other personal data."""

    __tablename__ = "relay_recordings"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recording_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_recording_id: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str] = mapped_column(String(64))
    binding_id: Mapped[str | None] = mapped_column(String(32))
    shipment_id: Mapped[str | None] = mapped_column(String(32))
    caller_ref: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    callee_ref: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary())  # NULL once erased
    # The recording's own data key, wrapped by the keyring under the retention epoch of its
    # expiry day (destroying that epoch shreds every copy, backups included).
    key_blob: Mapped[bytes | None] = mapped_column(LargeBinary())
    kek_version: Mapped[int | None] = mapped_column(Integer)
    seal_format: Mapped[int | None] = mapped_column(SmallInteger)
    epoch: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erase_reason: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "provider_recording_id"),
        Index("ix_relay_recordings_call", "tenant_id", "call_id"),
        Index("ix_relay_recordings_expiry", "tenant_id", "expires_at"),
    )


# The audio (base64 text) under the recording's own data key; KEK rotation walks this.
RECORDING_SEALING = register_sealed(
    SealedTable(Recording, owner="recording/{recording_id}", fields={"audio": "sealed"})
)

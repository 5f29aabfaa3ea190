"""Access tables: principals, API keys, passkeys, enrolment links, browser sessions, cases."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, LargeBinary, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.access.roles import Role
from parcelguard.crypto import SealedTable, register_sealed
from parcelguard.db import Base, UTCDateTime

ROLES: tuple[str, ...] = tuple(role.value for role in Role)


class Principal(Base):
    """A member of staff or a service account."""

    __tablename__ = "principals"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(80))
    name_masked: Mapped[str] = mapped_column(String(80))
    employee_no: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str | None] = mapped_column(String(64))
    # The staff member's own phone, sealed: the relay connects it, nobody reads it.
    phone_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_kek_version: Mapped[int | None] = mapped_column(Integer)
    phone_seal_format: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    phone_bidx: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    trained_until: Mapped[date | None] = mapped_column(Date)
    scopes: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(16), default="active")
    reveal_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_principals_role", "tenant_id", "role"),
        Index("ix_principals_phone", "tenant_id", "phone_bidx"),
    )


STAFF_EPOCH = date(9999, 12, 31)  # staff phones are not shredded by parcel retention

# A member of staff's own phone (the relay connects it); KEK rotation walks this.
PRINCIPAL_PHONE_SEALING = register_sealed(
    SealedTable(
        Principal,
        owner="principal/{principal_id}",
        fields={"phone": "phone_ct"},
        key_column="phone_key",
        kek_column="phone_kek_version",
        format_column="phone_seal_format",
        epoch_column=None,
        fixed_epoch=STAFF_EPOCH,
    )
)


class ApiKey(Base):
    """A bearer key: shown once, stored as a hash, visible by its prefix id."""

    __tablename__ = "api_keys"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32))
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    scopes: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_api_keys_principal", "tenant_id", "principal_id"),)


class Passkey(Base):
    """A WebAuthn credential registered by a person."""

    __tablename__ = "passkeys"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    credential_id: Mapped[str] = mapped_column(String(512), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(Text, default="[]")
    label: Mapped[str] = mapped_column(String(64), default="passkey")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_passkeys_principal", "tenant_id", "principal_id"),)


class Challenge(Base):
    """A pending WebAuthn ceremony (registration or sign-in); single use, short-lived."""

    __tablename__ = "webauthn_challenges"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EnrolmentLink(Base):
    """An admin-issued one-time link with which a person registers a passkey."""

    __tablename__ = "enrolment_links"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A signed-in browser: staff after a passkey, or a recipient after a one-time code."""

    __tablename__ = "web_sessions"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="staff")
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    step_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Case(Base):
    """An investigation case a security officer reveals under."""

    __tablename__ = "investigation_cases"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opened_by: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="open")


class ExportRequest(Base):
    """A bulk export of plaintext, which needs a second security officer's approval."""

    __tablename__ = "export_requests"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(32))
    requested_by: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    waybills: Mapped[str] = mapped_column(Text)
    fields: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExportApproval(Base):
    """One officer's approval of a bulk export (`bulk_export_approvals` distinct ones needed)."""

    __tablename__ = "export_approvals"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    approver_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RoleGrant(Base):
    """A role given to a principal: at creation or by a change; an officer's waits for another.

    Granted rows also say who made whom what, for the two-person rules' cool-off.
    """

    __tablename__ = "role_grants"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(24))
    previous_role: Mapped[str | None] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(12))  # "create" or "change"
    status: Mapped[str] = mapped_column(String(12))  # "pending", "granted" or "refused"
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_role_grants_principal", "tenant_id", "principal_id"),)


class RevealCounter(Base):
    """Allowed reveals of one principal on one day (China time), for the daily quota."""

    __tablename__ = "reveal_counters"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

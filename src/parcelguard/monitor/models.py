"""Monitor tables: incidents (de-duplicated alerts), their evidence, heads and claims.

The per-rule head makes de-duplication safe across processes; the claims make each event
count once when several processes share a JetStream consumer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime

STATUSES = ("open", "acknowledged", "resolved", "false_positive")
OPEN_STATUSES = ("open", "acknowledged")


class Incident(Base):
    """One alert: a principal and a rule, with every finding inside the window folded in."""

    __tablename__ = "monitor_incidents"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(64))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    findings: Mapped[int] = mapped_column(Integer, default=1)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_monitor_incidents_status", "tenant_id", "status", "last_at"),
        Index("ix_monitor_incidents_principal", "tenant_id", "principal_id", "rule"),
    )


class Evidence(Base):
    """One event behind an incident: its audit sequence number and a PII-free summary."""

    __tablename__ = "monitor_evidence"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(48))
    summary: Mapped[str] = mapped_column(Text, default="{}")


class IncidentHead(Base):
    """The incident a principal and rule currently add to.

    Locked while deciding, so two monitor processes never open two incidents for one finding.
    """

    __tablename__ = "monitor_heads"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str | None] = mapped_column(String(32))
    last_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Claim(Base):
    """An audit event taken by one monitor process (NATS mode): redelivered copies skip."""

    __tablename__ = "monitor_claims"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consumer: Mapped[str] = mapped_column(String(64))

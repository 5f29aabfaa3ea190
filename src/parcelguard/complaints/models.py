"""Complaint tables: the complaint (its words and the answer sealed) and its timeline."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.crypto import SealedTable, register_sealed
from parcelguard.db import Base, SealedRow, UTCDateTime, owned_by

KINDS = ("leak", "harassment", "scam_call", "courier_misconduct", "label_photo")
STATUSES = ("open", "answered", "resolved", "unsatisfied")


class Complaint(SealedRow, Base):
    """A person's complaint: who (by phone digest), about what, and where it stands.

    The complainant's own words, their phone (to notify them) and the company's answer are
    sealed under the complaint's data key; the rest is in the clear so queues can be sorted.
    """

    __tablename__ = "complaints"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    complainant_digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="open")
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    waybills: Mapped[str] = mapped_column(Text, default="[]")
    phone_ct: Mapped[bytes] = mapped_column(LargeBinary)
    text_ct: Mapped[bytes] = mapped_column(LargeBinary)
    answer_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    appeal_deadline: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_complaints_queue", "tenant_id", "status", "due_at"),
        Index("ix_complaints_complainant", "tenant_id", "complainant_digest"),
        Index("ix_complaints_kek", "tenant_id", "kek_version"),
    )


# The complainant's phone and words and the company's answer; KEK rotation walks this.
COMPLAINT_SEALING = register_sealed(
    SealedTable(
        Complaint,
        owner="complaint/{complaint_id}",
        fields={"phone": "phone_ct", "text": "text_ct", "answer": "answer_ct"},
    )
)


class ComplaintEvent(Base):
    """One step of a complaint's timeline (filed, answered, notified …); never holds PII."""

    __tablename__ = "complaint_events"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    complaint_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_role: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (owned_by("complaints", "complaint_id"),)

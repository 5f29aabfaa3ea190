"""SIEM table: how far each destination has received the audit log (at-least-once cursor)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime

SEQ = BigInteger().with_variant(Integer, "sqlite")


class SiemCursor(Base):
    """The last audit sequence number a destination confirmed; export resumes after it."""

    __tablename__ = "siem_cursors"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    destination: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(SEQ, default=0)
    exported: Mapped[int] = mapped_column(SEQ, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(200))

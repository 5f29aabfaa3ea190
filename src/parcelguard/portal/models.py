"""Portal tables: one-time codes (hashed) and the sealed phone of a session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime


class OneTimeCode(Base):
    """A six-digit sign-in code: only its keyed hash is stored; it works once, for minutes."""

    __tablename__ = "portal_codes"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    phone_digest: Mapped[bytes] = mapped_column(LargeBinary(16))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    state: Mapped[str] = mapped_column(String(12), default="live")  # live used superseded locked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_portal_codes_phone", "tenant_id", "phone_digest", "created_at"),)


class PersonSessionPhone(Base):
    """The verified phone of a person's browser session, sealed under a key from its cookie.

    Only the browser holds the cookie, so a copy of the database cannot open these rows.
    """

    __tablename__ = "portal_session_phones"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    phone_ct: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""Identity tables: who a directory's person is here, pending SSO logins, SCIM groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime


class ExternalIdentity(Base):
    """A person of an identity provider (OIDC issuer + subject, or SCIM) linked to a principal."""

    __tablename__ = "external_identities"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(255), primary_key=True)  # issuer URL or "scim"
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    principal_id: Mapped[str] = mapped_column(String(32))
    user_name: Mapped[str | None] = mapped_column(String(255))  # SCIM userName
    external_id: Mapped[str | None] = mapped_column(String(255))  # SCIM externalId
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_external_identities_principal", "tenant_id", "principal_id"),)


class SsoLogin(Base):
    """A started OIDC login: state (hashed), nonce and PKCE verifier; single use, short-lived."""

    __tablename__ = "sso_logins"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ScimGroup(Base):
    """A directory group pushed over SCIM; its display name maps to a role through `[sso]`."""

    __tablename__ = "scim_groups"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(255))
    members: Mapped[str] = mapped_column(Text, default="[]")  # principal ids, JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

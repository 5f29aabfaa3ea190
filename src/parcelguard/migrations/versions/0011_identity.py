"""identity: external identities (OIDC subjects, SCIM users), pending SSO logins, SCIM groups

Revision ID: 0011_identity
Revises: 0001
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0011_identity"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "external_identities",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("principal_id", sa.String(length=32), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=True),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", parcelguard.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "source", "subject"),
    )
    op.create_index(
        "ix_external_identities_principal",
        "external_identities",
        ["tenant_id", "principal_id"],
    )
    op.create_table(
        "sso_logins",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("state_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "state_hash"),
    )
    op.create_table(
        "scim_groups",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("created_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "group_id"),
    )


def downgrade() -> None:
    op.drop_table("scim_groups")
    op.drop_table("sso_logins")
    op.drop_index("ix_external_identities_principal", table_name="external_identities")
    op.drop_table("external_identities")

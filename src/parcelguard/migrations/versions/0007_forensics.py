"""forensics tables: canaries, traced leaks, exposed phones

Revision ID: 0007_forensics
Revises: 0001
Create Date: 2026-11-29 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db


revision: str = "0007_forensics"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forensic_canaries",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("canary_id", sa.String(length=32), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("waybill_no", sa.String(length=40), nullable=False),
        sa.Column("channel_kind", sa.String(length=16), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=True),
        sa.Column("phone_bidx", sa.LargeBinary(length=16), nullable=False),
        sa.Column("name_region_bidx", sa.LargeBinary(length=16), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("number_source", sa.String(length=12), nullable=False),
        sa.Column("relay_number_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("seeded_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seeded_by", sa.String(length=64), nullable=False),
        sa.Column("retired_at", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "canary_id", name=op.f("pk_forensic_canaries")),
    )
    op.create_index(
        "ix_forensic_canaries_channel",
        "forensic_canaries",
        ["tenant_id", "channel_kind", "channel_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_forensic_canaries_name_region",
        "forensic_canaries",
        ["tenant_id", "name_region_bidx"],
        unique=False,
    )
    op.create_index(
        "ix_forensic_canaries_phone", "forensic_canaries", ["tenant_id", "phone_bidx"], unique=False
    )
    op.create_table(
        "forensic_exposed_phones",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("leak_id", sa.String(length=32), nullable=False),
        sa.Column("public_hash", sa.String(length=64), nullable=False),
        sa.Column("leaked_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "digest", "leak_id", name=op.f("pk_forensic_exposed_phones")
        ),
    )
    op.create_index(
        "ix_forensic_exposed_phones_public",
        "forensic_exposed_phones",
        ["tenant_id", "public_hash"],
        unique=False,
    )
    op.create_table(
        "forensic_leaks",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("leak_id", sa.String(length=32), nullable=False),
        sa.Column("leaked_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("traced_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("traced_by", sa.String(length=64), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("canary_hits", sa.Integer(), nullable=False),
        sa.Column("accused", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "leak_id", name=op.f("pk_forensic_leaks")),
    )


def downgrade() -> None:
    op.drop_table("forensic_leaks")
    op.drop_index("ix_forensic_exposed_phones_public", table_name="forensic_exposed_phones")
    op.drop_table("forensic_exposed_phones")
    op.drop_index("ix_forensic_canaries_phone", table_name="forensic_canaries")
    op.drop_index("ix_forensic_canaries_name_region", table_name="forensic_canaries")
    op.drop_index("ix_forensic_canaries_channel", table_name="forensic_canaries")
    op.drop_table("forensic_canaries")

"""labels: QR tokens (stored as keyed digests), pickup codes, counters and failures

Revision ID: 0005_labels
Revises: 0001
Create Date: 2026-11-29 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db
from parcelguard.migrations import dropped_tables


revision: str = "0005_labels"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "label_tokens",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("token_digest", sa.LargeBinary(length=16), nullable=False),
        sa.Column("issued_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("expires_at", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "shipment_id"],
            ["shipments.tenant_id", "shipments.shipment_id"],
            name=op.f("fk_label_tokens_tenant_id_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "shipment_id", "token_digest", name=op.f("pk_label_tokens")
        ),
    )
    op.create_index(
        "ix_label_tokens_digest", "label_tokens", ["tenant_id", "token_digest"], unique=True
    )
    op.create_table(
        "pickup_codes",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("shelf", sa.Integer(), nullable=False),
        sa.Column("layer", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("waybill_no", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("arrived_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "shipment_id"],
            ["shipments.tenant_id", "shipments.shipment_id"],
            name=op.f("fk_pickup_codes_tenant_id_shipment_id_shipments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "shipment_id", "seq", name=op.f("pk_pickup_codes")),
    )
    op.create_index(
        "ix_pickup_codes_waiting",
        "pickup_codes",
        ["tenant_id", "station_id", "code"],
        unique=True,
        sqlite_where=sa.text("status = 'waiting'"),
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "pickup_counters",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "station_id", name=op.f("pk_pickup_counters")),
    )
    dropped_tables.create_pickup_failures()


def downgrade() -> None:
    op.drop_table("pickup_failures")
    op.drop_table("pickup_counters")
    op.drop_index("ix_pickup_codes_waiting", table_name="pickup_codes")
    op.drop_table("pickup_codes")
    op.drop_index("ix_label_tokens_digest", table_name="label_tokens")
    op.drop_table("label_tokens")

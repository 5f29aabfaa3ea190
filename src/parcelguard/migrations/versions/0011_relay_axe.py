"""relay: AXE extensions, AXG groups, lasting conditions, sealed call recordings

Revision ID: 0011_relay_axe
Revises: 0003_relay
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0011_relay_axe"
down_revision: str | None = "0003_relay"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relay_bindings") as batch:
        batch.add_column(sa.Column("extension", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("group_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("provider_ref", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_relay_bindings_provider_ref", "relay_bindings", ["tenant_id", "provider_ref"]
    )
    op.create_table(
        "relay_extensions",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("number_id", sa.String(length=32), nullable=False),
        sa.Column("extension", sa.String(length=8), nullable=False),
        sa.Column("binding_id", sa.String(length=32), nullable=False),
        sa.Column("until", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "tenant_id", "number_id", "extension", name=op.f("pk_relay_extensions")
        ),
    )
    op.create_index("ix_relay_extensions_binding", "relay_extensions", ["tenant_id", "binding_id"])
    op.create_index("ix_relay_extensions_until", "relay_extensions", ["tenant_id", "until"])
    op.create_table(
        "relay_conditions",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("condition", sa.String(length=48), nullable=False),
        sa.Column("since", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "condition", name=op.f("pk_relay_conditions")),
    )
    op.create_table(
        "relay_recordings",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("recording_id", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_recording_id", sa.String(length=64), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("binding_id", sa.String(length=32), nullable=True),
        sa.Column("shipment_id", sa.String(length=32), nullable=True),
        sa.Column("caller_ref", sa.LargeBinary(length=16), nullable=True),
        sa.Column("callee_ref", sa.LargeBinary(length=16), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("key_blob", sa.LargeBinary(), nullable=True),
        sa.Column("kek_version", sa.Integer(), nullable=True),
        sa.Column("seal_format", sa.SmallInteger(), nullable=True),
        sa.Column("epoch", sa.Date(), nullable=True),
        sa.Column("recorded_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erase_reason", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "recording_id", name=op.f("pk_relay_recordings")),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "provider_recording_id",
            name=op.f("uq_relay_recordings_tenant_id_provider_provider_recording_id"),
        ),
    )
    op.create_index("ix_relay_recordings_call", "relay_recordings", ["tenant_id", "call_id"])
    op.create_index("ix_relay_recordings_expiry", "relay_recordings", ["tenant_id", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_relay_recordings_expiry", table_name="relay_recordings")
    op.drop_index("ix_relay_recordings_call", table_name="relay_recordings")
    op.drop_table("relay_recordings")
    op.drop_table("relay_conditions")
    op.drop_index("ix_relay_extensions_until", table_name="relay_extensions")
    op.drop_index("ix_relay_extensions_binding", table_name="relay_extensions")
    op.drop_table("relay_extensions")
    op.drop_index("ix_relay_bindings_provider_ref", table_name="relay_bindings")
    with op.batch_alter_table("relay_bindings") as batch:
        batch.drop_column("provider_ref")
        batch.drop_column("group_id")
        batch.drop_column("extension")

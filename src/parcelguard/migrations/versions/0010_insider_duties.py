"""insider: role grants, export approvals, reported times and transfers of lifecycle steps

A role grant records who made whom what (and waits for a second officer when the role is
security officer); an export needs `bulk_export_approvals` distinct approvals; a lifecycle
step keeps the client's reported time apart from the server's, and a transfer its old station.

Revision ID: 0010_insider_duties
Revises: 0008_vault_indexes
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0010_insider_duties"
down_revision: str | None = "0008_vault_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_COLUMNS = (
    ("reported_at", parcelguard.db.UTCDateTime()),
    ("from_station_id", sa.String(length=64)),
    ("proof", sa.String(length=24)),
    ("reason", sa.String(length=32)),
)


def upgrade() -> None:
    op.create_table(
        "role_grants",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=32), nullable=False),
        sa.Column("principal_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("previous_role", sa.String(length=24), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", parcelguard.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "grant_id", name=op.f("pk_role_grants")),
    )
    op.create_index(
        "ix_role_grants_principal", "role_grants", ["tenant_id", "principal_id"], unique=False
    )
    op.create_table(
        "export_approvals",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("approver_id", sa.String(length=32), nullable=False),
        sa.Column("at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "request_id", "approver_id", name=op.f("pk_export_approvals")
        ),
    )
    with op.batch_alter_table("shipment_events") as batch:
        for name, type_ in EVENT_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    op.create_index(
        "ix_shipment_events_transfers", "shipment_events", ["tenant_id", "type", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_shipment_events_transfers", table_name="shipment_events")
    with op.batch_alter_table("shipment_events") as batch:
        for name, _type in reversed(EVENT_COLUMNS):
            batch.drop_column(name)
    op.drop_table("export_approvals")
    op.drop_index("ix_role_grants_principal", table_name="role_grants")
    op.drop_table("role_grants")

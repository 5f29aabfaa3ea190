"""siem: the per-destination cursor of the SIEM export

Revision ID: 0012_siem
Revises: 0001
Create Date: 2026-12-03 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0012_siem"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "siem_cursors",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("destination", sa.String(length=32), nullable=False),
        sa.Column("last_seq", SEQ, nullable=False),
        sa.Column("exported", SEQ, nullable=False),
        sa.Column("updated_at", parcelguard.db.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "destination"),
    )


def downgrade() -> None:
    op.drop_table("siem_cursors")

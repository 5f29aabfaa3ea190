"""portal: drop the throttle counters (the rate limiter's moving windows replace them)

The portal's send and wrong-code limits now live in the runtime's rate limiter (memory, or
Redis with `PARCELGUARD_REDIS_URL`), like every other limit; the counters table goes.
Counts in flight are forgotten by the upgrade: at most one window's worth of sends or guesses.

Revision ID: 0011_portal_drop_throttles
Revises: 0006_complaints
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0011_portal_drop_throttles"
down_revision: str | None = "0006_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("portal_throttles")


def downgrade() -> None:
    op.create_table(
        "portal_throttles",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.LargeBinary(length=16), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("window_start", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("locked_until", parcelguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "subject", "action", name=op.f("pk_portal_throttles")),
    )

"""labels: drop the wrong-pickup log (the rate limiter's moving windows replace it)

Wrong pickup answers per clerk and station now count in the runtime's rate limiter (memory,
or Redis with `PARCELGUARD_REDIS_URL`), like every other limit; the table goes. Counts in
flight are forgotten by the upgrade: at most one window's worth of wrong answers.

Revision ID: 0011_labels_drop_pickup_failures
Revises: 0005_labels
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from parcelguard.migrations import dropped_tables

revision: str = "0011_labels_drop_pickup_failures"
down_revision: str | None = "0005_labels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("pickup_failures")


def downgrade() -> None:
    dropped_tables.create_pickup_failures()

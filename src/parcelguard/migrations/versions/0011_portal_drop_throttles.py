"""portal: drop the throttle counters (the rate limiter's moving windows replace them)

The portal's send and wrong-code limits now live in the runtime's rate limiter (memory, or
Redis with `PARCELGUARD_REDIS_URL`), like every other limit; the counters table goes.
Counts in flight are forgotten by the upgrade: at most one window's worth of sends or guesses.

Revision ID: 0011_portal_drop_throttles
Revises: 0006_complaints
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from parcelguard.migrations import dropped_tables

revision: str = "0011_portal_drop_throttles"
down_revision: str | None = "0006_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("portal_throttles")


def downgrade() -> None:
    dropped_tables.create_portal_throttles()

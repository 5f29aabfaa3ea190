"""Tables a later revision drops, as the revision that made them created them (frozen).

The creating revision's upgrade and the dropping revision's downgrade call the same function,
so a downgrade brings the table back exactly as it was made. Never edit one: a change to a
table is a new revision.
"""

import sqlalchemy as sa
from alembic import op

import parcelguard.db


def create_pickup_failures() -> None:
    """`pickup_failures`: made by 0005_labels, dropped by 0011_labels_drop_pickup_failures."""
    op.create_table(
        "pickup_failures",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=64), nullable=False),
        sa.Column("failure_id", sa.String(length=32), nullable=False),
        sa.Column("at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "station_id", "principal_id", "failure_id", name=op.f("pk_pickup_failures")
        ),
    )


def create_portal_throttles() -> None:
    """`portal_throttles`: made by 0006_complaints, dropped by 0011_portal_drop_throttles."""
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

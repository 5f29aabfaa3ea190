"""partial courier and station indexes, no KEK index

Imported parcels mostly have no courier or station yet; lists only ask for a given one, so
the NULLs need no index entries. Rotation scans parties without an index on kek_version.

Revision ID: 0008_vault_indexes
Revises: 0002
Create Date: 2026-11-29 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_vault_indexes"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    "ix_shipments_courier": ("courier_id", ["tenant_id", "courier_id", "status"]),
    "ix_shipments_station": ("station_id", ["tenant_id", "station_id", "status"]),
}


def upgrade() -> None:
    op.drop_index("ix_parties_kek", table_name="parties")
    for name, (column, columns) in PARTIAL.items():
        op.drop_index(name, table_name="shipments")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, "shipments", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, (_column, columns) in PARTIAL.items():
        op.drop_index(name, table_name="shipments")
        op.create_index(name, "shipments", columns)
    op.create_index("ix_parties_kek", "parties", ["tenant_id", "kek_version"])

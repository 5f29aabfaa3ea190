"""sealing: the sealed-value format of every envelope row (parties, complaints, staff phones)

Rows sealed before the format-2 header carry 1; `parcelguard keys rotate` (and any rewrap)
re-seals them in format 2 under the same data key, after which `[keys] min_format = 2` refuses
format 1 (see docs/keys.md). Adding a column with a constant default rewrites no table.

Revision ID: 0011_seal_format
Revises: 0010_insider_duties, 0006_complaints
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_seal_format"
down_revision: tuple[str, ...] = ("0010_insider_duties", "0006_complaints")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("parties", "seal_format"),
    ("complaints", "seal_format"),
    ("principals", "phone_seal_format"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(column, sa.SmallInteger(), server_default=sa.text("1"), nullable=False)
            )


def downgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column(column)

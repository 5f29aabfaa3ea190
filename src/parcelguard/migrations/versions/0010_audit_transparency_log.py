"""audit: Merkle transparency log (leaf hash, MAC, salt; tree nodes; C2SP checkpoints)

Revision ID: 0010_audit_tlog
Revises: 0001
Create Date: 2026-12-01 09:00:00

Existing logs stay as they are (`audit_heads.format = 1`, the hash chain): the first append
after the upgrade, or `parcelguard audit carry-over`, verifies the chain with its old rules
and carries every event into the tree (salt, leaf hash and MAC need the keyring, which a
migration does not hold). See docs/audit.md, "Carrying over an existing log".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import parcelguard.db

revision: str = "0010_audit_tlog"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("salt", sa.LargeBinary(length=16), nullable=True))
        batch_op.add_column(sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("mac", sa.LargeBinary(length=32), nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.LargeBinary(length=32), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.LargeBinary(length=32), nullable=True)
    with op.batch_alter_table("audit_heads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frontier", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("format", sa.SmallInteger(), nullable=False, server_default="1")
        )
    op.create_table(
        "audit_tree_nodes",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("idx", SEQ, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "level", "idx", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_log_checkpoints",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("size", SEQ, nullable=False),
        sa.Column("at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "size", name=op.f("pk_audit_log_checkpoints")),
    )
    op.create_table(
        "audit_cosignatures",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("size", SEQ, nullable=False),
        sa.Column("witness", sa.String(length=128), nullable=False),
        sa.Column("cosigned_at", parcelguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "size", "witness", name=op.f("pk_audit_cosignatures")),
    )


def downgrade() -> None:
    op.drop_table("audit_cosignatures")
    op.drop_table("audit_log_checkpoints")
    op.drop_table("audit_tree_nodes")
    with op.batch_alter_table("audit_heads", schema=None) as batch_op:
        batch_op.drop_column("format")
        batch_op.drop_column("frontier")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("mac")
        batch_op.drop_column("leaf_hash")
        batch_op.drop_column("salt")

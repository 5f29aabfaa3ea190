"""Audit tables: events (the log's leaves), the head, stored tree hashes, signed checkpoints.

`audit_events` holds each event's columns, its random salt, its leaf hash and its MAC.
`audit_tree_nodes` keeps the hashes of complete subtrees at every fourth level, so a proof
reads a few dozen hashes instead of the whole log. `audit_log_checkpoints` holds the signed
C2SP checkpoints and `audit_cosignatures` the witnesses' cosignatures over them.
`prev_hash`/`hash` and `audit_checkpoints` belong to the former hash chain, kept for
events written before the carry-over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from parcelguard.db import Base, UTCDateTime

SEQ = BigInteger().with_variant(Integer, "sqlite")
TREE_FORMAT = 2  # audit_heads.format: 1 = the former hash chain, 2 = the Merkle tree
# What an event says, in order: every column but the tree's (salt, leaf hash, MAC).
EVENT_COLUMNS = (
    "tenant_id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "station_id",
    "action",
    "target_type",
    "target_id",
    "decision",
    "reason",
    "purpose",
    "reference",
    "details",
)


class AuditEvent(Base):
    """One thing that happened: leaf `seq - 1` of the tenant's tree, tagged by a MAC."""

    __tablename__ = "audit_events"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    station_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[str] = mapped_column(Text, default="{}")
    salt: Mapped[bytes | None] = mapped_column(LargeBinary(16))
    leaf_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    prev_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))

    __table_args__ = (
        Index("ix_audit_events_target", "tenant_id", "target_id"),
        Index("ix_audit_events_actor", "tenant_id", "actor_id", "at"),
    )


class AuditHead(Base):
    """The tenant's tree: its size, frontier and root; locked by each append so writers queue."""

    __tablename__ = "audit_heads"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ, default=0)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes | None] = mapped_column(LargeBinary)
    format: Mapped[int] = mapped_column(SmallInteger, default=TREE_FORMAT)
    checkpoint_seq: Mapped[int] = mapped_column(SEQ, default=0)
    checkpoint_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_seq: Mapped[int] = mapped_column(SEQ, default=0)


class TreeNode(Base):
    """The hash of complete subtree `(level, idx)`: leaves `[idx << level, (idx+1) << level)`."""

    __tablename__ = "audit_tree_nodes"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    idx: Mapped[int] = mapped_column(SEQ, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A signed C2SP checkpoint: at `size` events the tree's root was `root`."""

    __tablename__ = "audit_log_checkpoints"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(SEQ, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)

    @property
    def seq(self) -> int:
        """Return the sequence of the last event the checkpoint covers (its size)."""
        return self.size


class Cosignature(Base):
    """A witness's cosignature/v1 line over the checkpoint of `size`."""

    __tablename__ = "audit_cosignatures"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(SEQ, primary_key=True)
    witness: Mapped[str] = mapped_column(String(128), primary_key=True)
    cosigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    line: Mapped[str] = mapped_column(Text)


class ChainCheckpoint(Base):
    """A checkpoint of the former hash chain (kept for logs written before the tree)."""

    __tablename__ = "audit_checkpoints"

    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    head_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_id: Mapped[str] = mapped_column(String(32))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))

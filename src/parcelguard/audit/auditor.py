"""Appending to the log: each event becomes a MAC-tagged leaf of the tenant's Merkle tree.

Appends lock the tenant's head row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite writers
queue on `BEGIN IMMEDIATE`), so concurrent writers extend one tree. Every
`checkpoint_every` events or `checkpoint_minutes`, whichever comes first at an append, the
head is signed as a C2SP checkpoint in the same transaction; witnesses are asked to cosign it
after the commit (`cosign.py`), so an unreachable witness never fails an append.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from parcelguard.audit.checkpoints import NEW_CHECKPOINT, sign_checkpoint
from parcelguard.audit.entry import Actor, Entry
from parcelguard.audit.leaf import SALT_SIZE, leaf_bytes
from parcelguard.audit.log_keys import LogKeys as LogKeys
from parcelguard.audit.models import TREE_FORMAT, AuditEvent, AuditHead, Checkpoint, TreeNode
from parcelguard.audit.results import AuditColumns, EventPayload, column_reader, event_fields
from parcelguard.audit.tree import is_stored
from parcelguard.clock import Clock
from parcelguard.db import bulk_insert, insert_ignoring_conflict
from parcelguard.errors import IntegrityError
from parcelguard.tlog.hashing import EMPTY_ROOT, leaf_hash
from parcelguard.tlog.tree import Frontier

PENDING = "parcelguard.audit.pending"
log = logging.getLogger("parcelguard.audit")


class RecordedEvent(AuditColumns):
    """An event as appended (the columns of `AuditEvent`, without a database session)."""

    salt: bytes
    leaf_hash: bytes
    mac: bytes


class Auditor:
    """Appends events to a tenant's log inside the caller's transaction."""

    def __init__(
        self,
        tenant_id: str,
        clock: Clock,
        keys: LogKeys,
        *,
        checkpoint_every: int = 1000,
        checkpoint_minutes: int = 10,
    ) -> None:
        self.tenant_id = tenant_id
        self.clock = clock
        self.keys = keys
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = timedelta(minutes=checkpoint_minutes)

    def record(self, session: Session, actor: Actor, entry: Entry) -> RecordedEvent:
        """Append one event; it commits or rolls back with the caller's change."""
        return self.record_many(session, actor, [entry])[-1]

    def record_many(
        self, session: Session, actor: Actor, entries: Sequence[Entry]
    ) -> list[RecordedEvent]:
        """Append several events under one lock of the head (rows go in by executemany).

        The usual append reads and writes the head row with two prepared core statements;
        one that is due a checkpoint (or meets a legacy head) takes the ORM path that signs.
        """
        head = session.execute(_HEAD_FOR_UPDATE, {"tenant_id": self.tenant_id}).one_or_none()
        at = self.clock.now()  # taken under the lock: times follow the sequence
        if (
            head is None
            or head.format != TREE_FORMAT
            or self._checkpoint_due(
                head.seq + len(entries), head.checkpoint_seq, head.checkpoint_at, at
            )
        ):
            return self._record_signing(session, actor, entries, at)
        frontier = Frontier.from_bytes(head.seq, head.frontier or b"")
        made = self._append(session, frontier, at, actor, entries)
        session.execute(
            _HEAD_UPDATE,
            {
                "b_tenant": self.tenant_id,
                "b_seq": frontier.size,
                "b_frontier": frontier.to_bytes(),
                "b_hash": frontier.root(),
            },
        )
        loaded = session.identity_map.get(identity_key(AuditHead, (self.tenant_id,)))
        if loaded is not None:
            session.expire(loaded)  # an ORM copy read earlier in this session is stale now
        session.info.setdefault(PENDING, []).extend(event_payload(e) for e in made)
        return made

    def _record_signing(
        self, session: Session, actor: Actor, entries: Sequence[Entry], at: datetime
    ) -> list[RecordedEvent]:
        head = lock_head(session, self.tenant_id)
        if head.format != TREE_FORMAT:
            from parcelguard.audit.legacy import carry_over

            carry_over(session, head, self)
        frontier = Frontier.from_bytes(head.seq, head.frontier or b"")
        made = self._append(session, frontier, at, actor, entries)
        head.seq, head.frontier, head.hash = frontier.size, frontier.to_bytes(), frontier.root()
        if self._checkpoint_due(head.seq, head.checkpoint_seq, head.checkpoint_at, at):
            try:
                sign_checkpoint(session, head, self.keys, at)
            except IntegrityError as exc:  # never fail the caller: doctor and verify will say
                log.error("audit checkpoint refused: %s", exc.message)
        session.flush()
        session.info.setdefault(PENDING, []).extend(event_payload(e) for e in made)
        return made

    def _append(
        self,
        session: Session,
        frontier: Frontier,
        at: datetime,
        actor: Actor,
        entries: Sequence[Entry],
    ) -> list[RecordedEvent]:
        """Hash the entries into `frontier` and insert their rows and completed subtrees."""
        rows: list[RecordedEvent] = []
        nodes: list[dict[str, Any]] = []
        for entry in entries:
            fields = self._fields(frontier.size + 1, at, actor, entry)
            salt = os.urandom(SALT_SIZE)
            digest = self.place(frontier, fields, salt, nodes)
            rows.append(
                {**fields, "salt": salt, "leaf_hash": digest, "mac": self.keys.mac.tag(digest)}
            )
        bulk_insert(session, AuditEvent.__table__, rows)
        bulk_insert(session, TreeNode.__table__, nodes)
        return rows

    def place(
        self,
        frontier: Frontier,
        fields: Mapping[str, Any],
        salt: bytes,
        nodes: list[dict[str, Any]],
    ) -> bytes:
        """Hash one event's leaf into the frontier; collect the stored subtrees it completes."""
        digest = leaf_hash(leaf_bytes(fields, salt))
        for level, idx, node in frontier.append(digest):
            if is_stored(level):
                nodes.append(
                    {"tenant_id": self.tenant_id, "level": level, "idx": idx, "hash": node}
                )
        return digest

    def checkpoint(self, session: Session) -> Checkpoint | None:
        """Sign the current head now (when it moved since the last checkpoint)."""
        head = lock_head(session, self.tenant_id)
        if head.format != TREE_FORMAT:
            from parcelguard.audit.legacy import carry_over

            carry_over(session, head, self)
        if head.seq == head.checkpoint_seq:
            session.info[NEW_CHECKPOINT] = True  # still ask witnesses that missed the last one
            return None
        return sign_checkpoint(session, head, self.keys, self.clock.now())

    def _fields(self, seq: int, at: datetime, actor: Actor, entry: Entry) -> AuditColumns:
        return {
            "tenant_id": self.tenant_id,
            "seq": seq,
            "at": at,
            "actor_id": actor.id,
            "actor_role": actor.role,
            "station_id": actor.station_id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "decision": entry.decision,
            "reason": entry.reason,
            "purpose": entry.purpose,
            "reference": entry.reference,
            "details": json.dumps(entry.details, sort_keys=True, ensure_ascii=False, default=str),
        }

    def _checkpoint_due(
        self, seq: int, checkpoint_seq: int, last: datetime | None, at: datetime
    ) -> bool:
        # A head row that claims a checkpoint beyond its size or in the future was written
        # by someone else: sign now rather than believe it.
        if not 0 <= seq - checkpoint_seq < self.checkpoint_every:
            return True
        return last is None or last > at or at - last >= self.checkpoint_interval


_heads = AuditHead.__table__.c
# The usual append's two statements on the head row, built once (compiled forms cached).
_HEAD_FOR_UPDATE = (
    select(_heads.seq, _heads.frontier, _heads.format, _heads.checkpoint_seq, _heads.checkpoint_at)
    .where(_heads.tenant_id == bindparam("tenant_id"))
    .with_for_update()
)
_HEAD_UPDATE = (
    update(cast(Table, AuditHead.__table__))  # core: no ORM session synchronisation
    .where(_heads.tenant_id == bindparam("b_tenant"))
    .values(seq=bindparam("b_seq"), frontier=bindparam("b_frontier"), hash=bindparam("b_hash"))
)


def lock_head(session: Session, tenant_id: str) -> AuditHead:
    """Lock the tenant's head row (FOR UPDATE on PostgreSQL; SQLite writers already queue)."""
    query = (
        select(AuditHead)
        .where(AuditHead.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # never an identity-map copy gone stale
    )
    head = session.execute(query).scalar_one_or_none()
    if head is None:
        insert_ignoring_conflict(
            session,
            AuditHead.__table__,
            {
                "tenant_id": tenant_id,
                "seq": 0,
                "hash": EMPTY_ROOT,
                "frontier": b"",
                "format": TREE_FORMAT,
                "checkpoint_seq": 0,
                "published_seq": 0,
            },
        )
        head = session.execute(query.execution_options(populate_existing=True)).scalar_one()
    return head


def event_payload(event: AuditEvent | RecordedEvent) -> EventPayload:
    """Return the event as published on the bus (no hashes, no PII)."""
    fields, details = event_fields(event), column_reader(event)("details")
    return {**fields, "at": fields["at"].isoformat(), "details": json.loads(details or "{}")}

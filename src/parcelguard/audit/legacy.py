"""The former hash chain: verify it, then carry its events over into the tree, once.

Logs written before the Merkle tree chained `hash = SHA-256(prev_hash || canonical JSON)`
and signed `(tenant, seq, head hash, time)` every N events. On the first append (or
`parcelguard audit carry-over`) after the upgrade, the chain is verified with its old rules;
when it holds, every event gets a salt, a leaf hash and a MAC in its place, the subtree
hashes are stored, and an `audit.carried_over` event commits the tree to the chain's last
hash; the append then signs the tree's first checkpoint. A chain that does not verify is
not carried over: appends fail (IntegrityError, exit 4) until someone inspects it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from parcelguard.audit.entry import SYSTEM, Actor, Entry
from parcelguard.audit.leaf import SALT_SIZE
from parcelguard.audit.log_keys import LogKeys
from parcelguard.audit.models import (
    EVENT_COLUMNS,
    TREE_FORMAT,
    AuditEvent,
    AuditHead,
    ChainCheckpoint,
    TreeNode,
)
from parcelguard.audit.verify_result import VerifyResult
from parcelguard.clock import as_utc
from parcelguard.crypto.note import ED25519, NoteVerifier
from parcelguard.db import bulk_insert
from parcelguard.errors import IntegrityError
from parcelguard.tlog.tree import Frontier


class Auditor(Protocol):
    """What the carry-over needs of `auditor.Auditor` (which calls it: no import cycle)."""

    keys: LogKeys

    def place(
        self, frontier: Frontier, fields: dict[str, Any], salt: bytes, nodes: list[dict[str, Any]]
    ) -> bytes:
        """Hash one event's leaf into the frontier; collect the stored subtrees it completes."""
        ...

    def record_many(self, session: Session, actor: Actor, entries: Sequence[Entry]) -> Any:
        """Append several events."""
        ...


GENESIS = b"\x00" * 32
HASHED_FIELDS = EVENT_COLUMNS  # the chain hashed every column of the event
BATCH = 5000


def event_hash(prev_hash: bytes, fields: dict[str, Any]) -> bytes:
    """Return the chain hash: SHA-256 over the previous hash and the canonical JSON."""
    canonical = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    body = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash + body.encode()).digest()


def checkpoint_statement(tenant_id: str, seq: int, head_hash: bytes, at: datetime) -> bytes:
    """Return the bytes a chain checkpoint's signature covers."""
    parts = ["parcelguard-audit-checkpoint", tenant_id, str(seq), head_hash.hex(), _canonical(at)]
    return "\x1f".join(parts).encode()


def verify_chain(session: Session, tenant_id: str, keys: LogKeys) -> VerifyResult:
    """Verify a log still in the chain format: every hash, every checkpoint, the head."""
    points = {
        p.seq: p
        for p in session.scalars(
            select(ChainCheckpoint).where(ChainCheckpoint.tenant_id == tenant_id)
        )
    }
    prev, count, hashes = GENESIS, 0, {}
    query = (
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    problem: tuple[int, str] | None = None
    for event in session.scalars(query):
        problem = _check_event(event, count + 1, prev)
        if problem is not None:
            break
        hashes[event.seq] = event.hash
        prev, count = event.hash or b"", count + 1
        session.expunge(event)
    if problem is None:
        problem = _check_points(tenant_id, points, hashes, count, keys)
    head = session.get(AuditHead, tenant_id)
    if problem is None and head is not None and (head.seq, head.hash) != (count, prev):
        problem = (min(head.seq, count) + 1, "the chain's head differs from its last event")
    first_bad, reason = problem if problem else (None, None)
    return VerifyResult(problem is None, count, len(points), first_bad, reason)


def carry_over(session: Session, head: AuditHead, auditor: Auditor) -> None:
    """Move a verified chain into the tree, inside the caller's transaction (head locked)."""
    checked = verify_chain(session, head.tenant_id, auditor.keys)
    if not checked.ok:
        raise IntegrityError(
            f"the former audit chain does not verify at event {checked.first_bad_seq}: "
            f"{checked.reason}; it is not carried over into the tree",
            code="audit_tampered",
        )
    legacy = {
        "head": (head.hash or b"").hex(),
        "events": head.seq,
        "checkpoints": checked.checkpoints,
    }
    frontier = _rehash(session, head.tenant_id, auditor)
    head.format, head.frontier, head.hash = TREE_FORMAT, frontier.to_bytes(), frontier.root()
    head.checkpoint_seq, head.checkpoint_at = 0, None
    session.flush()
    entry = Entry("audit.carried_over", "audit_log", None, details={"legacy": legacy})
    auditor.record_many(session, SYSTEM, [entry])


def _rehash(session: Session, tenant_id: str, auditor: Auditor) -> Frontier:
    """Give every chain event a salt, leaf hash and MAC in place; return the tree built."""
    frontier = Frontier()
    table = cast("Table", AuditEvent.__table__)
    stmt = (
        update(table)
        .where(table.c.tenant_id == tenant_id, table.c.seq == bindparam("b_seq"))
        .values(salt=bindparam("b_salt"), leaf_hash=bindparam("b_leaf"), mac=bindparam("b_mac"))
    )
    columns = [getattr(AuditEvent, name) for name in HASHED_FIELDS]
    while True:  # keyset pages: updates never run while a cursor is open
        rows = session.execute(
            select(*columns)
            .where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq > frontier.size)
            .order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return frontier
        batch: list[dict[str, Any]] = []
        nodes: list[dict[str, Any]] = []
        for row in rows:
            fields, salt = dict(zip(HASHED_FIELDS, row, strict=True)), os.urandom(SALT_SIZE)
            digest = auditor.place(frontier, fields, salt, nodes)
            tag = auditor.keys.mac.tag(digest)
            batch.append({"b_seq": fields["seq"], "b_salt": salt, "b_leaf": digest, "b_mac": tag})
        session.execute(stmt, batch)
        bulk_insert(session, TreeNode.__table__, nodes)


def _check_points(
    tenant_id: str,
    points: dict[int, ChainCheckpoint],
    hashes: dict[int, bytes | None],
    count: int,
    keys: LogKeys,
) -> tuple[int, str] | None:
    """Check each chain checkpoint's signature and head hash against the events."""
    key = NoteVerifier(keys.signer.name, ED25519, keys.signer.verifier.public)
    key_id = hashlib.sha256(key.public).hexdigest()[:16]
    for seq in sorted(points):
        point = points[seq]
        statement = checkpoint_statement(tenant_id, seq, point.head_hash, point.at).decode()
        if seq > count:
            return count + 1, f"the log was cut: checkpoint {seq} covers events after {count}"
        if point.key_id != key_id or not key.verify(statement, point.signature):
            return seq, f"checkpoint {seq} has no valid signature"
        if hashes.get(seq) != point.head_hash:
            first = max((s for s in points if s < seq), default=0) + 1
            return first, f"events {first}..{seq} were rewritten (checkpoint {seq} differs)"
    return None


def _check_event(event: AuditEvent, expected: int, prev: bytes) -> tuple[int, str] | None:
    if event.seq > expected:
        return expected, f"event {expected} is missing (removed)"
    if event.seq < expected:
        return event.seq, f"event {event.seq} appears twice"
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    if event.prev_hash is None or event_hash(event.prev_hash, fields) != event.hash:
        return event.seq, f"event {event.seq} was changed after it was written"
    if event.prev_hash != prev:
        return event.seq, f"event {event.seq} does not follow event {event.seq - 1}"
    return None


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value

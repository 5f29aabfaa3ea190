"""Chain verification: recompute every hash, check every checkpoint, find the first bad event."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.chain import GENESIS, HASHED_FIELDS, checkpoint_statement, event_hash
from parcelguard.audit.models import AuditEvent, AuditHead, Checkpoint
from parcelguard.audit.service import VerifyResult
from parcelguard.crypto import CheckpointSigner

BATCH = 5000


def verify_chain(session: Session, tenant_id: str, signer: CheckpointSigner) -> VerifyResult:
    """Walk the chain in order; report the first sequence that was changed, removed or added."""
    points = {
        p.seq: p
        for p in session.scalars(select(Checkpoint).where(Checkpoint.tenant_id == tenant_id))
    }
    head = session.get(AuditHead, tenant_id)
    expected, prev, count = 1, GENESIS, 0
    hashes_at_points: dict[int, bytes] = {}
    query = (
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    for event in session.scalars(query):
        problem = _check_event(event, expected, prev)
        if problem is not None:
            return _bad(count, len(points), *problem)
        if event.seq in points:
            hashes_at_points[event.seq] = event.hash
        prev, expected, count = event.hash, expected + 1, count + 1
        session.expunge(event)
    last = expected - 1
    problem = _check_points(tenant_id, points, hashes_at_points, last, signer)
    if problem is None:
        problem = _check_head(head, last, prev)
    if problem is not None:
        return _bad(count, len(points), *problem)
    return VerifyResult(True, count, len(points), None, None)


def _check_event(event: AuditEvent, expected: int, prev: bytes) -> tuple[int, str] | None:
    if event.seq > expected:
        return expected, f"event {expected} is missing (removed)"
    if event.seq < expected:
        return event.seq, f"event {event.seq} appears twice"
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    if event_hash(event.prev_hash, fields) != event.hash:
        return event.seq, f"event {event.seq} was changed after it was written"
    if event.prev_hash != prev:
        return (
            event.seq,
            f"event {event.seq} does not follow event {event.seq - 1} "
            "(inserted, removed or reordered)",
        )
    return None


def _check_points(
    tenant_id: str,
    points: dict[int, Checkpoint],
    hashes: dict[int, bytes],
    last: int,
    signer: CheckpointSigner,
) -> tuple[int, str] | None:
    for seq in sorted(points):
        point = points[seq]
        if seq > last:
            return last + 1, f"the log was cut: checkpoint {seq} covers events after {last}"
        statement = checkpoint_statement(tenant_id, seq, point.head_hash, point.at)
        if point.key_id != signer.key_id or not signer.verify(statement, point.signature):
            return seq, f"checkpoint {seq} has no valid signature"
        if hashes.get(seq) != point.head_hash:
            earlier = max((s for s in points if s < seq), default=0)
            return (
                earlier + 1,
                f"events {earlier + 1}..{seq} were rewritten (checkpoint {seq} differs)",
            )
    return None


def _check_head(head: AuditHead | None, last: int, prev: bytes) -> tuple[int, str] | None:
    if head is None:
        return None if last == 0 else (1, "the log has events but no head")
    if head.seq > last:
        return last + 1, f"the log was cut: events {last + 1}..{head.seq} are missing"
    if head.seq < last:
        return head.seq + 1, f"event {head.seq + 1} was added after the head"
    if head.hash != prev:
        return last, f"event {last} differs from the recorded head"
    return None


def _bad(events: int, checkpoints: int, seq: int, reason: str) -> VerifyResult:
    return VerifyResult(False, events, checkpoints, seq, reason)

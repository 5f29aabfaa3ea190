"""Verification: recompute every leaf, MAC and root; compare with every signature that vouches.

One pass over the events in order (in aligned chunks, one process per core for a big log)
recomputes each leaf from its columns, checks its MAC (a key outside the database) and grows
the tree; at the size of every signed checkpoint
and of each witness's newest cosigned checkpoint, the recomputed root must equal the signed
one, which also proves each checkpoint consistent with the one before. Then: nothing a
signature vouches for may be missing (a cut tail), no witnessed checkpoint may be missing
from the database, and events no checkpoint covers may not wait longer than allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from parcelguard.audit import verify_chunks as chunks
from parcelguard.audit.anchors import Anchors, gather
from parcelguard.audit.log_keys import LogKeys
from parcelguard.audit.models import TREE_FORMAT, AuditEvent, AuditHead
from parcelguard.audit.verify_result import VerifyResult as VerifyResult
from parcelguard.audit.witnesses import WitnessClient
from parcelguard.clock import as_utc
from parcelguard.tlog.tree import Frontier, fold

SKEW = timedelta(minutes=1)  # servers' clocks may differ this much


@dataclass
class _Walk:
    """The state of one pass over the events."""

    count: int = 0
    problem: tuple[int, str] | None = None
    stale_node: tuple[int, str] | None = None
    last_good: int = 0
    covered: int = 0
    first_uncovered_at: datetime | None = None
    suppressed: tuple[int, str] | None = None


def verify_log(
    session: Session,
    tenant_id: str,
    keys: LogKeys,
    witnesses: list[WitnessClient],
    *,
    now: datetime,
    stale_after: timedelta,
    cadence: tuple[int, timedelta] | None = None,
    url: str | None = None,
    workers: int | None = None,
    chunk_level: int = chunks.CHUNK_LEVEL,
) -> VerifyResult:
    """Verify the tenant's log; name the first bad sequence and why.

    `cadence` (checkpoint every N events or T) lets it name a tail that an append should
    have had signed: signing was stopped, whatever the head row claims. With the database's
    `url`, a log of several chunks (2**chunk_level events each) is checked by `workers`
    processes (default: one per core; `verify_chunks.py`).
    """
    head = session.get(AuditHead, tenant_id)
    if head is not None and head.format != TREE_FORMAT:
        from parcelguard.audit.legacy import verify_chain

        return verify_chain(session, tenant_id, keys)
    anchors = gather(session, tenant_id, keys.signer.verifier, witnesses)
    walk = _walk_events(session, tenant_id, keys, anchors, (url, workers, chunk_level))
    if walk.problem is None and cadence is not None:
        _check_tail(session, walk, tenant_id, cadence)
    count = walk.count
    problem = (
        walk.problem
        or _cut(anchors, count)
        or _deleted_checkpoint(anchors)
        or (anchors.forged[0] if anchors.forged else None)
        or _head_mismatch(head, count)
        or walk.suppressed
        or _uncovered(walk, count, now, stale_after)
        or walk.stale_node
    )
    seq, reason = problem if problem else (None, None)
    return VerifyResult(
        problem is None,
        count,
        len(anchors.rows),
        seq,
        reason,
        signed_size=max((a.size for a in anchors.signed), default=0),
        witnessed_size=max([*(a.size for a in anchors.witnessed), *anchors.cosigned], default=0),
        witnesses=anchors.witnesses,
    )


def _walk_events(
    session: Session,
    tenant_id: str,
    keys: LogKeys,
    anchors: Anchors,
    runner: tuple[str | None, int | None, int],
) -> _Walk:
    """Check every chunk in order, folding the chunks' roots to compare each signed root."""
    walk = _Walk()
    targets: dict[int, list[tuple[bytes, str]]] = {}
    for anchor in anchors.all():
        targets.setdefault(anchor.size, []).append((anchor.root, anchor.source))
    walk.covered = max((a.size for a in anchors.all()), default=0)
    conn = session.connection()
    last = conn.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.tenant_id == tenant_id))
    url, workers, chunk_level = runner
    jobs = chunks.plan(tenant_id, last or 0, sorted(targets), chunk_level)
    above = chunks.stored_nodes_above(conn, tenant_id, chunk_level)
    tops = Frontier()  # the tree whose leaves are the chunks' roots
    for result in chunks.run_chunks(conn, url, keys.mac, jobs, workers):
        for size in sorted(result.snapshots):
            root = fold([*tops.hashes, *result.snapshots[size]])
            problem = _compare(root, size, targets[size], walk.last_good)
            if problem is not None:
                walk.problem = problem
                return walk
            walk.last_good = size
        walk.count += result.count
        if result.root is not None:
            for level, idx, node in tops.append(result.root):
                chunks.check_stored_node(result, above, level + chunk_level, idx, node)
        walk.stale_node = walk.stale_node or result.stale
        if result.problem is not None:
            walk.problem = result.problem
            return walk
    return walk


def _check_tail(
    session: Session, walk: _Walk, tenant_id: str, cadence: tuple[int, timedelta]
) -> None:
    """Walk the events no checkpoint covers, in order, for a signing that was stopped."""
    rows = session.execute(
        select(AuditEvent.seq, type_coerce(AuditEvent.at, String))
        .where(AuditEvent.tenant_id == tenant_id, AuditEvent.seq > walk.covered)
        .order_by(AuditEvent.seq)
    )
    for seq, at in rows:
        _check_cadence(walk, seq, as_utc(_instant(at)), cadence)
        if walk.suppressed is not None:
            return


def _check_cadence(walk: _Walk, seq: int, at: datetime, cadence: tuple[int, timedelta]) -> None:
    """Name an uncovered tail that grew past the cadence: an append should have signed it."""
    if walk.first_uncovered_at is None:
        walk.first_uncovered_at = at
    every, interval = cadence
    late = at - walk.first_uncovered_at > interval + SKEW
    if late or seq - walk.covered > every:
        first = walk.covered + 1
        walk.suppressed = (
            first,
            f"events {first}.. are covered by no signed checkpoint although event {seq} "
            "was appended after one was due: checkpoint signing was stopped",
        )


def _instant(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _compare(
    root: bytes, size: int, roots: list[tuple[bytes, str]], last_good: int
) -> tuple[int, str] | None:
    for expected, source in roots:
        if expected != root:
            return (
                last_good + 1,
                f"events {last_good + 1}..{size} were rewritten: their root differs from {source}",
            )
    return None


def _cut(anchors: Anchors, count: int) -> tuple[int, str] | None:
    beyond = [a for a in anchors.all() if a.size > count]
    if not beyond:
        return None
    widest = max(beyond, key=lambda a: a.size)
    return (
        count + 1,
        f"the log was cut: {widest.source} covers {widest.size} events, the database holds {count}",
    )


def _deleted_checkpoint(anchors: Anchors) -> tuple[int, str] | None:
    for anchor in anchors.witnessed:
        if anchor.size not in anchors.rows:
            return (
                anchor.size,
                f"checkpoint {anchor.size} was deleted from the database "
                f"({anchor.source} still has it)",
            )
    return None


def _head_mismatch(head: AuditHead | None, count: int) -> tuple[int, str] | None:
    if head is None:
        return None if count == 0 else (1, "the log has events but no head")
    if head.seq > count:
        return count + 1, f"the log was cut: events {count + 1}..{head.seq} are missing"
    if head.seq < count:
        return head.seq + 1, f"event {head.seq + 1} was added after the head"
    return None


def _uncovered(
    walk: _Walk, count: int, now: datetime, stale_after: timedelta
) -> tuple[int, str] | None:
    covered = walk.covered
    if count <= covered:
        return None
    waiting_since = walk.first_uncovered_at
    if waiting_since is None or now - waiting_since <= stale_after:
        return None
    minutes = (now - waiting_since).total_seconds() // 60
    return (
        covered + 1,
        f"events {covered + 1}..{count} are covered by no signed checkpoint "
        f"(the oldest has waited {minutes:.0f} min, limit {stale_after.total_seconds() // 60:.0f})",
    )

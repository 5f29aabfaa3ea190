"""Verification split into aligned chunks and worker processes finds what one pass finds."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from parcelguard.audit.auditor import Auditor, LogKeys
from parcelguard.audit.models import AuditEvent, TreeNode
from parcelguard.audit.service import Actor, Entry
from parcelguard.audit.verify import VerifyResult, verify_log
from parcelguard.runtime import Runtime

EVENTS = 300
LEVEL = 4  # 16 events per chunk: 19 chunks, checked by two worker processes


def _keys(rt: Runtime, tenant: str) -> LogKeys:
    return LogKeys.from_keyring(rt.keyring, f"test.example/{tenant}")


def _log(rt: Runtime) -> str:
    tenant = f"c{uuid.uuid4().hex[:12]}"
    auditor = Auditor(tenant, rt.clock, _keys(rt, tenant), checkpoint_every=7)
    for start in range(0, EVENTS, 10):
        batch = [
            Entry("reveal", "shipment", f"w{n}", details={"n": n}) for n in range(start, start + 10)
        ]
        with rt.db.session() as session:
            auditor.record_many(session, Actor("p1", "courier"), batch)
    return tenant


def _verify(rt: Runtime, tenant: str, **split: int) -> VerifyResult:
    with rt.db.read_session() as session:
        return verify_log(
            session,
            tenant,
            _keys(rt, tenant),
            [],
            now=rt.clock.now(),
            stale_after=timedelta(days=1),
            url=rt.db.url,
            **split,
        )


def _both(rt: Runtime, tenant: str) -> tuple[VerifyResult, VerifyResult]:
    """Return the result of one pass and of 16-event chunks over two worker processes."""
    return _verify(rt, tenant), _verify(rt, tenant, workers=2, chunk_level=LEVEL)


def test_a_sound_log_verifies_the_same_in_chunks_across_processes(rt: Runtime) -> None:
    tenant = _log(rt)
    whole, split = _both(rt, tenant)
    assert whole.ok and split.ok, (whole.reason, split.reason)
    assert (split.events, split.checkpoints) == (whole.events, whole.checkpoints)
    assert split.events == EVENTS and split.checkpoints >= EVENTS // 10


@pytest.mark.parametrize(
    ("seq", "change"),
    [
        (16, {"action": "tampered"}),  # last event of a chunk
        (17, {"actor_id": "someone-else"}),  # first event of the next one
        (300, {"details": '{"n": -1}'}),  # the tail, in a chunk that is not whole
        (90, {"leaf_hash": b"\0" * 32}),  # a stored leaf hash: proofs would fail
    ],
)
def test_chunks_name_the_same_first_bad_event(rt: Runtime, seq: int, change: dict) -> None:
    tenant = _log(rt)
    with rt.db.session() as session:
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.tenant_id == tenant, AuditEvent.seq == seq)
            .values(**change)
        )
    whole, split = _both(rt, tenant)
    assert not split.ok and split.first_bad_seq == whole.first_bad_seq == seq, split.reason
    assert split.reason == whole.reason


def test_a_stored_subtree_above_the_chunks_that_was_changed_is_named(rt: Runtime) -> None:
    tenant = _log(rt)
    with rt.db.session() as session:
        session.execute(
            update(TreeNode)
            .where(TreeNode.tenant_id == tenant, TreeNode.level == 8, TreeNode.idx == 0)
            .values(hash=b"\1" * 32)
        )
    whole, split = _both(rt, tenant)
    assert split.first_bad_seq == whole.first_bad_seq == 1
    assert "events 1..256 was changed" in (split.reason or ""), split.reason

"""Property: after any sequence of appends and any single tampering, verify names that event."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from parcelguard.audit.auditor import Auditor, LogKeys
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import Actor, Entry
from parcelguard.audit.verify import VerifyResult, verify_log
from parcelguard.runtime import Runtime

ACTIONS = ("reveal", "shipment.view", "shipments.import", "principal.create")
entries = st.builds(
    lambda action, target, n: Entry(action, "shipment", target, details={"n": n}),
    st.sampled_from(ACTIONS),
    st.text(alphabet="0123456789abcdef", min_size=1, max_size=8),
    st.integers(0, 10**6),
)
batches = st.lists(st.lists(entries, min_size=1, max_size=4), min_size=1, max_size=12)
TAMPER = ("action", "details", "actor", "time", "delete")


def _keys(rt: Runtime, tenant: str) -> LogKeys:
    return LogKeys.from_keyring(rt.keyring, f"test.example/{tenant}")


def _verify(rt: Runtime, tenant: str) -> VerifyResult:
    with rt.db.read_session() as session:
        return verify_log(
            session, tenant, _keys(rt, tenant), [], now=rt.clock.now(), stale_after=timedelta(1)
        )


def _append(rt: Runtime, tenant: str, every: int, plan: list[list[Entry]]) -> int:
    auditor = Auditor(tenant, rt.clock, _keys(rt, tenant), checkpoint_every=every)
    for batch in plan:
        with rt.db.session() as session:
            auditor.record_many(session, Actor("p1", "courier"), batch)
    return sum(len(b) for b in plan)


def _tamper(rt: Runtime, tenant: str, seq: int, how: str) -> None:
    where = (AuditEvent.tenant_id == tenant, AuditEvent.seq == seq)
    change = {
        "action": {"action": "tampered"},
        "details": {"details": '{"n": -1}'},
        "actor": {"actor_id": "someone-else"},
        "time": {"at": rt.clock.now().replace(year=2020)},
    }
    with rt.db.session() as session:
        if how == "delete":
            session.execute(delete(AuditEvent).where(*where))
        else:
            session.execute(update(AuditEvent).where(*where).values(**change[how]))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches, st.integers(1, 6), st.data())
def test_verify_names_the_tampered_event(rt: Runtime, plan, every: int, data) -> None:
    tenant = f"h{uuid.uuid4().hex[:12]}"
    total = _append(rt, tenant, every, plan)
    assert _verify(rt, tenant).ok
    seq = data.draw(st.integers(1, total), label="tampered seq")
    how = data.draw(st.sampled_from(TAMPER), label="tampering")
    _tamper(rt, tenant, seq, how)
    result = _verify(rt, tenant)
    assert not result.ok
    assert result.first_bad_seq == seq, result.reason

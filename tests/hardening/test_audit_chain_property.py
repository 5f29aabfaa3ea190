"""Property: after any sequence of appends and any single tampering, verify names that event."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update

from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import Actor, Auditor, Entry
from parcelguard.audit.verify import verify_chain
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


def _append(rt: Runtime, tenant: str, every: int, plan: list[list[Entry]]) -> int:
    auditor = Auditor(tenant, rt.clock, rt.keyring.signer, checkpoint_every=every)
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
    with rt.db.read_session() as session:
        assert verify_chain(session, tenant, rt.keyring.signer).ok
    seq = data.draw(st.integers(1, total), label="tampered seq")
    how = data.draw(st.sampled_from(TAMPER), label="tampering")
    _tamper(rt, tenant, seq, how)
    with rt.db.read_session() as session:
        result = verify_chain(session, tenant, rt.keyring.signer)
    assert not result.ok
    assert result.first_bad_seq == seq, result.reason

"""An audit event has one declaration of its fields; every form of it carries exactly those."""

from __future__ import annotations

from parcelguard.audit.bus import InProcessBus
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.results import EventFields, EventPayload
from parcelguard.audit.service import SYSTEM, Entry, auditor_for, event_payload
from parcelguard.runtime import Runtime
from parcelguard.siem.record import record_of

FIELDS = list(EventFields.__annotations__)


def test_the_published_event_carries_the_event_fields_and_never_its_hashes(
    rt: Runtime, bus: InProcessBus
) -> None:
    seen: list[dict[str, object]] = []
    bus.subscribe(seen.append)
    entry = Entry("case.open", "case", "C-1", reason="opened", details={"note": "x"})
    with rt.db.session() as session:
        recorded = auditor_for(rt).record(session, SYSTEM, entry)
    assert bus.drain(10)
    published = [e for e in seen if e["action"] == "case.open"]
    assert len(published) == 1
    assert list(published[0]) == [*FIELDS, "details"]  # the bus's shape, in column order
    assert list(EventPayload.__annotations__) == [*FIELDS, "details"]
    assert published[0]["details"] == {"note": "x"}
    assert {"salt", "leaf_hash", "mac"} <= set(recorded)  # kept in the log, not published

    with rt.db.read_session() as session:
        stored = session.get(AuditEvent, (rt.tenant, recorded["seq"]))
        assert stored is not None
        assert event_payload(stored) == published[0]  # a stored row publishes the same
        assert record_of(stored) == {
            **{f: getattr(stored, f) for f in FIELDS},
            "details": {"note": "x"},
        }

"""Incidents on both backends: de-duplication, evidence, suspension with its audit trail,
review (assign, resolve, restore), and the live consumer's de-duplication by sequence."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.bus import InProcessBus
from parcelguard.audit.service import SYSTEM, Actor, search
from parcelguard.errors import Conflict, Denied, NotFound
from parcelguard.monitor import service as monitor
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.monitor.detectors.base import Finding
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.service import install
from parcelguard.runtime import NullPublisher, Runtime


def courier(rt: Runtime, role: str = "courier") -> str:
    with rt.db.session() as session:
        principal, _ = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="测试员", role=role, trained_until=date(2027, 12, 31)),
        )
        return principal.principal_id


def finding(
    pid: str,
    rule: str = "unassigned_access",
    *,
    minute: float = 0,
    seqs=(1, 2, 3),
    severity: str = "high",
    suspend: bool = True,
) -> Finding:
    ts = rt_start() + minute * 60
    evidence = [
        AccessEvent(
            ts,
            pid,
            "courier",
            "deny",
            "reveal",
            waybill=f"PG{s:012d}",
            outcome="not_assigned",
            assigned=False,
            seq=s,
        )
        for s in seqs
    ]
    return Finding(rule, pid, ts, {"count": len(seqs)}, evidence, "courier", severity, suspend)


def rt_start() -> float:
    from tests.conftest import START

    return START.timestamp()


def record(rt: Runtime, *findings: Finding) -> list[dict]:
    with rt.db.session() as session:
        return monitor.record(rt, session, list(findings))


def alerts(rt: Runtime, *statuses: str) -> list[dict]:
    with rt.db.session() as session:
        found = monitor.list_alerts(session, rt.tenant, statuses or ("open", "acknowledged"))
        return [monitor.alert_view(i, monitor.evidence_of(session, i)) for i in found]


def test_findings_within_the_window_grow_one_incident(rt: Runtime) -> None:
    pid = courier(rt)
    notes = record(rt, finding(pid, seqs=(1, 2, 3)))
    assert len(notes) == 1
    assert record(rt, finding(pid, minute=30, seqs=(3, 4, 5))) == []
    [alert] = alerts(rt)
    assert (alert["findings"], alert["evidence_count"]) == (2, 5)
    assert [e["seq"] for e in alert["evidence"]] == [1, 2, 3, 4, 5]
    assert all(set(e) == {"seq", "at", "action", "waybill", "outcome"} for e in alert["evidence"])


def test_a_finding_after_the_window_or_after_resolution_opens_a_new_incident(rt: Runtime) -> None:
    pid = courier(rt)
    record(rt, finding(pid, suspend=False))
    record(rt, finding(pid, minute=3 * 60, seqs=(7,), suspend=False))
    assert len(alerts(rt)) == 2
    latest = alerts(rt)[0]["id"]
    officer = Actor(courier(rt, "security_officer"), "security_officer")
    with rt.db.session() as session:
        monitor.resolve(rt, session, officer, latest)
    record(rt, finding(pid, minute=3 * 60 + 10, seqs=(8,), suspend=False))
    assert latest not in {a["id"] for a in alerts(rt)} and len(alerts(rt)) == 2
    assert [a["status"] for a in alerts(rt, "resolved")] == ["resolved"]


def test_other_rules_and_principals_are_separate_incidents(rt: Runtime) -> None:
    a, b = courier(rt), courier(rt)
    record(rt, finding(a), finding(a, "denial_burst", suspend=False), finding(b))
    assert sorted((x["principal_id"], x["rule"]) for x in alerts(rt)) == sorted(
        [(a, "unassigned_access"), (a, "denial_burst"), (b, "unassigned_access")]
    )


def test_evidence_is_capped_per_incident(rt: Runtime) -> None:
    rt.settings.sections["monitor"] = {"evidence_per_incident": 4}
    pid = courier(rt)
    record(rt, finding(pid, seqs=range(1, 10), suspend=False))
    [alert] = alerts(rt)
    assert alert["evidence_count"] == 4 and len(alert["evidence"]) == 4


def test_a_suspending_rule_takes_reveal_rights_at_once_and_audits_it(rt: Runtime) -> None:
    pid = courier(rt)
    [note] = record(rt, finding(pid))
    assert note["suspended"] is True and note["principal_id"] == pid
    with rt.db.session() as session:
        principal = access.get(session, rt.tenant, pid)
        assert (
            principal.reveal_suspended and principal.suspended_reason == "monitor:unassigned_access"
        )
        [suspension] = search(session, rt.tenant, action="principal.suspend_reveal")
        [alert_event] = search(session, rt.tenant, action="monitor.alert")
    assert (suspension.actor_id, suspension.target_id) == ("monitor", pid)
    assert alert_event.reason == "unassigned_access"
    assert '"evidence_seqs": [1, 2, 3]' in alert_event.details


@pytest.mark.parametrize(("pid", "suspend"), [("parcel:PG000000000001", True), (None, False)])
def test_no_suspension_without_a_principal_or_when_the_rule_does_not_suspend(
    rt: Runtime, pid: str | None, suspend: bool
) -> None:
    target = pid or courier(rt)
    [note] = record(rt, finding(target, suspend=suspend))
    assert note["suspended"] is False
    with rt.db.session() as session:
        assert search(session, rt.tenant, action="principal.suspend_reveal") == []
        assert search(session, rt.tenant, action="monitor.alert")


def test_only_a_security_officer_restores_reveal_rights(rt: Runtime) -> None:
    pid = courier(rt)
    record(rt, finding(pid))
    alert_id = alerts(rt)[0]["id"]
    with pytest.raises(Denied, match="security officer"), rt.db.session() as session:
        monitor.resolve(rt, session, Actor("local:ops", "operator"), alert_id, restore=True)
    officer = Actor(courier(rt, "security_officer"), "security_officer")
    with rt.db.session() as session:
        monitor.assign(rt, session, officer, alert_id, officer.id)
        incident, restored = monitor.resolve(rt, session, officer, alert_id, restore=True)
        assert (incident.status, restored) == ("resolved", True)
        assert not access.get(session, rt.tenant, pid).reveal_suspended
        assert [e.action for e in search(session, rt.tenant, limit=3)] == [
            "monitor.resolve",
            "principal.restore_reveal",
            "monitor.assign",
        ]
    with pytest.raises(Conflict, match="already resolved"), rt.db.session() as session:
        monitor.resolve(rt, session, officer, alert_id)
    with pytest.raises(NotFound), rt.db.session() as session:
        monitor.get_or_raise(session, rt.tenant, "nope")


def test_a_false_positive_restores_by_default_unless_another_open_alert_holds_it(
    rt: Runtime,
) -> None:
    pid = courier(rt)
    officer = Actor(courier(rt, "security_officer"), "security_officer")
    record(rt, finding(pid))
    record(rt, finding(pid, "enumeration"))  # already suspended: this one did not suspend
    by_rule = {a["rule"]: a for a in alerts(rt)}
    assert by_rule["unassigned_access"]["suspended"] and not by_rule["enumeration"]["suspended"]
    with rt.db.session() as session:
        _, restored = monitor.resolve(
            rt, session, officer, by_rule["unassigned_access"]["id"], false_positive=True
        )
    assert restored is True


def payload(rt: Runtime, seq: int, pid: str, minute: int) -> dict:
    at = rt.clock.now() + timedelta(minutes=minute)
    return {
        "tenant_id": rt.tenant,
        "seq": seq,
        "at": at.isoformat(),
        "actor_id": pid,
        "actor_role": "courier",
        "station_id": None,
        "action": "reveal",
        "target_type": "shipment",
        "target_id": None,
        "decision": "deny",
        "reason": "not_assigned",
        "purpose": "delivery",
        "reference": None,
        "details": {
            "waybill": f"PG{seq * 7919:012d}",
            "fields": ["recipient.address"],
            "assigned": False,
            "via": "api_key",
        },
    }


def test_the_live_consumer_processes_each_sequence_once(rt: Runtime) -> None:
    rt.settings.sections["monitor"] = {"warmup_days": 0}
    pid = courier(rt)
    consumer = LiveConsumer(rt)
    events = [payload(rt, 1000 + i, pid, i) for i in range(12)]
    for event in events + events[::-1]:  # every event delivered twice
        consumer.handle(event)
    consumer.handle({**events[0], "tenant_id": "another"})
    assert consumer.processed == 12
    alert = {a["rule"]: a for a in alerts(rt)}["unassigned_access"]
    assert alert["findings"] == 1 and alert["evidence_count"] == 12


def test_install_subscribes_to_an_in_process_bus_once(rt: Runtime) -> None:
    assert isinstance(rt.publisher, InProcessBus)
    consumer = install(rt)
    assert isinstance(consumer, LiveConsumer)
    assert install(rt) is consumer and rt.publisher._handlers.count(consumer) == 1


def test_install_leaves_a_runtime_without_a_bus_alone_unless_asked(rt: Runtime) -> None:
    rt.publisher = NullPublisher()
    assert install(rt) is None
    consumer = install(rt, ensure_bus=True)
    assert isinstance(rt.publisher, InProcessBus) and isinstance(consumer, LiveConsumer)
    rt.publisher.close()


def test_the_consumer_can_be_switched_off(rt: Runtime) -> None:
    rt.settings.sections["monitor"] = {"consumer": "off"}
    assert install(rt) is None and not rt.publisher._handlers


def test_a_live_consumer_learns_from_history_without_alerting_on_it(rt: Runtime) -> None:
    from parcelguard.audit.service import Entry, auditor_for

    pid = courier(rt)
    now = rt.clock.now()
    rt.clock.set(now - timedelta(days=2))
    for i in range(15):  # a burst two days ago: history, not news
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                Actor(pid, "courier"),
                Entry(
                    "reveal",
                    "shipment",
                    None,
                    decision="deny",
                    reason="not_assigned",
                    details={"waybill": f"PG{i * 7919:012d}", "assigned": False},
                ),
            )
    rt.clock.set(now)
    with rt.db.session() as session:
        last = search(session, rt.tenant, limit=1)[0].seq
    consumer = LiveConsumer(rt)
    consumer.handle(payload(rt, last + 1, pid, 0))
    assert consumer.processed == 1
    assert (
        consumer.engine.profiles[pid].attempts + sum(consumer.engine.profiles[pid].day_totals) == 16
    )
    assert alerts(rt) == []

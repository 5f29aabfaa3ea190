"""Through the real NATS JetStream server: two monitor consumers share one durable consumer;
no event is lost, none is processed twice (redeliveries included), no alert is raised twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from tests.monitor.helpers import NATS_URL, publish

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import SYSTEM
from parcelguard.monitor import service as monitor
from parcelguard.monitor.nats_consumer import NatsMonitor
from parcelguard.runtime import Runtime

pytestmark = pytest.mark.nats


def event(rt: Runtime, seq: int, actor: str, action: str, minute: float, **fields) -> dict:
    at = rt.clock.now() + timedelta(minutes=minute)
    base = {
        "tenant_id": rt.tenant,
        "seq": seq,
        "at": at.isoformat(),
        "actor_id": actor,
        "actor_role": "courier",
        "station_id": "st1",
        "action": action,
        "target_type": "shipment",
        "target_id": None,
        "decision": None,
        "reason": None,
        "purpose": None,
        "reference": None,
        "details": {},
    }
    base.update(fields)
    return base


def stream(rt: Runtime, courier: str, n: int) -> list[dict]:
    """n events: ordinary reveals, a burst of unassigned ones, a canary hit, a pool alarm."""
    out = []
    for seq in range(1, n + 1):
        if seq == n // 2:
            out.append(
                event(
                    rt,
                    seq,
                    "relay",
                    "relay.canary_hit",
                    seq / 10,
                    actor_role="system",
                    details={"principal_id": courier},
                )
            )
        elif seq == n // 3:
            out.append(
                event(rt, seq, "relay", "relay.pool_exhausted", seq / 10, actor_role="system")
            )
        elif n - 40 < seq:
            out.append(
                event(
                    rt,
                    seq,
                    courier,
                    "reveal",
                    seq / 10,
                    decision="deny",
                    reason="not_assigned",
                    details={"waybill": f"PG{seq * 7919:012d}", "assigned": False},
                )
            )
        else:
            out.append(
                event(
                    rt,
                    seq,
                    f"c{seq % 7}",
                    "reveal",
                    seq / 10,
                    decision="allow",
                    reason="allowed",
                    details={"waybill": f"PG{seq:012d}", "assigned": True},
                )
            )
    return out


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_two_monitors_share_the_stream_without_losing_or_doubling_anything(rt: Runtime) -> None:
    rt.settings.tenant = f"m{time.time_ns()}"
    rt.settings.sections["monitor"] = {
        "warmup_days": 0,
        "rules": {
            "unassigned_access": {"count": 4},
            "denial_burst": {"enabled": False},
            "distinct_targets": {"enabled": False},
        },
    }
    with rt.db.session() as session:
        courier = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="测试", role="courier", trained_until=date(2027, 1, 1)),
        )[0].principal_id
    n = 400
    payloads = stream(rt, courier, n)
    processed: dict[str, list[int]] = {"a": [], "b": []}
    lock = threading.Lock()

    def recorder(name: str):
        def record(seqs: list[int]) -> None:
            with lock:
                processed[name].extend(seqs)

        return record

    monitors = [
        NatsMonitor(rt, NATS_URL, name=name, batch=7, on_processed=recorder(name))
        for name in ("a", "b")
    ]
    for m in monitors:
        m.start()
    try:
        assert all(m.ready.wait(10) for m in monitors)
        publish(rt.tenant, payloads[: n // 2])
        publish(rt.tenant, payloads[n // 2 :])
        assert wait_until(lambda: len(processed["a"]) + len(processed["b"]) >= n)
        # A redelivery the stream cannot recognise (a new message id): claimed already, skipped.
        publish(rt.tenant, payloads[-5:], msg_id_suffix=":again")
        time.sleep(1.5)
    finally:
        for m in monitors:
            m.stop()
    every = processed["a"] + processed["b"]
    assert sorted(every) == list(range(1, n + 1))  # none lost, none twice
    assert processed["a"] and processed["b"]  # the work was shared
    with rt.db.session() as session:
        alerts = [
            monitor.alert_view(i, monitor.evidence_of(session, i))
            for i in monitor.list_alerts(session, rt.tenant)
        ]
        assert access.get(session, rt.tenant, courier).reveal_suspended
    keys = Counter((a["principal_id"], a["rule"]) for a in alerts)
    assert keys == Counter(
        {
            (courier, "canary_hit"): 1,
            (courier, "unassigned_access"): 1,
            ("relay", "relay_pool_exhausted"): 1,
        }
    )
    burst = next(a for a in alerts if a["rule"] == "unassigned_access")
    seqs = [e["seq"] for e in burst["evidence"]]
    assert len(seqs) == len(set(seqs)) and set(seqs) <= set(range(n - 39, n + 1))

"""Audit events reach the real NATS JetStream server in order, once, and survive an outage."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from parcelguard.audit.nats_outbox import STREAM, NatsOutbox, ensure_stream, subject_for
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime

NATS_URL = "nats://127.0.0.1:4222"
pytestmark = pytest.mark.nats


def record(rt: Runtime, n: int, start: int = 0) -> None:
    auditor = auditor_for(rt)
    for i in range(start, start + n):
        with rt.db.session() as session:
            auditor.record(session, Actor("p", "courier"), Entry("reveal", "shipment", f"s{i}"))


async def _read_all(tenant: str, durable: str, expect: int, timeout: float = 10.0) -> list[dict]:
    import nats

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    await ensure_stream(js)
    sub = await js.pull_subscribe(subject_for(tenant), durable=durable, stream=STREAM)
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(seen) < expect and time.monotonic() < deadline:
        try:
            msgs = await sub.fetch(100, timeout=1)
        except TimeoutError:  # nats.errors.TimeoutError: nothing new yet
            continue
        for msg in msgs:
            seen.append(json.loads(msg.data))
            await msg.ack()
    await nc.close()
    return seen


def unique_tenant(rt: Runtime) -> None:
    rt.settings.tenant = f"t{time.time_ns()}"


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_committed_events_are_published_in_order_with_their_sequence(rt: Runtime) -> None:
    unique_tenant(rt)
    record(rt, 5)
    outbox = NatsOutbox(rt, NATS_URL, poll_seconds=0.1)
    outbox.start()
    try:
        assert wait_until(lambda: outbox.lag() == 0)
        record(rt, 3, start=5)
        outbox.notify()
        assert wait_until(lambda: outbox.lag() == 0)
    finally:
        outbox.stop()
    seen = asyncio.run(_read_all(rt.tenant, f"d{time.time_ns()}", 8))
    assert [e["seq"] for e in seen] == list(range(1, 9))
    assert [e["target_id"] for e in seen] == [f"s{i}" for i in range(8)]


def test_two_outboxes_never_duplicate_a_sequence(rt: Runtime) -> None:
    unique_tenant(rt)
    record(rt, 20)
    first, second = (
        NatsOutbox(rt, NATS_URL, poll_seconds=0.05),
        NatsOutbox(rt, NATS_URL, poll_seconds=0.05),
    )
    first.start()
    second.start()
    try:
        assert wait_until(lambda: first.lag() == 0)
    finally:
        first.stop()
        second.stop()
    seen = asyncio.run(_read_all(rt.tenant, f"d{time.time_ns()}", 20, timeout=3))
    assert sorted(e["seq"] for e in seen) == list(range(1, 21))


def test_events_wait_in_the_log_while_nats_is_unreachable(rt: Runtime) -> None:
    unique_tenant(rt)
    down = NatsOutbox(rt, "nats://127.0.0.1:1", poll_seconds=0.05)  # nothing listens there
    down.start()
    record(rt, 4)
    time.sleep(1.0)
    down.stop(timeout=1)
    assert down.lag() == 4  # buffered, not dropped
    up = NatsOutbox(rt, NATS_URL, poll_seconds=0.05)
    up.start()
    try:
        assert wait_until(lambda: up.lag() == 0)
    finally:
        up.stop()
    seen = asyncio.run(_read_all(rt.tenant, f"d{time.time_ns()}", 4))
    assert [e["seq"] for e in seen] == [1, 2, 3, 4]

"""NATS down: the API keeps answering, events wait in the audit log, none is dropped.

The outbox is pointed at a closed port while requests are served, then at the real server:
every event reaches JetStream once, in order (docs/deploy.md, "Events and NATS").
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.audit.nats_outbox import STREAM, ensure_stream, start_outbox, subject_for
from parcelguard.audit.service import count_events
from parcelguard.doctor.service import examine
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

pytestmark = pytest.mark.nats
REAL = "nats://127.0.0.1:4222"
CLOSED = "nats://127.0.0.1:1"


@pytest.fixture
def backend() -> str:
    return "sqlite"


async def _published(tenant: str, expect: int, timeout: float = 20.0) -> list[int]:
    import nats

    nc = await nats.connect(REAL)
    js = nc.jetstream()
    await ensure_stream(js)
    sub = await js.pull_subscribe(subject_for(tenant), durable=f"d{time.time_ns()}", stream=STREAM)
    seqs: list[int] = []
    deadline = time.monotonic() + timeout
    while len(seqs) < expect and time.monotonic() < deadline:
        try:
            messages = await sub.fetch(200, timeout=1)
        except TimeoutError:
            continue
        for message in messages:
            seqs.append(json.loads(message.data)["seq"])
            await message.ack()
    await nc.close()
    return seqs


def wait_until(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_api_answers_while_nats_is_down_and_no_event_is_lost(
    rt: Runtime, cli, tmp_path: Path
) -> None:
    rt.settings.tenant = f"t{time.time_ns()}"
    rows = list(Faker(17).rows(10))
    cli("import", str(write_csv(tmp_path / "s.csv", rows)), "--json")
    key = cli("users", "add", "--name", "王管理", "--role", "admin", "--json").json["api_key"]

    rt.settings.nats_url = CLOSED
    with TestClient(create_app(rt)) as client:
        for row in rows:
            started = time.monotonic()
            answer = client.get(
                f"/api/v1/shipments/{row['waybill_no']}", headers={"Authorization": f"Bearer {key}"}
            )
            assert answer.status_code == 200
            assert time.monotonic() - started < 2.0  # never waits for NATS
        outbox = client.app.state.server.outbox
        assert not outbox.connected.is_set()
        with rt.db.read_session() as session:
            total = count_events(session, rt.tenant)
        assert outbox.lag() == total >= len(rows)
        finding = {f.name: f for f in examine(rt).findings}["audit.outbox"]
        assert finding.detail.startswith(f"{total} events wait")

    # NATS is back: the next process (here a new runtime on the same database) publishes the
    # whole backlog, in order.
    later = Runtime.from_settings(rt.settings.model_copy(update={"nats_url": REAL}))
    outbox = start_outbox(later)
    assert outbox is not None
    try:
        assert wait_until(lambda: outbox.lag() == 0)
    finally:
        outbox.stop()
        later.close()
    assert asyncio.run(_published(rt.tenant, total)) == list(range(1, total + 1))

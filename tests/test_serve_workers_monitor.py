"""`parcelguard serve --workers 2` on PostgreSQL with NATS: the two workers' monitors are one
consumer group, so every audit event the workers write is judged exactly once.

Each worker publishes its committed audit events through its outbox and runs a `NatsMonitor`
on the shared durable consumer; afterwards the monitor claims hold every audit sequence of the
tenant once (none lost, none twice).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.nats_outbox import STREAM
from parcelguard.audit.service import SYSTEM
from parcelguard.monitor.models import Claim
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.monitor.helpers import NATS_URL
from tests.test_serve_workers import SRC, _free_port, start_workers

REVEALS = 30
pytestmark = [pytest.mark.postgres, pytest.mark.nats, pytest.mark.slow]


def _drop_consumer(durable: str) -> None:
    async def drop() -> None:
        import nats

        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_consumer(STREAM, durable)
        finally:
            await nc.close()

    asyncio.run(drop())


def test_two_workers_monitors_judge_every_audit_event_once(home: Path, pg_database: str) -> None:
    from tests.conftest import _truncate

    _truncate(pg_database)
    tenant, durable = f"sw{time.time_ns()}", f"sw{time.time_ns()}"
    rules = ("distinct_targets", "enumeration", "unassigned_access", "bulk_export")
    (home / "config.toml").write_text(
        f'[doctor]\ninterval_minutes = 0\n\n[monitor]\nconsumer = "nats"\ndurable = "{durable}"\n'
        "warmup_days = 0\n\n[ratelimit.limits]\nreveal = { limit = 100000, window = 60 }\n"
        # The service key reveals in a loop: the detectors judge it without suspending it.
        + "".join(f"\n[monitor.rules.{rule}]\nsuspend = false\n" for rule in rules),
        encoding="utf-8",
    )
    rt = Runtime.from_settings(Settings.load(home=home, database_url=pg_database, tenant=tenant))
    rows = list(Faker(37).rows(10, prefix="SW"))
    import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    with rt.db.session() as session:
        scopes = ["reveal:recipient.address"]
        principal = NewPrincipal(name="workers", role="service", scopes=scopes)
        key = access.create(rt, session, SYSTEM, principal)[1]
    port = _free_port()
    env = {
        **os.environ,
        "PARCELGUARD_HOME": str(home),
        "PARCELGUARD_DATABASE_URL": pg_database,
        "PARCELGUARD_TENANT": tenant,
        "PARCELGUARD_NATS_URL": NATS_URL,
        "PYTHONPATH": SRC,
    }
    env.pop("PARCELGUARD_REDIS_URL", None)
    server = start_workers(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(REVEALS):
                answer = client.post(
                    f"/api/v1/shipments/{rows[i % len(rows)]['waybill_no']}/reveal",
                    json={"fields": ["recipient.address"], "purpose": "delivery"},
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert answer.status_code == 200
        deadline = time.monotonic() + 60
        while True:
            with rt.db.read_session() as session:
                events = list(
                    session.scalars(select(AuditEvent.seq).where(AuditEvent.tenant_id == tenant))
                )
                claims = list(session.scalars(select(Claim.seq).where(Claim.tenant_id == tenant)))
            if len(claims) >= len(events) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        _drop_consumer(f"{durable}_{tenant}")
        rt.close()
    assert len(events) > REVEALS
    assert sorted(claims) == sorted(events)  # every audit event judged, none twice

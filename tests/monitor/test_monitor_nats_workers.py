"""Two monitor processes on PostgreSQL share one durable JetStream consumer: every audit event
is judged exactly once, also when one process dies holding a batch it never acknowledged.

The processes are real (`python -c`, one runtime each, the same home and database); one of
them exits hard on its second batch, either after fetching it and before claiming it, or
after its transaction committed and before the acknowledgement. JetStream hands that batch to
the survivor once `ack_wait_seconds` has passed: in the first case the survivor judges it, in
the second its claims are taken and it skips it. Either way the claims table ends up with
every sequence once and the two processes' records of what they judged are disjoint.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.monitor.helpers import NATS_URL, publish

from parcelguard.audit.nats_outbox import STREAM
from parcelguard.monitor import service as monitor
from parcelguard.monitor.models import Claim
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

SRC = str(Path(__file__).resolve().parents[2] / "src")
EVENTS = 300
DIES_ON_BATCH = 2
pytestmark = [pytest.mark.nats, pytest.mark.postgres, pytest.mark.slow]

# One monitor process: judges its share, appends each committed batch's sequence numbers to
# its record file; with `dies` = "N:before" / "N:after" it exits hard on its N-th batch before
# claiming it / after committing it (never acknowledging it), writing down the batch it held.
WORKER = """
import os, sys
from pathlib import Path
from parcelguard.monitor.nats_consumer import NatsMonitor
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

home, url, tenant, name, record, dies = sys.argv[1:7]
rt = Runtime.from_settings(Settings.load(home=Path(home), database_url=url, tenant=tenant))
out = open(record, "a", encoding="utf-8")

def done(seqs):
    out.write("".join(f"{s}\\n" for s in seqs))
    out.flush()

m = NatsMonitor(rt, "nats://127.0.0.1:4222", name=name, batch=7, on_processed=done)
batches = [0]
judge = m.process

def process(payloads):
    batches[0] += 1
    if dies == "-" or batches[0] != int(dies.split(":")[0]):
        return judge(payloads)
    Path(record + ".held").write_text(" ".join(str(p["seq"]) for p in payloads))
    if dies.endswith(":after"):
        judge(payloads)
    os._exit(9)

m.process = process
m.start()
m.ready.wait(30)
print("ready", flush=True)
sys.stdin.read()
m.stop()
"""

CONFIG = """
[monitor]
consumer = "external"
warmup_days = 0
ack_wait_seconds = 2

[monitor.rules.unassigned_access]
count = 4

[monitor.rules.denial_burst]
enabled = false

[monitor.rules.distinct_targets]
enabled = false
"""


def _events(tenant: str, now_iso: str) -> list[dict]:
    """EVENTS allowed reveals by seven couriers, then a run of unassigned looks by one."""
    out = []
    for seq in range(1, EVENTS + 1):
        denied = seq > EVENTS - 30
        out.append(
            {
                "tenant_id": tenant,
                "seq": seq,
                "at": now_iso,
                "actor_id": "snoop" if denied else f"c{seq % 7}",
                "actor_role": "courier",
                "station_id": "st1",
                "action": "reveal",
                "target_type": "shipment",
                "target_id": None,
                "decision": "deny" if denied else "allow",
                "reason": "not_assigned" if denied else "allowed",
                "purpose": None,
                "reference": None,
                "details": {"waybill": f"PG{seq * 7919:012d}", "assigned": not denied},
            }
        )
    return out


async def _acked(durable: str) -> bool:
    """Whether the group has acknowledged every message (none pending, none awaiting an ack)."""
    import nats

    nc = await nats.connect(NATS_URL)
    try:
        info = await nc.jetstream().consumer_info(STREAM, durable)
    finally:
        await nc.close()
    return info.num_pending == 0 and info.num_ack_pending == 0


async def _drop_consumer(durable: str) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_consumer(STREAM, durable)
    finally:
        await nc.close()


def _start(home: Path, url: str, tenant: str, name: str, dies: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(home), url, tenant, name, str(home / name), dies],
        env={**os.environ, "PYTHONPATH": SRC},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    return worker


def _record(path: Path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.mark.parametrize("when", ["before", "after"])
def test_two_monitor_processes_judge_each_event_once_when_one_dies_holding_a_batch(
    home: Path, pg_database: str, when: str
) -> None:
    """`when`: the process dies before claiming its batch, or after committing it (unacked)."""
    from tests.conftest import _truncate

    _truncate(pg_database)
    tenant = f"w{time.time_ns()}"
    durable = f"parcelguard-monitor_{tenant}"
    (home / "config.toml").write_text(CONFIG, encoding="utf-8")
    rt = Runtime.from_settings(Settings.load(home=home, database_url=pg_database, tenant=tenant))
    rt.keyring  # noqa: B018 - made once here, before the workers share the home
    workers = [
        _start(home, pg_database, tenant, "dies", f"{DIES_ON_BATCH}:{when}"),
        _start(home, pg_database, tenant, "stays", "-"),
    ]
    try:
        publish(tenant, _events(tenant, rt.clock.now().isoformat()))
        assert workers[0].wait(60) == 9  # it died holding its second batch
        # Until every event is claimed and every message, the held batch's too, acknowledged.
        deadline, settled = time.monotonic() + 60, False
        while not settled and time.monotonic() < deadline:
            with rt.db.read_session() as session:
                claimed = list(session.scalars(select(Claim.seq).where(Claim.tenant_id == tenant)))
            settled = len(claimed) >= EVENTS and asyncio.run(_acked(durable))
            time.sleep(0.2)
    finally:
        for worker in workers:
            if worker.poll() is None:
                assert worker.stdin is not None
                worker.stdin.close()
                worker.wait(30)
        asyncio.run(_drop_consumer(durable))
    dead, survivor = _record(home / "dies"), _record(home / "stays")
    held = [int(s) for s in (home / "dies.held").read_text().split()]
    assert settled  # every message acknowledged, the held batch's too
    assert sorted(claimed) == list(range(1, EVENTS + 1))  # none lost
    assert sorted(dead + survivor) == list(range(1, EVENTS + 1))  # none judged twice
    assert dead and held
    if when == "before":
        assert set(held) <= set(survivor)  # redelivered after the ack wait and judged there
    else:
        assert set(held) <= set(dead)  # committed before the crash: the redelivery skipped
    with rt.db.read_session() as session:
        rules = Counter((i.principal_id, i.rule) for i in monitor.list_alerts(session, tenant))
    assert rules == Counter({("snoop", "unassigned_access"): 1})
    rt.close()

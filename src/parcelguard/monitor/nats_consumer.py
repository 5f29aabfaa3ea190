"""The JetStream consumer: several monitor processes share one durable pull consumer.

Events come from the audit outbox's stream (`PARCELGUARD_EVENTS`, subject
`parcelguard.events.<tenant>`, payload = the audit event as published). The durable
consumer hands each message to one of the processes sharing it (work split). A batch is
processed in one transaction that first claims its sequence numbers (`monitor_claims`), so an
event redelivered to any process — after a crash, a timeout — is skipped, never alerted twice;
the messages are acknowledged after that transaction commits, so none is lost either.

Each process keeps its own in-memory detector state, learned from the audit history at start
and then from its share of the stream; see docs/monitor.md on what the split means for them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parcelguard.audit.nats_outbox import STREAM, ensure_stream, subject_for
from parcelguard.monitor.config import MonitorConfig, monitor_config
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.monitor.models import Claim
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.monitor.nats")
CLAIM_DAYS = 2


def claim(session: Session, tenant: str, seqs: Sequence[int], consumer: str, now: Any) -> set[int]:
    """Claim sequence numbers for this process; return those nobody had claimed before."""
    if not seqs:
        return set()
    rows = [{"tenant_id": tenant, "seq": s, "claimed_at": now, "consumer": consumer} for s in seqs]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(Claim).values(rows).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(Claim).values(rows).on_conflict_do_nothing()
    return set(session.scalars(stmt.returning(Claim.seq)))


class NatsMonitor:
    """One monitor process's share of the durable consumer, on its own thread and loop."""

    def __init__(
        self,
        rt: Runtime,
        url: str,
        *,
        config: MonitorConfig | None = None,
        name: str | None = None,
        batch: int = 200,
        on_processed: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.rt = rt
        self.url = url
        self.config = config or monitor_config(rt)
        self.name = name or f"monitor-{threading.get_ident()}-{time.time_ns() % 10**6}"
        self.batch = batch
        self.on_processed = on_processed
        self.consumer = LiveConsumer(rt, self.config)
        self.durable = f"{self.config.durable}_{rt.tenant}".replace(".", "_")[:200]
        self.ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_prune = 0.0

    def start(self) -> None:
        """Start consuming on a background thread."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self.run, name="parcelguard-monitor", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the batch in hand, then stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def run(self, seconds: float | None = None) -> None:
        """Consume until stopped (or for `seconds`); reconnects while NATS is away."""
        deadline = None if seconds is None else time.monotonic() + seconds
        asyncio.run(self._main(deadline))

    async def _main(self, deadline: float | None) -> None:
        import nats

        backoff = 0.5
        while not self._over(deadline):
            try:
                nc = await nats.connect(self.url, connect_timeout=2, max_reconnect_attempts=-1)
            except Exception as exc:  # NATS away: events wait in the stream
                log.warning("NATS not reachable (%s); retrying", type(exc).__name__)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            try:
                await self._consume(nc.jetstream(), deadline)
            except Exception as exc:
                log.warning("monitor consumer failed (%s); reconnecting", type(exc).__name__)
                await asyncio.sleep(backoff)
            finally:
                await nc.close()

    async def _consume(self, js: Any, deadline: float | None) -> None:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        await ensure_stream(js)
        sub = await js.pull_subscribe(
            subject_for(self.rt.tenant),
            durable=self.durable,
            stream=STREAM,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.config.ack_wait_seconds,
                max_ack_pending=10_000,
            ),
        )
        self.ready.set()
        while not self._over(deadline):
            try:
                messages = await sub.fetch(self.batch, timeout=1)
            except TimeoutError:  # nats.errors.TimeoutError is one: nothing new yet
                continue
            payloads = [json.loads(m.data) for m in messages]
            self.process(payloads)
            for message in messages:
                await message.ack()

    def process(self, payloads: list[dict[str, Any]]) -> list[int]:
        """Claim, detect and store one batch in one transaction; return the claimed seqs."""
        mine = [p for p in payloads if p.get("tenant_id") == self.rt.tenant]
        seqs = sorted({p["seq"] for p in mine if isinstance(p.get("seq"), int)})
        if not seqs:
            return []
        self.consumer.ensure_warm(seqs[0])  # reads history before the claim takes the lock
        now = self.rt.clock.now()
        with self.rt.db.session() as session:
            claimed = claim(session, self.rt.tenant, seqs, self.name, now)
            findings = self.consumer.detect([p for p in mine if p.get("seq") in claimed])
            notes = self.consumer.store(session, findings)
            self._prune(session, now)
        self.consumer.notify(notes)
        processed = sorted(claimed)
        if self.on_processed is not None:
            self.on_processed(processed)
        return processed

    def _prune(self, session: Session, now: Any) -> None:
        """Forget claims older than any redelivery could be (once an hour)."""
        if time.monotonic() - self._last_prune < 3600:
            return
        self._last_prune = time.monotonic()
        session.execute(
            delete(Claim).where(
                Claim.tenant_id == self.rt.tenant,
                Claim.claimed_at < now - timedelta(days=CLAIM_DAYS),
            )
        )

    def _over(self, deadline: float | None) -> bool:
        return self._stop.is_set() or (deadline is not None and time.monotonic() > deadline)

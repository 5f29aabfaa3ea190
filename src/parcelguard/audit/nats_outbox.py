"""The NATS outbox: committed audit events go to a JetStream stream, none dropped.

The audit table itself is the outbox. A background thread reads events after the tenant's
`published_seq`, publishes each with the message id `<tenant>:<seq>` (JetStream drops
duplicates inside its window; consumers de-duplicate by sequence beyond it), waits for the
acknowledgement, then advances `published_seq`. If NATS is down, events wait in the database
and go out, in order, when it is back: the API keeps working, nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from typing import Any

from sqlalchemy import select, update

from parcelguard.audit.models import AuditEvent, AuditHead
from parcelguard.audit.service import event_payload
from parcelguard.runtime import COMMITTED, Committed, Runtime

log = logging.getLogger("parcelguard.outbox")
STREAM = "PARCELGUARD_EVENTS"
SUBJECTS = "parcelguard.events.>"
BATCH = 500


def subject_for(tenant_id: str) -> str:
    """Return the subject a tenant's events are published on."""
    return f"parcelguard.events.{tenant_id}"


async def ensure_stream(js: Any) -> None:
    """Create the durable events stream if it does not exist."""
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=STREAM, subjects=[SUBJECTS], duplicate_window=300.0))


class NatsOutbox:
    """Publishes a tenant's committed audit events to JetStream from a background thread."""

    def __init__(self, rt: Runtime, url: str, *, poll_seconds: float = 1.0) -> None:
        self.rt = rt
        self.url = url
        self.poll_seconds = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.published = 0
        self.connected = threading.Event()

    def start(self) -> None:
        """Start the publishing thread; from now on every commit of the runtime wakes it."""
        self.rt.hooks.subscribe(COMMITTED, self.on_commit)
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="parcelguard-outbox", daemon=True
            )
            self._thread.start()

    def notify(self) -> None:
        """Wake the publisher after a commit (safe from any thread)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            # The loop may close between the check and the call when the outbox stops:
            # a commit must never fail because its wake-up call came too late.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)

    def on_commit(self, _event: Committed) -> None:
        """Wake the publisher: a commit may have appended events."""
        self.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Publish what is pending (up to `timeout`) and stop."""
        self.rt.hooks.unsubscribe(COMMITTED, self.on_commit)
        self._stop.set()
        self.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def lag(self) -> int:
        """Return how many committed events are not yet acknowledged by JetStream."""
        with self.rt.db.session() as session:
            head = session.get(AuditHead, self.rt.tenant)
            return 0 if head is None else head.seq - head.published_seq

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        import nats

        self._wake = asyncio.Event()
        backoff = 0.5
        while not self._stop.is_set():
            try:
                nc = await nats.connect(
                    self.url,
                    connect_timeout=2,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    error_cb=_quiet,  # nats-py prints tracebacks by default; we log one line
                )
            except Exception as exc:  # NATS down: keep the events in the database and retry
                log.warning(
                    "NATS not reachable (%s); events stay queued in the audit log",
                    type(exc).__name__,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            try:
                await self._publish_loop(nc.jetstream())
            except Exception as exc:
                log.warning("publishing to NATS failed (%s); will retry", type(exc).__name__)
                await asyncio.sleep(backoff)
            finally:
                self.connected.clear()
                await nc.close()

    async def _publish_loop(self, js: Any) -> None:
        await ensure_stream(js)
        self.connected.set()
        while True:
            sent = await self._publish_batch(js)
            if sent:
                continue
            if self._stop.is_set():
                return
            assert self._wake is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def _publish_batch(self, js: Any) -> int:
        tenant = self.rt.tenant
        with self.rt.db.session() as session:
            head = session.get(AuditHead, tenant)
            if head is None or head.published_seq >= head.seq:
                return 0
            events = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.tenant_id == tenant, AuditEvent.seq > head.published_seq)
                    .order_by(AuditEvent.seq)
                    .limit(BATCH)
                )
            )
            payloads = [event_payload(e) for e in events]
        for payload in payloads:
            data = json.dumps(payload, ensure_ascii=False).encode()
            headers = {"Nats-Msg-Id": f"{tenant}:{payload['seq']}"}
            await js.publish(subject_for(tenant), data, headers=headers, timeout=5)
        if payloads:
            last = payloads[-1]["seq"]
            with self.rt.db.session() as session:
                session.execute(
                    update(AuditHead)
                    .where(AuditHead.tenant_id == tenant, AuditHead.published_seq < last)
                    .values(published_seq=last)
                )
            self.published += len(payloads)
        return len(payloads)


async def _quiet(exc: Exception) -> None:
    log.debug("NATS client: %s", type(exc).__name__)


def start_outbox(rt: Runtime) -> NatsOutbox | None:
    """Start an outbox when `PARCELGUARD_NATS_URL` is set (the server does, once); else None."""
    url = rt.settings.nats_url
    if not url:
        return None
    outbox = NatsOutbox(rt, url)
    outbox.start()
    return outbox

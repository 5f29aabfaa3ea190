"""The live consumer: audit events in, once each, through the engine, findings stored.

Events are de-duplicated by (tenant, seq); findings become incidents in their own
transaction, and notifications go out after it commits.

`install(rt)` wires it: to the in-process bus by default, or to a JetStream durable consumer
when `PARCELGUARD_NATS_URL` is set (`[monitor].consumer` chooses; see docs/monitor.md). A
runtime's bus keeps one consumer: two consumers of the same runtime are equal, and the bus
keeps the first it was given.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from parcelguard.audit.service import Entry, auditor_for, event_payload, search
from parcelguard.monitor.config import MonitorConfig, monitor_config
from parcelguard.monitor.detectors.base import Finding
from parcelguard.monitor.engine import Engine
from parcelguard.monitor.events import from_audit
from parcelguard.monitor.incidents import record
from parcelguard.monitor.response import MONITOR
from parcelguard.monitor.results import AlertNotification
from parcelguard.monitor.seen import SeenSequences
from parcelguard.monitor.webhook import Delivery, WebhookNotifier
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.monitor")


class LiveConsumer:
    """Feeds one tenant's audit events to an engine and stores what it finds."""

    def __init__(self, rt: Runtime, config: MonitorConfig | None = None) -> None:
        self.rt = rt
        self.config = config or monitor_config(rt)
        self.engine = Engine(self.config)
        self.seen = SeenSequences()
        self.lock = threading.RLock()
        self.warm = False
        self.processed = 0
        self.alerts = 0
        self._notifier: WebhookNotifier | None = None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and getattr(other, "rt", None) is self.rt

    __hash__ = object.__hash__

    def __call__(self, payload: dict[str, Any]) -> None:
        """Bus handler (see `handle`)."""
        self.handle(payload)

    @property
    def notifier(self) -> WebhookNotifier | None:
        """Return the webhook notifier (None without `[monitor].webhook_url`), built once."""
        if self._notifier is None:
            self._notifier = notifier_for(self.rt, self.config)
        return self._notifier

    def close(self, timeout: float = 10.0) -> None:
        """Deliver the queued notifications (up to `timeout`) and release the notifier."""
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            notifier.drain(timeout)
            notifier.close()

    def handle(self, payload: dict[str, Any]) -> None:
        """Bus handler: process one committed audit event (once, whatever the redelivery)."""
        self.handle_many([payload])

    def handle_many(self, payloads: Sequence[dict[str, Any]]) -> None:
        """Bus handler for what was queued: one engine pass, the findings in one transaction.

        Should that transaction fail, each finding is stored on its own, so one bad finding
        does not lose the others of its batch.
        """
        findings = self.detect(payloads)
        if not findings:
            return
        try:
            notes = self._store_now(findings)
        except Exception:
            if len(findings) == 1:
                raise
            log.warning("storing %d findings together failed; storing each", len(findings))
            notes = []
            for finding in findings:
                try:
                    notes += self._store_now([finding])
                except Exception:
                    log.exception("could not store a finding of rule %s", finding.rule)
        self.notify(notes)

    def _store_now(self, findings: Sequence[Finding]) -> list[AlertNotification]:
        with self.rt.db.session() as session:
            return record(self.rt, session, findings)

    def detect(self, payloads: Sequence[dict[str, Any]]) -> list[Finding]:
        """Run the events not seen before through the engine, in sequence order."""
        with self.lock:
            fresh = [
                p
                for p in payloads
                if p.get("tenant_id") == self.rt.tenant and isinstance(p.get("seq"), int)
            ]
            if not fresh:
                return []
            fresh.sort(key=lambda p: p["seq"])
            self.ensure_warm(fresh[0]["seq"])
            found: list[Finding] = []
            for payload in fresh:
                if not self.seen.add(payload["seq"]):
                    continue
                self.processed += 1
                event = from_audit(payload)
                if event is not None:
                    found.extend(self.engine.feed(event))
            self.alerts += sum(1 for f in found if not f.repeat)
            return found

    def ensure_warm(self, before_seq: int) -> None:
        """Learn from the recent audit history once, before the first live event.

        Findings about history are not raised: the detectors only learn habits from it.
        """
        with self.lock:
            if self.warm:
                return
            self.warm = True
            cfg = self.config
            if cfg.warmup_days == 0 or cfg.warmup_max_events == 0:
                self.seen.start_after(before_seq - 1)
                return
            learned = 0
            now = self.rt.clock.now()
            for day in range(cfg.warmup_days, 0, -1):  # oldest first, one day in memory
                learned += self._learn(
                    now - timedelta(days=day), now - timedelta(days=day - 1), before_seq
                )
            self.seen.start_after(before_seq - 1)
            log.info("monitor learned from %d recent audit events", learned)

    def _learn(self, since: datetime, until: datetime, before_seq: int) -> int:
        """Feed one day of history to the engine (at most `warmup_max_events` of it)."""
        with self.rt.db.session() as session:
            history = [
                event_payload(e)
                for e in search(
                    session,
                    self.rt.tenant,
                    since=since,
                    until=until,
                    limit=self.config.warmup_max_events,
                )
                if e.seq < before_seq
            ]
        for payload in reversed(history):
            event = from_audit(payload)
            if event is not None:
                self.engine.feed(event)
        return len(history)

    def store(self, session: Session, findings: Sequence[Finding]) -> list[AlertNotification]:
        """Fold findings into incidents inside the caller's transaction."""
        return record(self.rt, session, findings) if findings else []

    def notify(self, notes: Sequence[AlertNotification]) -> None:
        """Send the notifications of committed incidents (non-blocking)."""
        notifier = self.notifier
        if notifier is not None:
            for note in notes:
                notifier.send({**note})  # the notifier takes any JSON payload


def notifier_for(rt: Runtime, config: MonitorConfig) -> WebhookNotifier | None:
    """Build a webhook notifier that audits each delivery (None without `webhook_url`)."""
    if not config.webhook_url or not config.webhook_secret:
        return None

    def audited(payload: dict[str, Any], result: Delivery) -> None:
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                MONITOR,
                Entry(
                    "monitor.webhook",
                    "incident",
                    str(payload.get("incident_id")),
                    decision="allow" if result.delivered else "deny",
                    reason=None if result.delivered else (result.error or "failed")[:64],
                    details={"attempts": result.attempts, "status": result.status},
                ),
            )

    return WebhookNotifier(
        config.webhook_url,
        config.webhook_secret,
        timeout=config.webhook_timeout_seconds,
        retries=config.webhook_retries,
        on_result=audited,
    )

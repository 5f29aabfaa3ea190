"""The in-process event bus: audit events reach subscribers after their transaction commits.

Subscribers run on one dispatcher thread, in order, so a slow consumer never delays a request;
with `PARCELGUARD_NATS_URL` the NATS outbox (`nats_outbox.py`) also carries them off-machine.
The dispatcher hands over everything queued at once (up to `BATCH` events) to a subscriber
that has `handle_many(events)` (the monitor stores a batch's findings in one transaction);
others get the events one by one.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from parcelguard.audit.service import (
    PENDING,
    cosign_new_checkpoint,
    forget_new_checkpoint,
    take_pending,
)
from parcelguard.runtime import COMMITTED, ROLLED_BACK, Committed, RolledBack, Runtime

log = logging.getLogger("parcelguard.bus")
Handler = Callable[[dict[str, Any]], None]
H = TypeVar("H", bound=Handler)
SUBJECT = "parcelguard.events"
BATCH = 256


class InProcessBus:
    """Delivers published events to subscribers on a background thread."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._in_flight = 0

    def subscribe(self, handler: H) -> H:
        """Call `handler(event)` for every event published from now on; return the handler kept.

        A handler equal to one already subscribed is not added twice: the first one is kept
        and returned (a runtime's monitor consumer, say, stays one).
        """
        with self._lock:
            for known in self._handlers:
                if known == handler:
                    return known  # type: ignore[return-value,unused-ignore]
            self._handlers.append(handler)
        return handler

    def publish(self, subject: str, payload: dict[str, Any]) -> None:
        """Queue an event for the subscribers."""
        if not self._handlers:
            return
        self._start()
        with self._idle:
            self._in_flight += 1
        self._queue.put(payload)

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every queued event was handled; return False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    def close(self) -> None:
        """Stop the dispatcher after the queued events."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="parcelguard-bus", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._take()
            stop = None in batch
            events = [e for e in batch if e is not None]
            for handler in list(self._handlers):
                self._deliver(handler, events)
            with self._idle:
                self._in_flight -= len(events)
                self._idle.notify_all()
            if stop:
                return

    def _take(self) -> list[dict[str, Any] | None]:
        """Wait for one event, then take whatever else is queued (up to `BATCH`)."""
        batch = [self._queue.get()]
        while len(batch) < BATCH and batch[-1] is not None:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    @staticmethod
    def _deliver(handler: Handler, events: list[dict[str, Any]]) -> None:
        many = getattr(handler, "handle_many", None)
        if many is not None and events:
            try:
                many(events)
            except Exception:  # one consumer's bug must not stop the others
                log.exception("event handler %s failed on %d events", handler, len(events))
            return
        for event in events:
            try:
                handler(event)
            except Exception:  # one consumer's bug must not stop the others
                log.exception("event handler %s failed on event %s", handler, event.get("seq"))


def publish_committed(event: Committed) -> None:
    """Publish the audit events a commit made durable through the runtime's publisher."""
    for payload in take_pending(event.session):
        event.rt.publisher.publish(SUBJECT, payload)


def forget_pending(event: RolledBack) -> None:
    """Drop the audit events of a transaction that rolled back."""
    event.session.info.pop(PENDING, None)


def attach(rt: Runtime) -> None:
    """Subscribe the audit log's own after-commit reactions (publish, cosign) to `rt`.

    The composition root subscribes the same handlers (`assembly.SUBSCRIPTIONS`); tools and
    tests that run without it call this. Subscribing twice keeps one of each.
    """
    rt.hooks.subscribe(COMMITTED, publish_committed)
    rt.hooks.subscribe(ROLLED_BACK, forget_pending)
    rt.hooks.subscribe(COMMITTED, cosign_new_checkpoint)
    rt.hooks.subscribe(ROLLED_BACK, forget_new_checkpoint)

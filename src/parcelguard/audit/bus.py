"""The in-process event bus: audit events reach subscribers after their transaction commits.

Subscribers run on one dispatcher thread, in order, so a slow consumer never delays a request;
with `PARCELGUARD_NATS_URL` the NATS outbox (`nats_outbox.py`) also carries them off-machine.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from parcelguard.audit.service import PENDING, take_pending
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.bus")
Handler = Callable[[dict[str, Any]], None]
SUBJECT = "parcelguard.events"


class InProcessBus:
    """Delivers published events to subscribers on a background thread."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._idle = threading.Condition()
        self._in_flight = 0

    def subscribe(self, handler: Handler) -> None:
        """Call `handler(event)` for every event published from now on."""
        self._handlers.append(handler)

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
            event = self._queue.get()
            if event is None:
                return
            for handler in list(self._handlers):
                try:
                    handler(event)
                except Exception:  # one consumer's bug must not stop the others
                    log.exception("event handler %s failed on event %s", handler, event.get("seq"))
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()


def attach(rt: Runtime) -> None:
    """Publish every committed audit event through the runtime's publisher."""
    if rt.extras.get("audit.attached"):
        return
    rt.extras["audit.attached"] = True

    def after_commit(session: Session) -> None:
        for payload in take_pending(session):
            rt.publisher.publish(SUBJECT, payload)

    def after_rollback(session: Session) -> None:
        session.info.pop(PENDING, None)

    rt.db.add_commit_hook(after_commit)
    rt.db.add_rollback_hook(after_rollback)

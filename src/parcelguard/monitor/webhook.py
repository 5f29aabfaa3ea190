"""Webhook notifications: signed JSON POSTs sent from a background thread, retried, logged.

The consumer only queues a notification; a slow or dead receiver never delays detection.
Each body is signed with HMAC-SHA256 over "<timestamp>.<body>" under `[monitor].webhook_secret`
(header `X-ParcelGuard-Signature: t=<unix seconds>,v1=<hex>`; the recipe is
`crypto/webhook_signature.py`'s, shared with the relay), so a receiver can check both origin
and freshness. Bodies carry ids, rule names and codes only, never personal data.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from parcelguard.crypto.webhook_signature import any_matches, body_mac, is_fresh

log = logging.getLogger("parcelguard.monitor.webhook")
SIGNATURE_HEADER = "X-ParcelGuard-Signature"
QUEUE_LIMIT = 10_000


@dataclass(frozen=True)
class Delivery:
    """How one notification went: delivered or not, after how many attempts, last status."""

    delivered: bool
    attempts: int
    status: int | None
    error: str | None


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value for a body sent at `timestamp`."""
    return f"t={timestamp},v1={body_mac(secret.encode(), timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: float, tolerance: float = 300) -> bool:
    """Return whether a signature header is valid for the body and fresh (for receivers)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if not is_fresh(timestamp, now, tolerance):
        return False
    return any_matches(sign(secret, timestamp, body), [header])


class WebhookNotifier:
    """Queues notifications and POSTs them on its own thread with retries and backoff."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 3.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        on_result: Callable[[dict[str, Any], Delivery], None] | None = None,
    ) -> None:
        self.url = url
        self.secret = secret
        self.retries = retries
        self.backoff = backoff
        self.on_result = on_result
        self.client = httpx.Client(timeout=timeout, transport=transport)
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(QUEUE_LIMIT)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition()

    def send(self, payload: dict[str, Any]) -> None:
        """Queue a notification; never blocks (a full queue drops it, with a log line)."""
        self._start()
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(payload)
        except queue.Full:
            self._done()
            log.error(
                "webhook queue full; dropped the notification of %s", payload.get("incident_id")
            )

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued notification was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        """Stop after the queued notifications."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self.client.close()

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        """POST one notification, retrying failures; return how it went (also used directly)."""
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
        status: int | None = None
        error: str | None = None
        for attempt in range(1, self.retries + 2):
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self.secret, int(time.time()), body),
                "X-ParcelGuard-Event": str(payload.get("type", "monitor.alert")),
                "X-ParcelGuard-Delivery": str(payload.get("incident_id", "")),
            }
            try:
                answer = self.client.post(self.url, content=body, headers=headers)
                status, error = answer.status_code, None
                if 200 <= answer.status_code < 300:
                    return Delivery(True, attempt, status, None)
                error = f"http_{answer.status_code}"
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            if attempt <= self.retries:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        log.warning(
            "webhook for %s failed after %d attempts (%s)",
            payload.get("incident_id"),
            self.retries + 1,
            error,
        )
        return Delivery(False, self.retries + 1, status, error)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="parcelguard-webhook", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            payload = self._queue.get()
            if payload is None:
                return
            try:
                result = self.deliver(payload)
                if self.on_result is not None:
                    self.on_result(payload, result)
            except Exception:  # the notifier must outlive any one bad notification
                log.exception("webhook notification failed unexpectedly")
            finally:
                self._done()

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

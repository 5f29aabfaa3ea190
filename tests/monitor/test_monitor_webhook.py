"""Webhook notifications against a real local HTTP server: signed, retried, never blocking,
failures logged, and every delivery attempt an audit event."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import SYSTEM, search
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.monitor.webhook import SIGNATURE_HEADER, WebhookNotifier, sign, verify
from parcelguard.runtime import Runtime

SECRET = "a-webhook-secret-of-some-length"


class Receiver:
    """A local HTTP server that records requests and answers with scripted statuses."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses = statuses
        self.delay = delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([])
    yield r
    r.close()


def test_a_notification_is_signed_and_verifiable(receiver: Receiver) -> None:
    notifier = WebhookNotifier(receiver.url, SECRET, retries=0)
    result = notifier.deliver({"type": "monitor.alert", "incident_id": "i1", "rule": "r"})
    assert (result.delivered, result.attempts, result.status) == (True, 1, 204)
    [(headers, body)] = receiver.requests
    assert json.loads(body) == {"type": "monitor.alert", "incident_id": "i1", "rule": "r"}
    assert headers["X-ParcelGuard-Delivery"] == "i1"
    assert verify(SECRET, headers[SIGNATURE_HEADER], body, now=time.time())
    assert not verify("another-secret-entirely!", headers[SIGNATURE_HEADER], body, now=time.time())
    assert not verify(SECRET, headers[SIGNATURE_HEADER], body + b" ", now=time.time())
    assert not verify(SECRET, headers[SIGNATURE_HEADER], body, now=time.time() + 3600)
    notifier.close()


def test_failures_are_retried_then_reported_never_raised(caplog) -> None:
    flaky = Receiver([500, 503])
    try:
        notifier = WebhookNotifier(flaky.url, SECRET, retries=3, backoff=0.01)
        assert notifier.deliver({"incident_id": "i2"}).attempts == 3
        failing = Receiver([500] * 10)
        dead = WebhookNotifier(failing.url, SECRET, retries=2, backoff=0.01)
        result = dead.deliver({"incident_id": "i3"})
        assert (result.delivered, result.attempts, result.error) == (False, 3, "http_500")
        assert "webhook for i3 failed after 3 attempts" in caplog.text
        nobody = WebhookNotifier(
            "http://127.0.0.1:9/", SECRET, retries=1, backoff=0.01, timeout=0.5
        )
        assert nobody.deliver({"incident_id": "i4"}).error == "ConnectError"
        failing.close()
    finally:
        flaky.close()


def test_sending_never_blocks_the_consumer() -> None:
    slow = Receiver([], delay=1.0)
    try:
        done: list[bool] = []
        notifier = WebhookNotifier(
            slow.url, SECRET, on_result=lambda _p, r: done.append(r.delivered)
        )
        started = time.perf_counter()
        notifier.send({"incident_id": "i5"})
        assert time.perf_counter() - started < 0.05
        assert notifier.drain(5) and done == [True]
        notifier.close()
    finally:
        slow.close()


def test_signatures_are_stable() -> None:
    assert sign("k" * 16, 1700000000, b"{}") == (
        "t=1700000000,v1="
        + __import__("hmac").new(b"k" * 16, b"1700000000.{}", "sha256").hexdigest()
    )


def test_a_new_incident_is_posted_and_the_delivery_audited(rt: Runtime, receiver: Receiver) -> None:
    rt.settings.sections["monitor"] = {
        "webhook_url": receiver.url,
        "webhook_secret": SECRET,
        "warmup_days": 0,
    }
    with rt.db.session() as session:
        principal, _ = access.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(name="测试", role="courier", trained_until=date(2027, 1, 1)),
        )
    consumer = LiveConsumer(rt)
    from tests.monitor.test_monitor_incidents import payload

    for i in range(12):
        consumer.handle(payload(rt, 100 + i, principal.principal_id, i))
    notifier = consumer.notifier
    assert notifier is not None and notifier.drain(5)
    bodies = [json.loads(body) for _, body in receiver.requests]
    by_rule = {b["rule"]: b for b in bodies}
    assert set(by_rule) == {"unassigned_access", "denial_burst"}
    note = by_rule["unassigned_access"]
    assert (note["principal_id"], note["severity"], note["suspended"]) == (
        principal.principal_id,
        "high",
        True,
    )
    assert note["evidence_seqs"] == list(range(100, 112))
    assert "测试" not in json.dumps(bodies, ensure_ascii=False)  # no names, phones, addresses
    with rt.db.session() as session:
        audited = search(session, rt.tenant, action="monitor.webhook")
    assert len(audited) == 2 and all(e.decision == "allow" for e in audited)
    notifier.close()

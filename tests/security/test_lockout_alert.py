"""Guessing API keys gets the address locked out *and* tells a security officer.

A lockout that only writes an audit event is seen by nobody until someone reads the log;
credential guessing is an attack in progress, so `auth.lockout` becomes an alert at once.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.monitor import service as monitor
from parcelguard.monitor.detectors.registry import RULES
from parcelguard.runtime import Runtime
from tests.security.edges_world import BAD_KEY, bearer

ATTACKER = ("203.0.113.9", 40000)


def open_alerts(rt: Runtime) -> list[dict]:
    with rt.db.read_session() as session:
        return [monitor.alert_view(i) for i in monitor.list_alerts(session, rt.tenant)]


def alerts_once_delivered(rt: Runtime, count: int) -> list[dict]:
    """Return the open alerts once `count` arrived (the bus delivers on its own thread)."""
    deadline = time.monotonic() + 20
    while len(found := open_alerts(rt)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return found


def test_guessing_api_keys_raises_an_alert(rt: Runtime) -> None:
    attacker = TestClient(create_app(rt), client=ATTACKER)
    for _ in range(5):
        assert attacker.get("/api/v1/auth/me", headers=bearer(BAD_KEY)).status_code == 401
    assert attacker.get("/api/v1/auth/me", headers=bearer(BAD_KEY)).status_code == 429
    [alert] = alerts_once_delivered(rt, 1)
    assert alert["rule"] == "auth_lockout" and alert["severity"] in ("high", "critical")
    assert alert["principal_id"].startswith("client:")
    assert alert["suspended"] is False  # nobody to suspend: the address is locked instead
    assert "203.0.113.9" not in str(alert)


def test_lockouts_of_two_addresses_are_two_alerts(rt: Runtime) -> None:
    for address in (ATTACKER, ("198.51.100.4", 1)):
        client = TestClient(create_app(rt), client=address)
        for _ in range(5):
            client.get("/api/v1/auth/me", headers=bearer(BAD_KEY))
    alerts = alerts_once_delivered(rt, 2)
    assert [a["rule"] for a in alerts] == ["auth_lockout", "auth_lockout"]
    assert len({a["principal_id"] for a in alerts}) == 2


def test_the_rule_is_registered() -> None:
    assert "auth_lockout" in RULES

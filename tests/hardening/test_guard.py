"""Rate limits on sign-in, reveal and any route, and the lockout after repeated bad API keys.

Every test runs twice: with the limits in memory and shared through Redis.
"""

from __future__ import annotations

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.ratelimit import Limit, RateLimiter, RedisWindows
from parcelguard.runtime import Runtime
from parcelguard.web.security import rate_limit
from tests.hardening.conftest import bearer

pytestmark = pytest.mark.usefixtures("limits_storage")

ATTACKER = ("203.0.113.9", 40000)
BAD_KEY = "pg_0123abcd_notTheRightSecretAtAll000000000000000000000"


def lockouts(cli) -> list[dict]:
    return cli("audit", "log", "--action", "auth.lockout", "--json").json["events"]


def test_five_bad_keys_lock_the_address_out_and_audit_once(app_for, cli, admin_key) -> None:
    attacker = app_for(client=ATTACKER)
    for _ in range(5):
        assert attacker.get("/api/v1/shipments/X", headers=bearer(BAD_KEY)).status_code == 401
    locked = attacker.get("/api/v1/shipments/X", headers=bearer(BAD_KEY))
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert int(locked.headers["retry-after"]) > 0
    # Even a good key is refused from that address; requests without a key are not.
    assert attacker.get("/api/v1/shipments/X", headers=bearer(admin_key)).status_code == 429
    assert attacker.get("/healthz").status_code == 200
    # Another address is unaffected.
    other = app_for(client=("198.51.100.4", 40000))
    assert other.get("/api/v1/shipments/X", headers=bearer(BAD_KEY)).status_code == 401
    events = lockouts(cli)
    assert len(events) == 1
    event = events[0]
    assert event["decision"] == "deny" and event["reason"] == "bad_api_keys"
    assert event["details"] == {
        "failures": 5,
        "window_s": 600,
        "network": "203.0.113.0/24",
        "client": event["target_id"],
    }
    assert "203.0.113.9" not in str(event)


def test_lockout_threshold_is_configurable(rt: Runtime, cli) -> None:
    rt.settings.sections["ratelimit"] = {"limits": {"lockout": {"limit": 2, "window": 60}}}
    attacker = TestClient(create_app(rt), client=ATTACKER)
    for _ in range(2):
        assert attacker.get("/api/v1/shipments/X", headers=bearer(BAD_KEY)).status_code == 401
    assert attacker.get("/api/v1/shipments/X", headers=bearer(BAD_KEY)).status_code == 429
    assert len(lockouts(cli)) == 1


def test_sign_in_is_limited_per_address(app_for) -> None:
    client = app_for(client=ATTACKER)
    answers = [client.post("/api/v1/auth/login/options").status_code for _ in range(21)]
    assert 429 not in answers[:20]
    assert answers[20] == 429
    assert app_for(client=("198.51.100.4", 1)).post("/api/v1/auth/login/options").status_code != 429


def test_reveal_is_limited_per_principal(rt: Runtime, cli, admin_key) -> None:
    rt.settings.sections["ratelimit"] = {"limits": {"reveal": {"limit": 3, "window": 60}}}
    client = TestClient(create_app(rt))
    body = {"fields": ["recipient.name"], "purpose": "delivery"}
    answers = [
        client.post("/api/v1/shipments/W1/reveal", json=body, headers=bearer(admin_key))
        for _ in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [404, 404, 404]
    assert answers[3].status_code == 429
    assert answers[3].json()["error"]["code"] == "rate_limited"
    second = cli("users", "add", "--name", "李管理", "--role", "admin", "--json").json["api_key"]
    again = client.post("/api/v1/shipments/W1/reveal", json=body, headers=bearer(second))
    assert again.status_code == 404


def test_limits_can_be_switched_off(rt: Runtime) -> None:
    rt.settings.sections["ratelimit"] = {"enabled": False}
    client = TestClient(create_app(rt), client=ATTACKER)
    for _ in range(8):
        assert client.get("/api/v1/shipments/X", headers=bearer(BAD_KEY)).status_code == 401


def test_route_dependency_limits_by_any_key(rt: Runtime) -> None:
    app = create_app(rt)
    verify = rate_limit("caller_verify", Limit(limit=2, window=3600), key=lambda r: "digest:ab12")

    @app.post("/verify", dependencies=[Depends(verify)])
    def verify_caller() -> dict:
        return {"ok": True}

    client = TestClient(app)
    assert [client.post("/verify").status_code for _ in range(2)] == [200, 200]
    refused = client.post("/verify")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    assert refused.json()["error"]["details"] == {"retry_after": 3600}


def test_a_lost_redis_answers_503_not_500(rt: Runtime) -> None:
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    rt.limiter = RateLimiter(RedisWindows("redis://127.0.0.1:1/0"))  # nothing listens there
    refused = client.post("/api/v1/auth/login/options")
    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "database_unavailable"
    assert client.get("/healthz").status_code == 200  # unlimited routes keep working


def test_a_lost_redis_inside_a_route_answers_503(rt: Runtime) -> None:
    app = create_app(rt)
    verify = rate_limit("caller_verify", Limit(limit=2, window=3600), key=lambda r: "digest:ab12")

    @app.post("/verify", dependencies=[Depends(verify)])
    def verify_caller() -> dict:
        return {"ok": True}

    rt.limiter = RateLimiter(RedisWindows("redis://127.0.0.1:1/0"))
    refused = TestClient(app, raise_server_exceptions=False).post("/verify")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"


def test_reveal_answers_401_before_judging_its_body_and_counts_bad_keys_not_reveals(
    rt: Runtime, admin_key
) -> None:
    rt.settings.sections["ratelimit"] = {"limits": {"reveal": {"limit": 1, "window": 60}}}
    client = TestClient(create_app(rt), client=ATTACKER)
    bad_body = {"fields": "not a list"}
    anonymous = client.post("/api/v1/shipments/W1/reveal", json=bad_body)
    assert anonymous.status_code == 401
    wrong = client.post("/api/v1/shipments/W1/reveal", json=bad_body, headers=bearer(BAD_KEY))
    assert wrong.status_code == 401
    invalid = client.post("/api/v1/shipments/W1/reveal", json=bad_body, headers=bearer(admin_key))
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "invalid_input"
    # The valid caller's one reveal of the window went to the invalid request.
    body = {"fields": ["recipient.name"], "purpose": "delivery"}
    limited = client.post("/api/v1/shipments/W1/reveal", json=body, headers=bearer(admin_key))
    assert limited.status_code == 429
    assert limited.headers["retry-after"]

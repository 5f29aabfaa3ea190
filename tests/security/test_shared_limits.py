"""Attacks on the rate limits that spread their requests over several server processes.

Behind a load balancer, an attacker's requests land on different workers. With
`PARCELGUARD_REDIS_URL` every worker counts against the same moving windows, so guessing
one-time codes, trying API keys or walking the exposure table gains nothing by spreading out.
Each test builds two runtimes on one database, each with its own Redis connection pool, as two
worker processes have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.app import create_app
from parcelguard.audit.models import AuditEvent
from parcelguard.clock import FixedClock
from parcelguard.errors import NotAuthenticated, RateLimited
from parcelguard.portal import otp
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.ratelimit import RateLimiter, RedisWindows
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

pytestmark = pytest.mark.redis
PHONE = "13800138000"
ATTACKER = "203.0.113.9"
BAD_KEY = "pg_0123abcd_notTheRightSecretAtAll000000000000000000000"


@pytest.fixture
def workers(
    rt: Runtime,
    settings: Settings,
    clock: FixedClock,
    redis_windows: Callable[..., RedisWindows],
) -> Iterator[tuple[Runtime, Runtime]]:
    """Return two runtimes on the same database and the same Redis, as two workers."""
    second = Runtime.from_settings(settings, clock=clock)
    for worker in (rt, second):
        worker.limiter = RateLimiter(redis_windows(lambda: clock.now().timestamp()))
    assert rt.limiter.storage.storage is not second.limiter.storage.storage
    yield rt, second
    second.close()


def events(rt: Runtime, action: str) -> list[AuditEvent]:
    with rt.db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_code_guesses_spread_over_two_workers_lock_at_the_fifth(
    workers: tuple[Runtime, Runtime],
) -> None:
    sms = RecordingSmsProvider()
    for worker in workers:
        install(worker, sms)
    otp.send_code(workers[0], PHONE, ATTACKER)
    right = sms.last_code(PHONE)
    guess = f"{(int(right) + 1) % 1_000_000:06d}"
    outcomes = []
    for n in range(5):
        try:
            otp.sign_in(workers[n % 2], PHONE, guess, ATTACKER)
        except (NotAuthenticated, RateLimited) as refused:
            outcomes.append(refused.code)
    assert outcomes == ["otp_invalid"] * 4 + ["otp_locked"]
    for worker in workers:  # the right code, on either worker, is refused while locked
        with pytest.raises(RateLimited) as locked:
            otp.sign_in(worker, PHONE, right, ATTACKER)
        assert locked.value.code == "otp_locked"
    with pytest.raises(RateLimited) as no_new_code:
        otp.send_code(workers[1], PHONE, "198.51.100.4")  # nor a new code, from anywhere
    assert no_new_code.value.code == "otp_send_limit"


def test_code_requests_spread_over_two_workers_share_the_per_phone_limit(
    workers: tuple[Runtime, Runtime],
) -> None:
    sms = RecordingSmsProvider()
    for worker in workers:
        install(worker, sms)
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    sent = []
    for n, address in enumerate(addresses):
        try:
            otp.send_code(workers[n % 2], PHONE, address)
            sent.append(True)
        except RateLimited:
            sent.append(False)
    assert sent == [True, True, True, False]  # 3 per phone in 10 minutes, whatever the worker
    assert len(sms.messages_to(PHONE)) == 3


def test_bad_api_keys_spread_over_two_workers_lock_the_address_and_audit_once(
    workers: tuple[Runtime, Runtime],
) -> None:
    clients = [TestClient(create_app(w), client=(ATTACKER, 40000)) for w in workers]
    bad = {"Authorization": f"Bearer {BAD_KEY}"}
    answers = [clients[n % 2].get("/api/v1/shipments/X", headers=bad) for n in range(5)]
    assert [a.status_code for a in answers] == [401] * 5
    for client in clients:
        locked = client.get("/api/v1/shipments/X", headers=bad)
        assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked_out"
    lockouts = events(workers[0], "auth.lockout")
    assert len(lockouts) == 1 and '"failures": 5' in str(lockouts[0].details)
    assert ATTACKER not in str(lockouts[0].details)


def test_walking_the_exposure_table_over_two_workers_gets_one_burst(
    workers: tuple[Runtime, Runtime],
) -> None:
    clients = [TestClient(create_app(w), client=(ATTACKER, 40000)) for w in workers]
    codes = [clients[n % 2].get(f"/api/v1/exposure/range/{n:05x}").status_code for n in range(16)]
    assert codes[:10] == [200] * 10  # `exposure_burst` at once, counted across both workers
    assert set(codes[10:]) == {429}
    refused = clients[0].get("/api/v1/exposure/range/fffff")
    assert refused.json()["error"]["message"] == "too many exposure checks; try again in a minute"
    assert int(refused.headers["retry-after"]) > 0


def test_redis_learns_neither_the_phone_nor_the_address(
    workers: tuple[Runtime, Runtime],
) -> None:
    sms = RecordingSmsProvider()
    install(workers[0], sms)
    otp.send_code(workers[0], PHONE, ATTACKER)
    with pytest.raises(NotAuthenticated):
        otp.sign_in(workers[0], PHONE, "000000", ATTACKER)
    storage = workers[0].limiter.storage
    redis = storage.storage
    names = [n.decode() for n in redis.scan_iter(match=f"{storage.key_prefix}:*")]
    values = [v.decode() for n in names for v in redis.lrange(n, 0, -1)]
    assert names
    digest = otp.phone_digest(workers[0], otp.mobile(PHONE)).hex()
    for secret in (PHONE, PHONE[-8:], ATTACKER, digest, digest[:16], "portal"):
        assert not any(secret in text for text in names + values)

"""The moving-window limiter on `limits`: the same behaviour in memory and shared through Redis."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest

from parcelguard.errors import RateLimited
from parcelguard.ratelimit import Limit, MemoryWindows, RateLimiter, RedisWindows
from parcelguard.ratelimit.storage import REDIS_PREFIX
from parcelguard.runtime import Runtime
from tests.conftest import REDIS_URL, make_settings

Maker = Callable[[Callable[[], float]], MemoryWindows | RedisWindows]


class Ticks:
    """A settable clock in seconds."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def windows(request: pytest.FixtureRequest) -> Maker:
    """Return a maker of storages: in memory, or Redis under the test's own key prefix."""
    if request.param == "redis":
        redis: Maker = request.getfixturevalue("redis_windows")
        return redis
    return MemoryWindows


def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_limit_per_window_then_refusal_with_retry_after(windows: Maker) -> None:
    ticks = Ticks()
    limiter = RateLimiter(windows(ticks))
    k = key()
    for _ in range(3):
        limiter.hit(k, 3, 60)
        ticks.t += 1
    with pytest.raises(RateLimited) as refused:
        limiter.hit(k, 3, 60)
    assert refused.value.code == "rate_limited"
    assert refused.value.details == {"retry_after": 57}  # the oldest attempt leaves at +60
    assert refused.value.message == "too many attempts; try again in 57 s"
    assert k not in refused.value.message


def test_window_slides(windows: Maker) -> None:
    ticks = Ticks()
    limiter = RateLimiter(windows(ticks))
    k = key()
    limiter.hit(k, 2, 10)
    ticks.t += 6
    limiter.hit(k, 2, 10)
    ticks.t += 3
    with pytest.raises(RateLimited):
        limiter.hit(k, 2, 10)
    ticks.t += 1.5  # the first attempt is now older than the window
    limiter.hit(k, 2, 10)


def test_refused_attempts_do_not_extend_the_window(windows: Maker) -> None:
    ticks = Ticks()
    limiter = RateLimiter(windows(ticks))
    k = key()
    limiter.hit(k, 1, 10)
    for _ in range(5):
        ticks.t += 1
        with pytest.raises(RateLimited):
            limiter.hit(k, 1, 10)
    ticks.t += 6
    limiter.hit(k, 1, 10)


def test_check_record_wait_and_reset_for_failures(windows: Maker) -> None:
    ticks = Ticks()
    limiter = RateLimiter(windows(ticks))
    k = key()
    assert [limiter.record(k, 4, 600) for _ in range(3)] == [1, 2, 3]
    limiter.check(k, 4, 600)
    assert limiter.wait(k, 4, 600) == 0
    assert limiter.record(k, 4, 600) == 4
    assert limiter.record(k, 4, 600) == 5  # past the limit: "more than enough", not counted
    with pytest.raises(RateLimited):
        limiter.check(k, 4, 600)
    ticks.t += 100
    assert limiter.wait(k, 4, 600) == 500
    limiter.reset(k, 4, 600)
    limiter.check(k, 4, 600)


def test_several_limits_at_once_count_only_when_all_have_room(windows: Maker) -> None:
    ticks = Ticks()
    limiter = RateLimiter(windows(ticks))
    k = key()
    burst, sustained = Limit(limit=2, window=10), Limit(limit=3, window=60)
    limiter.hit_all(k, [sustained, burst])
    limiter.hit_all(k, [sustained, burst])
    with pytest.raises(RateLimited) as refused:
        limiter.hit_all(k, [sustained, burst])  # the burst is spent; nothing is counted
    assert refused.value.details == {"retry_after": 10}
    ticks.t += 11
    limiter.hit_all(k, [sustained, burst])
    with pytest.raises(RateLimited) as refused:
        limiter.hit_all(k, [sustained, burst])  # now the minute is spent
    assert refused.value.details == {"retry_after": 49}


def test_keys_are_independent(windows: Maker) -> None:
    limiter = RateLimiter(windows(Ticks()))
    a, b = key(), key()
    limiter.hit(a, 1, 60)
    limiter.hit(b, 1, 60)
    with pytest.raises(RateLimited):
        limiter.hit(a, 1, 60)


def test_threads_never_exceed_the_limit(windows: Maker) -> None:
    limiter = RateLimiter(windows(Ticks()))
    k, allowed, lock = key(), [], threading.Lock()

    def worker() -> None:
        for _ in range(10):
            try:
                limiter.hit(k, 25, 60)
            except RateLimited:
                continue
            with lock:
                allowed.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 25


@pytest.mark.redis
def test_two_processes_sharing_redis_share_the_count(
    redis_windows: Callable[..., RedisWindows],
) -> None:
    # Two limiters, each with its own connection pool, as two server processes would have.
    ticks = Ticks()
    first, second = RateLimiter(redis_windows(ticks)), RateLimiter(redis_windows(ticks))
    assert first.storage.storage is not second.storage.storage
    k = key()
    first.hit(k, 3, 60)
    second.hit(k, 3, 60)
    first.hit(k, 3, 60)
    with pytest.raises(RateLimited):
        second.hit(k, 3, 60)
    with pytest.raises(RateLimited):
        first.hit(k, 3, 60)
    assert first.record(f"{k}:fail", 5, 600) == 1
    assert second.record(f"{k}:fail", 5, 600) == 2


def test_memory_limiters_of_two_processes_do_not_share() -> None:
    # The reason for Redis: without it, each process grants the whole limit again.
    first, second = RateLimiter(MemoryWindows(Ticks())), RateLimiter(MemoryWindows(Ticks()))
    k = key()
    first.hit(k, 1, 60)
    second.hit(k, 1, 60)


@pytest.mark.redis
def test_redis_holds_no_key_in_clear(redis_windows: Callable[..., RedisWindows]) -> None:
    storage = redis_windows(Ticks())
    RateLimiter(storage).hit("verify:ip:203.0.113.77", 3, 60)
    names = [name.decode() for name in storage.storage.scan_iter(match=f"{storage.key_prefix}:*")]
    assert names and not any("203.0.113.77" in name or "verify" in name for name in names)


@pytest.mark.redis
def test_the_runtime_shares_limits_through_redis_when_the_url_is_set(
    monkeypatch: pytest.MonkeyPatch, home, redis_windows
) -> None:
    monkeypatch.setenv("PARCELGUARD_REDIS_URL", REDIS_URL)
    settings = make_settings(home, None)
    first, second = Runtime.from_settings(settings), Runtime.from_settings(settings)
    assert first.limiter.shared and isinstance(first.limiter.storage, RedisWindows)
    assert first.limiter.storage.key_prefix == REDIS_PREFIX
    k = key()
    first.limiter.hit(k, 1, 60)
    with pytest.raises(RateLimited):
        second.limiter.hit(k, 1, 60)
    first.limiter.reset(k, 1, 60)


def test_the_runtime_keeps_limits_in_memory_by_default(home) -> None:
    rt = Runtime.from_settings(make_settings(home, None))
    assert isinstance(rt.limiter.storage, MemoryWindows) and not rt.limiter.shared


def test_memory_storage_forgets_the_least_recently_used_keys_past_its_bound() -> None:
    storage = MemoryWindows(Ticks(), max_keys=100)
    limiter = RateLimiter(storage)
    limiter.hit("kept", 1, 60)
    for i in range(1000):
        limiter.hit(f"flood:{i}", 1, 60)
        if i % 50 == 0:
            with pytest.raises(RateLimited):
                limiter.hit("kept", 1, 60)  # a key in use stays in memory
    assert len(storage.events) == 100


@pytest.mark.redis
def test_doctor_says_where_the_limits_count_and_fails_on_a_silent_redis(
    rt: Runtime, cli, redis_windows
) -> None:
    def store() -> dict:
        checks = cli("doctor", "--json").json["checks"]
        return next(c for c in checks if c["name"] == "ratelimit.store")

    assert store()["status"] == "pass" and "per process" in store()["detail"]
    rt.limiter = RateLimiter(redis_windows())
    assert store()["status"] == "pass" and "shared" in store()["detail"]
    rt.limiter = RateLimiter(RedisWindows("redis://127.0.0.1:1/0"))
    assert store()["status"] == "fail"

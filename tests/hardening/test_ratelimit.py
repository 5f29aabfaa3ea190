"""The sliding-window limiter: memory store, and the shared database store on both backends."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcelguard.db import make_engine
from parcelguard.errors import RateLimited
from parcelguard.ratelimit import MemoryStore, RateLimiter, SqlWindowStore, WindowStore


class Ticks:
    """A settable clock in seconds."""

    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WindowStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'ratelimit.db'}")
        yield SqlWindowStore(engine)
    else:
        engine = make_engine(request.getfixturevalue("pg_database"))
        yield SqlWindowStore(engine, schema="parcelguard_ratelimit")
    engine.dispose()


def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_limit_per_window_then_refusal_with_retry_after(store: WindowStore) -> None:
    ticks = Ticks()
    limiter = RateLimiter(store, now=ticks)
    k = key()
    for _ in range(3):
        limiter.hit(k, 3, 60)
        ticks.t += 1
    with pytest.raises(RateLimited) as refused:
        limiter.hit(k, 3, 60)
    assert refused.value.code == "rate_limited"
    assert refused.value.details == {"retry_after": 57}  # the oldest attempt leaves at +60
    assert k not in refused.value.message


def test_window_slides(store: WindowStore) -> None:
    ticks = Ticks()
    limiter = RateLimiter(store, now=ticks)
    k = key()
    limiter.hit(k, 2, 10)
    ticks.t += 6
    limiter.hit(k, 2, 10)
    ticks.t += 3
    with pytest.raises(RateLimited):
        limiter.hit(k, 2, 10)
    ticks.t += 1.5  # the first attempt is now older than the window
    limiter.hit(k, 2, 10)


def test_refused_attempts_do_not_extend_the_window(store: WindowStore) -> None:
    ticks = Ticks()
    limiter = RateLimiter(store, now=ticks)
    k = key()
    limiter.hit(k, 1, 10)
    for _ in range(5):
        ticks.t += 1
        with pytest.raises(RateLimited):
            limiter.hit(k, 1, 10)
    ticks.t += 6
    limiter.hit(k, 1, 10)


def test_check_and_record_for_failures(store: WindowStore) -> None:
    ticks = Ticks()
    limiter = RateLimiter(store, now=ticks)
    k = key()
    assert [limiter.record(k, 600) for _ in range(3)] == [1, 2, 3]
    limiter.check(k, 4, 600)
    limiter.record(k, 600)
    with pytest.raises(RateLimited):
        limiter.check(k, 4, 600)
    limiter.reset(k)
    limiter.check(k, 4, 600)


def test_keys_are_independent(store: WindowStore) -> None:
    limiter = RateLimiter(store, now=Ticks())
    a, b = key(), key()
    limiter.hit(a, 1, 60)
    limiter.hit(b, 1, 60)
    with pytest.raises(RateLimited):
        limiter.hit(a, 1, 60)


def test_threads_never_exceed_the_limit(store: WindowStore) -> None:
    limiter = RateLimiter(store)
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


def test_two_workers_share_the_database_store(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first = RateLimiter(SqlWindowStore(make_engine(f"sqlite:///{path}")))
    second = RateLimiter(SqlWindowStore(make_engine(f"sqlite:///{path}")))
    k = key()
    first.hit(k, 2, 60)
    second.hit(k, 2, 60)
    with pytest.raises(RateLimited):
        first.hit(k, 2, 60)


def test_database_store_keeps_no_key_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    store = SqlWindowStore(make_engine(f"sqlite:///{path}"))
    RateLimiter(store).hit("verify:ip:203.0.113.77", 3, 60)
    store.engine.dispose()
    assert b"203.0.113.77" not in path.read_bytes()


def test_memory_store_forgets_the_oldest_keys_past_its_bound() -> None:
    store = MemoryStore(max_keys=100)
    limiter = RateLimiter(store)
    for i in range(1000):
        limiter.hit(f"flood:{i}", 1, 60)
    assert len(store._keys) == 100

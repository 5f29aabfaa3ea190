"""The rate limiter: `limits`' moving window over memory or Redis, answering with `RateLimited`.

`RateLimiter.hit(key, limit, window)` counts one attempt and raises `RateLimited` when the key
already made `limit` attempts in the last `window` seconds; `retry_after` (whole seconds until
the oldest attempt leaves the window) travels in the error's details. Keys name what is
limited (`sign_in:ip:203.0.113.7`, `reveal:principal:<id>`) and are hashed before they reach a
storage, so neither memory nor Redis holds an address or an identifier in clear; still, a key
must never hold plaintext PII: pass a phone's blind-index digest, not the phone.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.strategies import MovingWindowRateLimiter

from parcelguard.errors import RateLimited
from parcelguard.ratelimit.config import Limit
from parcelguard.ratelimit.storage import MemoryWindows, Now, RedisWindows

Windows = MemoryWindows | RedisWindows


class RateLimiter:
    """Moving-window limits per key; one instance per runtime, shared by every domain."""

    def __init__(self, storage: Windows | None = None) -> None:
        self.storage: Windows = storage or MemoryWindows()
        self.windows = MovingWindowRateLimiter(self.storage)

    @classmethod
    def for_url(cls, redis_url: str | None, clock: Now = time.time) -> RateLimiter:
        """Return a limiter on Redis at `redis_url`, or in this process's memory when None."""
        if redis_url:
            return cls(RedisWindows(redis_url, clock))
        return cls(MemoryWindows(clock))

    @property
    def shared(self) -> bool:
        """Return whether other processes count against the same windows (Redis)."""
        return isinstance(self.storage, RedisWindows)

    def hit(self, key: str, limit: int, window: float) -> None:
        """Count one attempt of `key`; raise `RateLimited` when it is over `limit` per `window`."""
        item, subject = _item(limit, window), _subject(key)
        if not self.windows.hit(item, subject):
            raise self._refusal(item, subject)

    def hit_all(self, key: str, limits: Sequence[Limit]) -> None:
        """Count one attempt against several limits at once (a burst and a sustained rate).

        A refused attempt counts against none of them.
        """
        subject = _subject(key)
        items = [_item(rule.limit, rule.window) for rule in limits]
        for item in items:
            if not self.windows.test(item, subject):
                raise self._refusal(item, subject)
        for item in items:
            if not self.windows.hit(item, subject):  # another process took the last place
                raise self._refusal(item, subject)

    def check(self, key: str, limit: int, window: float) -> None:
        """Raise `RateLimited` if `key` already reached `limit`, without counting an attempt."""
        item, subject = _item(limit, window), _subject(key)
        if not self.windows.test(item, subject):
            raise self._refusal(item, subject)

    def wait(self, key: str, limit: int, window: float) -> int:
        """Return the seconds until `key` may make an attempt again (0: it may now)."""
        item, subject = _item(limit, window), _subject(key)
        if self.windows.test(item, subject):
            return 0
        return self._retry_after(item, subject)

    def record(self, key: str, limit: int, window: float) -> int:
        """Count one failure; return the failures in the window (`limit + 1` once it is full)."""
        item, subject = _item(limit, window), _subject(key)
        if not self.windows.hit(item, subject):
            return limit + 1
        return limit - self.windows.get_window_stats(item, subject).remaining

    def reset(self, key: str, limit: int, window: float) -> None:
        """Forget `key`'s attempts under this limit (a success that clears earlier failures)."""
        self.windows.clear(_item(limit, window), _subject(key))

    def _retry_after(self, item: RateLimitItem, subject: str) -> int:
        reset_at = self.windows.get_window_stats(item, subject).reset_time
        return max(1, math.ceil(reset_at - self.storage.clock()))

    def _refusal(self, item: RateLimitItem, subject: str) -> RateLimited:
        wait = self._retry_after(item, subject)
        return RateLimited(
            f"too many attempts; try again in {wait} s",
            code="rate_limited",
            details={"retry_after": wait},
        )


def _item(limit: int, window: float) -> RateLimitItem:
    """Return `limits`' item for "`limit` per `window` seconds" (windows are whole seconds)."""
    return RateLimitItemPerSecond(limit, max(1, math.ceil(window)))


def _subject(key: str) -> str:
    """Return what a storage keeps for a key: 128 bits of its SHA-256, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]

"""The two `limits` storages ParcelGuard uses, both on an injectable clock.

`MemoryWindows` keeps the moving windows in this process (the embedded default);
`RedisWindows` keeps them in Redis, so every server process counts against the same windows.
Both take the time of an attempt from `clock` rather than `time.time()`, so a runtime's clock
(a fixed clock in tests, the wall clock in production) decides when a window slides.
Storage failures surface as `limits.errors.StorageError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from limits.storage import MemoryStorage, RedisStorage
from limits.storage.memory import Entry

Now = Callable[[], float]
MAX_KEYS = 100_000
REDIS_PREFIX = "parcelguard"
REDIS_TIMEOUT = 1.0  # seconds: a Redis that went away costs a request this, then a 503


class _Stamp(Entry):
    """One attempt: when it happened by the storage's clock.

    `expiry` stays on the wall clock, for `limits`' own sweeper should it ever run.
    """

    def __init__(self, at: float, expiry: float) -> None:
        self.atime = at
        self.expiry = time.time() + expiry


class MemoryWindows(MemoryStorage):
    """`limits`' memory storage on a clock, holding at most `max_keys` keys.

    Past `max_keys` the least recently used keys go first, so a flood of new keys (addresses
    invented per request) cannot grow memory without bound.
    """

    def __init__(self, clock: Now = time.time, *, max_keys: int = MAX_KEYS) -> None:
        super().__init__(wrap_exceptions=True)
        # `limits`' sweeper compares entries with the wall clock, not ours; `_live` trims
        # each key as it is used and `max_keys` bounds the rest, so it is never needed.
        self.timer.cancel()
        self.clock = clock
        self.max_keys = max_keys
        self._guard = threading.Lock()

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Add `amount` attempts now unless the window already holds `limit - amount + 1`."""
        if amount > limit:
            return False
        now = self.clock()
        with self._guard:
            events = self._live(key, now, expiry)
            if len(events) + amount > limit:
                return False
            events[:0] = [_Stamp(now, expiry)] * amount  # newest first, as `limits` keeps them
            return True

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """Return the oldest attempt's time and the number of attempts inside the window."""
        now = self.clock()
        with self._guard:
            events = self._live(key, now, expiry)
            return (events[-1].atime, len(events)) if events else (now, 0)

    def clear(self, key: str) -> None:
        """Forget every attempt of `key`."""
        with self._guard:
            self.events.pop(key, None)

    def reset(self) -> int | None:
        """Forget every key; return how many there were."""
        with self._guard:
            count = len(self.events)
            self.events.clear()
            return count

    def _live(self, key: str, now: float, expiry: int) -> list[Entry]:
        """Return the key's attempts inside the window (older ones dropped), marked as used."""
        events = self.events.pop(key, None)
        if events is None:
            events = []
            while len(self.events) >= self.max_keys:
                self.events.pop(next(iter(self.events)))
        self.events[key] = events  # re-inserted last: the dict's order is least recent first
        while events and events[-1].atime < now - expiry:
            events.pop()
        return events


class RedisWindows(RedisStorage):
    """`limits`' Redis storage on a clock; keys start with `prefix` (`parcelguard:`).

    The moving window is `limits`' own pair of Lua scripts, so each attempt is one atomic
    round trip however many processes share the server.
    """

    def __init__(self, url: str, clock: Now = time.time, *, prefix: str = REDIS_PREFIX) -> None:
        super().__init__(
            url,
            key_prefix=prefix,
            wrap_exceptions=True,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )
        self.clock = clock

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        """Add `amount` attempts now unless the window is full (one atomic script)."""
        now = self.clock()
        args = [now, limit, expiry, amount]
        return bool(self.lua_acquire_moving_window([self.prefixed_key(key)], args))

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        """Return the oldest attempt's time and the number of attempts inside the window."""
        now = self.clock()
        window = self.lua_moving_window([self.prefixed_key(key)], [now - expiry, limit])
        return (float(window[0]), int(window[1])) if window else (now, 0)

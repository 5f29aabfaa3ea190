"""A small in-process token bucket per client, for the anonymous exposure endpoints.

Each client (an IP address, as the server sees it) may make `burst` requests at once and then
`per_minute` a minute. The table of clients is bounded: the least recently seen are dropped
first. One process, one table; behind several workers each keeps its own, which still bounds
how fast the exposure table can be walked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from parcelguard.clock import Clock
from parcelguard.errors import RateLimited

MAX_CLIENTS = 10_000


class RateLimiter:
    """Allows `burst` requests at once and `per_minute` sustained, per client."""

    def __init__(self, clock: Clock, *, per_minute: float = 30.0, burst: int = 10) -> None:
        self.clock = clock
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Take one token for `client`, or raise `RateLimited`."""
        now = self.clock.now().timestamp()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + max(0.0, now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                raise RateLimited(
                    "too many exposure checks; try again in a minute", code="rate_limited"
                )
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)

"""Bounded sliding windows the detectors share: "N events within W seconds" per key."""

from __future__ import annotations

from collections import deque

from parcelguard.monitor.events import AccessEvent


class Burst:
    """Per key, the last `count` events: enough to tell whether they fell within `seconds`.

    Memory is `count` events per key whatever the rate.
    """

    __slots__ = ("count", "recent", "seconds")

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.recent: dict[str, deque[AccessEvent]] = {}

    def add(self, key: str, event: AccessEvent) -> list[AccessEvent] | None:
        """Add an event; return the burst (and start over) once `count` fit in the window."""
        events = self.recent.get(key)
        if events is None:
            events = self.recent[key] = deque(maxlen=self.count)
        events.append(event)
        if len(events) == self.count and event.ts - events[0].ts <= self.seconds:
            burst = list(events)
            events.clear()
            return burst
        return None

    def forget_idle(self, before: float) -> None:
        """Drop keys whose newest event is older than `before` (called once a day)."""
        stale = [k for k, v in self.recent.items() if not v or v[-1].ts < before]
        for key in stale:
            del self.recent[key]

"""What the engine remembers of each principal: today's counts and a bounded history.

One `Profile` per principal, updated once per event by the engine, read by every detector, so
no detector keeps its own copy of the same counts. Memory is bounded: a ring of daily totals,
a sliding hour of reveal attempts (capped) and a 24-bin hour-of-day histogram.
"""

from __future__ import annotations

from collections import deque

from parcelguard.monitor.events import AccessEvent

ATTEMPTS = frozenset(("reveal", "deny"))
HOUR = 3600.0
WINDOW_CAP = 4096
DECAY = 0.95  # the hour-of-day habit forgets a day's weight in about three weeks


class Profile:
    """One principal's counts for the current day and its recent history."""

    __slots__ = (
        "active_days",
        "attempts",
        "closed_day",
        "day",
        "day_peaks",
        "day_totals",
        "events",
        "hours",
        "hours_today",
        "peak",
        "principal_id",
        "recent",
        "role",
        "station_id",
        "window",
    )

    def __init__(self, event: AccessEvent, history_days: int) -> None:
        self.principal_id = event.principal_id
        self.role = event.role
        self.station_id = event.station_id
        self.day = event.local_day
        self.attempts = 0  # reveal attempts (allowed or denied) today
        self.events = 0  # accesses of any kind today
        self.peak = 0  # most reveal attempts in any sliding hour today
        self.window: deque[AccessEvent] = deque(maxlen=WINDOW_CAP)
        self.hours_today = [0] * 24
        self.hours = [0.0] * 24
        self.active_days = 0
        self.closed_day = -1  # the last active day moved into the history
        self.day_totals: deque[int] = deque(maxlen=history_days)
        self.day_peaks: deque[int] = deque(maxlen=history_days)
        self.recent: deque[AccessEvent] = deque(maxlen=8)

    def update(self, event: AccessEvent, day: int, hour: int) -> None:
        """Count one access (the engine calls this before any detector sees the event)."""
        if day > self.day:
            self.close_day()
            self.day = day
        self.events += 1
        self.hours_today[hour] += 1
        self.recent.append(event)
        if event.action in ATTEMPTS:
            self.attempts += 1
            window = self.window
            window.append(event)
            cutoff = event.ts - HOUR
            while window[0].ts < cutoff:
                window.popleft()
            if len(window) > self.peak:
                self.peak = len(window)

    def close_day(self) -> None:
        """Move today's counts into the history (days without activity are not history)."""
        if self.events:
            self.day_totals.append(self.attempts)
            self.day_peaks.append(self.peak)
            self.hours = [h * DECAY + t for h, t in zip(self.hours, self.hours_today, strict=True)]
            self.active_days += 1
            self.closed_day = self.day
        self.attempts = self.events = self.peak = 0
        self.hours_today = [0] * 24

    def hour_share(self, hour: int, spread: int = 1) -> float:
        """Return the learned share of activity within `spread` hours of `hour`."""
        total = sum(self.hours)
        if total <= 0:
            return 0.0
        near = sum(self.hours[(hour + d) % 24] for d in range(-spread, spread + 1))
        return near / total

    def sliding_hour(self, now: float) -> int:
        """Return the reveal attempts in the hour before `now`."""
        window = self.window
        cutoff = now - HOUR
        while window and window[0].ts < cutoff:
            window.popleft()
        return len(window)

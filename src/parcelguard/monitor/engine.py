"""The detection engine: feeds each event to the detectors that watch its action.

State lives in memory and is bounded (profiles per principal, sliding windows per detector),
so replay runs at tens of thousands of events a second and a live consumer answers within
milliseconds. The engine also rolls hours and days on the events' own clock, which makes a
replay deterministic, and marks a finding as a repeat when the same principal and rule fired
within the incident window (live: more evidence for the open incident; replay: not printed).
"""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.monitor.config import MonitorConfig
from parcelguard.monitor.detectors.base import Detector, Finding
from parcelguard.monitor.detectors.registry import DETECTORS
from parcelguard.monitor.events import LOCAL_OFFSET, AccessEvent
from parcelguard.monitor.profile import Profile

Observe = Callable[[AccessEvent, Profile], Finding | None]
NONE: list[Finding] = []
NOT_ACCESSES = frozenset(("signal", "transfer", "step"))  # read by some rules, in no profile


class Engine:
    """Every enabled detector, the principals' profiles, and the engine's own clock."""

    def __init__(self, config: MonitorConfig) -> None:
        self.config = config
        common = config.common()
        self.detectors: list[Detector] = []
        for cls in DETECTORS:
            params = config.rule(cls.rule)
            if params.enabled:
                self.detectors.append(cls(params, common))
        self.by_action: dict[str, list[Observe]] = {}
        for detector in self.detectors:
            for action in detector.actions:
                self.by_action.setdefault(action, []).append(detector.observe)
        self.profiles: dict[str, Profile] = {}
        self.window = config.incident_window_minutes * 60
        self.fired: dict[tuple[str, str], float] = {}
        self.history_days = config.history_days
        self.day = -1  # the engine's clock: China-time day and hour numbers, -1 before any
        self.hour = -1
        self.events = 0

    def feed(self, event: AccessEvent) -> list[Finding]:
        """Run one event through the detectors; return what they found (often nothing)."""
        observers = self.by_action.get(event.action)
        if observers is None:
            return NONE
        self.events += 1
        hour = int((event.ts + LOCAL_OFFSET) // 3600)
        found: list[Finding] | None = None
        if hour > self.hour:
            if self.hour < 0:
                self.hour, self.day = hour, hour // 24
            else:
                found = self._roll(hour)
        event.day = day = self.day
        event.hour = hour % 24
        profile = self.profiles.get(event.principal_id)
        if profile is None:
            profile = self.profiles[event.principal_id] = Profile(event, self.history_days)
        if event.action not in NOT_ACCESSES:
            profile.update(event, day, event.hour)
        for observe in observers:
            finding = observe(event, profile)
            if finding is not None:
                if found is None:
                    found = []
                found.append(finding)
        return self._finish(found) if found else NONE

    def flush(self) -> list[Finding]:
        """Close the current hour and day (end of a replay)."""
        if self.hour < 0:
            return NONE
        return self._finish(self._roll(self.hour + 24 - self.hour % 24))

    def _roll(self, hour: int) -> list[Finding]:
        """Close the hours (and days) between the engine's clock and `hour`."""
        found: list[Finding] = []
        ts = hour * 3600 - LOCAL_OFFSET
        for detector in self.detectors:
            found.extend(detector.roll_hour(self.hour, ts, self.profiles))
        day = hour // 24
        if day > self.day:
            ended, self.day = self.day, day
            for profile in self.profiles.values():
                if profile.day <= ended:
                    profile.close_day()
                    profile.day = day
            day_start = day * 86400 - LOCAL_OFFSET
            for detector in self.detectors:
                found.extend(detector.roll_day(ended, day_start, self.profiles))
            stale = [k for k, at in self.fired.items() if day_start - at > self.window]
            for key in stale:
                del self.fired[key]
        self.hour = hour
        return found

    def _finish(self, found: list[Finding]) -> list[Finding]:
        for finding in found:
            params = self.config.rule(finding.rule)
            finding.severity, finding.suspend = params.severity, params.suspend
            key = (finding.principal_id, finding.rule)
            last = self.fired.get(key)
            finding.repeat = last is not None and finding.ts - last <= self.window
            self.fired[key] = finding.ts
        return found

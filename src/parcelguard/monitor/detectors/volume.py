"""Reveal volume against a ceiling per hour and per day: the principal's own or its role's.

`OwnVolumeDetector` keys the ceilings by principal, `PeerVolumeDetector` by role; both fire at
most once a sliding hour and once a day per principal, with the same finding.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from parcelguard.monitor.detectors.base import Detector, Finding, P
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile


class VolumeDetector(Detector[P]):
    """Compares the sliding hour's and today's attempts with ceilings kept by `ceiling_key`."""

    def start(self) -> None:
        """Start with no ceilings: the first day's end sets them."""
        self.day_limit: dict[str, float] = {}
        self.hour_limit: dict[str, float] = {}
        self.fired_day: dict[str, int] = {}
        self.fired_hour: dict[str, float] = {}

    @abstractmethod
    def ceiling_key(self, event: AccessEvent) -> str:
        """Return whose ceilings judge the event (the principal, or its role)."""

    @abstractmethod
    def context(self, event: AccessEvent, profile: Profile, span: str) -> dict[str, Any]:
        """Return what the finding adds to span, count and limit."""

    def beyond(self, profile: Profile, count: int, *, hourly: bool) -> bool:
        """Return whether a count over the ceiling is also unusual otherwise (default: yes)."""
        return True

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Compare the sliding hour and today with the ceilings, once per span."""
        key = self.ceiling_key(event)
        hour_limit = self.hour_limit.get(key)
        if hour_limit is None:
            return None
        pid = event.principal_id
        in_hour = len(profile.window)
        if (
            in_hour > hour_limit
            and event.ts - self.fired_hour.get(pid, -1e18) > 3600
            and self.beyond(profile, in_hour, hourly=True)
        ):
            self.fired_hour[pid] = event.ts
            return self._found(event, profile, "hour", in_hour, hour_limit)
        day_limit = self.day_limit[key]
        if (
            profile.attempts > day_limit
            and self.fired_day.get(pid) != profile.day
            and self.beyond(profile, profile.attempts, hourly=False)
        ):
            self.fired_day[pid] = profile.day
            return self._found(event, profile, "day", profile.attempts, day_limit)
        return None

    def _found(
        self, event: AccessEvent, profile: Profile, span: str, count: int, limit: float
    ) -> Finding:
        details = {"span": span, "count": count, "limit": round(limit, 1)}
        details.update(self.context(event, profile, span))
        return self.finding(event, details, list(profile.window)[-20:])

"""Many different parcels (recipients) looked up by one principal in a short window."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile

STAFF = ["courier", "station_clerk", "customer_service", "security_officer", "admin"]


class DistinctTargetsParams(RuleParams):
    """`count` distinct targets within `window_minutes`, for principals of `roles`."""

    severity: Severity = "high"
    suspend: bool = True
    count: int = Field(default=30, ge=2)
    window_minutes: float = Field(default=15, gt=0)
    roles: list[str] = Field(default_factory=lambda: list(STAFF))


class DistinctTargetsDetector(Detector[DistinctTargetsParams]):
    """Fires when reveal attempts reach many distinct recipients (or waybills) quickly.

    The target is the event's recipient key when the source has one, else its waybill.
    Service accounts (sorting, label printing) touch thousands of parcels by design and are
    left out by default.
    """

    rule = "distinct_targets"
    actions = ("reveal", "deny")
    Params = DistinctTargetsParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.roles = frozenset(self.p.roles)
        self.seconds = self.p.window_minutes * 60
        self.seen: dict[str, dict[str, float]] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Add the target; evict those not seen within the window; fire at `count`."""
        target = event.target or event.waybill
        if target is None or event.role not in self.roles:
            return None
        seen = self.seen.get(event.principal_id)
        if seen is None:
            seen = self.seen[event.principal_id] = {}
        seen.pop(target, None)
        seen[target] = event.ts  # insertion order is last-seen order
        cutoff = event.ts - self.seconds
        while True:
            oldest = next(iter(seen))
            if seen[oldest] >= cutoff:
                break
            del seen[oldest]
        if len(seen) < self.p.count:
            return None
        seen.clear()
        details = {"count": self.p.count, "window_minutes": self.p.window_minutes}
        return self.finding(event, details, list(profile.window)[-self.p.count :])

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Forget principals idle for longer than the window."""
        cutoff = ts - self.seconds
        stale = [pid for pid, seen in self.seen.items() if not seen or max(seen.values()) < cutoff]
        for pid in stale:
            del self.seen[pid]
        return []

"""Activity at hours when this principal (learned from its own history) is never at work."""

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
from parcelguard.monitor.windows import Burst

NEVER = (False,) * 24


class OffHoursParams(RuleParams):
    """Which hours are off, and how many accesses in them fire.

    An hour is off when under `share` of the principal's learned activity falls within
    `spread` hours of it; `count` off-hour accesses within `window_minutes` fire.
    """

    severity: Severity = "medium"
    share: float = Field(default=0.004, gt=0, lt=1)
    spread: int = Field(default=1, ge=0, le=4)
    role_share: float = Field(default=0.002, gt=0, lt=1)
    role_guard: float = Field(default=0.02, gt=0, lt=1)
    count: int = Field(default=8, ge=1)
    window_minutes: float = Field(default=60, gt=0)


class OffHoursDetector(Detector[OffHoursParams]):
    """Fires on a run of accesses in hours that are off for the principal.

    Each principal's hours are learned (a decayed hour-of-day histogram of its own days);
    staff without `min_history_days` are judged by their role's hours instead. An hour in
    which the role works a fair share (`role_guard`) is never off: covering a colleague's
    shift is not misuse.
    """

    rule = "off_hours"
    actions = ("reveal", "deny", "scan", "export")
    Params = OffHoursParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.own: dict[str, tuple[bool, ...]] = {}
        self.by_role: dict[str, tuple[bool, ...]] = {}
        self.burst = Burst(self.p.count, self.p.window_minutes * 60)

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count the access if its hour is off for the principal."""
        off = self.own.get(event.principal_id) or self.by_role.get(event.role, NEVER)
        if not off[event.hour]:
            return None
        burst = self.burst.add(event.principal_id, event)
        if burst is None:
            return None
        own = event.principal_id in self.own
        details = {
            "count": len(burst),
            "hour": event.hour,
            "learned_from": "own" if own else "role",
            "usual_share": round(profile.hour_share(event.hour, self.p.spread), 4),
        }
        return self.finding(event, details, burst)

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Relearn which hours are off, per principal and per role."""
        p = self.p
        role_hours: dict[str, list[float]] = {}
        for prof in profiles.values():
            total = sum(prof.hours)
            if total > 0:
                acc = role_hours.setdefault(prof.role, [0.0] * 24)
                for h in range(24):
                    acc[h] += prof.hours[h] / total
        shares = {role: self._shares(hours) for role, hours in role_hours.items()}
        for role, share in shares.items():
            self.by_role[role] = tuple(s < p.role_share for s in share)
        for pid, prof in profiles.items():
            if prof.active_days >= self.common.min_history_days:
                guard = shares[prof.role]
                self.own[pid] = tuple(
                    prof.hour_share(h, p.spread) < p.share and guard[h] < p.role_guard
                    for h in range(24)
                )
        self.burst.forget_idle(ts - p.window_minutes * 60)
        return []

    def _shares(self, hours: list[float]) -> list[float]:
        total = sum(hours) or 1.0
        spread = range(-self.p.spread, self.p.spread + 1)
        return [sum(hours[(h + d) % 24] for d in spread) / total for h in range(24)]

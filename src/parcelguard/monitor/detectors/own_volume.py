"""Reveal attempts far above the principal's own history, per day and per sliding hour."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Common,
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.stats import median, robust_ceiling


class OwnVolumeParams(RuleParams):
    """Thresholds: median + k·MAD of the principal's active days, with floors."""

    severity: Severity = "medium"
    k: float = Field(default=8.0, gt=0)
    rel_spread: float = Field(default=0.25, ge=0)
    ratio: float = Field(default=2.5, ge=1)
    floor_day: int = Field(default=40, ge=1)
    floor_hour: int = Field(default=25, ge=1)


class OwnVolumeDetector(Detector):
    """Fires when today's or the last hour's reveal attempts exceed the principal's own norm.

    Only principals with `min_history_days` active days are judged; new staff are left to
    the peer comparison until they have a history of their own.
    """

    rule = "volume_own"
    actions = ("reveal", "deny")
    Params = OwnVolumeParams

    def __init__(self, params: RuleParams, common: Common) -> None:
        super().__init__(params, common)
        assert isinstance(params, OwnVolumeParams)
        self.p = params
        self.day_limit: dict[str, float] = {}
        self.hour_limit: dict[str, float] = {}
        self.fired_day: dict[str, int] = {}
        self.fired_hour: dict[str, float] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Compare today's and the sliding hour's attempts with the principal's ceilings."""
        pid = event.principal_id
        hour_limit = self.hour_limit.get(pid)
        if hour_limit is None:
            return None
        in_hour = len(profile.window)
        if in_hour > hour_limit and event.ts - self.fired_hour.get(pid, -1e18) > 3600:
            self.fired_hour[pid] = event.ts
            return self._found(event, profile, "hour", in_hour, hour_limit)
        day_limit = self.day_limit[pid]
        if profile.attempts > day_limit and self.fired_day.get(pid) != profile.day:
            self.fired_day[pid] = profile.day
            return self._found(event, profile, "day", profile.attempts, day_limit)
        return None

    def _found(
        self, event: AccessEvent, profile: Profile, span: str, count: int, limit: float
    ) -> Finding:
        usual = median(profile.day_peaks if span == "hour" else profile.day_totals)
        details = {"span": span, "count": count, "limit": round(limit, 1), "usual": usual}
        return self.finding(event, details, list(profile.window)[-20:])

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Recompute each principal's ceilings from its active days."""
        p = self.p
        need = self.common.min_history_days
        for pid, prof in profiles.items():
            if prof.active_days < need or len(prof.day_totals) < need:
                continue
            self.day_limit[pid] = robust_ceiling(
                prof.day_totals, p.k, rel_spread=p.rel_spread, ratio=p.ratio, floor=p.floor_day
            )
            self.hour_limit[pid] = robust_ceiling(
                prof.day_peaks, p.k, rel_spread=p.rel_spread, ratio=p.ratio, floor=p.floor_hour
            )
        return []

"""Reveal attempts far above the principal's own history, per day and per sliding hour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.detectors.volume import VolumeDetector
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


class OwnVolumeDetector(VolumeDetector[OwnVolumeParams]):
    """Fires when today's or the last hour's reveal attempts exceed the principal's own norm.

    Only principals with `min_history_days` active days are judged; new staff are left to
    the peer comparison until they have a history of their own.
    """

    rule = "volume_own"
    actions = ("reveal", "deny")
    Params = OwnVolumeParams

    def ceiling_key(self, event: AccessEvent) -> str:
        """Return the principal: its own history sets its ceilings."""
        return event.principal_id

    def context(self, event: AccessEvent, profile: Profile, span: str) -> dict[str, Any]:
        """Add the principal's usual count for the span."""
        return {"usual": median(profile.day_peaks if span == "hour" else profile.day_totals)}

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

"""Reveal attempts far above what same-role peers do in a day or a sliding hour."""

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
from parcelguard.monitor.stats import median, quantile


class PeerVolumeParams(RuleParams):
    """Ceiling: `factor` × the role's `quantile` of principal-days, at least the floors."""

    severity: Severity = "medium"
    quantile: float = Field(default=0.99, gt=0.5, le=1.0)
    factor: float = Field(default=2.0, ge=1.0)
    min_peers: int = Field(default=5, ge=2)
    floor_day: int = Field(default=60, ge=1)
    floor_hour: int = Field(default=40, ge=1)
    own_ratio: float = Field(default=3.0, ge=1.0)


class PeerVolumeDetector(VolumeDetector[PeerVolumeParams]):
    """Fires when a principal does far more than the busiest ordinary days of its role.

    This is what judges new staff, who have no history of their own. A principal whose own
    history is long enough must also be `own_ratio` times its own median, so a route that
    is always the city's biggest is not an alert every day.
    """

    rule = "volume_peer"
    actions = ("reveal", "deny")
    Params = PeerVolumeParams

    def ceiling_key(self, event: AccessEvent) -> str:
        """Return the role: its members' recent days set the ceilings."""
        return event.role

    def context(self, event: AccessEvent, profile: Profile, span: str) -> dict[str, Any]:
        """Add the role compared with."""
        return {"role": event.role}

    def beyond(self, profile: Profile, count: int, *, hourly: bool) -> bool:
        """Return whether the count is also `own_ratio` times the principal's own usual."""
        if profile.active_days < self.common.min_history_days:
            return True
        usual = median(profile.day_peaks if hourly else profile.day_totals)
        return count > self.p.own_ratio * usual

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Recompute each role's ceilings from its members' recent active days."""
        totals: dict[str, list[int]] = {}
        peaks: dict[str, list[int]] = {}
        members: dict[str, int] = {}
        for prof in profiles.values():
            if not prof.day_totals:
                continue
            totals.setdefault(prof.role, []).extend(prof.day_totals)
            peaks.setdefault(prof.role, []).extend(prof.day_peaks)
            members[prof.role] = members.get(prof.role, 0) + 1
        p = self.p
        for role, count in members.items():
            if count < p.min_peers:
                continue
            self.day_limit[role] = max(p.factor * quantile(totals[role], p.quantile), p.floor_day)
            self.hour_limit[role] = max(p.factor * quantile(peaks[role], p.quantile), p.floor_hour)
        return []

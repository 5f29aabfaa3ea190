"""A slow drip: a few accesses to other people's parcels every day, for days on end."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
    keep,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.stats import median, peer_ceilings


class UnassignedDripParams(RuleParams):
    """Over the last `days` active days: a median of `min_daily` a day, a sum above peers.

    The peers' ceiling is their median sum + `peer_k` robust deviations (MAD): a few
    misusers among the role's members do not move it, as they would a high quantile.
    """

    severity: Severity = "medium"
    days: int = Field(default=7, ge=2, le=60)
    min_days: int = Field(default=4, ge=2)
    min_daily: float = Field(default=2.0, gt=0)
    min_total: int = Field(default=12, ge=1)
    peer_k: float = Field(default=6.0, gt=0)
    roles: list[str] = Field(default_factory=lambda: ["courier", "station_clerk"])


class UnassignedDripDetector(Detector[UnassignedDripParams]):
    """Fires at the end of a day when the habit, not one bad day, is out of line.

    The median over active days ignores a single day of covering a sick colleague's route,
    and the sum is taken without the worst day (a burst is another rule's business); it
    must stand well above what the role's other members reach.
    """

    rule = "unassigned_drip"
    actions = ("reveal", "deny", "scan")
    Params = UnassignedDripParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.roles = frozenset(self.p.roles)
        self.today: dict[str, int] = {}
        self.days: dict[str, deque[int]] = {}
        self.recent: dict[str, deque[AccessEvent]] = {}
        self.fired: dict[str, int] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count today's accesses to parcels not assigned to the principal."""
        if (
            event.assigned is False
            and event.role in self.roles
            and event.outcome != "shipment_not_found"
        ):
            pid = event.principal_id
            self.today[pid] = self.today.get(pid, 0) + 1
            keep(self.recent, pid, event, 20)
        return None

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Add the ended day to each active principal's ring, then judge the rings."""
        p = self.p
        for pid, prof in profiles.items():
            if prof.closed_day == ended and prof.role in self.roles:
                keep(self.days, pid, self.today.get(pid, 0), p.days)
        self.today.clear()
        limits = self._role_limits(profiles)
        found = []
        for pid, ring in self.days.items():
            if len(ring) < p.min_days or ended - self.fired.get(pid, -(10**9)) < p.days:
                continue
            total = sum(ring) - max(ring)
            limit = limits.get(profiles[pid].role, p.min_total)
            if median(ring) >= p.min_daily and total > limit:
                self.fired[pid] = ended
                details = {"days": len(ring), "total": total, "median": median(ring)}
                details["limit"] = round(limit, 1)
                evidence = list(self.recent.get(pid, ()))
                found.append(Finding(self.rule, pid, ts, details, evidence, profiles[pid].role))
        return found

    def _role_limits(self, profiles: Mapping[str, Profile]) -> dict[str, float]:
        sums: dict[str, list[int]] = {}
        for pid, ring in self.days.items():
            sums.setdefault(profiles[pid].role, []).append(sum(ring) - max(ring))
        p = self.p
        return peer_ceilings(sums, p.peer_k, float(p.min_total))

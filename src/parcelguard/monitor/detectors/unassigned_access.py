"""A burst of reveals or scans of parcels that are not assigned to the principal."""

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


class UnassignedAccessParams(RuleParams):
    """`count` accesses to parcels not assigned to the principal within `window_minutes`."""

    severity: Severity = "high"
    suspend: bool = True
    count: int = Field(default=12, ge=2)
    window_minutes: float = Field(default=30, gt=0)
    roles: list[str] = Field(default_factory=lambda: ["courier", "station_clerk"])


class UnassignedAccessDetector(Detector[UnassignedAccessParams]):
    """Fires on a quick run of accesses to other people's parcels.

    Only roles for which "assigned" means something (a courier's route, a clerk's station)
    are judged; an unknown waybill is the enumeration rule's business, not this one's.
    """

    rule = "unassigned_access"
    actions = ("reveal", "deny", "scan")
    Params = UnassignedAccessParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.roles = frozenset(self.p.roles)
        self.burst = Burst(self.p.count, self.p.window_minutes * 60)

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count accesses with `assigned` false by principals of the judged roles."""
        if event.assigned is not False or event.role not in self.roles:
            return None
        if event.outcome == "shipment_not_found":
            return None
        burst = self.burst.add(event.principal_id, event)
        if burst is None:
            return None
        details = {
            "count": len(burst),
            "window_minutes": self.p.window_minutes,
            "waybills": sorted({e.waybill for e in burst if e.waybill})[:20],
        }
        return self.finding(event, details, burst)

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Forget principals idle for longer than the window."""
        self.burst.forget_idle(ts - self.p.window_minutes * 60)
        return []

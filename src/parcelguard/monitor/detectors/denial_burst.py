"""A burst of denied reveals: someone trying what the policy does not allow, again and again."""

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


class DenialBurstParams(RuleParams):
    """`count` denials within `window_minutes`; some reasons are not counted."""

    severity: Severity = "medium"
    count: int = Field(default=10, ge=2)
    window_minutes: float = Field(default=10, gt=0)
    ignore_reasons: list[str] = Field(default_factory=lambda: ["step_up_required"])


class DenialBurstDetector(Detector[DenialBurstParams]):
    """Fires when a principal collects many denials in a few minutes."""

    rule = "denial_burst"
    actions = ("deny",)
    Params = DenialBurstParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.ignored = frozenset(self.p.ignore_reasons)
        self.burst = Burst(self.p.count, self.p.window_minutes * 60)

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count the denial unless its reason is ignored."""
        if event.outcome in self.ignored:
            return None
        burst = self.burst.add(event.principal_id, event)
        if burst is None:
            return None
        reasons: dict[str, int] = {}
        for e in burst:
            reasons[e.outcome or "unknown"] = reasons.get(e.outcome or "unknown", 0) + 1
        details = {"count": len(burst), "window_minutes": self.p.window_minutes, "reasons": reasons}
        return self.finding(event, details, burst)

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Forget principals idle for longer than the window."""
        self.burst.forget_idle(ts - self.p.window_minutes * 60)
        return []

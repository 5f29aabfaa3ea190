"""The relay ran out of virtual numbers: couriers fall back to personal phones, or calls fail."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import Detector, Finding, RuleParams, Severity
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile


class PoolExhaustedParams(RuleParams):
    """An operational alert: medium, never suspends anyone."""

    severity: Severity = "medium"


class PoolExhaustedDetector(Detector):
    """Turns `relay.pool_exhausted` events into alerts about the relay (principal `relay`)."""

    rule = "relay_pool_exhausted"
    actions = ("signal",)
    Params = PoolExhaustedParams

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Alert on each exhaustion; incidents gather them."""
        if event.kind != "relay.pool_exhausted":
            return None
        found = self.finding(event, {"source": event.kind, "seq": event.seq}, [event])
        found.principal_id, found.role = "relay", "system"
        return found

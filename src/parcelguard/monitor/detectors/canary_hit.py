"""A canary record was used: whoever held it leaked it (relay or forensics reports the hit)."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import Detector, Finding, RuleParams, Severity
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile

KINDS = frozenset(("relay.canary_hit", "forensics.canary_hit"))


class CanaryHitParams(RuleParams):
    """Canary hits are the strongest evidence there is: critical, suspend by default."""

    severity: Severity = "critical"
    suspend: bool = True


class CanaryHitDetector(Detector):
    """Turns `relay.canary_hit` and `forensics.canary_hit` events into alerts.

    The alert is about the principal the canary was issued to (the event's `principal_id`
    detail), else about the event's actor.
    """

    rule = "canary_hit"
    actions = ("signal",)
    Params = CanaryHitParams

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Alert on every canary hit; incidents gather repeated hits."""
        if event.kind not in KINDS:
            return None
        found = self.finding(event, {"source": event.kind, "seq": event.seq}, [event])
        if event.subject:
            found.principal_id, found.role = event.subject, ""
        return found

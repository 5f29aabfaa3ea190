"""One caller keying wrong AXE extensions again and again: someone is enumerating extensions.

The relay audits every wrong, expired or missing extension as `relay.extension_miss` with
the caller's keyed reference (shortened) as `target`, never their number. A caller who
misses `misses` times within `window_minutes` (over any X) is walking the extension space,
looking for someone's parcel: the alert is about the relay (principal `relay`), one per
caller and window.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from pydantic import Field

from parcelguard.monitor.detectors.base import Detector, Finding, RuleParams, Severity
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile

KIND = "relay.extension_miss"
COUNTED = frozenset(("unknown", "expired"))  # an empty answer is a confused caller, not a probe


class ExtensionEnumerationParams(RuleParams):
    """`misses` wrong or expired extensions from one caller within `window_minutes`."""

    severity: Severity = "high"
    misses: int = Field(default=6, ge=2, le=10_000)
    window_minutes: float = Field(default=30, gt=0, le=24 * 60)
    max_callers: int = Field(default=100_000, ge=100)


class ExtensionEnumerationDetector(Detector[ExtensionEnumerationParams]):
    """Fires when one caller misses AXE extensions often enough to be enumerating them."""

    rule = "relay_extension_enumeration"
    actions = ("signal",)
    Params = ExtensionEnumerationParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.seconds = self.p.window_minutes * 60
        self.callers: OrderedDict[str, deque[AccessEvent]] = OrderedDict()
        self.fired: dict[str, float] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count a caller's miss; fire once per window when there are enough of them."""
        if event.kind != KIND or event.outcome not in COUNTED:
            return None
        caller = event.target or "unknown"
        misses = self.callers.get(caller)
        if misses is None:
            misses = self.callers[caller] = deque()
            if len(self.callers) > self.p.max_callers:
                gone, _ = self.callers.popitem(last=False)
                self.fired.pop(gone, None)
        else:
            self.callers.move_to_end(caller)
        misses.append(event)
        while misses and misses[0].ts < event.ts - self.seconds:
            misses.popleft()
        if len(misses) < self.p.misses:
            return None
        if event.ts - self.fired.get(caller, -1e18) <= self.seconds:
            return None
        self.fired[caller] = event.ts
        details = {
            "source": KIND,
            "caller": caller,
            "misses": len(misses),
            "window_minutes": self.p.window_minutes,
        }
        found = self.finding(event, details, list(misses))
        found.principal_id, found.role = "relay", "system"
        return found

"""The shared base of the insider-signal rules: an audit action a service records, one alert.

The services themselves decide these events (a refused self-serving act, a lifecycle step
outside one's station, a delivery without proof, a privilege change); the rule only names
the alert, says whom it is about (the actor, or the person whose privileges changed) and
who was involved, so nobody involved reviews it (`monitor.service`).
"""

from __future__ import annotations

from typing import ClassVar

from parcelguard.monitor.detectors.base import Detector, Finding
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile


class SignalDetector(Detector):
    """Alerts on every event of its `kinds`; incidents gather repeats within the window."""

    actions = ("signal",)
    kinds: ClassVar[frozenset[str]] = frozenset()
    about_subject: ClassVar[bool] = False  # about the person acted on, not the actor

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Alert when the event is one of this rule's signals."""
        if event.kind not in self.kinds or not self.wanted(event):
            return None
        details = {
            "source": event.kind,
            "seq": event.seq,
            "reason": event.outcome,
            "involved": [event.principal_id],
        }
        found = self.finding(event, details, [event])
        if self.about_subject and event.subject:
            found.principal_id, found.role = event.subject, ""
        return found

    def wanted(self, event: AccessEvent) -> bool:
        """Return whether this signal deserves an alert (all of them, by default)."""
        return True

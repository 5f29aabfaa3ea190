"""A relayed text carried someone else's phone, ID or card number (the relay scrubbed it).

The relay replaces such values before forwarding and audits `relay.sms_pii` with the types
only. A courier passing a third person's number through the relay is leaking it (or trying
to get around the masking): the alert is about the sender when they are staff, else about
the relay (principal `relay`).
"""

from __future__ import annotations

from parcelguard.monitor.detectors.base import Detector, Finding, RuleParams, Severity
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile

KIND = "relay.sms_pii"


class RelaySmsPiiParams(RuleParams):
    """High: the data was stopped, but someone tried to pass it on."""

    severity: Severity = "high"


class RelaySmsPiiDetector(Detector):
    """Turns `relay.sms_pii` events about other people's data into alerts."""

    rule = "relay_sms_pii"
    actions = ("signal",)
    Params = RelaySmsPiiParams

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Alert on each text that carried another person's data; incidents gather them."""
        if event.kind != KIND or event.outcome != "others_pii":
            return None
        found = self.finding(event, {"source": KIND, "seq": event.seq}, [event])
        if event.subject:
            found.principal_id, found.role = event.subject, ""
        else:
            found.principal_id, found.role = "relay", "system"
        return found

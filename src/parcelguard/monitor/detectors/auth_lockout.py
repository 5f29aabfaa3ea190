"""An address was locked out after repeated bad API keys: someone is guessing keys right now."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import Detector, Finding, RuleParams, Severity
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile


class AuthLockoutParams(RuleParams):
    """Key guessing is an attack in progress: high; there is no principal to suspend."""

    severity: Severity = "high"


class AuthLockoutDetector(Detector):
    """Turns `auth.lockout` events into alerts about the address (principal `client:<ref>`).

    The reference is a keyed digest of the address (the audit event's), never the address, so
    repeated lockouts of one address gather in one incident and two addresses make two.
    """

    rule = "auth_lockout"
    actions = ("signal",)
    Params = AuthLockoutParams

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Alert on each lockout."""
        if event.kind != "auth.lockout":
            return None
        client = event.target or "unknown"
        details = {"source": event.kind, "seq": event.seq, "client": client}
        found = self.finding(event, details, [event])
        found.principal_id, found.role = f"client:{client}", "anonymous"
        return found

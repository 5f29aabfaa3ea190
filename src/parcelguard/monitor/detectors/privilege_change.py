"""Someone's privileges changed: account, role, training date, suspension, keys, passkeys."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import RuleParams, Severity
from parcelguard.monitor.detectors.signal import SignalDetector
from parcelguard.monitor.events import PRIVILEGE_KINDS, AccessEvent


class PrivilegeChangeParams(RuleParams):
    """A security officer reviews every privilege change; nobody is suspended for one."""

    severity: Severity = "medium"


class PrivilegeChangeDetector(SignalDetector):
    """Alerts about the person whose privileges changed; whoever changed them is involved.

    The monitor's own suspensions are left out: their alert is the one that suspended.
    """

    rule = "privilege_change"
    Params = PrivilegeChangeParams
    kinds = frozenset(PRIVILEGE_KINDS)
    about_subject = True

    def wanted(self, event: AccessEvent) -> bool:
        """Leave out changes made by the system itself (the monitor's suspensions)."""
        return event.role != "system"

"""Someone tried to act on their own case: own alert, own rights, a related approver."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import RuleParams, Severity
from parcelguard.monitor.detectors.signal import SignalDetector


class DutyConflictParams(RuleParams):
    """Trying to review oneself is a strong signal: high, no automatic suspension."""

    severity: Severity = "high"


class DutyConflictDetector(SignalDetector):
    """Turns `duties.refused` (recorded after the refusal rolled back) into an alert."""

    rule = "duty_conflict"
    Params = DutyConflictParams
    kinds = frozenset(("duties.refused",))

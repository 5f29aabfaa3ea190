"""A lifecycle step outside one's remit: another station's parcel, an unfit courier."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import RuleParams, Severity
from parcelguard.monitor.detectors.signal import SignalDetector


class LifecycleOverreachParams(RuleParams):
    """Medium: a typo can look like this once; the incident gathers repeats."""

    severity: Severity = "medium"


class LifecycleOverreachDetector(SignalDetector):
    """Turns `lifecycle.refused` (an ownership refusal, recorded after it) into an alert."""

    rule = "lifecycle_overreach"
    Params = LifecycleOverreachParams
    kinds = frozenset(("lifecycle.refused",))

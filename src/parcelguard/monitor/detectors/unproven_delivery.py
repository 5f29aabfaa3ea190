"""A parcel was marked delivered without a pickup code, on a stated reason only."""

from __future__ import annotations

from parcelguard.monitor.detectors.base import RuleParams, Severity
from parcelguard.monitor.detectors.signal import SignalDetector


class UnprovenDeliveryParams(RuleParams):
    """Medium: a reason may be honest; a security officer checks the pattern."""

    severity: Severity = "medium"


class UnprovenDeliveryDetector(SignalDetector):
    """Turns `shipment.delivered_unproven` into an alert about whoever recorded it."""

    rule = "unproven_delivery"
    Params = UnprovenDeliveryParams
    kinds = frozenset(("shipment.delivered_unproven",))

"""The explicit list of detectors: adding one means adding its class here, nothing more."""

from __future__ import annotations

from parcelguard.monitor.detectors.auth_lockout import AuthLockoutDetector
from parcelguard.monitor.detectors.base import Detector
from parcelguard.monitor.detectors.bulk_export import BulkExportDetector
from parcelguard.monitor.detectors.canary_hit import CanaryHitDetector
from parcelguard.monitor.detectors.denial_burst import DenialBurstDetector
from parcelguard.monitor.detectors.distinct_targets import DistinctTargetsDetector
from parcelguard.monitor.detectors.duty_conflict import DutyConflictDetector
from parcelguard.monitor.detectors.enumeration import EnumerationDetector
from parcelguard.monitor.detectors.extension_enumeration import ExtensionEnumerationDetector
from parcelguard.monitor.detectors.foreign_station import ForeignStationDetector
from parcelguard.monitor.detectors.isolation_forest import IsolationForestDetector
from parcelguard.monitor.detectors.lifecycle_overreach import LifecycleOverreachDetector
from parcelguard.monitor.detectors.off_hours import OffHoursDetector
from parcelguard.monitor.detectors.own_volume import OwnVolumeDetector
from parcelguard.monitor.detectors.peer_volume import PeerVolumeDetector
from parcelguard.monitor.detectors.pool_exhausted import PoolExhaustedDetector
from parcelguard.monitor.detectors.privilege_change import PrivilegeChangeDetector
from parcelguard.monitor.detectors.relay_sms_pii import RelaySmsPiiDetector
from parcelguard.monitor.detectors.stranger_scans import StrangerScansDetector
from parcelguard.monitor.detectors.sustained_excess import SustainedExcessDetector
from parcelguard.monitor.detectors.unassigned_access import UnassignedAccessDetector
from parcelguard.monitor.detectors.unassigned_drip import UnassignedDripDetector
from parcelguard.monitor.detectors.unproven_delivery import UnprovenDeliveryDetector

DETECTORS: tuple[type[Detector], ...] = (
    OwnVolumeDetector,
    PeerVolumeDetector,
    UnassignedAccessDetector,
    UnassignedDripDetector,
    SustainedExcessDetector,
    ForeignStationDetector,
    DenialBurstDetector,
    OffHoursDetector,
    EnumerationDetector,
    DistinctTargetsDetector,
    BulkExportDetector,
    StrangerScansDetector,
    IsolationForestDetector,
    CanaryHitDetector,
    PoolExhaustedDetector,
    ExtensionEnumerationDetector,
    RelaySmsPiiDetector,
    AuthLockoutDetector,
    PrivilegeChangeDetector,
    DutyConflictDetector,
    LifecycleOverreachDetector,
    UnprovenDeliveryDetector,
)
RULES: tuple[str, ...] = tuple(d.rule for d in DETECTORS)


def detector_class(rule: str) -> type[Detector]:
    """Return the detector class of a rule id."""
    for cls in DETECTORS:
        if cls.rule == rule:
            return cls
    raise KeyError(rule)

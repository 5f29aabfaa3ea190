"""One parcel's QR code scanned again and again by people it is not assigned to."""

from __future__ import annotations

from collections import OrderedDict

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile

ANONYMOUS = frozenset(("public", "anonymous", "recipient", "unknown"))


class StrangerScansParams(RuleParams):
    """`strangers` distinct scanners of one parcel within `window_hours`."""

    severity: Severity = "medium"
    strangers: int = Field(default=5, ge=2)
    window_hours: float = Field(default=24, gt=0)
    max_parcels: int = Field(default=200_000, ge=100)


class StrangerScansDetector(Detector[StrangerScansParams]):
    """Fires for a parcel (principal `parcel:<waybill>`) whose label is passed around.

    A photo of the label posted online, a QR code copied: many people scan it. Scanners are
    told apart by principal, or by the scan's client key for anonymous scans.
    """

    rule = "stranger_scans"
    actions = ("scan",)
    Params = StrangerScansParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.seconds = self.p.window_hours * 3600
        self.parcels: OrderedDict[str, dict[str, AccessEvent]] = OrderedDict()
        self.fired: dict[str, float] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Record a scan by someone the parcel is not assigned to."""
        waybill = event.waybill
        if waybill is None or event.assigned is True:
            return None
        scanners = self.parcels.get(waybill)
        if scanners is None:
            scanners = self.parcels[waybill] = {}
            if len(self.parcels) > self.p.max_parcels:
                self.parcels.popitem(last=False)
        else:
            self.parcels.move_to_end(waybill)
        scanners[self._scanner(event)] = event
        cutoff = event.ts - self.seconds
        for key in [k for k, e in scanners.items() if e.ts < cutoff]:
            del scanners[key]
        if len(scanners) < self.p.strangers:
            return None
        if event.ts - self.fired.get(waybill, -1e18) <= self.seconds:
            return None
        self.fired[waybill] = event.ts
        evidence = sorted(scanners.values(), key=lambda e: e.ts)
        details = {
            "waybill": waybill,
            "strangers": len(scanners),
            "window_hours": self.p.window_hours,
        }
        found = self.finding(event, details, evidence)
        found.principal_id, found.role = f"parcel:{waybill}", "parcel"
        return found

    @staticmethod
    def _scanner(event: AccessEvent) -> str:
        if event.target:
            return event.target
        if event.role in ANONYMOUS:
            return f"{event.principal_id}#{event.seq if event.seq is not None else event.ts}"
        return event.principal_id

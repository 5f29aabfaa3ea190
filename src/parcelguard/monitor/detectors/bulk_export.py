"""Bulk exports: one export of many records, or a day's exports far above the principal's own."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
    keep,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.stats import robust_ceiling


class BulkExportParams(RuleParams):
    """A single export of `max_records`, or a day's records above the principal's ceiling.

    The ceiling is median + k·MAD of its active days, at least `min_records`.
    """

    severity: Severity = "high"
    suspend: bool = True
    max_records: int = Field(default=2000, ge=1)
    min_records: int = Field(default=1000, ge=1)
    k: float = Field(default=8.0, gt=0)
    ratio: float = Field(default=3.0, ge=1)


class BulkExportDetector(Detector[BulkExportParams]):
    """Fires on an export too large for anyone, or too large for this principal today."""

    rule = "bulk_export"
    actions = ("export",)
    Params = BulkExportParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.today: dict[str, int] = {}
        self.days: dict[str, deque[int]] = {}
        self.limit: dict[str, float] = {}
        self.fired: dict[str, int] = {}
        self.recent: dict[str, deque[AccessEvent]] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Add the export's records to the principal's day and compare."""
        pid = event.principal_id
        total = self.today[pid] = self.today.get(pid, 0) + event.count
        recent = keep(self.recent, pid, event, 10)
        limit = self.limit.get(pid, float(self.p.max_records))
        big = event.count >= self.p.max_records
        if (big or total > limit) and self.fired.get(pid) != event.day:
            self.fired[pid] = event.day
            details = {
                "records": event.count,
                "records_today": total,
                "limit": round(limit, 1),
                "pattern": "single" if big else "daily",
            }
            return self.finding(event, details, list(recent))
        return None

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Add the ended day to each exporter's history and recompute its ceiling."""
        p = self.p
        for pid, records in self.today.items():
            ring = keep(self.days, pid, records, self.common.history_days)
            if len(ring) >= self.common.min_history_days:
                self.limit[pid] = min(
                    robust_ceiling(ring, p.k, rel_spread=0.25, ratio=p.ratio, floor=p.min_records),
                    float(p.max_records),
                )
        self.today.clear()
        return []

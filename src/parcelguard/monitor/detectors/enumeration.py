"""Walking the waybill number space: sequential numbers, or numbers that do not exist."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.windows import Burst

DIGITS = "0123456789"
NOT_FOUND = "shipment_not_found"


class EnumerationParams(RuleParams):
    """Near-sequential numbers or unknown waybills within `window_minutes`.

    `steps` numbers each within `max_gap` of one asked just before, or `not_found` waybills
    that do not exist. The steps must also be `min_share` of the principal's accesses in
    that span: a sorting service touching thousands of random parcels an hour meets near
    numbers by chance, an enumerator meets almost nothing else.
    """

    severity: Severity = "high"
    suspend: bool = True
    max_gap: int = Field(default=10, ge=1)
    steps: int = Field(default=12, ge=2)
    not_found: int = Field(default=8, ge=2)
    window_minutes: float = Field(default=30, gt=0)
    memory: int = Field(default=8, ge=1, le=64)
    min_share: float = Field(default=0.5, gt=0, le=1)


def split_waybill(waybill: str) -> tuple[str, int] | None:
    """Return (prefix, number) of a waybill that ends in digits, else None."""
    prefix = waybill.rstrip(DIGITS)
    if len(prefix) == len(waybill):
        return None
    return prefix, int(waybill[len(prefix) :])


class EnumerationDetector(Detector[EnumerationParams]):
    """Fires when a principal steps through waybill numbers or keeps asking for unknown ones.

    Parcels assigned to the principal do not count as steps: a courier whose route holds a
    merchant's consecutive parcels is doing the job.
    """

    rule = "enumeration"
    actions = ("reveal", "deny", "scan")
    Params = EnumerationParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.numbers: dict[str, deque[tuple[str, int]]] = {}
        self.accesses: dict[str, deque[float]] = {}
        self.most = math.ceil(self.p.steps / self.p.min_share)
        self.steps = Burst(self.p.steps, self.p.window_minutes * 60)
        self.unknown = Burst(self.p.not_found, self.p.window_minutes * 60)

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count a step when the waybill is near one the principal asked for just before."""
        waybill = event.waybill
        if not waybill or event.assigned is True:
            return None
        pid = event.principal_id
        if event.outcome == NOT_FOUND:
            burst = self.unknown.add(pid, event)
            if burst is not None:
                return self._found(event, "not_found", burst)
        parts = split_waybill(waybill)
        if parts is None:
            return None
        prefix, number = parts
        recent = self.numbers.get(pid)
        if recent is None:
            recent = self.numbers[pid] = deque(maxlen=self.p.memory)
            self.accesses[pid] = deque(maxlen=self.most)
        accesses = self.accesses[pid]
        accesses.append(event.ts)
        gap = self.p.max_gap
        stepped = False
        for p, n in recent:  # a plain loop: this runs for most events
            if p == prefix and 0 < abs(number - n) <= gap:
                stepped = True
                break
        recent.append(parts)
        if stepped:
            burst = self.steps.add(pid, event)
            diluted = (
                burst is not None and len(accesses) == self.most and accesses[0] >= burst[0].ts
            )
            if burst is not None and not diluted:
                return self._found(event, "sequential", burst)
        return None

    def _found(self, event: AccessEvent, pattern: str, burst: list[AccessEvent]) -> Finding:
        waybills = [e.waybill for e in burst if e.waybill]
        details = {
            "pattern": pattern,
            "count": len(burst),
            "first": min(waybills, default=None),
            "last": max(waybills, default=None),
            "not_found": sum(1 for e in burst if e.outcome == NOT_FOUND),
        }
        return self.finding(event, details, burst)

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Forget principals idle for longer than the window."""
        before = ts - self.p.window_minutes * 60
        self.steps.forget_idle(before)
        self.unknown.forget_idle(before)
        active = {pid for pid, prof in profiles.items() if prof.closed_day == ended}
        for pid in [pid for pid in self.numbers if pid not in active]:
            del self.numbers[pid]
            del self.accesses[pid]
        return []

"""Foreign station: a habit of touching parcels that belong to another station.

Each reveal may be allowed in isolation (the parcel was assigned to the courier somehow);
what gives it away is the pattern: day after day, a dozen parcels whose station is not the
principal's. The audit events carry both stations (the actor's `station_id` and the
parcel's `parcel_station`), so the rule needs no vault table. Legitimate reasons are
tolerated: a parcel transferred into or out of the principal's station within
`transfer_days` (misrouted parcels, batches moved between stations, parcels taken off a
route) does not count, even when the transfer is recorded later the same day; one or two
days of covering a neighbouring station, or helping there one day a week, stay under
`min_days` foreign days out of the last `days` days worked. The sum over those days without
the busiest one must also stand above what the role's other members reach (median +
`peer_k` MADs, at least `min_total`), so a station whose work routinely crosses into
another's is not an alert every day.
"""

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
from parcelguard.monitor.stats import peer_ceilings

PARCEL_CAP = 1024  # distinct foreign parcels remembered per principal and day
MIN_PEERS = 5  # members of a role with a run before the role's usual level is used


class ForeignStationParams(RuleParams):
    """`min_days` of the last `days` worked with `min_daily` foreign parcels, above peers."""

    severity: Severity = "medium"
    repeat_days: int = Field(default=14, ge=1)
    days: int = Field(default=10, ge=2, le=60)
    min_days: int = Field(default=5, ge=2)
    min_daily: int = Field(default=5, ge=1)
    min_total: int = Field(default=30, ge=1)
    peer_k: float = Field(default=6.0, ge=0)
    transfer_days: int = Field(default=3, ge=0, le=30)
    roles: list[str] = Field(default_factory=lambda: ["courier", "station_clerk"])


class ForeignStationDetector(Detector[ForeignStationParams]):
    """Fires at a day's end when most recent working days touched another station's parcels."""

    rule = "foreign_station"
    actions = ("reveal", "deny", "scan", "transfer")
    Params = ForeignStationParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.roles = frozenset(self.p.roles)
        self.transfers: dict[str, tuple[int, str | None, str | None]] = {}
        self.today: dict[str, set[str]] = {}
        self.recent: dict[str, deque[AccessEvent]] = {}
        self.rings: dict[str, deque[int]] = {}
        self.fired: dict[str, int] = {}

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Remember transfers; count today's parcels of another station per principal."""
        if event.action == "transfer":
            if event.waybill:
                moved = (event.day, event.from_station, event.parcel_station)
                self.transfers[event.waybill] = moved
            return None
        own, theirs = event.station_id, event.parcel_station
        if (
            own is None
            or theirs is None
            or own == theirs
            or event.role not in self.roles
            or event.waybill is None
            or event.outcome == "shipment_not_found"
        ):
            return None
        pid = event.principal_id
        parcels = self.today.get(pid)
        if parcels is None:
            parcels = self.today[pid] = set()
        if len(parcels) < PARCEL_CAP:
            parcels.add(event.waybill)
        keep(self.recent, pid, event, 20)
        return None

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Add the ended day to each active principal's run, then judge the runs."""
        p = self.p
        for pid, prof in profiles.items():
            if prof.closed_day != ended or prof.role not in self.roles or not prof.station_id:
                continue
            ring = self.rings.get(pid)
            if ring is None:
                ring = self.rings[pid] = deque(maxlen=p.days)
            parcels = self.today.get(pid, ())
            ring.append(sum(1 for w in parcels if not self._moved(w, prof.station_id, ended)))
        self.today.clear()
        self._forget(ended)
        limits = self._limits(profiles)
        found = []
        for pid, ring in self.rings.items():
            foreign_days = sum(1 for n in ring if n >= p.min_daily)
            if foreign_days < p.min_days or ended - self.fired.get(pid, -(10**9)) < p.repeat_days:
                continue
            if profiles[pid].closed_day != ended or ring[-1] < p.min_daily:
                continue  # only while it goes on: the day just ended was one of them
            total = sum(ring) - max(ring)
            limit = limits.get(profiles[pid].role, p.min_total)
            if total < limit:
                continue
            details = {
                "days": len(ring),
                "foreign_days": foreign_days,
                "parcels": total + max(ring),
                "limit": round(limit, 1),
                "stations": sorted({e.parcel_station or "" for e in self.recent.get(pid, ())}),
            }
            evidence = list(self.recent.get(pid, ()))
            ring.clear()  # the next alert needs a fresh run of foreign days
            self.fired[pid] = ended
            found.append(Finding(self.rule, pid, ts, details, evidence, profiles[pid].role))
        return found

    def _moved(self, waybill: str, station: str | None, day: int) -> bool:
        """Return whether the parcel was transferred into or out of `station` lately."""
        moved = self.transfers.get(waybill)
        return moved is not None and day - moved[0] <= self.p.transfer_days and station in moved[1:]

    def _forget(self, day: int) -> None:
        stale = [w for w, moved in self.transfers.items() if day - moved[0] > self.p.transfer_days]
        for waybill in stale:
            del self.transfers[waybill]

    def _limits(self, profiles: Mapping[str, Profile]) -> dict[str, float]:
        sums: dict[str, list[int]] = {}
        for pid, ring in self.rings.items():
            if ring:
                sums.setdefault(profiles[pid].role, []).append(sum(ring) - max(ring))
        p = self.p
        return peer_ceilings(sums, p.peer_k, float(p.min_total), min_peers=MIN_PEERS)

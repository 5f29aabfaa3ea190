"""Sustained excess: well above one's peers' volume on most working days, for weeks.

Every role is judged, customer service included (nothing is "assigned" to it, so the
unassigned rules never see it): each day, each principal's reveal attempts are set beside
the peers who worked that day, in the same role (and the same station where stations
matter and enough of them worked). Volume is taken relative to the work the day held, so a
long shift, a part-time day or a big route is not an excess: per parcel handled for roles
that handle parcels (couriers), per hour on duty for the rest. A day is high when the
principal is at `ratio` times the peers' median and `k` robust deviations above it, with at
least `min_volume` attempts; the rule fires when `min_high` of the principal's last `days`
judged days were high. Judging by the day's own peers makes a holiday (everyone low) an
ordinary day; counting only days worked makes days off, sick days and shift cycles
irrelevant; a new hire's first `tenure_days` active days are not judged (they are learning,
and their peers would see them as excessive), but they count as peers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import Field

from parcelguard.monitor.detectors.base import (
    Detector,
    Finding,
    RuleParams,
    Severity,
)
from parcelguard.monitor.events import AccessEvent
from parcelguard.monitor.profile import Profile
from parcelguard.monitor.stats import mad, median

ATTEMPTS = frozenset(("reveal", "deny"))
PARCEL_CAP = 4096  # distinct parcels remembered per principal and day


class SustainedExcessParams(RuleParams):
    """A day is high at `ratio`× the peers' median and `k` MADs above it; `min_high` of `days`."""

    severity: Severity = "medium"
    repeat_days: int = Field(default=14, ge=1)
    days: int = Field(default=10, ge=3, le=60)
    min_high: int = Field(default=6, ge=2)
    ratio: float = Field(default=1.8, ge=1.0)
    k: float = Field(default=2.0, ge=0)
    rel_spread: float = Field(default=0.1, ge=0)
    min_volume: int = Field(default=10, ge=1)
    min_peers: int = Field(default=5, ge=3)
    min_parcels: int = Field(default=20, ge=1)
    tenure_days: int = Field(default=10, ge=0)
    per_parcel_roles: list[str] = Field(default_factory=lambda: ["courier"])
    # Roles judged among their own station's staff (when `min_peers` of them worked that
    # day): only where volume depends on the station. Couriers are not: per parcel, a
    # station's dozen couriers give a noisier median than the whole role (bench/monitor_quiet).
    station_roles: list[str] = Field(default_factory=list)
    ignore_outcomes: list[str] = Field(
        default_factory=lambda: ["shipment_not_found", "step_up_required"]
    )


@dataclass(slots=True)
class Today:
    """One principal's counts for the current day."""

    attempts: int = 0
    events: int = 0
    first: float = 0.0  # the day's first and last access
    last: float = 0.0
    parcels: set[str] = field(default_factory=set)
    recent: deque[AccessEvent] = field(default_factory=lambda: deque(maxlen=20))


@dataclass(slots=True)
class Judged:
    """One judged day of a principal: its volume, measure and the peers' median."""

    volume: int
    measure: float
    centre: float
    high: bool


class SustainedExcessDetector(Detector[SustainedExcessParams]):
    """Fires at a day's end when most of a principal's recent working days were high."""

    rule = "sustained_excess"
    actions = ("reveal", "deny", "scan", "pickup", "step")
    Params = SustainedExcessParams

    def start(self) -> None:
        """Set up the rule's state from its parameters."""
        self.per_parcel = frozenset(self.p.per_parcel_roles)
        self.by_station = frozenset(self.p.station_roles)
        self.ignore = frozenset(self.p.ignore_outcomes)
        self.today: dict[str, Today] = {}
        self.rings: dict[str, deque[Judged]] = {}
        self.first_seen: dict[str, int] = {}
        self.fired: dict[str, int] = {}
        self.first_day = -1  # the engine's first day: whoever is seen then is not new

    def observe(self, event: AccessEvent, profile: Profile) -> Finding | None:
        """Count today's reveal attempts, hours on duty and parcels handled."""
        if event.action == "step":  # work, not an access: a parcel handled, nothing more
            self._handled(event)
            return None
        today = self.today.get(event.principal_id)
        if today is None:
            today = self.today[event.principal_id] = Today()
            if event.principal_id not in self.first_seen:
                self.first_seen[event.principal_id] = event.day
                if self.first_day < 0:
                    self.first_day = event.day
        if not today.events:
            today.first = event.ts
        today.events += 1
        today.last = event.ts
        if event.action in ATTEMPTS and event.outcome not in self.ignore:
            today.attempts += 1
            today.recent.append(event)
        if event.waybill and event.role in self.per_parcel and len(today.parcels) < PARCEL_CAP:
            today.parcels.add(event.waybill)
        return None

    def _handled(self, event: AccessEvent) -> None:
        if event.waybill and event.role in self.per_parcel:
            today = self.today.get(event.principal_id)
            if today is None:
                today = self.today[event.principal_id] = Today()
            if len(today.parcels) < PARCEL_CAP:
                today.parcels.add(event.waybill)

    def roll_day(self, ended: int, ts: float, profiles: Mapping[str, Profile]) -> list[Finding]:
        """Judge the ended day against each principal's peers, then each principal's run."""
        measures = self._measures(ended, profiles)
        found = []
        for judged, peers in _groups(measures, profiles, self.by_station, self.p.min_peers):
            values = [measures[pid] for pid in peers]
            centre = median(values)
            spread = max(mad(values, centre), self.p.rel_spread * centre)
            limit = max(self.p.ratio * centre, centre + self.p.k * spread)
            for pid in judged:
                finding = self._judge(pid, measures[pid], (centre, limit), profiles[pid], ts)
                if finding is not None:
                    found.append(finding)
        self.today.clear()
        return found

    def _measures(self, ended: int, profiles: Mapping[str, Profile]) -> dict[str, float]:
        """Return each active principal's volume relative to its day's work."""
        out = {}
        for pid, today in self.today.items():
            prof = profiles.get(pid)
            if prof is None or prof.closed_day != ended:
                continue
            if prof.role in self.per_parcel:
                if len(today.parcels) < self.p.min_parcels:
                    continue
                out[pid] = today.attempts / len(today.parcels)
            else:
                out[pid] = today.attempts / duty_hours(today)
        return out

    def _judge(
        self, pid: str, measure: float, peers: tuple[float, float], prof: Profile, ts: float
    ) -> Finding | None:
        today, (centre, limit) = self.today[pid], peers
        joined = self.first_seen.get(pid, self.first_day)
        if prof.active_days <= self.p.tenure_days and joined > self.first_day + 1:
            return None
        ring = self.rings.get(pid)
        if ring is None:
            ring = self.rings[pid] = deque(maxlen=self.p.days)
        high = today.attempts >= self.p.min_volume and measure > limit and centre > 0
        ring.append(Judged(today.attempts, measure, centre, high))
        highs = [d for d in ring if d.high]
        if not high or len(highs) < self.p.min_high:
            return None  # only while it goes on: the day just ended was high
        if prof.closed_day - self.fired.get(pid, -(10**9)) < self.p.repeat_days:
            return None
        self.fired[pid] = prof.closed_day
        ring.clear()  # the next alert needs a fresh run of high days
        details = {
            "days": self.p.days,
            "high_days": len(highs),
            "ratio": round(median([d.measure / d.centre for d in highs]), 2),
            "volume": median([d.volume for d in highs]),
            "per": "parcel" if prof.role in self.per_parcel else "hour",
            "role": prof.role,
        }
        return Finding(self.rule, pid, ts, details, list(today.recent), prof.role)


def duty_hours(today: Today) -> float:
    """Return the hours on duty the day's accesses point to (at least one).

    n accesses spread over a shift span (n - 1)/(n + 1) of it on average, so the span is
    scaled back up: a quiet agent is not taken for one who worked fewer hours.
    """
    n = today.events
    if n < 2:
        return 1.0
    return max(1.0, (today.last - today.first) / 3600 * (n + 1) / (n - 1))


def _groups(
    measures: Mapping[str, float],
    profiles: Mapping[str, Profile],
    by_station: frozenset[str],
    min_peers: int,
) -> list[tuple[list[str], list[str]]]:
    """Return (judged, their peers) pairs for the day.

    A station's staff are judged among themselves when enough of them worked that day, the
    rest of a role against the whole role; a role with fewer than `min_peers` at work that
    day is not judged.
    """
    roles: dict[str, list[str]] = {}
    for pid in measures:
        roles.setdefault(profiles[pid].role, []).append(pid)
    out = []
    for role, members in roles.items():
        if len(members) < min_peers:
            continue
        stations: dict[str | None, list[str]] = {}
        if role in by_station:
            for pid in members:
                stations.setdefault(profiles[pid].station_id, []).append(pid)
        rest = members
        for station, group in stations.items():
            if station is not None and len(group) >= min_peers:
                out.append((group, group))
                rest = [pid for pid in rest if profiles[pid].station_id != station]
        if rest:
            out.append((rest, members))
    return out

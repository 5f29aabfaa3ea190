"""Monitor evaluation: a simulated month of a realistic tenant with injected insider misuse.

Simulates a city branch of an express company (couriers on routes, parcel stations with
clerks, customer service, security officers, admins, two service accounts, recipients scanning
their labels) for a fortnight of history and then September 2026 (with the Mid-Autumn holiday
on 25–27 September: a pre-holiday surge, couriers on leave, a post-holiday surge and a
customer-service peak), including sick days covered by colleagues, new couriers joining
mid-month, expired training, misrouted parcels and reassignment lag. Misuse is injected on top
(slow drip, burst, enumeration, off-hours, a station and a courier colluding, compromised
service keys, a label photo passed around). Everything is written as replay JSON lines and run
through `parcelguard.monitor.replay` once, in one process: the alerts are scored against the
injected instances and the run is timed.

    python bench/monitor_eval.py [--seeds 7,11] [--couriers-per-station 11] [--stations 36]

Reports recall per scenario, time to detect, false alerts per 1,000 principal-days of normal
work (September only; the fortnight before is history), replay throughput; writes
bench/results/monitor.md.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench.common import write_fragment

CST = 8 * 3600
HISTORY_START = date(2026, 8, 18)
MONTH_START = date(2026, 9, 1)
END = date(2026, 10, 1)
HOLIDAY = {date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27)}
PRE_HOLIDAY = {date(2026, 9, d) for d in (21, 22, 23, 24)}
POST_HOLIDAY = {date(2026, 9, d) for d in (28, 29, 30)}
WEEKDAY_FACTOR = (1.15, 1.1, 1.0, 1.0, 1.0, 0.9, 0.85)
GRACE = {"slow drip": 8 * 86400}  # the drip rule looks back seven active days


def day_ts(day: date) -> float:
    """Return the epoch seconds of local (China) midnight."""
    return datetime(day.year, day.month, day.day).timestamp() - time.timezone - CST


def volume_factor(day: date) -> float:
    """Parcel volume of a day relative to an ordinary Wednesday."""
    factor = WEEKDAY_FACTOR[day.weekday()]
    if day in PRE_HOLIDAY:
        factor *= 1.25
    if day in HOLIDAY:
        factor *= 0.55
    if day in POST_HOLIDAY:
        factor *= 1.35
    return factor


@dataclass
class Person:
    """One principal and its habits."""

    pid: str
    role: str
    station: str | None
    rng: random.Random
    joined: date = HISTORY_START
    start_h: float = 8.0
    end_h: float = 18.0
    size: float = 1.0  # route size, ticket load, …
    reveal_rate: float = 0.25
    day_off: tuple[int, ...] = (6,)
    sick: set[date] = field(default_factory=set)
    training_lapse: date | None = None

    def works(self, day: date) -> bool:
        """Return whether the person works that day."""
        if day < self.joined or day in self.sick or day.weekday() in self.day_off:
            return False
        return not (day in HOLIDAY and self.rng.random() < 0.4)


@dataclass
class Instance:
    """One injected misuse: who, when, what."""

    scenario: str
    principals: list[str]
    start: float
    end: float
    note: str


class Log:
    """Collects one day's events as (ts, line)."""

    def __init__(self) -> None:
        self.events: list[tuple[float, dict[str, Any]]] = []

    def add(self, ts: float, person: Person | None, action: str, **extra: Any) -> None:
        """Add an event in the replay format."""
        line = {
            "principal_id": person.pid if person else extra.pop("principal_id"),
            "role": person.role if person else extra.pop("role"),
            "station_id": person.station if person else None,
            "action": action,
        }
        line.update(extra)
        self.events.append((ts, line))


class Numbers:
    """The tenant's waybill numbers: dense and sequential in creation order, with voids."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next = 770_000_000_000
        self.day_starts: list[int] = [self.next]

    def new_day(self) -> None:
        """Start a day (customer service is asked about the last ten days' parcels)."""
        self.day_starts = [*self.day_starts[-9:], self.next]

    def take(self, n: int) -> list[str]:
        """Return n waybills created today, shuffled (parcels reach routes in any order)."""
        first = self.next
        self.next += int(n * 1.06) + 1  # ~6 % voided numbers (cancelled orders)
        numbers = self.rng.sample(range(first, self.next), n)
        return [f"PG{x:012d}" for x in numbers]

    def random_recent(self, rng: random.Random) -> str:
        """Return some waybill of the last ten days (what customer service is asked about)."""
        return f"PG{rng.randint(self.day_starts[0], max(self.day_starts[0], self.next - 1)):012d}"


def iso(ts: float) -> str:
    """Format epoch seconds as ISO 8601 in China time."""
    return datetime.utcfromtimestamp(ts + CST).strftime("%Y-%m-%dT%H:%M:%S+08:00")


def spread(rng: random.Random, start: float, end: float, n: int) -> list[float]:
    """Return n sorted instants in [start, end)."""
    return sorted(rng.uniform(start, end) for _ in range(n))


def poisson(rng: random.Random, mean: float) -> int:
    """Return a Poisson draw (Knuth; small means only)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Tenant:
    """The simulated branch: who works there and what a day of work writes to the log."""

    def __init__(self, seed: int, stations: int, per_station: int) -> None:
        self.rng = random.Random(seed)
        self.numbers = Numbers(random.Random(seed + 1))
        self.stations = [f"st{i:02d}" for i in range(1, stations + 1)]
        self.couriers: list[Person] = []
        self.clerks: list[Person] = []
        self.agents: list[Person] = []
        self.officers: list[Person] = []
        self.admins: list[Person] = []
        self.services: list[Person] = []
        self._hire(per_station)
        self.station_couriers: dict[str, list[Person]] = defaultdict(list)
        for c in self.couriers:
            self.station_couriers[c.station or ""].append(c)
        self.cover: dict[tuple[str, date], float] = {}
        self.today_numbers: dict[str, list[str]] = {}

    def person(self, pid: str, role: str, station: str | None, **kw: Any) -> Person:
        """Return a new person with its own seeded habits."""
        return Person(pid, role, station, random.Random(f"{pid}-{self.rng.random()}"), **kw)

    def _hire(self, per_station: int) -> None:
        rng = self.rng
        month_days = [MONTH_START + timedelta(days=d) for d in range(9, 20)]
        for s in self.stations:
            for i in range(per_station):
                self.couriers.append(self._courier(f"c-{s}-{i:02d}", s, HISTORY_START))
            for i in range(2):
                clerk = self.person(f"k-{s}-{i}", "station_clerk", s)
                clerk.start_h, clerk.end_h = (8.0, 14.5) if i == 0 else (14.0, 21.0)
                clerk.size = rng.uniform(0.6, 1.5)
                clerk.day_off = (rng.randrange(7),)
                self.clerks.append(clerk)
        for i in range(len(self.stations) * per_station // 16):  # new couriers mid-month
            s = rng.choice(self.stations)
            self.couriers.append(self._courier(f"c-{s}-n{i:02d}", s, rng.choice(month_days)))
        for i in range(33):
            joined = HISTORY_START if i < 30 else MONTH_START + timedelta(days=14)
            agent = self.person(f"cs-{i:02d}", "customer_service", None, joined=joined)
            agent.start_h, agent.end_h = (9.0, 18.0) if rng.random() < 0.6 else (13.0, 22.0)
            agent.size = rng.uniform(0.7, 1.3)
            first = rng.randrange(7)
            agent.day_off = (first, (first + 1) % 7)
            self.agents.append(agent)
        for i in range(4):
            self.officers.append(self.person(f"so-{i}", "security_officer", None, day_off=(5, 6)))
        for i in range(3):
            self.admins.append(self.person(f"ad-{i}", "admin", None, day_off=(5, 6)))
        for name in ("svc-sorting", "svc-labels"):
            self.services.append(self.person(name, "service", None, day_off=()))

    def _courier(self, pid: str, station: str, joined: date) -> Person:
        rng = self.rng
        c = self.person(pid, "courier", station, joined=joined)
        c.start_h = rng.gauss(7.5, 0.5)
        c.end_h = min(21.5, rng.gauss(19.0, 1.0))
        c.size = min(2.0, max(0.5, rng.lognormvariate(0, 0.3)))
        c.reveal_rate = rng.uniform(0.1, 0.4)
        c.day_off = (rng.randrange(7),)
        if rng.random() < 0.03:
            c.training_lapse = MONTH_START + timedelta(days=rng.randrange(5, 25))
        return c

    def everyone(self) -> list[Person]:
        """Return every principal."""
        return [
            *self.couriers,
            *self.clerks,
            *self.agents,
            *self.officers,
            *self.admins,
            *self.services,
        ]

    def plan_sickness(self, days: list[date]) -> None:
        """Give couriers sick days, covered by up to two colleagues of the same station."""
        for c in self.couriers:
            for day in days:
                if c.rng.random() < 0.012:
                    for k in range(c.rng.randint(1, 3)):
                        c.sick.add(day + timedelta(days=k))
        for c in self.couriers:
            for day in sorted(c.sick):
                mates = [m for m in self.station_couriers[c.station or ""] if m is not c]
                for mate in self.rng.sample(mates, min(2, len(mates))):
                    self.cover[(mate.pid, day)] = self.cover.get((mate.pid, day), 0) + 0.35


class Day:
    """Writes one day of normal work for every principal."""

    def __init__(self, tenant: Tenant, day: date, log: Log) -> None:
        self.t, self.day, self.log = tenant, day, log
        self.t0 = day_ts(day)
        self.factor = volume_factor(day)

    def run(self) -> None:
        """Write the day."""
        t = self.t
        t.today_numbers = {}
        t.numbers.new_day()
        for c in t.couriers:
            if c.works(self.day):
                self.courier(c)
        for s in t.stations:
            self.station(s)
        for a in t.agents:
            if a.works(self.day):
                self.agent(a)
        for o in t.officers:
            if o.works(self.day):
                self.officer(o)
        for a in t.admins:
            if a.works(self.day):
                self.admin(a)
        for s in t.services:
            self.service(s)

    def hour(self, h: float, jitter_min: float, rng: random.Random) -> float:
        """Return today's instant at hour h, jittered."""
        return self.t0 + h * 3600 + rng.gauss(0, jitter_min * 60)

    def courier(self, c: Person) -> None:
        """A courier's day: log in, load-scan the route, deliver (scan, sometimes reveal)."""
        rng, log = c.rng, self.log
        new = (self.day - c.joined).days < 3
        covering = self.t.cover.get((c.pid, self.day), 0.0)
        heavy = 1.6 if rng.random() < 0.05 else 1.0
        n = 80 * c.size * self.factor * rng.lognormvariate(0, 0.15) * heavy * (1 + covering)
        n = min(350, max(5, int(n * (0.4 if new else 1.0))))  # a van holds so much
        waybills = self.t.numbers.take(n)
        if rng.random() < 0.1:  # an office takes a merchant's consecutive parcels
            first = self.t.numbers.next
            self.t.numbers.next += 20
            waybills += [f"PG{first + k:012d}" for k in range(rng.randint(5, 20))]
        self.t.today_numbers[c.pid] = waybills
        start = self.hour(c.start_h, 15, rng)
        end = self.hour(min(22.0, c.end_h + (1.0 if heavy > 1 or covering else 0.0)), 20, rng)
        log.add(start - rng.uniform(0, 600), c, "login", outcome="ok")
        ts = start + rng.uniform(0, 1200)
        for w in waybills:
            ts += rng.expovariate(n / 2400)
            log.add(ts, c, "scan", waybill_no=w, assigned=True, outcome="ok")
        self.deliver(c, waybills, start + 4500, end)
        lag = poisson(rng, 0.3 + (2.0 if covering else 0.0) + (1.0 if new else 0.0))
        for _ in range(lag):  # reassignment not yet recorded: colleagues' parcels
            at = rng.uniform(start + 4500, start + 4500 + 3 * 3600)
            self.deny(at, c, self.t.numbers.random_recent(rng), "not_assigned", False)

    def deliver(self, c: Person, waybills: list[str], start: float, end: float) -> None:
        """Deliver the route: a scan at each door, a reveal of the address now and then."""
        rng, log = c.rng, self.log
        lapsed = c.training_lapse == self.day
        tries = rng.randint(2, 4)
        for w, at in zip(waybills, spread(rng, start, end, len(waybills)), strict=True):
            if rng.random() < c.reveal_rate:
                if lapsed:
                    if tries:
                        tries -= 1
                        self.deny(at - 120, c, w, "training_expired", True)
                elif rng.random() < 0.01:  # looked again after the window closed
                    late = min(at + rng.uniform(7300, 14000), end + 1800)
                    self.deny(late, c, w, "outside_delivery_window", True)
                else:
                    log.add(
                        at - rng.uniform(60, 600),
                        c,
                        "reveal",
                        waybill_no=w,
                        fields=["recipient.address"],
                        outcome="allowed",
                        assigned=True,
                    )
            log.add(at, c, "scan", waybill_no=w, assigned=True, outcome="delivered")
            if rng.random() < 0.05:
                self.recipient_scans(rng, w, at)

    def recipient_scans(self, rng: random.Random, waybill: str, delivered: float) -> None:
        """The recipient (and family) scan the label's QR code after delivery."""
        for _ in range(rng.randint(1, 3)):
            self.log.add(
                delivered + rng.uniform(600, 86400),
                None,
                "scan",
                principal_id="public",
                role="public",
                waybill_no=waybill,
                target=f"client-{rng.random():.12f}",
                outcome="landing",
            )

    def deny(self, ts: float, p: Person, waybill: str, reason: str, assigned: bool | None) -> None:
        """Write a denied reveal attempt."""
        self.log.add(
            ts,
            p,
            "deny",
            waybill_no=waybill,
            fields=["recipient.address"],
            outcome=reason,
            assigned=assigned,
        )

    def station(self, s: str) -> None:
        """A parcel station: truck arrivals scanned, pickups, the pending list exported."""
        a, b = [k for k in self.t.clerks if k.station == s]
        on = [k for k in (a, b) if k.works(self.day)]
        if not on:
            return
        rng = a.rng
        inbound = max(10, int(150 * a.size * self.factor * rng.lognormvariate(0, 0.2)))
        waybills = self.t.numbers.take(inbound)
        morning, evening = (on[0], on[-1]) if len(on) == 2 else (on[0], on[0])
        for truck, h in enumerate((9.0, 13.0, 17.0)):
            clerk = morning if h < 14 else evening
            ts = self.hour(h, 20, rng)
            for w in waybills[truck::3]:
                ts += rng.expovariate(1 / 8)
                misrouted = rng.random() < 0.005
                self.log.add(
                    ts,
                    clerk,
                    "scan",
                    waybill_no=w,
                    assigned=not misrouted,
                    outcome="misrouted" if misrouted else "ok",
                )
        for w in waybills:
            if rng.random() < 0.9:
                h = rng.choice((rng.uniform(8, 21), rng.uniform(17, 21)))
                clerk = morning if h < 14 else evening
                self.log.add(
                    self.t0 + h * 3600, clerk, "pickup", waybill_no=w, assigned=True, outcome="ok"
                )
        count = int(inbound * rng.uniform(0.8, 1.6))
        self.log.add(self.hour(20.6, 10, rng), evening, "export", count=count, outcome="ok")
        if rng.random() < 0.3:
            self.log.add(
                self.hour(11.0, 30, rng), morning, "export", count=count // 2, outcome="ok"
            )

    def agent(self, a: Person) -> None:
        """Customer service: tickets through the shift, one field per reveal, a daily quota."""
        rng = a.rng
        peak = 1.8 if self.day in POST_HOLIDAY else (1.2 if self.day.weekday() == 0 else 1.0)
        tickets = poisson(rng, 14 * a.size * peak * (0.6 if self.day in HOLIDAY else 1.0))
        used, refused = 0, 0
        for at in spread(rng, self.hour(a.start_h, 5, rng), self.hour(a.end_h, 5, rng), tickets):
            ref = f"T{rng.randrange(10**7)}"
            waybill = self.t.numbers.random_recent(rng)
            if rng.random() < 0.03:  # a digit misheard on the phone
                self.deny(
                    at,
                    a,
                    waybill[:-1] + str((int(waybill[-1]) + 1) % 10),
                    "shipment_not_found",
                    False,
                )
                at += 60
            for k in range(rng.choice((1, 1, 2))):
                if used >= 40:
                    if refused < 2:
                        refused += 1
                        self.deny(at + k * 30, a, waybill, "daily_quota_exceeded", None)
                    continue
                used += 1
                field = rng.choice(("recipient.phone", "recipient.address", "recipient.name"))
                self.log.add(
                    at + k * 30,
                    a,
                    "reveal",
                    waybill_no=waybill,
                    fields=[field],
                    outcome="allowed",
                    assigned=None,
                    reference=ref,
                )

    def officer(self, o: Person) -> None:
        """Security officers: a few reveals under open cases, occasional exports."""
        rng = o.rng
        for at in spread(rng, self.hour(9.5, 10, rng), self.hour(17.5, 10, rng), poisson(rng, 3)):
            self.log.add(
                at,
                o,
                "reveal",
                waybill_no=self.t.numbers.random_recent(rng),
                fields=["recipient.phone"],
                outcome="allowed",
                assigned=None,
            )
        if rng.random() < 0.15:
            self.log.add(
                self.hour(15, 60, rng), o, "export", count=rng.randint(20, 400), outcome="ok"
            )
        self.log.add(self.hour(9.0, 10, rng), o, "login", outcome="ok")

    def admin(self, a: Person) -> None:
        """Admins: log in, export reports now and then."""
        rng = a.rng
        for _ in range(rng.randint(1, 3)):
            self.log.add(self.hour(rng.uniform(9, 18), 0, rng), a, "login", outcome="ok")
        if rng.random() < 0.2:
            self.log.add(
                self.hour(16, 60, rng), a, "export", count=rng.randint(1, 50), outcome="ok"
            )

    def service(self, s: Person) -> None:
        """Service keys: the sorting centre (05–23 h) and label printing (08–18 h)."""
        rng = s.rng
        sorting = s.pid == "svc-sorting"
        hours = range(5, 23) if sorting else range(8, 18)
        rate = (500 if sorting else 150) * self.factor
        for h in hours:
            shape = 1.0 - 0.5 * abs(h - 13) / 9
            n = max(0, int(rng.gauss(rate * shape, math.sqrt(rate * shape))))
            for at in spread(rng, self.t0 + h * 3600, self.t0 + (h + 1) * 3600, n):
                self.log.add(
                    at,
                    s,
                    "reveal",
                    waybill_no=self.t.numbers.random_recent(rng),
                    fields=["recipient.address"],
                    outcome="allowed",
                    assigned=None,
                    key_id=f"key-{s.pid}",
                )


class Misuse:
    """Plans the injected misuse instances and writes their events on their days."""

    def __init__(self, tenant: Tenant, seed: int) -> None:
        self.t = tenant
        self.rng = random.Random(seed * 31 + 5)
        self.instances: list[Instance] = []
        self.plans: dict[date, list[Any]] = defaultdict(list)
        self.taken: set[str] = set()
        self.leaks: list[tuple[Instance, dict[str, str]]] = []

    def pick(self, people: list[Person]) -> Person:
        """Return a tenured principal not used by another instance."""
        pool = [
            p
            for p in people
            if p.joined == HISTORY_START and p.pid not in self.taken and p.training_lapse is None
        ]
        chosen = self.rng.choice(pool)
        self.taken.add(chosen.pid)
        return chosen

    def working_day(self, p: Person, first: int = 2, last: int = 28) -> date:
        """Return a September working day of p (not a holiday, not sick, not off)."""
        while True:
            day = MONTH_START + timedelta(days=self.rng.randint(first, last))
            if day not in HOLIDAY and day not in p.sick and day.weekday() not in p.day_off:
                return day

    def plan(self) -> None:
        """Plan every scenario's instances."""
        for kind in ("courier", "courier", "courier", "courier", "clerk", "clerk"):
            self.drip(kind)
        for kind in ("courier", "courier", "courier", "agent", "agent", "agent"):
            self.burst(kind)
        for kind in ("courier", "courier", "agent", "agent", "clerk"):
            self.enumeration(kind)
        for kind in ("clerk", "clerk", "courier", "courier", "agent"):
            self.off_hours(kind)
        for _ in range(4):
            self.collusion()
        for pid in ("svc-labels", "svc-sorting"):
            self.compromised(pid, night=True)
            self.compromised(pid, night=False)
        for _ in range(4):
            self.label_leak()

    def people(self, kind: str) -> list[Person]:
        """Return the candidates of a kind."""
        return {"courier": self.t.couriers, "clerk": self.t.clerks, "agent": self.t.agents}[kind]

    def add(self, scenario: str, who: list[Person], start: float, end: float, note: str) -> None:
        """Record an instance (the ground truth)."""
        self.instances.append(Instance(scenario, [p.pid for p in who], start, end, note))

    def drip(self, kind: str) -> None:
        """A few accesses to other people's parcels every working day for two to three weeks."""
        p = self.pick(self.people(kind))
        first = MONTH_START + timedelta(days=self.rng.randint(2, 9))
        days = [first + timedelta(days=k) for k in range(self.rng.randint(14, 21))]
        per_day = self.rng.randint(2, 6)
        for day in days:
            self.plans[day].append(lambda d, p=p, n=per_day: self._drip_day(d, p, n))
        note = f"{kind}, {per_day}±2 a working day for {len(days)} days"
        self.add("slow drip", [p], day_ts(first), day_ts(days[-1]) + 86400, note)

    def _drip_day(self, d: Day, p: Person, per_day: int) -> None:
        if not p.works(d.day):
            return
        rng = self.rng
        for _ in range(max(1, per_day + rng.randint(-2, 2))):
            at = d.hour(rng.uniform(p.start_h + 1, p.end_h - 0.5), 0, rng)
            waybill = self.others_parcel(d, p)
            if p.role == "courier" and rng.random() < 0.5:
                d.deny(at, p, waybill, "not_assigned", False)
            else:
                d.log.add(at, p, "scan", waybill_no=waybill, assigned=False, outcome="ok")

    def others_parcel(self, d: Day, p: Person) -> str:
        """Return a parcel of today that is not p's (a colleague's route, another station)."""
        lists = [v for k, v in d.t.today_numbers.items() if k != p.pid and v]
        return self.rng.choice(self.rng.choice(lists))

    def burst(self, kind: str) -> None:
        """Many reveal attempts within an hour: harvesting a list in one go."""
        p = self.pick(self.people(kind))
        day = self.working_day(p)
        start = day_ts(day) + self.rng.uniform(p.start_h + 1, p.end_h - 1.5) * 3600
        n, minutes = self.rng.randint(50, 200), self.rng.uniform(30, 60)
        self.plans[day].append(lambda d: self._burst(d, p, start, n, minutes))
        self.add("burst", [p], start, start + minutes * 60, f"{kind}, {n} in {minutes:.0f} min")

    def _burst(self, d: Day, p: Person, start: float, n: int, minutes: float) -> None:
        for i, at in enumerate(spread(self.rng, start, start + minutes * 60, n)):
            if p.role == "courier":
                d.deny(at, p, self.others_parcel(d, p), "not_assigned", False)
            elif i < 20:
                d.log.add(
                    at,
                    p,
                    "reveal",
                    waybill_no=self.others_parcel(d, p),
                    fields=["recipient.phone"],
                    outcome="allowed",
                    assigned=None,
                    reference=f"T{self.rng.randrange(10**7)}",
                )
            else:
                d.deny(at, p, self.others_parcel(d, p), "daily_quota_exceeded", None)

    def enumeration(self, kind: str) -> None:
        """Stepping through waybill numbers from a real one; voids come back not found."""
        p = self.pick(self.people(kind))
        day = self.working_day(p)
        start = day_ts(day) + self.rng.uniform(p.start_h + 1, p.end_h - 2) * 3600
        n, minutes = self.rng.randint(60, 300), self.rng.uniform(60, 120)
        self.plans[day].append(lambda d: self._enumerate(d, p, start, n, minutes))
        self.add("enumeration", [p], start, start + minutes * 60, f"{kind}, {n} numbers")

    def _enumerate(self, d: Day, p: Person, start: float, n: int, minutes: float) -> None:
        rng = self.rng
        number = int(self.others_parcel(d, p)[2:])
        for i, at in enumerate(spread(rng, start, start + minutes * 60, n)):
            number += 1 if rng.random() < 0.7 else rng.randint(2, 5)
            waybill = f"PG{number:012d}"
            if rng.random() < 0.06:
                d.deny(at, p, waybill, "shipment_not_found", False)
            elif p.role == "courier":
                d.deny(at, p, waybill, "not_assigned", False)
            elif p.role == "station_clerk":
                d.deny(at, p, waybill, "role_cannot_reveal", False)
            elif i < 25:
                d.log.add(
                    at,
                    p,
                    "reveal",
                    waybill_no=waybill,
                    fields=["recipient.phone"],
                    outcome="allowed",
                    assigned=None,
                    reference=f"T{rng.randrange(10**7)}",
                )
            else:
                d.deny(at, p, waybill, "daily_quota_exceeded", None)

    def off_hours(self, kind: str) -> None:
        """Work in the middle of the night, by someone who never does."""
        p = self.pick(self.people(kind))
        day = self.working_day(p)
        start = day_ts(day) + self.rng.uniform(1.0, 2.5) * 3600
        n, minutes = self.rng.randint(12, 60), self.rng.uniform(60, 120)
        self.plans[day].append(lambda d: self._night(d, p, start, n, minutes))
        self.add("off-hours", [p], start, start + minutes * 60, f"{kind}, {n} at night")

    def _night(self, d: Day, p: Person, start: float, n: int, minutes: float) -> None:
        rng = self.rng
        times = spread(rng, start, start + minutes * 60, n)
        for at in times:
            waybill = self.others_parcel(d, p)
            if p.role == "station_clerk":
                d.log.add(at, p, "scan", waybill_no=waybill, assigned=True, outcome="ok")
            elif p.role == "courier":
                d.deny(at, p, waybill, "outside_delivery_window", True)
            else:
                d.log.add(
                    at,
                    p,
                    "reveal",
                    waybill_no=waybill,
                    fields=["recipient.phone"],
                    outcome="allowed",
                    assigned=None,
                    reference=f"T{rng.randrange(10**7)}",
                )
        if p.role == "station_clerk":
            d.log.add(times[-1] + 60, p, "export", count=rng.randint(200, 500), outcome="ok")

    def collusion(self) -> None:
        """A clerk assigns extra parcels to a courier of the station, who reveals them."""
        clerk = self.pick(self.t.clerks)
        mates = [c for c in self.t.station_couriers[clerk.station or ""] if c.pid not in self.taken]
        courier = self.rng.choice([c for c in mates if c.joined == HISTORY_START])
        self.taken.add(courier.pid)
        first = self.working_day(courier, 4, 24)
        days = [first + timedelta(days=k) for k in range(self.rng.randint(3, 5))]
        extra = self.rng.randint(40, 150)
        for day in days:
            self.plans[day].append(lambda d, e=extra: self._collude(d, clerk, courier, e))
        note = f"{extra} extra reveals a day for {len(days)} days, large exports"
        self.add("collusion", [clerk, courier], day_ts(first), day_ts(days[-1]) + 86400, note)

    def _collude(self, d: Day, clerk: Person, courier: Person, extra: int) -> None:
        rng = self.rng
        if courier.works(d.day):
            waybills = d.t.numbers.take(extra)
            for w, at in zip(
                waybills, spread(rng, d.hour(14, 0, rng), d.hour(19, 0, rng), extra), strict=True
            ):
                d.log.add(
                    at,
                    courier,
                    "reveal",
                    waybill_no=w,
                    fields=["recipient.address"],
                    outcome="allowed",
                    assigned=True,
                )
        d.log.add(
            d.hour(21.2, 10, rng), clerk, "export", count=rng.randint(800, 2000), outcome="ok"
        )

    def compromised(self, pid: str, *, night: bool) -> None:
        """A service account's API key used by someone else to pull addresses (and phones)."""
        svc = next(s for s in self.t.services if s.pid == pid)
        day = MONTH_START + timedelta(days=self.rng.randint(3, 27))
        start = (
            day_ts(day) + (self.rng.uniform(1.5, 2.5) if night else self.rng.uniform(10, 14)) * 3600
        )
        hours, rate = self.rng.uniform(1.5, 2.5), self.rng.randint(300, 1000)
        self.plans[day].append(lambda d: self._stolen(d, svc, start, hours, rate))
        when = "at night" if night else "by day"
        self.add("compromised key", [svc], start, start + hours * 3600, f"{pid} {when}, {rate}/h")

    def _stolen(self, d: Day, svc: Person, start: float, hours: float, rate: int) -> None:
        rng = self.rng
        for at in spread(rng, start, start + hours * 3600, int(rate * hours)):
            waybill = d.t.numbers.random_recent(rng)
            if rng.random() < 0.12:
                d.log.add(
                    at,
                    svc,
                    "deny",
                    waybill_no=waybill,
                    fields=["recipient.phone"],
                    outcome="scope_missing",
                    assigned=None,
                    key_id=f"key-{svc.pid}",
                )
            else:
                d.log.add(
                    at,
                    svc,
                    "reveal",
                    waybill_no=waybill,
                    fields=["recipient.address"],
                    outcome="allowed",
                    assigned=None,
                    key_id=f"key-{svc.pid}",
                )

    def label_leak(self) -> None:
        """A label photo posted online: strangers scan its QR code."""
        day = MONTH_START + timedelta(days=self.rng.randint(2, 27))
        start = day_ts(day) + self.rng.uniform(10, 20) * 3600
        n, hours = self.rng.randint(5, 25), self.rng.uniform(2, 6)
        holder: dict[str, str] = {}
        self.plans[day].append(lambda d: self._leak(d, start, n, hours, holder))
        self.instances.append(
            Instance("label photo", [], start, start + hours * 3600, f"{n} scans")
        )
        self.leaks.append((self.instances[-1], holder))

    def _leak(self, d: Day, start: float, n: int, hours: float, holder: dict[str, str]) -> None:
        waybill = self.others_parcel(d, self.t.couriers[0])
        holder["waybill"] = waybill
        for at in spread(self.rng, start, start + hours * 3600, n):
            d.log.add(
                at,
                None,
                "scan",
                principal_id="public",
                role="public",
                waybill_no=waybill,
                target=f"leak-{self.rng.random():.12f}",
                outcome="landing",
            )


def simulate(args: argparse.Namespace, path: Path) -> tuple[Tenant, Misuse, dict[str, Any]]:
    """Write the whole period as replay JSON lines (sorted by time); return the ground truth."""
    tenant = Tenant(args.seed, args.stations, args.couriers_per_station)
    days = [HISTORY_START + timedelta(days=k) for k in range((END - HISTORY_START).days)]
    tenant.plan_sickness(days)
    misuse = Misuse(tenant, args.seed)
    misuse.plan()
    active: set[tuple[str, date]] = set()
    lines = 0
    carry: list[tuple[float, dict[str, Any]]] = []  # events after midnight (late label scans)
    with path.open("w", encoding="utf-8") as out:
        for day in days:
            log = Log()
            log.events.extend(carry)
            d = Day(tenant, day, log)
            d.run()
            for plan in misuse.plans.get(day, ()):
                plan(d)
            cutoff = day_ts(day) + 86400
            today = sorted((e for e in log.events if e[0] < cutoff), key=lambda e: e[0])
            carry = [e for e in log.events if e[0] >= cutoff]
            for ts, line in today:
                line["at"] = iso(ts)
                out.write(json.dumps(line, ensure_ascii=False))
                out.write("\n")
                if line["principal_id"] != "public":
                    active.add((line["principal_id"], day))
            lines += len(today)
    for instance, holder in misuse.leaks:
        instance.principals = [f"parcel:{holder['waybill']}"]
    return tenant, misuse, {"lines": lines, "active": active}


def run_replay(
    path: Path, config: Any = None
) -> tuple[list[dict[str, Any]], tuple[float, float], int]:
    """Replay the file through the monitor in this process; return alerts, seconds, events."""
    from parcelguard.monitor.config import MonitorConfig
    from parcelguard.monitor.replay import ReplayStats, replay

    stats = ReplayStats()
    with path.open(encoding="utf-8") as lines:
        started, cpu = time.perf_counter(), time.process_time()
        alerts = [f.as_alert() for f in replay(lines, config or MonitorConfig(), stats)]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return alerts, (seconds, cpu), stats.events


def score(
    alerts: list[dict[str, Any]], misuse: Misuse, active: set[tuple[str, date]]
) -> dict[str, Any]:
    """Match alerts to instances; count the rest as false alerts (September only)."""
    month = day_ts(MONTH_START)
    first: dict[int, tuple[float, str]] = {}
    false: list[dict[str, Any]] = []
    for alert in alerts:
        at = datetime.fromisoformat(alert["at"]).timestamp()
        hit = False
        for i, inst in enumerate(misuse.instances):
            grace = GRACE.get(inst.scenario, 86400)
            if alert["principal_id"] in inst.principals and inst.start <= at <= inst.end + grace:
                hit = True
                if i not in first or at < first[i][0]:
                    first[i] = (at, alert["rule"])
        if not hit and at >= month:
            false.append(alert)
    misuse_days = {
        (pid, (datetime.utcfromtimestamp(inst.start + CST) + timedelta(days=k)).date())
        for inst in misuse.instances
        for pid in inst.principals
        for k in range(int((inst.end - inst.start) // 86400) + 2)
    }
    normal_days = sum(
        1 for pid, day in active if day >= MONTH_START and (pid, day) not in misuse_days
    )
    return {"first": first, "false": false, "principal_days": normal_days}


def report(
    args: argparse.Namespace,
    tenant: Tenant,
    misuse: Misuse,
    sim: dict[str, Any],
    alerts: list[dict[str, Any]],
    timing: tuple[float, float],
    events: int,
) -> str:
    """Print and return the markdown report."""
    s = score(alerts, misuse, sim["active"])
    rows, detected_total = scenario_rows(misuse, s)
    false, days = s["false"], s["principal_days"]
    per_k = 1000 * len(false) / max(days, 1)
    false_rules = Counter(a["rule"] for a in false)
    lines = [
        f"## Monitor (`bench/monitor_eval.py`), seed {args.seed}",
        "",
        describe(args, tenant, sim),
        "",
        "| scenario | instances | detected | recall | fastest detection | slowest detection | first rule |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        f"| **all** | {len(misuse.instances)} | {detected_total} | "
        f"**{detected_total / len(misuse.instances):.2f}** | | | |",
        "",
        "| measure | value |",
        "| --- | ---: |",
        f"| false alerts in September | {len(false)} |",
        f"| principal-days of normal work in September | {days:,} |",
        f"| **false alerts per 1,000 principal-days** | **{per_k:.2f}** |",
        f"| false alerts by rule | {', '.join(f'{r} ×{n}' for r, n in false_rules.most_common()) or 'none'} |",
        f"| replay throughput per CPU second (one process, JSON lines in, alerts out) | "
        f"**{events / timing[1]:,.0f} events/s** |",
        f"| replay throughput by the wall clock (shared 2-core machine) | "
        f"{events / timing[0]:,.0f} events/s |",
        f"| replay of {events:,} events: wall / CPU time | {timing[0]:.1f} s / {timing[1]:.1f} s |",
        "",
        "Instances:",
        "",
        *instance_lines(misuse, s),
    ]
    text = "\n".join(lines)
    print(text)
    if args.verbose:
        for alert in false:
            print("false:", json.dumps(alert, ensure_ascii=False), file=sys.stderr)
    return text


def describe(args: argparse.Namespace, tenant: Tenant, sim: dict[str, Any]) -> str:
    """Return the paragraph saying what was simulated."""
    joined = sum(c.joined > HISTORY_START for c in tenant.couriers)
    return (
        f"Simulated tenant (seed {args.seed}): {len(tenant.stations)} stations, "
        f"{len(tenant.couriers)} couriers ({joined} joining mid-month), {len(tenant.clerks)} "
        f"station clerks, {len(tenant.agents)} customer-service agents, {len(tenant.officers)} "
        f"security officers, {len(tenant.admins)} admins, {len(tenant.services)} service keys "
        f"({len(tenant.everyone())} principals) plus recipients scanning labels; 18–31 August "
        f"as history, then September 2026 with the Mid-Autumn holiday (25–27 Sep). "
        f"{sim['lines']:,} access events."
    )


def instance_lines(misuse: Misuse, s: dict[str, Any]) -> list[str]:
    """Return one line per injected instance: what it was, when it was caught, by what."""
    out = []
    for i, inst in enumerate(misuse.instances):
        if i in s["first"]:
            at, rule = s["first"][i]
            out.append(
                f"- {inst.scenario}: {inst.note} — detected after {_dur(at - inst.start)} by {rule}"
            )
        else:
            out.append(f"- {inst.scenario}: {inst.note} — **missed**")
    return out


def scenario_rows(misuse: Misuse, s: dict[str, Any]) -> tuple[list[str], int]:
    """Return the per-scenario table rows and how many instances were detected."""
    by_scenario: dict[str, list[int]] = defaultdict(list)
    for i, inst in enumerate(misuse.instances):
        by_scenario[inst.scenario].append(i)
    rows, detected = [], 0
    for scenario, ids in by_scenario.items():
        found = [i for i in ids if i in s["first"]]
        detected += len(found)
        delays = [s["first"][i][0] - misuse.instances[i].start for i in found]
        rules = Counter(s["first"][i][1] for i in found)
        fastest = _dur(min(delays)) if delays else "—"
        slowest = _dur(max(delays)) if delays else "—"
        rows.append(
            f"| {scenario} | {len(ids)} | {len(found)} | {len(found) / len(ids):.2f} | "
            f"{fastest} | {slowest} | {', '.join(f'{r} ×{n}' for r, n in rules.most_common())} |"
        )
    return rows, detected


def _dur(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="7,11", help="Comma-separated simulation seeds.")
    parser.add_argument("--stations", type=int, default=36)
    parser.add_argument("--couriers-per-station", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="Keep the (last) generated events file here.")
    parser.add_argument("--no-write", action="store_true", help="Do not write results/monitor.md.")
    parser.add_argument("--verbose", action="store_true", help="List the false alerts on stderr.")
    args = parser.parse_args()
    texts = []
    for seed in [int(x) for x in args.seeds.split(",")]:
        args.seed = seed
        with tempfile.TemporaryDirectory() as tmp:
            path = args.keep or Path(tmp) / "events.jsonl"
            started = time.perf_counter()
            tenant, misuse, sim = simulate(args, path)
            print(
                f"simulated {sim['lines']:,} events in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
            alerts, timing, events = run_replay(path)
        texts.append(report(args, tenant, misuse, sim, alerts, timing, events))
    if not args.no_write:
        write_fragment("monitor", "\n\n".join(texts))


if __name__ == "__main__":
    main()

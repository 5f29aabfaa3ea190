"""Quiet misuse evaluation: slow, sideways insiders in a realistic month, tuned and held out.

The month of `bench/monitor_eval.py` (stations, couriers on routes, clerks on two shifts,
customer service, officers, admins, service keys, the Mid-Autumn holiday, sick days, new
couriers and agents joining mid-month) with what quiet misuse hides in, written before any
threshold was tuned:

- shift patterns: customer-service agents on long shifts (four days on, four off, about
  1.45× an ordinary day's tickets) and part-timers (three short days a week), couriers on a
  four-day week with longer routes, agents' sick days;
- new hires who look up more addresses while they learn (couriers ×1.8 falling to ×1 over
  two weeks, agents ×1.3 for two weeks);
- parcels that belong to stations (every courier or clerk access carries `parcel_station`)
  and the ways a legitimate access reaches another station's parcel: misrouted parcels at
  the counter (half re-registered by an explicit transfer), batches transferred between
  neighbouring stations (the receiving clerk scans some before the transfer is recorded),
  parcels transferred away while still on a courier's list, a courier covering a
  neighbouring station for one or two days, a courier helping a neighbour one fixed weekday
  every week, and a trickle of border parcels;

and two quiet patterns injected on top:

- sustained excess: a customer-service agent answering two to three times the role's usual
  ticket load (capped by the 40-a-day quota as the real service caps it), and a courier
  revealing two to three times the role's usual share of their route's addresses, every
  working day for two to three and a half weeks;
- foreign station: a courier revealing 8–16 parcels of another station a working day (each
  reveal allowed: the parcels are assigned to them), and a clerk scanning 8–16 parcels of
  other stations a working day, for ten to twenty days.

Seeds 101–103 were used to tune the new rules; seeds 201–203 are the held-out set, run only
after the last change. Alerts are matched to instances as in `monitor_eval.py` (the
principal, between the start and 24 h after the end); every other September alert, from any
rule, is a false alert.

    python bench/monitor_quiet.py [--seeds 101,102,103] [--held-out 201,202,203]

Writes bench/results/monitor_quiet.md.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from bench.common import write_fragment
from bench.monitor_eval import (
    END,
    HISTORY_START,
    HOLIDAY,
    MONTH_START,
    Day,
    Instance,
    Log,
    Person,
    Tenant,
    day_ts,
    iso,
    run_replay,
    score,
)

TUNING = "101,102,103"
HELD_OUT = "201,202,203"
QUIET = ("sustained excess", "foreign station")
OWN_RULE = {"sustained excess": "sustained_excess", "foreign station": "foreign_station"}
BASE_REVEAL_RATE = 0.25  # the courier role's median share of addresses revealed
Hook = Callable[[], None]


@dataclass
class ShiftPerson(Person):
    """A person on a rotation (days on in a cycle) or the usual weekly days off."""

    rotation: tuple[int, int, int] | None = None  # days on, cycle length, offset
    pattern: str = "standard"

    def works(self, day: date) -> bool:
        """Return whether the person works that day."""
        if self.rotation is None:
            return super().works(day)
        if day < self.joined or day in self.sick:
            return False
        on, cycle, offset = self.rotation
        if ((day - HISTORY_START).days + offset) % cycle >= on:
            return False
        return not (day in HOLIDAY and self.rng.random() < 0.4)


class QuietTenant(Tenant):
    """The branch of `monitor_eval`, with shift patterns and stations that neighbour."""

    def person(self, pid: str, role: str, station: str | None, **kw: Any) -> Person:
        """Return a new person with its own seeded habits."""
        return ShiftPerson(pid, role, station, random.Random(f"{pid}-{self.rng.random()}"), **kw)

    def shifts(self) -> None:
        """Put some agents on long shifts or part time, some couriers on a four-day week."""
        rng = self.rng
        for a in self.agents:
            assert isinstance(a, ShiftPerson)
            u = rng.random()
            if u < 0.15:
                a.pattern, a.rotation = "long shift", (4, 8, rng.randrange(8))
                a.start_h, a.end_h, a.size = 8.0, 20.0, a.size * 1.45
            elif u < 0.27:
                a.pattern = "part time"
                a.day_off = tuple(rng.sample(range(7), 4))
                a.end_h, a.size = a.start_h + 4.5, a.size * 0.5
        for c in self.couriers:
            assert isinstance(c, ShiftPerson)
            if rng.random() < 0.06:
                c.pattern, c.rotation = "four-day week", (4, 7, rng.randrange(7))
                c.size = min(2.6, c.size * 1.3)
                c.end_h = min(21.5, c.end_h + 1.5)

    def plan_agent_sickness(self, days: list[date]) -> None:
        """Agents are ill now and then too."""
        for a in self.agents:
            for day in days:
                if a.rng.random() < 0.01:
                    for k in range(a.rng.randint(1, 3)):
                        a.sick.add(day + timedelta(days=k))

    def neighbour(self, station: str, rng: random.Random) -> str:
        """Return a station next to this one (stations lie on a ring)."""
        i = self.stations.index(station)
        return self.stations[(i + rng.choice((-1, 1))) % len(self.stations)]

    def clerk_on(self, station: str, day: date) -> Person | None:
        """Return a clerk of the station at work that day, if any."""
        for k in self.clerks:
            if k.station == station and k.works(day):
                return k
        return None


class QuietLog(Log):
    """A day's events; station staff's accesses carry their parcel's station."""

    def __init__(self, tenant: QuietTenant, rng: random.Random) -> None:
        super().__init__()
        self.t, self.rng = tenant, rng

    def add(self, ts: float, person: Person | None, action: str, **extra: Any) -> None:
        """Add an event; a courier's or clerk's access names the parcel's station."""
        wanted = person is not None and person.station and extra.get("waybill_no")
        if wanted and "parcel_station" not in extra:
            assert person is not None
            extra["parcel_station"] = self._station_of(ts, person, action, extra)
        super().add(ts, person, action, **extra)

    def transfer(self, ts: float, clerk: Person, waybill: str, to: str) -> None:
        """Write an explicit transfer of a parcel from the clerk's station to `to`."""
        super().add(
            ts,
            clerk,
            "shipment.transferred",
            waybill_no=waybill,
            parcel_station=to,
            from_station=clerk.station,
        )

    def _station_of(self, ts: float, p: Person, action: str, extra: dict[str, Any]) -> str:
        own, rng = p.station or "", self.rng
        if extra.get("outcome") == "misrouted":  # belongs to a neighbour, arrived here
            other = self.t.neighbour(own, rng)
            if rng.random() < 0.5:  # re-registered here by the neighbour's clerk
                clerk = self.t.clerk_on(other, _day(ts))
                if clerk is not None:
                    self.transfer(ts + rng.uniform(600, 4 * 3600), clerk, extra["waybill_no"], own)
            return other
        if action == "deny" and extra.get("outcome") == "not_assigned" and rng.random() < 0.15:
            other = self.t.neighbour(own, rng)  # transferred away while still on the list
            clerk = self.t.clerk_on(own, _day(ts))
            if clerk is not None:
                self.transfer(ts - rng.uniform(300, 3 * 3600), clerk, extra["waybill_no"], other)
                return other
        if p.role == "courier" and rng.random() < 0.002:  # a border parcel
            return self.t.neighbour(own, rng)
        return own


def _day(ts: float) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int((ts + 8 * 3600) // 86400))


def handle_foreign(d: Day, p: Person, station: str, n: int, reveal_share: float) -> None:
    """p handles n parcels of another station today: a scan each, reveals of some."""
    rng = p.rng
    start = d.hour(p.start_h + 1.0, 10, rng)
    end = d.hour(max(p.start_h + 2.0, p.end_h - 0.5), 10, rng)
    for w in d.t.numbers.take(n):
        at = rng.uniform(start, end)
        d.log.add(at, p, "scan", waybill_no=w, assigned=True, outcome="ok", parcel_station=station)
        if p.role == "courier" and rng.random() < reveal_share:
            d.log.add(
                at - rng.uniform(60, 600),
                p,
                "reveal",
                waybill_no=w,
                fields=["recipient.address"],
                outcome="allowed",
                assigned=True,
                parcel_station=station,
            )


class Legit:
    """The ordinary reasons for touching another station's parcels, and new hires learning."""

    def __init__(self, tenant: QuietTenant, seed: int) -> None:
        self.t = tenant
        self.rng = random.Random(seed * 17 + 3)
        self.plans: dict[date, list[Callable[[Day], None]]] = defaultdict(list)
        self.before: dict[date, list[tuple[Hook, Hook]]] = defaultdict(list)
        self.covers = 0
        self.helpers = 0

    def plan(self, days: list[date]) -> None:
        """Plan covers, weekly helpers, batch transfers and new hires' learning weeks."""
        t, rng = self.t, self.rng
        tenured = [c for c in t.couriers if c.joined == HISTORY_START]
        for c in rng.sample(tenured, len(tenured) // 20):  # one-off cover of a neighbour
            first = MONTH_START + timedelta(days=rng.randint(1, 28))
            other, n = t.neighbour(c.station or "", rng), rng.randint(15, 50)
            for k in range(rng.randint(1, 2)):
                self.plans[first + timedelta(days=k)].append(
                    lambda d, c=c, o=other, n=n: c.works(d.day) and handle_foreign(d, c, o, n, 0.5)
                )
            self.covers += 1
        for c in rng.sample(tenured, len(tenured) // 50):  # helps a neighbour every week
            weekday = next(w for w in rng.sample(range(7), 7) if w not in c.day_off)
            other, n = t.neighbour(c.station or "", rng), rng.randint(8, 20)
            for day in days:
                if day.weekday() == weekday:
                    self.plans[day].append(
                        lambda d, c=c, o=other, n=n: (
                            c.works(d.day) and handle_foreign(d, c, o, n, 0.4)
                        )
                    )
            self.helpers += 1
        for day in days:
            for s in t.stations:
                if rng.random() < 0.1:
                    self.plans[day].append(lambda d, s=s: self._batch(d, s))
        for p in [*t.couriers, *t.agents]:
            if p.joined > HISTORY_START:
                self._learning(p)

    def _batch(self, d: Day, station: str) -> None:
        """A neighbour sends a batch over; the clerk scans some before the transfer is in."""
        rng = self.rng
        other = self.t.neighbour(station, rng)
        sender, receiver = self.t.clerk_on(other, d.day), self.t.clerk_on(station, d.day)
        if sender is None or receiver is None:
            return
        at = d.hour(rng.uniform(9, 15), 0, rng)
        assert isinstance(d.log, QuietLog)
        for w in d.t.numbers.take(rng.randint(20, 60)):
            d.log.transfer(at + rng.uniform(0, 300), sender, w, station)
            seen = at + (rng.uniform(-5400, 0) if rng.random() < 0.3 else rng.uniform(600, 7200))
            d.log.add(seen, receiver, "scan", waybill_no=w, assigned=True, outcome="ok")
            if seen < at:
                d.log.events[-1][1]["parcel_station"] = other

    def _learning(self, p: Person) -> None:
        """A new courier reveals more addresses while learning the route; an agent, more."""
        for k in range(14):
            day = p.joined + timedelta(days=k)
            if p.role == "courier":
                factor = 1.8 - 0.8 * max(0, k - 7) / 7
                self.before[day].append(_scaled(p, "reveal_rate", factor, 0.95))
            else:
                self.before[day].append(_scaled(p, "size", 1.3, 9.0))


def _scaled(p: Person, attribute: str, factor: float, cap: float) -> tuple[Hook, Hook]:
    """Return hooks that scale an attribute for a day and put it back afterwards."""
    kept: list[float] = []

    def before() -> None:
        kept.append(getattr(p, attribute))
        setattr(p, attribute, min(cap, kept[-1] * factor))

    def after() -> None:
        setattr(p, attribute, kept.pop())

    return before, after


def _set(p: Person, attribute: str, value: float) -> tuple[Hook, Hook]:
    """Return hooks that set an attribute for a day and put it back afterwards."""
    kept: list[float] = []

    def before() -> None:
        kept.append(getattr(p, attribute))
        setattr(p, attribute, value)

    def after() -> None:
        setattr(p, attribute, kept.pop())

    return before, after


class QuietMisuse:
    """The two quiet patterns: sustained excess over peers and access to another station."""

    def __init__(self, tenant: QuietTenant, seed: int) -> None:
        self.t = tenant
        self.rng = random.Random(seed * 31 + 7)
        self.instances: list[Instance] = []
        self.plans: dict[date, list[Callable[[Day], None]]] = defaultdict(list)
        self.before: dict[date, list[tuple[Hook, Hook]]] = defaultdict(list)
        self.taken: set[str] = set()
        self.kinds: dict[int, str] = {}

    def pick(self, people: list[Person]) -> Person:
        """Return a tenured principal on the standard pattern, not used by another instance."""
        pool = [
            p
            for p in people
            if p.joined == HISTORY_START
            and p.pid not in self.taken
            and p.training_lapse is None
            and getattr(p, "pattern", "standard") == "standard"
        ]
        chosen = self.rng.choice(pool)
        self.taken.add(chosen.pid)
        return chosen

    def plan(self) -> None:
        """Plan every instance (chosen independently of the legitimate covers and helpers)."""
        for _ in range(3):
            self.excess(self.pick(self.t.agents), "customer service")
        for _ in range(2):
            self.excess(self.pick(self.t.couriers), "courier")
        for _ in range(3):
            self.foreign(self.pick(self.t.couriers), "courier")
        self.foreign(self.pick(self.t.clerks), "clerk")

    def _add(self, scenario: str, kind: str, p: Person, days: list[date], note: str) -> None:
        self.kinds[len(self.instances)] = kind
        self.instances.append(
            Instance(scenario, [p.pid], day_ts(days[0]), day_ts(days[-1]) + 86400, note)
        )

    def excess(self, p: Person, kind: str) -> None:
        """Two to three times the role's usual volume, every working day for weeks."""
        rng = self.rng
        first = MONTH_START + timedelta(days=rng.randint(1, 8))
        days = [first + timedelta(days=k) for k in range(rng.randint(14, 24))]
        factor = rng.uniform(2.0, 3.0)
        for day in days:
            if p.role == "courier":
                self.before[day].append(_set(p, "reveal_rate", factor * BASE_REVEAL_RATE))
            else:
                self.before[day].append(_set(p, "size", factor))
        note = f"{kind}, ×{factor:.1f} the role's usual volume for {len(days)} days"
        self._add("sustained excess", kind, p, days, note)

    def foreign(self, p: Person, kind: str) -> None:
        """About a dozen parcels of another station a working day, for ten to twenty days."""
        rng = self.rng
        first = MONTH_START + timedelta(days=rng.randint(1, 11))
        days = [first + timedelta(days=k) for k in range(rng.randint(10, 20))]
        other = rng.choice([s for s in self.t.stations if s != p.station])
        low = rng.randint(8, 12)
        for day in days:
            self.plans[day].append(
                lambda d, low=low: p.works(d.day) and self._foreign_day(d, p, other, low)
            )
        note = f"{kind}, {low}–{low + 4} parcels of {other} a working day for {len(days)} days"
        self._add("foreign station", kind, p, days, note)

    def _foreign_day(self, d: Day, p: Person, station: str, low: int) -> None:
        n = self.rng.randint(low, low + 4)
        if p.role == "courier":
            handle_foreign(d, p, station, n, 1.0)
            return
        rng = p.rng
        for w in d.t.numbers.take(n):
            at = d.hour(rng.uniform(p.start_h + 0.5, p.end_h - 0.5), 0, rng)
            d.log.add(
                at, p, "scan", waybill_no=w, assigned=False, outcome="ok", parcel_station=station
            )


def simulate(args: argparse.Namespace, path: Path) -> Truth:
    """Write the whole period as replay JSON lines (sorted by time); return the ground truth."""
    tenant = QuietTenant(args.seed, args.stations, args.couriers_per_station)
    tenant.shifts()
    days = [HISTORY_START + timedelta(days=k) for k in range((END - HISTORY_START).days)]
    tenant.plan_sickness(days)
    tenant.plan_agent_sickness(days)
    legit = Legit(tenant, args.seed)
    legit.plan(days)
    misuse = QuietMisuse(tenant, args.seed)
    misuse.plan()
    active: set[tuple[str, date]] = set()
    volume: Counter[tuple[str, date]] = Counter()
    lines, carry = 0, []
    log_rng = random.Random(args.seed * 13 + 1)
    with path.open("w", encoding="utf-8") as out:
        for day in days:
            hooks = [*legit.before.get(day, ()), *misuse.before.get(day, ())]
            for before, _ in hooks:
                before()
            log = QuietLog(tenant, log_rng)
            log.events.extend(carry)
            d = Day(tenant, day, log)
            d.run()
            for plan in [*legit.plans.get(day, ()), *misuse.plans.get(day, ())]:
                plan(d)
            for _, after in reversed(hooks):
                after()
            cutoff = day_ts(day) + 86400
            today = sorted((e for e in log.events if e[0] < cutoff), key=lambda e: e[0])
            carry = [e for e in log.events if e[0] >= cutoff]
            for ts, line in today:
                line["at"] = iso(ts)
                out.write(json.dumps(line, ensure_ascii=False))
                out.write("\n")
                pid = line["principal_id"]
                if pid != "public":
                    active.add((pid, day))
                    if line["action"] in ("reveal", "deny"):
                        volume[(pid, day)] += 1
            lines += len(today)
    return Truth(
        seed=args.seed,
        instances=misuse.instances,
        active=active,
        volume=volume,
        people={p.pid: (p.role, getattr(p, "pattern", "standard")) for p in tenant.everyone()},
        lines=lines,
        covers=legit.covers,
        helpers=legit.helpers,
    )


@dataclass
class Truth:
    """What a scored run needs of a simulation (kept beside a kept events file)."""

    seed: int
    instances: list[Instance]
    active: set[tuple[str, date]]
    volume: Counter[tuple[str, date]]
    people: dict[str, tuple[str, str]]
    lines: int
    covers: int
    helpers: int


def effective_ratio(truth: Truth, inst: Instance) -> float:
    """Return the median over the instance's days of its volume / the role's median volume."""
    pid = inst.principals[0]
    role = truth.people[pid][0]
    peers = [q for q, (r, _) in truth.people.items() if r == role and q != pid]
    ratios = []
    day = _day(inst.start)
    while day_ts(day) < inst.end:
        mine = truth.volume.get((pid, day), 0)
        if (pid, day) in truth.active:
            others = [truth.volume.get((q, day), 0) for q in peers if (q, day) in truth.active]
            if others and statistics.median(others) > 0:
                ratios.append(mine / statistics.median(others))
        day += timedelta(days=1)
    return statistics.median(ratios) if ratios else 0.0


def evaluate(args: argparse.Namespace, seed: int) -> dict[str, Any]:
    """Simulate one seed (or reuse a kept one), replay it, score it."""
    args.seed = seed
    with tempfile.TemporaryDirectory() as tmp:
        path = (args.keep or Path(tmp)) / f"quiet-{seed}.jsonl"
        kept = path.with_suffix(".truth")
        if args.reuse and path.exists() and kept.exists():
            truth = pickle.loads(kept.read_bytes())  # noqa: S301  (our own file, --keep)
        else:
            started = time.perf_counter()
            truth = simulate(args, path)
            kept.write_bytes(pickle.dumps(truth))
            print(
                f"seed {seed}: simulated {truth.lines:,} events in "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        alerts, timing, events = run_replay(path, config(args))
    s = score(alerts, truth, truth.active)  # type: ignore[arg-type]
    s["own"] = own_rule_hits(alerts, truth)
    print(f"seed {seed}: replayed {events:,} events in {timing[0]:.0f} s", file=sys.stderr)
    if args.verbose:
        for alert in s["false"]:
            print("false:", json.dumps(alert, ensure_ascii=False), file=sys.stderr)
    return {"seed": seed, "truth": truth, "score": s, "timing": timing, "events": events}


def own_rule_hits(alerts: list[dict[str, Any]], truth: Truth) -> dict[int, float]:
    """Return, per instance, when the rule written for its pattern first named it."""
    hits: dict[int, float] = {}
    for alert in alerts:
        at = datetime.fromisoformat(alert["at"]).timestamp()
        for i, inst in enumerate(truth.instances):
            if (
                alert["rule"] == OWN_RULE.get(inst.scenario)
                and alert["principal_id"] in inst.principals
                and inst.start <= at <= inst.end + 86400
            ):
                hits[i] = min(hits.get(i, at), at)
    return hits


def config(args: argparse.Namespace) -> Any:
    """Return the monitor's settings: the defaults, or only the rules named by --rules."""
    from parcelguard.monitor.config import MonitorConfig
    from parcelguard.monitor.detectors.registry import RULES

    if not args.rules:
        return MonitorConfig()
    wanted = set(args.rules.split(","))
    return MonitorConfig.model_validate(
        {"rules": {rule: {"enabled": rule in wanted} for rule in RULES}}
    )


def seed_row(r: dict[str, Any], held_out: bool) -> str:
    """Return one table row: recall per quiet scenario, false alerts, rate."""
    misuse, s = r["truth"], r["score"]
    cells = []
    for scenario in QUIET:
        ids = [i for i, inst in enumerate(misuse.instances) if inst.scenario == scenario]
        own = sum(i in s["own"] for i in ids)
        cells.append(f"{sum(i in s['first'] for i in ids)} / {len(ids)} ({own})")
    per_k = 1000 * len(s["false"]) / max(s["principal_days"], 1)
    label = f"{r['seed']}{' (held out)' if held_out else ''}"
    return (
        f"| {label} | {' | '.join(cells)} | {len(s['false'])} | {s['principal_days']:,} | "
        f"{per_k:.2f} | {_rules(Counter(a['rule'] for a in s['false']))} |"
    )


def instance_lines(r: dict[str, Any]) -> list[str]:
    """Return one line per instance: what it was, how it looked, when and by what caught."""
    out = []
    truth, s = r["truth"], r["score"]
    for i, inst in enumerate(truth.instances):
        ratio = effective_ratio(truth, inst)
        what = f"- seed {r['seed']}, {inst.scenario}: {inst.note} (volume {ratio:.1f}× peers)"
        if i in s["first"]:
            at, rule = s["first"][i]
            found = f"{what} — detected after {(at - inst.start) / 86400:.1f} d by {rule}"
            own = OWN_RULE[inst.scenario]
            if rule != own:
                later = s["own"].get(i)
                found += (
                    f"; {own} after {(later - inst.start) / 86400:.1f} d"
                    if later
                    else (f"; not by {own}")
                )
            out.append(found)
        else:
            out.append(f"{what} — **missed**")
    return out


def summary(results: list[dict[str, Any]]) -> tuple[int, int, int, int]:
    """Return (detected, instances, false alerts, principal-days) over the seeds."""
    detected = sum(len(r["score"]["first"]) for r in results)
    instances = sum(len(r["truth"].instances) for r in results)
    false = sum(len(r["score"]["false"]) for r in results)
    days = sum(r["score"]["principal_days"] for r in results)
    return detected, instances, false, days


def report(tuning: list[dict[str, Any]], held: list[dict[str, Any]]) -> str:
    """Print and return the markdown report."""
    truth = (tuning or held)[0]["truth"]
    patterns = Counter(pattern for _, pattern in truth.people.values())
    lines = [
        "## Monitor, quiet misuse (`bench/monitor_quiet.py`)",
        "",
        f"The month of `monitor_eval.py` ({len(truth.people)} principals, "
        f"{truth.lines:,} access events for seed {truth.seed}) with shift "
        f"patterns ({', '.join(f'{n} {k}' for k, n in patterns.items() if k != 'standard')}), "
        f"new hires learning, agents' sick days, and parcels that belong to stations: "
        f"misrouted parcels, batch transfers, {truth.covers} one-off covers of a neighbouring "
        f"station and {truth.helpers} weekly helpers per seed. Injected per seed: 3 agents "
        "and 2 couriers at 2–3× the role's usual volume for 14–24 days, 3 couriers and 1 "
        "clerk touching 8–16 parcels of another station a working day for 10–20 days.",
        "",
        "Detected by any rule (in brackets: by the rule written for the pattern). Every alert "
        "that names no injected instance is false, whichever rule raised it.",
        "",
        "| seed | sustained excess | foreign station | false alerts (all rules) | normal "
        "principal-days | false alerts / 1,000 principal-days | false alerts by rule |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        *[seed_row(r, False) for r in tuning],
        *[seed_row(r, True) for r in held],
    ]
    for name, group in (("tuning", tuning), ("held out", held)):
        if group:
            detected, instances, false, days = summary(group)
            lines.append(
                f"| **{name}** | {detected} / {instances} detected | | {false} | {days:,} | "
                f"**{1000 * false / max(days, 1):.2f}** | |"
            )
    lines += ["", "Instances:", ""]
    for r in [*tuning, *held]:
        lines += instance_lines(r)
    text = "\n".join(lines)
    print(text)
    return text


def _rules(counts: Counter[str]) -> str:
    return ", ".join(f"{r} ×{n}" for r, n in counts.most_common()) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default=TUNING, help="Tuning seeds (comma-separated).")
    parser.add_argument("--held-out", default=HELD_OUT, help="Held-out seeds ('' for none).")
    parser.add_argument("--stations", type=int, default=36)
    parser.add_argument("--couriers-per-station", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="Keep the generated events files here.")
    parser.add_argument("--reuse", action="store_true", help="Replay kept files again.")
    parser.add_argument("--no-write", action="store_true", help="Do not write the results.")
    parser.add_argument("--rules", default="", help="Run only these rules (while tuning).")
    parser.add_argument("--verbose", action="store_true", help="List the false alerts on stderr.")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    tuning = [evaluate(args, int(x)) for x in args.seeds.split(",") if x]
    held = [evaluate(args, int(x)) for x in args.held_out.split(",") if x]
    text = report(tuning, held)
    if not args.no_write:
        write_fragment("monitor_quiet", text)


if __name__ == "__main__":
    main()

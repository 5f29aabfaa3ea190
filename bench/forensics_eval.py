"""Leak attribution evaluation: simulated tenants, insider and outside leaks, canaries, 1M rows.

A tenant is simulated with hundreds of principals (couriers per city, stations and their
clerks, customer service, admins, security officers with exports, partners with API keys) and
six months of accesses. Leaks are drawn from what one channel accessed before the leak, mixed
with other shops' customers and noise, with masked phones and typos, written as CSV (UTF-8 or
GB18030, comma or tab, with or without header), XLSX or text lines.

Each leak then goes through the product's own code: `read_leak` → `PersonExtractor` →
`Matcher` (keyed digests from the product's `BlindIndex`, looked up in a `MemoryPartyIndex`)
→ `AccessModel.pool_small` → `attribute` → `mark_certain`. Only the access model's numbers
are computed by the simulation (with numpy) instead of SQL over an audit log; the SQL path
that builds the same model is covered by tests/forensics.

    .venv/bin/python bench/forensics_eval.py            # evaluation + 1M-row trace
    .venv/bin/python bench/forensics_eval.py --quick    # fewer leaks, 100k rows
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mib, run_child, write_fragment
from parcelguard.crypto.blind_index import BlindIndex
from parcelguard.forensics.access_model import Access, AccessModel, ChannelFacts, ChannelKey
from parcelguard.forensics.candidates import Candidate, MemoryPartyIndex, stratum_of
from parcelguard.forensics.extract import PersonExtractor
from parcelguard.forensics.leak_reader import read_leak
from parcelguard.forensics.matching import Matcher
from parcelguard.forensics.scoring import DEFAULT_THRESHOLD, attribute, mark_certain, scorable
from parcelguard.pii.divisions import resolve_regions
from parcelguard.pii.masking import mask_phone
from parcelguard.vault.sealing import name_region_key
from parcelguard.vault.synthetic import GIVEN, Faker, divisions

TENANT = "bench"
START = datetime(2026, 5, 1, tzinfo=UTC)
DAYS = 184
SIZES = (5, 10, 20, 50, 200)
INSIDER_KINDS = (
    "courier",
    "clerk",
    "station",
    "customer_service",
    "service",
    "api_key",
    "export",
    "admin",
)
CANARY_KINDS = ("courier", "station", "api_key", "export")


# ---------------------------------------------------------------- the simulated tenant


@dataclass
class World:
    """One simulated tenant: people, shipments, channels, and who accessed what when."""

    index: BlindIndex
    names: list[str]
    phones: list[str]
    addresses: list[str]
    person_city: np.ndarray
    ship_person: np.ndarray
    ship_ts: np.ndarray
    ship_stratum: np.ndarray
    strata: list[str]
    channels: list[tuple[ChannelKey, str | None, str]] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    pair_chan: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_ship: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_ts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pair_action: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    parties: MemoryPartyIndex = field(default_factory=MemoryPartyIndex)
    canaries: dict[str, int] = field(default_factory=dict)  # canary id → channel index
    canary_people: dict[int, list[tuple[str, str, str, str]]] = field(default_factory=dict)

    @property
    def channel_index(self) -> dict[ChannelKey, int]:
        if not hasattr(self, "_channel_index"):
            self._channel_index = {key: i for i, (key, _p, _r) in enumerate(self.channels)}
        return self._channel_index

    def access_set(self, channel: int) -> np.ndarray:
        """Return the shipments a channel ever accessed."""
        cache = self.__dict__.setdefault("_sets", {})
        if channel not in cache:
            cache[channel] = np.unique(self.pair_ship[self.pair_chan == channel])
        return cache[channel]

    @property
    def principals(self) -> int:
        return sum(1 for key, _p, _r in self.channels if key.kind == "principal")


ACTIONS = ("shipment.assigned", "label.scan", "reveal", "shipment.view", "export.run")


class Builder:
    """Builds a World: 30 cities, ~60k shipments over six months, ~580 principals."""

    def __init__(self, seed: int, shipments: int, people: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.faker = Faker(seed)
        self.n, self.p = shipments, people
        self.chan: list[int] = []
        self.ship: list[np.ndarray] = []
        self.ts: list[np.ndarray] = []
        self.act: list[np.ndarray] = []

    def build(self) -> World:
        cities = self._cities()
        world = self._people_and_shipments(cities)
        self.world = world
        self._couriers_and_stations(len(cities))
        self._agents_admins_officers()
        self._partners()
        world.pair_chan = np.concatenate(
            [np.full(len(s), c, np.int64) for c, s in zip(self.chan, self.ship, strict=True)]
        )
        world.pair_ship = np.concatenate(self.ship).astype(np.int64)
        world.pair_ts = np.concatenate(self.ts)
        world.pair_action = np.concatenate(self.act).astype(np.int8)
        self._index(world)
        return world

    def _cities(self) -> list[list[Any]]:
        by_city: dict[str, list[Any]] = defaultdict(list)
        for d in divisions():
            by_city[d.adcode[:4]].append(d)
        eligible = sorted(c for c, ds in by_city.items() if len(ds) >= 4)
        chosen = self.rng.choice(eligible, 30, replace=False)
        return [by_city[c] for c in chosen]

    def _people_and_shipments(self, cities: list[list[Any]]) -> World:
        weights = 1 / np.arange(1, len(cities) + 1) ** 0.8
        weights /= weights.sum()
        self.city_weights = weights
        person_city = self.rng.choice(len(cities), self.p, p=weights)
        names, phones, addresses, seen = [], [], [], set()
        r = self.faker.random
        for c in person_city:
            phone = self.faker.mobile()
            while phone in seen:
                phone = self.faker.mobile()
            seen.add(phone)
            names.append(self.faker.name())
            phones.append(phone)
            addresses.append(self.faker.address(r.choice(cities[c])))
        ship_person = self.rng.integers(0, self.p, self.n)
        ship_ts = np.sort(START.timestamp() + self.rng.uniform(0, DAYS * 86400, self.n))
        regions = resolve_regions(addresses)
        person_city4 = [reg.adcode[:4] if reg else "0000" for reg in regions]
        self.person_city4 = person_city4
        labels, stratum = {}, np.zeros(self.n, np.int64)
        for i in range(self.n):
            created = datetime.fromtimestamp(ship_ts[i], UTC)
            label = stratum_of(person_city4[ship_person[i]], created)
            stratum[i] = labels.setdefault(label, len(labels))
        return World(
            BlindIndex(os.urandom(32)),
            names,
            phones,
            addresses,
            person_city,
            ship_person,
            ship_ts,
            stratum,
            list(labels),
        )

    def _channel(self, kind: str, ident: str, principal: str | None, role: str, group: str) -> int:
        world = self.world
        world.channels.append((ChannelKey(kind, ident), principal, role))
        world.by_kind[group].append(len(world.channels) - 1)
        return len(world.channels) - 1

    def _access(self, channel: int, ships: np.ndarray, ts: np.ndarray, action: int) -> None:
        if len(ships):
            self.chan.append(channel)
            self.ship.append(ships)
            self.ts.append(ts)
            self.act.append(np.full(len(ships), action))

    def _couriers_and_stations(self, cities: int) -> None:
        world, rng = self.world, self.rng
        ship_city = world.person_city[world.ship_person]
        for c in range(cities):
            ships = np.flatnonzero(ship_city == c)
            couriers = max(2, round(300 * self.city_weights[c]))
            ids = [
                self._channel(
                    "principal", f"courier-{c}-{k}", f"courier-{c}-{k}", "courier", "courier"
                )
                for k in range(couriers)
            ]
            who = rng.integers(0, couriers, len(ships))
            for k, ch in enumerate(ids):
                mine = ships[who == k]
                self._access(ch, mine, world.ship_ts[mine] + rng.uniform(3600, 86400, len(mine)), 0)
            stations = 1 + min(2, couriers // 6)
            via = ships[rng.random(len(ships)) < 0.65]
            at_station = rng.integers(0, stations, len(via))
            for s in range(stations):
                sid = f"S{c:02d}{s}"
                clerks = int(rng.integers(1, 4))
                station = self._channel("station", sid, None, "station", "station")
                clerk_ids = [
                    self._channel(
                        "principal",
                        f"clerk-{sid}-{k}",
                        f"clerk-{sid}-{k}",
                        "station_clerk",
                        "clerk",
                    )
                    for k in range(clerks)
                ]
                here = via[at_station == s]
                scanned_by = rng.integers(0, clerks, len(here))
                ts = world.ship_ts[here] + rng.uniform(3600, 2 * 86400, len(here))
                self._access(station, here, ts, 1)
                for k, ch in enumerate(clerk_ids):
                    self._access(ch, here[scanned_by == k], ts[scanned_by == k], 1)

    def _agents_admins_officers(self) -> None:
        world, rng = self.world, self.rng
        activity = rng.lognormal(0, 0.6, 60)
        agents = [
            self._channel("principal", f"cs-{k}", f"cs-{k}", "customer_service", "customer_service")
            for k in range(60)
        ]
        helped = np.flatnonzero(rng.random(self.n) < 0.06)
        who = rng.choice(60, len(helped), p=activity / activity.sum())
        for k, ch in enumerate(agents):
            mine = helped[who == k]
            self._access(
                ch, mine, world.ship_ts[mine] + rng.uniform(86400, 20 * 86400, len(mine)), 2
            )
        admins = [
            self._channel("principal", f"admin-{k}", f"admin-{k}", "admin", "admin")
            for k in range(10)
        ]
        viewed = np.flatnonzero(rng.random(self.n) < 0.01)
        who = rng.integers(0, 10, len(viewed))
        for k, ch in enumerate(admins):
            mine = viewed[who == k]
            self._access(ch, mine, world.ship_ts[mine] + rng.uniform(0, 10 * 86400, len(mine)), 3)
        officers = [
            self._channel(
                "principal", f"officer-{k}", f"officer-{k}", "security_officer", "officer"
            )
            for k in range(8)
        ]
        for e in range(12):
            officer = int(rng.integers(0, 8))
            at = START.timestamp() + rng.uniform(40, DAYS) * 86400
            # An investigation's bulk export: parcels of the last 30 days named by a case, anywhere.
            pool = np.flatnonzero((world.ship_ts <= at) & (world.ship_ts > at - 30 * 86400))
            rows = rng.choice(pool, min(len(pool), int(rng.integers(300, 800))), replace=False)
            export = self._channel("export", f"E{e:03d}", f"officer-{officer}", "export", "export")
            self._access(export, rows, np.full(len(rows), at), 4)
            self._access(officers[officer], rows, np.full(len(rows), at), 4)
        investigated = np.flatnonzero(rng.random(self.n) < 0.002)
        who = rng.integers(0, 8, len(investigated))
        for k, ch in enumerate(officers):
            mine = investigated[who == k]
            self._access(ch, mine, world.ship_ts[mine] + 5 * 86400, 2)

    def _partners(self) -> None:
        world, rng = self.world, self.rng
        weights = 1 / np.arange(1, 21) ** 0.7
        sold = np.flatnonzero(rng.random(self.n) < 0.5)
        seller = rng.choice(20, len(sold), p=weights / weights.sum())
        for k in range(20):
            principal = self._channel(
                "principal", f"partner-{k}", f"partner-{k}", "service", "service"
            )
            keys = [
                self._channel("api_key", f"key{k:02d}{j}", f"partner-{k}", "service", "api_key")
                for j in range(int(rng.integers(1, 4)))
            ]
            mine = sold[seller == k]
            which = rng.integers(0, len(keys), len(mine))
            ts = world.ship_ts[mine] + 3600
            self._access(principal, mine, ts, 3)
            for j, key in enumerate(keys):
                self._access(key, mine[which == j], ts[which == j], 3)

    def _index(self, world: World) -> None:
        digests = []
        for name, phone, city4 in zip(world.names, world.phones, self.person_city4, strict=True):
            digests.append(
                (
                    world.index.digest(TENANT, "phone", "+86" + phone),
                    world.index.digest(TENANT, "name_region", f"{name}|{city4}"),
                    mask_phone(phone),
                )
            )
        for i in range(self.n):
            phone_d, name_d, masked = digests[world.ship_person[i]]
            created = datetime.fromtimestamp(world.ship_ts[i], UTC)
            candidate = Candidate(
                f"S{i:07d}",
                f"SF{i:010d}",
                "recipient",
                masked,
                world.strata[world.ship_stratum[i]],
                created,
            )
            world.parties.add(phone_d, name_d, candidate)


def seed_canaries(world: World, rng: random.Random) -> None:
    """Give each of a few channels of every canary kind its own canary identity."""
    faker = Faker(rng.randrange(1 << 30))
    for group in CANARY_KINDS:
        for ch in rng.sample(world.by_kind[group], min(15, len(world.by_kind[group]))):
            canary_id = f"K{len(world.canaries):05d}"
            phone = "17499" + f"{rng.randrange(10**6):06d}"
            name, address = faker.name(), faker.address()
            region = resolve_regions([address])[0]
            assert region is not None
            created = START + timedelta(days=30)
            candidate = Candidate(
                f"C{canary_id}",
                f"PG{rng.randrange(10**13):013d}",
                "recipient",
                mask_phone(phone),
                "canary",
                created,
                canary_id,
            )
            world.parties.add(
                world.index.digest(TENANT, "phone", "+86" + phone),
                world.index.digest(TENANT, "name_region", name_region_key(name, region)),
                candidate,
            )
            world.canaries[canary_id] = ch
            world.canary_people.setdefault(ch, []).append((canary_id, name, phone, address))


# ---------------------------------------------------------------- leaks


@dataclass
class Leak:
    """A leaked file's rows and what produced it."""

    at: float
    rows: list[dict[str, str]]
    truth: int | None  # channel index, None for an outside leak
    ours: int


def perturb(name: str, phone: str, address: str, rng: random.Random) -> dict[str, str]:
    """Return one leaked row: phones masked in a quarter of rows, some typos and masked addresses."""
    row = {"name": name, "phone": phone, "address": address}
    roll = rng.random()
    if roll < 0.25:
        row["phone"] = (
            phone[:3] + "****" + phone[-4:]
            if rng.random() < 0.7
            else phone[:3] + "******" + phone[-2:]
        )
        if rng.random() < 0.15:  # a typo in the name of a masked row: cannot be matched, by design
            row["name"] = name[:-1] + rng.choice(GIVEN)
    elif roll < 0.28:
        digits = list(phone)
        digits[5] = str((int(digits[5]) + 1) % 10)  # a typo in the phone: name and city take over
        row["phone"] = "".join(digits)
    if rng.random() < 0.15:
        row["address"] = address[: max(12, len(address) // 2)] + "***"
    return row


def outsider_rows(count: int, rng: random.Random) -> list[dict[str, str]]:
    faker = Faker(rng.randrange(1 << 30))
    return [
        {"name": faker.name(), "phone": faker.mobile(), "address": faker.address()}
        for _ in range(count)
    ]


def noise_rows(count: int, rng: random.Random) -> list[dict[str, str]]:
    junk = ("好评返现", "——", "合计", "VIP客户", "2026-08-01", "备注：勿电联", "#N/A", "")
    return [
        {
            "name": rng.choice(junk),
            "phone": rng.choice(("", "12345", "0000")),
            "address": rng.choice(junk),
        }
        for _ in range(count)
    ]


def finish(rows: list[dict[str, str]], size: int, rng: random.Random) -> list[dict[str, str]]:
    rows = (
        rows
        + outsider_rows(int(size * rng.uniform(0.2, 1.0)) + 1, rng)
        + noise_rows(max(1, size // 20), rng)
    )
    rng.shuffle(rows)
    return rows


def insider_leak(
    world: World, kind: str, size: int, rng: random.Random, *, canary: bool = False
) -> Leak | None:
    """Draw `size` of our records from what one channel accessed before a random time."""
    for _ in range(50):
        ch = rng.choice(world.by_kind[kind])
        at = START.timestamp() + rng.uniform(90, DAYS + 30) * 86400
        ships = np.unique(world.pair_ship[(world.pair_chan == ch) & (world.pair_ts <= at)])
        people = np.unique(world.ship_person[ships])
        if len(people) >= size:
            break
    else:
        return None
    chosen = rng.sample(list(people), size)
    rows = [perturb(world.names[p], world.phones[p], world.addresses[p], rng) for p in chosen]
    if canary:
        _id, name, phone, address = rng.choice(world.canary_people[ch])
        masked = rng.random() < 0.3
        rows.append(
            {
                "name": name,
                "phone": phone[:3] + "****" + phone[-4:] if masked else phone,
                "address": address,
            }
        )
    return Leak(at, finish(rows, size, rng), ch, size)


def outside_leak(world: World, size: int, rng: random.Random) -> Leak:
    """Draw our recipients the way an outside breach would: anyone, one city, or one city-month."""
    at = START.timestamp() + rng.uniform(90, DAYS + 30) * 86400
    created = np.flatnonzero(world.ship_ts <= at)
    mode = rng.choice(("anyone", "city", "city_month"))
    if mode != "anyone":
        target = world.ship_stratum[rng.choice(list(created))]
        city = world.strata[target].split(":")[0]
        keep = [
            i
            for i in created
            if (world.strata[world.ship_stratum[i]] == world.strata[target])
            or (mode == "city" and world.strata[world.ship_stratum[i]].startswith(city))
        ]
        created = np.array(keep)
    people = np.unique(world.ship_person[created])
    chosen = rng.sample(list(people), min(size, len(people)))
    rows = [perturb(world.names[p], world.phones[p], world.addresses[p], rng) for p in chosen]
    return Leak(at, finish(rows, size, rng), None, len(chosen))


def write_leak(rows: list[dict[str, str]], folder: Path, rng: random.Random) -> Path:
    """Write the rows in a random format: CSV (UTF-8/GB18030, comma/tab, header or not), XLSX, text."""
    order = rng.sample(["name", "phone", "address"], 3)
    form = rng.choices(("csv", "gb18030", "tsv", "xlsx", "text"), weights=(4, 2, 1, 1, 1))[0]
    if form == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append([{"name": "姓名", "phone": "手机", "address": "地址"}[c] for c in order])
        for row in rows:
            sheet.append([row[c] for c in order])
        path = folder / "leak.xlsx"
        book.save(path)
        return path
    if form == "text":
        path = folder / "leak.txt"
        lines = [
            f"收件人：{r['name']} 电话：{r['phone']} 地址：{r['address']}"
            if r["phone"]
            else f"{r['name']} {r['address']}"
            for r in rows
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path
    path = folder / "leak.csv"
    with path.open("w", encoding="gb18030" if form == "gb18030" else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t" if form == "tsv" else ",")
        if rng.random() < 0.6:
            writer.writerow(
                [{"name": "收货人", "phone": "联系电话", "address": "收货地址"}[c] for c in order]
            )
        for row in rows:
            writer.writerow([row[c] for c in order])
    return path


# ---------------------------------------------------------------- tracing with the product's code


def access_model(world: World, at: float, shipment_ids: set[str], strata: set[str]) -> AccessModel:
    """Build the model the product builds from SQL, here from the simulated accesses."""
    n = len(world.ship_ts)
    done = world.pair_ts <= at
    pairs = np.unique(world.pair_chan[done] * n + world.pair_ship[done])
    chan, ship = pairs // n, pairs % n
    totals = np.bincount(chan, minlength=len(world.channels))
    wanted = np.array(sorted(world.strata.index(s) for s in strata if s in world.strata), np.int64)
    population = np.bincount(world.ship_stratum[world.ship_ts <= at], minlength=len(world.strata))
    model = AccessModel({world.strata[s]: int(population[s]) for s in wanted}, {})
    inside = np.isin(world.ship_stratum[ship], wanted)
    combo, counts = np.unique(
        chan[inside] * len(world.strata) + world.ship_stratum[ship[inside]], return_counts=True
    )
    for value, count in zip(combo, counts, strict=True):
        c, s = divmod(int(value), len(world.strata))
        key, principal, role = world.channels[c]
        facts = model.channels.get(key) or model.channels.setdefault(
            key, ChannelFacts(key, principal, role, {}, int(totals[c]))
        )
        facts.volume[world.strata[s]] = int(count)
    matched = np.array(sorted(int(s[1:]) for s in shipment_ids), np.int64)
    touching = done & np.isin(world.pair_ship, matched)
    for c, s, ts, a in zip(
        world.pair_chan[touching],
        world.pair_ship[touching],
        world.pair_ts[touching],
        world.pair_action[touching],
        strict=True,
    ):
        key = world.channels[int(c)][0]
        model.touch(
            key,
            Access(None, datetime.fromtimestamp(float(ts), UTC), ACTIONS[int(a)], f"S{int(s):07d}"),
        )
    model.pool_small()
    return model


def trace(world: World, path: Path, at: float) -> tuple[list[Any], set[int], Any]:
    """Run the product's trace pipeline on a leaked file; return suspects, canary channels, stats."""
    when = datetime.fromtimestamp(at, UTC)
    matcher = Matcher(
        world.parties, lambda kind, value: world.index.digest(TENANT, kind, value), when
    )
    records = list(matcher.match(PersonExtractor().rows(read_leak(path))))
    weighed = scorable(records)
    sids = {c.shipment_id for r in weighed for c in r.candidates}
    strata = {c.stratum for r in weighed for c in r.candidates}
    model = access_model(world, at, sids, strata)
    suspects = attribute(records, model, threshold=DEFAULT_THRESHOLD)
    hit_channels = {world.canaries[c] for r in records for c in r.canary_ids}
    hits = [
        (world.channels[ch][0], world.channels[ch][1], world.channels[ch][2], f"K{ch}")
        for ch in sorted(hit_channels)
    ]
    return mark_certain(suspects, hits, len(weighed)), hit_channels, matcher.stats


def names_truth(suspect: Any, truth: ChannelKey) -> bool:
    return suspect.key == truth or truth in suspect.aliases


def nested(world: World, a: ChannelKey, b: ChannelKey) -> bool:
    """Return whether one channel's accesses contain the other's (a key and its holder, a clerk
    and their station, an export and its officer): accusing it with the source is not wrong."""
    index = world.channel_index
    sets = [world.access_set(index[a]), world.access_set(index[b])]
    small, large = sorted(sets, key=len)
    return bool(np.isin(small, large).all())


# ---------------------------------------------------------------- evaluation


def evaluate(
    world: World, trials: int, outside: int, canary_trials: int, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="pg-forensics-"))
    by_size: dict[int, Counter[str]] = {s: Counter() for s in SIZES}
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    started = time.perf_counter()
    for size in SIZES:
        for t in range(trials):
            for shift in range(
                len(INSIDER_KINDS)
            ):  # a kind with too little access yields to the next
                kind = INSIDER_KINDS[(t + shift) % len(INSIDER_KINDS)]
                leak = insider_leak(world, kind, size, rng)
                if leak is not None:
                    break
            if leak is None:
                continue
            suspects, _hits, stats = trace(world, write_leak(leak.rows, folder, rng), leak.at)
            truth = world.channels[leak.truth][0]
            top1 = bool(suspects) and names_truth(suspects[0], truth)
            top3 = any(names_truth(s, truth) for s in suspects[:3])
            others = [
                s for s in suspects if s.accused and not s.certain and not names_truth(s, truth)
            ]
            wrong = sum(1 for s in others if not nested(world, s.key, truth))
            row = by_size[size]
            row.update(
                leaks=1,
                top1=int(top1),
                top3=int(top3),
                accused=int(bool(suspects) and suspects[0].accused and top1),
                nested=len(others) - wrong,
                wrong=wrong,
                matched=stats.matched,
            )
            if size >= 20:
                by_kind[kind].update(leaks=1, top1=int(top1))
                if not top1:
                    misses.append(
                        f"{kind} size {size}: top {suspects[0].key.label if suspects else None}"
                    )
    outside_stats: Counter[str] = Counter()
    worst, worst_case = 0.0, ""
    for t in range(outside):
        leak = outside_leak(world, SIZES[t % len(SIZES)], rng)
        suspects, hits, _stats = trace(world, write_leak(leak.rows, folder, rng), leak.at)
        accused = [s for s in suspects if s.accused]
        if suspects and suspects[0].score > worst:
            top = suspects[0]
            worst = top.score
            worst_case = f"{top.key.label} ({top.role}) covered {top.covered} of {top.matched}, {top.expected:.1f} expected"
        outside_stats.update(leaks=1, accusing=int(bool(accused)), canary_hits=len(hits))
    canary_stats: dict[str, Counter[str]] = defaultdict(Counter)
    kind_of_channel = {v: k for k, vs in world.by_kind.items() for v in vs}
    for t in range(canary_trials):
        kind = CANARY_KINDS[t % len(CANARY_KINDS)]
        channels = [c for c in world.by_kind[kind] if c in world.canary_people]
        leak = None
        while leak is None:
            size = rng.choice(SIZES[:3])
            ch = rng.choice(channels)
            leak = insider_leak_for(world, ch, kind_of_channel[ch], size, rng)
        suspects, hits, _stats = trace(world, write_leak(leak.rows, folder, rng), leak.at)
        truth = world.channels[leak.truth][0]
        named = (
            hits == {leak.truth}
            and bool(suspects)
            and suspects[0].certain
            and names_truth(suspects[0], truth)
        )
        canary_stats[kind].update(leaks=1, named=int(named))
    return {
        "by_size": by_size,
        "by_kind": by_kind,
        "outside": outside_stats,
        "worst_outside_score": worst,
        "worst_outside_case": worst_case,
        "canary": canary_stats,
        "misses": misses[:10],
        "seconds": time.perf_counter() - started,
    }


def insider_leak_for(
    world: World, ch: int, kind: str, size: int, rng: random.Random
) -> Leak | None:
    """An insider leak from one given channel, with its canary among the rows."""
    saved = world.by_kind[kind]
    world.by_kind[kind] = [ch]
    try:
        return insider_leak(world, kind, size, rng, canary=True)
    finally:
        world.by_kind[kind] = saved


# ---------------------------------------------------------------- one million rows through the real CLI


def million(rows: int, shipments: int, folder: Path) -> dict[str, Any]:
    """Build a real tenant (SQLite), write a `rows`-row leaked CSV, trace it in a fresh process."""
    home = folder / "home"
    setup = run_child(
        [__file__, "--setup-child", str(home), str(shipments), str(rows), str(folder / "leak.csv")]
    )
    traced = run_child([__file__, "--trace-child", str(home), str(folder / "leak.csv")])
    return {**setup, **traced}


def setup_child(home: Path, shipments: int, rows: int, leak: Path) -> None:
    from parcelguard.audit.service import Actor, Entry, auditor_for
    from parcelguard.cli import run
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow

    home.mkdir(parents=True, mode=0o700)
    os.environ["PARCELGUARD_HOME"] = str(home)
    settings = Settings.load(home=home, tenant="bench")
    rt = Runtime.from_settings(settings)
    run(["init", "--json"], make_runtime=lambda: rt)
    faker = Faker(5)
    data = list(faker.rows(shipments, start=START))
    started = time.perf_counter()
    import_shipments(
        rt, Actor("local:bench", "operator"), (RawRow(i + 2, row) for i, row in enumerate(data))
    )
    from sqlalchemy import select

    from parcelguard.vault.models import Shipment

    with rt.db.session() as session:
        ids = list(session.scalars(select(Shipment.shipment_id).order_by(Shipment.created_at)))
    rng = random.Random(3)
    with rt.db.session() as session:
        for start in range(0, len(ids), 1000):
            entries = [
                Entry(
                    "reveal",
                    "shipment",
                    sid,
                    decision="allow",
                    reason="allowed",
                    purpose="customer_service",
                    details={"fields": ["recipient.phone"]},
                )
                for sid in ids[start : start + 1000]
            ]
            auditor_for(rt).record_many(
                session, Actor(f"cs-{rng.randrange(40)}", "customer_service"), entries
            )
    imported = time.perf_counter() - started
    ours = min(len(data), max(1, rows // 50))
    outsiders = Faker(9)
    with leak.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["收货地址", "联系手机", "收货人", "备注"])
        names = [outsiders.name() for _ in range(2000)]
        places = [outsiders.address() for _ in range(2000)]
        for i in range(rows):
            if i < ours:
                row = data[i]
                writer.writerow(
                    [
                        row["recipient_address"],
                        row["recipient_phone"],
                        row["recipient_name"],
                        "老客户",
                    ]
                )
            else:
                writer.writerow([places[i % 2000], outsiders.mobile(), names[(i * 7) % 2000], ""])
    rt.close()
    print(
        json.dumps(
            {
                "shipments": shipments,
                "setup_seconds": round(imported, 1),
                "rows": rows,
                "ours": ours,
                "file_mib": round(leak.stat().st_size / 2**20, 1),
            }
        )
    )


def trace_child(home: Path, leak: Path) -> None:
    import contextlib
    import io

    from parcelguard.cli import run
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings

    settings = Settings.load(home=home, tenant="bench")
    import parcelguard.forensics.api  # noqa: F401 - what the command loads anyway, before measuring

    baseline = peak_rss_mib()
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = run(
            ["trace", str(leak), "--json"], make_runtime=lambda: Runtime.from_settings(settings)
        )
    seconds = time.perf_counter() - started
    document = json.loads(out.getvalue())
    print(
        json.dumps(
            {
                "code": code,
                "trace_seconds": round(seconds, 1),
                "peak_rss_mib": round(peak_rss_mib(), 1),
                "loaded_rss_mib": round(baseline, 1),
                "matched": document["matched"],
                "unmatched": document["unmatched"],
            }
        )
    )


# ---------------------------------------------------------------- report


def markdown(
    world: World, result: dict[str, Any], scale: list[dict[str, Any]], args: argparse.Namespace
) -> str:
    lines = [
        "## Leak forensics (`bench/forensics_eval.py`)",
        "",
        f"Simulated tenant: {len(world.ship_ts):,} shipments over six months in 30 cities, "
        f"{world.principals} principals ({len(world.by_kind['courier'])} couriers, {len(world.by_kind['clerk'])} station clerks, "
        f"60 customer service, 10 admins, 8 security officers, 20 partners) and {len(world.channels) - world.principals} "
        f"other channels ({len(world.by_kind['station'])} stations, {len(world.by_kind['api_key'])} API keys, "
        f"{len(world.by_kind['export'])} exports); {len(world.pair_ts):,} access records. Leaked files mix our records with "
        "20–100 % other shops' customers and noise rows; a quarter of phones are masked (some masked rows with a "
        "typo in the name), 3 % of phones carry a typo, 15 % of addresses are cut and masked; formats are CSV "
        "(UTF-8 or GB18030, comma or tab, header or not), XLSX and text lines. Every leak goes through the "
        "product's reader, extractor, matcher and scoring; accusation threshold "
        f"{DEFAULT_THRESHOLD} (−log10 of the Bonferroni-corrected p).",
        "",
        "| our records in the leak | leaks | top-1 | top-3 | true source accused | nested channels also accused | other channels accused |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in result["by_size"].items():
        n = max(1, row["leaks"])
        lines.append(
            f"| {size} | {row['leaks']} | {row['top1'] / n:.3f} | {row['top3'] / n:.3f} | {row['accused'] / n:.3f} | {row['nested']} | {row['wrong']} |"
        )
    lines += [
        "",
        "*Nested channels* contain the source or are contained in it (the station of a leaking clerk, the holder of a "
        "leaking API key, the officer of a leaked export, the keys of a leaking partner): they did see those records. "
        "*Other channels accused* counts accusations of a channel outside the source.",
    ]
    lines += [
        "",
        "Top-1 by source kind (leaks of ≥ 20 of our records):",
        "",
        "| source | leaks | top-1 |",
        "| --- | ---: | ---: |",
    ]
    for kind, row in sorted(result["by_kind"].items()):
        lines.append(f"| {kind} | {row['leaks']} | {row['top1'] / max(1, row['leaks']):.3f} |")
    out = result["outside"]
    lines += [
        "",
        "| outside leaks (no insider: anyone, one city, one city-month) | leaks | with a suspect above threshold | highest score | canary hits |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| sizes 5–200 | {out['leaks']} | {out['accusing']} | {result['worst_outside_score']:.2f} | {out['canary_hits']} |",
        "",
        f"Highest-scoring channel over all outside leaks: {result['worst_outside_case'] or 'none'}.",
        "",
        "| canary given to | leaks carrying it | channel named with certainty |",
        "| --- | ---: | ---: |",
    ]
    for kind, row in sorted(result["canary"].items()):
        lines.append(f"| {kind} | {row['leaks']} | {row['named']} / {row['leaks']} |")
    if result["misses"]:
        lines += ["", "Top-1 misses at ≥ 20 records: " + "; ".join(result["misses"])]
    lines += ["", f"Evaluation time: {result['seconds']:.0f} s.", ""]
    if scale:
        lines += [
            "`parcelguard trace` through the real CLI on a SQLite tenant (fresh process; peak RSS of that process):",
            "",
            "| leaked rows | file (MiB) | ours | matched | seconds | peak RSS (MiB) | RSS with the program loaded, before reading |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for s in scale:
            lines.append(
                f"| {s['rows']:,} | {s['file_mib']} | {s['ours']:,} | {s['matched']:,} | {s['trace_seconds']} | {s['peak_rss_mib']} | {s['loaded_rss_mib']} |"
            )
        lines.append(
            f"\nTenant for the scale run: {scale[0]['shipments']:,} shipments, one reveal event each."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--shipments", type=int, default=60000)
    parser.add_argument("--trials", type=int, default=0)
    parser.add_argument("--scale-rows", default="")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--setup-child", nargs=4)
    parser.add_argument("--trace-child", nargs=2)
    args = parser.parse_args()
    if args.setup_child:
        setup_child(
            Path(args.setup_child[0]),
            int(args.setup_child[1]),
            int(args.setup_child[2]),
            Path(args.setup_child[3]),
        )
        return
    if args.trace_child:
        trace_child(Path(args.trace_child[0]), Path(args.trace_child[1]))
        return
    trials = args.trials or (24 if args.quick else 80)
    started = time.perf_counter()
    world = Builder(args.seed, args.shipments, int(args.shipments * 0.75)).build()
    seed_canaries(world, random.Random(args.seed))
    print(
        f"built tenant in {time.perf_counter() - started:.0f} s: {world.principals} principals, {len(world.channels)} channels, {len(world.pair_ts):,} accesses",
        flush=True,
    )
    result = evaluate(world, trials, trials * 2, trials, args.seed)
    scale = []
    if not args.no_scale:
        sizes = [int(s) for s in args.scale_rows.split(",") if s] or (
            [100_000] if args.quick else [100_000, 1_000_000]
        )
        for rows in sizes:
            with tempfile.TemporaryDirectory(prefix="pg-trace-") as folder:
                scale.append(million(rows, 20000, Path(folder)))
                print(json.dumps(scale[-1]), flush=True)
    text = markdown(world, result, scale, args)
    print(text)
    write_fragment("forensics", text)


if __name__ == "__main__":
    main()

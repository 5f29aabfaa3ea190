"""A small realistic tenant for forensics tests: two cities, couriers, stations, agents, a partner.

Shipments are imported through the vault, principals created through access, deliveries are
audited as the lifecycle audits them, and customer-service reveals go through the real reveal
use case, so the audit log the attribution reads is the one production writes.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from parcelguard.access import service as access_service
from parcelguard.access.principals import Caller
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime
from parcelguard.terminal import local_operator
from parcelguard.vault import service as vault_service
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.lifecycle import record_event
from parcelguard.vault.readers import RawRow
from parcelguard.vault.reveal import reveal
from parcelguard.vault.synthetic import Faker, divisions

CITIES = {"3301": "S-HZ", "3201": "S-NJ"}
HEADERS = {"name": "收货人", "phone": "联系手机", "address": "收货地址", "note": "备注"}


@dataclass
class Person:
    """A recipient as the test knows them (plaintext: test data only)."""

    name: str
    phone: str
    address: str
    waybill: str = ""


@dataclass
class Tenant:
    """What the scenario built: people by waybill, principals by role, who revealed what."""

    people: dict[str, Person]
    shipment_ids: dict[str, str]
    couriers: dict[str, list[str]]
    agents: list[Caller]
    officer: tuple[str, str]
    service: tuple[str, str, str]
    revealed: dict[str, list[str]] = field(default_factory=dict)

    def waybills_of_city(self, city: str) -> list[str]:
        """Return the waybills whose recipient lives in `city` (adcode prefix)."""
        return [w for w, p in self.people.items() if _city(p.address) == city]


def _city(address: str) -> str:
    from parcelguard.pii.divisions import resolve_region

    region = resolve_region(address)
    return region.adcode[:4] if region else ""


def make_people(faker: Faker, count: int, prefix: str) -> list[Person]:
    """Return fictional recipients living in the scenario's two cities."""
    places = [d for d in divisions() if d.adcode[:4] in CITIES]
    return [
        Person(
            faker.name(),
            faker.mobile(),
            faker.address(faker.random.choice(places)),
            f"{prefix}{i:06d}",
        )
        for i in range(count)
    ]


def outsiders(seed: int, count: int) -> list[Person]:
    """Return fictional people who are not our recipients (other shops' customers)."""
    return make_people(Faker(seed), count, "X")


def add_principal(
    rt: Runtime, role: str, station: str | None = None, scopes: list[str] | None = None
) -> tuple[str, str]:
    with rt.db.session() as session:
        new = NewPrincipal(
            name=f"测试{role}",
            role=role,
            station=station,
            trained_until=date(2027, 12, 31),
            scopes=scopes or [],
        )
        principal, key = access_service.create(rt, session, local_operator(), new)
        return principal.principal_id, key


def _caller(rt: Runtime, key: str) -> Caller:
    with rt.db.session() as session:
        return access_service.authenticate_key(rt, session, key)


def build_tenant(rt: Runtime, shipments: int = 160, seed: int = 3) -> Tenant:
    """Import shipments, create staff, audit deliveries and agents' reveals."""
    faker = Faker(seed)
    people = make_people(faker, shipments, "PGT")
    rows = []
    for person in people:
        row = faker.shipment_row(person.waybill)
        row.update(
            recipient_name=person.name,
            recipient_phone=person.phone,
            recipient_address=person.address,
        )
        rows.append(RawRow(len(rows) + 2, row))
    rt.clock.advance(days=-20)
    report = import_shipments(rt, local_operator(), rows)
    assert report.imported == shipments, report.as_dict()
    ids = _ids(rt, [p.waybill for p in people])
    couriers = {city: [add_principal(rt, "courier")[0] for _ in range(2)] for city in CITIES}
    for station in CITIES.values():
        add_principal(rt, "station_clerk", station)
    agents = [_caller(rt, add_principal(rt, "customer_service")[1]) for _ in range(3)]
    officer = add_principal(rt, "security_officer")
    service = add_principal(rt, "service", scopes=["read", "reveal:recipient.phone"])
    service_key_id = service[1].split("_")[1]
    tenant = Tenant(
        {p.waybill: p for p in people}, ids, couriers, agents, officer, (*service, service_key_id)
    )
    _deliver(rt, tenant)
    _agents_work(rt, tenant, random.Random(seed))
    rt.clock.advance(days=20)
    return tenant


def _ids(rt: Runtime, waybills: list[str]) -> dict[str, str]:
    with rt.db.session() as session:
        return {w: vault_service.get_or_raise(session, rt.tenant, w).shipment_id for w in waybills}


def _deliver(rt: Runtime, tenant: Tenant) -> None:
    """Assign every parcel and bring it to its city's station (the real lifecycle), then scan."""
    admin = Actor("admin-1", "admin")
    rng = random.Random(11)
    with rt.db.session() as session:
        for waybill, person in tenant.people.items():
            city = _city(person.address)
            courier, station = rng.choice(tenant.couriers[city]), CITIES[city]
            record_event(rt, session, admin, waybill, "assigned", courier_id=courier)
            record_event(rt, session, admin, waybill, "at_station", station_id=station)
            auditor_for(rt).record(
                session,
                Actor(courier, "courier"),
                Entry(
                    "label.scan",
                    "shipment",
                    tenant.shipment_ids[waybill],
                    decision="allow",
                    reason="assigned_courier",
                    details={"waybill": waybill, "outcome": "assigned_courier"},
                ),
            )


def _agents_work(rt: Runtime, tenant: Tenant, rng: random.Random) -> None:
    """Every agent answers tickets: one recipient phone per ticket, up to the daily quota."""
    waybills = sorted(tenant.people)
    for day in range(3):
        for n, agent in enumerate(tenant.agents):
            count = 35 if n == 0 else 12  # agent 0 looks up far more than the others
            for waybill in rng.sample(waybills, count):
                reveal(
                    rt,
                    agent,
                    waybill,
                    ["recipient.phone"],
                    "customer_service",
                    f"T{day}{n}{waybill[-4:]}",
                )
                tenant.revealed.setdefault(agent.principal_id, []).append(waybill)
        rt.clock.advance(days=1)


def write_leak(
    path: Path, rows: list[dict[str, str]], *, order: list[str], encoding: str = "utf-8"
) -> Path:
    """Write leaked rows as a CSV in the given column order, Chinese headers."""
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([HEADERS[c] for c in order])
        for row in rows:
            writer.writerow([row.get(c, "") for c in order])
    return path


def leak_rows(people: list[Person], *, masked: int = 0) -> list[dict[str, str]]:
    """Return leaked rows for people; the first `masked` have their phones masked."""
    rows = []
    for i, person in enumerate(people):
        phone = person.phone if i >= masked else person.phone[:3] + "****" + person.phone[-4:]
        rows.append({"name": person.name, "phone": phone, "address": person.address})
    return rows


@pytest.fixture
def tenant(rt: Runtime) -> Tenant:
    """Return the scenario on the test's backend."""
    return build_tenant(rt)


def cli_json(cli: Any, *args: str) -> Any:
    """Run a CLI command that must succeed; return its JSON."""
    result = cli(*args, "--json")
    assert result.code == 0, result.stdout
    return result.json

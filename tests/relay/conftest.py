"""Relay fixtures: parcels, couriers with phones, a number pool, and helpers to move parcels."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.access import service as access_service
from parcelguard.access.schemas import NewPrincipal
from parcelguard.app import create_app
from parcelguard.assembly import install
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service
from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.relay.inventory import PoolRow
from parcelguard.relay.signatures import signed_headers
from parcelguard.runtime import Runtime
from parcelguard.vault import lifecycle
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.relay.fakes import FakeHuawei, serving

SECRET = "relay-test-secret"
TWILIO_TOKEN = "twilio-test-auth-token"


@dataclass
class Courier:
    """A courier principal and their own phone."""

    id: str
    phone: str
    key: str


@dataclass
class World:
    """A tenant with parcels, couriers and a pool."""

    rt: Runtime
    parcels: list[dict[str, str]]
    couriers: list[Courier]
    numbers: list[str] = field(default_factory=list)

    def parcel(self, i: int) -> dict[str, str]:
        return self.parcels[i]

    def waybill(self, i: int) -> str:
        return self.parcels[i]["waybill_no"]

    def recipient(self, i: int) -> str:
        return self.parcels[i]["recipient_phone"]


def configure(rt: Runtime, **values: Any) -> RelayConfig:
    """Give the runtime a `[relay]` configuration (as config.toml would)."""
    table = {"webhook_secret": SECRET, "twilio_auth_token": TWILIO_TOKEN, **values}
    rt.settings.sections["relay"] = table
    return config_for(rt)


def add_numbers(rt: Runtime, numbers: list[str], city: str | None = None) -> dict[str, Any]:
    """Import numbers into the pool."""
    with rt.db.session() as session:
        rows = [PoolRow(i + 2, n, city) for i, n in enumerate(numbers)]
        return service.import_numbers(rt, session, SYSTEM, rows)


def add_courier(rt: Runtime, name: str, phone: str, station: str | None = None) -> Courier:
    """Create a trained courier with their own phone (of a station, when given)."""
    new = NewPrincipal(name=name, role="courier", phone=phone, station=station)
    with rt.db.session() as session:
        principal, key = access_service.create(rt, session, SYSTEM, new)
        return Courier(principal.principal_id, phone, key)


def event(
    rt: Runtime, waybill: str, kind: str, courier: str | None = None, station: str | None = None
) -> dict[str, Any]:
    """Apply one lifecycle step (a delivery on a stated reason: these parcels have no code)."""
    reason = "handed_in_person" if kind == "delivered" else None
    with rt.db.session() as session:
        return lifecycle.record_event(
            rt,
            session,
            SYSTEM,
            waybill,
            kind,
            courier_id=courier,
            station_id=station,
            reason=reason,
        )


def dispatch(rt: Runtime, waybill: str, courier: Courier) -> None:
    """Assign the parcel and send it out for delivery (which binds automatically)."""
    event(rt, waybill, "assigned", courier.id)
    event(rt, waybill, "out_for_delivery")


def pool_numbers(count: int, start: int = 0) -> list[str]:
    """Return virtual numbers 170xxxxxxxx (a virtual-operator range)."""
    return [f"170{start + i:08d}" for i in range(count)]


def audit_events(rt: Runtime, action: str | None = None) -> list[AuditEvent]:
    """Return the tenant's audit events (of one action), oldest first."""
    from sqlalchemy import select

    with rt.db.session() as session:
        query = select(AuditEvent).where(AuditEvent.tenant_id == rt.tenant)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.scalars(query.order_by(AuditEvent.seq)))


def details(event: AuditEvent) -> dict[str, Any]:
    return json.loads(event.details or "{}")


@pytest.fixture
def world(rt: Runtime) -> World:
    """Six parcels, two couriers with phones, a pool of eight numbers; the hook installed."""
    return make_world(rt)


def make_world(rt: Runtime) -> World:
    """Build the relay tests' tenant on a runtime (the `world` fixture; other suites too)."""
    configure(rt)
    install(rt)
    faker = Faker(11)
    parcels = list(faker.rows(6))
    report = import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(parcels)))
    assert report.imported == 6
    couriers = [
        add_courier(rt, "王建国", "13900001111"),
        add_courier(rt, "李秀英", "13900002222"),
    ]
    numbers = pool_numbers(8)
    add_numbers(rt, numbers)
    return World(rt, parcels, couriers, numbers)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """An HTTP client of the app on the world's runtime."""
    with TestClient(create_app(world.rt)) as client:
        yield client


def neutral_post(client: TestClient) -> Callable[..., Any]:
    """Return `post(path, payload)` that signs like a provider would."""

    def post(path: str, payload: dict[str, Any], secret: str = SECRET, at: int | None = None):
        body = json.dumps(payload).encode()
        headers = signed_headers(secret.encode(), int(at or time.time()), body)
        return client.post(path, content=body, headers=headers)

    return post


@pytest.fixture
def huawei(world: World) -> Iterator[FakeHuawei]:
    """A fake Huawei PrivateNumber platform the world's relay is configured for (recording)."""
    with serving(FakeHuawei("hw-app-key", "hw-app-secret")) as fake:
        configure(
            world.rt,
            provider="huawei",
            huawei_app_key="hw-app-key",
            huawei_app_secret="hw-app-secret",
            huawei_endpoint=fake.url,
            record_calls=True,
            public_base_url=fake.url,
        )
        yield fake

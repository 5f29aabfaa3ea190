"""`parcelguard demo`: a realistic demo tenant on the embedded database, then the server.

Two stations in Hangzhou, ten couriers, staff of every role, a service key, and a few hundred
parcels in every state; every person and parcel is fictional (`vault.synthetic`). Seeding is
idempotent: a second run finds the tenant and only prints how to sign in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from parcelguard.access import service as access
from parcelguard.access.models import Principal
from parcelguard.access.schemas import NewPrincipal
from parcelguard.audit.service import Actor
from parcelguard.runtime import Runtime
from parcelguard.vault import lifecycle
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Division, Faker

SEEDER = Actor("demo-seeder", "operator")
STATIONS = {"st-xihu": "西湖文三路驿站", "st-binjiang": "滨江江南大道驿站"}
DEMO_RECIPIENT_PHONE = "13800138000"
HANGZHOU = (
    Division("330106", "浙江省", "杭州市", "西湖区"),
    Division("330108", "浙江省", "杭州市", "滨江区"),
)
STATES = (
    ("created", 40),
    ("assigned", 50),
    ("out_for_delivery", 70),
    ("at_station", 50),
    ("delivered", 80),
    ("returned", 10),
)


@dataclass
class DemoTenant:
    """What the demo made: where to go and how to sign in as each role."""

    url: str
    logins: list[dict[str, Any]] = field(default_factory=list)
    recipient_phone: str = DEMO_RECIPIENT_PHONE
    parcels: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the `demo --no-serve --json` document."""
        return {
            "url": self.url,
            "logins": self.logins,
            "recipient_phone": self.recipient_phone,
            "parcels": self.parcels,
        }


def seed(rt: Runtime) -> DemoTenant:
    """Create the demo tenant unless it exists; return how to use it."""
    demo = DemoTenant(rt.settings.base_url)
    with rt.db.session() as session:
        existing = session.scalars(
            select(Principal).where(Principal.tenant_id == rt.tenant)
        ).first()
    if existing is None:
        staff = _staff(rt, demo)
        demo.parcels = _parcels(rt, staff)
    else:
        demo.logins = [
            {
                "note": "demo already seeded; API keys were shown on the first run",
                "home": str(rt.settings.home),
            }
        ]
    for hook in rt.extras.get("demo.seed_hooks", []):
        hook(rt, demo)
    return demo


def _staff(rt: Runtime, demo: DemoTenant) -> dict[str, list[str]]:
    faker = Faker(2026)
    trained = rt.clock.now().date() + timedelta(days=365)
    plan: list[tuple[str, str | None, int]] = [("courier", s, 5) for s in STATIONS]
    plan += [("station_clerk", s, 1) for s in STATIONS]
    plan += [("customer_service", None, 2), ("security_officer", None, 2), ("admin", None, 1)]
    staff: dict[str, list[str]] = {}
    with rt.db.session() as session:
        for role, station, count in plan:
            for _ in range(count):
                new = NewPrincipal(
                    name=faker.name(),
                    role=role,
                    phone=faker.mobile(),
                    station=station,
                    trained_until=trained,
                )
                principal, key = access.create(rt, session, new, SEEDER)
                staff.setdefault(role, []).append(principal.principal_id)
                demo.logins.append(
                    {
                        "role": role,
                        "name": principal.name,
                        "id": principal.principal_id,
                        "station": station,
                        "api_key": key,
                    }
                )
        _, service_key = access.create(
            rt,
            session,
            NewPrincipal(
                name="仓库系统 warehouse-sync",
                role="service",
                scopes=["ingest", "read", "events", "labels"],
            ),
            SEEDER,
        )
        demo.logins.append({"role": "service", "name": "warehouse-sync", "api_key": service_key})
    return staff


def _parcels(rt: Runtime, staff: dict[str, list[str]]) -> int:
    faker = Faker(7)
    total = sum(n for _, n in STATES)
    rows = []
    for i in range(total):
        row = faker.shipment_row(f"PG2026{i:07d}", with_id=i % 7 == 0)
        row["recipient_address"] = faker.address(HANGZHOU[i % 2])
        if i % 37 == 0:
            row["recipient_phone"] = DEMO_RECIPIENT_PHONE
        rows.append(RawRow(i + 2, row))
    report = import_shipments(rt, rows, SEEDER)
    waybills = list(report.waybills)
    couriers = staff["courier"]
    stations = list(STATIONS)
    start = 0
    for state, count in STATES:
        for offset, waybill in enumerate(waybills[start : start + count]):
            n = start + offset
            _advance(rt, waybill, state, couriers[n % len(couriers)], stations[n % 2])
        start += count
    return report.imported


PATHS = {
    "created": (),
    "assigned": ("assigned",),
    "out_for_delivery": ("assigned", "out_for_delivery"),
    "at_station": ("assigned", "at_station"),
    "delivered": ("assigned", "out_for_delivery", "delivered"),
    "returned": ("assigned", "returned"),
}


def _advance(rt: Runtime, waybill: str, state: str, courier: str, station: str) -> None:
    with rt.db.session() as session:
        for step in PATHS[state]:
            lifecycle.record_event(
                rt,
                session,
                waybill,
                step,
                SEEDER,
                courier_id=courier if step == "assigned" else None,
                station_id=station if step == "at_station" else None,
            )


def describe(demo: DemoTenant) -> str:
    """Return the human instructions printed when the demo starts."""
    lines = [
        "",
        f"ParcelGuard demo 包裹隐私卫士演示 — open {demo.url}",
        f"  recipient portal 收件人: {demo.url}/portal",
        f"    sign in with {demo.recipient_phone}; the one-time code is printed on this console",
        f"  staff console 员工控制台: {demo.url}/console",
        "",
        "Sign-in per role (API keys are shown once; open an enrolment link to add a passkey):",
    ]
    for login in demo.logins:
        lines.append("  " + json.dumps(login, ensure_ascii=False))
    return "\n".join(lines)


def today_plus(days: int) -> date:
    """Return a date `days` from today (for training attestations)."""
    return date.today() + timedelta(days=days)

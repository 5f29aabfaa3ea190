"""`parcelguard demo`: a realistic demo tenant on the embedded database, then the server.

Two stations in Hangzhou, ten couriers, staff of every role, a service key, a relay pool of
privacy numbers, and a few hundred parcels in every state, with some activity on them
(`demo_activity`); every person and parcel is fictional (`vault.synthetic`). Seeding is
idempotent: a second run finds the tenant and only prints how to sign in. Every run issues
each member of staff a fresh passkey enrolment link (they work once, for a week).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from parcelguard import demo_activity
from parcelguard.access import enrolment, grants
from parcelguard.access import service as access
from parcelguard.access.guards import STAFF
from parcelguard.access.schemas import NewPrincipal
from parcelguard.access.service import Principal
from parcelguard.audit.service import Actor
from parcelguard.hooks import Hook
from parcelguard.relay import service as relay_service
from parcelguard.runtime import Runtime
from parcelguard.vault import lifecycle
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Division, Faker

SEEDER = Actor("demo-seeder", "operator")
STATIONS = {"st-xihu": "西湖文三路驿站", "st-binjiang": "滨江江南大道驿站"}
DEMO_RECIPIENT_PHONE = "13800138000"
POOL = [f"1710571{n:04d}" for n in range(1, 61)]  # fictional privacy numbers (隐私号)
LINK_HOURS = 168  # enrolment links of the demo work for a week
PAGES = {
    "courier": "/console/deliveries",
    "station_clerk": "/console/station",
    "customer_service": "/console/service",
    "security_officer": "/console/security",
    "admin": "/console/admin",
}
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


class DemoDocument(TypedDict):
    """The `demo --no-serve --json` document: where to go, how to sign in, what was made."""

    url: str
    logins: list[dict[str, Any]]
    recipient_phone: str
    parcels: int
    leak_file: str | None
    note: str | None
    pages: dict[str, str]


@dataclass
class DemoTenant:
    """What the demo made: where to go and how to sign in as each role."""

    url: str
    logins: list[dict[str, Any]] = field(default_factory=list)
    recipient_phone: str = DEMO_RECIPIENT_PHONE
    parcels: int = 0
    leak_file: str | None = None
    note: str | None = None

    def as_dict(self) -> DemoDocument:
        """Return the `demo --no-serve --json` document."""
        return {
            "url": self.url,
            "logins": self.logins,
            "recipient_phone": self.recipient_phone,
            "parcels": self.parcels,
            "leak_file": self.leak_file,
            "note": self.note,
            "pages": {
                "portal": f"{self.url}/portal",
                "console": f"{self.url}/console",
                **{role: f"{self.url}{path}" for role, path in PAGES.items()},
            },
        }


@dataclass(frozen=True)
class DemoSeeded:
    """The demo tenant is ready; a subscriber may add its own part and note it on `demo`."""

    rt: Runtime
    demo: DemoTenant


SEEDED: Hook[DemoSeeded, None] = Hook("demo.seeded", "after the demo tenant is seeded")


def seed(rt: Runtime) -> DemoTenant:
    """Create the demo tenant unless it exists; return how to use it."""
    demo = DemoTenant(rt.settings.base_url)
    with rt.db.session() as session:
        seeded = bool(access.list_principals(session, rt.tenant))
    leak = Path(rt.settings.home) / demo_activity.LEAK_FILE
    if not seeded:
        _pool(rt)
        staff, service_key = _staff(rt, demo)
        demo.parcels, rows = _parcels(rt, staff)
        leak = demo_activity.run(rt, staff, rows, DEMO_RECIPIENT_PHONE, service_key)
    else:
        demo.note = "demo already seeded; API keys were shown on the first run"
        demo.logins = _known_staff(rt)
    demo.leak_file = str(leak) if leak.exists() else None
    _enrolment_links(rt, demo)
    rt.hooks.emit(SEEDED, DemoSeeded(rt, demo))
    return demo


def _pool(rt: Runtime) -> None:
    """Rent the demo's privacy numbers, so parcels going out get a number to call through."""
    rows = (relay_service.PoolRow(i + 1, number, None) for i, number in enumerate(POOL))
    with rt.db.session() as session:
        relay_service.import_numbers(rt, session, SEEDER, rows)


def _known_staff(rt: Runtime) -> list[dict[str, Any]]:
    """Return the seeded staff of an earlier run (no API keys: those were shown once)."""
    with rt.db.read_session() as session:
        found = access.list_principals(session, rt.tenant)
        return [
            {
                "role": p.role,
                "name": p.name_masked,
                "id": p.principal_id,
                "station": p.station_id,
            }
            for p in found
            if p.role in STAFF and p.status == "active"
        ]


def _enrolment_links(rt: Runtime, demo: DemoTenant) -> None:
    """Give every member of staff a fresh one-time link to register a passkey in the browser."""
    with rt.db.session() as session:
        for login in demo.logins:
            if login.get("role") in STAFF and login.get("id"):
                link = enrolment.issue(rt, session, SEEDER, login["id"], hours=LINK_HOURS)
                login["enrol_url"] = link.url
                login["page"] = f"{demo.url}{PAGES[login['role']]}"
                principal = access.get_or_raise(session, rt.tenant, login["id"])
                login["reveal_suspended"] = principal.reveal_suspended


def _approve_officer(
    rt: Runtime, session: Session, principal: Principal, officers: list[str]
) -> None:
    """Have the demo's first officer approve a later one (as the pending-grant flow asks)."""
    grant = grants.pending_for(session, rt.tenant, principal.principal_id)
    if grant is not None and officers:
        grants.approve(rt, session, Actor(officers[0], "security_officer"), grant)


def _staff(rt: Runtime, demo: DemoTenant) -> tuple[dict[str, list[str]], str]:
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
                principal, key = access.create(rt, session, SEEDER, new)
                _approve_officer(rt, session, principal, staff.get(role, []))
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
            SEEDER,
            NewPrincipal(
                name="仓库系统 warehouse-sync",
                role="service",
                scopes=["ingest", "read", "events", "labels"],
            ),
        )
        demo.logins.append({"role": "service", "name": "warehouse-sync", "api_key": service_key})
    return staff, service_key


def _parcels(rt: Runtime, staff: dict[str, list[str]]) -> tuple[int, list[dict[str, str]]]:
    faker = Faker(7)
    total = sum(n for _, n in STATES)
    rows = []
    for i in range(total):
        row = faker.shipment_row(f"PG2026{i:07d}", with_id=i % 7 == 0)
        row["recipient_address"] = faker.address(HANGZHOU[i % 2])
        if i % 37 == 0:
            row["recipient_phone"] = DEMO_RECIPIENT_PHONE
        rows.append(RawRow(i + 2, row))
    report = import_shipments(rt, SEEDER, rows)
    waybills = list(report.waybills)
    couriers = staff["courier"]
    stations = list(STATIONS)
    start = 0
    for state, count in STATES:
        for offset, waybill in enumerate(waybills[start : start + count]):
            n = start + offset
            _advance(rt, waybill, state, couriers[n % len(couriers)], stations[n % 2])
        start += count
    return report.imported, [dict(raw.values) for raw in rows]


PATHS = {
    "created": (),
    "assigned": ("assigned",),
    "out_for_delivery": ("assigned", "out_for_delivery"),
    "at_station": ("assigned", "at_station"),
    "delivered": ("assigned", "at_station", "delivered"),  # picked up by its pickup code
    "returned": ("assigned", "returned"),
}


def _advance(rt: Runtime, waybill: str, state: str, courier: str, station: str) -> None:
    with rt.db.session() as session:
        for step in PATHS[state]:
            lifecycle.record_event(
                rt,
                session,
                SEEDER,
                waybill,
                step,
                courier_id=courier if step == "assigned" else None,
                station_id=station if step == "at_station" else None,
                pickup_code=_waiting_code(rt, session, waybill) if step == "delivered" else None,
            )


def _waiting_code(rt: Runtime, session: Session, waybill: str) -> str | None:
    """Return the pickup code a parcel waits under (the proof of its demo delivery)."""
    from parcelguard.labels import pickup
    from parcelguard.vault.service import get_or_raise

    shipment = get_or_raise(session, rt.tenant, waybill)
    code = pickup.waiting_for(session, rt.tenant, [shipment.shipment_id]).get(shipment.shipment_id)
    return code.code if code is not None else None


def describe(demo: DemoTenant) -> str:
    """Return the human instructions printed when the demo starts (lines fit 80 columns)."""
    lines = [
        "",
        f"ParcelGuard demo 包裹隐私卫士演示: {demo.url}",
        "",
        f"Recipient 收件人: {demo.url}/portal",
        f"  phone 手机号 {demo.recipient_phone}; the one-time code appears",
        "  on this console as `[SMS → 138******00] …`",
        "",
        f"Staff 员工: {demo.url}/console",
        "  Open your enrolment link once to create a passkey 注册通行密钥,",
        "  then sign in at /console/login with it. Links work once, for a week.",
    ]
    if demo.note:
        lines.append(f"  ({demo.note})")
    for login in demo.logins:
        if login.get("enrol_url"):
            where = f" @{login['station']}" if login.get("station") else ""
            page = str(login.get("page", "")).removeprefix(demo.url)
            lines += ["", f"  {login['role']}{where} {login.get('name', '')} → {page}"]
            if login.get("reveal_suspended"):
                lines.append("  (reveal suspended by the monitor: see the security centre)")
            lines.append(login["enrol_url"])  # unindented: a terminal must not fold it
    keys = [x for x in demo.logins if x.get("api_key")]
    if keys:
        lines += ["", "API keys 接口密钥 (shown once):"]
        for x in keys:
            lines += [f"  {x['role']} {x.get('name', '')}:", x["api_key"]]
    if demo.leak_file:
        lines += [
            "",
            "Leak trace 泄露溯源 (as a security officer, /console/security/leaks):",
            demo.leak_file,
        ]
    return "\n".join(lines)


def today_plus(days: int) -> date:
    """Return a date `days` from today (for training attestations)."""
    return date.today() + timedelta(days=days)

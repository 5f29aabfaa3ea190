"""The tenant the insider attack tests play in: two stations, staff of every role, parcels.

Everything is made through the real CLI and the real API on the test runtime (SQLite and
PostgreSQL through the `backend` fixture), so lifecycle hooks run, pickup codes are allocated
and the monitor sees every audit event. Security officers after the first are approved by
the first (the pending-grant flow); the builder then lets the cool-off pass, so the people it
made are not "related" when a test starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.access import sessions
from parcelguard.app import create_app
from parcelguard.audit.bus import InProcessBus
from parcelguard.labels.models import PickupCode
from parcelguard.monitor import service as monitor
from parcelguard.monitor.models import STATUSES
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

STAFF: dict[str, tuple[str, ...]] = {
    "admin": ("--role", "admin"),
    "clerk_a": ("--role", "station_clerk", "--station", "st-a"),
    "clerk_b": ("--role", "station_clerk", "--station", "st-b"),
    "courier_a": ("--role", "courier", "--station", "st-a"),
    "courier_a2": ("--role", "courier", "--station", "st-a"),
    "courier_b": ("--role", "courier", "--station", "st-b"),
    "cs": ("--role", "customer_service"),
    "so1": ("--role", "security_officer"),
    "so2": ("--role", "security_officer"),
    "so3": ("--role", "security_officer"),
    "svc_events": ("--role", "service", "--scope", "events", "--scope", "read"),
    "svc_read": ("--role", "service", "--scope", "read"),
}


@dataclass
class Insiders:
    """The tenant of one attack test."""

    rt: Runtime
    cli: Callable[..., Any]
    client: TestClient
    bus: InProcessBus
    ids: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    parcels: dict[str, list[str]] = field(default_factory=dict)

    def api(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        """Call the API with `who`'s bearer key."""
        headers = {"Authorization": f"Bearer {self.keys[who]}"}
        self.client.cookies.clear()
        return self.client.request(method, path, headers=headers, **kwargs)

    def event(self, who: str, waybill: str, **body: Any) -> Any:
        """Post a lifecycle event as `who`."""
        return self.api(who, "POST", f"/api/v1/shipments/{waybill}/events", json=body)

    def shipment(self, waybill: str) -> dict[str, Any]:
        """Return the shipment's masked view, read straight from the vault."""
        with self.rt.db.read_session() as session:
            return vault.view(session, vault.get_or_raise(session, self.rt.tenant, waybill))

    def pickup_code(self, waybill: str) -> str:
        """Return the waiting pickup code of a parcel."""
        with self.rt.db.read_session() as session:
            return session.scalars(
                select(PickupCode.code).where(
                    PickupCode.waybill_no == waybill, PickupCode.status == "waiting"
                )
            ).one()

    def alerts(self, rule: str, about: str | None = None) -> list[dict[str, Any]]:
        """Return the alerts of a rule (about one principal), once the monitor caught up."""
        assert self.bus.drain(30)
        with self.rt.db.read_session() as session:
            found = monitor.list_alerts(session, self.rt.tenant, STATUSES, 10_000)
            views = [monitor.alert_view(i, monitor.evidence_of(session, i)) for i in found]
        return [
            v for v in views if v["rule"] == rule and (about is None or v["principal_id"] == about)
        ]

    def sign_in(self, who: str, *, stepped_up: bool) -> str:
        """Sign `who` in on the client as the passkey flow leaves them; return the CSRF token."""
        role = STAFF[who][1]
        at = self.rt.clock.now() if stepped_up else None
        with self.rt.db.session() as session:
            opened = sessions.open_session(self.rt, session, self.ids[who], role, step_up_at=at)
        self.client.cookies.clear()
        self.client.cookies.set(sessions.COOKIE, opened.token)
        return opened.csrf_token

    def add_user(self, who: str, *args: str, approver: str | None = "so1") -> dict[str, Any]:
        """Create a member of staff through the CLI; an officer's approval if one is pending."""
        made = self.cli(
            "users", "add", "--name", f"测试{who}", "--trained-until", "2027-12-31", *args, "--json"
        )
        assert made.code == 0, made.stdout
        grant = made.json.get("grant_id")
        if grant and approver is not None:
            done = self.cli("users", "approve", grant, "--api-key", self.keys[approver], "--json")
            assert done.code == 0, done.stdout
        return dict(made.json)


def _parcels(world: Insiders, tmp_path: Path) -> None:
    rows = list(Faker(77).rows(14))
    assert world.cli("import", str(write_csv(tmp_path / "p.csv", rows)), "--json").code == 0
    w = [r["waybill_no"] for r in rows]
    plan: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {
        "waiting_a": (w[0:3], [("at_station", "--station", "st-a")]),
        "waiting_b": (w[3:5], [("at_station", "--station", "st-b")]),
        "road_a": (
            w[5:7],
            [
                ("at_station", "--station", "st-a"),
                ("assigned", "--courier", world.ids["courier_a"]),
                ("out_for_delivery",),
            ],
        ),
        "assigned_a": (
            w[7:9],
            [
                ("at_station", "--station", "st-a"),
                ("assigned", "--courier", world.ids["courier_a"]),
            ],
        ),
        "assigned_b": (
            w[9:10],
            [
                ("at_station", "--station", "st-b"),
                ("assigned", "--courier", world.ids["courier_b"]),
            ],
        ),
        "fresh": (w[10:14], []),
    }
    for name, (waybills, steps) in plan.items():
        world.parcels[name] = waybills
        for waybill in waybills:
            for step in steps:
                done = world.cli("event", waybill, *step, "--json")
                assert done.code == 0, done.stdout


@pytest.fixture
def insiders(
    rt: Runtime, cli: Callable[..., Any], bus: InProcessBus, tmp_path: Path
) -> Iterator[Insiders]:
    """Build the tenant and the app; yield it with the cool-off of its own grants over."""
    with TestClient(create_app(rt)) as client:
        world = Insiders(rt, cli, client, bus)
        for who, args in STAFF.items():
            made = world.add_user(who, *args)
            world.ids[who], world.keys[who] = made["id"], made["api_key"]
        _parcels(world, tmp_path)
        rt.clock.advance(days=8)  # past the default seven-day cool-off of the builder's grants
        assert bus.drain(30)
        yield world
        bus.drain(30)


def refused_as_usage(world: Insiders, *args: str) -> bool:
    """Return whether the CLI refuses these arguments as a usage error (exit 2).

    A missing required option is a usage error; until the CLI maps typer's own click
    exceptions to exit 2 (issue 15 item 7, another helper), it surfaces as the exception.
    """
    try:
        return bool(world.cli(*args).code == 2)
    except Exception as exc:
        return type(exc).__name__ in ("MissingParameter", "UsageError", "BadParameter")


def later(world: Insiders, **delta: float) -> str:
    """Return an ISO instant `delta` from the server clock."""
    return (world.rt.clock.now() + timedelta(**delta)).isoformat()

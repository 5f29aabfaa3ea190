"""Console fixtures: a small tenant with staff of every role, parcels on the road and at a station.

Everything is made through the real CLI (users, import, lifecycle events) on the test runtime,
so the relay binds numbers and the station allocates pickup codes as in production. Staff sign
in as the passkey flow would leave them: a session cookie, and its CSRF token for posts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.access import sessions
from parcelguard.app import create_app
from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service as relay_service
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

ROLES = ("courier", "station_clerk", "customer_service", "security_officer", "admin")
POOL = [f"1710571{n:04d}" for n in range(1, 21)]
HOLDER = re.compile(r'id="pg-console"[^>]*data-csrf="([^"]*)"', re.S)


@dataclass
class World:
    """The tenant a console test works in."""

    rt: Runtime
    client: TestClient
    staff: dict[str, str]  # role (and "courier2", "clerk2") → principal id
    keys: dict[str, str]
    rows: list[dict[str, str]]
    on_road: list[str] = field(default_factory=list)  # the courier's, out for delivery
    others: list[str] = field(default_factory=list)  # the second courier's
    at_station: list[str] = field(default_factory=list)  # waiting at st-xihu

    def sign_in(self, who: str) -> str:
        """Sign `who` (a role or a staff key) in on the client; return the session's CSRF."""
        principal = self.staff[who]
        role = who if who in ROLES else {"courier2": "courier", "clerk2": "station_clerk"}[who]
        with self.rt.db.session() as session:
            opened = sessions.open_session(
                self.rt, session, principal, role, step_up_at=self.rt.clock.now()
            )
        self.client.cookies.clear()
        self.client.cookies.set(sessions.COOKIE, opened.token)
        return opened.csrf_token

    def post(self, path: str, csrf: str, **kwargs: Any) -> Any:
        """POST as the page's script does: with the session's CSRF token."""
        return self.client.post(path, headers={"X-CSRF-Token": csrf}, **kwargs)

    def row(self, waybill: str) -> dict[str, str]:
        """Return the imported row (plaintext: test data only) of a waybill."""
        return next(r for r in self.rows if r["waybill_no"] == waybill)


def _user(cli: Callable[..., Any], role: str, *extra: str) -> tuple[str, str]:
    args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
    result = cli(*args, "--trained-until", "2027-12-31", *extra)
    assert result.code == 0, result.stdout
    return result.json["id"], result.json["api_key"]


@pytest.fixture
def world(rt: Runtime, cli: Callable[..., Any], tmp_path: Path) -> Iterator[World]:
    """Build the tenant and the app; yield the world."""
    with rt.db.session() as session:
        rows_in = (relay_service.PoolRow(i + 1, n, None) for i, n in enumerate(POOL))
        relay_service.import_numbers(rt, session, SYSTEM, rows_in)
    staff, keys = {}, {}
    plan = {
        "courier": ("--station", "st-xihu", "--phone", "13600136000"),
        "courier2": ("--station", "st-xihu", "--phone", "13600136001"),
        "station_clerk": ("--station", "st-xihu"),
        "clerk2": ("--station", "st-binjiang"),
        "customer_service": (),
        "security_officer": (),
        "admin": (),
    }
    for who, extra in plan.items():
        role = {"courier2": "courier", "clerk2": "station_clerk"}.get(who, who)
        staff[who], keys[who] = _user(cli, role, *extra)
    rows = list(Faker(51).rows(12))
    assert cli("import", str(write_csv(tmp_path / "p.csv", rows)), "--json").code == 0
    waybills = [r["waybill_no"] for r in rows]
    for waybill, courier in [(w, "courier") for w in waybills[:3]] + [
        (w, "courier2") for w in waybills[3:9]
    ]:
        assert cli("event", waybill, "assigned", "--courier", staff[courier], "--json").code == 0
        assert cli("event", waybill, "out_for_delivery", "--json").code == 0
    for waybill in waybills[9:12]:
        assert cli("event", waybill, "assigned", "--courier", staff["courier2"], "--json").code == 0
        assert cli("event", waybill, "at_station", "--station", "st-xihu", "--json").code == 0
    rt.clock.advance(minutes=5)  # the day goes on: what staff do next comes after the setup
    with TestClient(create_app(rt)) as client:
        yield World(rt, client, staff, keys, rows, waybills[:3], waybills[3:9], waybills[9:12])


def csrf_of(html: str) -> str:
    """Return the CSRF token a console page hands its script."""
    found = HOLDER.search(html)
    assert found, "no #pg-console holder on this page"
    return found.group(1)

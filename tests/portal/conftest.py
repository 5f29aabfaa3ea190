"""Portal fixtures: a recording SMS provider, the app, a person with parcels, sign-in helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.portal.sms import RecordingSmsProvider, install
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

PHONE = "13800138000"
OTHER = "13900139000"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def sms(rt: Runtime) -> RecordingSmsProvider:
    """Return the provider that keeps every SMS the portal sends."""
    provider = RecordingSmsProvider()
    install(rt, provider)
    return provider


@pytest.fixture
def client(rt: Runtime, sms: RecordingSmsProvider) -> Iterator[TestClient]:
    """Return a browser-like client of the whole application."""
    with TestClient(create_app(rt)) as test_client:
        yield test_client


@pytest.fixture
def parcels(cli: Callable[..., Any], tmp_path: Path) -> list[dict[str, str]]:
    """Import six parcels: PHONE receives two and sends one; OTHER receives one."""
    rows = list(Faker(31).rows(6))
    rows[0]["recipient_phone"] = PHONE
    rows[1]["recipient_phone"] = PHONE
    rows[2]["sender_phone"] = PHONE
    rows[2]["sender_id_no"] = Faker(32).resident_id()
    rows[3]["recipient_phone"] = OTHER
    for i, row in enumerate(rows):
        row["created_at"] = f"2026-10-{10 + i:02d} 10:00:00"
    result = cli("import", str(write_csv(tmp_path / "parcels.csv", rows)), "--json")
    assert result.code == 0, result.stdout
    return rows


def start(client: TestClient) -> str:
    """Open the sign-in page; return the pre-session CSRF token."""
    page = client.get("/portal")
    assert page.status_code == 200
    token = client.cookies.get("pg_portal_pre")
    assert token
    return token


def ask_code(client: TestClient, phone: str = PHONE) -> Any:
    """Ask for a code for `phone`; return the response."""
    return client.post("/portal/code", data={"phone": phone, "pre": start(client)})


def sign_in(client: TestClient, sms: RecordingSmsProvider, phone: str = PHONE) -> str:
    """Sign in with the code the SMS carried; return the session's CSRF token."""
    assert ask_code(client, phone).status_code == 200
    pre = client.cookies.get("pg_portal_pre")
    answer = client.post(
        "/portal/signin",
        data={"phone": phone, "code": sms.last_code(phone), "pre": pre},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/portal").text)


def csrf_of(html: str) -> str:
    """Return the CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "no form with a CSRF token on this page"
    return found.group(1)


def add_user(cli: Callable[..., Any], role: str, **extra: str) -> tuple[str, str]:
    """Create a trained member of staff; return their id and API key."""
    args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
    args += ["--trained-until", "2027-12-31"]
    for key, value in extra.items():
        args += [f"--{key}", value]
    result = cli(*args)
    assert result.code == 0, result.stdout
    return result.json["id"], result.json["api_key"]


def courier_reveals_address(cli: Callable[..., Any], waybill: str, station: str = "st-xihu") -> str:
    """Assign a parcel to a new courier, send it out, reveal its address as them; return the id."""
    courier, key = add_user(cli, "courier", station=station)
    assert cli("event", waybill, "assigned", "--courier", courier, "--json").code == 0
    assert cli("event", waybill, "out_for_delivery", "--json").code == 0
    answer = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    assert answer.code == 0, answer.stdout
    return courier

"""`parcelguard demo`: the JSON contract, sign-in for every role, and pages with content."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.access import sessions
from parcelguard.access.guards import STAFF
from parcelguard.app import create_app
from parcelguard.audit.service import Actor
from parcelguard.forensics import service as forensics
from parcelguard.runtime import Runtime


def _open(rt: Runtime, client: TestClient, login: dict[str, Any]) -> None:
    with rt.db.session() as session:
        opened = sessions.open_session(
            rt, session, login["id"], login["role"], step_up_at=rt.clock.now()
        )
    client.cookies.clear()
    client.cookies.set(sessions.COOKIE, opened.token)


def test_the_demo_seeds_every_role_and_prints_how_to_sign_in(
    cli: Callable[..., Any], rt: Runtime, capsys: pytest.CaptureFixture[str]
) -> None:
    first = cli("demo", "--no-serve", "--json", "--port", "8123")
    assert first.code == 0
    seeded = first.json
    assert seeded["url"] == "http://localhost:8123" and isinstance(seeded["logins"], list)
    staff = [x for x in seeded["logins"] if x["role"] in STAFF]
    assert {x["role"] for x in staff} == set(STAFF) and len(staff) == 17
    assert all(x["enrol_url"].startswith("http://localhost:8123/console/enrol#") for x in staff)
    assert any(x["role"] == "service" and x["api_key"].startswith("pg_") for x in seeded["logins"])
    assert seeded["recipient_phone"] == "13800138000" and seeded["parcels"] == 300
    assert "[SMS → 138******00]" in capsys.readouterr().err  # the console SMS provider
    leak = Path(seeded["leak_file"])
    assert leak.stat().st_mode & 0o077 == 0

    couriers = [x for x in staff if x["role"] == "courier"]
    traced = forensics.trace(rt, Actor("operator", "operator"), leak)
    assert traced["suspects"][0]["principal_id"] == couriers[2]["id"]

    again = cli("demo", "--no-serve", "--json", "--port", "8123")
    assert again.code == 0 and json.loads(again.stdout)["note"]
    fresh = [x for x in again.json["logins"] if x.get("enrol_url")]
    assert len(fresh) == 17 and not {x["enrol_url"] for x in fresh} & {
        x["enrol_url"] for x in staff
    }
    assert all("api_key" not in x for x in again.json["logins"])


def test_the_demo_pages_have_content_for_every_role(cli: Callable[..., Any], rt: Runtime) -> None:
    seeded = cli("demo", "--no-serve", "--json", "--port", "8124").json
    by_role = {x["role"]: x for x in reversed(seeded["logins"])}  # the first of each role
    client = TestClient(create_app(rt))
    _open(rt, client, by_role["courier"])
    deliveries = client.get("/console/deliveries").text
    assert len(re.findall(r'href="tel:\+86171', deliveries)) >= 5
    _open(rt, client, by_role["station_clerk"])
    assert client.get("/console/station").text.count("data-pg-item=") >= 20
    _open(rt, client, by_role["customer_service"])
    assert client.get("/console/service?status=all").text.count("data-complaint=") == 2
    _open(rt, client, by_role["security_officer"])
    alerts = client.get("/console/security/alerts").text
    assert "访问未分配的包裹" in alerts and "已暂停其查看权限" in alerts
    assert client.get("/console/security/canaries").text.count("data-canary=") >= 5

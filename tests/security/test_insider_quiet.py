"""Slow and sideways misuse (issue 15 item 8): insiders who never trip a loud rule.

Each attack is played through the real service over simulated weeks (the server clock moves
on): every reveal the insider makes is allowed, stays under the quota and looks ordinary on
its own. The monitor, reading the audit stream live, names the pattern.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from parcelguard.clock import CHINA
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.security.insider_world import Insiders

PEERS = 5


@pytest.fixture(autouse=True)
def weeks_in_seconds(rt: Runtime) -> None:
    """Lift the per-minute reveal limit: it counts wall-clock seconds, and these tests press
    weeks of the server clock into a few of them (the insiders here never come near it)."""
    rt.settings.sections["ratelimit"] = {"limits": {"reveal": {"limit": 100_000, "window": 60}}}


def next_morning(world: Insiders, hour: int = 9) -> None:
    """Move the server clock to `hour` o'clock (China time) of the next day."""
    now = world.rt.clock.now().astimezone(CHINA)
    morning = datetime(now.year, now.month, now.day, hour, tzinfo=CHINA) + timedelta(days=1)
    world.rt.clock.set(morning)


def reveal(world: Insiders, who: str, waybill: str, **body: Any) -> Any:
    """Reveal one field over the API as `who`."""
    path = f"/api/v1/shipments/{waybill}/reveal"
    return world.api(who, "POST", path, json=body)


def ticket(world: Insiders, who: str, waybill: str, n: int) -> None:
    """Answer a customer's ticket: one field of one parcel, under a ticket reference."""
    body = {"fields": ["recipient.phone"], "purpose": "customer_service"}
    answered = reveal(world, who, waybill, reference=f"CS-{n:06d}", **body)
    assert answered.status_code == 200, answered.text


def test_customer_service_at_two_and_a_half_times_their_peers_for_weeks_is_named(
    insiders: Insiders,
) -> None:
    agents = ["cs"]
    for i in range(PEERS):
        made = insiders.add_user(f"cs{i}", "--role", "customer_service")
        insiders.ids[f"cs{i}"], insiders.keys[f"cs{i}"] = made["id"], made["api_key"]
        agents.append(f"cs{i}")
    parcels = [w for group in insiders.parcels.values() for w in group]
    n = 0
    for day in range(18):  # ten days settling in (new staff are not judged), then eight
        next_morning(insiders)
        plan = [a for a in agents[1:] for _ in range(8)] + ["cs"] * 20  # peers 8, insider 20
        random.Random(day).shuffle(plan)  # tickets arrive in any order
        for who in plan:
            insiders.rt.clock.advance(minutes=480 / len(plan))  # over an eight-hour day
            n += 1
            ticket(insiders, who, parcels[n % len(parcels)], n)
    next_morning(insiders)
    ticket(insiders, "cs0", parcels[0], n + 1)  # the next day's first event closes the last
    [alert] = insiders.alerts("sustained_excess", about=insiders.ids["cs"])
    assert alert["role"] == "customer_service" and alert["severity"] == "medium"
    assert alert["details"]["per"] == "hour" and alert["details"]["high_days"] >= 6
    assert 2.0 <= alert["details"]["ratio"] <= 3.0
    assert alert["evidence"] and all(e["action"] == "reveal" for e in alert["evidence"])
    assert not any(insiders.alerts("sustained_excess", about=insiders.ids[a]) for a in agents[1:])


def foreign_parcels(insiders: Insiders, tmp_path: Path, count: int) -> list[str]:
    """Parcels of station B that end up assigned to courier A, each step allowed on its own.

    A parcel with no station yet may be assigned to any active courier (the sorting centre
    does this); it then arrives at station B, whose clerk records the arrival, and courier A
    takes it out: from then on every reveal by courier A is allowed.
    """
    rows = list(Faker(2026).rows(count, prefix="PGB"))
    done = insiders.cli("import", str(write_csv(tmp_path / "b.csv", rows)), "--json")
    assert done.code == 0, done.stdout
    waybills = [r["waybill_no"] for r in rows]
    for waybill in waybills:
        step = insiders.cli(
            "event", waybill, "assigned", "--courier", insiders.ids["courier_a"], "--json"
        )
        assert step.code == 0, step.stdout
        arrived = insiders.event("clerk_b", waybill, type="at_station")
        assert arrived.status_code == 200, arrived.text
        out = insiders.event("courier_a", waybill, type="out_for_delivery")
        assert out.status_code == 200, out.text
    return waybills


def test_a_courier_revealing_another_stations_parcels_day_after_day_is_named(
    insiders: Insiders, tmp_path: Path
) -> None:
    waybills = foreign_parcels(insiders, tmp_path, 12 * 6)
    body = {"fields": ["recipient.address"], "purpose": "delivery"}
    for day in range(6):
        next_morning(insiders)
        for waybill in waybills[day * 12 : (day + 1) * 12]:
            insiders.rt.clock.advance(minutes=20)
            shown = reveal(insiders, "courier_a", waybill, **body)
            assert shown.status_code == 200, shown.text  # each reveal is allowed on its own
    event = insiders.cli("audit", "log", "--action", "reveal", "--json").json["events"][-1]
    assert (event["station_id"], event["details"]["parcel_station"]) == ("st-a", "st-b")
    next_morning(insiders)
    reveal(insiders, "courier_a", waybills[0], **body)  # the next day closes the last one
    [alert] = insiders.alerts("foreign_station", about=insiders.ids["courier_a"])
    assert alert["role"] == "courier" and alert["details"]["stations"] == ["st-b"]
    assert alert["details"]["foreign_days"] >= 5
    assert {e["waybill"] for e in alert["evidence"]} <= set(waybills)
    assert not insiders.alerts("unassigned_access") and not insiders.alerts("unassigned_drip")


def test_a_day_of_cover_and_a_transfer_raise_no_foreign_station_alert(
    insiders: Insiders, tmp_path: Path
) -> None:
    cover = foreign_parcels(insiders, tmp_path, 12)
    body = {"fields": ["recipient.address"], "purpose": "delivery"}
    own = insiders.parcels["road_a"]
    for day in range(7):
        next_morning(insiders)
        for waybill in own:
            assert reveal(insiders, "courier_a", waybill, **body).status_code == 200
        if day == 1:  # covering station B for a day
            for waybill in cover:
                assert reveal(insiders, "courier_a", waybill, **body).status_code == 200
        if day == 3:  # a parcel of A moved to B while still on A's courier's list
            moved = insiders.parcels["assigned_a"][0]
            done = insiders.event("clerk_a", moved, type="transferred", station_id="st-b")
            assert done.status_code == 200, done.text
            refused = reveal(insiders, "courier_a", moved, **body)
            assert refused.status_code == 403
    next_morning(insiders)
    reveal(insiders, "courier_a", own[0], **body)
    assert insiders.alerts("foreign_station") == []

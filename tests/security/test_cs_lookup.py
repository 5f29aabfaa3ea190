"""Attacks on the customer-service lookup: wrong roles, unmasking, walking a phone book.

The lookup finds parcels by phone through the blind index, so it is an oracle: "does this
number receive parcels here?". Only customer service (and officers) may ask, each time under a
ticket, a limited number of times an hour, and every question lands in the audit log, without
the number.
"""

from __future__ import annotations

import logging

import pytest

from parcelguard.audit.service import Actor, search
from parcelguard.complaints import lookup
from parcelguard.errors import Denied, RateLimited
from tests.console.conftest import World, world  # noqa: F401  (the console's tenant)

TICKET = "CS-123456"


def _post(world: World, csrf: str, **form: str) -> int:  # noqa: F811
    answer = world.client.post("/console/service/lookup", data={"csrf": csrf, **form})
    return answer.status_code


def _events(world: World) -> list[object]:  # noqa: F811
    with world.rt.db.read_session() as session:
        return [
            (e.decision, e.reason, e.reference, e.details)
            for e in search(session, world.rt.tenant, action=lookup.ACTION, limit=1000)
        ]


@pytest.mark.parametrize("role", ["courier", "station_clerk", "admin"])
def test_a_courier_a_clerk_or_an_admin_cannot_look_parcels_up(world: World, role: str) -> None:  # noqa: F811
    csrf = world.sign_in(role)
    assert world.client.get("/console/service/lookup").status_code == 403
    assert _post(world, csrf, ticket=TICKET, waybill=world.on_road[0]) == 403
    actor = Actor(world.staff[role], role)
    with pytest.raises(Denied):
        lookup.lookup(world.rt, actor, ticket=TICKET, waybill=world.on_road[0])
    assert _events(world) == []


def test_customer_service_sees_only_masked_fields(world: World) -> None:  # noqa: F811
    csrf = world.sign_in("customer_service")
    for waybill in world.on_road + world.others:
        row = world.row(waybill)
        html = world.client.post(
            "/console/service/lookup", data={"csrf": csrf, "ticket": TICKET, "waybill": waybill}
        ).text
        for field in ("recipient_name", "recipient_phone", "recipient_address", "sender_phone"):
            assert row[field] not in html, field
    found = lookup.lookup(
        world.rt,
        Actor(world.staff["customer_service"], "customer_service"),
        ticket=TICKET,
        phone=world.row(world.on_road[0])["recipient_phone"],
    )
    shown = str(found)
    row = world.row(world.on_road[0])
    assert row["recipient_phone"] not in shown and row["recipient_address"] not in shown


@pytest.mark.usefixtures("limits_storage")
def test_walking_phone_numbers_is_stopped_and_every_try_is_audited(world: World) -> None:  # noqa: F811
    world.rt.settings.sections["ratelimit"] = {
        "limits": {"cs_lookup_phone": {"limit": 3, "window": 3600}}
    }
    csrf = world.sign_in("customer_service")
    guesses = [f"1391234{n:04d}" for n in range(6)]
    answers = [_post(world, csrf, ticket=TICKET, phone=p) for p in guesses]
    assert answers == [200, 200, 200, 429, 429, 429]
    events = _events(world)
    assert len(events) == 6
    assert sorted(str(e[1]) for e in events) == ["None"] * 3 + ["rate_limited"] * 3
    assert all(e[2] == TICKET for e in events)  # the ticket the walker hid behind is kept
    assert not any(p in str(events) for p in guesses)
    with pytest.raises(RateLimited):  # the CLI or any other road meets the same limit
        lookup.lookup(
            world.rt,
            Actor(world.staff["customer_service"], "customer_service"),
            ticket=TICKET,
            phone=guesses[0],
        )


def test_no_plaintext_phone_reaches_the_audit_log_or_the_logs(
    world: World,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = world.sign_in("customer_service")
    row = world.row(world.on_road[1])
    phone = row["recipient_phone"]
    assert _post(world, csrf, ticket=TICKET, phone=phone) == 200
    assert _post(world, csrf, ticket=phone, phone=phone) == 400  # a phone typed as the ticket
    assert _post(world, csrf, ticket=TICKET, phone="12345") == 400
    with world.rt.db.read_session() as session:
        everything = [
            (e.action, e.reference, e.reason, e.details)
            for e in search(session, world.rt.tenant, limit=10_000)
        ]
    lookups = [e for e in everything if e[0] == lookup.ACTION]
    assert sorted(str(e[2]) for e in lookups) == ["None", "invalid_phone", "ticket_invalid"]
    assert phone not in str(everything) and phone[-8:] not in str(everything)
    assert phone not in caplog.text

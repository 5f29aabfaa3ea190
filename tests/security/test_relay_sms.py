"""Attacks on the SMS relay: smuggling numbers past the scrubber, spamming through X, and
reading what the relay keeps about a text."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from tests.relay.conftest import (
    World,
    audit_events,
    configure,
    dispatch,
    make_world,
    neutral_post,
)
from tests.relay.test_routing import STRANGER, bound_number


@pytest.fixture
def world(rt: Runtime) -> World:
    """The relay's tenant: parcels, couriers with phones, a pool."""
    return make_world(rt)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    """The app on that tenant."""
    with TestClient(create_app(world.rt)) as client:
        yield client


SMUGGLED = [
    "联系 138 1234 5678",
    "联系１３８１２３４５６７８",
    "号码138-1234-5678",
    "卡 6222 0212 3456 7890 123",
    "身份证 11010119900307451X",
    "邮箱 someone@example.com",
]


@pytest.mark.parametrize("text", SMUGGLED)
def test_numbers_written_to_slip_past_the_scrubber_are_still_hidden(
    world: World, client: TestClient, text: str
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    body = {"from": world.couriers[0].phone, "to": bound_number(world), "text": text}
    forwarded = neutral_post(client)("/relay/sms", body).json()["text"]
    digits = "".join(c for c in forwarded if c.isdigit() or "０" <= c <= "９")
    assert len(digits) < 7, forwarded
    assert "@" not in forwarded


def test_a_flood_through_one_binding_stops_at_the_hourly_limit(
    world: World, client: TestClient
) -> None:
    configure(world.rt, sms_per_hour=5)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    post = neutral_post(client)
    body = {"from": world.couriers[0].phone, "to": bound_number(world)}
    actions = [
        post("/relay/sms", {**body, "call_id": f"f{i}", "text": "广告"}).json()["action"]
        for i in range(12)
    ]
    assert actions.count("connect") == 5


def test_nothing_a_text_carried_reaches_logs_or_the_audit_log(
    world: World, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    secret = "13812345678"
    with caplog.at_level(logging.DEBUG):
        post = neutral_post(client)
        body = {"from": world.couriers[0].phone, "to": bound_number(world)}
        post("/relay/sms", {**body, "call_id": "p1", "text": f"他的号{secret}，暗号蓝鲸"})
        post("/relay/sms", {"from": STRANGER, "to": bound_number(world), "text": secret})
    events = " ".join(f"{e.details} {e.reason}" for e in audit_events(world.rt))
    assert secret not in caplog.text and secret not in events
    assert "蓝鲸" not in caplog.text and "蓝鲸" not in events
    assert STRANGER not in caplog.text and STRANGER not in events


def test_an_unsigned_text_is_refused(world: World, client: TestClient) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    refused = client.post(
        "/relay/sms",
        json={"from": world.couriers[0].phone, "to": bound_number(world), "text": "hi"},
    )
    assert refused.status_code == 403
    assert audit_events(world.rt, "relay.connect") == []

"""Caller verification: genuine through the relay or the courier's own phone, else unknown
with a scam warning; audited; reachable from the CLI and the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service
from tests.relay.conftest import (
    World,
    add_courier,
    audit_events,
    details,
    dispatch,
    event,
)
from tests.relay.test_routing import STRANGER, bound_number


def verify(world: World, recipient: str, caller: str) -> dict[str, Any]:
    with world.rt.db.session() as session:
        return service.verify(world.rt, session, SYSTEM, recipient, caller)


def test_the_bound_number_is_genuine(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    answer = verify(world, world.recipient(0), x)
    assert answer["verdict"] == "genuine" and answer["via"] == "relay"
    assert answer["courier"]["name"] == "王**"
    assert answer["courier"]["employee_no"].startswith("E")
    waybill = world.waybill(0)
    assert answer["waybill"] == waybill[:2] + "*" * (len(waybill) - 6) + waybill[-4:]
    assert "验证码" in answer["message"]["zh"] and "verification code" in answer["message"]["en"]


def test_the_couriers_own_phone_is_genuine_while_carrying_the_parcel(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    answer = verify(world, "+86 " + world.recipient(0), world.couriers[0].phone)
    assert (answer["verdict"], answer["via"]) == ("genuine", "direct")
    event(world.rt, world.waybill(0), "delivered")
    assert verify(world, world.recipient(0), world.couriers[0].phone)["verdict"] == "unknown"


def test_anyone_else_is_unknown_with_a_scam_warning(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    for recipient, caller in [
        (world.recipient(0), STRANGER),
        (world.recipient(1), x),  # someone else's courier number
        (world.recipient(0), world.couriers[1].phone),  # a real courier, not theirs
        (world.recipient(0), "+14155550100"),  # from abroad
    ]:
        answer = verify(world, recipient, caller)
        assert answer["verdict"] == "unknown" and answer["genuine"] is False
        assert answer["courier"] is None and answer["waybill"] is None
        assert "诈骗" in answer["message"]["zh"] and "Scammers" in answer["message"]["en"]


def test_an_ended_binding_stays_genuine_for_the_grace_period_only(world: World) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    event(world.rt, world.waybill(0), "delivered")
    world.rt.clock.advance(hours=30)  # ended at delivered + 24 h
    assert verify(world, world.recipient(0), x)["verdict"] == "genuine"
    world.rt.clock.advance(hours=19)
    assert verify(world, world.recipient(0), x)["verdict"] == "unknown"


def test_axn_names_the_courier_who_called(world: World, cli) -> None:
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    x = cli("relay", "bind", world.waybill(0), "--axn", "--json").json["virtual_number"]
    assert verify(world, world.recipient(0), x)["courier"] is None
    with world.rt.db.session() as session:
        service.route(world.rt, session, SYSTEM, world.couriers[1].phone, x, call_id="axn-1")
    answer = verify(world, world.recipient(0), x)
    assert answer["verdict"] == "genuine" and answer["courier"]["name"] == "李**"


def test_verification_is_audited_with_masked_numbers(world: World, cli) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    genuine = cli("relay", "verify", "--recipient", world.recipient(0), "--caller", x, "--json")
    assert genuine.json["verdict"] == "genuine"
    unknown = cli("relay", "verify", "--recipient", world.recipient(0), "--caller", STRANGER)
    assert "unknown caller" in unknown.stdout and "官方渠道" in unknown.stdout
    first, second = audit_events(world.rt, "relay.verify")
    assert (first.decision, first.reason, second.decision) == ("genuine", "relay", "unknown")
    assert (
        details(first)["recipient"] == world.recipient(0)[:3] + "******" + world.recipient(0)[-2:]
    )
    assert details(second)["caller"] == STRANGER[:3] + "******" + STRANGER[-2:]
    bad = cli("relay", "verify", "--recipient", "12", "--caller", x, "--json")
    assert bad.code == 1 and bad.json["error"]["message"] == "recipient is not a phone number"


def test_verify_api_is_for_customer_service_and_relay_services(
    world: World, client: TestClient, cli
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    body = {"recipient_phone": world.recipient(0), "caller": x}

    def key(role: str, *scopes: str) -> dict[str, str]:
        args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
        for scope in scopes:
            args += ["--scope", scope]
        return {"Authorization": f"Bearer {cli(*args).json['api_key']}"}

    answer = client.post("/api/v1/relay/verify", json=body, headers=key("customer_service"))
    assert answer.status_code == 200 and answer.json()["verdict"] == "genuine"
    assert client.post("/api/v1/relay/verify", json=body, headers=key("service", "relay")).json()[
        "genuine"
    ]
    courier = {"Authorization": f"Bearer {world.couriers[1].key}"}
    assert client.post("/api/v1/relay/verify", json=body, headers=courier).status_code == 403
    assert client.post("/api/v1/relay/verify", json=body, headers=key("service")).status_code == 403
    assert client.post("/api/v1/relay/verify", json=body).status_code == 401


def test_a_new_courier_number_is_not_genuine_by_accident(world: World) -> None:
    newcomer = add_courier(world.rt, "赵六", "13900003333")
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    assert verify(world, world.recipient(0), newcomer.phone)["verdict"] == "unknown"

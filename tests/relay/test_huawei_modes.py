"""Huawei Cloud 隐私保护通话 beyond AXB/AXE: AXN as Huawei's AX mode, AXG refused (Huawei
publishes no such mode), and SMS notices (短信通知, Notify mode), against the fake platform."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import Conflict
from parcelguard.relay import service
from parcelguard.relay.models import Binding, CallRecord
from tests.relay.conftest import (
    World,
    audit_events,
    details,
    dispatch,
    event,
    pool_numbers,
)
from tests.relay.fakes import FakeHuawei
from tests.relay.test_axe import _clerk, add_axe
from tests.relay.test_providers import _notice, binding_of


def test_an_axn_binding_goes_to_huawei_as_ax_mode_and_is_unbound_there(
    world: World, huawei: FakeHuawei
) -> None:
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    made = service.bind_waybill(world.rt, SYSTEM, world.waybill(0), kind="axn")
    (bind,) = huawei.seen.calls
    assert bind["path"] == "/rest/provision/caas/privatenumber/v1.0"
    assert bind["origNum"] == f"+86{world.recipient(0)}"
    assert bind["privateNum"] == made["virtual_number"]
    assert bind["recordFlag"] == "true"  # the fixture records calls
    assert binding_of(world).provider_ref == "hw-1"
    with world.rt.db.session() as session:
        service.release_binding(world.rt, session, SYSTEM, made["binding_id"])
    unbind = huawei.seen.calls[-1]
    assert unbind == {
        "path": "/rest/provision/caas/privatenumber/v1.0",
        "delete": "subscriptionId=hw-1",
    }
    assert huawei.seen.refused == []


def test_an_axg_binding_is_refused_on_huawei_which_publishes_no_axg_mode(
    world: World, huawei: FakeHuawei
) -> None:
    add_axe(world.rt, pool_numbers(1, start=5000), mode="axg", group="st-9")
    _clerk(world.rt, "站点店员", "13700007777", "st-9")
    event(world.rt, world.waybill(0), "at_station", station="st-9")
    with pytest.raises(Conflict) as refused:
        service.bind_waybill(world.rt, SYSTEM, world.waybill(0), kind="axg")
    assert refused.value.code == "provider_error"
    assert refused.value.details == {"reason": "unsupported_kind", "kind": "axg"}
    assert huawei.seen.calls == []  # nothing was sent to the platform
    with world.rt.db.session() as session:
        assert session.scalars(select(Binding).where(Binding.kind == "axg")).all() == []


def _sms_notice(world: World, sub: str, sms_id: str, **extra: object) -> dict:
    """A Notify-mode SMS notice as Huawei documents it."""
    return {
        "appKey": "hw-app-key",
        "smsEvent": {
            "smsIdentifier": sms_id,
            "notificationMode": "Notify",
            "calling": f"+86{world.couriers[0].phone}",
            "called": f"+86{world.recipient(0)}",
            "virtualNumber": extra.pop("x", "+8617000000000"),
            "event": "Text SMS",
            "timeStamp": "2026-11-02T01:06:16.450Z",
            "subscriptionId": sub,
            "extInfo": {"extParas": [{"key": "splitNum", "value": "0"}]},
            "sendResult": 0,
            **extra,
        },
    }


def _bound(world: World) -> Binding:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    return binding_of(world)


def sms(client: TestClient, body: dict, **signed: str):
    """Post an SMS notice signed as the platform does (or with `secret=`, `nonce=`)."""
    return _notice(client, body, path="/relay/huawei/sms", **signed)


def test_huawei_sms_notices_make_one_sms_record_whatever_the_repeats(
    world: World, huawei: FakeHuawei, client: TestClient
) -> None:
    binding = _bound(world)
    notice = _sms_notice(world, binding.provider_ref or "", "sms-1")
    failed = _sms_notice(world, binding.provider_ref or "", "sms-2", sendResult=2)
    for body in (notice, failed, notice, notice):
        assert sms(client, body).status_code == 200
    with world.rt.db.session() as session:
        records = {r.call_id: r for r in session.scalars(select(CallRecord))}
    assert set(records) == {"sms-1", "sms-2"}
    assert records["sms-1"].channel == "sms" and records["sms-1"].status == "delivered"
    assert records["sms-2"].status == "undelivered"
    assert records["sms-1"].binding_id == binding.binding_id
    assert records["sms-1"].caller_masked and world.couriers[0].phone not in str(
        records["sms-1"].caller_masked
    )
    assert audit_events(world.rt, "relay.sms_pii") == []  # no text in the notice: no scan


def test_a_text_the_platform_forwarded_with_a_strangers_number_raises_one_alert_event(
    world: World, huawei: FakeHuawei, client: TestClient
) -> None:
    binding = _bound(world)
    leak = "13512345678"
    body = _sms_notice(
        world, binding.provider_ref or "", "sms-9", smsContent=f"到了，有事打 {leak}"
    )
    for _ in range(3):  # retransmitted: scanned once
        assert sms(client, body).status_code == 200
    (found,) = audit_events(world.rt, "relay.sms_pii")
    assert found.reason == "others_pii" and found.decision == "deny"
    shown = details(found)
    assert shown["forwarded"] is True and shown["types"] == ["PHONE"]
    assert shown["principal_id"] == world.couriers[0].id
    everything = json.dumps([details(e) for e in audit_events(world.rt)], ensure_ascii=False)
    assert leak not in everything and "到了" not in everything


def test_forged_and_replayed_huawei_sms_notices_are_refused(
    world: World, huawei: FakeHuawei, client: TestClient
) -> None:
    binding = _bound(world)
    body = _sms_notice(world, binding.provider_ref or "", "sms-5")
    assert sms(client, body, secret="forged").status_code == 403
    assert sms(client, body, nonce="N-sms").status_code == 200
    assert sms(client, body, nonce="N-sms").status_code == 403
    assert client.post("/relay/huawei/sms", json=body).status_code == 403

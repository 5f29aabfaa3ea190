"""Cloud platforms at the telephony seam: Alibaba Cloud 号码隐私保护 and Huawei Cloud 隐私保护通话,
each against a local fake server that checks signatures as documented; receipts replayed as
documented, twice and out of order; `relay doctor`."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import Conflict
from parcelguard.relay import service
from parcelguard.relay.models import Binding, CallRecord, Recording
from parcelguard.relay.numbers import national
from parcelguard.relay.providers.aliyun import signature, string_to_sign
from tests.relay.conftest import World, configure, dispatch, event
from tests.relay.fakes import (
    RECORDING,
    FakeAliyun,
    FakeHuawei,
    huawei_headers,
    serving,
)
from tests.relay.test_axe import AXE_X, add_axe
from tests.relay.test_routing import bound_number

TOKEN = "receipt-token-0123"


def test_the_rpc_signature_matches_alibabas_published_example() -> None:
    params = {
        "Timestamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert string_to_sign("GET", params).startswith(
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
    )
    assert signature("testsecret", "GET", params) == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def aliyun_config(url: str, **more: object) -> dict[str, object]:
    """The `[relay]` table of a tenant on the fake Alibaba platform at `url`."""
    return {
        "provider": "aliyun",
        "aliyun_access_key_id": "LTAI-test",
        "aliyun_access_key_secret": "aliyun-secret",
        "aliyun_pool_key": "FC100000",
        "aliyun_endpoint": url,
        "aliyun_receipt_token": TOKEN,
        "record_calls": True,
        **more,
    }


@pytest.fixture
def aliyun(world: World) -> Iterator[FakeAliyun]:
    with serving(FakeAliyun("LTAI-test", "aliyun-secret")) as fake:
        # public_base_url stands in for the proxy in front of this server.
        configure(world.rt, **aliyun_config(fake.url, public_base_url=fake.url))
        yield fake


def binding_of(world: World, i: int = 0) -> Binding:
    from parcelguard.vault.service import get_or_raise

    with world.rt.db.session() as session:
        shipment = get_or_raise(session, world.rt.tenant, world.waybill(i))
        found = session.scalars(
            select(Binding).where(Binding.shipment_id == shipment.shipment_id)
        ).all()
        for b in found:
            session.expunge(b)
        return found[-1]


def test_a_binding_is_pushed_to_alibaba_with_a_valid_signature(
    world: World, aliyun: FakeAliyun
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    [bind] = aliyun.seen.calls
    assert bind["Action"] == "BindAxb" and bind["PoolKey"] == "FC100000"
    assert bind["PhoneNoA"] == national(f"+86{world.couriers[0].phone}")
    assert bind["PhoneNoB"] == national(f"+86{world.recipient(0)}")
    assert f"+86{bind['PhoneNoX']}" == bound_number(world)
    assert bind["Version"] == "2017-05-25" and bind["Format"] == "JSON"
    assert binding_of(world).provider_ref == "1000000000000001"
    assert aliyun.seen.refused == []


def test_an_axe_binding_goes_to_alibaba_as_bind_axn_extension(
    world: World, aliyun: FakeAliyun
) -> None:
    configure(
        world.rt,
        provider="aliyun",
        aliyun_access_key_id="LTAI-test",
        aliyun_access_key_secret="aliyun-secret",
        aliyun_endpoint=aliyun.url,
        auto_kind="axe",
        extension_digits=3,  # Alibaba's extensions have 1 to 3 digits
    )
    add_axe(world.rt, AXE_X)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    [bind] = aliyun.seen.calls
    assert bind["Action"] == "BindAxnExtension"
    assert bind["Extension"] == binding_of(world).extension and len(bind["Extension"]) == 3
    assert bind["PhoneNoA"] == national(f"+86{world.recipient(0)}")


def test_a_forged_signature_is_refused_and_no_binding_is_kept(
    world: World, aliyun: FakeAliyun
) -> None:
    configure(
        world.rt,
        provider="aliyun",
        aliyun_access_key_id="LTAI-test",
        aliyun_access_key_secret="not-the-secret",
        aliyun_endpoint=aliyun.url,
    )
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    with pytest.raises(Conflict) as refused:
        service.bind_waybill(world.rt, SYSTEM, world.waybill(0))
    assert refused.value.code == "provider_error"
    assert refused.value.details == {"action": "BindAxb", "code": "SignatureDoesNotMatch"}
    assert aliyun.seen.refused == ["SignatureDoesNotMatch"]
    with world.rt.db.session() as session:
        assert session.scalars(select(Binding)).all() == []


def test_releasing_unbinds_on_alibaba(world: World, aliyun: FakeAliyun) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding, x = binding_of(world), bound_number(world)
    with world.rt.db.session() as session:
        service.release_binding(world.rt, session, SYSTEM, binding.binding_id)
    unbind = aliyun.seen.calls[-1]
    assert unbind["Action"] == "UnbindSubscription"
    assert unbind["SubsId"] == binding.provider_ref
    assert f"+86{unbind['SecretNo']}" == x


def _aliyun_report(world: World, x: str, sub_id: str, call_id: str) -> dict:
    """SecretReport as Alibaba documents it (HTTP batch push), with this test's numbers."""
    return {
        "phone_no": world.couriers[0].phone,
        "city": "北京",
        "call_out_time": "2026-11-02 09:11:30",
        "ring_time": "2026-11-02 09:11:35",
        "free_ring_time": "2026-11-02 09:11:35",
        "control_msg": "OK",
        "id": 1014568510001,
        "secret_no": national(x),
        "call_type": 0,
        "control_type": "CONTINUE",
        "release_time": "2026-11-02 09:12:41",
        "pool_key": "FC100000",
        "sub_id": int(sub_id),
        "unconnected_cause": 0,
        "call_time": "2026-11-02 09:11:29",
        "peer_no": world.recipient(0),
        "called_display_no": national(x),
        "release_dir": 1,
        "call_id": call_id,
        "start_time": "2026-11-02 09:11:38",
        "partner_key": "FC100000",
        "out_id": "",
        "release_cause": 31,
    }


def _push(client: TestClient, kind: str, items: list[dict], token: str = TOKEN):
    return client.post(
        f"/relay/aliyun/receipts/{kind}?token={token}",
        content=json.dumps(items, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
    )


def test_alibaba_receipts_apply_once_whatever_their_order_and_repeats(
    world: World, aliyun: FakeAliyun, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    x = bound_number(world)
    report = _aliyun_report(world, x, binding.provider_ref or "", "4361263371200001")
    ring = {
        k: report[k]
        for k in (
            "phone_no",
            "secret_no",
            "peer_no",
            "call_type",
            "call_id",
            "call_time",
            "pool_key",
            "ring_time",
            "sub_id",
            "city",
        )
    }
    start = {**ring, "unconnected_cause": 0, "called_display_no": national(x)}
    recording = {
        "call_id": report["call_id"],
        "call_time": report["call_time"],
        "pool_key": "FC100000",
        "sub_id": report["sub_id"],
        "status": True,
    }
    answered = _push(client, "SecretReport", [report])  # the end first
    assert answered.status_code == 200 and answered.json() == {"code": 0, "msg": "成功"}
    assert _push(client, "SecretRingReport", [ring]).status_code == 200  # late
    assert _push(client, "SecretStartReport", [start, start]).status_code == 200  # twice
    assert _push(client, "SecretReport", [report]).status_code == 200  # again
    assert _push(client, "SecretRecording", [recording]).status_code == 200
    assert _push(client, "SecretRecording", [recording]).status_code == 200
    with world.rt.db.session() as session:
        [record] = session.scalars(select(CallRecord)).all()
        kept = session.scalars(select(Recording)).all()
    assert record.status == "completed" and record.duration_s == 63
    assert record.binding_id == binding.binding_id
    assert record.caller_masked and world.couriers[0].phone not in record.caller_masked
    assert len(kept) == 1 and kept[0].size == len(RECORDING)
    assert aliyun.seen.downloads == 1
    assert RECORDING not in (kept[0].sealed or b"")


def test_alibaba_receipts_without_the_token_are_refused(
    world: World, aliyun: FakeAliyun, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    report = _aliyun_report(world, bound_number(world), "1", "c-forged")
    assert _push(client, "SecretReport", [report], token="guess").status_code == 403
    assert client.post("/relay/aliyun/receipts/SecretReport", json=[report]).status_code == 403
    with world.rt.db.session() as session:
        assert session.scalars(select(CallRecord)).all() == []


def test_axb_and_axe_bindings_go_to_huawei_with_valid_aksk(
    world: World, huawei: FakeHuawei
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    configure(
        world.rt,
        provider="huawei",
        huawei_app_key="hw-app-key",
        huawei_app_secret="hw-app-secret",
        huawei_endpoint=huawei.url,
        auto_kind="axe",
    )
    add_axe(world.rt, AXE_X)
    dispatch(world.rt, world.waybill(1), world.couriers[1])
    axb, axe = huawei.seen.calls
    assert axb["path"] == "/rest/caas/relationnumber/partners/v1.0"
    assert axb["relationNum"] == bound_number(world)
    assert axb["callerNum"] == f"+86{world.couriers[0].phone}"
    assert axe["path"] == "/rest/caas/extendnumber/v1.0"
    assert axe["extendNum"] == binding_of(world, 1).extension
    assert axe["bindNum"] == f"+86{world.recipient(1)}"
    assert binding_of(world, 1).provider_ref == "hw-2"
    assert huawei.seen.refused == []


def test_a_wrong_app_secret_is_refused_by_huawei(world: World, huawei: FakeHuawei) -> None:
    configure(
        world.rt,
        provider="huawei",
        huawei_app_key="hw-app-key",
        huawei_app_secret="wrong",
        huawei_endpoint=huawei.url,
    )
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    with pytest.raises(Conflict):
        service.bind_waybill(world.rt, SYSTEM, world.waybill(0))
    assert huawei.seen.refused == ["x-aksk"]


def _notice(
    client: TestClient,
    body: dict,
    *,
    secret: str = "hw-app-secret",  # noqa: S107 - the fake platform's test secret
    nonce=None,
    created: str | None = None,
    path: str = "/relay/huawei/events",
):
    headers = huawei_headers("hw-app-key", secret, nonce or secrets.token_hex(16), created)
    return client.post(path, content=json.dumps(body).encode(), headers=headers)


def _huawei_events(world: World, sub: str) -> list[dict]:
    """The documented AXB call events: callin, alerting, answer, disconnect; and a fee notice."""
    session_id = "1202_1051_4294967295_20261102010250@callenabler246.huaweicaas.com"
    info = {
        "sessionId": session_id,
        "caller": f"+86{world.couriers[0].phone}",
        "called": f"+86{world.recipient(0)}",
        "subscriptionId": sub,
    }
    events = [
        {"eventType": e, "statusInfo": {**info, "timestamp": f"2026-11-02 01:0{i}:00"}}
        for i, e in enumerate(("callin", "alerting", "answer", "disconnect"))
    ]
    events[-1]["statusInfo"] |= {"stateCode": 0, "stateDesc": "The user releases the call."}
    fee = {
        "eventType": "fee",
        "feeLst": [
            {
                "direction": 0,
                "spId": "sp",
                "appKey": "hw-app-key",
                "icid": "ba171f34e6953fcd",
                "bindNum": f"+86{world.couriers[0].phone}",
                "sessionId": session_id,
                "subscriptionId": sub,
                "callerNum": f"+86{world.couriers[0].phone}",
                "calleeNum": f"+86{world.recipient(0)}",
                "fwdDisplayNum": "+8617000000000",
                "fwdDstNum": f"+86{world.recipient(0)}",
                "callInTime": "2026-11-02 01:00:00",
                "fwdStartTime": "2026-11-02 01:00:01",
                "fwdAlertingTime": "2026-11-02 01:00:02",
                "fwdAnswerTime": "2026-11-02 01:02:00",
                "callEndTime": "2026-11-02 01:03:30",
                "fwdUnaswRsn": 0,
                "ulFailReason": 0,
                "sipStatusCode": 0,
                "recordFlag": 1,
                "recordStartTime": "2026-11-02 01:02:00",
                "recordObjectName": "record.wav",
                "recordBucketName": "sp-bucket",
                "recordDomain": "ostor.huawei.com",
                "serviceType": "002",
                "hostName": "callenabler246.huaweicaas.com",
            }
        ],
    }
    return [*events, fee]


def test_huawei_notices_apply_once_in_any_order_and_keep_the_recording_sealed(
    world: World, huawei: FakeHuawei, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    callin, alerting, answer, disconnect, fee = _huawei_events(world, binding.provider_ref or "")
    for body in (disconnect, callin, fee, answer, alerting, disconnect, fee):
        assert _notice(client, body).status_code == 200
    with world.rt.db.session() as session:
        [record] = session.scalars(select(CallRecord)).all()
        [kept] = session.scalars(select(Recording)).all()
    assert record.status == "completed" and record.duration_s == 90
    assert record.binding_id == binding.binding_id
    assert huawei.seen.downloads == 1 and kept.content_type == "audio/wav"


def test_forged_stale_and_replayed_huawei_notices_are_refused(
    world: World, huawei: FakeHuawei, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    callin = _huawei_events(world, "x")[0]
    assert _notice(client, callin, secret="forged").status_code == 403
    stale = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _notice(client, callin, created=stale).status_code == 403
    assert _notice(client, callin, nonce="N1").status_code == 200
    assert _notice(client, callin, nonce="N1").status_code == 403  # the same nonce again
    assert client.post("/relay/huawei/events", json=callin).status_code == 403


def test_relay_doctor_checks_credentials_and_callback_reachability(
    world: World, huawei: FakeHuawei, cli
) -> None:
    good = cli("relay", "doctor", "--json")
    assert good.code == 0, good.stdout
    assert [c["ok"] for c in good.json["checks"]] == [True, True]
    configure(
        world.rt,
        provider="huawei",
        huawei_app_key="hw-app-key",
        huawei_app_secret="wrong",
        huawei_endpoint=huawei.url,
        public_base_url="http://127.0.0.1:9",
    )
    bad = cli("relay", "doctor", "--json")
    assert bad.code == 1 and bad.json["error"]["code"] == "relay_doctor_failed"
    assert [c["ok"] for c in bad.json["error"]["details"]["checks"]] == [False, False]
    assert "hw-app-secret" not in bad.stdout and "wrong" not in bad.stdout


def test_without_record_calls_no_recording_is_fetched_or_kept(
    world: World, aliyun: FakeAliyun, client: TestClient
) -> None:
    configure(
        world.rt,
        provider="aliyun",
        aliyun_access_key_id="LTAI-test",
        aliyun_access_key_secret="aliyun-secret",
        aliyun_endpoint=aliyun.url,
        aliyun_receipt_token=TOKEN,
        record_calls=False,
    )
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = binding_of(world)
    report = _aliyun_report(world, bound_number(world), binding.provider_ref or "", "c-norec")
    report["record_url"] = f"{aliyun.url}/oss/c-norec.mp3"
    assert _push(client, "SecretReport", [report]).status_code == 200
    assert aliyun.seen.downloads == 0
    assert aliyun.seen.calls[0]["IsRecordingEnabled"] == "false"
    with world.rt.db.session() as session:
        assert session.scalars(select(Recording)).all() == []

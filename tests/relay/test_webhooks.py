"""Webhooks: provider-neutral HMAC signatures, the Twilio adapter (TwiML, X-Twilio-Signature),
and call records that survive late, repeated and reordered status callbacks."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from parcelguard.relay.models import CallRecord
from tests.relay.conftest import (
    SECRET,
    TWILIO_TOKEN,
    World,
    configure,
    dispatch,
    neutral_post,
)
from tests.relay.test_routing import STRANGER, bound_number

BASE = "http://testserver"


@pytest.fixture
def out(world: World) -> str:
    """Parcel 0 out for delivery with courier 0; return its virtual number."""
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    return bound_number(world)


def records(world: World) -> list[CallRecord]:
    with world.rt.db.session() as session:
        return list(session.scalars(select(CallRecord)))


def twilio_post(
    client: TestClient,
    path: str,
    params: dict[str, str],
    token: str = TWILIO_TOKEN,
    url: str | None = None,
    headers: dict[str, str] | None = None,
    algorithm: str | None = None,
) -> Any:
    signature = RequestValidator(token).compute_signature(url or BASE + path, params, algorithm)
    return client.post(
        path,
        content=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
            **(headers or {}),
        },
    )


def test_signed_neutral_call_is_routed(world: World, client: TestClient, out: str) -> None:
    post = neutral_post(client)
    answer = post("/relay/voice", {"from": world.couriers[0].phone, "to": out, "call_id": "c-1"})
    assert answer.status_code == 200
    assert answer.json() == {
        "action": "connect",
        "number": "+86" + world.recipient(0),
        "reason": None,
    }
    sms = post(
        "/relay/sms", {"from": world.recipient(0), "to": out, "call_id": "m-1", "text": "到了吗"}
    )
    assert sms.json()["number"] == "+86" + world.couriers[0].phone
    assert {(r.call_id, r.channel, r.decision) for r in records(world)} == {
        ("c-1", "voice", "connect"),
        ("m-1", "sms", "connect"),
    }


@pytest.mark.parametrize(
    "tamper",
    ["unsigned", "wrong_secret", "stale", "body_changed", "future"],
)
def test_neutral_webhook_refuses_bad_signatures(
    world: World, client: TestClient, out: str, tamper: str
) -> None:
    import json

    from parcelguard.relay.signatures import signed_headers

    body = json.dumps({"from": world.couriers[0].phone, "to": out, "call_id": "c-x"}).encode()
    now = int(time.time())
    secret = b"not-the-secret" if tamper == "wrong_secret" else SECRET.encode()
    at = {"stale": now - 400, "future": now + 400}.get(tamper, now)
    headers = signed_headers(secret, at, body)
    if tamper == "unsigned":
        headers = {"Content-Type": "application/json"}
    if tamper == "body_changed":
        body = body.replace(b"c-x", b"c-y")
    answer = client.post("/relay/voice", content=body, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "bad_signature"
    assert world.recipient(0) not in answer.text
    assert records(world) == []


def test_a_tenant_secret_wins_and_no_secret_refuses_everything(
    world: World, client: TestClient, out: str
) -> None:
    post = neutral_post(client)
    payload = {"from": world.couriers[0].phone, "to": out, "call_id": "c-2"}
    configure(world.rt, tenant_secrets={"t1": "tenant-own-secret"})
    assert post("/relay/voice", payload).status_code == 403
    assert post("/relay/voice", payload, secret="tenant-own-secret").status_code == 200
    configure(world.rt, webhook_secret=None)
    assert post("/relay/voice", payload).status_code == 403


def test_invalid_body_names_the_field(world: World, client: TestClient, out: str) -> None:
    answer = neutral_post(client)("/relay/voice", {"from": world.couriers[0].phone})
    assert answer.status_code == 400
    assert answer.json()["error"]["details"] == ["to"]


def test_twilio_signed_call_gets_a_dial(world: World, client: TestClient, out: str) -> None:
    params = {"CallSid": "CA100", "From": "+86" + world.couriers[0].phone, "To": out}
    answer = twilio_post(client, "/relay/twilio/voice", params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    assert f'<Dial callerId="{out}"' in answer.text
    assert f">+86{world.recipient(0)}</Number>" in answer.text
    assert 'statusCallback="http://testserver/relay/twilio/status"' in answer.text


def test_forged_twilio_request_is_refused(world: World, client: TestClient, out: str) -> None:
    params = {"CallSid": "CA101", "From": "+86" + world.couriers[0].phone, "To": out}
    forged = twilio_post(client, "/relay/twilio/voice", params, token="someone-elses-token")
    assert forged.status_code == 403
    unsigned = client.post(
        "/relay/twilio/voice",
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert unsigned.status_code == 403
    changed = twilio_post(client, "/relay/twilio/voice", {**params, "From": STRANGER})
    assert changed.status_code == 200  # a correctly signed stranger is routed … and rejected
    assert "<Dial" not in changed.text and "<Say" in changed.text
    assert records(world)[0].reason == "stranger"


def test_twilio_behind_a_proxy_signs_the_public_url(
    world: World, client: TestClient, out: str
) -> None:
    configure(world.rt, public_base_url="https://relay.example.cn")
    params = {"CallSid": "CA102", "From": "+86" + world.couriers[0].phone, "To": out}
    local = twilio_post(client, "/relay/twilio/voice", params)
    assert local.status_code == 403
    public = twilio_post(
        client, "/relay/twilio/voice", params, url="https://relay.example.cn/relay/twilio/voice"
    )
    assert public.status_code == 200
    assert 'statusCallback="https://relay.example.cn/relay/twilio/status"' in public.text


def test_twilio_shared_key_signatures(world: World, client: TestClient, out: str) -> None:
    params = {"CallSid": "CA103", "From": "+86" + world.couriers[0].phone, "To": out}
    settings = {"X-Twilio-Webhooks-Signature-Settings": "key=KS1,algorithm=HMAC_SHA256"}
    missing = twilio_post(
        client,
        "/relay/twilio/voice",
        params,
        token="shared",
        headers=settings,
        algorithm="HMAC_SHA256",
    )
    assert missing.status_code == 500
    assert missing.json()["error"]["code"] == "twilio_shared_key_missing"
    configure(world.rt, twilio_shared_key="shared")
    signed = twilio_post(
        client,
        "/relay/twilio/voice",
        params,
        token="shared",
        headers=settings,
        algorithm="HMAC_SHA256",
    )
    assert signed.status_code == 200 and "<Dial" in signed.text
    with_token = twilio_post(client, "/relay/twilio/voice", params, headers=settings)
    assert with_token.status_code == 403


def test_twilio_unbound_callers_hear_a_chinese_rejection(
    world: World, client: TestClient, out: str
) -> None:
    params = {"CallSid": "CA104", "From": "+86" + STRANGER, "To": out}
    answer = twilio_post(client, "/relay/twilio/voice", params)
    assert 'language="cmn-CN"' in answer.text and "无法接通" in answer.text
    assert "<Hangup" in answer.text
    assert world.recipient(0) not in answer.text and world.couriers[0].phone not in answer.text
    unknown = twilio_post(
        client, "/relay/twilio/voice", {**params, "CallSid": "CA105", "To": "+8617099999999"}
    )
    assert "<Reject" in unknown.text


def test_twilio_sms_is_forwarded_from_the_virtual_number(
    world: World, client: TestClient, out: str
) -> None:
    params = {
        "MessageSid": "SM1",
        "From": "+86" + world.recipient(0),
        "To": out,
        "Body": "放门口就行",
    }
    answer = twilio_post(client, "/relay/twilio/sms", params)
    assert f'from="{out}"' in answer.text and f'to="+86{world.couriers[0].phone}"' in answer.text
    assert "放门口就行" in answer.text


def test_callbacks_late_twice_and_out_of_order_make_one_final_record(
    world: World, client: TestClient, out: str
) -> None:
    params = {"CallSid": "CA200", "From": "+86" + world.couriers[0].phone, "To": out}
    twilio_post(client, "/relay/twilio/voice", params)

    def status(status: str, **extra: str) -> int:
        form = {"CallSid": "CA200", "CallStatus": status, **extra}
        return twilio_post(client, "/relay/twilio/status", form).status_code

    assert status("completed", CallDuration="42") == 204
    assert status("ringing") == 204
    assert status("completed", CallDuration="42") == 204
    assert status("in-progress") == 204
    assert status("busy", CallDuration="7") == 204
    [record] = records(world)
    assert record.status == "completed" and record.duration_s == 42
    assert record.answered_at is not None and record.ended_at is not None
    assert (
        record.caller_masked
        == world.couriers[0].phone[:3] + "******" + world.couriers[0].phone[-2:]
    )


def test_child_leg_callbacks_report_for_the_parent_call(
    world: World, client: TestClient, out: str
) -> None:
    params = {"CallSid": "CA300", "From": "+86" + world.couriers[0].phone, "To": out}
    twilio_post(client, "/relay/twilio/voice", params)
    child = {
        "CallSid": "CA301",
        "ParentCallSid": "CA300",
        "CallStatus": "completed",
        "CallDuration": "15",
        "From": out,
        "To": "+86" + world.recipient(0),
    }
    twilio_post(client, "/relay/twilio/status", child)
    [record] = records(world)
    assert (record.call_id, record.status, record.duration_s) == ("CA300", "completed", 15)


def test_neutral_status_before_the_route_still_makes_one_record(
    world: World, client: TestClient, out: str
) -> None:
    post = neutral_post(client)
    assert post("/relay/status", {"call_id": "n-1", "status": "ringing"}).json() == {
        "call_id": "n-1",
        "status": "ringing",
    }
    post("/relay/voice", {"from": world.recipient(0), "to": out, "call_id": "n-1"})
    post("/relay/status", {"call_id": "n-1", "status": "answered"})
    post("/relay/status", {"call_id": "n-1", "status": "completed", "duration": 30})
    post("/relay/status", {"call_id": "n-1", "status": "ringing"})
    [record] = records(world)
    assert (record.status, record.duration_s, record.decision) == ("completed", 30, "connect")
    assert record.direction == "b_to_a" and record.binding_id is not None
    unknown = post("/relay/status", {"call_id": "n-1", "status": "teleported"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_status"
    assert (
        post("/relay/status", {"call_id": "n-2", "status": "ringing"}, secret="x").status_code
        == 403
    )

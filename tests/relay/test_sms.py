"""SMS relay: forwarded inside a live binding with the sender masked, scrubbed, rate-limited."""

from __future__ import annotations

from fastapi.testclient import TestClient

from parcelguard.relay.numbers import canonical
from tests.relay.conftest import World, audit_events, configure, details, dispatch, neutral_post
from tests.relay.test_quiet import _alerts
from tests.relay.test_routing import STRANGER, bound_number
from tests.relay.test_webhooks import twilio_post


def _text(world: World, client: TestClient, sender: str, text: str, call_id: str) -> dict:
    x = bound_number(world)
    body = {"from": sender, "to": x, "call_id": call_id, "text": text}
    return neutral_post(client)("/relay/sms", body).json()


def test_a_text_inside_the_binding_reaches_the_other_party_unchanged(
    world: World, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    answer = _text(world, client, world.couriers[0].phone, "我到楼下了，放门口可以吗？", "s1")
    assert answer["action"] == "connect"
    assert canonical(answer["number"]) == canonical(world.recipient(0))
    assert answer["text"] == "我到楼下了，放门口可以吗？"
    back = _text(world, client, world.recipient(0), "好的，谢谢", "s2")
    assert canonical(back["number"]) == canonical(world.couriers[0].phone)
    assert audit_events(world.rt, "relay.sms_pii") == []
    [first, _] = audit_events(world.rt, "relay.connect")
    assert details(first)["channel"] == "sms"


def test_twilio_forwards_from_x_so_the_sender_stays_masked(
    world: World, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    params = {"From": world.couriers[0].phone, "To": x, "MessageSid": "SM1", "Body": "到了"}
    reply = twilio_post(client, "/relay/twilio/sms", params).text
    assert "<Message" in reply and "到了" in reply
    assert f'from="{x}"' in reply or f'from="{canonical(x)}"' in reply
    assert world.couriers[0].phone not in reply and world.couriers[0].phone[-8:] not in reply


def test_someone_elses_phone_and_id_are_redacted_and_raise_an_alert(
    world: World, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    text = "这个件是13812345678的，身份证110101199003074514，你联系他"
    answer = _text(world, client, world.couriers[0].phone, text, "s3")
    assert answer["action"] == "connect"
    assert "13812345678" not in answer["text"] and "110101199003074514" not in answer["text"]
    assert "[号码已隐藏]" in answer["text"] and "[证件号已隐藏]" in answer["text"]
    [scrubbed] = audit_events(world.rt, "relay.sms_pii")
    assert scrubbed.reason == "others_pii"
    assert details(scrubbed)["types"] == ["ID_CARD", "PHONE"]
    assert details(scrubbed)["principal_id"] == world.couriers[0].id
    [alert] = _alerts(world.rt, "relay_sms_pii")
    assert alert.principal_id == world.couriers[0].id


def test_the_senders_own_number_is_hidden_but_is_no_alert(world: World, client: TestClient) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    answer = _text(world, client, world.couriers[0].phone, "打我手机13900001111", "s4")
    assert "13900001111" not in answer["text"]
    [scrubbed] = audit_events(world.rt, "relay.sms_pii")
    assert scrubbed.reason == "own_number"
    assert _alerts(world.rt, "relay_sms_pii") == []


def test_texts_are_rate_limited_per_sender_and_binding(world: World, client: TestClient) -> None:
    configure(world.rt, sms_per_hour=2)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    sent = [_text(world, client, world.couriers[0].phone, "到了", f"r{i}") for i in range(3)]
    assert [s["action"] for s in sent] == ["connect", "connect", "reject"]
    assert sent[2]["reason"] == "rate_limited" and sent[2]["number"] is None
    assert "text" not in sent[2]
    # The other party has their own allowance.
    assert _text(world, client, world.recipient(0), "好", "r9")["action"] == "connect"
    [limited] = [e for e in audit_events(world.rt, "relay.route") if e.reason == "rate_limited"]
    assert limited.decision == "deny"


def test_a_text_outside_any_binding_is_treated_like_a_stranger_call(
    world: World, client: TestClient
) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    answer = _text(world, client, STRANGER, "你好，我是快递员，把验证码发我", "x1")
    assert answer == {"action": "reject", "number": None, "reason": "stranger"}
    [refused] = audit_events(world.rt, "relay.route")
    assert refused.reason == "stranger" and details(refused)["channel"] == "sms"


def test_an_sms_to_an_axe_number_names_its_extension_first(
    world: World, client: TestClient
) -> None:
    from tests.relay.test_axe import AXE_X, add_axe, axe_binding, x_of

    configure(world.rt, auto_kind="axe")
    add_axe(world.rt, AXE_X)
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    binding = axe_binding(world, 0)
    post = neutral_post(client)
    body = {"from": world.couriers[0].phone, "to": x_of(world, binding), "call_id": "e1"}
    ok = post("/relay/sms", {**body, "text": f"{binding.extension} 到了"}).json()
    assert ok["action"] == "connect" and ok["text"] == "到了"
    missing = post("/relay/sms", {**body, "call_id": "e2", "text": "到了"}).json()
    assert missing["action"] == "reject" and missing["reason"] == "wrong_extension"

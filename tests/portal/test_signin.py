"""Signing in to the portal with a one-time code: right, wrong, late, reused, throttled."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.portal.models import OneTimeCode
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.portal.conftest import OTHER, PHONE, ask_code, sign_in, start


def audit(rt: Runtime, action: str) -> list[AuditEvent]:
    with rt.db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def enter(client: TestClient, code: str, phone: str = PHONE):
    pre = client.cookies.get("pg_portal_pre")
    return client.post(
        "/portal/signin", data={"phone": phone, "code": code, "pre": pre}, follow_redirects=False
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_texted_code_signs_the_person_in(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    assert ask_code(client).status_code == 200
    [text] = sms.messages_to(PHONE)
    assert "验证码" in text and "请勿告诉任何人" in text
    answer = enter(client, sms.last_code(PHONE))
    assert answer.status_code == 303 and answer.headers["location"] == "/portal"
    cookie = answer.headers["set-cookie"].lower()
    assert "pg_portal=" in cookie and "httponly" in cookie
    assert "samesite=strict" in cookie and "path=/portal" in cookie
    home = client.get("/portal")
    assert "138******00" in home.text and "谁看过我的信息" in home.text
    assert "default-src 'self'" in home.headers["content-security-policy"]
    for action in ("portal.otp_sent", "portal.signin"):
        [event] = audit(rt, action)
        assert PHONE not in event.details and "13800138000" not in (event.actor_id or "")
        assert len(json.loads(event.details)["phone"]) == 8


def test_codes_are_stored_only_as_keyed_hashes(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    ask_code(client)
    code = sms.last_code(PHONE)
    with rt.db.session() as session:
        [row] = session.scalars(select(OneTimeCode))
        assert code.encode() not in row.code_hash and len(row.code_hash) == 32


def test_a_wrong_code_is_refused_and_audited(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    ask_code(client)
    answer = enter(client, wrong(sms.last_code(PHONE)))
    assert answer.status_code == 401 and "验证码不正确" in answer.text
    assert "pg_portal=" not in answer.headers.get("set-cookie", "")
    [event] = audit(rt, "portal.otp_failed")
    assert event.reason == "otp_invalid" and PHONE not in event.details


def test_a_code_expires_after_five_minutes(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    ask_code(client)
    rt.clock.advance(minutes=5, seconds=1)  # type: ignore[attr-defined]
    answer = enter(client, sms.last_code(PHONE))
    assert answer.status_code == 401 and "已过期" in answer.text


def test_a_code_works_once(client: TestClient, sms: RecordingSmsProvider, rt: Runtime) -> None:
    csrf = sign_in(client, sms)
    code = sms.last_code(PHONE)
    client.post("/portal/signout", data={"csrf": csrf})
    assert client.get("/portal/parcels", follow_redirects=False).status_code == 303
    start(client)
    answer = enter(client, code)
    assert answer.status_code == 401 and "已使用过" in answer.text


def test_a_new_code_replaces_the_old_one(client: TestClient, sms: RecordingSmsProvider) -> None:
    ask_code(client)
    first = sms.last_code(PHONE)
    ask_code(client)
    second = sms.last_code(PHONE)
    if first != second:
        assert enter(client, first).status_code == 401
    assert enter(client, second).status_code == 303


@pytest.mark.usefixtures("limits_storage")
def test_five_wrong_codes_lock_sign_in_for_fifteen_minutes(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    ask_code(client)
    code = sms.last_code(PHONE)
    statuses = [enter(client, wrong(code)).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    assert enter(client, code).status_code == 429  # even the right code, while locked
    assert ask_code(client).status_code == 429  # and no new code either
    rt.clock.advance(minutes=15, seconds=1)  # type: ignore[attr-defined]
    assert ask_code(client).status_code == 200
    assert enter(client, sms.last_code(PHONE)).status_code == 303
    locked = [e for e in audit(rt, "portal.otp_failed") if e.reason == "otp_locked"]
    assert locked


@pytest.mark.usefixtures("limits_storage")
def test_three_codes_per_phone_in_ten_minutes(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    assert [ask_code(client).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(sms.messages_to(PHONE)) == 3
    refused = [e for e in audit(rt, "portal.otp_sent") if e.decision == "deny"]
    assert refused and refused[0].reason == "otp_send_limit"
    # A moving window: the first send leaves it once more than ten minutes have passed.
    rt.clock.advance(minutes=10, seconds=1)  # type: ignore[attr-defined]
    assert ask_code(client).status_code == 200


@pytest.mark.usefixtures("limits_storage")
def test_sends_are_limited_per_address_too(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    rt.settings.sections["portal"] = {"sends_per_ip": 2}
    phones = ["13800138001", "13800138002", "13800138003"]
    assert [ask_code(client, p).status_code for p in phones] == [200, 200, 429]
    assert not sms.messages_to(phones[2])


@pytest.mark.parametrize("phone", ["0571-88888888", "12345", "", "138001380001"])
def test_only_mobile_numbers_get_codes(
    client: TestClient, sms: RecordingSmsProvider, phone: str
) -> None:
    answer = ask_code(client, phone)
    assert answer.status_code == 400 and "手机号" in answer.text
    assert not sms.sent


def test_forms_without_the_pre_session_token_are_refused(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    start(client)
    answer = client.post("/portal/code", data={"phone": PHONE, "pre": "forged"})
    assert answer.status_code == 403 and not sms.sent


def test_pages_and_forms_need_a_session_and_its_token(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    for path in ("/portal/parcels", "/portal/access", "/portal/complaints", "/portal/erase"):
        assert client.get(path, follow_redirects=False).status_code == 303
    sign_in(client, sms)
    forged = client.post("/portal/erase", data={"csrf": "forged", "confirm": "yes"})
    assert forged.status_code == 403


def test_the_portal_speaks_english_on_request(
    client: TestClient, sms: RecordingSmsProvider
) -> None:
    page = client.get("/portal?lang=en")
    assert "Sign in with your mobile number" in page.text and 'lang="en"' in page.text
    assert ask_code(client, OTHER).status_code == 200

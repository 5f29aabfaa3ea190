"""Console pages for customer service (queue, complaint, answer) and admins (accounts, policy)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from parcelguard.access import sessions as staff_sessions
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.complaints.conftest import TEXT, file_complaint
from tests.portal.conftest import PHONE, add_user, courier_reveals_address, sign_in


def staff_client(rt: Runtime, client: TestClient, principal_id: str, role: str) -> str:
    """Sign a member of staff in (as the passkey flow would); return the session's CSRF token."""
    with rt.db.session() as session:
        opened = staff_sessions.open_session(
            rt, session, principal_id, role, step_up_at=rt.clock.now()
        )
    client.cookies.set(staff_sessions.COOKIE, opened.token)
    return opened.csrf_token


def test_the_queue_and_a_complaint_page_then_an_answer_from_the_console(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    waybill = parcels[0]["waybill_no"]
    courier_reveals_address(cli, waybill)
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [waybill])
    agent, _ = add_user(cli, "customer_service")
    staff = TestClient(client.app)
    token = staff_client(rt, staff, agent, "customer_service")

    queue = staff.get("/console/service")
    assert queue.status_code == 200 and complaint_id in queue.text and "处理中" in queue.text
    assert "<script>" not in queue.text and 'src="/static/portal.js"' in queue.text
    rt.clock.advance(days=8)  # type: ignore[attr-defined]
    token = staff_client(rt, staff, agent, "customer_service")  # a day's session later
    overdue = staff.get("/console/service?status=overdue")
    assert complaint_id in overdue.text and "已超时" in overdue.text

    page = staff.get(f"/console/service/complaints/{complaint_id}")
    assert page.status_code == 200
    assert TEXT in page.text and "快递员" in page.text and "st-xihu" in page.text
    assert 'class="pg-cs-reveal' in page.text and f'data-complaint="{complaint_id}"' in page.text
    assert parcels[0]["recipient_address"] not in page.text  # masked until revealed

    url = f"/console/service/complaints/{complaint_id}/answer"
    forged = staff.post(url, json={"text": "已处理"}, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    answered = staff.post(url, json={"text": "已处理，谢谢。"}, headers={"X-CSRF-Token": token})
    assert answered.status_code == 200
    assert answered.json() == {"next": f"/console/service/complaints/{complaint_id}"}
    assert "已有答复" in sms.messages_to(PHONE)[-1]
    assert "已处理，谢谢。" in staff.get(answered.json()["next"]).text


def test_console_pages_need_the_right_session(
    client: TestClient, cli: Callable[..., Any], rt: Runtime
) -> None:
    for path in ("/console/service", "/console/admin", "/console/admin/policy"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/login"
    courier, _ = add_user(cli, "courier")
    staff_client(rt, client, courier, "courier")
    assert client.get("/console/service").status_code == 403
    assert client.get("/console/admin").status_code == 403


def test_admin_pages_manage_accounts_and_show_the_policy(
    client: TestClient, cli: Callable[..., Any], rt: Runtime
) -> None:
    admin, _ = add_user(cli, "admin")
    token = staff_client(rt, client, admin, "admin")
    page = client.get("/console/admin")
    assert page.status_code == 200 and "测试admin" in page.text
    headers = {"X-CSRF-Token": token}
    made = client.post(
        "/console/admin/users",
        json={"name": "王小明", "role": "courier", "station": "st-xihu", "trained_until": ""},
        headers=headers,
    )
    assert made.status_code == 200 and made.json()["show"]["value"].startswith("pg_")
    listed = client.get("/console/admin").text
    assert "王小明" in listed
    new_id = re.findall(r'data-principal="([0-9a-f]+)"', listed)[-1]
    trained = client.post(
        f"/console/admin/users/{new_id}/training", json={"until": "2027-06-30"}, headers=headers
    )
    assert trained.status_code == 200 and "2027-06-30" in client.get("/console/admin").text
    key = client.post(f"/console/admin/users/{new_id}/keys", headers=headers).json()["show"]
    link = client.post(f"/console/admin/users/{new_id}/enrolment-link", headers=headers).json()
    assert "/console/enrol#" in link["show"]["value"]
    revoked = client.post(
        "/console/admin/keys/revoke", json={"key_id": key["value"]}, headers=headers
    )
    assert revoked.status_code == 200
    refused = client.get("/api/v1/shipments/X", headers={"Authorization": f"Bearer {key['value']}"})
    assert refused.status_code == 401
    policy = client.get("/console/admin/policy")
    assert policy.status_code == 200 and "收件人地址" in policy.text and "客服工单号" in policy.text
    forged = client.post("/console/admin/users", json={"name": "x", "role": "admin"})
    assert forged.status_code == 403

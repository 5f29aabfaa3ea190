"""A complaint from filing to answer or appeal: queue, SLA clock, SMS notices, regulator appeal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.complaints.conftest import TEXT, bearer, file_complaint
from tests.portal.conftest import PHONE, add_user, courier_reveals_address, sign_in

ANSWER = "您好，我们已核查：该号码不是我司快递员，已上报公安机关。请勿提供验证码。"


def test_filed_answered_notified_and_resolved(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    _, cs_key = add_user(cli, "customer_service")
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [parcels[0]["waybill_no"]])
    assert "已受理" in sms.messages_to(PHONE)[-1] and complaint_id in sms.messages_to(PHONE)[-1]
    page = client.get(f"/portal/complaints/{complaint_id}").text
    assert TEXT in page and "待答复" in page and "2026-11-09" in page  # due in 7 days

    queue = client.get("/api/v1/complaints", headers=bearer(cs_key)).json()["complaints"]
    assert [c["id"] for c in queue] == [complaint_id]
    assert queue[0]["badge"] == "on_time" and "text" not in queue[0]
    rt.clock.advance(days=5, hours=1)  # type: ignore[attr-defined]
    queue = client.get("/api/v1/complaints", headers=bearer(cs_key)).json()["complaints"]
    assert queue[0]["badge"] == "due_soon"

    shown = client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(cs_key)).json()
    assert shown["text"] == TEXT and shown["parcels"][0]["waybill_no"] == parcels[0]["waybill_no"]
    answered = client.post(
        f"/api/v1/complaints/{complaint_id}/answer", json={"text": ANSWER}, headers=bearer(cs_key)
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert "已有答复" in sms.messages_to(PHONE)[-1] and ANSWER not in sms.messages_to(PHONE)[-1]
    again = client.post(
        f"/api/v1/complaints/{complaint_id}/answer", json={"text": "x"}, headers=bearer(cs_key)
    )
    assert again.status_code == 409

    csrf = sign_in(client, sms)  # days later: a new session
    page = client.get(f"/portal/complaints/{complaint_id}").text
    assert ANSWER in page and "这个答复解决你的问题了吗" in page
    done = client.post(
        f"/portal/complaints/{complaint_id}/feedback",
        data={"csrf": csrf, "satisfied": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/portal/complaints/{complaint_id}").text
    assert "已解决" in page and "申诉" not in page.split("处理经过")[0].split("企业答复")[1]
    assert "办结" in sms.messages_to(PHONE)[-1]
    with rt.db.session() as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.target_type == "complaint"))
        )
    actions = [e.action for e in events]
    for action in ("complaint.file", "complaint.view", "complaint.answer", "complaint.feedback"):
        assert action in actions
    assert all(TEXT not in e.details and ANSWER not in e.details for e in events)


def test_unanswered_after_seven_days_the_appeal_is_ready_with_its_deadline(
    client: TestClient,
    sms: RecordingSmsProvider,
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [parcels[0]["waybill_no"]], kind="leak")
    early = client.get(f"/portal/complaints/{complaint_id}/appeal")
    assert early.status_code == 409 and "还不能申诉" in early.text
    assert "可以向邮政管理部门申诉" not in client.get(f"/portal/complaints/{complaint_id}").text

    rt.clock.advance(days=7, minutes=1)  # type: ignore[attr-defined]
    sign_in(client, sms)  # the first session has expired by now
    page = client.get(f"/portal/complaints/{complaint_id}").text
    assert "可以向邮政管理部门申诉" in page and "企业未在 7 日内答复" in page
    # One year from the parcel's posting (2026-10-10), as the appeal rules count it.
    assert "2027-10-10" in page
    appeal = client.get(f"/portal/complaints/{complaint_id}/appeal")
    assert appeal.status_code == 200
    assert "2027-10-10" in appeal.text and "12305" in appeal.text and TEXT in appeal.text
    download = client.get(f"/portal/complaints/{complaint_id}/appeal.txt")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    text = download.text
    for expected in ("12305", "2027-10-10", "向企业投诉", "企业答复期限", "（企业未答复）", TEXT):
        assert expected in text
    assert PHONE not in text and "138******00" in text


def test_not_satisfied_opens_the_appeal_at_once(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    _, cs_key = add_user(cli, "customer_service")
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [parcels[1]["waybill_no"]], kind="harassment")
    client.post(
        f"/api/v1/complaints/{complaint_id}/answer", json={"text": ANSWER}, headers=bearer(cs_key)
    )
    client.post(
        f"/portal/complaints/{complaint_id}/feedback", data={"csrf": csrf, "satisfied": "no"}
    )
    page = client.get(f"/portal/complaints/{complaint_id}").text
    assert "对企业的答复不满意" in page
    appeal = client.get(f"/portal/complaints/{complaint_id}/appeal.txt").text
    assert ANSWER in appeal and "申诉人表示不满意" in appeal
    assert "申诉材料已备好" in sms.messages_to(PHONE)[-1]


def test_the_complaint_names_own_parcels_only(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    csrf = sign_in(client, sms)
    answer = client.post(
        "/portal/complaints",
        data={"csrf": csrf, "kind": "leak", "waybill": [parcels[3]["waybill_no"]], "text": "x"},
    )
    assert answer.status_code == 400 and "只能选择你自己的包裹" in answer.text
    empty = client.post("/portal/complaints", data={"csrf": csrf, "kind": "leak", "text": " "})
    assert empty.status_code == 400 and "请填写投诉内容" in empty.text
    bad_kind = client.post("/portal/complaints", data={"csrf": csrf, "kind": "x", "text": "y"})
    assert bad_kind.status_code == 400


def test_only_customer_service_and_officers_handle_complaints(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [])
    for role in ("courier", "admin", "station_clerk"):
        _, key = add_user(cli, role)
        assert client.get("/api/v1/complaints", headers=bearer(key)).status_code == 403
        shown = client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(key))
        assert shown.status_code == 403
    _, officer = add_user(cli, "security_officer")
    assert (
        client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(officer)).status_code == 200
    )
    assert client.get("/api/v1/complaints").status_code == 401


def test_the_investigation_shows_who_accessed_the_complainants_parcels(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    waybill = parcels[0]["waybill_no"]
    courier = courier_reveals_address(cli, waybill)
    _, cs_key = add_user(cli, "customer_service")
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [waybill], kind="courier_misconduct")
    shown = client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(cs_key)).json()
    sections = shown["investigation"]["sections"]
    assert set(shown["investigation"]["available"]) == {"access", "alerts", "calls"}
    rows = sections["access"]["rows"]
    assert any(r["role"] == "courier" and r["action"] == "reveal" and r["linked"] for r in rows), (
        rows
    )
    assert sections["access"]["reveals"] == 1
    assert sections["alerts"]["accessors"] >= 1 and courier
    assert isinstance(sections["calls"]["bindings"], list)


def test_a_reveal_under_the_complaint_is_policy_checked_and_seen_by_the_complainant(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    _, cs_key = add_user(cli, "customer_service")
    csrf = sign_in(client, sms)
    waybill = parcels[0]["waybill_no"]
    complaint_id = file_complaint(client, csrf, [waybill])
    url = f"/api/v1/complaints/{complaint_id}/reveal"
    answer = client.post(
        url, json={"waybill": waybill, "field": "recipient.address"}, headers=bearer(cs_key)
    )
    assert answer.status_code == 200
    assert answer.json() == {"fields": {"recipient.address": parcels[0]["recipient_address"]}}
    unlinked = client.post(
        url,
        json={"waybill": parcels[1]["waybill_no"], "field": "recipient.name"},
        headers=bearer(cs_key),
    )
    assert unlinked.status_code == 400
    two = client.post(
        url, json={"waybill": waybill, "field": "sender.id_no"}, headers=bearer(cs_key)
    )
    assert two.status_code == 403  # the policy: customer service never sees ID numbers
    page = client.get("/portal/access").text
    assert "客服" in page and "客服处理" in page
    timeline = client.get(f"/api/v1/complaints/{complaint_id}", headers=bearer(cs_key)).json()
    assert [s["note"] for s in timeline["timeline"] if s["type"] == "revealed"] == [
        "recipient.address"
    ]


def test_the_cli_lists_shows_and_answers(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
    tmp_path: Path,
) -> None:
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [parcels[0]["waybill_no"]])
    listed = cli("complaints", "list", "--status", "open", "--json")
    assert listed.code == 0 and [c["id"] for c in listed.json["complaints"]] == [complaint_id]
    shown = cli("complaints", "show", complaint_id, "--json")
    assert shown.code == 0 and shown.json["text"] == TEXT
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text(ANSWER, encoding="utf-8")
    answered = cli("complaints", "answer", complaint_id, "--file", str(answer_file), "--json")
    assert answered.code == 0 and answered.json["status"] == "answered"
    assert answered.json["answer"] == ANSWER and "text" not in answered.json
    assert cli("complaints", "answer", complaint_id, "--json").code == 1
    _, courier_key = add_user(cli, "courier")
    denied = cli("complaints", "list", "--api-key", courier_key, "--json")
    assert denied.code == 5
    assert cli("complaints", "show", "C20990101-NOPE22", "--json").code == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # reads the SQLite file's bytes
def test_complaint_words_and_answers_are_not_in_the_database_file(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    _, cs_key = add_user(cli, "customer_service")
    csrf = sign_in(client, sms)
    complaint_id = file_complaint(client, csrf, [parcels[0]["waybill_no"]])
    client.post(
        f"/api/v1/complaints/{complaint_id}/answer", json={"text": ANSWER}, headers=bearer(cs_key)
    )
    rt.db.dispose()  # checkpoint the WAL into the file
    path = Path(rt.settings.database.removeprefix("sqlite:///"))
    data = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in (TEXT, ANSWER, "13812345678", PHONE):
        assert secret.encode() not in data, secret
    assert complaint_id.encode() in data


def test_daily_limit_on_complaints(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    csrf = sign_in(client, sms)
    for _ in range(5):
        file_complaint(client, csrf, [])
    answer = client.post("/portal/complaints", data={"csrf": csrf, "kind": "leak", "text": "x"})
    assert answer.status_code == 400 and "投诉太多" in answer.text
    assert json.dumps(TEXT)  # the words themselves were never the problem

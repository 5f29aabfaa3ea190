"""A signed-in person's own data: parcels (masked), who viewed them, a copy, erasure."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.portal.export import as_csv
from parcelguard.portal.service import DataCopy
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from tests.portal.conftest import OTHER, PHONE, courier_reveals_address, sign_in


def test_my_parcels_are_mine_only_and_masked(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    sign_in(client, sms)
    page = client.get("/portal/parcels").text
    mine = [parcels[i]["waybill_no"] for i in (0, 1, 2)]
    assert all(w in page for w in mine)
    assert parcels[3]["waybill_no"] not in page and parcels[4]["waybill_no"] not in page
    assert page.index(mine[2]) < page.index(mine[1]) < page.index(mine[0])  # newest first
    for row in parcels[:3]:
        detail = client.get(f"/portal/parcels/{row['waybill_no']}").text
        for field in ("recipient_name", "recipient_address", "sender_name", "sender_address"):
            assert row[field] not in detail
        assert PHONE not in detail and "138******00" in detail
    other = client.get(f"/portal/parcels/{parcels[3]['waybill_no']}")
    assert other.status_code == 404


def test_who_viewed_my_data_shows_the_couriers_reveal(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    waybill = parcels[0]["waybill_no"]
    courier = courier_reveals_address(cli, waybill)
    sign_in(client, sms)
    page = client.get("/portal/access").text
    assert "快递员" in page and "st-xihu" in page and "派送" in page and "已允许" in page
    assert "收件人地址" in page and waybill in page
    assert courier not in page  # roles and stations, never staff identities
    detail = client.get(f"/portal/parcels/{waybill}").text
    assert "快递员" in detail and "查看完整信息" in detail
    english = client.get("/portal/access?lang=en").text
    assert "Courier" in english and "Delivery" in english and "Allowed" in english


def test_the_data_copy_holds_exactly_my_own_fields_and_is_audited(
    client: TestClient,
    sms: RecordingSmsProvider,
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    csrf = sign_in(client, sms)
    answer = client.post("/portal/copy", data={"csrf": csrf, "fmt": "json"})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    copy = answer.json()
    got = {p["waybill_no"]: p["parties"] for p in copy["parcels"]}
    expected = {
        parcels[0]["waybill_no"]: {"recipient": parcels[0]},
        parcels[1]["waybill_no"]: {"recipient": parcels[1]},
        parcels[2]["waybill_no"]: {"sender": parcels[2]},
    }
    assert set(got) == set(expected)
    for waybill, roles in expected.items():
        assert set(got[waybill]) == set(roles)
        for role, row in roles.items():
            assert got[waybill][role]["name"] == row[f"{role}_name"]
            assert got[waybill][role]["address"] == row[f"{role}_address"]
            assert got[waybill][role]["phone"] == PHONE
    assert got[parcels[2]["waybill_no"]]["sender"]["id_no"] == parcels[2]["sender_id_no"]
    text = answer.text
    for row in parcels[:2]:  # the other party of my parcels stays out
        assert row["sender_name"] not in text and row["sender_address"] not in text
    assert parcels[3]["recipient_address"] not in text
    with rt.db.session() as session:
        exports = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "portal.export"))
        )
        reveals = list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "reveal", AuditEvent.purpose == "self"
                )
            )
        )
    assert len(exports) == 1 and json.loads(exports[0].details) == {"parcels": 3, "format": "json"}
    assert len(reveals) == 3 and all(r.decision == "allow" for r in reveals)
    assert all(r.actor_role == "recipient" for r in reveals)


def test_the_csv_copy_is_spreadsheet_safe(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    csrf = sign_in(client, sms)
    answer = client.post("/portal/copy", data={"csrf": csrf, "fmt": "csv"})
    assert answer.status_code == 200 and answer.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert {r["waybill_no"] for r in rows} == {parcels[i]["waybill_no"] for i in (0, 1, 2)}
    copy = DataCopy(
        "2026-11-02",
        "138******00",
        parcels=[{"waybill_no": '=HYPERLINK("x")', "parties": {"recipient": {"name": "@SUM(1)"}}}],
    )
    [row] = list(csv.DictReader(io.StringIO(as_csv(copy).decode("utf-8-sig"))))
    assert row["waybill_no"].startswith("'=") and row["name"].startswith("'@")


def test_erasure_removes_delivered_parcels_after_confirmation(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    delivered = parcels[0]["waybill_no"]
    courier_reveals_address(cli, delivered)
    assert cli("event", delivered, "delivered", "--reason", "left_at_door", "--json").code == 0
    csrf = sign_in(client, sms)
    page = client.get("/portal/erase").text
    assert "现在可删除：1 个包裹" in page and "派送途中（暂不删除）：2 个" in page
    refused = client.post("/portal/erase", data={"csrf": csrf})
    assert refused.status_code == 400 and "请勾选确认框" in refused.text
    done = client.post("/portal/erase", data={"csrf": csrf, "confirm": "yes"})
    assert done.status_code == 200 and "已删除 1 个包裹" in done.text
    assert cli("show", delivered, "--json").json["status"] == "purged"
    remaining = client.get("/portal/parcels").text
    assert delivered not in remaining and parcels[1]["waybill_no"] in remaining
    with rt.db.session() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.erase"))
        forgot = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "relay.forget"))
        )
    assert event.actor_role == "recipient" and PHONE not in event.details
    assert forgot == []  # two parcels are still on their way: their calls need the relay


def test_erasing_everything_makes_the_relay_forget_the_phone(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    rt: Runtime,
    parcels: list[dict[str, str]],
) -> None:
    for row in parcels[:3]:
        courier_reveals_address(cli, row["waybill_no"])
        assert (
            cli("event", row["waybill_no"], "delivered", "--reason", "left_at_door", "--json").code
            == 0
        )
    csrf = sign_in(client, sms)
    done = client.post("/portal/erase", data={"csrf": csrf, "confirm": "yes"})
    assert "已删除 3 个包裹" in done.text
    with rt.db.session() as session:
        [forgot] = session.scalars(select(AuditEvent).where(AuditEvent.action == "relay.forget"))
    assert forgot.actor_role == "recipient"


@pytest.mark.parametrize("path", ["/portal/parcels", "/portal/access", "/portal/copy"])
def test_a_person_without_parcels_sees_empty_pages(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]], path: str
) -> None:
    sign_in(client, sms, "13700137000")
    assert client.get(path).status_code == 200


def test_the_caller_check_uses_the_relay_and_warns_about_strangers(
    client: TestClient, sms: RecordingSmsProvider, parcels: list[dict[str, str]]
) -> None:
    csrf = sign_in(client, sms)
    answer = client.post("/portal/verify", data={"csrf": csrf, "caller": OTHER})
    assert answer.status_code == 200
    assert "无法确认" in answer.text and "诈骗" in answer.text
    bad = client.post("/portal/verify", data={"csrf": csrf, "caller": "abc"})
    assert bad.status_code == 400


def test_the_caller_check_confirms_the_courier_of_my_parcel(
    client: TestClient,
    sms: RecordingSmsProvider,
    cli: Callable[..., Any],
    parcels: list[dict[str, str]],
) -> None:
    from tests.portal.conftest import add_user

    courier, _ = add_user(cli, "courier", phone="13600136000")
    waybill = parcels[0]["waybill_no"]
    assert cli("event", waybill, "assigned", "--courier", courier, "--json").code == 0
    assert cli("event", waybill, "out_for_delivery", "--json").code == 0
    csrf = sign_in(client, sms)
    answer = client.post("/portal/verify", data={"csrf": csrf, "caller": "136 0013 6000"})
    assert answer.status_code == 200 and "是你包裹的快递员" in answer.text
    assert waybill not in answer.text  # the waybill is shown masked

"""Reveal end to end (CLI and HTTP): decisions, audit of every decision, keys that stop working."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import write_csv

from parcelguard.app import create_app
from parcelguard.vault.synthetic import Faker


@pytest.fixture
def parcels(cli, tmp_path: Path) -> list[dict[str, str]]:
    data = list(Faker(21).rows(4))
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    return data


def add_user(cli, role: str, trained: bool = True, **extra: str) -> tuple[str, str]:
    args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
    if trained:
        args += ["--trained-until", "2027-12-31"]
    for key, value in extra.items():
        args += [f"--{key}", value]
    result = cli(*args).json
    return result["id"], result["api_key"]


def out_for_delivery(cli, waybill: str, courier: str) -> None:
    assert cli("event", waybill, "assigned", "--courier", courier, "--json").code == 0
    assert cli("event", waybill, "out_for_delivery", "--json").code == 0


def test_courier_reveals_only_the_address_of_an_assigned_parcel(cli, parcels) -> None:
    courier, key = add_user(cli, "courier")
    waybill = parcels[0]["waybill_no"]
    out_for_delivery(cli, waybill, courier)
    result = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    assert result.code == 0
    assert result.json == {"fields": {"recipient.address": parcels[0]["recipient_address"]}}
    other = cli(
        "reveal",
        parcels[1]["waybill_no"],
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    assert other.code == 5 and other.json["error"]["code"] == "not_assigned"


def test_courier_cannot_reveal_after_the_delivery_window(cli, rt, parcels) -> None:
    courier, key = add_user(cli, "courier")
    waybill = parcels[0]["waybill_no"]
    out_for_delivery(cli, waybill, courier)
    cli("event", waybill, "delivered", "--reason", "handed_in_person", "--json")
    rt.clock.advance(minutes=121)
    result = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    assert result.code == 5 and result.json["error"]["code"] == "outside_delivery_window"


def test_untrained_clerk_and_admin_and_untrained_courier_are_denied(cli, parcels) -> None:
    waybill = parcels[0]["waybill_no"]
    _, clerk_key = add_user(cli, "station_clerk", trained=False, station="st1")
    _, admin_key = add_user(cli, "admin")
    courier, courier_key = add_user(cli, "courier", trained=False)
    out_for_delivery(cli, waybill, courier)
    expected = {
        clerk_key: "role_cannot_reveal",
        admin_key: "role_cannot_reveal",
        courier_key: "training_expired",
    }
    for key, reason in expected.items():
        result = cli(
            "reveal",
            waybill,
            "--field",
            "recipient.address",
            "--purpose",
            "delivery",
            "--api-key",
            key,
            "--json",
        )
        assert (result.code, result.json["error"]["code"]) == (5, reason)


def test_customer_service_needs_a_ticket(cli, parcels) -> None:
    _, key = add_user(cli, "customer_service")
    waybill = parcels[0]["waybill_no"]
    base = [
        "reveal",
        waybill,
        "--field",
        "recipient.phone",
        "--purpose",
        "customer_service",
        "--api-key",
        key,
        "--json",
    ]
    assert cli(*base).json["error"]["code"] == "ticket_required"
    assert cli(*base, "--reference", "TICKET-88").json == {
        "fields": {"recipient.phone": parcels[0]["recipient_phone"]}
    }


def test_officer_reveals_under_an_open_case_only(cli, parcels) -> None:
    _, key = add_user(cli, "security_officer")
    opened = cli("case", "open", "--title", "leak report 17", "--api-key", key, "--json")
    case = opened.json["case_id"]
    base = [
        "reveal",
        parcels[0]["waybill_no"],
        "--field",
        "sender.phone",
        "--purpose",
        "investigation",
        "--api-key",
        key,
        "--json",
    ]
    assert cli(*base, "--reference", case).code == 0
    cli("case", "close", case, "--api-key", key, "--json")
    assert cli(*base, "--reference", case).json["error"]["code"] == "case_not_open"


def test_revoked_and_expired_keys_are_refused(cli, rt, parcels) -> None:
    courier, key = add_user(cli, "courier")
    waybill = parcels[0]["waybill_no"]
    out_for_delivery(cli, waybill, courier)
    key_id = key.split("_")[1]
    assert cli("apikey", "revoke", key_id, "--json").code == 0
    revoked = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    assert (revoked.code, revoked.json["error"]["code"]) == (5, "key_revoked")
    fresh = cli("apikey", "issue", courier, "--days", "1", "--json").json["api_key"]
    rt.clock.advance(days=2)
    expired = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        fresh,
        "--json",
    )
    assert (expired.code, expired.json["error"]["code"]) == (5, "key_expired")
    forged = cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key_id and f"pg_{key_id}_forged",
        "--json",
    )
    assert forged.json["error"]["code"] == "invalid_key"


def test_every_decision_is_audited_with_its_reason(cli, parcels) -> None:
    courier, key = add_user(cli, "courier")
    waybill = parcels[0]["waybill_no"]
    cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    out_for_delivery(cli, waybill, courier)
    cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    cli(
        "reveal",
        "NO-SUCH-WAYBILL",
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    events = [e for e in cli("audit", "log", "--action", "reveal", "--json").json["events"]]
    assert [(e["decision"], e["reason"]) for e in events] == [
        ("deny", "shipment_not_found"),
        ("allow", "allowed"),
        ("deny", "not_assigned"),
    ]
    assert all(e["actor_id"] == courier and e["purpose"] == "delivery" for e in events)
    assert parcels[0]["recipient_address"] not in str(events)
    assert cli("audit", "verify", "--json").json["ok"] is True


def test_http_reveal_answers_403_with_the_reason_and_200_with_the_field(cli, rt, parcels) -> None:
    courier, key = add_user(cli, "courier")
    waybill = parcels[0]["waybill_no"]
    client = TestClient(create_app(rt))
    body = {"fields": ["recipient.address"], "purpose": "delivery"}
    denied = client.post(
        f"/api/v1/shipments/{waybill}/reveal", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert denied.status_code == 403
    assert denied.json() == {
        "error": {"code": "not_assigned", "message": "reveal denied: not_assigned", "details": None}
    }
    out_for_delivery(cli, waybill, courier)
    allowed = client.post(
        f"/api/v1/shipments/{waybill}/reveal", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert (
        allowed.status_code == 200
        and allowed.json()["fields"]["recipient.address"] == parcels[0]["recipient_address"]
    )
    anonymous = client.post(f"/api/v1/shipments/{waybill}/reveal", json=body)
    assert anonymous.status_code == 401


def test_daily_quota_resets_at_midnight_china_time(cli, rt, parcels) -> None:
    _, key = add_user(cli, "customer_service")
    base = [
        "--field",
        "recipient.name",
        "--purpose",
        "customer_service",
        "--reference",
        "T-1",
        "--api-key",
        key,
        "--json",
    ]
    rt.settings.sections["policy"] = {"roles": {"customer_service": {"daily_quota": 2}}}
    codes = [cli("reveal", parcels[i % 4]["waybill_no"], *base).code for i in range(3)]
    assert codes == [0, 0, 5]
    rt.clock.advance(days=1)
    assert cli("reveal", parcels[0]["waybill_no"], *base).code == 0


def test_access_history_tells_a_recipient_who_looked_and_why(cli, rt, parcels) -> None:
    from parcelguard.vault import service

    courier, key = add_user(cli, "courier", station="st9")
    waybill = parcels[0]["waybill_no"]
    out_for_delivery(cli, waybill, courier)
    cli(
        "reveal",
        waybill,
        "--field",
        "recipient.address",
        "--purpose",
        "delivery",
        "--api-key",
        key,
        "--json",
    )
    _, cs_key = add_user(cli, "customer_service")
    cli(
        "reveal",
        waybill,
        "--field",
        "recipient.phone",
        "--purpose",
        "customer_service",
        "--api-key",
        cs_key,
        "--json",
    )
    with rt.db.session() as session:
        history = service.access_history(rt, session, parcels[0]["recipient_phone"])
    reveals = [
        (h["role"], h["purpose"], h["decision"], h["fields"])
        for h in history
        if h["action"] == "reveal"
    ]
    assert reveals == [
        ("customer_service", "customer_service", "deny", ["recipient.phone"]),
        ("courier", "delivery", "allow", ["recipient.address"]),
    ]
    assert all(h["waybill_no"] == waybill for h in history)
    assert courier not in str(history)  # staff identities stay out of the recipient's view
    with rt.db.session() as session:
        assert service.access_history(rt, session, parcels[1]["recipient_phone"]) == []


def test_api_keys_are_listed_by_prefix_without_secrets(cli) -> None:
    courier, key = add_user(cli, "courier")
    second = cli("apikey", "issue", courier, "--json").json["api_key"]
    cli("apikey", "revoke", key.split("_")[1], "--json")
    listed = cli("apikey", "list", courier, "--json")
    # Both keys were issued at the same (fixed) instant, so their listed order is not the point.
    keys = {k["key_id"]: k for k in listed.json["keys"]}
    assert set(keys) == {key.split("_")[1], second.split("_")[1]}
    assert keys[key.split("_")[1]]["revoked_at"] is not None
    assert keys[second.split("_")[1]]["revoked_at"] is None
    # The secret is URL-safe base64 and may itself contain "_": split off the prefix and id only.
    for shown in (key, second):
        assert shown.split("_", 2)[2] not in listed.stdout

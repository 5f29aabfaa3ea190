"""Pickup codes (取件码): allocated on arrival, shelf labels, hand-over by code (+ last four),
wrong codes rate-limited per clerk and station, every attempt audited without the code typed."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select, update

from parcelguard.labels.models import LabelToken, PickupCode
from parcelguard.vault.models import Shipment


@pytest.fixture
def waiting(cli, imported) -> list[dict[str, str]]:
    """Put three imported parcels at station st1; return their rows."""
    for row in imported[:3]:
        assert cli("event", row["waybill_no"], "at_station", "--station", "st1", "--json").code == 0
    return imported[:3]


def _codes(rt) -> dict[str, tuple[str, str, str]]:
    with rt.db.session() as session:
        rows = session.scalars(select(PickupCode).order_by(PickupCode.number)).all()
        return {r.waybill_no: (r.code, r.station_id, r.status) for r in rows}


def _code_of(rt, waybill: str) -> str:
    return _codes(rt)[waybill][0]


def test_arrival_allocates_codes_that_fill_shelves_in_turn(cli, rt, waiting, imported) -> None:
    codes = _codes(rt)
    assert [codes[r["waybill_no"]] for r in waiting] == [
        ("1-1-0001", "st1", "waiting"),
        ("1-2-0002", "st1", "waiting"),
        ("1-3-0003", "st1", "waiting"),
    ]
    cli("event", imported[3]["waybill_no"], "at_station", "--station", "st2", "--json")
    assert _codes(rt)[imported[3]["waybill_no"]] == ("1-1-0001", "st2", "waiting")


def test_a_parcel_that_leaves_another_way_frees_its_code(cli, rt, waiting, add_user) -> None:
    waybill = waiting[0]["waybill_no"]
    courier, _ = add_user("courier", station="st1")
    assert cli("event", waybill, "assigned", "--courier", courier, "--json").code == 0
    assert _codes(rt)[waybill][2] == "withdrawn"
    refused = cli("pickup", "1-1-0001", "--station", "st1", "--json")
    assert refused.code == 1 and refused.json["error"]["code"] == "wrong_pickup_code"


def test_canaries_get_no_pickup_code(cli, rt, imported) -> None:
    waybill = imported[0]["waybill_no"]
    with rt.db.session() as session:
        session.execute(
            update(Shipment).where(Shipment.waybill_no == waybill).values(kind="canary")
        )
    cli("event", waybill, "at_station", "--station", "st1", "--json")
    assert waybill not in _codes(rt)


def test_shelf_labels_show_code_masked_name_and_shelf_and_no_phone(
    cli, rt, waiting, tmp_path: Path
) -> None:
    waybills = [r["waybill_no"] for r in waiting]
    out = tmp_path / "shelf.pdf"
    result = cli("labels", "shelf", *waybills, "--out", str(out), "--json")
    assert result.code == 0 and result.json == {"written": [str(out)]}
    pdf = pdfium.PdfDocument(out.read_bytes())
    texts = [re.sub(r"\s+", "", page.get_textpage().get_text_range()) for page in pdf]
    assert len(texts) == 3
    for row, text in zip(waiting, texts, strict=True):
        shown = cli("show", row["waybill_no"], "--json").json["recipient"]
        assert _code_of(rt, row["waybill_no"]) in text and shown["name"] in text
        assert row["waybill_no"][-4:] in text and "1号架" in text
        assert shown["phone"] not in text and row["recipient_phone"] not in text
        assert row["recipient_name"] not in text
    not_waiting = cli("labels", "shelf", "NOPE-0001", "--out", str(out), "--json")
    assert not_waiting.json["error"]["code"] == "shipment_not_found"


def test_shelf_label_api_for_clerks_of_the_station(client, waiting, add_user) -> None:
    waybill = waiting[0]["waybill_no"]
    _, own = add_user("station_clerk", station="st1")
    _, other = add_user("station_clerk", station="st2")
    url = f"/api/v1/shipments/{waybill}/shelf-label.png"
    answer = client.get(url, headers={"Authorization": f"Bearer {own}"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    refused = client.get(url, headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "no_pickup_code"


def test_hand_over_by_code_marks_picked_up_and_delivered(cli, rt, waiting, audit_log) -> None:
    waybill = waiting[1]["waybill_no"]
    cli("label", waybill, "--out", str(rt.settings.home / "l.pdf"), "--json")
    result = cli("pickup", "1-2-0002", "--station", "st1", "--json")
    assert result.code == 0
    assert result.json == {
        "waybill_no": waybill,
        "pickup_code": "1-2-0002",
        "station_id": "st1",
        "status": "delivered",
    }
    assert cli("show", waybill, "--json").json["status"] == "delivered"
    assert _codes(rt)[waybill][2] == "picked_up"
    with rt.db.session() as session:
        (token,) = session.scalars(select(LabelToken)).all()
        assert token.expires_at is not None  # the delivery started the QR token's expiry
    (handover,) = audit_log("pickup.handover")
    assert handover["details"]["outcome"] == "handed_over"
    assert handover["details"]["with_last4"] is False
    assert [e["details"]["waybill"] for e in audit_log("shipment.delivered")] == [waybill]
    again = cli("pickup", "1-2-0002", "--station", "st1", "--json")
    assert again.json["error"]["code"] == "wrong_pickup_code"


def test_hand_over_with_the_last_four_digits_over_the_api(
    client, rt, waiting, add_user, audit_log
) -> None:
    row = waiting[0]
    _, clerk = add_user("station_clerk", station="st1")
    auth = {"Authorization": f"Bearer {clerk}"}
    code = _code_of(rt, row["waybill_no"])
    right = row["recipient_phone"][-4:]
    wrong = f"{(int(right) + 1) % 10000:04d}"
    denied = client.post(
        "/api/v1/stations/st1/pickup", json={"code": code, "last4": wrong}, headers=auth
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "wrong_last4"
    bad = client.post(
        "/api/v1/stations/st1/pickup", json={"code": code, "last4": "12a4"}, headers=auth
    )
    assert bad.status_code == 422
    ok = client.post(
        "/api/v1/stations/st1/pickup", json={"code": code, "last4": right}, headers=auth
    )
    assert ok.status_code == 200 and ok.json()["waybill_no"] == row["waybill_no"]
    (attempt,) = audit_log("pickup.attempt")
    assert attempt["decision"] == "deny" and attempt["details"]["outcome"] == "wrong_last4"
    logged = str(audit_log("pickup.attempt") + audit_log("pickup.handover"))
    assert right not in logged and wrong not in logged and row["recipient_phone"] not in logged
    assert audit_log("pickup.handover")[0]["details"]["with_last4"] is True


@pytest.mark.usefixtures("limits_storage")
def test_wrong_codes_are_rate_limited_per_clerk_and_station(
    client, rt, waiting, add_user, audit_log
) -> None:
    _, clerk = add_user("station_clerk", station="st1")
    _, colleague = add_user("station_clerk", station="st1")
    auth = {"Authorization": f"Bearer {clerk}"}
    url = "/api/v1/stations/st1/pickup"
    wrong = [client.post(url, json={"code": f"9-9-{n:04d}"}, headers=auth) for n in range(5)]
    assert [w.status_code for w in wrong] == [404] * 5
    right = {"code": _code_of(rt, waiting[0]["waybill_no"])}
    limited = client.post(url, json=right, headers=auth)
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limited"
    other = client.post(url, json=right, headers={"Authorization": f"Bearer {colleague}"})
    assert other.status_code == 200
    rt.clock.advance(minutes=10, seconds=1)
    code = {"code": _code_of(rt, waiting[1]["waybill_no"])}
    assert client.post(url, json=code, headers=auth).status_code == 200
    outcomes = [e["details"]["outcome"] for e in audit_log("pickup.attempt")]
    assert outcomes == ["wrong_code"] * 5 + ["rate_limited"]
    assert all("9-9-" not in str(e) for e in audit_log("pickup.attempt"))


@pytest.mark.parametrize(
    ("role", "extra", "status", "code"),
    [
        ("station_clerk", {"station": "st2"}, 403, "other_station"),
        ("courier", {}, 403, "role_not_allowed"),
        ("service", {"scope": "labels"}, 403, "scope_missing"),
        ("admin", {}, 200, None),
    ],
)
def test_only_clerks_of_the_station_and_admins_hand_over(
    client, rt, waiting, add_user, role: str, extra: dict[str, str], status: int, code: str | None
) -> None:
    _, key = add_user(role, **extra)
    answer = client.post(
        "/api/v1/stations/st1/pickup",
        json={"code": _code_of(rt, waiting[0]["waybill_no"])},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert answer.status_code == status
    if code is not None:
        assert answer.json()["error"]["code"] == code


def test_a_tenant_can_require_the_last_four_digits(cli, rt, waiting) -> None:
    rt.settings.sections["labels"] = {"pickup_requires_last4": True}
    row = waiting[0]
    code = _code_of(rt, row["waybill_no"])
    missing = cli("pickup", code, "--station", "st1", "--json")
    assert missing.code == 1 and missing.json["error"]["code"] == "last4_required"
    done = cli("pickup", code, "--station", "st1", "--last4", row["recipient_phone"][-4:], "--json")
    assert done.code == 0 and done.json["status"] == "delivered"


def test_pickup_cli_with_a_clerk_key_checks_the_station(cli, rt, waiting, add_user) -> None:
    _, other = add_user("station_clerk", station="st2")
    code = _code_of(rt, waiting[0]["waybill_no"])
    refused = cli("pickup", code, "--station", "st1", "--api-key", other, "--json")
    assert refused.code == 5 and refused.json["error"]["code"] == "other_station"

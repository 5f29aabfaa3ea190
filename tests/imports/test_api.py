"""The shipments API applies the import's rules: plain fields checked, no invented waybills,
the default sender for shipments without one, and checked courier and station ids on events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.imports.conftest import SENDER, staff_key
from tests.imports.test_platforms import stored


@pytest.fixture
def client(shop: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(shop)) as client:
        yield client


@pytest.fixture
def admin(shop: Runtime) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_key(shop, 'admin')}"}


def test_plain_fields_and_missing_waybills_are_row_errors(
    client: TestClient, admin: dict[str, str]
) -> None:
    rows = list(Faker(30).rows(3))
    rows[0]["waybill_no"] = "SF-<script>"
    rows[1].pop("waybill_no")
    rows[2]["carrier"] = "快递 0571-88886666 王"
    answer = client.post("/api/v1/shipments", json=rows, headers=admin).json()
    assert {(e["row"], e["field"], e["code"]) for e in answer["errors"]} == {
        (1, "waybill_no", "invalid_waybill"),
        (2, "waybill_no", "missing_field"),
        (3, "carrier", "looks_like_personal_data"),
    }
    assert answer["imported"] == 0


def test_assign_waybills_is_explicit_in_the_api_too(
    client: TestClient, admin: dict[str, str]
) -> None:
    row = next(iter(Faker(31).rows(1)))
    row.pop("waybill_no")
    answer = client.post(
        "/api/v1/shipments", params={"assign_waybills": "true"}, json=[row], headers=admin
    ).json()
    assert answer["imported"] == 1 and answer["waybills"][0].startswith("PG")


def test_a_shipment_without_sender_takes_the_default(
    client: TestClient, admin: dict[str, str], shop: Runtime
) -> None:
    row = next(iter(Faker(32).rows(1)))
    for key in ("sender_name", "sender_phone", "sender_address", "sender_id_no"):
        row.pop(key, None)
    answer = client.post("/api/v1/shipments", json=row, headers=admin).json()
    assert answer["imported"] == 1, answer
    assert stored(shop, row["waybill_no"], "sender")["name"] == SENDER["name"]


@pytest.mark.parametrize(
    "body",
    [
        {"type": "assigned", "courier_id": "张三13800138000"},
        {"type": "assigned", "courier_id": "a b"},
        {"type": "at_station", "station_id": "<b>st</b>"},
        {"type": "at_station", "station_id": "x" * 65},
    ],
)
def test_event_ids_are_checked(client: TestClient, admin: dict[str, str], body: dict) -> None:
    answer = client.post("/api/v1/shipments/SF1234567890/events", json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    assert "13800138000" not in answer.text

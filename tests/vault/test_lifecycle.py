"""Lifecycle events: allowed transitions, clear refusals, views and audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import write_csv

from parcelguard.vault.synthetic import Faker


@pytest.fixture
def waybill(cli, tmp_path: Path) -> str:
    data = list(Faker(5).rows(1))
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    return data[0]["waybill_no"]


@pytest.fixture
def courier(cli) -> str:
    made = cli(
        "users", "add", "--name", "钱师傅", "--role", "courier", "--station", "st1", "--json"
    )
    return str(made.json["id"])


def test_full_delivery_path(cli, waybill: str, courier: str) -> None:
    assigned = cli("event", waybill, "assigned", "--courier", courier, "--json").json
    assert assigned["courier_id"] == courier
    assert (
        cli("event", waybill, "at_station", "--station", "st1", "--json").json["station_id"]
        == "st1"
    )
    assert cli("event", waybill, "out_for_delivery", "--json").json["status"] == "out_for_delivery"
    refused = cli("event", waybill, "delivered", "--json")
    assert (refused.code, refused.json["error"]["code"]) == (5, "delivery_proof_required")
    shown = cli("event", waybill, "delivered", "--reason", "handed_in_person", "--json").json
    assert shown["status"] == "delivered" and "delivered_at" in shown


def test_out_for_delivery_without_courier_is_refused(cli, waybill: str) -> None:
    result = cli("event", waybill, "out_for_delivery", "--json")
    assert result.code == 1 and result.json["error"]["code"] == "invalid_transition"


def test_assignment_needs_a_courier(cli, waybill: str) -> None:
    assert cli("event", waybill, "assigned", "--json").json["error"]["code"] == "missing_courier"


def test_unknown_event_type_and_unknown_waybill(cli, waybill: str) -> None:
    assert (
        cli("event", waybill, "teleported", "--json").json["error"]["code"] == "invalid_event_type"
    )
    missing = cli("show", "NOPE", "--json")
    assert missing.code == 1 and missing.json["error"]["code"] == "shipment_not_found"


def test_every_step_is_audited_and_the_chain_verifies(cli, courier: str, waybill: str) -> None:
    cli("event", waybill, "assigned", "--courier", courier, "--json")
    log = cli("audit", "log", "--json").json["events"]
    assert [e["action"] for e in log][:2] == ["shipment.assigned", "shipments.import"]
    assert cli("audit", "verify", "--json").json["ok"] is True

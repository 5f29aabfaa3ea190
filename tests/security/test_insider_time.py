"""Client-set time: a reported time is kept as information within a skew and never drives a
rule; reveal windows, retention, purge, relay and the monitor all run on the server clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service as relay_service
from parcelguard.vault import service as vault
from parcelguard.vault.models import Shipment, ShipmentEvent
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.security.insider_world import Insiders, later


def _stored(world: Insiders, waybill: str) -> SimpleNamespace:
    """Return the stored dates and state of a shipment (read inside the transaction)."""
    with world.rt.db.read_session() as session:
        found: Shipment = vault.get_or_raise(session, world.rt.tenant, waybill)
        names = ("status", "delivered_at", "out_for_delivery_at", "purge_epoch")
        return SimpleNamespace(**{name: getattr(found, name) for name in names})


def _reveal(world: Insiders, waybill: str) -> int:
    return world.cli(
        "reveal", waybill, "--field", "recipient.address", "--purpose", "delivery",
        "--api-key", world.keys["courier_a"], "--json",
    ).code  # fmt: skip


def test_a_future_dated_delivery_stretches_neither_the_reveal_window_nor_retention(
    insiders: Insiders,
) -> None:
    waybill = insiders.parcels["road_a"][0]
    now = insiders.rt.clock.now()
    reported = now + timedelta(minutes=10)  # inside the skew: kept, but only as information
    done = insiders.event(
        "admin", waybill, type="delivered", reason="handed_in_person", at=reported.isoformat()
    )
    assert done.status_code == 200, done.text
    stored = _stored(insiders, waybill)
    assert stored.delivered_at == now
    assert stored.purge_epoch == (now + timedelta(days=insiders.rt.settings.retention_days)).date()
    with insiders.rt.db.read_session() as session:
        step = session.execute(
            select(ShipmentEvent.at, ShipmentEvent.reported_at).where(
                ShipmentEvent.type == "delivered"
            )
        ).one()
        audited = session.execute(
            select(AuditEvent.at, AuditEvent.details).where(
                AuditEvent.action == "shipment.delivered"
            )
        ).one()
    assert (step.at, step.reported_at) == (now, reported)
    assert audited.at == now and audited.details.count(reported.isoformat()[:16]) == 1
    assert _reveal(insiders, waybill) == 0  # within delivery + 2 h by the server clock
    insiders.rt.clock.advance(minutes=125)
    assert _reveal(insiders, waybill) == 5  # closed: the reported time bought nothing


def test_a_reported_time_outside_the_skew_is_refused(insiders: Insiders) -> None:
    waybill = insiders.parcels["road_a"][1]
    for at in (later(insiders, days=30000), later(insiders, minutes=-16)):
        refused = insiders.event(
            "admin", waybill, type="delivered", reason="handed_in_person", at=at
        )
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "reported_time_out_of_range"
    by_cli = insiders.cli(
        "event", waybill, "delivered", "--reason", "handed_in_person",
        "--at", "2099-01-01T00:00:00+08:00", "--json",
    )  # fmt: skip
    assert (by_cli.code, by_cli.json["error"]["code"]) == (1, "reported_time_out_of_range")
    stored = _stored(insiders, waybill)
    assert (stored.status, stored.delivered_at) == ("out_for_delivery", None)


def test_a_backdated_out_for_delivery_opens_no_window_in_the_past(insiders: Insiders) -> None:
    waybill = insiders.parcels["assigned_a"][0]
    out = insiders.event(
        "clerk_a", waybill, type="out_for_delivery", at=later(insiders, minutes=-10)
    )
    assert out.status_code == 200
    assert _stored(insiders, waybill).out_for_delivery_at == insiders.rt.clock.now()


def test_purge_cannot_run_as_of_a_time_before_the_server_clock(insiders: Insiders) -> None:
    waybill = insiders.parcels["road_a"][0]
    insiders.event("admin", waybill, type="delivered", reason="handed_in_person")
    insiders.rt.clock.advance(days=insiders.rt.settings.retention_days + 2)
    held_back = insiders.cli("purge", "--now", "2026-01-01T00:00:00+08:00", "--json")
    assert (held_back.code, held_back.json["error"]["code"]) == (1, "time_before_server_clock")
    assert _stored(insiders, waybill).status == "delivered"
    assert insiders.cli("purge", "--json").json["purged"] >= 1
    assert _stored(insiders, waybill).status == "purged"


def test_relay_route_cannot_reopen_an_ended_binding_with_an_earlier_now(
    insiders: Insiders, tmp_path: Path
) -> None:
    with insiders.rt.db.session() as session:
        rows = [relay_service.PoolRow(1, "17105710001", None)]
        relay_service.import_numbers(insiders.rt, session, SYSTEM, rows)
    courier = insiders.add_user("runner", "--role", "courier", "--station", "st-a",
                                "--phone", "13600136099")  # fmt: skip
    rows = [{k: v for k, v in r.items() if k != "waybill_no"} for r in Faker(78).rows(1)]
    made = insiders.cli(
        "import", str(write_csv(tmp_path / "r.csv", rows)), "--json", "--assign-waybills"
    ).json
    waybill, recipient = made["waybills"][0], rows[0]["recipient_phone"]
    insiders.cli("event", waybill, "at_station", "--station", "st-a", "--json")
    insiders.cli("event", waybill, "assigned", "--courier", courier["id"], "--json")
    bound_at = insiders.rt.clock.now()
    insiders.cli("event", waybill, "out_for_delivery", "--json")
    route = ("relay", "route", "--from", recipient, "--to", "17105710001", "--json")
    assert insiders.cli(*route).json["action"] == "connect"
    insiders.event("admin", waybill, type="delivered", reason="handed_in_person")
    insiders.rt.clock.advance(days=3)
    insiders.cli("relay", "sweep", "--json")
    assert insiders.cli(*route).json["action"] == "reject"
    replayed = insiders.cli(*route, "--now", (bound_at + timedelta(minutes=5)).isoformat())
    assert (replayed.code, replayed.json["error"]["code"]) == (1, "time_before_server_clock")


def test_an_imported_creation_date_in_the_future_does_not_extend_retention(
    insiders: Insiders, tmp_path: Path
) -> None:
    rows = [{k: v for k, v in r.items() if k != "waybill_no"} for r in Faker(79).rows(1)]
    rows[0]["created_at"] = "2099-01-01 00:00:00"
    made = insiders.cli(
        "import", str(write_csv(tmp_path / "f.csv", rows)), "--json", "--assign-waybills"
    )
    assert made.code == 0, made.stdout
    stored = _stored(insiders, made.json["waybills"][0])
    days = insiders.rt.settings.undelivered_retention_days
    assert stored.purge_epoch <= (insiders.rt.clock.now() + timedelta(days=days)).date()


def test_monitor_times_come_from_the_server_clock(insiders: Insiders) -> None:
    waybill = insiders.parcels["road_a"][0]
    insiders.event(
        "admin", waybill, type="delivered", reason="left_at_door", at=later(insiders, minutes=14)
    )
    [alert] = insiders.alerts("unproven_delivery")
    now = insiders.rt.clock.now().isoformat()
    assert alert["first_at"] == now and alert["last_at"] == now

"""Lifecycle attacks: assignment across stations, invented couriers, silent station changes,
delivery without proof. Every step is checked in the service; overreach raises an alert."""

from __future__ import annotations

import pytest

from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor
from parcelguard.errors import Denied
from parcelguard.vault import lifecycle
from tests.security.insider_world import Insiders


def test_clerk_cannot_assign_a_parcel_of_another_station(insiders: Insiders) -> None:
    waybill = insiders.parcels["waiting_a"][0]
    refused = insiders.event(
        "clerk_b", waybill, type="assigned", courier_id=insiders.ids["courier_b"]
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "other_station"
    shown = insiders.shipment(waybill)
    assert (shown["status"], shown["station_id"], shown["courier_id"]) == (
        "at_station",
        "st-a",
        None,
    )
    [alert] = insiders.alerts("lifecycle_overreach", about=insiders.ids["clerk_b"])
    assert alert["details"]["reason"] == "other_station"
    assert alert["evidence"][0]["waybill"] == waybill


@pytest.mark.parametrize(
    ("courier", "code"),
    [
        ("ghost-courier", "courier_not_found"),
        ("courier_b", "courier_other_station"),
        ("clerk_a", "not_a_courier"),
    ],
)
def test_clerk_cannot_assign_to_an_invented_or_foreign_courier(
    insiders: Insiders, courier: str, code: str
) -> None:
    waybill = insiders.parcels["waiting_a"][1]
    target = insiders.ids.get(courier, courier)
    refused = insiders.event("clerk_a", waybill, type="assigned", courier_id=target)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == code
    assert insiders.shipment(waybill)["courier_id"] is None
    [alert] = insiders.alerts("lifecycle_overreach", about=insiders.ids["clerk_a"])
    assert alert["details"]["reason"] == code


def test_nobody_assigns_to_a_suspended_courier(insiders: Insiders) -> None:
    insiders.cli("users", "suspend", insiders.ids["courier_a2"], "--json")
    waybill = insiders.parcels["waiting_a"][2]
    refused = insiders.event(
        "admin", waybill, type="assigned", courier_id=insiders.ids["courier_a2"]
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "courier_suspended"
    done = insiders.event("clerk_a", waybill, type="assigned", courier_id=insiders.ids["courier_a"])
    assert done.status_code == 200 and done.json()["courier_id"] == insiders.ids["courier_a"]


def test_an_event_never_moves_a_parcel_to_another_station(insiders: Insiders) -> None:
    waybill = insiders.parcels["assigned_a"][0]
    for who in ("admin", "svc_events"):
        moved = insiders.event(who, waybill, type="at_station", station_id="st-b")
        assert moved.status_code == 409
        assert moved.json()["error"]["code"] == "station_change_needs_transfer"
    assert insiders.shipment(waybill)["station_id"] == "st-a"


def test_a_transfer_is_explicit_audited_and_both_stations_see_it(insiders: Insiders) -> None:
    waybill = insiders.parcels["assigned_a"][1]
    moved = insiders.event("clerk_a", waybill, type="transferred", station_id="st-b")
    assert moved.status_code == 200, moved.text
    shown = moved.json()
    assert (shown["status"], shown["station_id"], shown.get("courier_id")) == (
        "transferred",
        "st-b",
        None,
    )
    log = insiders.cli("audit", "log", "--action", "shipment.transferred", "--json").json
    [event] = log["events"]
    assert (event["details"]["from_station"], event["details"]["station_id"]) == ("st-a", "st-b")
    for clerk in ("clerk_a", "clerk_b"):
        insiders.sign_in(clerk, stepped_up=False)
        page = insiders.client.get("/console/station")
        assert page.status_code == 200 and waybill in page.text and "st-a → st-b" in page.text
    # The new station works it from here; the old one no longer may.
    again = insiders.event("clerk_a", waybill, type="at_station")
    assert again.status_code == 403 and again.json()["error"]["code"] == "other_station"
    arrived = insiders.event("clerk_b", waybill, type="at_station")
    assert arrived.status_code == 200 and arrived.json()["station_id"] == "st-b"


def test_clerk_cannot_pull_a_parcel_from_another_station(insiders: Insiders) -> None:
    waybill = insiders.parcels["waiting_a"][0]
    pulled = insiders.event("clerk_b", waybill, type="transferred", station_id="st-b")
    assert pulled.status_code == 403 and pulled.json()["error"]["code"] == "other_station"
    assert insiders.shipment(waybill)["station_id"] == "st-a"
    assert insiders.alerts("lifecycle_overreach", about=insiders.ids["clerk_b"])


@pytest.mark.parametrize("who", ["admin", "clerk_a", "svc_events"])
def test_delivered_without_proof_is_refused_for_every_role(insiders: Insiders, who: str) -> None:
    waybill = insiders.parcels["waiting_a"][0]
    refused = insiders.event(who, waybill, type="delivered")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "delivery_proof_required"
    assert insiders.shipment(waybill)["status"] == "at_station"


def test_the_local_operator_also_needs_a_proof(insiders: Insiders) -> None:
    waybill = insiders.parcels["road_a"][0]
    refused = insiders.cli("event", waybill, "delivered", "--json")
    assert (refused.code, refused.json["error"]["code"]) == (5, "delivery_proof_required")
    assert insiders.shipment(waybill)["status"] == "out_for_delivery"


def test_delivery_with_a_stated_reason_raises_an_alert(insiders: Insiders) -> None:
    waybill = insiders.parcels["road_a"][0]
    done = insiders.event("admin", waybill, type="delivered", reason="left_at_door")
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    [alert] = insiders.alerts("unproven_delivery", about=insiders.ids["admin"])
    assert alert["details"]["reason"] == "left_at_door"
    assert alert["evidence"][0]["waybill"] == waybill
    unknown = insiders.event("admin", insiders.parcels["road_a"][1], type="delivered", reason="x")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_reason"


def test_delivery_by_pickup_code_needs_no_reason(insiders: Insiders) -> None:
    waybill = insiders.parcels["waiting_a"][1]
    wrong = insiders.event("clerk_a", waybill, type="delivered", pickup_code="9-9-9999")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_pickup_code"
    code = insiders.pickup_code(waybill)
    done = insiders.event("clerk_a", waybill, type="delivered", pickup_code=code)
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert insiders.alerts("unproven_delivery") == []


def test_courier_takes_out_only_their_own_parcels(insiders: Insiders) -> None:
    theirs = insiders.parcels["assigned_b"][0]
    refused = insiders.event("courier_a", theirs, type="out_for_delivery")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_assigned"
    mine = insiders.parcels["assigned_a"][0]
    assert insiders.event("courier_a", mine, type="out_for_delivery").status_code == 200
    reassign = insiders.event(
        "courier_a", insiders.parcels["assigned_a"][1], type="assigned",
        courier_id=insiders.ids["courier_a"],
    )  # fmt: skip
    assert reassign.status_code == 403 and reassign.json()["error"]["code"] == "event_not_allowed"


@pytest.mark.parametrize(
    ("who", "code"),
    [("cs", "role_not_allowed"), ("so1", "role_not_allowed"), ("svc_read", "scope_missing")],
)
def test_roles_without_lifecycle_rights_are_refused(
    insiders: Insiders, who: str, code: str
) -> None:
    waybill = insiders.parcels["waiting_a"][0]
    refused = insiders.event(who, waybill, type="returned")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == code
    assert insiders.shipment(waybill)["status"] == "at_station"


def test_the_service_checks_rights_for_callers_that_skip_the_router(insiders: Insiders) -> None:
    waybill = insiders.parcels["waiting_a"][0]
    clerk_b = Caller(insiders.ids["clerk_b"], "station_clerk", "st-b")
    with pytest.raises(Denied) as refused:
        lifecycle.record(insiders.rt, clerk_b, waybill, "returned")
    assert refused.value.code == "other_station"
    stranger = Actor(insiders.ids["cs"], "customer_service")
    with pytest.raises(Denied), insiders.rt.db.session() as session:
        lifecycle.record_event(insiders.rt, session, stranger, waybill, "returned")
    assert insiders.shipment(waybill)["status"] == "at_station"


def test_illegal_transitions_are_refused_whatever_the_role(insiders: Insiders) -> None:
    waybill = insiders.parcels["fresh"][0]
    refused = insiders.event("admin", waybill, type="delivered", reason="left_at_door")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"

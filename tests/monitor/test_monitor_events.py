"""Normalisation: audit events and replay lines become the same `AccessEvent`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parcelguard.monitor.events import from_audit, from_replay, instant, normalise_action


def audit(action: str, decision: str | None = None, **details) -> dict:
    return {
        "tenant_id": "t1",
        "seq": 41,
        "at": "2026-11-02T01:00:00+00:00",
        "actor_id": "c1",
        "actor_role": "courier",
        "station_id": "st1",
        "action": action,
        "target_type": "shipment",
        "target_id": "s1",
        "decision": decision,
        "reason": "not_assigned" if decision == "deny" else None,
        "purpose": "delivery",
        "reference": None,
        "details": details,
    }


ACTIONS = [
    ("reveal", "allow", "reveal"),
    ("reveal", "deny", "deny"),
    ("label.scan", None, "scan"),
    ("export.recipients", None, "export"),
    ("auth.login", None, "login"),
    ("auth.login_failed", None, "login"),
    ("pickup.verify", None, "pickup"),
    ("relay.canary_hit", None, "signal"),
    ("forensics.canary_hit", None, "signal"),
    ("relay.pool_exhausted", None, "signal"),
    ("shipment.view", None, "other"),
    ("shipment.assigned", None, "step"),
    ("shipment.out_for_delivery", None, "step"),
    ("shipment.delivered_unproven", None, "signal"),
    ("shipment.transferred", None, "transfer"),
    ("monitor.alert", None, "other"),
]


@pytest.mark.parametrize(("action", "decision", "expected"), ACTIONS)
def test_audit_actions_map_to_the_detectors_vocabulary(action, decision, expected) -> None:
    assert normalise_action(action, decision) == expected
    event = from_audit(audit(action, decision))
    assert (event.action if event else "other") == expected


def test_a_reveal_audit_event_keeps_what_detectors_need_and_nothing_personal() -> None:
    event = from_audit(
        audit(
            "reveal",
            "deny",
            waybill="PG1",
            fields=["recipient.address"],
            assigned=False,
            via="api_key",
            key_id="k1",
        )
    )
    assert event is not None
    assert (event.principal_id, event.role, event.action, event.waybill) == (
        "c1",
        "courier",
        "deny",
        "PG1",
    )
    assert (event.assigned, event.outcome, event.seq, event.key_id) == (
        False,
        "not_assigned",
        41,
        "k1",
    )
    assert event.ts == datetime(2026, 11, 2, 1, tzinfo=UTC).timestamp()
    assert set(event.summary()) == {"seq", "at", "action", "waybill", "outcome"}


def test_label_scans_from_the_labels_domain_read_token_or_waybill_and_outcome() -> None:
    event = from_audit(audit("label.scan", token_id="tok9", outcome="landing", client="ip#3"))
    assert event is not None
    assert (event.action, event.waybill, event.outcome, event.target) == (
        "scan",
        "tok9",
        "landing",
        "ip#3",
    )


def test_a_canary_hit_names_the_principal_it_was_issued_to() -> None:
    event = from_audit(audit("relay.canary_hit", principal_id="c7", channel="relay"))
    assert event is not None and event.subject == "c7"


def test_a_reveal_carries_the_parcels_station_beside_the_actors() -> None:
    event = from_audit(audit("reveal", "allow", waybill="PG1", parcel_station="st9"))
    assert event is not None
    assert (event.station_id, event.parcel_station) == ("st1", "st9")


def test_a_transfer_names_the_old_and_the_new_station() -> None:
    details = {"waybill": "PG1", "courier_id": None, "station_id": "st2", "from_station": "st1"}
    for event in (
        from_audit(audit("shipment.transferred", **details)),
        from_replay(
            {
                "at": "2026-09-01T09:00:00+08:00",
                "principal_id": "k1",
                "role": "station_clerk",
                "station_id": "st1",
                "action": "shipment.transferred",
                "waybill_no": "PG1",
                "parcel_station": "st2",
                "from_station": "st1",
            }
        ),
    ):
        assert event is not None
        assert (event.action, event.waybill, event.parcel_station, event.from_station) == (
            "transfer",
            "PG1",
            "st2",
            "st1",
        )


def test_a_replay_line_may_give_the_parcels_station_at_the_top_or_in_details() -> None:
    at = "2026-09-01T09:00:00+08:00"
    top = from_replay({"at": at, "principal_id": "c1", "action": "reveal", "parcel_station": "a"})
    inner = from_replay(
        {"at": at, "principal_id": "c1", "action": "reveal", "details": {"parcel_station": "b"}}
    )
    bare = from_replay({"at": at, "principal_id": "c1", "action": "reveal"})
    assert top is not None and inner is not None and bare is not None
    assert (top.parcel_station, inner.parcel_station, bare.parcel_station) == ("a", "b", None)


REPLAY = [
    ({"action": "reveal", "outcome": "allowed"}, "reveal"),
    ({"action": "deny", "outcome": "not_assigned"}, "deny"),
    ({"action": "scan"}, "scan"),
    ({"action": "export", "count": 300}, "export"),
    ({"action": "login"}, "login"),
    ({"action": "pickup"}, "pickup"),
    ({"action": "label.scan"}, "scan"),
    ({"action": "reveal", "decision": "deny"}, "deny"),
    ({"action": "shipment.view"}, None),
    ({"action": "shipment.transferred"}, "transfer"),
]


@pytest.mark.parametrize(("extra", "expected"), REPLAY)
def test_replay_lines_use_the_same_vocabulary(extra, expected) -> None:
    line = {"at": "2026-09-01T09:00:00+08:00", "principal_id": "c1", "role": "courier", **extra}
    event = from_replay(line)
    assert (event.action if event else None) == expected
    if expected == "export":
        assert event is not None and event.count == 300


INSTANTS = [
    ("2026-09-01T09:05:07+08:00", datetime(2026, 9, 1, 1, 5, 7, tzinfo=UTC)),
    ("2026-09-01T01:05:07Z", datetime(2026, 9, 1, 1, 5, 7, tzinfo=UTC)),
    ("2026-09-01T01:05:07+00:00", datetime(2026, 9, 1, 1, 5, 7, tzinfo=UTC)),
    ("2026-09-01 09:05:07", datetime(2026, 9, 1, 1, 5, 7, tzinfo=UTC)),  # naive: China time
    ("2026-09-01T09:05:07.250+08:00", datetime(2026, 9, 1, 1, 5, 7, 250000, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), INSTANTS)
def test_instants_parse_to_epoch_seconds(text: str, expected: datetime) -> None:
    assert instant(text) == expected.timestamp()
    assert instant(text) == expected.timestamp()  # the cached path agrees with the first

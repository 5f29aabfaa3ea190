"""The reveal policy, row by row: who may see which field, of which parcel, when, and why not."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from parcelguard.access.policy import RevealRequest, ShipmentFacts, decide, load_policy
from parcelguard.access.principals import Caller
from parcelguard.clock import CHINA
from parcelguard.errors import ConfigError

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=CHINA)
TRAINED = date(2027, 6, 30)
POLICY = load_policy()

COURIER = Caller("c1", "courier", trained_until=TRAINED)
CLERK = Caller("k1", "station_clerk", station_id="st1", trained_until=TRAINED)
CS = Caller("cs1", "customer_service", trained_until=TRAINED)
OFFICER = Caller("so1", "security_officer", trained_until=TRAINED)
ADMIN = Caller("a1", "admin", trained_until=TRAINED)
SERVICE = Caller("svc", "service", scopes=frozenset({"reveal:recipient.address"}))
RECIPIENT = Caller("r1", "recipient", via="person", phone_digest=b"me")

OUT = ShipmentFacts("out_for_delivery", "c1", None, None, {"recipient": b"me", "sender": b"shop"})


def ask(
    caller: Caller,
    fields=("recipient.address",),
    purpose="delivery",
    reference=None,
    shipment=OUT,
    now=NOW,
    today=0,
    reference_ok=True,
) -> str:
    request = RevealRequest(
        caller, shipment, tuple(fields), purpose, reference, now, today, reference_ok
    )
    return decide(POLICY, request).reason


CASES = [
    # courier
    ("courier reveals address of own parcel out for delivery", COURIER, {}, "allowed"),
    (
        "courier asks for the raw phone",
        COURIER,
        {"fields": ("recipient.phone",)},
        "field_not_allowed",
    ),
    (
        "courier reveals a parcel not assigned to them",
        replace(COURIER, principal_id="c2"),
        {},
        "not_assigned",
    ),
    (
        "courier before the parcel goes out",
        COURIER,
        {"shipment": replace(OUT, status="assigned")},
        "outside_delivery_window",
    ),
    (
        "courier within 2 h after delivery",
        COURIER,
        {"shipment": replace(OUT, status="delivered", delivered_at=NOW - timedelta(minutes=90))},
        "allowed",
    ),
    (
        "courier more than 2 h after delivery",
        COURIER,
        {"shipment": replace(OUT, status="delivered", delivered_at=NOW - timedelta(minutes=121))},
        "outside_delivery_window",
    ),
    (
        "courier with expired training",
        replace(COURIER, trained_until=date(2026, 11, 1)),
        {},
        "training_expired",
    ),
    ("courier never trained", replace(COURIER, trained_until=None), {}, "training_expired"),
    (
        "courier for the wrong purpose",
        COURIER,
        {"purpose": "customer_service", "reference": "T1"},
        "purpose_not_allowed",
    ),
    ("courier over the daily quota", COURIER, {"today": 300}, "daily_quota_exceeded"),
    ("suspended courier", replace(COURIER, reveal_suspended=True), {}, "reveal_suspended"),
    (
        "courier in a browser session without step-up",
        replace(COURIER, via="session"),
        {},
        "step_up_required",
    ),
    (
        "courier in a browser session with a fresh step-up",
        replace(COURIER, via="session", step_up_at=NOW - timedelta(minutes=2)),
        {},
        "allowed",
    ),
    (
        "courier with a stale step-up",
        replace(COURIER, via="session", step_up_at=NOW - timedelta(minutes=6)),
        {},
        "step_up_required",
    ),
    # station clerk: nothing raw
    ("trained station clerk", CLERK, {}, "role_cannot_reveal"),
    ("untrained station clerk", replace(CLERK, trained_until=None), {}, "role_cannot_reveal"),
    # customer service: one field, ticket, quota
    (
        "customer service with a ticket",
        CS,
        {"fields": ("recipient.phone",), "purpose": "customer_service", "reference": "T-1"},
        "allowed",
    ),
    (
        "customer service without a ticket",
        CS,
        {"fields": ("recipient.phone",), "purpose": "customer_service"},
        "ticket_required",
    ),
    (
        "customer service asking for two fields",
        CS,
        {
            "fields": ("recipient.phone", "recipient.name"),
            "purpose": "customer_service",
            "reference": "T-1",
        },
        "too_many_fields",
    ),
    (
        "customer service asking for an ID number",
        CS,
        {"fields": ("sender.id_no",), "purpose": "customer_service", "reference": "T-1"},
        "field_not_allowed",
    ),
    (
        "customer service over quota",
        CS,
        {
            "fields": ("recipient.phone",),
            "purpose": "customer_service",
            "reference": "T-1",
            "today": 40,
        },
        "daily_quota_exceeded",
    ),
    (
        "untrained customer service",
        replace(CS, trained_until=None),
        {"fields": ("recipient.phone",), "purpose": "customer_service", "reference": "T-1"},
        "training_expired",
    ),
    # security officer: open case
    (
        "officer under an open case",
        OFFICER,
        {
            "fields": ("sender.id_no", "recipient.phone"),
            "purpose": "investigation",
            "reference": "C1",
        },
        "allowed",
    ),
    (
        "officer without a case",
        OFFICER,
        {"fields": ("recipient.phone",), "purpose": "investigation"},
        "case_required",
    ),
    (
        "officer under a closed case",
        OFFICER,
        {
            "fields": ("recipient.phone",),
            "purpose": "investigation",
            "reference": "C1",
            "reference_ok": False,
        },
        "case_not_open",
    ),
    # admin: separation of duties
    (
        "admin",
        ADMIN,
        {"fields": ("recipient.phone",), "purpose": "investigation", "reference": "C1"},
        "role_cannot_reveal",
    ),
    # service key: only its scopes
    ("service key with the scope", SERVICE, {}, "allowed"),
    ("service key without the scope", SERVICE, {"fields": ("recipient.phone",)}, "scope_missing"),
    # recipient: own data only
    ("recipient reveals their own address", RECIPIENT, {"purpose": "self"}, "allowed"),
    (
        "recipient asks for the sender's phone",
        RECIPIENT,
        {"fields": ("sender.phone",), "purpose": "self"},
        "not_own_data",
    ),
    (
        "someone else's parcel",
        replace(RECIPIENT, phone_digest=b"other"),
        {"purpose": "self"},
        "not_own_data",
    ),
    # every role: purged shipments are gone
    ("purged shipment", COURIER, {"shipment": replace(OUT, status="purged")}, "shipment_purged"),
]


@pytest.mark.parametrize(
    ("caller", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_policy_row(caller: Caller, kwargs: dict, expected: str) -> None:
    assert ask(caller, **kwargs) == expected


def test_tenant_can_tighten_quota_and_fields() -> None:
    policy = load_policy(
        {"roles": {"customer_service": {"daily_quota": 5, "fields": ["recipient.phone"]}}}
    )
    rule = policy.rule("customer_service")
    assert rule is not None and rule.daily_quota == 5 and rule.fields == {"recipient.phone"}


@pytest.mark.parametrize(
    "override",
    [
        {"courier": {"fields": ["recipient.address", "recipient.phone"]}},
        {"customer_service": {"daily_quota": 1000}},
        {"courier": {"after_delivery_minutes": 600}},
        {"courier": {"training": False}},
        {"courier": {"assigned_only": False}},
        {"customer_service": {"max_fields": 0}},
        {"janitor": {"daily_quota": 1}},
    ],
)
def test_tenant_cannot_loosen_the_default(override: dict) -> None:
    with pytest.raises(ConfigError):
        load_policy({"roles": override})


def test_device_keys_can_be_made_to_need_step_up() -> None:
    policy = load_policy({"settings": {"step_up_for_device_keys": True}})
    request = RevealRequest(COURIER, OUT, ("recipient.address",), "delivery", None, NOW, 0)
    assert decide(policy, request).reason == "step_up_required"

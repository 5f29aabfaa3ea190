"""The shape of a language's catalogue: the same sections, each a table of words by key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, cast

# The roles the policy page lists (then the person as `recipient`), in this order.
POLICY_ROLES = (
    "courier",
    "station_clerk",
    "customer_service",
    "security_officer",
    "admin",
    "service",
)


class Codes(TypedDict):
    """The wording of every code the system emits, one table per kind of code."""

    action: dict[str, str]
    reason: dict[str, str]
    role: dict[str, str]
    rule: dict[str, str]
    shipment_state: dict[str, str]
    event_type: dict[str, str]
    alert_state: dict[str, str]
    severity: dict[str, str]
    doctor: dict[str, str]
    policy: dict[str, str]
    reference: dict[str, str]
    purpose: dict[str, str]
    field: dict[str, str]
    decision: dict[str, str]
    detail: dict[str, str]
    complaint_step: dict[str, str]
    complaint_note: dict[str, str]
    target: dict[str, str]


class Catalogue(TypedDict):
    """One language: the codes' wording and each page family's text."""

    codes: Codes
    site: dict[str, Any]
    console: dict[str, Any]
    security: dict[str, Any]
    portal: dict[str, Any]
    access: dict[str, dict[str, str]]
    complaints: dict[str, dict[str, str]]
    admin: dict[str, Any]
    service: dict[str, Any]
    station: dict[str, Any]
    sms: dict[str, str]
    appeal: dict[str, Any]
    scan: dict[str, Any]
    errors: dict[str, Any]  # the error pages: `pages` by status ("404"), `shell`, `codes`


def code_tables(tables: Mapping[str, object]) -> Codes:
    """Return a language's code tables, each named for its kind in capitals (`ACTION`, …).

    A language module passes its `globals()`, so the kinds are listed once (in `Codes`) and a
    missing table fails the import.
    """
    return cast(Codes, {kind: tables[kind.upper()] for kind in Codes.__annotations__})

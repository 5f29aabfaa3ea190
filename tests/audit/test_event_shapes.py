"""The event's two declarations (object and mapping form) name the same fields in one order."""

from __future__ import annotations

from dataclasses import fields

from parcelguard.audit.results import EventColumns, EventFields


def test_event_columns_and_fields_agree() -> None:
    """mypy needs both a dataclass and a TypedDict; this keeps them from drifting apart."""
    assert [f.name for f in fields(EventColumns)] == list(EventFields.__annotations__)

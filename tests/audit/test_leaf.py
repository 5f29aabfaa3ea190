"""The leaf encoding: the fast writer equals canonical JSON of the leaf document for any
event; staff identities only enter through the salted `sealed` hash; times are canonical."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.audit.leaf import (
    canonical_json,
    canonical_time,
    leaf_bytes,
    leaf_document,
    sealed_digest,
)

text = st.text(max_size=12)
maybe = st.none() | text
details = st.dictionaries(
    st.sampled_from(["fields", "waybill", "key_id", "via", "n", "引用"]),
    st.lists(text, max_size=3) | text | st.integers() | st.none(),
    max_size=4,
).map(lambda d: json.dumps(d, sort_keys=True, ensure_ascii=False))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
events = st.fixed_dictionaries(
    {
        "tenant_id": text,
        "seq": st.integers(1, 2**40),
        "at": instants,
        "actor_id": text,
        "actor_role": text,
        "station_id": maybe,
        "action": text,
        "target_type": text,
        "target_id": maybe,
        "decision": maybe,
        "reason": maybe,
        "purpose": maybe,
        "reference": maybe,
        "details": details,
    }
)


@settings(max_examples=300, deadline=None)
@given(events, st.binary(min_size=16, max_size=16))
def test_the_fast_writer_is_canonical_json(event, salt) -> None:
    assert leaf_bytes(event, salt) == canonical_json(leaf_document(event, salt)).encode()
    stored = {**event, "at": event["at"].strftime("%Y-%m-%d %H:%M:%S.%f")}  # SQLite's text
    assert leaf_bytes(stored, salt) == leaf_bytes(event, salt)


def test_staff_identities_are_sealed_not_shown() -> None:
    event = {
        "tenant_id": "t1",
        "seq": 7,
        "at": datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        "actor_id": "courier-zhang-3",
        "actor_role": "courier",
        "station_id": "st-xihu",
        "action": "reveal",
        "target_type": "shipment",
        "target_id": "s1",
        "decision": "allow",
        "reason": "allowed",
        "purpose": "delivery",
        "reference": "TICKET-88",
        "details": json.dumps(
            {"fields": ["recipient.address"], "key_id": "key-abc", "waybill": "SF1"}
        ),
    }
    salt = bytes(range(16))
    leaf = leaf_bytes(event, salt).decode()
    for hidden in ("courier-zhang-3", "TICKET-88", "key-abc"):
        assert hidden not in leaf
    shown = json.loads(leaf)
    assert shown["details"] == {"fields": ["recipient.address"], "waybill": "SF1"}
    assert (
        shown["sealed"]
        == sealed_digest(salt, "courier-zhang-3", "TICKET-88", event["details"]).hex()
    )
    other = sealed_digest(bytes(16), "courier-zhang-3", "TICKET-88", event["details"])
    assert other.hex() != shown["sealed"]  # the salt stops guessing from a list of staff


def test_times_are_utc_with_microseconds() -> None:
    china = datetime(2026, 11, 2, 9, 0, tzinfo=UTC) + timedelta(microseconds=5)
    assert canonical_time(china) == "2026-11-02T09:00:00.000005Z"
    assert canonical_time("2026-11-02 09:00:00.000005") == "2026-11-02T09:00:00.000005Z"

"""One webhook signature recipe: the relay's and the monitor's headers carry the same MAC."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from parcelguard.crypto.webhook_signature import any_matches, body_mac, is_fresh
from parcelguard.monitor import webhook
from parcelguard.relay import signatures

SECRET, AT, BODY = "s3cret", 1_790_000_000, b'{"event":"call.start"}'
VECTOR = hmac.new(b"s3cret", b'1790000000.{"event":"call.start"}', hashlib.sha256).hexdigest()


def test_the_mac_is_hmac_sha256_over_timestamp_dot_body() -> None:
    assert body_mac(SECRET.encode(), AT, BODY) == VECTOR


def test_relay_and_monitor_headers_carry_the_same_mac() -> None:
    assert signatures.sign(SECRET.encode(), AT, BODY) == f"sha256={VECTOR}"
    assert webhook.sign(SECRET, AT, BODY) == f"t={AT},v1={VECTOR}"


@pytest.mark.parametrize(
    ("now", "fresh"), [(AT, True), (AT + 300, True), (AT - 300, True), (AT + 301, False)]
)
def test_freshness_window(now: float, fresh: bool) -> None:
    assert is_fresh(AT, now, 300) is fresh
    assert signatures.valid(SECRET.encode(), str(AT), f"sha256={VECTOR}", BODY, now, 300) is fresh
    assert webhook.verify(SECRET, f"t={AT},v1={VECTOR}", BODY, now=now) is fresh


def test_any_of_several_signatures_may_match_for_rotation() -> None:
    old = f"sha256={body_mac(b'old', AT, BODY)}"
    assert any_matches(f"sha256={VECTOR}", [old, f" sha256={VECTOR} "])
    assert not any_matches(f"sha256={VECTOR}", [old])
    assert not signatures.valid(SECRET.encode(), str(AT), old, BODY, AT, 300)
    assert not webhook.verify(SECRET, f"t={AT},v1={VECTOR}", BODY + b" ", now=AT)

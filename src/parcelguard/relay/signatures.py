"""Webhook signatures of the provider-neutral API: HMAC-SHA256 over "<timestamp>.<body>".

The recipe is `crypto/webhook_signature.py`'s (shared with the monitor's webhooks); this
module only lays it out in headers.

Headers: `X-ParcelGuard-Timestamp: <unix seconds>` and `X-ParcelGuard-Signature:
sha256=<hex>` (several comma-separated signatures are accepted, so a secret can be rotated).
A request without both, outside the time tolerance, or with no matching signature is refused:
the secret itself is never logged or echoed.
"""

from __future__ import annotations

from parcelguard.crypto.webhook_signature import any_matches, body_mac, is_fresh

TIMESTAMP_HEADER = "x-parcelguard-timestamp"
SIGNATURE_HEADER = "x-parcelguard-signature"
SCHEME = "sha256="


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the signature header value of a body sent at `timestamp`."""
    return SCHEME + body_mac(secret, timestamp, body)


def signed_headers(secret: bytes, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the headers a provider (or a test) sends with a signed body."""
    return {
        "X-ParcelGuard-Timestamp": str(timestamp),
        "X-ParcelGuard-Signature": sign(secret, timestamp, body),
        "Content-Type": "application/json",
    }


def valid(
    secret: bytes | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: int,
) -> bool:
    """Return whether the request carries a fresh signature made with `secret`."""
    if not secret or not timestamp or not signature:
        return False
    try:
        sent = int(timestamp.strip())
    except ValueError:
        return False
    if not is_fresh(sent, now, tolerance):
        return False
    return any_matches(sign(secret, sent, body), signature.split(","))

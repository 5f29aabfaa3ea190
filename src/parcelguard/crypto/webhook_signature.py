"""Webhook signatures, one recipe: HMAC-SHA256 over "<timestamp>.<body>", fresh, constant time.

Both webhook directions use it: the relay checks what carriers send (`relay/signatures.py`,
header `sha256=<hex>` beside `X-ParcelGuard-Timestamp`) and the monitor signs what it posts
(`monitor/webhook.py`, header `t=<unix seconds>,v1=<hex>`). Only the header layout differs;
the MAC, the freshness rule and the comparison live here. A secret is never logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable


def body_mac(secret: bytes, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`."""
    return hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def is_fresh(timestamp: int, now: float, tolerance: float) -> bool:
    """Return whether a signature made at `timestamp` is within `tolerance` seconds of now."""
    return abs(now - timestamp) <= tolerance


def any_matches(expected: str, presented: Iterable[str]) -> bool:
    """Return whether any presented signature equals `expected` (constant-time, each trimmed).

    Several signatures are accepted so a secret can be rotated without a gap.
    """
    wanted = expected.encode()
    return any(hmac.compare_digest(wanted, candidate.strip().encode()) for candidate in presented)

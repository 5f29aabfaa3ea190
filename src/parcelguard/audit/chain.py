"""How an event is hashed into the chain and what a checkpoint signs."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from parcelguard.clock import as_utc

GENESIS = b"\x00" * 32
HASHED_FIELDS = (
    "tenant_id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "station_id",
    "action",
    "target_type",
    "target_id",
    "decision",
    "reason",
    "purpose",
    "reference",
    "details",
)


def event_hash(prev_hash: bytes, fields: dict[str, Any]) -> bytes:
    """Return SHA-256 over the previous hash and the event's canonical JSON."""
    canonical = {name: _canonical(fields.get(name)) for name in HASHED_FIELDS}
    body = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(prev_hash + body.encode()).digest()


def checkpoint_statement(tenant_id: str, seq: int, head_hash: bytes, at: datetime) -> bytes:
    """Return the bytes a checkpoint signature covers."""
    parts = ["parcelguard-audit-checkpoint", tenant_id, str(seq), head_hash.hex(), _canonical(at)]
    return "\x1f".join(parts).encode()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value

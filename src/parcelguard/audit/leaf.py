"""What a log leaf is: the event's canonical bytes, with staff identities sealed by a hash.

The leaf is canonical JSON (keys sorted, no spaces, UTF-8) of the event's columns a
recipient may see (time, action, role, station, target, decision, reason, purpose, and the
`fields`/`waybill` of its details) plus `sealed`: SHA-256 of a random per-event salt and the
columns that name people (actor id, reference, the full details). The leaf commits to every
column, yet an inclusion proof can disclose it without naming a member of staff; the salt
stops anyone from guessing the sealed values from a list of staff ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parcelguard.clock import as_utc

VERSION = 1
PUBLIC_FIELDS = (
    "tenant_id",
    "seq",
    "at",
    "action",
    "actor_role",
    "station_id",
    "target_type",
    "target_id",
    "decision",
    "reason",
    "purpose",
)
PUBLIC_DETAILS = ("fields", "waybill")
SALT_SIZE = 16


def canonical_json(value: Any) -> str:
    """Return the one JSON spelling of `value` that hashes agree on."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_time(value: datetime | str) -> str:
    """Return a time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sealed_digest(salt: bytes, actor_id: str, reference: str | None, details: str) -> bytes:
    """Return the salted hash that commits to the columns naming people."""
    private = canonical_json({"actor_id": actor_id, "details": details, "reference": reference})
    return hashlib.sha256(salt + private.encode()).digest()


def public_details(details: str) -> dict[str, Any]:
    """Return the part of an event's details a recipient may see."""
    if not any(f'"{key}"' in details for key in PUBLIC_DETAILS):
        return {}
    parsed = json.loads(details or "{}")
    return {k: parsed[k] for k in PUBLIC_DETAILS if k in parsed}


def leaf_document(fields: Mapping[str, Any], salt: bytes) -> dict[str, Any]:
    """Return the leaf as a dict (what a proof shows), from the event's columns and salt."""
    doc = {name: fields[name] for name in PUBLIC_FIELDS}
    doc["at"] = canonical_time(fields["at"])
    details = fields["details"] or "{}"
    doc["details"] = public_details(details)
    doc["sealed"] = sealed_digest(salt, fields["actor_id"], fields["reference"], details).hex()
    doc["v"] = VERSION
    return doc


def leaf_bytes(fields: Mapping[str, Any], salt: bytes) -> bytes:
    """Return the leaf's bytes: the canonical JSON of `leaf_document`."""
    return canonical_json(leaf_document(fields, salt)).encode()

"""Import file headers: the contract's field names, their required set and length limits.

The names each field may go by (English, Chinese, every platform's) live in `sources.toml`,
read by `vault.sources`; `ALIASES` here is its view of the contract's own fields.
"""

from __future__ import annotations

from collections.abc import Sequence

from parcelguard.vault.sources import catalogue, clean_header, recognise

CONTRACT_FIELDS = (
    "waybill_no",
    "carrier",
    "sender_name",
    "sender_phone",
    "sender_address",
    "sender_id_no",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
    "station_id",
    "courier_id",
    "created_at",
)
REQUIRED = (
    "sender_name",
    "sender_phone",
    "sender_address",
    "recipient_name",
    "recipient_phone",
    "recipient_address",
)
LIMITS = {
    "waybill_no": 40,
    "carrier": 40,
    "sender_name": 64,
    "recipient_name": 64,
    "sender_phone": 32,
    "recipient_phone": 32,
    "sender_address": 200,
    "recipient_address": 200,
    "sender_id_no": 32,
    "station_id": 64,
    "courier_id": 64,
    "created_at": 40,
}
# Order matters: for each field the first matching alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
    name: catalogue().names.get(name, (name,)) for name in CONTRACT_FIELDS
}
__all__ = ["ALIASES", "LIMITS", "REQUIRED", "clean_header", "map_headers", "missing_required"]


def map_headers(headers: Sequence[str]) -> dict[str, int]:
    """Return field → column index as recognition maps a row of headers (first column)."""
    plan = recognise(headers)
    return {name: cols[0] for name, cols in plan.columns.items() if cols}


def missing_required(mapping: dict[str, int]) -> list[str]:
    """Return the required fields no header provides."""
    return [field for field in REQUIRED if field not in mapping]

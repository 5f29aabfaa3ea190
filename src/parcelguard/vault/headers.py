"""Import file headers: the contract's field names and their English and Chinese aliases."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

# Order matters: for each field the first matching alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "waybill_no": ("waybill_no", "运单号", "快递单号"),
    "carrier": ("carrier", "快递公司"),
    "sender_name": ("sender_name", "寄件人", "寄件人姓名"),
    "sender_phone": ("sender_phone", "寄件人电话", "寄件人手机"),
    "sender_address": ("sender_address", "寄件地址", "寄件人地址"),
    "sender_id_no": ("sender_id_no", "寄件人证件号", "身份证号"),
    "recipient_name": ("recipient_name", "收件人", "收件人姓名", "收货人", "收货人姓名"),
    "recipient_phone": (
        "recipient_phone",
        "收件人电话",
        "收件人手机",
        "联系手机",
        "收货人手机",
        "联系电话",
    ),
    "recipient_address": ("recipient_address", "收件地址", "收件人地址", "收货地址", "详细地址"),
    "station_id": ("station_id", "驿站", "网点"),
    "courier_id": ("courier_id", "快递员"),
    "created_at": ("created_at", "下单时间", "创建时间"),
}
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


def clean_header(text: str) -> str:
    """Normalize a header cell: width, case, surrounding spaces, a stray BOM, a trailing colon."""
    value = unicodedata.normalize("NFKC", str(text)).strip().lstrip("\ufeff").strip()
    return value.rstrip(":：").strip().lower()


def map_headers(headers: Sequence[str]) -> dict[str, int]:
    """Return field → column index, the first alias found in the row of headers winning."""
    position: dict[str, int] = {}
    for index, header in enumerate(headers):
        position.setdefault(clean_header(header), index)
    mapping = {}
    for field, aliases in ALIASES.items():
        for alias in aliases:
            if alias.lower() in position:
                mapping[field] = position[alias.lower()]
                break
    return mapping


def missing_required(mapping: dict[str, int]) -> list[str]:
    """Return the required fields no header provides."""
    return [field for field in REQUIRED if field not in mapping]

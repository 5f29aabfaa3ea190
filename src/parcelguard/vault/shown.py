"""How a rejected value is shown back to the person who imported it: masked, never in clear.

Errors and the rejected-rows file speak in the user's words (their row, their column), but a
value is personal data: names, phones, addresses and ID numbers are masked to at least the
GB/T 41833-2022 minimums, and anything unrecognisable shows at most a third of itself.
Plain fields (waybill, carrier, station, courier, time) are shown as typed, shortened,
unless the very problem is that they hold something personal.
"""

from __future__ import annotations

import re

from parcelguard.pii.masking import MASK, mask_id_number, mask_name, mask_normalized_phone
from parcelguard.pii.normalize import normalize_phone

PLAIN = ("waybill_no", "carrier", "station_id", "courier_id", "created_at")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def masked_value(field: str, text: str, code: str = "") -> str:
    """Return `text` as an error may show it for `field`."""
    text = text.strip()
    if not text:
        return ""
    if field in PLAIN and code != "looks_like_personal_data":
        return _CONTROL.sub(" ", text)[:40]
    if field.endswith("_phone_ext"):
        return MASK * min(len(text), 6)
    if field.endswith("_name"):
        return mask_name(text)[:40]
    if field.endswith("_phone"):
        phone = normalize_phone(text)
        return mask_normalized_phone(phone) if phone else mask_text(text)
    if field.endswith("_address"):
        keep = min(6, len(text) // 3)
        return text[:keep] + MASK * 3
    if field == "sender_id_no":
        return mask_id_number(text) if len(text) >= 8 else mask_text(text)
    return mask_text(text)


def mask_text(text: str) -> str:
    """Show at most a third of a value (and never more than five characters of it)."""
    text = _CONTROL.sub(" ", text)[:64]
    visible = min(5, len(text) // 3)
    head, tail = (visible + 1) // 2, visible // 2
    return text[:head] + MASK * (len(text) - visible) + (text[-tail:] if tail else "")

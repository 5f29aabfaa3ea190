"""One canonical form per value and type, so 138 1234 5678 and +86 13812345678 hash alike."""

from __future__ import annotations

import re

from parcelguard.pii.normalize import normalize_name, normalize_phone, normalize_resident_id
from parcelguard.pii.text_view import fold


def canonical(entity_type: str, value: str) -> str:
    """Return the form keyed hashes and tokens are computed from."""
    text = fold(value).strip()
    if entity_type in ("PHONE", "LANDLINE"):
        phone = normalize_phone(text)
        return phone.e164 if phone else re.sub(r"\D", "", text)
    if entity_type == "ID_CARD":
        return normalize_resident_id(text) or text.replace(" ", "").upper()
    if entity_type == "BANK_CARD":
        return re.sub(r"\D", "", text)
    if entity_type == "EMAIL":
        return text.lower()
    if entity_type == "NAME":
        return normalize_name(text)
    if entity_type in ("PLATE", "WAYBILL_NO"):
        return re.sub(r"[\s·•.\-]", "", text).upper()
    return re.sub(r"\s+", "", text)

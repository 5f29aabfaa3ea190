"""Phone numbers as the relay sees them: one canonical form, a keyed reference, a masked form.

A caller's real number is never stored or logged: the relay keeps its blind-index digest
(`party_ref`, the vault's own phone index, so a recipient's reference equals their parcels')
and the masked form every view shows.
"""

from __future__ import annotations

import re

from parcelguard.errors import InvalidInput
from parcelguard.pii.masking import MASK, mask_normalized_phone
from parcelguard.pii.normalize import normalize_phone, to_halfwidth
from parcelguard.runtime import Runtime

_SEPARATORS = re.compile(r"[\s\-‐‑–—()（）.·]")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")
INDEX_KIND = "phone"  # the vault's phone index: one digest per number across the system


def canonical(raw: str | None) -> str | None:
    """Return the E.164-like form (+8613812345678, +14155550100), or None if not a number."""
    if not raw:
        return None
    phone = normalize_phone(raw)
    if phone is not None:
        return phone.e164
    text = _SEPARATORS.sub("", to_halfwidth(raw.strip()))
    if text.startswith("00"):
        text = "+" + text[2:]
    if _INTERNATIONAL.fullmatch(text) and not text.startswith("+86"):
        return text
    return None


def require_canonical(raw: str | None, field: str) -> str:
    """Return the canonical number or raise `InvalidInput` naming the field (never the value)."""
    number = canonical(raw)
    if number is None:
        raise InvalidInput(f"{field} is not a phone number", code="invalid_phone")
    return number


def party_ref(rt: Runtime, number: str) -> bytes:
    """Return the keyed reference of a canonical number (what bindings and records store)."""
    return rt.keyring.index.digest(rt.tenant, INDEX_KIND, number)


def mask_number(number: str) -> str:
    """Return the masked form of a canonical number: 138******78, 0571-******88, +1415*****00."""
    phone = normalize_phone(number)
    if phone is not None:
        return mask_normalized_phone(phone)
    return number[:5] + MASK * max(6, len(number) - 7) + number[-2:]


def national(number: str) -> str:
    """Return a mainland number as dialled at home (13812345678); others unchanged."""
    phone = normalize_phone(number)
    return phone.national if phone is not None else number


def mask_waybill(waybill: str) -> str:
    """Hide the middle of a waybill number: SF1234567890123 → SF*********0123."""
    text = waybill.strip()
    if len(text) <= 6:
        return text[:1] + MASK * max(1, len(text) - 1)
    head, tail = (2, 4) if len(text) >= 10 else (1, 2)
    return text[:head] + MASK * (len(text) - head - tail) + text[-tail:]

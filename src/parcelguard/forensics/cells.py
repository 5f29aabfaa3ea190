"""What one cell of a leaked table holds: a phone (whole or masked), a name, an address, text.

Fast checks only (no word segmentation): they run on every cell of a million-row file. Free
text cells, where a name, a phone and an address sit together, go to the PII analyzer instead
(`text_people.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parcelguard.pii.divisions import prefix_index
from parcelguard.pii.normalize import Phone, normalize_name, normalize_phone, to_halfwidth
from parcelguard.pii.surnames import surname_at

MASK_CHARS = "*xX×●＊#"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()（）.·]")
_MASKED_PHONE = re.compile(r"(?:\+?86)?([01][0-9*xX×●＊#]{6,11})")
_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,10}")
_MASKED_NAME = re.compile(r"([\u4e00-\u9fff]{1,2})(?:[*×＊xX]{1,3}|某{1,2})")
_ADDRESS_HINT = re.compile(r"[省市区县镇乡路街道巷弄村号栋幢单元室]")
_DIGIT_RUN = re.compile(r"[0-9*×＊]{7,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")

KINDS = ("phone", "masked_phone", "name", "masked_name", "address", "text")


@dataclass(frozen=True, slots=True)
class PhonePattern:
    """The visible digits of a masked (or damaged) phone: what comes before and after the mask."""

    head: str
    tail: str

    def __repr__(self) -> str:
        return "PhonePattern(***)"

    def fits(self, masked: str) -> bool:
        """Return whether a stored masked form (138******78) agrees where both show digits."""
        other = masked_pattern(masked)
        if other is None:
            return False
        head = min(len(self.head), len(other.head))
        tail = min(len(self.tail), len(other.tail))
        if head + tail < 3:
            return False
        same_head = self.head[:head] == other.head[:head]
        return same_head and (tail == 0 or self.tail[-tail:] == other.tail[-tail:])

    def fits_phone(self, national: str) -> bool:
        """Return whether a whole number agrees with the visible digits."""
        return national.startswith(self.head) and national.endswith(self.tail)


def masked_pattern(text: str) -> PhonePattern | None:
    """Return the visible head and tail of a masked phone (138****5678, 0571-******88)."""
    number = text.split("转", 1)[0]  # a stored privacy number's masked extension: 转 ****
    cleaned = _SEPARATORS.sub("", to_halfwidth(number.strip()))
    match = _MASKED_PHONE.fullmatch(cleaned)
    if match is None:
        return None
    body = match.group(1)
    first = next((i for i, ch in enumerate(body) if ch in MASK_CHARS), -1)
    if first < 0:
        return None
    last = max(i for i, ch in enumerate(body) if ch in MASK_CHARS)
    head, tail = body[:first], body[last + 1 :]
    if not (head + tail).isdigit() or len(head) + len(tail) < 3:
        return None
    return PhonePattern(head, tail)


def damaged_pattern(text: str) -> PhonePattern | None:
    """Return head and tail of a number that looks like a mistyped mobile (10 or 12 digits)."""
    digits = re.sub(r"\D", "", to_halfwidth(text))
    if 10 <= len(digits) <= 12 and digits[0] == "1" and digits[1] in "3456789":
        return PhonePattern(digits[:3], digits[-2:])
    return None


def as_phone(text: str) -> Phone | None:
    """Return the phone a cell holds when the whole cell is one valid number."""
    if len(text) > 24 or not any(ch.isdigit() for ch in text[:4]):
        return None
    return normalize_phone(text)


def as_name(text: str) -> str | None:
    """Return the normalized name when the cell is a plausible Chinese personal name."""
    value = normalize_name(text).replace(" ", "")
    if _NAME.fullmatch(value) and surname_at(value, 0):
        return value
    return None


def is_masked_name(text: str) -> bool:
    """Return whether the cell is a masked name (张*, 欧阳**, 王某)."""
    value = normalize_name(text).replace(" ", "")
    match = _MASKED_NAME.fullmatch(value)
    return match is not None and bool(surname_at(value, 0))


def is_address(text: str) -> bool:
    """Return whether the cell reads as a postal address (resolves to a division, or looks so)."""
    if len(text) < 6 or not _HAN.search(text):
        return False
    if prefix_index().resolve(text) is not None:
        return True
    return len(_ADDRESS_HINT.findall(text)) >= 3 and not _DIGIT_RUN.search(text)


def is_text(text: str) -> bool:
    """Return whether the cell is free text carrying a phone-like run next to Chinese words."""
    return len(text) >= 12 and bool(_HAN.search(text)) and bool(_DIGIT_RUN.search(text))


def kind_of(text: str) -> str | None:
    """Classify one cell; None when it holds nothing a person could be matched by."""
    if not text:
        return None
    if as_phone(text) is not None:
        return "phone"
    if masked_pattern(text) is not None:
        return "masked_phone"
    if len(text) <= 12:
        if is_masked_name(text):
            return "masked_name"
        if as_name(text) is not None:
            return "name"
    if is_text(text):
        return "text"
    if is_address(text):
        return "address"
    return None

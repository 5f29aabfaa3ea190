"""Normalization and validation of phone numbers, resident ID numbers and names.

Shared by import (validate a row), the blind index (one canonical form per value) and the
recognizers. Nothing here raises with the value in the message: callers report field names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―()（）.·]")
# What spreadsheet users put in front of a number to keep it text: 'x, `x, ‘x, ’x, ="x".
_TEXT_MARKS = "'`‘’\"“”="
# An extension after a complete number: 13800138000-1234, 转1234, 分机 1234, ext 12, #1234,
# [1234], (1234), _1234. Platforms export their privacy numbers (虚拟号) this way.
_EXTENSION = re.compile(
    r"^(?P<base>.+?)\s*(?:"
    r"(?:转|轉|分机|分機|ext\.?|x|#|,|_|-|~)\s*(?P<ext>[0-9]{1,6})#?"
    r"|[\[(（【<]\s*(?P<bracketed>[0-9]{1,6})\s*[\])）】>]"
    r")$",
    re.IGNORECASE,
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def to_halfwidth(text: str) -> str:
    """Turn full-width digits, letters and symbols (１３８, ＋８６) into ASCII."""
    return unicodedata.normalize("NFKC", text) if text.isascii() is False else text


@dataclass(frozen=True)
class Phone:
    """A valid mainland phone number in canonical forms, with its extension if it has one."""

    kind: str  # "mobile" or "landline"
    national: str  # 13812345678 or 057188888888 (the base number, never the extension)
    area_code: str = ""
    extension: str = ""  # digits dialled after the call connects (a privacy number's 分机号)

    def __repr__(self) -> str:
        return f"Phone(kind={self.kind!r}, ***)"

    @property
    def e164(self) -> str:
        """Return the E.164-like form used by the blind index: +8613812345678."""
        return "+86" + self.national.lstrip("0")

    @property
    def full(self) -> str:
        """Return the number as stored and revealed: 13800138000, or 13800138000-1234."""
        return f"{self.national}-{self.extension}" if self.extension else self.national

    @property
    def last4(self) -> str:
        """Return the last four digits (what a station clerk may ask for)."""
        return self.national[-4:]


def phone_digits(raw: str) -> str:
    """Strip separators, spreadsheet text marks and the country prefix, keeping the digits."""
    text = _SEPARATORS.sub("", to_halfwidth(raw.strip()).strip(_TEXT_MARKS))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and _MOBILE.fullmatch(text[2:]):
        text = text[2:]
    return text


def normalize_phone(raw: str) -> Phone | None:
    """Return the canonical phone, or None when it is not a valid mainland number.

    Accepts the forms people type and platforms export: a leading apostrophe, full-width
    digits, spaces and dashes, +86 / 86- / 0086, landlines with their area code, and an
    extension after a complete number (13800138000-1234, 13800138000转1234, …[1234]).
    """
    if _PLAIN_MOBILE.fullmatch(raw):
        return Phone("mobile", raw)  # 13812345678 as it is: the usual case, nothing to strip
    phone = _base_phone(phone_digits(raw))
    if phone is not None or len(raw) > 64:
        return phone
    match = _EXTENSION.match(to_halfwidth(raw.strip()).strip(_TEXT_MARKS))
    if match is None:
        return None
    base = _base_phone(phone_digits(match.group("base")))
    if base is None:
        return None
    extension = match.group("ext") or match.group("bracketed")
    return Phone(base.kind, base.national, base.area_code, extension)


def _base_phone(digits: str) -> Phone | None:
    """Return the mobile or landline these digits spell, without any extension."""
    if not digits.isdigit():
        return None
    if _MOBILE.fullmatch(digits):
        return Phone("mobile", digits)
    if not digits.startswith("0"):
        digits = "0" + digits  # landlines written after +86 lose their trunk zero
    area = landline_area(digits)
    if area is None:
        return None
    subscriber = digits[len(area) :]
    if 7 <= len(subscriber) <= 8 and subscriber[0] not in "01":
        return Phone("landline", digits, area)
    return None


def landline_area(digits: str) -> str | None:
    """Return the area code a landline starts with (010, 02X, or 0XXX), or None."""
    if digits.startswith("010"):
        return "010"
    if digits.startswith("02") and len(digits) >= 3:
        return digits[:3]
    if len(digits) >= 4 and digits[0] == "0" and digits[1] in "3456789":
        return digits[:4]
    return None


def id_check_digit(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of a resident ID's first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_resident_id(raw: str, *, today: date | None = None) -> str | None:
    """Return the 18-character resident ID in upper case if valid, else None."""
    text = to_halfwidth(raw.strip()).upper().replace(" ", "")
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return None
    if text[:2] not in _PROVINCES:
        return None
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None
    if born.year < 1900 or born > (today or date.today()):
        return None
    if id_check_digit(text[:17]) != text[17]:
        return None
    return text


def normalize_name(raw: str) -> str:
    """Collapse whitespace and full-width forms; keep the middle dot of minority names."""
    text = to_halfwidth(raw.strip())
    return re.sub(r"\s+", " ", text)


def luhn_ok(digits: str) -> bool:
    """Return whether a card number passes the Luhn check."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0

"""What a label shows: already-masked content, the label sizes, and the guard against raw PII.

The renderers only ever draw these objects, and every renderer calls `validate_masked` first:
a label is the most public copy of a person's data, so a value that does not look masked is
refused before a single glyph is drawn. The error names the field, never the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from urllib.parse import urlsplit

from parcelguard.errors import InvalidInput

# The characters a masked value may hide with; the same set `pii.masking.is_masked` accepts.
MASK_CHARS = frozenset("*＊×")
# Separators people put inside phone numbers; removed before looking for digit runs.
_SEPARATORS = re.compile(r"[\s\-－—_.()（）]")
# Seven digits in a row is a landline subscriber number or most of a mobile: never printable.
_DIGIT_RUN = re.compile(r"\d{7,}")
# A phone hides at least six digits (GB/T 41833-2022, ARCHITECTURE.md "Masking").
_MIN_PHONE_MASKS = 6
# The opaque token of `<base URL>/s/<token>`: URL-safe, long enough to be unguessable.
_TOKEN_PATH = re.compile(r"/s/[A-Za-z0-9_-]{16,128}\Z")
_TAIL = re.compile(r"[A-Za-z0-9]{1,4}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: no label text holds them
# What a Code128 symbol and a ZPL field carry safely; carriers' numbers are all of this form.
_WAYBILL = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
# A relay number as the relay shows it: digits in groups (or +E.164), maybe " 转 " extension.
_RELAY_NUMBER = re.compile(r"\+?[0-9]{3,6}(?: [0-9]{3,5}){0,3}(?: 转 [0-9]{1,6})?")


class LabelSize(Enum):
    """The waybill sizes a renderer lays out, as `<width>x<height>` in millimetres."""

    MM_100X180 = "100x180"
    MM_100X150 = "100x150"  # the one-part e-waybill most stations' thermal printers hold
    MM_76X130 = "76x130"

    @property
    def width_mm(self) -> float:
        """Return the label width in millimetres."""
        return float(self.value.split("x")[0])

    @property
    def height_mm(self) -> float:
        """Return the label height in millimetres."""
        return float(self.value.split("x")[1])

    @classmethod
    def parse(cls, text: str) -> LabelSize:
        """Return the size named `100x180`, `100x150` or `76x130`; else `InvalidInput`."""
        for size in cls:
            if size.value == text.strip().lower():
                return size
        raise InvalidInput(
            "unknown label size", code="unknown_label_size", details={"sizes": sizes()}
        )


def sizes() -> list[str]:
    """Return the names of the supported waybill sizes."""
    return [size.value for size in LabelSize]


DEFAULT_SIZE = LabelSize.MM_100X180


@dataclass(frozen=True, slots=True)
class LabelContent:
    """One privacy waybill, every personal field already masked by the vault."""

    waybill_no: str
    carrier: str
    sorting_code: str
    destination: str
    recipient_name: str
    recipient_phone: str
    recipient_address: str
    sender_name: str
    sender_phone: str
    sender_address: str
    contents: str
    weight_kg: float | None
    qr_url: str
    printed_at: datetime
    # The carrier's virtual number that reaches the recipient ("171 0571 9999 转 0427"), when
    # the parcel had a live relay binding at printing time; "" prints the masked phone only.
    relay_number: str = ""

    def __repr__(self) -> str:
        # Masked values are still personal data in bulk; keep them out of logs and tracebacks.
        return f"LabelContent(waybill_no={self.waybill_no!r}, ...)"


@dataclass(frozen=True, slots=True)
class ShelfLabelContent:
    """A station shelf label: the pickup code a clerk hands the parcel over by."""

    pickup_code: str
    recipient_name: str
    shelf: str
    waybill_tail: str
    station_name: str
    arrived_at: datetime

    def __repr__(self) -> str:
        return f"ShelfLabelContent(shelf={self.shelf!r}, ...)"


NAME_FIELDS = ("recipient_name", "sender_name")
PHONE_FIELDS = ("recipient_phone", "sender_phone")
ADDRESS_FIELDS = ("recipient_address", "sender_address")
# Free text that is not personal by design but must not smuggle a phone number onto a label.
FREE_TEXT_FIELDS = ("carrier", "sorting_code", "destination", "contents")


def validate_masked(content: LabelContent | ShelfLabelContent) -> None:
    """Refuse content whose personal fields do not look masked; `InvalidInput` names the field.

    Rules (an empty value shows nothing and passes): no field but the waybill number holds a
    run of seven or more digits; a name carries a mask character; a phone carries at least six;
    an address ends with one; the QR holds `<base URL>/s/<token>` and nothing else; the waybill
    number is letters, digits and dashes; the relay number (a carrier's virtual number, shown in
    full by design) is digits in groups with an optional ` 转 ` extension; no text holds a
    control character.
    """
    _require_text(content)
    if isinstance(content, ShelfLabelContent):
        _validate_shelf(content)
        return
    _validate_parties(content)
    for name in FREE_TEXT_FIELDS:
        _check_digits(name, getattr(content, name))
    _check_qr_url(content.qr_url)
    if content.relay_number and not _RELAY_NUMBER.fullmatch(content.relay_number):
        raise InvalidInput(
            "label field relay_number is not a relay number",
            code="invalid_label",
            details=_at("relay_number"),
        )
    if not _WAYBILL.fullmatch(content.waybill_no):
        raise InvalidInput(
            "label field waybill_no is not a printable waybill number",
            code="invalid_label",
            details=_at("waybill_no"),
        )
    weight = content.weight_kg
    if weight is not None and not (isinstance(weight, int | float) and 0 <= weight < 100_000):
        raise InvalidInput(
            "label field weight_kg out of range", code="invalid_label", details=_at("weight_kg")
        )


def _validate_parties(content: LabelContent) -> None:
    """Apply the masking rules to the recipient's and the sender's name, phone and address."""
    for name in NAME_FIELDS:
        _check_name(name, getattr(content, name))
    for name in PHONE_FIELDS:
        value = getattr(content, name)
        _check_digits(name, value)
        if value and _mask_count(value) < _MIN_PHONE_MASKS:
            _refuse(name)
    for name in ADDRESS_FIELDS:
        value = getattr(content, name)
        _check_digits(name, value)
        if value.strip() and value.rstrip()[-1] not in MASK_CHARS:
            _refuse(name)


def _validate_shelf(content: ShelfLabelContent) -> None:
    """Apply the masking rules to a shelf label."""
    _check_name("recipient_name", content.recipient_name)
    for name in ("pickup_code", "shelf", "station_name"):
        # Pickup codes are dash-separated on purpose (3-2-0417): look at the raw runs only.
        _check_digits(name, getattr(content, name), strip=False)
    if content.waybill_tail and not _TAIL.fullmatch(content.waybill_tail):
        _refuse("waybill_tail")


def _require_text(content: LabelContent | ShelfLabelContent) -> None:
    """Check that every text field is a `str` (a `Sensitive` or `None` must not slip through)."""
    for field in fields(content):
        value = getattr(content, field.name)
        expected = {"str": str, "datetime": datetime}.get(str(field.type))
        if expected is not None and not isinstance(value, expected):
            raise InvalidInput(
                "label field is not text", code="invalid_label", details=_at(field.name)
            )
        # Control characters print as nothing useful and can stop a text shaper mid-label.
        if isinstance(value, str) and _CONTROL.search(value):
            raise InvalidInput(
                "label field holds control characters",
                code="invalid_label",
                details=_at(field.name),
            )


def _check_name(field: str, value: str) -> None:
    """Refuse a name that hides no character."""
    _check_digits(field, value)
    if value and _mask_count(value) == 0:
        _refuse(field)


def _check_digits(field: str, value: str, *, strip: bool = True) -> None:
    """Refuse a value holding a phone-length run of digits (separators ignored when `strip`)."""
    if _DIGIT_RUN.search(_SEPARATORS.sub("", value) if strip else value):
        _refuse(field)


def _check_qr_url(url: str) -> None:
    """Refuse a QR URL other than `<http(s) base URL>/s/<opaque token>`."""
    parts = urlsplit(url)
    ok = (
        parts.scheme in {"https", "http"}
        and bool(parts.netloc)
        and not parts.query
        and not parts.fragment
        and _TOKEN_PATH.search(parts.path) is not None
    )
    if not ok:
        raise InvalidInput(
            "label field qr_url must hold <base URL>/s/<token>",
            code="invalid_qr_url",
            details=_at("qr_url"),
        )


def _mask_count(value: str) -> int:
    return sum(1 for char in value if char in MASK_CHARS)


def _at(field: str) -> dict[str, str]:
    return {"field": field}


def _refuse(field: str) -> None:
    """Raise the one error of this guard; the value stays out of the message on purpose."""
    raise InvalidInput(
        f"label field {field} does not look masked", code="unmasked_field", details=_at(field)
    )

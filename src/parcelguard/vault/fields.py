"""The plain (unencrypted) shipment fields: waybill, carrier, station and courier, checked once.

These columns are stored in clear and printed on labels, so each has a charset and a length,
and none may carry a phone number (a run of seven digits in a carrier or courier cell is
personal data slipping past the vault). Import, the shipments API, the events API and the
CLI all check through here, so a value is accepted or refused the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from parcelguard.errors import InvalidInput

# Letters, digits and dashes, as every carrier prints them (the label's own rule).
WAYBILL = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")
WAYBILL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$"
# Identifiers: letters of any script, digits and a few joiners; no spaces, no markup.
IDENTIFIER = re.compile(r"[^\W_][\w.:·()（）-]*")
IDENTIFIER_PATTERN = r"^[^\W_][\w.:·()（）-]*$"
# A carrier's name: letters, digits, spaces and the punctuation company names use.
CARRIER = re.compile(r"[^\W_][\w .&·()（）/-]*")
_DIGIT_RUN = re.compile(r"[0-9]{7,}")  # a carrier name never has one (nor may a label)
# In an identifier (hex principal ids have digit runs by chance): a mobile or a landline.
_PHONE_LIKE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-[2-9][0-9]{6,7})(?![0-9])")
# The ids ParcelGuard makes itself (`db.new_id`): random hex, where eleven digits in a row
# that read like a mobile turn up by chance (about one id in 300).
_OWN_ID = re.compile(r"[0-9a-f]{32}")
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_TEXT_MARKS = "'`‘’\"“”="
LIMITS = {"waybill_no": 40, "carrier": 40, "station_id": 64, "courier_id": 64}


@dataclass(frozen=True)
class FieldProblem:
    """Why a plain field was refused: an error code and a reason in plain words."""

    code: str
    reason: str


_PHONE_IN_CLEAR = FieldProblem(
    "looks_like_personal_data", "holds a phone-like number; this field is stored unencrypted"
)


def _too_long(field: str, text: str) -> FieldProblem | None:
    """Return the problem of a value over its field's length limit, or None."""
    limit = LIMITS[field]
    return (
        FieldProblem("too_long", f"longer than {limit} characters") if len(text) > limit else None
    )


def clean(text: str) -> str:
    """Return a cell as typed minus width forms, surrounding space and spreadsheet text marks."""
    return unicodedata.normalize("NFKC", text).strip().strip(_TEXT_MARKS).strip()


def check_waybill(text: str) -> FieldProblem | None:
    """Return why `text` (already cleaned) is not a waybill number, or None when it is."""
    if problem := _too_long("waybill_no", text):
        return problem
    if _SCIENTIFIC.fullmatch(text):
        return FieldProblem(
            "invalid_waybill",
            "the spreadsheet turned the number into 1.2E+14; format the column as text",
        )
    if not WAYBILL.fullmatch(text):
        return FieldProblem(
            "invalid_waybill", "a waybill number is 4 to 40 letters, digits and dashes"
        )
    return None


def check_identifier(field: str, text: str) -> FieldProblem | None:
    """Return why `text` is not a station or courier id, or None when it is."""
    if problem := _too_long(field, text):
        return problem
    if _PHONE_LIKE.search(text) and not _OWN_ID.fullmatch(text):
        return _PHONE_IN_CLEAR
    if not IDENTIFIER.fullmatch(text):
        return FieldProblem(
            "invalid_characters", "use letters, digits and . : - ( ) only, without spaces"
        )
    return None


def check_carrier(text: str) -> FieldProblem | None:
    """Return why `text` is not a carrier name, or None when it is."""
    if problem := _too_long("carrier", text):
        return problem
    if _DIGIT_RUN.search(text):
        return _PHONE_IN_CLEAR
    if not CARRIER.fullmatch(text):
        return FieldProblem(
            "invalid_characters", "use letters, digits, spaces and . & · ( ) / - only"
        )
    return None


CHECKS: dict[str, Callable[[str], FieldProblem | None]] = {
    "waybill_no": check_waybill,
    "carrier": check_carrier,
    "station_id": lambda text: check_identifier("station_id", text),
    "courier_id": lambda text: check_identifier("courier_id", text),
}


def check(field: str, text: str) -> FieldProblem | None:
    """Return why a plain field's value is refused, or None."""
    return CHECKS[field](text)


def require(field: str, value: str | None, *, name: str | None = None) -> str | None:
    """Return the cleaned value or raise `InvalidInput` naming the field (never the value)."""
    if value is None:
        return None
    text = clean(value)
    problem = check(field, text)
    if problem is not None:
        label = name or field
        raise InvalidInput(
            f"{label}: {problem.reason}",
            code=problem.code,
            details={"field": field, "reason": problem.reason},
        )
    return text


def validator(field: str) -> Callable[[str | None], str | None]:
    """Return a pydantic after-validator for an optional plain field (API request models)."""

    def check_value(value: str | None) -> str | None:
        if value is None:
            return None
        text = clean(value)
        problem = check(field, text)
        if problem is not None:
            raise ValueError(problem.reason)
        return text

    return check_value

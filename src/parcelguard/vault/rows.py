"""Row validation: normalize and check one imported record; report field, code and reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from parcelguard.clock import parse_instant
from parcelguard.pii.normalize import Phone, normalize_name, normalize_phone, normalize_resident_id
from parcelguard.sensitive import Sensitive
from parcelguard.vault.headers import LIMITS, REQUIRED
from parcelguard.vault.readers import RawRow


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected: spreadsheet row, field, code, human message (no values)."""

    row: int
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        """Return the contract's error shape."""
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class PartyInput:
    """A validated person: name, phone, full address (region resolved later), ID number."""

    name: Sensitive
    phone: Phone
    address: Sensitive
    id_no: Sensitive | None = None


@dataclass(frozen=True)
class ShipmentInput:
    """A validated row, ready for address resolution and sealing."""

    row: int
    waybill_no: str | None
    carrier: str | None
    sender: PartyInput
    recipient: PartyInput
    station_id: str | None
    courier_id: str | None
    created_at: datetime | None


def validate_row(raw: RawRow, today: date) -> ShipmentInput | list[RowError]:
    """Return the validated shipment, or every problem of the row."""
    if raw.problem is not None:
        field, code, message = raw.problem
        return [RowError(raw.row, field, code, message)]
    values = {k: v.strip() for k, v in raw.values.items()}
    problems = [
        RowError(raw.row, name, "missing_field", f"{name} is required")
        for name in REQUIRED
        if not values.get(name)
    ]
    problems += [
        RowError(raw.row, name, "too_long", f"{name} is longer than {limit} characters")
        for name, limit in LIMITS.items()
        if len(values.get(name, "")) > limit
    ]
    if problems:
        return problems
    sender_phone = _phone(raw.row, "sender_phone", values["sender_phone"], problems)
    recipient_phone = _phone(raw.row, "recipient_phone", values["recipient_phone"], problems)
    id_no = _id_number(raw.row, values.get("sender_id_no", ""), today, problems)
    created = _instant(raw.row, values.get("created_at", ""), problems)
    if problems or sender_phone is None or recipient_phone is None:
        return problems
    return ShipmentInput(
        row=raw.row,
        waybill_no=values.get("waybill_no") or None,
        carrier=values.get("carrier") or None,
        sender=PartyInput(
            Sensitive(normalize_name(values["sender_name"])),
            sender_phone,
            Sensitive(values["sender_address"]),
            id_no,
        ),
        recipient=PartyInput(
            Sensitive(normalize_name(values["recipient_name"])),
            recipient_phone,
            Sensitive(values["recipient_address"]),
        ),
        station_id=values.get("station_id") or None,
        courier_id=values.get("courier_id") or None,
        created_at=created,
    )


def _phone(row: int, field: str, text: str, problems: list[RowError]) -> Phone | None:
    phone = normalize_phone(text)
    if phone is None:
        problems.append(
            RowError(
                row, field, "invalid_phone", "not a mainland mobile or a landline with area code"
            )
        )
    return phone


def _id_number(row: int, text: str, today: date, problems: list[RowError]) -> Sensitive | None:
    if not text:
        return None
    value = normalize_resident_id(text, today=today)
    if value is None:
        problems.append(
            RowError(
                row,
                "sender_id_no",
                "invalid_id_number",
                "not an 18-digit resident ID with a valid birth date and check digit",
            )
        )
        return None
    return Sensitive(value)


def _instant(row: int, text: str, problems: list[RowError]) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        problems.append(
            RowError(row, "created_at", "invalid_time", "use ISO 8601 or YYYY-MM-DD HH:MM:SS")
        )
        return None

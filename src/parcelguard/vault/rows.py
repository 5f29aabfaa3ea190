"""Row validation: normalize and check one imported record; report it in the user's own words.

Each problem names the spreadsheet row, the field, the user's own column, the value masked
(never in clear) and the reason. A row without any sender takes the configured default
sender; a row without a waybill number is refused unless numbers may be assigned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from parcelguard.clock import parse_instant
from parcelguard.pii.masking import is_masked
from parcelguard.pii.normalize import Phone, normalize_name, normalize_phone, normalize_resident_id
from parcelguard.sensitive import Sensitive
from parcelguard.vault import fields as plain
from parcelguard.vault.assemble import PartyCells
from parcelguard.vault.headers import LIMITS, REQUIRED
from parcelguard.vault.readers import RawRow
from parcelguard.vault.shown import masked_value

PHONE_REASON = "not a mainland mobile or a landline with area code"
DEFAULT_SENDER_COLUMN = "[sender] in config.toml"


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected: row, field, code, reason, the user's column, the value masked."""

    row: int
    field: str
    code: str
    message: str
    column: str | None = None
    value: str | None = None  # always masked

    def as_dict(self) -> dict[str, object]:
        """Return the contract's error shape plus `column` and `value` when known."""
        shape: dict[str, object] = {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }
        if self.column:
            shape["column"] = self.column
        if self.value:
            shape["value"] = self.value
        return shape


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
    columns: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


# The sender a file without sender columns stands for (config.toml `[sender]`): a party's
# plain name, phone and address, like the cells of a file.
SenderDefault = PartyCells


@dataclass(frozen=True)
class RowRules:
    """What a row may leave out: the default sender (per station) and assigned waybills."""

    sender: SenderDefault | None = None
    station_senders: dict[str, SenderDefault] = field(default_factory=dict)
    assign_waybills: bool = False

    def sender_for(self, station_id: str | None) -> SenderDefault | None:
        """Return the station's own default sender, else the tenant's."""
        return self.station_senders.get(station_id or "", self.sender)


class _Row:
    """The problems of one row, each said with the user's column and the value masked."""

    def __init__(self, raw: RawRow, values: dict[str, str]) -> None:
        self.raw, self.values, self.problems = raw, values, list[RowError]()

    def fail(self, name: str, code: str, message: str) -> None:
        column = self.raw.columns.get(name)
        shown = masked_value(name, self.values.get(name, ""), code)
        self.problems.append(RowError(self.raw.row, name, code, message, column, shown))


def validate_row(
    raw: RawRow, today: date, rules: RowRules | None = None
) -> ShipmentInput | list[RowError]:
    """Return the validated shipment, or every problem of the row."""
    rules = rules or RowRules()
    if raw.problem is not None:
        name, code, message = raw.problem
        return [RowError(raw.row, name, code, message, raw.columns.get(name))]
    values = {k: v.strip() for k, v in raw.values.items()}
    check = _Row(raw, values)
    _default_sender(raw, values, rules)
    _present_and_short(check)
    if check.problems:
        return check.problems
    plain_values = _plain_fields(check, rules)
    sender_phone = _phone(check, "sender")
    recipient_phone = _phone(check, "recipient")
    id_no = _id_number(check, values.get("sender_id_no", ""), today)
    created = _instant(check, values.get("created_at", ""))
    if check.problems or sender_phone is None or recipient_phone is None:
        return check.problems
    return ShipmentInput(
        row=raw.row,
        waybill_no=plain_values.get("waybill_no"),
        carrier=plain_values.get("carrier"),
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
        station_id=plain_values.get("station_id"),
        courier_id=plain_values.get("courier_id"),
        created_at=created,
        columns=raw.columns,
    )


def _present_and_short(check: _Row) -> None:
    for name in REQUIRED:
        if not check.values.get(name):
            check.fail(name, "missing_field", f"{name} is required")
    for name, limit in LIMITS.items():
        if len(check.values.get(name, "")) > limit:
            check.fail(name, "too_long", f"{name} is longer than {limit} characters")


def _default_sender(raw: RawRow, values: dict[str, str], rules: RowRules) -> None:
    """Give a row without any sender cell the configured default sender."""
    parts = ("sender_name", "sender_phone", "sender_address")
    if any(values.get(p) for p in parts):
        return
    default = rules.sender_for(values.get("station_id"))
    if default is None:
        return
    values.update(
        sender_name=default.name, sender_phone=default.phone, sender_address=default.address
    )
    raw.columns = {**raw.columns, **dict.fromkeys(parts, DEFAULT_SENDER_COLUMN)}


def _plain_fields(check: _Row, rules: RowRules) -> dict[str, str]:
    """Check waybill, carrier, station and courier (charset, length); return cleaned values."""
    cleaned: dict[str, str] = {}
    for name in ("waybill_no", "carrier", "station_id", "courier_id"):
        text = plain.clean(check.values.get(name, ""))
        if not text:
            continue
        problem = plain.check(name, text)
        if problem is None:
            cleaned[name] = text
        else:
            check.fail(name, problem.code, f"{name}: {problem.reason}")
    if not plain.clean(check.values.get("waybill_no", "")) and not rules.assign_waybills:
        check.fail(
            "waybill_no",
            "missing_field",
            "the waybill number is empty; ParcelGuard never invents one "
            "(import with --assign-waybills to number parcels that have none)",
        )
    return cleaned


def _phone(check: _Row, party: str) -> Phone | None:
    name = f"{party}_phone"
    text = check.values[name]
    phone = normalize_phone(text)
    if phone is None:
        check.fail(name, "invalid_phone", _phone_reason(text))
        return None
    ext = check.values.get(f"{party}_phone_ext", "").strip().strip("'")
    if ext and not phone.extension:
        if not (ext.isdigit() and len(ext) <= 6):
            check.fail(f"{party}_phone_ext", "invalid_phone", "an extension is 1 to 6 digits")
            return None
        phone = Phone(phone.kind, phone.national, phone.area_code, ext)
    return phone


def _phone_reason(text: str) -> str:
    if is_masked(text):
        return "the number is masked in the export; export full numbers or privacy numbers"
    if "E+" in text.upper():
        return "the spreadsheet turned the number into 1.38E+10; format the column as text"
    return PHONE_REASON


def _id_number(check: _Row, text: str, today: date) -> Sensitive | None:
    if not text:
        return None
    value = normalize_resident_id(text, today=today)
    if value is None:
        check.fail(
            "sender_id_no",
            "invalid_id_number",
            "not an 18-digit resident ID with a valid birth date and check digit",
        )
        return None
    return Sensitive(value)


_DATE = re.compile(
    r"^(\d{4})[/.年-](\d{1,2})[/.月-](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def shop_time(text: str) -> str:
    """Return the ISO form of the times shop exports write (2026/11/1 8:30, 2026年11月1日)."""
    match = _DATE.match(text.strip())
    if match is None:
        return text
    y, mo, d, h, mi, sec = (int(g) if g else 0 for g in match.groups())
    return f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{sec:02d}"


def _instant(check: _Row, text: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_instant(shop_time(text))
    except ValueError:
        check.fail("created_at", "invalid_time", "use ISO 8601 or YYYY-MM-DD HH:MM:SS")
        return None

"""From a row of cells to one shipment record: the fields a column plan names, parties assembled.

A `RecordBuilder` is made once per file (per header row) and turns each row of cells into a
`RawRow` with the contract's field names: split address parts joined, a combined 收货信息 cell
(or an address cell that really holds name and phone too) split, the first non-empty of
several phone columns taken, and the user's own column name kept for every field so errors
can speak in the user's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from parcelguard.vault.assemble import has_phone, join_address, parse_combined
from parcelguard.vault.sources import PARTIES, ColumnPlan

_SURROGATE = re.compile("[\udc80-\udcff]")
PLAIN = ("waybill_no", "carrier", "created_at", "station_id", "courier_id", "sender_id_no")
SPLIT = ("province", "city", "district", "street")
_Getter = Callable[[str], str]


@dataclass
class RawRow:
    """One record as read, before validation; `problem` is a whole-row reading error.

    `columns` names, for each field, the user's own column it came from; `raw_fields` are the
    row's cells as read (for the rejected-rows file). Neither is ever logged.
    """

    row: int
    values: dict[str, str]
    problem: tuple[str, str, str] | None = None  # (field, code, message)
    raw_fields: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"RawRow(row={self.row}, fields={sorted(self.values)})"


class RecordBuilder:
    """Builds records for one column plan."""

    def __init__(self, plan: ColumnPlan) -> None:
        self.plan = plan
        self._plain = [(f, plan.columns[f][0]) for f in PLAIN if plan.has(f)]
        self.columns = _column_names(plan)

    def build(self, row: int, cells: list[str]) -> RawRow:
        """Return the record of one row of cells (`row` as a spreadsheet numbers it)."""
        for name, cols in self.plan.columns.items():
            for col in cols:
                if col < len(cells) and _undecodable(cells[col]):
                    message = "the cell is not valid text in the file's encoding"
                    return RawRow(row, {}, (name, "bad_encoding", message), cells, self.columns)
        values = {name: cells[col] for name, col in self._plain if col < len(cells)}
        columns = self.columns
        for party in PARTIES:
            moved = self._party(party, cells, values)
            if moved:
                columns = {**columns, **moved}
        return RawRow(row, values, None, cells, columns)

    def _party(self, party: str, cells: list[str], values: dict[str, str]) -> dict[str, str]:
        """Fill one party's name, phone (and extension) and address; return columns moved."""
        get = self._getter(cells)
        name, (phone, phone_column) = get(f"{party}_name"), self._phone(party, cells)
        address = self._address(party, get)
        ext = get(f"{party}_phone_ext")
        moved: dict[str, str] = {}
        if phone_column:
            moved[f"{party}_phone"] = phone_column  # of several phone columns, the one used
        info_column = self.plan.column_name(f"{party}_info")
        combined = get(f"{party}_info")
        if not phone and not combined and address and has_phone(address):
            combined, info_column = address, self.plan.column_name(f"{party}_address")
            address = ""  # the address cell holds name, phone and address together
        if combined and not (name and phone and address):
            parts = parse_combined(combined)
            if parts is not None:
                for key, got, mine in (
                    ("name", parts.name, name),
                    ("phone", parts.phone, phone),
                    ("address", parts.address, address),
                ):
                    if got and not mine and info_column:
                        moved[f"{party}_{key}"] = info_column
                name, phone, address = (
                    name or parts.name,
                    phone or parts.phone,
                    address or parts.address,
                )
        for key, value in (
            ("name", name),
            ("phone", phone),
            ("address", address),
            ("phone_ext", ext),
        ):
            if value:
                values[f"{party}_{key}"] = value
        return moved

    def _phone(self, party: str, cells: list[str]) -> tuple[str, str]:
        """Return the first non-empty phone cell, and its header when there are several."""
        cols = self.plan.columns.get(f"{party}_phone", [])
        for col in cols:
            if col < len(cells) and cells[col].strip():
                return cells[col], self.plan.headers[col] if len(cols) > 1 else ""
        return "", ""

    def _address(self, party: str, get: _Getter) -> str:
        province, city, district, street = (get(f"{party}_{p}") for p in SPLIT)
        detail, house = get(f"{party}_address"), get(f"{party}_house")
        if province or city or district or street or house:
            return join_address(province, city, district, street, detail, house)
        return detail

    def _getter(self, cells: list[str]) -> _Getter:
        columns = self.plan.columns

        def get(name: str) -> str:
            cols = columns.get(name)
            if not cols or cols[0] >= len(cells):
                return ""
            return cells[cols[0]].strip()

        return get


def _column_names(plan: ColumnPlan) -> dict[str, str]:
    """Return field → the user's column name(s), an assembled address naming all its parts."""
    names = plan.mapping()
    for party in PARTIES:
        parts = [
            plan.column_name(f"{party}_{p}")
            for p in (*SPLIT, "address", "house")
            if plan.has(f"{party}_{p}")
        ]
        if len(parts) > 1:
            names[f"{party}_address"] = " + ".join(p for p in parts if p)
        if f"{party}_phone" not in names and plan.has(f"{party}_info"):
            names[f"{party}_phone"] = plan.column_name(f"{party}_info") or ""
        for part in ("name", "address"):
            if f"{party}_{part}" not in names and plan.has(f"{party}_info"):
                names[f"{party}_{part}"] = plan.column_name(f"{party}_info") or ""
    return names


def _undecodable(text: str) -> bool:
    return text.isascii() is False and _SURROGATE.search(text) is not None

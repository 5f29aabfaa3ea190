"""Column sniffing: which column of a leaked table holds phones, names, addresses or free text.

Leaked tables come in any column order, with or without a header, with headers in any words.
A column's role is what most of its sampled cells are (a column of mostly phones is a phone
column, masked or not); a header word only breaks near-ties. Columns are then grouped into
people: the k-th phone column goes with the k-th name and address columns (sender, recipient).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from parcelguard.forensics.cells import kind_of
from parcelguard.forensics.leak_reader import LeakRow

SAMPLE_ROWS = 200
ROLE_OF_KIND = {
    "phone": "phone",
    "masked_phone": "phone",
    "name": "name",
    "masked_name": "name",
    "address": "address",
    "text": "text",
}
HEADER_WORDS = {
    "phone": ("phone", "mobile", "tel", "电话", "手机", "联系方式", "号码"),
    "name": ("name", "姓名", "收件人", "收货人", "寄件人", "发件人", "联系人", "客户", "名字"),
    "address": ("address", "addr", "地址", "住址"),
}
DATA_KINDS = frozenset({"phone", "masked_phone", "address", "text"})


@dataclass(frozen=True)
class PersonColumns:
    """The columns that describe one person of a row."""

    phone: int | None
    name: int | None
    address: int | None


@dataclass(frozen=True)
class Layout:
    """The sniffed layout of a table: whether row 1 is a header, and each column's role."""

    header: bool
    roles: tuple[str | None, ...]

    def columns(self, role: str) -> list[int]:
        """Return the indexes of the columns with this role, left to right."""
        return [i for i, r in enumerate(self.roles) if r == role]

    def people(self) -> list[PersonColumns]:
        """Group phone, name and address columns into the people a row describes."""
        phones, names = self.columns("phone"), self.columns("name")
        addresses = self.columns("address")
        count = max(len(phones), min(len(names), len(addresses)))
        return [
            PersonColumns(_nth(phones, i), _nth(names, i), _nth(addresses, i)) for i in range(count)
        ]


def _nth(columns: list[int], i: int) -> int | None:
    if not columns:
        return None
    return columns[i] if i < len(columns) else columns[0]


def sniff(sample: Sequence[LeakRow]) -> Layout:
    """Return the layout of a table from its first rows."""
    if not sample:
        return Layout(False, ())
    width = max(len(row.cells) for row in sample)
    first = [kind_of(cell) for cell in sample[0].cells]
    header = len(sample) > 1 and not any(kind in DATA_KINDS for kind in first)
    body = sample[1:] if header else sample
    heads = sample[0].cells if header else ()
    roles = tuple(
        _role(
            [row.cells[j] for row in body if j < len(row.cells)], heads[j] if j < len(heads) else ""
        )
        for j in range(width)
    )
    if not any(role in ("phone", "text") for role in roles) and not (
        "name" in roles and "address" in roles
    ):
        return Layout(header, ("text",) if width == 1 else ("joined",) * width)
    return Layout(header, roles)


def _role(cells: list[str], header: str) -> str | None:
    kinds = Counter(ROLE_OF_KIND.get(kind_of(c) or "", "none") for c in cells if c)
    filled = sum(kinds.values())
    if not filled:
        return None
    role, count = max(
        ((r, n) for r, n in kinds.items() if r != "none"), key=lambda rn: rn[1], default=("", 0)
    )
    hinted = _hinted(header)
    if hinted is not None and kinds.get(hinted, 0) >= 0.2 * filled:
        return hinted
    return role if count >= 0.5 * filled else None


def _hinted(header: str) -> str | None:
    text = header.strip().lower()
    if not text:
        return None
    for role, words in HEADER_WORDS.items():
        if any(word in text for word in words):
            return role
    return None

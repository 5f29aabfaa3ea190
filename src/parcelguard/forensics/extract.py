"""From leaked rows to leaked people: sniff each table's layout, then read its rows lazily.

Cells in a phone, name or address column are read with fast checks; free-text cells (and rows
of a table nobody could sniff) go through the PII analyzer, loaded only when first needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Protocol

from parcelguard.forensics.cells import (
    as_name,
    as_phone,
    damaged_pattern,
    is_masked_name,
    masked_pattern,
)
from parcelguard.forensics.columns import SAMPLE_ROWS, Layout, PersonColumns, sniff
from parcelguard.forensics.leak_reader import LeakRow, LeakTable
from parcelguard.forensics.people import LeakedPerson
from parcelguard.pii.normalize import normalize_name


class FreeTextReader(Protocol):
    """Finds the people in one piece of free text (the PII analyzer, or a test double)."""

    def people(self, row: int, text: str) -> list[LeakedPerson]:
        """Return the people the text describes."""


class PersonExtractor:
    """Turns the tables of a leaked file into (row, people) pairs, one row at a time."""

    def __init__(self, text_people: FreeTextReader | None = None) -> None:
        self._text = text_people

    def rows(self, tables: Iterable[LeakTable]) -> Iterator[tuple[LeakRow, list[LeakedPerson]]]:
        """Yield every row of every table with the people it describes (maybe none)."""
        for table in tables:
            sample = list(islice(table.rows, SAMPLE_ROWS))
            layout = sniff(sample) if table.kind == "table" else Layout(False, ("text",))
            for i, row in enumerate(chain(sample, table.rows)):
                if i == 0 and layout.header:
                    continue
                yield row, self.people(row, layout)

    def people(self, row: LeakRow, layout: Layout) -> list[LeakedPerson]:
        """Return the people one row describes under its table's layout."""
        cells = row.cells
        if layout.roles and layout.roles[0] == "joined":
            return self._free_text(row.row, " ".join(c for c in cells if c))
        found = [
            person
            for columns in layout.people()
            if (person := _from_columns(row.row, cells, columns)) is not None
        ]
        for j in layout.columns("text"):
            if j < len(cells) and cells[j]:
                found += self._free_text(row.row, cells[j])
        return found

    def _free_text(self, row: int, text: str) -> list[LeakedPerson]:
        if self._text is None:
            from parcelguard.forensics.text_people import TextPeople

            self._text = TextPeople()
        return self._text.people(row, text)


def _cell(cells: tuple[str, ...], column: int | None) -> str:
    if column is None or column >= len(cells):
        return ""
    return cells[column]


def _from_columns(row: int, cells: tuple[str, ...], columns: PersonColumns) -> LeakedPerson | None:
    person = LeakedPerson(row)
    phone = _cell(cells, columns.phone)
    if phone:
        person.phone = as_phone(phone)
        if person.phone is None:
            person.pattern = masked_pattern(phone) or damaged_pattern(phone)
    name = _cell(cells, columns.name)
    if name:
        person.name = None if is_masked_name(name) else as_name(name)
        if person.name is None and is_masked_name(name):
            person.name, person.name_masked = normalize_name(name).replace(" ", ""), True
        elif person.name is None and 2 <= len(name) <= 12:
            # A typo can turn a name into something no surname list knows; keep it as written.
            person.name = normalize_name(name).replace(" ", "")
    address = _cell(cells, columns.address)
    if address:
        person.address = address
    if person.phone is None and person.pattern is None and person.name is None:
        return None
    return person

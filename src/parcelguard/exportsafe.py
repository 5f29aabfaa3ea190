"""Spreadsheet-safe export cells: neutralise CSV / formula injection in every file we write.

A cell that a spreadsheet would read as a formula (`=HYPERLINK(...)`, `+`, `-`, `@`, or a
leading tab, carriage return or line feed, also behind leading spaces or in full-width form)
gets a leading apostrophe, which Excel, WPS and LibreOffice show as text and never evaluate.
Plain numbers (`-12.5`, `+8613800000000`) stay as they are. Every CSV or XLSX export must pass
its cells through `safe_cell` (or write with `SafeCsvWriter`): this rule is enforced here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def is_dangerous(text: str) -> bool:
    """Return whether a spreadsheet could read `text` as a formula or a command."""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    stripped = text.lstrip(" \u3000")
    if not stripped or stripped[0] not in TRIGGERS:
        return False
    return _NUMBER.fullmatch(stripped) is None


def safe_cell(value: Any) -> Any:
    """Return the value to write in a CSV/XLSX cell: formula-like text gets a leading `'`."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if is_dangerous(text) else text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Return a row with every cell made safe."""
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """A `csv.writer` whose rows are made safe before they are written."""

    def __init__(self, stream: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one safe row."""
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several safe rows."""
        for row in rows:
            self.writerow(row)

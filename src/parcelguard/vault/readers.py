"""Streaming readers for shipment files: CSV (UTF-8, UTF-8 BOM, GB18030), XLSX and JSONL.

Each yields `RawRow`s one at a time so memory stays flat whatever the file's size; `row` is
the number a spreadsheet shows (header = 1), or the line number for JSONL.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from parcelguard.errors import InvalidInput
from parcelguard.vault.headers import ALIASES, map_headers, missing_required

SNIFF = 1 << 16
MAX_XLSX_UNCOMPRESSED = 512 << 20
csv.field_size_limit(1 << 20)
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass
class RawRow:
    """One record as read, before validation; `problem` is a whole-row reading error."""

    row: int
    values: dict[str, str]
    problem: tuple[str, str, str] | None = None  # (field, code, message)
    raw_fields: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"RawRow(row={self.row}, fields={sorted(self.values)})"


Progress = Callable[[int], None]


def read_rows(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield the rows of a CSV, XLSX or JSONL file, chosen by content and extension."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, advance)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return read_jsonl(path, advance)
    return read_csv(path, advance)


def detect_encoding(head: bytes) -> str:
    """Return utf-8-sig, utf-8 or gb18030 for the first bytes of a CSV file.

    A few broken sequences in an otherwise UTF-8 file keep it UTF-8 (those rows are then
    rejected as `bad_encoding`) rather than turning every Chinese character into mojibake.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    text = head[: len(head) - 3 if len(head) == SNIFF else None].decode("utf-8", "surrogateescape")
    bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    good = sum(1 for ch in text if ord(ch) > 127 and not "\udc80" <= ch <= "\udcff")
    return "utf-8" if bad == 0 or good >= 4 * bad else "gb18030"


class CountingReader(io.RawIOBase):
    """Passes bytes through while reporting how many were read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], advance: Progress | None) -> None:
        self._raw, self._advance = raw, advance

    def readable(self) -> bool:
        """Say that this stream can be read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` from the underlying file and report the bytes read."""
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if self._advance and data:
            self._advance(len(data))
        return len(data)


def read_csv(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield CSV rows; undecodable bytes make a `bad_encoding` row, not a crash."""
    with path.open("rb") as raw:
        encoding = detect_encoding(raw.read(SNIFF))
        raw.seek(0)
        buffered = io.BufferedReader(CountingReader(raw, advance), buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.reader(text)
        header = _next_record(reader, path.name, 1)
        if header is None:
            raise InvalidInput(f"{path.name} is empty", code="empty_file")
        mapping = _checked_mapping(header, path.name)
        index = 1
        while (cells := _next_record(reader, path.name, index + 1)) is not None:
            index += 1
            if any(cell.strip() for cell in cells):
                yield _row_from_cells(index, cells, mapping)


def _next_record(reader: Any, name: str, row: int) -> list[str] | None:
    """Return the next CSV record; a malformed or oversized one ends the file with a clear error."""
    try:
        return next(reader, None)
    except csv.Error:
        raise InvalidInput(
            f"{name}: row {row} cannot be read as CSV (a field over 1 MiB or broken quoting)",
            code="bad_file",
            details={"row": row},
        ) from None


def read_xlsx(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield the rows of the first sheet; refuses archives that inflate beyond reason."""
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise InvalidInput(f"{path.name} is not an XLSX workbook", code="bad_file") from None
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise InvalidInput(
            f"{path.name} inflates to {inflated >> 20} MiB; refused", code="too_large"
        )
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises KeyError, ParseError, ValueError … on damaged files
        raise InvalidInput(
            f"{path.name} is not a readable XLSX workbook", code="bad_file"
        ) from None
    try:
        rows = _xlsx_rows(book.worksheets[0].iter_rows(values_only=True), path.name)
        header = next(rows, None)
        if header is None:
            raise InvalidInput(f"{path.name} is empty", code="empty_file")
        mapping = _checked_mapping([_cell(c) for c in header], path.name)
        for index, values in enumerate(rows, start=2):
            cells = [_cell(c) for c in values]
            if advance:
                advance(1)
            if not any(cells):
                continue
            yield _row_from_cells(index, cells, mapping)
    finally:
        book.close()


def _xlsx_rows(rows: Iterator[Any], name: str) -> Iterator[Any]:
    """Pass the sheet's rows through, turning a damaged sheet into one clear error."""
    try:
        yield from rows
    except Exception:  # a broken sheet XML surfaces only while iterating
        raise InvalidInput(f"{name}: the first sheet is damaged", code="bad_file") from None


def read_jsonl(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield one row per JSON line; a line that is not an object is rejected by number."""
    inverse = {alias.lower(): field for field, aliases in ALIASES.items() for alias in aliases}
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if advance:
                advance(len(line))
            if not line.strip():
                continue
            yield _row_from_json(number, line, inverse)


def _row_from_json(number: int, line: bytes, inverse: dict[str, str]) -> RawRow:
    try:
        obj = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return RawRow(number, {}, ("row", "bad_encoding", "the line is not UTF-8"))
    except ValueError:
        return RawRow(number, {}, ("row", "invalid_json", "the line is not valid JSON"))
    if not isinstance(obj, dict):
        return RawRow(number, {}, ("row", "invalid_json", "the line is not a JSON object"))
    values: dict[str, str] = {}
    for key, value in obj.items():
        name = inverse.get(str(key).strip().lower())
        if name and name not in values and value is not None:
            values[name] = str(value)
    return RawRow(number, values)


def _checked_mapping(header: list[str], name: str) -> dict[str, int]:
    mapping = map_headers(header)
    missing = missing_required(mapping)
    if missing:
        raise InvalidInput(
            f"{name}: no column for {', '.join(missing)} (headers may be English or Chinese)",
            code="missing_column",
            details={"missing": missing},
        )
    return mapping


def _row_from_cells(index: int, cells: list[str], mapping: dict[str, int]) -> RawRow:
    values = {}
    for name, col in mapping.items():
        if col < len(cells):
            cell = cells[col]
            if _undecodable(cell):
                return RawRow(index, {}, (name, "bad_encoding", "the cell is not valid text"))
            values[name] = cell
    return RawRow(index, values)


def _undecodable(text: str) -> bool:
    return text.isascii() is False and _SURROGATE.search(text) is not None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed into Excel come back as floats
    return str(value)

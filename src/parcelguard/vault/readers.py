"""Streaming readers for shipment files: CSV (UTF-8, UTF-8 BOM, GB18030/GBK), XLSX and JSONL.

`open_file` reads just enough to find the header row (title rows above it are skipped), the
sheet of a workbook whose headers look like shipments, and the column plan; the rows then
stream one at a time so memory stays flat whatever the file's size. `row` is the number a
spreadsheet shows (header = its own row number), or the line number for JSONL.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import IO, Any

from parcelguard.errors import InvalidInput
from parcelguard.vault import xlsx
from parcelguard.vault.records import RawRow, RecordBuilder
from parcelguard.vault.refusals import missing_column_error, missing_columns
from parcelguard.vault.results import ReaderPlan
from parcelguard.vault.sources import ColumnPlan, clean_header, recognise

SNIFF = 1 << 16
MAX_XLSX_UNCOMPRESSED = xlsx.MAX_XLSX_UNCOMPRESSED
HEADER_SCAN = 10
csv.field_size_limit(1 << 20)
Progress = Callable[[int], None]
__all__ = ["RawRow", "ReadOptions", "ShipmentFile", "open_file", "read_rows"]


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: explicit column mapping, forced layout, saved mappings, sheet."""

    overrides: dict[str, str] = field(default_factory=dict)  # column → field (--map)
    source: str | None = None  # a layout id of sources.toml (--source)
    saved: dict[str, dict[str, str]] = field(default_factory=dict)  # [import.mappings]
    sheet: str | None = None  # a sheet name or 1-based number (--sheet)


@dataclass
class ShipmentFile:
    """An opened shipment file: what was recognised, and its rows (streamed once)."""

    name: str
    format: str  # "csv", "xlsx" or "jsonl"
    rows: Iterator[RawRow]
    plan: ColumnPlan | None = None  # None for JSONL (each line names its own fields)
    header_row: int = 1
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def describe(self) -> ReaderPlan:
        """Return what a dry run and a report show: layout, sheet, header row, mapping."""
        plan = self.plan
        source = plan.source if plan else None
        return {
            "file": self.name,
            "format": self.format,
            "encoding": self.encoding,
            "sheet": self.sheet,
            "sheets": self.sheets,
            "header_row": self.header_row,
            "source": source.id if source else None,
            "source_title": source.title if source else None,
            "mapping": plan.mapping() if plan else {},
            "unmapped": plan.unmapped() if plan else [],
        }

    def close(self) -> None:
        """Release the open file."""
        for close in self.closers:
            close()


def open_file(
    path: Path, options: ReadOptions | None = None, advance: Progress | None = None
) -> ShipmentFile:
    """Open a CSV, XLSX or JSONL file (chosen by extension) and recognise its columns."""
    options = options or ReadOptions()
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, options, advance)
    if suffix == ".xls":
        raise InvalidInput(
            f"{path.name}: the old binary .xls format is not read; save it as .xlsx or CSV",
            code="unsupported_format",
        )
    if suffix in (".jsonl", ".ndjson", ".json"):
        return ShipmentFile(path.name, "jsonl", read_jsonl(path, advance), encoding="utf-8")
    return _open_csv(path, options, advance)


def read_rows(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield the rows of a file; refuses a file without the recipient's or sender's columns."""
    opened = open_file(path, advance=advance)
    if opened.plan is not None:
        missing = missing_columns(opened.plan, default_sender=False)
        if missing:
            opened.close()
            raise missing_column_error(path.name, opened.plan, missing)
    return _closing(opened)


def _closing(opened: ShipmentFile) -> Iterator[RawRow]:
    try:
        yield from opened.rows
    finally:
        opened.close()


def detect_encoding(head: bytes) -> str:
    """Return utf-8-sig, utf-8 or gb18030 for the first bytes of a CSV file.

    A few broken sequences in an otherwise UTF-8 file keep it UTF-8 (those rows are then
    rejected as `bad_encoding`) rather than turning every Chinese character into mojibake.
    GB18030 is a superset of GBK and GB2312, so every GBK export reads as GB18030.
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


def _open_csv(path: Path, options: ReadOptions, advance: Progress | None) -> ShipmentFile:
    raw = path.open("rb")
    try:
        head = raw.read(SNIFF)
        encoding = detect_encoding(head)
        raw.seek(0)
        buffered = io.BufferedReader(CountingReader(raw, advance), buffer_size=1 << 16)
        text = io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.reader(text, delimiter=_delimiter(head, encoding))
        first: list[list[str]] = []
        while len(first) < HEADER_SCAN:
            cells = _next_record(reader, path.name, len(first) + 1)
            if cells is None:
                break
            first.append(cells)
        if not any(cell.strip() for cells in first for cell in cells):
            raise InvalidInput(f"{path.name} is empty", code="empty_file")
        at, plan = choose_header(first, options)
    except BaseException:
        raw.close()
        raise
    rows = _csv_rows(reader, path.name, first, at, plan)
    return ShipmentFile(
        path.name,
        "csv",
        rows,
        plan,
        at + 1,
        encoding.replace("-sig", " with BOM"),
        closers=[raw.close],
    )


def _csv_rows(
    reader: Any, name: str, first: list[list[str]], at: int, plan: ColumnPlan
) -> Iterator[RawRow]:
    builder = RecordBuilder(plan)
    index = at + 1
    for cells in first[at + 1 :]:
        index += 1
        if any(cell.strip() for cell in cells):
            yield builder.build(index, cells)
    while (record := _next_record(reader, name, index + 1)) is not None:
        index += 1
        if any(cell.strip() for cell in record):
            yield builder.build(index, record)


def _delimiter(head: bytes, encoding: str) -> str:
    """Return the separator of the header line: comma, tab or semicolon."""
    line = head.decode(encoding.replace("-sig", ""), "replace").lstrip("\ufeff").split("\n", 1)[0]
    counts = {sep: line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


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


def choose_header(candidates: Sequence[list[str]], options: ReadOptions) -> tuple[int, ColumnPlan]:
    """Return the index of the header among the first rows and its column plan.

    The header is the row that names the most known fields (title rows above it, such as
    "订单导出 2026-11-02", are skipped); without any, the first non-empty row.
    """
    best, best_score = None, 0
    wanted = {clean_header(c) for c in options.overrides}
    for i, cells in enumerate(candidates):
        plan = recognise(cells, source_id=options.source)
        score = len(plan.columns) + sum(1 for c in cells if clean_header(c) in wanted)
        if score > best_score:
            best, best_score = i, score
    if best is None or best_score < 2:
        best = next((i for i, c in enumerate(candidates) if any(x.strip() for x in c)), 0)
    plan = recognise(candidates[best], options.overrides, options.source, options.saved)
    return best, plan


def _open_xlsx(path: Path, options: ReadOptions, advance: Progress | None) -> ShipmentFile:
    book = xlsx.open_workbook(path)
    try:
        sheet, names, at, plan = xlsx.choose_sheet(
            book, path.name, options.sheet, partial(choose_header, options=options), HEADER_SCAN
        )
    except BaseException:
        book.close()
        raise
    rows = _xlsx_rows(sheet, path.name, at, plan, advance)
    return ShipmentFile(
        path.name, "xlsx", rows, plan, at + 1, None, sheet.title, names, closers=[book.close]
    )


def _xlsx_rows(
    sheet: Any, name: str, at: int, plan: ColumnPlan, advance: Progress | None
) -> Iterator[RawRow]:
    builder = RecordBuilder(plan)
    for index, values in enumerate(xlsx.rows_after(sheet, name, at + 1), start=at + 2):
        cells = [xlsx.cell_text(c) for c in values]
        if advance:
            advance(1)
        if any(cells):
            yield builder.build(index, cells)


def read_jsonl(path: Path, advance: Progress | None = None) -> Iterator[RawRow]:
    """Yield one row per JSON line; a line that is not an object is rejected by number."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if advance:
                advance(len(line))
            if not line.strip():
                continue
            yield _row_from_json(number, line)


def _row_from_json(number: int, line: bytes) -> RawRow:
    try:
        obj = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return RawRow(number, {}, ("row", "bad_encoding", "the line is not UTF-8"))
    except ValueError:
        return RawRow(number, {}, ("row", "invalid_json", "the line is not valid JSON"))
    if not isinstance(obj, dict):
        return RawRow(number, {}, ("row", "invalid_json", "the line is not a JSON object"))
    keys = tuple(str(k) for k in obj)
    cells = ["" if v is None else str(v) for v in obj.values()]
    return _json_builder(keys).build(number, cells)


@lru_cache(maxsize=64)
def _json_builder(keys: tuple[str, ...]) -> RecordBuilder:
    """Return the builder of one set of JSON keys (lines of a file usually share them)."""
    return RecordBuilder(recognise(list(keys)))

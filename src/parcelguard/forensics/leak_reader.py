"""Reading leaked material: delimited text, XLSX workbooks, JSON lines, plain or pasted text.

A leaked file is whatever the seller put together: a CSV in GB18030 with tabs, a workbook with
a sheet per city, JSON lines from a scraped API, a chat paste. Everything is streamed one row
at a time (memory stays flat whatever the size) and handed on as `LeakRow`s of cells; which
cell holds what is decided later, from the content (`columns.py`). A few broken bytes are
replaced, never fatal; what cannot be read at all (an empty file, binary data, a damaged or
inflating workbook, a CSV field over 1 MiB, a line of JSON lines that is no object) is refused
with `InvalidInput` naming the problem and the row or line, never quoting the content.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from parcelguard import workbook
from parcelguard.errors import InvalidInput
from parcelguard.forensics.leak_row import MAX_CELL as MAX_CELL
from parcelguard.forensics.leak_row import LeakRow as LeakRow
from parcelguard.vault.readers import CountingReader, detect_encoding
from parcelguard.workbook import Inflation

SNIFF = 1 << 16
MAX_XLSX_UNCOMPRESSED = 1 << 30
TRACE_INFLATION = Inflation(MAX_XLSX_UNCOMPRESSED)  # leaked workbooks: 1 GiB inflated, flat
DELIMITERS = (",", "\t", ";", "|")
csv.field_size_limit(1 << 20)

Progress = Callable[[int], None]
# What openpyxl and zipfile raise on a damaged workbook (openpyxl's own error is a KeyError
# or an InvalidFileException, which subclasses Exception only; ElementTree a ParseError).
_DAMAGED: tuple[type[Exception], ...] = (
    KeyError,
    ValueError,
    TypeError,
    EOFError,
    OSError,
    SyntaxError,  # xml.etree.ElementTree.ParseError
    zipfile.BadZipFile,
    zlib.error,
)


@dataclass
class LeakTable:
    """A run of rows that share one layout: a CSV file, one sheet, or lines of text."""

    name: str
    kind: str  # "table" (cells in columns) or "text" (one free-text cell per line)
    rows: Iterator[LeakRow]


def read_leak(path: Path, advance: Progress | None = None) -> Iterator[LeakTable]:
    """Yield the tables of a leaked file: XLSX by content, anything else as text."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if not magic:
        raise InvalidInput("the file is empty", code="empty_file")
    if magic == b"PK\x03\x04":
        yield from read_workbook(path, advance)
    elif magic[:4] == b"\xd0\xcf\x11\xe0":
        raise InvalidInput(
            "old .xls workbooks are not read; save the file as XLSX or CSV", code="bad_file"
        )
    else:
        yield read_text(path, advance)


def detect_text_encoding(head: bytes) -> str:
    """Return the encoding of a text file from its first bytes (BOMs, UTF-16, UTF-8, GB18030)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if sample and sample.count(0) * 4 > len(sample):
        zeros_at_odd = sum(1 for i in range(1, len(sample), 2) if sample[i] == 0)
        return "utf-16-le" if zeros_at_odd * 2 > sample.count(0) else "utf-16-be"
    return detect_encoding(head[:SNIFF])


def sniff_delimiter(sample: str) -> str | None:
    """Return the delimiter that splits most sample lines into the same number (≥ 2) of cells."""
    lines = [line for line in sample.splitlines()[:200] if line.strip()]
    if len(lines) > 1 and len(sample) >= SNIFF - 8:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    best, best_score = None, 0.0
    for delimiter in DELIMITERS:
        counts = [len(cells) for cells in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        modal = max(set(counts), key=counts.count)
        share = counts.count(modal) / len(counts)
        if modal >= 2 and share >= 0.6 and share * modal > best_score:
            best, best_score = delimiter, share * modal
    return best


def read_text(path: Path, advance: Progress | None = None) -> LeakTable:
    """Return the file as JSON lines or a delimited table when it is one, else as free text."""
    from parcelguard.forensics.leak_jsonl import jsonl_rows, looks_like_jsonl

    with path.open("rb") as fh:
        head = fh.read(SNIFF)
    encoding = detect_text_encoding(head)
    sample = head.decode(encoding, errors="replace")
    if _binary(sample):
        raise InvalidInput(
            "the file is not text, CSV, JSON lines or an XLSX workbook (it looks binary)",
            code="bad_file",
        )
    if looks_like_jsonl(sample):
        return LeakTable(path.name, "table", _text_rows(path, encoding, advance, jsonl_rows))
    delimiter = sniff_delimiter(sample)
    if delimiter is None:
        return LeakTable(path.name, "text", _lines(path, encoding, advance))
    return LeakTable(path.name, "table", _delimited(path, encoding, delimiter, advance))


def _open_text(raw: IO[bytes], encoding: str, advance: Progress | None) -> io.TextIOWrapper:
    counted = io.BufferedReader(CountingReader(raw, advance), buffer_size=SNIFF)
    return io.TextIOWrapper(counted, encoding=encoding, errors="replace", newline="")


def _binary(sample: str) -> bool:
    """Return whether decoded text is mostly control characters or undecodable bytes."""
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f\v"))
    return bad > max(8, len(sample) // 20)


def _text_rows(
    path: Path,
    encoding: str,
    advance: Progress | None,
    rows: Callable[[io.TextIOWrapper], Iterator[LeakRow]],
) -> Iterator[LeakRow]:
    with path.open("rb") as raw:
        yield from rows(_open_text(raw, encoding, advance))


def _delimited(
    path: Path, encoding: str, delimiter: str, advance: Progress | None
) -> Iterator[LeakRow]:
    with path.open("rb") as raw:
        reader = csv.reader(_open_text(raw, encoding, advance), delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                if any(cell.strip() for cell in cells):
                    yield LeakRow(number, tuple(cell.strip()[:MAX_CELL] for cell in cells))
        except csv.Error:
            raise InvalidInput(
                f"row {number + 1} cannot be read as CSV (a field over 1 MiB or broken quoting)",
                code="bad_file",
                details={"row": number + 1},
            ) from None


def _lines(path: Path, encoding: str, advance: Progress | None) -> Iterator[LeakRow]:
    with path.open("rb") as raw:
        for number, line in enumerate(_open_text(raw, encoding, advance), start=1):
            text = line.strip()
            if text:
                yield LeakRow(number, (text[:MAX_CELL],))


def read_workbook(path: Path, advance: Progress | None = None) -> Iterator[LeakTable]:
    """Yield every sheet of an XLSX workbook as a table, streamed in read-only mode.

    The workbook is opened from its file handle: openpyxl refuses a *path* without an .xlsx
    extension, and an upload is stored under a name of our own.
    """
    with path.open("rb") as fh:
        book = workbook.open_workbook(path, "the file", TRACE_INFLATION, source=fh)
        try:
            for index, sheet in enumerate(book.worksheets, start=1):
                rows = _sheet_rows(sheet, index, advance)
                yield LeakTable(str(sheet.title)[:64], "table", rows)
        finally:
            book.close()


def _sheet_rows(sheet: Any, index: int, advance: Progress | None) -> Iterator[LeakRow]:
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if advance:
                advance(1)
            cells = tuple(_cell(value) for value in values)
            if any(cells):
                yield LeakRow(number, cells)
    except _DAMAGED:
        raise InvalidInput(
            f"sheet {index} of the XLSX workbook is damaged at row {number + 1}",
            code="bad_file",
            details={"sheet": index, "row": number + 1},
        ) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phones typed into Excel come back as floats
    return str(value).strip()[:MAX_CELL]

"""JSON lines leaked from an API or a database dump: one object per line, read as a table.

The keys of the first object become a header row (column sniffing reads words like 收货人 or
phone from it) and fix the column order; a later object's other keys add cells after those.
Nested objects are flattened (`recipient.phone`), lists joined. A line that is not a JSON
object is refused with its line number; the content itself is never quoted.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from parcelguard.errors import InvalidInput
from parcelguard.forensics.leak_row import MAX_CELL, LeakRow


def looks_like_jsonl(sample: str) -> bool:
    """Return whether the first non-blank line of a text sample is one JSON object."""
    for line in sample.splitlines():
        if line.strip():
            try:
                return isinstance(json.loads(line), dict)
            except ValueError:
                return False
    return False


def jsonl_rows(text: io.TextIOBase) -> Iterator[LeakRow]:
    """Yield a header row from the first object's keys, then one row per object."""
    header: list[str] | None = None
    for number, line in enumerate(text, start=1):
        if not line.strip():
            continue
        record = _object(line, number)
        if header is None:
            header = list(record)
            yield LeakRow(0, tuple(key[:MAX_CELL] for key in header))
        known = [_cell(record.get(key)) for key in header]
        extra = [_cell(value) for key, value in record.items() if key not in header]
        cells = tuple(known + extra)
        if any(cells):
            yield LeakRow(number, cells)


def _object(line: str, number: int) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise InvalidInput(
            f"line {number} is not a JSON object (the file reads as JSON lines)",
            code="bad_file",
            details={"line": number},
        )
    return _flat(value)


def _flat(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_cell(item) for item in value)[:MAX_CELL]
    return str(value).strip()[:MAX_CELL]
